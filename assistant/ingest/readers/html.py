"""Web pages (``.html``, ``.htm``): main text and metadata through trafilatura.

trafilatura finds the story among menus, share buttons, "Most popular" lists and newsletter prompts,
and reads title, byline, date (htmldate, never after the ingest day), site name and canonical link.
It runs twice: in precision mode, which drops more boilerplate (junk in a body gets quoted as an
excerpt), and in its default mode; when precision mode keeps under a quarter of what the default keeps,
it lost the story and the default text is used. The BeautifulSoup reader is used only when trafilatura
returns no text at all; the debug log says which one read each page.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ...errors import IngestError
from ...schema import Article
from .. import decode
from ..meta import ReadContext, Source
from . import html_fallback

SUFFIXES = (".html", ".htm")
INERT = ["//template"]  # markup a browser never shows, which trafilatura would keep as text
PRECISION_KEEPS = 0.25  # precision text shorter than this share of the default text: precision lost the story

log = logging.getLogger(__name__)

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    raw = decode_page(source, context.max_bytes)
    if not raw.strip():
        raise IngestError(source.path, "empty file")
    body, meta, reader = extract(raw, url=source.extra.get("url"), today=context.today)
    log.debug("%s: read by %s", source.doc_key, reader)
    if not body.strip():
        raise IngestError(source.path, "empty article (no text after metadata)")
    yield context.article(source, body, meta)


def decode_page(source: Source, max_bytes: int) -> str:
    """The page as text: UTF-8 or UTF-16 first, else the charset the page declares."""
    data = decode.read_bytes(source.path, max_bytes)
    declared = _CHARSET.search(data[:4096])
    encoding = declared[1].decode("ascii") if declared else None
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = None
    return decode.decode_bytes(source.path, data, fallback_encoding=encoding)


def extract(raw: str, *, url: str | None = None, today: date | None = None) -> tuple[str, dict[str, Any], str]:
    """(body text, metadata, which reader) of one page."""
    params = _date_params(today or date.today())
    found = _trafilatura(raw, url, params)
    if found is not None:
        return found[0], found[1], "trafilatura"
    body, fallback_meta = html_fallback.extract(raw)
    meta = _fields(_metadata_only(raw, url, params))
    meta.update({k: v for k, v in fallback_meta.items() if v and not meta.get(k)})
    return body, meta, "the fallback reader (trafilatura found no text)"


def _date_params(today: date) -> dict[str, Any]:
    return {"extensive_search": True, "original_date": True, "max_date": today.isoformat()}


def _quiet() -> None:
    """trafilatura and htmldate log a warning for each page they find little in; that is our fallback's cue."""
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _trafilatura(raw: str, url: str | None, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    import trafilatura

    _quiet()
    runs = {
        precise: trafilatura.bare_extraction(raw, url=url, with_metadata=True, include_comments=False,
                                             favor_precision=precise, date_extraction_params=params,
                                             prune_xpath=INERT)
        for precise in (True, False)
    }
    texts = {precise: (getattr(doc, "text", None) or "").strip() for precise, doc in runs.items()}
    if not texts[True] and not texts[False]:
        return None
    precise = len(texts[True]) >= PRECISION_KEEPS * len(texts[False])
    return texts[precise], _fields(runs[precise] or runs[not precise])


def _metadata_only(raw: str, url: str | None, params: dict[str, Any]) -> Any:
    import trafilatura

    _quiet()
    try:
        return trafilatura.extract_metadata(raw, default_url=url, date_config=params)
    except (ValueError, TypeError):  # a page lxml cannot parse at all
        return None


def _fields(doc: Any) -> dict[str, Any]:
    """Our metadata names for a trafilatura document's fields (site name is the outlet)."""
    if doc is None:
        return {}
    site = doc.sitename
    if site and doc.url and site.lower() in _hosts(doc.url):
        site = None  # made from the link, not stated by the page: a feed's title or a sidecar says more
    return {"title": doc.title, "author": doc.author, "date": doc.date, "outlet": site, "url": doc.url}


def _hosts(url: str) -> set[str]:
    host = (urlsplit(url).netloc or "").lower()
    return {host, host.removeprefix("www.")}
