"""Ingestion throughput vs raw SentenceTransformer.encode, and ask latency, measured side by side.

    .venv/bin/python bench/ingest.py [--articles 300] [--repeat 3]

Reads the first N articles of ../shared/data/realtimeqa-2023/corpus.jsonl.gz (by path; falls back to the
bundled samples), chunks them exactly as ingest does, then in one process:
  1. raw: SentenceTransformer.encode of the chunk texts (before and after, averaged)
  2. ingest: `Assistant.ingest` of the same articles into a fresh store (read, chunk, embed, write)
and prints ingest chunks/s as a ratio to raw. Then asks a question set several times and prints p50/p95.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.answer import Assistant  # noqa: E402
from assistant.config import SAMPLES_DIR, Settings  # noqa: E402
from assistant.embed import LocalEmbeddings  # noqa: E402
from assistant.ingest import chunk_article, read_file  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "realtimeqa-2023" / "corpus.jsonl.gz"
QUESTIONS = [
    "Was the transit workers' union consulted?", "How much will the tram cost?", "Who won the election?",
    "What did the court decide?", "When will construction start?", "How many people were injured?",
    "What did the president say about inflation?", "Which company announced layoffs?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    src = work / "articles.jsonl"
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
            for i, line in enumerate(fh):
                if i >= args.articles:
                    break
                out.write(line)
        paths = [src]
    else:
        paths = [SAMPLES_DIR]
    settings = Settings(store_dir=work / "store", torch_threads=args.threads, _env_file=None)  # type: ignore[call-arg]
    emb = LocalEmbeddings(settings.embed_batch_size, settings.torch_threads)
    emb.encode(["warm up"] * 8)

    articles = [a for p in (paths if paths[0].is_file() else sorted(paths[0].iterdir()))
                if p.is_file() and not p.name.endswith(".meta.json")
                for a in read_file(p, 10**9).articles]
    texts = [c.text for a in articles for c in chunk_article(a, settings.chunk_chars, settings.chunk_overlap_chars)]

    def raw() -> float:
        t = time.perf_counter()
        emb.encode(texts)
        return len(texts) / (time.perf_counter() - t)

    raw_before = raw()
    assistant = Assistant(settings, embeddings=emb, use_llm=False)
    t = time.perf_counter()
    report = assistant.ingest(paths)
    ingest_cps = report.chunks / (time.perf_counter() - t)
    raw_after = raw()
    raw_cps = (raw_before + raw_after) / 2

    latencies = []
    for r in range(args.repeat):
        for q in QUESTIONS:
            t = time.perf_counter()
            assistant.ask(q)
            if r > 0:  # warm: the first pass fills caches
                latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    result = {
        "articles": len(articles), "chunks": report.chunks, "raw_encode_chunks_per_s": round(raw_cps, 1),
        "ingest_chunks_per_s": round(ingest_cps, 1), "ingest_over_raw": round(ingest_cps / raw_cps, 3),
        "ask_p50_ms": round(p50, 1), "ask_p95_ms": round(p95, 1), "questions_timed": len(latencies),
    }
    print(f"articles {result['articles']}, chunks {result['chunks']}")
    print(f"raw encode   {raw_cps:8.1f} chunks/s   (before {raw_before:.1f}, after {raw_after:.1f})")
    print(f"ingest       {ingest_cps:8.1f} chunks/s   ratio to raw {result['ingest_over_raw']:.2f} (target >= 0.8)")
    print(f"ask (warm)   p50 {p50:.0f} ms   p95 {p95:.0f} ms   over {len(latencies)} questions")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
