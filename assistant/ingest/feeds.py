"""RSS and Atom feeds (told apart from pages by their content) -> the links of their entries.

Each entry brings what the page it links to may lack: its title, date and byline, and the feed's title
as the outlet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urljoin

from ..errors import IngestError
from .fetch import Fetched


@dataclass
class Entry:
    link: str
    meta: dict[str, Any] = field(default_factory=dict)  # title, date, author, outlet (the feed's title)

    @property
    def day(self) -> date | None:
        stated = self.meta.get("date")
        return date.fromisoformat(stated) if stated else None


def entries(feed: Fetched) -> list[Entry]:
    """The entries of a feed that link somewhere, in feed order."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(feed.body), response_headers={"content-location": feed.final_url})
    if parsed.get("bozo") and not parsed.entries:
        raise IngestError(feed.url, f"unreadable feed ({parsed.get('bozo_exception')})")
    outlet = parsed.feed.get("title") or None
    found = []
    for item in parsed.entries:
        link = item.get("link")
        if not link:
            continue
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        meta = {"title": item.get("title") or None, "author": item.get("author") or None, "outlet": outlet,
                "date": date(*stamp[:3]).isoformat() if stamp else None}
        found.append(Entry(urljoin(feed.final_url, link), {k: v for k, v in meta.items() if v}))
    return found


def since(found: list[Entry], day: date | None) -> tuple[list[Entry], int]:
    """The entries not dated before ``day`` (undated ones are kept), and how many were older."""
    if day is None:
        return found, 0
    kept = [e for e in found if e.day is None or e.day >= day]
    return kept, len(found) - len(kept)
