"""Bulk-ingest throughput of ingest variants, side by side in one run, on a slice of RealTimeQA.

    .venv/bin/python bench/ingest_speed.py [--articles 400] [--rounds 1] [--variants before after]

Writes the first N articles of ../shared/data/realtimeqa-2023/corpus.jsonl.gz to a JSON-lines file, then runs
``assistant ingest`` of it into a fresh store once per variant (interleaved when ``--rounds`` > 1), each in
its own process, and prints per variant: chunks written, wall seconds, CPU seconds (user + system), chunks per
wall second and per CPU second, peak RSS, and the whole corpus's wall time extrapolated from the chunk rate
(120,549 chunks with the current chunking; a variant that chunks differently is scaled by its chunks per
article). Extrapolated, not measured: the model load (a few seconds) is in the slice's figure, and a
longer run writes into a bigger index.

Variants (``--variants``; ``ASSISTANT_*`` settings from the environment apply to all of them):

- ``before``: the ingest as it was: the embedding runtime's own threads on one batch at a time.
- ``after``: this code's default.
- ``1thread``: ``ASSISTANT_TORCH_THREADS=1`` (one batch at a time, one thread).
- ``onnx-before`` / ``onnx-after``: the same with ``ASSISTANT_EMBED_RUNTIME=onnx`` (a CPU without native
  bfloat16, or no torch).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "realtimeqa-2023" / "corpus.jsonl.gz"
FULL_ARTICLES, FULL_CHUNKS = 7587, 120549

# the ingest before side-by-side workers: one batch at a time, on the runtime's own thread count
_ONE_AT_A_TIME = "import assistant.embed as e; e.cpu_workers = lambda threads: 1\n"
_RUN = ("import sys\nfrom assistant.cli import main\nsys.argv = ['assistant', '--store', sys.argv[1], 'ingest', "
        "sys.argv[2]]\nmain()\n")
VARIANTS: dict[str, tuple[dict[str, str], str]] = {
    "before": ({}, _ONE_AT_A_TIME),
    "after": ({}, ""),
    "1thread": ({"ASSISTANT_TORCH_THREADS": "1"}, ""),
    "onnx-before": ({"ASSISTANT_EMBED_RUNTIME": "onnx"}, _ONE_AT_A_TIME),
    "onnx-after": ({"ASSISTANT_EMBED_RUNTIME": "onnx"}, ""),
}


def write_slice(n: int, out: Path) -> int:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(fh):
            if i >= n:
                return i
            dst.write(line)
    return n


def run_variant(name: str, corpus: Path, work: Path) -> dict[str, float | int | str]:
    env_extra, patch = VARIANTS[name]
    store = work / f"store-{name}"
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **env_extra}
    env.pop("ASSISTANT_STORE_DIR", None)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", patch + _RUN, str(store), str(corpus)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0 or "chunks written" not in out:
        raise SystemExit(f"{name} failed:\n{out[-2000:]}")
    chunks = int(out.split(" chunks written")[0].rsplit(" ", 1)[-1].replace(",", ""))
    cpu = usage.ru_utime + usage.ru_stime
    shutil.rmtree(store, ignore_errors=True)
    return {"variant": name, "chunks": chunks, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "chunks_per_s": round(chunks / wall, 1), "chunks_per_cpu_s": round(chunks / cpu, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", nargs="+", default=["before", "after"], choices=sorted(VARIANTS))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-speed-"))
    corpus = work / "slice.jsonl"
    n = write_slice(args.articles, corpus)
    load_start = os.getloadavg()[0]
    results: dict[str, list[dict[str, float | int | str]]] = {v: [] for v in args.variants}
    for _ in range(args.rounds):
        for name in args.variants:
            row = run_variant(name, corpus, work)
            results[name].append(row)
            print(json.dumps(row), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"\n{n} articles, {args.rounds} round(s), load average {load_start:.1f} -> {os.getloadavg()[0]:.1f}; "
          "medians; 'whole corpus' is extrapolated from the chunk rate")
    keys = ["chunks", "wall_s", "cpu_s", "chunks_per_s", "chunks_per_cpu_s", "peak_rss_mb"]
    print(f"{'variant':14}" + "".join(f"{k:>18}" for k in keys) + f"{'whole corpus, min':>20}")
    for name, rows in results.items():
        med = {k: sorted(float(r[k]) for r in rows)[len(rows) // 2] for k in keys}
        full_chunks = FULL_CHUNKS * (med["chunks"] / results[args.variants[0]][0]["chunks"]  # type: ignore[operator]
                                     if name != args.variants[0] else 1)
        minutes = full_chunks / med["chunks_per_s"] / 60
        print(f"{name:14}" + "".join(f"{med[k]:>18g}" for k in keys) + f"{minutes:>20.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
