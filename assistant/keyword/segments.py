"""What the keyword index keeps on disk: segments of word ids, and the vocabulary that numbers the words.

A segment (``seg-*.npz``) holds the articles added in one batch: per article its id, date, outlet and word
ids (title ``title_weight`` times, then the body), per chunk its article, offsets, number and word ids. Word
ids of all articles (or chunks) stand end to end in one array, cut by an offsets array. A build's
``meta.npz`` has the same columns without the word ids. :class:`SegmentArrays` is that one schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from ..errors import StoreError

ChunkRow = tuple[int, int, int, np.ndarray]  # start, end, chunk number, word ids


@dataclass
class SegmentArrays:
    """The columns of a segment; the four word-id columns are None in a build's metadata."""

    article_ids: np.ndarray  # str
    article_dates: np.ndarray  # int32, 20250306 (0 = unknown)
    article_outlets: np.ndarray  # str ("" = unknown)
    chunk_article: np.ndarray  # int32: the chunk's article, as its position in this segment
    chunk_start: np.ndarray  # int64: offsets of the chunk in its article's text
    chunk_end: np.ndarray  # int64
    chunk_index: np.ndarray  # int32: the chunk's number (the n of chunk id "<article id>:<n>")
    article_tokens: np.ndarray | None = None  # int32 word ids, every article's end to end
    article_offsets: np.ndarray | None = None  # int64, one more than articles: article i is [off[i], off[i+1])
    chunk_tokens: np.ndarray | None = None
    chunk_offsets: np.ndarray | None = None

    def save(self, path: Path) -> None:
        """Write the columns to ``path`` (whole or not at all: written beside it, then renamed)."""
        columns = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        tmp = path.with_name(path.name + f".{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **columns)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> SegmentArrays:
        """Every column of the file, read once (indexing an NpzFile reads the array from the file every time)."""
        with np.load(path, allow_pickle=False) as npz:
            return cls(**{key: npz[key] for key in npz.files})

    def article_words(self, i: int) -> np.ndarray:
        assert self.article_tokens is not None and self.article_offsets is not None
        return self.article_tokens[self.article_offsets[i]:self.article_offsets[i + 1]]

    def chunk_words(self, i: int) -> np.ndarray:
        assert self.chunk_tokens is not None and self.chunk_offsets is not None
        return self.chunk_tokens[self.chunk_offsets[i]:self.chunk_offsets[i + 1]]

    def chunk_rows(self) -> dict[int, list[ChunkRow]]:
        """Each article's chunks (by its position here), in the order they were added."""
        rows: dict[int, list[ChunkRow]] = {}
        for ci, ai in enumerate(self.chunk_article):
            rows.setdefault(int(ai), []).append((int(self.chunk_start[ci]), int(self.chunk_end[ci]),
                                                 int(self.chunk_index[ci]), self.chunk_words(ci)))
        return rows


class SegmentBuilder:
    """Articles and chunks gathered row by row, then turned into :class:`SegmentArrays`."""

    def __init__(self) -> None:
        self.article_ids: list[str] = []
        self.article_dates: list[int] = []
        self.article_outlets: list[str] = []
        self.article_docs: list[np.ndarray] = []  # word ids per article (views into segments when merged)
        self.chunk_article: list[int] = []
        self.chunk_start: list[int] = []
        self.chunk_end: list[int] = []
        self.chunk_index: list[int] = []
        self.chunk_docs: list[np.ndarray] = []

    def add(self, article_id: str, date: int, outlet: str, words: np.ndarray, chunks: Iterable[ChunkRow]) -> None:
        position = len(self.article_ids)
        self.article_ids.append(article_id)
        self.article_dates.append(date)
        self.article_outlets.append(outlet)
        self.article_docs.append(words)
        for start, end, number, chunk_words in chunks:
            self.chunk_article.append(position)
            self.chunk_start.append(start)
            self.chunk_end.append(end)
            self.chunk_index.append(number)
            self.chunk_docs.append(chunk_words)

    def arrays(self, *, words: bool = True) -> SegmentArrays:
        """The rows as columns; without ``words``, a build's metadata."""
        out = SegmentArrays(
            article_ids=np.array(self.article_ids, dtype=str),
            article_dates=np.array(self.article_dates, dtype=np.int32),
            article_outlets=np.array(self.article_outlets, dtype=str),
            chunk_article=np.array(self.chunk_article, dtype=np.int32),
            chunk_start=np.array(self.chunk_start, dtype=np.int64),
            chunk_end=np.array(self.chunk_end, dtype=np.int64),
            chunk_index=np.array(self.chunk_index, dtype=np.int32),
        )
        if words:
            out.article_tokens, out.article_offsets = _end_to_end(self.article_docs)
            out.chunk_tokens, out.chunk_offsets = _end_to_end(self.chunk_docs)
        return out


def merge_live(segments: Sequence[SegmentArrays], deleted: set[str]) -> SegmentBuilder:
    """The articles of ``segments`` less ``deleted``, in segment order, with their chunks; an article added
    twice is taken once (the same id is the same content). Word ids are views into the segments."""
    merged = SegmentBuilder()
    seen: set[str] = set()
    for seg in segments:
        chunks = seg.chunk_rows()
        for ai, raw_id in enumerate(seg.article_ids):
            article_id = str(raw_id)
            if article_id in deleted or article_id in seen:
                continue
            seen.add(article_id)
            merged.add(article_id, int(seg.article_dates[ai]), str(seg.article_outlets[ai]), seg.article_words(ai),
                       chunks.get(ai, []))
    return merged


def _end_to_end(docs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    words = np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, dtype=np.int32)
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=offsets[1:])
    return words, offsets


