"""The keyword index's folder: its lock, its manifest and its list of deleted articles.

``manifest.json`` names the segments (:mod:`.segments`) and the build made from them (:mod:`.bm25`):
``{"version", "segments", "build", "build_segments", "build_deleted", "generation"}``. ``deleted.txt`` holds the
ids of removed articles, one a line, until the next build leaves them out. Writers hold ``.lock``; readers
take the build the manifest names and write nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2  # 2: words normalised by assistant.text.normalize before they are split


class IndexFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._deleted_cache: tuple[float, set[str]] | None = None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Held by every writer, across processes."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def manifest(self) -> dict[str, Any]:
        """The manifest; an empty one when there is none, or one of another format (then rebuilt from the store)."""
        try:
            data = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            data = {}
        if data.get("version") != FORMAT_VERSION:
            return {"version": FORMAT_VERSION, "segments": [], "build": None, "build_deleted": 0, "generation": 0}
        return dict(data)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / f"manifest.json.{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(tmp, self.path / "manifest.json")

    def behind(self, manifest: dict[str, Any]) -> bool:
        """Whether the manifest's segments, or the deletions, are not all in its build yet."""
        if not manifest.get("build"):
            return bool(manifest["segments"])
        return manifest.get("build_segments") != manifest["segments"] \
            or manifest.get("build_deleted") != len(self.deleted())

    def deleted(self) -> set[str]:
        """Ids in ``deleted.txt`` (re-read when the file changes)."""
        path = self.path / "deleted.txt"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return set()
        if self._deleted_cache is None or self._deleted_cache[0] != mtime:
            ids = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
            self._deleted_cache = (mtime, ids)
        return self._deleted_cache[1]

    def add_deleted(self, article_ids: Iterable[str]) -> None:
        with open(self.path / "deleted.txt", "a", encoding="utf-8") as fh:
            fh.write("".join(i + "\n" for i in article_ids))

    def clear_deleted(self) -> None:
        (self.path / "deleted.txt").unlink(missing_ok=True)
        self._deleted_cache = None

    def sweep(self, manifest: dict[str, Any]) -> None:
        """Remove the segments and builds the manifest no longer names (merged ones, or another format's)."""
        for seg in self.path.glob("seg-*.npz"):
            if seg.name not in manifest["segments"]:
                seg.unlink(missing_ok=True)
        for build in self.path.glob("built-*"):
            if build.name != manifest["build"]:
                shutil.rmtree(build, ignore_errors=True)
