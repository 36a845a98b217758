"""What a question asks for: the kind of answer, its subject (names and noun phrase) and its predicate."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..text import normalize
from .words import _FILLER, _PREP, _PRONOUNS, _QWORDS, _STOP, AUX, _clean_word, _words, stem


@dataclass(frozen=True)
class Asked:
    """What a question asks for."""

    text: str
    kind: str  # number, date, name, yes-no, text
    subject: frozenset[str]  # stems of the question's names (its capitalised words)
    focus: tuple[tuple[str, float], ...]  # predicate stems with their weight, in question order
    counted: frozenset[str] = frozenset()  # "how many homes" -> {home}
    plural: bool = False  # "which roads": a set of answers, not one
    score_like: bool = False  # a vote or a score: "7-2"
    speaker: bool = False  # "who said that?"
    agent: bool = False  # "who found him?": the doer of the question's verb
    phrase: frozenset[str] = frozenset()  # the head of the subject noun phrase: "When did [the warehouse fire] start?"
    cause: bool = False  # "Why was the bridge closed?", "What caused the fire?"
    category: str | None = None  # "What sport…?", "What is his profession?": a kind of thing, a common noun
    purpose: bool = False  # "What is that money for?": a cause of the purpose kind ("to help close a deficit")
    place: bool = False  # "Where will the students go?": a place after "to", "in", "at"...
    destination: bool = False  # "Where will they go?" (said "move to X"), not "Where is it?" (often "X, Arizona")
    units: frozenset[str] = frozenset()  # "How deep": the stems of the units that can answer (feet, meters)
    verb: str | None = None  # a when-question's verb: "When is dredging expected to [begin]?"


_NUMBER_Q = re.compile(r"\bhow (?:many|much|long|old|far|big|large|deep|tall|high|often|fast|strong|hot|cold|"
                       r"heavy)\b|"
                       r"\bnumber of\b|\bwhat (?:is|was|were|are) the (?:[\w'’]+ )?"
                       r"(?:population|vote|score|price|cost|number|total|rate|size|height|length|margin|budget|salary|amount|tally|count|depth|value|age|income)\b|"
                       r"\bwhat (?:percentage|percent|share|proportion|raise)\b|\bwhat(?:'s| is) the population\b|"
                       r"\bpopulation of\b|\bhow much of\b", re.I)
_DATE_Q = re.compile(r"\bwhen\b|\bbirth ?date\b|\bdate of (?:birth|death)\b|"
                     r"\bwhat (?:day|date|year|month|time)\b|\bwhich (?:day|date|year|month)\b|"
                     r"\bsince when\b|\bin what year\b|\bwhat time\b|\bhow soon\b", re.I)
_TYPE_NOUNS = ("company|team|country|city|state|town|firm|airline|agency|group|party|sport|film|album|band|network|"
               "language|school|university|county|river|brand|genre|organization|organisation|position|role|war|"
               "conflict|battle")
_WHERE_Q = re.compile(r"\s*where\b|\s*what (?:is|was) the (?:location|region)\b", re.I)
_NAME_Q = re.compile(r"\bwho(?:m|se)?\b|\bwhich\b|\bwhere\b|\bwhat (?:is|was) the (?:[\w-]+ ){0,2}name\b|"
                     r"\bwhat (?:is|was) the (?:location|region|mascot)\b|"
                     r"\bwhat (?:[a-z]+ )?(?:"+_TYPE_NOUNS+r")\b|\bwhat (?:is|was) the capital\b", re.I)
_SCORE_Q = re.compile(r"\bvote\b|\bscore\b|\btally\b|\bmargin\b", re.I)
_AGENT_Q = re.compile(r"\s*who(?:m)?\b(?!\s+(?:is|was|are|were)\s+(?:the|a|an|his|her|their)\b)", re.I)
BY_WHOM_Q = re.compile(r"\s*([A-Za-z]+)\s+by\s+whom\b", re.I)  # "found by whom?": the doer of "found"
_CAUSE_Q = re.compile(r"\s*why\b|"
                      r"\s*what (?:caused|causes|led to|leads to|sparked|triggered|prompted|started|set off)\b|"
                      r"\s*what (?:is|was|were|are) (?:the )?(?:causes?|reasons?) (?:of|for)\b", re.I)
_MOTION_Q = re.compile(r"\b(?:go|goes|going|went|move[sd]?|moving|sent|send|transferr?(?:ed|ing)?|relocat\w*|"
                       r"head(?:ed|ing)?|fle[ed]|taken|take)\b", re.I)
_SPEAKER_Q = re.compile(r"\bwho (?:said|says|told|announced|claimed|made|gave)\b", re.I)
# "What is that money for?", "What would the grant have paid for?", "What will it be used for?"; not the
# "for" of a fixed phrase ("What is she known for?", "What was he arrested for?")
_PURPOSE_Q = re.compile(r"\s*what\b(?!.*\b(?:known|famous|noted|remembered|responsible|blamed|charged|arrested|"
                        r"sentenced|jailed|convicted|nominated|awarded|praised|criticized|criticised|wanted|looking|"
                        r"waiting|asking|voting|running|searching|hoping|calling|pushing)\b).*\bfor\W*$|"
                        r"\s*what\b.*\b(?:used|spent|meant|intended|earmarked) (?:for|on|to)\b", re.I)
# "What sport is she known for?", "What is the genre of X?", "What is his profession?": a common noun answers
_CATEGORY_Q = re.compile(r"\bwhat\s+(?:(?:is|was|are|were)\s+(?:the\s+|his\s+|her\s+|its\s+|their\s+)?"
                         r"(?:primary\s+|main\s+)?)?(?:political\s+|military\s+|architectural\s+|musical\s+|film\s+)?(sport|profession|occupation|job|career|genre|medium|format|"
                         r"position|party|ideology|style|language|rank)s?\b(?!\s+of\s+(?:the\s+)?[a-z]+\s+(?:is|was)\b)|"
                         r"[’']s\s+(?:primary\s+|main\s+)?(sport|profession|occupation|job|career|genre|medium|"
                         r"format|position|party|style|language|rank)\b", re.I)
_COUNTED = re.compile(r"\bhow many\s+((?:[a-z]+\s+){0,2}?[a-z]+)\b", re.I)
# "which sports team" and "what company makes" ask for one: a singular head noun decides
_PLURAL_Q = re.compile(r"\b(?:which|what)\s+(?!(?:"+_TYPE_NOUNS+r")\s)(?:[a-z]+\s+)?(?!(?:is|was|has|does|his|its)\b)"
                       r"([a-z]+[^s']s)\b(?!')(?!\s+(?:"+_TYPE_NOUNS+r")\b)", re.I)


def answer_kind(text: str) -> str:
    """number, date, name, yes-no or text: what kind of answer the question asks for."""
    first = (text.split() or [""])[0].lower()
    if _SPEAKER_Q.search(text):
        return "name"
    if _DATE_Q.search(text):
        return "date"
    if _NUMBER_Q.search(text):
        return "number"
    if _NAME_Q.search(text) or _CATEGORY_Q.search(text):
        return "name"
    return "yes-no" if first in AUX else "text"


_ABOUT = re.compile(r"\s*\(about:\s*(?P<about>[^()]*)\)\s*$")


@lru_cache(maxsize=512)  # excerpt selection and grouping both read the same question
def analyse(question: str) -> Asked:
    """The kind of answer ``question`` asks for, its subject and its predicate.

    A follow-up searched as "When was the deadline? (about: Marlow County road application)" asks what its
    own words ask; the story it is about adds to the subject (its names) and places it (its other words),
    but gives no predicate."""
    m = _ABOUT.search(question)
    if m and m.start() > 0:
        own = _analyse(question[:m.start()])
        # "about" first, so that the story's first word counts as a name when it is capitalised
        about = _analyse("about " + m["about"].replace("?", " "))
        names = {w for w in about.subject if w not in _QWORDS and w not in AUX}
        return replace(own, subject=own.subject | names,
                       focus=own.focus + tuple((f, 0.3) for f, w in about.focus if w and f not in dict(own.focus)))
    return _analyse(question)


def _analyse(question: str) -> Asked:
    text = question.strip()
    kind = answer_kind(text)
    words = _words(text)
    np_words = _noun_phrase(words, kind)
    first_word = normalize(words[0][0]) if words else ""
    np_focus: set[int] = set()
    subject: set[str] = set()
    focus: list[tuple[str, float]] = []
    after_prep = False
    in_subject = kind == "yes-no"  # "Was Israel consulted?": the words after the verb name the subject
    for i, (word, _, _) in enumerate(words):
        low = _clean_word(word)
        if not low:
            continue
        capital = word[:1].isupper() and i > 0
        if i == 0 and (low in AUX or low in _QWORDS):
            continue
        if capital or (word[:1].isdigit() and kind != "number"):
            subject.add(stem(low))
            in_subject = False if not capital else in_subject
            continue
        if low in _PREP and not (low == "to" and _infinitive(words, i)):
            after_prep = True
            continue
        if low in _PRONOUNS:
            in_subject = False  # "Was anyone hurt": the pronoun is who; the next word is what
            continue
        if low in AUX or low in _QWORDS or low in _FILLER or low in _STOP:
            continue
        if in_subject and not subject and i <= 2:
            subject_head = stem(low)  # "Have police arrested anyone": police is who, not what was done
            focus.append((subject_head, 0.0))
            in_subject = False
            continue
        in_subject = False
        nxt = _clean_word(words[i + 1][0]) if i + 1 < len(words) else ""
        prev = words[i - 1][0] if i else ""
        # the subject's own words place the question; its predicate decides the answer: "When did [the
        # warehouse fire] start?", "Will [St. Brigid's employees] lose their jobs?"
        head = (i in np_words) or prev.endswith(("'s", "’s", "s'")) or (nxt in AUX and not _verb_like(low)) \
            or (prev[:1].isupper() and i > 1 and _subject_head(low, nxt, first_word))
        if head:
            np_focus.add(len(focus))
        focus.append((stem(low), 0.3 if after_prep or head else 1.0))
    focus = _predicate(focus, np_focus, words, first_word)
    counted: set[str] = set()
    m = _COUNTED.search(text)
    if m:
        counted = {stem(_clean_word(w)) for w in m.group(1).split() if w.lower() not in _STOP}
        counted = set() if counted & _GENERIC_COUNTS else counted
    m = _WHAT_NOUN_Q.match(text)
    if m and kind == "number" and m.group(1).lower() not in _MEASURE_NOUNS:
        counted.add(stem(m.group(1).lower()))  # "What raise is the union seeking?": a number of a raise
    if re.search(r"\bpopulation\b", text, re.I):
        counted |= {stem(w) for w in ("people", "residents", "inhabitants", "population")}
    plural = bool(_PLURAL_Q.search(text)) and kind == "name" and not re.search(r"\bwho\b", text, re.I)
    where = kind == "name" and bool(_WHERE_Q.match(text))
    return Asked(text=text, kind=kind, subject=frozenset(subject), focus=tuple(focus), counted=frozenset(counted),
                 plural=plural, score_like=bool(_SCORE_Q.search(text)) and kind == "number",
                 speaker=bool(_SPEAKER_Q.search(text)),
                 cause=kind == "text" and bool(_CAUSE_Q.match(text) or _PURPOSE_Q.match(text)),
                 category=_category(text) if kind == "name" else None,
                 purpose=kind == "text" and bool(_PURPOSE_Q.match(text)) and not _CAUSE_Q.match(text),
                 place=where, destination=where and bool(_MOTION_Q.search(text)),
                 verb=_last_verb(words, focus) if kind == "date" else None,
                 units=_units(text) if kind == "number" else frozenset(),
                 agent=bool(_AGENT_Q.match(text) or BY_WHOM_Q.match(text)) and not _SPEAKER_Q.search(text),
                 # with no name to check, the subject phrase's head is what a source must be about; with
                 # one ("the artist of the album VII"), the phrase says what is asked, not what about
                 phrase=frozenset([stem(_clean_word(words[max(np_words)][0]))]) if np_words and not subject
                 else frozenset())


def _predicate(focus: list[tuple[str, float]], np_focus: set[int], words: list[tuple[str, int, int]],
               first_word: str) -> list[tuple[str, float]]:
    """The question's focus with its predicate words weighed 1.0 where the word-by-word pass found none."""
    if (focus and len(words) > 2 and first_word in _QWORDS and normalize(words[1][0]) in _BARE_VERB_AUX
            and not words[-1][0][:1].isupper() and stem(_clean_word(words[-1][0])) == focus[-1][0]):
        # "When does the first ferry of the day [leave]?": after "does", the last word is the bare verb
        focus[-1] = (focus[-1][0], 1.0)
    if focus and max(w for _, w in focus) < 1.0:
        # "When will Northfield teachers go on strike?": the predicate sits in the prepositional phrase
        focus = [(f, 1.0 if w == 0.3 and i not in np_focus else w) for i, (f, w) in enumerate(focus)]
    if (focus and max(w for _, w in focus) < 1.0 and len(words) > 1 and first_word in _QWORDS
            and normalize(words[1][0]) in _BE_HAVE):
        # "Who is [the composer] of Symphony No. 38?": with no other predicate, the role the answer fills is it
        focus = [(f, 1.0 if w == 0.3 else w) for f, w in focus]
    return focus


