"""Chroma, and nothing else that knows Chroma's API.

Two collections per store:
- ``<name>_chunks``: one record per chunk, with its embedding and metadata (article id, offsets, ...);
  the collection's metadata records which embedding model built it.
- ``<name>_articles``: one record per article holding its full text (so quotes can be checked) and
  metadata. An article record is written only after all its chunks: it is the commit marker, and
  chunks whose article has no record are never shown.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from .config import CHROMA_DB_FILE, Settings
from .dates import date_int
from .errors import EmptyStoreError, StoreError
from .schema import Article, Chunk, ChunkHit

if TYPE_CHECKING:
    import chromadb
    from chromadb.api.types import Embedding, PyEmbedding

_PLACEHOLDER_VECTOR: PyEmbedding = [1.0]  # article records are never searched by vector
_SEEN: dict[str, tuple[int, int] | None] = {}  # store -> database stamp this process's Chroma view reflects


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None and v != ""}


def _meta_int(value: object) -> int:
    """A number this module wrote into Chroma metadata, as an int; ``StoreError`` when it is not a number."""
    if isinstance(value, (int, float)):
        return int(value)
    raise StoreError(f"The store holds {value!r} where a number belongs; it is damaged: ingest into a new --store.")


def _floats(vector: Embedding | PyEmbedding) -> list[float]:
    """A vector Chroma returned (a numpy array or a list) as plain floats."""
    return list(map(float, vector))


def _preflight(host: str, port: int, seconds: float) -> None:
    """The calls Chroma's client makes while it is created (when it cannot be given a time limit yet),
    made first with one: a server that accepts connections but does not answer fails here, in bounded time."""
    import urllib.request

    tenant = "tenants/default_tenant"
    for path in ("heartbeat", "auth/identity", tenant, f"{tenant}/databases/default_database"):
        with urllib.request.urlopen(f"http://{host}:{port}/api/v2/{path}", timeout=seconds) as response:
            response.read()


def _limit_http_wait(client: Any, seconds: float) -> None:
    """Give Chroma's HTTP client a time limit: it waits forever by default (``httpx.Client(timeout=None)``), so a
    server that accepts connections but stops answering would hang every command. Private attribute: when a
    chromadb upgrade moves it, the client keeps Chroma's default and a test fails."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))


