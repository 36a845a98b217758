"""Loopback stand-ins for remote services: an OpenAI-compatible chat server.

Servers bind 127.0.0.1 on a free port, serve a bounded number of requests, and stop on exit.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the stub answers to one request."""

    text: str = "The sources say so [1]."
    status: int = 200
    delay_s: float = 0.0  # before answering (timeouts)
    token_delay_s: float = 0.0  # between streamed tokens
    raw_body: str | None = None  # sent as-is (malformed JSON)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StubOpenAI:
    url: str
    requests: list[dict[str, Any]]
    replies: list[Reply]
    default: Reply

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)


def _chunks(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


@contextmanager
def openai_stub(default: Reply | None = None, max_requests: int = 200) -> Iterator[StubOpenAI]:
    """An OpenAI-compatible ``/v1/chat/completions`` (streaming and not) on 127.0.0.1."""
    state = StubOpenAI(url="", requests=[], replies=[], default=default or Reply())
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                if len(state.requests) >= max_requests:
                    self.send_error(503)
                    return
                state.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                reply = state.replies.pop(0) if state.replies else state.default
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200 or reply.raw_body is not None:
                payload = (reply.raw_body if reply.raw_body is not None else json.dumps(
                    {"error": {"message": f"stub error {reply.status}", "type": "stub"}})).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)
                return
            model = body.get("model", "stub")
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for piece in _chunks(reply.text):
                        event = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        if reply.token_delay_s:
                            time.sleep(reply.token_delay_s)
                    done = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            payload = json.dumps({
                "id": "c1", "object": "chat.completion", "created": 0, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    with loopback_server(Handler) as port:
        state.url = f"http://127.0.0.1:{port}/v1"
        yield state


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """Serve ``handler`` on 127.0.0.1 (a free port, yielded) in a daemon thread; stop it on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
