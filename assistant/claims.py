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

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .text import normalize

# --------------------------------------------------------------------------------------------------
# words


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer, installed with bm25s

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-\.]*[A-Za-z0-9]|[A-Za-z0-9]")

AUX = frozenset("""
is was are were be been being am do does did has have had will would can could should shall may might must
""".split())  # noqa: SIM905
_QWORDS = frozenset(["who", "whom", "whose", "what", "which", "when", "where", "why", "how"])
_PREP = frozenset("""
in on at during for by with from into over under after before since until about against between through of
near to
""".split())  # noqa: SIM905
_FILLER = frozenset("""
the a an any anyone anybody someone its their his her this that these those there it they he she going go goes
gone plan plans planned expect expected likely set able still yet ever already new now really actually
officially formally directly
""".split())  # noqa: SIM905
_PRONOUNS = frozenset(["anyone", "anybody", "someone", "somebody", "anything", "it", "they", "he", "she", "there"])
_DENY = re.compile(r"\b(?:denied|denies|deny|denying|rejected|rejects|disputed|disputes|dismissed|refuted|"
                   r"contradicted|false|untrue)\b", re.I)
_NEG_WORDS = frozenset(["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"])
_SPEECH = re.compile(r"\b(?:said|says|say|told|tells|announced|announces|confirmed|confirms|stated|added|wrote|"
                     r"reported|reports|claimed|claims|insisted|acknowledged|noted|explained|argued|denied|denies|"
                     r"emphasi[sz]ed|stressed|maintained)\b", re.I)

# Words that answer the same predicate, and words that answer it the other way. A small lexicon of the
# predicates news questions turn on; stems on both sides (PyStemmer's English).
_FAMILIES: list[tuple[frozenset[str], frozenset[str]]] = []


def _family(same: str, opposite: str = "") -> None:
    _FAMILIES.append((frozenset(stem(w) for w in same.split()),
                      frozenset(stem(w) for w in opposite.split())))


_family("hurt injured injury injuries wounded harmed treated hospitalized hospital casualties", "unharmed unhurt")
_family("killed died dead death deaths fatal fatalities", "survived alive")
_family("consulted informed briefed notified told advised", "")
_family("fired dismissed sacked ousted removed terminated", "hired retained")
_family("hire hired hiring recruit add", "fire layoffs")
_family("resign resigning resignation quit step leave leaving", "stay remain")
_family("open opened reopen reopened reopening", "closed close closing shut shuttered")
_family("close closing closed shut shutter", "open opened reopen reopened remain")
_family("running run operating resumed resume sailing service", "suspended halted canceled cancelled stopped")
_family("recovered found returned located", "missing lost stolen")
_family("arrested arrest arrests detained charged custody", "")
_family("agreed agree promised pledged committed commit", "refused")
_family("approved approve passed", "rejected defeated")
_family("challenge contest appeal sue", "accept concede")
_family("stay remain keep kept", "close")
_family("lose lost cut cuts layoffs", "keep retain")
_family("raise rise increase hike up", "cut lower decrease unchanged")
_family("submitted filed sent delivered", "late")
_family("win won victory", "lost lose defeated")
_family("built constructed erected completed", "")
_family("founded established formed created", "")
_family("born", "died")
_family("workers jobs employees staff positions people", "")
_family("take effect effective start starting begin beginning begins launch commence", "end")
_family("students pupils enrolled enrolls enrollment", "")
_family("riders passengers commuters", "")
_family("ill illness illnesses sick sickened sickening cases infections", "")


def related(word_stem: str, focus: str) -> int:
    """+1 when ``word_stem`` says the same as the predicate ``focus``, -1 when it says the opposite, else 0."""
    if word_stem == focus:
        return 1
    for same, opposite in _FAMILIES:
        if focus in same:
            if word_stem in same:
                return 1
            if word_stem in opposite:
                return -1
    return 0


# --------------------------------------------------------------------------------------------------
# the question


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
    phrase: frozenset[str] = frozenset()  # the head of the subject noun phrase: "When did [the warehouse fire] start?"


