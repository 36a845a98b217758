"""The check on the LLM's rewrite of a follow-up: the words the conversation holds, and those a rewrite adds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .lexicon import _stem, _words, stems

if TYPE_CHECKING:
    from .turns import Turn


def conversation_words(turns: Sequence[Turn], question: str) -> set[str]:
    """Stems of every word the conversation holds: questions (typed and searched), answers' texts, and the
    last answer's outlets, titles, excerpts, claims and speakers."""
    texts = [question]
    for turn in turns:
        texts += [turn.question, turn.searched, turn.text]
        if turn.answer is not None:
            for s in turn.answer.sources:
                texts += [s.outlet or "", s.title or ""]
                texts += [e.quote for e in s.excerpts]
                texts += [f"{c.text} {c.said_by or ''}" for c in s.claims]
    return {t for text in texts for t in stems(text)}


def added_words(rewrite: str, turns: Sequence[Turn], question: str) -> list[str]:
    """The words of ``rewrite`` found nowhere in the conversation (an invented name, say), as written."""
    allowed = conversation_words(turns, question)
    out = []
    for word in _words(rewrite):
        stem = _stem(word)
        if stem and stem not in allowed and word not in out:
            out.append(word)
    return out
