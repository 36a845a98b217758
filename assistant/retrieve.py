"""Question -> ranked chunks, grouped by article so that an answer covers several sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import Settings
from .schema import Article, ChunkHit
from .store import Store


@dataclass
class Retrieved:
    article: Article
    hits: list[ChunkHit]

    @property
    def score(self) -> float:
        return max(h.score for h in self.hits)


def retrieve(store: Store, question_vector: Sequence[float], settings: Settings) -> list[Retrieved]:
    """The articles nearest to the question (best chunk first), each with its matching chunks."""
    hits = store.query(question_vector, settings.top_k_chunks)
    by_article: dict[str, list[ChunkHit]] = {}
    for hit in hits:
        by_article.setdefault(hit.chunk.article_id, []).append(hit)
    ranked = sorted(by_article.items(), key=lambda kv: -max(h.score for h in kv[1]))[: settings.max_sources]
    articles = store.get_articles([article_id for article_id, _ in ranked])
    return [Retrieved(articles[a], h) for a, h in ranked if a in articles]
