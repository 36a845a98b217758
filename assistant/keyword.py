"""The keyword (BM25, bm25s) index that sits beside the Chroma store.

Two bm25s indexes share one vocabulary of stemmed words: one document per *article* (title twice, then the
body: ranks articles) and one per *chunk* (the same chunks as in Chroma: finds the passages that match).

On disk, under ``<store_dir>/bm25/<collection>/`` (or ``settings.keyword_dir`` for a Chroma server):
- ``vocab.txt``: one stemmed word a line, append-only (the line number is the word's id; id 0 is "").
- ``seg-*.npz``: token ids of the articles added in one batch; ``deleted.txt``: ids of removed articles.
- ``built-<n>/``: the bm25s matrices and per-document metadata, rebuilt from the segments by ``commit()``;
  ``manifest.json`` names the segments and the current build. Searches memory-map the build.

Adding is cheap (tokenise the new articles, append a segment); the BM25 statistics are recomputed from the
stored token ids at ``commit()`` (3 s for the 7,587 RealTimeQA articles and their 120,549 chunks), never
from the article text again.
The index may fall behind or run ahead of Chroma after a crash: ``sync(store)`` compares article ids and
adds or removes the difference, and searches only return articles the caller then finds in the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .config import Settings
from .errors import StoreError
from .schema import Article, Chunk

if TYPE_CHECKING:
    from .store import Store

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
TITLE_WEIGHT = 2  # the title counts as many times in an article's document
MAX_SEGMENTS = 8  # more than this many segments are merged into one at commit
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

# English stopwords (bm25s' list) plus question words that carry no topic.
_EXTRA_STOP = {"which", "what", "who", "whom", "whose", "when", "where", "why", "how", "following"}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _EXTRA_STOP


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


class _StemCache:
    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.lock = threading.Lock()

    def stem(self, words: list[str]) -> list[str]:
        cache = self.cache
        missing = list({w for w in words if w not in cache})
        if missing:
            with self.lock:
                for w, s in zip(missing, _stemmer().stemWords(missing)):
                    cache[w] = s
                if len(cache) > 500_000:
                    cache.clear()
                    return list(_stemmer().stemWords(words))
        return [cache[w] for w in words]


_STEMS = _StemCache()


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed words without stopwords (one-letter words dropped, digits kept)."""
    stop = _stopwords()
    words = [w.replace("’", "'") for w in _TOKEN.findall(text.lower())]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    words = [w for w in words if (len(w) > 1 or w.isdigit()) and w not in stop]
    return _STEMS.stem(words)


def keyword_dir(settings: Settings) -> Path:
    """Where the keyword index of these settings lives."""
    base = getattr(settings, "keyword_dir", None)
    if base:
        root = Path(base).expanduser()
    elif settings.chroma_host:
        from .config import default_data_dir

        root = default_data_dir() / f"bm25-{settings.chroma_host}-{settings.chroma_port}"
    else:
        root = Path(settings.store_dir).expanduser() / "bm25"
    return root / settings.collection


# --------------------------------------------------------------------------------------------------


@dataclass
class KeywordHit:
    article_id: str
    score: float


@dataclass
class ChunkKeywordHit:
    chunk_id: str
    article_id: str
    start: int
    end: int
    score: float


