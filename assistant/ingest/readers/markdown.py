"""Markdown (``.md``, ``.markdown``): optional YAML front matter, else the first ``# heading`` as the title."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...errors import IngestError
from ...schema import Article
from ..meta import ReadContext, Source

SUFFIXES = (".md", ".markdown")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"#\s+(.+)")


def read(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    body, meta = split_front_matter(source, context.text(source))
    if not body:
        raise IngestError(source.path, "empty article (no text after metadata)")
    yield context.article(source, body, meta)


def split_front_matter(source: Source, raw: str) -> tuple[str, dict[str, Any]]:
    import yaml

    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            loaded = yaml.safe_load(match[1] or "") or {}
        except yaml.YAMLError as err:
            raise IngestError(source.path, f"invalid YAML front matter ({str(err).splitlines()[0]})") from err
        if not isinstance(loaded, dict):
            raise IngestError(source.path, "YAML front matter must be a mapping of key: value")
        meta = loaded
        raw = raw[match.end():]
    body = raw.strip()
    if not meta.get("title"):
        heading = _HEADING.match(body)
        if heading:
            meta["title"] = heading[1].strip()
    return body, meta
