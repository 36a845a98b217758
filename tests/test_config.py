"""Settings and prompts: secrets never printed, prompts checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import DEFAULT_PROMPTS_DIR, Settings
from assistant.errors import ConfigError
from assistant.prompts import load_prompts


def test_secrets_never_show_in_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-1")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-2")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-very-secret-1"
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "sk-very-secret-1" not in shown and "xoxb-very-secret-2" not in shown
    assert settings.llm_enabled


def test_env_prefix_and_fallbacks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(tmp_path / "s"))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.store_dir == tmp_path / "s"
    assert settings.openai_base_url == "http://127.0.0.1:11434/v1" and settings.llm_enabled


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSISTANT_STORE_DIR")
    (tmp_path / ".env").write_text("ASSISTANT_MAX_SOURCES=3\n")
    assert Settings().max_sources == 3


def test_shipped_prompts_load() -> None:
    prompts = load_prompts(DEFAULT_PROMPTS_DIR)
    assert "{question}" in prompts.answer and "{excerpts}" in prompts.answer


def test_prompt_missing_a_variable_fails_at_load(tmp_path: Path) -> None:
    for name in ("system.md", "answer.md", "condense.md"):
        (tmp_path / name).write_text((DEFAULT_PROMPTS_DIR / name).read_text())
    (tmp_path / "answer.md").write_text("Question: {question}\nNo excerpts here.")
    with pytest.raises(ConfigError, match=r"answer.md must use \{agreement\}, \{excerpts\}, \{question\}"):
        load_prompts(tmp_path)


def test_env_example_lists_every_setting() -> None:
    text = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    for name in Settings.model_fields:
        assert name.upper() in text, f".env.example lacks {name}; run python docs/gen_env_example.py > .env.example"
