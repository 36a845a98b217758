"""How fast `assistant chat` starts: launch -> prompt, and launch -> first offline answer.

Drives the real console script in a pseudo-terminal (pexpect), as a user would: it ingests the bundled
sample articles into a temporary store once, then for each run launches `assistant chat --offline`,
types the question as soon as the prompt shows, and waits for the answer's summary line. It also times
a second question in the same session (the model is warm by then).

    .venv/bin/python bench/startup.py [--runs 3] [--question "..."]

Targets (on the 2-core machines): prompt <= 1.5 s, first offline answer <= 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).parent / "assistant"
SAMPLES = ROOT / "assistant" / "samples"
PROMPT = "»"
ANSWERED = "address this question"  # in every answer's summary line
TARGETS_S = {"prompt": 1.5, "first answer": 3.0}


def bench_env(store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env.update(
        ASSISTANT_STORE_DIR=str(store), ASSISTANT_HISTORY_PATH=str(store.parent / "history"),
        TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
    )
    if "ASSISTANT_TORCH_THREADS" in os.environ:
        env["ASSISTANT_TORCH_THREADS"] = os.environ["ASSISTANT_TORCH_THREADS"]
    return env


def one_run(env: dict[str, str], question: str, timeout_s: float) -> dict[str, float]:
    """Seconds from launch to the prompt, to the first answer, and for a second answer."""
    start = time.perf_counter()
    child = pexpect.spawn(str(SCRIPT), ["chat", "--offline"], env=env, encoding="utf-8",
                          dimensions=(50, 200), timeout=timeout_s)
    try:
        child.expect(PROMPT)
        prompt_s = time.perf_counter() - start
        child.sendline(question)
        child.expect(ANSWERED)
        first_s = time.perf_counter() - start
        child.expect(PROMPT)
        again = time.perf_counter()
        child.sendline(question)
        child.expect(ANSWERED)
        warm_s = time.perf_counter() - again
        child.expect(PROMPT)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return {"prompt": prompt_s, "first answer": first_s, "warm answer": warm_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", default="Was the transit workers' union consulted?")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for one step.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        env = bench_env(Path(tmp) / "store")
        subprocess.run([str(SCRIPT), "ingest", str(SAMPLES)], env=env, check=True, capture_output=True)
        runs = []
        for i in range(args.runs):
            runs.append(one_run(env, args.question, args.timeout))
            print(f"run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items()), flush=True)

    print(f"\n`assistant chat --offline`, {args.runs} run(s), {os.cpu_count()} CPU(s), bundled samples")
    print(f"{'':14}{'median':>8}{'min':>8}{'max':>8}{'target':>8}")
    for key in runs[0]:
        values = [r[key] for r in runs]
        target = f"{TARGETS_S[key]:.1f}" if key in TARGETS_S else "-"
        print(f"{key:14}{statistics.median(values):8.2f}{min(values):8.2f}{max(values):8.2f}{target:>8}")
    print("(seconds; 'first answer' = launch -> summary of an answer typed as soon as the prompt showed;"
          " 'warm answer' = a second question in the same session)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
