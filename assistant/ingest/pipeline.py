"""Sources -> articles -> chunks -> the store: ``Pipeline.run(sources, progress)``.

Local paths are discovered, links fetched (feeds expanded into their entries), each source read by the
reader its suffix names, articles chunked and handed to the :class:`Writer`, the one place that writes.
A source that fails is reported and skipped; nothing stored before is touched by a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import IngestError
from ..schema import Article, Chunk
from . import links
from .chunk import chunk_article
from .discover import discover
from .fetch import Fetcher, is_link
from .meta import ReadContext, Source
from .read import iter_source

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from ..corpus import Corpus

Pending = tuple[Article, list[Chunk], list[str]]  # an article, its chunks, the ids of the versions it replaces


@dataclass
class Progress:
    """Callbacks of one run: the number of sources, each source read, each batch written, each download."""

    on_start: Callable[[int], None] | None = None
    on_file: Callable[[Path, int], None] | None = None
    on_chunks: Callable[[int], None] | None = None
    on_fetch: Callable[[str], None] | None = None


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks: int = 0
    errors: list[IngestError] = field(default_factory=list)
    controls_removed: int = 0  # stray control characters dropped from the texts
    fetched: int = 0  # downloads made (pages and feeds)
    older: int = 0  # feed entries skipped by --since

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        text = (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.failed} failed; {self.chunks} chunks written")
        extras = [(self.fetched, "downloaded"), (self.older, "feed entries older than --since skipped"),
                  (self.controls_removed, "stray control characters removed")]
        return "; ".join([text] + [f"{n:,} {what}" for n, what in extras if n])


class Writer:
    """Where ingestion writes: embeds queued articles in wide batches and hands them to the ``Corpus``,
    which stores chunks and records, drops the versions they replace, and keeps the keyword index along."""

    def __init__(self, corpus: Corpus, embeddings: Embeddings, settings: Settings) -> None:
        self.corpus = corpus
        self.embeddings = embeddings
        self.flush_at = max(64, settings.embed_batch_size * 4)  # wide batches sort by length better: less padding
        self.pending: list[Pending] = []
        self.pending_chunks = 0

    def stored(self, article: Article) -> tuple[bool, list[str]]:
        """Whether this version is stored already, and the ids of other versions from the same source."""
        previous = self.corpus.ids_for_key(article.doc_key)
        stale = [i for i in previous if i != article.id]
        return article.id in previous or bool(self.corpus.existing_ids([article.id])), stale

    def delete(self, article_ids: Sequence[str]) -> None:
        self.corpus.delete(article_ids)

    def add(self, article: Article, chunks: list[Chunk], replaces: list[str]) -> list[Pending]:
        """Queue an article; the batch written when the queue is full (else nothing)."""
        self.pending.append((article, chunks, replaces))
        self.pending_chunks += len(chunks)
        return self.flush() if self.pending_chunks >= self.flush_at else []

    def flush(self) -> list[Pending]:
        """Embed and write what is queued: all chunks, then all records (a crash in between leaves no half
        article), then the versions replaced go. Returns what was written."""
        from ..embed import encode

        batch, self.pending, self.pending_chunks = self.pending, [], 0
        texts = [c.text for _, chunks, _ in batch for c in chunks]
        vectors = encode(self.embeddings, texts) if texts else []
        rows, offset = [], 0
        for article, chunks, _ in batch:
            rows.append((article, chunks, vectors[offset:offset + len(chunks)]))
            offset += len(chunks)
        self.corpus.add(rows, replacing=[old for _, _, replaces in batch for old in replaces])
        return batch

    def close(self) -> list[Pending]:
        written = self.flush() if self.pending else []
        self.corpus.commit()
        return written


class Pipeline:
    """Reads sources (paths and links) into articles and writes them through a :class:`Writer`."""

    def __init__(self, settings: Settings, writer: Writer, fetcher: Fetcher | None = None,
                 today: date | None = None) -> None:
        self.settings = settings
        self.writer = writer
        self.fetcher = fetcher
        self.today = today or date.today()

    def run(self, sources: Sequence[Path | str], progress: Progress | None = None, *,
            since: date | None = None) -> IngestReport:
        """Ingest every supported file under the paths and every page (or feed entry) of the links."""
        self._progress = progress or Progress()
        report = IngestReport()
        context = ReadContext(int(self.settings.max_file_mb * 1_000_000), self.today)
        items = self._sources(sources, since, report)
        if self._progress.on_start:
            self._progress.on_start(len(items))
        seen: set[str] = set()
        for source in items:
            n_articles = 0
            for article in _articles(source, context, report.errors):
                n_articles += 1
                self._take(article, seen, report)
            if self._progress.on_file:
                self._progress.on_file(source.path, n_articles)
        self._count(self.writer.close(), report)
        report.controls_removed = context.controls_removed
        return report

    def _sources(self, sources: Sequence[Path | str], since: date | None, report: IngestReport) -> list[Source]:
        wanted = [s for s in sources if isinstance(s, str) and is_link(s)]
        found = discover([Path(s) for s in sources if not (isinstance(s, str) and is_link(s))])
        report.errors.extend(found.errors)
        items = [Source(f) for f in found.files]
        if wanted:
            fetcher = self.fetcher or Fetcher(self.settings)
            try:
                resolved = links.resolve(wanted, fetcher, since, self._progress.on_fetch)
            finally:
                if self.fetcher is None:
                    fetcher.close()
            items += resolved.sources
            report.errors.extend(resolved.errors)
            report.fetched, report.older = fetcher.fetched, resolved.older
        return items

    def _take(self, article: Article, seen: set[str], report: IngestReport) -> None:
        if article.id in seen:
            report.unchanged += 1
            return
        seen.add(article.id)
        stored, stale = self.writer.stored(article)
        if stored:
            self.writer.delete(stale)  # a crash mid-update may have left the old version behind
            report.unchanged += 1
            return
        chunks = chunk_article(article, self.settings.chunk_chars, self.settings.chunk_overlap_chars)
        if not chunks:
            report.errors.append(IngestError(article.doc_key, "no text to index"))
            return
        self._count(self.writer.add(article, chunks, stale), report)

    def _count(self, written: list[Pending], report: IngestReport) -> None:
        if not written:
            return
        n_chunks = 0
        for _, chunks, replaces in written:
            n_chunks += len(chunks)
            if replaces:
                report.updated += 1
            else:
                report.added += 1
        report.chunks += n_chunks
        if self._progress.on_chunks:
            self._progress.on_chunks(n_chunks)


def _articles(source: Source, context: ReadContext, errors: list[IngestError]) -> Iterator[Article]:
    """The articles of one source as they are read; its errors go to ``errors``."""
    try:
        for item in iter_source(source, context):
            if isinstance(item, IngestError):
                errors.append(item)
            else:
                yield item
    except IngestError as err:
        errors.append(err)


def ingest_paths(
    paths: Sequence[Path | str], corpus: Corpus, embeddings: Embeddings, settings: Settings, *,
    since: date | None = None, progress: Progress | None = None,
) -> IngestReport:
    """Read, chunk, embed and store every supported file under ``paths`` and every page of the links among
    them, telling ``progress`` (its ``on_start``, ``on_file``, ``on_chunks``, ``on_fetch``) how far it got."""
    pipeline = Pipeline(settings, Writer(corpus, embeddings, settings))
    return pipeline.run(paths, progress, since=since)
