"""The 👍/👎 feedback log: one JSON object per click, appended to a local JSONL file, and its summary.

A record holds the question (and, for a follow-up, the rewritten question that was searched), the ids
of the excerpts the answer showed (``article_id:start-end``), the Slack user id, the vote (``up``/``down``)
and the time (UTC, ISO 8601). The log is append-only; the summary counts each user's latest vote on each
answer, so a changed mind is not counted twice.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError
from .schema import Answer, Excerpt

Vote = Literal["up", "down"]
VOTES: tuple[Vote, ...] = ("up", "down")

_write_lock = threading.Lock()


def excerpt_id(excerpt: Excerpt) -> str:
    """A stable id of one shown excerpt: its article id and character offsets."""
    return f"{excerpt.article_id}:{excerpt.start}-{excerpt.end}"


def answer_excerpt_ids(answer: Answer) -> list[str]:
    return [excerpt_id(e) for e in answer.excerpts]


def record_vote(
    path: Path,
    *,
    vote: Vote,
    user_id: str,
    question: str,
    excerpt_ids: list[str],
    searched: str | None = None,
    channel: str | None = None,
    message_ts: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Append one vote to the JSONL log at ``path`` (creating folders) and return the record written.

    Raises ``ConfigError`` naming the path when the log cannot be written.
    """
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
    record = {
        "time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "vote": vote,
        "user": user_id,
        "question": question,
        "searched": searched,
        "excerpt_ids": list(excerpt_ids),
        "channel": channel,
        "message_ts": message_ts,
    }
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        with _write_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line)
    except OSError as e:
        raise ConfigError(
            f"Cannot write the feedback log {path}: {e.strerror or e}. "
            "Set ASSISTANT_FEEDBACK_PATH to a writable file."
        ) from e
    return record


def read_votes(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The well-formed records of the log, oldest first, and the number of unreadable lines skipped."""
    records: list[dict[str, Any]] = []
    bad = 0
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], 0
    except OSError as e:
        raise ConfigError(f"Cannot read the feedback log {path}: {e.strerror or e}.") from e
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if not isinstance(rec, dict) or rec.get("vote") not in VOTES:
            bad += 1
            continue
        records.append(rec)
    return records, bad


@dataclass
class QuestionVotes:
    question: str
    up: int = 0
    down: int = 0


@dataclass
class FeedbackSummary:
    """Counts over the latest vote of each user on each answer."""

    path: Path
    exists: bool
    clicks: int = 0  # every line, changed votes included
    skipped_lines: int = 0
    up: int = 0
    down: int = 0
    answers: int = 0
    users: int = 0
    first: str | None = None
    last: str | None = None
    questions: list[QuestionVotes] = field(default_factory=list)  # most 👎 first

    @property
    def votes(self) -> int:
        return self.up + self.down

    @property
    def positive_share(self) -> float | None:
        return self.up / self.votes if self.votes else None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "clicks": self.clicks, "votes": self.votes, "up": self.up, "down": self.down,
            "positive_share": self.positive_share, "answers": self.answers, "users": self.users,
            "first": self.first, "last": self.last, "skipped_lines": self.skipped_lines,
            "questions": [{"question": q.question, "up": q.up, "down": q.down} for q in self.questions],
        }


def summarise(path: Path) -> FeedbackSummary:
    """Summarise the log at ``path`` (a missing file is an empty summary with ``exists=False``)."""
    records, bad = read_votes(path)
    summary = FeedbackSummary(path=path, exists=path.exists(), clicks=len(records), skipped_lines=bad)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for i, rec in enumerate(records):
        answer_key = str(rec.get("message_ts") or f"line{i}") + "|" + str(rec.get("channel") or "")
        latest[(str(rec.get("user")), answer_key)] = rec
    counts: Counter[Vote] = Counter(rec["vote"] for rec in latest.values())
    summary.up, summary.down = counts["up"], counts["down"]
    summary.answers = len({answer for _, answer in latest})
    summary.users = len({user for user, _ in latest})
    times = sorted(str(rec["time"]) for rec in records if rec.get("time"))
    if times:
        summary.first, summary.last = times[0], times[-1]
    per_question: dict[str, QuestionVotes] = {}
    for rec in latest.values():
        q = " ".join(str(rec.get("searched") or rec.get("question") or "").split()) or "(no question)"
        entry = per_question.setdefault(q, QuestionVotes(q))
        if rec["vote"] == "up":
            entry.up += 1
        else:
            entry.down += 1
    summary.questions = sorted(per_question.values(), key=lambda q: (-q.down, q.up, q.question))
    return summary


def summary_text(summary: FeedbackSummary, top: int = 5) -> str:
    """A few plain lines for a terminal."""
    if not summary.exists:
        return (f"No feedback yet: {summary.path} does not exist. Votes are recorded when someone clicks "
                "👍 or 👎 under an answer of `assistant slack`.")
    if not summary.votes:
        return f"No votes in {summary.path}" + (f" ({summary.skipped_lines} unreadable line(s))."
                                               if summary.skipped_lines else ".")
    share = summary.positive_share or 0.0
    lines = [
        f"Feedback log: {summary.path}",
        f"👍 {summary.up}  👎 {summary.down}  ({share:.0%} positive) on {summary.answers} answer(s) "
        f"from {summary.users} user(s); {summary.clicks} click(s) from {summary.first} to {summary.last}.",
    ]
    if summary.skipped_lines:
        lines.append(f"Skipped {summary.skipped_lines} unreadable line(s).")
    disliked = [q for q in summary.questions if q.down][:top]
    if disliked:
        lines.append("Questions with the most 👎:")
        lines += [f"  👎 {q.down} 👍 {q.up}  {q.question[:100]}" for q in disliked]
    return "\n".join(lines)
