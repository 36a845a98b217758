"""What a question says about *when* and *who*: date phrases relative to a reference date, outlet mentions.

``parse_query("What did CNN report this week?", as_of=date(2023, 3, 10), outlets=["CNN", "USA Today"])``
gives a ``QueryIntent`` with the date range 2023-03-04..2023-03-10 ("this week"), the outlet CNN, and the
question with those phrases removed (what the keyword and vector searches use). Nothing here touches
the store; the retriever applies the intent (``assistant/retrieve.py``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for name in names
}
WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# Outlet names that are ordinary phrases in lower case ("the week", "the hill") match only as written.
ALIASES = {
    "AP": "Associated Press",
    "NYT": "The New York Times",
    "New York Times": "The New York Times",
    "WaPo": "The Washington Post",
    "Washington Post": "The Washington Post",
    "USA TODAY": "USA Today",
}
_OUTLET_BEFORE = (r"(?:according\s+to|reported\s+by|(?:reports?|reporting|stories|story|coverage|articles?|news|"
                  r"headlines?)\s+(?:from|in|by|on|of)|from|per)")
_OUTLET_AFTER = r"(?:'s|’s)?\s*(?:report(?:s|ed|ing)?|sa(?:y|ys|id)|write|writes|wrote|cover(?:s|ed)?|coverage|" \
                r"stor(?:y|ies)|articles?|claim(?:s|ed)?|tell|told|publish(?:es|ed)?)\b"


@dataclass
class DateRange:
    """Inclusive range of publication dates a question asks about."""

    start: date
    end: date
    label: str  # the phrase, e.g. "this week"

    def describe(self) -> str:
        span = self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()}..{self.end.isoformat()}"
        return f'published {span} ("{self.label}")'


@dataclass
class QueryIntent:
    """A question's search text plus the date and outlet constraints found in it."""

    question: str
    search_text: str
    as_of: date | None = None
    date_range: DateRange | None = None
    outlets: list[str] = field(default_factory=list)

    @property
    def filters(self) -> list[str]:
        """Human-readable constraints, as shown with an answer."""
        return describe_filters(self.date_range, self.outlets, self.as_of)


def describe_filters(date_range: DateRange | None, outlets: Sequence[str], as_of: date | None) -> list[str]:
    """The lines that tell a reader how the search was narrowed or ordered, as shown with an answer."""
    out = []
    if date_range is not None:
        out.append(f"date: {date_range.describe()} (ranked first)")
    if outlets:
        out.append("outlet: " + ", ".join(outlets))
    if as_of is not None:
        out.append(f"as of {as_of.isoformat()}: later articles ranked down, recent ones up")
    return out


# --------------------------------------------------------------------------------------------------
# dates


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _latest_year_for(month: int, day: int | None, ref: date) -> int:
    """The year that makes month/day the most recent such date on or before ``ref``."""
    year = ref.year
    probe = date(year, month, min(day or 1, calendar.monthrange(year, month)[1]))
    return year if probe <= ref else year - 1


def _valid_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _relative(match: re.Match[str], ref: date) -> tuple[date, date] | None:
    text = match.group(0).lower()
    if text == "today":
        return ref, ref
    if text == "yesterday":
        return ref - timedelta(days=1), ref - timedelta(days=1)
    unit = (match.group("unit") or "").lower()
    which = (match.group("which") or "").lower()
    if which == "previous":
        which = "last"
    n_text = match.group("n")
    if which in ("this", "past") and not n_text:
        if unit == "week":
            return ref - timedelta(days=6), ref
        if unit == "month":
            return (ref.replace(day=1), ref) if which == "this" else (ref - timedelta(days=30), ref)
        return (date(ref.year, 1, 1), ref) if which == "this" else (ref - timedelta(days=365), ref)
    if which == "last" and not n_text:
        if unit == "week":
            return ref - timedelta(days=13), ref - timedelta(days=7)
        if unit == "month":
            prev = ref.replace(day=1) - timedelta(days=1)
            return _month_range(prev.year, prev.month)
        return date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31)
    n = _number(n_text)
    if n is None or n <= 0:
        return None
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
    return ref - timedelta(days=days - 1 if unit == "day" else days), ref


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "a": 1, "few": 3, "several": 5}


