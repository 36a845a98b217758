"""Files -> Articles -> Chunks.

Readers per format turn one file into one or more ``Article`` objects; ``chunk_article`` splits an
article with a LangChain text splitter and keeps character offsets into the article text.
Errors are raised as ``IngestError`` naming the file (and record) and the reason.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from .config import Settings
from .errors import IngestError
from .schema import Article, Chunk

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from .corpus import Corpus

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".json.gz", ".jsonl.gz")
SIDECAR_SUFFIX = ".meta.json"
GZIP_RATIO = 20  # a .gz file may decompress to this many times ASSISTANT_MAX_FILE_MB, no more
UNSUPPORTED = f"unsupported file type; use {', '.join(SUPPORTED_SUFFIXES)}"

_DATE_LINE = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*(?:\r?\n)?", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


# --------------------------------------------------------------------------------------------------
# discovery


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def suffix_of(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def discover(paths: list[Path]) -> Discovered:
    """Expand files and folders (recursively) into supported files; report what cannot be read."""
    found = Discovered()
    seen: set[Path] = set()

    def add(file: Path) -> None:
        real = file.resolve()
        if real not in seen:
            seen.add(real)
            found.files.append(file)

    for path in paths:
        if not path.exists():
            found.errors.append(IngestError(path, _missing_reason(path)))
            continue
        if not path.is_file() and not path.is_dir():
            found.errors.append(IngestError(path, "not a regular file or folder (a pipe, socket or device?)"))
            continue
        if path.is_file():
            if path.name.lower().endswith(SIDECAR_SUFFIX):
                continue
            if suffix_of(path) not in SUPPORTED_SUFFIXES:
                found.errors.append(IngestError(path, UNSUPPORTED))
                continue
            add(path)
            continue
        visited_dirs: set[Path] = set()

        def unreadable(err: OSError, top: Path = path) -> None:
            found.errors.append(IngestError(err.filename or top, f"cannot read directory ({err.strerror})"))

        for root, dirs, files in os.walk(path, followlinks=True, onerror=unreadable):
            real_root = Path(root).resolve()
            if real_root in visited_dirs:
                parent = Path(root).parent.resolve()
                if real_root == parent or real_root in parent.parents:
                    found.errors.append(IngestError(root, "symbolic link loop; skipped"))
                dirs[:] = []  # else a second link to a folder already read: its files are in once
                continue
            visited_dirs.add(real_root)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.lower().endswith(SIDECAR_SUFFIX):
                    continue
                file = Path(root) / name
                if suffix_of(file) not in SUPPORTED_SUFFIXES:
                    found.errors.append(IngestError(file, UNSUPPORTED))
                elif not file.exists():
                    found.errors.append(IngestError(file, _missing_reason(file)))
                elif not file.is_file():
                    found.errors.append(IngestError(file, "not a regular file (a pipe, socket or device?)"))
                else:
                    add(file)
    return found


def _missing_reason(path: Path) -> str:
    """Why a path that does not resolve to anything cannot be read."""
    if not path.is_symlink():
        return "no such file or directory"
    try:
        path.stat()
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


# --------------------------------------------------------------------------------------------------
# decoding


def read_text(path: Path, max_bytes: int) -> str:
    """Read a text file as UTF-8 (BOM allowed) or UTF-16 with a BOM; refuse binary and other encodings."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise IngestError(path, f"cannot read file ({err.strerror})") from err
    if size > max_bytes:
        raise IngestError(
            path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit (raise ASSISTANT_MAX_FILE_MB)"
        )
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(max_bytes * GZIP_RATIO + 1)
            if len(data) > max_bytes * GZIP_RATIO:
                raise IngestError(path, f"decompresses to over {max_bytes * GZIP_RATIO / 1e6:g} MB "
                                        f"({GZIP_RATIO}x the ASSISTANT_MAX_FILE_MB limit); split it or raise the limit")
        else:
            data = path.read_bytes()
    except PermissionError as err:
        raise IngestError(path, "permission denied; check the file's permissions") from err
    except (OSError, EOFError) as err:
        raise IngestError(path, f"cannot read file ({err})") from err
    return decode_bytes(path, data)


