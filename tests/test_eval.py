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
from assistant.evaluate import (
    EvalError,
    EvalQuestion,
    corpus_article_ids,
    format_table,
    load_questions,
    recent_gold,
    run_eval,
)

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


def test_eval_reports_questions_with_a_recent_gold_article_apart(assistant: Assistant, settings: Settings,
                                                                 tmp_path: Path) -> None:
    assistant.ingest([CORPUS])
    questions = tmp_path / "q.jsonl"
    lines = QUESTIONS.read_text().splitlines()[:2]
    # gold only a year-old article (syn-2, June 2022): not in the recent breakdown
    lines.append(json.dumps({"question": "How long did the flood repairs in Harbor City take?", "answer": "a year",
                             "question_date": "2023-03-10", "gold_article_ids": ["syn-2"]}))
    questions.write_text("\n".join(lines) + "\n")
    report = run_eval(CORPUS, questions, settings, assistant=assistant, ingest=False, with_ablations=False)
    recent = report["recent_gold"]
    assert report["questions"] == 3 and recent["questions"] == 2 and recent["days"] == 30
    assert [r["system"] for r in recent["rows"]] == ["bm25", "langchain-chroma", "assistant"]
    assert all(r["questions"] == 2 for r in recent["rows"])
    assert "(2 of 3)" in format_table(report)


def test_recent_gold_keeps_questions_with_a_gold_article_from_the_month_before() -> None:
    from datetime import date

    facets = {"new": (None, 20230308), "old": (None, 20220620), "later": (None, 20230320), "undated": (None, 0)}
    qs = [EvalQuestion("1", "q", "a", [], as_of=date(2023, 3, 10)) for _ in range(5)]
    qs.append(EvalQuestion("6", "q", "a", [], as_of=None))
    golds = [{"new"}, {"old"}, {"old", "new"}, {"later"}, {"undated"}, {"new"}]
    assert recent_gold(qs, golds, facets) == [0, 2]
    assert recent_gold(qs, golds, facets, days=400) == [0, 1, 2]


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