_NUMBER_Q = re.compile(r"\bhow (?:many|much|long|old|far|big|large|deep|tall|high|often)\b|"
                       r"\bnumber of\b|\bwhat (?:is|was|were|are) the (?:[\w'’]+ )?"
                       r"(?:population|vote|score|price|cost|number|total|rate|size|height|length|margin|budget|salary|amount|tally|count|depth|value)\b|"
                       r"\bwhat (?:percentage|percent|share|proportion|raise)\b|\bwhat(?:'s| is) the population\b|"
                       r"\bpopulation of\b|\bhow much of\b", re.I)
_DATE_Q = re.compile(r"\bwhen\b|\bbirth ?date\b|\bdate of (?:birth|death)\b|"
                     r"\bwhat (?:day|date|year|month|time)\b|\bwhich (?:day|date|year|month)\b|"
                     r"\bsince when\b|\bin what year\b|\bwhat time\b|\bhow soon\b", re.I)
_NAME_Q = re.compile(r"\bwho(?:m|se)?\b|\bwhich\b|\bwhere\b|\bwhat (?:is|was) the name\b|"
                     r"\bwhat (?:[a-z]+ )?(?:company|team|country|city|state|town|firm|airline|agency|group|party|"
                     r"sport|film|album|band|network|language|school|university|county|river|brand|genre|"
                     r"organization|organisation|position|role)\b|\bwhat (?:is|was) the capital\b", re.I)
_SCORE_Q = re.compile(r"\bvote\b|\bscore\b|\btally\b|\bmargin\b", re.I)
_SPEAKER_Q = re.compile(r"\bwho (?:said|says|told|announced|claimed|made|gave)\b", re.I)
_COUNTED = re.compile(r"\bhow many\s+((?:[a-z]+\s+){0,2}?[a-z]+)\b", re.I)
_PLURAL_Q = re.compile(r"\b(?:which|what)\s+(?:[a-z]+\s+)?(?!(?:is|was|has|does|his|its)\b)([a-z]+[^s']s)\b(?!')", re.I)


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _clean_word(word: str) -> str:
    w = normalize(word).strip(".'-")
    return w[:-2] if w.endswith("'s") else w


def answer_kind(text: str) -> str:
    """number, date, name, yes-no or text: what kind of answer the question asks for."""
    first = (text.split() or [""])[0].lower()
    if _SPEAKER_Q.search(text):
        return "name"
    if _DATE_Q.search(text):
        return "date"
    if _NUMBER_Q.search(text):
        return "number"
    if _NAME_Q.search(text):
        return "name"
    return "yes-no" if first in AUX else "text"


def analyse(question: str) -> Asked:
    """The kind of answer ``question`` asks for, its subject and its predicate."""
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
    if focus and max(w for _, w in focus) < 1.0:
        # "When will Northfield teachers go on strike?": the predicate sits in the prepositional phrase
        focus = [(f, 1.0 if w == 0.3 and i not in np_focus else w) for i, (f, w) in enumerate(focus)]
    counted: set[str] = set()
    m = _COUNTED.search(text)
    if m:
        counted = {stem(_clean_word(w)) for w in m.group(1).split() if w.lower() not in _STOP}
        counted = set() if counted & _GENERIC_COUNTS else counted
    if re.search(r"\bpopulation\b", text, re.I):
        counted |= {stem(w) for w in ("people", "residents", "inhabitants", "population")}
    plural = bool(_PLURAL_Q.search(text)) and kind == "name" and not re.search(r"\bwho\b", text, re.I)
    return Asked(text=text, kind=kind, subject=frozenset(subject), focus=tuple(focus), counted=frozenset(counted),
                 plural=plural, score_like=bool(_SCORE_Q.search(text)) and kind == "number",
                 speaker=bool(_SPEAKER_Q.search(text)),
                 # with no name to check, the subject phrase's head is what a source must be about; with
                 # one ("the artist of the album VII"), the phrase says what is asked, not what about
                 phrase=frozenset([stem(_clean_word(words[max(np_words)][0]))]) if np_words and not subject
                 else frozenset())


