"""The ingest progress bar that ``assistant ingest``, ``assistant demo`` and the chat's ``/ingest`` share: files
read, chunks written and their rate, the link being fetched; then a line per skipped source and the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .answer import Assistant, IngestProgress


def ingest_with_progress(assistant: Assistant, paths: Sequence[Path | str], console: Console, *,
                         quiet: bool = False, since: date | None = None) -> int:
    """Ingest files, folders and links into ``assistant``'s store with a progress bar on ``console`` (none
    when ``quiet``), then print what was skipped and the report; the exit status (1 when a source was skipped)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[chunks]}"), TextColumn("{task.fields[name]}"), console=console,
                  transient=True, disable=quiet) as bar:
        task = bar.add_task("ingest", total=None, name="", chunks="")
        report = assistant.ingest(paths, bar_progress(bar, task), since=since)
    for e in report.errors:
        console.print(f"[yellow]skipped[/yellow] {e}")
    console.print(f"Ingested into {assistant.location}: {report.summary()}")
    return 1 if report.errors else 0


def bar_progress(bar: Progress, task: TaskID) -> IngestProgress:
    """The ingest callbacks that move ``task`` of ``bar``: sources read of the total, the chunks written so far
    and their rate, the file read or the link fetched."""
    from .answer import IngestProgress

    written, started = 0, time.monotonic()

    def on_start(total: int) -> None:
        bar.update(task, total=total)

    def on_file(path: Path, n: int) -> None:
        bar.update(task, advance=1, name=path.name[-40:])

    def on_fetch(url: str) -> None:
        bar.update(task, name=f"fetching {url[-60:]}")

    def on_chunks(n: int) -> None:  # after each embedded and written batch
        nonlocal written
        written += n
        rate = written / max(time.monotonic() - started, 1e-6)
        bar.update(task, chunks=f"{written:,} chunks, {rate:,.{0 if rate >= 10 else 1}f}/s")

    return IngestProgress(on_start=on_start, on_file=on_file, on_chunks=on_chunks, on_fetch=on_fetch)
