"""Citations you can trust: excerpt numbering, ``[n]`` resolution and verbatim quote checks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .schema import Article, Excerpt

_NUMBERS = r"\d+(?:\s*[-–]\s*\d+)?"  # 3, or a range 2-4
_MARKER = re.compile(rf"\s?\[({_NUMBERS}(?:\s*[,;]\s*{_NUMBERS})*)\]")
# "…", “…”, „…“ and « … »: a quoted passage of at least 12 characters
_QUOTED = re.compile(r"[\"“„«]([^\"“”„«»]{12,}?)[\"”“»]")
_MAX_RANGE = 50


def is_verbatim(article: Article, excerpt: Excerpt) -> bool:
    in_range = 0 <= excerpt.start < excerpt.end <= len(article.text)
    return in_range and article.text[excerpt.start:excerpt.end] == excerpt.quote


def check_markers(text: str, valid: Iterable[int]) -> tuple[str, list[int]]:
    """Drop every ``[n]`` that names no shown excerpt. Returns the cleaned text and the dropped numbers."""
    valid_set = set(valid)
    dropped: list[int] = []

    def fix(match: re.Match[str]) -> str:
        numbers: list[int] = []
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            low, _, high = (x.strip() for x in part.replace("–", "-").partition("-"))
            first, last = int(low), int(high or low)
            if first <= last <= first + _MAX_RANGE:
                numbers += range(first, last + 1)
            else:  # a reversed or huge range cites nothing real: all of it is dropped
                dropped.extend([first, last])
        keep = [n for n in numbers if n in valid_set]
        dropped.extend(n for n in numbers if n not in valid_set)
        if not keep:
            return ""
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return f"{lead}[{', '.join(map(str, keep))}]"

    return _MARKER.sub(fix, text), dropped


def _normalise(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).lower()


def check_quotes(text: str, articles: Iterable[Article]) -> tuple[str, list[str]]:
    """Flag quoted passages of the answer that appear in no article (fabricated quotes).

    A flagged quote loses its quotation marks and gets an ``[unverified]`` tag, so it is never
    presented as something a source said.
    """
    haystacks = [_normalise(a.text) for a in articles]
    unverified: list[str] = []

    def fix(match: re.Match[str]) -> str:
        inner = match.group(1).strip(" \u00a0\u202f.,;:")
        if len(inner.split()) < 3 or any(_normalise(inner) in h for h in haystacks):
            return match.group(0)
        unverified.append(inner)
        return f"{match.group(1).strip()} [unverified]"

    return _QUOTED.sub(fix, text), unverified
