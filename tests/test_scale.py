"""Ingestion at scale: JSONL feeds are streamed, progress reports chunks, embedding batches lose nothing."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pytest

import assistant.ingest.decode as decode_module
from assistant.answer import Assistant, IngestProgress
from assistant.config import Settings
from assistant.embed import LocalEmbeddings
from assistant.errors import IngestError
from assistant.ingest import iter_file, read_file


def feed(n: int, words: int = 60) -> list[dict[str, str]]:
    return [{"id": f"r{i}", "title": f"Record {i}", "outlet": f"Outlet {i % 7}", "date": f"2024-01-{1 + i % 28:02d}",
             "body": f"Record {i} reports on the harbour ferry schedule. " + "The ferry ran late again. " * words}
            for i in range(n)]


def write_jsonl(path: Path, records: list[dict[str, str]], extra_lines: tuple[str, ...] = ()) -> Path:
    text = "\n".join([json.dumps(r) for r in records] + list(extra_lines)) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if path.name.endswith(".gz") else text.encode())
    return path


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.jsonl.gz"])
def test_a_jsonl_feed_streams_the_same_articles_and_errors_as_read_file(tmp_path: Path, name: str) -> None:
    path = write_jsonl(tmp_path / name, feed(5), extra_lines=("{broken", '["not an object"]', "   "))
    streamed = list(iter_file(path, 10_000_000))
    whole = read_file(path, 10_000_000)
    assert [a.model_dump() for a in streamed if not isinstance(a, IngestError)] == [
        a.model_dump() for a in whole.articles
    ]
    assert [str(e) for e in streamed if isinstance(e, IngestError)] == [str(e) for e in whole.errors]
    assert [str(e).split(": ", 1)[0] for e in whole.errors] == [f"{path}:6", f"{path}:7"]


def test_a_jsonl_feed_is_never_held_whole_in_memory(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", feed(4000))
    size = path.stat().st_size
    assert size > 6_000_000
    tracemalloc.start()
    try:
        count = sum(1 for item in iter_file(path, 50_000_000) if not isinstance(item, IngestError))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4000
    assert peak < min(size / 6, 1_500_000), f"peak {peak:,} bytes while reading a {size:,}-byte feed"


def test_a_jsonl_feed_with_a_bad_byte_is_refused_whole_not_half_ingested(tmp_path: Path) -> None:
    good = "\n".join(json.dumps(r) for r in feed(3)).encode()
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(good + b'\n{"body": "Caf\xe9 owners protest."}\n')
    items = iter_file(path, 10_000_000)
    with pytest.raises(IngestError) as refused:
        next(items)
    assert "not UTF-8" in str(refused.value)


def test_a_gzip_feed_larger_than_the_limit_is_read_record_by_record(tmp_path: Path) -> None:
    """The size limit is one record's: a feed inflating past it (like the 26 MB RealTimeQA corpus past the
    20 MB default) is read whole, one record at a time."""
    path = write_jsonl(tmp_path / "many.jsonl.gz", feed(400))
    max_bytes = 20_000  # the records take about 640 KB inflated, each about 1.6 KB
    assert path.stat().st_size < max_bytes
    items = list(iter_file(path, max_bytes))
    assert not [i for i in items if isinstance(i, IngestError)]
    assert [a.title for a in items if not isinstance(a, IngestError)] == [f"Record {i}" for i in range(400)]


def test_ingest_streams_jsonl_and_reports_every_written_batch(
    embeddings: LocalEmbeddings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = feed(40, words=30)
    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "feed.jsonl", records)
    real_read_bytes = decode_module.read_bytes

    def no_whole_jsonl(path: Path, max_bytes: int) -> bytes:
        assert "jsonl" not in path.name, "a JSONL feed was read whole"
        return real_read_bytes(path, max_bytes)

    monkeypatch.setattr(decode_module, "read_bytes", no_whole_jsonl)
    settings = Settings(store_dir=tmp_path / "store", embed_batch_size=16, torch_threads=1,
                        _env_file=None)
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    batches: list[int] = []
    files: list[tuple[str, int]] = []
    report = assistant.ingest([tmp_path / "in"], IngestProgress(on_chunks=batches.append,
                                                                   on_file=lambda p, n: files.append((p.name, n))))
    assert report.errors == [] and report.added == 40
    assert files == [("feed.jsonl", 40)]
    assert len(batches) > 1, "chunks are embedded and written in several bounded batches"
    assert sum(batches) == report.chunks == assistant.store().count_chunks()
    assert max(batches) < 64 + 10  # flushed at embed_batch_size * 4 chunks, plus the last article's


def test_small_embedding_batches_give_the_same_vectors(embeddings: LocalEmbeddings) -> None:
    import numpy as np

    texts = ["Was the union consulted?", "The council approved the tram budget on Monday after a long debate. " * 6,
             "Short.", "Officials in France and Kenya questioned the trade proposal, citing rising costs."] * 5
    one_by_one = np.vstack([LocalEmbeddings(batch_size=1).encode([t]) for t in texts])
    batched = LocalEmbeddings(batch_size=64).encode(texts)
    assert batched.shape == (len(texts), 384)
    assert float(np.abs(one_by_one - batched).max()) < 1e-4
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_bf16_ingest_vectors_match_float32(embeddings: LocalEmbeddings) -> None:
    """bf16 batches (ingestion, ASSISTANT_EMBED_BF16) stay within cosine 0.999 of float32; questions stay float32."""
    import numpy as np

    from assistant.config import Settings
    from assistant.embed import cpu_has_bf16, use_bf16

    texts = ["The council approved the tram budget on Monday after a long debate. " * 4,
             "Arab officials said the delegation had not been informed ahead of the meetings.",
             "Officials in France and Kenya questioned the trade proposal, citing rising costs."] * 3
    fp32 = LocalEmbeddings(batch_size=32, torch_threads=1).encode(texts)
    bf16_model = LocalEmbeddings(batch_size=32, torch_threads=1, bf16=True)
    bf16 = bf16_model.encode(texts)
    assert bf16.dtype == np.float32 and bf16.shape == fp32.shape
    cosines = np.sum(fp32 * bf16, axis=1)
    assert float(cosines.min()) > 0.999
    assert float(np.abs(fp32 - bf16).max()) > 0, "bf16 was not applied to the batch"
    question = ["Was the union consulted?"]
    assert np.array_equal(bf16_model.encode(question), LocalEmbeddings(torch_threads=1).encode(question))
    assert use_bf16(Settings(_env_file=None, embed_bf16="on")) is True  # type: ignore[call-arg]
    assert use_bf16(Settings(_env_file=None, embed_bf16="off")) is False  # type: ignore[call-arg]
    assert use_bf16(Settings(_env_file=None)) is cpu_has_bf16()  # type: ignore[call-arg]
