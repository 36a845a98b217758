"""Every knob of the assistant in one typed object, read once at the edge and passed down.

Each field can be set from the environment with the ``ASSISTANT_`` prefix (``ASSISTANT_STORE_DIR``) or
from a ``.env`` file in the working directory. A few well-known variables are accepted as fallbacks
(``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``SLACK_BOT_TOKEN``, ...).
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
SAMPLES_DIR = PACKAGE_DIR / "samples"
PROMPTS_DATA = Path("share", "assistant", "prompts")  # where a wheel installs prompts/ (pyproject data-files)
CHROMA_DB_FILE = "chroma.sqlite3"  # the database an embedded Chroma store keeps in its folder


def _prompts_dir() -> Path:
    """The project's ``prompts/``: beside the package in a checkout (or an editable install), else where the
    wheel put it under the environment's (or the user's) data folder."""
    candidates = [PACKAGE_DIR.parent / "prompts"] + [
        Path(sysconfig.get_path("data", scheme)) / PROMPTS_DATA
        for scheme in dict.fromkeys([sysconfig.get_default_scheme(), f"{os.name}_user"])
        if scheme in sysconfig.get_scheme_names()
    ]
    return next((path for path in candidates if (path / "system.md").is_file()), candidates[0])


DEFAULT_PROMPTS_DIR = _prompts_dir()


def default_data_dir() -> Path:
    return user_data_path("assistant", appauthor=False)


def _env(name: str, *fallbacks: str) -> AliasChoices:
    return AliasChoices(f"ASSISTANT_{name.upper()}", name, *fallbacks)


class Settings(BaseSettings):
    """All settings. Secrets are ``SecretStr`` so that printing settings never shows them."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- store -------------------------------------------------------------------------------------
    store_dir: Path = Field(
        default_factory=lambda: default_data_dir() / "store",
        description="Directory of the embedded Chroma store.",
    )
    collection: str = Field("news", description="Name prefix of the Chroma collections.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_timeout_s: float = Field(
        60.0, gt=0, description="Seconds to wait for one answer from a Chroma server before giving up."
    )

    # --- embeddings --------------------------------------------------------------------------------
    embedding_provider: Literal["local", "openai"] = Field(
        "local", description="'local' = bundled all-MiniLM-L6-v2 (offline); 'openai' = OpenAI embeddings."
    )
    openai_embedding_model: str = Field("text-embedding-3-small", description="Model for provider 'openai'.")
    embed_batch_size: int = Field(
        256, ge=1, description="Texts per embedding call (ingest writes 4x this per batch; the local model runs "
        "them sorted by length, 32 at a time with torch, one by one with ONNX)."
    )
    torch_threads: int = Field(
        0, ge=0, description="CPU threads of the local embedding model (ONNX Runtime or torch); 0 = the runtime's "
        "default for questions, one per CPU for ingest (which runs that many batches side by side, one thread each)."
    )
    embed_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="Runtime that embeds ingested chunks: 'auto' = torch where it is faster (a GPU, or a "
        "CPU with native bfloat16; needs the torch extra), else ONNX; 'onnx'; or 'torch' (then questions too). "
        "Questions are embedded with ONNX otherwise, so asking never loads torch."
    )
    embed_int8: Literal["on", "off"] = Field(
        "on", description="With ONNX, embed ingested chunks with int8 matrix products (built once, cached): ~1.5x "
        "faster, vectors within cosine 0.99 (mean 0.997) of float32 (measured). 'off' = float32 "
        "products, as questions are always embedded."
    )
    embed_bf16: Literal["auto", "on", "off"] = Field(
        "auto", description="With torch on the CPU, embed ingested chunks in bfloat16: ~2.2x faster, vectors "
        "within cosine 0.9999 of float32 (measured). 'auto' = on CPUs that compute bf16 natively (AVX-512 BF16, AMX)."
    )

    # --- ingestion ---------------------------------------------------------------------------------
    chunk_chars: int = Field(800, ge=100, description="Target chunk size in characters.")
    chunk_overlap_chars: int = Field(100, ge=0, description="Overlap between neighbouring chunks.")
    max_file_mb: float = Field(
        20.0,
        gt=0,
        description="One article larger than this is refused: a file (inflated, for .gz), a fetched page, or one "
        "record of a JSONL feed (feeds are streamed, so a feed file may be larger).",
    )
    fetch_timeout_s: float = Field(
        20.0, gt=0, description="Seconds one link or feed may take to download before it is skipped."
    )
    fetch_max_redirects: int = Field(5, ge=0, description="Redirects followed for one link before it is skipped.")
    pages_dir: Path | None = Field(
        None, description="Folder where fetched pages are kept (a re-ingest reads them, quotes stay checkable); "
        "unset = <store_dir>/pages."
    )

    # --- retrieval and answers ---------------------------------------------------------------------
    max_sources: int = Field(8, ge=1, description="Most sources shown in one answer.")
    max_excerpts_per_source: int = Field(3, ge=1, description="Most quotes shown per source.")
    min_relevance: float = Field(0.42, description="A source covers the question above this score.")
    excerpt_vectors: int = Field(
        0, ge=0, description="Candidate sentences per source embedded to pick excerpts by meaning (~10 ms each "
        "on one CPU thread); 0 = by words and their chunk's similarity only."
    )
    retrieval_mode: Literal["hybrid", "dense", "keyword"] = Field(
        "hybrid", description="'hybrid' = BM25 + vectors (merged as 'fusion' says); or one of them alone."
    )
    keyword_dir: Path | None = Field(
        None, description="Folder of the BM25 keyword index; unset = <store_dir>/bm25 (needed with a Chroma server)."
    )
    keyword_candidates: int = Field(100, ge=1, description="Articles taken from the keyword index per question.")
    dense_candidates: int = Field(100, ge=1, description="Chunks taken from the vector index per question.")
    fusion: Literal["score", "rrf"] = Field(
        "score", description="How the keyword and vector lists are merged: 'score' = BM25 / best BM25 + "
        "dense_weight x cosine; 'rrf' = reciprocal-rank fusion."
    )
    dense_weight: float = Field(0.5, ge=0, description="Weight of the best chunk's cosine in 'score' fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank fusion constant: score = sum of w / (rrf_k + rank).")
    rrf_dense_weight: float = Field(
        0.5, ge=0, description="Weight w of the vector list in the fusion (the keyword list has 1)."
    )
    recency_half_life_days: float = Field(
        14.0, gt=0, description="With a reference date (--as-of): age at which the recency boost halves."
    )
    recency_weight: float = Field(
        0.3, ge=0, description="With a reference date (--as-of): largest recency boost (0.3 = +30% for a same-day "
        "article).")
    date_phrase_weight: float = Field(
        0.2, ge=0, description="Boost for articles inside a date the question names ('this week', 'on March 6')."
    )
    future_slack_days: int = Field(
        2, ge=0, description="Articles dated after the reference date + this many days are ranked down."
    )

    # --- LLM (optional) ----------------------------------------------------------------------------
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=_env("openai_api_key", "OPENAI_API_KEY"), description="Enables LLM mode."
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=_env("openai_base_url", "OPENAI_BASE_URL"),
        description="OpenAI-compatible server (Ollama, vLLM, llama.cpp); enables LLM mode.",
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model name.")
    llm_temperature: float = Field(0.0, description="Sampling temperature.")
    llm_timeout_s: float = Field(30.0, gt=0, description="Timeout of one LLM request.")
    llm_max_retries: int = Field(1, ge=0, description="Retries of a failed LLM request.")
    prompts_dir: Path = Field(
        default_factory=lambda: DEFAULT_PROMPTS_DIR, description="Folder of the prompt files.",
        json_schema_extra={"shown_default": "(the prompts installed with the package)"},
    )

    # --- chat --------------------------------------------------------------------------------------
    history_turns: int = Field(6, ge=0, description="Conversation turns kept as memory.")
    history_path: Path = Field(
        default_factory=lambda: default_data_dir() / "chat_history",
        description="Prompt history of `assistant chat` (Up/Down recall across sessions).",
    )

    # --- slack -------------------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=_env("slack_bot_token", "SLACK_BOT_TOKEN"),
        description="Slack Bot User OAuth Token (xoxb-...); needed by `assistant slack`.",
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=_env("slack_app_token", "SLACK_APP_TOKEN"),
        description="Slack app-level token (xapp-..., scope connections:write) for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=_env("slack_signing_secret", "SLACK_SIGNING_SECRET"),
        description="Slack Signing Secret; verifies requests in HTTP mode (`assistant slack --http`).",
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=_env("slack_api_url", "SLACK_API_URL"),
        description="Slack Web API base URL (a local fake in tests).",
    )
    feedback_path: Path = Field(
        default_factory=lambda: default_data_dir() / "feedback.jsonl",
        description="JSONL log of 👍/👎 clicks.",
    )

    @property
    def llm_enabled(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def store_created(self) -> bool:
        """False when no embedded store was ever created at ``store_dir`` (nothing ingested yet); True with a
        Chroma server, which is not asked. Opens nothing, so a prompt need not wait for it."""
        return bool(self.chroma_host) or (Path(self.store_dir).expanduser() / CHROMA_DB_FILE).exists()

    @property
    def embedding_id(self) -> str:
        """Names the embedding model family; a store remembers it and refuses another. The runtime is not part
        of it: ONNX int8 and torch vectors of MiniLM agree within cosine 0.998 and share a store."""
        if self.embedding_provider == "openai":
            return f"openai:{self.openai_embedding_model}"
        return "local:all-MiniLM-L6-v2"
