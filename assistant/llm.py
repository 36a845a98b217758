"""The optional chat model: LangChain ``ChatOpenAI`` against OpenAI or any compatible server."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .config import Settings
from .errors import LLMError

if TYPE_CHECKING:
    import httpx
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """A configured ``ChatOpenAI``, or None when no key or base URL is set (offline mode)."""
    if not settings.llm_enabled:
        return None
    import httpx
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    wait_cap = min(settings.llm_timeout_s, MAX_RETRY_WAIT_S)

    def cap_sync(response: httpx.Response) -> None:
        cap_retry_after(response, wait_cap)

    async def cap_async(response: httpx.Response) -> None:
        cap_retry_after(response, wait_cap)

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or SecretStr("not-needed"),  # local servers ignore the key
        base_url=settings.openai_base_url,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        http_client=httpx.Client(event_hooks={"response": [cap_sync]}, follow_redirects=True),
        http_async_client=httpx.AsyncClient(event_hooks={"response": [cap_async]}, follow_redirects=True),
    )


MAX_RETRY_WAIT_S = 5.0  # the longest a retry waits, whatever a server's Retry-After asks for


def cap_retry_after(response: httpx.Response, cap_s: float) -> None:
    """Bound the wait the OpenAI client takes from ``Retry-After`` (it honours up to 60 s) to ``cap_s``.

    A rate-limited server may ask for minutes; a question should get its extractive answer instead.
    """
    if "retry-after" not in response.headers and "retry-after-ms" not in response.headers:
        return
    wait = cap_s
    try:
        if "retry-after-ms" in response.headers:
            wait = float(response.headers["retry-after-ms"]) / 1000
        else:
            wait = float(response.headers["retry-after"])
    except ValueError:
        pass  # an HTTP date or garbage: use the cap
    response.headers.pop("retry-after-ms", None)
    response.headers["retry-after"] = f"{max(0.0, min(wait, cap_s)):.3f}"


def llm_failures() -> tuple[type[BaseException], ...]:
    """Exceptions that mean 'the model could not answer' (network, HTTP status, bad payload)."""
    import httpx
    import openai

    return (openai.OpenAIError, httpx.HTTPError, LLMError, ValueError, KeyError, TypeError)


def describe_failure(err: BaseException) -> str:
    """A few words on why the model call failed, for a one-line notice."""
    names = {cls.__name__ for cls in type(err).__mro__}
    status = getattr(err, "status_code", None)
    if any("Timeout" in n for n in names):
        return "timed out"
    if "AuthenticationError" in names:
        return "bad API key (check OPENAI_API_KEY)"
    if "RateLimitError" in names:
        return "rate limited (HTTP 429)"
    if "APIConnectionError" in names or "ConnectError" in names:
        return "connection failed"
    if isinstance(err, LLMError):
        return str(err)
    if status:
        return f"HTTP {status}"
    if names & {"APIResponseValidationError", "ValueError", "KeyError", "TypeError"}:
        return "malformed reply from the model server"
    return type(err).__name__


def run_chat(
    model: BaseChatModel, messages: list[BaseMessage], on_token: Callable[[str], None] | None = None
) -> str:
    """The model's reply; streamed token by token to ``on_token`` when given.

    Each request times out after the model's ``timeout`` (no byte for that long) and is retried
    ``max_retries`` times by the OpenAI client. A stream that keeps trickling is cut off once it has run
    for ``timeout * (max_retries + 1)`` seconds in all (``LLMError``), so no reply takes longer.
    """
    if on_token is None:
        reply = model.invoke(messages)
        return reply.text if hasattr(reply, "text") and isinstance(reply.text, str) else str(reply.content)
    timeout = getattr(model, "request_timeout", None)
    budget = float(timeout) * (int(getattr(model, "max_retries", 0) or 0) + 1) if isinstance(
        timeout, (int, float)) else None
    started = time.monotonic()
    parts: list[str] = []
    stream = model.stream(messages)
    try:
        for chunk in stream:
            piece = chunk.text if isinstance(getattr(chunk, "text", None), str) else str(chunk.content)
            if piece:
                parts.append(piece)
                on_token(piece)
            if budget is not None and time.monotonic() - started > budget:
                raise LLMError(f"timed out: the reply was still streaming after {budget:g} s")
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return "".join(parts)