class Vocabulary:
    """Stemmed word -> id, kept in ``vocab.txt``: one word a line, append-only, the line number is the id
    (line 0 is the empty word). Shared by the article and the chunk matrices, and by every process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ids: dict[str, int] | None = None
        self._next_id = 1

    def forget(self) -> None:
        """Read the file again at the next use (another process may have grown it)."""
        self._ids = None

    def ids(self) -> dict[str, int]:
        if self._ids is None:
            ids: dict[str, int] = {"": 0}
            lines = 1
            if self.path.exists():
                with open(self.path, encoding="utf-8") as fh:
                    for i, line in enumerate(fh):
                        lines = i + 1
                        if i == 0:
                            continue
                        word = line.rstrip("\n")
                        # a line repeated after a crash keeps its first id; the repeat gets a placeholder
                        ids[word if word not in ids else f"\x00{i}"] = i
            self._ids = ids
            self._next_id = lines
        return self._ids

    def lines(self) -> int:
        if not self.path.exists():
            return 0
        with open(self.path, "rb") as fh:
            return sum(1 for _ in fh)

    def encode(self, words: list[str], new_words: list[str]) -> np.ndarray:
        """Ids of ``words``; words seen for the first time get the next ids and are appended to ``new_words``."""
        ids = self.ids()
        out = np.empty(len(words), dtype=np.int32)
        for i, w in enumerate(words):
            wid = ids.get(w)
            if wid is None:
                wid = ids[w] = self._next_id
                self._next_id += 1
                new_words.append(w)
            out[i] = wid
        return out

    def append(self, new_words: list[str], lines_before: int) -> None:
        """Write the words :meth:`encode` numbered, which must follow the ``lines_before`` lines of the file."""
        if not new_words:
            return
        if lines_before + len(new_words) != self._next_id:
            raise StoreError(f"The keyword vocabulary at {self.path} is inconsistent; delete that folder "
                             "and ask again to rebuild it from the store.")
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write("".join(w + "\n" for w in new_words))
            fh.flush()
            os.fsync(fh.fileno())
