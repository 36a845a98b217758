"""``assistant eval ARTICLES_DIR CONVERSATIONS.json``: how follow-up questions are answered in a conversation.

The conversations file (``{"conversations": [{"id", "turns": [...]}]}``) labels every turn with its
``kind`` (first, pronoun, other-source, ellipsis, attribute, switch), the ``standalone`` question a careful
reader would search, the article files that answer it (``covering``) and a verbatim answer phrase per file
(``answers``). The articles are ingested into the configured store; each conversation is played through the
same core and memory the chat uses (``Assistant.ask(history=...)``, ``memory.Conversation``), forgetting
between conversations as ``/reset`` does.

Per turn kind, pooled over the kind's turns:
- coverage: labelled covering files shown as covering / labelled covering files;
- precision: sources shown as covering that are labelled covering / sources shown as covering;
- quoted: labelled files shown as covering whose answer phrase is inside that file's excerpts, byte for byte
  (``quoted``) and after ``text.normalize`` on both sides (``quoted~``), / labelled files shown as covering
  (a file not shown is a coverage miss already);
- standalone match: the searched question means the label's ``standalone``. For ``first`` and ``switch``
  turns (whose label is the question as typed) only the question itself matches: any inherited word is a
  miss. For the others the content words (stems, ``extract.terms``) decide: at most a third of the label's
  words missing and at most a third extra; or, when an LLM is configured, the LLM judges (the report says
  which).

Rows: ``assistant`` (everything on), one ablation row per part of the follow-up handling switched off
(``memory.FollowUpOptions``), and ``oracle standalone``: each label's standalone asked with no history. A
miss that the oracle row misses too comes from retrieval or excerpt selection, not from the rewrite; the
report counts both kinds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import AssistantError
from .text import normalize

if TYPE_CHECKING:
    from .answer import Assistant
    from .memory import FollowUpOptions
    from .schema import Answer

KINDS = ("first", "pronoun", "other-source", "ellipsis", "attribute", "switch")
CONVERSATIONS_FILE = "conversations.json"

JUDGE_PROMPT = """\
Two questions were asked of a news search engine. Do they ask for the same information about the same
subject (and, when either names a news outlet to rely on, about that same outlet)? Wording may differ.
Reply with one word: yes or no.

Question A: {label}
Question B: {searched}
"""


class ConversationsError(AssistantError):
    """A conversations file or articles folder that cannot be used."""


@dataclass
class LabelledTurn:
    q: str
    kind: str
    standalone: str
    covering: list[str]
    answers: dict[str, str]


@dataclass
class LabelledConversation:
    id: str
    turns: list[LabelledTurn]


@dataclass
class TurnResult:
    conversation: str
    turn: int
    kind: str
    question: str
    label: str
    searched: str
    filters: list[str]
    covering: list[str]  # labelled
    shown: list[str]  # shown as covering (file names)
    retrieved: list[str]  # every source of the answer, covering or not
    quoted: dict[str, bool]  # labelled file -> phrase in its excerpts, byte for byte
    quoted_normalised: dict[str, bool]
    match: bool
    notices: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --------------------------------------------------------------------------------------------------
# inputs


def _has_conversations_key(path: Path) -> bool:
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and "conversations" in data


def conversations_input(first: Path, second: Path | None) -> tuple[Path, Path] | None:
    """``(articles_dir, conversations_file)`` when the eval arguments name a conversations eval, else None.

    Accepted: ``ARTICLES_DIR CONVERSATIONS.json`` (a file named conversations.json, or any JSON object with a
    ``conversations`` key), or one folder holding conversations.json and the articles (in its ``articles/``
    subfolder when it has one).
    """
    if second is not None:
        if second.name == CONVERSATIONS_FILE or _has_conversations_key(second):
            return first, second
        return None
    if first.is_dir() and (first / CONVERSATIONS_FILE).is_file():
        articles = first / "articles"
        return (articles if articles.is_dir() else first), first / CONVERSATIONS_FILE
    if _has_conversations_key(first):
        raise ConversationsError(f"{first} is a conversations file; give the articles folder first: "
                                 f"assistant eval ARTICLES_DIR {first}")
    return None


def load_conversations(path: Path) -> list[LabelledConversation]:
    """The labelled conversations of ``path`` (see the module doc); one clear error for a malformed file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ConversationsError(f"Cannot read the conversations file {path} ({err.strerror}).") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConversationsError(f"{path} is not JSON ({err}); it must hold {{\"conversations\": [...]}}.") from err
    items = data.get("conversations") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ConversationsError(f"{path} has no conversations; it must hold {{\"conversations\": [...]}}.")
    out = []
    for i, conv in enumerate(items, start=1):
        try:
            turns = [LabelledTurn(q=str(t["q"]), kind=str(t["kind"]), standalone=str(t.get("standalone") or t["q"]),
                                  covering=[str(c) for c in t.get("covering", [])],
                                  answers={str(k): str(v) for k, v in (t.get("answers") or {}).items()})
                     for t in conv["turns"]]
        except (KeyError, TypeError, AttributeError) as err:
            raise ConversationsError(f"{path}: conversation {i} is malformed (missing {err}); each turn needs "
                                     "q and kind (standalone, covering, answers optional).") from err
        out.append(LabelledConversation(id=str(conv.get("id", i)), turns=turns))
    return out


