"""Server mode: the assistant against a real ``chroma run`` on 127.0.0.1 works as it does embedded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.errors import StoreError

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChromaServer:
    port: int
    path: Path
    log: Path

    @property
    def env(self) -> dict[str, str]:
        return {"ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(self.port)}


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real ``chroma run`` on a free loopback port with its own data folder; stopped afterwards."""
    folder = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(free_port(), folder / "data", folder / "server.log")
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(server.path), "--host", "127.0.0.1", "--port", str(server.port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/v2/heartbeat", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chroma run did not start:\n{server.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def run_cli(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "assistant"), *args], env={**os.environ, **env}, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_ingest_ask_and_sources_work_against_a_chroma_server(
    chroma_server: ChromaServer, seeds_dir: Path, tmp_path: Path
) -> None:
    embedded = tmp_path / "embedded-store"
    env = {**chroma_server.env, "ASSISTANT_STORE_DIR": str(embedded), "ASSISTANT_COLLECTION": "acceptance"}

    ingested = run_cli("ingest", str(seeds_dir), env=env)
    assert ingested.returncode == 0, ingested.stderr
    assert f"http://127.0.0.1:{chroma_server.port}" in ingested.stderr
    assert "2 added" in ingested.stderr

    asked = run_cli("ask", "Was Israel consulted?", "--json", env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert len(answer["sources"]) == 2
    assert all(source["covers"] for source in answer["sources"])
    quotes = [e["quote"] for source in answer["sources"] for e in source["excerpts"]]
    assert any("had not been informed" in q for q in quotes), quotes
    assert answer["disagreement"] is True

    listed = run_cli("sources", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    assert sorted(r["id"] for r in rows) == sorted(s["id"] for s in answer["sources"])
    assert all(r["chunks"] > 0 for r in rows)

    again = run_cli("--chroma-host", "127.0.0.1", "--chroma-port", str(chroma_server.port), "ingest", str(seeds_dir),
                    env={"ASSISTANT_STORE_DIR": str(embedded), "ASSISTANT_COLLECTION": "acceptance"})
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 2 unchanged" in again.stderr

    assert not embedded.exists(), "server mode must not write the embedded store"


@pytest.mark.slow
def test_a_changed_article_replaces_the_old_one_on_the_server(
    chroma_server: ChromaServer, embeddings: object, tmp_path: Path
) -> None:
    settings = Settings(store_dir=tmp_path / "unused", chroma_host="127.0.0.1", chroma_port=chroma_server.port,
                        collection="replace", torch_threads=1, _env_file=None)
    article = tmp_path / "vote.txt"
    article.write_text("date 2024-05-01\nThe council approved the tram budget on Monday after a long debate.\n")
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)  # type: ignore[arg-type]
    assert assistant.ingest([article]).added == 1

    article.write_text("date 2024-05-02\nThe council rejected the tram budget on Tuesday after a long debate.\n")
    report = assistant.ingest([article])
    assert (report.added, report.updated) == (0, 1)

    rows = assistant.store().list_articles()
    assert [a.date for a, _ in rows] == ["2024-05-02"]
    answer = assistant.ask("Did the council approve the tram budget?")
    assert [e.quote for s in answer.covering for e in s.excerpts] == [
        "The council rejected the tram budget on Tuesday after a long debate."
    ]


def test_an_unreachable_server_is_a_one_line_error_naming_the_address(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = {"ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(port),
           "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    for args in (("ask", "Was Israel consulted?"), ("sources",)):
        done = run_cli(*args, env=env, timeout=60)
        assert done.returncode == 1
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert f"http://127.0.0.1:{port}" in lines[0]
        assert f"chroma run --path DIR --host 127.0.0.1 --port {port}" in lines[0]
        assert "Traceback" not in done.stderr


def test_the_store_refuses_an_unreachable_server_before_any_work(tmp_path: Path) -> None:
    from assistant.store import Store

    port = free_port()
    settings = Settings(store_dir=tmp_path / "store", chroma_host="127.0.0.1", chroma_port=port,
                        _env_file=None)
    t0 = time.monotonic()
    with pytest.raises(StoreError) as caught:
        Store(settings, create=True)
    assert time.monotonic() - t0 < 10
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "store").exists()


class _HungServer(BaseHTTPRequestHandler):
    """A Chroma look-alike that answers what a client asks while it connects, then nothing else (a hung server).
    With ``hang_all`` it answers only the heartbeat."""

    hung = threading.Event()
    hang_all = False
    connect_replies = {
        "/api/v2/heartbeat": {"nanosecond heartbeat": 1},
        "/api/v2/auth/identity": {"user_id": "", "tenant": "default_tenant", "databases": ["default_database"]},
        "/api/v2/tenants/default_tenant": {"name": "default_tenant"},
        "/api/v2/tenants/default_tenant/databases/default_database": {
            "id": "00000000-0000-4000-8000-000000000000", "name": "default_database", "tenant": "default_tenant"},
    }

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        reply = self.connect_replies.get(self.path.rstrip("/"))
        if reply is not None and not (self.hang_all and not self.path.endswith("heartbeat")):
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.hung.wait(30)  # bounded: the server thread ends on its own

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("while_connecting", [True, False], ids=["while-connecting", "mid-command"])
def test_a_server_that_stops_answering_is_a_bounded_one_line_error(tmp_path: Path, while_connecting: bool) -> None:
    from tests.fakes import loopback_server

    handler = type("Handler", (_HungServer,), {"hang_all": while_connecting, "hung": threading.Event()})
    with loopback_server(handler) as port:
        env = {"ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(port),
               "ASSISTANT_CHROMA_TIMEOUT_S": "1", "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
        t0 = time.monotonic()
        done = run_cli("sources", env=env, timeout=60)
        seconds = time.monotonic() - t0
        handler.hung.set()
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    expected = f"Cannot reach the Chroma server at http://127.0.0.1:{port}" if while_connecting else \
        f"The Chroma server at http://127.0.0.1:{port} did not answer in time"
    assert expected in lines[0], lines[0]
    assert seconds < 25, f"took {seconds:.0f} s: the 1-second limit was not applied"


def test_a_server_that_stops_answering_is_a_store_error_for_the_chat_and_the_bot_too(tmp_path: Path) -> None:
    """The chat and the Slack bot call Assistant.ask and show an AssistantError's message as it is: the hung
    server must reach them as one, not as an httpx exception."""
    from tests.fakes import loopback_server

    handler = type("Handler", (_HungServer,), {"hang_all": False, "hung": threading.Event()})
    with loopback_server(handler) as port:
        settings = Settings(_env_file=None, chroma_host="127.0.0.1", chroma_port=port, chroma_timeout_s=1,
                            store_dir=tmp_path / "store")
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="did not answer in time") as caught:
            Assistant(settings, use_llm=False).ask("Was Israel consulted?")
        handler.hung.set()
    assert time.monotonic() - t0 < 25
    assert "\n" not in str(caught.value) and "ASSISTANT_CHROMA_TIMEOUT_S=1" in str(caught.value)


@pytest.mark.parametrize("call", ["count_articles", "all_article_ids", "get_articles", "query", "chunk_vectors",
                                  "delete_article"])
def test_every_store_read_and_write_turns_a_timeout_into_a_store_error(tmp_path: Path, call: str) -> None:
    import httpx

    from assistant.store import Store

    store = Store(Settings(_env_file=None, store_dir=tmp_path / "store"), create=True)

    class Hung:
        name = "hung"

        def __getattr__(self, _name: str) -> object:
            def hang(*_args: object, **_kwargs: object) -> None:
                raise httpx.ReadTimeout("timed out")
            return hang

    store.chunks = store.articles = Hung()  # type: ignore[assignment]
    store._counts.clear()
    args = {"count_articles": (), "all_article_ids": (), "get_articles": (["a"],), "query": ([0.1] * 384, 3),
            "chunk_vectors": (["c"],), "delete_article": ("a",)}[call]
    with pytest.raises(StoreError, match="did not answer in time"):
        getattr(store, call)(*args)
