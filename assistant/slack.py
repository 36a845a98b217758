"""``assistant slack``: a Slack bot that answers mentions and DMs in threads with per-source cited excerpts.

A thin front end over ``Assistant.ask``: Bolt acks each event at once, a bounded worker pool posts a
placeholder in the thread, asks the core (one question at a time, with the thread's earlier messages as
history) and replaces the placeholder via ``chat.update`` with Block Kit built by the pure
``answer_blocks``. Errors become a short ``:warning:`` reply. Listeners are wired in ``register(app, bot)``
and shared by Socket Mode (``SLACK_APP_TOKEN``) and HTTP mode (``--http``, signed requests, ``/health``).
"""

from __future__ import annotations

import json
import logging
import re
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from .config import Settings
from .errors import AssistantError, ConfigError
from .feedback import Vote, answer_excerpt_ids, record_vote
from .render import answer_text, filters_text, source_label
from .schema import Answer, Excerpt, SourceAnswer

if TYPE_CHECKING:
    from slack_bolt import App, BoltContext, BoltResponse
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_bolt.request import BoltRequest
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks) and ours.
SECTION_CHARS = 3000  # text of a section or of a context element
MAX_BLOCKS = 50  # blocks in one message
MAX_BLOCK_TEXT_CHARS = 12_000  # all excerpt sections together: a readable message, far below Slack's caps
BUTTON_VALUE_CHARS = 1900  # Slack allows 2000
FALLBACK_CHARS = 600  # the notification text of a message with blocks

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/health", "/healthz")
MAX_BODY_BYTES = 1_000_000
REQUEST_TIMEOUT_S = 15.0
DEFAULT_WORKERS = 4
SEEN_CAPACITY = 10_000  # event ids / messages remembered to drop repeated deliveries
HISTORY_PAGES = 5  # conversations.replies pages read for a thread (200 messages each)

PLACEHOLDER = ":mag: Searching the articles…"
HELP = ('Ask me a question about the ingested articles, e.g. "Was Israel consulted?" — I answer with '
        "verbatim quotes from each source.")
FEEDBACK_ACTION = re.compile(r"^feedback_(up|down)$")
_ANSWERED_SUBTYPES = (None, "thread_broadcast", "file_share")

Turn = tuple[str, str]


class Asker(Protocol):
    """What the bot needs of the core: ``Assistant`` satisfies it."""

    def ask(self, question: str, *, history: Sequence[Turn] = ...) -> Answer: ...


# -- Slack text in and out -------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with an ellipsis, never inside an ``&amp;``-style entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([a-z_]+)(?:\^[^|>]*)?(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def slack_to_text(text: str, bot_user_id: str | None = None) -> str:
    """Plain text of a Slack message: the bot's mention removed, other markup and escapes resolved."""

    def user(m: re.Match[str]) -> str:
        return "" if m.group(1) == bot_user_id else "@" + (m.group(2) or "someone")

    text = _USER.sub(user, text or "")
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or "channel"), text)
    text = _SPECIAL.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"https?://", url) or re.search(r"[\s<>|]", url):
        return None
    return url.replace("&", "&amp;")


# -- Block Kit ---------------------------------------------------------------------------------------


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SECTION_CHARS), "verbatim": True}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text, SECTION_CHARS), "verbatim": True}]}


def _source_heading(source: SourceAnswer) -> str:
    name = escape(_clip(source.outlet or source.title or "unknown outlet", 150))
    if source.outlet and source.title:
        name += " — " + escape(_clip(source.title, 200))
    url = _safe_url(source.url)
    heading = f"*[{source.n}] <{url}|{name}>*" if url else f"*[{source.n}] {name}*"
    if source.date:
        heading += f" · {escape(source.date[:40])}"
    return heading


def _excerpt_line(excerpt: Excerpt) -> str:
    return f"> *[{excerpt.n}]* “{escape(' '.join(excerpt.quote.split()))}”"