class _Build:
    """One loaded build: bm25s indexes (memory-mapped) and document metadata."""

    def __init__(self, path: Path) -> None:
        import bm25s

        self.path = path
        meta = np.load(path / "meta.npz", allow_pickle=False)
        self.article_ids: np.ndarray = meta["article_ids"]
        self.article_dates: np.ndarray = meta["article_dates"]
        self.article_outlets: np.ndarray = meta["article_outlets"]
        self.chunk_article: np.ndarray = meta["chunk_article"]
        self.chunk_start: np.ndarray = meta["chunk_start"]
        self.chunk_end: np.ndarray = meta["chunk_end"]
        self.chunk_index: np.ndarray = meta["chunk_index"]
        self.position = {str(a): i for i, a in enumerate(self.article_ids)}
        self.articles = bm25s.BM25.load(str(path / "article"), mmap=True, show_progress=False) \
            if len(self.article_ids) else None
        self.chunks = bm25s.BM25.load(str(path / "chunk"), mmap=True, show_progress=False) \
            if len(self.chunk_article) else None

    def scores(self, level: Literal["articles", "chunks"], query: str) -> np.ndarray | None:
        """BM25 score of every article (or chunk) for ``query``: zeros when none of its words is indexed, None
        when there is no index at that level."""
        index, size = (self.articles, len(self.article_ids)) if level == "articles" else (
            self.chunks, len(self.chunk_article))
        if index is None:
            return None
        words = [w for w in tokenize(query) if w in index.vocab_dict]
        return index.get_scores(words) if words else np.zeros(size)

    def positions(self, article_ids: Iterable[str]) -> list[int]:
        """Where the given articles stand in this build (those it does not hold are left out)."""
        return [p for p in (self.position.get(a) for a in article_ids) if p is not None]


