"""Block Kit for an ``Answer``, built with ``slack_sdk.models.blocks`` and always within Slack's limits, and the
codec of the 👍/👎 buttons' value. Pure functions: they are tested without Slack."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from ..feedback import answer_excerpt_ids
from ..render import filters_text, source_label
from ..schema import Answer, Claim, ClaimGroup, Excerpt, SourceAnswer
from .mrkdwn import clip, escape, safe_url

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks) and ours.
SECTION_CHARS = 3000  # text of a section or of a context element
MAX_BLOCKS = 50  # blocks in one message
MAX_BLOCK_TEXT_CHARS = 12_000  # all excerpt sections together: a readable message, far below Slack's caps
BUTTON_VALUE_CHARS = 1900  # Slack allows 2000
FALLBACK_CHARS = 600  # the notification text of a message with blocks
CLAIMS_CHARS = 800  # one source's claims line: a few short spans, never a second list of excerpts

FEEDBACK_ACTION = re.compile(r"^feedback_(up|down)$")


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_CHARS), verbatim=True))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_CHARS), verbatim=True)])


def _one_line(text: str) -> str:
    return escape(" ".join(text.split()))


def _name(source: SourceAnswer) -> str:
    return source.outlet or source.title or f"source {source.n}"


def _source_heading(source: SourceAnswer) -> str:
    """``*[n] <url|outlet — title>* · date · by author``, linked when the article has a plain http(s) URL."""
    name = escape(clip(source.outlet or source.title or "unknown outlet", 150))
    if source.outlet and source.title:
        name += " — " + escape(clip(source.title, 200))
    url = safe_url(source.url)
    heading = f"*[{source.n}] <{url}|{name}>*" if url else f"*[{source.n}] {name}*"
    if source.date:
        heading += f" · {escape(source.date[:40])}"
    if source.author:
        author = re.sub(r"^by\s+", "", " ".join(source.author.split()), flags=re.IGNORECASE)
        heading += f" · by {escape(clip(author, 120))}"
    return heading


def _claim(claim: Claim) -> str:
    text = f"“{_one_line(claim.text)}”"
    if claim.excerpt is not None:
        text += f" [{claim.excerpt}]"
    if claim.said_by:
        text += f" — {_one_line(claim.said_by)}"
    return text


def claims_line(source: SourceAnswer) -> str | None:
    """``*Claims:* “1902” [1] — the county clerk · …``: what the source answers, first in its block."""
    if not source.claims:
        return None
    return clip("*Claims:* " + " · ".join(_claim(c) for c in source.claims), CLAIMS_CHARS)


def _excerpt_line(excerpt: Excerpt) -> str:
    return f"> *[{excerpt.n}]* “{_one_line(excerpt.quote)}”"


def _source_sections(source: SourceAnswer) -> list[tuple[str, int]]:
    """The section texts (each within ``SECTION_CHARS``) of one source, with how many excerpts each holds."""
    head = "\n".join(t for t in (_source_heading(source), claims_line(source)) if t)
    continued = f"*[{source.n}] (continued)*"
    room = SECTION_CHARS - max(len(head), len(continued)) - 1
    out: list[tuple[str, int]] = []
    text, count = head, 0
    for excerpt in source.excerpts:
        line = clip(_excerpt_line(excerpt), room)
        if count and len(text) + 1 + len(line) > SECTION_CHARS:
            out.append((text, count))
            text, count = continued, 0
        text += "\n" + line
        count += 1
    out.append((text, count))
    return out


def _group_line(group: ClaimGroup, answer: Answer) -> str:
    """``• *1902*: Outlet A [1], Outlet B [3] — said by …``: one group of compatible claims and who gives it."""
    names = {s.n: _name(s) for s in answer.sources}
    owner = {e.n: s.n for s in answer.sources for e in s.excerpts}
    who = []
    for n in group.sources:
        refs = "".join(f"[{e}]" for e in group.excerpts if owner.get(e) == n)
        who.append(escape(names.get(n, f"source {n}")) + (f" {refs}" if refs else ""))
    line = f"• *{_one_line(group.value)}*"
    if group.entity:
        line += f" (about {_one_line(group.entity)})"
    line += ": " + ", ".join(who)
    if group.said_by:
        line += " — said by " + "; ".join(_one_line(s) for s in group.said_by)
    return line


def agreement_text(answer: Answer) -> str | None:
    """Who says what: the core's disagreement note (it names each side's sources and speakers), else one line
    per group of compatible claims when there is something to compare; None when there is not."""
    if answer.disagreement_note:
        return f":scales: {escape(answer.disagreement_note)}"
    groups = answer.groups
    if len(groups) > 1 or any(len(g.sources) > 1 for g in groups):
        return "\n".join(_group_line(g, answer) for g in groups)
    return None


def feedback_value(answer: Answer) -> str:
    """The button value: the question and the shown excerpts' ids as compact JSON within Slack's limit."""
    ids = answer_excerpt_ids(answer)
    data: dict[str, Any] = {"q": answer.question, "x": ids}
    if answer.standalone_question:
        data["s"] = answer.standalone_question

    def dump() -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    while len(dump()) > BUTTON_VALUE_CHARS and data["x"]:
        data["x"] = data["x"][:-1]
    for key in ("s", "q"):
        if len(dump()) > BUTTON_VALUE_CHARS and key in data:
            data[key] = data[key][: max(0, len(data[key]) - (len(dump()) - BUTTON_VALUE_CHARS) - 1)] + "…"
    return dump()


def parse_feedback_value(value: str | None) -> dict[str, Any]:
    """The button value back as ``{"question", "searched", "excerpt_ids"}`` (empty fields when unreadable)."""
    try:
        data = json.loads(value or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    ids = data.get("x")
    return {
        "question": str(data.get("q") or ""),
        "searched": str(data["s"]) if data.get("s") else None,
        "excerpt_ids": [str(i) for i in ids] if isinstance(ids, list) else [],
    }


def _feedback_block(answer: Answer) -> ActionsBlock:
    value = feedback_value(answer)

    def button(action: str, label: str, description: str) -> ButtonElement:
        return ButtonElement(text=PlainTextObject(text=label, emoji=True), action_id=f"feedback_{action}",
                             value=value, accessibility_label=description)

    return ActionsBlock(block_id="feedback",
                        elements=[button("up", "👍", "Helpful answer"), button("down", "👎", "Unhelpful answer")])


def _head(answer: Answer) -> list[Block]:
    head: list[Block] = []
    if answer.standalone_question:
        head.append(_context(f"_Searched for:_ {escape(answer.standalone_question)}"))
    if answer.answer:
        head.append(_section(escape(answer.answer).replace("**", "*")))
    head.append(_section(f"*{escape(answer.summary)}*" if answer.summary else "*Answer*"))
    agreement = agreement_text(answer)
    if agreement:
        head.append(_section(agreement))
    return head


def _missing_line(missing: list[SourceAnswer]) -> str:
    prefix = "Searched, but do not address the question: "
    labels: list[str] = []
    for i, source in enumerate(missing):
        label = escape(clip(source_label(source), 200))
        if len(prefix) + len("; ".join([*labels, label])) + 40 > SECTION_CHARS:
            labels.append(f"…and {len(missing) - i} more")
            break
        labels.append(label)
    return prefix + "; ".join(labels)


def _tail(answer: Answer) -> list[Block]:
    tail: list[Block] = []
    missing = [s for s in answer.sources if not s.covers]
    if missing:
        tail.append(_context(_missing_line(missing)))
    filters = filters_text(answer)
    if filters:
        tail.append(_context(escape(filters)))
    if answer.notices:
        tail.append(_context("\n".join(f"_note:_ {escape(n)}" for n in answer.notices)))
    tail.append(_feedback_block(answer))
    return tail


def _sources(answer: Answer, room_blocks: int) -> list[Block]:
    """One section per covering source (more for a long one) while they fit, then an "…and N more" line."""
    middle: list[Block] = []
    covering = answer.covering
    shown = chars = shown_sources = 0
    for source in covering:
        fits = True
        for text, count in _source_sections(source):
            if len(middle) >= room_blocks or (middle and chars + len(text) > MAX_BLOCK_TEXT_CHARS):
                fits = False
                break
            middle.append(_section(text))
            chars += len(text)
            shown += count
        if not fits:
            break
        shown_sources += 1
    hidden = sum(len(s.excerpts) for s in covering) - shown
    if hidden:
        more_sources = len(covering) - shown_sources
        where = f" from {more_sources} source(s)" if more_sources > 1 else ""
        middle.append(_context(
            f"…and {hidden} more excerpt{'s' if hidden != 1 else ''}{where} not shown here; "
            "ask a narrower question, or run `assistant ask` to see all of them."
        ))
    return middle


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """Block Kit for an answer, always within Slack's limits (≤ 50 blocks, section text ≤ 3000 chars).

    Order: a context line with the rewritten question that was searched (follow-ups), the LLM answer, the
    summary, the disagreement note with who says what, one section per covering source (outlet, title,
    date, byline, link; its claims; its quotes as Slack quotes with [n]), an "…and N more excerpts" line
    when some did not fit, the sources that do not cover the question, the date/outlet filters applied
    ("Filters: ..."), notes, and 👍/👎 buttons. Article text is escaped.
    """
    head, tail = _head(answer), _tail(answer)
    middle = _sources(answer, MAX_BLOCKS - len(head) - len(tail) - 1)  # one left for the "…and N more" line
    return [block.to_dict() for block in head + middle + tail]


def fallback_text(answer: Answer) -> str:
    """The message's notification text (and what a later turn reads back as this answer)."""
    text = answer.answer or answer.summary
    if not answer.answer and answer.excerpts:
        text += " " + " ".join(f"[{e.n}] “{e.quote}”" for e in answer.excerpts[:2])
    return escape(clip(text, FALLBACK_CHARS))
