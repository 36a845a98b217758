"""The bot's shared state, pure: the bounded dedupe sets and which deliveries count as new."""

from __future__ import annotations

from typing import Any

from assistant.config import Settings
from assistant.schema import Answer
from assistant.slack.bot import SeenIds, SlackBot


def test_seen_ids_forget_the_oldest_beyond_their_capacity() -> None:
    seen = SeenIds(capacity=3)
    assert all(seen.add(k) for k in "abcd") and len(seen) == 3
    assert not seen.add("d") and not seen.add("b")  # still remembered ("b" is now the newest)
    assert seen.add("a")  # forgotten: the oldest went first
    assert len(seen) == 3 and not seen.add("b")


class _Idle:
    def ask(self, question: str, *, history: Any = ()) -> Answer:
        raise AssertionError("not asked here")

    def warm_up(self) -> None:
        pass


def test_a_repeated_event_id_is_dropped_but_a_first_retry_is_answered() -> None:
    bot = SlackBot(_Idle(), Settings(_env_file=None), workers=1)  # type: ignore[call-arg]
    try:
        assert bot.is_new_delivery({"event_id": "Ev1"}, {})
        assert not bot.is_new_delivery({"event_id": "Ev1"}, {"x-slack-retry-num": ["1"]})
        assert bot.is_new_delivery({"event_id": "Ev2"}, {"x-slack-retry-num": ["2"]})  # its first copy never came
        assert bot.is_new_delivery({}, {}) and bot.is_new_delivery({}, {})  # no id (a click): never dropped
        assert bot.is_new_message("C1", "1.0") and not bot.is_new_message("C1", "1.0")
        assert bot.is_new_message("C2", "1.0")
    finally:
        bot.close()
