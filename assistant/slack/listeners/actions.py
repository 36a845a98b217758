"""The 👍/👎 buttons: each click is acked at once, appended to the feedback log and confirmed to the clicker."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...errors import AssistantError
from ...feedback import Vote, record_vote
from ..api import SLACK_ERRORS, api_error
from ..blocks import FEEDBACK_ACTION, parse_feedback_value
from ..bot import SlackBot
from ..mrkdwn import escape

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_sdk import WebClient

log = logging.getLogger(__name__)


def register(app: App, bot: SlackBot) -> None:
    """The feedback buttons of every answer."""

    @app.action(FEEDBACK_ACTION)
    def on_feedback(ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient) -> None:
        ack()
        record_click(bot, body, action, client)


def record_click(bot: SlackBot, body: Mapping[str, Any], action: Mapping[str, Any], client: WebClient) -> None:
    """Append a 👍/👎 click to the feedback log and confirm it (or say why not) to the clicker only."""
    vote: Vote = "up" if action.get("action_id") == "feedback_up" else "down"
    user = str((body.get("user") or {}).get("id") or "")
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    data = parse_feedback_value(action.get("value"))
    try:
        record_vote(bot.settings.feedback_path, vote=vote, user_id=user, question=data["question"],
                    searched=data["searched"], excerpt_ids=data["excerpt_ids"], channel=channel,
                    message_ts=message.get("ts") or container.get("message_ts"))
        reply = f"Thanks: your {'👍' if vote == 'up' else '👎'} is recorded."
    except AssistantError as e:
        log.error("%s", e)
        reply = f":warning: Your vote could not be recorded: {escape(str(e))}"
    except Exception as e:  # the edge: the clicker hears that the vote was lost, the log says why
        log.exception("recording a vote failed")
        reply = f":warning: Your vote could not be recorded ({escape(type(e).__name__)}); see the bot's log."
    if channel and user:
        try:
            client.chat_postEphemeral(channel=channel, user=user, text=reply,
                                      thread_ts=message.get("thread_ts") or container.get("thread_ts"))
        except SLACK_ERRORS as e:
            log.warning("could not confirm the vote to %s (%s)", user, api_error(e))
