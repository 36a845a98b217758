"""Follow-ups end to end, on the synthetic stories in tests/data/followups (real MiniLM, real Chroma in tmp_path):
the conversations eval, the LLM's rewrite against the loopback OpenAI-compatible stub, and the chat in a
pseudo-terminal and in pipe mode."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.eval_conversations import run_conversations_eval
from assistant.memory import Conversation
from tests.fakes import Reply, openai_stub
from tests.test_chat import PROMPT, SCRIPT, STEP_S, chat_env, turn

DATA = Path(__file__).parent / "data" / "followups"
ARTICLES = DATA / "articles"
FIRST = "How many people were hurt when the Cedar Point pier collapsed?"
SWITCH = "How much will the Cedar Point school levy raise?"

pytestmark = pytest.mark.slow


@pytest.fixture()
def stories(assistant: Assistant) -> Assistant:
    assistant.ingest([ARTICLES])
    return assistant


# -- the conversations eval ---------------------------------------------------------------------------


def test_conversations_eval_scores_every_turn_kind(stories: Assistant) -> None:
    report = run_conversations_eval(ARTICLES, DATA / "conversations.json", stories.settings, ingest=False,
                                    assistant=stories)
    kinds = report["rows"][0]["kinds"]
    assert set(kinds) == {"first", "pronoun", "other-source", "ellipsis", "switch", "all"}
    # the rewrites find nearly what the labels' own standalone questions find (excerpt selection decides the rest)
    oracle = report["rows"][-1]["kinds"]
    assert kinds["all"]["coverage"] >= oracle["all"]["coverage"] - 0.15, (kinds, oracle)
    assert report["judge"] == "shared content words"
    turns = {(t["conversation"], t["turn"]): t for t in report["turn_results"]}
    switch = turns[("pier", 3)]
    assert switch["searched"] == SWITCH and switch["match"]  # nothing of the pier story carried over
    agree = turns[("pier-cause", 2)]
    assert agree["shown"] and set(agree["shown"]) <= {"pier-wire.md", "levy-wire.md", "gas-prices.md"}
    assert "outlet: Coast Wire" in agree["filters"]
    reopen = turns[("pier", 2)]
    assert reopen["searched"] == "When will the Cedar Point pier reopen?" and reopen["shown"]
    rows = [r["system"] for r in report["rows"]]
    assert rows[0] == "assistant" and rows[-1] == "oracle standalone" and len(rows) == 6
    no_classifier = report["rows"][1]["kinds"]["switch"]
    assert no_classifier["standalone_match"] < kinds["switch"]["standalone_match"]


def test_chat_style_conversations_resolve_lower_case_turns(assistant: Assistant) -> None:
    """tests/data/chat: short lower-case turns without question marks, as people type in a chat."""
    chat = Path(__file__).parent / "data" / "chat"
    assistant.ingest([chat / "articles"])
    report = run_conversations_eval(chat / "articles", chat / "conversations.json", assistant.settings, ingest=False,
                                    assistant=assistant, with_ablations=False)
    turns = {(t["conversation"], t["turn"]): t for t in report["turn_results"]}
    for t in turns.values():
        if t["kind"] == "switch":  # a lower-case question about another story keeps nothing of the last one
            assert t["searched"] == t["question"] and t["match"], t
    other = turns[("warehouse-cause", 3)]  # "and the other paper"
    assert other["filters"] == ["outlet: Prairie Post"] and other["shown"] == ["warehouse-post.md"]
    dallas = turns[("fire-then-fire", 2)]  # "ok what about the fire in dallas"
    assert dallas["searched"] == "how many were hurt in the fire in dallas?"
    assert {"dallas-post.md", "dallas-kdlx.md"} <= set(dallas["shown"])
    assert turns[("dallas-then-toll", 4)]["searched"] == "when is the Fort Mabry bridge toll going up?"
    assert report["rows"][0]["kinds"]["all"]["standalone_match"] >= 0.75


def test_eval_command_reads_a_folder_holding_both(tmp_path: Path) -> None:
    done = subprocess.run([str(SCRIPT), "--store", str(tmp_path / "store"), "eval", str(DATA), "--no-ablations",
                           "--limit", "1"], capture_output=True, text=True, env=chat_env(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| turn kind | turns | coverage | precision | quoted | quoted~ | standalone match |" in done.stdout
    assert "| switch | 1 |" in done.stdout and "oracle standalone" in done.stdout
    wrong = subprocess.run([str(SCRIPT), "--store", str(tmp_path / "store"), "eval", str(DATA / "conversations.json")],
                           capture_output=True, text=True, env=chat_env(tmp_path), timeout=120)
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        f"error: {DATA / 'conversations.json'} is a conversations file; give the articles folder first: "
        f"assistant eval ARTICLES_DIR {DATA / 'conversations.json'}"]


# -- LLM mode: the rewrite, and its check -------------------------------------------------------------


def _llm(tmp_path: Path, embeddings: Any, url: str) -> Assistant:
    settings = Settings(store_dir=tmp_path / "store", openai_api_key="sk-test", openai_base_url=url, llm_timeout_s=5,
                        llm_max_retries=0, _env_file=None)  # type: ignore[call-arg]
    assistant = Assistant(settings, embeddings=embeddings)
    assistant.ingest([ARTICLES])
    return assistant


def _condense_prompts(stub: Any) -> list[str]:
    prompts = [r["body"]["messages"][-1]["content"] for r in stub.requests]
    return [p for p in prompts if p.startswith("Rewrite the user's last message")]


def test_the_llm_rewrites_a_follow_up_from_the_last_answer(tmp_path: Path, embeddings: Any) -> None:
    with openai_stub(Reply(text="They say so [1].")) as stub:
        assistant = _llm(tmp_path, embeddings, stub.url)
        memory = Conversation(6)
        memory.remember(assistant.ask(FIRST))
        stub.enqueue(Reply(text="When will the Cedar Point fishing pier reopen?"), Reply(text="In July [1]."))
        answer = assistant.ask("When will it reopen?", history=memory.history())
    assert answer.standalone_question == "When will the Cedar Point fishing pier reopen?"
    assert not any("rewrite" in n for n in answer.notices)
    [prompt] = _condense_prompts(stub)
    # the last answer's sources and excerpts reach the model as data
    assert "<excerpts>" in prompt and "Coast Wire" in prompt and "three people were hurt" in prompt
    assert f"User: {FIRST}" in prompt and "Last message: When will it reopen?" in prompt


def test_a_rewrite_that_invents_a_name_is_not_searched(tmp_path: Path, embeddings: Any) -> None:
    with openai_stub(Reply(text="They say so [1].")) as stub:
        assistant = _llm(tmp_path, embeddings, stub.url)
        memory = Conversation(6)
        memory.remember(assistant.ask(FIRST))
        stub.enqueue(Reply(text="When will Governor Hollis reopen the Cedar Point pier?"), Reply(text="In July [1]."))
        answer = assistant.ask("When will it reopen?", history=memory.history())
    assert answer.standalone_question and "Hollis" not in answer.standalone_question
    assert answer.standalone_question == "When will the Cedar Point pier reopen?"  # the offline rewrite
    assert any("Governor, Hollis" in n and "offline rewrite" in n for n in answer.notices), answer.notices


def test_an_llm_failure_falls_back_to_the_offline_rewrite(tmp_path: Path, embeddings: Any) -> None:
    with openai_stub(Reply(text="They say so [1].")) as stub:
        assistant = _llm(tmp_path, embeddings, stub.url)
        memory = Conversation(6)
        memory.remember(assistant.ask(FIRST))
        stub.enqueue(Reply(status=500), Reply(text="In July [1]."))
        answer = assistant.ask("When will it reopen?", history=memory.history())
    assert answer.standalone_question and "pier" in answer.standalone_question
    assert any("could not rewrite the follow-up" in n for n in answer.notices), answer.notices


def test_a_question_that_stands_alone_is_not_sent_for_rewriting(tmp_path: Path, embeddings: Any) -> None:
    with openai_stub(Reply(text="They say so [1].")) as stub:
        assistant = _llm(tmp_path, embeddings, stub.url)
        memory = Conversation(6)
        memory.remember(assistant.ask(FIRST))
        answer = assistant.ask(SWITCH, history=memory.history())
    assert answer.standalone_question is None
    assert _condense_prompts(stub) == []  # only the answers (and their claims) were asked for


# -- the chat ------------------------------------------------------------------------------------------


@pytest.fixture()
def chat(tmp_path: Path) -> Iterator[pexpect.spawn]:
    # poll, not select: a long test session can hold file descriptors past select's limit of 1024
    child = pexpect.spawn(str(SCRIPT), ["chat"], env=chat_env(tmp_path), encoding="utf-8", dimensions=(50, 220),
                          timeout=STEP_S, use_poll=True)
    child.expect(PROMPT)
    yield child
    child.close(force=True)


def test_chat_follow_up_then_switch_in_a_terminal(chat: pexpect.spawn) -> None:
    assert "chunks written" in turn(chat, f"/ingest {ARTICLES}", until="chunks written")
    first = turn(chat, FIRST)
    assert "three people were hurt" in first and "searched:" not in first

    follow_up = turn(chat, "When will it reopen?")
    assert "searched: When will the Cedar Point pier reopen?" in follow_up, follow_up

    scoped = turn(chat, "Does Coast Wire agree?")
    assert "searched: According to Coast Wire, " in scoped and "[outlet: Coast Wire]" in scoped
    assert "Filters: outlet: Coast Wire" in scoped

    switched = turn(chat, SWITCH)
    assert "searched:" not in switched and "$12 million" in switched
    as_json = turn(chat, "/json", until='"standalone_question"')
    assert '"standalone_question": null' in as_json

    chat.sendcontrol("d")
    chat.expect(pexpect.EOF)


def test_piped_follow_ups_show_what_was_searched(tmp_path: Path) -> None:
    script = f"/ingest {ARTICLES}\n{FIRST}\nwho said that\n/reset\nwho said that\n{SWITCH}\n/json\n"
    done = subprocess.run([str(SCRIPT), "chat"], input=script, capture_output=True, text=True,
                          env=chat_env(tmp_path), timeout=240)
    assert done.returncode == 0, done.stderr
    parts = done.stdout.split("Q: ")
    follow_up = next(p for p in parts if p.startswith("who said that"))
    assert "(searched: who said that (about: " in follow_up and f"{FIRST[:-1]})" in follow_up
    after_reset = [p for p in parts if p.startswith("who said that")][1]
    assert "(searched:" not in after_reset
    switched = next(p for p in parts if p.startswith(SWITCH))
    assert "(searched:" not in switched
    last_json = json.loads(switched[switched.index("{"):])
    assert last_json["question"] == SWITCH and last_json["standalone_question"] is None
