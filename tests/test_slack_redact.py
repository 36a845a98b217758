"""The bot's log never shows a configured secret: not in a message, an argument or a traceback."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import SecretStr

from assistant.config import Settings
from assistant.slack.redact import RedactSecrets, settings_secrets

BOT_TOKEN = "xoxb-test-4242424242-SECRETBOTTOKENVALUE"
SIGNING_SECRET = "signing-secret-for-tests-0123456789"


def test_log_handler_redacts_configured_secrets(tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    settings = Settings(slack_bot_token=SecretStr(BOT_TOKEN), slack_signing_secret=SecretStr(SIGNING_SECRET),
                        _env_file=None)
    handler.addFilter(RedactSecrets(settings_secrets(settings)))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("token %s in an argument", BOT_TOKEN)
        try:
            raise ValueError(f"secret {SIGNING_SECRET} in an exception")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert text.count("[redacted]") == 2 and "ValueError" in text
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text