# --------------------------------------------------------------------------------------------------
# scoring


def content_match(searched: str, label: str) -> bool:
    """The two questions share their content words: at most a third of the label's missing, a third extra."""
    from .extract import terms

    ours, theirs = set(terms(searched)), set(terms(label))
    if not theirs:
        return not ours
    allowed = len(theirs) // 3
    return len(theirs - ours) <= allowed and len(ours - theirs) <= allowed


class Judge:
    """Whether a searched question means the label's: the LLM when one is configured, else content words."""

    def __init__(self, assistant: Assistant) -> None:
        self.model = assistant.chat_model if assistant.use_llm else None
        self.name = "LLM judge" if self.model is not None else "shared content words"
        self.failures = 0

    def __call__(self, kind: str, searched: str, label: str) -> bool:
        if kind in ("first", "switch"):
            return " ".join(searched.split()) == " ".join(label.split())
        if self.model is not None:
            from langchain_core.messages import HumanMessage

            from .llm import llm_failures, run_chat

            try:
                reply = run_chat(self.model, [HumanMessage(JUDGE_PROMPT.format(label=label, searched=searched))])
                return reply.strip().lower().startswith("yes")
            except llm_failures():
                self.failures += 1
        return content_match(searched, label)


def score_turn(conv: str, i: int, turn: LabelledTurn, answer: Answer, match: bool) -> TurnResult:
    def name(path: str | None, fallback: str) -> str:
        return Path(path).name if path else fallback

    shown_sources = [s for s in answer.sources if s.covers]
    by_file = {name(s.path, s.id): s for s in answer.sources}
    quoted: dict[str, bool] = {}
    quoted_n: dict[str, bool] = {}
    for file in turn.covering:
        phrase = turn.answers.get(file) or ""
        source = by_file.get(file)
        quotes = [e.quote for e in source.excerpts] if source is not None and source.covers else []
        quoted[file] = bool(phrase) and any(phrase in q for q in quotes)
        quoted_n[file] = bool(phrase) and any(normalize(phrase) in normalize(q) for q in quotes)
    return TurnResult(
        conversation=conv, turn=i, kind=turn.kind, question=turn.q, label=turn.standalone,
        searched=answer.standalone_question or answer.question, filters=list(answer.filters),
        covering=list(turn.covering), shown=[name(s.path, s.id) for s in shown_sources],
        retrieved=[name(s.path, s.id) for s in answer.sources], quoted=quoted, quoted_normalised=quoted_n,
        match=match, notices=list(answer.notices),
    )


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def summarise(results: Sequence[TurnResult]) -> dict[str, dict[str, Any]]:
    """Per kind (and ``all``): turns, coverage, precision, quoted, quoted~, standalone match."""
    out: dict[str, dict[str, Any]] = {}
    for kind in (*KINDS, "all"):
        rows = [r for r in results if kind == "all" or r.kind == kind]
        if not rows:
            continue
        labelled = sum(len(r.covering) for r in rows)
        shown = sum(len(r.shown) for r in rows)
        found = sum(len(set(r.covering) & set(r.shown)) for r in rows)
        out[kind] = {
            "turns": len(rows),
            "coverage": _ratio(found, labelled),
            "precision": _ratio(found, shown),
            "quoted": _ratio(sum(sum(r.quoted.values()) for r in rows), found),
            "quoted_normalised": _ratio(sum(sum(r.quoted_normalised.values()) for r in rows), found),
            "standalone_match": _ratio(sum(r.match for r in rows), len(rows)),
        }
    return out


