"""Showing one stored article in full: ``Assistant.show``, the chat's ``/show N``, the byline in panels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.config import SAMPLES_DIR
from assistant.errors import AssistantError
from assistant.render import answer_text, article_json, source_label
from assistant.schema import SourceAnswer
from tests.helpers import write

SCRIPT = Path(sys.executable).parent / "assistant"
STORY = "The ferry fare rises to five dollars in May, the harbour board said on Tuesday."


def test_show_returns_the_whole_article_and_sources_carry_the_byline(assistant: Assistant, tmp_path: Path) -> None:
    path = write(tmp_path / "in" / "fare.md", f"---\ntitle: Fare rise\noutlet: Wire\nauthor: Kim Lee\n"
                                              f"date: 2025-04-01\n---\n{STORY}")
    assistant.ingest([path])
    answer = assistant.ask("How much will the ferry fare be?")
    source = answer.covering[0]
    assert source.author == "Kim Lee"
    assert "— by Kim Lee —" in source_label(source) and "by Kim Lee" in answer_text(answer)
    assert answer.to_json()["sources"][0]["author"] == "Kim Lee"
    article = assistant.show(source.id)
    assert article_json(article) == {"id": source.id, "title": "Fare rise", "outlet": "Wire", "author": "Kim Lee",
                                     "date": "2025-04-01", "url": None, "path": str(path), "text": STORY}
    with pytest.raises(AssistantError, match="assistant sources"):
        assistant.show("0000000000000000")


def test_a_label_without_byline_is_unchanged() -> None:
    source = SourceAnswer(n=1, id="a", outlet="Wire", title="T", date="2025-01-01", covers=True)
    assert source_label(source) == "Wire — T — 2025-01-01"


@pytest.mark.slow
def test_chat_show_n_prints_source_n_of_the_last_answer(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               ASSISTANT_HISTORY_PATH=str(tmp_path / "history"), COLUMNS="200")
    script = f"/show 1\n/ingest {SAMPLES_DIR}\nWas the union consulted?\n/show 1\n/show 99\n"
    done = subprocess.run([str(SCRIPT), "chat"], input=script, capture_output=True, text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr
    before, after = done.stdout.split("Q: Was the union consulted?")
    assert "Usage: /show N" in before and "none yet: ask a question first" in before
    first = after.split("\n[1] ", 1)[1].split(" — ", 1)[0]  # the outlet of source 1
    shown = after.split("outlet:", 1)[1]
    assert shown.split("\n", 1)[0].strip() == first
    assert "path:" in shown and "Usage: /show N, with N a source number of the last answer (1 to" in shown
