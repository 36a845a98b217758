"""``assistant eval`` for per-source answers: coverage, silent sources, claims and the disagreement flag.

Two formats, both with labelled sources:
- **RAMDocs jsonl** (one question a line, ``documents`` labelled ``correct`` / ``misinfo`` / ``noise``):
  every passage of the file becomes a Markdown article of its own (its own outlet and url) in ONE store,
  so a question must find its own passages among all of them, as in the news case.
- **A folder of articles plus ``questions.json``** (``{"questions": [{"q", "covering", "silent", "answers",
  "disagreement", "kind"}]}``, e.g. ``disagree-dev``): the folder is ingested as it is.

Each question is asked through ``Assistant.ask`` (offline), as the chat and ``ask --json`` do. Per question:
- coverage: share of the labelled covering sources shown with ``covers: true``;
- noise / silent: RAMDocs' noise passages shown as covering; a folder's silent sources listed with
  ``covers: false`` (a silent source that is not listed at all is not counted as listed);
- answer quoted: share of covering labelled sources whose shown excerpts contain the labelled answer
  (RAMDocs: case-insensitive; folders: byte for byte, as their README asks);
- claim accuracy: share of covering labelled sources one of whose claims holds its labelled answer (or is
  held by it, "3,559" for "3,559 people"), after the text normaliser;
- the disagreement flag against the label: precision, recall, F1; for folders, accuracy per ``kind``.

Baseline and ablation rows come from the same store: ``negation rule`` is the flag rule this project used
before claims (an excerpt with a negation word against one without, or different money figures); each
ablation switches one part of the method off (``assistant.method.Method``).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import AssistantError
from .method import Method
from .metrics import percentile
from .text import normalize

if TYPE_CHECKING:
    from .answer import Assistant
    from .schema import Answer


class EvalError(AssistantError):
    """A benchmark input that cannot be used."""


@dataclass
class SourcesCase:
    """One labelled question: which files answer it (with their answer phrase) and which are silent."""

    id: str
    question: str
    kind: str
    flag: bool | None  # the expected disagreement flag; None where it is not scored
    covering: dict[str, str]  # file name -> labelled answer phrase
    silent: list[str] = field(default_factory=list)  # file names: labelled silent, or noise
    group: str = ""  # RAMDocs: conflict / control / ambiguous


@dataclass
class Loaded:
    cases: list[SourcesCase]
    articles: Path  # the folder to ingest
    fmt: str  # "ramdocs" or "folder"


# --------------------------------------------------------------------------------------------------
# inputs


def is_ramdocs(path: Path) -> bool:
    if not path.is_file() or not path.name.endswith(".jsonl"):
        return False
    with path.open(encoding="utf-8") as fh:
        first = fh.readline()
    try:
        rec = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(rec, dict) and "documents" in rec and "question" in rec


def questions_file(folder: Path) -> Path | None:
    """``folder/questions.json`` when it is a labelled per-source question set."""
    path = folder / "questions.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    qs = data.get("questions") if isinstance(data, dict) else None
    return path if isinstance(qs, list) and qs and isinstance(qs[0], dict) and "covering" in qs[0] else None


def load_ramdocs(path: Path, articles_dir: Path) -> Loaded:
    """RAMDocs questions; each passage written as ``articles_dir/qNNN-dMM.md`` (rewritten on every run)."""
    if articles_dir.exists():
        shutil.rmtree(articles_dir)
    articles_dir.mkdir(parents=True)
    cases = []
    for qi, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            docs = rec["documents"]
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise EvalError(f"{path}:{qi + 1}: not a RAMDocs record ({err})") from err
        covering: dict[str, str] = {}
        noise: list[str] = []
        for di, doc in enumerate(docs):
            name = f"q{qi:03d}-d{di:02d}.md"
            (articles_dir / name).write_text(
                f"---\nsource: \"Passage {qi:03d}-{di:02d}\"\nurl: https://passages.invalid/{qi:03d}/{di:02d}\n"
                f"---\n\n{doc['text']}\n", encoding="utf-8")
            if doc.get("type") == "noise":
                noise.append(name)
            else:
                covering[name] = str(doc.get("answer", ""))
        misinfo = any(d.get("type") == "misinfo" for d in docs)
        golds = rec.get("gold_answers") or []
        group = "conflict" if misinfo else ("control" if len(golds) <= 1 else "ambiguous")
        flag = True if misinfo else (False if group == "control" else None)
        cases.append(SourcesCase(id=f"q{qi:03d}", question=str(rec["question"]), kind=group, flag=flag,
                                 covering=covering, silent=noise, group=group))
    if not cases:
        raise EvalError(f"{path} holds no questions.")
    return Loaded(cases, articles_dir, "ramdocs")


def load_folder(folder: Path) -> Loaded:
    qfile = questions_file(folder)
    if qfile is None:
        raise EvalError(f"{folder} has no questions.json with labelled questions (q, covering, silent, answers).")
    data = json.loads(qfile.read_text(encoding="utf-8"))
    articles = folder / "articles" if (folder / "articles").is_dir() else folder
    cases = []
    for i, q in enumerate(data["questions"], start=1):
        try:
            cases.append(SourcesCase(
                id=str(q.get("id", i)), question=str(q["q"]), kind=str(q.get("kind", "")),
                flag=bool(q["disagreement"]) if "disagreement" in q else None,
                covering={str(f): str(q.get("answers", {}).get(f, "")) for f in q["covering"]},
                silent=[str(f) for f in q.get("silent", [])]))
        except (KeyError, TypeError) as err:
            raise EvalError(f"{qfile}: question {i} lacks {err}; each needs q and covering") from err
    return Loaded(cases, articles, "folder")


# --------------------------------------------------------------------------------------------------
# scoring one answer


def _name(path: str | None) -> str:
    return Path(path).name if path else ""


def negation_rule(answer: Answer) -> bool:
    """The flag rule used before claims: over the covering sources' excerpts that share a content word
    with the question, one with a negation word against one without, or (for how-much questions)
    different money figures from different sources."""
    from .extract import terms

    q_terms = set(terms(answer.standalone_question or answer.question))
    quotes = [(s.n, e.quote) for s in answer.covering for e in s.excerpts if set(terms(e.quote)) & q_terms]
    neg = [n for n, q in quotes if _NEGATION.search(q)]
    aff = [n for n, q in quotes if not _NEGATION.search(q)]
    if neg and aff:
        return True
    if _QUANTITY_Q.search(answer.question):
        figures: dict[int, set[str]] = {}
        for n, q in quotes:
            found = {re.sub(r"\s+", " ", m.lower()) for m in _MONEY.findall(q)}
            if found and n not in figures:
                figures[n] = found
        values = list(figures.values())
        return any(not a & b for i, a in enumerate(values) for b in values[i + 1:])
    return False


_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|denied|denies|deny|refused|refuses|declined|"
                       r"rejected|failed|dismissed|disputed)\b|n[’']t\b", re.IGNORECASE)
_QUANTITY_Q = re.compile(r"\b(how (much|many)|cost|price|number of|percent|how long)\b", re.IGNORECASE)
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*\s*(?:million|billion|trillion|bn|m)?|\d[\d,.]*\s*(?:million|billion|"
                    r"percent|%)", re.IGNORECASE)


def score_answer(case: SourcesCase, answer: Answer, fmt: str) -> dict[str, Any]:
    by_name = {_name(s.path): s for s in answer.sources}
    shown = {n for n, s in by_name.items() if s.covers}
    covered = [f for f in case.covering if f in shown]
    quoted, claimed = [], []
    for f in covered:
        phrase = case.covering[f]
        if not phrase:
            continue
        quotes = [e.quote for e in by_name[f].excerpts]
        if fmt == "ramdocs":
            quoted.append(any(phrase.lower() in q.lower() for q in quotes))
        else:
            quoted.append(any(phrase in q for q in quotes))
        want = normalize(phrase)
        claimed.append(any(want in normalize(c.text) or (len(c.text) > 1 and normalize(c.text) in want)
                           for c in by_name[f].claims))
    silent_listed = [f for f in case.silent if f in by_name and not by_name[f].covers]
    noise_shown = [f for f in case.silent if f in shown]
    return {
        "id": case.id, "kind": case.kind, "group": case.group, "flag_expected": case.flag,
        "flag": answer.disagreement, "flag_negation_rule": negation_rule(answer),
        "coverage": len(covered) / len(case.covering) if case.covering else None,
        "silent_listed": len(silent_listed) / len(case.silent) if case.silent else None,
        "noise_shown": len(noise_shown) / len(case.silent) if case.silent else None,
        # every source shown as covering, other questions' passages too: the store holds them all
        "shown_precision": len(covered) / len(shown) if shown else None,
        "answer_quoted": sum(quoted) / len(quoted) if quoted else None,
        "claim_accuracy": sum(claimed) / len(claimed) if claimed else None,
        "different_entities": any(g.entity for g in answer.groups),
        "missed": sorted(set(case.covering) - shown), "extra": sorted(shown - set(case.covering)),
    }


# --------------------------------------------------------------------------------------------------
# summaries


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(sum(vals) / len(vals), 4) if vals else None


def flag_scores(rows: Sequence[dict[str, Any]], key: str = "flag") -> dict[str, Any]:
    scored = [r for r in rows if r["flag_expected"] is not None]
    tp = sum(1 for r in scored if r["flag_expected"] and r[key])
    fp = sum(1 for r in scored if not r["flag_expected"] and r[key])
    fn = sum(1 for r in scored if r["flag_expected"] and not r[key])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    negatives = [r for r in scored if not r["flag_expected"]]
    kinds: dict[str, list[bool]] = {}
    for r in scored:
        kinds.setdefault(r["kind"], []).append(r[key] == r["flag_expected"])
    return {
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "accuracy": round(sum(r[key] == r["flag_expected"] for r in scored) / len(scored), 4) if scored else None,
        "no_false_flag": round(sum(not r[key] for r in negatives) / len(negatives), 4) if negatives else None,
        "per_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(kinds.items())},
        "per_kind_n": {k: len(v) for k, v in sorted(kinds.items())},
    }


def summarise(name: str, rows: Sequence[dict[str, Any]], seconds: Sequence[float],
              flag_key: str = "flag") -> dict[str, Any]:
    out: dict[str, Any] = {"system": name, "questions": len(rows)}
    for key in ("coverage", "silent_listed", "noise_shown", "shown_precision", "answer_quoted", "claim_accuracy"):
        out[key] = _mean(r[key] for r in rows)
    out.update(flag_scores(rows, flag_key))
    ambiguous = [r for r in rows if r["group"] == "ambiguous"]
    if ambiguous:
        out["ambiguous_flagged"] = round(sum(r[flag_key] for r in ambiguous) / len(ambiguous), 4)
        out["ambiguous_entities_noted"] = round(sum(r["different_entities"] for r in ambiguous) / len(ambiguous), 4)
    out["p50_s"] = round(percentile(list(seconds), 50), 3) if seconds else None
    out["p95_s"] = round(percentile(list(seconds), 95), 3) if seconds else None
    return out


# --------------------------------------------------------------------------------------------------
# the run


# each part of the method that can be switched off: (row name, what the row does instead, Method field)
_PARTS = [
    ("-normaliser", "matching without the text normaliser", "normalise"),
    ("-subject check", "a source need not name every word of the question's subject", "full_subject"),
    ("-quoted titles", "a title the question quotes may appear in a source word by word, not as a phrase",
     "quoted_titles"),
    ("-name numbers", "the number inside a name is not part of the question's subject", "name_numbers"),
    ("-claims first", "a sentence's claim adds to its score only after the relevance floor", "claims_first"),
    ("-entity split", "sources about different entities of the same name are compared", "entity_split"),
    ("-clause cut", "run-on excerpts (infoboxes, lists) kept whole", "clause_cut"),
    ("-story split", "a source telling another story is compared with the rest", "story_split"),
    ("-word families", "a sentence's words match the question's only by their own stem", "word_families"),
    ("-categories", "a kind of thing (a sport, a profession) is looked for as a name", "category_claims"),
]
# the checks that list a source as silent, by Method field: (row name, what the row does instead)
_SILENT_CHECKS = {
    "claim_coverage": ("-claim coverage", "a source covers by excerpt score alone, with or without a claim"),
    "doer_coverage": ("-doer check", "a who-question's source covers without naming who did it"),
    "polarity_coverage": ("-yes/no check", "a yes/no question's source covers without saying yes or no"),
    "verb_coverage": ("-verb check", "a when-question's source covers with a date of another event"),
    "cause_coverage": ("-cause check", "a why-question's source covers without giving a cause"),
    "category_coverage": ("-category check", "a what-sport/genre source covers without naming a kind of thing"),
    "name_coverage": ("-name check", "a which/where-question's source covers without naming an answer"),
    "predicate_coverage": ("-predicate check", "a yes/no source need not quote the predicate when none says yes or no"),
    "story_coverage": ("-story coverage", "a source of another story lacking the question's rarest word covers"),
}


def ablations() -> list[tuple[str, str, Method]]:
    """One row per part of the method, switched off alone."""
    base = Method()
    return [("-claim grouping", "flag from the negation rule on this method's excerpts", base),
            *[(name, what, replace(base, **{field: False})) for name, what, field in _PARTS],
            *[(name, what, replace(base, **{field: False})) for field, (name, what) in _SILENT_CHECKS.items()]]


def run_sources_eval(data: Path, settings: Settings, *, limit: int | None = None, ingest: bool = True,
                     with_ablations: bool = True, assistant: Assistant | None = None,
                     progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Ask every labelled question; returns the report (``format_sources_table`` prints it)."""
    from .answer import Assistant

    say = progress or (lambda _msg: None)
    assistant = assistant or Assistant(settings, use_llm=False)
    if is_ramdocs(data):
        loaded = load_ramdocs(data, Path(assistant.settings.store_dir).expanduser() / "eval-ramdocs-articles")
    elif data.is_dir():
        loaded = load_folder(data)
    else:
        raise EvalError(f"{data} is neither a RAMDocs .jsonl nor a folder with questions.json.")
    cases = loaded.cases[:limit] if limit else loaded.cases
    ingest_info = None
    if ingest:
        t = time.perf_counter()
        report = assistant.ingest([loaded.articles])
        ingest_info = {"seconds": round(time.perf_counter() - t, 1), "summary": report.summary()}
        say(f"ingest: {report.summary()} in {ingest_info['seconds']} s")
    variants: list[tuple[str, str, Method]] = [("assistant", "this project", Method())]
    if with_ablations:
        variants += [v for v in ablations() if v[0] != "-claim grouping"]
    results: dict[str, tuple[list[dict[str, Any]], list[float]]] = {}
    assistant.ask(cases[0].question, method=Method())  # warm the model and caches up
    for name, _, method in variants:
        rows, seconds = [], []
        for case in cases:
            t = time.perf_counter()
            answer = assistant.ask(case.question, method=method)
            seconds.append(time.perf_counter() - t)
            rows.append(score_answer(case, answer, loaded.fmt))
        results[name] = (rows, seconds)
        say(f"{name}: {len(rows)} questions")
    main_rows, main_seconds = results["assistant"]
    table = [summarise("assistant", main_rows, main_seconds)]
    table.append(summarise("negation rule (before claims)", main_rows, [], flag_key="flag_negation_rule"))
    descriptions = {name: what for name, what, _ in ablations()}
    table[1]["description"] = descriptions["-claim grouping"]
    for name, _, _ in variants[1:]:
        row = summarise(f"assistant {name}", *results[name])
        row["description"] = descriptions[name]
        table.append(row)
    return {"data": str(data), "format": loaded.fmt, "questions": len(cases), "ingest": ingest_info,
            "rows": table, "per_question": main_rows,
            "retrieval": retrieval_section(assistant, cases)}


