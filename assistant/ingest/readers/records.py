"""Article records: ``.json`` (one object, a list, or ``{"articles": [...]}``) and ``.jsonl`` (one a line).

A JSONL feed is streamed: one pass checks its encoding without keeping the text, then records are read
line by line, so memory does not grow with the file and the size limit applies to each record, not to
the feed. A JSON file is parsed whole, so the limit applies to the file (use JSONL for large feeds).
A bad record is reported by its line (or position) and the others go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import IngestError
from ...schema import Article
from .. import decode
from ..meta import ReadContext, Source

SUFFIXES = (".json", ".jsonl")
BODY_KEYS = ("body", "text", "content")


def article_from_record(
    path: Path, where: str, record: Any, sidecar: dict[str, Any] | None = None, *,
    context: ReadContext | None = None, key_base: str | None = None,
) -> Article:
    """The article ``assistant ingest`` makes of one record of ``path`` (``where`` names it in errors).

    The same record always gives the same article, and so the same id, as an ingest of the file does.
    """
    if not isinstance(record, dict):
        raise IngestError(where, "record is not a JSON object")
    body = next((record[k] for k in BODY_KEYS if record.get(k)), None)
    if not isinstance(body, str) or not body.strip():
        raise IngestError(where, "record has no 'body' text")
    meta = {k: v for k, v in record.items() if v not in (None, "")}
    key = record.get("url") or record.get("id") or where.rsplit(":", 1)[-1]
    source = Source(path, key_base or "", dict(sidecar or {}))
    return (context or ReadContext(max_bytes=0)).article(source, body, meta, doc_key=f"{source.doc_key}#{key}")


def _record_article(source: Source, context: ReadContext, where: str, record: Any) -> Article | IngestError:
    try:
        return article_from_record(source.path, where, record, source.extra, context=context,
                                   key_base=source.doc_key)
    except IngestError as err:
        return err


def read_jsonl(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    encoding = decode.stream_encoding(source.path)
    limit_mb = context.max_bytes / 1e6
    try:
        for lineno, line in enumerate(decode.lines(source.path, encoding, context.max_bytes), start=1):
            where = f"{source.path}:{lineno}"
            if line is None:
                yield IngestError(where, f"record is over the {limit_mb:g} MB limit (raise ASSISTANT_MAX_FILE_MB)")
            elif line.strip():
                try:
                    record = json.loads(line, strict=False)  # raw control characters are removed, not fatal
                except json.JSONDecodeError as err:
                    yield IngestError(where, f"malformed JSON line ({err.msg})")
                    continue
                yield _record_article(source, context, where, record)
    except (OSError, EOFError, UnicodeDecodeError) as err:  # changed or removed since the first pass
        yield IngestError(source.path, f"cannot read file ({err})")


def read_json(source: Source, context: ReadContext) -> Iterator[Article | IngestError]:
    raw = context.text(source)
    try:
        data = json.loads(raw, strict=False)
    except json.JSONDecodeError as err:
        raise IngestError(source.path, f"malformed JSON (line {err.lineno}, column {err.colno}: {err.msg})") from err
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise IngestError(source.path, "JSON must be an article object or a list of article objects")
    results = [_record_article(source, context, f"{source.path}:{i}", r) for i, r in enumerate(data, start=1)]
    if len(results) == 1 and isinstance(results[0], IngestError):
        raise results[0]  # a file of one bad record is a bad file
    yield from results
