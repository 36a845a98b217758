"""Follow-ups typed as chat: lower case, no question mark, one word, "and ...", "ok what about ...".

The corpus is the synthetic one in tests/data/chat/articles (two fires in two towns, a bridge toll in one of
them, a distractor), scored by the small BM25 ``FakeCorpus``; no model and no store.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.memory import Turn, resolve, stems
from assistant.schema import Claim
from tests.test_followups import FakeCorpus, shown

DATA = Path(__file__).parent / "data" / "chat"
TOLL = "The toll on the Fort Mabry river bridge will rise from $2 to $3 on July 1, the bridge authority voted Monday."
NUNEZ = ("The lone vote against came from member Carla Nunez, who said the increase would hurt shift workers who "
         "cross twice a day.")
SUSPICIOUS = "Fire investigator Paul Okafor said investigators were treating the fire as suspicious."
HURT = ["FORT MABRY - Two firefighters were hurt Tuesday while fighting a fire that gutted the Delgado Freight "
        "warehouse near the port."]


@pytest.fixture(scope="module")
def corpus() -> FakeCorpus:
    return FakeCorpus.from_folder(DATA / "articles")


def _warehouse_hurt(corpus: FakeCorpus) -> list[Turn]:
    return [shown(corpus, "how many were hurt in the fort mabry warehouse fire", {"warehouse-wire.md": HURT})]


@pytest.mark.parametrize(("last", "question", "standalone"), [
    ("is the fort mabry bridge toll going up", "when", "when is the Fort Mabry bridge toll going up?"),
    ("why will the fort mabry bridge toll rise", "when", "when will the Fort Mabry bridge toll rise?"),
    ("why will the fort mabry bridge toll rise", "since when", "since when will the Fort Mabry bridge toll rise?"),
    ("how much will the fort mabry bridge toll be", "and for commuters",
     "how much will the Fort Mabry bridge toll be for commuters?"),
])
def test_a_fragment_is_joined_to_the_last_question(corpus: FakeCorpus, last: str, question: str,
                                                    standalone: str) -> None:
    follow_up = resolve(question, [shown(corpus, last, {"toll-post.md": [TOLL]})], corpus)
    assert follow_up.dependent
    assert follow_up.standalone == standalone


def test_a_question_word_after_the_verb_keeps_the_last_question_beside_it(corpus: FakeCorpus) -> None:
    follow_up = resolve("raised how", [shown(corpus, "when will the fort mabry bridge toll be raised",
                                             {"toll-post.md": [TOLL]})], corpus)
    assert follow_up.standalone.startswith("raised how (about: when will the Fort Mabry bridge toll be raised")


def test_a_fragment_with_a_verb_of_its_own_asks_the_story_not_the_last_question(corpus: FakeCorpus) -> None:
    # "raised how?" after "how much will it be?" asks how the toll was raised: what it will be is not asked
    follow_up = resolve("raised how", [shown(corpus, "how much will the fort mabry bridge toll be",
                                             {"toll-post.md": [TOLL]})], corpus)
    assert follow_up.dependent
    assert follow_up.standalone == "raised how (about: Fort Mabry bridge toll)"
    found = resolve("found by whom", _warehouse_hurt(corpus), corpus)
    assert "hurt" not in found.standalone and "warehouse" in found.standalone.lower()


def test_after_a_who_question_a_fragment_asks_about_the_person_who_answered(corpus: FakeCorpus) -> None:
    claim = Claim(text="Carla Nunez", start=0, end=0, kind="name", value="carla nunez")
    history = [shown(corpus, "who voted against the fort mabry bridge toll", {"toll-wire.md": [NUNEZ]},
                     claims={"toll-wire.md": [claim]})]
    follow_up = resolve("for what reason", history, corpus)
    assert "(about: Carla Nunez voted against the Fort Mabry bridge toll)" in follow_up.standalone
    she = resolve("what reason did she give", history, corpus)
    assert she.standalone.startswith("what reason did Carla Nunez give (about: voted against")


def test_who_said_that_in_lower_case_names_the_claim_and_keeps_the_outlet(corpus: FakeCorpus) -> None:
    claim = Claim(text="treating the fire as suspicious", start=0, end=0, kind="text", value="suspicious",
                  said_by="Paul Okafor")
    history = [shown(corpus, "according to gulf wire what caused the fort mabry warehouse fire",
                     {"warehouse-wire.md": [SUSPICIOUS]}, claims={"warehouse-wire.md": [claim]})]
    follow_up = resolve("who said that", history, corpus)
    assert follow_up.outlets == ["Gulf Wire"]
    assert follow_up.standalone.startswith("According to Gulf Wire, who said that (about: “treating the fire")
    other = resolve("and the other paper", history, corpus)
    assert other.outlets == ["Prairie Post"]
    # the headline's spelling: the body writes the town only in its upper-case dateline
    assert other.standalone == "according to the Prairie Post what caused the Fort Mabry warehouse fire"


def test_ok_what_about_another_fire_asks_the_last_question_of_it(corpus: FakeCorpus) -> None:
    follow_up = resolve("ok what about the fire in dallas", _warehouse_hurt(corpus), corpus)
    assert follow_up.dependent
    assert follow_up.standalone == "how many were hurt in the fire in dallas?"


@pytest.mark.parametrize("question", ["is the fort mabry bridge toll going up",  # shares the town
                                      "how many people were hurt in the dallas apartment fire"])  # shares "fire"
def test_a_lower_case_switch_is_searched_as_typed(corpus: FakeCorpus, question: str) -> None:
    follow_up = resolve(question, _warehouse_hurt(corpus), corpus)
    assert not follow_up.dependent and follow_up.standalone == question


def test_it_in_lower_case_is_the_subject_as_the_story_spells_it(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "how much will the toll on the fort mabry bridge be", {"toll-post.md": [TOLL]})]
    follow_up = resolve("who voted against it", history, corpus)
    assert follow_up.standalone == "who voted against the toll on the Fort Mabry bridge"


def test_it_after_what_about_is_the_new_subject_with_its_small_words(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "how many were hurt in the fire in dallas?", {"dallas-post.md": [
        "DALLAS - A fire tore through the Linden Court apartment building in east Dallas late Friday, injuring "
        "four residents, Dallas Fire-Rescue said."]})]
    assert resolve("what caused it", history, corpus).standalone == "what caused the fire in Dallas"


def test_a_subject_left_out_is_the_story_not_the_last_questions_verb(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "how many people were hurt in the dallas apartment fire", {"dallas-post.md": [
        "DALLAS - A fire tore through the Linden Court apartment building in east Dallas late Friday, injuring "
        "four residents, Dallas Fire-Rescue said."]})]
    follow_up = resolve("how many were displaced", history, corpus)
    carried = set(stems(follow_up.standalone)) - set(stems("how many were displaced"))
    assert {"dalla", "apart", "fire"} <= carried, follow_up.standalone
    assert "hurt" not in follow_up.standalone and "warehouse" not in follow_up.standalone
