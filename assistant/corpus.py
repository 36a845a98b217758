"""The ingested articles as one searchable corpus: the Chroma store and the keyword index, kept in agreement.

Chroma holds the truth (texts, chunks, vectors; an article's record is its commit marker, see
``assistant/store.py``). The keyword index (``assistant/keyword/``) is derived from it. Every writer and
reader goes through :class:`Corpus`, which owns the one invariant between them: the keyword index holds
exactly the store's committed articles.

- Writes go to the store first, then to the keyword index. A keyword write that fails never fails the
  store's (nothing stored is lost): it is logged, and :meth:`Corpus.sync` repairs the index.
- :meth:`Corpus.sync` is the one place that compares and repairs: it builds segments a stopped run left,
  then adds what the index lacks and drops what the store no longer has. Cheap (two counts) when they agree;
  the retriever calls it once per question, so a store written by another process, a crash, or a deleted
  index folder is caught up with before the search.
- Reads (searches, facets, counts) never write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .errors import StoreError
from .keyword import ChunkKeywordHit, Facets, KeywordHit, KeywordIndex, keyword_index
from .schema import Article, Chunk, ChunkHit

if TYPE_CHECKING:
    import numpy as np

    from .store import Store

__all__ = ["ChunkKeywordHit", "Corpus", "Facets", "KeywordHit"]

log = logging.getLogger(__name__)

Item = tuple[Article, list[Chunk], Sequence[Sequence[float]]]  # an article, its chunks, their vectors


class Corpus:
    """The store and its keyword index (keep one per store and process)."""

    def __init__(self, store: Store, keyword: KeywordIndex | None = None) -> None:
        self.store = store
        self.settings = store.settings
        self.keyword = keyword or keyword_index(store.settings)
        self._sync_lock = threading.Lock()  # questions in several threads (the Slack bot) sync one at a time
        self._synced = False  # compared id by id once in this process; after that, counts tell
        self._keyword_failed = False  # a keyword write failed: skip the rest until commit() or sync()

    @property
    def location(self) -> str:
        return self.store.location

    # -- reads ------------------------------------------------------------------------------------------

    def count_articles(self) -> int:
        return self.store.count_articles()

    def count_chunks(self) -> int:
        return self.store.count_chunks()

    def facets(self) -> Facets:
        """Outlet and date of every article, from the keyword index (no scan of the store)."""
        return self.keyword.facets()

    def keyword_search(self, text: str, k: int, *, outlets: Sequence[str] | None = None,
                       date_weights: Callable[[np.ndarray], np.ndarray] | None = None) -> list[KeywordHit]:
        """Up to ``k`` articles by BM25 over title and body; ``date_weights`` multiplies their scores."""
        return self.keyword.search_articles(text, k, outlets=outlets, date_weights=date_weights)

    def keyword_chunks(self, text: str, k: int, article_ids: Iterable[str]) -> list[ChunkKeywordHit]:
        """Up to ``k`` chunks of the given articles by BM25."""
        return self.keyword.search_chunks(text, k, article_ids=article_ids)

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """How many articles hold each of ``words`` (keyword-index tokens), and how many articles there are."""
        return self.keyword.document_frequencies(words)

    def dense_search(self, vector: Sequence[float], k: int, outlets: Sequence[str] = ()) -> list[ChunkHit]:
        """The ``k`` chunks nearest to ``vector`` (cosine as score), of committed articles of ``outlets`` (any
        outlet when empty)."""
        where: dict[str, Any] | None = {"outlet": {"$in": list(outlets)}} if outlets else None
        return self.store.query(vector, k, where=where)

    def get_articles(self, ids: Iterable[str]) -> dict[str, Article]:
        return self.store.get_articles(ids)

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        return self.store.chunk_vectors(chunk_ids)

    def list_articles(self) -> list[tuple[Article, int]]:
        """Every article (without text) with its chunk count, newest first."""
        return self.store.list_articles()

    def ids_for_key(self, doc_key: str) -> list[str]:
        """Ids of the articles that came from one source (a file, or a record of a file)."""
        return self.store.ids_for_key(doc_key)

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        return self.store.existing_ids(ids)

    # -- writes -----------------------------------------------------------------------------------------

    def add(self, items: Sequence[Item], replacing: Iterable[str] = ()) -> None:
        """Store the articles (all chunks, then all records), then delete the versions they replace: a crash
        in between leaves both, which the next ingest cleans up, never neither."""
        self.store.put_articles(items)

        def index() -> None:
            for article, chunks, _ in items:
                self.keyword.add(article, chunks)

        self._keyword_write("add", index)
        self.delete(replacing)

    def delete(self, article_ids: Iterable[str]) -> None:
        ids = list(article_ids)
        for article_id in ids:
            self.store.delete_article(article_id)
        if ids:
            self._keyword_write("delete", lambda: self.keyword.delete(ids))

    def commit(self) -> None:
        """Make the writes so far searchable by keyword (the store's are already)."""
        if not self._keyword_failed:
            self._keyword_write("commit", self.keyword.commit)
        self._keyword_failed = False

    def _keyword_write(self, what: str, write: Callable[[], Any]) -> None:
        if self._keyword_failed:
            return
        try:
            write()
        except (OSError, ValueError, StoreError) as err:  # e.g. a read-only or full disk under the index folder
            log.warning("keyword index %s failed (%s); it will be repaired from the store", what, err)
            self._keyword_failed = True
            self._synced = False

    # -- agreement --------------------------------------------------------------------------------------

    def sync(self, batch: int = 200) -> tuple[int, int]:
        """Make the keyword index hold exactly the store's committed articles; returns (added, removed)."""
        with self._sync_lock:
            return self._sync(batch)

    def _sync(self, batch: int) -> tuple[int, int]:
        kw = self.keyword
        if kw.queued() or kw.behind():
            # writes a failed commit left queued here, segments of a run that stopped before its commit, or
            # of another process between two commits
            kw.commit()
        if self._synced and kw.count() == self.store.count_articles():
            return 0, 0
        have = kw.article_ids()
        want = set(self.store.all_article_ids())
        missing, extra = sorted(want - have), sorted(have - want)
        if extra:
            kw.delete(extra)
        for i in range(0, len(missing), batch):
            self._reindex(missing[i:i + batch])
        if missing or extra:
            log.info("keyword index synced with the store: %d added, %d removed", len(missing), len(extra))
            kw.commit()
        self._synced = True
        self._keyword_failed = False
        return len(missing), len(extra)

    def _reindex(self, article_ids: list[str]) -> None:
        """Add stored articles to the keyword index, chunked as the store has them."""
        articles = self.store.get_articles(article_ids, cache=False)
        spans = self.store.chunk_spans(article_ids)
        for article_id in article_ids:
            article = articles.get(article_id)
            if article is None:
                continue
            chunks = [Chunk(id=cid, article_id=article_id, text=article.text[s:e], start=s, end=e)
                      for cid, s, e in spans.get(article_id, [])]
            self.keyword.add(article, chunks)