def _source_sections(source: SourceAnswer) -> list[tuple[str, int]]:
    """The section texts (each within ``SECTION_CHARS``) of one source, with how many excerpts each holds."""
    heading = _source_heading(source)
    continued = f"*[{source.n}] (continued)*"
    room = SECTION_CHARS - max(len(heading), len(continued)) - 1
    out: list[tuple[str, int]] = []
    text, count = heading, 0
    for excerpt in source.excerpts:
        line = _clip(_excerpt_line(excerpt), room)
        if count and len(text) + 1 + len(line) > SECTION_CHARS:
            out.append((text, count))
            text, count = continued, 0
        text += "\n" + line
        count += 1
    out.append((text, count))
    return out


def feedback_value(answer: Answer) -> str:
    """The button value: the question and the shown excerpts' ids as compact JSON within Slack's limit."""
    ids = answer_excerpt_ids(answer)
    data: dict[str, Any] = {"q": answer.question, "x": ids}
    if answer.standalone_question:
        data["s"] = answer.standalone_question

    def dump() -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    while len(dump()) > BUTTON_VALUE_CHARS and data["x"]:
        data["x"] = data["x"][:-1]
    for key in ("s", "q"):
        if len(dump()) > BUTTON_VALUE_CHARS and key in data:
            data[key] = data[key][: max(0, len(data[key]) - (len(dump()) - BUTTON_VALUE_CHARS) - 1)] + "…"
    return dump()


def parse_feedback_value(value: str | None) -> dict[str, Any]:
    """The button value back as ``{"question", "searched", "excerpt_ids"}`` (empty fields when unreadable)."""
    try:
        data = json.loads(value or "{}")
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    ids = data.get("x")
    return {
        "question": str(data.get("q") or ""),
        "searched": str(data["s"]) if data.get("s") else None,
        "excerpt_ids": [str(i) for i in ids] if isinstance(ids, list) else [],
    }


def _feedback_block(answer: Answer) -> dict[str, Any]:
    value = feedback_value(answer)

    def button(action: str, label: str, description: str) -> dict[str, Any]:
        return {"type": "button", "action_id": f"feedback_{action}", "value": value,
                "text": {"type": "plain_text", "text": label, "emoji": True}, "accessibility_label": description}

    return {"type": "actions", "block_id": "feedback",
            "elements": [button("up", "👍", "Helpful answer"), button("down", "👎", "Unhelpful answer")]}


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """Block Kit for an answer, always within Slack's limits (≤ 50 blocks, section text ≤ 3000 chars).

    Order: the rewritten question (follow-ups), the LLM answer, the summary, the disagreement note, one
    section per covering source (outlet, title, date, link; its quotes as Slack quotes with [n]), an
    "…and N more excerpts" line when some did not fit, the sources that do not cover the question, the
    date/outlet filters applied ("Filters: ..."), notes, and 👍/👎 buttons. Article text is escaped.
    """
    head: list[dict[str, Any]] = []
    if answer.standalone_question:
        head.append(_context(f"_Searched for:_ {escape(answer.standalone_question)}"))
    if answer.answer:
        head.append(_section(escape(answer.answer).replace("**", "*")))
    head.append(_section(f"*{escape(answer.summary)}*" if answer.summary else "*Answer*"))
    if answer.disagreement_note:
        head.append(_section(f":scales: {escape(answer.disagreement_note)}"))

    tail: list[dict[str, Any]] = []
    missing = [s for s in answer.sources if not s.covers]
    if missing:
        prefix = "Searched, but do not address the question: "
        labels: list[str] = []
        for i, source in enumerate(missing):
            label = escape(_clip(source_label(source), 200))
            rest = len(missing) - i
            if len(prefix) + len("; ".join([*labels, label])) + 40 > SECTION_CHARS:
                labels.append(f"…and {rest} more")
                break
            labels.append(label)
        tail.append(_context(prefix + "; ".join(labels)))
    filters = filters_text(answer)
    if filters:
        tail.append(_context(escape(filters)))
    if answer.notices:
        tail.append(_context("\n".join(f"_note:_ {escape(n)}" for n in answer.notices)))
    tail.append(_feedback_block(answer))

    room_blocks = MAX_BLOCKS - len(head) - len(tail) - 1  # one left for the "…and N more" line
    middle: list[dict[str, Any]] = []
    covering = answer.covering
    total = sum(len(s.excerpts) for s in covering)
    shown = chars = 0
    shown_sources = 0
    full = False
    for source in covering:
        for text, count in _source_sections(source):
            if len(middle) >= room_blocks or (middle and chars + len(text) > MAX_BLOCK_TEXT_CHARS):
                full = True
                break
            middle.append(_section(text))
            chars += len(text)
            shown += count
        if full:
            break
        shown_sources += 1
    hidden = total - shown
    if hidden:
        more_sources = len(covering) - shown_sources
        where = f" from {more_sources} source(s)" if more_sources > 1 else ""
        middle.append(_context(
            f"…and {hidden} more excerpt{'s' if hidden != 1 else ''}{where} not shown here; "
            "ask a narrower question, or run `assistant ask` to see all of them."
        ))
    return head + middle + tail


