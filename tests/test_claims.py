"""Claims: what kind of answer a question asks for, the verbatim span that gives it, its normalised value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.agreement import Attributed, compatible, entity_pins, group_claims
from assistant.claims import Found, analyse, find_claims, find_speaker, stem
from tests.helpers import story


def claims(question: str, sentence: str, article_date: str | None = "2025-06-20") -> list[Found]:
    return find_claims(analyse(question), sentence, 0, len(sentence), article_date)


def best(question: str, sentence: str, article_date: str | None = "2025-06-20") -> Found:
    found = claims(question, sentence, article_date)
    assert found, f"no claim in {sentence!r}"
    return found[0]


@pytest.mark.parametrize(("question", "kind"), [
    ("How many homes lost power?", "number"),
    ("What was the board's vote on the plan?", "number"),
    ("When will the bridge reopen?", "date"),
    ("What is the birth date of Ada Reyes?", "date"),
    ("Who was named police chief?", "name"),
    ("Which company is buying the mill?", "name"),
    ("Was Israel consulted?", "yes-no"),
    ("Why did the main break?", "text"),
    ("What is the median age in Orton?", "number"),
    ("What was the courtesy name of the Marquis of Orton?", "name"),
    ("What is the location of Orton Mill?", "name"),
    ("What war did the Treaty of Orton end?", "name"),
    ("What is the mascot of Orton High School?", "name"),
])
def test_question_kinds(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


def test_claim_is_a_verbatim_span_with_offsets() -> None:
    text = "Officials said about 12,000 homes were affected."
    f = best("How many homes were affected?", text)
    assert text[f.start:f.end] == "about 12,000"


@pytest.mark.parametrize(("a", "b"), [
    ("The board voted seven to two for the plan.", "The plan passed in a 7-2 vote."),
    ("The board voted 7 to 2 for the plan.", "The plan passed in a 7–2 vote."),
])
def test_vote_paraphrases_are_one_value(a: str, b: str) -> None:
    q = "What was the board's vote on the plan?"
    assert best(q, a).value == best(q, b).value == "7-2"


def test_money_is_normalised_across_spellings() -> None:
    q = "How much did the repairs cost?"
    one = best(q, "The repairs cost $1.2 billion, the city said.")
    two = best(q, "Repairs came to 1.2 billion dollars.")
    assert one.value == two.value == "1.2 billion USD"


def test_stated_precision_decides_compatibility() -> None:
    q = "How many homes are under the advisory?"
    about = best(q, "About 12,000 homes are under the advisory.")
    exact = best(q, "The advisory covers 12,300 homes.")
    other = best(q, "Roughly 30,000 homes are under the advisory.")
    assert compatible(about, exact)  # "about 12,000" keeps its precision
    assert not compatible(about, other)
    lower = best(q, "More than 10,000 homes are under the advisory.")
    assert compatible(lower, exact) and compatible(lower, other)  # a lower bound fits both


def test_weekday_resolves_against_the_article_date() -> None:
    # 2025-06-20 is a Friday: "on Monday" in a sentence about what will happen is 2025-06-23
    f = best("When will the school reopen?", "The school will reopen on Monday.", "2025-06-20")
    assert f.value == "2025-06-23"
    past = best("When did the school close?", "The school closed on Monday, officials said.", "2025-06-20")
    assert past.value == "2025-06-16"


def test_next_week_is_a_range_and_a_day_inside_it_is_compatible() -> None:
    week = best("When will the vote take place?", "The vote will take place next week.", "2025-06-20")
    assert ".." in week.value
    day = best("When will the vote take place?", "The vote will take place on Tuesday, June 24.", "2025-06-20")
    assert compatible(week, day)


def test_the_time_a_thing_was_said_is_not_its_answer() -> None:
    found = claims("When will the advisory be lifted?", "The advisory will be lifted Thursday, officials said Tuesday.")
    assert [f.value for f in found] == ["2025-06-26"]


def test_yes_no_polarity_on_the_question_predicate_with_synonyms() -> None:
    q = "Was anyone hurt in the fire?"
    assert best(q, "No one was injured in the fire.").polarity == -1
    assert best(q, "A firefighter was hurt while battling the fire.").polarity == 1
    assert best(q, "Two people were taken to the hospital with injuries.").polarity == 1


def test_a_negation_about_something_else_is_no_answer() -> None:
    q = "Will the library hire new staff?"
    assert not claims(q, "The library could not afford a new roof last year.")
    assert best(q, "The library will hire four new librarians.").polarity == 1


def test_denial_reverses_the_claim_it_governs() -> None:
    f = best("Was Israel consulted?", "Arab officials denied that Israel was consulted.")
    assert f.polarity == -1


def test_opposite_words_answer_no() -> None:
    q = "Is the bridge open to traffic?"
    assert best(q, "The bridge remains closed to traffic.").polarity == -1
    assert best(q, "The bridge reopened to traffic on Monday.").polarity == 1


def test_speaker_is_a_verbatim_span() -> None:
    for sentence, who in [
        ("Leavitt said that Israel was consulted.", "Leavitt"),
        ("Israel had not been informed, according to Arab officials.", "Arab officials"),
        ("The pipe failed because of its age, said Ramona Vance.", "Ramona Vance"),
    ]:
        span = find_speaker(sentence)
        assert span is not None and sentence[span[0]:span[1]] == who


def test_names_are_canonical_and_a_surname_matches_the_full_name() -> None:
    q = "Who was named the new police chief?"
    full = best(q, "Capt. Samuel Ibarra was named the new police chief.")
    short = best(q, "The new police chief, Ibarra, starts in March.")
    other = best(q, "Deputy Chief Lorna Reyes was named the new police chief.")
    assert full.value == "samuel ibarra"
    assert compatible(full, short) and not compatible(full, other)


def _attributed(f: Found, source: int, label: str) -> Attributed:
    return Attributed(f, source, source, label, f.value)


def test_grouping_flags_exactly_incompatible_groups() -> None:
    q = "When was the courthouse built?"
    asked = analyse(q)
    years = [best(q, s) for s in ("The courthouse was built in 1902.", "It was built in 1902.",
                                  "The courthouse was built in 1885.")]
    grouping = group_claims(asked, [_attributed(f, i + 1, f"Source {i + 1}") for i, f in enumerate(years)], {})
    assert grouping.disagreement
    assert [g.sources for g in grouping.groups] == [[1, 2], [3]]
    assert grouping.note is not None and "Source 3" in grouping.note
    agree = group_claims(asked, [_attributed(f, i + 1, "S") for i, f in enumerate(years[:2])], {})
    assert not agree.disagreement and len(agree.groups) == 1


def test_a_broad_claim_that_fits_two_groups_takes_no_side() -> None:
    q = "When do the new flights begin?"
    asked = analyse(q)
    may2 = best(q, "Flights begin on May 2.", "2025-04-10")
    may22 = best(q, "Flights begin on May 22.", "2025-04-10")
    month = best(q, "Flights begin next month.", "2025-04-10")
    grouping = group_claims(asked, [_attributed(may2, 1, "A"), _attributed(may22, 2, "B"),
                                    _attributed(month, 3, "C")], {})
    assert grouping.disagreement and all(3 not in g.sources for g in grouping.groups)


def test_different_entities_sharing_a_name_are_not_a_conflict() -> None:
    q = "What is the population of Broken Bow?"
    asked = analyse(q)
    a = "Broken Bow, Nebraska had 3,559 people at the 2010 census."
    b = "Broken Bow, Oklahoma had 4,120 people at the 2010 census."
    fa, fb = best(q, a), best(q, b)
    pins = {1: entity_pins(asked, q, a, None), 2: entity_pins(asked, q, b, None)}
    assert pins[1] == {"nebraska"} and pins[2] == {"oklahoma"}
    grouping = group_claims(asked, [_attributed(fa, 1, "A"), _attributed(fb, 2, "B")], pins)
    assert not grouping.disagreement and grouping.different_entities
    assert {g.entity for g in grouping.groups} == {"nebraska", "oklahoma"}
    compared = group_claims(asked, [_attributed(fa, 1, "A"), _attributed(fb, 2, "B")], pins, entity_split=False)
    assert compared.disagreement


def test_which_with_a_plural_asks_for_a_set() -> None:
    assert analyse("Which roads are closed?").plural
    assert not analyse("Which company is acquiring the hospital?").plural
    # a plural that only modifies a singular head, or a verb after a singular head, asks for one answer
    assert not analyse("Orton Park is the home of which sports team?").plural
    assert not analyse("What company makes the Halvard bicycle?").plural


def test_seeds_show_both_sides_each_in_its_own_words_and_attributed(assistant: Any, seeds_dir: Path) -> None:
    assistant.ingest([seeds_dir])
    answer = assistant.ask("Was Israel consulted?")
    assert answer.disagreement and len(answer.covering) == 2
    claims = [c for s in answer.covering for c in s.claims]
    yes = [c for c in claims if c.value.startswith("yes")]
    no = [c for c in claims if c.value.startswith("no")]
    assert yes and no
    assert any(c.said_by == "Leavitt" and "consulted" in c.text for c in yes)
    assert any(c.said_by == "Arab officials" and c.text == "had not been informed" for c in no)
    assert {g.value for g in answer.groups} == {"yes: consult", "no: consult"}
    assert answer.disagreement_note and "Arab officials" in answer.disagreement_note


def test_a_covering_source_past_max_sources_is_named_not_hidden(embeddings: Any, tmp_path: Path) -> None:
    from assistant.answer import Assistant
    from assistant.config import Settings

    folder = tmp_path / "news"
    folder.mkdir()
    for i, outlet in enumerate(["Alder Post", "Birch Times", "Cedar Ledger"]):
        (folder / f"{i}.md").write_text(
            f'---\ntitle: "Kiln Street market opens"\nsource: "{outlet}"\ndate: 2025-05-0{i + 1}\n---\n\n'
            f"The Kiln Street market opened on Saturday with {40 + i} stalls, organisers said.\n", encoding="utf-8")
    settings = Settings(store_dir=tmp_path / "store", max_sources=2, _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    assistant.ingest([folder])
    answer = assistant.ask("How many stalls did the Kiln Street market open with?")
    assert len(answer.sources) == 2 and len(answer.covering) == 2
    [notice] = [n for n in answer.notices if "more source" in n]
    shown = {s.outlet for s in answer.sources}
    [hidden] = {"Alder Post", "Birch Times", "Cedar Ledger"} - shown
    assert notice.startswith("1 more source(s) address this question") and hidden in notice


@pytest.mark.parametrize(("question", "sentence", "agent"), [
    ("Who rescued the stranded kayaker?", "The kayaker was rescued by a harbor patrol boat near the jetty.",
     "a harbor patrol boat"),
    ("Who rescued the stranded kayaker?", "Lifeguard Mina Osei rescued the kayaker on Sunday.",
     "Lifeguard Mina Osei"),
    ("Who owns the Red Lantern bakery?", "Owner Priya Dalal said the ovens were fine.", "Priya Dalal"),
    ("Who was named fire chief?", "ORTON - Capt. Leo Brandt has been chosen as the new fire chief, officials said.",
     "Capt. Leo Brandt"),
])
def test_who_is_answered_by_the_doer_of_the_questions_verb(question: str, sentence: str, agent: str) -> None:
    found = claims(question, sentence)
    assert found and found[0].agent
    assert sentence[found[0].start:found[0].end] == agent  # never the dateline, the place or the speaker


def test_a_copular_who_question_has_no_verb_to_read() -> None:
    assert not analyse("Who is the composer of the Harbor Suite?").agent
    assert analyse("Who composed the Harbor Suite?").agent


def test_a_source_naming_no_doer_is_silent_on_who(assistant: Any, tmp_path: Path) -> None:
    assistant.ingest([story(tmp_path, "kayak", "Kayaker rescued at Orton jetty", {
        "a": "The stranded kayaker was rescued by a harbor patrol boat near the Orton jetty on Sunday.",
        "b": "Lifeguard Mina Osei rescued the stranded kayaker off the Orton jetty on Sunday, the city said.",
        "c": "A stranded kayaker was rescued near the Orton jetty on Sunday. Orton beaches reopen on Monday.",
    })])
    answer = assistant.ask("Who rescued the stranded kayaker at the Orton jetty?")
    covers = {Path(s.path or "").name: s.covers for s in answer.sources}
    assert covers["kayak-a.md"] and covers["kayak-b.md"]
    assert covers["kayak-c.md"] is False  # about the rescue, but it never says who made it
    assert answer.disagreement  # a patrol boat against a lifeguard


@pytest.mark.parametrize(("question", "sentence", "value"), [
    # a noun of the same family ("service") does not cancel the verb that answers ("suspended")
    ("Is the Quill Harbor ferry running?", "Ferry service to Quill Harbor remains suspended, the authority said.",
     "no: run"),
    # the object's noun ("employees") is not the predicate; "keep" answers "lose"
    ("Will the mill's workers lose their jobs?", "The buyer said it intends to keep all 300 employees.", "no: lose"),
    # what happened before ("after ... ordered it closed") is background, even several words into the clause
    ("Is the Red Lantern bakery open?",
     "The Red Lantern reopened Monday, three days after county inspectors had ordered it closed.", "yes: open"),
])
def test_polarity_is_read_from_the_predicate(question: str, sentence: str, value: str) -> None:
    assert best(question, sentence).value == value


def test_a_source_saying_neither_yes_nor_no_is_silent(assistant: Any, tmp_path: Path) -> None:
    assistant.ingest([story(tmp_path, "bakery", "Red Lantern bakery inspection", {
        "a": "The Red Lantern bakery in Orton reopened Monday after passing its inspection.",
        "b": "The Red Lantern bakery in Orton remains closed while repairs continue, the owner said.",
        "c": "Inspectors visited the Red Lantern bakery in Orton last week and wrote up six violations.",
    })])
    answer = assistant.ask("Is the Red Lantern bakery open?")
    covers = {Path(s.path or "").name: s.covers for s in answer.sources}
    assert covers["bakery-a.md"] and covers["bakery-b.md"] and answer.disagreement
    assert covers["bakery-c.md"] is False  # about the bakery, but it says neither open nor closed


def test_a_persons_surname_alone_names_them_but_a_places_last_word_does_not() -> None:
    from assistant.extract import _surnames

    assert _surnames("What sport is Ryan Davis associated with?", True) == {"davi"}
    assert not _surnames("When was the Dallas County Courthouse built?", True)
    assert not _surnames("What is the median age in Fort Kent?", True)
    # an organisation's name is no person's: "Major League" gives no surname "League"
    assert _surnames("When did Tom Fisher play in the Major League?", True) == {"fisher"}


@pytest.mark.parametrize(("question", "sentence", "cause"), [
    ("Why was the Orton pier closed?", "The pier was closed after divers found rotted pilings under the deck.",
     "after divers found rotted pilings under the deck"),
    ("What caused the mill fire?", "The blaze was caused by a faulty space heater, the fire marshal said.",
     "caused by a faulty space heater"),
    ("Why is Brandt Tools cutting jobs?", "A drop in orders is costing 60 workers their jobs at Brandt Tools.",
     "A drop in orders"),
    ("Why is Brandt Tools cutting jobs?", "Officials said Tuesday, a drop in orders is costing 60 workers their jobs.",
     "a drop in orders"),
    ("What caused the mill fire?", "The cause of the blaze remains under investigation, officials said.",
     "The cause of the blaze remains under investigation"),
])
def test_a_why_question_is_answered_by_the_cause_clause(question: str, sentence: str, cause: str) -> None:
    found = best(question, sentence)
    assert found.kind == "text" and sentence[found.start:found.end] == cause


@pytest.mark.parametrize(("question", "sentence"), [
    ("What caused the mill fire?", "The fire started shortly after 2 a.m. Sunday at the mill."),  # a time
    ("Why is Chief Ada Moss leaving?", "Moss, who is retiring after 31 years, spoke on Friday."),  # a span of time
    ("Why was the Orton pier closed?", "Nearly 300 boats were stranded after the pier closed."),  # an effect of it
])
def test_a_time_or_an_effect_is_no_cause(question: str, sentence: str) -> None:
    assert claims(question, sentence) == []


def test_a_when_questions_verb_ties_its_dates() -> None:
    asked = analyse("When is dredging of the channel expected to begin?")
    assert asked.verb == "begin"
    assert analyse("When will the Orton City Council vote on the pier plan?").focus[0] == ("vote", 1.0)
    assert best("When is dredging of the channel expected to begin?",
                "Dredging will begin in October, the port said.").on_verb
    assert not best("When is dredging of the channel expected to begin?",
                    "The channel plan cleared another hurdle Wednesday.").on_verb


def test_a_source_giving_no_cause_or_another_events_date_is_silent(assistant: Any, tmp_path: Path) -> None:
    assistant.ingest([story(tmp_path, "pier", "Orton pier closure", {
        "a": "The Orton pier was closed on Monday after divers found rotted pilings beneath it. "
             "Repairs on the Orton pier will begin in September, the harbor office said.",
        "b": "The Orton pier was shut because storm waves cracked its deck. "
             "Work to fix the Orton pier is set to begin in September.",
        "c": "Anglers who fish from the Orton pier gathered on Tuesday to ask when it would reopen. "
             "The Orton pier plan cleared a council vote on Wednesday.",
    })])
    why = {Path(s.path or "").name: s.covers for s in assistant.ask("Why was the Orton pier closed?").sources}
    assert why["pier-a.md"] and why["pier-b.md"]
    assert why["pier-c.md"] is False  # about the pier, but it gives no cause
    when = assistant.ask("When will repairs on the Orton pier begin?")
    covers = {Path(s.path or "").name: s.covers for s in when.sources}
    assert covers["pier-a.md"] and covers["pier-b.md"] and not when.disagreement
    assert covers["pier-c.md"] is False  # its dates are of other events


@pytest.mark.parametrize(("question", "sentence", "value"), [
    # a number inside a name counts nothing; a money question wants a sum of money
    ("How much will a bus ride cost?", "Ana Ruiz, who rides the Route 12 bus, will pay $2.50 a ride.", "2.5 USD"),
    ("How much was the road grant worth?", "The form came two weeks late for the $2.3 million grant.",
     "2.3 million USD"),
    # "how deep" is answered by a length, spelled out or not; the sum in the same sentence is no depth
    ("How deep will the channel be dredged?", "The $4 million plan would deepen it to a depth of forty feet.", "40"),
    # "What raise": the number of a raise, not the share of members who voted
    ("What raise is the union seeking?", "About 92 percent of members backed a strike over a 6% raise.",
     "6 percent"),
])
def test_a_number_answers_only_in_the_unit_asked_for(question: str, sentence: str, value: str) -> None:
    assert [f.value for f in claims(question, sentence)][:1] == [value]


def test_where_is_answered_by_a_place_after_a_preposition() -> None:
    question = "Where will Birchwood's students go after it closes?"
    assert all(f.support == 0 for f in claims(question, "ORTON - Birchwood will close, the Orton school board said."))
    stands = best(question, "The brick school on Birch Street has taught children for 70 years.")
    goes = best(question, "Pupils will move to Lakeview Elementary in the fall.")
    assert goes.value == "lakeview elementary"
    assert goes.score > stands.score  # where they go, not where the old school stands


def test_a_date_in_brackets_after_the_subjects_name_dates_the_subject() -> None:
    found = best("When did the Battle of Orne Ford take place?",
                 "The Battle of Orne Ford (March 16, 1818) was fought between two militias.", None)
    assert found.value == "1818-03-16" and found.support >= 0.5
    other = claims("When did the Battle of Orne Ford take place?",
                   "The Treaty of Halvard (June 2, 1820) was signed by both sides.", None)
    assert all(f.support < 0.5 for f in other)  # another thing's date in brackets


def test_a_present_question_is_not_answered_by_a_past_state() -> None:
    question = "Is the Orton pier open?"
    assert claims(question, "The pier was closed in January after storms cracked its deck.") == []
    assert best(question, "The pier remains closed while repairs continue.").value == "no: open"
    assert best(question, "The pier reopened on Monday, the harbor office said.").value == "yes: open"
    assert best("Was the Orton pier closed?", "The pier was closed in January.").value == "yes: close"


def test_a_follow_ups_story_adds_names_not_a_predicate() -> None:
    asked = analyse("When was the deadline? (about: Marlow County road application)")
    assert {"marlow", "counti"} <= asked.subject
    assert dict(asked.focus)["deadlin"] == 1.0 and dict(asked.focus)["road"] < 1.0
    # after "does", the last word is the verb, even past a prepositional phrase
    assert analyse("When does the first ferry of the day leave?").verb == "leav"


def test_the_doer_can_be_the_name_whose_campaign_did_it() -> None:
    found = best("Who requested the recount?", "Challenger Ana Ruiz's campaign had requested the recount on Friday.")
    assert found.agent and "Ana Ruiz" in "Challenger Ana Ruiz's campaign had requested"[found.start:found.end]


def test_a_kind_of_thing_is_answered_by_a_common_noun() -> None:
    def claims(question: str, sentence: str) -> list[tuple[str, str]]:
        asked = analyse(question)
        assert asked.kind == "name" and asked.category
        return [(sentence[f.start:f.end], f.value) for f in find_claims(asked, sentence, 0, len(sentence), None)]

    # the sport of a player, from "a ... player" or the player noun; both games of a two-sport athlete
    assert claims("What sport is Ada Vell associated with?",
                  "Ada Vell (born 1961) is a former college basketball player and professional tennis coach.") == [
        ("basketball", "basketball"), ("tennis", "tennis")]
    lifter = "Ivo Marr is a retired Danish weightlifter who competed twice."
    assert claims("What sport is Ivo Marr known for?", lifter) == [("weightlifter", "weightlifting")]
    # what a person does: the head of the predicate noun phrase, as written
    assert claims("What is Ivo Marr's profession?", "Ivo Marr (born 1940) is an English former footballer who "
                  "played for two clubs.") == [("footballer", "footballer")]
    assert claims("What is the profession of Ada Vell?", "Ada Vell was a member of the Orton council.") == []
    # the medium or genre of a work
    assert claims('What is the medium of "Salt Roads"?', "Salt Roads is a 1981 novel by Ada Vell.") == [
        ("novel", "novel")]
    assert claims('What is the genre of "Salt Roads"?', "Salt Roads is a studio album of jazz standards.") == [
        ("studio album", "studio album"), ("jazz", "jazz")]
    # a party, a style: from their vocabulary, or a party's full name
    assert claims("What political party is Senator Vell a member of?",
                  "Vell was a Republican member of the Orton House.") == [("Republican", "republican")]
    assert claims("What political party does Marr belong to?", "Marr later joined the Orton Liberal Party.")[0] == (
        "Orton Liberal Party", "orton liberal party")
    assert claims("What is the style of the Kesh chapel?", "The chapel is built in the Gothic Revival style.") == [
        ("Gothic Revival", "gothic revival")]
    # not a category question: the names finder answers
    assert analyse("What type of aircraft crashed?").category is None


def test_the_maker_of_a_work_is_the_name_after_by_not_its_label_or_nationality() -> None:
    asked = analyse('Who is the artist of the album "Salt Roads"?')
    sentence = "Salt Roads is the second studio album by American band Kestrel Fold, released by Marrow Records."
    found = find_claims(asked, sentence, 0, len(sentence), None)
    best = max(found, key=lambda f: f.score)
    assert sentence[best.start:best.end] == "Kestrel Fold"
    assert all(sentence[f.start:f.end] not in ("American", "Marrow Records") or f.score < best.score - 0.3
               for f in found)


def test_years_before_1500_and_before_christ_are_dates() -> None:
    asked = analyse("What year was Gaius Orto elected consul?")
    bc = "He was elected consul in the year 148 BC, serving alongside his brother."
    (found,) = find_claims(asked, bc, 0, len(bc), None)
    assert bc[found.start:found.end] == "148 BC" and found.value == "148 BC"
    medieval = "The abbey was founded in 1272 by monks from Kesh."
    assert [f.value for f in find_claims(analyse("When was the abbey founded?"), medieval, 0, len(medieval), None)] \
        == ["1272"]


def test_an_irregular_past_form_says_its_verb() -> None:
    from assistant.claims import base_form
    from assistant.extract import terms

    assert base_form("became") == "become" and base_form("found") == "found"  # "found" may be "to found"
    assert terms("She became mayor") == terms("she become mayor")
    asked = analyse("When did Ada Vell become mayor?")
    sentence = "Ada Vell became mayor of Orton in 1998, after two terms on the council."
    (found,) = find_claims(asked, sentence, 0, len(sentence), None)
    assert found.value == "1998" and found.on_verb


def test_how_strong_a_wind_is_a_speed() -> None:
    asked = analyse("How strong were the storm's winds?")
    assert asked.kind == "number" and stem("mph") in asked.units
    gust = "A gust of 74 mph was recorded at the Orton airport."
    assert [gust[f.start:f.end] for f in find_claims(asked, gust, 0, len(gust), None)] == ["74"]
    quote = "The wind kept building for 40 minutes, one resident said."
    assert find_claims(asked, quote, 0, len(quote), None) == []  # a duration is no wind speed


@pytest.mark.parametrize(("question", "subject"), [
    ("When did Symphony No. 38 premiere?", {"symphoni", "38"}),
    ("When was 302 Squadron formed?", {"302", "squadron"}),
    ("How long is Interstate 235?", {"interstat", "235"}),
    # a number beside a month is a date, not part of a name
    ("What did Orton Mills announce in May 2023?", {"orton", "mill", "may"}),
])
def test_a_number_inside_a_name_is_part_of_the_subject(question: str, subject: set[str]) -> None:
    from assistant.extract import entity_terms

    assert entity_terms(question) == subject
    assert "38" not in entity_terms("When did Symphony No. 38 premiere?", numbers=False)


def test_a_quoted_title_must_appear_as_a_phrase(assistant: Any, tmp_path: Path) -> None:
    folder = _pages(tmp_path / "albums", {
        "tidewell": ("Salt for Sparrows", "Salt for Sparrows is the second studio album by the folk band Tidewell, "
                     "recorded in a chapel outside Cardiff."),
        "marr": ("Salt and Sparrows", "Salt and Sparrows is a studio album by the singer Ines Marr, released on "
                 "her own label after a long tour."),
    })
    assistant.ingest([folder])
    answer = assistant.ask('Who is the artist of the album "Salt for Sparrows"?')
    covers = {Path(s.path or "").name: s.covers for s in answer.sources}
    assert covers["tidewell.md"]
    assert not covers.get("marr.md")  # both words of the title, but not the title
    assert not answer.disagreement


def test_the_role_a_copular_question_asks_for_is_its_predicate() -> None:
    # "Who is the composer of X?": "composed by" near a name answers it, as "composed" would
    assert dict(analyse("Who is the composer of Symphony No. 38?").focus)[stem("composer")] == 1.0
    sentence = "The Symphony No. 38 in D major was composed by Wolfgang Amadeus Mozart in 1786."
    found = best("Who is the composer of Symphony No. 38?", sentence)
    assert sentence[found.start:found.end] == "Wolfgang Amadeus Mozart" and found.support >= 0.25


def test_a_political_ideology_is_a_kind_of_thing() -> None:
    asked = analyse("What is the primary political ideology of the Orton League?")
    assert asked.kind == "name" and asked.category == "ideology"
    sentence = "The Orton League is a far-right nationalist movement founded in 1998."
    assert {sentence[f.start:f.end].lower() for f in claims(asked.text, sentence)} & {"far-right", "nationalist"}
    assert analyse("Where is the Orton mill?").place and analyse("What is the location of Orton Mill?").place


def test_what_the_question_already_says_is_not_its_answer() -> None:
    sentence = "Manic is a 2001 American drama film directed by Jordan Melamed."
    assert [sentence[f.start:f.end] for f in claims('What is the genre of the film "Manic"?', sentence)] == ["drama"]


def test_the_name_after_by_is_the_maker_of_a_work() -> None:
    sentence = "Iconoclast is a neuropsychology book written by Gregory Berns and published in 2008."
    found = best('Who is the creator of "Iconoclast"?', sentence)
    assert sentence[found.start:found.end] == "Gregory Berns" and found.support >= 0.25


def test_a_sentence_stating_the_kind_of_answer_counts_before_the_relevance_floor(assistant: Any,
                                                                                   tmp_path: Path) -> None:
    assistant.ingest([_pages(tmp_path / "sport", {
        "stadium": ("Orrin Field", 'Orrin Field, popularly known as "Orrin", is a football stadium on the campus of '
                    "Lakeview College. It opened in 1950 and seats 15,000."),
        "player": ("Orrin Vale", "Orrin Vale is a retired basketball player who spent nine seasons with the "
                   "Lakeview Herons."),
        "ferry": ("Harbor news", "The harbor ferry resumed service on Monday after repairs to the pier."),
    })])
    question = "What sport is Orrin associated with?"
    assert _covers(assistant, question)["player.md"]  # "a retired basketball player" answers "what sport"
    assert not _covers(assistant, question, claims_first=False)["player.md"]
    assert not _covers(assistant, question).get("ferry.md")


def test_once_a_source_names_the_sport_one_naming_none_is_silent(assistant: Any, tmp_path: Path) -> None:
    assistant.ingest([_pages(tmp_path / "vale", {
        "player": ("Orrin Vale", "Orrin Vale is a retired basketball player who spent nine seasons with the "
                   "Lakeview Herons."),
        "bakery": ("Orrin Vale", "Orrin Vale played eleven games in his final season before he opened a bakery in "
                   "Lakeview, where he still works on weekends."),
    })])
    question = "What sport is Orrin Vale associated with?"
    # "played eleven games" names no sport
    assert _covers(assistant, question) == {"player.md": True, "bakery.md": False}
    assert _covers(assistant, question, category_coverage=False)["bakery.md"]


def _pages(folder: Path, pages: dict[str, tuple[str, str]]) -> Path:
    """One Markdown page per name: (title, text), each from its own outlet."""
    folder.mkdir()
    for name, (title, text) in pages.items():
        (folder / f"{name}.md").write_text(f"---\ntitle: {title}\nsource: Wiki {name}\n---\n\n{text}\n",
                                           encoding="utf-8")
    return folder


def _covers(assistant: Any, question: str, **changes: Any) -> dict[str, bool]:
    """Which sources cover ``question`` under the default method with ``changes``."""
    from dataclasses import replace

    from assistant.method import Method

    answer = assistant.ask(question, method=replace(Method(), **changes))
    return {Path(s.path or "").name: s.covers for s in answer.sources}


def test_a_count_under_the_opposite_verb_is_not_the_count_asked() -> None:
    question = "How many workers will Kessler Manufacturing keep?"
    assert not claims(question, "Kessler Manufacturing is cutting about 80 jobs at its plant.")
    assert best(question, "About 420 employees will remain, a spokeswoman said.").value == "420"
    assert best("How many jobs will Kessler cut?", "Kessler Manufacturing is cutting about 80 jobs.").value == "80"


def test_by_whom_asks_for_the_doer_of_its_verb() -> None:
    sentence = ("Leonard Fisk of Harwick was found by a state police helicopter crew, whose thermal camera "
                "picked up his heat signature, Sheriff Wayne Colby said.")
    found = best("Found by whom?", sentence)
    assert (found.value, found.agent) == ("state police helicopter crew", True)
    assert best("Who found Leonard Fisk?", sentence).value == "state police helicopter crew"


def test_a_word_of_like_meaning_answers_only_about_the_questions_object() -> None:
    question = "Will Marlow County appeal the rejection of its road grant application?"
    assert not claims(question, "Tolan said he would not challenge the result in court.")  # another dispute
    assert best(question, "The county will not challenge the rejection, officials said.").value == "no: appeal"
    assert best(question, "The county will appeal, officials said.").value == "yes: appeal"  # its own verb


def test_an_amount_per_period_needs_its_period() -> None:
    question = "How much money will the fare increase raise each year?"
    assert not claims(question, "A ride will cost $2.50 starting on July 1, after a 50-cent increase.")
    assert best(question, "The agency expects it to bring in about $4 million a year.").value == "4 million USD"
    assert claims("How many visitors does the park get annually?", "The park drew 2.1 million visitors last year.")
    # "a day pass" is a ticket, not a rate; "a year ago" a date
    assert claims("How much does a day pass cost?", "Passes valid for 24 hours cost $5.")
    assert claims("What was the price a year ago?", "Eggs cost $3 then.")


def test_a_rate_is_not_a_count() -> None:
    question = "What is the population of Orton?"
    assert not claims(question, "The population density was 139.8 people per square mile.")
    assert [f.value for f in claims(question, "As of the 2010 census there were 3,292 people living in Orton.")][:1] \
        == ["3292"]
    assert claims("How many people per square mile live in Orton?", "The density was 139.8 people per square mile.")
