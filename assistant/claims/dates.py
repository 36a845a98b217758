"""Dates as claims: day ranges resolved against the article's own date ("on Monday", "next week", "mid-April")."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from ..text import normalize
from .found import Found, _focus_near
from .question import Asked
from .words import _clean_word, _words, is_verb, stem

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
    rf"|(?P<bc>(?P<bcval>[1-9]\d{{0,3}})\s?(?:BCE?|B\.C\.(?:E\.)?))(?![A-Za-z])"
    rf"|(?P<yr>(?:in|since|by|of|from|until|around|circa|c\.)\s(?P<yval>1\d\d\d|20\d\d))\b"
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
    return _resolve_year(m)


def _resolve_year(m: re.Match[str]) -> tuple[date, date] | tuple[str, str] | None:
    """An ISO date, or a year: a whole year's days, or before the calendar Python dates reach, compared by
    name ("148 BC" and "112 BC" differ)."""
    if m["bc"]:
        return f"{int(m['bcval'])} BC", f"{int(m['bcval'])} BC"
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
    verb = asked.verb
    on_verb = verb is not None and any(is_verb(stem(_clean_word(w)), verb) for w, _, _ in _words(sentence))
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
        near = max(_focus_near(asked, sentence, start), _lifespan(asked, sentence, start),
                   _named_date(asked, sentence, m.start()))
        score = 0.6 + near + (0.1 if lo is not None and lo == hi else 0.0)
        out.append(Found(start, end, "date", value, lo=lo, hi=hi, key=key, score=score, support=near,
                         on_verb=on_verb))
    if not out:
        for tm in _TIME_RE.finditer(sentence):
            near = _focus_near(asked, sentence, tm.start())
            out.append(Found(tm.start(), tm.end(), "date", _clock(tm), key=("time", _clock(tm)), score=0.4 + near,
                             support=near, on_verb=on_verb))
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


def _named_date(asked: Asked, sentence: str, pos: int) -> float:
    """ "The Second Battle of Cancha Rayada (March 16, 1818)": a date in brackets right after the subject's
    name is the date of the subject itself."""
    m = _BRACKET_AFTER_NAME.search(sentence[:pos])
    if not m or not asked.subject:
        return 0.0
    return 0.6 if stem(_clean_word(m.group("last"))) in asked.subject else 0.0


_BRACKET_AFTER_NAME = re.compile(r"(?P<last>[A-Z][\w'’\-]*)\s\((?:on |c\. |circa )?$")


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


