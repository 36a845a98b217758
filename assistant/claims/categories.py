"""Answers that are a kind of thing rather than a name: "What sport is she known for?", "What is his
profession?", "What is the genre / medium of "Monkey Grip"?", "What political party…?", "What is the style /
language / military rank of…?".

Such answers are common nouns ("baseball", "novel", "chef"), which the name finder never sees. A sentence
gives them in two ways: a word of the category's vocabulary ("a professional baseball player", "a 1977
novel"), or, for what a person does, the head of the noun phrase after "is a" / "was an" ("is an English
former footballer who played ..."). The claim is that word, verbatim; its value is the activity it names
("footballer" and "football" are one answer).
"""

from __future__ import annotations

import re

from .found import Found
from .question import Asked

# category nouns of the question -> the vocabulary that answers it
_SPORTS = """
football soccer baseball basketball tennis golf cricket rugby hockey ice-hockey boxing wrestling swimming diving
athletics cycling rowing sailing skiing cross-country-skiing ski-jumping biathlon snowboarding skating
figure-skating speed-skating volleyball handball badminton squash table-tennis lacrosse softball polo
water-polo netball fencing archery shooting weightlifting judo karate taekwondo gymnastics triathlon marathon
motorsport racing equestrian bobsleigh luge curling darts snooker billiards bowling surfing canoeing kayaking
mountaineering climbing chess
""".split()  # noqa: SIM905
# the player of a sport: "a footballer" plays football
_PLAYERS = {
    "footballer": "football", "cricketer": "cricket", "golfer": "golf", "boxer": "boxing", "wrestler": "wrestling",
    "swimmer": "swimming", "diver": "diving", "cyclist": "cycling", "rower": "rowing", "sailor": "sailing",
    "skier": "skiing", "snowboarder": "snowboarding", "skater": "skating", "weightlifter": "weightlifting",
    "gymnast": "gymnastics", "fencer": "fencing", "archer": "archery", "jockey": "racing", "sprinter": "athletics",
    "hurdler": "athletics", "marathoner": "marathon", "triathlete": "triathlon", "biathlete": "biathlon",
    "judoka": "judo", "curler": "curling", "canoeist": "canoeing", "kayaker": "kayaking", "surfer": "surfing",
    "climber": "climbing", "mountaineer": "mountaineering", "bowler": "bowling",
}
_WORKS = """
film movie documentary short-film feature-film television-series tv-series miniseries series sitcom soap-opera
telenovela talk-show game-show reality-show cartoon anime novel novella short-story book memoir biography
poem poetry play musical opera operetta ballet song single album studio-album live-album compilation-album
ep mixtape soundtrack painting sculpture photograph comic comic-book manga graphic-novel video-game game
magazine newspaper journal radio-station radio-program podcast website
""".split()  # noqa: SIM905
_GENRES = """
rock pop jazz blues folk country soul funk disco punk metal heavy-metal hip-hop rap reggae gospel classical
electronic techno house ambient indie alternative r&b opera comedy drama thriller horror romance fantasy
science-fiction western documentary animation action crime mystery satire tragedy musical
""".split()  # noqa: SIM905
_POSITIONS = """
goalkeeper defender midfielder forward striker winger fullback full-back centre-back center-back sweeper
quarterback running-back wide-receiver linebacker cornerback safety tight-end kicker punter pitcher catcher
shortstop outfielder infielder first-baseman second-baseman third-baseman guard point-guard shooting-guard
center centre power-forward small-forward prop hooker lock flanker scrum-half fly-half wicket-keeper
batsman batter all-rounder goaltender
""".split()  # noqa: SIM905

_PARTIES = """
republican democrat democratic labour labor liberal conservative libertarian socialist communist whig federalist
tory tories unionist nationalist social-democrat christian-democrat liberal-democrat
""".split()  # noqa: SIM905
_IDEOLOGIES = _PARTIES + """
right-wing left-wing far-right far-left centre-right center-right centre-left center-left centrist fascist fascism
nazi neo-nazi nationalism conservatism liberalism socialism communism marxist marxism anarchist anarchism populist
populism environmentalist green monarchist republicanism islamist zionist
""".split()  # noqa: SIM905
_STYLES = """
baroque gothic gothic-revival romanesque romanesque-revival neoclassical neo-classical renaissance
renaissance-revival modernist modern art-deco art-nouveau victorian georgian colonial colonial-revival tudor
tudor-revival italianate greek-revival beaux-arts brutalist byzantine moorish mudejar rococo mannerist
palladian queen-anne craftsman prairie federal second-empire international-style postmodern
""".split()  # noqa: SIM905
_LANGUAGES = """
english french german spanish portuguese italian dutch russian polish czech ukrainian greek turkish arabic
hebrew persian urdu hindi bengali punjabi gujarati marathi tamil telugu kannada malayalam assamese odia
nepali sinhala chinese mandarin cantonese japanese korean vietnamese thai indonesian malay tagalog filipino
swahili finnish swedish norwegian danish icelandic hungarian romanian bulgarian serbian croatian latin
""".split()  # noqa: SIM905
_RANKS = """
general lieutenant-general major-general brigadier-general brigadier colonel lieutenant-colonel major captain
lieutenant second-lieutenant admiral vice-admiral rear-admiral commodore commander lieutenant-commander
sergeant corporal private marshal field-marshal air-marshal air-commodore generalmajor generalleutnant
generaloberst oberst
""".split()  # noqa: SIM905

