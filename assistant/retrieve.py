"""Question -> the articles that address it, each with its matching chunks.

Hybrid retrieval:
1. ``parse_query`` finds date phrases ("this week", "on March 6", relative to ``as_of``) and outlet mentions
   ("what did CNN report"); outlets become a filter, date phrases a boost.
2. Keyword search (BM25 over whole articles, ``assistant/keyword.py``) and vector search (Chroma, nearest
   chunks, grouped by article: an article scores its best chunk) each rank *articles*.
   The date prior (``date_factors``) multiplies the keyword scores before ranking: with a reference date,
   articles dated after it (beyond ``future_slack_days``) count half, recent ones up to ``recency_weight``
   more (halving every ``recency_half_life_days``); articles inside a date the question names get
   ``date_phrase_weight`` more. Applied to one list only, it moves articles without overruling relevance.
3. Fusion (``fusion = "score"``): ``BM25(a) / best BM25 + dense_weight (0.2) x cosine of a's best chunk``.
   On RealTimeQA (308 questions, 7,587 articles) the small MiniLM model ranks articles much worse than BM25
   (MRR@10 0.54 against 0.67), and reciprocal-rank fusion, which gives a rank in the weak list as much say
   as a rank in the strong one, pulled the hybrid below BM25 alone (Hits@5 0.799); the vectors are now a
   small additive term that breaks near-ties. ``fusion = "rrf"`` keeps ``sum of w / (rrf_k + rank)``, w = 1
   for the keyword list and ``rrf_dense_weight`` for the vector list.
   Ranking whole articles rather than chunks is what makes an answer cover several distinct sources.
4. For each of the best ``max_sources`` articles, its chunks that matched either search (up to 5 keyword
   chunk hits an article, scored by cosine with the question too) go to excerpt selection. (3 keyword chunks
   an article found the answer in the excerpts for 222 of the 308 RealTimeQA dev questions, 5 for 224, 8 no more.)

No cross-encoder re-ranking: no re-ranker whose weights ship inside a PyPI package was found (FlashRank and
the like download their models at run time), and nothing may be fetched from a model hub.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from .config import Settings
from .errors import StoreError
from .query import QueryIntent, parse_query
from .schema import Article, Chunk, ChunkHit
from .store import date_int

if TYPE_CHECKING:
    from .keyword import KeywordIndex
    from .store import Store

log = logging.getLogger(__name__)


@dataclass
class Retrieved:
    article: Article
    hits: list[ChunkHit]
    fused: float = 0.0  # the article's fused (and date-adjusted) score; the order of the results

    @property
    def score(self) -> float:
        """The best chunk's cosine similarity (0 when no chunk was scored)."""
        return max((h.score for h in self.hits), default=0.0)


@dataclass
class Options:
    """Which parts of the retriever run (the ablations of ``assistant eval`` switch them off one by one)."""

    keyword: bool = True
    dense: bool = True
    dates: bool = True  # date phrases and the reference-date prior
    outlets: bool = True
    chunk_keyword_hits: bool = True  # keyword-matched chunks offered to excerpt selection
    fusion: Literal["score", "rrf"] = "score"  # the settings' choice unless an ablation overrides it

    @classmethod
    def for_mode(cls, mode: str, fusion: Literal["score", "rrf"] = "score") -> Options:
        return cls(keyword=mode != "dense", dense=mode != "keyword", fusion=fusion)


@dataclass
class Retrieval:
    """What ``Retriever.search`` found, and how."""

    results: list[Retrieved]
    intent: QueryIntent
    question_vector: Any
    filters: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    ranked_ids: list[str] = field(default_factory=list)  # every fused candidate, best first
    timings: dict[str, float] = field(default_factory=dict)