_GENERIC_COUNTS = frozenset(stem(w) for w in ["people", "persons", "times"])
_VERBS = frozenset("""
start begin open close take lift go become win lose end finish stay remain leave arrive return resume run hire
fire build cost pay attend ride serve own found find make cast propose plan expect
""".split())  # noqa: SIM905


_BE_HAVE = frozenset("is was are were has have had".split())  # noqa: SIM905


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
    for i in range(begin, len(words)):
        low = _clean_word(words[i][0])
        nxt = _clean_word(words[i + 1][0]) if i + 1 < len(words) else ""
        if low in _PREP or low in AUX or low == "to":
            verb = verb or (low in AUX and bool(out))  # "the stolen painting [been] recovered"
            break
        if out and _verb_like(low) and nxt not in AUX:  # "painting been recovered": a noun, still
            verb = True
            break
        if low not in _FILLER and low not in _STOP:
            out.append(i)
    if kind != "yes-no":
        return set(out[:-1]) if out and out[-1] == len(words) - 1 else set(out)
    if verb:
        return set(out)
    if first in _BE_HAVE:
        return set(out[:-1])
    return {i for i in out if words[i][0][:1].isupper()}


_STOP = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just me more most my no nor not of off on once only or other our out
over own same she should so some such than that the their them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your said says
say tell told according many much
""".split())  # noqa: SIM905


# --------------------------------------------------------------------------------------------------
# claims


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

    @property
    def width(self) -> float:
        if self.lo is None or self.hi is None:
            return 0.0
        return self.hi - self.lo


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
        found = _speakers(sentence) if asked.speaker else _names(asked, sentence)
    elif asked.kind == "yes-no":
        found = _polarity(asked, sentence)
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


def _with_topic(asked: Asked, topic: frozenset[str]) -> Asked:
    from dataclasses import replace

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


# numbers --------------------------------------------------------------------------------------------

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_FRACTIONS = {"half": 50, "one-half": 50, "one-third": 100 / 3, "two-thirds": 200 / 3, "one-quarter": 25,
              "a quarter": 25, "three-quarters": 75, "one-fifth": 20, "two-fifths": 40, "one-tenth": 10}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6, "billion": 1e9, "bn": 1e9,
           "b": 1e9, "trillion": 1e12, "tn": 1e12, "hundred": 1e2, "dozen": 12}
_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP", "dollars": "USD", "dollar": "USD", "euros": "EUR", "pounds": "GBP"}
_WORDNUM = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_NUM = (rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(list(_UNITS)[1:10])}))?"
        rf"|{_WORDNUM}|a dozen|dozens")
_HEDGE = (r"about|around|roughly|nearly|almost|approximately|some|more than|over|at least|fewer than|less than|"
          r"up to|close to|an estimated|just over|just under|under|upwards of|as many as")
_NUMBER_RE = re.compile(
    rf"(?<![\w.])(?:(?P<hedge>{_HEDGE})\s+)?(?P<cur>[$€£])?\s?(?P<num>{_NUM})(?![\w,]*\d)(?![A-Za-z]|-[A-Za-z])"
    rf"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|mln|tn|k|m|b)\b)?"
    rf"(?:\s?(?P<pct>%|percent\b|per cent\b))?(?:\s(?P<curw>dollars|euros|pounds)\b)?",
    re.I)
_FRACTION_RE = re.compile(r"\b(?:one|two|three)-(?:half|third|thirds|quarter|quarters|fifth|fifths|tenth)\b", re.I)
_SCORE_RE = re.compile(rf"\b(?P<a>\d{{1,3}}|{_WORDNUM})\s?(?:-|–|—|\sto\s)\s?(?P<b>\d{{1,3}}|{_WORDNUM})\b", re.I)


def _num_value(token: str) -> float | None:
    t = token.lower().replace(",", "")
    if t in ("a dozen",):
        return 12
    if t == "dozens":
        return None
    try:
        return float(t)
    except ValueError:
        pass
    parts = re.split(r"[- ]", t)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0)
    return float(_UNITS[t]) if t in _UNITS else None


def _precision(token: str, value: float) -> float:
    """Half the unit of the last significant digit a number is written with ("12,000" -> 500)."""
    digits = token.replace(",", "")
    if "." in digits:
        return 0.5 * 10 ** -(len(digits.split(".")[1]))
    if not digits.isdigit() or value < 10:
        return 0.0
    zeros = len(digits) - len(digits.rstrip("0"))
    return 0.5 * 10 ** zeros if zeros else 0.0


def _interval(hedge: str, value: float, precision: float) -> tuple[float, float]:
    h = hedge.lower()
    if h in ("more than", "over", "at least", "upwards of", "just over"):
        return value, float("inf")
    if h in ("fewer than", "less than", "up to", "under", "just under", "as many as"):
        return 0.0, value
    if h in ("nearly", "almost"):
        return value * 0.9, value
    if h:
        spread = max(precision, 0.1 * value)
        return value - spread, value + spread
    return value - precision, value + precision


def _fmt(value: float) -> str:
    for scale, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            return f"{value / scale:g} {name}"
    return f"{value:g}"


def _numbers(asked: Asked, sentence: str) -> list[Found]:
    out: list[Found] = []
    if asked.score_like:
        for m in _SCORE_RE.finditer(sentence):
            a, b = _num_value(m["a"]), _num_value(m["b"])
            if a is None or b is None or a > 200 or b > 200:
                continue
            near = _focus_near(asked, sentence, m.start())
            out.append(Found(m.start(), m.end(), "number", f"{a:g}-{b:g}", key=("score", a, b), score=1.0 + near,
                             support=0.5 + near))
    asked_numbers = {_num_value(t) for t in re.findall(r"\d[\d,.]*", asked.text)}
    for m in _FRACTION_RE.finditer(sentence):
        share = _FRACTIONS.get(m.group().lower())
        if share is not None:
            near = _focus_near(asked, sentence, m.start())
            out.append(Found(m.start(), m.end(), "number", f"{share:g} percent", lo=share - 0.5, hi=share + 0.5,
                             key=(False, True), score=0.6 + near, support=near))
    for m in _NUMBER_RE.finditer(sentence):
        token: str = m["num"]
        value = _num_value(token)
        if value is None or value in asked_numbers:
            continue
        if _inside_score(out, m.start()) or _from_to(sentence, m):
            continue
        scale = (m["scale"] or "").lower()
        if scale in ("m", "b", "k") and not m["cur"]:
            scale = ""  # "7 m" is metres more often than millions
        mult = _SCALES.get(scale, 1.0)
        currency = _CURRENCY.get(m["cur"] or "") or _CURRENCY.get((m["curw"] or "").lower())
        unit = "percent" if m["pct"] else currency or ""
        is_year = (not unit and not scale and "," not in token and token.isdigit() and len(token) == 4
                   and 1500 <= value <= 2100)
        noun = [stem(_clean_word(w)) for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", sentence[m.end():m.end() + 40])[:1]]
        reach = 4 if noun and noun[0] in _GENERIC_COUNTS else 2  # "32 people have been sickened"
        after = re.findall(r"[A-Za-z][A-Za-z'’-]*", sentence[m.end():m.end() + 60])[:reach]
        noun = [stem(_clean_word(w)) for w in after]
        before = [stem(_clean_word(w)) for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", sentence[max(0, m.start() - 30):
                                                                                               m.start()])[-3:]]
        counted = any(related(n, c) > 0 for n in noun for c in asked.counted) or bool(
            noun and noun[0] in _top_focus(asked)) or any(b in asked.counted for b in before)  # "population of 117,088"
        if is_year and not counted:
            continue
        if asked.counted and not counted and not unit:
            continue  # "how many students": "two children" counts something else
        if not unit and noun:
            unit = noun[0] if noun[0] not in _STOP_STEMS else ""
        precision = _precision(token, value) * mult
        lo, hi = _interval(m["hedge"] or "", value * mult, precision)
        fits = (0.8 if counted else 0.0) + (0.3 if unit in ("USD", "EUR", "GBP") and _MONEY_Q.search(
            asked.text) else 0.0) + (0.4 if unit == "percent" and _PERCENT_Q.search(asked.text) else 0.0)
        near = _focus_near(asked, sentence, m.start())
        score = 0.5 + fits + near
        shown_unit = unit in ("USD", "EUR", "GBP", "percent")
        label = f"{_fmt(value * mult)} {unit}" if shown_unit else _fmt(value * mult)
        start = m.start() if m["hedge"] else m.start("cur") if m["cur"] else m.start("num")
        out.append(Found(start, m.end(), "number", label, lo=lo, hi=hi, key=(unit in ("USD", "EUR", "GBP"),
                                                                              unit == "percent"), score=score,
                         support=fits + near))
    return out


_STOP_STEMS = frozenset(stem(w) for w in _STOP) | {"a", "an", "the"}
_MONEY_Q = re.compile(r"\bhow much\b|\bcost\b|\bprice\b|\bworth\b|\bpaid\b|\bpay\b|\bmoney\b|\bfund", re.I)
_PERCENT_Q = re.compile(r"\bpercent|\bpercentage|\bshare\b|\bhow much of\b|\braise\b|\bcontained\b", re.I)


def _top_focus(asked: Asked) -> frozenset[str]:
    """The predicate's own words ("What raise": a number followed by "raise" answers it)."""
    return frozenset(f for f, w in asked.focus if w >= 1.0)


