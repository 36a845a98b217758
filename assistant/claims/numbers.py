"""Numbers as claims: values with their unit and stated precision ("about 12,000", "7-2", "$1.2 million")."""

from __future__ import annotations

import re

from .found import Found, _focus_near, _top_focus
from .question import _GENERIC_COUNTS, Asked
from .words import _STOP_STEMS, _clean_word, related, stem

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


def _scores(asked: Asked, sentence: str) -> list[Found]:
    """Votes and scores: "7-2", "seven to two"."""
    out: list[Found] = []
    for m in _SCORE_RE.finditer(sentence):
        a, b = _num_value(m["a"]), _num_value(m["b"])
        if a is None or b is None or a > 200 or b > 200:
            continue
        near = _focus_near(asked, sentence, m.start())
        out.append(Found(m.start(), m.end(), "number", f"{a:g}-{b:g}", key=("score", a, b), score=1.0 + near,
                         support=0.5 + near))
    return out


def _fractions(asked: Asked, sentence: str) -> list[Found]:
    """ "two-thirds" as a percentage."""
    out: list[Found] = []
    for m in _FRACTION_RE.finditer(sentence):
        share = _FRACTIONS.get(m.group().lower())
        if share is not None:
            near = _focus_near(asked, sentence, m.start())
            out.append(Found(m.start(), m.end(), "number", f"{share:g} percent", lo=share - 0.5, hi=share + 0.5,
                             key=(False, True), score=0.6 + near, support=near))
    return out


_RATE_AFTER = re.compile(r"\s*(?:[A-Za-z’'-]+\s+){0,2}per\b|\s*(?:[A-Za-z]+\s*)?/\s*(?:km|mi|sq|acre|ha)\b", re.I)
_RATE_Q = re.compile(r"\bper\b|\bdensity\b|\brate\b|\bevery\b|\beach\b", re.I)


def _numbers(asked: Asked, sentence: str) -> list[Found]:
    out: list[Found] = _scores(asked, sentence) if asked.score_like else []
    asked_numbers = {_num_value(t) for t in re.findall(r"\d[\d,.]*", asked.text)}
    out += _fractions(asked, sentence)
    period = _asked_period(asked.text)
    if period is not None and not _PERIOD_WORDS[period].search(sentence):
        return out  # "how much will it raise each year?": a fare of $2.50 is no sum per year
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
        if counted and any(_opposes(b, f) for b in before for f in _top_focus(asked)):
            continue  # "how many will it keep?": "is cutting about 80 jobs" counts the ones it does not
        if asked.counted and not counted and not unit:
            continue  # "how many students": "two children" counts something else
        if asked.counted and _RATE_AFTER.match(sentence, m.end()) and not _RATE_Q.search(asked.text):
            continue  # "139.8 people per square mile" is a density, not how many people
        if not unit and not m["hedge"] and _NAME_BEFORE.search(sentence[:m.start()]):
            continue  # "the Route 12 bus", "Highway 9": a number inside a name counts nothing
        if not unit and not counted and _MONEY_ONLY_Q.search(asked.text):
            continue  # "How much was the grant worth?": "two weeks after the deadline" is no sum of money
        measured = bool(asked.units and noun and noun[0] in asked.units)  # "how deep": "forty feet"
        if asked.units and not counted and not measured:
            continue  # "how deep": "$4 million" is not a depth
        if not unit and noun:
            unit = noun[0] if noun[0] not in _STOP_STEMS else ""
        precision = _precision(token, value) * mult
        lo, hi = _interval(m["hedge"] or "", value * mult, precision)
        fits = (0.8 if counted or measured else 0.0) + (0.3 if unit in ("USD", "EUR", "GBP") and _MONEY_Q.search(
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


_MONEY_Q = re.compile(r"\bhow much\b|\bcost\b|\bprice\b|\bworth\b|\bpaid\b|\bpay\b|\bmoney\b|\bfund", re.I)
_MONEY_ONLY_Q = re.compile(r"\b(?:cost|costs|price|worth|paid|pay|money|fund\w*|fares?|spend|spent|budget|salary)\b",
                           re.I)
_NAME_BEFORE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\s$")
_PERCENT_Q = re.compile(r"\bpercent|\bpercentage|\bshare\b|\bhow much of\b|\braise\b|\bcontained\b", re.I)


# the period ends the question or its clause: "a day pass" names a ticket, "a year ago" a date
_PER_PERIOD_Q = re.compile(r"\b(?:each|per|a|an|every)\s+(year|month|week|day|hour)\b"
                           r"(?=\s*(?:[?.!,;]|$|(?:for|in|on|and|to|from|since|through|until|at|by)\b))"
                           r"|\b(annual|annually|yearly|monthly|weekly|daily|hourly)\b", re.I)
_PERIOD_OF = {"annual": "year", "annually": "year", "yearly": "year", "monthly": "month", "weekly": "week",
              "daily": "day", "hourly": "hour"}
_PERIOD_WORDS = {
    "year": re.compile(r"\byears?\b|\bannual(?:ly)?\b|\byearly\b", re.I),
    "month": re.compile(r"\bmonths?\b|\bmonthly\b", re.I),
    "week": re.compile(r"\bweeks?\b|\bweekly\b", re.I),
    "day": re.compile(r"\bdays?\b|\bdaily\b|\bnightly\b", re.I),
    "hour": re.compile(r"\bhours?\b|\bhourly\b", re.I),
}


def _asked_period(question: str) -> str | None:
    """The period a question asks an amount per ("each year", "annually"); None when it asks no rate."""
    m = _PER_PERIOD_Q.search(question)
    if m is None:
        return None
    word = (m.group(1) or m.group(2)).lower()
    return _PERIOD_OF.get(word, word)


def _opposes(word: str, predicate: str) -> bool:
    """The word says the opposite of the predicate, read from either word's family ("cut" and "keep")."""
    return related(word, predicate) < 0 or related(predicate, word) < 0


def _inside_score(found: list[Found], pos: int) -> bool:
    return any(f.key and f.key[0] == "score" and f.start <= pos < f.end for f in found)


def _from_to(sentence: str, m: re.Match[str]) -> bool:
    """The old value of "from $2 to $2.50": the new one answers the question."""
    before = sentence[max(0, m.start() - 6):m.start()].lower()
    after = sentence[m.end():m.end() + 6].lower()
    return "from" in before and after.lstrip().startswith("to ")