def rrf(rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: ``sum_i weight_i / (k + rank_i(id))`` over the lists an id appears in."""
    scores: dict[str, float] = {}
    for i, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[i]
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return scores


def group_by_article(hits: Sequence[ChunkHit]) -> list[tuple[str, list[ChunkHit]]]:
    """Chunk hits grouped by article, articles ordered by their best chunk (ties: first seen)."""
    by_article: dict[str, list[ChunkHit]] = {}
    for hit in hits:
        by_article.setdefault(hit.chunk.article_id, []).append(hit)
    return sorted(by_article.items(), key=lambda kv: -max(h.score for h in kv[1]))


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def date_ordinals(date_ints: Any) -> tuple[Any, Any]:
    """``date.toordinal()`` of each date int (20250306), vectorised, and which ints are real dates."""
    import numpy as np

    d = np.asarray(date_ints, dtype=np.int64)
    y, m, day = d // 10000, d // 100 % 100, d % 100
    valid = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (day >= 1) & (day <= 31)
    ordinals = np.zeros(len(d), dtype=np.int64)
    if valid.any():
        months = ((y[valid] - 1970) * 12 + m[valid] - 1).astype("datetime64[M]")
        days = months.astype("datetime64[D]") + (day[valid] - 1).astype("timedelta64[D]")
        in_month = days.astype("datetime64[M]") == months  # 30 February is not a date
        ordinals[valid] = np.where(in_month, days.astype(np.int64) + _EPOCH_ORDINAL, 0)
        valid[valid] = in_month
    return ordinals, valid


def date_factors(date_ints: Any, intent: QueryIntent, settings: Settings) -> Any:
    """Multipliers of articles' keyword scores from their dates (``date_int`` array; 0 = unknown date).

    With a reference date (``intent.as_of``): ``1 + recency_weight * 0.5 ** (age / half_life)`` for an article
    ``age`` days old; 0.5 for one dated more than ``future_slack_days`` after it. An article inside the date the
    question names (one day before to two days after, as news reports an event) gets ``1 + date_phrase_weight``
    more. Unknown dates get 1.
    """
    import numpy as np

    d = np.asarray(date_ints, dtype=np.int64)
    factors = np.ones(len(d), dtype=np.float32)
    ordinals, known = date_ordinals(d)  # 0 (unknown) and impossible dates are not known
    if not known.any():
        return factors
    if intent.as_of is not None:
        age = intent.as_of.toordinal() - ordinals
        boost = 1.0 + settings.recency_weight * np.power(0.5, np.clip(age, 0, None) / settings.recency_half_life_days)
        boost = np.where(age < -settings.future_slack_days, 0.5, boost)
        factors = np.where(known, boost, factors).astype(np.float32)
    rng = intent.date_range
    if rng is not None and settings.date_phrase_weight:
        lo = (rng.start - timedelta(days=1)).toordinal()
        hi = (rng.end + timedelta(days=2)).toordinal()
        inside = known & (ordinals >= lo) & (ordinals <= hi)
        factors = np.where(inside, factors * (1.0 + settings.date_phrase_weight), factors).astype(np.float32)
    return factors


def date_factor(article_date: int, intent: QueryIntent, settings: Settings) -> float:
    """``date_factors`` of one article."""
    return float(date_factors([article_date], intent, settings)[0])


class Retriever:
    """Hybrid retrieval over one store and its keyword index (keep one per process)."""

    def __init__(self, store: Store, settings: Settings, keyword: KeywordIndex | None = None) -> None:
        self.store = store
        self.settings = settings
        self._keyword = keyword
        self._facets: dict[str, tuple[str | None, int]] | None = None
        self._facets_count = -1
        self._outlets: list[str] = []

    # -- parts --------------------------------------------------------------------------------------

    @property
    def keyword(self) -> KeywordIndex:
        if self._keyword is None:
            from .keyword import keyword_index

            self._keyword = keyword_index(self.settings)
        return self._keyword

    def ensure_keyword_index(self) -> None:
        """Bring the keyword index level with the store (cheap when it already is)."""
        kw = self.keyword
        n = self.store.count_articles()
        if not kw.synced or kw.count() != n:
            kw.sync(self.store)

    def facets(self) -> dict[str, tuple[str | None, int]]:
        """article id -> (outlet, date_int), re-read when the number of articles changes."""
        n = self.store.count_articles()
        if self._facets is None or n != self._facets_count:
            rows = self.store.article_facets()
            self._facets = {a: (o, d) for a, o, d in rows}
            self._facets_count = n
            self._outlets = sorted({o for _, o, _ in rows if o}, key=str.casefold)
        return self._facets

    def outlets(self) -> list[str]:
        self.facets()
        return self._outlets

    # -- search -------------------------------------------------------------------------------------

    def parse(self, question: str, as_of: date | None = None, options: Options | None = None) -> QueryIntent:
        options = options or Options.for_mode(self.settings.retrieval_mode, self.settings.fusion)
        intent = parse_query(question, as_of if options.dates else None, self.outlets() if options.outlets else ())
        if not options.dates:
            intent.date_range = None
        return intent

    def search(
        self,
        question: str,
        embed: Callable[[str], Any],
        *,
        as_of: date | None = None,
        options: Options | None = None,
        k: int | None = None,
    ) -> Retrieval:
        """The best ``k`` (default ``max_sources``) articles for ``question``, best first.

        ``embed`` turns text into a normalised vector (the question's, for the vector search and the excerpts).
        """
        s = self.settings
        options = options or Options.for_mode(s.retrieval_mode, s.fusion)
        k = k or s.max_sources
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        intent = self.parse(question, as_of, options)
        notices: list[str] = []
        outlets = intent.outlets
        facets = self.facets()
        if outlets and not any(o in outlets for o, _ in facets.values()):
            outlets = []
        text = intent.search_text
        timings["parse"] = time.perf_counter() - t0

        t = time.perf_counter()
        q_vec = embed(text)
        timings["embed"] = time.perf_counter() - t

        rankings: list[list[str]] = []
        weights: list[float] = []
        dense_hits: dict[str, list[ChunkHit]] = {}
        kw_scores: dict[str, float] = {}
        if options.keyword:
            t = time.perf_counter()
            prior = (lambda dates: date_factors(dates, intent, s)) if options.dates else None
            try:
                self.ensure_keyword_index()
                kw = self.keyword.search_articles(text, s.keyword_candidates, outlets=outlets or None,
                                                  date_weights=prior)
                rankings.append([h.article_id for h in kw])
                weights.append(1.0)
                top_kw = max((h.score for h in kw), default=0.0)
                kw_scores = {h.article_id: h.score / top_kw for h in kw} if top_kw > 0 else {}
            except (OSError, StoreError) as err:  # e.g. a read-only or damaged index folder
                log.warning("keyword search failed: %s", err)
                notices.append(f"Keyword search unavailable ({err}); showing vector search results only.")
                options = dataclasses.replace(options, keyword=False, chunk_keyword_hits=False)
            timings["keyword"] = time.perf_counter() - t
        if options.dense:
            t = time.perf_counter()
            where = {"outlet": {"$in": outlets}} if outlets else None
            hits = self.store.query(q_vec, s.dense_candidates, where=where)
            grouped = group_by_article(hits)
            dense_hits = dict(grouped)
            rankings.append([a for a, _ in grouped])
            weights.append(s.rrf_dense_weight if options.keyword else 1.0)
            timings["dense"] = time.perf_counter() - t

        t = time.perf_counter()
        if options.fusion == "rrf" or not (options.keyword and options.dense):
            adjusted = rrf(rankings, s.rrf_k, weights)
        else:  # BM25 relative to the best match, plus a little of the best chunk's cosine
            adjusted = dict.fromkeys([a for ranking in rankings for a in ranking], 0.0)
            for a in adjusted:
                best_cos = max((h.score for h in dense_hits.get(a, [])), default=0.0)
                adjusted[a] = kw_scores.get(a, 0.0) + s.dense_weight * max(best_cos, 0.0)
        ranked = sorted(adjusted, key=lambda a: (-adjusted[a], a))
        ranked = [a for a in ranked if a in facets]  # committed articles only
        top = ranked[:k]
        articles = self.store.get_articles(top)
        top = [a for a in top if a in articles]
        timings["fuse"] = time.perf_counter() - t

        t = time.perf_counter()
        results = [Retrieved(articles[a], list(dense_hits.get(a, [])), adjusted[a]) for a in top]
        if options.keyword and options.chunk_keyword_hits and results:
            self._add_keyword_chunks(text, q_vec, results)
        for r in results:
            if not r.hits:  # e.g. keyword mode without chunk hits: offer the article's opening
                r.hits = [_opening_hit(r.article, s.chunk_chars)]
        timings["chunks"] = time.perf_counter() - t

        filters = []
        if intent.date_range is not None:
            filters.append(f"date: {intent.date_range.describe()} (ranked first)")
        if intent.outlets:
            if outlets:
                filters.append("outlet: " + ", ".join(outlets))
            else:
                notices.append("No ingested article is from " + ", ".join(intent.outlets) + "; searched all outlets.")
        if intent.as_of is not None:
            filters.append(f"as of {intent.as_of.isoformat()}: later articles ranked down, recent ones up")
        return Retrieval(results=results, intent=intent, question_vector=q_vec, filters=filters, notices=notices,
                         ranked_ids=ranked, timings=timings)

    def _add_keyword_chunks(self, text: str, q_vec: Any, results: list[Retrieved], per_article: int = 5) -> None:
        import numpy as np

        by_id = {r.article.id: r for r in results}
        hits = self.keyword.search_chunks(text, per_article * len(results) * 3, article_ids=list(by_id))
        taken: dict[str, int] = {}
        new: list[tuple[Retrieved, Chunk]] = []
        for h in hits:
            r = by_id[h.article_id]
            if taken.get(h.article_id, 0) >= per_article or any(x.chunk.id == h.chunk_id for x in r.hits):
                continue
            if r.article.text[h.start:h.end] == "":
                continue
            taken[h.article_id] = taken.get(h.article_id, 0) + 1
            new.append((r, Chunk(id=h.chunk_id, article_id=h.article_id, text=r.article.text[h.start:h.end],
                                 start=h.start, end=h.end)))
        if not new:
            return
        vectors = self.store.chunk_vectors([c.id for _, c in new])
        q = np.asarray(q_vec, dtype=np.float32)
        for r, chunk in new:
            vec = vectors.get(chunk.id)
            score = float(np.dot(np.asarray(vec, dtype=np.float32), q)) if vec is not None else 0.0
            r.hits.append(ChunkHit(chunk=chunk, score=score))


def _opening_hit(article: Article, chars: int) -> ChunkHit:
    end = min(len(article.text), chars)
    return ChunkHit(chunk=Chunk(id=f"{article.id}:open", article_id=article.id, text=article.text[:end], start=0,
                                end=end), score=0.0)


def retrieve(store: Store, question_vector: Sequence[float], settings: Settings) -> list[Retrieved]:
    """Vector search only: the articles nearest to the question (best chunk first), each with its chunks."""
    hits = store.query(question_vector, settings.top_k_chunks)
    ranked = group_by_article(hits)[: settings.max_sources]
    articles = store.get_articles([article_id for article_id, _ in ranked])
    return [Retrieved(articles[a], h, max(x.score for x in h)) for a, h in ranked if a in articles]


__all__ = ["Options", "Retrieval", "Retrieved", "Retriever", "date_factor", "date_factors", "date_int",
           "group_by_article", "retrieve", "rrf"]
