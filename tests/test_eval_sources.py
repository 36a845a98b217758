"""``assistant eval`` on labelled per-source sets: our own synthetic articles, real model, real store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from assistant.answer import Assistant
from assistant.cli import app
from assistant.config import Settings
from assistant.eval_sources import format_sources_table, is_ramdocs, run_sources_eval

DATA = Path(__file__).parent / "data" / "sources"


def _rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["system"]: r for r in report["rows"]}


def test_folder_eval_scores_coverage_silence_quotes_and_flags(assistant: Assistant, settings: Settings) -> None:
    report = run_sources_eval(DATA, settings, assistant=assistant)
    assert report["format"] == "folder" and report["questions"] == 4
    per = {q["id"]: q for q in report["per_question"]}
    assert per["s1"]["flag"] and per["s4"]["flag"]  # running vs suspended; September vs January
    assert not per["s2"]["flag"]  # "about 1,200" and "roughly 1,250" are within their precision
    assert not per["s3"]["flag"]  # "seven to two" is "7-2"
    assert all(q["coverage"] == 1.0 and q["answer_quoted"] == 1.0 for q in per.values())
    assert per["s2"]["silent_listed"] == 1.0  # the commuters' story gives no number
    rows = _rows(report)
    assert {"assistant", "negation rule (before claims)", "assistant -claim coverage"} <= set(rows)
    assert rows["assistant"]["accuracy"] == 1.0
    assert rows["negation rule (before claims)"]["accuracy"] < 1.0
    assert rows["assistant"]["per_kind"]["paraphrase"] == 1.0
    table = format_sources_table(report)
    assert table.splitlines()[0].startswith("| system | coverage | silent listed | shown precision | answer quoted |")
    assert "flag right per kind:" in table


def test_ramdocs_eval_puts_every_passage_in_one_store(assistant: Assistant, settings: Settings) -> None:
    path = DATA / "ramdocs-mini.jsonl"
    assert is_ramdocs(path) and not is_ramdocs(DATA / "questions.json")
    report = run_sources_eval(path, settings, assistant=assistant, with_ablations=False)
    assert report["format"] == "ramdocs" and report["questions"] == 2
    per = {q["id"]: q for q in report["per_question"]}
    assert per["q000"]["flag"] and not per["q001"]["flag"]  # 1904 against 1888; a control
    assert per["q000"]["noise_shown"] == 0.0  # the Brask County courthouse is another building
    assert per["q000"]["claim_accuracy"] == 1.0
    assert _rows(report)["assistant"]["no_false_flag"] == 1.0
    assert assistant.store().count_articles() == 7


def test_eval_command_reads_a_labelled_folder(tmp_path: Path, embeddings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("assistant.embed.make_embeddings", lambda settings: embeddings)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "s"), "eval", str(DATA), "--no-ablations",
                                      "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "| assistant |" in result.output and "flag right per kind" in result.output
    assert json.loads(out.read_text())["format"] == "folder"
    bad = CliRunner().invoke(app, ["--store", str(tmp_path / "s"), "eval", str(tmp_path)])
    assert bad.exit_code != 0 and "questions" in bad.output


def test_sources_eval_ranks_the_labelled_sources_beside_both_baselines(assistant: Assistant,
                                                                        settings: Settings) -> None:
    report = run_sources_eval(DATA, settings, assistant=assistant, with_ablations=False)
    section = report["retrieval"]
    assert section["questions"] == 4
    rows = {r["system"]: r for r in section["rows"]}
    # the ranking's ablations cost no answers, so they come even without the answer ablations
    assert list(rows)[:3] == ["bm25", "langchain-chroma", "assistant"]
    assert "assistant -dense" in rows and "assistant -keyword" in rows
    assert all(0.0 <= r["hits@1"] <= r["hits@5"] <= 1.0 and r["questions"] == 4 for r in rows.values())
    assert rows["assistant"]["hits@5"] == 1.0  # every question's covering sources are among the few articles
    table = format_sources_table(report)
    assert "| system | Hits@1 | Hits@5 | MRR@10 |" in table and "| langchain-chroma |" in table
