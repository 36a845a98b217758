"""Names as claims, and the speaker a sentence names ("Leavitt said", "according to Arab officials")."""

from __future__ import annotations

import re

from ..text import normalize
from .dates import _MONTH_ABBR, _MONTHS, _WEEKDAYS
from .found import Found, _focus_near
from .question import Asked
from .words import _SPEECH, _STOP, _clean_word, stem

_NAME_RE = re.compile(r"(?:(?:[A-Z][a-z]{0,4}\.\s)?[A-Z][\w'’\-]*(?:\.)?(?:\s+(?:of|de|du|van|von|the|and|&|for)?\s*"
                      r"[A-Z][\w'’\-]*)*)"
                      # a number that belongs to the name: "Route 12", "District 3" (not a year or a measure)
                      r"(?:\s(?!(?:1[89]|20)\d\d\b)\d{1,4}[A-Z]?\b(?![,.]?\d|\s*(?:percent|%)))?")
_TITLES = frozenset("""
mr mrs ms dr prof capt gen sen rep gov lt col sgt st deputy chief mayor president officer councilman
councilwoman member judge detective director owner the
""".split())  # noqa: SIM905
_MONTH_WORDS = frozenset(list(_MONTHS) + list(_WEEKDAYS) + list(_MONTH_ABBR))


_WHO_Q = re.compile(r"\bwho(?:m|se)?\b", re.I)
_PLACE_WORDS = frozenset("""
hall street road avenue county city park bridge elementary school island river lake creek hill state states
building center centre airport station court
""".split())  # noqa: SIM905


def canonical_name(text: str) -> str:
    words = [_clean_word(w) for w in re.split(r"\s+", text)]
    words = [w for w in words if w and w not in _TITLES]
    return " ".join(words)


# "Who is the artist / director / author of X?": the maker of a work, named after "by" ("the debut album by
# Best Coast", "directed by Frank Oz"); not its label, studio, chart or the maker's nationality
_MAKER_Q = re.compile(r"\bwho (?:is|was|are|were) the (?:\w+ )?(?:artist|director|author|writer|composer|creator|"
                      r"producer|performer|singer|band|designer|architect|developer|publisher|illustrator)s?\b", re.I)
_BY_BEFORE = re.compile(r"\bby\s(?:the\s)?$", re.I)
_NOT_MAKERS = frozenset("""
records recordings music entertainment pictures studios studio films productions chart charts reviews review
billboard allmusic discogs wikipedia wikibooks imdb label network channel
""".split())  # noqa: SIM905
_DEMONYMS = frozenset("""
american british english scottish welsh irish canadian australian french german italian spanish portuguese
dutch belgian swiss austrian swedish norwegian danish finnish polish russian ukrainian japanese chinese korean
indian pakistani mexican brazilian argentine argentinian chilean turkish greek israeli egyptian nigerian
african european asian latin
""".split())  # noqa: SIM905


def _maker_score(sentence: str, start: int, words: list[str]) -> float:
    """How plainly a name is the maker of the asked-about work: named after "by" (+), or a label, a chart,
    a nationality (-)."""
    if words[-1] in _NOT_MAKERS or (len(words) == 1 and words[0] in _DEMONYMS):
        return -0.6
    return 0.5 if _BY_BEFORE.search(sentence[max(0, start - 20):start]) else 0.0


_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|to|into|from|near|on|inside|outside|towards?|across|along|onto|within|"
                              r"through|between|outside of|north of|south of|east of|west of)\s(?:the\s)?$", re.I)