_WHAT_NOUN_Q = re.compile(r"\s*(?:what|which)\s+([a-z]+)\s+(?:is|was|are|were|do|does|did|will|would|has|have|had)\b",
                          re.I)
_MEASURE_NOUNS = frozenset("percentage percent share proportion number amount".split())  # noqa: SIM905
_LENGTH = "feet foot ft meters metres meter metre m miles mile km kilometers kilometres inches inch yards yard"
_DURATION = "seconds second minutes minute hours hour days day weeks week months month years year decades decade"
_SPEED = "mph kph km/h knots miles-per-hour kilometers-per-hour kilometres-per-hour"
_MEASURE_Q = re.compile(r"\bhow (deep|tall|high|far|wide|long|fast|strong|hot|cold|heavy)\b", re.I)
# the units that measure what each "how ...?" asks (a strong wind is a fast one, a strong quake a magnitude)
_MEASURES = {"long": _LENGTH + " " + _DURATION, "fast": _SPEED, "strong": _SPEED + " magnitude",
             "hot": "degrees degree °f °c fahrenheit celsius", "cold": "degrees degree °f °c fahrenheit celsius",
             "heavy": "pounds pound lbs lb kilograms kilogram kg tons ton tonnes tonne ounces ounce"}


def _units(text: str) -> frozenset[str]:
    """The units a "how deep / how far / how long / how fast" question's number must carry."""
    m = _MEASURE_Q.search(text)
    if not m:
        return frozenset()
    words = _MEASURES.get(m.group(1).lower(), _LENGTH)
    return frozenset(stem(w) for w in words.replace("-", " ").split())


