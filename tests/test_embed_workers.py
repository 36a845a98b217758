"""Ingest embeds batches side by side, one thread each: the same vectors as one batch at a time."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant import embed
from assistant.config import Settings
from assistant.embed import LocalEmbeddings, OnnxEmbeddings, make_ingest_embeddings

TEXTS = [f"Report {i}: the council voted {i} to {40 - i} on the tram line after {i * 3} hours of debate."
         + " More detail follows." * (i % 7) for i in range(40)]


def test_cpu_workers_follow_the_thread_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert embed.cpu_workers(3) == 3
    monkeypatch.setattr(embed.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert embed.cpu_workers(0) == 2


def test_side_by_side_runs_in_several_threads_and_keeps_the_order() -> None:
    seen: set[int] = set()
    barrier = threading.Barrier(2, timeout=10)

    def run(job: int) -> int:
        seen.add(threading.get_ident())
        if job < 2:
            barrier.wait()  # both first jobs run at once, or this times out
        return job * 10

    assert embed._side_by_side(list(range(6)), run, 2) == [0, 10, 20, 30, 40, 50]
    assert len(seen) == 2


def test_onnx_workers_give_the_same_vectors() -> None:
    one = OnnxEmbeddings(threads=1).encode(TEXTS)
    two = OnnxEmbeddings(threads=0, workers=2)
    assert two.threads == 1
    assert np.abs(two.encode(TEXTS) - one).max() < 1e-5


@pytest.mark.parametrize("bf16", [False, True])
def test_torch_workers_give_the_same_vectors(bf16: bool) -> None:
    pytest.importorskip("torch")
    one = LocalEmbeddings(batch_size=32, torch_threads=1, bf16=bf16).encode(TEXTS)
    two = LocalEmbeddings(batch_size=32, torch_threads=1, bf16=bf16, workers=2).encode(TEXTS)
    assert two.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(two, axis=1), 1.0, atol=1e-4)
    cosine = (one * two).sum(axis=1)
    assert cosine.min() > (0.999 if bf16 else 0.99999)


def test_ingest_model_gets_one_worker_per_thread(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(store_dir=tmp_path / "store", torch_threads=2, embed_runtime="onnx",
                        _env_file=None)  # type: ignore[call-arg]
    model = make_ingest_embeddings(settings)
    assert isinstance(model, OnnxEmbeddings) and model.workers == 2 and model.threads == 1