def is_http_timeout(error: BaseException | None) -> bool:
    """An httpx timeout, possibly wrapped by chromadb (checked by name: httpx is not imported for this)."""
    seen = 0
    while error is not None and seen < 5:
        if type(error).__module__.startswith("httpx") and "Timeout" in type(error).__name__:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_time(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """A Chroma server that stops answering mid-command becomes a one-line ``StoreError`` (the chat and the
    Slack bot show it as it is), instead of an httpx traceback."""

    @functools.wraps(method)
    def wrapper(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except Exception as err:
            if not is_http_timeout(err):
                raise
            raise timeout_error(self.settings) from err

    return wrapper


def timeout_error(settings: Settings) -> StoreError:
    """The one-line error for a Chroma server that did not answer within ``chroma_timeout_s``."""
    return StoreError(
        f"The Chroma server at {_location(settings)} did not answer in time (ASSISTANT_CHROMA_TIMEOUT_S="
        f"{settings.chroma_timeout_s:g}). Check that it is running and not overloaded, or raise the limit."
    )


def _location(settings: Settings) -> str:
    return f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.store_dir)


INDEX_FLOOR_BYTES = 256 * 2**20


def check_vector_index(path: Path) -> None:
    """Refuse an embedded store whose HNSW link file has grown without bound.

    A known Chroma bug (chroma-core/chroma#7510): after a write torn by a killed process or by two processes
    writing at once, each later save seeks past the end of ``link_lists.bin`` and writes there, until the
    disk is full (seen here: 500 GB apparent, 78 GB used, in minutes). A healthy link file is smaller than
    the vectors file beside it; eight times that (at least 256 MB) means the index is damaged.
    """
    for links in path.glob("*/link_lists.bin"):
        try:
            size = links.stat().st_size
            vectors = links.with_name("data_level0.bin")
            limit = max(INDEX_FLOOR_BYTES, 8 * (vectors.stat().st_size if vectors.exists() else 0))
        except OSError:
            continue
        if size > limit:
            raise StoreError(
                f"The vector index in {links.parent} is damaged ({links.name} is {size / 2**30:.1f} GiB: a known "
                "Chroma bug after an interrupted or concurrent write, chroma-core/chroma#7510). Move the store "
                f"folder {path} aside (delete it to free the disk) and ingest your articles again; use a Chroma "
                "server (docs/server.md) when several processes write."
            )


def article_meta(article: Article, n_chunks: int) -> dict[str, Any]:
    return _clean_meta({
        "title": article.title, "outlet": article.outlet, "author": article.author, "date": article.date,
        "url": article.url,
        "path": article.path, "doc_key": article.doc_key, "n_chunks": n_chunks,
        "date_int": date_int(article.date), "ingested_at": time.time(),
    })


def article_from_record(article_id: str, text: str | None, meta: dict[str, Any]) -> Article:
    return Article(
        id=article_id, text=text or "", title=meta.get("title"), outlet=meta.get("outlet"),
        author=meta.get("author"), date=meta.get("date"), url=meta.get("url"), path=meta.get("path"),
        doc_key=meta.get("doc_key", ""),
    )


class Store:
    """An open Chroma store (embedded at ``settings.store_dir``, or a server)."""

    @_in_time
    def __init__(self, settings: Settings, *, create: bool = False) -> None:
        self.settings = settings
        self.embedding_id = settings.embedding_id
        self._client = self._connect(create)
        self._article_cache: dict[str, Article] = {}
        self._counts: dict[str, tuple[tuple[int, int], int]] = {}
        chunks_name = f"{settings.collection}_chunks"
        articles_name = f"{settings.collection}_articles"
        existing = {c if isinstance(c, str) else c.name for c in self._client.list_collections()}
        if not create and chunks_name not in existing:
            raise EmptyStoreError(self.location)
        try:
            self.chunks = self._client.get_or_create_collection(
                chunks_name, embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedding_model": self.embedding_id},
            )
            self.articles = self._client.get_or_create_collection(articles_name, embedding_function=None)
        except Exception as err:  # chromadb raises many types; all mean the same to a user
            raise StoreError(f"Cannot open the Chroma collections at {self.location}: {err}") from err
        _SEEN.setdefault(self.location, self._db_stamp())
        if create:
            self._saw_own_write()
        # the model family, not the runtime: chunks embedded by torch and questions by ONNX share a store
        built_with = (self.chunks.metadata or {}).get("embedding_model")
        if built_with and built_with != self.embedding_id:
            raise StoreError(
                f"The store at {self.location} was built with {built_with}, but the settings ask for "
                f"{self.embedding_id}. Use the same embedding setting (ASSISTANT_EMBEDDING_PROVIDER), "
                "or a new --store directory and ingest again."
            )

    # -- connection -----------------------------------------------------------------------------------

    @property
    def _path(self) -> Path:
        """The embedded store's folder."""
        return Path(self.settings.store_dir).expanduser()

    def _db_stamp(self) -> tuple[int, int] | None:
        """When the embedded store's database last changed, and its size (None for a Chroma server)."""
        if self.settings.chroma_host:
            return None
        try:
            st = (self._path / CHROMA_DB_FILE).stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _saw_own_write(self) -> None:
        _SEEN[self.location] = self._db_stamp()
        self._counts.clear()

    def refresh(self) -> bool:
        """Reopen an embedded store that another process wrote to since this process last looked.

        Chroma keeps an embedded store's vector index in memory, once per process: without this, a chat or
        Slack session would not find the articles an ``assistant ingest`` in another process added (and
        asking for their vectors would fail). Cheap (one ``stat``) when nothing changed. Collections already
        handed out keep working on the old view; this Store uses the new one from here on.
        """
        stamp = self._db_stamp()
        if stamp is None or stamp == _SEEN.get(self.location):
            return False
        from chromadb.api.shared_system_client import SharedSystemClient

        # Chroma has no public "reload": drop its per-process cache entry so the next client loads from disk.
        SharedSystemClient._identifier_to_system.pop(str(self._path), None)
        try:
            self._client = self._connect(create=False)
            self.chunks = self._client.get_collection(f"{self.settings.collection}_chunks")
            self.articles = self._client.get_collection(f"{self.settings.collection}_articles")
        except Exception as err:
            raise StoreError(f"Cannot reopen the Chroma store at {self.location}: {err}") from err
        _SEEN[self.location] = stamp
        self._counts.clear()
        return True

    @property
    def location(self) -> str:
        return _location(self.settings)

    def _connect(self, create: bool) -> chromadb.api.ClientAPI:
        from .embed import offline_env

        offline_env()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        s = self.settings
        if s.chroma_host:
            try:
                # a plain connect first (5 s): a silent host fails fast; then what the client asks while it is
                # created, within the time limit (the client has none until it exists)
                socket.create_connection((s.chroma_host, s.chroma_port), timeout=5).close()
                _preflight(s.chroma_host, s.chroma_port, s.chroma_timeout_s)
                client = chromadb.HttpClient(host=s.chroma_host, port=s.chroma_port, settings=chroma_settings)
                _limit_http_wait(client, s.chroma_timeout_s)
                return client
            except Exception as err:
                reason = getattr(err, "strerror", None) or (str(err).splitlines() or [type(err).__name__])[0]
                raise StoreError(
                    f"Cannot reach the Chroma server at {self.location} ({reason[:120]}). Start one with "
                    f"`chroma run --path DIR --host {s.chroma_host} --port {s.chroma_port}`, or unset "
                    "ASSISTANT_CHROMA_HOST (--chroma-host) to use the embedded store."
                ) from err
        path = self._path
        if not create and not path.exists():
            raise EmptyStoreError(str(path))
        if path.exists() and not path.is_dir():
            raise StoreError(f"The store path {path} is a file; pass --store with a directory.")
        check_vector_index(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as err:
            raise StoreError(f"Cannot open the Chroma store at {path}: {err}") from err

    # -- reads ------------------------------------------------------------------------------------------

    def count_articles(self) -> int:
        return self._count(self.articles)

    def count_chunks(self) -> int:
        return self._count(self.chunks)

    @_in_time
    def _count(self, collection: Any) -> int:
        """A collection's size, remembered while the embedded database file is unchanged (Chroma's count costs
        ~6 ms at 100k chunks, and a question asks several times); this process's own writes forget it."""
        stamp = self._db_stamp()
        cached = self._counts.get(collection.name)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        n = int(collection.count())
        if stamp is not None:
            self._counts[collection.name] = (stamp, n)
        return n

    @_in_time
    def ids_for_key(self, doc_key: str) -> list[str]:
        """Ids of the articles that came from one source (a file, or a record of a file)."""
        got = self.articles.get(where={"doc_key": doc_key}, include=[])
        return list(got["ids"])

    @_in_time
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        got = self.articles.get(ids=list(ids), include=[])
        return set(got["ids"])

    @_in_time
    def get_articles(self, ids: Iterable[str], cache: bool = True) -> dict[str, Article]:
        """Full articles by id (only committed ones); cached, since an id names fixed content.

        ``cache=False`` reads without keeping them (bulk reads, e.g. rebuilding the keyword index).
        """
        ids = list(ids)
        if not cache:
            got = self.articles.get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
            return {a: article_from_record(a, t, dict(m or {}))
                    for a, t, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [])}
        wanted = [i for i in dict.fromkeys(ids) if i not in self._article_cache]
        if wanted:
            if len(self._article_cache) > 5000:
                self._article_cache.clear()
            got = self.articles.get(ids=wanted, include=["documents", "metadatas"])
            for article_id, text, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or []):
                self._article_cache[article_id] = article_from_record(article_id, text, dict(meta or {}))
        return {i: self._article_cache[i] for i in ids if i in self._article_cache}

    # -- reads for the keyword index ---------------------------------------------------------------------

    @_in_time
    def all_article_ids(self) -> list[str]:
        """Ids of every committed article."""
        return list(self.articles.get(include=[])["ids"])

    @_in_time
    def chunk_spans(self, article_ids: Sequence[str]) -> dict[str, list[tuple[str, int, int]]]:
        """(chunk id, start, end) of each article's chunks, in text order."""
        out: dict[str, list[tuple[str, int, int]]] = {}
        if not article_ids:
            return out
        where: Any = {"article_id": {"$in": list(article_ids)}}
        got = self.chunks.get(where=where, include=["metadatas"])
        for chunk_id, meta in zip(got["ids"], got["metadatas"] or []):
            m: dict[str, Any] = dict(meta or {})
            out.setdefault(str(m["article_id"]), []).append((chunk_id, int(m["start"]), int(m["end"])))
        for spans in out.values():
            spans.sort(key=lambda s: s[1])
        return out

    @_in_time
    def chunk_vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored embeddings of chunks by id (those that exist, and that this process's view has)."""
        if not chunk_ids:
            return {}
        try:
            got = self.chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["embeddings"])
        except Exception as err:  # a chunk another process wrote after our view was loaded: fetch one by one
            if is_http_timeout(err):
                raise
            return {cid: vec for one in dict.fromkeys(chunk_ids) for cid, vec in self._chunk_vector(one)}
        embeddings = got.get("embeddings")
        if embeddings is None:
            return {}
        return {cid: _floats(vec) for cid, vec in zip(got["ids"], embeddings)}

    def _chunk_vector(self, chunk_id: str) -> list[tuple[str, list[float]]]:
        try:
            got = self.chunks.get(ids=[chunk_id], include=["embeddings"])
        except Exception as err:
            if is_http_timeout(err):
                raise
            return []
        embeddings = got.get("embeddings")
        return [] if embeddings is None else [(cid, _floats(vec)) for cid, vec in zip(got["ids"], embeddings)]

    @_in_time
    def list_articles(self) -> list[tuple[Article, int]]:
        """Every article (without text) with its chunk count, newest first."""
        got = self.articles.get(include=["metadatas"])
        rows = []
        for article_id, meta in zip(got["ids"], got["metadatas"] or []):
            meta = dict(meta or {})
            rows.append((article_from_record(article_id, None, meta), _meta_int(meta.get("n_chunks", 0))))
        rows.sort(key=lambda r: (r[0].date or "", r[0].outlet or ""), reverse=True)
        return rows

    @_in_time
    def query(self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[ChunkHit]:
        """The ``k`` nearest chunks (cosine similarity as score), of committed articles only."""
        self.refresh()  # once per question: see what other processes ingested
        n = min(k, self.count_chunks())
        if n <= 0:
            return []
        query_vector: PyEmbedding = [float(x) for x in vector]
        got = self.chunks.query(
            query_embeddings=[query_vector], n_results=n, where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for chunk_id, text, meta, dist in zip(
            got["ids"][0], (got["documents"] or [[]])[0], (got["metadatas"] or [[]])[0], (got["distances"] or [[]])[0],
        ):
            meta = dict(meta or {})
            chunk = Chunk(id=chunk_id, article_id=str(meta["article_id"]), text=text or "",
                          start=_meta_int(meta["start"]), end=_meta_int(meta["end"]))
            hits.append(ChunkHit(chunk=chunk, score=1.0 - float(dist)))
        committed = self.existing_ids(list({h.chunk.article_id for h in hits}))
        return [h for h in hits if h.chunk.article_id in committed]

    # -- writes -----------------------------------------------------------------------------------------

    @_in_time
    def put_articles(self, items: Sequence[tuple[Article, list[Chunk], Sequence[Sequence[float]]]]) -> None:
        """Write the chunks of several articles, then their records (the commit markers).

        A crash before the records leaves chunks no record points to: retrieval never shows them, and
        writing the same article again deletes them first. One write per batch instead of two per
        article: each Chroma write is a transaction of tens of milliseconds, whatever its size.
        """
        if not items:
            return
        ids = [article.id for article, _, _ in items]
        leftovers: Any = {"article_id": {"$in": ids}} if len(ids) > 1 else {"article_id": ids[0]}
        with contextlib.suppress(Exception):  # chunks of an interrupted run
            self.chunks.delete(where=leftovers)
        batch = max(1, min(5000, self._client.get_max_batch_size()))
        rows: list[tuple[Chunk, Sequence[float], dict[str, Any]]] = []
        records = []
        for article, chunks, vectors in items:
            base = article_meta(article, len(chunks))
            records.append((article, base))
            meta = {"article_id": article.id, "title": base.get("title"), "outlet": base.get("outlet"),
                    "date": base.get("date"), "date_int": base["date_int"], "url": base.get("url"),
                    "path": base.get("path")}
            rows += [(c, v, _clean_meta({**meta, "start": c.start, "end": c.end})) for c, v in zip(chunks, vectors)]
        for i in range(0, len(rows), batch):
            part = rows[i:i + batch]
            embeddings: list[PyEmbedding] = [_floats(v) for _, v, _ in part]
            self.chunks.upsert(
                ids=[c.id for c, _, _ in part],
                documents=[c.text for c, _, _ in part],
                embeddings=embeddings,
                metadatas=[m for _, _, m in part],
            )
        for i in range(0, len(records), batch):
            part_records = records[i:i + batch]
            self.articles.upsert(ids=[a.id for a, _ in part_records], documents=[a.text for a, _ in part_records],
                                 metadatas=[m for _, m in part_records],
                                 embeddings=[_PLACEHOLDER_VECTOR] * len(part_records))
        self._saw_own_write()
        if not self.settings.chroma_host:  # stop an ingest before a damaged index fills the disk
            check_vector_index(self._path)

    @_in_time
    def delete_article(self, article_id: str) -> None:
        """Remove chunks first, then the record: a crash in between leaves a record to clean up later."""
        self.chunks.delete(where={"article_id": article_id})
        self.articles.delete(ids=[article_id])
        self._article_cache.pop(article_id, None)
        self._saw_own_write()
