"""Paths -> the supported files under them (folders recursively), and one reason for each that is not."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IngestError
from .meta import SIDECAR_SUFFIX
from .readers import UNSUPPORTED, reader_for


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)

    def add(self, file: Path, seen: set[Path]) -> None:
        real = file.resolve()
        if real not in seen:
            seen.add(real)
            self.files.append(file)


def discover(paths: list[Path]) -> Discovered:
    """Expand files and folders (recursively) into supported files; report what cannot be read."""
    found = Discovered()
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            found.errors.append(IngestError(path, missing_reason(path)))
        elif not path.is_file() and not path.is_dir():
            found.errors.append(IngestError(path, "not a regular file or folder (a pipe, socket or device?)"))
        elif path.is_file():
            if path.name.lower().endswith(SIDECAR_SUFFIX):
                continue
            if reader_for(path.name) is None:
                found.errors.append(IngestError(path, UNSUPPORTED))
            else:
                found.add(path, seen)
        else:
            _walk(path, found, seen)
    return found


def _walk(top: Path, found: Discovered, seen: set[Path]) -> None:
    visited_dirs: set[Path] = set()

    def unreadable(err: OSError) -> None:
        found.errors.append(IngestError(err.filename or top, f"cannot read directory ({err.strerror})"))

    for root, dirs, files in os.walk(top, followlinks=True, onerror=unreadable):
        real_root = Path(root).resolve()
        if real_root in visited_dirs:
            parent = Path(root).parent.resolve()
            if real_root == parent or real_root in parent.parents:
                found.errors.append(IngestError(root, "symbolic link loop; skipped"))
            dirs[:] = []  # else a second link to a folder already read: its files are in once
            continue
        visited_dirs.add(real_root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or name.lower().endswith(SIDECAR_SUFFIX):
                continue
            _check_file(Path(root) / name, found, seen)


def _check_file(file: Path, found: Discovered, seen: set[Path]) -> None:
    if reader_for(file.name) is None:
        found.errors.append(IngestError(file, UNSUPPORTED))
    elif not file.exists():
        found.errors.append(IngestError(file, missing_reason(file)))
    elif not file.is_file():
        found.errors.append(IngestError(file, "not a regular file (a pipe, socket or device?)"))
    else:
        found.add(file, seen)


def missing_reason(path: Path) -> str:
    """Why a path that does not resolve to anything cannot be read."""
    if not path.is_symlink():
        return "no such file or directory"
    try:
        path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"
