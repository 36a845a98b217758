"""LLM mode's claims: structured output from the loopback stub, each claim checked as verbatim."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.events import AskEvents
from assistant.llm_claims import HoldBack, UnreadableClaims, parse_claims
from tests.fakes import Reply, openai_stub


def _llm(tmp_path: Path, embeddings: Any, url: str) -> Assistant:
    settings = Settings(store_dir=tmp_path / "store", openai_api_key="sk-test-123", openai_base_url=url,
                        llm_timeout_s=5, llm_max_retries=0, _env_file=None)  # type: ignore[call-arg]
    return Assistant(settings, embeddings=embeddings)


def _excerpt_with(answer: Any, words: str) -> Any:
    return next(e for s in answer.covering for e in s.excerpts if words in e.quote)


def test_parse_claims_reads_json_inside_text_and_refuses_prose() -> None:
    reply = parse_claims('Here you go:\n```json\n{"claims": [{"excerpt": 2, "text": "7-2", "said_by": null}]}\n```')
    assert reply.claims[0].excerpt == 2 and reply.claims[0].text == "7-2"
    try:
        parse_claims("The sources say Israel was consulted.")
    except UnreadableClaims:
        pass
    else:
        raise AssertionError("prose was accepted as claims")


def test_model_claims_are_verbatim_and_an_invented_one_is_dropped(tmp_path: Path, embeddings: Any,
                                                                   seeds_dir: Path) -> None:
    offline = Assistant(Settings(store_dir=tmp_path / "store", _env_file=None),  # type: ignore[call-arg]
                        embeddings=embeddings, use_llm=False)
    offline.ingest([seeds_dir])
    before = offline.ask("Was Israel consulted?")
    yes = _excerpt_with(before, "Israel was consulted")
    no = _excerpt_with(before, "not been informed")
    claims = {"claims": [
        {"excerpt": yes.n, "text": "Israel was consulted", "said_by": "Leavitt"},
        {"excerpt": no.n, "text": "Israel had not been informed", "said_by": "Arab officials"},
        {"excerpt": yes.n, "text": "Israel approved the talks in writing", "said_by": "Netanyahu"},  # invented
    ]}
    reply = f"Israel was consulted [{yes.n}].\nCLAIMS: {json.dumps(claims)}"
    tokens: list[str] = []
    with openai_stub(Reply(text=reply)) as stub:
        answer = _llm(tmp_path, embeddings, stub.url).ask("Was Israel consulted?",
                                                          events=AskEvents(on_token=tokens.append))
    assert len(stub.requests) == 1
    prompt = stub.requests[0]["body"]["messages"][-1]["content"]
    assert "CLAIMS:" in prompt and "the sources disagree" in prompt  # where the sources stand
    assert "".join(tokens) == f"Israel was consulted [{yes.n}]."  # the JSON never reaches the reader
    shown = [c for s in answer.covering for c in s.claims]
    texts = {c.text for c in shown}
    assert "Israel was consulted" in texts and "Israel had not been informed" in texts
    assert "Israel approved the talks in writing" not in texts
    assert any("Dropped 1 claim" in n for n in answer.notices)
    articles = offline.corpus().get_articles([s.id for s in answer.covering])
    for source in answer.covering:
        for c in source.claims:
            assert articles[source.id].text[c.start:c.end] == c.text
            assert c.excerpt in {e.n for e in source.excerpts}
    by_text = {c.text: c for c in shown}
    assert by_text["Israel was consulted"].said_by == "Leavitt"
    assert by_text["Israel was consulted"].value.startswith("yes")
    assert by_text["Israel had not been informed"].value.startswith("no")
    # the groups conflict, and the reader of the model's one-sided answer is told so
    assert answer.disagreement and answer.disagreement_note and "Arab officials" in answer.disagreement_note
    assert answer.answer == f"Israel was consulted [{yes.n}]."
    assert any("does not say that the sources disagree" in n for n in answer.notices)


def test_unreadable_claims_keep_the_offline_ones(tmp_path: Path, embeddings: Any, seeds_dir: Path) -> None:
    with openai_stub(Reply(text="Israel was consulted, but Arab officials disagree [1].\nCLAIMS: none")) as stub:
        assistant = _llm(tmp_path, embeddings, stub.url)
        assistant.ingest([seeds_dir])
        answer = assistant.ask("Was Israel consulted?")
    assert any("not JSON" in n for n in answer.notices)
    assert answer.answer is not None and "CLAIMS" not in answer.answer
    assert answer.disagreement and any(s.claims for s in answer.covering)
    assert answer.mode == "llm" and not any("does not say" in n for n in answer.notices)


def test_hold_back_never_shows_a_marker_split_across_tokens() -> None:
    shown: list[str] = []
    sink = HoldBack(shown.append)
    for piece in ["The vote was 7-2 [1]. ", "CLA", "IMS", ': {"claims": []}']:
        sink.feed(piece)
    sink.flush()
    assert "".join(shown).rstrip() == "The vote was 7-2 [1]."
    plain: list[str] = []
    other = HoldBack(plain.append)
    for piece in ["Cla", "ims were made [2]."]:
        other.feed(piece)
    other.flush()
    assert "".join(plain) == "Claims were made [2]."
