"""The Slack bot, end to end over loopback: the real Bolt app in HTTP mode (and Socket Mode) against a fake
Slack Web API, fed signed event requests; plus the pure Block Kit rendering and the feedback log."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
import yaml
from pydantic import SecretStr

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.feedback import record_vote, summarise, summary_text
from assistant.schema import Answer
from assistant.slack.app import build_app, socket_mode_handler
from assistant.slack.blocks import MAX_BLOCKS
from assistant.slack.bot import SlackBot
from assistant.slack.listeners.events import PLACEHOLDER
from assistant.slack.web import EVENTS_PATH, MAX_BODY_BYTES, EventsServer
from tests.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlack, block_texts, fake_slack, socket_mode_server
from tests.fakes import Reply, openai_stub

BOT_TOKEN = "xoxb-test-4242424242-SECRETBOTTOKENVALUE"
APP_TOKEN = "xapp-1-TEST-SECRETAPPTOKENVALUE"
SIGNING_SECRET = "signing-secret-for-tests-0123456789"
BIN = Path(sys.executable).parent / "assistant"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; loopback requests must not go through one."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


# -- helpers ---------------------------------------------------------------------------------------------


def signed_headers(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http(method: str, url: str, body: str | None = None, headers: dict[str, str] | None = None,
         timeout_s: float = 10) -> tuple[int, str, float]:
    """(status, body, seconds) of one request."""
    req = urllib.request.Request(url, data=body.encode() if body is not None else None, headers=headers or {},
                                 method=method)
    started = time.monotonic()
    try:
        with _opener.open(req, timeout=timeout_s) as resp:
            return resp.status, resp.read().decode(), time.monotonic() - started
    except HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - started


def event_body(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": "A0TEST", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


_ids = iter(range(1, 1_000_000))
_id_lock = threading.Lock()


def new_event_id() -> str:
    with _id_lock:
        return f"Ev{next(_ids):08d}"


@dataclass
class Harness:
    fake: FakeSlack
    base_url: str  # http://127.0.0.1:PORT
    bot: SlackBot
    settings: Settings
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events_url(self) -> str:
        return self.base_url + EVENTS_PATH

    def send(self, body: dict[str, Any] | str, *, retry: str | None = None, secret: str = SIGNING_SECRET,
             timestamp: int | None = None, form: bool = False) -> tuple[int, str, float]:
        raw = body if isinstance(body, str) else json.dumps(body)
        headers = {**signed_headers(raw, secret, timestamp),
                   "Content-Type": "application/x-www-form-urlencoded" if form else "application/json"}
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"})
        return http("POST", self.events_url, raw, headers)

    def mention_body(self, channel: str, text: str, *, thread_ts: str | None = None,
                     user: str = "U1") -> tuple[dict[str, Any], dict[str, Any]]:
        """Store a user's message mentioning the bot, as Slack would, and build its app_mention event."""
        msg = self.fake.add_user_message(channel, f"<@{BOT_USER_ID}> {text}", user=user, thread_ts=thread_ts)
        event = {"type": "app_mention", "user": user, "text": msg["text"], "ts": msg["ts"], "channel": channel,
                 "event_ts": msg["ts"]}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return msg, event_body(event, new_event_id())

    def mention(self, channel: str, text: str, *, thread_ts: str | None = None) -> tuple[dict[str, Any], float]:
        msg, body = self.mention_body(channel, text, thread_ts=thread_ts)
        status, _, seconds = self.send(body)
        assert status == 200
        return msg, seconds

    def replies(self, channel: str, thread_ts: str, n: int = 1, timeout_s: float = 90) -> list[dict[str, Any]]:
        """Wait until the thread holds ``n`` finished bot replies; return them all."""
        def done() -> bool:
            replies = self.fake.bot_replies(channel, thread_ts)
            return len(replies) >= n and all(r["text"] != PLACEHOLDER for r in replies)

        assert self.fake.wait_for(done, timeout_s), self.fake.bot_replies(channel, thread_ts)
        return self.fake.bot_replies(channel, thread_ts)


