"""What the listeners share: the assistant (asked one question at a time), the worker pools, the dedupe sets
and readiness."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from ..answer import AnswerCache, Turn
from ..config import Settings
from ..errors import AssistantError
from ..schema import Answer

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 4  # answers under way at once; more wait their turn in the queue
LISTENER_THREADS = 8  # Bolt runs listeners here: they ack and hand answering on, so a click never waits
SEEN_CAPACITY = 10_000  # event ids / messages remembered to drop repeated deliveries


class Asker(Protocol):
    """What the bot needs of the core: ``Assistant`` satisfies it."""

    def ask(self, question: str, *, history: Sequence[Turn] = ...) -> Answer: ...

    def warm_up(self) -> None: ...


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


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        log.error("a Slack task failed: %s", type(error).__name__, exc_info=error)


class SlackBot:
    """The listeners' shared state: one assistant, dedupe sets, a bounded answer pool and a listener pool."""

    def __init__(self, assistant: Asker, settings: Settings, *, workers: int = DEFAULT_WORKERS) -> None:
        self.assistant = assistant
        self.settings = settings
        self.answers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-answer")
        self.listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener")
        self.ready = threading.Event()
        self.posted = AnswerCache()  # the answers this bot posted, for follow-ups in their threads
        self._ask_lock = threading.Lock()
        self._events = SeenIds()
        self._messages = SeenIds()

    def ask(self, question: str, *, history: Sequence[Turn]) -> Answer:
        """The core's answer; one question at a time, so the models and the store are shared safely."""
        with self._ask_lock:
            return self.assistant.ask(question, history=history)

    def submit(self, task: Callable[..., None], *args: Any) -> None:
        """Run ``task`` on the answer pool; a failure that escapes it is logged, never lost."""
        self.answers.submit(task, *args).add_done_callback(_log_failure)

    # -- lifecycle

    def warm_up(self) -> None:
        """Load the embedding model, so the first question is quick; never raises, and sets ``ready``."""
        try:
            with self._ask_lock:
                self.assistant.warm_up()
        except AssistantError as e:
            log.error("%s", e)
        except Exception:  # a background thread: its failure goes to the (redacted) log, questions retry
            log.exception("warming up failed; questions will retry")
        finally:
            self.ready.set()

    def warm_up_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.warm_up, name="slack-warm-up", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Finish the listeners and answers under way and stop both pools."""
        self.listeners.shutdown(wait=True)
        self.answers.shutdown(wait=True)

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

    def is_new_message(self, channel: str, ts: str) -> bool:
        """False for a message already taken up (``app_mention`` and ``message.im`` can both bring one)."""
        return self._messages.add(f"{channel}:{ts}")
