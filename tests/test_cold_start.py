"""What a cold ``assistant ask`` does to start faster and smaller, without changing an answer."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant import cli, embed

TEXTS = ["Was Israel consulted?",
         "The ministry said on Tuesday that the talks had been postponed until further notice, officials said."]


def test_the_background_load_and_the_question_share_one_session() -> None:
    embed._SESSIONS.pop((1, False), None)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(embed.load_onnx_minilm(1)[0])) for _ in range(2)]
    for thread in threads:
        thread.start()
    got.append(embed.load_onnx_minilm(1)[0])
    for thread in threads:
        thread.join(60)
    assert len(got) == 3 and all(session is got[0] for session in got)
    vector = embed.OnnxEmbeddings(threads=1).encode([TEXTS[0]])
    assert vector.shape == (1, embed.DIMENSIONS) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_the_model_file_is_hashed_a_block_at_a_time_with_the_same_digest(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # over two of the 1 MiB blocks
    path = tmp_path / "model.bin"
    path.write_bytes(data)
    assert embed._file_sha256(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert embed._file_sha256(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()


class _Recorder:
    def __init__(self, provider: str, fail: bool = False) -> None:
        self.settings = SimpleNamespace(embedding_provider=provider)
        self.fail = fail
        self.loaded = threading.Event()
        self.threads: list[str] = []

    def warm_up(self) -> None:
        self.threads.append(threading.current_thread().name)
        self.loaded.set()
        if self.fail:
            raise RuntimeError("model missing")


def test_ask_loads_the_local_model_in_the_background() -> None:
    assistant = _Recorder("local")
    cli._load_model_meanwhile(assistant)
    assert assistant.loaded.wait(10)
    assert assistant.threads == ["load-model"]  # not the caller's thread


def test_a_failed_background_load_is_left_to_the_question_to_report(monkeypatch: pytest.MonkeyPatch) -> None:
    escaped: list[object] = []
    monkeypatch.setattr(threading, "excepthook", escaped.append)
    assistant = _Recorder("local", fail=True)
    cli._load_model_meanwhile(assistant)
    assert assistant.loaded.wait(10)
    for thread in threading.enumerate():
        if thread.name == "load-model":
            thread.join(10)
    assert escaped == []  # no traceback printed over the answer; the foreground embedding raises it again


def test_a_remote_embedding_model_is_not_called_before_the_question() -> None:
    assistant = _Recorder("openai")
    cli._load_model_meanwhile(assistant)
    assert not assistant.loaded.wait(0.2)
    assert assistant.threads == []


def test_an_early_error_waits_for_the_model_load_before_exiting(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    # exiting while ONNX Runtime builds its session in the background thread aborts the process (SIGABRT,
    # "terminate called without an active exception"), so `ask` joins the loader even when it fails
    from typer.testing import CliRunner

    started: list[threading.Thread] = []

    def slow_loader(assistant: object) -> threading.Thread:
        thread = threading.Thread(target=time.sleep, args=(0.5,), name="load-model", daemon=True)
        thread.start()
        started.append(thread)
        return thread

    monkeypatch.setattr(cli, "_load_model_meanwhile", slow_loader)
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(tmp_path / "store"))
    for question in ("   ", "what about it"):  # refused at once; no store yet
        result = CliRunner().invoke(cli.app, ["ask", question])
        assert result.exit_code == 1
        assert started and not started[-1].is_alive()
