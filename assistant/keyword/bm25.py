"""BM25 scoring: the matrices of a build, made with numpy and saved, memory-mapped and searched by bm25s."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .segments import SegmentArrays, SegmentBuilder
from .tokenize import tokenize

K1 = 1.2  # bm25s' defaults (Lucene's BM25)
B = 0.75

Level = Literal["articles", "chunks"]


@dataclass
class KeywordHit:
    article_id: str
    score: float


@dataclass
class ChunkKeywordHit:
    chunk_id: str
    article_id: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Facets:
    """Outlet and date of every indexed article, and the outlets by name."""

    by_article: dict[str, tuple[str | None, int]]  # article id -> (outlet, date int; 0 = unknown)
    outlets: list[str]


def bm25_matrix(docs: Sequence[np.ndarray], n_vocab: int, k1: float, b: float,
                batch_tokens: int = 1_000_000) -> dict[str, Any]:
    """bm25s' score matrix (its default Lucene BM25: ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, ``tf / (tf +
    k1 (1 - b + b len / avg len))``) of documents given as arrays of word ids, computed with numpy.

    ``bm25s.BM25.index`` does the same with a Python loop and a ``Counter`` per document, over lists of Python
    ints, which took the rebuild of the RealTimeQA index (7,587 articles and 120,549 chunks, 16 M words in all)
    to 874 MB; this takes it to 370 MB. Whole documents are taken ``batch_tokens`` words at a time.
    """
    n_docs = len(docs)
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
    avg = float(lens.mean()) if n_docs and lens.any() else 1.0  # documents without words: no division by 0
    ends = np.cumsum(lens)  # where each document's words end in the whole corpus
    rows, cols, tfs = [], [], []
    start = 0
    while start < n_docs:  # documents [start, end): whole ones, about batch_tokens words
        before = int(ends[start - 1]) if start else 0
        end = max(start + 1, int(np.searchsorted(ends, before + batch_tokens, side="right")))
        words = np.concatenate(docs[start:end]).astype(np.int64)
        doc = np.repeat(np.arange(start, end, dtype=np.int64), lens[start:end])
        pairs, counts = np.unique(doc * n_vocab + words, return_counts=True)  # (document, word) -> times
        rows.append((pairs // n_vocab).astype(np.int32))
        cols.append((pairs % n_vocab).astype(np.int32))
        tfs.append(counts.astype(np.float32))
        start = end
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
    tf = np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.float32)
    del rows, cols, tfs
    df = np.bincount(col, minlength=n_vocab)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    # in place, in float32: one temporary the size of the matrix at a time
    norm = lens.astype(np.float32)[row]
    norm *= np.float32(k1 * b / avg)
    norm += np.float32(k1 * (1.0 - b))
    norm += tf
    np.divide(tf, norm, out=tf)
    del norm
    tf *= idf[col]  # tf now holds the scores
    order = np.argsort(col, kind="stable")  # by word (column), documents ascending within each
    del col
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return {"data": tf[order], "indices": row[order], "indptr": indptr, "num_docs": n_docs}


def write_build(target: Path, live: SegmentBuilder, vocab: dict[str, int], k1: float, b: float) -> None:
    """A build in the new folder ``target``: the two bm25s indexes over ``live``, and its metadata."""
    import bm25s  # the matrices are made by bm25_matrix, saved (and later searched) by bm25s

    target.mkdir(parents=True)
    for sub, docs in (("article", live.article_docs), ("chunk", live.chunk_docs)):
        if not docs:
            continue
        index = bm25s.BM25(k1=k1, b=b)
        index.scores = bm25_matrix(docs, len(vocab), k1, b)
        index.vocab_dict = dict(vocab)
        index.nonoccurrence_array = None  # only bm25s' variants with a non-occurrence score set it
        index.save(str(target / sub), show_progress=False)
    live.arrays(words=False).save(target / "meta.npz")


class Build:
    """One build, loaded: bm25s indexes (memory-mapped) and each document's metadata."""

    def __init__(self, path: Path) -> None:
        import bm25s

        self.path = path
        self.meta = SegmentArrays.load(path / "meta.npz")
        self.article_ids = self.meta.article_ids
        self.position = {str(a): i for i, a in enumerate(self.article_ids)}
        self.articles = bm25s.BM25.load(str(path / "article"), mmap=True, show_progress=False) \
            if len(self.article_ids) else None
        self.chunks = bm25s.BM25.load(str(path / "chunk"), mmap=True, show_progress=False) \
            if len(self.meta.chunk_article) else None

    def scores(self, level: Level, query: str) -> np.ndarray | None:
        """BM25 score of every article (or chunk) for ``query``: zeros when none of its words is indexed, None
        when there is no index at that level."""
        index, size = (self.articles, len(self.article_ids)) if level == "articles" else (
            self.chunks, len(self.meta.chunk_article))
        if index is None:
            return None
        words = [w for w in tokenize(query) if w in index.vocab_dict]
        return index.get_scores(words) if words else np.zeros(size)

    def rank_articles(self, query: str, k: int, mask: np.ndarray,
                      date_weights: Callable[[np.ndarray], np.ndarray] | None) -> list[KeywordHit]:
        """The ``k`` best articles (positive scores only), each score times its ``mask`` entry (0 or 1) and
        its ``date_weights``."""
        scores = self.scores("articles", query)
        if scores is None:
            return []
        scores = scores * mask
        if date_weights is not None:
            scores = scores * date_weights(self.meta.article_dates)
        return [KeywordHit(str(self.article_ids[i]), float(scores[i])) for i in top(scores, k)]

    def rank_chunks(self, query: str, k: int, article_mask: np.ndarray) -> list[ChunkKeywordHit]:
        """The ``k`` best chunks of the articles whose ``article_mask`` entry is 1."""
        scores = self.scores("chunks", query)
        if scores is None:
            return []
        meta = self.meta
        scores = scores * article_mask[meta.chunk_article]
        hits = []
        for i in top(scores, k):
            article_id = str(self.article_ids[meta.chunk_article[i]])
            hits.append(ChunkKeywordHit(f"{article_id}:{int(meta.chunk_index[i])}", article_id,
                                        int(meta.chunk_start[i]), int(meta.chunk_end[i]), float(scores[i])))
        return hits

    def facets(self, deleted: set[str]) -> Facets:
        meta = self.meta
        by_article = {str(a): (str(o) or None, int(d))
                      for a, o, d in zip(meta.article_ids, meta.article_outlets, meta.article_dates)
                      if str(a) not in deleted}
        return Facets(by_article, sorted({o for o, _ in by_article.values() if o}, key=str.casefold))

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many articles of this build hold each (tokenized) word, and how many articles there are."""
        if self.articles is None:
            return {}, 0
        vocab, indptr = self.articles.vocab_dict, self.articles.scores["indptr"]
        out = {w: int(indptr[vocab[w] + 1] - indptr[vocab[w]]) for w in set(words) if w in vocab}
        return out, len(self.article_ids)

    def positions(self, article_ids: Iterable[str]) -> list[int]:
        """Where the given articles stand in this build (those it does not hold are left out)."""
        return [p for p in (self.position.get(a) for a in article_ids) if p is not None]


def top(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` best positive scores, best first."""
    positive = int(np.count_nonzero(scores > 0))
    k = min(k, positive)
    if k <= 0:
        return []
    idx = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in idx[np.argsort(-scores[idx], kind="stable")]]