def _inside_score(found: list[Found], pos: int) -> bool:
    return any(f.key and f.key[0] == "score" and f.start <= pos < f.end for f in found)


def _from_to(sentence: str, m: re.Match[str]) -> bool:
    """The old value of "from $2 to $2.50": the new one answers the question."""
    before = sentence[max(0, m.start() - 6):m.start()].lower()
    after = sentence[m.end():m.end() + 6].lower()
    return "from" in before and after.lstrip().startswith("to ")


# dates ----------------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    """
january february march april may june july august september october november december
""".split(), start=1)}  # noqa: SIM905
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}
_WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_MONTH_RE = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
             r"jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?)")
_WEEKDAY_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PART = r"(?:\s(?:morning|afternoon|evening|night))"
_DATE_RE = re.compile(
    rf"(?P<md>(?:(?:early|mid|late)-?\s?)?{_MONTH_RE}\s(?P<mday>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<myear>\d{{4}}))?)\b"
    rf"|(?P<dm>(?P<dday>\d{{1,2}})\s(?P<dmonth>{_MONTH_RE})(?:\s(?P<dyear>\d{{4}}))?)\b"
    rf"|(?P<my>(?:(?P<mpart>early|mid|late)-?\s?)?(?P<month>{_MONTH_RE})(?:\s(?:of\s)?(?P<year>\d{{4}}))?)\b"
    rf"|(?P<wd>(?:(?P<wrel>next|last|this)\s)?(?:(?:late|early)\s)?(?P<weekday>{_WEEKDAY_RE}){_PART}?)\b"
    rf"|(?P<rel>(?:next|last|this|later this|earlier this)\s(?P<unit>week|month|year|spring|summer|fall|autumn|winter|"
    rf"weekend)|(?:the\s)?end of (?:the\s)?(?P<endunit>month|year|week|school year|spring term|term))\b"
    rf"|(?P<day>today|tomorrow|yesterday|tonight)\b"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b"
    rf"|(?P<yr>(?:in|since|by|of|from|until|around|circa|c\.)\s(?P<yval>1[5-9]\d\d|20\d\d))\b"
    rf"|(?P<yr2>\b(?P<y2val>1[5-9]\d\d|20\d\d))\b",
    re.I)
_TIME_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s?(?P<ap>a\.m\.|p\.m\.|am\b|pm\b)|\b(?P<noon>noon|midnight)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|would|expected|expects|expect|scheduled|planned|plans|set to|to be|is to|are to|"
                     r"next|upcoming|begins?|starting|starts|effective|due|should|hopes?|aims?)\b", re.I)
_SEASONS = {"spring": (3, 20, 6, 20), "summer": (6, 21, 9, 22), "fall": (9, 23, 12, 20), "autumn": (9, 23, 12, 20),
            "winter": (12, 21, 3, 19)}


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _month_num(token: str) -> int:
    t = token.lower().rstrip(".")
    return _MONTHS.get(t) or _MONTH_ABBR.get(t[:4] if t.startswith("sept") else t[:3], 0)


def _month_span(year: int, month: int, part: str = "") -> tuple[date, date]:
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    if part == "early":
        return first, first + timedelta(days=10)
    if part == "mid":
        return first + timedelta(days=9), first + timedelta(days=20)
    if part == "late":
        return first + timedelta(days=19), last
    return first, last


def _nearest_year(month: int, ref: date | None, future: bool) -> int | None:
    """The year of a month named without one: the occurrence nearest the article's date, or the next one
    when the sentence speaks of the future and the month is more than two months past."""
    if ref is None:
        return None
    options = sorted((abs((y - ref.year) * 12 + month - ref.month), y) for y in (ref.year - 1, ref.year, ref.year + 1))
    year = options[0][1]
    if future and (year - ref.year) * 12 + month - ref.month < -2:
        year += 1
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], ref: date | None, future: bool) -> tuple[date, date] | tuple[str, str] | None:
    """The day range a date phrase stands for, against the article's date; a weekday or a month without an
    article date stays a name (compared by name)."""
    if m["md"] or m["dm"]:
        month = _month_num(m["md"] and re.sub(r"^(?:early|mid|late)-?\s?", "", m["md"]).split()[0] or m["dmonth"])
        day = int(m["mday"] or m["dday"])
        year_s = m["myear"] or m["dyear"]
        year = int(year_s) if year_s else _nearest_year(month, ref, future)
        if year is None:
            return (f"{month:02d}-{day:02d}", f"{month:02d}-{day:02d}")
        d = _safe_date(year, month, day)
        return (d, d) if d else None
    if m["my"]:
        month = _month_num(m["month"])
        if not month or (m["month"].lower() == "may" and not m["year"]):
            return None  # "may" is a verb far more often than a month
        year = int(m["year"]) if m["year"] else _nearest_year(month, ref, future)
        if year is None:
            return (f"{month:02d}", f"{month:02d}")
        return _month_span(year, month, (m["mpart"] or "").lower())
    if m["wd"]:
        wd = _WEEKDAYS[m["weekday"].lower()]
        if ref is None:
            return (m["weekday"].lower(), m["weekday"].lower())
        rel = (m["wrel"] or "").lower()
        ahead = (wd - ref.weekday()) % 7
        behind = (ref.weekday() - wd) % 7
        if rel == "next":
            d = ref + timedelta(days=ahead or 7)
        elif rel == "last":
            d = ref - timedelta(days=behind or 7)
        elif future:
            d = ref + timedelta(days=ahead)
        else:
            d = ref - timedelta(days=behind)
        return d, d
    if m["rel"] and ref is not None:
        return _relative_span(m, ref)
    if m["day"] and ref is not None:
        shift = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[m["day"].lower()]
        d = ref + timedelta(days=shift)
        return d, d
    if m["iso"]:
        d = _iso(m["iso"])
        return (d, d) if d else None
    year_s = m["yval"] or m["y2val"]
    if year_s:
        y = int(year_s)
        return date(y, 1, 1), date(y, 12, 31)
    return None


def _relative_span(m: re.Match[str], ref: date) -> tuple[date, date] | None:
    text = m["rel"].lower()
    if m["endunit"]:
        unit = m["endunit"].lower()
        if unit == "week":
            end = ref + timedelta(days=6 - ref.weekday())
            return end - timedelta(days=2), end
        if unit == "month":
            first, last = _month_span(ref.year, ref.month)
            return last - timedelta(days=7), last
        if unit in ("school year", "spring term", "term"):
            year = ref.year if ref.month <= 6 else ref.year + 1
            return date(year, 5, 15), date(year, 6, 30)
        return date(ref.year, 12, 1), date(ref.year, 12, 31)
    unit = (m["unit"] or "").lower()
    step = -1 if text.startswith(("last", "earlier")) else (1 if text.startswith("next") else 0)
    if unit in ("week", "weekend"):
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=step)
        return (monday + timedelta(days=5), monday + timedelta(days=6)) if unit == "weekend" else (
            monday, monday + timedelta(days=6))
    if unit == "month":
        month = (ref.month - 1 + step) % 12 + 1
        year = ref.year + (ref.month - 1 + step) // 12
        return _month_span(year, month)
    if unit == "year":
        return date(ref.year + step, 1, 1), date(ref.year + step, 12, 31)
    if unit in _SEASONS:
        m1, d1, m2, d2 = _SEASONS[unit]
        year = ref.year + step
        start = date(year, m1, d1)
        end = date(year + (m2 < m1), m2, d2)
        return start, end
    return None


def _dates(asked: Asked, sentence: str, ref: date | None) -> list[Found]:
    out: list[Found] = []
    future = bool(_FUTURE.search(sentence))
    asked_low = normalize(asked.text)
    for m in _DATE_RE.finditer(sentence):
        phrase = m.group()
        if normalize(phrase) in asked_low and not m["wd"]:
            continue  # a date the question itself names is not its answer
        span = _resolve(m, ref, future)
        if span is None:
            continue
        start, end = m.span()
        if m["yr"]:
            start = m.start("yval")
        if _reporting_time(sentence, start, end):
            continue  # "officials said Tuesday": when it was said, not what was asked
        time_m = _TIME_RE.search(sentence, max(0, start - 25), min(len(sentence), end + 25))
        lo_d, hi_d = span
        lo: float | None
        hi: float | None
        if isinstance(lo_d, date) and isinstance(hi_d, date):
            lo, hi = float(lo_d.toordinal()), float(hi_d.toordinal())
            whole_year = (lo_d.month, lo_d.day, hi_d.month, hi_d.day) == (1, 1, 12, 31) and lo_d.year == hi_d.year
            value = lo_d.isoformat() if lo_d == hi_d else (
                f"{lo_d:%Y}" if whole_year else f"{lo_d.isoformat()}..{hi_d.isoformat()}")
            key: tuple[Any, ...] = ()
        else:
            lo = hi = None
            value = str(lo_d)
            key = ("name", value)
        if time_m is not None and lo is not None and lo == hi:
            start, end = min(start, time_m.start()), max(end, time_m.end())
            value += f" {_clock(time_m)}"
        near = max(_focus_near(asked, sentence, start), _lifespan(asked, sentence, start))
        score = 0.6 + near + (0.1 if lo is not None and lo == hi else 0.0)
        out.append(Found(start, end, "date", value, lo=lo, hi=hi, key=key, score=score, support=near))
    if not out:
        for tm in _TIME_RE.finditer(sentence):
            near = _focus_near(asked, sentence, tm.start())
            out.append(Found(tm.start(), tm.end(), "date", _clock(tm), key=("time", _clock(tm)), score=0.4 + near,
                             support=near))
    return out


_LIFESPAN = re.compile(r"\((?P<born>[^()–—]{4,40}?)\s?[–—-]\s?(?P<died>[^()]{4,40}?)\)")
_BORN = frozenset({stem("born"), stem("birth")})
_DIED = frozenset({stem("die"), stem("died"), stem("death")})


def _lifespan(asked: Asked, sentence: str, pos: int) -> float:
    """ "Horace Rumbold (2 July 1829 – 3 November 1913)": the first date is a birth, the second a death."""
    focus = {f for f, _ in asked.focus}
    for m in _LIFESPAN.finditer(sentence):
        if focus & _BORN and m.start("born") <= pos < m.end("born"):
            return 1.0
        if focus & _DIED and m.start("died") <= pos < m.end("died"):
            return 1.0
    return 0.0


def _clock(m: re.Match[str]) -> str:
    if m["noon"]:
        return "12:00" if m["noon"].lower() == "noon" else "00:00"
    hour = int(m["h"]) % 12 + (12 if m["ap"].lower().startswith("p") else 0)
    return f"{hour:02d}:{int(m['mi'] or 0):02d}"


def _reporting_time(sentence: str, start: int, end: int) -> bool:
    before = sentence[max(0, start - 14):start].lower()
    after = sentence[end:end + 14].lower()
    return bool(re.search(r"\b(?:said|says|told|announced|reported|confirmed|added|stated)\s+(?:on\s+)?$", before)
                or re.match(r"^\s*(?:said|announced|told|confirmed)\b", after))


# names ----------------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"(?:(?:[A-Z][a-z]{0,4}\.\s)?[A-Z][\w'’\-]*(?:\.)?(?:\s+(?:of|de|du|van|von|the|and|&|for)?\s*"
                      r"[A-Z][\w'’\-]*)*)")
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


def _names(asked: Asked, sentence: str) -> list[Found]:
    out: list[Found] = []
    for m in _NAME_RE.finditer(sentence):
        text = m.group().rstrip(".")
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
        near = _focus_near(asked, sentence, m.start())
        score = 0.5 + near + 0.1 * min(len(words), 3)
        if first_sentence_word and len(words) == 1:
            score -= 0.4
        if _WHO_Q.search(asked.text) and words[-1] in _PLACE_WORDS:
            score -= 0.4  # "who": a person or a body, not a place
        if _SPEECH.search(sentence[m.end():m.end() + 12]) and not asked.speaker:
            score -= 0.3  # the speaker of the sentence is rarely the answer to "which company..."
        out.append(Found(m.start(), m.start() + len(text), "name", value, key=("name", value), score=score,
                         support=near if score > 0.5 else 0.0))
    return out


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


# yes / no -------------------------------------------------------------------------------------------

_SKIP_BEFORE_PREDICATE = frozenset("""
be been being was were is are am has have had do did does will would could should can may might must also yet
ever even formally directly officially fully been still one anyone anybody any
""".split())  # noqa: SIM905


def _polarity(asked: Asked, sentence: str) -> list[Found]:
    """One claim: the sentence says yes or no to the question's predicate, with the words that say it."""
    words = _words(sentence)
    total = 0.0
    span: tuple[int, int] | None = None
    weights = [w for _, w in asked.focus if w] or [1.0]
    top = max(weights)
    # the predicate answers: the first of the question's main words, and those the lexicon knows as
    # predicates; the object's words ("the recount result") come with either answer
    main = [f for f, w in asked.focus if w == top]
    predicate = set(main[:1]) | {f for f in main if any(f in same for same, _ in _FAMILIES)}
    for i, (word, s, e) in enumerate(words):
        st = stem(_clean_word(word))
        for f, weight in asked.focus:
            if not weight or (weight == top and f not in predicate):
                continue
            rel = related(st, f)
            if not rel:
                continue
            if weight < top and rel > 0:
                continue  # words after a preposition place the question; they do not answer it
            neg_at = _negated(words, i)
            sign = rel * (-1 if neg_at is not None else 1)
            if _DENY.search(sentence[:s]) and sign > 0:
                sign = -1  # "denied that Israel was consulted"
                neg_at = None
            if _after_clause(sentence, s):
                weight *= 0.5
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


def _after_clause(sentence: str, pos: int) -> bool:
    """The word sits in an "after ..." / "before ..." clause: background, not the answer."""
    return bool(re.search(r"\b(?:after|before|following|despite)\s+(?:\S+\s){0,3}$", sentence[:pos], re.I))