_GENERIC_COUNTS = frozenset(stem(w) for w in ["people", "persons", "times"])
_VERBS = frozenset("""
start begin open close take lift go become win lose end finish stay remain leave arrive return resume run hire
fire build cost pay attend ride serve own found find make cast propose plan expect
""".split())  # noqa: SIM905


_BARE_VERB_AUX = frozenset("will would can could should shall may might must do does did".split())  # noqa: SIM905
_BE_HAVE = frozenset("is was are were has have had".split())  # noqa: SIM905


def _last_verb(words: list[tuple[str, int, int]], focus: list[tuple[str, float]]) -> str | None:
    """The stem of the question's last main word that reads as a verb: one the small verb list knows, one
    ending -ed or -ing, or one after "to" or an auxiliary ("expect power to be fully [restored]")."""
    main = {f for f, w in focus if w >= 1.0}
    verb = None
    for i, (word, _, _) in enumerate(words):
        low = _clean_word(word)
        prev = _clean_word(words[i - 1][0]) if i else ""
        if stem(low) in main and not word[:1].isupper() and (_verb_like(low) or prev == "to" or prev in AUX):
            verb = stem(low)
        if prev in ("take", "takes", "took", "taken", "taking") and low == "effect":
            verb = stem(low)  # "take effect" is said as "effective July 1" or "starting July 1", not "take"
    return verb


