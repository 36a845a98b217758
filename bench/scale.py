"""Scale benchmark: this project vs a plain LangChain + Chroma baseline, on a synthetic news corpus.

    .venv/bin/python bench/scale.py                   # 10k and 100k chunks (the 100k size takes long on a CPU)
    .venv/bin/python bench/scale.py --sizes 10000     # a quick run

For each size the corpus is generated (deterministic, seeded: realistic sentence lengths, many outlets,
cities and dates) as JSONL files, and chunked once with the project's own chunker, so that every system
works on the same chunk texts. Then, each system in its own subprocess (so peak RSS is its own):

- ``raw``: ``SentenceTransformer.encode`` of all chunk texts, nothing else: the ceiling for ingestion.
- ``ours``: ``Assistant.ingest`` of the JSONL files (reading, chunking, embedding and writing included),
  then warm offline ``Assistant.ask`` latencies (question embedding, retrieval, excerpt selection). Once per
  ``--runtimes`` entry (``ASSISTANT_EMBED_RUNTIME``; default ``auto``: torch in bf16 on a CPU with native
  bfloat16, ONNX elsewhere); questions are embedded by ONNX Runtime unless the runtime is ``torch``.
- ``baseline``: ``langchain_chroma.Chroma.from_documents`` on the same chunks (already chunked: reading and
  chunking are not timed for it), then ``similarity_search`` latencies (retrieval only, k=4).

All use the same bundled all-MiniLM-L6-v2 on the CPU with the same number of threads. A table of
figures and ratios is printed and a JSON file written to ``bench/results/``. A GPU is never used; where
one is present its name is recorded, nothing more.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
ARTICLES_PER_FILE = 400

# --------------------------------------------------------------------------------------------------
# synthetic corpus


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words("""Maria James Aisha Daniel Sofia Omar Elena Thomas Priya Lucas Hannah Samuel Leila Mateo Grace Victor
Nadia Peter Yuki Carlos Amira David Ingrid Kwame Laura Hassan Chloe Ivan Fatima George Mei Rafael Olivia Tariq
Anna Felix Zara Henry Nora Diego""")
LAST = _words("""Okafor Lindqvist Haddad Moreno Chen Novak Patel Kowalski Brennan Alvarez Nakamura Duarte Whitfield
Rossi
Mensah Petrov Gallagher Sato Ibrahim Fischer Oyelaran Kaur Delgado Hoffman Abbasi Marsh Tanaka Silva Varga
Lambert Osei Quinn Romero Berg Castillo Nguyen Walsh Keller Ahmadi Dubois Reyes Park Holm Costa Mbeki Ward Ruiz
Sandoval Fitzroy Adeyemi""")
CITIES = """Harbor City|Northvale|Port Alden|Eastbridge|Kingsford|Marlow Bay|Redcliff|Ashton|Silverlake|Westmere|
Brightwater|Oakridge|Fairhaven|Stonegate|Millbrook|Crestview|Lakeport|Dunmore|Riverton|Glenwood|Bayside|
Highfield|Norcross|Pinecrest|Southport|Elmstead|Cedar Falls|Windham|Larkspur|Holloway""".replace("\n", "").split("|")
COUNTRIES = """France|Germany|Japan|Brazil|India|Kenya|Canada|Mexico|Egypt|Turkey|Norway|Chile|Vietnam|Poland|Ghana|
Spain|Indonesia|Peru|Morocco|Sweden|Israel|Jordan|Qatar|Australia|Argentina""".replace("\n", "").split("|")
OUTLET_WORDS = _words("Herald Tribune Gazette Courier Post Times Observer Chronicle Wire Ledger Sentinel Dispatch")
ORGS = """city council|transit authority|water board|teachers' union|chamber of commerce|port authority|
health department|housing agency|planning commission|police union|nurses' association|farmers' cooperative|
environment agency|school board|finance ministry|foreign ministry|energy regulator|central bank""".replace(
    "\n", "").split("|")
TOPICS = [
    ("tram extension", "the tram line", "rail"), ("water rationing", "the reservoir", "water"),
    ("housing plan", "the new apartments", "housing"), ("port expansion", "the container terminal", "shipping"),
    ("school closures", "the district schools", "education"), ("hospital merger", "the two hospitals", "health"),
    ("fuel tax", "the tax increase", "tax"), ("trade talks", "the tariff agreement", "trade"),
    ("wind farm", "the offshore turbines", "energy"), ("bridge repairs", "the old bridge", "infrastructure"),
    ("police budget", "the department budget", "policing"), ("ceasefire talks", "the negotiations", "diplomacy"),
    ("airport noise", "the night flights", "aviation"), ("minimum wage", "the wage increase", "labour"),
    ("flood defences", "the sea wall", "climate"), ("stadium deal", "the new arena", "sports"),
    ("library cuts", "the branch libraries", "culture"), ("vaccine rollout", "the clinics", "public health"),
    ("bus strike", "the drivers' walkout", "transport"), ("mining permit", "the copper mine", "mining"),
]
VERBS = ("approved", "rejected", "delayed", "criticised", "defended", "questioned", "welcomed", "postponed",
         "challenged", "endorsed", "reviewed", "blocked")
ADJ = ("controversial", "long-awaited", "costly", "ambitious", "disputed", "revised", "scaled-back", "popular",
       "expensive", "temporary", "regional", "overdue")
TIMES = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "last week", "earlier this month",
         "late on Sunday", "this morning", "after a long meeting", "in March", "over the weekend")
TAILS = ("according to two people familiar with the discussions", "despite objections from residents",
         "after weeks of negotiations", "in a statement released to reporters", "without giving further details",
         "citing rising costs and a shortage of workers", "a decision that surprised many observers",
         "although the final vote is still weeks away", "as protesters gathered outside the building",
         "in a move that could affect thousands of households")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _money(rng: random.Random) -> str:
    return f"${rng.randint(2, 950)}.{rng.randint(0, 9)} {rng.choice(('million', 'billion', 'million', 'million'))}"


def _sentence(rng: random.Random, city: str, topic: tuple[str, str, str]) -> str:
    name, thing, field = topic
    org = rng.choice(ORGS)
    person = _person(rng)
    kind = rng.randrange(10)
    if kind == 0:
        s = f"The {city} {org} {rng.choice(VERBS)} the {rng.choice(ADJ)} {name} {rng.choice(TIMES)}"
    elif kind == 1:
        s = (f"\u201cWe were never consulted about {thing}, and we will not accept it,\u201d said {person}, "
             f"who leads the {org}")
    elif kind == 2:
        s = f"{person}, a spokesperson for the {org}, said the {org} had been consulted {rng.choice(TIMES)}"
    elif kind == 3:
        s = (f"The {name} is expected to cost {_money(rng)}, up from an earlier estimate of {_money(rng)}, "
             f"and would be paid for by {rng.choice(('bonds', 'a levy', 'federal grants', 'higher fares'))}")
    elif kind == 4:
        s = f"About {rng.randint(3, 97)} percent of residents surveyed said they supported {thing}"
    elif kind == 5:
        s = (f"Officials in {rng.choice(COUNTRIES)} and {rng.choice(COUNTRIES)} {rng.choice(VERBS)} the "
             f"{field} proposal")
    elif kind == 6:
        s = f"Critics, including {person}, argued that {thing} would mostly benefit large companies"
    elif kind == 7:
        s = f"The vote on the {name} was {rng.choice(('postponed', 'moved', 'scheduled'))} to {rng.choice(TIMES)}"
    elif kind == 8:
        s = f"{person} told the {rng.choice(OUTLET_WORDS)} that the {org} had not been informed before the decision"
    else:
        s = f"It was unclear whether the {org} would {rng.choice(('appeal', 'support', 'fund', 'review'))} {thing}"
    while rng.random() < 0.35:
        s += ", " + rng.choice(TAILS)
    return s + "."


def _articles(seed: int) -> Iterator[dict[str, Any]]:
    """An endless, deterministic stream of article records (JSONL objects)."""
    rng = random.Random(seed)
    outlets = [f"The {city} {word}" for city in CITIES for word in OUTLET_WORDS]  # 360 outlets
    start = date(2019, 1, 1)
    i = 0
    while True:
        topic = rng.choice(TOPICS)
        city = rng.choice(CITIES)
        paragraphs = []
        for _ in range(rng.randint(4, 16)):
            paragraphs.append(" ".join(_sentence(rng, city, topic) for _ in range(rng.randint(1, 3))))
        day = start + timedelta(days=rng.randrange(365 * 7))
        yield {
            "id": f"synthetic-{seed}-{i}",
            "title": f"{city} {rng.choice(('debates', 'fights over', 'approves', 'delays'))} {topic[0]}",
            "outlet": rng.choice(outlets),
            "date": day.isoformat(),
            "url": f"https://news.example/{seed}/{i}",
            "body": "\n\n".join(paragraphs),
        }
        i += 1


def questions(seed: int, n: int) -> list[str]:
    rng = random.Random(seed + 1)
    out = []
    for _ in range(n):
        name, thing, _ = rng.choice(TOPICS)
        city = rng.choice(CITIES)
        org = rng.choice(ORGS)
        out.append(rng.choice((
            f"Was the {org} consulted about the {name}?",
            f"How much will the {name} in {city} cost?",
            f"Who opposed {thing} in {city}?",
            f"When is the vote on the {name}?",
            f"Did residents of {city} support the {name}?",
        )))
    return out


def make_corpus(folder: Path, n_chunks: int, seed: int) -> dict[str, Any]:
    """JSONL article files under ``folder/articles`` and ``folder/chunks.jsonl`` (the same chunks ``ingest`` makes)."""
    from assistant.config import Settings
    from assistant.ingest import chunk_article, make_article

    settings = Settings(_env_file=None)
    (folder / "articles").mkdir(parents=True)
    total = n_articles = n_chars = 0
    out = None
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as chunk_file:
        for record in _articles(seed):
            if total >= n_chunks:
                break
            if n_articles % ARTICLES_PER_FILE == 0:
                if out:
                    out.close()
                out = (folder / "articles" / f"part-{n_articles // ARTICLES_PER_FILE:04d}.jsonl").open(
                    "w", encoding="utf-8")
            assert out is not None
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            path = folder / "articles" / "x.jsonl"
            article = make_article(path, record["body"], record, doc_key=record["id"])
            for chunk in chunk_article(article, settings.chunk_chars, settings.chunk_overlap_chars):
                meta = {"article_id": article.id, "title": article.title, "outlet": article.outlet,
                        "date": article.date, "start": chunk.start, "end": chunk.end}
                chunk_file.write(json.dumps({"id": chunk.id, "text": chunk.text, "meta": meta}) + "\n")
                total += 1
                n_chars += len(chunk.text)
            n_articles += 1
    if out:
        out.close()
    return {"chunks": total, "articles": n_articles, "files": -(-n_articles // ARTICLES_PER_FILE),
            "mean_chunk_chars": round(n_chars / max(1, total)), "outlets": len(CITIES) * len(OUTLET_WORDS)}


# --------------------------------------------------------------------------------------------------
# workers (each runs in its own process)


def _rss_mb() -> float:
    """Current resident set size of this process in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds this process has used: unlike wall time, hardly changed by other processes on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1), "n": len(ordered)}