def _names(asked: Asked, sentence: str, article_text: str = "") -> list[Found]:
    out: list[Found] = []
    for m in _NAME_RE.finditer(sentence):
        text = m.group().rstrip(".")
        if re.search(r"\s\d+[A-Z]?$", text) and _clean_word(text.split()[-2]) in _MONTH_WORDS:
            text = text[:text.rfind(" ")]  # "June 11" is a date, and "Monday 5" no name
        words = [_clean_word(w) for w in text.split()]
        stems = {stem(w) for w in words if w and w not in _TITLES and w not in _STOP}
        if not stems or stems & asked.subject or words[0] in _MONTH_WORDS:
            continue  # the question's own name is not its answer
        if m.start() == 0 and len(words) == 1 and words[0] in _STOP | {"a", "an"}:
            continue
        # drop the question's own words at the ends ("Golden Acre Foods" stays, "Port Annis" goes)
        value = canonical_name(text)
        if not value:
            continue
        first_sentence_word = m.start() == 0 or sentence[:m.start()].rstrip().endswith((".", "“", '"'))
        if first_sentence_word and len(words) == 1 and article_text and not _capitalised_inside(text, article_text):
            continue  # "Evacuation orders remain": a word capitalised only where a sentence starts is no name
        near = _focus_near(asked, sentence, m.start())
        score = 0.5 + near + 0.1 * min(len(words), 3)
        if first_sentence_word and len(words) == 1:
            score -= 0.4
        if _WHO_Q.search(asked.text) and words[-1] in _PLACE_WORDS:
            score -= 0.4  # "who": a person or a body, not a place
        if _SPEECH.search(sentence[m.end():m.end() + 12]) and not asked.speaker:
            score -= 0.3  # the speaker of the sentence is rarely the answer to "which company..."
        maker = _maker_score(sentence, m.start(), words) if _MAKER_Q.match(asked.text) else 0.0
        score += maker
        support = near if score > 0.5 else 0.0
        if maker > 0:  # "a book written by Gregory Berns" names the maker without the question's "creator"
            support = max(support, 0.5)
        if asked.place:  # "where": a place named after "in", "to", "at"; not the town of the dateline
            placed = _LOCATIVE_BEFORE.search(sentence[:m.start()])
            score, support = (score + 0.2, max(support, 0.3)) if placed else (score - 0.4, 0.0)
            if placed and asked.destination and placed.group().split()[0].lower() in ("to", "into"):
                score += 0.3  # "Where will they go?": where to, not where the old school stands
        out.append(Found(m.start(), m.start() + len(text), "name", value, key=("name", value), score=score,
                         support=support))
    return out


def _capitalised_inside(word: str, article_text: str) -> bool:
    """``word`` is written with its capital somewhere other than at a sentence's start."""
    return re.search(r"[\w,;:’'\-)]\s+" + re.escape(word) + r"\b", article_text) is not None


_SPEAKER_RE = re.compile(
    r"according to (?P<a>(?:the |an? )?[^,.;:“”\"]{2,60}?)(?=[,.;:]|$)"
    r"|(?P<b>(?:(?:the|an?|two|three|several|some)\s)?(?:[A-Za-z][\w'’\-.]*\s){0,4}?"
    r"(?:[A-Z][\w'’\-]+|officials?|spokes(?:man|woman|person)|secretary|police|authorities|sources|"
    r"officers?|agency|department|ministry|company|district|utility|council|board|union|leaders|members|"
    r"residents|workers|experts|analysts|critics|lawyers|prosecutors|investigators|organi[sz]ers))"
    r"(?:,[^,]{2,60},)?\s(?:said|says|told|announced|confirmed|denied|stated|added|insisted|claimed|acknowledged|"
    r"emphasi[sz]ed|wrote|maintained)\b"
    r"|(?:said|says|told reporters|announced|added)\s(?P<c>(?:[A-Z][\w'’\-.]*\s?){1,4})", re.M)


def find_speaker(sentence: str) -> tuple[int, int] | None:
    """The span naming who says ``sentence`` ("Leavitt said", "according to Arab officials", "said Ramona
    Vance"), or None."""
    best = None
    for m in _SPEAKER_RE.finditer(sentence):
        for g in ("a", "b", "c"):
            if m[g]:
                s, e = m.span(g)
                piece = sentence[s:e]
                trimmed = piece.strip(" ,;:")
                trimmed = trimmed[:-1] if trimmed.endswith(".") and not re.search(r"\b[A-Z]\.$", trimmed) else trimmed
                s += piece.find(trimmed)
                e = s + len(trimmed)
                if e > s and trimmed.lower() not in ("it", "he", "she", "they", "we", "i", "this", "that"):
                    best = best or (s, e)
    return best


def _speakers(sentence: str) -> list[Found]:
    span = find_speaker(sentence)
    if not span:
        return []
    text = sentence[span[0]:span[1]]
    return [Found(span[0], span[1], "name", canonical_name(text) or normalize(text), key=("name", normalize(text)),
                  score=1.0, support=1.0)]