def _number(text: str | None) -> int | None:
    if not text:
        return None
    text = text.lower()
    return int(text) if text.isdigit() else _NUMBER_WORDS.get(text)


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?:on\s+)?(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", re.I)),
    ("month_day", re.compile(rf"\b(?:on\s+)?{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b(?!\s*(?:%|percent))", re.I)),
    ("day_month", re.compile(rf"\b(?:on\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    ("month_year", re.compile(rf"\b(?:in|during|throughout|since|of)\s+{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    ("year", re.compile(rf"\b(?:in|during|throughout)\s+(?:the\s+year\s+)?{_YEAR}\b", re.I)),
    ("relative", re.compile(
        r"\b(?:today|yesterday|(?P<which>this|last|past|previous)\s+(?:(?P<n>\d+|one|two|three|four|five|six|seven|"
        r"eight|nine|ten|few|several)\s+)?(?P<unit>day|week|month|year)s?)\b", re.I)),
    ("weekday", re.compile(r"\b(?:on|last|this\s+past)\s+(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|"
                           r"sunday)\b", re.I)),
]


def find_date_range(
    question: str, as_of: date | None = None, skip: Iterable[tuple[int, int]] = ()
) -> tuple[DateRange | None, tuple[int, int] | None]:
    """The first date phrase of ``question`` as a range (relative phrases need ``as_of``; today otherwise).

    Phrases overlapping a ``skip`` span (an outlet's name, like "USA Today") are ignored.
    Returns the range and the phrase's character span (with a trailing possessive), or (None, None).
    """
    ref = as_of or date.today()
    skip = list(skip)
    best: tuple[int, DateRange, tuple[int, int]] | None = None
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(question):
            if any(s < m.end() and m.start() < e for s, e in skip):
                continue
            rng = _to_range(kind, m, ref)
            if rng is None:
                continue
            label = " ".join(m.group(0).split())
            if best is None or m.start() < best[0]:
                possessive = re.match(r"['’]s\b", question[m.end():])
                best = (m.start(), DateRange(rng[0], rng[1], label), (m.start(), m.end() + (2 if possessive else 0)))
            break
    if best is None:
        return None, None
    return best[1], best[2]


def _to_range(kind: str, m: re.Match[str], ref: date) -> tuple[date, date] | None:
    if kind == "iso":
        day = _valid_day(int(m["y"]), int(m["m"]), int(m["d"]))
        return (day, day) if day else None
    if kind in ("month_day", "day_month"):
        month = MONTHS[m["month"].lower().rstrip(".")]
        if m["month"].lower() == "may" and m["month"] == "may" and not m.group(0).lower().startswith("on"):
            return None  # "may 6" in lower case is more likely the verb
        day_n = int(m["day"])
        year = int(m["year"]) if m["year"] else _latest_year_for(month, day_n, ref)
        day = _valid_day(year, month, day_n)
        return (day, day) if day else None
    if kind == "month_year":
        if m["month"].lower() == "may" and m["month"] == "may":
            return None
        month = MONTHS[m["month"].lower().rstrip(".")]
        year = int(m["year"]) if m["year"] else _latest_year_for(month, None, ref)
        start, end = _month_range(year, month)
        if m.group(0).lower().startswith("since"):
            return start, ref
        return start, end
    if kind == "year":
        year = int(m["year"])
        return date(year, 1, 1), date(year, 12, 31)
    if kind == "relative":
        return _relative(m, ref)
    if kind == "weekday":
        wd = WEEKDAYS[m["wd"].lower()]
        back = (ref.weekday() - wd) % 7
        if m.group(0).lower().startswith("last") and back == 0:
            back = 7
        day = ref - timedelta(days=back)
        return day, day
    return None


# --------------------------------------------------------------------------------------------------
# outlets


def _outlet_pattern(name: str) -> re.Pattern[str]:
    escaped = re.escape(name).replace(r"\ ", r"\s+")
    # "The Week" or "The Hill" are ordinary phrases in lower case: match those only as capitalised.
    flags = 0 if name.lower().startswith("the ") or len(name) <= 3 and name.isupper() else re.I
    return re.compile(rf"(?<![\w.])(?:the\s+)?{escaped}(?![\w])", flags)


def find_outlets(question: str, outlets: Iterable[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Outlets the question asks about ("what did CNN report", "according to USA Today", "CNN's coverage").

    A bare mention ("Why did CNN fire its anchor?") is a topic, not a filter: the name must follow a phrase
    like "according to", "reported by", "in", "from", or be followed by "report(ed)", "say", "coverage"...
    Returns canonical names (as ``outlets`` spells them) and the spans to remove from the search text.
    """
    names: dict[str, str] = {}
    for outlet in outlets:
        if outlet and len(outlet) <= 60:
            names.setdefault(outlet, outlet)
    for alias, canonical in ALIASES.items():
        for outlet in list(names.values()):
            if outlet.casefold() == canonical.casefold():
                names.setdefault(alias, outlet)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    listed: list[tuple[str, re.Match[str]]] = []  # bare mentions, kept for the list rule below
    for mention in sorted(names, key=len, reverse=True):
        pattern = _outlet_pattern(mention)
        for m in pattern.finditer(question):
            if any(s <= m.start() < e for s, e in spans):
                continue
            before = re.search(rf"{_OUTLET_BEFORE}\s+$", question[: m.start()], re.I)
            after = re.match(rf"\s*{_OUTLET_AFTER}", question[m.end():], re.I)
            if not before and not after:
                listed.append((mention, m))
                continue
            start = before.start() if before else m.start()
            end = m.end() + (after.end() if after else 0)
            spans.append((start, end))
            if names[mention] not in found:
                found.append(names[mention])
    for mention in _joined(question, listed, spans):
        if names[mention] not in found:
            found.append(names[mention])
    return found, spans


_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)", re.I)


def _joined(question: str, listed: list[tuple[str, re.Match[str]]], spans: list[tuple[int, int]]) -> list[str]:
    """The bare mentions joined by "and", "or" or a comma to an outlet the question asks about ("according to
    CNN and the AP"), which it asks about too; their spans are added to ``spans``."""
    out: list[str] = []
    changed = bool(spans)
    while changed:
        changed = False
        for mention, m in list(listed):
            after_one = next(((e, m.end()) for s, e in spans if e <= m.start() and _JOINER.fullmatch(
                question[e:m.start()])), None)
            before_one = next(((m.start(), s) for s, e in spans if m.end() <= s and _JOINER.fullmatch(
                question[m.end():s] + " ")), None)
            inside = any(s <= m.start() < e for s, e in spans)
            span = None if inside else after_one or before_one
            if inside or span is not None:
                listed.remove((mention, m))
            if span is not None:
                spans.append(span)
                out.append(mention)
                changed = True
    return out


def outlet_mentions(question: str, outlets: Iterable[str]) -> list[tuple[str, tuple[int, int]]]:
    """Every mention of a known outlet in ``question``, filter phrase or not: (name as ``outlets`` spells it,
    span), in the order they appear; a longer name wins over a shorter one inside it."""
    taken: list[tuple[str, tuple[int, int]]] = []
    for outlet in sorted({o for o in outlets if o and len(o) <= 60}, key=len, reverse=True):
        for m in _outlet_pattern(outlet).finditer(question):
            if not any(s < m.end() and m.start() < e for _, (s, e) in taken):
                taken.append((outlet, m.span()))
    return sorted(taken, key=lambda t: t[1])


# --------------------------------------------------------------------------------------------------


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(text[pos:s])
        pos = e
    out.append(text[pos:])
    cleaned = " ".join("".join(out).split())
    cleaned = re.sub(r"\s+([?.!,;:])", r"\1", cleaned)
    cleaned = re.sub(r"^[,;:\s]+|[,;:\s]+(?=[?.!]?$)", "", cleaned)
    return cleaned


def parse_query(question: str, as_of: date | None = None, outlets: Iterable[str] = ()) -> QueryIntent:
    """Date range, outlets and search text of ``question``; ``as_of`` anchors relative phrases."""
    outlets = list(outlets)
    found, outlet_spans = find_outlets(question, outlets)
    names = [m.span() for o in outlets if o for m in _outlet_pattern(o).finditer(question)]
    date_range, date_span = find_date_range(question, as_of, skip=names + outlet_spans)
    spans = ([date_span] if date_span else []) + outlet_spans
    search_text = _remove_spans(question, spans) if spans else question
    if not any(ch.isalnum() for ch in search_text):
        search_text = question
    return QueryIntent(question=question, search_text=search_text, as_of=as_of, date_range=date_range,
                       outlets=found)
