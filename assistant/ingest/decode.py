"""Bytes -> text: the size limit of one article, gzip, UTF-8 or UTF-16, binary refusal, stray control characters.

Text is decoded strictly (a wrong guess would store mojibake that no quote check can catch). Control
characters other than newlines and tabs are removed (and counted) rather than refusing the file: a
passage with one stray byte is still a passage. Only data that is mostly control bytes is "binary".
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from ..errors import IngestError

SAMPLE_BYTES = 8192
BINARY_SHARE = 0.1  # text with more control characters than this in its first 8 KB is binary
BLOCK_BYTES = 1 << 18

_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # \t \n \v \f \r are whitespace, handled below
_LINE_BREAKS = ("\v", "\f")  # PDF page breaks and the like end a line


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, inflated when it is a ``.gz``."""
    if is_gzip(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def strip_controls(text: str) -> tuple[str, int]:
    """``text`` with Windows and old Mac line ends made ``\\n`` and other control characters removed; the count
    removed (line ends, tabs and page breaks are not counted)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for page_break in _LINE_BREAKS:  # str.replace: a translate table is ten times slower on long texts
        if page_break in text:
            text = text.replace(page_break, "\n")
    return _CONTROLS.subn("", text)


def mostly_controls(text: str) -> bool:
    sample = text[:SAMPLE_BYTES]
    return bool(sample) and len(_CONTROLS.findall(sample)) > BINARY_SHARE * len(sample)


def over_limit(path: Path | str, size: int, max_bytes: int) -> IngestError:
    return IngestError(
        path, f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit (raise ASSISTANT_MAX_FILE_MB)"
    )


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The whole file (inflated when ``.gz``), refused before reading when it is over ``max_bytes``."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise IngestError(path, f"cannot read file ({err.strerror})") from err
    if size > max_bytes:
        raise over_limit(path, size, max_bytes)
    try:
        if not is_gzip(path):
            return path.read_bytes()
        with gzip.open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError as err:
        raise IngestError(path, "permission denied; check the file's permissions") from err
    except (OSError, EOFError) as err:
        raise IngestError(path, f"cannot read file ({err})") from err
    if len(data) > max_bytes:
        raise IngestError(path, f"decompresses to over {max_bytes / 1e6:g} MB, the ASSISTANT_MAX_FILE_MB limit of "
                                "one article; split it or raise the limit")
    return data


def read_text(path: Path, max_bytes: int) -> str:
    """A whole text file, decoded by :func:`decode_bytes`."""
    return decode_bytes(path, read_bytes(path, max_bytes))


def decode_bytes(path: Path | str, data: bytes, fallback_encoding: str | None = None) -> str:
    """UTF-8 (BOM dropped), UTF-16 with a BOM, or UTF-16 without one when unmistakable; ``fallback_encoding``
    (a charset the document declares) when it is not UTF-8; else ``IngestError``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(path, "invalid UTF-16 text") from err
    if b"\x00" in data[:SAMPLE_BYTES]:
        wide = _utf16_without_bom(data)
        if wide is not None:
            return wide
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if b"\x00" in data[:SAMPLE_BYTES]:
            raise IngestError(path, "binary file, not text") from err
        if fallback_encoding:
            return data.decode(fallback_encoding, errors="replace")
        raise IngestError(
            path, f"not UTF-8 text (bad byte 0x{data[err.start]:02x} at offset {err.start}); re-save it as UTF-8"
        ) from err
    if mostly_controls(text):
        raise IngestError(path, "binary file, not text")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 without a byte-order mark: one byte of most characters is zero, always the same one."""
    sample = data[:SAMPLE_BYTES]
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
# streams (JSONL feeds): checked in one pass that keeps nothing, then read line by line


def stream_encoding(path: Path) -> str:
    """The encoding of a streamed file after a full pass that keeps nothing; ``IngestError`` when it is binary,
    blank or not valid text, so that a bad feed is refused before any of its records is stored."""
    try:
        with open_bytes(path) as fh:
            first = fh.read(BLOCK_BYTES)
            encoding = _stream_start(path, first)
            _validate(path, fh, first, encoding)
    except PermissionError as err:
        raise IngestError(path, "permission denied; check the file's permissions") from err
    except (OSError, EOFError) as err:
        raise IngestError(path, f"cannot read file ({err})") from err
    return encoding


def _stream_start(path: Path, first: bytes) -> str:
    """The encoding the first block shows (refusing binary and blank data)."""
    if not first.strip():
        raise IngestError(path, "empty file")
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in first[:SAMPLE_BYTES]:
        wide = _utf16_without_bom(first[: len(first) // 2 * 2])
        if wide is None:
            raise IngestError(path, "binary file, not text")
        return "utf-16-le" if first[1] == 0 else "utf-16-be"
    if mostly_controls(first[:SAMPLE_BYTES].decode("utf-8", errors="ignore")):
        raise IngestError(path, "binary file, not text")
    return "utf-8-sig"


def _validate(path: Path, fh: IO[bytes], first: bytes, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, block = 0, first
    while block:
        try:
            decoder.decode(block)
        except UnicodeDecodeError as err:
            where = offset + max(err.start, 0)
            raise IngestError(path, f"not UTF-8 text (bad byte 0x{err.object[err.start]:02x} at offset {where}); "
                                    "re-save it as UTF-8") from err
        offset += len(block)
        block = fh.read(BLOCK_BYTES)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        raise IngestError(path, "text ends inside a character (cut off?)") from err


def lines(path: Path, encoding: str, max_chars: int) -> Iterator[str | None]:
    """The lines of a checked stream, without their line ends; ``None`` for a line over ``max_chars``
    (read past in pieces, never held whole)."""
    with io.TextIOWrapper(open_bytes(path), encoding=encoding, newline="\n") as fh:
        while True:
            line = fh.readline(max_chars + 1)
            if not line:
                return
            if len(line) > max_chars and not line.endswith("\n"):
                while (rest := fh.readline(BLOCK_BYTES)) and not rest.endswith("\n"):
                    pass
                yield None
                continue
            yield line.rstrip("\r\n")
