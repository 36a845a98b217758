"""Which of the answering sources tell the same story as the best one.

A question without a name to check ("How much will a bus ride cost under the new fares?") can pull in a
source from another story that shares its words (an airline's fares), and its value then reads as a
disagreement. Articles about one event share their rare words (the people, places and things of that
event) far more than articles about two events do: the share of the smaller article's words, each weighted
by its rarity in the whole store, that the other holds too. Such a source's claims are not compared with
the story's (unless it names everything the question names), and the answer says which source tells
another story.

Only the flag uses this, not coverage: passages of one encyclopedia entry (an infobox, a history section)
can share few words and still answer.

A source of another story that names what the question names but lacks the question's rarest word that
the best source holds ("strike" in "Will Northfield schools stay open during a teachers' strike?",
asked of a Northfield story about a school closing) does not answer the question at all: it is listed as
silent. (One that does not name it either is shown apart, as above: one encyclopedia entry's passages
need not repeat its name's every word.)

The same measure finds the silent sources worth listing: among the sources searched that do not answer,
those telling the best source's story (another outlet's report of the same event that says nothing on this
point) come before the ones that only share words with the question.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .extract import SourceSelection, entity_terms, terms
from .keyword.tokenize import tokenize

DocFreqs = Callable[[set[str]], tuple[dict[str, int], int]]


def overlap(a: set[str], b: set[str], idf: dict[str, float]) -> float:
    """The rarity-weighted share of the smaller word set that the other holds too."""
    mass = min(sum(idf.get(w, 0.0) for w in a), sum(idf.get(w, 0.0) for w in b))
    return sum(idf.get(w, 0.0) for w in a & b) / mass if mass else 0.0


def _idf(words: dict[int, set[str]], doc_freqs: DocFreqs) -> dict[str, float] | None:
    freqs, n = doc_freqs(set().union(*words.values()))
    return {w: math.log((n + 1) / (f + 0.5)) for w, f in freqs.items()} if n >= 2 else None


def _names_of(selection: SourceSelection) -> set[str]:
    return set(terms(f"{selection.article.title or ''}\n{selection.article.text}"))


def _words(selection: SourceSelection) -> set[str]:
    return set(tokenize(f"{selection.article.title or ''}\n{selection.article.text}"))


def same_story_silent(selections: Sequence[SourceSelection], doc_freqs: DocFreqs, min_overlap: float) -> list[int]:
    """Indexes of the sources that do not answer but tell the best answering source's story, nearest first."""
    covering = [i for i, s in enumerate(selections) if s.chosen]
    silent = [i for i, s in enumerate(selections) if not s.chosen]
    if not covering or not silent:
        return []
    best = max(covering, key=lambda i: selections[i].best)
    words = {i: _words(selections[i]) for i in [best, *silent]}
    idf = _idf(words, doc_freqs)
    if idf is None:
        return []
    near = {i: overlap(words[best], words[i], idf) for i in silent}
    return sorted((i for i in silent if near[i] >= min_overlap), key=lambda i: -near[i])


def other_stories(selections: Sequence[SourceSelection], doc_freqs: DocFreqs, min_overlap: float,
                  question: str = "") -> list[int]:
    """Indexes (into ``selections``) of the answering sources that tell another story than the best one's.
    Without ``question``, all of them; with it, less those that name everything it names:

    such a source (naming the question's capitalised words) stays: it is about what was
    asked, and a different answer from it is a disagreement to show, however differently it is written.

    The story starts with the best source and takes in, one at a time, the source whose words overlap the
    story's sources most on average, while that mean is at least ``min_overlap``. Sources left out tell
    another story; none is left out unless the story has two sources at least (one source alone cannot
    tell which of two is the odd one).
    """
    covering = [i for i, s in enumerate(selections) if s.chosen]
    if len(covering) < 3:
        return []
    words = {i: _words(selections[i]) for i in covering}
    idf = _idf(words, doc_freqs)
    if idf is None:
        return []
    pair = {(i, j): overlap(words[i], words[j], idf) for i in covering for j in covering if i < j}
    story = [max(covering, key=lambda i: selections[i].best)]
    rest = [i for i in covering if i != story[0]]
    while rest:
        mean = {i: sum(pair[min(i, j), max(i, j)] for j in story) / len(story) for i in rest}
        nearest = max(rest, key=lambda i: mean[i])
        if mean[nearest] < min_overlap:
            break
        story.append(nearest)
        rest.remove(nearest)
    if len(story) < 2:
        return []
    if not question:
        return rest
    names = entity_terms(question)
    return [i for i in rest if not names or not names <= _names_of(selections[i])]


def off_question(selections: Sequence[SourceSelection], others: Sequence[int], doc_freqs: DocFreqs,
                 question: str) -> list[int]:
    """Of ``others`` (sources of another story that name what the question names), those whose article
    lacks the rarest word of the question that the best source holds ("strike", in the best strike report)."""
    story = [i for i, s in enumerate(selections) if s.chosen and i not in others]
    names = entity_terms(question)
    others = [i for i in others if names <= _names_of(selections[i])]  # the others are shown apart
    if not others or len(story) < 2:
        return []
    best = max(story, key=lambda i: selections[i].best)
    words = {i: _words(selections[i]) for i in [best, *others]}
    shared = set(tokenize(question)) & words[best]
    if not shared:
        return []
    freqs, _ = doc_freqs(shared)
    rare = min(shared, key=lambda w: (freqs.get(w, 0), w))
    return [i for i in others if rare not in words[i]]
