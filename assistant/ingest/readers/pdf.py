"""PDF documents (``.pdf``) through pypdf: the text of every page, and title, author and date from the
document information."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ...errors import IngestError
from ...schema import Article
from .. import decode
from ..meta import ReadContext, Source

SUFFIXES = (".pdf",)


def read(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    data = decode.read_bytes(source.path, context.max_bytes)
    if not data.lstrip().startswith(b"%PDF"):
        raise IngestError(source.path, "not a PDF document (it does not start with %PDF)")
    pages, meta = _pages_and_info(source, data)
    body = "\n\n".join(page.strip() for page in pages if page.strip())
    if not body:
        raise IngestError(source.path, "no text in the PDF (a scanned document? run OCR on it first)")
    yield context.article(source, body, meta)


def _pages_and_info(source: Source, data: bytes) -> tuple[list[str], dict[str, Any]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(source.path, "the PDF is password-protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        meta = {} if info is None else {"title": info.title, "author": info.author, "date": _date(info)}
    except IngestError:
        raise
    except Exception as err:  # pypdf raises many types on a damaged file; all mean the same to a user
        raise IngestError(source.path, f"damaged or unreadable PDF ({type(err).__name__}: {err})") from err
    return pages, meta


def _date(info: Any) -> Any:
    try:
        return info.creation_date or info.modification_date
    except ValueError:  # a date field pypdf cannot parse: the document states no usable date
        return None
