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


def other_stories(selections: Sequence[SourceSelection], doc_freqs: DocFreqs, min_overlap: float,
                  question: str = "") -> list[int]:
    """Indexes (into ``selections``) of the answering sources that tell another story than the best one's.

    A source that names everything the question names (its capitalised words) stays: it is about what was
    asked, and a different answer from it is a disagreement to show, however differently it is written.

    The story starts with the best source and takes in, one at a time, the source whose words overlap the
    story's sources most on average, while that mean is at least ``min_overlap``. Sources left out tell
    another story; none is left out unless the story has two sources at least (one source alone cannot
    tell which of two is the odd one).
    """
    covering = [i for i, s in enumerate(selections) if s.chosen]
    if len(covering) < 3:
        return []
    words = {i: set(tokenize(f"{selections[i].article.title or ''}\n{selections[i].article.text}")) for i in covering}
    freqs, n = doc_freqs(set().union(*words.values()))
    if n < 2:
        return []
    idf = {w: math.log((n + 1) / (f + 0.5)) for w, f in freqs.items()}
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
    names = entity_terms(question)
    return [i for i in rest if not names or not names <= set(terms(
        f"{selections[i].article.title or ''}\n{selections[i].article.text}"))]
