"""The ``assistant`` console script, run as a user would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "assistant"


def run(*args: str, env_extra: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def test_help_is_fast_and_imports_nothing_heavy(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0 and "ingest" in result.stdout and "ask" in result.stdout
    assert time.monotonic() - started < 5
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; import assistant.cli; "
         "print(sorted(m for m in ('torch', 'chromadb', 'sentence_transformers') if m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"


def test_ingest_then_ask_json_acceptance(tmp_path: Path, seeds_dir: Path) -> None:
    ingest = run("ingest", str(seeds_dir), cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert "2 added" in ingest.stderr
    again = run("ingest", str(seeds_dir), cwd=tmp_path)
    assert "0 added, 0 updated, 2 unchanged" in again.stderr
    result = run("ask", "Was Israel consulted?", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mode"] == "extractive" and data["disagreement"] is True
    covering = [s for s in data["sources"] if s["covers"]]
    assert len(covering) == 2
    quotes = [e["quote"] for s in covering for e in s["excerpts"]]
    assert any("had not been informed" in q for q in quotes)
    for source in covering:
        assert source["date"] == "2025-03-06"
        text = Path(source["path"]).read_text(encoding="utf-8")
        for ex in source["excerpts"]:
            assert ex["quote"] in text  # verbatim in the file the article came from
    sources = run("sources", cwd=tmp_path)
    assert sources.returncode == 0 and "2 article(s)" in sources.stdout


def test_plain_output_when_piped(tmp_path: Path, samples_dir: Path) -> None:
    run("ingest", str(samples_dir), cwd=tmp_path)
    result = run("ask", "Was the transit workers' union consulted?", cwd=tmp_path)
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "Coastal Tribune" in result.stdout and "[1]" in result.stdout
    assert "Searched, but do not address the question" in result.stdout
    assert "Filters:" not in result.stdout  # a question naming no outlet or time applies none


def test_an_outlet_question_shows_its_filters_plain_and_on_a_terminal(tmp_path: Path, samples_dir: Path) -> None:
    import pexpect

    run("ingest", str(samples_dir), cwd=tmp_path)
    question = "What did Metro Wire report about the tram vote?"
    expected = "Filters: outlet: Metro Wire; as of 2026-04-20: later articles ranked down, recent ones up"
    piped = run("ask", question, "--as-of", "2026-04-20", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert [line for line in piped.stdout.splitlines() if line.startswith("Filters:")] == [expected]

    child = pexpect.spawn(str(BIN), ["ask", question, "--as-of", "2026-04-20"], cwd=str(tmp_path),
                          env={**os.environ, "TERM": "xterm"}, encoding="utf-8", dimensions=(40, 300), timeout=180,
                          use_poll=True)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "\x1b[2mFilters: outlet: Metro Wire; as of 2026-04-20" in child.before  # rich, dim


def test_ingest_failure_exits_nonzero_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    result = run("ingest", str(bad), str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 1
    assert "bad.txt: binary file" in result.stderr
    assert "missing: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("ask", "Was Israel consulted?"), "No articles in the store"),
        (("ask", "   "), "question is empty"),
    ],
)
def test_errors_are_one_line_without_traceback(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_setting_is_named(tmp_path: Path) -> None:
    result = run("sources", env_extra={"ASSISTANT_CHUNK_CHARS": "lots"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "ASSISTANT_CHUNK_CHARS" in result.stderr and "Traceback" not in result.stderr


def test_store_flag_overrides_env(tmp_path: Path, samples_dir: Path) -> None:
    other = tmp_path / "other-store"
    result = run("--store", str(other), "ingest", str(samples_dir / "harbor-gazette-tram.md"), cwd=tmp_path)
    assert result.returncode == 0
    assert (other / "chroma.sqlite3").exists()


def test_help_names_each_option_env_var_and_loses_no_words(tmp_path: Path) -> None:
    """Typer shows ``envvar=`` itself; hand-written "[env: ...]" was swallowed as rich markup ("Store directory .")."""
    result = run("--help", cwd=tmp_path, env_extra={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for option, env in (("--store", "ASSISTANT_STORE_DIR"), ("--chroma-host", "ASSISTANT_CHROMA_HOST"),
                        ("--chroma-port", "ASSISTANT_CHROMA_PORT")):
        line = next(line for line in result.stdout.splitlines() if option in line)
        assert f"[env var: {env}]" in line, line
    for command in ("", "ingest", "ask", "sources", "demo", "chat", "slack", "feedback", "eval"):
        text = run(*([command] if command else []), "--help", cwd=tmp_path, env_extra={"COLUMNS": "200"}).stdout
        assert not re.search(r"\w \.(?!\w)", text), f"assistant {command} --help lost words to markup:\n{text}"


def test_the_store_option_reads_its_env_var(tmp_path: Path) -> None:
    result = run("sources", cwd=tmp_path, env_extra={"ASSISTANT_STORE_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == 1 and str(tmp_path / "nowhere") in result.stderr
