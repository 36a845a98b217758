"""LLM mode against a loopback OpenAI-compatible stub, through the real ``ChatOpenAI`` client."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.events import AskEvents
from tests.fakes import Reply, openai_stub


def _llm_assistant(tmp_path: Path, embeddings: Any, url: str, **extra: Any) -> Assistant:
    settings = Settings(store_dir=tmp_path / "store", openai_api_key="sk-test-123", openai_base_url=url,
                        llm_timeout_s=extra.pop("llm_timeout_s", 5), llm_max_retries=extra.pop("llm_max_retries", 0),
                        _env_file=None, **extra)  # type: ignore[call-arg]
    return Assistant(settings, embeddings=embeddings)


@pytest.mark.parametrize("stream", [False, True])
def test_dangling_citation_is_not_shown(tmp_path: Path, embeddings: Any, seeds_dir: Path, stream: bool) -> None:
    with openai_stub(Reply(text="Israel was consulted, the White House said [1]; others deny it [42].")) as stub:
        assistant = _llm_assistant(tmp_path, embeddings, stub.url)
        assistant.ingest([seeds_dir])
        tokens: list[str] = []
        answer = assistant.ask("Was Israel consulted?", events=AskEvents(on_token=tokens.append if stream else None))
    assert answer.mode == "llm"
    assert answer.answer is not None and "[1]" in answer.answer and "[42]" not in answer.answer
    assert any("[42]" in n for n in answer.notices)
    assert stub.requests[0]["body"].get("stream", False) is stream
    if stream:
        assert len(tokens) > 3 and "".join(tokens).startswith("Israel was consulted")
    # the excerpts reach the model as quoted data, numbered as shown
    prompt = stub.requests[0]["body"]["messages"][-1]["content"]
    assert "<excerpts>" in prompt and "[1]" in prompt
    assert len(answer.covering) == 2 and answer.disagreement


def test_llm_failure_falls_back_to_extractive(tmp_path: Path, embeddings: Any, seeds_dir: Path) -> None:
    with openai_stub(Reply(status=500)) as stub:
        assistant = _llm_assistant(tmp_path, embeddings, stub.url)
        assistant.ingest([seeds_dir])
        started = time.monotonic()
        answer = assistant.ask("Was Israel consulted?")
    assert time.monotonic() - started < 10
    assert answer.mode == "extractive" and answer.answer is None
    assert any("LLM unavailable" in n for n in answer.notices)
    assert len(answer.covering) == 2


def test_llm_timeout_is_bounded(tmp_path: Path, embeddings: Any, seeds_dir: Path) -> None:
    with openai_stub(Reply(delay_s=4)) as stub:
        assistant = _llm_assistant(tmp_path, embeddings, stub.url, llm_timeout_s=1)
        assistant.ingest([seeds_dir])
        started = time.monotonic()
        answer = assistant.ask("Was Israel consulted?")
        elapsed = time.monotonic() - started
    assert elapsed < 4
    assert any("timed out" in n for n in answer.notices), answer.notices


def test_no_covering_source_means_no_llm_call(tmp_path: Path, embeddings: Any, samples_dir: Path) -> None:
    with openai_stub(Reply(text="Tungsten boils at 5555 C [1].")) as stub:
        assistant = _llm_assistant(tmp_path, embeddings, stub.url)
        assistant.ingest([samples_dir])
        answer = assistant.ask("What is the boiling point of tungsten?")
    assert stub.requests == []
    assert answer.answer is not None and "5555" not in answer.answer
    assert "None of the ingested articles" in answer.answer
