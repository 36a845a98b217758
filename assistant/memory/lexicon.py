"""The words a follow-up is read by: pronouns, source and claim nouns, auxiliaries, and the lexical tests built
on them (a fragment, a demonstrative, a question about what was shown)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..extract import STOPWORDS, terms
from ..query import outlet_mentions
from ..text import fold

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
THING_PRONOUNS = frozenset({"it", "its", "itself", "they", "them", "their", "theirs", "themselves", "there",
                            "then"})
DEMONSTRATIVES = frozenset({"that", "this", "those", "these"})
# nouns naming a source or what a source says: "the other paper", "that claim", "does X agree?"
SOURCE_WORDS = frozenset({"outlet", "outlets", "paper", "papers", "newspaper", "newspapers", "source", "sources",
                          "station", "stations", "site", "sites", "publication", "publications", "one", "ones",
                          "media", "network", "networks", "coverage", "story", "stories", "report", "reports",
                          "article", "articles", "account", "accounts", "version"})
CLAIM_WORDS = frozenset({"claim", "claims", "statement", "statements", "quote", "quotes", "figure", "figures",
                         "number", "numbers", "comment", "comments", "remark", "remarks", "allegation"})
DISCOURSE_VERBS = frozenset({"agree", "agrees", "disagree", "disagrees", "differ", "differs", "confirm",
                             "confirms", "dispute", "disputes", "think", "thinks", "mention", "mentions",
                             "write", "writes", "wrote", "cover", "covers", "covered", "add", "adds", "added",
                             "reporting", "claim", "claims", "claimed", "saying", "else", "too", "also", "ok",
                             "okay", "hmm", "right", "well"})
AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "do", "does", "did", "will", "would", "can",
                         "could", "should", "shall", "may", "might", "must", "has", "have", "had", "'s", "’s"})
PREPOSITIONS = frozenset({"since", "by", "for", "in", "at", "on", "from", "to", "until", "till", "after",
                          "before", "with", "without", "about", "of", "during", "through", "via", "per"})
WH_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
_OTHER = re.compile(r"\b(?:other|others|another|rest|remaining)\b", re.I)
_CONTRAST = re.compile(r"^\W*(?:(?:and|but|ok|okay|so|well|then|also|hmm|right)\b[\s,.!]*)*"
                       r"(?:(?:what|how)\s+about\b|and\b|also\b)\s*", re.I)
_WH_START = re.compile(r"^(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|"
                       r"will|would|should|has|have|had)\b", re.I)
_ABOUT = re.compile(r"\s*\(about: (.*)\)\s*$")
_LEADING_WH = re.compile(r"^\s*(?:(?:by|for|in|since|from|to|at|on|with|until|till|of)\s+)?"
                         r"(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)
WH_PHRASE_WORDS = 3  # "how many people", "which company": the longest question phrase before its auxiliary


def stems(text: str) -> list[str]:
    """Content-word stems of ``text``, typography folded first ("Elementary’s" is "Elementary's")."""
    return terms(fold(text))


def _words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text)]


def _stem(word: str) -> str | None:
    found = stems(word)
    return found[0] if found else None


def _strip_about(searched: str) -> tuple[str, str]:
    """A searched question split into its own part and its "(about: ...)" part."""
    m = _ABOUT.search(searched)
    return (searched[:m.start()], m[1]) if m else (searched, "")


def _with_about(question: str, about: Sequence[str]) -> str:
    words = " ".join(w for w in about if w)
    return f"{question.rstrip()} (about: {words})" if words else question.strip()


def _replace_word(text: str, word: str, by: str) -> str:
    low = word.lower()
    possessive = low in ("his", "hers", "its", "their", "theirs") or (
        low == "her" and not re.search(rf"\b{word}\s*[?.!]?\s*$", text, re.I))
    return re.sub(rf"\b{re.escape(word)}\b", f"{by}’s" if possessive else by, text, count=1)


def _content(text: str, outlets: Sequence[str]) -> list[tuple[str, str]]:
    """(word, stem) of ``text``'s content words, outlet names and talk about sources left out."""
    for _, (s, e) in reversed(outlet_mentions(text, outlets)):
        text = text[:s] + " " + text[e:]
    out = []
    for word in _words(text):
        low = word.lower()
        if low in DISCOURSE_VERBS or low in SOURCE_WORDS or low in STOPWORDS:
            continue
        stem = _stem(word)
        if stem:
            out.append((word, stem))
    return out


