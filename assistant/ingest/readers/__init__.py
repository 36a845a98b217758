"""Readers, one module per family of formats, found by file suffix (``.gz`` of each is read too).

A reader takes a :class:`~assistant.ingest.meta.Source` and yields its articles; a bad record of a
multi-record file is yielded as an ``IngestError`` and the others go on, a whole-file problem raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ...errors import IngestError
from ...schema import Article
from ..meta import ReadContext, Source
from . import html, markdown, pdf, records, text

Reader = Callable[[Source, ReadContext], Iterator[Article | IngestError]]

READERS: dict[str, Reader] = {
    **dict.fromkeys(text.SUFFIXES, text.read),
    **dict.fromkeys(markdown.SUFFIXES, markdown.read),
    **dict.fromkeys(html.SUFFIXES, html.read),
    **dict.fromkeys(pdf.SUFFIXES, pdf.read),
    ".json": records.read_json,
    ".jsonl": records.read_jsonl,
}
GZIP = ".gz"
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS) + tuple(s + GZIP for s in READERS)
_LONGEST_FIRST = tuple(sorted(SUPPORTED_SUFFIXES, key=len, reverse=True))
UNSUPPORTED = f"unsupported file type; use {', '.join(READERS)} (each also as .gz)"


def suffix_of(name: str) -> str:
    """The supported suffix ``name`` ends with (``.html.gz``), else its last suffix."""
    lower = name.lower()
    for suffix in _LONGEST_FIRST:
        if lower.endswith(suffix):
            return suffix
    return "." + lower.rsplit(".", 1)[-1] if "." in lower else ""


def reader_for(name: str) -> Reader | None:
    """The reader of a file name, compressed or not; None when no reader takes it."""
    suffix = suffix_of(name)
    return READERS.get(suffix.removesuffix(GZIP) if suffix.endswith(GZIP) else suffix)