def _read_chunks(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def worker_raw(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Plain ``SentenceTransformer.encode`` of every chunk text: no reading, chunking or storing."""
    from assistant.embed import load_minilm

    model = load_minilm(args.threads)
    _truncate(model, args)
    texts = [c["text"] for c in _read_chunks(folder)]
    model.encode(texts[:64], batch_size=32, normalize_embeddings=True)  # warm
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    return {"chunks": len(texts), "seconds": round(seconds, 2), "chunks_per_s": round(len(texts) / seconds, 1),
            "cpu_s": round(cpu, 1), "chunks_per_cpu_s": round(len(texts) / cpu, 2),
            "rss_after_load_mb": round(rss0), "peak_rss_mb": round(_peak_mb()),
            "embedding_before_after": _before_after(model, texts, args)}


def _before_after(model: Any, texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Seconds (wall and CPU, best of two, interleaved) of the old embedding call vs the current one.

    Old: ``SentenceTransformer.encode`` in batches of 64 (the ``embed_batch_size`` default, used as is);
    current: ``LocalEmbeddings.encode``. On sentences (what ``ask`` embeds to pick excerpts) and on chunk
    texts (what ``ingest`` embeds).
    """
    import re

    from assistant.embed import LocalEmbeddings

    current = LocalEmbeddings(64, args.threads)
    sentences = [s for t in texts[:300] for s in re.split(r"(?<=[.!?])\s+", t) if len(s) > 20][:800]
    out: dict[str, Any] = {}
    for label, items in (("sentences", sentences), ("chunks", texts[:400])):
        timings: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(2):  # interleaved, best of two: the machine may be busy
            for which in ("before", "after"):
                t0, c0 = time.perf_counter(), _cpu_s()
                if which == "before":
                    model.encode(items, batch_size=64, normalize_embeddings=True)
                else:
                    current.encode(items)
                timings[which].append((time.perf_counter() - t0, _cpu_s() - c0))
        best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in timings.items()}
        out[label] = {"n": len(items), "before_s": round(best["before"][0], 2), "after_s": round(best["after"][0], 2),
                      "before_cpu_s": round(best["before"][1], 2), "after_cpu_s": round(best["after"][1], 2),
                      "speedup": round(best["before"][0] / best["after"][0], 2)}
    return out


class _Timer:
    """Adds up the time spent in wrapped calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, obj: Any, name: str, label: str) -> None:
        inner = getattr(obj, name)

        def timed(*a: Any, **kw: Any) -> Any:
            key = label
            if label == "embed" and a and isinstance(a[0], list):
                key = "embed_question" if len(a[0]) == 1 else "embed_sentences"
            t0 = time.perf_counter()
            try:
                return inner(*a, **kw)
            finally:
                self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - t0

        setattr(obj, name, timed)


def worker_ours(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``Assistant.ingest`` of the JSONL files, then warm offline ``ask`` latencies."""
    from assistant.answer import Assistant, IngestProgress
    from assistant.config import Settings

    store_dir = folder / f"store-ours-{args.runtime}"
    overrides: dict[str, Any] = {"store_dir": store_dir, "torch_threads": args.threads, "embed_runtime": args.runtime}
    if args.chroma_port:
        overrides.update(chroma_host="127.0.0.1", chroma_port=args.chroma_port)
    settings = Settings(_env_file=None, **overrides)
    assistant = Assistant(settings, use_llm=False)
    assistant.warm_up()
    embeddings: Any = assistant.ingest_embeddings
    _truncate(embeddings, args)
    _truncate(assistant.embeddings, args)
    if args.reuse and store_dir.exists():
        return {"reused_store": str(store_dir), **_ask_figures(assistant, args)}
    rss0 = _rss_mb()
    timer = _Timer()
    timer.wrap(embeddings, "encode", "embed")
    rss_curve: list[tuple[int, int]] = []  # (chunks written, RSS MB) after each batch: flat or growing?
    written = 0

    def on_chunks(n: int) -> None:
        nonlocal written
        written += n
        rss_curve.append((written, round(_rss_mb())))

    t0, c0 = time.perf_counter(), _cpu_s()
    report = assistant.ingest([folder / "articles"], IngestProgress(on_chunks=on_chunks))
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    ingest_parts = {"embed": round(sum(timer.seconds.values()), 2)}
    rss_ingest = _peak_mb()
    if report.errors:
        raise SystemExit(f"ingest errors: {report.errors[:3]}")
    return {
        "chunks": report.chunks, "articles": report.added, "seconds": round(seconds, 2),
        "chunks_per_s": round(report.chunks / seconds, 1), "cpu_s": round(cpu, 1),
        "chunks_per_cpu_s": round(report.chunks / cpu, 2), "ingest_seconds_in": ingest_parts,
        "bf16": bool(getattr(embeddings, "bf16", False)), "runtime": getattr(embeddings, "runtime", "?"),
        **_ask_figures(assistant, args),
        "rss_after_load_mb": round(rss0), "peak_rss_ingest_mb": round(rss_ingest), "peak_rss_mb": round(_peak_mb()),
        "rss_during_ingest_mb": rss_curve[:: max(1, len(rss_curve) // 10)] + rss_curve[-1:],
        "store_mb": round(_du(store_dir) / 1e6) if store_dir.exists() else None,
    }


def _truncate(model: Any, args: argparse.Namespace) -> None:
    """``--max-seq-length``: embed only the first N word pieces of each text (a cheaper, labelled run)."""
    from assistant.embed import LocalEmbeddings, OnnxEmbeddings

    if not args.max_seq_length:
        return
    if isinstance(model, OnnxEmbeddings):
        model.load()[1].enable_truncation(max_length=args.max_seq_length)
    else:
        (model.model if isinstance(model, LocalEmbeddings) else model).max_seq_length = args.max_seq_length


def _ask_figures(assistant: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Warm offline ``ask`` latencies over the store, and where the time goes."""
    timer = _Timer()
    timer.wrap(assistant.embeddings, "encode", "embed")
    store = assistant.store()
    timer.wrap(store, "query", "store_query")
    timer.wrap(store, "get_articles", "get_articles")
    qs = questions(args.seed, args.questions + 3)
    for q in qs[:3]:  # warm: first queries load the index
        assistant.ask(q)
    timer.seconds.clear()
    latencies, cpu_ms = [], []
    covered = 0
    for q in qs[3:]:
        t0, c0 = time.perf_counter(), _cpu_s()
        answer = assistant.ask(q)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu_ms.append((_cpu_s() - c0) * 1000)
        covered += bool(answer.covering)
    n = len(latencies)
    return {"ask": {**_percentiles(latencies), "cpu_p50_ms": round(statistics.median(cpu_ms), 1),
                    "answers_with_sources": covered,
                    "mean_ms_in": {k: round(1000 * v / n, 1) for k, v in timer.seconds.items()}}}


def worker_baseline(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``Chroma.from_documents`` + ``similarity_search`` with a plain ``Embeddings`` over the same model."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

    from assistant.embed import load_minilm, offline_env

    offline_env()
    model = load_minilm(args.threads)
    _truncate(model, args)

    class PlainEmbeddings(Embeddings):  # what HuggingFaceEmbeddings(normalize_embeddings=True) does
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return model.encode(texts, normalize_embeddings=True, show_progress_bar=False).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    emb = PlainEmbeddings()
    emb.embed_query("warm up")
    rss0 = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    docs = [Document(page_content=c["text"], metadata=c["meta"], id=c["id"]) for c in _read_chunks(folder)]
    from chromadb.config import Settings as ChromaSettings

    store = Chroma.from_documents(
        docs, emb, ids=[str(d.id) for d in docs], persist_directory=str(folder / "store-baseline"),
        collection_metadata={"hnsw:space": "cosine"}, client_settings=ChromaSettings(anonymized_telemetry=False),
    )
    seconds, cpu = time.perf_counter() - t0, _cpu_s() - c0
    n_docs = len(docs)
    del docs
    rss_ingest = _peak_mb()
    qs = questions(args.seed, args.questions + 3)
    for q in qs[:3]:
        store.similarity_search(q)
    latencies = []
    for q in qs[3:]:
        t0 = time.perf_counter()
        store.similarity_search(q)
        latencies.append((time.perf_counter() - t0) * 1000)
    return {"chunks": n_docs, "seconds": round(seconds, 2), "chunks_per_s": round(n_docs / seconds, 1),
            "cpu_s": round(cpu, 1), "chunks_per_cpu_s": round(n_docs / cpu, 2), "query": _percentiles(latencies),
            "rss_after_load_mb": round(rss0), "peak_rss_ingest_mb": round(rss_ingest),
            "peak_rss_mb": round(_peak_mb())}


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


WORKERS = {"raw": worker_raw, "ours": worker_ours, "baseline": worker_baseline}


# --------------------------------------------------------------------------------------------------
# driver


def run_worker(name: str, folder: Path, args: argparse.Namespace, runtime: str = "auto") -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--corpus", str(folder),
           "--threads", str(args.threads), "--questions", str(args.questions), "--seed", str(args.seed)]
    if args.chroma_port:
        cmd += ["--chroma-port", str(args.chroma_port)]
    if args.max_seq_length:
        cmd += ["--max-seq-length", str(args.max_seq_length)]
    if args.reuse:
        cmd += ["--reuse"]
    cmd += ["--runtime", runtime]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker {name} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    return result


def _gpu() -> str | None:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def table(results: dict[str, Any]) -> str:
    rows = [("figure", *[f"{int(s):,} chunks" for s in results["sizes"]])]

    def row(label: str, fn: Any) -> None:
        cells = []
        for size in results["sizes"]:
            try:
                value = fn(results["sizes"][size])
            except (KeyError, TypeError):
                value = None
            cells.append("-" if value is None else f"{value:,}" if isinstance(value, (int, float)) else str(value))
        rows.append((label, *cells))

    row("raw encode, chunks/s", lambda r: r["raw"]["chunks_per_s"])
    row("ours ingest, chunks/s", lambda r: r["ours"]["chunks_per_s"])
    row("baseline ingest, chunks/s", lambda r: r["baseline"]["chunks_per_s"])
    row("ours ingest runtime", lambda r: r["ours"]["runtime"])
    for rt in results.get("runtimes", ["auto"])[1:]:
        row(f"ours ingest, chunks/s, runtime {rt}", lambda r, rt=rt: r[f"ours:{rt}"]["chunks_per_s"])
        row(f"  ingest runtime {rt}: CPU-s per chunk x1000",
            lambda r, rt=rt: round(1000 / r[f"ours:{rt}"]["chunks_per_cpu_s"], 1))
        row(f"  ask p50 ms, runtime {rt}", lambda r, rt=rt: r[f"ours:{rt}"]["ask"]["p50_ms"])
        row(f"  peak RSS MB, runtime {rt}", lambda r, rt=rt: r[f"ours:{rt}"]["peak_rss_mb"])
    row("ours / raw encode  (>= 0.8)", lambda r: r["ratios"]["ours_vs_raw_encode"])
    row("ours / baseline    (>= 1.0)", lambda r: r["ratios"]["ours_vs_baseline_ingest"])
    row("  same, per CPU-second: / raw", lambda r: r["ratios"]["ours_vs_raw_encode_cpu"])
    row("  same, per CPU-second: / baseline", lambda r: r["ratios"]["ours_vs_baseline_ingest_cpu"])
    row("ours ask p50 ms    (<= 100)", lambda r: r["ours"]["ask"]["p50_ms"])
    row("ours ask p95 ms    (<= 250)", lambda r: r["ours"]["ask"]["p95_ms"])
    row("  ask p50 CPU ms", lambda r: r["ours"]["ask"]["cpu_p50_ms"])
    row("  ask mean ms: question / sentences",
        lambda r: "{embed_question} / {embed_sentences}".format(**r["ours"]["ask"]["mean_ms_in"]))
    row("  ask mean ms: store query", lambda r: r["ours"]["ask"]["mean_ms_in"]["store_query"])
    row("baseline search p50 / p95 ms", lambda r: "{p50_ms} / {p95_ms}".format(**r["baseline"]["query"]))
    row("peak RSS MB: raw / ours / baseline",
        lambda r: f"{r['raw']['peak_rss_mb']} / {r['ours']['peak_rss_mb']} / {r['baseline']['peak_rss_mb']}")
    row("ours RSS growth in ingest, MB", lambda r: r["ours"]["peak_rss_ingest_mb"] - r["ours"]["rss_after_load_mb"])
    row("baseline RSS growth in ingest, MB",
        lambda r: r["baseline"]["peak_rss_ingest_mb"] - r["baseline"]["rss_after_load_mb"])
    row("embed before/after: sentences", lambda r: r["raw"]["embedding_before_after"]["sentences"]["speedup"])
    row("embed before/after: chunks", lambda r: r["raw"]["embedding_before_after"]["chunks"]["speedup"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="corpus sizes in chunks")
    parser.add_argument("--systems", nargs="+", default=list(WORKERS), choices=list(WORKERS))
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for every system (1: stable figures on a shared machine)")
    parser.add_argument("--questions", type=int, default=30, help="timed questions per system")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep corpora and stores under this folder")
    parser.add_argument("--chroma-port", type=int, default=0, help="run 'ours' against a Chroma server on this port")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: reuse a kept corpus and store, and time only the questions")
    parser.add_argument("--max-seq-length", type=int, default=0,
                        help="embed only the first N word pieces of each text, in every system (a cheaper run to "
                        "build a large store; its figures are labelled)")
    parser.add_argument("--runtimes", nargs="+", default=["auto"], choices=["auto", "onnx", "torch"],
                        help="ingest runtimes of 'ours' (ASSISTANT_EMBED_RUNTIME), each its own run and store; the "
                        "first one is compared with the other systems")
    parser.add_argument("--runtime", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=list(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.corpus, args)))
        return 0

    base = args.keep or Path(tempfile.mkdtemp(prefix="assistant-scale-"))
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "threads": args.threads, "cpu_count": os.cpu_count(),
        "load_avg_at_start": os.getloadavg(), "python": platform.python_version(), "gpu": _gpu(),
        "seed": args.seed, "questions": args.questions, "server_mode": bool(args.chroma_port),
        "max_seq_length": args.max_seq_length or None, "runtimes": args.runtimes, "sizes": {},
    }
    try:
        for size in args.sizes:
            folder = base / f"corpus-{size}"
            t0 = time.perf_counter()
            if args.reuse and (folder / "corpus.json").exists():
                corpus = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
            else:
                if folder.exists():
                    shutil.rmtree(folder)
                corpus = make_corpus(folder, size, args.seed)
                (folder / "corpus.json").write_text(json.dumps(corpus), encoding="utf-8")
            print(f"[{size:,}] corpus: {corpus} in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
            entry: dict[str, Any] = {"corpus": corpus}
            for name in args.systems:
                for i, runtime in enumerate(args.runtimes if name == "ours" else ["auto"]):
                    key = name if i == 0 else f"{name}:{runtime}"
                    entry[key] = run_worker(name, folder, args, runtime)
                    print(f"[{size:,}] {key}: {json.dumps(entry[key])}", file=sys.stderr, flush=True)
            raw, ours, baseline = (entry.get(k, {}) for k in ("raw", "ours", "baseline"))
            entry["ratios"] = {
                "ours_vs_raw_encode": _ratio(ours.get("chunks_per_s"), raw.get("chunks_per_s")),
                "ours_vs_baseline_ingest": _ratio(ours.get("chunks_per_s"), baseline.get("chunks_per_s")),
                "baseline_vs_raw_encode": _ratio(baseline.get("chunks_per_s"), raw.get("chunks_per_s")),
                "ours_vs_raw_encode_cpu": _ratio(ours.get("chunks_per_cpu_s"), raw.get("chunks_per_cpu_s")),
                "ours_vs_baseline_ingest_cpu": _ratio(ours.get("chunks_per_cpu_s"), baseline.get("chunks_per_cpu_s")),
            }
            results["sizes"][str(size)] = entry
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    results["load_avg_at_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    if args.max_seq_length:
        print(f"Every system embedded only the first {args.max_seq_length} word pieces of each chunk.")
    print(f"\n{args.threads} torch thread(s), {os.cpu_count()} CPU(s); GPU: {results['gpu'] or 'none'}; "
          f"load average {results['load_avg_at_start'][0]:.1f} -> {results['load_avg_at_end'][0]:.1f}; JSON: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
