"""The few errors the core raises. Each message says what went wrong and how to fix it.

Front ends (CLI, chat, Slack) catch ``AssistantError`` and show its message as one line.
"""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class: ``str(err)`` is a one-line message fit for a user."""


class ConfigError(AssistantError):
    """A setting is missing or wrong."""


class StoreError(AssistantError):
    """The vector store cannot be opened or used."""


class EmptyStoreError(StoreError):
    """No articles have been ingested yet."""

    def __init__(self, store: str) -> None:
        super().__init__(
            f"No articles in the store at {store}. Ingest some first: assistant ingest PATH "
            "(or try the bundled samples: assistant demo)."
        )


class QuestionError(AssistantError):
    """The question cannot be answered as asked."""


class IngestError(AssistantError):
    """One file (or one record of it) could not be ingested; other files go on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class LLMError(AssistantError):
    """The language model could not be reached or answered badly."""
