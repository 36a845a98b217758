"""The Slack tokens each mode needs, checked before anything starts, each error saying where to get it."""

from __future__ import annotations

import re
from typing import Any
from urllib.error import URLError

from ..config import Settings
from ..errors import ConfigError

_BOT_TOKEN_HOW = "add the app's Bot User OAuth Token (xoxb-…, under OAuth & Permissions) to .env or the environment."
_SIGNING_SECRET_HOW = "HTTP mode verifies requests with the app's Signing Secret (Basic Information > App Credentials)."
_APP_TOKEN_HOW = ("Socket Mode needs an app-level token (xapp-…, Basic Information > App-Level Tokens, scope "
                  "connections:write); or run `assistant slack --http` with SLACK_SIGNING_SECRET set.")


def _secret(value: Any, name: str, how: str) -> str:
    text = value.get_secret_value().strip() if value is not None else ""
    if not text:
        raise ConfigError(f"{name} is not set: {how} See docs/slack.md.")
    return str(text)


def bot_token(settings: Settings) -> str:
    """``SLACK_BOT_TOKEN``; ``ConfigError`` saying where to get it when it is not set."""
    return _secret(settings.slack_bot_token, "SLACK_BOT_TOKEN", _BOT_TOKEN_HOW)


def signing_secret(settings: Settings) -> str:
    """``SLACK_SIGNING_SECRET`` (HTTP mode); ``ConfigError`` saying where to get it when it is not set."""
    return _secret(settings.slack_signing_secret, "SLACK_SIGNING_SECRET", _SIGNING_SECRET_HOW)


def app_token(settings: Settings) -> str:
    """``SLACK_APP_TOKEN`` (Socket Mode); ``ConfigError`` when it is not set or is not an ``xapp-`` token."""
    token = _secret(settings.slack_app_token, "SLACK_APP_TOKEN", _APP_TOKEN_HOW)
    if not token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information > "
                          "App-Level Tokens), not a bot or user token. See docs/slack.md.")
    return token


def check_settings(settings: Settings, *, http: bool) -> None:
    """Raise ``ConfigError`` naming the missing or wrong token and where to get it."""
    bot_token(settings)
    if http:
        signing_secret(settings)
    else:
        app_token(settings)


def token_refused(url: str, error: Exception) -> ConfigError:
    """The error for a bot token that ``auth.test`` refused, with Slack's reason."""
    reason = re.search(r"'error': '([^']+)'", str(error))
    return ConfigError(
        f"Slack refused SLACK_BOT_TOKEN (auth.test: {reason.group(1) if reason else 'failed'}, at {url}). Copy the "
        "Bot User OAuth Token (xoxb-…) from OAuth & Permissions (reinstall the app after changing scopes); check "
        "SLACK_API_URL if you changed it. See docs/slack.md."
    )


def api_unreachable(url: str, error: OSError) -> ConfigError:
    """The error for a Web API that cannot be reached at all."""
    reason = error.reason if isinstance(error, URLError) else error
    return ConfigError(f"Cannot reach the Slack Web API at {url} ({type(error).__name__}: {reason}). "
                       "Check SLACK_API_URL and the network.")
