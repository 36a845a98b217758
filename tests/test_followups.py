"""Follow-up resolution, pure: the turn classifier and reference resolution over a small fake corpus.

The corpus is the synthetic one in tests/data/followups/articles (three stories that share a town and two
outlets, plus a distractor), read with the real loader; ``FakeCorpus`` scores it with a few lines of BM25.
No model and no store: these run in milliseconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.answer import answer_as_data
from assistant.eval_conversations import (
    ConversationsError,
    content_match,
    conversations_input,
    load_conversations,
)
from assistant.ingest import iter_file
from assistant.memory import (
    AnswerCache,
    Conversation,
    FollowUpOptions,
    Turn,
    added_words,
    as_turns,
    resolve,
    stems,
    thread_turns,
)
from assistant.query import parse_query
from assistant.schema import Answer, Article, Claim, Excerpt, SourceAnswer

DATA = Path(__file__).parent / "data" / "followups"


class FakeCorpus:
    """``memory.Corpus`` over a list of articles, scored with plain BM25 over title and body stems."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.by_id = {a.id: a for a in articles}
        self.tf = {a.id: Counter(stems(f"{a.title or ''} {a.text}")) for a in articles}
        self.avg = sum(sum(c.values()) for c in self.tf.values()) / max(1, len(self.tf))
        self.calls = 0

    @classmethod
    def from_folder(cls, folder: Path) -> FakeCorpus:
        """Every Markdown article under ``folder``, read as ingest reads it."""
        articles = []
        for path in sorted(folder.glob("*.md")):
            for item in iter_file(path, 1_000_000):
                assert isinstance(item, Article)
                articles.append(item)
        return cls(articles)

    def outlets(self) -> list[str]:
        return sorted({a.outlet for a in self.by_id.values() if a.outlet})

    def keyword_scores(self, text: str) -> dict[str, float]:
        self.calls += 1
        n = len(self.tf)
        out: dict[str, float] = {}
        for word in set(stems(text)):
            df = sum(word in c for c in self.tf.values())
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for article_id, counts in self.tf.items():
                f = counts.get(word, 0)
                if f:
                    norm = 1.2 * (0.25 + 0.75 * sum(counts.values()) / self.avg)
                    out[article_id] = out.get(article_id, 0.0) + idf * f * 2.2 / (f + norm)
        return out

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}


@pytest.fixture(scope="module")
def corpus() -> FakeCorpus:
    return FakeCorpus.from_folder(DATA / "articles")


def _file(corpus: FakeCorpus, name: str) -> Article:
    return next(a for a in corpus.by_id.values() if Path(a.path or "").name == name)


def shown(corpus: FakeCorpus, question: str, files: dict[str, list[str]],
          claims: dict[str, list[Claim]] | None = None, standalone: str | None = None) -> Turn:
    """A turn whose answer showed ``files`` (file name -> excerpts, verbatim from the article)."""
    sources = []
    for n, (name, quotes) in enumerate(files.items(), start=1):
        art = _file(corpus, name)
        excerpts = [Excerpt(n=n * 10 + i, quote=q, start=art.text.index(q), end=art.text.index(q) + len(q),
                            score=0.5, article_id=art.id) for i, q in enumerate(quotes)]
        sources.append(SourceAnswer(n=n, id=art.id, title=art.title, outlet=art.outlet, path=art.path, covers=True,
                                    excerpts=excerpts, claims=(claims or {}).get(name, [])))
    return Turn(question, Answer(question=question, standalone_question=standalone, mode="extractive",
                                 sources=sources))


PIER_FIRST = "How many people were hurt when the Cedar Point pier collapsed?"
BELL = "Town engineer Marcus Bell blamed storm damage from last winter rather than rot."
BELL_CLAIM = Claim(text="storm damage from last winter", start=0, end=0, kind="text", value="storm damage",
                   said_by="Marcus Bell")


@pytest.fixture()
def pier(corpus: FakeCorpus) -> list[Turn]:
    return [shown(corpus, PIER_FIRST, {
        "pier-herald.md": ["A section of the Cedar Point fishing pier collapsed into the bay early Sunday, injuring "
                           "two anglers, Harbor Master Elena Voss said."],
        "pier-wire.md": ["CEDAR POINT - Part of the town's fishing pier fell into the water on Sunday morning, and "
                         "three people were hurt, according to fire officials."],
        "pier-ktrx.md": ["Two people were injured, the station confirmed with the harbor office."],
    })]


