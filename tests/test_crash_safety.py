"""Crash safety: ``kill -9`` of ``assistant ingest`` at any moment, then the same ingest again, loses nothing.

The real console script ingests a folder of a few hundred small generated articles and is killed
(SIGKILL) at chosen points:

- deterministically, right after the Nth write to Chroma. A ``sitecustomize.py`` put on PYTHONPATH for
  the child process only wraps the two Chroma collections of ``Store`` and sends the process SIGKILL
  after N writes; no production code knows about it. N is picked to land between an article's chunks
  and its record (the commit marker), after a record, and between the new version of a changed file
  and the deletion of its old version;
- by time: SIGKILL from the test as soon as the store holds a given number of rows (polled read-only
  in SQLite), i.e. anywhere, including inside a Chroma write.

After each kill the visible store is checked (every committed article complete or being deleted);
after the re-run it is checked strictly: every article fully present (text, metadata, all chunks with
verbatim offsets) and nothing else (no orphan or duplicate chunks, one version per source), and
``assistant sources --json`` agrees with the chunks. Concurrency: questions asked while an ingest runs in
another process get answers from a consistent store.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.ingest import discover, read_file
from assistant.store import Store

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).parent / "assistant"
N_ARTICLES = 240

# Imported by the child Python before anything else (PYTHONPATH=<its folder>). Only active when
# CRASH_AFTER_WRITES is set; it counts writes to the Store's Chroma collections and SIGKILLs itself.
SITECUSTOMIZE = textwrap.dedent('''
    """Test-only crash hook for tests/test_crash_safety.py (never installed with the package)."""
    import os
    import signal

    _AFTER = int(os.environ.get("CRASH_AFTER_WRITES") or 0)
    if _AFTER > 0:
        import assistant.store as _store

        _writes = [0]

        class _Counted:
            def __init__(self, inner):
                self._inner = inner

            def __getattr__(self, name):
                attr = getattr(self._inner, name)
                if name not in ("add", "upsert", "update", "delete"):
                    return attr

                def write(*args, **kwargs):
                    result = attr(*args, **kwargs)
                    _writes[0] += 1
                    if _writes[0] >= _AFTER:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return result

                return write

        _init = _store.Store.__init__

        def _counted_init(self, *args, **kwargs):
            _init(self, *args, **kwargs)
            self.chunks = _Counted(self.chunks)
            self.articles = _Counted(self.articles)

        _store.Store.__init__ = _counted_init
''')

WORDS = ["council", "tram", "union", "budget", "harbor", "vote", "mayor", "transit", "funding", "station", "river",
         "bridge", "election", "school", "hospital", "police", "court", "market", "ferry", "library", "museum",
         "stadium"]


def make_corpus(folder: Path, n: int = N_ARTICLES) -> None:
    """Small articles (.txt with a date line, .md with front matter); every 15th one spans several chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(40)]
        body = f"Article {i} reports that the {' '.join(words[:12])}. Officials said {' '.join(words[12:])}."
        if i % 15 == 0:
            body = "\n\n".join(f"{body} Paragraph {p} adds that the {WORDS[p % len(WORDS)]} matters." * 3
                               for p in range(3))
        sub = folder / f"part{i % 4}"
        sub.mkdir(exist_ok=True)
        if i % 2:
            (sub / f"a{i:04d}.md").write_text(
                f"---\ntitle: Story {i}\noutlet: Outlet {i % 5}\ndate: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n---\n"
                f"{body}\n", encoding="utf-8")
        else:
            (sub / f"a{i:04d}.txt").write_text(f"date 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n{body}\n",
                                               encoding="utf-8")


def expected_articles(folder: Path) -> dict[str, Any]:
    """doc_key -> Article, as the readers make them from the files now."""
    found = {}
    for path in discover([folder]).files:
        for article in read_file(path, 10_000_000).articles:
            found[article.doc_key] = article
    return found


def child_env(tmp_path: Path, store: Path, crash_after: int = 0) -> dict[str, str]:
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(store), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               ASSISTANT_EMBED_BATCH_SIZE="16",
               ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(hook), XDG_DATA_HOME=str(tmp_path / "xdg"))
    if crash_after:
        env["CRASH_AFTER_WRITES"] = str(crash_after)
    return env


def run_ingest(tmp_path: Path, store: Path, corpus: Path, crash_after: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "ingest", str(corpus)], env=child_env(tmp_path, store, crash_after),
                          capture_output=True, text=True, timeout=600)


