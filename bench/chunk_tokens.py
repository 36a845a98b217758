"""Where bulk ingestion wastes embedding work: chunk sizes in word pieces against the model's 256-piece window.

    .venv/bin/python bench/chunk_tokens.py [--articles 300] [--seed 7]

Takes a seeded random sample of RealTimeQA articles (../shared/data/realtimeqa-2023/corpus.jsonl.gz), splits
them as ``ingest`` does (LangChain's ``RecursiveCharacterTextSplitter`` with the project's separators) under the
current settings and a few alternatives, counts each chunk's word pieces with all-MiniLM-L6-v2's own tokenizer,
and prints per variant:

- chunks per article, and word pieces per chunk (median, p90);
- the share of chunks longer than the window (the model never sees their tail: work spent on reading and
  storing text that is not embedded, and text that cannot be found by meaning);
- the share of embedded pieces that repeat the previous chunk (overlap), and of chunks whose text occurs
  more than once in the sample (duplicates and boilerplate);
- embedded pieces per article relative to the current settings: the embedding cost, which is roughly
  proportional to it (a little more than linear in the chunk length, for attention).

Numbers for the whole corpus are extrapolated from the sample, not measured.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "data" / "realtimeqa-2023" / "corpus.jsonl.gz"
SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


def sample_articles(n: int, seed: int) -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        bodies = [json.loads(line)["body"] or "" for line in fh]
    return random.Random(seed).sample([b for b in bodies if b.strip()], n)


def split(texts: list[str], size: int, overlap: int, length: Any = len) -> list[list[tuple[int, str]]]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, separators=SEPARATORS,
                                              keep_separator="end", add_start_index=True, strip_whitespace=True,
                                              length_function=length)
    return [[(int(d.metadata["start_index"]), d.page_content) for d in splitter.create_documents([t])] for t in texts]


def measure(name: str, per_article: list[list[tuple[int, str]]], pieces: Any, window: int) -> dict[str, Any]:
    counts = Counter(text for chunks in per_article for _, text in chunks)
    lengths: list[int] = []
    embedded = repeated = duplicate_chunks = 0
    for chunks in per_article:
        prev_end = -1
        for start, text in chunks:
            n = pieces(text) + 2  # [CLS] and [SEP]
            lengths.append(n)
            seen = min(n, window)
            embedded += seen
            if start < prev_end:  # the overlap's share of what the model sees
                shared = pieces(text[:prev_end - start])
                repeated += min(shared, seen)
            prev_end = start + len(text)
            duplicate_chunks += counts[text] > 1
    n_chunks = len(lengths)
    return {"variant": name, "chunks_per_article": round(n_chunks / len(per_article), 2),
            "pieces_p50": statistics.median(lengths), "pieces_p90": sorted(lengths)[int(0.9 * n_chunks)],
            "over_window": round(sum(n > window for n in lengths) / n_chunks, 3),
            "cut_pieces_share": round(sum(max(0, n - window) for n in lengths) / sum(lengths), 3),
            "overlap_share": round(repeated / embedded, 3), "duplicate_share": round(duplicate_chunks / n_chunks, 3),
            "embedded_pieces_per_article": round(embedded / len(per_article)), "n_chunks": n_chunks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from assistant.config import Settings
    from assistant.embed import MAX_TOKENS, load_tokenizer

    tokenizer = load_tokenizer()
    tokenizer.no_truncation()

    def pieces(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    settings = Settings(_env_file=None)
    texts = sample_articles(args.articles, args.seed)
    size, overlap = settings.chunk_chars, settings.chunk_overlap_chars
    window_text = MAX_TOKENS - 2
    variants = [
        (f"chars {size}/{overlap} (current)", split(texts, size, min(overlap, size // 2))),
        (f"chars {size}/0", split(texts, size, 0)),
        ("chars 1000/100", split(texts, 1000, 100)),
        (f"pieces {window_text}/25", split(texts, window_text, 25, pieces)),
        (f"pieces {window_text}/0", split(texts, window_text, 0, pieces)),
        ("pieces 200/20", split(texts, 200, 20, pieces)),
    ]
    rows = [measure(name, chunks, pieces, MAX_TOKENS) for name, chunks in variants]
    base = rows[0]["embedded_pieces_per_article"]
    for row in rows:
        row["embed_cost_vs_current"] = round(row["embedded_pieces_per_article"] / base, 3)
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} articles (seed {args.seed}), {chars / len(texts):,.0f} characters each on average, "
          f"{sum(pieces(t) for t in texts) / chars:.3f} word pieces per character; window {MAX_TOKENS} pieces")
    keys = ["chunks_per_article", "pieces_p50", "pieces_p90", "over_window", "cut_pieces_share", "overlap_share",
            "duplicate_share", "embed_cost_vs_current"]
    print(f"{'variant':26}" + "".join(f"{k:>22}" for k in keys))
    for row in rows:
        print(f"{row['variant']:26}" + "".join(f"{row[k]:>22}" for k in keys))
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