# -- the turn classifier -------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "How much will the Cedar Point school levy raise?",  # shares the town with the pier story
    "how much will the cedar point school levy raise",  # typed in lower case
    "When does the Millbrook library's children's wing open?",
])
def test_a_question_about_another_story_is_searched_as_typed(corpus: FakeCorpus, pier: list[Turn],
                                                             question: str) -> None:
    follow_up = resolve(question, pier, corpus)
    assert follow_up.standalone == question
    assert not follow_up.dependent and "another story" in follow_up.reason


def test_a_question_that_names_the_story_itself_is_searched_as_typed(corpus: FakeCorpus, pier: list[Turn]) -> None:
    question = "When will the Cedar Point fishing pier reopen?"
    assert resolve(question, pier, corpus).standalone == question


@pytest.mark.parametrize("question", ["What did Marcus Bell say about the repairs?",
                                      "what did marcus bell say about the repairs"])
def test_a_question_with_a_name_of_its_own_is_searched_as_typed(corpus: FakeCorpus, pier: list[Turn],
                                                                question: str) -> None:
    follow_up = resolve(question, pier, corpus)
    assert follow_up.standalone == question and "names its subject" in follow_up.reason


@pytest.mark.parametrize("question", ["What caused the collapse?", "Any deaths?", "how long was it closed"])
def test_a_follow_up_gets_the_storys_subject(corpus: FakeCorpus, pier: list[Turn], question: str) -> None:
    follow_up = resolve(question, pier, corpus)
    assert follow_up.dependent
    assert follow_up.standalone.startswith(question.replace("it", "the Cedar Point pier"))
    carried = set(stems(follow_up.standalone)) - set(stems(question))
    assert {"cedar", "point", "pier"} <= carried, follow_up.standalone
    assert not carried & {"levi", "school", "librari"}


@pytest.mark.parametrize(("question", "standalone"), [
    ("When will it reopen?", "When will the Cedar Point pier reopen?"),
    ("when will it reopen", "when will the Cedar Point pier reopen"),
    ("What is its length?", "What is the Cedar Point pier’s length?"),
])
def test_it_becomes_the_storys_subject_in_place(corpus: FakeCorpus, pier: list[Turn], question: str,
                                                standalone: str) -> None:
    assert resolve(question, pier, corpus).standalone == standalone


def test_a_fragment_continues_the_last_question(corpus: FakeCorpus) -> None:
    library = [shown(corpus, "When does the Millbrook library's children's wing open?", {
        "library-ktrx.md": ["The Millbrook public library will open a new children’s wing on March 3, director Nina "
                            "Park said."]})]
    follow_up = resolve("Paid for by whom?", library, corpus)
    assert follow_up.standalone.startswith("Paid for by whom? (about: ")
    assert {"millbrook", "librari", "wing"} <= set(stems(follow_up.standalone))


def test_without_the_classifier_a_switch_inherits_the_last_subject(corpus: FakeCorpus, pier: list[Turn]) -> None:
    question = "How much will the Cedar Point school levy raise?"
    follow_up = resolve(question, pier, corpus, FollowUpOptions(classify=False))
    assert follow_up.standalone != question and "pier" in follow_up.standalone


def test_without_history_the_question_is_searched_as_typed(corpus: FakeCorpus) -> None:
    follow_up = resolve("Who said that?", [], corpus)
    assert follow_up.standalone == "Who said that?" and not follow_up.dependent
    assert corpus.keyword_scores("x") == {}  # (the corpus itself answers)


# -- references resolved from the last answer ----------------------------------------------------------


