"""Yes/no as claims: the polarity a sentence gives the question's predicate, negations in their scope."""

from __future__ import annotations

import re
from functools import cache

from ..text import normalize
from .found import Found
from .question import Asked
from .words import _DENY, _FAMILIES, _NEG_WORDS, AUX, CIRCUMSTANTIAL, _clean_word, _words, related, stem

_SKIP_BEFORE_PREDICATE = frozenset("""
be been being was were is are am has have had do did does will would could should can may might must also yet
ever even formally directly officially fully been still one anyone anybody any
""".split())  # noqa: SIM905


def _polarity(asked: Asked, sentence: str, article_text: str = "") -> list[Found]:
    """One claim: the sentence says yes or no to the question's predicate, with the words that say it
    (``article_text``: the whole article the sentence is from)."""
    words = _words(sentence)
    total = 0.0
    span: tuple[int, int] | None = None
    weights = [w for _, w in asked.focus if w] or [1.0]
    top = max(weights)
    # the predicate answers: the first of the question's main words, and those the lexicon knows as
    # predicates; the object's words ("the recount result") come with either answer
    main = [f for f, w in asked.focus if w == top]
    # a word with words of opposite meaning ("lose": "keep") can answer yes or no; the object's nouns
    # ("their jobs") cannot, even when the lexicon knows their synonyms
    present = asked.text.split()[0].lower() in ("is", "are", "does", "do") if asked.text.split() else False
    predicate = set(main[:1]) | {f for f in main if any(f in same and opposite for same, opposite in _FAMILIES)}
    objects = [f for f in main if f not in predicate]
    # an opposite word answers only about the question's object: "will keep all 900 employees" answers "lose
    # their jobs?", "will keep the hospital strong" does not
    names_object = not objects or any(related(stem(_clean_word(w)), o) > 0 for w, _, _ in words for o in objects)
    # a word of like meaning answers only an article that names the question's object somewhere: "would not
    # challenge the result" of a recount does not answer "appeal the rejection of its grant application?"
    in_article = cache(lambda: names_object or _names_any(article_text, objects))  # worked out when needed
    for i, (word, s, e) in enumerate(words):
        st = stem(_clean_word(word))
        for f, weight in asked.focus:
            if not weight or (weight == top and f not in predicate):
                continue
            rel = related(st, f) if st not in CIRCUMSTANTIAL or st == f else 0
            if not rel:
                continue
            if weight < top and rel > 0:
                continue  # words after a preposition place the question; they do not answer it
            if not (names_object if rel < 0 else st == f or in_article()):
                continue
            neg_at = _negated(words, i)
            sign = rel * (-1 if neg_at is not None else 1)
            if _DENY.search(sentence[:s]) and sign > 0:
                sign = -1  # "denied that Israel was consulted"
                neg_at = None
            if _after_clause(sentence, s):
                weight *= 0.5
            if present and _PAST_STATE.search(sentence[max(0, s - 16):s]):
                continue  # "Is the bridge open?": "the bridge was closed after an inspection" tells its past
            total += sign * weight
            k = neg_at if neg_at is not None else i
            while k > 0 and i - k < 4 and normalize(words[k - 1][0]) in AUX:
                k -= 1  # "had not been informed", "was consulted": the verb's own auxiliaries
            first = words[k][1]
            if span is not None and 0 <= first - span[1] <= 30:
                span = (span[0], e)  # "resumed service": the words that say it, together
            elif span is None or abs(sign * weight) >= top:
                span = (first, e)
            break
    if not total or span is None:
        return []
    polarity = 1 if total > 0 else -1
    verb = main[0] if main else ""
    value = ("yes" if polarity > 0 else "no") + (f": {verb}" if verb else "")
    return [Found(span[0], span[1], "yes-no", value, polarity=polarity, key=("yes-no", polarity),
                  score=0.5 + abs(total), support=abs(total))]


def _names_any(text: str, objects: list[str]) -> bool:
    return bool(text) and any(related(stem(_clean_word(w)), o) > 0 for w, _, _ in _words(text) for o in objects)


def _negated(words: list[tuple[str, int, int]], i: int) -> int | None:
    """The index of a negation that governs word ``i`` (only auxiliaries between them), or None."""
    j = i - 1
    while j >= 0 and i - j <= 4:
        w = normalize(words[j][0])
        if w in _NEG_WORDS or w.endswith("n't"):
            return j
        if w in ("no-one",):
            return j
        if w not in _SKIP_BEFORE_PREDICATE:
            return None
        j -= 1
    return None


_PAST_STATE = re.compile(r"\b(?:was|were|had been)\s(?:\w+ly\s)?$", re.I)


def _after_clause(sentence: str, pos: int) -> bool:
    """The word sits in an "after ..." / "before ..." clause: background, not the answer."""
    return bool(re.search(r"\b(?:after|before|following|despite)\s[^,;:.!?“”\"]*$", sentence[:pos], re.I))