class KeywordIndex:
    """A persistent, incrementally updated BM25 index over articles and their chunks."""

    def __init__(self, path: Path, k1: float = 1.2, b: float = 0.75, title_weight: int = TITLE_WEIGHT) -> None:
        self.path = Path(path)
        self.k1 = k1
        self.b = b
        self.title_weight = title_weight
        self._lock = threading.RLock()
        self._vocab: dict[str, int] | None = None
        self._next_id = 1
        self._pending: list[tuple[Article, list[Chunk]]] = []
        self._pending_deletes: list[str] = []
        self._build: _Build | None = None
        self._build_name: str | None = None
        self._deleted_cache: tuple[float, set[str]] | None = None
        self.synced = False

    # -- files --------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {"version": FORMAT_VERSION, "segments": [], "build": None, "build_deleted": 0, "generation": 0}
        if data.get("version") != FORMAT_VERSION:
            return {"version": FORMAT_VERSION, "segments": [], "build": None, "build_deleted": 0, "generation": 0}
        return dict(data)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        tmp = self.path / f"manifest.json.{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(tmp, self.path / "manifest.json")

    def _load_vocab(self) -> dict[str, int]:
        """Word -> id (its line number in vocab.txt; line 0 is the empty word)."""
        if self._vocab is None:
            vocab: dict[str, int] = {"": 0}
            lines = 1
            path = self.path / "vocab.txt"
            if path.exists():
                with open(path, encoding="utf-8") as fh:
                    for i, line in enumerate(fh):
                        lines = i + 1
                        if i == 0:
                            continue
                        word = line.rstrip("\n")
                        # a line repeated after a crash keeps its first id; the repeat gets a placeholder
                        vocab[word if word not in vocab else f"\x00{i}"] = i
            self._vocab = vocab
            self._next_id = lines
        return self._vocab

    def _vocab_lines(self) -> int:
        path = self.path / "vocab.txt"
        if not path.exists():
            return 0
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)

    def _ids(self, words: list[str], new_words: list[str]) -> np.ndarray:
        vocab = self._load_vocab()
        out = np.empty(len(words), dtype=np.int32)
        for i, w in enumerate(words):
            wid = vocab.get(w)
            if wid is None:
                wid = self._next_id
                self._next_id += 1
                vocab[w] = wid
                new_words.append(w)
            out[i] = wid
        return out

    def _deleted(self) -> set[str]:
        path = self.path / "deleted.txt"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return set()
        if self._deleted_cache is None or self._deleted_cache[0] != mtime:
            ids = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
            self._deleted_cache = (mtime, ids)
        return self._deleted_cache[1]

    # -- writes -------------------------------------------------------------------------------------

    def add(self, article: Article, chunks: Sequence[Chunk]) -> None:
        """Queue an article (and its chunks) for the next ``commit()``."""
        with self._lock:
            self._pending.append((article, list(chunks)))
            if len(self._pending) >= 500:
                self._write_segment()

    def delete(self, article_ids: Iterable[str]) -> None:
        """Queue the removal of articles for the next ``commit()``."""
        with self._lock:
            self._pending_deletes.extend(article_ids)

    def _write_segment(self) -> None:
        """Tokenise the queued articles and append them as one segment (vocabulary first)."""
        if not self._pending:
            return
        with self._file_lock():
            self._vocab = None  # another process may have grown it
            vocab_lines = self._vocab_lines()
            new_words: list[str] = []
            if vocab_lines == 0:
                new_words.append("")
            art_ids, art_dates, art_outlets, art_tok, art_off = [], [], [], [], [0]
            ch_art, ch_start, ch_end, ch_index, ch_tok, ch_off = [], [], [], [], [], [0]
            for a_i, (article, chunks) in enumerate(self._pending):
                title = tokenize(article.title or "")
                body = tokenize(article.text)
                ids = self._ids(title * self.title_weight + body, new_words)
                art_ids.append(article.id)
                art_dates.append(_date_int(article.date))
                art_outlets.append(article.outlet or "")
                art_tok.append(ids)
                art_off.append(art_off[-1] + len(ids))
                for c in chunks:
                    cids = self._ids(tokenize(c.text), new_words)
                    ch_art.append(a_i)
                    ch_start.append(c.start)
                    ch_end.append(c.end)
                    ch_index.append(_chunk_number(c.id))
                    ch_tok.append(cids)
                    ch_off.append(ch_off[-1] + len(cids))
            if new_words:
                if vocab_lines + len(new_words) != self._next_id:
                    raise StoreError(f"The keyword vocabulary at {self.path} is inconsistent; delete that folder "
                                     "and ask again to rebuild it from the store.")
                with open(self.path / "vocab.txt", "a", encoding="utf-8") as fh:
                    fh.write("".join(w + "\n" for w in new_words))
                    fh.flush()
                    os.fsync(fh.fileno())
            name = f"seg-{uuid.uuid4().hex[:12]}.npz"
            tmp = self.path / (name + ".tmp")
            with open(tmp, "wb") as fh:
                np.savez(
                    fh,
                    article_ids=np.array(art_ids, dtype=str),
                    article_dates=np.array(art_dates, dtype=np.int32),
                    article_outlets=np.array(art_outlets, dtype=str),
                    article_tokens=_concat(art_tok), article_offsets=np.array(art_off, dtype=np.int64),
                    chunk_article=np.array(ch_art, dtype=np.int32),
                    chunk_start=np.array(ch_start, dtype=np.int64), chunk_end=np.array(ch_end, dtype=np.int64),
                    chunk_index=np.array(ch_index, dtype=np.int32),
                    chunk_tokens=_concat(ch_tok), chunk_offsets=np.array(ch_off, dtype=np.int64),
                )
            os.replace(tmp, self.path / name)
            manifest = self._manifest()
            manifest["segments"].append(name)
            self._write_manifest(manifest)
            self._pending.clear()

    def _write_deletes(self) -> None:
        if not self._pending_deletes:
            return
        with self._file_lock(), open(self.path / "deleted.txt", "a", encoding="utf-8") as fh:
            fh.write("".join(i + "\n" for i in self._pending_deletes))
        self._pending_deletes.clear()

    def commit(self) -> None:
        """Write what is queued and rebuild the BM25 matrices when anything changed."""
        with self._lock:
            self._write_segment()
            self._write_deletes()
            with self._file_lock():
                manifest = self._manifest()
                deleted = self._deleted()
                if manifest.get("build") and manifest.get("build_segments") == manifest["segments"] \
                        and manifest.get("build_deleted") == len(deleted):
                    return
                self._rebuild(manifest, deleted)

    def _rebuild(self, manifest: dict[str, Any], deleted: set[str]) -> None:
        import bm25s  # the matrices are built here (bm25_matrix), searched and saved by bm25s

        # each segment's arrays read once (indexing an NpzFile reads the array from the file again every time)
        segments: list[dict[str, np.ndarray]] = []
        for seg_name in manifest["segments"]:
            with np.load(self.path / seg_name, allow_pickle=False) as npz:
                segments.append({key: npz[key] for key in npz.files})
        art_ids: list[str] = []
        art_dates: list[int] = []
        art_outlets: list[str] = []
        art_docs: list[np.ndarray] = []  # views into the segments' token arrays
        ch_art: list[int] = []
        ch_start: list[int] = []
        ch_end: list[int] = []
        ch_index: list[int] = []
        ch_docs: list[np.ndarray] = []
        where: dict[str, int] = {}
        for seg in segments:
            ids = [str(x) for x in seg["article_ids"]]
            a_off, a_tok = seg["article_offsets"], seg["article_tokens"]
            c_off, c_tok, c_art = seg["chunk_offsets"], seg["chunk_tokens"], seg["chunk_article"]
            c_by_art: dict[int, list[int]] = {}
            for ci, ai in enumerate(c_art):
                c_by_art.setdefault(int(ai), []).append(ci)
            for ai, article_id in enumerate(ids):
                if article_id in deleted:
                    continue
                if article_id in where:  # added twice (same id = same content): keep one
                    continue
                where[article_id] = len(art_ids)
                art_ids.append(article_id)
                art_dates.append(int(seg["article_dates"][ai]))
                art_outlets.append(str(seg["article_outlets"][ai]))
                art_docs.append(a_tok[a_off[ai]:a_off[ai + 1]])
                for ci in c_by_art.get(ai, []):
                    ch_art.append(where[article_id])
                    ch_start.append(int(seg["chunk_start"][ci]))
                    ch_end.append(int(seg["chunk_end"][ci]))
                    ch_index.append(int(seg["chunk_index"][ci]))
                    ch_docs.append(c_tok[c_off[ci]:c_off[ci + 1]])
        self._vocab = None  # re-read: another process may have added words (and segments using them) since
        vocab = self._load_vocab()
        generation = int(manifest.get("generation", 0)) + 1
        name = f"built-{generation}-{uuid.uuid4().hex[:6]}"
        target = self.path / name
        target.mkdir(parents=True)
        for sub, docs in (("article", art_docs), ("chunk", ch_docs)):
            if not docs:
                continue
            retriever = bm25s.BM25(k1=self.k1, b=self.b)
            retriever.scores = bm25_matrix(docs, len(vocab), self.k1, self.b)
            retriever.vocab_dict = dict(vocab)
            retriever.nonoccurrence_array = None
            retriever.save(str(target / sub), show_progress=False)
        with open(target / "meta.npz", "wb") as fh:
            np.savez(
                fh,
                article_ids=np.array(art_ids, dtype=str), article_dates=np.array(art_dates, dtype=np.int32),
                article_outlets=np.array(art_outlets, dtype=str), chunk_article=np.array(ch_art, dtype=np.int32),
                chunk_start=np.array(ch_start, dtype=np.int64), chunk_end=np.array(ch_end, dtype=np.int64),
                chunk_index=np.array(ch_index, dtype=np.int32),
            )
        old_build = manifest.get("build")
        old_segments = list(manifest["segments"])
        if len(old_segments) > MAX_SEGMENTS or deleted:
            # compact: one segment holding the live articles, and no tombstones
            compact = f"seg-{uuid.uuid4().hex[:12]}.npz"
            self._write_compact(compact, segments, where, deleted)
            manifest["segments"] = [compact]
            (self.path / "deleted.txt").unlink(missing_ok=True)
            self._deleted_cache = None
            deleted = set()
        manifest.update(build=name, build_segments=manifest["segments"], build_deleted=len(deleted),
                        generation=generation)
        self._write_manifest(manifest)
        for seg_name in old_segments:
            if seg_name not in manifest["segments"]:
                (self.path / seg_name).unlink(missing_ok=True)
        if old_build and old_build != name:
            shutil.rmtree(self.path / old_build, ignore_errors=True)
        log.info("keyword index rebuilt: %d articles, %d chunks", len(art_ids), len(ch_docs))

    def _write_compact(self, name: str, segments: list[Any], keep: dict[str, int], deleted: set[str]) -> None:
        parts: dict[str, list[Any]] = {k: [] for k in (
            "article_ids", "article_dates", "article_outlets", "article_tokens", "chunk_article", "chunk_start",
            "chunk_end", "chunk_index", "chunk_tokens")}
        art_off, ch_off = [0], [0]
        taken: set[str] = set()
        for seg in segments:
            ids = [str(x) for x in seg["article_ids"]]
            a_off, a_tok = seg["article_offsets"], seg["article_tokens"]
            c_off, c_tok, c_art = seg["chunk_offsets"], seg["chunk_tokens"], seg["chunk_article"]
            new_index: dict[int, int] = {}
            for ai, article_id in enumerate(ids):
                if article_id in deleted or article_id in taken or article_id not in keep:
                    continue
                taken.add(article_id)
                new_index[ai] = len(parts["article_ids"])
                parts["article_ids"].append(article_id)
                parts["article_dates"].append(int(seg["article_dates"][ai]))
                parts["article_outlets"].append(str(seg["article_outlets"][ai]))
                parts["article_tokens"].append(a_tok[a_off[ai]:a_off[ai + 1]])
                art_off.append(art_off[-1] + int(a_off[ai + 1] - a_off[ai]))
            for ci, ai in enumerate(c_art):
                if int(ai) not in new_index:
                    continue
                parts["chunk_article"].append(new_index[int(ai)])
                parts["chunk_start"].append(int(seg["chunk_start"][ci]))
                parts["chunk_end"].append(int(seg["chunk_end"][ci]))
                parts["chunk_index"].append(int(seg["chunk_index"][ci]))
                parts["chunk_tokens"].append(c_tok[c_off[ci]:c_off[ci + 1]])
                ch_off.append(ch_off[-1] + int(c_off[ci + 1] - c_off[ci]))
        tmp = self.path / (name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                article_ids=np.array(parts["article_ids"], dtype=str),
                article_dates=np.array(parts["article_dates"], dtype=np.int32),
                article_outlets=np.array(parts["article_outlets"], dtype=str),
                article_tokens=_concat(parts["article_tokens"]), article_offsets=np.array(art_off, dtype=np.int64),
                chunk_article=np.array(parts["chunk_article"], dtype=np.int32),
                chunk_start=np.array(parts["chunk_start"], dtype=np.int64),
                chunk_end=np.array(parts["chunk_end"], dtype=np.int64),
                chunk_index=np.array(parts["chunk_index"], dtype=np.int32),
                chunk_tokens=_concat(parts["chunk_tokens"]), chunk_offsets=np.array(ch_off, dtype=np.int64),
            )
        os.replace(tmp, self.path / name)

    # -- reads --------------------------------------------------------------------------------------

    def _current(self) -> _Build | None:
        """The latest build (reloaded when another process rebuilt it); None when nothing is indexed."""
        manifest = self._manifest()
        name = manifest.get("build")
        stale = name and (manifest.get("build_segments") != manifest["segments"]
                          or manifest.get("build_deleted") != len(self._deleted()))
        if stale or (not name and manifest["segments"]):
            self.commit()  # segments written by a run that stopped before its commit
            manifest = self._manifest()
            name = manifest.get("build")
        if not name:
            return None
        if self._build is None or self._build_name != name:
            for attempt in range(2):
                try:
                    self._build = _Build(self.path / name)
                    self._build_name = name
                    break
                except (OSError, ValueError) as err:
                    newer = self._manifest().get("build")
                    if attempt == 0 and newer and newer != name:  # replaced while we read it: read the new one
                        name = newer
                        continue
                    raise StoreError(f"Cannot read the keyword index at {self.path} ({err}); delete that folder "
                                     "and ask again to rebuild it from the store.") from err
        return self._build

    def article_ids(self) -> set[str]:
        """Ids of the articles the index holds (committed and queued, less deletions)."""
        with self._lock:
            build = self._current()
            ids = set(build.position) if build else set()
            deleted = self._deleted() | set(self._pending_deletes)
            ids = (ids - deleted) | {a.id for a, _ in self._pending}
            return ids

    def count(self) -> int:
        return len(self.article_ids())

    def _mask(self, build: _Build, date_range: tuple[int, int] | None, outlets: Sequence[str] | None) -> np.ndarray:
        mask = np.ones(len(build.article_ids), dtype=np.float32)
        mask[build.positions(self._deleted())] = 0.0
        if date_range is not None:
            lo, hi = date_range
            mask *= ((build.article_dates >= lo) & (build.article_dates <= hi)).astype(np.float32)
        if outlets:
            wanted = {o.casefold() for o in outlets}
            mask *= np.array([str(o).casefold() in wanted for o in build.article_outlets], dtype=np.float32)
        return mask

    def search_articles(
        self, query: str, k: int, *, date_range: tuple[int, int] | None = None, outlets: Sequence[str] | None = None,
        date_weights: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> list[KeywordHit]:
        """Up to ``k`` articles by BM25 score over title and body (zero scores left out).

        ``date_range`` (date ints, inclusive) and ``outlets`` restrict the articles searched;
        ``date_weights`` maps the articles' date ints to multipliers of their scores (a date prior).
        """
        with self._lock:
            build = self._current()
            scores = build.scores("articles", query) if build is not None else None
            if build is None or scores is None:
                return []
            scores = scores * self._mask(build, date_range, outlets)
            if date_weights is not None:
                scores = scores * date_weights(build.article_dates)
            return [KeywordHit(str(build.article_ids[i]), float(scores[i])) for i in _top(scores, k)]

    def article_scores(self, query: str) -> tuple[np.ndarray, list[str]] | None:
        """BM25 score of every indexed article (and their ids), for callers that re-rank all of them."""
        with self._lock:
            build = self._current()
            scores = build.scores("articles", query) if build is not None else None
            if build is None or scores is None:
                return None
            return scores * self._mask(build, None, None), [str(a) for a in build.article_ids]

    def search_chunks(
        self, query: str, k: int, *, article_ids: Iterable[str] | None = None,
        date_range: tuple[int, int] | None = None, outlets: Sequence[str] | None = None,
    ) -> list[ChunkKeywordHit]:
        """Up to ``k`` chunks by BM25 score; ``article_ids`` restricts the search to those articles."""
        with self._lock:
            build = self._current()
            scores = build.scores("chunks", query) if build is not None else None
            if build is None or scores is None:
                return []
            art_mask = self._mask(build, date_range, outlets)
            if article_ids is not None:
                keep = np.zeros_like(art_mask)
                keep[build.positions(article_ids)] = 1.0
                art_mask *= keep
            scores = scores * art_mask[build.chunk_article]
            hits = []
            for i in _top(scores, k):
                article_id = str(build.article_ids[build.chunk_article[i]])
                hits.append(ChunkKeywordHit(f"{article_id}:{int(build.chunk_index[i])}", article_id,
                                            int(build.chunk_start[i]), int(build.chunk_end[i]), float(scores[i])))
            return hits

    # -- agreement with the store --------------------------------------------------------------------

    def sync(self, store: Store, batch: int = 200) -> tuple[int, int]:
        """Make the index hold exactly the store's committed articles; returns (added, removed)."""
        with self._lock:
            have = self.article_ids()
            want = set(store.all_article_ids())
            missing = sorted(want - have)
            extra = sorted(have - want)
            if extra:
                self.delete(extra)
            for i in range(0, len(missing), batch):
                part = missing[i:i + batch]
                articles = store.get_articles(part, cache=False)
                spans = store.chunk_spans(part)
                for article_id in part:
                    article = articles.get(article_id)
                    if article is None:
                        continue
                    chunks = [Chunk(id=cid, article_id=article_id, text=article.text[s:e], start=s, end=e)
                              for cid, s, e in spans.get(article_id, [])]
                    self.add(article, chunks)
            if missing or extra:
                log.info("keyword index synced with the store: %d added, %d removed", len(missing), len(extra))
                self.commit()
            self.synced = True
            return len(missing), len(extra)


def bm25_matrix(docs: Sequence[np.ndarray], n_vocab: int, k1: float, b: float,
                batch_tokens: int = 1_000_000) -> dict[str, Any]:
    """bm25s' score matrix (its default Lucene BM25: ``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, ``tf / (tf +
    k1 (1 - b + b len / avg len))``) of documents given as arrays of word ids, computed with numpy.

    ``bm25s.BM25.index`` does the same with a Python loop and a ``Counter`` per document, over lists of Python
    ints, which took the rebuild of the RealTimeQA index (7,587 articles and 120,549 chunks, 16 M words in all)
    to 874 MB; this takes it to 370 MB. Whole documents are taken ``batch_tokens`` words at a time.
    """
    n_docs = len(docs)
    lens = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
    avg = float(lens.mean()) if n_docs and lens.any() else 1.0  # documents without words: no division by 0
    ends = np.cumsum(lens)  # where each document's words end in the whole corpus
    rows, cols, tfs = [], [], []
    start = 0
    while start < n_docs:  # documents [start, end): whole ones, about batch_tokens words
        before = int(ends[start - 1]) if start else 0
        end = max(start + 1, int(np.searchsorted(ends, before + batch_tokens, side="right")))
        words = np.concatenate(docs[start:end]).astype(np.int64)
        doc = np.repeat(np.arange(start, end, dtype=np.int64), lens[start:end])
        pairs, counts = np.unique(doc * n_vocab + words, return_counts=True)  # (document, word) -> times
        rows.append((pairs // n_vocab).astype(np.int32))
        cols.append((pairs % n_vocab).astype(np.int32))
        tfs.append(counts.astype(np.float32))
        start = end
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
    tf = np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.float32)
    del rows, cols, tfs
    df = np.bincount(col, minlength=n_vocab)
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
    # in place, in float32: one temporary the size of the matrix at a time
    norm = lens.astype(np.float32)[row]
    norm *= np.float32(k1 * b / avg)
    norm += np.float32(k1 * (1.0 - b))
    norm += tf
    np.divide(tf, norm, out=tf)
    del norm
    tf *= idf[col]  # tf now holds the scores
    order = np.argsort(col, kind="stable")  # by word (column), documents ascending within each
    del col
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    return {"data": tf[order], "indices": row[order], "indptr": indptr, "num_docs": n_docs}


def _top(scores: np.ndarray, k: int) -> list[int]:
    positive = int(np.count_nonzero(scores > 0))
    k = min(k, positive)
    if k <= 0:
        return []
    idx = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in idx[np.argsort(-scores[idx], kind="stable")]]


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)


