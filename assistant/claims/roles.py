"""Who did it: the agent of the question's verb, read from the sentence's shape around that verb.

"Who found Leonard Fisk?" is answered by "was found by a volunteer search dog team" (the passive's agent),
"Karen Oduya cast the deciding vote" (the name right before the verb) or "Owner Gus Pappas" (a title made
from the verb). Any other name in the sentence (the place, the speaker) is not the answer, so a claim read
from the verb's own argument outranks it and ties the answer to the question plainly.
"""

from __future__ import annotations

import re

from ..text import normalize
from .found import Found
from .names import canonical_name
from .question import BY_WHOM_Q, Asked
from .words import _PREP, AUX, _clean_word, _words, is_verb, related, stem

# between a name and its verb: "Marcus Webb would become", "Karen Oduya, the board president, cast"
_BETWEEN = frozenset("""
would will has had have was were is are also then later ultimately eventually reportedly first been had
""".split())  # noqa: SIM905
_AGENT_END = re.compile(r"[,;:.!?“”\"()]|\s(?:who|whom|whose|which|that|after|when|while|before|as|and then|"
                        r"during|said|says|according)\b")
_DETERMINERS = frozenset(["a", "an", "the", "two", "three", "several", "some"])
_NAME_WORD = re.compile(r"[A-Z][\w'’\-]*\.?$")
_MAX_AGENT_WORDS = 7


def agents(asked: Asked, sentence: str) -> list[Found]:
    """The agents of the question's verb in ``sentence``: each a claim tied plainly to the question."""
    verb = _verb(asked)
    if not verb:
        return []
    words = _words(sentence)
    out: list[Found] = []
    for i, (word, _, _) in enumerate(words):
        if not is_verb(stem(_clean_word(word)), verb):
            continue
        title = stem(_clean_word(word)) != verb and related(stem(_clean_word(word)), verb) <= 0
        inside_name = i > 0 and word[:1].isupper()  # "Deputy Chief Lorna Reyes": a title, not the verb
        span = _by_agent(sentence, words, i) or (
            _title_after(words, i) if title else None if inside_name else _name_before(sentence, words, i))
        if span and not _is_subject(asked, sentence[span[0]:span[1]]):
            text = sentence[span[0]:span[1]]
            out.append(Found(span[0], span[1], "name", _value(text), key=("name", _value(text)), score=2.5,
                             support=1.0, agent=True))
    return out


def _verb(asked: Asked) -> str | None:
    """The question's verb: its first word after "who" and the auxiliaries ("Who [cast] the deciding vote",
    "Who was [named] chief", "Who would [become] mayor"), or the one before "by whom" ("[found] by whom?")."""
    by_whom = BY_WHOM_Q.match(asked.text)
    if by_whom:
        return stem(_clean_word(by_whom.group(1)))
    for word, _, _ in _words(asked.text)[1:]:
        low = _clean_word(word)
        if low not in AUX and low not in ("the", "a", "an"):
            return stem(low)
    return None


def _by_agent(sentence: str, words: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """ "was found by a volunteer search dog team about two miles from ...": the words after "by"."""
    j = i + 1
    if j < len(words) and normalize(words[j][0]) in ("only", "later", "eventually", "first"):
        j += 1
    if j + 1 >= len(words) or normalize(words[j][0]) != "by":
        return None
    start = words[j + 1][1]
    end_m = _AGENT_END.search(sentence, start)
    end = end_m.start() if end_m else len(sentence)
    taken: list[tuple[str, int, int]] = []
    for word, s, e in words[j + 1:]:
        if s >= end or len(taken) >= _MAX_AGENT_WORDS:
            break
        low = normalize(word)
        if taken and low in _PREP and low != "of":
            break  # "a team about two miles from the trailhead": the agent ends at the place
        taken.append((word, s, e))
    while taken and normalize(taken[-1][0]) in _PREP | _DETERMINERS:
        taken.pop()
    if not taken or all(normalize(w) in _DETERMINERS for w, _, _ in taken):
        return None
    return taken[0][1], taken[-1][2]


def _name_before(sentence: str, words: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """ "Board president Karen Oduya cast ...": the capitalised words that end right before the verb (not
    across a dash or comma: "HARWICK - Deputy Chief Lorna Reyes" starts after the dateline)."""
    j = i - 1
    while j >= 0 and i - j <= 3 and normalize(words[j][0]) in _BETWEEN:
        j -= 1
    if j >= 1 and words[j][0].islower() and words[j - 1][0].endswith(("'s", "’s")) \
            and _NAME_WORD.match(words[j - 1][0]) and _joined(sentence, words, j - 1):
        j -= 1  # "Bryce Tolan's campaign had requested": the name whose campaign (office, lawyers) did it
    end = j
    while j >= 0 and _NAME_WORD.match(words[j][0]) and (j == end or _joined(sentence, words, j)):
        j -= 1
    if end < 0 or j == end:
        return None
    return words[j + 1][1], words[end][2]


def _joined(sentence: str, words: list[tuple[str, int, int]], j: int) -> bool:
    """Words ``j`` and ``j + 1`` belong to one name: only a space between them, or an abbreviation's dot."""
    gap = sentence[words[j][2]:words[j + 1][1]].strip()
    return not gap or (gap == "." and len(words[j][0]) <= 4)


def _title_after(words: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """ "Owner Gus Pappas": the verb made a title, and the name after it."""
    k = i + 1
    while k < len(words) and _NAME_WORD.match(words[k][0]) and k - i <= 4:
        k += 1
    if k == i + 1:
        return None
    return words[i + 1][1], words[k - 1][2]


def _is_subject(asked: Asked, text: str) -> bool:
    stems = {stem(_clean_word(w)) for w in text.split()}
    return bool(stems & asked.subject) and len(stems - asked.subject) <= 1


def _value(text: str) -> str:
    words = text.split()
    while words and normalize(words[0]) in _DETERMINERS:
        words = words[1:]
    return canonical_name(" ".join(words)) or normalize(text)