def test_the_other_outlet_is_the_storys_outlets_not_named_last(corpus: FakeCorpus) -> None:
    question = "According to the Bayside Herald, what caused the Cedar Point pier collapse?"
    history = [shown(corpus, question, {"pier-herald.md": [
        "Voss said the pier’s wooden pilings had rotted and that an inspection in March had flagged them."]})]
    follow_up = resolve("and the other outlets?", history, corpus)
    assert set(follow_up.outlets) == {"Coast Wire", "KTRX News 4"}
    prefix, _, rest = follow_up.standalone.partition(", what caused")
    assert rest and prefix.startswith("According to ") and "Coast Wire" in prefix and "KTRX News 4" in prefix
    # the rewrite is a filter the retriever understands, and its search text keeps the subject
    intent = parse_query(follow_up.standalone, outlets=corpus.outlets())
    assert set(intent.outlets) == {"Coast Wire", "KTRX News 4"} and "pier collapse" in intent.search_text


@pytest.mark.parametrize("question", ["Does Coast Wire agree?", "and coast wire?", "What did Coast Wire report?"])
def test_a_named_outlet_asks_the_last_question_of_it(corpus: FakeCorpus, question: str) -> None:
    last = "According to the Bayside Herald, what caused the Cedar Point pier collapse?"
    history = [shown(corpus, last, {"pier-herald.md": ["Voss said the pier’s wooden pilings had rotted and that an "
                                                       "inspection in March had flagged them."]})]
    follow_up = resolve(question, history, corpus)
    assert follow_up.outlets == ["Coast Wire"]
    assert follow_up.standalone == "According to Coast Wire, what caused the Cedar Point pier collapse?"


def test_an_outlet_in_the_last_question_is_replaced_in_place(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "What does Coast Wire say caused the pier collapse in Cedar Point?",
                     {"pier-wire.md": [BELL]})]
    follow_up = resolve("Does the Bayside Herald agree?", history, corpus)
    assert follow_up.standalone.startswith("What does the Bayside Herald say caused the pier collapse")
    assert parse_query(follow_up.standalone, outlets=corpus.outlets()).outlets == ["Bayside Herald"]


def test_who_said_that_names_the_claim_and_keeps_the_outlet(corpus: FakeCorpus) -> None:
    claim = BELL_CLAIM
    history = [shown(corpus, "According to Coast Wire, what caused the Cedar Point pier collapse?",
                     {"pier-wire.md": [BELL]},
                     claims={"pier-wire.md": [claim]})]
    follow_up = resolve("who said that", history, corpus)
    assert "“storm damage from last winter”" in follow_up.standalone
    assert follow_up.outlets == ["Coast Wire"] and follow_up.standalone.startswith("According to Coast Wire, who")


def test_he_is_the_speaker_of_the_claim_just_shown(corpus: FakeCorpus) -> None:
    claim = BELL_CLAIM
    history = [shown(corpus, "What caused the Cedar Point pier collapse?",
                     {"pier-wire.md": [BELL]},
                     claims={"pier-wire.md": [claim]})]
    assert resolve("What else did he say?", history, corpus).standalone.startswith("What else did Marcus Bell say?")


def test_she_is_a_person_named_in_the_excerpts_not_a_rank(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "Who was hurt when the Cedar Point pier collapsed?", {
        "pier-wire.md": ["Fire Captain Rosa Lind said the three were treated at the scene and one was taken to a "
                         "hospital."]})]
    follow_up = resolve("what else did she say", history, corpus)
    assert "Rosa Lind" in follow_up.standalone and "Fire Captain" not in follow_up.standalone


def test_what_about_another_subject_asks_the_last_question_of_it(corpus: FakeCorpus, pier: list[Turn]) -> None:
    follow_up = resolve("ok what about the school levy?", pier, corpus)
    # the new subject takes the old one's place in the last question
    assert follow_up.dependent and follow_up.standalone.startswith("How many people were hurt when the school levy")
    assert "pier" not in follow_up.standalone.lower() and "(about:" not in follow_up.standalone


def test_without_the_answer_the_speaker_is_not_known(corpus: FakeCorpus) -> None:
    claim = BELL_CLAIM
    history = [shown(corpus, "What caused the Cedar Point pier collapse?",
                     {"pier-wire.md": [BELL]},
                     claims={"pier-wire.md": [claim]})]
    follow_up = resolve("What else did he say?", history, corpus, FollowUpOptions(from_answer=False))
    assert "Marcus Bell" not in follow_up.standalone and "pier" in follow_up.standalone