def rows_in_store(store: Path) -> int:
    """Rows of Chroma's embeddings table (read-only; 0 while it does not exist or is locked)."""
    db = store / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    except sqlite3.Error:
        return 0


def kill_when_rows(tmp_path: Path, store: Path, corpus: Path, rows: int, limit_s: float = 300) -> bool:
    """Start an ingest and SIGKILL it once the store holds ``rows`` more rows. True if it was killed."""
    start_rows = rows_in_store(store)
    proc = subprocess.Popen([str(SCRIPT), "ingest", str(corpus)], env=child_env(tmp_path, store),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit_s
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if rows_in_store(store) >= start_rows + rows:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        proc.wait(timeout=30)
    return proc.returncode == -signal.SIGKILL


def snapshot(store_dir: Path) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[tuple[str, str, dict[str, Any]]]]:
    """(article id -> (text, metadata), [(chunk id, text, metadata)]) read straight from Chroma."""
    settings = Settings(store_dir=store_dir, _env_file=None)
    store = Store(settings)
    arts = store.articles.get(include=["documents", "metadatas"])
    chunks = store.chunks.get(include=["documents", "metadatas"])
    records = {i: (t or "", dict(m or {}))
               for i, t, m in zip(arts["ids"], arts["documents"] or [], arts["metadatas"] or [])}
    rows = [(i, t or "", dict(m or {}))
            for i, t, m in zip(chunks["ids"], chunks["documents"] or [], chunks["metadatas"] or [])]
    return records, rows


def assert_committed_articles_complete(store_dir: Path) -> None:
    """What a reader can see right after a kill: each article record has all its chunks, verbatim.

    The only other state allowed is a record with no chunks at all: the old version of a changed file,
    killed between deleting its chunks and its record (retrieval never reaches it; the re-run removes it).
    """
    records, rows = snapshot(store_dir)
    by_article: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for row in rows:
        by_article.setdefault(str(row[2]["article_id"]), []).append(row)
    for article_id, (text, meta) in records.items():
        got = by_article.get(article_id, [])
        if not got:
            assert any(m.get("doc_key") == meta["doc_key"] for i, (_, m) in records.items() if i != article_id), (
                f"article {article_id} has a record but no chunks, and no other version")
            continue
        assert len(got) == meta["n_chunks"], f"article {article_id}: {len(got)} of {meta['n_chunks']} chunks"
        for _chunk_id, chunk_text, chunk_meta in got:
            assert text[chunk_meta["start"]:chunk_meta["end"]] == chunk_text


def assert_store_exactly(store_dir: Path, expected: dict[str, Any]) -> None:
    """Every expected article fully present, nothing else: no orphan, duplicate or stale chunk or record."""
    records, rows = snapshot(store_dir)
    assert sorted(m["doc_key"] for _, m in records.values()) == sorted(expected), "one record per source file"
    for doc_key, article in expected.items():
        assert article.id in records, f"{doc_key} missing after the re-run"
        text, meta = records[article.id]
        assert text == article.text
        assert (meta.get("title"), meta.get("outlet"), meta.get("date"), meta["doc_key"]) == (
            article.title, article.outlet, article.date, article.doc_key)
    chunk_owner = Counter(str(m["article_id"]) for _, _, m in rows)
    assert set(chunk_owner) <= set(records), f"orphan chunks of {set(chunk_owner) - set(records)}"
    spans = Counter((str(m["article_id"]), m["start"], m["end"]) for _, _, m in rows)
    assert max(spans.values()) == 1, "duplicate chunks"
    for article_id, (_, meta) in records.items():
        assert chunk_owner[article_id] == meta["n_chunks"] > 0
        ids = sorted(i for i, _, m in rows if m["article_id"] == article_id)
        assert ids == sorted(f"{article_id}:{k}" for k in range(meta["n_chunks"]))
    for _, chunk_text, meta in rows:
        text = records[str(meta["article_id"])][0]
        assert text[meta["start"]:meta["end"]] == chunk_text
        assert meta.get("date") == records[str(meta["article_id"])][1].get("date")


