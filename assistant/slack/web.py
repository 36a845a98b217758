"""HTTP mode: the Bolt app behind Bolt's Starlette adapter, served by uvicorn.

``POST /slack/events`` takes events and button clicks (Bolt checks each signature and its 5-minute
replay window); ``GET /health`` answers ``{"ok": true, "ready": …}``. Work is bounded: a body over
``MAX_BODY_BYTES`` is refused, uvicorn answers 503 past ``MAX_CONNECTIONS``, and ``App.dispatch`` (which
only acks; answering happens on the bot's pool) runs in Starlette's thread pool, off the event loop.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .bot import SlackBot

if TYPE_CHECKING:
    from slack_bolt import App
    from starlette.applications import Starlette
    from starlette.requests import Request

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/health", "/healthz")
MAX_BODY_BYTES = 1_000_000
MAX_CONNECTIONS = 256  # open connections and requests under way, past which uvicorn answers 503
BACKLOG = 128  # Slack delivers bursts; a short backlog delays them by a SYN retry
KEEP_ALIVE_S = 15


DRAIN_BYTES = 4 * MAX_BODY_BYTES  # an oversized body up to this is read and dropped, so the client hears 413


async def _body(request: Request) -> bytes | None:
    """The request body, or None once it passes ``MAX_BODY_BYTES``. Up to ``DRAIN_BYTES`` of an oversized
    body are read and dropped (a client still writing when the connection closes sees a broken pipe, not
    the 413); past that, nothing more is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_BYTES:
        return None
    body = bytearray()
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > DRAIN_BYTES:
            return None
        if seen <= MAX_BODY_BYTES:
            body += chunk
    return None if seen > MAX_BODY_BYTES else bytes(body)


def asgi_app(app: App, bot: SlackBot) -> Starlette:
    """The ASGI app: Slack's events through Bolt, health for load balancers; 404/405 for anything else."""
    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def events(request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return JSONResponse({"error": f"request larger than {MAX_BODY_BYTES:,} bytes"}, status_code=413)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the body is not UTF-8"}, status_code=400)
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "ready": bot.ready.is_set()})

    routes = [Route(EVENTS_PATH, events, methods=["POST"])]
    routes += [Route(path, health, methods=["GET"]) for path in HEALTH_PATHS]
    return Starlette(routes=routes)


class EventsServer:
    """uvicorn serving ``asgi_app`` on a socket bound at once, so a busy port is a ``ConfigError`` up front."""

    def __init__(self, app: App, bot: SlackBot, host: str = "127.0.0.1", port: int = 3000, *,
                 access_log: bool = False) -> None:
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            self.socket = socket.create_server((host, port), family=family, backlog=BACKLOG)
        except OSError as e:
            raise ConfigError(f"Cannot listen on {host}:{port}: {e.strerror or e}. Pick another --port.") from None
        bound, bound_port = self.socket.getsockname()[:2]
        self.url = f"http://[{bound}]:{bound_port}" if family == socket.AF_INET6 else f"http://{bound}:{bound_port}"
        # log_config=None: uvicorn logs through the root handlers, which redact secrets
        config = uvicorn.Config(asgi_app(app, bot), log_config=None, access_log=access_log, lifespan="off",
                                backlog=BACKLOG, limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=KEEP_ALIVE_S)
        self.server = uvicorn.Server(config)

    def serve_forever(self) -> None:
        """Serve until ``shutdown()`` or SIGINT/SIGTERM (in the main thread); then close the socket."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def shutdown(self) -> None:
        """Ask ``serve_forever`` to finish the requests under way and return."""
        self.server.should_exit = True
