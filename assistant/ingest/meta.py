"""Metadata -> ``Article``: dates, bylines, stable ids, sidecar files, and what one read needs to know.

A date is stored only when the source states a whole one (year, month and day): "Monday 10:00PM" says
nothing about which Monday, and guessing one invents a date, often in the future.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..schema import Article
from . import decode
from .decode import strip_controls

SIDECAR_SUFFIX = ".meta.json"

# two defaults that share no field: a date parsed alike under both states its year, month and day itself
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_BY = re.compile(r"^by\s+", re.IGNORECASE)


@dataclass
class Source:
    """One file to read: a local file or the kept copy of a fetched page."""

    path: Path
    doc_key: str = ""  # where it came from: the file, or the link fetched; its article replaces an earlier one
    extra: dict[str, Any] = field(default_factory=dict)  # metadata the content may lack (sidecar, feed entry)

    def __post_init__(self) -> None:
        if not self.doc_key:
            self.doc_key = str(self.path.resolve())


@dataclass
class ReadContext:
    """What every reader of one run shares: the size limit of one article, and what was cleaned."""

    max_bytes: int
    today: date = field(default_factory=date.today)  # the ingest day: no page date found is later
    controls_removed: int = 0

    def text(self, source: Source) -> str:
        """The whole file as text; ``IngestError`` when it is over the limit, not text, or blank."""
        raw = decode.read_text(source.path, self.max_bytes)
        if not raw.strip():
            raise IngestError(source.path, "empty file")
        return raw

    def article(self, source: Source, text: str, meta: dict[str, Any], doc_key: str | None = None) -> Article:
        """An article from a reader's text and metadata; the source's extra metadata fills what ``meta`` lacks."""
        text, removed = strip_controls(text)
        self.controls_removed += removed
        merged = {**meta, **{k: v for k, v in source.extra.items() if k not in meta or not meta[k]}}
        return make_article(source.path, text.strip(), merged, doc_key or source.doc_key)


def parse_date(value: Any) -> str | None:
    """ISO date (YYYY-MM-DD) from values like '2023-03-06T10:00:00+00:00' or 'March 6, 2023'; None unless the
    value states year, month and day."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    match = _ISO.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    from dateutil import parser

    try:
        with warnings.catch_warnings():  # "EST" and the like: only the day is kept, so the zone does not matter
            warnings.simplefilter("ignore", parser.UnknownTimezoneWarning)
            first, second = (parser.parse(text, default=d, fuzzy=False).date() for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    return first.isoformat() if first == second else None


def clean(value: Any) -> str | None:
    """One line of metadata text; lists (several authors) joined with commas."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if v)
    text = " ".join(strip_controls(str(value))[0].split())
    return text or None


def byline(value: Any) -> str | None:
    """The author's name(s) as a byline states them, without a leading "By"."""
    text = clean(value)
    return (_BY.sub("", text) or None) if text else None


def article_id_for(text: str, meta: dict[str, Any]) -> str:
    """Stable id from the content: the same text and metadata always give the same id."""
    digest = hashlib.sha256()
    digest.update(text.encode("utf-8"))
    for key in ("title", "outlet", "date", "url"):
        digest.update(b"\x1f" + str(meta.get(key) or "").encode("utf-8"))
    if meta.get("author"):  # only when stated, so articles without a byline keep the ids they always had
        digest.update(b"\x1fauthor=" + str(meta["author"]).encode("utf-8"))
    return digest.hexdigest()[:16]


def make_article(path: Path, text: str, meta: dict[str, Any], doc_key: str) -> Article:
    if not text.strip():
        raise IngestError(doc_key, "empty article (no text)")
    fields = {
        "title": clean(meta.get("title")),
        "outlet": clean(meta.get("outlet") or meta.get("source") or meta.get("site_name")),
        "author": byline(meta.get("author") or meta.get("authors") or meta.get("byline")),
        "date": parse_date(meta.get("date") or meta.get("published_at") or meta.get("published")),
        "url": clean(meta.get("url") or meta.get("link")),
    }
    if not fields["outlet"]:
        fields["outlet"] = path.name
    return Article(id=article_id_for(text, fields), text=text, path=str(path), doc_key=doc_key, **fields)


def sidecar_path(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``story.meta.json`` for ``story.html`` (or ``story.html.gz``)."""
    name = path.name
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(name + SIDECAR_SUFFIX)


def read_sidecar(path: Path, suffixes: tuple[str, ...]) -> dict[str, Any]:
    sidecar = sidecar_path(path, suffixes)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise IngestError(sidecar, f"invalid metadata sidecar ({err})") from err
    if not isinstance(data, dict):
        raise IngestError(sidecar, "metadata sidecar must be a JSON object")
    return data
