"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (UTF-8 for text, as-is for bytes) to ``path``, creating its folders; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def story(tmp_path: Path, slug: str, title: str, bodies: dict[str, str], day: str = "2025-06-22") -> Path:
    """One story told by several outlets: ``slug-a.md`` from Outlet A, and so on."""
    folder = tmp_path / slug
    folder.mkdir()
    for name, text in bodies.items():
        (folder / f"{slug}-{name}.md").write_text(
            f"---\ntitle: {title} ({name})\nsource: Outlet {name.upper()}\ndate: {day}\n---\n\n{text}\n",
            encoding="utf-8")
    return folder
