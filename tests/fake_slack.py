"""A loopback stand-in for Slack: the Web API methods the bot calls, and a Socket Mode websocket.

``fake_slack()`` serves ``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``,
``reactions.add``, ``conversations.replies`` and ``apps.connections.open`` on 127.0.0.1, keeps the
messages of each channel like Slack would (so a thread's replies can be read back), records every call
and checks the bearer token. ``socket_mode_server()`` is a websocket that greets like Slack's, sends
envelopes and records the acks. Both bind a free port, serve a bounded number of requests and stop on exit.
``block_texts`` reads a message's blocks back as the texts a person sees.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes import loopback_server

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """The text of each section and of each context element, in message order."""
    out: list[str] = []
    for block in blocks:
        if block["type"] == "section":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out += [e["text"] for e in block["elements"]]
    return out


@dataclass
class FakeSlack:
    url: str  # Web API base URL, ends with /api/
    bot_token: str
    app_token: str
    ws_url: str = "ws://127.0.0.1:9/link"  # what apps.connections.open returns
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages
    failures: dict[str, list[str]] = field(default_factory=dict)  # method -> errors to answer next
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        """A message timestamp later than every earlier one."""
        with self.lock:
            n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def add_user_message(self, channel: str, text: str, *, user: str = "U1", thread_ts: str | None = None,
                         **extra: Any) -> dict[str, Any]:
        """Store a message as if a person had posted it (the event is sent separately)."""
        msg = {"type": "message", "user": user, "text": text, "ts": self.next_ts(), **extra}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self.lock:
            self.messages.setdefault(channel, []).append(msg)
        return msg

    def fail_next(self, method: str, error: str) -> None:
        with self.lock:
            self.failures.setdefault(method, []).append(error)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self.lock:
            return [params for name, params in self.calls if name == method]

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(m) for m in self.messages.get(channel, [])
                    if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]

    def bot_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The bot's messages in a thread, as they read now (placeholders replaced by chat.update)."""
        return [m for m in self.thread(channel, thread_ts) if m.get("bot_id") == BOT_ID and m["ts"] != thread_ts]

    def wait_for(self, condition: Callable[[], bool], timeout_s: float = 60.0) -> bool:
        """Poll ``condition`` until true or the timeout passes (bounded)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return condition()

    # -- the Web API

    def handle(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        with self.lock:
            self.calls.append((method, params))
            pending = self.failures.get(method)
            if pending:
                return {"ok": False, "error": pending.pop(0)}
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.test/", "team": "Fake", "user": "assistant",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        if method == "chat.postMessage":
            channel = str(params.get("channel") or "")
            if not channel or not (params.get("text") or params.get("blocks")):
                return {"ok": False, "error": "no_text" if channel else "channel_not_found"}
            msg = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": params.get("text") or "",
                   "ts": self.next_ts()}
            if params.get("blocks"):
                msg["blocks"] = params["blocks"]
            if params.get("thread_ts"):
                msg["thread_ts"] = str(params["thread_ts"])
            with self.lock:
                self.messages.setdefault(channel, []).append(msg)
            return {"ok": True, "channel": channel, "ts": msg["ts"], "message": msg}
        if method == "chat.update":
            channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
            with self.lock:
                for msg in self.messages.get(channel, []):
                    if msg["ts"] == ts:
                        if msg.get("bot_id") != BOT_ID:
                            return {"ok": False, "error": "cant_update_message"}
                        msg["text"] = params.get("text") or ""
                        msg["blocks"] = params.get("blocks") or []
                        msg["edited"] = {"user": BOT_USER_ID}
                        return {"ok": True, "channel": channel, "ts": ts, "text": msg["text"]}
            return {"ok": False, "error": "message_not_found"}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "reactions.add":
            return {"ok": True}
        if method == "conversations.replies":
            channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
            replies = sorted(self.thread(channel, ts), key=lambda m: float(m["ts"]))
            if not replies:
                return {"ok": False, "error": "thread_not_found"}
            return {"ok": True, "messages": replies, "has_more": False, "response_metadata": {"next_cursor": ""}}
        return {"ok": False, "error": "unknown_method"}


def _params(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length).decode() if length else ""
    params: dict[str, Any] = dict(parse_qsl(urlsplit(handler.path).query))
    if "json" in (handler.headers.get("Content-Type") or "") and raw:
        params.update(json.loads(raw))
    elif raw:
        params.update(parse_qsl(raw))
    if isinstance(params.get("blocks"), str):
        params["blocks"] = json.loads(params["blocks"])
    return params


@contextmanager
def fake_slack(bot_token: str, app_token: str = "xapp-fake", max_requests: int = 2000) -> Iterator[FakeSlack]:
    """Run the fake Web API on 127.0.0.1; ``.url`` is its base URL."""
    state = FakeSlack(url="", bot_token=bot_token, app_token=app_token)
    served = itertools.count()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _serve(self) -> None:
            if next(served) >= max_requests:
                self._reply(503, {"ok": False, "error": "fake_slack_request_limit"})
                return
            path = urlsplit(self.path).path
            if not path.startswith("/api/"):
                self._reply(404, {"ok": False, "error": "not_found"})
                return
            auth = self.headers.get("Authorization") or ""
            token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
            self._reply(200, state.handle(path[len("/api/"):], _params(self), token))

        do_GET = _serve  # noqa: N815
        do_POST = _serve  # noqa: N815

    with loopback_server(Handler) as port:
        state.url = f"http://127.0.0.1:{port}/api/"
        yield state


@dataclass
class FakeSocketMode:
    url: str
    acks: list[dict[str, Any]] = field(default_factory=list)  # what the app sent back
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    outbox: list[dict[str, Any]] = field(default_factory=list)  # envelopes to send after hello

    def send(self, envelope: dict[str, Any]) -> None:
        """Queue an envelope for the connected app."""
        with self.lock:
            self.outbox.append(envelope)

    def acked(self, envelope_id: str) -> bool:
        with self.lock:
            return any(a.get("envelope_id") == envelope_id for a in self.acks)


@contextmanager
def socket_mode_server(max_seconds: float = 120.0) -> Iterator[FakeSocketMode]:
    """A websocket on 127.0.0.1 that speaks Slack's Socket Mode: hello, then queued envelopes; records acks."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.server import ServerConnection, serve

    stop = threading.Event()
    state = FakeSocketMode(url="")

    def handler(conn: ServerConnection) -> None:
        with state.lock:
            state.connections += 1
        conn.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                              "connection_info": {"app_id": "A0TEST"}}))
        deadline = time.monotonic() + max_seconds
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                with state.lock:
                    outgoing, state.outbox[:] = list(state.outbox), []
                for envelope in outgoing:
                    conn.send(json.dumps(envelope))
                try:
                    message = conn.recv(timeout=0.05)
                except TimeoutError:
                    continue
                data = json.loads(message)
                with state.lock:
                    state.acks.append(data)
        except ConnectionClosed:
            pass

    with serve(handler, "127.0.0.1", 0) as server:
        state.url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link/?ticket=fake"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield state
        finally:
            stop.set()
            server.shutdown()
            thread.join(timeout=10)
