"""Shared fixtures: isolated settings, a network guard, the real MiniLM (one per session)."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import SAMPLES_DIR, Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = Path(__file__).parent / "data"

# Variables a developer may have set that must not leak into tests.
_SCRUB = [k for k in os.environ if k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))]


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole run: the optimised ONNX graph is built once, not once per test."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache_home: Path) -> None:
    for key in _SCRUB:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("ASSISTANT_TORCH_THREADS", "1")
    monkeypatch.setenv("ASSISTANT_FEEDBACK_PATH", str(tmp_path / "feedback.jsonl"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise ConnectionRefusedError(f"tests may not reach {host}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests cannot reach the network; servers they start live on 127.0.0.1."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def embeddings() -> Any:
    """The real bundled all-MiniLM-L6-v2 (loaded once per test session)."""
    from assistant.embed import LocalEmbeddings

    emb = LocalEmbeddings(batch_size=32, torch_threads=1)
    emb.embed_query("warm up")
    return emb


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store", torch_threads=1, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture()
def assistant(settings: Settings, embeddings: Any) -> Assistant:
    """An offline assistant on an empty store in tmp_path."""
    return Assistant(settings, embeddings=embeddings, use_llm=False)


@pytest.fixture()
def eval_assistant(assistant: Assistant) -> Assistant:
    """The offline assistant with the ten synthetic articles of tests/data/eval ingested."""
    report = assistant.ingest([DATA / "eval" / "corpus.jsonl"])
    assert report.added == 10 and not report.errors
    return assistant


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR


@pytest.fixture()
def venv_bin() -> Iterator[Path]:
    """Folder of the console scripts installed with this interpreter."""
    import sys

    yield Path(sys.executable).parent
