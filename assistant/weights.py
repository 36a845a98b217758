"""The numbers that order an answer's sources, as one object: what a tuning run varies and an ablation names.

Each field that a setting sets takes that setting's value (``RetrievalWeights.from_settings``); the others are
constants of the method, kept here so that every number the ranking uses is in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings


@dataclass(frozen=True)
class RetrievalWeights:
    """Weights of the hybrid ranking (``assistant/retrieve.py``)."""

    # fusion of the keyword and vector rankings
    dense_weight: float  # score fusion: BM25 / best BM25 + dense_weight x the article's best chunk cosine
    rrf_k: int  # reciprocal-rank fusion: sum of w / (rrf_k + rank)
    rrf_dense_weight: float  # ... with w = 1 for the keyword list and this for the vector list
    # the date prior on keyword scores, with a reference date (--as-of, or a question's date)
    recency_weight: float  # a same-day article's score x (1 + this), halving every recency_half_life_days
    recency_half_life_days: float
    future_slack_days: int  # articles dated more than this many days after the reference date ...
    date_phrase_weight: float  # an article inside the date a question names: x (1 + this)
    future_factor: float = 0.5  # ... get their score x this
    date_phrase_days_before: int = 1  # "inside" a named date: from a day before it
    date_phrase_days_after: int = 2  # to two days after it (news reports an event a day or two later)
    # chunks offered to excerpt selection
    # keyword-matched chunks per article: with 3, the answer was in the excerpts for 222 of the 308
    # RealTimeQA dev questions; with 5, for 224; with 8, no more
    keyword_chunks_per_article: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrievalWeights:
        return cls(dense_weight=settings.dense_weight, rrf_k=settings.rrf_k, rrf_dense_weight=settings.rrf_dense_weight,
                   recency_weight=settings.recency_weight, recency_half_life_days=settings.recency_half_life_days,
                   future_slack_days=settings.future_slack_days, date_phrase_weight=settings.date_phrase_weight)
