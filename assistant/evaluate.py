"""``assistant eval CORPUS QUESTIONS``: retrieval and extractive-answer benchmark, baselines side by side.

In one run, over the same store (same chunks, same embedding model):
- (a) ``bm25``: bm25s alone, whole articles (title + body), the question as typed;
- (b) ``langchain-chroma``: plain LangChain ``Chroma.similarity_search`` on the chunk collection, articles in
  the order of their first chunk;
- (c) ``assistant``: this project's ``Assistant.ask`` (hybrid retrieval, dates, outlets, excerpts), with the
  question's date as ``as_of``;
- ablation rows: (c) with one retrieval part switched off at a time (ranking only).

Metrics (``assistant/metrics.py``): article-level Hits@1/5/10 and MRR@10 against ``gold_article_ids``;
"answer in shown excerpts" (the share of questions whose shown quotes contain the answer string; for the
baselines, the same excerpt selection run on their top articles); p50/p95 seconds per question.

Questions file: JSON lines with ``question``, ``answer``, ``gold_article_ids`` (the corpus records' ``id``),
optional ``question_date`` (YYYY-MM-DD) and ``id``. The corpus is any file ``assistant ingest`` reads whose
records carry an ``id``.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import AssistantError
from .metrics import answer_in_text, article_metrics, percentile

if TYPE_CHECKING:
    from .answer import Assistant
    from .retrieve import Options

log = logging.getLogger(__name__)

SOURCES_SHOWN = 8  # excerpts are shown for this many articles in every system
RECENT_DAYS = 30  # the "recent gold" breakdown: a gold article dated in the 30 days up to the question date


class EvalError(AssistantError):
    """A benchmark input that cannot be used."""


@dataclass
class EvalQuestion:
    id: str
    question: str
    answer: str
    gold: list[str]  # corpus record ids
    as_of: date | None = None


@dataclass
class SystemRun:
    name: str
    description: str
    ranked: list[list[str]] = field(default_factory=list)  # article ids, best first, per question
    answer_found: list[bool] | None = None
    seconds: list[float] = field(default_factory=list)

    def summary(self, golds: Sequence[set[str]], only: Sequence[int] | None = None) -> dict[str, Any]:
        """Metrics over all questions, or over the questions at the indexes ``only``."""
        keep = range(len(golds)) if only is None else only
        m = article_metrics([(self.ranked[i], golds[i]) for i in keep])
        out: dict[str, Any] = {"system": self.name, "description": self.description, "questions": m.n}
        out.update(m.as_dict())
        found = [self.answer_found[i] for i in keep] if self.answer_found else []
        out["answer_in_excerpts"] = round(sum(found) / len(found), 4) if found else None
        seconds = [self.seconds[i] for i in keep]
        out["p50_s"] = round(percentile(seconds, 50), 3)
        out["p95_s"] = round(percentile(seconds, 95), 3)
        return out


# --------------------------------------------------------------------------------------------------
# inputs


def load_questions(path: Path) -> list[EvalQuestion]:
    """Benchmark questions from a JSON-lines file (see the module doc)."""
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise EvalError(f"Cannot read the questions file {path} ({err.strerror}).") from err
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            qd = rec.get("question_date")
            out.append(EvalQuestion(
                id=str(rec.get("id", lineno)), question=str(rec["question"]), answer=str(rec["answer"]),
                gold=[str(g) for g in rec["gold_article_ids"]], as_of=date.fromisoformat(qd[:10]) if qd else None,
            ))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise EvalError(f"{path}:{lineno}: not a benchmark question ({err}); each line needs question, answer "
                            "and gold_article_ids") from err
    if not out:
        raise EvalError(f"{path} holds no questions.")
    return out


def _records(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            if ".jsonl" in path.name:
                return [json.loads(line) for line in fh if line.strip()]
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as err:
        raise EvalError(f"Cannot read the corpus {path} ({err}).") from err
    if isinstance(data, dict):
        data = data.get("articles", [data])
    return list(data)


def corpus_article_ids(corpus: Path) -> dict[str, str]:
    """Corpus record id -> the article id ``assistant ingest`` gives that record (content-derived)."""
    from .errors import IngestError
    from .ingest import article_from_record

    out: dict[str, str] = {}
    for i, record in enumerate(_records(corpus), start=1):
        if not isinstance(record, dict) or "id" not in record:
            continue
        try:
            article = article_from_record(corpus, f"{corpus}:{i}", record, {})
        except IngestError:
            continue
        out[str(record["id"])] = article.id
    if not out:
        raise EvalError(f"No record of {corpus} has an 'id'; the benchmark needs ids to match gold articles.")
    return out


def ingest_corpus(assistant: Assistant, corpus: Path, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Ingest (or top up) the corpus; returns seconds, chunks written and peak memory."""
    import resource

    from .embed import LocalEmbeddings

    bf16 = isinstance(assistant.ingest_embeddings, LocalEmbeddings) and assistant.ingest_embeddings.bf16
    t = time.perf_counter()
    report = assistant.ingest([corpus])
    seconds = time.perf_counter() - t
    info = {"seconds": round(seconds, 1), "summary": report.summary(), "chunks_written": report.chunks,
            "bf16": bf16, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if progress:
        progress(f"ingest: {report.summary()} in {seconds:.0f} s")
    return info


# --------------------------------------------------------------------------------------------------
# systems


def _excerpt_texts(assistant: Assistant, question: str, q_vec: Any, grouped: list[tuple[Any, list[Any]]]) -> list[str]:
    from .extract import SentenceVectors, select_excerpts

    if assistant._vectors is None:
        assistant._vectors = SentenceVectors(assistant.embeddings)
    s = assistant.settings
    selections = select_excerpts(question, q_vec, grouped, assistant._vectors, s.max_excerpts_per_source,
                                 s.min_relevance, dense_budget=s.excerpt_vectors)
    return [c.text for sel in selections for c in sel.chosen]


def run_bm25(assistant: Assistant, q: EvalQuestion, with_excerpts: bool) -> tuple[list[str], bool | None, float]:
    from .embed import encode
    from .retrieve import keyword_chunks, score_chunks

    t = time.perf_counter()
    corpus = assistant.corpus()
    ranked = [h.article_id for h in corpus.keyword_search(q.question, 10)]
    found = None
    if with_excerpts:
        articles = corpus.get_articles(ranked[:SOURCES_SHOWN])
        chunks = keyword_chunks(corpus, q.question, articles, per_article=3)
        q_vec = encode(assistant.embeddings, [q.question])[0]
        found = _answer_shown(assistant, q, q_vec, articles, score_chunks(corpus, q_vec, chunks))
    return ranked, found, time.perf_counter() - t


def _answer_shown(assistant: Assistant, q: EvalQuestion, q_vec: Any, articles: dict[str, Any],
                  hits: Sequence[Any]) -> bool:
    """Whether the excerpts this project would choose from ``hits`` (chunk hits of ``articles``, in the order
    of the ranking) contain the question's answer."""
    by_article: dict[str, list[Any]] = {a: [] for a in articles}
    for hit in hits:
        if hit.chunk.article_id in by_article:
            by_article[hit.chunk.article_id].append(hit)
    grouped = [(articles[a], h) for a, h in by_article.items() if h]
    return answer_in_text(q.answer, _excerpt_texts(assistant, q.question, q_vec, grouped))


class LangChainBaseline:
    """Plain LangChain ``Chroma.similarity_search`` over the store's chunk collection."""

    def __init__(self, assistant: Assistant) -> None:
        try:
            from langchain_chroma import Chroma
        except ImportError as err:
            raise EvalError("The LangChain baseline needs langchain-chroma: pip install langchain-chroma "
                            "(it is in the project's dev extra).") from err
        store = assistant.store()
        self.assistant = assistant
        self.db = Chroma(client=store._client, collection_name=f"{assistant.settings.collection}_chunks",
                         embedding_function=assistant.embeddings, create_collection_if_not_exists=False)

    def run(self, q: EvalQuestion, with_excerpts: bool, k_chunks: int = 50) -> tuple[list[str], bool | None, float]:
        from .embed import encode
        from .schema import Chunk, ChunkHit

        t = time.perf_counter()
        docs = [(d, 1.0 - dist) for d, dist in self.db.similarity_search_with_score(q.question, k=k_chunks)]
        ranked = list(dict.fromkeys(str(d.metadata["article_id"]) for d, _ in docs))[:10]
        found = None
        if with_excerpts:
            articles = self.assistant.corpus().get_articles(ranked[:SOURCES_SHOWN])
            hits = [ChunkHit(chunk=Chunk(id=f"{a}:{d.metadata['start']}", article_id=a, text=d.page_content,
                                         start=int(d.metadata["start"]), end=int(d.metadata["end"])),
                             score=float(score))
                    for d, score in docs if (a := str(d.metadata["article_id"])) in articles]
            q_vec = encode(self.assistant.embeddings, [q.question])[0]
            found = _answer_shown(self.assistant, q, q_vec, articles, hits)
        return ranked, found, time.perf_counter() - t


def run_assistant(assistant: Assistant, q: EvalQuestion) -> tuple[list[str], bool, float]:
    t = time.perf_counter()
    answer = assistant.ask(q.question, as_of=q.as_of)
    seconds = time.perf_counter() - t
    retrieval = assistant.last_retrieval
    ranked = retrieval.ranked_ids[:10] if retrieval is not None else [s.id for s in answer.sources]
    found = answer_in_text(q.answer, [e.quote for e in answer.excerpts])
    return ranked, found, seconds


class _CachedEmbed:
    """Question vectors computed once per question for the ablation rows (their timings leave it out)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        from .embed import encode

        if text not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[text] = encode(self.assistant.embeddings, [text])[0]
        return self.cache[text]


def run_variant(assistant: Assistant, q: EvalQuestion, options: Options,
                embed: Callable[[str], Any] | None = None) -> tuple[list[str], None, float]:
    embed = embed or _CachedEmbed(assistant)
    embed(q.question)  # computed before the clock starts
    t = time.perf_counter()
    retrieval = assistant.retriever().search(q.question, embed, as_of=q.as_of, options=options, k=10)
    return retrieval.ranked_ids[:10], None, time.perf_counter() - t


def ablations() -> list[tuple[str, str, Options]]:
    """(name, what is off, options): (c) with one part switched off at a time."""
    from .retrieve import Options

    return [
        ("rrf fusion", "reciprocal-rank fusion (vector list weight rrf_dense_weight) instead of score fusion",
         Options(fusion="rrf")),
        ("-dates", "hybrid without the date prior and date phrases", Options(dates=False)),
        ("-dense", "keyword (BM25) list with the date prior, no vectors", Options(dense=False)),
        ("-keyword", "vector list only, articles grouped (the date prior acts on keyword scores)",
         Options(keyword=False)),
    ]


# --------------------------------------------------------------------------------------------------
# the run


def run_eval(
    corpus: Path,
    questions_path: Path,
    settings: Settings,
    *,
    limit: int | None = None,
    ingest: bool = True,
    with_ablations: bool = True,
    assistant: Assistant | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every system on the questions; returns the report (``format_table`` prints it)."""
    from .answer import Assistant

    say = progress or (lambda _msg: None)
    questions = load_questions(questions_path)
    if limit:
        questions = questions[:limit]
    id_map = corpus_article_ids(corpus)
    assistant = assistant or Assistant(settings, use_llm=False)
    ingest_info = None
    if ingest:
        ingest_info = ingest_corpus(assistant, corpus, say)
    store = assistant.store()
    in_store = set(store.all_article_ids())
    if not in_store:
        raise EvalError(f"The store at {store.location} is empty; run without --no-ingest.")
    usable: list[EvalQuestion] = []
    golds: list[set[str]] = []
    skipped = 0
    for q in questions:
        gold = {id_map[g] for g in q.gold if g in id_map and id_map[g] in in_store}
        if not gold:
            skipped += 1
            continue
        usable.append(q)
        golds.append(gold)
    if not usable:
        raise EvalError("None of the questions has a gold article in the store; ingest the corpus first.")
    if skipped:
        say(f"{skipped} question(s) skipped: none of their gold articles is in the store")

    systems = [
        SystemRun("bm25", "(a) bm25s alone: whole articles, question as typed"),
        SystemRun("langchain-chroma", "(b) LangChain Chroma.similarity_search, same chunks and model"),
        SystemRun("assistant", "(c) this project: hybrid + dates + outlets, Assistant.ask"),
    ]
    variants = ablations() if with_ablations else []
    variant_runs = [SystemRun(f"assistant {name}", what) for name, what, _ in variants]
    for run in systems:
        run.answer_found = []
    baseline = LangChainBaseline(assistant)
    embed = _CachedEmbed(assistant)
    assistant.ask(usable[0].question, as_of=usable[0].as_of)  # warm the models and caches up
    t_all = time.perf_counter()
    for i, q in enumerate(usable, start=1):
        for run, fn in ((systems[0], lambda q=q: run_bm25(assistant, q, True)),
                        (systems[1], lambda q=q: baseline.run(q, True)),
                        (systems[2], lambda q=q: run_assistant(assistant, q))):
            ranked, found, seconds = fn()
            run.ranked.append(ranked)
            if run.answer_found is not None and found is not None:
                run.answer_found.append(found)
            run.seconds.append(seconds)
        for run, (_, _, options) in zip(variant_runs, variants):
            ranked, _, seconds = run_variant(assistant, q, options, embed)
            run.ranked.append(ranked)
            run.seconds.append(seconds)
        if i % 25 == 0 or i == len(usable):
            say(f"{i}/{len(usable)} questions ({time.perf_counter() - t_all:.0f} s)")
    for run in variant_runs:
        run.answer_found = None
    rows = [run.summary(golds) for run in systems + variant_runs]
    recent = recent_gold(usable, golds, assistant.corpus().facets().by_article)
    return {
        "corpus": str(corpus), "questions_file": str(questions_path), "questions": len(usable),
        "skipped_no_gold_in_store": skipped, "articles_in_store": len(in_store),
        "chunks_in_store": store.count_chunks(),
        "store": store.location, "ingest": ingest_info, "seconds_total": round(time.perf_counter() - t_all, 1),
        "settings": {k: getattr(settings, k) for k in (
            "retrieval_mode", "fusion", "dense_weight", "keyword_candidates", "dense_candidates", "rrf_k",
            "recency_half_life_days", "recency_weight", "date_phrase_weight", "future_slack_days", "chunk_chars",
            "chunk_overlap_chars", "max_sources", "max_excerpts_per_source")},
        "rows": rows,
        "recent_gold": {
            "days": RECENT_DAYS, "questions": len(recent),
            "rows": [run.summary(golds, recent) for run in systems + variant_runs] if recent else [],
        },
    }


def recent_gold(questions: Sequence[EvalQuestion], golds: Sequence[set[str]],
                facets: dict[str, tuple[str | None, int]], days: int = RECENT_DAYS) -> list[int]:
    """Indexes of the questions with a gold article dated from ``days`` before their date to 2 days after.

    RealTimeQA counts as gold any search result that contains the answer string, so a question about this
    week's news may have only a years-old roundup as gold; the questions with a recent gold article are
    the ones a "this week" question can fairly be scored on, and are reported apart.
    """
    from .dates import date_ordinals

    out = []
    for i, (q, gold) in enumerate(zip(questions, golds)):
        if q.as_of is None:
            continue
        ordinals, known = date_ordinals([facets.get(g, (None, 0))[1] for g in gold])
        ref = q.as_of.toordinal()
        if any(k and ref - days <= o <= ref + 2 for o, k in zip(ordinals, known)):
            out.append(i)
    return out


def _table(rows: Sequence[dict[str, Any]]) -> list[str]:
    head = "| system | Hits@1 | Hits@5 | Hits@10 | MRR@10 | answer in excerpts | p50 s | p95 s |"
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        aie = "-" if r["answer_in_excerpts"] is None else f"{r['answer_in_excerpts']:.3f}"
        lines.append(f"| {r['system']} | {r['hits@1']:.3f} | {r['hits@5']:.3f} | {r['hits@10']:.3f} | "
                     f"{r['mrr@10']:.3f} | {aie} | {r['p50_s']:.2f} | {r['p95_s']:.2f} |")
    return lines


def format_table(report: dict[str, Any]) -> str:
    """The report's rows as a Markdown table (and the recent-gold breakdown, when there is one)."""
    lines = _table(report["rows"])
    recent = report.get("recent_gold") or {}
    if recent.get("rows"):
        lines += ["", f"Questions with a gold article from the {recent['days']} days up to the question date "
                      f"({recent['questions']} of {report['questions']}):", ""] + _table(recent["rows"])
    notes = [f"{report['questions']} questions, {report['articles_in_store']} articles "
             f"({report['chunks_in_store']} chunks) in {report['store']}"]
    if report.get("skipped_no_gold_in_store"):
        notes.append(f"{report['skipped_no_gold_in_store']} question(s) skipped: no gold article in the store")
    if report.get("ingest"):
        ing = report["ingest"]
        notes.append(f"ingest: {ing['summary']} in {ing['seconds']} s (bf16={ing['bf16']}, "
                     f"peak RSS {ing['peak_rss_mb']} MB)")
    return "\n".join(lines + [""] + notes)


def main(argv: Sequence[str] | None = None) -> int:
    """``python bench/eval.py CORPUS QUESTIONS [--store DIR] [--limit N] [--json PATH] [--no-ingest]``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path)
    parser.add_argument("--store", type=Path, help="store to reuse (default: ASSISTANT_STORE_DIR)")
    parser.add_argument("--limit", type=int, help="first N questions only")
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument("--no-ingest", action="store_true", help="use the store as it is")
    parser.add_argument("--no-ablations", action="store_true")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    if args.store:
        overrides["store_dir"] = args.store
    settings = Settings(**overrides)
    try:
        report = run_eval(args.corpus, args.questions, settings, limit=args.limit, ingest=not args.no_ingest,
                          with_ablations=not args.no_ablations, progress=lambda m: print(m, flush=True))
    except AssistantError as err:
        print(f"error: {err}")
        return 1
    print(format_table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0