def fallback_text(answer: Answer) -> str:
    """The message's notification text (and what a later turn reads back as this answer)."""
    text = answer.answer or answer.summary
    if not answer.answer and answer.excerpts:
        text += " " + " ".join(f"[{e.n}] “{e.quote}”" for e in answer.excerpts[:2])
    return escape(_clip(text, FALLBACK_CHARS))


# -- conversation memory from a thread ----------------------------------------------------------------


def _is_status(text: str) -> bool:
    return text.startswith((":mag:", ":warning:"))


def thread_history(
    messages: Iterable[Mapping[str, Any]],
    *,
    current_ts: str,
    bot_user_id: str | None,
    bot_id: str | None,
    in_dm: bool,
) -> list[Turn]:
    """Earlier (question, answer) turns of a thread, oldest first, from ``conversations.replies`` messages.

    Questions are the human messages before ``current_ts`` that mention the bot (any human message in a
    DM); an answer is the bot's next message. Placeholders, warnings and other bots are skipped.
    """
    turns: list[list[str]] = []
    for m in sorted(messages, key=lambda m: float(m.get("ts") or 0)):
        ts = m.get("ts")
        if ts is None or float(ts) >= float(current_ts):
            continue
        text = str(m.get("text") or "")
        own = (bot_user_id is not None and m.get("user") == bot_user_id) or (
            bot_id is not None and m.get("bot_id") == bot_id)
        if own:
            if turns and not turns[-1][1] and not _is_status(text):
                turns[-1][1] = slack_to_text(text, bot_user_id)
            continue
        if m.get("bot_id") or m.get("subtype") not in _ANSWERED_SUBTYPES:
            continue
        if not in_dm and not (bot_user_id and f"<@{bot_user_id}" in text):
            continue
        question = slack_to_text(text, bot_user_id)
        if question:
            turns.append([question, ""])
    return [(q, a) for q, a in turns]


# -- the bot -------------------------------------------------------------------------------------------


