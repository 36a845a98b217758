"""Mentions and DMs: each is answered once, in its thread, with the thread as the conversation.

The listener only filters and hands the message to the bot's answer pool; the answer first posts a
placeholder, asks the core and replaces the placeholder with the blocks (or a ``:warning:`` with the reason).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import AssistantError
from ...render import answer_text
from ...schema import Answer
from ..api import SLACK_ERRORS, api_error
from ..blocks import SECTION_CHARS, answer_blocks, fallback_text
from ..bot import SlackBot
from ..history import ANSWERED_SUBTYPES, read_thread, thread_history
from ..mrkdwn import clip, escape, slack_to_text

if TYPE_CHECKING:
    from slack_bolt import App, BoltContext, BoltResponse
    from slack_bolt.request import BoltRequest
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

PLACEHOLDER = ":mag: Searching the articles…"
HELP = ('Ask me a question about the ingested articles, e.g. "Was Israel consulted?" — I answer with '
        "verbatim quotes from each source.")

Reply = tuple[str, list[dict[str, Any]], str | None]  # notification text, blocks, plain-text fallback


@dataclass(frozen=True)
class Message:
    """A human message the bot answers, and where its answer goes."""

    channel: str
    ts: str
    thread_ts: str
    text: str
    bot_user_id: str | None
    bot_id: str | None
    in_dm: bool


def register(app: App, bot: SlackBot) -> None:
    """The repeated-delivery filter, ``app_mention`` and ``message`` (DMs)."""
    from slack_bolt import BoltResponse

    @app.middleware
    def drop_repeated_deliveries(body: dict[str, Any], request: BoltRequest, response: BoltResponse,
                                 next: Callable[[], None]) -> BoltResponse:
        if not bot.is_new_delivery(body, request.headers):
            return BoltResponse(status=200, body="")
        next()
        return response

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        take_up(bot, event, client, context, in_dm=False)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") == "im":
            take_up(bot, event, client, context, in_dm=True)


def take_up(bot: SlackBot, event: Mapping[str, Any], client: WebClient, context: BoltContext, *,
            in_dm: bool) -> None:
    """Queue an answer to a person's new message; ignore bots (this one included), edits and repeats."""
    if event.get("bot_id") or event.get("subtype") not in ANSWERED_SUBTYPES:
        return
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not user or user == context.bot_user_id or not channel or not ts:
        return
    if not bot.is_new_message(str(channel), str(ts)):
        return
    message = Message(channel=str(channel), ts=str(ts), thread_ts=str(event.get("thread_ts") or ts),
                      text=str(event.get("text") or ""), bot_user_id=context.bot_user_id, bot_id=context.bot_id,
                      in_dm=in_dm)
    bot.submit(answer, bot, client, message)


def answer(bot: SlackBot, client: WebClient, message: Message) -> None:
    """Post a placeholder in the thread, ask, and replace it with the answer (or a ``:warning:``)."""
    placeholder: str | None = None
    try:
        placeholder = str(client.chat_postMessage(channel=message.channel, thread_ts=message.thread_ts,
                                                  text=PLACEHOLDER)["ts"])
    except SLACK_ERRORS as e:  # the answer is still posted below
        log.warning("could not post the progress message in %s: %s", message.channel, api_error(e))
    result: Answer | None = None
    try:
        reply, result = _reply(bot, client, message)
    except AssistantError as e:
        reply = (f":warning: {escape(str(e))}", [], None)
    except Exception as e:  # the edge: whatever broke, the asker gets a reason, never silence
        log.exception("answering in %s failed", message.channel)
        reply = (f":warning: Sorry, answering failed ({escape(type(e).__name__)}: {escape(clip(str(e), 200))}). "
                 "Try again; if it keeps failing, check the bot's log.", [], None)
    show(client, message, placeholder, reply)
    if placeholder and result is not None:
        bot.posted.put(message.channel, placeholder, result)  # a follow-up in the thread reads it back


def _reply(bot: SlackBot, client: WebClient, message: Message) -> tuple[Reply, Answer | None]:
    question = slack_to_text(message.text, message.bot_user_id)
    if not question:
        return (HELP, [], None), None
    history = thread_history(
        read_thread(client, message.channel, message.thread_ts), current_ts=message.ts,
        bot_user_id=message.bot_user_id, bot_id=message.bot_id, in_dm=message.in_dm,
        answers=bot.posted, channel=message.channel,
    ) if message.thread_ts != message.ts else []  # a new thread has no history to read
    result = bot.ask(question, history=history)
    return (fallback_text(result), answer_blocks(result), answer_text(result)), result


def show(client: WebClient, message: Message, placeholder: str | None, reply: Reply) -> None:
    """Show the final message: update the placeholder, else post; fall back to plain text; never raise."""
    text, blocks, plain = reply
    attempts = [(text, blocks)]
    if blocks:
        attempts.append((escape(clip(plain or text, SECTION_CHARS)), []))
    channel, thread_ts = message.channel, message.thread_ts
    for body, body_blocks in attempts:
        try:
            if placeholder:
                client.chat_update(channel=channel, ts=placeholder, text=body, blocks=body_blocks)
            else:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=body, blocks=body_blocks or None)
            return
        except SLACK_ERRORS as e:
            log.warning("Slack refused the reply in %s (%s)%s", channel, api_error(e),
                        "; retrying as plain text" if body_blocks else "")
    if placeholder:  # the update failed: a fresh message may still get through
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                    text=":warning: The answer could not be shown here; see the bot's log.")
        except SLACK_ERRORS as e:
            log.error("could not reply in %s at all (%s)", channel, api_error(e))
