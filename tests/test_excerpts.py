"""Excerpts: a run-on passage (an infobox, a link list) is cut to the clauses around the question's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.extract import Candidate, _cut_run_on, terms
from assistant.schema import Article


def test_a_run_on_deep_in_an_article_is_cut_around_the_question_words() -> None:
    lead = "The Halvard Bridge spans the Orne. " * 150  # the run-on starts past character 5,000
    run_on = ("Coordinates 44 N 21 W · Carries two lanes · Crosses the Orne · Material steel · Total length "
              "310 m · Opened 1931 by the Orne Valley Railway · Rebuilt 1987 · Owner Orne County · Locale "
              "Halvard · Maintained by the county roads office · Design truss · Heritage status listed · " * 3)
    article = Article(id="a", title="Halvard Bridge", text=lead + run_on + "It is painted grey.")
    cand = Candidate(article, len(lead), len(lead) + len(run_on), 0.5, dense=0.5)
    _cut_run_on(cand, 400, set(terms("Who owns the bridge? Owner")))
    assert len(lead) <= cand.start < cand.end <= len(lead) + len(run_on)
    assert cand.end - cand.start <= 400
    assert "Owner" in article.text[cand.start:cand.end]


def test_without_a_claim_the_cut_goes_where_the_rarer_question_word_is() -> None:
    name = "Saint Orla Chapel Halvard · "
    run_on = (name * 12 + "Architectural style : Gothic Revival · Completed 1884 · " + name * 12).strip()
    article = Article(id="a", title="Saint Orla Chapel", text=run_on)
    cand = Candidate(article, 0, len(run_on), 0.5, dense=0.5)
    _cut_run_on(cand, 200, set(terms("What is the style of the Saint Orla Chapel?")))
    assert "style : Gothic Revival" in article.text[cand.start:cand.end]  # not a window of the repeated name


def test_a_cut_that_reaches_the_sentence_end_keeps_it() -> None:
    run_on = "Coordinates 44 N 21 W · Owner Orne County · " * 12 + "Born ( 1953-07-30 ) 30 July 1953"
    article = Article(id="a", title=None, text=run_on)
    cand = Candidate(article, 0, len(run_on), 0.5, dense=0.5)
    start = run_on.index("1953-07-30")
    from assistant.claims import Found
    cand.found = [Found(start, start + 10, "date", "1953-07-30")]
    _cut_run_on(cand, 400, set(terms("When was he born?")))
    assert cand.end == len(run_on)  # "30 July 1953" is not cut off at the bracket before it


def test_a_lower_case_question_names_its_subject_as_the_sources_spell_it(assistant: Any, tmp_path: Path) -> None:
    from tests.helpers import story

    assistant.ingest([story(tmp_path, "pier", "Orton pier repairs", {
        "a": "The Orton pier reopened on Monday after repairs to its deck, the Orton harbor office said.",
        "b": "Anglers returned to the Orton pier on Monday as it reopened after five weeks of repairs.",
    }), story(tmp_path, "other", "Halvard pier repairs", {
        "a": "The Halvard pier reopened on Friday after repairs to its deck, the Halvard harbor office said.",
    })])
    answer = assistant.ask("when did the pier in orton reopen")
    covers = {Path(s.path or "").name: s.covers for s in answer.sources}
    assert covers["pier-a.md"] and covers["pier-b.md"]
    assert not covers.get("other-a.md")  # about another town's pier
    assert not answer.disagreement
