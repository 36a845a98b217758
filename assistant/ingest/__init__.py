"""Ingestion: discover -> decode -> read (a reader per suffix) -> chunk -> write, as ``Pipeline.run``.

- ``discover``: paths -> supported files (folders recursively), one reason for each that is not;
- ``fetch``, ``feeds``, ``links``: links -> kept local copies of pages (feeds expanded into entries);
- ``decode``: bytes -> text (size limit, gzip, UTF-8/UTF-16, binary refusal, stray control characters);
- ``readers``: one module per family (text, markdown, html, pdf, records), found by suffix;
- ``meta``: metadata -> ``Article`` (dates, bylines, stable ids, sidecars);
- ``chunk``: article -> chunks with offsets; ``pipeline``: the run, and the ``Writer`` that stores.

Errors are ``IngestError`` naming the file, record or link and the reason.
"""

from __future__ import annotations

from .chunk import chunk_article
from .discover import Discovered, discover
from .meta import ReadContext, Source, article_id_for, make_article, parse_date
from .pipeline import IngestReport, Pipeline, Progress, Writer, ingest_paths
from .read import FileResult, iter_file, iter_source, read_file
from .readers import SUPPORTED_SUFFIXES, suffix_of
from .readers.records import article_from_record

__all__ = [
    "SUPPORTED_SUFFIXES", "Discovered", "FileResult", "IngestReport", "Pipeline", "Progress", "ReadContext", "Source",
    "Writer", "article_from_record", "article_id_for", "chunk_article", "discover", "ingest_paths", "iter_file",
    "iter_source", "make_article", "parse_date", "read_file", "suffix_of",
]