def _date_int(iso: str | None) -> int:
    from .store import date_int

    return date_int(iso)


def _chunk_number(chunk_id: str) -> int:
    tail = chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


_INDEXES: dict[Path, KeywordIndex] = {}
_INDEXES_LOCK = threading.Lock()


def keyword_index(settings: Settings) -> KeywordIndex:
    """The keyword index of these settings (one object per folder and process)."""
    path = keyword_dir(settings).resolve()
    with _INDEXES_LOCK:
        index = _INDEXES.get(path)
        if index is None:
            index = _INDEXES[path] = KeywordIndex(path, k1=getattr(settings, "bm25_k1", 1.2),
                                                  b=getattr(settings, "bm25_b", 0.75))
        return index


class IngestHook:
    """What ingestion calls after each article is stored or deleted; never fails an ingest.

    A keyword-index error is logged and skipped: the next question's ``sync`` repairs the difference.
    """

    def __init__(self, settings: Settings) -> None:
        try:
            self.index: KeywordIndex | None = keyword_index(settings)
        except (OSError, StoreError) as err:
            log.warning("keyword index unavailable (%s); it will be rebuilt from the store", err)
            self.index = None

    def _run(self, what: str, fn: Any, *args: Any) -> None:
        if self.index is None:
            return
        try:
            fn(*args)
        except (OSError, ValueError, StoreError) as err:
            log.warning("keyword index %s failed (%s); it will be repaired from the store", what, err)
            self.index = None

    def add(self, article: Article, chunks: Sequence[Chunk]) -> None:
        if self.index is not None:
            self._run("add", self.index.add, article, chunks)

    def delete(self, article_id: str) -> None:
        if self.index is not None:
            self._run("delete", self.index.delete, [article_id])

    def commit(self) -> None:
        if self.index is not None:
            self._run("commit", self.index.commit)
