"""The Slack Web API as the bot uses it: its base URL, the errors a call raises, and their names for the log."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

from ..config import Settings

# What a Web API call raises when Slack refuses it (SlackApiError), the client gives up (SlackRequestError) or
# the network fails (URLError, TimeoutError: both OSError). Anything else is a bug and is not caught.
SLACK_ERRORS: tuple[type[Exception], ...] = (SlackClientError, OSError)


def api_url(settings: Settings) -> str:
    """``SLACK_API_URL`` with its trailing slash (slack_sdk joins method names onto it)."""
    url = settings.slack_api_url.strip() or "https://slack.com/api/"
    return url if url.endswith("/") else url + "/"


def api_error(err: BaseException) -> str:
    """Slack's error code (``invalid_blocks``, ``channel_not_found``...) or the exception's type name."""
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or type(err).__name__)
    return type(err).__name__