class SeenIds:
    """A bounded, thread-safe set of recently seen ids (oldest forgotten first)."""

    def __init__(self, capacity: int = SEEN_CAPACITY) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was already there."""
        with self._lock:
            if key in self._ids:
                self._ids.move_to_end(key)
                return False
            self._ids[key] = None
            while len(self._ids) > self.capacity:
                self._ids.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._ids)


def _api_error(err: Exception) -> str:
    response = getattr(err, "response", None)
    try:
        return str(response["error"]) if response is not None else type(err).__name__
    except (KeyError, TypeError):
        return type(err).__name__


class SlackBot:
    """The listeners' shared state: one assistant (asked one question at a time), dedupe sets, a worker pool."""

    def __init__(self, assistant: Asker, settings: Settings, *, workers: int = DEFAULT_WORKERS) -> None:
        self.assistant = assistant
        self.settings = settings
        self.workers = workers
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-answer")
        self.ready = threading.Event()
        self._ask_lock = threading.Lock()
        self._events = SeenIds()
        self._messages = SeenIds()

    # -- lifecycle

    def warm_up(self) -> None:
        """Load the embedding model and check the store, so the first question is quick; never raises."""
        try:
            with self._ask_lock:
                warm = getattr(self.assistant, "warm_up", None)
                if warm is not None:
                    warm()
                store = getattr(self.assistant, "store", None)
                if store is not None and store().count_articles() == 0:
                    log.warning("the store has no articles yet: questions get a warning until you run "
                                "`assistant ingest PATH`")
        except AssistantError as e:
            log.error("%s", e)
        except Exception:
            log.exception("warming up failed; questions will retry")
        finally:
            self.ready.set()

    def warm_up_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm_up, name="slack-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Finish the answers under way and stop the worker pool."""
        self.executor.shutdown(wait=True)

    # -- dedupe

    def is_new_delivery(self, body: Mapping[str, Any], headers: Mapping[str, Sequence[str]]) -> bool:
        """False for a delivery of an event already seen (a Slack retry, or the same event id again).

        A retry whose event id was never seen is new: its first delivery did not reach this process.
        """
        event_id = body.get("event_id")
        retry = (headers.get("x-slack-retry-num") or ["0"])[0]
        if not event_id:
            return True
        if self._events.add(str(event_id)):
            if retry not in ("", "0"):
                log.info("event %s arrives as retry %s; its first delivery never came, answering it", event_id,
                         retry)
            return True
        log.info("dropped a repeated delivery of event %s (retry %s)", event_id, retry or "0")
        return False

    # -- events

    def on_event(self, event: Mapping[str, Any], client: WebClient, context: BoltContext, *, in_dm: bool) -> None:
        """Answer a mention or DM in its thread; ignore bots (this one included) and edits."""
        bot_user_id = context.bot_user_id
        if event.get("bot_id") or event.get("subtype") not in _ANSWERED_SUBTYPES:
            return
        user = event.get("user")
        channel, ts = event.get("channel"), event.get("ts")
        if not user or user == bot_user_id or not channel or not ts:
            return
        if not self._messages.add(f"{channel}:{ts}"):  # e.g. app_mention and message.im for one message
            return
        self.answer(client, channel=str(channel), ts=str(ts), thread_ts=str(event.get("thread_ts") or ts),
                    text=str(event.get("text") or ""), bot_user_id=bot_user_id, bot_id=context.bot_id,
                    in_dm=in_dm)

    def answer(self, client: WebClient, *, channel: str, ts: str, thread_ts: str, text: str,
               bot_user_id: str | None, bot_id: str | None, in_dm: bool) -> None:
        """Post a placeholder in the thread, ask, and replace it with the answer (or a ``:warning:``)."""
        placeholder: str | None = None
        try:
            placeholder = str(client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=PLACEHOLDER)["ts"])
        except Exception as e:  # the answer is still posted below
            log.warning("could not post the progress message in %s: %s", channel, _api_error(e))
        try:
            question = slack_to_text(text, bot_user_id)
            if not question:
                self._finish(client, channel, thread_ts, placeholder, HELP)
                return
            history = (self._history(client, channel, thread_ts, ts, bot_user_id, bot_id, in_dm)
                       if thread_ts != ts else [])
            with self._ask_lock:
                answer = self.assistant.ask(question, history=history)
            self._finish(client, channel, thread_ts, placeholder, fallback_text(answer), answer_blocks(answer),
                         plain=answer_text(answer))
        except AssistantError as e:
            self._finish(client, channel, thread_ts, placeholder, f":warning: {escape(str(e))}")
        except Exception as e:
            log.exception("answering in %s failed", channel)
            self._finish(client, channel, thread_ts, placeholder,
                         f":warning: Sorry, answering failed ({escape(type(e).__name__)}: {escape(_clip(str(e), 200))}"
                         "). Try again; if it keeps failing, check the bot's log.")

    def _history(self, client: WebClient, channel: str, thread_ts: str, ts: str, bot_user_id: str | None,
                 bot_id: str | None, in_dm: bool) -> list[Turn]:
        messages: list[Mapping[str, Any]] = []
        cursor: str | None = None
        try:
            for _ in range(HISTORY_PAGES):
                resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200, cursor=cursor)
                messages += resp.get("messages") or []
                cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except Exception as e:
            log.warning("could not read the thread history in %s (%s); answering without it", channel, _api_error(e))
        return thread_history(messages, current_ts=ts, bot_user_id=bot_user_id, bot_id=bot_id, in_dm=in_dm)

    def _finish(self, client: WebClient, channel: str, thread_ts: str, placeholder: str | None, text: str,
                blocks: list[dict[str, Any]] | None = None, plain: str | None = None) -> None:
        """Show the final message: update the placeholder, else post; fall back to plain text; never raise."""
        attempts: list[tuple[str, list[dict[str, Any]]]] = [(text, blocks or [])]
        if blocks:
            attempts.append((escape(_clip(plain or text, SECTION_CHARS)), []))
        for body, body_blocks in attempts:
            try:
                if placeholder:
                    client.chat_update(channel=channel, ts=placeholder, text=body, blocks=body_blocks)
                else:
                    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=body,
                                            blocks=body_blocks or None)
                return
            except Exception as e:
                log.warning("Slack refused the reply in %s (%s)%s", channel, _api_error(e),
                            "; retrying as plain text" if body_blocks else "")
        if placeholder:  # the update failed: a fresh message may still get through
            try:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                        text=":warning: The answer could not be shown here; see the bot's log.")
            except Exception as e:
                log.error("could not reply in %s at all (%s)", channel, _api_error(e))

    # -- feedback

    def on_feedback(self, body: Mapping[str, Any], action: Mapping[str, Any], client: WebClient) -> None:
        """Append a 👍/👎 click to the feedback log and confirm it to the clicker only."""
        vote: Vote = "up" if action.get("action_id") == "feedback_up" else "down"
        user = str((body.get("user") or {}).get("id") or "")
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        data = parse_feedback_value(action.get("value"))
        try:
            record_vote(self.settings.feedback_path, vote=vote, user_id=user, question=data["question"],
                        searched=data["searched"], excerpt_ids=data["excerpt_ids"], channel=channel,
                        message_ts=message.get("ts") or container.get("message_ts"))
            reply = f"Thanks: your {'👍' if vote == 'up' else '👎'} is recorded."
        except AssistantError as e:
            log.error("%s", e)
            reply = f":warning: Your vote could not be recorded: {escape(str(e))}"
        if channel and user:
            try:
                client.chat_postEphemeral(channel=channel, user=user, text=reply,
                                          thread_ts=message.get("thread_ts") or container.get("thread_ts"))
            except Exception as e:
                log.warning("could not confirm the vote to %s (%s)", user, _api_error(e))


