"""The local model's runtimes side by side on real news: speed, and whether they retrieve the same things.

    .venv/bin/python bench/embed_runtimes.py [--chunks 2000] [--speed-chunks 256] [--threads 2]

Takes the gold articles of the first RealTimeQA dev questions (../shared/data/realtimeqa-2023) until ``--chunks``
chunks (the project's own chunker and settings). Then, in one process:

- speed: chunks per second (wall and CPU) of ONNX int8 (float32 products, as questions are embedded), ONNX
  int8 products (as a default install ingests), torch fp32 and torch bf16 on the first
  ``--speed-chunks`` chunks, interleaved, best of two, after each has loaded and warmed up;
- equivalence: every chunk embedded by each runtime; cosine of ONNX and bf16 vectors to fp32 (min, mean);
  top-10 chunk neighbours of every dev question, a torch-built store queried through ONNX against all-torch;
  and dense article-level Hits@5 and MRR@10 (an article scores its best chunk) for the store/question
  pairs that occur: all torch fp32; bf16 store + torch questions (before); bf16 store + ONNX questions
  (now, where bf16 is native); ONNX store + ONNX questions (an install without torch).

This is a small slice, for equivalence, not the project's retrieval figures (those are hybrid, over the whole
corpus: ``assistant eval``; embedding all 120k chunks twice is too long for a shared 2-core machine).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "realtimeqa-2023"


def load_slice(n_chunks: int) -> tuple[list[str], list[str], list[dict[str, Any]], list[str]]:
    """(chunk texts, the article id of each chunk, the dev questions whose gold articles make up the slice,
    every dev question's text).

    The slice is the gold articles of the first dev questions, until ``n_chunks`` chunks: each question's
    articles are the others' distractors, and every question in it can be answered within it.
    """
    from assistant.config import Settings
    from assistant.ingest import chunk_article
    from assistant.schema import Article

    settings = Settings(_env_file=None)
    with gzip.open(DATA / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        bodies = {r["id"]: r["body"] or "" for r in map(json.loads, fh)}
    with (DATA / "questions-dev.jsonl").open(encoding="utf-8") as fh:
        dev = [json.loads(line) for line in fh]
    texts: list[str] = []
    owners: list[str] = []
    questions = []
    for q in dev:
        if len(texts) >= n_chunks:
            break
        if not q["gold_article_ids"] or not all(a in bodies for a in q["gold_article_ids"]):
            continue
        questions.append(q)
        for article_id in q["gold_article_ids"]:
            if article_id in owners:
                continue
            article = Article(id=article_id, text=bodies[article_id], doc_key=article_id)
            for chunk in chunk_article(article, settings.chunk_chars, settings.chunk_overlap_chars):
                texts.append(chunk.text)
                owners.append(article_id)
    return texts, owners, questions, [q["question"] for q in dev]


def speed(models: dict[str, Any], texts: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for model in models.values():
        model.encode(texts[:16])  # load and warm up
    for _ in range(2):
        for name, model in models.items():
            t0, c0 = time.perf_counter(), time.process_time()
            model.encode(texts)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best = out.setdefault(name, {"chunks_per_s": 0.0, "chunks_per_cpu_s": 0.0})
            best["chunks_per_s"] = max(best["chunks_per_s"], round(len(texts) / wall, 1))
            best["chunks_per_cpu_s"] = max(best["chunks_per_cpu_s"], round(len(texts) / cpu, 1))
    return out


def article_metrics(doc: Any, query: Any, owners: list[str], questions: list[dict[str, Any]]) -> dict[str, float]:
    """Dense article-level Hits@5 and MRR@10: each article scores its best chunk."""
    import numpy as np

    ids = sorted(set(owners))
    index = {a: i for i, a in enumerate(ids)}
    column = np.array([index[a] for a in owners])
    hits5 = mrr = 0.0
    for q_vec, q in zip(query, questions):
        scores = doc @ q_vec
        best = np.full(len(ids), -2.0, dtype=np.float32)
        np.maximum.at(best, column, scores)
        ranked = [ids[i] for i in np.argsort(-best)[:10]]
        gold = set(q["gold_article_ids"])
        ranks = [r for r, a in enumerate(ranked, 1) if a in gold]
        hits5 += bool(ranks and ranks[0] <= 5)
        mrr += 1 / ranks[0] if ranks else 0.0
    n = max(1, len(questions))
    return {"hits@5": round(hits5 / n, 4), "mrr@10": round(mrr / n, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--speed-chunks", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import numpy as np

    from assistant.embed import LocalEmbeddings, OnnxEmbeddings

    load = os.getloadavg()
    texts, owners, questions, all_questions = load_slice(args.chunks)
    onnx = OnnxEmbeddings(threads=args.threads)
    int8 = OnnxEmbeddings(threads=args.threads, int8_products=True)
    fp32 = LocalEmbeddings(256, args.threads)
    bf16 = LocalEmbeddings(256, args.threads, bf16=True)
    models = {"onnx-int8": onnx, "onnx-int8-products": int8, "torch-fp32": fp32, "torch-bf16": bf16}
    rates = speed(models, texts[:args.speed_chunks])
    vectors = {name: model.encode(texts) for name, model in models.items()}
    q_texts = [q["question"] for q in questions]
    q_torch, q_onnx = fp32.encode(q_texts), onnx.encode(q_texts)
    all_torch, all_onnx = fp32.encode(all_questions), onnx.encode(all_questions)  # neighbours need no gold

    def cosine(a: str, b: str) -> dict[str, float]:
        c = (vectors[a] * vectors[b]).sum(axis=1)
        return {"min": round(float(c.min()), 4), "mean": round(float(c.mean()), 4)}

    def overlap(doc_a: Any, q_a: Any, doc_b: Any, q_b: Any, k: int = 10) -> float:
        top_a = np.argsort(-(q_a @ doc_a.T), axis=1)[:, :k]
        top_b = np.argsort(-(q_b @ doc_b.T), axis=1)[:, :k]
        return round(float(np.mean([len(set(a) & set(b)) / k for a, b in zip(top_a, top_b)])), 3)

    result = {
        "chunks": len(texts), "articles": len(set(owners)), "questions_with_gold": len(questions),
        "questions_for_neighbours": len(all_questions), "threads": args.threads,
        "load_avg_start": load, "speed_chunks": args.speed_chunks, "speed": rates,
        "cosine_to_fp32": {"onnx-int8": cosine("onnx-int8", "torch-fp32"),
                           "onnx-int8-products": cosine("onnx-int8-products", "torch-fp32"),
                           "torch-bf16": cosine("torch-bf16", "torch-fp32")},
        "top10_overlap_vs_all_fp32": {
            "bf16 store + onnx questions": overlap(vectors["torch-fp32"], all_torch, vectors["torch-bf16"], all_onnx),
            "fp32 store + onnx questions": overlap(vectors["torch-fp32"], all_torch, vectors["torch-fp32"], all_onnx),
            "onnx store + onnx questions": overlap(vectors["torch-fp32"], all_torch, vectors["onnx-int8"], all_onnx),
            "int8-products store + onnx questions": overlap(vectors["torch-fp32"], all_torch,
                                                            vectors["onnx-int8-products"], all_onnx),
        },
        "dense_article_retrieval": {
            "all torch fp32": article_metrics(vectors["torch-fp32"], q_torch, owners, questions),
            "bf16 store + torch questions": article_metrics(vectors["torch-bf16"], q_torch, owners, questions),
            "bf16 store + onnx questions": article_metrics(vectors["torch-bf16"], q_onnx, owners, questions),
            "onnx store + onnx questions": article_metrics(vectors["onnx-int8"], q_onnx, owners, questions),
            "int8-products store + onnx questions (the default install)": article_metrics(
                vectors["onnx-int8-products"], q_onnx, owners, questions),
        },
        "load_avg_end": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
