"""The retrieval systems ``assistant eval`` puts side by side, over one store, and how their rankings score.

The benchmark front ends (``evaluate``, ``eval_sources``) only run and score these; the systems themselves
need the index (a baseline is a different way of reading the same chunks), so they live here, in the core:
- :class:`Bm25sBaseline`: bm25s alone, its own tokenizer (English stopwords, no stemming), one document per
  whole article (title and body), the question as typed;
- :class:`LangChainBaseline`: plain LangChain ``Chroma.similarity_search`` on the chunk collection, articles in
  the order of their first chunk;
- :func:`run_variant`: this project's ``Retriever.search`` with some of its parts switched off (:func:`ablations`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import AssistantError
from .metrics import answer_in_text, article_metrics

if TYPE_CHECKING:
    from .answer import Assistant
    from .retrieve import Options

SOURCES_SHOWN = 8  # excerpts are shown for this many articles in every system
Ranked = tuple[list[str], bool | None, float]  # article ids best first, answer in excerpts (or None), seconds


class BaselineError(AssistantError):
    """A baseline that cannot run."""


@dataclass
class RetrievalQuestion:
    question: str
    answer: str | None  # for "answer in excerpts"; None: not scored
    as_of: date | None = None


def record_article_ids(corpus: Path, records: Sequence[Any]) -> dict[str, str]:
    """Corpus record id -> the article id ``assistant ingest`` gives that record (content-derived)."""
    from .errors import IngestError
    from .ingest import article_from_record

    out: dict[str, str] = {}
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict) or "id" not in record:
            continue
        try:
            article = article_from_record(corpus, f"{corpus}:{i}", record, {})
        except IngestError:
            continue
        out[str(record["id"])] = article.id
    return out


def article_ids_by_file_name(assistant: Assistant) -> dict[str, str]:
    """File name (``article.md``) -> article id, for every article in the store that came from a file."""
    return {Path(a.path).name: a.id for a, _ in assistant.corpus().list_articles() if a.path}


def embedding_bf16(assistant: Assistant) -> bool:
    """Whether ingest embeds in bfloat16 (reported beside ingest times)."""
    from .embed import LocalEmbeddings

    return isinstance(assistant.ingest_embeddings, LocalEmbeddings) and assistant.ingest_embeddings.bf16


def _question_vector(assistant: Assistant, text: str) -> Any:
    from .embed import encode

    return encode(assistant.embeddings, [text])[0]


def _answer_shown(assistant: Assistant, q: RetrievalQuestion, q_vec: Any, articles: dict[str, Any],
                  hits: Sequence[Any]) -> bool:
    """Whether the excerpts this project would choose from ``hits`` (chunk hits of ``articles``, in the order
    of the ranking) contain the question's answer."""
    from .extract import SentenceVectors, select_excerpts

    by_article: dict[str, list[Any]] = {a: [] for a in articles}
    for hit in hits:
        if hit.chunk.article_id in by_article:
            by_article[hit.chunk.article_id].append(hit)
    grouped = [(articles[a], h) for a, h in by_article.items() if h]
    if assistant._vectors is None:
        assistant._vectors = SentenceVectors(assistant.embeddings)
    s = assistant.settings
    selections = select_excerpts(q.question, q_vec, grouped, assistant._vectors, s.max_excerpts_per_source,
                                 s.min_relevance, dense_budget=s.excerpt_vectors)
    return answer_in_text(q.answer or "", [c.text for sel in selections for c in sel.chosen])


class Bm25sBaseline:
    """bm25s alone over whole articles (title and body), with bm25s' own tokenizer and English stopwords."""

    def __init__(self, assistant: Assistant) -> None:
        import bm25s

        self.assistant = assistant
        corpus = assistant.corpus()
        ids = [a.id for a, _ in corpus.list_articles()]
        articles = corpus.get_articles(ids)
        self.ids = [a for a in ids if a in articles]
        texts = [f"{articles[a].title or ''}\n{articles[a].text}" for a in self.ids]
        self.index = bm25s.BM25()
        self.index.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)

    def ranking(self, question: str, k: int = 10) -> list[str]:
        import bm25s
        import numpy as np

        tokens = bm25s.tokenize([question], stopwords="en", return_ids=False, show_progress=False)[0]
        words = [w for w in dict.fromkeys(tokens) if w in self.index.vocab_dict]
        if not words or not self.ids:
            return []
        scores = np.asarray(self.index.get_scores(words))
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.ids[i] for i in order if scores[i] > 0]

    def run(self, q: RetrievalQuestion) -> Ranked:
        from .retrieve import keyword_chunks, score_chunks

        t = time.perf_counter()
        ranked = self.ranking(q.question)
        found = None
        if q.answer is not None:
            corpus = self.assistant.corpus()
            articles = corpus.get_articles(ranked[:SOURCES_SHOWN])
            chunks = keyword_chunks(corpus, q.question, articles, per_article=3)
            q_vec = _question_vector(self.assistant, q.question)
            found = _answer_shown(self.assistant, q, q_vec, articles, score_chunks(corpus, q_vec, chunks))
        return ranked, found, time.perf_counter() - t