def register(app: App, bot: SlackBot) -> None:
    """Wire every listener: repeated-delivery filter, mentions, DMs, feedback buttons, errors."""
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
        bot.on_event(event, client, context, in_dm=False)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("channel_type") == "im":
            bot.on_event(event, client, context, in_dm=True)

    @app.action(FEEDBACK_ACTION)
    def on_feedback(ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any],
                    client: WebClient) -> None:
        ack()
        bot.on_feedback(body, action, client)

    @app.error
    def on_error(error: Exception) -> None:
        log.error("a Slack listener failed: %s", type(error).__name__, exc_info=error)


# -- building and running ------------------------------------------------------------------------------


def _secret(value: Any, name: str, how: str) -> str:
    text = value.get_secret_value().strip() if value is not None else ""
    if not text:
        raise ConfigError(f"{name} is not set: {how} See docs/slack.md.")
    return str(text)


def check_settings(settings: Settings, *, http: bool) -> None:
    """Raise ``ConfigError`` naming the missing or wrong token and where to get it."""
    _secret(settings.slack_bot_token, "SLACK_BOT_TOKEN",
            "add the app's Bot User OAuth Token (xoxb-…, under OAuth & Permissions) to .env or the environment.")
    if http:
        _secret(settings.slack_signing_secret, "SLACK_SIGNING_SECRET",
                "HTTP mode verifies requests with the app's Signing Secret (Basic Information > App Credentials).")
        return
    app_token = _secret(
        settings.slack_app_token, "SLACK_APP_TOKEN",
        "Socket Mode needs an app-level token (xapp-…, Basic Information > App-Level Tokens, scope "
        "connections:write); or run `assistant slack --http` with SLACK_SIGNING_SECRET set.")
    if not app_token.startswith("xapp-"):
        raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information > "
                          "App-Level Tokens), not a bot or user token. See docs/slack.md.")


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url.strip() or "https://slack.com/api/"
    return url if url.endswith("/") else url + "/"


