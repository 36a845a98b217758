"""One file -> its articles, through the reader its suffix names, with its sidecar metadata."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IngestError
from ..schema import Article
from .meta import ReadContext, Source, read_sidecar
from .readers import SUPPORTED_SUFFIXES, UNSUPPORTED, reader_for


@dataclass
class FileResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def iter_source(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    """The articles (and bad records) of one source as they are read; a whole-file problem raises before
    anything is yielded."""
    reader = reader_for(source.path.name)
    if reader is None:
        raise IngestError(source.path, UNSUPPORTED)
    source.extra = {**read_sidecar(source.path, SUPPORTED_SUFFIXES), **source.extra}
    yield from reader(source, context)


def iter_file(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """:func:`iter_source` of a local file."""
    yield from iter_source(Source(path), ReadContext(max_bytes))


def read_file(path: Path, max_bytes: int) -> FileResult:
    """Read one file into articles. A whole-file problem raises; a bad record is reported in ``errors``."""
    result = FileResult()
    for item in iter_file(path, max_bytes):
        (result.errors if isinstance(item, IngestError) else result.articles).append(item)  # type: ignore[arg-type]
    return result
