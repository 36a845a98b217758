"""The bad-input matrix of ingestion: each case gives one clear line naming the file and the reason,
the other files of the same run are ingested, and nothing stored before is lost.

(Binary with a .txt name, plain Latin-1, an empty file, malformed JSON and unsupported types are in
tests/test_ingest.py; they appear again here only in the console-script run of the whole matrix.)
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.errors import IngestError
from assistant.ingest import IngestReport, read_file
from tests.helpers import write

EARLIER = "Harbor City council approved the ferry timetable after a long debate about the night service."
GOOD = "The library reopened on Monday after repairs to the roof, the city said in a statement."
BODY = "The council voted on Tuesday to approve the tram line. Residents said they were consulted."


def texts(assistant: Assistant) -> set[str]:
    store = assistant.store()
    ids = [a.id for a, _ in store.list_articles()]
    return {a.text for a in store.get_articles(ids).values()}


def ingest_beside_good_file(assistant: Assistant, tmp_path: Path, bad: dict[str, str | bytes]) -> IngestReport:
    """Ingest an earlier article, then the bad files next to a good one; check the good and the earlier."""
    write(tmp_path / "earlier" / "ferry.txt", EARLIER)
    assert assistant.ingest([tmp_path / "earlier"]).added == 1
    chunks_before = assistant.store().count_chunks()
    folder = tmp_path / "batch"
    for name, content in bad.items():
        write(folder / name, content)
    write(folder / "good.txt", GOOD)
    report = assistant.ingest([folder])
    assert {EARLIER, GOOD} <= texts(assistant), "the good file is ingested and the earlier article kept"
    assert assistant.store().count_chunks() >= chunks_before + 1
    for err in report.errors:
        assert "\n" not in str(err), "one line per problem"
    return report


def only_error(report: IngestReport, name: str, reason: str) -> IngestError:
    assert len(report.errors) == 1, [str(e) for e in report.errors]
    err = report.errors[0]
    assert name in err.path and reason in str(err), str(err)
    return err


# --- encodings -------------------------------------------------------------------------------------


def test_latin1_and_cp1252_text_is_refused_with_the_fix(assistant: Assistant, tmp_path: Path) -> None:
    report = ingest_beside_good_file(assistant, tmp_path, {
        "latin1.txt": f"{BODY} Café owners agreed.".encode("latin-1"),
        "cp1252.txt": "The mayor said \u201cwe listened\u201d \u2014 twice.".encode("cp1252"),
    })
    assert sorted(Path(e.path).name for e in report.errors) == ["cp1252.txt", "latin1.txt"]
    for err in report.errors:
        assert "not UTF-8 text (bad byte 0x" in str(err) and "re-save it as UTF-8" in str(err)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_is_decoded(assistant: Assistant, tmp_path: Path, encoding: str) -> None:
    text = f"date 2024-03-05\n{BODY} Zoë Müller, 62, agreed."
    report = ingest_beside_good_file(assistant, tmp_path, {"wide.txt": text.encode(encoding)})
    assert report.errors == [] and report.added == 2
    article = next(a for a in read_file(tmp_path / "batch" / "wide.txt", 10**6).articles)
    assert article.text == f"{BODY} Zoë Müller, 62, agreed." and article.date == "2024-03-05"
    assert article.text in texts(assistant)


def test_utf8_bom_is_dropped_before_date_line_and_front_matter(assistant: Assistant, tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    report = ingest_beside_good_file(assistant, tmp_path, {
        "bom.txt": bom + f"date 2024-01-02\n{BODY}".encode(),
        "bom.md": bom + f"---\ntitle: Tram vote\n---\n{BODY} Second copy.".encode(),
        "bom.json": bom + json.dumps({"title": "J", "body": f"{BODY} Third copy."}).encode(),
    })
    assert report.errors == [] and report.added == 4
    txt = read_file(tmp_path / "batch" / "bom.txt", 10**6).articles[0]
    md = read_file(tmp_path / "batch" / "bom.md", 10**6).articles[0]
    assert txt.date == "2024-01-02" and txt.text == BODY
    assert md.title == "Tram vote" and not md.text.startswith("\ufeff")
    assert not any(t.startswith("\ufeff") for t in texts(assistant))


def test_whitespace_only_file_is_reported_empty(assistant: Assistant, tmp_path: Path) -> None:
    report = ingest_beside_good_file(assistant, tmp_path, {"blank.txt": " \n\t\r\n   \n", "blank.md": "---\n---\n  \n"})
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert reasons["blank.txt"] == "empty file"
    assert "empty" in reasons["blank.md"]
    assert report.added == 1


# --- size ------------------------------------------------------------------------------------------


def test_50_mb_file_is_refused_by_the_configurable_limit_without_reading_it(
    assistant: Assistant, tmp_path: Path
) -> None:
    big = tmp_path / "big" / "huge.txt"
    big.parent.mkdir()
    line = (BODY + "\n").encode()
    with big.open("wb") as fh:
        for _ in range(50_000_000 // len(line) + 1):
            fh.write(line)
    assert big.stat().st_size > 50_000_000
    max_bytes = int(assistant.settings.max_file_mb * 1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as refused:
            read_file(big, max_bytes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"refusing the file allocated {peak} bytes"
    assert "over the 20 MB limit (raise ASSISTANT_MAX_FILE_MB)" in str(refused.value)
    ingest_beside_good_file(assistant, tmp_path, {})
    report = assistant.ingest([big, tmp_path / "batch" / "good.txt"])
    only_error(report, "huge.txt", "MB limit")
    assert report.unchanged == 1


def test_size_limit_comes_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embeddings: Any) -> None:
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.01")
    settings = Settings(store_dir=tmp_path / "store", _env_file=None)
    assert settings.max_file_mb == 0.01
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    report = ingest_beside_good_file(assistant, tmp_path, {"long.txt": (BODY + "\n") * 200})
    only_error(report, "long.txt", "file is 0.0 MB, over the 0.01 MB limit (raise ASSISTANT_MAX_FILE_MB)")
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "1")
    bigger = Assistant(Settings(store_dir=tmp_path / "store", _env_file=None),
                       embeddings=embeddings, use_llm=False)
    report = bigger.ingest([tmp_path / "batch"])
    assert report.errors == [] and report.added == 1


def test_gzip_that_decompresses_past_the_limit_is_refused_not_truncated(
    assistant: Assistant, tmp_path: Path
) -> None:
    """A .json.gz bomb (read whole): small on disk, huge inflated. It must not be half-ingested."""
    records = json.dumps([{"title": "T", "body": BODY} for _ in range(2000)])
    bomb = write(tmp_path / "bomb" / "many.json.gz", gzip.compress(records.encode()))
    max_bytes = 2_000  # the records take about 234 KB inflated
    assert bomb.stat().st_size < max_bytes < len(records) / 20
    with pytest.raises(IngestError) as refused:
        read_file(bomb, max_bytes)
    assert "decompresses to over" in str(refused.value) and "ASSISTANT_MAX_FILE_MB" in str(refused.value)
    html = write(tmp_path / "bomb" / "page.html.gz", gzip.compress(f"<p>{BODY}</p>".encode() * 200))
    with pytest.raises(IngestError, match="decompresses to over"):
        read_file(html, max_bytes)


def test_a_jsonl_feed_over_the_limit_is_streamed_whole_and_the_limit_is_per_record(tmp_path: Path) -> None:
    """A streamed feed is not refused for its size: every record is read, and only a record over the
    limit is refused, in one line naming its line number."""
    lines = [json.dumps({"title": f"T{i}", "body": f"{BODY} Record {i}."}) for i in range(2000)]
    lines[7] = json.dumps({"title": "Huge", "body": "word " * 1000})
    feed = write(tmp_path / "feed" / "many.jsonl.gz", gzip.compress("\n".join(lines).encode()))
    max_bytes = 2_000
    assert feed.stat().st_size < max_bytes * 20 < sum(map(len, lines))
    result = read_file(feed, max_bytes)
    assert len(result.articles) == 1999
    assert [str(e) for e in result.errors] == [f"{feed}:8: record is over the 0.002 MB limit (raise "
                                               "ASSISTANT_MAX_FILE_MB)"]


# --- structured files ------------------------------------------------------------------------------


def test_jsonl_bad_line_is_reported_by_number_and_good_lines_ingested(assistant: Assistant, tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "One", "body": "The first record is about the harbour cranes."}),
        '{"title": "Two", "body": "cut off',
        "",
        json.dumps({"title": "Three", "body": "The third record is about the night ferry."}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Five", "body": "   "}),
    ]
    report = ingest_beside_good_file(assistant, tmp_path, {"feed.jsonl": "\n".join(lines) + "\n"})
    assert report.added == 3
    messages = sorted(str(e) for e in report.errors)
    assert len(messages) == 3
    assert any("feed.jsonl:2: malformed JSON line (Unterminated string" in m for m in messages)
    assert any("feed.jsonl:5: record is not a JSON object" in m for m in messages)
    assert any("feed.jsonl:6: record has no 'body' text" in m for m in messages)
    assert {"The first record is about the harbour cranes.",
            "The third record is about the night ferry."} <= texts(assistant)


def test_json_list_with_one_bad_record_keeps_the_others(assistant: Assistant, tmp_path: Path) -> None:
    records = [{"title": "A", "body": "Record A is about the new bridge."}, {"title": "B"},
               {"title": "C", "body": "Record C is about the old bridge."}]
    report = ingest_beside_good_file(assistant, tmp_path, {"list.json": json.dumps(records)})
    only_error(report, "list.json:2", "record has no 'body' text")
    assert report.added == 3


def test_html_scripts_styles_and_comments_are_stripped(assistant: Assistant, tmp_path: Path) -> None:
    html = f"""<!doctype html><html><head><title>Tram vote</title>
    <style>body {{ color: red }} .STYLE_MARKER {{ }}</style>
    <script>var SCRIPT_MARKER = "steal()";</script></head>
    <body><nav>NAV_MARKER home</nav><article><h1>Tram vote</h1>
    <p>{BODY}</p><!-- COMMENT_MARKER -->
    <p>Second paragraph <script>inline("INLINE_SCRIPT_MARKER")</script>with more news.</p>
    <noscript>NOSCRIPT_MARKER</noscript><template>TEMPLATE_MARKER</template>
    </article><script type="application/ld+json">{{"LDJSON_MARKER": 1}}</script></body></html>"""
    no_blocks = (f"<html><body><script>NOBLOCK_SCRIPT_MARKER()</script>{BODY}"
                 "<style>.NOBLOCK_STYLE{}</style></body></html>")
    report = ingest_beside_good_file(assistant, tmp_path, {"page.html": html, "bare.htm": no_blocks})
    assert report.errors == [] and report.added == 3
    page = read_file(tmp_path / "batch" / "page.html", 10**6).articles[0]
    bare = read_file(tmp_path / "batch" / "bare.htm", 10**6).articles[0]
    assert BODY in page.text and "Second paragraph with more news." in page.text
    assert bare.text == BODY
    for text in (page.text, bare.text):
        assert "MARKER" not in text and "NOBLOCK" not in text and "color: red" not in text
    assert page.title == "Tram vote"


@pytest.mark.parametrize("line", ["date notadate", "date 2024-13-45", "DATE yesterday-ish"])
def test_date_line_that_is_not_a_date_is_reported(assistant: Assistant, tmp_path: Path, line: str) -> None:
    report = ingest_beside_good_file(assistant, tmp_path, {"dated.txt": f"{line}\n{BODY}"})
    err = only_error(report, "dated.txt", "is not a date")
    assert "use 'date YYYY-MM-DD'" in str(err)


def test_bad_front_matter_date_does_not_block_the_article(assistant: Assistant, tmp_path: Path) -> None:
    """Metadata dates that cannot be parsed are dropped (the article has no date), not fatal."""
    report = ingest_beside_good_file(assistant, tmp_path, {"fm.md": f"---\ndate: sometime soon\n---\n{BODY}"})
    assert report.errors == [] and report.added == 2
    assert read_file(tmp_path / "batch" / "fm.md", 10**6).articles[0].date is None


# --- the file system -------------------------------------------------------------------------------


@pytest.mark.slow
def test_thousands_of_small_files(assistant: Assistant, tmp_path: Path) -> None:
    n = 2000
    folder = tmp_path / "many"
    for i in range(n):
        write(folder / f"d{i % 20:02d}" / f"n{i:05d}.txt", f"Note {i}: the {('ferry', 'tram', 'bus')[i % 3]} "
              f"schedule changed on day {i}.")
    write(folder / "d00" / "photo.png", b"\x89PNG\r\n")
    write(folder / "d00" / ".DS_Store", b"\x00\x01")
    started = time.monotonic()
    report = assistant.ingest([folder])
    elapsed = time.monotonic() - started
    assert report.added == n and report.chunks == n
    only_error(report, "photo.png", "unsupported file type")
    store = assistant.store()
    assert store.count_articles() == n and store.count_chunks() == n
    again = assistant.ingest([folder])
    assert again.unchanged == n and again.added == 0
    print(f"\n{n} small files ingested in {elapsed:.1f}s")


def test_symbolic_link_loops_are_reported_and_skipped(assistant: Assistant, tmp_path: Path) -> None:
    write(tmp_path / "earlier" / "ferry.txt", EARLIER)
    assistant.ingest([tmp_path / "earlier"])
    folder = tmp_path / "links"
    write(folder / "good.txt", GOOD)
    write(folder / "sub" / "inner.txt", BODY)
    os.symlink(folder, folder / "sub" / "up")  # folder -> sub -> up -> folder ...
    os.symlink(folder / "sub", folder / "again")  # a second way into sub: not a loop, read once
    os.symlink("self.txt", folder / "self.txt")  # a link to itself
    os.symlink("pong.txt", folder / "ping.txt")
    os.symlink("ping.txt", folder / "pong.txt")
    os.symlink("gone.txt", folder / "dangling.txt")
    started = time.monotonic()
    report = assistant.ingest([folder, folder / "self.txt"])
    assert time.monotonic() - started < 60
    reasons = sorted((Path(e.path).name, e.reason) for e in report.errors)
    assert reasons == [
        ("dangling.txt", "broken symbolic link"),
        ("ping.txt", "symbolic link loop"),
        ("pong.txt", "symbolic link loop"),
        ("self.txt", "symbolic link loop"),
        ("self.txt", "symbolic link loop"),
        ("up", "symbolic link loop; skipped"),
    ]
    assert report.added == 2
    assert {EARLIER, GOOD, BODY} <= texts(assistant)


def _simulate_permission_denied(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_unreadable_file_is_reported_simulated(
    assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Works as root too: the read raises EACCES exactly as it would for a chmod 000 file."""
    _simulate_permission_denied(monkeypatch, tmp_path / "batch" / "secret.txt")
    report = ingest_beside_good_file(assistant, tmp_path, {"secret.txt": BODY})
    only_error(report, "secret.txt", "permission denied; check the file's permissions")


