"""How fast the assistant answers from a cold start: the torch path against the ONNX path, side by side.

    .venv/bin/python bench/startup.py [--runs 5] [--skip chat slack]

It ingests the seed articles (../shared/seeds, else the bundled samples) into a temporary store once, then
runs, interleaved run by run (so a machine whose speed drifts moves both paths alike):

- ``import chromadb`` in a bare interpreter: the floor of any process that opens the store;
- ``assistant --help``;
- a cold ``assistant ask QUESTION --json``: wall seconds and peak RSS of the whole process;
- ``assistant chat --offline`` in a pseudo-terminal (pexpect): launch -> prompt, launch -> first answer;
- ``assistant slack --http`` against a loopback fake Slack Web API: launch -> ``/health`` answers, and
  launch -> a signed ``app_mention`` is answered in its thread (peak RSS of the bot process too).

"torch" runs each with ``ASSISTANT_EMBED_RUNTIME=torch`` (questions embedded by sentence-transformers, as
before); "onnx" with the default settings (questions embedded by ONNX Runtime). Figures are medians; the
load average is printed beside them, since other work on the machine slows both. A JSON file goes to
``bench/results/``.

Targets (2-core machine, quiet): cold ask p50 <= 1.5 s and <= 2x the chromadb floor, peak RSS <= 300 MB;
chat first answer <= 2 s; Slack ready and a mention answered within 3 s; ``--help`` <= 0.4 s.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.error import URLError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
SCRIPT = Path(PYTHON).parent / "assistant"
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = ROOT / "assistant" / "samples"
RESULTS = ROOT / "bench" / "results"
PROMPT = "»"
ANSWERED = "address this question"  # in every offline answer's summary line
PATHS = ("torch", "onnx")
BOT_TOKEN = "xoxb-bench-0000000000-BENCHBOTTOKEN"
SIGNING_SECRET = "bench-signing-secret-0123456789"
TARGETS = {"ask wall s": 1.5, "ask peak MB": 300, "ask / chromadb floor": 2.0, "chat first answer s": 2.0,
           "slack health s": 3.0, "slack mention answered s": 3.0, "--help s": 0.4}


def path_env(base: dict[str, str], path: str) -> dict[str, str]:
    env = dict(base)
    if path == "torch":
        env["ASSISTANT_EMBED_RUNTIME"] = "torch"
    return env


def timed_process(cmd: list[str], env: dict[str, str], timeout_s: float) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB, exit code) of one whole process, measured as it is reaped."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = start + timeout_s
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def chat_run(env: dict[str, str], question: str, timeout_s: float) -> dict[str, float]:
    """Seconds from launch to the chat prompt, and to the first answer typed as soon as the prompt showed."""
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(str(SCRIPT), ["chat", "--offline"], env=env, encoding="utf-8", dimensions=(50, 200),
                          timeout=timeout_s)
    try:
        child.expect(PROMPT)
        prompt_s = time.perf_counter() - start
        child.sendline(question)
        child.expect(ANSWERED)
        first_s = time.perf_counter() - start
        child.expect(PROMPT)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return {"chat prompt s": prompt_s, "chat first answer s": first_s}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout_s: float = 2.0) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout_s) as resp:
        return int(resp.status)


def _post_signed(url: str, body: dict[str, Any]) -> int:
    raw = json.dumps(body)
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=raw.encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as resp:
        return int(resp.status)


def slack_run(env: dict[str, str], question: str, timeout_s: float) -> dict[str, float]:
    """Seconds from ``assistant slack --http`` launch to a /health answer, and to a mention answered in its thread."""
    from tests.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, fake_slack

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with fake_slack(BOT_TOKEN) as fake:
        env = {**{k: v for k, v in env.items() if not k.startswith("SLACK_")}, "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url}
        start = time.perf_counter()
        proc = subprocess.Popen([str(SCRIPT), "slack", "--http", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = start + timeout_s
            health_s = None
            while health_s is None and time.perf_counter() < deadline and proc.poll() is None:
                try:
                    if _get(base + "/health") == 200:
                        health_s = time.perf_counter() - start
                except (OSError, URLError):
                    time.sleep(0.02)
            if health_s is None:
                raise SystemExit("the Slack bot did not answer /health")
            msg = fake.add_user_message("C1", f"<@{BOT_USER_ID}> {question}")
            event = {"type": "app_mention", "user": "U1", "text": msg["text"], "ts": msg["ts"], "channel": "C1",
                     "event_ts": msg["ts"]}
            _post_signed(base + "/slack/events", {
                "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0BENCH", "event": event,
                "type": "event_callback", "event_id": "Ev00000001", "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]})

            def answered() -> bool:
                return any(m.get("bot_id") == BOT_ID and not m.get("text", "").startswith(":mag:")
                           for m in fake.thread("C1", msg["ts"]) if m["ts"] != msg["ts"])

            if not fake.wait_for(answered, max(1.0, deadline - time.perf_counter())):
                raise SystemExit("the Slack bot did not answer the mention")
            answered_s = time.perf_counter() - start
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                _, _, usage = os.wait4(proc.pid, 0)
                proc.returncode = 0
                peak = usage.ru_maxrss / 1024
            except ChildProcessError:
                peak = float("nan")
    return {"slack health s": health_s, "slack mention answered s": answered_s, "slack peak MB": peak}


def ingest_store(env: dict[str, str]) -> Path:
    source = SEEDS if SEEDS.is_dir() else SAMPLES
    subprocess.run([str(SCRIPT), "ingest", str(source)], env=env, check=True, capture_output=True)
    return source


def torch_installed() -> bool:
    from assistant.embed import torch_installed as installed

    return installed()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default="")
    parser.add_argument("--skip", nargs="*", default=[], choices=["ask", "chat", "slack"])
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait for one step.")
    args = parser.parse_args()
    paths = PATHS if torch_installed() else ("onnx",)
    load_start = os.getloadavg()
    samples: dict[str, dict[str, list[float]]] = {p: {} for p in (*paths, "floor")}

    def add(path: str, figures: dict[str, float]) -> None:
        for key, value in figures.items():
            samples[path].setdefault(key, []).append(value)

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        store = Path(tmp) / "store"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
        base.update(ASSISTANT_STORE_DIR=str(store), ASSISTANT_HISTORY_PATH=str(Path(tmp) / "history"),
                    ASSISTANT_FEEDBACK_PATH=str(Path(tmp) / "feedback.jsonl"), TERM="xterm",
                    PROMPT_TOOLKIT_NO_CPR="1", HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
        for name in ("ASSISTANT_TORCH_THREADS",):
            if name in os.environ:
                base[name] = os.environ[name]
        source = ingest_store(base)
        question = args.question or ("Was Israel consulted?" if source == SEEDS else
                                     "Was the transit workers' union consulted?")
        steps: list[tuple[str, Callable[[str], dict[str, float]]]] = []

        def floor(_: str) -> dict[str, float]:
            wall, peak, _code = timed_process([PYTHON, "-c", "import chromadb"], base, args.timeout)
            helped, _, _ = timed_process([str(SCRIPT), "--help"], base, args.timeout)
            return {"import chromadb s": wall, "import chromadb peak MB": peak, "--help s": helped}

        def ask(path: str) -> dict[str, float]:
            wall, peak, code = timed_process([str(SCRIPT), "ask", question, "--json"], path_env(base, path),
                                             args.timeout)
            if code != 0:
                raise SystemExit(f"`assistant ask` failed ({path} path, exit {code})")
            return {"ask wall s": wall, "ask peak MB": peak}

        if "ask" not in args.skip:
            steps.append(("ask", ask))
        if "chat" not in args.skip:
            steps.append(("chat", lambda p: chat_run(path_env(base, p), question, args.timeout)))
        if "slack" not in args.skip:
            steps.append(("slack", lambda p: slack_run(path_env(base, p), question, args.timeout)))
        for i in range(args.runs):
            add("floor", floor("floor"))
            for _, step in steps:
                for path in paths if i % 2 == 0 else paths[::-1]:  # alternate which path goes first
                    add(path, step(path))
            print(f"run {i + 1}/{args.runs} done, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)

    medians = {p: {k: statistics.median(v) for k, v in figures.items()} for p, figures in samples.items()}
    floor_s = medians["floor"]["import chromadb s"]
    for p in paths:
        if "ask wall s" in medians[p]:
            medians[p]["ask / chromadb floor"] = medians[p]["ask wall s"] / floor_s
    load_end = os.getloadavg()
    keys = [k for k in ("ask wall s", "ask / chromadb floor", "ask peak MB", "chat prompt s", "chat first answer s",
                        "slack health s", "slack mention answered s", "slack peak MB") if k in medians[paths[-1]]]
    print(f"\nCold start, median of {args.runs} interleaved run(s), {os.cpu_count()} CPU(s), store: {source.name} "
          f"({'seeds' if source == SEEDS else 'bundled samples'}); load average {load_start[0]:.1f} -> "
          f"{load_end[0]:.1f}")
    header = f"{'':28}" + "".join(f"{p:>10}" for p in paths) + (f"{'torch/onnx':>12}" if len(paths) == 2 else "")
    print(header + f"{'target':>9}")
    for key in keys:
        cells = "".join(f"{medians[p].get(key, float('nan')):10.2f}" for p in paths)
        if len(paths) == 2:
            ratio = medians["torch"].get(key, float("nan")) / medians["onnx"].get(key, float("nan"))
            cells += f"{ratio:12.2f}"
        target = TARGETS.get(key)
        print(f"{key:28}{cells}{'' if target is None else format(target, '9.1f')}")
    fl = medians["floor"]
    print(f"{'floor: import chromadb s':28}{fl['import chromadb s']:10.2f}"
          f"  (peak {fl['import chromadb peak MB']:.0f} MB)")
    print(f"{'assistant --help s':28}{fl['--help s']:10.2f}{'':>12}{TARGETS['--help s']:9.1f}")
    print("(seconds from launch, whole processes; 'torch' = ASSISTANT_EMBED_RUNTIME=torch, 'onnx' = defaults)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"startup-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"runs": args.runs, "question": question, "store": str(source), "paths": list(paths),
                               "load_avg": [load_start, load_end], "samples": samples, "medians": medians},
                              indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
