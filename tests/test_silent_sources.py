"""Sources of the same story that say nothing on the question: listed as silent, never shown as answering."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.claims import analyse, find_claims, same_as, stem
from assistant.extract import Candidate, _score_words, terms
from assistant.method import DEFAULT_METHOD, Method
from assistant.schema import Article
from tests.helpers import story


def names(question: str, sentence: str, article_text: str | None = None) -> list[str]:
    found = find_claims(analyse(question), article_text or sentence, 0, len(sentence), "2025-06-20")
    return [sentence[f.start:f.end] for f in found if f.kind == "name"]


def test_a_number_that_belongs_to_a_name_is_part_of_it() -> None:
    assert "Route 12" in names("Which road will be repaved?", "Crews will repave Route 12 next spring, officials said.")
    assert "Highway 9" in names("Which road is closed?", "Highway 9 is closed between Alder Flats and Pine Hollow.")
    # a date, a year and a measure are not part of a name
    found = names("Which council will vote?", "The Orton Council will vote June 11 on the plan.")
    assert "June 11" not in found and not any(n.startswith("June") for n in found)
    assert all("2024" not in n for n in names("Which firm won?", "In Boston 2024 ended with Kestrel Labs winning."))


def test_a_word_capitalised_only_at_a_sentence_start_is_no_name() -> None:
    article = ("Firefighters held the Alder fire at 900 acres.\n\nEvacuation orders remain for 350 homes near "
               "Pine Hollow.\n\nCrews cleared brush along Cold Spring Road.")
    sentence = "Evacuation orders remain for 350 homes near Pine Hollow."
    start = article.index(sentence)
    found = find_claims(analyse("Which areas are under evacuation orders?"), article, start, start + len(sentence),
                        "2025-06-20")
    values = {f.value for f in found}
    assert "evacuation" not in values and "pine hollow" in values
    # a name written elsewhere with its capital mid-sentence is still a name at a sentence start
    article2 = "Voters backed Marsh on Friday.\n\nMarsh won by 41 votes."
    s2 = "Marsh won by 41 votes."
    i2 = article2.index(s2)
    found = find_claims(analyse("Which candidate won?"), article2, i2, i2 + len(s2), None)
    assert {f.value for f in found} == {"marsh"}


def test_a_word_of_the_same_family_counts_as_the_questions_word() -> None:
    article = Article(id="a", text="One person suffered minor injuries when a limb fell.\n\nCrews cut up the oak.")
    q = "Was anyone injured?"
    q_terms = set(terms(q))
    cands = [Candidate(article, 0, 51, 0.5, dense=0.5), Candidate(article, 53, len(article.text), 0.5, dense=0.5)]
    _score_words(q, q_terms, cands, DEFAULT_METHOD)
    assert cands[0].lexical > 0 and cands[1].lexical == 0
    _score_words(q, q_terms, cands, Method(word_families=False))
    assert cands[0].lexical == 0  # "injuries" and "injured" stem apart: only the family joins them
    # a family that is only counted alike (workers, positions, people) does not make its words the same
    assert same_as(stem("positions")) == {stem("positions")}
    assert stem("hurt") in same_as(stem("injured"))


def test_take_effect_is_dated_by_effective_and_starting() -> None:
    assert analyse("When do the new Orton fares take effect?").verb == analyse("effective").focus[0][0]


def test_which_question_a_source_naming_no_answer_is_silent(assistant: Any, tmp_path: Path) -> None:
    folder = story(tmp_path, "roads", "Orton floods close roads", {
        "a": "ORTON - Floodwater closed Route 7 and Mill Lane on Tuesday, the county road department said. "
             "Crews expect the water to recede by Friday.",
        "b": "ORTON - Mill Lane and Route 7 are closed after the Kesh River rose overnight, the county said. "
             "Residents were told to avoid the river bank.",
        "c": "ORTON - The Kesh River crested Tuesday at its highest level since 1998, forecasters said. "
             "Volunteers filled sandbags at the Orton fire hall through the night.",
    })
    assistant.ingest([folder])
    question = "Which roads are closed because of the Orton flood?"
    answer = assistant.ask(question)
    by_outlet = {s.outlet: s for s in answer.sources}
    assert by_outlet["Outlet A"].covers and by_outlet["Outlet B"].covers
    assert "Outlet C" in by_outlet and not by_outlet["Outlet C"].covers  # listed, as saying nothing on it
    loose = assistant.ask(question, method=Method(name_coverage=False))
    assert {s.outlet for s in loose.covering} == {"Outlet A", "Outlet B", "Outlet C"}  # C by its words alone


def test_a_silent_source_of_the_same_story_is_listed_before_unrelated_ones(embeddings: Any, tmp_path: Path) -> None:
    from assistant.answer import Assistant
    from assistant.config import Settings

    folder = story(tmp_path, "pier", "Kesh pier plan", {
        "a": "KESH - The developer of the Kesh pier hotel agreed to set aside 20 rooms for a youth hostel, "
             "harbor board chair Ida Munk said. The Kesh pier hotel would rise on the old cannery lot.",
        "b": "KESH - The harbor board will vote June 4 on the Kesh pier hotel planned for the old cannery lot, "
             "board chair Ida Munk said. Neighbours near the cannery lot worry about traffic.",
    })
    for i in range(8):  # other stories sharing the question's words, not its story
        (folder / f"other-{i}.md").write_text(
            f"---\ntitle: Developer news {i}\nsource: Other {i}\ndate: 2025-06-2{i}\n---\n\n"
            f"A developer agreed to set aside units in tower {i} downtown, the city said. "
            f"The tower {i} plan goes to the planning office next month.\n", encoding="utf-8")
    settings = Settings(store_dir=tmp_path / "store", max_sources=4, _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    assistant.ingest([folder])
    question = "Did the developer of the pier hotel agree to set aside rooms for a hostel?"
    answer = assistant.ask(question)
    outlets = [s.outlet for s in answer.sources]
    assert "Outlet B" in outlets and not answer.sources[outlets.index("Outlet B")].covers
    assert outlets.index("Outlet B") == len(answer.covering)  # the first of the silent sources
    plain = assistant.ask(question, method=Method(story_split=False))
    assert [s.outlet for s in plain.covering] == [s.outlet for s in answer.covering]


def test_a_hospital_visit_counts_the_hurt_but_does_not_say_one_was_hurt() -> None:
    s = "Brandt was taken to Orton General Hospital for a checkup."
    said = find_claims(analyse("Was Ivo Brandt hurt?"), s, 0, len(s), None)
    assert not [f for f in said if f.kind == "yes-no"]
    t = "Four people were taken to hospitals."
    counted = find_claims(analyse("How many were hurt in the fire?"), t, 0, len(t), None)
    assert counted and counted[0].value == "4"


def test_yes_no_that_no_source_answers_needs_its_predicate_quoted(assistant: Any, tmp_path: Path) -> None:
    folder = story(tmp_path, "recall", "Kestrel Farms recalls its honey", {
        "a": "Kestrel Farms recalled its clover honey on Monday. Shoppers should bring the jars back to the "
             "store for a refund, the company said.",
        "b": "Kestrel Farms recalled its clover honey on Monday after a lab found lead in two batches. "
             "The farm said it had not received any complaints.",
    })
    assistant.ingest([folder])
    question = "Can shoppers get a refund for Kestrel Farms honey?"
    covers = {s.outlet: s.covers for s in assistant.ask(question).sources}
    assert covers["Outlet A"] and not covers["Outlet B"]  # B tells the recall, and nothing of refunds
    loose = {s.outlet: s.covers for s in assistant.ask(question, method=Method(predicate_coverage=False)).sources}
    assert loose["Outlet A"] and loose["Outlet B"]


def test_a_follow_ups_own_word_decides_which_sources_answer_it(assistant: Any, tmp_path: Path) -> None:
    from assistant.memory import FollowUpOptions

    folder = story(tmp_path, "fares", "Orton bus fares rise", {
        "a": "ORTON - A single bus ride in Orton will cost $3 from May 1, the transit board decided on Tuesday. "
             "Fares for seniors will rise from $1 to $1.50.",
        "b": "ORTON - Riders will pay $3 for a single bus ride from May 1 after the transit board raised fares on "
             "Tuesday. The monthly pass stays at $60.",
        "c": "ORTON - The Orton transit board voted on Tuesday to raise the bus fare to $3, starting May 1. Seniors "
             "will pay $1.50 a ride, up from $1.",
    })
    assistant.ingest([folder])
    first = assistant.ask("How much will a single bus ride in Orton cost?")
    assert {s.outlet for s in first.covering} == {"Outlet A", "Outlet B", "Outlet C"}
    answer = assistant.ask("And for seniors?", history=[first])
    assert {s.outlet for s in answer.covering} == {"Outlet A", "Outlet C"}
    assert "Outlet B" in {s.outlet for s in answer.sources}  # listed, as saying nothing on it
    assistant.followups = FollowUpOptions(asked_words=False)
    loose = assistant.ask("And for seniors?", history=[first])
    assert "Outlet B" in {s.outlet for s in loose.covering}  # by the fare words it shares with the question


def test_what_it_is_for_is_answered_by_a_purpose_only() -> None:
    asked = analyse("What is the Orton levy for?")
    assert asked.purpose and asked.cause
    assert not analyse("What is the mayor known for?").purpose and not analyse("Why did the levy pass?").purpose
    funds = "The levy would raise $2 million a year to pay for two new fire engines, the chief said."
    found = find_claims(asked, funds, 0, len(funds), None)
    assert [funds[f.start:f.end] for f in found] == ["to pay for two new fire engines"]
    passed = "Voters approved the levy after a long campaign by firefighters."
    assert find_claims(asked, passed, 0, len(passed), None) == []  # its cause, not its purpose


def test_a_source_that_gives_no_purpose_is_silent_on_what_it_is_for(assistant: Any, tmp_path: Path) -> None:
    folder = story(tmp_path, "levy", "Orton fire levy passes", {
        "a": "ORTON - Orton voters approved the fire levy on Tuesday. The levy will raise $2 million a year to pay "
             "for two new fire engines, Chief Ana Ruiz said.",
        "b": "ORTON - The Orton fire levy passed on Tuesday with 58 percent of the vote. The levy had failed twice "
             "before, in 2019 and 2021.",
    })
    assistant.ingest([folder])
    answer = assistant.ask("What is the Orton fire levy for?")
    assert [s.outlet for s in answer.covering] == ["Outlet A"]
    assert "Outlet B" in {s.outlet for s in answer.sources}
    assert "fire engines" in answer.covering[0].claims[0].text