_VOCABULARY: dict[str, list[str]] = {
    "party": _PARTIES, "ideology": _IDEOLOGIES, "style": _STYLES, "language": _LANGUAGES, "rank": _RANKS,
    "sport": _SPORTS + list(_PLAYERS),
    "medium": _WORKS, "format": _WORKS + _GENRES, "type": _WORKS, "kind": _WORKS,
    "genre": _GENRES + _WORKS,
    "position": _POSITIONS,
}
# what a person does: read from the predicate noun, or the vocabulary of activities
_PERSON_CATEGORIES = frozenset({"profession", "occupation", "job", "career", "vocation"})


def _pattern(words: list[str]) -> re.Pattern[str]:
    # longest first: "studio album" before "album"; a hyphen in the list stands for a space or a hyphen
    alternatives = sorted({w.replace("-", "[ -]") for w in words}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")s?\b", re.I)


_PATTERNS = {category: _pattern(words) for category, words in _VOCABULARY.items()}
_PLAYER = re.compile(r"\b(" + "|".join(w.replace("-", "[ -]") for w in _SPORTS) + r")\s+(?:player|coach|team|"
                     r"club|manager|star|champion|league)s?\b", re.I)
_PARTY = re.compile(r"\b(?:[A-Z][\w'’-]+\s){1,3}Party\b")  # "the Quebec Liberal Party"
# "X is an English former footballer who ...": the predicate noun phrase, up to what follows its head
_PREDICATE = re.compile(r"\b(?:is|was|are|were|became|becomes|served as|serves as|works as|worked as)\s+"
                        r"(?:an?|the)\s+((?:[\w’'-]+\s+){0,5}?[\w’'-]+?)"
                        r"(?=\s+(?:who|whom|which|that|from|for|in|at|of|with|and|or|born|based|on|by|to|best|"
                        r"known|during|since|until)\b|\s*[,.;:()\[\]]|\s*$)")
_NOT_HEADS = frozenset("""
member native son daughter resident part one citizen figure man woman person people brother sister wife husband
father mother child friend student graduate alumnus former retired
""".split())  # noqa: SIM905


def categories(asked: Asked, sentence: str) -> list[Found]:
    """The answers of ``asked.category`` that ``sentence`` gives, best first."""
    category = asked.category or ""
    out: list[Found] = []
    if category == "sport":
        for m in _PLAYER.finditer(sentence):
            out.append(_found(sentence, m.start(1), m.end(1), 1.0, category))
    if category == "party":
        for m in _PARTY.finditer(sentence):
            out.append(_found(sentence, m.start(), m.end(), 1.0, category))
    pattern = _PATTERNS.get(category)
    if pattern is not None:
        for m in pattern.finditer(sentence):
            if not any(f.start <= m.start() < f.end for f in out):
                out.append(_found(sentence, m.start(), m.end(), 0.8, category))
    if category in _PERSON_CATEGORIES or (category == "sport" and not out):
        for m in _PREDICATE.finditer(sentence):
            head = _head(sentence, m.start(1), m.end(1))
            if head and (category != "sport" or head[2] in _PLAYERS):
                out.append(_found(sentence, head[0], head[1], 0.9, category))
    return out


def _head(sentence: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The last word of the noun phrase ``sentence[start:end]`` (its head), unless it says no occupation."""
    words = list(re.finditer(r"[\w’'-]+", sentence[start:end]))
    if not words:
        return None
    last = words[-1]
    word = last.group().lower()
    if word in _NOT_HEADS or word[:1].isdigit() or not word.isalpha():
        return None
    return start + last.start(), start + last.end(), word


_KNOWN = frozenset(w.replace("-", " ") for words in _VOCABULARY.values() for w in words)


def _found(sentence: str, start: int, end: int, support: float, category: str) -> Found:
    text = sentence[start:end]
    low = re.sub(r"[\s-]+", " ", text.lower())
    if low not in _KNOWN and low.endswith("s") and low[:-1] in _KNOWN:
        low = low[:-1]  # "footballers", "novels"
    value = _PLAYERS.get(low, low) if category == "sport" else low  # a footballer plays football
    return Found(start, end, "name", value, key=("name", value), score=0.5 + support, support=support)
