"""The core ``ask()``: per-source verbatim excerpts, coverage, disagreement (offline mode)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.errors import EmptyStoreError, QuestionError


def _assert_verbatim(assistant: Assistant, answer) -> None:  # type: ignore[no-untyped-def]
    articles = assistant.store().get_articles([s.id for s in answer.sources])
    for source in answer.sources:
        text = articles[source.id].text
        for ex in source.excerpts:
            assert text[ex.start:ex.end] == ex.quote


def test_seed_question_shows_both_sides(assistant: Assistant, seeds_dir: Path) -> None:
    assistant.ingest([seeds_dir])
    answer = assistant.ask("Was Israel consulted?")
    assert answer.mode == "extractive" and answer.answer is None
    assert len(answer.covering) == 2, "both seed articles address the question"
    quotes = [e.quote for e in answer.excerpts]
    assert any("Israel was consulted" in q for q in quotes)
    assert any("had not been informed" in q for q in quotes), "the Arab officials' account must be shown"
    for source in answer.covering:
        assert any("consulted" in e.quote for e in source.excerpts)
    assert answer.disagreement is True and answer.disagreement_note
    _assert_verbatim(assistant, answer)


def test_excerpts_are_numbered_across_the_answer(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    answer = assistant.ask("Was the transit workers' union consulted?")
    numbers = [e.n for e in answer.excerpts]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [s.n for s in answer.sources] == list(range(1, len(answer.sources) + 1))
    _assert_verbatim(assistant, answer)


def test_sample_disagreement_and_unrelated_source_not_covering(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    answer = assistant.ask("Was the transit workers' union consulted?")
    outlets = {s.outlet for s in answer.covering}
    assert {"Harbor Gazette", "Coastal Tribune"} <= outlets
    assert answer.disagreement
    not_covering = [s for s in answer.sources if not s.covers]
    assert any(s.outlet == "Bay Sports Daily" for s in not_covering)
    assert all(not s.excerpts for s in not_covering)


def test_cost_figures_that_differ_are_flagged(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    answer = assistant.ask("How much will the tram cost?")
    quotes = " ".join(e.quote for e in answer.excerpts)
    assert "$412 million" in quotes and "$450 million" in quotes
    assert answer.disagreement


def test_question_no_article_addresses_says_so(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    answer = assistant.ask("What is the boiling point of tungsten?")
    assert answer.covering == []
    assert "None of the" in answer.summary
    assert len(answer.sources) >= 1  # searched sources are listed as not covering


def test_json_shape(assistant: Assistant, seeds_dir: Path) -> None:
    assistant.ingest([seeds_dir])
    data = assistant.ask("Was Israel consulted?").to_json()
    assert {"question", "mode", "answer", "disagreement", "sources"} <= set(data)
    src = data["sources"][0]
    assert {"id", "title", "outlet", "date", "url", "path", "covers", "excerpts"} <= set(src)
    assert {"n", "quote", "start", "end", "score"} <= set(src["excerpts"][0])


def test_empty_store_says_how_to_ingest(assistant: Assistant) -> None:
    with pytest.raises(EmptyStoreError, match="assistant ingest"):
        assistant.ask("Was Israel consulted?")


@pytest.mark.parametrize("question", ["", "   ", "?!...", "x" * 10_000])
def test_unanswerable_questions_raise_a_clear_error(assistant: Assistant, question: str) -> None:
    with pytest.raises(QuestionError):
        assistant.ask(question)


def test_outlet_question_quotes_that_outlet(assistant: Assistant, samples_dir: Path) -> None:
    """'What did Metro Wire report about X' is about X: the outlet's name is a filter, not words to match."""
    from datetime import date

    assistant.ingest([samples_dir])
    answer = assistant.ask("What did Metro Wire report about the transit workers' union?", as_of=date(2026, 4, 20))
    assert any(f.startswith("outlet: Metro Wire") for f in answer.filters)
    metro = [s for s in answer.covering if s.outlet == "Metro Wire"]
    assert metro, "the Metro Wire article mentions the union and must be quoted"
    assert any("union" in e.quote.lower() for e in metro[0].excerpts)
    _assert_verbatim(assistant, answer)