def bot_settings(fake: FakeSlack, tmp_path: Path, store_dir: Path) -> Settings:
    return Settings(
        store_dir=store_dir, torch_threads=1, slack_bot_token=SecretStr(BOT_TOKEN),
        slack_app_token=SecretStr(APP_TOKEN), slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake.url, feedback_path=tmp_path / "feedback.jsonl",
        _env_file=None,
    )


@contextmanager
def running_bot(assistant: Any, tmp_path: Path, *, store_dir: Path | None = None,
                workers: int = 4) -> Iterator[Harness]:
    """The real app in HTTP mode (uvicorn) on 127.0.0.1 (free port) against a fresh fake Slack."""
    with fake_slack(BOT_TOKEN, APP_TOKEN) as fake:
        settings = bot_settings(fake, tmp_path, store_dir or tmp_path / "store")
        bot = SlackBot(assistant, settings, workers=workers)
        app = build_app(settings, bot, http=True)
        server = EventsServer(app, bot, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            assert fake.wait_for(lambda: server.server.started, 30)
            yield Harness(fake, server.url, bot, settings)
        finally:
            server.shutdown()
            thread.join(timeout=30)
            bot.close()
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embeddings: Any, seeds_dir: Path) -> Assistant:
    """One offline assistant over the two seed articles, shared by this module's bots (like one process)."""
    store = tmp_path_factory.mktemp("slack") / "store"
    settings = Settings(store_dir=store, torch_threads=1, _env_file=None)
    assistant = Assistant(settings, embeddings=embeddings, use_llm=False)
    report = assistant.ingest([seeds_dir])
    assert not report.errors and report.summary().startswith("2 added")
    return assistant


# -- HTTP mode, end to end -------------------------------------------------------------------------------