def format_sources_table(report: dict[str, Any]) -> str:
    def f(v: Any) -> str:
        return "-" if v is None else f"{v:.3f}"

    ram = report["format"] == "ramdocs"
    third = "noise shown" if ram else "silent listed"
    head = (f"| system | coverage | {third} | shown precision | answer quoted | claim accuracy | flag P | flag R | "
            f"flag F1 | {'controls ok' if ram else 'flag accuracy'} | p50 s | p95 s |")
    lines = [head, "|" + "---|" * 12]
    for r in report["rows"]:
        last = r["no_false_flag"] if ram else r["accuracy"]
        lines.append(f"| {r['system']} | {f(r['coverage'])} | {f(r['noise_shown'] if ram else r['silent_listed'])} | "
                     f"{f(r.get('shown_precision'))} | {f(r['answer_quoted'])} | {f(r['claim_accuracy'])} | "
                     f"{f(r['precision'])} | {f(r['recall'])} | "
                     f"{f(r['f1'])} | {f(last)} | {f(r['p50_s'])} | {f(r['p95_s'])} |")
    main = report["rows"][0]
    lines.append("")
    kinds = ", ".join(f"{k} {v:.2f} ({main['per_kind_n'][k]})" for k, v in main["per_kind"].items())
    lines.append(f"flag right per kind: {kinds}")
    if ram and "ambiguous_flagged" in main:
        lines.append(f"ambiguity-only questions: flagged {main['ambiguous_flagged']:.3f}, different entities noted "
                     f"{main['ambiguous_entities_noted']:.3f}")
    lines.append(f"{report['questions']} questions ({report['format']}: {report['data']})")
    return "\n".join(lines + format_retrieval_section(report.get("retrieval")))


# --------------------------------------------------------------------------------------------------
# the retrieval table: the same baselines as the corpus eval, the labelled covering sources as gold


def retrieval_section(assistant: Assistant, cases: Sequence[SourcesCase]) -> dict[str, Any]:
    """Hits@1/5 and MRR@10 of bm25s alone, LangChain Chroma and this project's ranking, with its ablations
    (ranking only, so cheap); a question's gold articles are its labelled covering files."""
    from .eval_systems import RetrievalQuestion, article_ids_by_file_name, retrieval_rows

    ids = article_ids_by_file_name(assistant)
    questions, golds = [], []
    for case in cases:
        gold = {ids[f] for f in case.covering if f in ids}
        if gold:
            questions.append(RetrievalQuestion(case.question, None))
            golds.append(gold)
    rows = retrieval_rows(assistant, questions, golds, with_ablations=True) if questions else []
    return {"questions": len(questions), "rows": rows}


def format_retrieval_section(section: dict[str, Any] | None) -> list[str]:
    from .eval_systems import format_retrieval_rows

    if not section or not section["rows"]:
        return []
    return ["", f"Retrieval ({section['questions']} questions with a labelled covering source, gold = those "
                "sources):", ""] + format_retrieval_rows(section["rows"])
