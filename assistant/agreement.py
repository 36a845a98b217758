"""Where the sources agree and where they disagree: claims grouped by compatibility.

Two claims are compatible when they have the same value, when their values lie within each other's stated
precision ("about 12,000" and "nearly 12,000"; "$1.2 million" and "$1.19 million"), or when their ranges
overlap ("by the end of the year" and "in December"). Claims are grouped narrowest first; a broad claim
("this spring") that fits two groups belongs to neither, since it takes no side. ``disagreement`` is true
exactly when two groups remain, unless their sources are pinned to different entities that share the
question's name ("Broken Bow, Nebraska" and "Broken Bow, Oklahoma"): those are about different things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .claims import Asked, Found, canonical_name, stem
from .schema import ClaimGroup
from .text import normalize


@dataclass
class Attributed:
    """A claim with where it was shown."""

    found: Found
    source_n: int
    excerpt_n: int
    label: str  # the source's outlet (or title)
    text: str  # the verbatim claim
    said_by: str | None = None


@dataclass
class Grouping:
    groups: list[ClaimGroup] = field(default_factory=list)
    disagreement: bool = False
    note: str | None = None
    different_entities: bool = False


def compatible(a: Found, b: Found) -> bool:
    if a.kind != b.kind:
        return False
    if a.lo is not None and a.hi is not None and b.lo is not None and b.hi is not None:
        if a.key != b.key:
            return False
        slack = 1e-9 * max(abs(a.hi), abs(b.hi), 1.0)
        return a.lo <= b.hi + slack and b.lo <= a.hi + slack
    if a.kind == "name":
        wa, wb = set(a.value.split()), set(b.value.split())
        return bool(wa and wb) and (wa <= wb or wb <= wa)
    return a.key == b.key and a.value == b.value if a.kind != "yes-no" else a.polarity == b.polarity


def group_claims(asked: Asked, claims: list[Attributed], pins: dict[int, frozenset[str]],
                 entity_split: bool = True) -> Grouping:
    """Claims grouped by compatibility, the disagreement flag and a note naming who says what."""
    out = Grouping()
    if not claims:
        return out
    groups: list[list[Attributed]] = []
    for claim in sorted(claims, key=lambda c: (c.found.width, -c.found.score)):
        fits = [g for g in groups if compatible(claim.found, g[0].found)]
        if not fits:
            groups.append([claim])
        elif len(fits) == 1:
            fits[0].append(claim)
        # a claim that fits two groups takes no side: it stays in its source's panel only
    groups.sort(key=lambda g: (min(c.excerpt_n for c in g)))
    entity_of = _entities(groups, pins) if entity_split else {}
    conflicting = _conflicting(groups, entity_of)
    plural = asked.plural
    out.disagreement = conflicting and not plural and asked.kind != "text"
    out.different_entities = bool(entity_of) and len(set(entity_of.values())) > 1
    for i, g in enumerate(groups):
        out.groups.append(ClaimGroup(
            value=g[0].found.value,
            sources=sorted({c.source_n for c in g}),
            excerpts=sorted({c.excerpt_n for c in g}),
            said_by=list(dict.fromkeys(c.said_by for c in g if c.said_by)),
            entity=entity_of.get(i),
        ))
    if out.disagreement:
        out.note = "Sources differ: " + " · ".join(_describe(g) for g in groups)
    elif out.different_entities:
        out.note = ("These sources are about different things that share the name: "
                    + " · ".join(f"{_describe(g)} (about {entity_of[i]})" for i, g in enumerate(groups)))
    return out


def _conflicting(groups: list[list[Attributed]], entity_of: dict[int, str]) -> bool:
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if i in entity_of and j in entity_of and entity_of[i] != entity_of[j]:
                continue
            return True
    return False


def _describe(group: list[Attributed]) -> str:
    """ "not informed: Arab officials (Outlet B) [5]" """
    first = group[0]
    # quotation marks only around the source's own words; the normalised value beside them
    head = f"“{first.text}”" + (f" ({first.found.value})" if first.found.kind in ("number", "date")
                                and normalize(first.found.value) != normalize(first.text) else "")
    speakers = list(dict.fromkeys(c.said_by for c in group if c.said_by))
    outlets = list(dict.fromkeys(c.label for c in group))
    marks = "".join(f"[{n}]" for n in sorted({c.excerpt_n for c in group}))
    who = f"{', '.join(speakers)} ({', '.join(outlets)})" if speakers else ", ".join(outlets)
    return f"{head}: {who} {marks}"


def _entities(groups: list[list[Attributed]], pins: dict[int, frozenset[str]]) -> dict[int, str]:
    """Group index -> the entity its sources are pinned to, when every group's sources are pinned and no
    two groups share a pin; empty otherwise (then the groups are compared)."""
    if len(groups) < 2:
        return {}
    per_group: list[frozenset[str]] = []
    for g in groups:
        sets = [pins.get(c.source_n, frozenset()) for c in g]
        if not all(sets):
            return {}
        per_group.append(frozenset().union(*sets))
    for i in range(len(per_group)):
        for j in range(i + 1, len(per_group)):
            if per_group[i] & per_group[j]:
                return {}
    return {i: " ".join(sorted(p)) for i, p in enumerate(per_group)}


_QUALIFIER = r"\s*\((?P<paren>[^()]{2,60})\)|,\s(?P<comma>[A-Z][\w'’\-]+(?:\s[A-Z][\w'’\-]+)?)"


def entity_pins(asked: Asked, question: str, article_text: str, title: str | None) -> frozenset[str]:
    """What an article pins the question's subject name to: "Broken Bow, Nebraska", "Lazy Afternoon
    (Barbra Streisand album)", "Indonesia Corruption Watch"; the capitalised words of the qualifier."""
    pins: set[str] = set()
    text = f"{title or ''}\n{article_text}"
    for phrase in _subject_phrases(question):
        pattern = re.escape(phrase).replace(r"\ ", r"\s+")
        for m in re.finditer(rf"(?P<pre>\b[A-Z][\w'’\-]+\s+)?{pattern}(?:{_QUALIFIER})?", text):
            qualifier = m["paren"] or m["comma"] or ""
            words = re.findall(r"[A-Z][\w'’\-]+", qualifier)
            pre = (m["pre"] or "").strip()
            if pre and stem(normalize(pre)) not in asked.subject and normalize(pre) not in _NOT_QUALIFIERS:
                words.append(pre)
            pins |= {canonical_name(w) for w in words if canonical_name(w)}
    return frozenset(pins - {""})


_NOT_QUALIFIERS = frozenset("""
the a an this that in on at of for by from with and but as when after before while its his her their our new
old former
""".split())  # noqa: SIM905


def _subject_phrases(question: str) -> list[str]:
    """Runs of capitalised words in the question, its first word excepted: the names it asks about."""
    words = question.split()
    runs: list[list[str]] = []
    current: list[str] = []
    for i, raw in enumerate(words):
        w = raw.strip("?!.,;:\"“”'‘’()")
        if i > 0 and w[:1].isupper():
            current.append(w)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [" ".join(r) for r in runs]