class _DropMessages(logging.Filter):
    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


def build_app(settings: Settings, bot: SlackBot, *, http: bool, client: WebClient | None = None) -> App:
    """A Bolt ``App`` on ``settings.slack_api_url`` with ``register``'s listeners.

    Calls ``auth.test`` once; raises ``ConfigError`` when Slack refuses the token or cannot be reached.
    """
    from slack_bolt import App
    from slack_bolt.error import BoltError
    from slack_sdk import WebClient

    token = _secret(settings.slack_bot_token, "SLACK_BOT_TOKEN", "add the app's Bot User OAuth Token (xoxb-…).")
    signing_secret = _secret(settings.slack_signing_secret, "SLACK_SIGNING_SECRET",
                             "HTTP mode verifies requests with it.") if http else None
    client = client or WebClient(token=token, base_url=api_url(settings), timeout=30)
    # Bolt also reads SLACK_BOT_TOKEN itself and then warns that our client's token wins; that is intended.
    bolt_log = logging.getLogger("slack_bolt.App")
    quiet = _DropMessages("`token` will be unused")
    bolt_log.addFilter(quiet)
    try:
        app = App(
            name="assistant",
            client=client,
            signing_secret=signing_secret,
            request_verification_enabled=http,
            process_before_response=False,  # ack first; listeners run on bot.executor
            listener_executor=bot.executor,
        )
    except BoltError as e:
        error = re.search(r"'error': '([^']+)'", str(e))
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN (auth.test: {error.group(1) if error else 'failed'}, at "
            f"{api_url(settings)}). Copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions (reinstall the "
            "app after changing scopes); check SLACK_API_URL if you changed it. See docs/slack.md."
        ) from None
    except OSError as e:
        raise ConfigError(f"Cannot reach the Slack Web API at {api_url(settings)} ({type(e).__name__}: "
                          f"{getattr(e, 'reason', e)}). Check SLACK_API_URL and the network.") from None
    finally:
        bolt_log.removeFilter(quiet)
    register(app, bot)
    return app