def _subject_head(word: str, nxt: str, aux: str) -> bool:
    """A word right after a name is the head of the subject ("Is the Quill Harbor [ferry] running?",
    "Will Northfield [schools] stay open?") unless it is the verb ("Did Marlow County [submit] ...")."""
    if _verb_like(word):
        return False
    plural = word.endswith("s") and not word.endswith(("ss", "us", "is"))
    return aux in _BE_HAVE or (plural and bool(nxt))


def _infinitive(words: list[tuple[str, int, int]], i: int) -> bool:
    """ "expect power to be restored": this "to" starts a verb, not a place."""
    nxt = _clean_word(words[i + 1][0]) if i + 1 < len(words) else ""
    return nxt in AUX or _verb_like(nxt) or nxt in ("set", "keep", "stay", "remain", "file", "close", "open")


def _category(text: str) -> str | None:
    m = _CATEGORY_Q.search(text)
    return (m.group(1) or m.group(2)).lower() if m else None


def _verb_like(word: str) -> bool:
    return word in _VERBS or word.endswith(("ed", "ing"))


def _noun_phrase(words: list[tuple[str, int, int]], kind: str) -> set[int]:
    """Indexes of the words of the subject noun phrase: "WH AUX [the boil-water advisory] expected to be
    lifted?", "Was [the transit workers' union] consulted?": after the auxiliary, up to the first verb-like
    word or preposition. With no verb found, a yes/no question's subject is its names ("Did Marlow County
    submit ...") after do or a modal, or all but its last word after be or have ("Is the bridge open?")."""
    if len(words) < 2:
        return set()
    first = normalize(words[0][0])
    if kind == "yes-no" and first in AUX:
        begin = 1
    elif len(words) >= 3 and first in _QWORDS and normalize(words[1][0]) in AUX:
        begin = 2
    else:
        return set()
    out: list[int] = []
    verb = False
    stop = len(words)
    for i in range(begin, len(words)):
        low = _clean_word(words[i][0])
        nxt = _clean_word(words[i + 1][0]) if i + 1 < len(words) else ""
        if low in _PREP or low in AUX or low == "to":
            verb = verb or (low in AUX and bool(out))  # "the stolen painting [been] recovered"
            stop = i
            break
        if out and _verb_like(low) and nxt not in AUX:  # "painting been recovered": a noun, still
            verb = True
            break
        if low not in _FILLER and low not in _STOP:
            out.append(i)
    if kind != "yes-no":
        # after a modal or "do" the verb is bare: "When will [the City Council] vote on the plan?"
        bare_verb = (not verb and len(out) > 1 and out[-1] == stop - 1 and normalize(words[1][0]) in _BARE_VERB_AUX
                     and not words[out[-1]][0][:1].isupper())
        last_is_verb = bool(out) and (out[-1] == len(words) - 1 or bare_verb)
        return set(out[:-1]) if last_is_verb else set(out)
    if verb:
        return set(out)
    if first in _BE_HAVE:
        return set(out[:-1])
    return {i for i in out if words[i][0][:1].isupper()}


