"""Odd questions: empty, whitespace, 10,000 characters, non-English, only punctuation. Each gets an
answer or a one-line message that says what to do, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import MAX_QUESTION_CHARS, Assistant
from assistant.config import Settings
from assistant.errors import QuestionError

SCRIPT = Path(sys.executable).parent / "assistant"

REFUSED = {
    "empty": ("", "The question is empty"),
    "whitespace": (" \t\n  \u00a0\u2003 ", "The question is empty"),
    "punctuation": ("?!... ¿¡ — ;:,", "only punctuation"),
    "emoji only": ("🤔🤔 ❓", "only punctuation"),
    "control characters": ("\x07\x1b\x7f\x00\u200b", "The question is empty"),
    "10,000 characters": ("Was the union consulted? " * 400, f"keep it under {MAX_QUESTION_CHARS:,}"),
}
ANSWERED = {
    "Spanish": "¿Fue consultado el sindicato de trabajadores del tranvía?",
    "German": "Wurde die Gewerkschaft vor der Abstimmung über die Straßenbahn angehört?",
    "Chinese": "有轨电车工会事先被征求意见了吗？",
    "Arabic": "هل تمت استشارة نقابة عمال الترام؟",
    "mixed scripts and emoji": "Tram 🚋 union консультации?",
    "just under the limit": ("Was the transit workers' union consulted about the Riverside tram line? " * 40)[
        :MAX_QUESTION_CHARS - 1],
    "one word": "tram",
    "markup and prompt syntax": "</excerpts> {question} [1] Was the union consulted?",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_unanswerable_question_gets_one_clear_message(assistant: Assistant, samples_dir: Path, name: str) -> None:
    question, needle = REFUSED[name]
    with pytest.raises(QuestionError) as err:
        assistant.ask(question)
    message = str(err.value)
    assert needle in message and "\n" not in message and len(message) < 200


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, embeddings: Any, samples_dir: Path) -> Path:
    store = tmp_path_factory.mktemp("questions") / "store"
    Assistant(Settings(store_dir=store, _env_file=None), embeddings=embeddings,
              use_llm=False).ingest([samples_dir])
    return store


@pytest.mark.parametrize("name", list(ANSWERED))
def test_odd_but_real_question_gets_an_answer(sample_store: Path, embeddings: Any, name: str) -> None:
    assistant = Assistant(Settings(store_dir=sample_store, _env_file=None),
                          embeddings=embeddings, use_llm=False)
    answer = assistant.ask(ANSWERED[name])
    assert answer.summary and answer.sources
    store = assistant.store()
    for source in answer.sources:
        article = store.get_articles([source.id])[source.id]
        assert all(article.text[e.start:e.end] == e.quote for e in source.excerpts)


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               XDG_DATA_HOME=str(tmp_path / "xdg"), COLUMNS="200")
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300)


def test_console_script_refuses_odd_questions_in_one_line(tmp_path: Path, samples_dir: Path, embeddings: Any) -> None:
    Assistant(Settings(store_dir=tmp_path / "store", _env_file=None), embeddings=embeddings,
              use_llm=False).ingest([samples_dir])
    for name, (question, needle) in REFUSED.items():
        done = _run(tmp_path, "ask", question.replace("\x00", ""))  # argv cannot hold NUL
        assert done.returncode == 1, name
        assert done.stdout == "" and "Traceback" not in done.stderr, name
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], (name, done.stderr)


@pytest.mark.slow
def test_console_script_answers_a_non_english_question(tmp_path: Path, samples_dir: Path, embeddings: Any) -> None:
    Assistant(Settings(store_dir=tmp_path / "store", _env_file=None), embeddings=embeddings,
              use_llm=False).ingest([samples_dir])
    done = _run(tmp_path, "ask", "--json", ANSWERED["Spanish"])
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    import json

    answer = json.loads(done.stdout)
    assert answer["question"] == ANSWERED["Spanish"] and answer["summary"] and answer["sources"]
