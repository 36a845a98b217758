"""A Slack thread as the conversation: its earlier messages become the core's history turns.

This is the one place that knows what a turn holds, so a change to ``Assistant.ask(history=...)`` is a
change here only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..answer import AnswerCache, Turn, thread_turns
from .api import SLACK_ERRORS, api_error
from .mrkdwn import slack_to_text

if TYPE_CHECKING:
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

HISTORY_PAGES = 5  # conversations.replies pages read for a thread (200 messages each)
ANSWERED_SUBTYPES = (None, "thread_broadcast", "file_share")  # human messages the bot answers


def is_status(text: str) -> bool:
    """The bot's placeholder or a warning: not an answer a later turn should read back."""
    return text.startswith((":mag:", ":warning:"))


def thread_history(
    messages: Iterable[Mapping[str, Any]],
    *,
    current_ts: str,
    bot_user_id: str | None,
    bot_id: str | None,
    in_dm: bool,
    answers: AnswerCache | None = None,
    channel: str = "",
) -> list[Turn]:
    """Earlier (question, answer) turns of a thread, oldest first, from ``conversations.replies`` messages.

    Questions are the human messages before ``current_ts`` that mention the bot (any human message in a
    DM); an answer is the bot's next message. Placeholders, warnings and other bots are skipped. Where the
    bot still holds the ``Answer`` it posted (``answers``, by channel and message ts), the turn carries it,
    so "the other outlet" or "who said that?" resolve from its sources and claims.
    """
    pairs: list[list[str | None]] = []
    for m in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        ts = m.get("ts")
        if ts is None or float(ts) >= float(current_ts):
            continue
        text = str(m.get("text") or "")
        own = (bot_user_id is not None and m.get("user") == bot_user_id) or (
            bot_id is not None and m.get("bot_id") == bot_id)
        if own:
            if pairs and not pairs[-1][1] and not is_status(text):
                pairs[-1][1] = slack_to_text(text, bot_user_id)
                pairs[-1][2] = str(ts)
            continue
        if m.get("bot_id") or m.get("subtype") not in ANSWERED_SUBTYPES:
            continue
        if not in_dm and not (bot_user_id and f"<@{bot_user_id}" in text):
            continue
        question = slack_to_text(text, bot_user_id)
        if question:
            pairs.append([question, "", None])
    exchanges = [(str(q), ts, str(a)) for q, a, ts in pairs]
    return thread_turns(exchanges, answers or AnswerCache(capacity=0), channel)


def read_thread(client: WebClient, channel: str, thread_ts: str) -> list[Mapping[str, Any]]:
    """The thread's messages, at most ``HISTORY_PAGES`` pages; those read so far when Slack refuses more."""
    messages: list[Mapping[str, Any]] = []
    cursor: str | None = None
    try:
        for _ in range(HISTORY_PAGES):
            resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200, cursor=cursor)
            messages += resp.get("messages") or []
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
    except SLACK_ERRORS as e:
        log.warning("could not read the thread history in %s (%s); answering without it", channel, api_error(e))
    return messages