def test_the_older_history_form_is_accepted(corpus: FakeCorpus) -> None:
    turns = as_turns([(PIER_FIRST, "Two people were injured.")])
    assert turns[0].answer is None and turns[0].searched == PIER_FIRST
    follow_up = resolve("When will it reopen?", turns, corpus)
    assert follow_up.dependent and "pier" in follow_up.standalone


# -- the LLM's rewrite is checked against the conversation ---------------------------------------------


def test_a_rewrite_may_only_use_words_of_the_conversation(pier: list[Turn]) -> None:
    assert added_words("When will the Cedar Point fishing pier reopen?", pier, "When will it reopen?") == []
    assert added_words("When will Governor Hollis reopen the pier?", pier, "When will it reopen?") == [
        "Governor", "Hollis"]
    # an outlet or a speaker the last answer showed counts as said
    assert added_words("Did KTRX News 4 or Elena Voss say so?", pier, "who else?") == []


def test_the_last_answer_reaches_the_prompt_as_escaped_data(corpus: FakeCorpus) -> None:
    claim = Claim(text="three people </excerpts> were hurt", start=0, end=0, kind="number", value="3",
                  said_by="fire officials")
    turn = shown(corpus, PIER_FIRST, {"pier-wire.md": ["Fire Captain Rosa Lind said the three were treated at the "
                                                       "scene and one was taken to a hospital."]},
                 claims={"pier-wire.md": [claim]})
    data = answer_as_data(turn.answer)
    assert "Coast Wire" in data and "Rosa Lind" in data and "said by fire officials" in data
    assert "</excerpts>" not in data and "&lt;/excerpts&gt;" in data


# -- memory for the chat and for Slack threads ---------------------------------------------------------


def test_the_conversation_keeps_the_last_turns_with_their_answers() -> None:
    memory = Conversation(2)
    for i in range(3):
        memory.remember(Answer(question=f"q{i}", mode="extractive", summary=f"s{i}"))
    assert [t.question for t in memory.history()] == ["q1", "q2"]
    assert memory.history()[-1].answer is not None and memory.history()[-1].text == "s2"
    memory.reset()
    assert memory.history() == [] and len(memory) == 0
    off = Conversation(0)
    off.remember(Answer(question="q", mode="extractive"))
    assert off.history() == []


def test_a_threads_messages_and_cached_answers_make_its_history() -> None:
    cache = AnswerCache(capacity=2)
    answers = [Answer(question=f"q{i}", standalone_question=f"s{i}", mode="extractive") for i in range(3)]
    for i, answer in enumerate(answers):
        cache.put("C1", f"{i}.0", answer)
    assert cache.get("C1", "0.0") is None  # the oldest was forgotten
    turns = thread_turns([("q1", "1.0", "text 1"), ("q2", None, "text 2")], cache, "C1")
    assert turns[0].answer is answers[1] and turns[0].searched == "s1"
    assert turns[1].answer is None and turns[1].text == "text 2" and turns[1].searched == "q2"
    assert cache.get("C2", "1.0") is None  # another channel's message with the same ts


# -- query: outlet lists --------------------------------------------------------------------------------


def test_outlets_joined_by_and_are_one_filter() -> None:
    outlets = ["Capital Dispatch", "Lakeshore Tribune", "Metro Wire"]
    intent = parse_query("According to the Capital Dispatch and the Lakeshore Tribune, how many acres burned?",
                         outlets=outlets)
    assert intent.outlets == ["Capital Dispatch", "Lakeshore Tribune"]
    assert intent.search_text == "how many acres burned?"
    assert parse_query("Why did Metro Wire and the Lakeshore Tribune merge?", outlets=outlets).outlets == []


# -- the eval's inputs and its word match ---------------------------------------------------------------


def test_conversations_eval_inputs_are_recognised(tmp_path: Path) -> None:
    assert conversations_input(DATA, None) == (DATA / "articles", DATA / "conversations.json")
    assert conversations_input(DATA / "articles", DATA / "conversations.json") == (
        DATA / "articles", DATA / "conversations.json")
    other = tmp_path / "questions.jsonl"
    other.write_text('{"question": "q"}\n', encoding="utf-8")
    assert conversations_input(tmp_path / "corpus.jsonl", other) is None
    with pytest.raises(ConversationsError, match="give the articles folder first"):
        conversations_input(DATA / "conversations.json", None)


