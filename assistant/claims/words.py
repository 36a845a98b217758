"""Words as claims compare them: stems, the small closed word classes, and the predicate lexicon."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..text import normalize


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer, installed with bm25s

    return Stemmer.Stemmer("english")


# Irregular past forms, which a suffix stemmer leaves apart from their verb ("became" / "become")
IRREGULAR = {
    "became": "become", "began": "begin", "begun": "begin", "took": "take", "taken": "take", "held": "hold",
    "left": "leave", "went": "go", "gone": "go", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "sold": "sell", "bought": "buy", "paid": "pay", "made": "make", "built": "build", "won": "win", "lost": "lose",
    "led": "lead", "met": "meet", "ran": "run", "sent": "send", "spent": "spend", "struck": "strike",
    "told": "tell", "wrote": "write", "written": "write", "drove": "drive", "driven": "drive", "gave": "give",
    "given": "give", "grew": "grow", "grown": "grow", "knew": "know", "known": "know", "kept": "keep",
    "brought": "bring", "caught": "catch", "taught": "teach", "chose": "choose", "chosen": "choose",
    "broke": "break", "broken": "break", "spoke": "speak", "spoken": "speak", "stole": "steal", "stolen": "steal",
    "flew": "fly", "flown": "fly", "froze": "freeze", "frozen": "freeze", "sank": "sink", "sunk": "sink",
    "swore": "swear", "sworn": "swear", "threw": "throw", "thrown": "throw", "fought": "fight", "sought": "seek",
    "stood": "stand", "understood": "understand", "forgot": "forget", "forgotten": "forget", "hid": "hide",
    "hidden": "hide", "rode": "ride", "ridden": "ride", "shook": "shake", "shaken": "shake", "woke": "wake",
    "woken": "wake", "withdrew": "withdraw", "withdrawn": "withdraw", "overtook": "overtake",
}


def base_form(word: str) -> str:
    """The verb an irregular past form belongs to ("became" -> "become"); other words unchanged."""
    return IRREGULAR.get(word, word)


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return str(_stemmer().stemWord(base_form(word)))


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


_LOOSE: list[frozenset[str]] = []  # families too broad to stand for each other's words in excerpt scoring
# words that go with a predicate without saying it: "taken to a hospital" counts hurt people, but "was taken
# to the hospital for evaluation" does not say that he was hurt
CIRCUMSTANTIAL = frozenset(stem(w) for w in ("hospital", "hospitalized"))


def _family(same: str, opposite: str = "", loose: bool = False) -> None:
    _FAMILIES.append((frozenset(stem(w) for w in same.split()),
                      frozenset(stem(w) for w in opposite.split())))
    if loose:
        _LOOSE.append(_FAMILIES[-1][0])


_family("hurt injured injury injuries wounded harmed treated hospitalized hospital casualties suffered sprained "
        "bruised", "unharmed unhurt")
_family("killed died dead death deaths fatal fatalities", "survived alive")
_family("consulted informed briefed notified told advised", "")
_family("fired dismissed sacked ousted removed terminated", "hired retained")
_family("hire hired hiring recruit add", "fire layoffs")
_family("resign resigning resignation quit step leave leaving", "stay remain")
_family("open opened reopen reopened reopening", "closed close closing shut shuttered")
_family("close closing closed shut shutter", "open opened reopen reopened remain")
_family("running run operating resumed resume sailing", "suspended halted canceled cancelled stopped")
_family("suspended suspension halted stopped paused canceled cancelled shut", "resumed running operating")
_family("acquire acquiring acquired acquisition buy buying bought purchase purchased purchasing", "sell sold selling")
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
_family("built constructed erected completed founded", "")
_family("named chosen chose picked tapped selected appointed become becomes serve succeeded succeeds", "")
_family("founded established formed created launched inaugurated incorporated raised", "")
_family("born birth birthdate", "died")
_family("workers jobs employees staff positions people", "", loose=True)  # counted alike, not the same words
_family("effect effective start starting begin beginning begins launch commence broke erupted ignited", "end")
_family("students pupils enrolled enrolls enrollment", "")
_family("riders passengers commuters", "")
_family("employ employs employed employing employees employer employment", "")
_family("day days daily", "")
_family("week weeks weekly", "")
_family("month months monthly", "")
_family("year years yearly annual annually", "")
_family("ill illness illnesses sick sickened sickening cases infections", "")


def same_as(word_stem: str) -> frozenset[str]:
    """``word_stem`` and the words of its families that say the same ("injur": "injuri", "hurt", ...)."""
    out = {word_stem}
    for same, _ in _FAMILIES:
        if word_stem in same and same not in _LOOSE:
            out |= same
    return frozenset(out)


def generic(word_stem: str) -> bool:
    """A word of a family too broad to stand for its members ("people", "staff", "positions"): a word that
    refers to a story's people rather than saying anything of them."""
    return any(word_stem in same for same in _LOOSE)


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


def is_verb(word_stem: str, verb: str) -> bool:
    """The word says the verb: the same stem, a word of its family, or its agent noun ("own" / "owner")."""
    if related(word_stem, verb) > 0:
        return True
    short, long_ = sorted((word_stem, verb), key=len)
    return len(short) >= 3 and long_.startswith(short) and len(long_) - len(short) <= 3  # own / owner


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _clean_word(word: str) -> str:
    w = normalize(word).strip(".'-")
    return w[:-2] if w.endswith("'s") else w

_STOP = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers him
his how i if in into is it its itself just me more most my no nor not of off on once only or other our out
over own same she should so some such than that the their them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your said says
say tell told according many much
""".split())  # noqa: SIM905


_STOP_STEMS = frozenset(stem(w) for w in _STOP) | {"a", "an", "the"}
