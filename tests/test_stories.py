"""Sources that tell another story than the best one's: their claims are shown, not compared."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.extract import Candidate, SourceSelection
from assistant.method import DEFAULT_METHOD
from assistant.schema import Article
from assistant.stories import off_question, other_stories
from tests.helpers import story

STORY = ("The Orton transit board voted to raise the bus fare to $2.50 from $2, citing diesel costs and "
         "the Harlow Street depot repairs; board chair Lena Voss said riders on the Route 4 line pay the most.")
OTHER = ("Gullwing Air will fly from Orton to Port Kessa twice a day starting in May, with fares from $89; "
         "the carrier leases two turboprops and hires pilots at the Orton airfield.")


def _selection(n: int, text: str, best: float) -> SourceSelection:
    article = Article(id=f"a{n}", title=None, text=text)
    sel = SourceSelection(article, best)
    sel.chosen = [Candidate(article, 0, len(text), best, dense=best)]
    return sel


def _doc_freqs(corpus: list[str]) -> Any:
    from assistant.keyword.tokenize import tokenize

    docs = [set(tokenize(t)) for t in corpus]
    return lambda words: ({w: sum(w in d for d in docs) for w in words}, len(docs))


def test_the_odd_story_out_is_found_and_two_sources_are_left_alone() -> None:
    filler = [f"Unrelated item {i} about the weather in Dunmore and a school play." for i in range(20)]
    texts = [STORY, STORY.replace("voted to", "agreed to").replace("$2.50", "$2.50 a ride"),
             STORY.replace("board chair", "chair"), OTHER]
    sels = [_selection(i, t, 0.9 - 0.1 * i) for i, t in enumerate(texts)]
    freqs = _doc_freqs(texts + filler)
    assert other_stories(sels, freqs, 0.15) == [3]
    # a source naming all the question names is about what was asked: its different answer is shown as one
    assert other_stories(sels, freqs, 0.15, "How much is a ride from Orton?") == []
    assert other_stories(sels, freqs, 0.15, "How much is a ride on the Harlow Street line?") == [3]
    assert other_stories(sels[2:], freqs, 0.15) == []  # one against one: neither is the odd one
    best_is_odd = [_selection(0, OTHER, 0.95), *sels[:3]]
    assert other_stories(best_is_odd, freqs, 0.15) == []  # the story grows from the best source only


def test_a_source_from_another_story_is_not_compared(assistant: Any, tmp_path: Path) -> None:
    bus = story(tmp_path, "fare", "Orton bus fare rises", {
        "a": "The Orton transit board voted Tuesday to raise the base bus fare to $2.50 a ride, said chair Lena Voss. "
             "Riders on the Harlow Street line and the Route 4 express will pay the new fare from July 1.",
        "b": "Orton bus riders will pay $2.50 a ride from July 1 after the transit board's vote on Tuesday. "
             "Board chair Lena Voss said diesel costs and the Harlow Street depot forced the increase.",
        "c": "A single ride on an Orton bus will cost $2.50 from July 1, the transit board decided Tuesday. "
             "Lena Voss, the board chair, said the Harlow Street depot needs a new roof.",
    })
    air = story(tmp_path, "air", "Gullwing Air comes to Orton", {
        "a": "Gullwing Air will fly from Orton to Port Kessa starting in May, with one-way fares from $89. "
             "The carrier leases two turboprops and will hire pilots at the Orton airfield.",
    })
    assistant.ingest([bus, air])
    question = "How much will a single ride cost under the new fares?"
    answer = assistant.ask(question)
    covers = {Path(s.path or "").name: s for s in answer.sources}
    assert all(covers[f"fare-{x}.md"].covers for x in "abc")
    # another story that never says "ride" (the question's rarest word, said by each bus report) is silent on it
    assert "air-a.md" in covers and not covers["air-a.md"].covers
    assert not answer.disagreement
    kept = assistant.ask(question, method=replace(DEFAULT_METHOD, story_coverage=False))
    shown = {Path(s.path or "").name: s for s in kept.sources}
    assert shown["air-a.md"].covers  # it does speak of fares: shown, with its claim, and not compared
    assert any("another story" in n and f"[{shown['air-a.md'].n}]" in n for n in kept.notices)
    assert not kept.disagreement
    compared = assistant.ask(question, method=replace(DEFAULT_METHOD, story_split=False))
    assert compared.disagreement  # $89 against $2.50, when the airline's story is compared


def test_another_story_without_the_questions_rarest_word_is_off_question() -> None:
    strike = ("Orton teachers will strike Monday unless the union and the district agree on pay; the district "
              "said its schools will stay open with substitute teachers during a strike.")
    closing = ("The Orton school board voted to close Fenwick Elementary, whose roof needs repairs; its pupils "
               "move to Marsh Lane School in the fall, the board said.")
    texts = [strike, strike.replace("Monday", "on Monday").replace("stay open", "remain open"),
             strike.replace("will strike", "plan to strike"), closing]
    sels = [_selection(i, t, 0.9 - 0.1 * i) for i, t in enumerate(texts)]
    freqs = _doc_freqs(texts + [f"Weather item {i}: rain in Dunmore, its board said, and a school fair will open."
                                for i in range(20)])
    question = "Will Orton schools stay open during a teachers' strike?"
    assert other_stories(sels, freqs, 0.15, question) == []  # it names Orton: kept in the comparison...
    assert off_question(sels, other_stories(sels, freqs, 0.15), freqs, question) == [3]  # ...but never says strike
    # it holds the rarest word of this question that the best source holds ("Orton")
    assert off_question(sels, [3], freqs, "Will the Orton board close a school?") == []
