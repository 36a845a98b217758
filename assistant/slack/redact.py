"""The bot's log: lines on stderr with every configured secret replaced by ``[redacted]``, and filters."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from ..config import Settings

_NOISY = ("slack_sdk.web", "urllib3", "httpx", "chromadb", "sentence_transformers", "uvicorn.error")


class DropMessages(logging.Filter):
    """Drops the records whose message contains ``fragment`` (a library's warning that is expected here)."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


class RedactSecrets(logging.Filter):
    """Replaces the given secrets in log records (messages, arguments and tracebacks)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold: the Slack tokens, the signing secret and the OpenAI key."""
    values = (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
              settings.openai_api_key)
    return [v.get_secret_value() for v in values if v is not None]


def configure_logging(settings: Settings, debug: bool = False) -> None:
    """Log lines to stderr with every configured secret redacted; the libraries' chatter only with ``debug``."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not debug:
        for noisy in _NOISY:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    redact = RedactSecrets(settings_secrets(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
