"""What follow-up resolution needs of the corpus, and those look-ups answered from the assistant's corpus."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..errors import StoreError

if TYPE_CHECKING:
    from ..corpus import Corpus as CorpusIndex
    from ..schema import Article

KEYWORD_LOOKUPS = 1000  # articles read per keyword look-up: enough to tell a word of one story from a common one


class CorpusLookups(Protocol):
    """The few corpus look-ups follow-up resolution needs (``AssistantLookups`` answers them from the corpus)."""

    def outlets(self) -> list[str]:
        """Every outlet in the store."""
        ...

    def keyword_scores(self, text: str) -> dict[str, float]:
        """BM25 score of each article that matches ``text`` at all (article id -> score > 0)."""
        ...

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        ...


class AssistantLookups:
    """``CorpusLookups`` over the assistant's corpus (reads only; the keyword index is first brought level with
    the store, as the search right after would)."""

    def __init__(self, corpus: CorpusIndex) -> None:
        self.corpus = corpus
        self._synced = False

    def _synced_corpus(self) -> CorpusIndex:
        if not self._synced:
            self.corpus.sync()
            self._synced = True
        return self.corpus

    def outlets(self) -> list[str]:
        try:
            return list(self._synced_corpus().facets().outlets)
        except (OSError, StoreError):  # a damaged keyword index: the search reports it; resolve without outlets
            return []

    def keyword_scores(self, text: str) -> dict[str, float]:
        try:
            return {h.article_id: h.score for h in self._synced_corpus().keyword_search(text, KEYWORD_LOOKUPS)}
        except (OSError, StoreError):
            return {}

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return self.corpus.get_articles(list(ids))