class LangChainBaseline:
    """Plain LangChain ``Chroma.similarity_search`` over the store's chunk collection."""

    def __init__(self, assistant: Assistant) -> None:
        try:
            from langchain_chroma import Chroma
        except ImportError as err:
            raise BaselineError("The LangChain baseline needs langchain-chroma: pip install langchain-chroma "
                                "(it is in the project's dev extra).") from err
        store = assistant.store()
        self.assistant = assistant
        self.db = Chroma(client=store._client, collection_name=f"{assistant.settings.collection}_chunks",
                         embedding_function=assistant.embeddings, create_collection_if_not_exists=False)

    def run(self, q: RetrievalQuestion, k_chunks: int = 50) -> Ranked:
        from .schema import Chunk, ChunkHit

        t = time.perf_counter()
        docs = [(d, 1.0 - dist) for d, dist in self.db.similarity_search_with_score(q.question, k=k_chunks)]
        ranked = list(dict.fromkeys(str(d.metadata["article_id"]) for d, _ in docs))[:10]
        found = None
        if q.answer is not None:
            articles = self.assistant.corpus().get_articles(ranked[:SOURCES_SHOWN])
            hits = [ChunkHit(chunk=Chunk(id=f"{a}:{d.metadata['start']}", article_id=a, text=d.page_content,
                                         start=int(d.metadata["start"]), end=int(d.metadata["end"])),
                             score=float(score))
                    for d, score in docs if (a := str(d.metadata["article_id"])) in articles]
            found = _answer_shown(self.assistant, q, _question_vector(self.assistant, q.question), articles, hits)
        return ranked, found, time.perf_counter() - t


class CachedEmbed:
    """Question vectors computed once per question for the ablation rows (their timings leave it out)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        if text not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[text] = _question_vector(self.assistant, text)
        return self.cache[text]


def run_variant(assistant: Assistant, q: RetrievalQuestion, options: Options | None,
                embed: Callable[[str], Any]) -> Ranked:
    """This project's ranking (``options`` None: as configured), the question vector computed beforehand."""
    embed(q.question)
    t = time.perf_counter()
    retrieval = assistant.retriever().search(q.question, embed, as_of=q.as_of, options=options, k=10)
    return retrieval.ranked_ids[:10], None, time.perf_counter() - t


def variant(assistant: Assistant, options: Options | None,
            embed: Callable[[str], Any]) -> Callable[[RetrievalQuestion], Ranked]:
    """:func:`run_variant` with these options, as a function of the question."""
    return lambda q: run_variant(assistant, q, options, embed)


def ablations() -> list[tuple[str, str, Options]]:
    """(name, what is off, options): this project with one part switched off at a time."""
    from .retrieve import Options

    return [
        ("rrf fusion", "reciprocal-rank fusion (vector list weight rrf_dense_weight) instead of score fusion",
         Options(fusion="rrf")),
        ("-dates", "hybrid without the date prior and date phrases", Options(dates=False)),
        ("-dense", "keyword (BM25) list with the date prior, no vectors", Options(dense=False)),
        ("-keyword", "vector list only, articles grouped (the date prior acts on keyword scores)",
         Options(keyword=False)),
    ]


def retrieval_rows(assistant: Assistant, questions: Sequence[RetrievalQuestion], golds: Sequence[set[str]],
                   with_ablations: bool = False) -> list[dict[str, Any]]:
    """Hits@1/5/10 and MRR@10 of bm25s alone, the LangChain baseline and this project (ranking only, as
    ``Assistant.ask`` ranks), plus its ablations, over ``questions`` with gold article ids ``golds``."""
    bm25 = Bm25sBaseline(assistant)
    chroma = LangChainBaseline(assistant)
    embed = CachedEmbed(assistant)
    systems: list[tuple[str, Callable[[RetrievalQuestion], Ranked]]] = [
        ("bm25", lambda q: bm25.run(RetrievalQuestion(q.question, None))),
        ("langchain-chroma", lambda q: chroma.run(RetrievalQuestion(q.question, None))),
        ("assistant", lambda q: run_variant(assistant, q, None, embed)),
    ]
    if with_ablations:
        systems += [(f"assistant {name}", variant(assistant, options, embed)) for name, _, options in ablations()]
    rows = []
    for name, run in systems:
        ranked = [run(q)[0] for q in questions]
        m = article_metrics(list(zip(ranked, golds)))
        rows.append({"system": name, "questions": m.n, **m.as_dict()})
    return rows


def format_retrieval_rows(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = ["| system | Hits@1 | Hits@5 | MRR@10 |", "|---|---|---|---|"]
    lines += [f"| {r['system']} | {r['hits@1']:.3f} | {r['hits@5']:.3f} | {r['mrr@10']:.3f} |" for r in rows]
    return lines
