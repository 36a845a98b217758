"""Conversation memory without a model: carry the subject of earlier questions into a follow-up."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .extract import STOPWORDS, terms

if TYPE_CHECKING:
    from .schema import Answer

_REFERENCE = re.compile(
    r"\b(it|its|this|that|these|those|they|them|their|he|him|his|she|her|there|then|other|others|same|"
    r"else|also|too|again|more|above)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]+|\d+")
_GENERIC = STOPWORDS | {"happen", "happened", "mean", "means", "outlet", "outlets", "someone", "anyone", "what"}
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")  # a capitalised word that does not start the sentence


def subject_words(question: str) -> list[str]:
    """The content words of a question, in order, as written."""
    out: list[str] = []
    for word in _WORD.findall(question):
        w = word.strip("'’-")
        if w.lower() not in _GENERIC and len(w) > 2 and w not in out:
            out.append(w)
    return out


def condense_offline(question: str, previous: list[str]) -> str:
    """Rewrite an underspecified follow-up by appending the earlier questions' subject.

    A follow-up counts as underspecified when it refers back ("that", "they", "the other outlet") or
    has too few content words of its own: fewer than three, or fewer than two when one is a name
    ("What did Hamas say?" names its subject). A question that names its own subject is unchanged.
    """
    own = set(terms(question))
    enough = len(own) >= 3 or (len(own) >= 2 and _NAME.search(question.strip()) is not None)
    if not previous or (enough and not _REFERENCE.search(question)):
        return question
    carried: list[str] = []
    for earlier in reversed(previous):
        for word in subject_words(earlier):
            stem = terms(word)
            if stem and stem[0] not in own and word not in carried:
                carried.append(word)
        if len(carried) >= 3:
            break
    if not carried:
        return question
    return f"{question.rstrip()} (about: {' '.join(carried[:8])})"


class Conversation:
    """The turns a chat (or an eval) remembers, the last ``max_turns`` of them, oldest first."""

    def __init__(self, max_turns: int) -> None:
        from collections import deque

        self._turns: deque[tuple[str, str]] = deque(maxlen=max_turns or None)
        self.max_turns = max_turns

    def remember(self, answer: Answer) -> None:
        if self.max_turns:
            self._turns.append(remembered(answer))

    def history(self) -> list[tuple[str, str]]:
        return list(self._turns)

    def reset(self) -> None:
        self._turns.clear()


def remembered(answer: Answer) -> tuple[str, str]:
    """What the conversation keeps of one turn: the question as asked and a short text of the answer."""
    return answer.question, answer.answer or " ".join(e.quote for e in answer.excerpts) or answer.summary
