"""LLM faults: every way the model server can fail ends, in bounded time, in the extractive answer + one notice.

The real ``ChatOpenAI`` client talks to a loopback OpenAI-compatible stub (tests/fakes.py) that times out,
rate-limits, fails, answers garbage, or is not there at all. Requests are retried at most
``ASSISTANT_LLM_MAX_RETRIES`` times and the wall time stays under timeout * (retries + 1) plus slack.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.events import AskEvents
from tests.fakes import Reply, StubOpenAI, openai_stub

QUESTION = "Was the transit workers' union consulted?"
TIMEOUT_S = 1.0
RETRIES = 1
# The client waits up to 0.5 s before its retry (or the Retry-After, capped at the timeout); the rest
# of the slack is retrieval and excerpt selection on a busy 2-core machine.
SLACK_S = 0.5 + TIMEOUT_S + 4.0


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, embeddings: Any, samples_dir: Path) -> Path:
    """A store with the bundled sample articles, ingested once for the module."""
    store = tmp_path_factory.mktemp("llm-faults") / "store"
    settings = Settings(store_dir=store, _env_file=None)
    Assistant(settings, embeddings=embeddings, use_llm=False).ingest([samples_dir])
    return store


def llm_assistant(store: Path, embeddings: Any, url: str) -> Assistant:
    settings = Settings(store_dir=store, openai_api_key="sk-test-faults", openai_base_url=url,
                        llm_timeout_s=TIMEOUT_S, llm_max_retries=RETRIES, _env_file=None)
    return Assistant(settings, embeddings=embeddings)


@pytest.fixture()
def offline_answer(sample_store: Path, embeddings: Any) -> Callable[[], tuple[Any, float]]:
    """The extractive answer to QUESTION and how long it took (the baseline of the wall-time bounds)."""
    def run() -> tuple[Any, float]:
        settings = Settings(store_dir=sample_store, _env_file=None)
        assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
        started = time.monotonic()
        answer = assistant.ask(QUESTION)
        return answer, time.monotonic() - started
    return run


@pytest.fixture()
def closed_port_url() -> Iterator[str]:
    """A loopback URL where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    yield f"http://127.0.0.1:{port}/v1"


def ask_timed(assistant: Assistant, stream: bool) -> tuple[Any, float, list[str]]:
    tokens: list[str] = []
    started = time.monotonic()
    answer = assistant.ask(QUESTION, events=AskEvents(on_token=tokens.append if stream else None))
    return answer, time.monotonic() - started, tokens


def assert_extractive_fallback(answer: Any, offline: Any, needle: str) -> None:
    assert answer.mode == "extractive" and answer.answer is None
    assert [(s.id, [e.quote for e in s.excerpts]) for s in answer.sources] == [
        (s.id, [e.quote for e in s.excerpts]) for s in offline.sources], "the same excerpts as offline"
    assert answer.covering
    assert len(answer.notices) == 1, answer.notices
    notice = answer.notices[0]
    assert "\n" not in notice and needle in notice and "showing the extractive answer" in notice, notice


FAULTS = {
    # name: (reply, words in the notice, most requests the client may make)
    "timeout": (Reply(delay_s=TIMEOUT_S * 3), "timed out", RETRIES + 1),
    "429 Retry-After 30": (Reply(status=429, headers={"Retry-After": "30"}), "rate limited", RETRIES + 1),
    "500": (Reply(status=500), "HTTP 500", RETRIES + 1),
    "malformed JSON": (Reply(raw_body='{"choices": [{"message": '), "malformed reply", RETRIES + 1),
    "401 invalid key": (Reply(status=401), "bad API key", 1),
}


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_llm_fault_gives_extractive_answer_with_one_notice_in_bounded_time(
    fault: str, stream: bool, sample_store: Path, embeddings: Any, offline_answer: Callable[[], tuple[Any, float]],
) -> None:
    reply, needle, most_requests = FAULTS[fault]
    offline, baseline_s = offline_answer()
    with openai_stub(default=reply) as stub:
        answer, elapsed, tokens = ask_timed(llm_assistant(sample_store, embeddings, stub.url), stream)
    assert_extractive_fallback(answer, offline, needle)
    assert 1 <= len(stub.requests) <= most_requests
    assert tokens == []
    assert elapsed < baseline_s + TIMEOUT_S * (RETRIES + 1) + SLACK_S, f"{fault}: {elapsed:.1f}s"


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_connection_refused_gives_extractive_answer_quickly(
    stream: bool, sample_store: Path, embeddings: Any, closed_port_url: str,
    offline_answer: Callable[[], tuple[Any, float]],
) -> None:
    offline, baseline_s = offline_answer()
    answer, elapsed, _ = ask_timed(llm_assistant(sample_store, embeddings, closed_port_url), stream)
    assert_extractive_fallback(answer, offline, "connection failed")
    assert elapsed < baseline_s + TIMEOUT_S * (RETRIES + 1) + SLACK_S


def test_retry_after_is_capped_and_the_retry_succeeds(
    sample_store: Path, embeddings: Any, offline_answer: Callable[[], tuple[Any, float]],
) -> None:
    _, baseline_s = offline_answer()
    with openai_stub() as stub:
        reply = "The union was consulted, the mayor said [1]; others disagree."  # says both sides: no notice
        stub.enqueue(Reply(status=429, headers={"Retry-After": "45"}), Reply(text=reply))
        answer, elapsed, _ = ask_timed(llm_assistant(sample_store, embeddings, stub.url), stream=False)
    assert len(stub.requests) == 2
    assert answer.mode == "llm" and answer.answer == reply and answer.notices == []
    assert elapsed < baseline_s + TIMEOUT_S + SLACK_S, "waited for the server's 45 s instead of the cap"


def test_stream_that_trickles_forever_is_cut_at_the_total_budget(
    sample_store: Path, embeddings: Any, offline_answer: Callable[[], tuple[Any, float]],
) -> None:
    """Each token arrives within the timeout, but the reply as a whole would take 20 s."""
    offline, baseline_s = offline_answer()
    slow = Reply(text=" ".join(["word"] * 50), token_delay_s=0.4)
    with openai_stub(default=slow) as stub:
        answer, elapsed, tokens = ask_timed(llm_assistant(sample_store, embeddings, stub.url), stream=True)
    assert 0 < len(tokens) < 50
    assert_extractive_fallback(answer, offline, "timed out")
    assert len(stub.requests) == 1
    assert elapsed < baseline_s + TIMEOUT_S * (RETRIES + 1) + SLACK_S


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_empty_reply_gives_extractive_answer_with_a_notice(
    stream: bool, sample_store: Path, embeddings: Any, offline_answer: Callable[[], tuple[Any, float]],
) -> None:
    offline, _ = offline_answer()
    with openai_stub(default=Reply(text="")) as stub:
        answer, _, _ = ask_timed(llm_assistant(sample_store, embeddings, stub.url), stream)
    assert len(stub.requests) == 1
    assert answer.mode == "extractive" and answer.answer is None
    assert answer.notices == ["The LLM returned an empty answer; showing the extractive answer."]
    assert [s.id for s in answer.sources] == [s.id for s in offline.sources]


def test_stub_counts_requests(sample_store: Path, embeddings: Any) -> None:
    """Sanity check of the harness: a healthy stub is asked once and its answer is used."""
    with openai_stub() as stub:
        answer, _, _ = ask_timed(llm_assistant(sample_store, embeddings, stub.url), stream=False)
    assert isinstance(stub, StubOpenAI) and len(stub.requests) == 1
    assert answer.mode == "llm" and answer.answer == "The sources say so [1]."
