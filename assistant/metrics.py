"""Retrieval and answer metrics, as the benchmarks define them.

- Article level (RealTimeQA README): Hits@k = share of questions with a gold article among the top-k
  distinct articles retrieved; MRR@10 = mean of 1/rank of the first gold article (0 when none in the top 10).
- MultiHop-RAG chunk level (its ``retrieval_evaluate.py``): a retrieved chunk is relevant when a gold
  fact, with every space and newline removed, is a case-sensitive substring of the chunk text with the same
  characters removed. Hits@10 / Hits@4, MRR@10 and its own MAP@10 (see ``multihop_metrics``).
- "Answer in shown excerpts": the answer string occurs (case-insensitive) in the quotes shown.

Pure functions over plain data: no store, no model.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .text import normalize


def distinct(ids: Iterable[str]) -> list[str]:
    """``ids`` in order, each kept at its first occurrence."""
    return list(dict.fromkeys(ids))


def first_gold_rank(ranked: Sequence[str], gold: Iterable[str], k: int = 10) -> int | None:
    """1-based rank of the first gold id among the first ``k`` distinct ids, or None."""
    wanted = set(gold)
    for rank, item in enumerate(distinct(ranked)[:k], start=1):
        if item in wanted:
            return rank
    return None


@dataclass
class ArticleMetrics:
    n: int
    hits: dict[int, float]
    mrr10: float

    def as_dict(self) -> dict[str, float]:
        out: dict[str, float] = {f"hits@{k}": round(v, 4) for k, v in sorted(self.hits.items())}
        out["mrr@10"] = round(self.mrr10, 4)
        return out


def article_metrics(
    runs: Sequence[tuple[Sequence[str], Iterable[str]]], ks: Sequence[int] = (1, 5, 10)
) -> ArticleMetrics:
    """Hits@k and MRR@10 over ``(ranked article ids, gold article ids)`` pairs (one per question)."""
    n = len(runs)
    if n == 0:
        return ArticleMetrics(0, {k: 0.0 for k in ks}, 0.0)
    hits = {k: 0 for k in ks}
    mrr = 0.0
    for ranked, gold in runs:
        gold_set = set(gold)
        rank = first_gold_rank(ranked, gold_set, max(max(ks), 10))
        for k in ks:
            hits[k] += int(rank is not None and rank <= k)
        mrr += 1.0 / rank if rank is not None and rank <= 10 else 0.0
    return ArticleMetrics(n, {k: hits[k] / n for k in ks}, mrr / n)


def answer_in_text(answer: str, texts: Iterable[str]) -> bool:
    """True when ``answer`` occurs in one of ``texts``, compared as the project compares words (the text
    normaliser: case, typographic quotes and dashes, NFKC) and ignoring runs of whitespace. Quotation marks
    around the whole answer are not part of it: “Everything Everywhere All at Once” is a title, found
    however an article quotes it."""
    needle = " ".join(normalize(answer).split()).strip("\"' ")
    if not needle:
        return False
    return any(needle in " ".join(normalize(t).split()) for t in texts)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --------------------------------------------------------------------------------------------------
# MultiHop-RAG (Tang & Yang, 2024), chunk level


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


@dataclass
class MultiHopMetrics:
    n: int
    hits10: float
    hits4: float
    map10: float
    mrr10: float

    def as_dict(self) -> dict[str, float]:
        return {"hits@10": self.hits10, "hits@4": self.hits4, "map@10": self.map10, "mrr@10": self.mrr10}


def multihop_metrics(runs: Sequence[tuple[Sequence[str], Sequence[str]]]) -> MultiHopMetrics:
    """MultiHop-RAG's ``calculate_metrics`` over ``(retrieved chunk texts, gold fact texts)`` per query.

    Only ranks 1-10 count. Relevant: some squashed gold fact is a substring of the squashed chunk.
    Hits@k: share of queries with a relevant chunk in the top k. MRR@10: mean 1/rank of the first relevant
    chunk. MAP@10 (the script's own): per query, the sum over ranks r <= 10 of (gold facts first found at
    rank r) / r, divided by min(number of gold facts, 10).
    """
    n = len(runs)
    if n == 0:
        return MultiHopMetrics(0, 0.0, 0.0, 0.0, 0.0)
    hits10 = hits4 = 0
    ap_sum = rr_sum = 0.0
    for retrieved, gold in runs:
        facts = [_squash(g) for g in gold]
        found: list[str] = []
        first: int | None = None
        precision_sum = 0.0
        hit10 = hit4 = False
        for rank, chunk in enumerate(retrieved[:10], start=1):
            text = _squash(chunk)
            if not any(f in text for f in facts):
                continue
            hit10 = True
            hit4 = hit4 or rank <= 4
            if first is None:
                first = rank
            new = 0
            for f in facts:
                if f in text and f not in found:
                    new += 1
                    found.append(f)
            precision_sum += new / rank
        hits10 += int(hit10)
        hits4 += int(hit4)
        ap_sum += precision_sum / min(len(facts), 10) if facts else 0.0
        rr_sum += 1.0 / first if first else 0.0
    return MultiHopMetrics(n, hits10 / n, hits4 / n, ap_sum / n, rr_sum / n)


def _maybe_literal(value: Any) -> Any:
    """The official output files store lists as Python ``repr`` strings; accept those and real lists."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return ast.literal_eval(value)
    return value


def load_multihop_output(path: Path) -> list[tuple[list[str], list[str]]]:
    """``(retrieved chunk texts, gold facts)`` per non-null query of an official retrieval output file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    runs = []
    for record in data:
        if record.get("question_type") == "null_query":
            continue
        retrieved = [str(item["text"]) for item in _maybe_literal(record["retrieval_list"])]
        gold = [str(item["fact"]) for item in _maybe_literal(record["gold_list"])]
        runs.append((retrieved, gold))
    return runs
