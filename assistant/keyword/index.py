"""The keyword index proper: queue articles, commit them into a build, search the build.

Its files live under ``<store_dir>/bm25/<collection>/`` (or ``settings.keyword_dir``): the vocabulary and the
segments (:mod:`.segments`), the builds (:mod:`.bm25`), the manifest and the deletions (:mod:`.folder`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings, default_data_dir
from ..dates import date_int
from ..errors import StoreError
from ..schema import Article, Chunk
from .bm25 import K1, B, Build, ChunkKeywordHit, Facets, KeywordHit, write_build
from .folder import IndexFolder
from .segments import ChunkRow, SegmentArrays, SegmentBuilder, Vocabulary, merge_live
from .tokenize import tokenize

log = logging.getLogger(__name__)

TITLE_WEIGHT = 2  # the title counts as many times in an article's document
MAX_SEGMENTS = 8  # more than this many segments are merged into one at commit
QUEUED_ARTICLES = 500  # queued articles are written as a segment once there are this many


class KeywordIndex:
    """A persistent, incrementally updated BM25 index over articles and their chunks (one per folder and
    process: see :func:`keyword_index`)."""

    def __init__(self, path: Path, k1: float = K1, b: float = B, title_weight: int = TITLE_WEIGHT) -> None:
        self.path = Path(path)
        self.k1 = k1
        self.b = b
        self.title_weight = title_weight
        self.folder = IndexFolder(self.path)
        self.vocab = Vocabulary(self.path / "vocab.txt")
        self._lock = threading.RLock()
        self._pending: list[tuple[Article, list[Chunk]]] = []
        self._pending_deletes: list[str] = []
        self._build: Build | None = None
        self._facets: tuple[tuple[str, int], Facets] | None = None

    # -- writes -------------------------------------------------------------------------------------

    def add(self, article: Article, chunks: Sequence[Chunk]) -> None:
        """Queue an article (and its chunks) for the next ``commit()``."""
        with self._lock:
            self._pending.append((article, list(chunks)))
            if len(self._pending) >= QUEUED_ARTICLES:
                self.flush()

    def delete(self, article_ids: Iterable[str]) -> None:
        """Queue the removal of articles for the next ``commit()``."""
        with self._lock:
            self._pending_deletes.extend(article_ids)

    def flush(self) -> None:
        """Tokenise the queued articles and write them as one segment (new words first); searches see them
        after the next ``commit()``."""
        with self._lock:
            if not self._pending:
                return
            with self.folder.lock():
                self.vocab.forget()  # another process may have grown it
                lines = self.vocab.lines()
                new_words = [] if lines else [""]
                segment = SegmentBuilder()
                for article, chunks in self._pending:
                    words = tokenize(article.title or "") * self.title_weight + tokenize(article.text)
                    ids = self.vocab.encode(words, new_words)
                    rows: list[ChunkRow] = [(c.start, c.end, _chunk_number(c.id),
                                             self.vocab.encode(tokenize(c.text), new_words)) for c in chunks]
                    segment.add(article.id, date_int(article.date), article.outlet or "", ids, rows)
                self.vocab.append(new_words, lines)
                name = f"seg-{uuid.uuid4().hex[:12]}.npz"
                segment.arrays().save(self.path / name)
                manifest = self.folder.manifest()
                manifest["segments"].append(name)
                self.folder.write_manifest(manifest)
                self._pending.clear()

    def commit(self) -> None:
        """Write what is queued, and rebuild the BM25 matrices when the segments or deletions changed."""
        with self._lock:
            self.flush()
            with self.folder.lock():
                if self._pending_deletes:
                    self.folder.add_deleted(self._pending_deletes)
                    self._pending_deletes.clear()
                manifest = self.folder.manifest()
                if not manifest.get("build") or self.folder.behind(manifest):
                    self._rebuild(manifest, self.folder.deleted())

    def _rebuild(self, manifest: dict[str, Any], deleted: set[str]) -> None:
        live = merge_live([SegmentArrays.load(self.path / n) for n in manifest["segments"]], deleted)
        self.vocab.forget()  # re-read: another process may have added words (and segments using them) since
        generation = int(manifest.get("generation", 0)) + 1
        name = f"built-{generation}-{uuid.uuid4().hex[:6]}"
        write_build(self.path / name, live, self.vocab.ids(), self.k1, self.b)
        if len(manifest["segments"]) > MAX_SEGMENTS or deleted:
            # compact: one segment holding the live articles, and no tombstones
            compact = f"seg-{uuid.uuid4().hex[:12]}.npz"
            live.arrays().save(self.path / compact)
            manifest["segments"] = [compact]
            self.folder.clear_deleted()
            deleted = set()
        manifest.update(build=name, build_segments=manifest["segments"], build_deleted=len(deleted),
                        generation=generation)
        self.folder.write_manifest(manifest)
        self.folder.sweep(manifest)
        log.info("keyword index rebuilt: %d articles, %d chunks", len(live.article_ids), len(live.chunk_docs))

    # -- reads --------------------------------------------------------------------------------------

    def queued(self) -> bool:
        """Whether this object holds writes not yet committed (a commit that failed leaves them)."""
        with self._lock:
            return bool(self._pending or self._pending_deletes)

    def behind(self) -> bool:
        """Whether segments or deletions on disk are not in the build yet (a run stopped before its commit,
        or another process is between two); ``commit()`` builds them."""
        return self.folder.behind(self.folder.manifest())

    def _current(self) -> Build | None:
        """The build the manifest names (reloaded when another process rebuilt); None when nothing is built."""
        name = self.folder.manifest().get("build")
        if not name:
            return None
        if self._build is None or self._build.path.name != name:
            for attempt in range(2):
                try:
                    self._build = Build(self.path / name)
                    break
                except (OSError, ValueError) as err:
                    newer = self.folder.manifest().get("build")
                    if attempt == 0 and newer and newer != name:  # replaced while we read it: read the new one
                        name = newer
                        continue
                    raise StoreError(f"Cannot read the keyword index at {self.path} ({err}); delete that folder "
                                     "and ask again to rebuild it from the store.") from err
        return self._build

    def article_ids(self) -> set[str]:
        """Ids of the articles the index holds (built and queued, less deletions)."""
        with self._lock:
            build = self._current()
            ids = set(build.position) if build else set()
            deleted = self.folder.deleted() | set(self._pending_deletes)
            return (ids - deleted) | {a.id for a, _ in self._pending}

    def count(self) -> int:
        return len(self.article_ids())

    def facets(self) -> Facets:
        """Outlet and date of each built article (less deletions), remembered until the build changes."""
        with self._lock:
            build = self._current()
            if build is None:
                return Facets({}, [])
            deleted = self.folder.deleted()
            key = (build.path.name, len(deleted))
            if self._facets is None or self._facets[0] != key:
                self._facets = (key, build.facets(deleted))
            return self._facets[1]

    def _mask(self, build: Build, outlets: Sequence[str] | None) -> np.ndarray:
        """1 for each built article that may be returned, 0 for deleted ones and those of other outlets."""
        mask = np.ones(len(build.article_ids), dtype=np.float32)
        mask[build.positions(self.folder.deleted())] = 0.0
        if outlets:
            wanted = {o.casefold() for o in outlets}
            mask *= np.array([str(o).casefold() in wanted for o in build.meta.article_outlets], dtype=np.float32)
        return mask

    def search_articles(
        self, query: str, k: int, *, outlets: Sequence[str] | None = None,
        date_weights: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> list[KeywordHit]:
        """Up to ``k`` articles by BM25 score over title and body (zero scores left out).

        ``outlets`` restricts the articles searched; ``date_weights`` maps the articles' date ints to
        multipliers of their scores (a date prior).
        """
        with self._lock:
            build = self._current()
            return [] if build is None else build.rank_articles(query, k, self._mask(build, outlets), date_weights)

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many articles hold each of ``words`` (index tokens), and how many articles the build has."""
        with self._lock:
            build = self._current()
            return ({}, 0) if build is None else build.document_frequencies(words)

    def search_chunks(self, query: str, k: int, *, article_ids: Iterable[str] | None = None) -> list[ChunkKeywordHit]:
        """Up to ``k`` chunks by BM25 score; ``article_ids`` restricts the search to those articles."""
        with self._lock:
            build = self._current()
            if build is None:
                return []
            mask = self._mask(build, None)
            if article_ids is not None:
                keep = np.zeros_like(mask)
                keep[build.positions(article_ids)] = 1.0
                mask *= keep
            return build.rank_chunks(query, k, mask)


def _chunk_number(chunk_id: str) -> int:
    tail = chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def keyword_dir(settings: Settings) -> Path:
    """Where the keyword index of these settings lives."""
    if settings.keyword_dir:
        root = Path(settings.keyword_dir).expanduser()
    elif settings.chroma_host:
        root = default_data_dir() / f"bm25-{settings.chroma_host}-{settings.chroma_port}"
    else:
        root = Path(settings.store_dir).expanduser() / "bm25"
    return root / settings.collection


_INDEXES: dict[Path, KeywordIndex] = {}
_INDEXES_LOCK = threading.Lock()


def keyword_index(settings: Settings) -> KeywordIndex:
    """The keyword index of these settings (one object per folder and process: its lock guards the threads)."""
    path = keyword_dir(settings).resolve()
    with _INDEXES_LOCK:
        index = _INDEXES.get(path)
        if index is None:
            index = _INDEXES[path] = KeywordIndex(path)
        return index