def test_unreadable_folder_is_reported_simulated(
    assistant: Assistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = tmp_path / "batch" / "locked"
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, (str, os.PathLike)) and Path(path) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = ingest_beside_good_file(assistant, tmp_path, {"locked/inside.txt": BODY})
    only_error(report, "locked", "cannot read directory (Permission denied)")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root reads chmod 000 files anyway; the simulated tests above cover this as root")
def test_unreadable_file_and_folder_by_permissions(assistant: Assistant, tmp_path: Path) -> None:
    secret = write(tmp_path / "batch" / "secret.txt", BODY)
    locked = write(tmp_path / "batch" / "locked" / "inside.txt", BODY).parent
    secret.chmod(0)
    locked.chmod(0)
    try:
        report = ingest_beside_good_file(assistant, tmp_path, {})
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)
    reasons = sorted((Path(e.path).name, e.reason) for e in report.errors)
    assert reasons == [("locked", "cannot read directory (Permission denied)"),
                       ("secret.txt", "permission denied; check the file's permissions")]


def test_named_pipe_is_reported_not_read(assistant: Assistant, tmp_path: Path) -> None:
    """A FIFO named like an article would block a read forever."""
    fifo = tmp_path / "batch" / "pipe.txt"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    report = ingest_beside_good_file(assistant, tmp_path, {})
    only_error(report, "pipe.txt", "not a regular file")
    report = assistant.ingest([fifo])
    only_error(report, "pipe.txt", "not a regular file")