class SlackHTTPServer(ThreadingHTTPServer):
    """Events API over HTTP: ``POST /slack/events`` goes to Bolt (signature check included); ``GET /health``."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # Slack delivers bursts; the default backlog of 5 delays them by a SYN retry

    def __init__(self, app: App, bot: SlackBot | None, host: str = "127.0.0.1", port: int = 3000) -> None:
        self.app = app
        self.bot = bot
        super().__init__((host, port), _SlackRequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _SlackRequestHandler(BaseHTTPRequestHandler):
    server: SlackHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = REQUEST_TIMEOUT_S
    server_version = "assistant-slack"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: str, content_type: str = "application/json",
              headers: Mapping[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path in HEALTH_PATHS:
            bot = self.server.bot
            self._send(200, json.dumps({"ok": True, "ready": bool(bot is None or bot.ready.is_set())}))
        elif path == EVENTS_PATH:
            self._send(405, json.dumps({"error": "POST Slack events here"}), headers={"Allow": "POST"})
        else:
            self._send(404, json.dumps({"error": "not found"}))

    def do_POST(self) -> None:  # noqa: N802
        from slack_bolt.request import BoltRequest

        parts = urlsplit(self.path)
        if parts.path != EVENTS_PATH:
            self._send(404, json.dumps({"error": "not found"}))
            return
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            self.close_connection = True
            self._send(411, json.dumps({"error": "Content-Length required"}))
            return
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._send(413, json.dumps({"error": "request too large"}))
            return
        raw = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {name.lower(): value for name, value in self.headers.items()}
        try:
            resp = self.server.app.dispatch(BoltRequest(body=raw, query=parts.query, headers=headers))
        except Exception:
            log.exception("dispatching a Slack request failed")
            self._send(500, json.dumps({"error": "internal error"}))
            return
        extra = {k: v for k, v in resp.first_headers_without_set_cookie().items()
                 if k.lower() not in ("content-length", "content-type")}
        content_type = (resp.headers.get("content-type") or ["text/plain;charset=utf-8"])[0]
        self._send(resp.status, resp.body or "", content_type, extra)


def socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """Bolt's built-in Socket Mode handler; its ``apps.connections.open`` goes to ``settings.slack_api_url``."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = _secret(settings.slack_app_token, "SLACK_APP_TOKEN", "set the app-level token (xapp-…).")
    return SocketModeHandler(app, app_token=token, web_client=app.client)


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
    values = (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
              settings.openai_api_key)
    return [v.get_secret_value() for v in values if v is not None]


def configure_logging(settings: Settings, debug: bool = False) -> None:
    """Log lines to stderr with every configured secret redacted."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not debug:
        for noisy in ("slack_sdk.web", "urllib3", "httpx", "chromadb", "sentence_transformers"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    redact = RedactSecrets(settings_secrets(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings, *, http: bool = False, host: str = "127.0.0.1", port: int = 3000,
          debug: bool = False, assistant: Asker | None = None) -> None:
    """Run the bot until interrupted: Socket Mode, or HTTP mode on ``host:port`` with ``--http``.

    Raises ``ConfigError`` for missing or refused tokens and a port that cannot be bound.
    """
    check_settings(settings, http=http)
    configure_logging(settings, debug)
    if assistant is None:
        from .answer import Assistant

        assistant = Assistant(settings)
    bot = SlackBot(assistant, settings)
    app = build_app(settings, bot, http=http)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    bot.warm_up_in_background()
    try:
        if http:
            try:
                server = SlackHTTPServer(app, bot, host, port)
            except OSError as e:
                raise ConfigError(f"Cannot listen on {host}:{port}: {e.strerror or e}. Pick another --port.") from None
            log.info("HTTP mode: Slack events at %s%s (set this as the Request URL behind your public https "
                     "address); health at %s/health", server.url, EVENTS_PATH, server.url)
            try:
                server.serve_forever(poll_interval=0.5)
            finally:
                server.server_close()
        else:
            handler = socket_mode_handler(app, settings)
            try:
                handler.connect()
            except Exception as e:
                raise ConfigError(f"Socket Mode could not connect ({_api_error(e)}). Check SLACK_APP_TOKEN "
                                  "(xapp-…, scope connections:write) and that Socket Mode is on for the app.") from None
            log.info("Socket Mode: connected; mention the bot in a channel or send it a DM")
            try:
                threading.Event().wait()
            finally:
                handler.close()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        bot.close()
