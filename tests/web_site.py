"""A loopback news site for the link and feed tests: pages, an RSS feed of 50 entries, and the ways a
real site fails (a server that hangs, a 404, a redirect loop, an image, a page too big).

The server binds 127.0.0.1 on a free port, answers a bounded number of requests, never sleeps longer
than ``HANG_S`` on one, and is shut down when the context exits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HANG_S = 3.0  # the "hanging" page answers after this long; clients give up well before
MAX_REQUESTS = 500
N_ENTRIES = 50
FIRST_DAY = date(2025, 3, 1)
OUTLET = "Tidewater Courier"
FEED_TITLE = "Tidewater Courier: Harbour news"

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def entry_day(n: int) -> date:
    return FIRST_DAY + timedelta(days=n)


def entry_words(n: int) -> str:
    return " ".join(NUMBERS[int(d)] for d in str(n))


def author(n: int, kind: str) -> str:
    """A byline without digits (bylines are names; trafilatura drops digits from them)."""
    return f"{kind} Writer {entry_words(n).title()}"


def story(n: int) -> str:
    w = entry_words(n)
    return (f"<p>The harbour board met for session {w} on the future of the old grain pier, story number {w}.</p>"
            f"<p>Members heard that the pier's timber piles, numbered {w} in the survey, need repair before "
            f"winter storms arrive.</p><p>A decision on item {w} is expected at the next meeting.</p>")


def entry_page(n: int) -> str:
    """Even entries state everything on the page; odd ones state nothing but the story (the feed has it)."""
    if n % 2:
        return f"<html><body><article>{story(n)}</article></body></html>"
    return (f"<html><head><title>Pier session {entry_words(n)}</title>"
            f'<meta property="og:site_name" content="{OUTLET}">'
            f'<meta property="og:title" content="Pier session {entry_words(n)}">'
            '<meta name="author" content="' + author(n, "Page") + '">'
            f'<meta property="article:published_time" content="{entry_day(n).isoformat()}T09:00:00Z">'
            f"</head><body><article><h1>Pier session {entry_words(n)}</h1>{story(n)}</article></body></html>")


def feed(base: str, n_entries: int = N_ENTRIES) -> str:
    items = []
    for n in range(n_entries):
        stamp = format_datetime(datetime.combine(entry_day(n), datetime.min.time(), timezone.utc))
        items.append(f"<item><title>Feed title {n}</title><link>{base}/news/{n}.html</link>"
                     f"<dc:creator>{author(n, 'Feed')}</dc:creator><pubDate>{stamp}</pubDate>"
                     f"<guid>{base}/news/{n}.html</guid></item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{FEED_TITLE}</title><link>{base}/</link><description>Harbour news</description>"
            + "".join(items) + "</channel></rss>")


@dataclass
class Site:
    base: str
    requests: list[str] = field(default_factory=list)  # paths asked for, in order
    agents: set[str] = field(default_factory=set)
    n_entries: int = N_ENTRIES

    def asked(self, prefix: str) -> int:
        return sum(1 for p in self.requests if p.startswith(prefix))


def _route(site: Site, path: str) -> tuple[int, str, bytes, dict[str, str]]:
    """(status, content type, body, extra headers) of one path."""
    if path == "/feed.xml":
        return 200, "application/rss+xml", feed(site.base, site.n_entries).encode(), {}
    if path == "/feed-as-html":  # a feed served with the wrong type: told apart by its content
        return 200, "text/html", feed(site.base, 3).encode(), {}
    if path.startswith("/news/") and path.endswith(".html"):
        n = int(path.removeprefix("/news/").removesuffix(".html"))
        return 200, "text/html; charset=utf-8", entry_page(n).encode(), {}
    if path == "/page.html":
        return 200, "text/html", entry_page(100).encode(), {}
    if path == "/latin.html":
        body = "<html><body><article><p>Le café du port rouvre lundi après trois mois de travaux.</p></article>"
        return 200, "text/html; charset=iso-8859-1", (body + "</body></html>").encode("latin-1"), {}
    if path == "/loop":
        return 302, "text/plain", b"", {"Location": "/loop"}
    if path == "/moved":
        return 301, "text/plain", b"", {"Location": "/page.html"}
    if path == "/image.png":
        return 200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64), {}
    if path == "/big.html":
        return 200, "text/html", b"<p>" + b"x" * 3_000_000 + b"</p>", {}
    if path == "/not-a-feed.xml":
        return 200, "application/xml", b'<?xml version="1.0"?><catalog><book>One</book></catalog>', {}
    return 404, "text/html", b"<h1>Not Found</h1>", {}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up early (a size cap, a timeout) is what the tests do on purpose."""


@contextmanager
def news_site(n_entries: int = N_ENTRIES) -> Iterator[Site]:
    site = Site(base="", n_entries=n_entries)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            with lock:
                site.requests.append(self.path)
                site.agents.add(self.headers.get("User-Agent", ""))
                if len(site.requests) > MAX_REQUESTS:
                    self.send_error(503)
                    return
            if self.path == "/hang":
                time.sleep(HANG_S)
            status, content_type, body, headers = _route(site, self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    server = _QuietServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
