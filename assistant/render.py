"""Render an ``Answer`` for a terminal: rich panels, or plain text for pipes and scripts."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from .schema import Answer, SourceAnswer


def source_label(source: SourceAnswer) -> str:
    parts = [source.outlet or "unknown outlet"]
    if source.title:
        parts.append(source.title)
    if source.date:
        parts.append(source.date)
    return " — ".join(parts)


def source_panel(source: SourceAnswer) -> Panel:
    body = Text()
    for i, ex in enumerate(source.excerpts):
        if i:
            body.append("\n")
        body.append(f"[{ex.n}] ", style="bold cyan")
        body.append(f"“{ex.quote}”")
    if source.url:
        body.append(f"\n{source.url}", style="dim underline")
    return Panel(body, title=f"[bold][{source.n}] {source_label(source)}[/bold]", title_align="left",
                 border_style="green")


def not_covering_line(answer: Answer) -> Text | None:
    missing = [s for s in answer.sources if not s.covers]
    if not missing:
        return None
    return Text("Searched, but do not address the question: " + "; ".join(source_label(s) for s in missing),
                style="dim")


def header(answer: Answer) -> list[RenderableType]:
    out: list[RenderableType] = []
    if answer.standalone_question:
        out.append(Text(f"searched: {answer.standalone_question}", style="dim italic"))
    return out


def footer(answer: Answer) -> list[RenderableType]:
    out: list[RenderableType] = []
    if answer.disagreement_note:
        out.append(Text(f"⚠ {answer.disagreement_note}", style="bold yellow"))
    line = not_covering_line(answer)
    if line is not None:
        out.append(line)
    for notice in answer.notices:
        out.append(Text(f"note: {notice}", style="yellow"))
    return out


def answer_renderable(answer: Answer) -> RenderableType:
    """The whole answer: LLM text (if any), the summary, a panel per covering source, then notes."""
    parts: list[RenderableType] = header(answer)
    if answer.answer:
        parts.append(Panel(Text(answer.answer), title="Answer", title_align="left", border_style="blue"))
    parts.append(Text(answer.summary, style="bold"))
    parts.extend(source_panel(s) for s in answer.covering)
    parts.extend(footer(answer))
    return Group(*parts)


def answer_text(answer: Answer) -> str:
    """Plain text, no colours: for pipes."""
    lines: list[str] = []
    if answer.standalone_question:
        lines.append(f"(searched: {answer.standalone_question})")
    if answer.answer:
        lines += [answer.answer, ""]
    lines.append(answer.summary)
    for s in answer.covering:
        lines.append(f"\n[{s.n}] {source_label(s)}" + (f" <{s.url}>" if s.url else ""))
        lines += [f"  [{e.n}] “{e.quote}”" for e in s.excerpts]
    if answer.disagreement_note:
        lines.append(f"\n! {answer.disagreement_note}")
    missing = [s for s in answer.sources if not s.covers]
    if missing:
        lines.append("Searched, but do not address the question: " + "; ".join(source_label(s) for s in missing))
    lines += [f"note: {n}" for n in answer.notices]
    return "\n".join(lines)
