"""A claim found in an excerpt, and how plainly the words around it tie it to the question."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .question import Asked
from .words import _clean_word, _words, related, stem


@dataclass
class Found:
    """A claim found in an excerpt: ``text[start:end]`` of the article."""

    start: int
    end: int
    kind: str
    value: str
    lo: float | None = None  # the interval the value stands for (numbers, date ordinals)
    hi: float | None = None
    polarity: int = 0  # yes-no: +1 / -1
    said_by: tuple[int, int] | None = None
    score: float = 0.0
    support: float = 0.0  # how plainly the sentence ties it to the question's predicate (or counted thing)
    key: tuple[Any, ...] = field(default_factory=tuple)  # exact identity for non-interval values
    agent: bool = False  # read from the question's verb's own argument ("found by ...")
    on_verb: bool = False  # a date in a sentence that says the question's verb ("will begin in October")

    @property
    def width(self) -> float:
        if self.lo is None or self.hi is None:
            return 0.0
        return self.hi - self.lo


def _with_topic(asked: Asked, topic: frozenset[str]) -> Asked:

    return replace(asked, focus=tuple((f, w * 0.3 if f in topic and w < 1.0 else w) for f, w in asked.focus))


def _focus_near(asked: Asked, sentence: str, pos: int) -> float:
    """How strongly the words around ``pos`` are about the question's predicate (closer weighs more)."""
    best = 0.0
    for word, s, _ in _words(sentence):
        st = stem(_clean_word(word))
        for f, weight in asked.focus:
            if weight and related(st, f):
                best = max(best, weight / (1 + abs(s - pos) / 40))
    return best


def _top_focus(asked: Asked) -> frozenset[str]:
    """The predicate's own words ("What raise": a number followed by "raise" answers it)."""
    return frozenset(f for f, w in asked.focus if w >= 1.0)