def decode_bytes(path: Path, data: bytes) -> str:
    """UTF-8 (BOM dropped), UTF-16 with a BOM, or UTF-16 without one when unmistakable; else ``IngestError``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(path, "invalid UTF-16 text") from err
    if b"\x00" in data[:8192]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise IngestError(path, "binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise IngestError(
            path, f"not UTF-8 text (bad byte 0x{data[err.start]:02x} at offset {err.start}); re-save it as UTF-8"
        ) from err


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 without a byte-order mark: one byte of most characters is zero, always the same one."""
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 8:
        return None
    half = len(sample) // 2
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    for encoding, zeros, others in (("utf-16-le", odd_zeros, even_zeros), ("utf-16-be", even_zeros, odd_zeros)):
        if others == 0 and zeros >= 0.6 * half:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            if all(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096]):
                return text
    return None


# --------------------------------------------------------------------------------------------------
# metadata helpers


def parse_date(value: Any) -> str | None:
    """Best-effort ISO date (YYYY-MM-DD) from strings like '2023-03-06T10:00:00+00:00'."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    try:
        from dateutil import parser

        return parser.parse(text, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def article_id_for(text: str, meta: dict[str, Any]) -> str:
    """Stable id from the content: the same text and metadata always give the same id."""
    digest = hashlib.sha256()
    digest.update(text.encode("utf-8"))
    for key in ("title", "outlet", "date", "url"):
        digest.update(b"\x1f" + str(meta.get(key) or "").encode("utf-8"))
    return digest.hexdigest()[:16]


def make_article(path: Path, text: str, meta: dict[str, Any], doc_key: str) -> Article:
    if not text.strip():
        raise IngestError(doc_key, "empty article (no text)")
    fields = {
        "title": _clean(meta.get("title")),
        "outlet": _clean(meta.get("outlet") or meta.get("source") or meta.get("site_name")),
        "date": parse_date(meta.get("date") or meta.get("published_at") or meta.get("published")),
        "url": _clean(meta.get("url") or meta.get("link")),
    }
    if not fields["outlet"]:
        fields["outlet"] = path.name
    return Article(id=article_id_for(text, fields), text=text, path=str(path), doc_key=doc_key, **fields)


def read_sidecar(path: Path) -> dict[str, Any]:
    name = path.name
    for suffix in SUPPORTED_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    sidecar = path.with_name(name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise IngestError(sidecar, f"invalid metadata sidecar ({err})") from err
    if not isinstance(data, dict):
        raise IngestError(sidecar, "metadata sidecar must be a JSON object")
    return data


# --------------------------------------------------------------------------------------------------
# readers


def _read_txt(path: Path, raw: str) -> tuple[str, dict[str, Any]]:
    meta: dict[str, Any] = {}
    match = _DATE_LINE.match(raw)
    if match:
        parsed = parse_date(match[1])
        if parsed is None:
            raise IngestError(path, f"first line 'date {match[1]}' is not a date; use 'date YYYY-MM-DD'")
        meta["date"] = parsed
        raw = raw[match.end():]
    return raw.strip(), meta


def _read_md(path: Path, raw: str) -> tuple[str, dict[str, Any]]:
    import yaml

    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            loaded = yaml.safe_load(match[1] or "") or {}
        except yaml.YAMLError as err:
            raise IngestError(path, f"invalid YAML front matter ({str(err).splitlines()[0]})") from err
        if not isinstance(loaded, dict):
            raise IngestError(path, "YAML front matter must be a mapping of key: value")
        meta = loaded
        raw = raw[match.end():]
    body = raw.strip()
    if not meta.get("title"):
        heading = re.match(r"#\s+(.+)", body)
        if heading:
            meta["title"] = heading[1].strip()
    return body, meta


def _read_html(path: Path, raw: str) -> tuple[str, dict[str, Any]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")

    def meta_content(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
            if tag and tag.get("content"):
                return str(tag["content"])
        return None

    meta: dict[str, Any] = {
        "title": meta_content("og:title", "twitter:title") or (soup.title.string if soup.title else None),
        "outlet": meta_content("og:site_name", "application-name", "publisher"),
        "date": meta_content("article:published_time", "date", "pubdate", "publish-date", "dc.date"),
        "url": meta_content("og:url"),
    }
    if not meta["date"]:
        time_tag = soup.find("time")
        if time_tag is not None:
            meta["date"] = time_tag.get("datetime") or time_tag.get_text()
    if not meta["url"]:
        link = soup.find("link", attrs={"rel": "canonical"})
        if link is not None:
            meta["url"] = link.get("href")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = root.find_all(["p", "h1", "h2", "h3", "h4", "li", "blockquote"])
    if blocks:
        parts = [" ".join(b.get_text(" ").split()) for b in blocks if not b.find(["p", "li"])]
    else:
        parts = [" ".join(line.split()) for line in root.get_text("\n").splitlines()]
    body = "\n\n".join(p for p in parts if p)
    return body, meta


def _records_from_json(path: Path, raw: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise IngestError(path, f"malformed JSON (line {err.lineno}, column {err.colno}: {err.msg})") from err
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        yield 1, data
    elif isinstance(data, list):
        yield from enumerate(data, start=1)
    else:
        raise IngestError(path, "JSON must be an article object or a list of article objects")


def _records_from_jsonl(path: Path, raw: str) -> Iterator[tuple[int, Any]]:
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as err:
            yield lineno, IngestError(f"{path}:{lineno}", f"malformed JSON line ({err.msg})")


def _article_from_record(path: Path, where: str, record: Any, sidecar: dict[str, Any]) -> Article:
    if not isinstance(record, dict):
        raise IngestError(where, "record is not a JSON object")
    body = record.get("body") or record.get("text") or record.get("content")
    if not isinstance(body, str) or not body.strip():
        raise IngestError(where, "record has no 'body' text")
    meta = {**sidecar, **{k: v for k, v in record.items() if v not in (None, "")}}
    key = record.get("url") or record.get("id") or where.rsplit(":", 1)[-1]
    return make_article(path, body.strip(), meta, doc_key=f"{path.resolve()}#{key}")


@dataclass
class FileResult:
    articles: list[Article] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


def read_file(path: Path, max_bytes: int) -> FileResult:
    """Read one file into articles. A whole-file problem raises; a bad record is reported in ``errors``."""
    suffix = suffix_of(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(path, UNSUPPORTED)
    raw = read_text(path, max_bytes)
    if not raw.strip():
        raise IngestError(path, "empty file")
    sidecar = read_sidecar(path)
    result = FileResult()
    if suffix in (".json", ".json.gz", ".jsonl", ".jsonl.gz"):
        records = _records_from_jsonl(path, raw) if "jsonl" in suffix else _records_from_json(path, raw)
        for index, record in records:
            where = f"{path}:{index}"
            if isinstance(record, IngestError):
                result.errors.append(record)
                continue
            try:
                result.articles.append(_article_from_record(path, where, record, sidecar))
            except IngestError as err:
                result.errors.append(err)
        if not result.articles and result.errors and len(result.errors) == 1:
            raise result.errors[0]
        return result
    reader = {".txt": _read_txt, ".md": _read_md, ".markdown": _read_md, ".html": _read_html, ".htm": _read_html}
    body, meta = reader[suffix](path, raw)
    if not body.strip():
        raise IngestError(path, "empty article (no text after metadata)")
    merged = {**meta, **{k: v for k, v in sidecar.items() if k not in meta or not meta[k]}}
    result.articles.append(make_article(path, body, merged, doc_key=str(path.resolve())))
    return result


def iter_file(path: Path, max_bytes: int) -> Iterator[Article | IngestError]:
    """``read_file`` one article (or bad record) at a time; a whole-file problem raises before anything is yielded.

    A JSONL feed is streamed: a first pass checks its size and encoding without keeping the text, then
    records are read line by line, so memory does not grow with the file. Anything unusual (UTF-16, a
    bad byte, over the limit) goes through ``read_file``, which reports it.
    """
    if "jsonl" not in suffix_of(path) or not _plain_utf8_within_limit(path, max_bytes):
        result = read_file(path, max_bytes)
        yield from result.errors
        yield from result.articles
        return
    sidecar = read_sidecar(path)
    try:
        with _open_bytes(path) as fh:
            for lineno, data in enumerate(fh, start=1):
                line = data.decode("utf-8-sig" if lineno == 1 else "utf-8").rstrip("\r\n")
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    yield _article_from_record(path, where, json.loads(line), sidecar)
                except json.JSONDecodeError as err:
                    yield IngestError(where, f"malformed JSON line ({err.msg})")
                except IngestError as err:
                    yield err
    except (OSError, EOFError, UnicodeDecodeError) as err:  # changed or removed since the first pass
        yield IngestError(path, f"cannot read file ({err})")


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _plain_utf8_within_limit(path: Path, max_bytes: int) -> bool:
    """True when the file is non-blank UTF-8 text within the size limits, read in blocks and not kept."""
    limit = max_bytes * GZIP_RATIO if path.name.lower().endswith(".gz") else max_bytes
    decoder = codecs.getincrementaldecoder("utf-8")()
    total, blank = 0, True
    try:
        if path.stat().st_size > max_bytes:
            return False
        with _open_bytes(path) as fh:
            while block := fh.read(1 << 18):
                if total == 0 and (block.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in block[:8192]):
                    return False
                total += len(block)
                if total > limit:
                    return False
                blank = blank and block.isspace()
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except (OSError, EOFError, UnicodeDecodeError):
        return False
    return not blank


# --------------------------------------------------------------------------------------------------
# chunking


def chunk_article(article: Article, chunk_chars: int, overlap_chars: int) -> list[Chunk]:
    """Split an article into overlapping chunks whose offsets point into ``article.text``."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_chars,
        chunk_overlap=min(overlap_chars, chunk_chars // 2),
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks = []
    for i, doc in enumerate(splitter.create_documents([article.text])):
        start = int(doc.metadata["start_index"])
        if start < 0 or article.text[start:start + len(doc.page_content)] != doc.page_content:
            start = article.text.find(doc.page_content)
        end = start + len(doc.page_content)
        if start < 0 or article.text[start:end] != doc.page_content:  # never store an unverifiable chunk
            continue
        chunks.append(Chunk(id=f"{article.id}:{i}", article_id=article.id, text=doc.page_content, start=start, end=end))
    return chunks


# --------------------------------------------------------------------------------------------------
# files -> store


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    chunks: int = 0
    errors: list[IngestError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed; {self.chunks} chunks written"
        )


def ingest_paths(
    paths: list[Path],
    corpus: Corpus,
    embeddings: Embeddings,
    settings: Settings,
    on_file: Callable[[Path, int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_chunks: Callable[[int], None] | None = None,
) -> IngestReport:
    """Read, chunk, embed and store every supported file under ``paths``.

    A file that fails is reported and skipped; nothing stored before is touched by a failure.
    Articles are embedded and written in batches of about ``embed_batch_size * 4`` chunks (1024 by default:
    a wide batch sorts by length better, so less padding), so memory stays flat.
    Files are read one at a time (JSONL feeds line by line); ``on_chunks(n)`` follows each written batch.
    """
    from .embed import encode

    report = IngestReport()
    found = discover(paths)
    report.errors.extend(found.errors)
    if on_start:
        on_start(len(found.files))
    max_bytes = int(settings.max_file_mb * 1_000_000)
    pending: list[tuple[Article, list[Chunk], list[str]]] = []  # article, chunks, ids it replaces
    pending_chunks = 0
    flush_at = max(64, settings.embed_batch_size * 4)

    def flush() -> None:
        nonlocal pending_chunks
        texts = [c.text for _, chunks, _ in pending for c in chunks]
        vectors = encode(embeddings, texts) if texts else []
        batch, offset = [], 0
        for article, chunks, _ in pending:
            batch.append((article, chunks, vectors[offset:offset + len(chunks)]))
            offset += len(chunks)
        # all chunks, then all records (a crash in between leaves no half article), then the old versions go
        corpus.add(batch, replacing=[old for _, _, replaces in pending for old in replaces])
        for _, chunks, replaces in pending:
            report.chunks += len(chunks)
            if replaces:
                report.updated += 1
            else:
                report.added += 1
        pending.clear()
        pending_chunks = 0
        if on_chunks:
            on_chunks(len(texts))

    seen_in_run: set[str] = set()
    for path in found.files:
        n_articles = 0
        for article in _file_articles(path, max_bytes, report.errors):
            n_articles += 1
            if article.id in seen_in_run:
                report.unchanged += 1
                continue
            seen_in_run.add(article.id)
            previous = corpus.ids_for_key(article.doc_key)
            stale = [i for i in previous if i != article.id]
            if article.id in previous or corpus.existing_ids([article.id]):
                corpus.delete(stale)  # a crash mid-update may have left the old version behind
                report.unchanged += 1
                continue
            chunks = chunk_article(article, settings.chunk_chars, settings.chunk_overlap_chars)
            if not chunks:
                report.errors.append(IngestError(article.doc_key, "no text to index"))
                continue
            pending.append((article, chunks, stale))
            pending_chunks += len(chunks)
            if pending_chunks >= flush_at:
                flush()
        if on_file:
            on_file(path, n_articles)
    if pending:
        flush()
    corpus.commit()
    return report


def _file_articles(path: Path, max_bytes: int, errors: list[IngestError]) -> Iterator[Article]:
    """The articles of one file as they are read; its errors go to ``errors``."""
    try:
        for item in iter_file(path, max_bytes):
            if isinstance(item, IngestError):
                errors.append(item)
            else:
                yield item
    except IngestError as err:
        errors.append(err)
