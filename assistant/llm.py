"""The optional chat model: LangChain ``ChatOpenAI`` against OpenAI or any compatible server."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .config import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """A configured ``ChatOpenAI``, or None when no key or base URL is set (offline mode)."""
    if not settings.llm_enabled:
        return None
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or SecretStr("not-needed"),  # local servers ignore the key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


def llm_failures() -> tuple[type[BaseException], ...]:
    """Exceptions that mean 'the model could not answer' (network, HTTP status, bad payload)."""
    import httpx
    import openai

    return (openai.OpenAIError, httpx.HTTPError, ValueError, KeyError, TypeError)


def describe_failure(err: BaseException) -> str:
    status = getattr(err, "status_code", None)
    kind = type(err).__name__
    detail = f"HTTP {status}" if status else kind
    if kind in ("APITimeoutError", "ReadTimeout", "TimeoutException"):
        detail = "timed out"
    elif kind == "APIConnectionError":
        detail = "connection failed"
    elif kind == "AuthenticationError":
        detail = "bad API key (check OPENAI_API_KEY)"
    elif kind == "RateLimitError":
        detail = "rate limited (HTTP 429)"
    return detail


def run_chat(
    model: BaseChatModel, messages: list[BaseMessage], on_token: Callable[[str], None] | None = None
) -> str:
    """The model's reply; streamed token by token to ``on_token`` when given."""
    if on_token is None:
        reply = model.invoke(messages)
        return reply.text if hasattr(reply, "text") and isinstance(reply.text, str) else str(reply.content)
    parts: list[str] = []
    for chunk in model.stream(messages):
        piece = chunk.text if isinstance(getattr(chunk, "text", None), str) else str(chunk.content)
        if piece:
            parts.append(piece)
            on_token(piece)
    return "".join(parts)
