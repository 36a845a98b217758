"""Benchmark metrics: the MultiHop-RAG script's values on its official output, and the article-level ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.metrics import (
    answer_in_text,
    article_metrics,
    first_gold_rank,
    load_multihop_output,
    multihop_metrics,
    percentile,
)

MULTIHOP = Path(__file__).resolve().parents[2] / "shared" / "data" / "multihop-rag" / \
    "official_sample_llm-embedder_retrieval_test.json"


def test_multihop_metrics_match_the_official_values_on_the_official_output() -> None:
    if not MULTIHOP.exists():
        pytest.skip("../shared/data/multihop-rag is not present")
    runs = load_multihop_output(MULTIHOP)
    assert len(runs) == 8
    m = multihop_metrics(runs)
    assert round(m.hits10, 4) == 0.7500
    assert round(m.hits4, 4) == 0.6250
    assert round(m.map10, 4) == 0.2746
    assert round(m.mrr10, 4) == 0.5491


def test_multihop_matching_ignores_spaces_and_newlines_but_not_case() -> None:
    runs = [(["x", "The quick\nbrown  fox jumps"], ["quick brown fox"]), (["THE QUICK BROWN FOX"], ["quick brown fox"])]
    m = multihop_metrics(runs)
    assert m.hits10 == 0.5 and m.hits4 == 0.5
    assert m.mrr10 == pytest.approx(0.25)


def test_multihop_map_counts_each_fact_once_and_divides_by_the_number_of_facts() -> None:
    # two facts found at ranks 1 and 2: (1/1 + 1/2) / 2, where standard AP would give 1.0
    runs = [(["alpha", "beta", "alpha beta"], ["alpha", "beta"])]
    assert multihop_metrics(runs).map10 == pytest.approx(0.75)
    # a fact found only at rank 11 does not count
    late = [(["x"] * 10 + ["alpha"], ["alpha"])]
    m = multihop_metrics(late)
    assert m.hits10 == 0.0 and m.mrr10 == 0.0 and m.map10 == 0.0


def test_multihop_reads_lists_stored_as_python_repr(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text(
        '[{"query": "q", "question_type": "inference_query", "retrieval_list": "[{\'text\': \'a fact here\'}]", '
        '"gold_list": "[{\'fact\': \'fact here\'}]"}, {"query": "n", "question_type": "null_query", '
        '"retrieval_list": "[]", "gold_list": "[]"}]'
    )
    runs = load_multihop_output(path)
    assert runs == [(["a fact here"], ["fact here"])]


def test_article_hits_and_mrr_count_distinct_articles_only() -> None:
    runs = [
        (["a", "a", "a", "b"], {"b"}),  # b is the 2nd distinct article
        (["c", "d"], {"x"}),  # never found
        (["g"], {"g", "h"}),  # first
    ]
    m = article_metrics(runs, ks=(1, 2, 5))
    assert m.hits == {1: pytest.approx(1 / 3), 2: pytest.approx(2 / 3), 5: pytest.approx(2 / 3)}
    assert m.mrr10 == pytest.approx((0.5 + 0 + 1) / 3)
    assert first_gold_rank(["a", "a", "b"], {"b"}) == 2


def test_mrr_at_10_ignores_a_gold_article_ranked_11th() -> None:
    ranked = [str(i) for i in range(11)]
    assert article_metrics([(ranked, {"10"})]).mrr10 == 0.0
    assert article_metrics([(ranked, {"9"})]).mrr10 == pytest.approx(0.1)


def test_answer_in_text_is_case_and_whitespace_insensitive() -> None:
    assert answer_in_text("Buffalo Bills", ["He plays for the buffalo\nbills."])
    assert not answer_in_text("Buffalo Bills", ["He plays for Buffalo."])
    assert not answer_in_text("  ", ["anything"])


def test_answer_in_text_compares_through_the_normaliser() -> None:
    title = "“Everything Everywhere All at Once”"
    assert answer_in_text(title, ['the Oscars love "Everything Everywhere All at Once."'])
    assert answer_in_text("Leavitt’s", ["Leavitt's statement"])
    assert not answer_in_text("“Everything Everywhere”", ["Everything, everywhere"])


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0
