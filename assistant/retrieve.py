"""Question -> the articles that address it, each with its matching chunks.

Hybrid retrieval over a :class:`~assistant.corpus.Corpus`, in named steps (``Retriever.search``); every
number it uses is a field of :class:`~assistant.weights.RetrievalWeights`:
1. ``parse_query`` finds date phrases ("this week", "on March 6", relative to ``as_of``) and outlet mentions
   ("what did CNN report"); outlets become a filter, date phrases a boost.
2. Keyword ranking (BM25 over whole articles, ``assistant/keyword/``) and dense ranking (Chroma, nearest
   chunks, grouped by article: an article scores its best chunk) each rank *articles*.
   The date prior (``date_factors``) multiplies the keyword scores before ranking: with a reference date,
   articles dated after it (beyond ``future_slack_days``) count ``future_factor``, recent ones up to
   ``recency_weight`` more (halving every ``recency_half_life_days``); articles inside a date the question
   names get ``date_phrase_weight`` more. Applied to one list only, it moves articles without overruling
   relevance.
3. ``fuse`` (``fusion = "score"``): ``BM25(a) / best BM25 + dense_weight (0.2) x cosine of a's best chunk``.
   On RealTimeQA (308 questions, 7,587 articles) the small MiniLM model ranks articles much worse than BM25
   (MRR@10 0.54 against 0.67), and reciprocal-rank fusion, which gives a rank in the weak list as much say
   as a rank in the strong one, pulled the hybrid below BM25 alone (Hits@5 0.799); the vectors are now a
   small additive term that breaks near-ties. ``fusion = "rrf"`` keeps ``sum of w / (rrf_k + rank)``, w = 1
   for the keyword list and ``rrf_dense_weight`` for the vector list.
   Ranking whole articles rather than chunks is what makes an answer cover several distinct sources.
4. Attach chunks: each of the best ``max_sources`` articles takes the chunks that matched either search (up
   to ``keyword_chunks_per_article`` keyword-matched ones, scored by cosine with the question too) to
   excerpt selection.

No cross-encoder re-ranking: no re-ranker whose weights ship inside a PyPI package was found (FlashRank and
the like download their models at run time), and nothing may be fetched from a model hub.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from .config import Settings
from .dates import date_ordinals
from .errors import StoreError
from .query import QueryIntent, describe_filters, parse_query
from .schema import Article, Chunk, ChunkHit
from .weights import RetrievalWeights

if TYPE_CHECKING:
    from .corpus import Corpus, Facets, KeywordHit

log = logging.getLogger(__name__)

DenseRanking = list[tuple[str, list[ChunkHit]]]  # article id and its chunk hits, best article first


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


def group_by_article(hits: Sequence[ChunkHit]) -> DenseRanking:
    """Chunk hits grouped by article, articles ordered by their best chunk (ties: first seen)."""
    by_article: dict[str, list[ChunkHit]] = {}
    for hit in hits:
        by_article.setdefault(hit.chunk.article_id, []).append(hit)
    return sorted(by_article.items(), key=lambda kv: -max(h.score for h in kv[1]))


def date_factors(date_ints: Any, intent: QueryIntent, weights: RetrievalWeights) -> Any:
    """Multipliers of articles' keyword scores from their dates (``date_int`` array; 0 = unknown date).

    With a reference date (``intent.as_of``): ``1 + recency_weight * 0.5 ** (age / half_life)`` for an article
    ``age`` days old; ``future_factor`` for one dated more than ``future_slack_days`` after it. An article inside
    the date the question names (``date_phrase_days_before`` to ``_after``) gets ``1 + date_phrase_weight`` more.
    Unknown dates get 1.
    """
    import numpy as np

    w = weights
    d = np.asarray(date_ints, dtype=np.int64)
    factors = np.ones(len(d), dtype=np.float32)
    ordinals, known = date_ordinals(d)  # 0 (unknown) and impossible dates are not known
    if not known.any():
        return factors
    if intent.as_of is not None:
        age = intent.as_of.toordinal() - ordinals
        boost = 1.0 + w.recency_weight * np.power(0.5, np.clip(age, 0, None) / w.recency_half_life_days)
        boost = np.where(age < -w.future_slack_days, w.future_factor, boost)
        factors = np.where(known, boost, factors).astype(np.float32)
    rng = intent.date_range
    if rng is not None and w.date_phrase_weight:
        lo = (rng.start - timedelta(days=w.date_phrase_days_before)).toordinal()
        hi = (rng.end + timedelta(days=w.date_phrase_days_after)).toordinal()
        inside = known & (ordinals >= lo) & (ordinals <= hi)
        factors = np.where(inside, factors * (1.0 + w.date_phrase_weight), factors).astype(np.float32)
    return factors


def fuse(keyword: Sequence[KeywordHit] | None, dense: DenseRanking | None, fusion: Literal["score", "rrf"],
         weights: RetrievalWeights) -> dict[str, float]:
    """One score per article from the rankings that ran (None: did not run); see the module doc."""
    if fusion == "rrf" or keyword is None or dense is None:
        rankings: list[list[str]] = []
        list_weights: list[float] = []
        if keyword is not None:
            rankings.append([h.article_id for h in keyword])
            list_weights.append(1.0)
        if dense is not None:
            rankings.append([a for a, _ in dense])
            list_weights.append(weights.rrf_dense_weight if keyword is not None else 1.0)
        return rrf(rankings, weights.rrf_k, list_weights)
    # BM25 relative to the best match, plus a little of the best chunk's cosine
    best_kw = max((h.score for h in keyword), default=0.0)
    relative = {h.article_id: h.score / best_kw for h in keyword} if best_kw > 0 else {}
    best_cos = {a: max(h.score for h in hits) for a, hits in dense}
    fused = dict.fromkeys([h.article_id for h in keyword] + [a for a, _ in dense], 0.0)
    for a in fused:
        fused[a] = relative.get(a, 0.0) + weights.dense_weight * max(best_cos.get(a, 0.0), 0.0)
    return fused


def keyword_chunks(corpus: Corpus, text: str, articles: Mapping[str, Article], per_article: int,
                   known: Mapping[str, Collection[str]] | None = None) -> list[Chunk]:
    """Up to ``per_article`` chunks of each of ``articles`` that match ``text`` by keywords, best first, cut
    from the article's text; chunk ids in ``known[article id]`` are left out."""
    known = known or {}
    taken: dict[str, int] = {}
    out: list[Chunk] = []
    for h in corpus.keyword_chunks(text, per_article * len(articles) * 3, list(articles)):
        chunk_text = articles[h.article_id].text[h.start:h.end]
        if taken.get(h.article_id, 0) >= per_article or h.chunk_id in known.get(h.article_id, ()) or not chunk_text:
            continue
        taken[h.article_id] = taken.get(h.article_id, 0) + 1
        out.append(Chunk(id=h.chunk_id, article_id=h.article_id, text=chunk_text, start=h.start, end=h.end))
    return out