def attribute_misses(results: Sequence[TurnResult], oracle: Sequence[TurnResult]) -> dict[str, int]:
    """Misses of ``results`` split by whether the oracle (the label's standalone, no history) misses them too.

    A miss the oracle shares is retrieval's or excerpt selection's; one it does not share is the rewrite's.
    Within the shared ones, a labelled file that was retrieved but not shown as covering is counted apart:
    excerpt selection judged it silent.
    """
    counts = {"coverage_rewrite": 0, "coverage_selection": 0, "coverage_retrieval": 0,
              "precision_rewrite": 0, "precision_selection": 0, "quoted_rewrite": 0, "quoted_selection": 0}
    for ours, best in zip(results, oracle):
        for file in ours.covering:
            if file not in ours.shown:
                if file in best.shown:
                    counts["coverage_rewrite"] += 1
                elif file in best.retrieved:
                    counts["coverage_selection"] += 1
                else:
                    counts["coverage_retrieval"] += 1
            elif not ours.quoted_normalised.get(file):
                key = "quoted_selection" if not best.quoted_normalised.get(file) else "quoted_rewrite"
                counts[key] += 1
        for file in ours.shown:
            if file not in ours.covering:
                key = "precision_selection" if file in best.shown else "precision_rewrite"
                counts[key] += 1
    return counts


# --------------------------------------------------------------------------------------------------
# running


def play(assistant: Assistant, conversations: Sequence[LabelledConversation], judge: Judge, *,
         oracle: bool = False, progress: Callable[[str], None] | None = None) -> list[TurnResult]:
    """Every conversation through ``assistant`` as the chat plays it (``oracle``: each label's standalone alone)."""
    from .memory import Conversation

    results: list[TurnResult] = []
    memory = Conversation(assistant.settings.history_turns)
    for conv in conversations:
        memory.reset()  # what /reset does between conversations
        for i, turn in enumerate(conv.turns, start=1):
            if oracle:
                answer = assistant.ask(turn.standalone)
                match = True
            else:
                answer = assistant.ask(turn.q, history=memory.history())
                memory.remember(answer)
                match = judge(turn.kind, answer.standalone_question or answer.question, turn.standalone)
            results.append(score_turn(conv.id, i, turn, answer, match))
        if progress:
            progress(f"{conv.id}: {len(conv.turns)} turns")
    return results


def _check_articles(articles_dir: Path, conversations: Sequence[LabelledConversation]) -> None:
    if not articles_dir.is_dir():
        raise ConversationsError(f"The articles folder {articles_dir} does not exist; give the folder the "
                                 "conversations' covering files are in.")
    names = {p.name for p in articles_dir.rglob("*") if p.is_file()}
    missing = sorted({f for c in conversations for t in c.turns for f in t.covering} - names)
    if missing:
        raise ConversationsError(f"{len(missing)} covering file(s) are not in {articles_dir} (e.g. {missing[0]}); "
                                 "give the articles folder of these conversations.")


def run_conversations_eval(articles_dir: Path, conversations_path: Path, settings: Settings, *,
                           assistant: Assistant | None = None, progress: Callable[[str], None] | None = None,
                           ingest: bool = True, with_ablations: bool = True, limit: int | None = None,
                           ) -> dict[str, Any]:
    """Play the conversations, score every turn, and return the report (``format_conversations`` prints it)."""
    from .answer import Assistant

    t_all = time.perf_counter()
    conversations = load_conversations(conversations_path)[:limit or None]
    _check_articles(articles_dir, conversations)
    assistant = assistant or Assistant(settings)
    say = progress or (lambda _msg: None)
    if ingest:
        say(f"ingest: {assistant.ingest([articles_dir]).summary()}")
    store = assistant.store()
    if store.count_articles() == 0:
        raise ConversationsError(f"The store at {store.location} is empty; run without --no-ingest.")
    judge = Judge(assistant)
    rows: list[dict[str, Any]] = []
    t = time.perf_counter()
    main = play(assistant, conversations, judge, progress=say)
    rows.append({"system": "assistant", "kinds": summarise(main), "seconds": round(time.perf_counter() - t, 1)})
    for name, options in (ablations() if with_ablations else []):
        saved = assistant.followups
        assistant.followups = options
        try:
            t = time.perf_counter()
            results = play(assistant, conversations, judge)
        finally:
            assistant.followups = saved
        rows.append({"system": name, "kinds": summarise(results), "seconds": round(time.perf_counter() - t, 1)})
        say(f"{name}: done")
    oracle = play(assistant, conversations, judge, oracle=True)
    rows.append({"system": "oracle standalone", "kinds": summarise(oracle)})
    return {
        "conversations": len(conversations), "turns": len(main), "judge": judge.name,
        "judge_failures": judge.failures, "articles_in_store": store.count_articles(), "store": store.location,
        "rows": rows, "misses": attribute_misses(main, oracle),
        "turn_results": [r.as_dict() for r in main], "oracle_results": [r.as_dict() for r in oracle],
        "seconds_total": round(time.perf_counter() - t_all, 1),
    }


