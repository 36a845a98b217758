"""Every listener of the bot, wired by ``register(app, bot)``; shared by Socket Mode and HTTP mode."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..bot import SlackBot
from . import actions, events

if TYPE_CHECKING:
    from slack_bolt import App

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    """The repeated-delivery filter, mentions and DMs, the feedback buttons, and a log line for any failure."""
    events.register(app, bot)
    actions.register(app, bot)

    @app.error
    def on_error(error: Exception) -> None:
        log.error("a Slack listener failed: %s", type(error).__name__, exc_info=error)
