"""Render an ``Answer`` for a terminal: rich panels, or plain text for pipes and scripts."""

from __future__ import annotations

from rich.console import RenderableType
from rich.panel import Panel
from rich.text import Text

from .schema import Answer, Article, SourceAnswer

ARTICLE_JSON_KEYS = ("id", "title", "outlet", "author", "date", "url", "path", "text")


def source_label(source: SourceAnswer) -> str:
    parts = [source.outlet or "unknown outlet"]
    if source.title:
        parts.append(source.title)
    if source.author:
        parts.append(f"by {source.author}")
    if source.date:
        parts.append(source.date)
    return " — ".join(parts)


def article_json(article: Article) -> dict[str, str | None]:
    """The ``assistant show --json`` object."""
    return {key: getattr(article, key) for key in ARTICLE_JSON_KEYS}


def article_text(article: Article) -> str:
    """One stored article as plain text: its metadata, one field a line, then the full text."""
    fields = [(key, getattr(article, key)) for key in ARTICLE_JSON_KEYS if key != "text"]
    head = [f"{key + ':':<8} {value}" for key, value in fields if value]
    return "\n".join(head) + "\n\n" + article.text


def claims_text(source: SourceAnswer) -> str | None:
    """ "Says: “had not been informed” (Arab officials) [5] · ..." : what the source answers, first."""
    if not source.claims:
        return None
    parts = [f"“{c.text}”" + (f" ({c.said_by})" if c.said_by else "") + (f" [{c.excerpt}]" if c.excerpt else "")
             for c in source.claims]
    return "Says: " + " · ".join(parts)


def source_panel(source: SourceAnswer) -> Panel:
    body = Text()
    claims = claims_text(source)
    if claims:
        body.append(claims + "\n", style="bold")
    for i, ex in enumerate(source.excerpts):
        if i:
            body.append("\n")
        body.append(f"[{ex.n}] ", style="bold cyan")
        body.append(f"“{ex.quote}”")
    if source.url:
        body.append(f"\n{source.url}", style="dim underline")
    return Panel(body, title=f"[bold][{source.n}] {source_label(source)}[/bold]", title_align="left",
                 border_style="green")


def not_covering_text(answer: Answer) -> str | None:
    """The line naming the sources searched that do not cover the question; None when all of them do."""
    missing = [s for s in answer.sources if not s.covers]
    if not missing:
        return None
    return "Searched, but do not address the question: " + "; ".join(source_label(s) for s in missing)


def filters_text(answer: Answer) -> str | None:
    """The line ``Filters: outlet: CNN; date: ...`` listing the date/outlet filters applied; None when none were."""
    return "Filters: " + "; ".join(answer.filters) if answer.filters else None


def dim_lines(answer: Answer) -> list[str]:
    """The quiet lines after the sources: the sources that miss the question, then the filters applied."""
    return [text for text in (not_covering_text(answer), filters_text(answer)) if text is not None]


def footer(answer: Answer) -> list[RenderableType]:
    """What follows the sources: the disagreement note, the sources that miss the question, filters, notes."""
    out: list[RenderableType] = []
    if answer.disagreement_note:
        out.append(Text(f"⚠ {answer.disagreement_note}", style="bold yellow"))
    out += [Text(text, style="dim") for text in dim_lines(answer)]
    for notice in answer.notices:
        out.append(Text(f"note: {notice}", style="yellow"))
    return out


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
        claims = claims_text(s)
        if claims:
            lines.append(f"  {claims}")
        lines += [f"  [{e.n}] “{e.quote}”" for e in s.excerpts]
    if answer.disagreement_note:
        lines.append(f"\n! {answer.disagreement_note}")
    lines += dim_lines(answer)
    lines += [f"note: {n}" for n in answer.notices]
    return "\n".join(lines)