def ablations() -> list[tuple[str, FollowUpOptions]]:
    """(row name, follow-up options) with one part of the follow-up handling switched off each."""
    from .memory import FollowUpOptions

    return [
        ("- turn classifier (every turn a follow-up)", FollowUpOptions(classify=False)),
        ("- references from the answer (questions only)", FollowUpOptions(from_answer=False)),
        ("- outlet scoping", FollowUpOptions(outlet_scope=False)),
        ("- asked words (a source need not quote what the turn adds)", FollowUpOptions(asked_words=False)),
    ]


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_conversations(report: dict[str, Any]) -> str:
    """The report as Markdown: the per-kind table of the full system, then one line per kind and row."""
    lines = ["| turn kind | turns | coverage | precision | quoted | quoted~ | standalone match |",
             "|---|---|---|---|---|---|---|"]
    main = report["rows"][0]["kinds"]
    for kind, m in main.items():
        lines.append(f"| {kind} | {m['turns']} | {_fmt(m['coverage'])} | {_fmt(m['precision'])} | "
                     f"{_fmt(m['quoted'])} | {_fmt(m['quoted_normalised'])} | {_fmt(m['standalone_match'])} |")
    if len(report["rows"]) > 1:
        kinds = [k for k in KINDS if k in main] + ["all"]
        lines += ["", "coverage / precision / quoted~ / standalone match per kind, by row:", "",
                  "| row | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
        for row in report["rows"]:
            cells = []
            for kind in kinds:
                m = row["kinds"].get(kind)
                cells.append("-" if m is None else
                             f"{_fmt(m['coverage'])} / {_fmt(m['precision'])} / {_fmt(m['quoted_normalised'])} / "
                             f"{_fmt(m['standalone_match'])}")
            lines.append(f"| {row['system']} | " + " | ".join(cells) + " |")
    misses = report["misses"]
    notes = [
        "",
        f"{report['conversations']} conversations, {report['turns']} turns; {report['articles_in_store']} articles "
        f"in {report['store']}; standalone match by {report['judge']}"
        + (f" ({report['judge_failures']} LLM failures fell back to content words)" if report["judge_failures"]
           else ""),
        "quoted: the answer phrase byte for byte in the file's excerpts; quoted~: after text.normalize",
        f"misses the oracle shares (retrieval / excerpt selection): coverage {misses['coverage_selection']} retrieved "
        f"but judged silent + {misses['coverage_retrieval']} not retrieved, precision {misses['precision_selection']}, "
        f"quoted {misses['quoted_selection']}",
        f"misses from the rewrite (the oracle gets them): coverage {misses['coverage_rewrite']}, "
        f"precision {misses['precision_rewrite']}, quoted {misses['quoted_rewrite']}",
        f"{report['seconds_total']} s in all",
    ]
    return "\n".join(lines + notes)


def run_from_cli(first: Path, second: Path | None, settings: Settings, *, json_path: Path | None = None,
                 progress: Callable[[str], None] | None = None, **options: Any) -> str | None:
    """``assistant eval``'s conversations mode: the printed table, or None when the arguments name another eval.

    ``options`` go to ``run_conversations_eval``; the full report is written to ``json_path`` when given.
    """
    inputs = conversations_input(first, second)
    if inputs is None:
        return None
    report = run_conversations_eval(*inputs, settings, progress=progress, **options)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        if progress:
            progress(f"report written to {json_path}")
    return format_conversations(report)
