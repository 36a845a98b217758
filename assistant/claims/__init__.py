"""What each source answers: the short answer inside a shown excerpt, typed and normalised.

``analyse(question)`` reads what kind of answer the question asks for (a number, a date, a name, yes/no)
and which of its words are the subject (names) and which the predicate. ``find_claims`` finds, inside one
excerpt, the verbatim spans of that kind that answer the predicate, with a value normalised so that
paraphrases compare equal ("seven to two" = "7-2", "$1.2 million" = "1.2m dollars", "on Monday" in an
article of 2025-06-20 = 2025-06-23) and the speaker the sentence names (``said_by``).

Numbers and dates carry an interval (their stated precision: "about 12,000" is 10,800..13,200, "this
spring" is three months), so that ``agreement.py`` can tell values that differ from values that merely
differ in precision.
"""

from __future__ import annotations

from functools import lru_cache

from .categories import categories
from .causes import causes
from .dates import _dates, _iso
from .found import Found, _with_topic
from .names import _names, _speakers, canonical_name, find_speaker
from .numbers import _numbers
from .polarity import _polarity
from .question import Asked, analyse, answer_kind
from .roles import agents
from .words import _STOP, _clean_word, _words, base_form, generic, related, same_as, stem

__all__ = ["Asked", "Found", "analyse", "answer_kind", "base_form", "canonical_name", "find_claims", "find_speaker",
           "generic", "related", "same_as", "stem"]


def find_claims(asked: Asked, article_text: str, start: int, end: int, article_date: str | None,
                topic: frozenset[str] = frozenset()) -> list[Found]:
    """The answers of ``asked``'s kind inside ``article_text[start:end]``, best first. ``topic``: stems of
    the article's title; a word of the question's subject that the whole article is about (its title's)
    ties no sentence to the question, so it counts for less (the predicate's words keep their weight)."""
    sentence = article_text[start:end]
    if topic:
        asked = _with_topic(asked, topic)
    found: list[Found]
    if asked.kind == "number":
        found = _numbers(asked, sentence)
    elif asked.kind == "date":
        found = _dates(asked, sentence, _iso(article_date))
    elif asked.kind == "name":
        if asked.category:
            found = categories(asked, sentence)
        else:
            found = _speakers(sentence) if asked.speaker else _names(asked, sentence, article_text)
        if asked.agent:
            found = agents(asked, sentence) + found
        # what the question already says is not its answer: "film" for the genre of the film "Manic",
        # "courtesy" for a courtesy name, the subject's own name for who owns it
        asked_words = _stems(asked.text)
        found = [f for f in found if not _stems(sentence[f.start:f.end]) <= asked_words]
    elif asked.kind == "yes-no":
        found = _polarity(asked, sentence, article_text)
    elif asked.cause:
        found = causes(asked, sentence)
    else:
        found = []
    speaker = find_speaker(sentence)
    for f in found:
        f.start += start
        f.end += start
        if speaker and not asked.speaker:
            f.said_by = (speaker[0] + start, speaker[1] + start)
    found.sort(key=lambda f: -f.score)
    return found


@lru_cache(maxsize=4096)  # the question's words are read for every sentence of every source
def _stems(text: str) -> frozenset[str]:
    """Stems of the content words of ``text``; a span of none repeats nothing (its own marker)."""
    words = {_clean_word(w) for w, _, _ in _words(text)}
    return frozenset(stem(w) for w in words if w and w not in _STOP) or frozenset({"\0"})
