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
from .eval_systems import (
    Bm25sBaseline,
    CachedEmbed,
    LangChainBaseline,
    RetrievalQuestion,
    ablations,
    embedding_bf16,
    record_article_ids,
    variant,
)
from .metrics import answer_in_text, article_metrics, percentile

if TYPE_CHECKING:
    from .answer import Assistant

log = logging.getLogger(__name__)

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
    out = record_article_ids(corpus, _records(corpus))
    if not out:
        raise EvalError(f"No record of {corpus} has an 'id'; the benchmark needs ids to match gold articles.")
    return out


def ingest_corpus(assistant: Assistant, corpus: Path, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Ingest (or top up) the corpus; returns seconds, chunks written and peak memory."""
    import resource

    bf16 = embedding_bf16(assistant)
    t = time.perf_counter()
    report = assistant.ingest([corpus])
    seconds = time.perf_counter() - t
    info = {"seconds": round(seconds, 1), "summary": report.summary(), "chunks_written": report.chunks,
            "bf16": bf16, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if progress:
        progress(f"ingest: {report.summary()} in {seconds:.0f} s")
    return info


# --------------------------------------------------------------------------------------------------
# systems (the baselines and ablation variants are in ``assistant.eval_systems``)


def run_assistant(assistant: Assistant, q: EvalQuestion) -> tuple[list[str], bool, float]:
    t = time.perf_counter()
    answer = assistant.ask(q.question, as_of=q.as_of)
    seconds = time.perf_counter() - t
    retrieval = assistant.last_retrieval
    ranked = retrieval.ranked_ids[:10] if retrieval is not None else [s.id for s in answer.sources]
    found = answer_in_text(q.answer, [e.quote for e in answer.excerpts])
    return ranked, found, seconds


def _without_answer(run: Callable[[RetrievalQuestion], Any]) -> Callable[[EvalQuestion], Any]:
    return lambda q: run(_asked(q, False))


def _asked(q: EvalQuestion, with_answer: bool = True) -> RetrievalQuestion:
    return RetrievalQuestion(q.question, q.answer if with_answer else None, q.as_of)


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
    questions = load_questions(questions_path)[:limit or None]
    id_map = corpus_article_ids(corpus)
    assistant = assistant or Assistant(settings, use_llm=False)
    ingest_info = ingest_corpus(assistant, corpus, say) if ingest else None
    store = assistant.store()
    in_store = {a.id for a, _ in assistant.corpus().list_articles()}
    if not in_store:
        raise EvalError(f"The store at {store.location} is empty; run without --no-ingest.")
    usable, golds = _with_gold(questions, id_map, in_store)
    skipped = len(questions) - len(usable)
    if skipped:
        say(f"{skipped} question(s) skipped: none of their gold articles is in the store")
    t_all = time.perf_counter()
    runs = _run_systems(assistant, usable, with_ablations, say)
    recent = recent_gold(usable, golds, assistant.corpus().facets().by_article)
    return {
        "corpus": str(corpus), "questions_file": str(questions_path), "questions": len(usable),
        "skipped_no_gold_in_store": skipped, "articles_in_store": len(in_store),
        "chunks_in_store": assistant.corpus().count_chunks(),
        "store": store.location, "ingest": ingest_info, "seconds_total": round(time.perf_counter() - t_all, 1),
        "settings": {k: getattr(settings, k) for k in REPORTED_SETTINGS},
        "rows": [run.summary(golds) for run in runs],
        "recent_gold": {
            "days": RECENT_DAYS, "questions": len(recent),
            "rows": [run.summary(golds, recent) for run in runs] if recent else [],
        },
    }


REPORTED_SETTINGS = (
    "retrieval_mode", "fusion", "dense_weight", "keyword_candidates", "dense_candidates", "rrf_k",
    "recency_half_life_days", "recency_weight", "date_phrase_weight", "future_slack_days", "chunk_chars",
    "chunk_overlap_chars", "max_sources", "max_excerpts_per_source")


def _with_gold(questions: Sequence[EvalQuestion], id_map: dict[str, str],
               in_store: set[str]) -> tuple[list[EvalQuestion], list[set[str]]]:
    """The questions with a gold article in the store, and those articles' ids."""
    usable: list[EvalQuestion] = []
    golds: list[set[str]] = []
    for q in questions:
        gold = {id_map[g] for g in q.gold if g in id_map and id_map[g] in in_store}
        if gold:
            usable.append(q)
            golds.append(gold)
    if not usable:
        raise EvalError("None of the questions has a gold article in the store; ingest the corpus first.")
    return usable, golds


def _run_systems(assistant: Assistant, usable: Sequence[EvalQuestion], with_ablations: bool,
                 say: Callable[[str], None]) -> list[SystemRun]:
    """Every system's ranking of every question: the baselines and this project, then its ablations."""
    bm25 = Bm25sBaseline(assistant)
    baseline = LangChainBaseline(assistant)
    embed = CachedEmbed(assistant)
    systems: list[tuple[SystemRun, Callable[[EvalQuestion], tuple[list[str], bool | None, float]]]] = [
        (SystemRun("bm25", "(a) bm25s alone: whole articles, question as typed", answer_found=[]),
         lambda q: bm25.run(_asked(q))),
        (SystemRun("langchain-chroma", "(b) LangChain Chroma.similarity_search, same chunks and model",
                   answer_found=[]), lambda q: baseline.run(_asked(q))),
        (SystemRun("assistant", "(c) this project: hybrid + dates + outlets, Assistant.ask", answer_found=[]),
         lambda q: run_assistant(assistant, q)),
    ]
    for name, what, options in ablations() if with_ablations else []:
        systems.append((SystemRun(f"assistant {name}", what),
                        _without_answer(variant(assistant, options, embed))))
    assistant.ask(usable[0].question, as_of=usable[0].as_of)  # warm the models and caches up
    t_all = time.perf_counter()
    for i, q in enumerate(usable, start=1):
        for run, fn in systems:
            ranked, found, seconds = fn(q)
            run.ranked.append(ranked)
            if run.answer_found is not None and found is not None:
                run.answer_found.append(found)
            run.seconds.append(seconds)
        if i % 25 == 0 or i == len(usable):
            say(f"{i}/{len(usable)} questions ({time.perf_counter() - t_all:.0f} s)")
    return [run for run, _ in systems]


def recent_gold(questions: Sequence[EvalQuestion], golds: Sequence[set[str]],
                facets: dict[str, tuple[str | None, int]], days: int = RECENT_DAYS) -> list[int]:
    """Indexes of the questions with a gold article dated from ``days`` before their date to 2 days after.

    RealTimeQA counts as gold any search result that contains the answer string, so a question about this
    week's news may have only a years-old roundup as gold; the questions with a recent gold article are
    the ones a "this week" question can fairly be scored on, and are reported apart.
    """
    out = []
    for i, (q, gold) in enumerate(zip(questions, golds)):
        if q.as_of is None:
            continue
        ref = q.as_of.toordinal()
        dated = [d for d in (_day(facets.get(g, (None, 0))[1]) for g in gold) if d is not None]
        if any(ref - days <= d.toordinal() <= ref + 2 for d in dated):
            out.append(i)
    return out


def _day(date_int: int) -> date | None:
    """The date of a 20250306 date int (None for 0, unknown, or no real date)."""
    try:
        return date(date_int // 10000, date_int // 100 % 100, date_int % 100)
    except ValueError:
        return None


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