def score_chunks(corpus: Corpus, question_vector: Any, chunks: Sequence[Chunk]) -> list[ChunkHit]:
    """The chunks scored by the cosine of their stored vectors with the question (0 for one without)."""
    import numpy as np

    vectors = corpus.chunk_vectors([c.id for c in chunks])
    q = np.asarray(question_vector, dtype=np.float32)
    hits = []
    for chunk in chunks:
        vec = vectors.get(chunk.id)
        score = float(np.dot(np.asarray(vec, dtype=np.float32), q)) if vec is not None else 0.0
        hits.append(ChunkHit(chunk=chunk, score=score))
    return hits


class _Clock:
    """Seconds per named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = time.perf_counter() - t


class Retriever:
    """Hybrid retrieval over one corpus (keep one per process)."""

    def __init__(self, corpus: Corpus, settings: Settings, weights: RetrievalWeights | None = None) -> None:
        self.corpus = corpus
        self.settings = settings
        self.weights = weights or RetrievalWeights.from_settings(settings)

    def parse(self, question: str, as_of: date | None = None, options: Options | None = None,
              outlets: Sequence[str] | None = None) -> QueryIntent:
        """The question's search text, date range and outlets (among ``outlets``, default: the corpus's)."""
        options = options or self._default_options()
        if options.outlets and outlets is None:
            outlets = self.corpus.facets().outlets
        intent = parse_query(question, as_of if options.dates else None, (outlets or ()) if options.outlets else ())
        if not options.dates:
            intent.date_range = None
        return intent

    def search(self, question: str, embed: Callable[[str], Any], *, as_of: date | None = None,
               options: Options | None = None, k: int | None = None) -> Retrieval:
        """The best ``k`` (default ``max_sources``) articles for ``question``, best first.

        ``embed`` turns text into a normalised vector (the question's, for the vector search and the excerpts).
        """
        options = options or self._default_options()
        clock = _Clock()
        notices: list[str] = []
        with clock("sync"):
            facets, options = self._synced_facets(options, notices)
        with clock("parse"):
            intent = self.parse(question, as_of, options, facets.outlets if facets else ())
            known = facets.outlets if facets else []
            outlets = intent.outlets if any(o in known for o in intent.outlets) else []
            if intent.outlets and not outlets:
                notices.append("No ingested article is from " + ", ".join(intent.outlets) + "; searched all outlets.")
        with clock("embed"):
            q_vec = embed(intent.search_text)
        keyword: list[KeywordHit] | None = None
        if options.keyword:
            with clock("keyword"):
                keyword, options = self._keyword_ranking(intent, outlets, options, notices)
        dense = self._dense_ranking(q_vec, outlets, clock) if options.dense else None
        with clock("fuse"):
            fused = fuse(keyword, dense, options.fusion, self.weights)
            ranked = sorted(fused, key=lambda a: (-fused[a], a))
            if facets is not None:
                ranked = [a for a in ranked if a in facets.by_article]  # committed articles only
            articles = self.corpus.get_articles(ranked[:k or self.settings.max_sources])
        with clock("chunks"):
            results = self._attach_chunks(intent.search_text, q_vec, articles, fused, dict(dense or []), options)
        return Retrieval(results=results, intent=intent, question_vector=q_vec, notices=notices,
                         filters=describe_filters(intent.date_range, outlets, intent.as_of),
                         ranked_ids=ranked, timings=clock.seconds)

    # -- steps ----------------------------------------------------------------------------------------

    def _default_options(self) -> Options:
        return Options.for_mode(self.settings.retrieval_mode, self.settings.fusion)

    def _synced_facets(self, options: Options, notices: list[str]) -> tuple[Facets | None, Options]:
        """Bring the corpus's keyword index level with its store (the one write on a question's path, cheap
        when they agree) and read the articles' outlets and dates; None, and no keyword search, when the
        index cannot be used."""
        try:
            self.corpus.sync()
            return self.corpus.facets(), options
        except (OSError, StoreError) as err:  # e.g. a read-only or damaged index folder
            return None, _without_keywords(options, err, notices)

    def _keyword_ranking(self, intent: QueryIntent, outlets: Sequence[str], options: Options,
                         notices: list[str]) -> tuple[list[KeywordHit] | None, Options]:
        """Articles by BM25, times the date prior; (None, options without keywords) when the search fails."""
        prior = (lambda dates: date_factors(dates, intent, self.weights)) if options.dates else None
        try:
            hits = self.corpus.keyword_search(intent.search_text, self.settings.keyword_candidates,
                                              outlets=outlets or None, date_weights=prior)
            return hits, options
        except (OSError, StoreError) as err:
            return None, _without_keywords(options, err, notices)

    def _dense_ranking(self, q_vec: Any, outlets: Sequence[str], clock: _Clock) -> DenseRanking:
        """Articles by their best chunk's cosine with the question."""
        with clock("dense"):
            return group_by_article(self.corpus.dense_search(q_vec, self.settings.dense_candidates, outlets))

    def _attach_chunks(self, text: str, q_vec: Any, articles: dict[str, Article], fused: dict[str, float],
                       dense: dict[str, list[ChunkHit]], options: Options) -> list[Retrieved]:
        """Each article with the chunks that matched: the vector search's, then keyword-matched ones (when
        on), else its opening, for excerpt selection."""
        results = [Retrieved(article, list(dense.get(a, [])), fused[a]) for a, article in articles.items()]
        if options.keyword and options.chunk_keyword_hits and results:
            known = {r.article.id: {h.chunk.id for h in r.hits} for r in results}
            chunks = keyword_chunks(self.corpus, text, articles, self.weights.keyword_chunks_per_article, known)
            by_id = {r.article.id: r for r in results}
            for hit in score_chunks(self.corpus, q_vec, chunks):
                by_id[hit.chunk.article_id].hits.append(hit)
        for r in results:
            if not r.hits:  # e.g. keyword mode without chunk hits: offer the article's opening
                r.hits = [_opening_hit(r.article, self.settings.chunk_chars)]
        return results


def _without_keywords(options: Options, err: Exception, notices: list[str]) -> Options:
    log.warning("keyword search failed: %s", err)
    if options.keyword:
        notices.append(f"Keyword search unavailable ({err}); showing vector search results only.")
    return dataclasses.replace(options, keyword=False, chunk_keyword_hits=False)


def _opening_hit(article: Article, chars: int) -> ChunkHit:
    end = min(len(article.text), chars)
    return ChunkHit(chunk=Chunk(id=f"{article.id}:open", article_id=article.id, text=article.text[:end], start=0,
                                end=end), score=0.0)


__all__ = ["Options", "Retrieval", "Retrieved", "Retriever", "date_factors", "fuse", "group_by_article",
           "keyword_chunks", "rrf", "score_chunks"]
