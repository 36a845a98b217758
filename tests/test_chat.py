"""`assistant chat` driven as a person would: the real console script in a pseudo-terminal (pexpect),
typing questions, slash commands, Ctrl-C and Ctrl-D, and reading the screen; plus the pipe mode.

Each chat process loads the embedding model once, so one process plays a whole conversation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

from assistant.config import SAMPLES_DIR
from tests.fakes import Reply, openai_stub

SCRIPT = Path(sys.executable).parent / "assistant"
PROMPT = "»"
STEP_S = 60  # generous for a busy 2-core machine; an idle one answers in a few seconds
ANSWERED = "address this question"  # in every answer's summary line
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]")
BOX = re.compile(r"[─│╭╮╯╰]")
ISRAEL = "Was Israel consulted?"


def screen(raw: str) -> str:
    """What a reader sees, on one line: escapes, panel borders and line wrapping removed."""
    return " ".join(BOX.sub(" ", ANSI.sub("", raw)).split())


def chat_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1",
               ASSISTANT_HISTORY_PATH=str(tmp_path / "history"), TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", **extra)
    return env


@pytest.fixture()
def spawn_chat(tmp_path: Path) -> Iterator[Callable[..., pexpect.spawn]]:
    children: list[pexpect.spawn] = []

    def spawn(**extra: str) -> pexpect.spawn:
        child = pexpect.spawn(str(SCRIPT), ["chat"], env=chat_env(tmp_path, **extra), encoding="utf-8",
                              dimensions=(50, 220), timeout=STEP_S, use_poll=True)
        children.append(child)
        child.expect(PROMPT)
        return child

    yield spawn
    for child in children:
        child.close(force=True)


def turn(child: pexpect.spawn, line: str, until: str = ANSWERED) -> str:
    """Type ``line``, wait for ``until`` and then the next prompt; the screen text in between."""
    child.sendline(line)
    child.expect(until)
    seen = child.before + child.after
    child.expect(PROMPT)
    return screen(seen + child.before)


def quits_with_status(child: pexpect.spawn) -> int | None:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


# -- the conversation, offline -------------------------------------------------------------------------


@pytest.mark.slow
def test_conversation_with_follow_ups_commands_and_memory(
    spawn_chat: Callable[..., pexpect.spawn], seeds_dir: Path, tmp_path: Path
) -> None:
    chat = spawn_chat()
    assert "add articles with /ingest PATH" in screen(chat.before)

    empty = turn(chat, ISRAEL, until="/ingest PATH")
    assert "No articles in the store yet" in empty

    ingested = turn(chat, f"/ingest {seeds_dir}", until="chunks written")
    assert "2 added" in ingested

    first = turn(chat, ISRAEL)
    assert "Israel was consulted" in first
    assert "had not been informed" in first
    assert "000_c3121fcddb85297c.txt" in first and "004_61d6e4a43b1a4c61.txt" in first
    assert "searched:" not in first

    follow_up = turn(chat, "When did that happen?")
    searched = re.search(r"searched: (.*?\))", follow_up)
    assert searched and "Israel" in searched.group(1), follow_up

    listed = turn(chat, "/sources", until="chunks, id")
    assert "2 article(s)" in listed

    as_json = turn(chat, "/json", until='"standalone_question"')
    assert '"question": "When did that happen?"' in as_json

    assert "Conversation forgotten" in turn(chat, "/reset", until="forgotten")
    fresh = turn(chat, "When did that happen?")
    assert "searched:" not in fresh and "Israel consulted" not in fresh

    assert "Unknown command /nope; type /help" in turn(chat, "/nope", until="/help")
    assert "/ingest PATH" in turn(chat, "/help", until="/quit")

    pasted = turn(chat, "\x1b[200~Was Israel\nconsulted?\x1b[201~", until=ANSWERED)  # one bracketed paste
    assert "Israel was consulted" in pasted
    assert "No articles" not in pasted and "error:" not in pasted  # "error:" starts a failed turn's line

    chat.sendcontrol("d")
    assert quits_with_status(chat) == 0
    history = (tmp_path / "history").read_text(encoding="utf-8")
    assert ISRAEL in history and "/reset" in history


# -- Ctrl-C while an LLM answer streams ----------------------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_cancels_a_streaming_llm_answer_and_the_session_goes_on(
    spawn_chat: Callable[..., pexpect.spawn], seeds_dir: Path
) -> None:
    slow = Reply(text="The White House said so [1] " + " ".join(["and"] * 80) + " end.", token_delay_s=0.2)
    with openai_stub(Reply(text="Leavitt said Israel was consulted [1].")) as stub:
        stub.enqueue(slow)
        chat = spawn_chat(OPENAI_API_KEY="test", ASSISTANT_OPENAI_BASE_URL=stub.url)
        turn(chat, f"/ingest {seeds_dir}", until="chunks written")

        chat.sendline(ISRAEL)
        chat.expect("The White House said")  # tokens are arriving
        chat.sendintr()
        chat.expect("cancelled")
        streamed = screen(chat.before)
        chat.expect(PROMPT)
        assert "end." not in streamed and streamed.count("and") < 60

        again = turn(chat, "\x1b[A", until=ANSWERED)  # Up recalls the question; Enter asks it again
        assert "Leavitt said Israel was consulted" in again
        assert "searched:" not in again  # the cancelled turn was not remembered
        assert [r["body"].get("stream") for r in stub.requests] == [True, True]

        chat.send("half typed")
        chat.sendintr()  # on a half-typed line Ctrl-C only clears it
        assert "/ingest PATH" in turn(chat, "/help", until="/quit")  # still there
        chat.sendintr()  # at an empty prompt it quits
        assert quits_with_status(chat) == 0


# -- scripts: stdin is not a terminal ------------------------------------------------------------------


@pytest.mark.slow
def test_piped_questions_get_plain_answers_one_per_line(seeds_dir: Path, tmp_path: Path) -> None:
    script = f"/ingest {seeds_dir}\n{ISRAEL}\n\nWho said that?\n/bogus\n"
    done = subprocess.run([str(SCRIPT), "chat"], input=script, capture_output=True, text=True,
                          env=chat_env(tmp_path), timeout=240)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x1b" not in done.stderr
    assert f"Q: {ISRAEL}" in done.stdout and "Q: Who said that?" in done.stdout
    assert "Israel was consulted" in done.stdout and "had not been informed" in done.stdout
    assert re.search(r"\(searched: Who said that\? \(about: [^)]*Israel", done.stdout), done.stdout
    assert "Unknown command /bogus" in done.stdout
    assert "2 added" in done.stderr


@pytest.mark.slow
def test_a_piped_outlet_question_shows_the_filters_it_applied(tmp_path: Path) -> None:
    script = f"/ingest {SAMPLES_DIR}\nWhat did Metro Wire report about the tram vote?\nWas the union consulted?\n"
    done = subprocess.run([str(SCRIPT), "chat"], input=script, capture_output=True, text=True,
                          env=chat_env(tmp_path), timeout=240)
    assert done.returncode == 0, done.stderr
    named, plain = done.stdout.split("Q: Was the union consulted?")
    assert "\nFilters: outlet: Metro Wire\n" in named
    assert "Filters:" not in plain


def test_a_failing_turn_prints_one_line_and_the_script_goes_on(tmp_path: Path) -> None:
    done = subprocess.run([str(SCRIPT), "chat"], input=f"{ISRAEL}\n/help\n", capture_output=True, text=True,
                          env=chat_env(tmp_path), timeout=120)
    assert done.returncode == 1  # a turn failed
    assert done.stderr.strip().splitlines() == [
        f"error: No articles in the store yet; add some with /ingest PATH (try /ingest {SAMPLES_DIR})."
    ]
    assert "/sources" in done.stdout  # the /help after the failure still ran


def test_the_prompt_does_not_wait_for_torch_or_chroma() -> None:
    code = "import sys, assistant.cli, assistant.chat; print(sorted({'torch', 'chromadb'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
