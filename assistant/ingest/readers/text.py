"""Plain text (``.txt``): an optional first line ``date YYYY-MM-DD``, then the article."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...errors import IngestError
from ...schema import Article
from ..meta import ReadContext, Source, parse_date

SUFFIXES = (".txt",)

_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*(?:\r?\n)?", re.IGNORECASE)


def read(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    body, meta = split_date_line(source, context.text(source))
    yield context.article(source, body, meta)


def split_date_line(source: Source, raw: str) -> tuple[str, dict[str, Any]]:
    meta: dict[str, Any] = {}
    match = _DATE_LINE.match(raw)
    if match:
        parsed = parse_date(match[1])
        if parsed is None:
            raise IngestError(source.path, f"first line 'date {match[1]}' is not a date; use 'date YYYY-MM-DD'")
        meta["date"] = parsed
        raw = raw[match.end():]
    if not raw.strip():
        raise IngestError(source.path, "empty article (no text after metadata)")
    return raw.strip(), meta
