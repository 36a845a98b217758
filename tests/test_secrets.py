"""Secrets: the OpenAI key and the Slack tokens are ``SecretStr`` and never appear in a repr, a log line,
an error, an answer, or the console script's ``--debug`` output, even when the server echoes the key."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.events import AskEvents
from tests.fakes import Reply, openai_stub

SECRETS = {
    "OPENAI_API_KEY": "sk-test-OPENAI-7c1d9e24b6a8",
    "SLACK_BOT_TOKEN": "xoxb-test-BOT-5f0a3b81c2",
    "SLACK_APP_TOKEN": "xapp-test-APP-94e6d2a7f1",
    "SLACK_SIGNING_SECRET": "test-SIGNING-3b7c0e5a9d",
}
SCRIPT = Path(sys.executable).parent / "assistant"
QUESTION = "Was the transit workers' union consulted?"


def echoing_401() -> Reply:
    """A server that repeats the key it was sent in its error (some proxies do)."""
    body = {"error": {"message": f"Incorrect API key provided: {SECRETS['OPENAI_API_KEY']}", "type": "auth"}}
    return Reply(status=401, raw_body=json.dumps(body))


def auth_header(request: dict[str, Any]) -> str:
    return next(v for k, v in request["headers"].items() if k.lower() == "authorization")


def assert_no_secret(text: str) -> None:
    for name, value in SECRETS.items():
        assert value not in text, f"{name} leaked"
        assert value[-10:] not in text, f"the end of {name} leaked"


@pytest.fixture()
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_settings_hide_every_secret(secret_env: None) -> None:
    settings = Settings(_env_file=None)
    assert isinstance(settings.openai_api_key, SecretStr)
    assert settings.openai_api_key.get_secret_value() == SECRETS["OPENAI_API_KEY"]
    for field in ("slack_bot_token", "slack_app_token", "slack_signing_secret"):
        assert isinstance(getattr(settings, field), SecretStr)
    assert_no_secret(repr(settings) + str(settings) + settings.model_dump_json() + str(settings.model_dump()))


def test_chat_model_repr_hides_the_key(secret_env: None) -> None:
    from assistant.llm import make_chat_model

    model = make_chat_model(Settings(openai_base_url="http://127.0.0.1:9/v1", _env_file=None))
    assert model is not None
    assert_no_secret(repr(model) + str(model) + str(model.model_dump()))


def test_invalid_setting_error_shows_no_secret(secret_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import make_settings

    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT_S", "soon")
    with pytest.raises(AssistantError) as err:
        make_settings()
    assert "ASSISTANT_LLM_TIMEOUT_S" in str(err.value)
    assert_no_secret(str(err.value) + repr(err.value.__cause__))


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_debug_logs_and_llm_errors_never_show_the_key(
    secret_env: None, tmp_path: Path, embeddings: Any, samples_dir: Path, caplog: pytest.LogCaptureFixture,
    stream: bool,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: openai, httpx, httpcore, langchain, ours
    with openai_stub(default=echoing_401()) as stub:
        settings = Settings(store_dir=tmp_path / "store", openai_base_url=stub.url,
                            llm_timeout_s=5, llm_max_retries=1, _env_file=None)
        assistant = Assistant(settings, embeddings=embeddings)
        assistant.ingest([samples_dir])
        answer = assistant.ask(QUESTION, events=AskEvents(on_token=(lambda _: None) if stream else None))
    assert auth_header(stub.requests[0]) == f"Bearer {SECRETS['OPENAI_API_KEY']}", "the key was used"
    assert answer.notices == ["LLM unavailable (bad API key (check OPENAI_API_KEY)); showing the extractive answer."]
    assert any(r.name.startswith(("openai", "httpx", "httpcore")) for r in caplog.records), "debug logs were on"
    assert_no_secret(caplog.text + json.dumps(answer.to_json()))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(SECRETS)
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               XDG_DATA_HOME=str(tmp_path / "xdg"), OPENAI_LOG="debug", COLUMNS="200", **extra)
    return env


@pytest.mark.slow
def test_cli_debug_ask_with_failing_llm_prints_no_secret(
    tmp_path: Path, embeddings: Any, samples_dir: Path,
) -> None:
    Assistant(Settings(store_dir=tmp_path / "store", _env_file=None), embeddings=embeddings,
              use_llm=False).ingest([samples_dir])
    with openai_stub(default=echoing_401()) as stub:
        env = _env(tmp_path, ASSISTANT_OPENAI_BASE_URL=stub.url, ASSISTANT_LLM_TIMEOUT_S="5")
        done = subprocess.run([str(SCRIPT), "--debug", "ask", QUESTION], env=env, capture_output=True, text=True,
                              timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stub.requests and auth_header(stub.requests[0]) == f"Bearer {SECRETS['OPENAI_API_KEY']}"
    assert "LLM unavailable (bad API key (check OPENAI_API_KEY)); showing the extractive answer." in done.stdout
    assert "[1]" in done.stdout, "the extractive answer is shown"
    assert "openai._base_client" in done.stderr or "HTTP Request" in done.stderr, "OPENAI_LOG=debug logged"
    assert_no_secret(done.stdout + done.stderr)


def test_cli_debug_traceback_prints_no_secret(tmp_path: Path) -> None:
    for args in (["--debug", "ask", QUESTION], ["--debug", "sources"]):
        done = subprocess.run([str(SCRIPT), *args], env=_env(tmp_path), capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "Traceback" in done.stderr and "No articles in the store" in done.stderr, "--debug shows the traceback"
        assert_no_secret(done.stdout + done.stderr)