@pytest.mark.slow
def test_mention_is_answered_once_in_its_thread_with_both_sources(
        seeded: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running_bot(seeded, tmp_path) as h:
        msg, ack_s = h.mention("C1", "Was Israel consulted?")
        assert ack_s < 3.0  # acked within Slack's 3 s, answered afterwards
        [reply] = h.replies("C1", msg["ts"])
        assert reply["thread_ts"] == msg["ts"]  # in the thread of the question
        assert len(h.fake.calls_to("chat.postMessage")) == 1  # the placeholder ...
        updates = h.fake.calls_to("chat.update")
        assert len(updates) == 1 and updates[0]["ts"] == reply["ts"]  # ... replaced once by the answer
        blocks = reply["blocks"]
        assert 0 < len(blocks) <= MAX_BLOCKS
        texts = block_texts(blocks)
        joined = "\n".join(texts)
        assert "Israel was consulted" in joined and "had not been informed" in joined
        outlets = {a.outlet for a, _ in seeded.store().list_articles()}
        assert len(outlets) == 2
        # one block per source, headed by its outlet, with its quotes as Slack quotes
        for outlet in sorted(o or "" for o in outlets):
            [section] = [t for t in texts if outlet in t and t.startswith("*[")]
            assert re.search(r"^> \*\[\d+\]\* “", section, re.MULTILINE), section
            assert "2025-03-06" in section
        assert any(t.startswith(":scales:") for t in texts)  # the sources disagree, visibly
        actions = [b for b in blocks if b["type"] == "actions"]
        assert [e["action_id"] for e in actions[0]["elements"]] == ["feedback_up", "feedback_down"]
        assert h.fake.calls_to("auth.test")  # the bot token reached the fake (it checks it)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "Sending a request" in logged  # slack_sdk's debug logging was captured ...
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged  # ... without the secrets


@pytest.mark.slow
def test_retried_delivery_adds_no_answer(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        msg, body = h.mention_body("C2", "Was Israel consulted?")
        assert h.send(body)[0] == 200
        h.replies("C2", msg["ts"])
        posts = len(h.fake.calls_to("chat.postMessage"))
        assert h.send(body, retry="1")[0] == 200  # Slack's retry (header) ...
        assert h.send(body)[0] == 200  # ... and the same event id once more
        time.sleep(1.0)  # a second answer would have posted its placeholder by now
        assert len(h.fake.calls_to("chat.postMessage")) == posts
        assert len(h.fake.bot_replies("C2", msg["ts"])) == 1


@pytest.mark.slow
def test_thread_follow_up_uses_the_thread_as_history(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        first, _ = h.mention("C3", "Was Israel consulted?")
        h.replies("C3", first["ts"])
        assert not h.fake.calls_to("conversations.replies")  # a new thread has no history to read
        h.mention("C3", "And what did the other outlet say?", thread_ts=first["ts"])
        replies = h.replies("C3", first["ts"], n=2)
        assert len(replies) == 2
        reads = h.fake.calls_to("conversations.replies")
        assert reads and reads[0]["channel"] == "C3" and reads[0]["ts"] == first["ts"]
        searched = [t for t in block_texts(replies[1]["blocks"]) if t.startswith("_Searched for:_")]
        assert searched and "other outlet" in searched[0] and "Israel" in searched[0]


@pytest.mark.slow
def test_bad_signature_and_stale_timestamp_get_401_and_no_answer(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        _, body = h.mention_body("C4", "Was Israel consulted?")
        assert h.send(body, secret="not-the-signing-secret")[0] == 401
        assert h.send(body, timestamp=int(time.time()) - 6 * 60)[0] == 401  # correctly signed, but stale
        status, _, _ = http("POST", h.events_url, json.dumps(body), {"Content-Type": "application/json"})
        assert status == 401  # unsigned
        time.sleep(1.0)
        assert not h.fake.calls_to("chat.postMessage") and not h.fake.calls_to("chat.update")


@pytest.mark.slow
def test_url_verification_and_health(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        challenge = {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                     "type": "url_verification"}
        status, body, _ = h.send(challenge)
        assert status == 200 and json.loads(body)["challenge"] == challenge["challenge"]
        assert h.send(challenge, secret="wrong")[0] == 401
        status, body, _ = http("GET", h.base_url + "/health")
        assert status == 200 and json.loads(body)["ok"] is True
        assert http("GET", h.base_url + "/nope")[0] == 404
        assert http("POST", h.base_url + "/other", "{}", {"Content-Type": "application/json"})[0] == 404


@pytest.mark.slow
def test_oversized_or_misdirected_requests_are_refused_without_an_answer(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        _, body = h.mention_body("C15", "Was Israel consulted?")
        padded = json.dumps({**body, "padding": "x" * MAX_BODY_BYTES})
        assert h.send(padded)[0] == 413  # correctly signed, but too large to read
        assert http("GET", h.events_url)[0] == 405
        raw = b'{"event_id": "\xff"}'
        req = urllib.request.Request(h.events_url, raw, {"Content-Type": "application/json"}, method="POST")
        with pytest.raises(HTTPError) as refused:
            _opener.open(req, timeout=10)
        assert refused.value.code == 400  # not UTF-8: one clear refusal, not a server error
        time.sleep(0.5)
        assert not h.fake.calls_to("chat.postMessage")
        assert h.send(body)[0] == 200  # the server is still serving
        h.replies("C15", body["event"]["ts"])


@pytest.mark.slow
def test_health_turns_ready_once_the_model_is_warm(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        assert json.loads(http("GET", h.base_url + "/health")[1]) == {"ok": True, "ready": False}
        h.bot.warm_up_in_background().join(timeout=60)
        assert json.loads(http("GET", h.base_url + "/healthz")[1]) == {"ok": True, "ready": True}


class _Held:
    """An asker whose answers wait until released: keeps every answer worker busy."""

    def __init__(self, inner: Assistant) -> None:
        self.inner, self.release, self.asked = inner, threading.Event(), threading.Semaphore(0)

    def ask(self, question: str, *, history: Any = ()) -> Answer:
        self.asked.release()
        assert self.release.wait(60)
        return self.inner.ask(question, history=history)

    def warm_up(self) -> None:
        pass


@pytest.mark.slow
def test_a_click_is_acked_and_recorded_while_every_answer_worker_is_busy(
        seeded: Assistant, tmp_path: Path) -> None:
    held = _Held(seeded)
    with running_bot(held, tmp_path, workers=1) as h:
        msg, _ = h.mention("C16", "Was Israel consulted?")
        assert held.asked.acquire(timeout=30)  # the only worker is now answering
        value = json.dumps({"q": "Was Israel consulted?", "x": ["art:1-2"]})
        payload = {
            "type": "block_actions", "user": {"id": "U7", "username": "U7", "team_id": TEAM_ID},
            "api_app_id": "A0TEST", "token": "legacy", "trigger_id": "1.2.3", "team": {"id": TEAM_ID},
            "container": {"type": "message", "message_ts": msg["ts"], "channel_id": "C16"},
            "channel": {"id": "C16"}, "message": {"ts": msg["ts"]},
            "actions": [{"type": "button", "action_id": "feedback_up", "block_id": "feedback", "value": value,
                         "action_ts": "1700000000.1"}],
        }
        status, _, seconds = h.send(urlencode({"payload": json.dumps(payload)}), form=True)
        assert status == 200 and seconds < 3.0
        assert h.fake.wait_for(lambda: len(h.fake.calls_to("chat.postEphemeral")) == 1, 10)
        assert [r["text"] for r in h.fake.bot_replies("C16", msg["ts"])] == [PLACEHOLDER]  # still answering
        held.release.set()
        [reply] = h.replies("C16", msg["ts"])
        assert "had not been informed" in "\n".join(block_texts(reply["blocks"]))


@pytest.mark.slow
def test_direct_message_is_answered_and_bots_are_ignored(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        def dm(text: str, **extra: Any) -> dict[str, Any]:
            user = extra.pop("user", "U1")
            msg = h.fake.add_user_message("D1", text, user=user, **extra)
            event = {"type": "message", "channel_type": "im", "channel": "D1", "event_ts": msg["ts"],
                     **{k: v for k, v in msg.items() if k != "type"}}
            assert h.send(event_body(event, new_event_id()))[0] == 200
            return msg

        dm("a bot's message", bot_id="B0OTHER", subtype="bot_message", user="U0OTHERBOT")
        dm("the bot's own message", user=BOT_USER_ID, bot_id=BOT_ID)
        dm("an edit", subtype="message_changed")
        question = dm("Was Israel consulted?")  # no mention needed in a DM
        [reply] = h.replies("D1", question["ts"])
        assert "had not been informed" in "\n".join(block_texts(reply["blocks"]))
        time.sleep(0.5)
        assert len(h.fake.calls_to("chat.postMessage")) == 1  # only the question got an answer


@pytest.mark.slow
def test_twenty_concurrent_mentions_are_each_answered_exactly_once(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        bodies = [h.mention_body("C20", f"Was Israel consulted? ({i})") for i in range(20)]
        deliveries = [(body, retry) for _, body in bodies for retry in (None, "1")]  # each twice, at once
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
            results = list(pool.map(lambda d: h.send(d[0], retry=d[1]), deliveries))
        assert all(status == 200 for status, _, _ in results)
        slowest_ack = max(seconds for _, _, seconds in results)
        assert slowest_ack < 3.0
        for msg, _ in bodies:
            [reply] = h.replies("C20", msg["ts"], timeout_s=180)
            assert "Israel was consulted" in "\n".join(block_texts(reply["blocks"]))
        total = time.monotonic() - started
        time.sleep(0.5)
        assert len(h.fake.calls_to("chat.postMessage")) == 20
        assert len(h.fake.calls_to("chat.update")) == 20
        print(f"\n20 concurrent mentions: slowest ack {slowest_ack:.2f} s, all answered in {total:.1f} s")


@pytest.mark.slow
def test_feedback_click_is_logged_and_summarised(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        msg, _ = h.mention("C5", "Was Israel consulted?")
        [reply] = h.replies("C5", msg["ts"])
        [actions] = [b for b in reply["blocks"] if b["type"] == "actions"]
        buttons = {e["action_id"]: e for e in actions["elements"]}

        def click(user: str, action_id: str) -> tuple[int, float]:
            button = buttons[action_id]
            payload = {
                "type": "block_actions", "user": {"id": user, "username": user, "team_id": TEAM_ID},
                "api_app_id": "A0TEST", "token": "legacy", "trigger_id": "1.2.3",
                "team": {"id": TEAM_ID, "domain": "fake"},
                "container": {"type": "message", "message_ts": reply["ts"], "channel_id": "C5",
                              "is_ephemeral": False, "thread_ts": msg["ts"]},
                "channel": {"id": "C5", "name": "news"}, "message": reply,
                "response_url": "https://hooks.slack.invalid/actions/T/1/x",
                "actions": [{"type": "button", "action_id": action_id, "block_id": actions["block_id"],
                             "value": button["value"], "text": button["text"], "action_ts": "1700000000.1"}],
            }
            status, _, seconds = h.send(urlencode({"payload": json.dumps(payload)}), form=True)
            return status, seconds

        status, seconds = click("U7", "feedback_down")
        assert status == 200 and seconds < 3.0
        assert click("U8", "feedback_up")[0] == 200
        log_path = h.settings.feedback_path
        assert h.fake.wait_for(lambda: log_path.exists() and len(log_path.read_text().splitlines()) == 2, 10)
        first, second = (json.loads(line) for line in log_path.read_text().splitlines())
        assert (first["vote"], first["user"], second["vote"], second["user"]) == ("down", "U7", "up", "U8")
        assert first["question"] == "Was Israel consulted?"
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", first["time"])
        article_ids = {a.id for a, _ in seeded.store().list_articles()}
        assert len(first["excerpt_ids"]) >= 2
        for excerpt in first["excerpt_ids"]:  # article_id:start-end of a shown quote
            article_id, span = excerpt.rsplit(":", 1)
            assert article_id in article_ids and re.match(r"^\d+-\d+$", span)
        assert h.fake.wait_for(lambda: len(h.fake.calls_to("chat.postEphemeral")) == 2, 10)
        confirm = h.fake.calls_to("chat.postEphemeral")[0]
        assert confirm["user"] == "U7" and "recorded" in confirm["text"]

    env = {**os.environ, "ASSISTANT_FEEDBACK_PATH": str(log_path)}
    result = subprocess.run([str(BIN), "feedback"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "👍 1  👎 1" in result.stdout and "Was Israel consulted?" in result.stdout
    data = json.loads(subprocess.run([str(BIN), "feedback", "--json"], capture_output=True, text=True, env=env,
                                     timeout=60).stdout)
    assert (data["up"], data["down"], data["answers"], data["users"]) == (1, 1, 1, 2)


@pytest.mark.slow
def test_errors_reply_with_a_warning_and_the_bot_keeps_running(
        embeddings: Any, tmp_path: Path) -> None:
    empty = Assistant(Settings(store_dir=tmp_path / "empty", _env_file=None),
                      embeddings=embeddings, use_llm=False)
    with running_bot(empty, tmp_path) as h:
        msg, _ = h.mention("C6", "Was Israel consulted?")
        [reply] = h.replies("C6", msg["ts"])
        assert reply["text"].startswith(":warning:") and "assistant ingest" in reply["text"]

    class Broken:
        def ask(self, question: str, *, history: Any = ()) -> Answer:
            raise RuntimeError("index exploded")

        def warm_up(self) -> None:
            pass

    with running_bot(Broken(), tmp_path) as h:
        for channel in ("C7", "C8"):  # the second question is still answered: the bot keeps running
            msg, _ = h.mention(channel, "Was Israel consulted?")
            [reply] = h.replies(channel, msg["ts"])
            assert reply["text"].startswith(":warning:") and "RuntimeError" in reply["text"]
        msg, _ = h.mention("C9", "   ")  # only the mention: a hint, not an error
        [reply] = h.replies("C9", msg["ts"])
        assert "Ask me a question" in reply["text"]


@pytest.mark.slow
def test_a_refused_block_message_falls_back_to_plain_text(seeded: Assistant, tmp_path: Path) -> None:
    with running_bot(seeded, tmp_path) as h:
        h.fake.fail_next("chat.update", "invalid_blocks")
        msg, _ = h.mention("C10", "Was Israel consulted?")
        assert h.fake.wait_for(lambda: len(h.fake.calls_to("chat.update")) == 2, 60)
        [reply] = h.replies("C10", msg["ts"])
        assert not reply["blocks"] and "had not been informed" in reply["text"]


@pytest.mark.slow
def test_llm_mode_answer_leads_the_reply_and_a_model_failure_is_a_note(
        seeded: Assistant, embeddings: Any, tmp_path: Path) -> None:
    with openai_stub(Reply(text="Israel was consulted, the White House said [1]; others say not [2].")) as stub:
        settings = Settings(store_dir=seeded.settings.store_dir, openai_api_key=SecretStr("sk-test-1"),
                            openai_base_url=stub.url, llm_timeout_s=5, llm_max_retries=0, _env_file=None)
        llm = Assistant(settings, embeddings=embeddings)
        with running_bot(llm, tmp_path) as h:
            msg, _ = h.mention("C13", "Was Israel consulted?")
            [reply] = h.replies("C13", msg["ts"])
            texts = block_texts(reply["blocks"])
            assert texts[0] == "Israel was consulted, the White House said [1]; others say not [2]."
            assert reply["text"].startswith("Israel was consulted, the White House said")  # the notification
            stub.enqueue(Reply(status=500))
            msg, _ = h.mention("C14", "Was Israel consulted?")
            [reply] = h.replies("C14", msg["ts"])
            texts = block_texts(reply["blocks"])
            assert any(t.startswith("_note:_ LLM unavailable") for t in texts)
            assert "had not been informed" in "\n".join(texts)  # the excerpts are still there


# -- Socket Mode -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_socket_mode_answers_a_mention_over_a_local_websocket(seeded: Assistant, tmp_path: Path) -> None:
    with fake_slack(BOT_TOKEN, APP_TOKEN) as fake, socket_mode_server() as ws:
        fake.ws_url = ws.url
        settings = bot_settings(fake, tmp_path, seeded.settings.store_dir)
        bot = SlackBot(seeded, settings)
        app = build_app(settings, bot, http=False)  # same register(app, bot) as HTTP mode
        handler = socket_mode_handler(app, settings)
        try:
            handler.connect()
            assert fake.calls_to("apps.connections.open")  # with the app token (the fake checks it)
            msg = fake.add_user_message("C11", f"<@{BOT_USER_ID}> Was Israel consulted?")
            event = {"type": "app_mention", "user": "U1", "text": msg["text"], "ts": msg["ts"], "channel": "C11",
                     "event_ts": msg["ts"]}
            payload = event_body(event, new_event_id())
            ws.send({"envelope_id": "env-1", "type": "events_api", "payload": payload,
                     "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""})
            assert fake.wait_for(lambda: ws.acked("env-1"), 30)
            assert fake.wait_for(lambda: any(r["text"] != PLACEHOLDER for r in fake.bot_replies("C11", msg["ts"])),
                                 60)
            [reply] = fake.bot_replies("C11", msg["ts"])
            assert "had not been informed" in "\n".join(block_texts(reply["blocks"]))
            ws.send({"envelope_id": "env-2", "type": "events_api", "payload": payload,
                     "accepts_response_payload": False, "retry_attempt": 1, "retry_reason": "timeout"})
            assert fake.wait_for(lambda: ws.acked("env-2"), 30)  # the retry is acked ...
            time.sleep(1.0)
            assert len(fake.calls_to("chat.postMessage")) == 1  # ... and not answered again
        finally:
            handler.close()
            bot.close()


@pytest.mark.slow
def test_reply_shows_the_filters_an_outlet_question_applied(
        assistant: Assistant, samples_dir: Path, tmp_path: Path) -> None:
    assert not assistant.ingest([samples_dir]).errors
    with running_bot(assistant, tmp_path) as h:
        named, _ = h.mention("C4", "What did Metro Wire report about the tram vote?")
        plain, _ = h.mention("C4", "Was the transit workers' union consulted?")
        [named_reply] = h.replies("C4", named["ts"])
        [plain_reply] = h.replies("C4", plain["ts"])
    filters = [e["text"] for b in named_reply["blocks"] if b["type"] == "context" for e in b["elements"]
               if e["text"].startswith("Filters:")]
    assert filters == ["Filters: outlet: Metro Wire"]  # a context line, as Slack received it
    assert not any(t.startswith("Filters:") for t in block_texts(plain_reply["blocks"]))


# -- feedback log, pure ------------------------------------------------------------------------------------


def test_feedback_summary_counts_each_users_latest_vote(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "feedback.jsonl"
    assert "No feedback yet" in summary_text(summarise(path))
    record_vote(path, vote="up", user_id="U1", question="Q1", excerpt_ids=["a:1-2"], channel="C", message_ts="1")
    record_vote(path, vote="down", user_id="U1", question="Q1", excerpt_ids=["a:1-2"], channel="C", message_ts="1")
    record_vote(path, vote="down", user_id="U2", question="Q1", excerpt_ids=["a:1-2"], channel="C", message_ts="1")
    record_vote(path, vote="up", user_id="U2", question="Q2", excerpt_ids=[], channel="C", message_ts="2")
    with path.open("a") as fh:
        fh.write("{broken\n")
    summary = summarise(path)
    assert (summary.clicks, summary.up, summary.down, summary.answers, summary.users, summary.skipped_lines) == (
        4, 1, 2, 2, 2, 1)
    assert summary.questions[0].question == "Q1" and summary.questions[0].down == 2
    text = summary_text(summary)
    assert "👍 1  👎 2" in text and "33% positive" in text and "Q1" in text


# -- the console script ------------------------------------------------------------------------------------


def _run(*args: str, env_extra: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env={**env, **env_extra},
                          timeout=timeout, cwd=REPO)


def test_slack_command_says_which_token_is_missing_or_refused(tmp_path: Path) -> None:
    env = {"ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    result = _run("slack", env_extra=env)
    assert result.returncode == 1 and "SLACK_BOT_TOKEN is not set" in result.stderr
    result = _run("slack", env_extra={**env, "SLACK_BOT_TOKEN": BOT_TOKEN})
    assert result.returncode == 1 and "SLACK_APP_TOKEN is not set" in result.stderr and "--http" in result.stderr
    result = _run("slack", "--http", env_extra={**env, "SLACK_BOT_TOKEN": BOT_TOKEN})
    assert result.returncode == 1 and "SLACK_SIGNING_SECRET is not set" in result.stderr
    with fake_slack("xoxb-the-right-token") as fake:
        result = _run("slack", "--http", env_extra={**env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.url,
                                                    "SLACK_SIGNING_SECRET": SIGNING_SECRET})
    assert result.returncode == 1 and "Slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth, at " in result.stderr
    assert BOT_TOKEN not in result.stderr + result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_console_script_serves_http_mode(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with fake_slack(BOT_TOKEN) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
        env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
                    "ASSISTANT_STORE_DIR": str(tmp_path / "empty-store")})
        proc = subprocess.Popen([str(BIN), "--debug", "slack", "--http", "--port", str(port)], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if http("GET", base + "/health", timeout_s=2)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            assert http("GET", base + "/health")[0] == 200
            h = Harness(fake, base, bot=None, settings=None)  # type: ignore[arg-type]
            _, body = h.mention_body("C12", "Was Israel consulted?")
            assert h.send(body, secret="wrong")[0] == 401
            msg, _ = h.mention("C12", "Was Israel consulted?")
            [reply] = h.replies("C12", msg["ts"], timeout_s=60)
            assert reply["text"].startswith(":warning: No articles in the store")  # empty store: a reason, not silence
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                out, err = proc.communicate(timeout=90)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert "HTTP mode: Slack events at" in err and "Sending a request" in err  # debug logging was on ...
    assert BOT_TOKEN not in err + out and SIGNING_SECRET not in err + out  # ... and showed no secret


# -- the manifest ------------------------------------------------------------------------------------------


def test_manifest_asks_for_what_the_bot_uses() -> None:
    manifest = yaml.safe_load((REPO / "docs" / "slack-manifest.yaml").read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "channels:history", "groups:history"} <= scopes
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
