"""Links -> local copies of the pages, kept under the store so a re-ingest does not fetch them again and
every quote stays checkable against what was read.

Each download has a time limit, a size cap, a content-type check, a bounded number of redirects and a
User-Agent that says what is asking. A link that fails raises ``IngestError`` naming it and the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import __version__
from ..config import Settings
from ..errors import IngestError
from .meta import SIDECAR_SUFFIX

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"assistant/{__version__} (news question answering; fetches only the links its user gives it)"
PAGE_TYPES = {  # content type -> the suffix its reader takes
    "text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf", "text/plain": ".txt",
    "text/markdown": ".md", "application/json": ".json",
}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]")


def is_link(text: str) -> bool:
    """Whether a command-line argument is a link (any scheme) rather than a path."""
    return bool(_SCHEME.match(text))


def pages_dir(settings: Settings) -> Path:
    return Path(settings.pages_dir or Path(settings.store_dir) / "pages").expanduser()


@dataclass
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    content_type: str
    body: bytes
    charset: str | None = None  # the one the server declared

    def text_bytes(self) -> bytes:
        """The body, re-encoded as UTF-8 when it is text the server declared in another charset."""
        charset = (self.charset or "").lower()
        if self.content_type == "application/pdf" or charset in ("", "utf-8", "utf8"):
            return self.body
        try:
            return self.body.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            return self.body

    @property
    def is_feed(self) -> bool:
        head = self.body[:2048].lower()
        root = _FEED_ROOT.search(head)
        return root is not None and b"<html" not in head[: root.start()]


class Fetcher:
    """Downloads pages and feeds over one HTTP client; keeps pages in ``folder``."""

    def __init__(self, settings: Settings, folder: Path | None = None) -> None:
        self.timeout_s = settings.fetch_timeout_s
        self.max_redirects = settings.fetch_max_redirects
        self.max_bytes = int(settings.max_file_mb * 1_000_000)
        self.folder = folder or pages_dir(settings)
        self.fetched = 0  # downloads made, for the summary
        self._client: httpx.Client | None = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout_s), follow_redirects=True, max_redirects=self.max_redirects,
                headers={"User-Agent": USER_AGENT, "Accept": "text/html, application/xhtml+xml, application/pdf, "
                         "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/*;q=0.8"},
            )
        return self._client

    # -- the kept copies ------------------------------------------------------------------------------

    def kept(self, url: str) -> Path | None:
        """The kept copy of a page fetched before, if any."""
        key = _key(url)
        return next((p for p in sorted(self.folder.glob(key + ".*")) if not p.name.endswith(SIDECAR_SUFFIX)), None)

    def keep(self, fetched: Fetched, meta: dict[str, Any]) -> Path:
        """Write a page and its metadata sidecar (the sidecar first: a page file means both are whole)."""
        suffix = PAGE_TYPES[fetched.content_type]
        self.folder.mkdir(parents=True, exist_ok=True)
        key = _key(fetched.url)
        host = urlsplit(fetched.final_url).hostname or ""
        sidecar = {"url": fetched.final_url, "outlet": host.removeprefix("www.") or None, **meta,
                   "fetched_url": fetched.url, "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   "content_type": fetched.content_type}
        _write_atomic(self.folder / (key + SIDECAR_SUFFIX), json.dumps(sidecar, indent=1).encode())
        page = self.folder / (key + suffix)
        _write_atomic(page, fetched.text_bytes())
        return page

    # -- downloads ------------------------------------------------------------------------------------

    def get(self, url: str) -> Fetched:
        """Download one page or feed; ``IngestError`` naming the link and why it failed."""
        import httpx

        if not url.lower().startswith(("http://", "https://")):
            raise IngestError(url, "only http:// and https:// links can be fetched")
        try:
            return self._download(url)
        except httpx.TimeoutException as err:
            raise IngestError(url, f"timed out after {self.timeout_s:g} s (raise ASSISTANT_FETCH_TIMEOUT_S)") from err
        except httpx.TooManyRedirects as err:
            raise IngestError(url, f"more than {self.max_redirects} redirects "
                                   "(raise ASSISTANT_FETCH_MAX_REDIRECTS)") from err
        except httpx.ConnectError as err:
            raise IngestError(url, f"cannot connect ({_first_line(err)})") from err
        except (httpx.HTTPError, httpx.InvalidURL) as err:
            raise IngestError(url, f"download failed ({type(err).__name__}: {_first_line(err)})") from err

    def _download(self, url: str) -> Fetched:
        deadline = time.monotonic() + self.timeout_s
        with self.client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise IngestError(url, f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            self._check_size(url, int(response.headers.get("content-length") or 0))
            body = bytearray()
            for block in response.iter_bytes():
                body += block
                self._check_size(url, len(body))
                if time.monotonic() > deadline:
                    raise IngestError(url, f"took over {self.timeout_s:g} s (raise ASSISTANT_FETCH_TIMEOUT_S)")
            fetched = Fetched(url, str(response.url), content_type, bytes(body), response.charset_encoding)
        self.fetched += 1
        if not fetched.is_feed and content_type not in PAGE_TYPES:
            shown = content_type or "none given"
            what = "XML that is not an RSS or Atom feed" if content_type in FEED_TYPES else f"content type {shown}"
            raise IngestError(url, f"not a web page, PDF, text or feed ({what})")
        return fetched

    def _check_size(self, url: str, size: int) -> None:
        if size > self.max_bytes:
            raise IngestError(url, f"over the {self.max_bytes / 1e6:g} MB limit of one article "
                                   "(raise ASSISTANT_MAX_FILE_MB)")


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def _first_line(err: Exception) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0][:160]


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