# --- nothing stored before is lost ------------------------------------------------------------------


@pytest.mark.parametrize("damage", [b"\x00\x01\x02binary now", "Caf\xe9".encode("latin-1"), b"   ", b"date soon\nx"])
def test_file_that_turns_bad_keeps_its_earlier_version(assistant: Assistant, tmp_path: Path, damage: bytes) -> None:
    path = write(tmp_path / "in" / "story.txt", f"date 2024-02-02\n{BODY}")
    assert assistant.ingest([path]).added == 1
    before = assistant.store().list_articles()
    path.write_bytes(damage)
    report = assistant.ingest([path])
    only_error(report, "story.txt", "")
    assert assistant.store().list_articles() == before
    assert BODY in texts(assistant)
    answer = assistant.ask("Did the council approve the tram line?")
    assert answer.covering and answer.covering[0].path == str(path)


# --- the whole matrix through the console script --------------------------------------------------


@pytest.mark.slow
def test_console_ingest_of_the_matrix_prints_one_line_per_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "matrix"
    write(folder / "good.txt", GOOD)
    write(folder / "utf16.txt", BODY.encode("utf-16"))
    bad = {
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file, not text"),
        "latin1.txt": ("Caf\xe9 society".encode("latin-1"), "not UTF-8 text"),
        "empty.txt": (b"", "empty file"),
        "blank.md": (b"  \n\n ", "empty file"),
        "broken.json": (b'{"title": "x", "body": ', "malformed JSON (line 1"),
        "feed.jsonl": (b'{"body": "A fine record about trams."}\n{oops\n', "feed.jsonl:2: malformed JSON line"),
        "dated.txt": (f"date someday\n{BODY}".encode(), "is not a date"),
        "notes.docx": (b"PK\x03\x04", "unsupported file type"),
    }
    for name, (content, _) in bad.items():
        write(folder / name, content)
    os.symlink("loop.txt", folder / "loop.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               COLUMNS="400")
    script = Path(sys.executable).parent / "assistant"
    done = subprocess.run([str(script), "ingest", str(folder)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, "a run with skipped files exits 1"
    assert "Traceback" not in done.stderr
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == len(bad) + 1, done.stderr
    for name, (_, reason) in bad.items():
        assert any(name in line and reason in line for line in skipped), (name, done.stderr)
    assert any("loop.txt: symbolic link loop" in line for line in skipped)
    assert "3 added" in done.stderr, "good.txt, utf16.txt and the good line of feed.jsonl"


def test_runaway_vector_index_is_refused_before_it_fills_the_disk(
    assistant: Assistant, samples_dir: Path, tmp_path: Path
) -> None:
    """chroma-core/chroma#7510: a torn HNSW link file grows without bound. The store refuses to open, in one line.

    The damaged file is simulated with a sparse 2 GiB ``link_lists.bin`` (no disk used) beside a small vectors file.
    """
    assistant.ingest([samples_dir])
    store_dir = Path(assistant.settings.store_dir)
    segment = store_dir / "0badc0de-0000-4000-8000-000000000000"
    segment.mkdir()
    (segment / "data_level0.bin").write_bytes(b"\0" * 4096)
    with open(segment / "link_lists.bin", "wb") as fh:
        fh.truncate(2 * 2**30)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(store_dir), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1", COLUMNS="400")
    script = Path(sys.executable).parent / "assistant"
    done = subprocess.run([str(script), "ask", "Was the union consulted?"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "damaged" in lines[0] and "2.0 GiB" in lines[0] and "ingest your articles again" in lines[0]
    (segment / "link_lists.bin").unlink()
    fine = subprocess.run([str(script), "ask", "Was the union consulted?"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert fine.returncode == 0, fine.stderr