def _demonstrative(question: str) -> str | None:
    """ "claim" when "that/this" stands for something said ("who said that?", "that claim"); "thing" when it
    points at a thing of the story ("that money"); None when there is none (or "that" joins a clause)."""
    words = _words(question)
    for i, word in enumerate(words):
        if word.lower() not in DEMONSTRATIVES:
            continue
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if not nxt or nxt in CLAIM_WORDS or nxt in ("is", "was", "true", "right", "correct"):
            return "claim"
        if i and words[i - 1].lower() in AUXILIARIES:
            return "thing"  # "when did that happen?": "that" is the subject of the verb after it
        if nxt in STOPWORDS or words[i + 1][:1].isupper():
            continue  # "said that the ...", "that Greyfield ...": a clause follows
        return "thing"
    return None


def _about_shown(question: str) -> bool:
    """The question asks about what was shown (a speaker, a claim) rather than about the story."""
    low = [w.lower() for w in _words(question)]
    return any(w in PERSON_PRONOUNS for w in low) or _demonstrative(question) == "claim"


def _is_fragment(question: str, content: Sequence[tuple[str, str]]) -> bool:
    """No clause of its own: at most one content word, no pronoun, no auxiliary ("since when?", "any injuries?")."""
    low = [w.lower() for w in _words(question)]
    refers = any(w in PERSON_PRONOUNS or w in THING_PRONOUNS or w in DEMONSTRATIVES for w in low)
    return len(content) <= 1 and not refers and not any(w in AUXILIARIES for w in low)


def _continues_predicate(fragment: str) -> bool:
    """A fragment that modifies the last question ("since when?", "for seniors?", "raised how?") rather than
    naming a new attribute of the story ("any injuries?", "the total cost?")."""
    words = [w.lower() for w in _words(_CONTRAST.sub("", fragment))]
    return bool(words) and (words[0] in PREPOSITIONS or words[0] in WH_WORDS or words[-1] in WH_WORDS)


def _split_wh(question: str) -> tuple[str, str, str] | None:
    """A wh-question as (question phrase, auxiliary, the rest): "How much will | will | a single ride cost";
    None when it is no wh-question or its question word is the subject ("Who won the recount")."""
    words = question.strip().rstrip("?.! ").split()
    if not words or not _LEADING_WH.match(question):
        return None
    for i, word in enumerate(words[1:WH_PHRASE_WORDS + 2], start=1):
        if word.lower() in AUXILIARIES:
            return " ".join(words[:i]), word, " ".join(words[i + 1:])
    return None


def _predicate(question: str) -> str:
    """What ``question`` says of its answer, without its question phrase: "cast the deciding vote" of "Who cast
    the deciding vote?", "the pier reopen" of "When will the pier reopen?"."""
    split = _split_wh(question)
    if split is not None:
        return split[2]
    text = question.strip().rstrip("?.! ")
    m = _LEADING_WH.match(text)
    return text[m.end():].strip() if m else text


def _continued(fragment: str, last: str) -> str | None:
    """The last question continued by a fragment, as one question: "since when?" after "Why was the bridge
    closed?" is "since when was the bridge closed?", "for seniors?" after "How much will a ride cost?" is "How
    much will a ride cost for seniors?"; None when the two do not join (a question word at the end: "raised
    how?", or a last question whose question word is its subject)."""
    own = _CONTRAST.sub("", fragment).strip().rstrip("?.! ")
    words = [w.lower() for w in _words(own)]
    if not words:
        return None
    wh = next((i for i, w in enumerate(words) if w in WH_WORDS), None)
    if wh is not None:
        if any(w not in PREPOSITIONS for w in words[:wh]):
            return None  # "raised how?", "found by whom?": the question word comes after the verb
        if _WH_START.match(last.strip()) and not _LEADING_WH.match(last):  # "is the toll going up?": "when is ..."
            return f"{own} {last.strip().rstrip('?.! ')}?"
        split = _split_wh(last)
        return f"{own} {split[1]} {split[2]}?" if split is not None else None
    if words[0] in PREPOSITIONS:
        return f"{last.strip().rstrip('?.! ')} {own}?"
    return None


def _recase(text: str, spelling: dict[str, str]) -> str:
    """``text`` with each lower-case word that the story only ever writes as a name spelt as the story does
    ("kessler manufacturing" is "Kessler Manufacturing"): typed chat is often all lower case."""
    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        return spelling.get(word.casefold(), word) if word.islower() else word

    return _WORD.sub(one, text)
