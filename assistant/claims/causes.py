"""Why-questions as claims: the clause a sentence gives as the cause ("because of its age", "after a routine
inspection turned up problems", "The cause remains under investigation").

A cause is free text, so these claims are shown and make a source count as answering, but they are never
compared for disagreement (two sources can give one cause in different words).
"""

from __future__ import annotations

import re

from ..text import normalize
from .found import Found
from .question import Asked
from .words import _clean_word, _words, related, stem

# connectives that always introduce a cause
_STRONG = re.compile(r"\b(?:because(?: of)?|due to|owing to|caused by|blamed (?:on|for)?|blames?|blaming|"
                     r"attributed (?:it )?to|(?:the )?result of|as a result of|triggered by|sparked by|traced to|"
                     r"set off by|prompted by|cited|citing|in response to|so that|thanks to)\b", re.I)
# connectives that give a purpose, for "What is that money for?": "to help close a deficit", "would pay to
# repave Route 12", "will go toward new buses"
_PURPOSE = re.compile(r"\b(?:in order to|so that|to help|to pay for|to fund|to cover|to finance|to buy|to hire|"
                      r"(?:would|will|could)(?: have)? (?:pay|paid|fund|funded|cover|covered|go|gone|be used)(?: to|"
                      r" for| toward| towards)?|goes? (?:to|toward|towards)|earmarked for|set aside for|"
                      r"(?:be|is|are|was|were) used (?:to|for))\b", re.I)
# words that say the cause is (or is not) known: "The cause remains under investigation", "arson is not
# suspected", "investigators are examining an electrical panel"
_STATED = re.compile(r"\b(?:cause[sd]?|investigat\w*|suspect(?:ed|s)?|reasons?)\b", re.I)
# connectives that give a cause only after the predicate ("closed after an inspection found cracks"), and
# not when they give a time ("started shortly after 11 p.m.", "retiring after 31 years")
_WEAK = re.compile(r"\b(?:after|when|following|amid)\b", re.I)
_TIME_NOUNS = frozenset("""
midnight noon dawn dusk dark sunrise sunset hours hour minutes minute days day weeks week months month years
year decades decade monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december morning afternoon evening night weekend
""".split())  # noqa: SIM905
_DETERMINERS = frozenset("""
the a an this that last next several many few one two three four five six seven eight nine ten nearly about
almost more than
""".split())  # noqa: SIM905
# a verb whose subject is the cause of what follows it: "A slump in sales is costing 180 employees their jobs"
_CAUSING = re.compile(r"(?:\b(?:is|are|was|were|has|have|had) )?\b(?:costing|forced|forcing|forces|prompted|prompting|"
                      r"led to|leading to|drove|driving|caused|causing|triggered|sparked)\b", re.I)
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’]+ [-–—] ")
_CLAUSE_END = re.compile(r"[,;:.!?\"”)]|\s[-–—]\s|\b(?:and|but|while|said|officials)\b")


def causes(asked: Asked, sentence: str) -> list[Found]:
    """The cause a sentence gives for the question's predicate: one claim, the clause from the cue to its end.
    A purpose question ("what is it for?") takes only a purpose: the money's cause ("after the board voted")
    does not say what it is for."""
    if asked.purpose:
        m = _PURPOSE.search(sentence)
        return [_found(sentence, m.start(), _clause_end(sentence, m.end()), 1.0)] if m else []
    m = _STRONG.search(sentence)
    if m:
        return [_found(sentence, m.start(), _clause_end(sentence, m.end()), 1.0)]
    m = _STATED.search(sentence)
    if m:
        s, e = _clause_around(sentence, m.start(), m.end())
        return [_found(sentence, s, e, 0.8)]
    m = _CAUSING.search(sentence)
    if m and any(w and any(related(stem(_clean_word(x)), f) for x, _, _ in _words(sentence[m.end():]))
                 for f, w in asked.focus):
        dateline = _DATELINE.match(sentence)
        start = max(_clause_around(sentence, m.start(), m.end())[0], dateline.end() if dateline else 0)
        return [_found(sentence, start, len(sentence[:m.start()].rstrip()), 0.8)]
    predicate = [f for f, w in asked.focus if w >= 1.0]
    words = _words(sentence)
    # "closed" for "Why was it closed?", and its opposites ("reopened after repairs" dates the reopening)
    first_predicate = next((s for w, s, _ in words if any(related(stem(_clean_word(w)), f) for f in predicate)),
                           None)
    if first_predicate is None:
        return []
    for m in _WEAK.finditer(sentence, first_predicate):
        if not _gives_time(sentence[m.end():]):
            return [_found(sentence, m.start(), _clause_end(sentence, m.end()), 0.6)]
    return []


def _gives_time(rest: str) -> bool:
    """ "after 11 p.m.", "after five months", "when the day ends": the connective dates, it gives no cause."""
    head = [_clean_word(w) for w in rest.split()[:3]]
    while head and head[0] in _DETERMINERS:
        head = head[1:]
    if not head or not head[0] or head[0][:1].isdigit():
        return True
    parts = head[0].split("-")  # "a nine-day suspension", "a five-month closure"
    return parts[0] in _TIME_NOUNS or len(parts) > 1 and parts[-1] in _TIME_NOUNS


def _found(sentence: str, start: int, end: int, support: float) -> Found:
    text = sentence[start:end]
    value = normalize(text).casefold()
    return Found(start, end, "text", value, key=("text", value), score=0.5 + support, support=support)


def _clause_end(sentence: str, pos: int) -> int:
    """The end of the clause that starts at ``pos``: the next comma, dash or conjunction, or the sentence end."""
    m = _CLAUSE_END.search(sentence, pos + 1)
    end = m.start() if m else len(sentence)
    return len(sentence[:end].rstrip())


def _clause_around(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause holding ``sentence[start:end]``: back to the last comma or sentence start, on to the next."""
    before = max(sentence.rfind(",", 0, start), sentence.rfind(";", 0, start))
    s = before + 1 if before >= 0 else 0
    while s < start and sentence[s] in " \"“'‘":
        s += 1
    return s, max(end, _clause_end(sentence, end))
