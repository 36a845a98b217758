"""Prompt files in ``prompts/``, loaded once and checked for the variables the code fills."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

#: file name -> the variables the code fills in it
EXPECTED: dict[str, frozenset[str]] = {
    "system.md": frozenset(),
    "answer.md": frozenset({"question", "excerpts", "agreement"}),
    "condense.md": frozenset({"history", "answer", "question"}),
}


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str
    condense: str


def variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@lru_cache(maxsize=4)
def load_prompts(folder: Path) -> Prompts:
    """Read and check every prompt; a missing file or variable fails here, not at the first question."""
    texts: dict[str, str] = {}
    for name, expected in EXPECTED.items():
        path = Path(folder) / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError(
                f"Prompt file {path} cannot be read ({err.strerror}); set ASSISTANT_PROMPTS_DIR"
            ) from err
        try:
            found = variables(text)
        except ValueError as err:
            raise ConfigError(
                f"Prompt {path} is not a valid template ({err}); double literal braces {{{{ }}}}"
            ) from err
        if found != expected:
            want = ", ".join(sorted(f"{{{v}}}" for v in expected)) or "no variables"
            raise ConfigError(f"Prompt {path} must use {want}; it uses {', '.join(sorted(found)) or 'none'}")
        texts[name.removesuffix(".md")] = text.strip()
    return Prompts(**texts)
