"""Links given to ``ingest`` -> sources to read: a page kept from an earlier run is read again without a
download; a feed is fetched each time and its new entries' pages are fetched and kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import IngestError
from . import feeds
from .fetch import Fetched, Fetcher
from .meta import Source


@dataclass
class Resolved:
    sources: list[Source] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    older: int = 0  # feed entries skipped by --since


def resolve(links: Iterable[str], fetcher: Fetcher, since: date | None = None,
            on_fetch: Callable[[str], None] | None = None) -> Resolved:
    """The sources of every link; each link that fails is one error and the others go on."""
    out = Resolved()
    for link in dict.fromkeys(links):
        try:
            _resolve_one(link, fetcher, since, on_fetch, out)
        except IngestError as err:
            out.errors.append(err)
    return out


def _resolve_one(link: str, fetcher: Fetcher, since: date | None, on_fetch: Callable[[str], None] | None,
                 out: Resolved) -> None:
    kept = fetcher.kept(link)
    if kept is not None:
        out.sources.append(Source(kept, doc_key=link))
        return
    if on_fetch:
        on_fetch(link)
    fetched = fetcher.get(link)
    if not fetched.is_feed:
        out.sources.append(Source(_keep(fetcher, fetched, {}), doc_key=link))
        return
    entries, older = feeds.since(feeds.entries(fetched), since)
    out.older += older
    for entry in entries:
        try:
            out.sources.append(Source(_entry_page(fetcher, entry, on_fetch), doc_key=entry.link))
        except IngestError as err:
            out.errors.append(err)


def _entry_page(fetcher: Fetcher, entry: feeds.Entry, on_fetch: Callable[[str], None] | None) -> Path:
    kept = fetcher.kept(entry.link)
    if kept is not None:
        return kept
    if on_fetch:
        on_fetch(entry.link)
    fetched = fetcher.get(entry.link)
    if fetched.is_feed:
        raise IngestError(entry.link, "a feed entry that links to another feed, not to a page; skipped")
    return _keep(fetcher, fetched, entry.meta)


def _keep(fetcher: Fetcher, fetched: Fetched, meta: dict[str, Any]) -> Path:
    try:
        return fetcher.keep(fetched, meta)
    except OSError as err:
        raise IngestError(fetched.url, f"cannot keep the page under {fetcher.folder} ({err.strerror or err})") from err