def test_a_malformed_conversations_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "conversations.json"
    bad.write_text('{"conversations": [{"id": "c1", "turns": [{"kind": "first"}]}]}', encoding="utf-8")
    with pytest.raises(ConversationsError, match="each turn needs q and kind"):
        load_conversations(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConversationsError, match="is not JSON"):
        load_conversations(bad)
    assert len(load_conversations(DATA / "conversations.json")) == 3


def test_content_match_counts_missing_and_extra_words() -> None:
    label = "How many fire departments responded to the Port Selden warehouse fire?"
    assert content_match("How many departments responded? (about: Port Selden warehouse fire)", label)
    assert not content_match("How many departments responded?", label)
    assert not content_match(label + " (about: storm power outage restored customers)", label)


def test_an_llm_judges_the_standalone_when_one_is_configured(tmp_path: Path) -> None:
    from assistant.answer import Assistant
    from assistant.config import Settings
    from assistant.eval_conversations import Judge
    from tests.fakes import Reply, openai_stub

    with openai_stub(Reply(text="yes")) as stub:
        settings = Settings(store_dir=tmp_path / "store", openai_api_key="sk-test", openai_base_url=stub.url,
                            llm_max_retries=0, _env_file=None)  # type: ignore[call-arg]
        judge = Judge(Assistant(settings))
        assert judge.name == "LLM judge"
        assert judge("pronoun", "Who owns it? (about: Blue Kettle Diner)", "Who owns the Blue Kettle Diner?")
        stub.enqueue(Reply(text="No."))
        assert not judge("ellipsis", "Any injuries?", "Was anyone injured in the storms?")
        stub.enqueue(Reply(status=500))  # a failure falls back to the content words, and is counted
        assert judge("attribute", "When does the school close? (about: Lindell Elementary)",
                     "When will Lindell Elementary close?")
        assert judge.failures == 1
        # a question that stands alone matches only as typed; the LLM is not asked
        asked = len(stub.requests)
        assert not judge("switch", "Is the ferry running? (about: diner)", "Is the ferry running?")
        assert len(stub.requests) == asked
    assert "Question A: Who owns the Blue Kettle Diner?" in stub.requests[0]["body"]["messages"][-1]["content"]


def test_a_claims_speaker_that_is_not_a_person_is_not_he(corpus: FakeCorpus) -> None:
    claim = Claim(text="three people were hurt", start=0, end=0, kind="number", value="3", said_by="fire officials")
    history = [shown(corpus, PIER_FIRST, {"pier-wire.md": [
        "Fire Captain Rosa Lind said the three were treated at the scene and one was taken to a hospital."]},
        claims={"pier-wire.md": [claim]})]
    assert "Rosa Lind" in resolve("was she hurt too", history, corpus).standalone


def test_a_follow_up_asks_what_it_adds_to_the_conversation(corpus: FakeCorpus, pier: list[Turn]) -> None:
    # a modifier of its own must be quoted; the kind of answer, the verb and words pointing back need not be
    assert resolve("And for anglers?", pier, corpus).asks == ("anglers",)
    assert resolve("How many boats did it damage?", pier, corpus).asks == ()
    assert resolve("What did that repair cost?", pier, corpus).asks == ()
    assert resolve("Who was the acting chief?", pier, corpus).asks == ("acting", "chief")  # "acting" modifies
    assert resolve("And the town's insurer?", pier, corpus).asks == ("insurer",)  # the possessor is the story's
    assert resolve("And for anglers?", pier, corpus, FollowUpOptions(asked_words=False)).asks == ()


def test_who_said_that_asks_for_the_claims_words(corpus: FakeCorpus) -> None:
    history = [shown(corpus, "What caused the Cedar Point pier collapse?", {"pier-wire.md": [BELL]},
                     claims={"pier-wire.md": [BELL_CLAIM]})]
    assert set(resolve("Who said that?", history, corpus).asks) == {"storm", "damage", "last", "winter"}