def assert_sources_match_chunks(tmp_path: Path, store_dir: Path) -> None:
    done = subprocess.run([str(SCRIPT), "sources", "--json"], env=child_env(tmp_path, store_dir),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    listed = {row["id"]: row["chunks"] for row in map(json.loads, done.stdout.splitlines())}
    records, rows = snapshot(store_dir)
    assert listed == dict(Counter(str(m["article_id"]) for _, _, m in rows))
    assert set(listed) == set(records)


def test_kill_9_during_ingest_then_rerun_leaves_every_article_whole_or_absent(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    store = tmp_path / "store"
    make_corpus(corpus)
    expected = expected_articles(corpus)
    assert len(expected) == N_ARTICLES

    # Articles are written in batches of about 64 chunks (ASSISTANT_EMBED_BATCH_SIZE=16 in child_env), three
    # writes a batch: delete leftovers, upsert all chunks, upsert all records (the commit markers).
    # 3 * 2 + 2: two batches committed, the third's chunks written but not its records.
    done = run_ingest(tmp_path, store, corpus, crash_after=3 * 2 + 2)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert_committed_articles_complete(store)
    records, rows = snapshot(store)
    assert 0 < len(records) < N_ARTICLES
    assert {m["article_id"] for _, _, m in rows} - set(records), "the half-written batch's chunks"

    # Killed by time, wherever it is (inside a Chroma write included).
    assert kill_when_rows(tmp_path, store, corpus, rows=60)
    assert_committed_articles_complete(store)

    done = run_ingest(tmp_path, store, corpus)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 failed" in done.stderr
    assert_store_exactly(store, expected)

    # Change 30 files, then kill the update between writing new versions and deleting old ones.
    changed = sorted(corpus.rglob("a00[0-2]*"))[:30]
    for path in changed:
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + " An update was added later.\n",
                        encoding="utf-8")
    # The 30 new versions form one batch (3 writes), then each old version is deleted (2 writes: its
    # chunks, its record). Kill 1 after 3: new and old versions of all 30 committed. The re-run finds
    # the new versions stored and deletes the old ones as it goes: kill 2 after 2 * 4 + 1, when the 5th
    # old version has lost its chunks but not yet its record.
    for crash_after in (3, 2 * 4 + 1):
        done = run_ingest(tmp_path, store, corpus, crash_after=crash_after)
        assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
        assert_committed_articles_complete(store)
    records, _ = snapshot(store)
    assert len(records) > N_ARTICLES, "old and new versions of a changed file were both present"

    done = run_ingest(tmp_path, store, corpus)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = expected_articles(corpus)
    assert_store_exactly(store, expected)
    assert_sources_match_chunks(tmp_path, store)


def test_questions_during_an_ingest_in_another_process_get_consistent_answers(
    tmp_path: Path, settings: Settings, embeddings: Any, samples_dir: Path,
) -> None:
    """Like `assistant chat` or the Slack bot (one long-lived Assistant) and `assistant ask` (a fresh one)
    asking while `assistant ingest` writes: no exception, verbatim excerpts, and the long-lived one
    finds the newly ingested articles without a restart."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 200)
    store_dir = settings.store_dir
    bot = Assistant(settings, embeddings=embeddings, use_llm=False)
    bot.ingest([samples_dir])

    proc = subprocess.Popen([str(SCRIPT), "ingest", str(corpus)], env=child_env(tmp_path, store_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers: list[tuple[int, Any]] = []
    try:
        deadline = time.monotonic() + 400
        while proc.poll() is None and time.monotonic() < deadline:
            fresh = Assistant(settings, embeddings=embeddings, use_llm=False)
            assistant = bot if len(answers) % 2 == 0 else fresh
            answer = assistant.ask("Was the transit workers' union consulted about the tram?")
            answers.append((rows_in_store(store_dir), answer))
            store = assistant.store()
            for source in answer.sources:
                article = store.get_articles([source.id])[source.id]
                for excerpt in source.excerpts:
                    assert article.text[excerpt.start:excerpt.end] == excerpt.quote
    finally:
        if proc.poll() is None:
            proc.kill()
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-2000:]
    print(f"\n{len(answers)} questions answered during the ingest; store rows seen: {[r for r, _ in answers]}")
    assert len(answers) >= 3, "too few questions overlapped the ingest to prove anything"
    assert len({rows for rows, _ in answers}) >= 2, "the store grew while questions were asked"
    assert all(a.covering for _, a in answers), "the sample articles answer this question throughout"
    assert_store_exactly(store_dir, {**expected_articles(corpus), **expected_articles(samples_dir)})

    # The long-lived assistant sees what the other process added.
    newest = expected_articles(corpus)[str((corpus / "part3" / "a0199.md").resolve())]
    answer = bot.ask(newest.text.split(". ")[0])
    assert answer.sources[0].id == newest.id
