"""The benchmark harness end to end on our own synthetic articles (seconds, real model, real store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.answer import Assistant
from assistant.cli import app
from assistant.config import Settings
from assistant.evaluate import EvalError, corpus_article_ids, format_table, load_questions, run_eval

EVAL = Path(__file__).parent / "data" / "eval"
CORPUS = EVAL / "corpus.jsonl"
QUESTIONS = EVAL / "questions.jsonl"


def test_eval_reports_every_system_in_one_run(assistant: Assistant, settings: Settings) -> None:
    report = run_eval(CORPUS, QUESTIONS, settings, assistant=assistant)
    rows = {r["system"]: r for r in report["rows"]}
    assert {"bm25", "langchain-chroma", "assistant"} <= set(rows)
    assert any(name.startswith("assistant -") for name in rows)  # ablation rows
    assert report["questions"] == 8 and report["articles_in_store"] == 10
    assert report["ingest"]["chunks_written"] == 10
    for r in rows.values():
        for key in ("hits@1", "hits@5", "hits@10", "mrr@10"):
            assert 0.0 <= r[key] <= 1.0
        assert r["p95_s"] >= r["p50_s"] > 0
    ours = rows["assistant"]
    assert ours["hits@5"] == 1.0 and ours["mrr@10"] >= max(rows["bm25"]["mrr@10"], 0.9)
    assert ours["answer_in_excerpts"] >= 0.75
    assert rows["bm25"]["answer_in_excerpts"] is not None and rows["assistant -dates"]["answer_in_excerpts"] is None
    table = format_table(report)
    assert table.splitlines()[0].startswith("| system | Hits@1 | Hits@5 | Hits@10 | MRR@10 |")
    assert "| assistant |" in table


def test_eval_limit_and_questions_without_gold_in_store(assistant: Assistant, settings: Settings,
                                                         tmp_path: Path) -> None:
    assistant.ingest([CORPUS])
    questions = tmp_path / "q.jsonl"
    lines = QUESTIONS.read_text().splitlines()[:3]
    lines.append(json.dumps({"question": "Who won?", "answer": "x", "gold_article_ids": ["not-in-corpus"]}))
    questions.write_text("\n".join(lines) + "\n")
    report = run_eval(CORPUS, questions, settings, assistant=assistant, ingest=False, with_ablations=False)
    assert report["questions"] == 3 and report["skipped_no_gold_in_store"] == 1
    assert [r["system"] for r in report["rows"]] == ["bm25", "langchain-chroma", "assistant"]
    limited = run_eval(CORPUS, QUESTIONS, settings, assistant=assistant, ingest=False, with_ablations=False, limit=2)
    assert limited["questions"] == 2


def test_eval_inputs_are_checked(tmp_path: Path) -> None:
    ids = corpus_article_ids(CORPUS)
    assert len(ids) == 10 and len(set(ids.values())) == 10
    assert load_questions(QUESTIONS)[0].as_of is not None
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no answer"}\n')
    with pytest.raises(EvalError, match="gold_article_ids"):
        load_questions(bad)
    no_ids = tmp_path / "c.jsonl"
    no_ids.write_text('{"title": "t", "body": "text"}\n')
    with pytest.raises(EvalError, match="'id'"):
        corpus_article_ids(no_ids)


def test_cli_eval_prints_the_table_and_writes_json(tmp_path: Path, embeddings: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["--store", str(tmp_path / "s"), "eval", str(CORPUS), str(QUESTIONS),
                                      "--limit", "3", "--no-ablations", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "| langchain-chroma |" in result.output
    data = json.loads(out.read_text())
    assert data["questions"] == 3 and len(data["rows"]) == 3
    missing = CliRunner().invoke(app, ["--store", str(tmp_path / "s"), "eval", str(tmp_path / "nope.jsonl"),
                                       str(QUESTIONS)])
    assert missing.exit_code == 1
