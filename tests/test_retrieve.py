"""Hybrid retrieval: fusion, date and outlet parsing, the keyword index, and what reaches the answer."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.extract import _question_bonus, select_excerpts
from assistant.keyword import KeywordIndex
from assistant.method import DEFAULT_METHOD
from assistant.query import parse_query
from assistant.retrieve import date_factors, group_by_article, rrf
from assistant.schema import Article, Chunk, ChunkHit
from assistant.weights import RetrievalWeights

AS_OF = date(2023, 3, 10)  # a Friday
OUTLETS = ["CNN", "USA Today", "The Week", "Metro Wire"]


# --- fusion ---------------------------------------------------------------------------------------


def test_rrf_rewards_items_ranked_by_both_lists() -> None:
    scores = rrf([["a", "b", "c"], ["d", "b", "e"]], k=60)
    assert scores["b"] == pytest.approx(2 / 62)
    assert scores["a"] == pytest.approx(1 / 61)
    assert max(scores, key=scores.__getitem__) == "b"  # second in both beats first in one
    assert rrf([["x", "x", "y"]], k=1) == {"x": pytest.approx(1 / 2), "y": pytest.approx(1 / 3)}


def test_group_by_article_ranks_articles_by_their_best_chunk() -> None:
    def hit(article: str, i: int, score: float) -> ChunkHit:
        return ChunkHit(chunk=Chunk(id=f"{article}:{i}", article_id=article, text="t", start=0, end=1), score=score)

    grouped = group_by_article([hit("a", 0, 0.5), hit("b", 0, 0.9), hit("a", 1, 0.4), hit("b", 1, 0.2)])
    assert [a for a, _ in grouped] == ["b", "a"]
    assert len(grouped[0][1]) == 2


# --- dates and outlets ------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "start", "end"), [
    ("What happened this week?", "2023-03-04", "2023-03-10"),
    ("What happened last week?", "2023-02-25", "2023-03-03"),
    ("Who resigned last month?", "2023-02-01", "2023-02-28"),
    ("What did the mayor say on March 6?", "2023-03-06", "2023-03-06"),
    ("What happened on December 24?", "2022-12-24", "2022-12-24"),  # the latest one before as_of
    ("What happened on March 6, 2021?", "2021-03-06", "2021-03-06"),
    ("How did prices move in 2022?", "2022-01-01", "2022-12-31"),
    ("Who won the game on Monday?", "2023-03-06", "2023-03-06"),
    ("What was announced yesterday?", "2023-03-09", "2023-03-09"),
    ("Which shows premiered in January?", "2023-01-01", "2023-01-31"),
])
def test_date_phrases_resolve_against_the_reference_date(question: str, start: str, end: str) -> None:
    intent = parse_query(question, AS_OF)
    assert intent.date_range is not None
    assert (intent.date_range.start.isoformat(), intent.date_range.end.isoformat()) == (start, end)
    assert intent.date_range.label.lower() not in intent.search_text.lower()


def test_questions_without_a_date_phrase_get_no_range() -> None:
    for q in ("Was Israel consulted?", "How many people may attend?", "Which 2024 candidates debated?"):
        assert parse_query(q, AS_OF).date_range is None, q


def test_outlet_mentions_become_filters_only_when_asked_what_the_outlet_reported() -> None:
    intent = parse_query("What did CNN report this week about the storm?", AS_OF, OUTLETS)
    assert intent.outlets == ["CNN"]
    assert "CNN" not in intent.search_text and "storm" in intent.search_text
    assert parse_query("According to USA Today, how many died?", AS_OF, OUTLETS).outlets == ["USA Today"]
    assert parse_query("What does Metro Wire say about the bridge?", AS_OF, OUTLETS).outlets == ["Metro Wire"]
    # a bare mention is the topic, not a filter
    assert parse_query("Why did CNN fire its anchor?", AS_OF, OUTLETS).outlets == []
    # "The Week" only as a capitalised name; "Today" inside "USA Today" is not a date
    assert parse_query("What happened in the week of the vote?", AS_OF, OUTLETS).outlets == []
    assert parse_query("According to USA Today, who won?", AS_OF, OUTLETS).date_range is None
    filters = parse_query("What did CNN report this week?", AS_OF, OUTLETS).filters
    assert any("outlet: CNN" in f for f in filters) and any("this week" in f for f in filters)


def test_date_factors_rank_recent_up_later_down_and_leave_undated_alone() -> None:
    weights = RetrievalWeights.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert weights.recency_weight == 0.3  # on by default: it ranks better with a reference date
    no_boost = dataclasses.replace(weights, recency_weight=0.0)
    intent = parse_query("Who won?", AS_OF)
    # without the boost only articles after the reference date move
    assert list(date_factors([20230310, 20220310, 20230320], intent, no_boost)) == pytest.approx([1.0, 1.0, 0.5])
    f = date_factors([20230310, 20230301, 20220310, 20230320, 0], intent, weights)
    assert f[0] > f[1] > f[2] >= 1.0  # same day > 9 days old > a year old
    assert f[3] == pytest.approx(0.5)  # ten days after the reference date
    assert f[4] == 1.0
    week = parse_query("Who won this week?", AS_OF)
    g = date_factors([20230308, 20230220], week, weights)
    assert g[0] > f[1] and g[0] / date_factors([20230308], intent, weights)[0] > 1.0
    assert list(date_factors([20230308], parse_query("Who won?", None), weights)) == [1.0]


# --- with the store and the real model ----------------------------------------------------------------


def _ranked(assistant: Assistant, question: str, as_of: date | None = AS_OF) -> list[str]:
    answer = assistant.ask(question, as_of=as_of)
    assert assistant.last_retrieval is not None
    titles = {s.id: s.title or "" for s in answer.sources}
    return [titles.get(a, a) for a in assistant.last_retrieval.ranked_ids]


def test_hybrid_finds_what_only_keywords_or_only_vectors_find(eval_assistant: Assistant) -> None:
    # no word in common with the article ("lay off 300 workers", "plant"): the vector search finds it
    assert _ranked(eval_assistant, "Which company is cutting hundreds of jobs at a factory?")[0] == \
        "Brightwell Foods to close its Dunmore plant"
    # a rare name: the keyword search finds it
    assert _ranked(eval_assistant, "What did Arvid Soll promise?")[0] == "Green Alliance surges in Norland election"


def test_this_week_ranks_the_recent_article_above_an_older_one(eval_assistant: Assistant) -> None:
    ranked = _ranked(eval_assistant, "Which district of Harbor City was flooded this week?")
    assert ranked.index("Floodwaters reach the Lantern District") < ranked.index("Harbor City flood: a year of repairs")
    answer = eval_assistant.ask("Which district of Harbor City was flooded this week?", as_of=AS_OF)
    assert any("this week" in f for f in answer.filters)
    assert any("as of 2023-03-10" in f for f in answer.filters)


def test_without_a_reference_date_no_article_moves_for_its_date(eval_assistant: Assistant) -> None:
    from assistant.embed import encode
    from assistant.retrieve import Options

    question = "Which district of Harbor City was flooded?"
    answer = eval_assistant.ask(question)
    assert not any("as of" in f or "date:" in f for f in answer.filters)
    embed = lambda text: encode(eval_assistant.embeddings, [text])[0]  # noqa: E731
    retriever = eval_assistant.retriever()
    undated = retriever.search(question, embed, options=Options(dates=False), k=10)
    assert eval_assistant.last_retrieval is not None
    assert eval_assistant.last_retrieval.ranked_ids == undated.ranked_ids
    dated = retriever.search(question, embed, as_of=AS_OF, k=10)
    assert any("as of 2023-03-10" in f for f in dated.filters)


def test_outlet_question_shows_only_that_outlet_and_says_so(eval_assistant: Assistant) -> None:
    answer = eval_assistant.ask("According to Metro Wire, when will the Velmora Bridge reopen?", as_of=AS_OF)
    assert answer.sources and {s.outlet for s in answer.sources} == {"Metro Wire"}
    assert "outlet: Metro Wire" in answer.filters
    assert any("June" in e.quote for e in answer.excerpts)
    unknown = eval_assistant.ask("According to Reuters, when will the Velmora Bridge reopen?")
    assert {s.outlet for s in unknown.sources} >= {"Metro Wire", "Coastal Tribune"}


def test_excerpt_prefers_the_sentence_with_the_asked_for_number_name_or_date(eval_assistant: Assistant) -> None:
    cases = {
        "How many seats did the Green Alliance win in the Norland election?": "42 seats",
        "Who was appointed to lead the Norland central bank?": "Ilse Marten",
        "When will the Kestrel satellite launch?": "May 14",
    }
    for question, expected in cases.items():
        answer = eval_assistant.ask(question, as_of=AS_OF)
        first = answer.covering[0].excerpts[0].quote
        assert expected in first, (question, first)
    # the sentence closest in meaning is about the race; the one with a duration is shown with it
    answer = eval_assistant.ask("How long did the winner of the Harbor City marathon take?", as_of=AS_OF)
    assert any("two hours and eleven minutes" in e.quote for e in answer.covering[0].excerpts)


def test_question_bonus_needs_something_the_question_lacks() -> None:
    q = "How many seats did the Green Alliance win?"
    assert _question_bonus(q, "The Green Alliance won 42 seats on Sunday.") > 0
    assert _question_bonus(q, "The Green Alliance hoped to win seats.") <= 0
    assert _question_bonus("Who leads the bank?", "Ilse Marten leads the bank.") == 0  # first word: not a name test
    assert _question_bonus("Who leads the bank?", "The new governor, Ilse Marten, leads it.") > 0



def test_the_lead_of_a_story_is_preferred_to_the_same_words_further_down() -> None:
    lead = "The Harbor City council voted on Monday to close the ferry pier."
    later = "The Harbor City council voted on Monday to close the old ferry pier."  # one more word of the question
    filler = " ".join(f"Paragraph {i} is about the weather at the coast." for i in range(12))
    text = f"{lead}\n\n{filler}\n\n{later}"
    assert text.index(later) > DEFAULT_METHOD.lead_chars
    article = Article(id="a", text=text, title="Pier")
    hits = [ChunkHit(chunk=Chunk(id="a:0", article_id="a", text=text, start=0, end=len(text)), score=0.6)]

    class NoVectors:
        def get(self, items: list[Any]) -> list[Any]:
            return []

    chosen = select_excerpts("When did the Harbor City council vote to close the old ferry pier?", [0.0],
                             [(article, hits)], NoVectors(), 2, 0.42, dense_budget=0)[0].chosen  # type: ignore[arg-type]
    assert [c.text for c in chosen][:1] == [lead]


def test_the_sentence_embedding_budget_is_per_source_so_another_source_cannot_take_it() -> None:
    def article(aid: str, topic: str) -> tuple[Article, list[ChunkHit]]:
        text = " ".join(f"The {topic} ferry pier closed on day {i} of the council's repair plan." for i in range(6))
        hit = ChunkHit(chunk=Chunk(id=f"{aid}:0", article_id=aid, text=text, start=0, end=len(text)),
                       score=0.5 if aid == "a" else 0.9)
        return Article(id=aid, text=text, title=aid), [hit]

    class Recording:
        def __init__(self) -> None:
            self.embedded: set[tuple[str, int]] = set()

        def get(self, items: list[Any]) -> list[Any]:
            self.embedded |= {(c.article.id, c.start) for c in items}
            return [[0.0, 1.0]] * len(items)

    question = "When did the ferry pier close under the council's repair plan?"
    alone, beside = Recording(), Recording()
    select_excerpts(question, [0.0, 1.0], [article("a", "old")], alone, 2, 0.42,  # type: ignore[arg-type]
                    dense_budget=2)
    select_excerpts(question, [0.0, 1.0], [article("a", "old"), article("b", "new")], beside,  # type: ignore[arg-type]
                    2, 0.42, dense_budget=2)
    mine = {e for e in beside.embedded if e[0] == "a"}
    assert len(alone.embedded) == 2 and mine == alone.embedded


def test_question_bonus_which_asks_for_a_name_weekdays_are_dates_and_questions_do_not_answer() -> None:
    # "which <kind>" asks for a name whatever the kind (not only the listed ones: company, team...)
    q = "Which dancer will host the contest?"
    assert _question_bonus(q, "The contest said Ilse Marten will host.") > 0
    assert _question_bonus(q, "The contest said a dancer will host.") <= 0
    # a plural weekday is a date for "what day"
    assert _question_bonus("On what day do most ferries sail?", "Ferries sail mostly on Mondays, the port said.") > 0
    # a sentence that is itself a question does not answer one, even when it names something new
    asked = "Which new series drew the most complaints to the regulator?"
    echo = "Which new series on Channel Nine drew the most complaints to the regulator?"
    assert _question_bonus(asked, echo) < _question_bonus(asked, echo.rstrip("?") + ".")


@pytest.mark.slow
def test_cli_ask_as_of_prints_filters_as_json(eval_assistant: Assistant, settings: Settings, venv_bin: Path) -> None:
    env: dict[str, Any] = {"ASSISTANT_STORE_DIR": str(settings.store_dir), "ASSISTANT_TORCH_THREADS": "1",
                           "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([str(venv_bin / "assistant"), "ask", "--json", "--as-of", "2023-03-10",
                           "Which district of Harbor City was flooded this week?"],
                          capture_output=True, text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert any("this week" in f for f in data["filters"])
    covering = {s["title"] for s in data["sources"] if s["covers"]}
    assert "Floodwaters reach the Lantern District" in covering
    assert any("Lantern District was flooded" in e["quote"] for s in data["sources"] for e in s["excerpts"])
    bad = subprocess.run([str(venv_bin / "assistant"), "ask", "--as-of", "10/03/2023", "x"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr


def test_a_broken_keyword_index_falls_back_to_vector_search(eval_assistant: Assistant,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(KeywordIndex, "search_articles", broken)
    answer = eval_assistant.ask("When will the Kestrel satellite launch?", as_of=AS_OF)
    assert answer.sources and answer.sources[0].title == "Kestrel satellite launch date set"
    assert any("Keyword search unavailable" in n for n in answer.notices)


def test_up_to_five_keyword_matched_chunks_of_an_article_are_offered_for_excerpts(settings: Settings,
                                                                                 embeddings: Any,
                                                                                 tmp_path: Path) -> None:
    paragraphs = [f"Part {i}: the lighthouse keeper of Gullrock logged {i} storms in the {i}th winter of the survey, "
                  "and the harbor board kept the tally in a ledger by the quay." + " Gulls circled the rocks." * 18
                  for i in range(1, 9)]
    corpus = tmp_path / "long.jsonl"
    corpus.write_text(json.dumps({"id": "long", "title": "Winters at Gullrock", "source": "Coast Post",
                                  "published_at": "2023-03-01", "body": "\n\n".join(paragraphs)}) + "\n")
    settings.retrieval_mode = "keyword"
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    assert assistant.ingest([corpus]).added == 1
    assert assistant.store().count_chunks() >= 8
    retrieval = assistant.retriever().search("How many storms did the lighthouse keeper of Gullrock log?",
                                             lambda text: embeddings.embed_query(text))
    assert len(retrieval.results[0].hits) == 5
    assert len({h.chunk.id for h in retrieval.results[0].hits}) == 5


def test_date_ordinals_match_python_dates_and_refuse_impossible_ones() -> None:
    from datetime import date

    from assistant.retrieve import date_ordinals

    values = [20240229, 20230229, 20251231, 20250100, 20251301, 0, 19700101, 18991231, 20250431, 99991231, 20250306]
    ordinals, valid = date_ordinals(values)
    for value, ordinal, ok in zip(values, ordinals, valid):
        try:
            expected = date(value // 10000, value // 100 % 100, value % 100).toordinal()
        except ValueError:
            assert not ok, value
            continue
        assert ok and ordinal == expected, value


def test_score_fusion_adds_a_little_cosine_to_relative_bm25(eval_assistant: Assistant) -> None:
    """fusion='score': BM25 / best BM25 + dense_weight x the best chunk's cosine (no reference date: no prior)."""
    from assistant.embed import encode
    from assistant.retrieve import Options

    question = "How much will the new stadium cost?"
    s = eval_assistant.settings
    retriever = eval_assistant.retriever()
    embed = lambda text: encode(eval_assistant.embeddings, [text])[0]  # noqa: E731
    got = retriever.search(question, embed, options=Options(fusion="score"))
    kw = eval_assistant.corpus().keyword_search(question, s.keyword_candidates)
    best_kw = max(h.score for h in kw)
    cosines = {a: max(h.score for h in hits) for a, hits in
               group_by_article(eval_assistant.store().query(got.question_vector, s.dense_candidates))}
    assert got.results
    for r in got.results:
        expected = next((h.score for h in kw if h.article_id == r.article.id), 0.0) / best_kw \
            + s.dense_weight * max(cosines.get(r.article.id, 0.0), 0.0)
        assert r.fused == pytest.approx(expected, rel=1e-6)
    assert [r.fused for r in got.results] == sorted((r.fused for r in got.results), reverse=True)
