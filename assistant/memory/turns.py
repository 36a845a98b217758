"""What a conversation holds: its turns, the chat's memory of them, a bot's posted answers, and how one question
was read (``FollowUp``)."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from ..schema import Answer


@dataclass
class Turn:
    """One turn of a conversation: the question as typed and the answer shown for it.

    ``answer`` is None when only the answer's text is known (a thread read back after the bot restarted);
    references are then resolved from the questions alone.
    """

    question: str
    answer: Answer | None = None
    text: str = ""

    @property
    def searched(self) -> str:
        """The standalone question this turn searched (the question itself when it stood alone)."""
        if self.answer is not None and self.answer.standalone_question:
            return self.answer.standalone_question
        return self.question

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        return cls(answer.question, answer, answer.answer or answer.summary)


HistoryItem = Union[Turn, "Answer", tuple[str, str]]


def as_turns(history: Iterable[HistoryItem]) -> list[Turn]:
    """History as ``Turn``s: turns, answers, or (question, answer text) pairs (the older form) are accepted."""
    from ..schema import Answer

    out = []
    for item in history:
        if isinstance(item, Turn):
            out.append(item)
        elif isinstance(item, Answer):
            out.append(Turn.of(item))
        else:
            question, text = item
            out.append(Turn(str(question), None, str(text or "")))
    return out


class Conversation:
    """The turns a chat (or an eval) remembers, the last ``max_turns`` of them, oldest first."""

    def __init__(self, max_turns: int) -> None:
        self.max_turns = max_turns
        self._turns: deque[Turn] = deque(maxlen=max_turns or None)

    def remember(self, answer: Answer) -> None:
        if self.max_turns:
            self._turns.append(Turn.of(answer))

    def history(self) -> list[Turn]:
        return list(self._turns)

    def reset(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)


class AnswerCache:
    """The answers a bot posted, by (channel, message ts), the most recent ``capacity`` of them; thread-safe.

    A Slack thread read back with ``conversations.replies`` has only the bot's message text; this cache gives
    its ``Answer`` (sources, outlets, claims) back, so a follow-up in the thread is resolved as in the chat.
    """

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, channel: str, ts: str, answer: Answer) -> None:
        with self._lock:
            self._items[(channel, ts)] = answer
            self._items.move_to_end((channel, ts))
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, channel: str, ts: str | None) -> Answer | None:
        if ts is None:
            return None
        with self._lock:
            return self._items.get((channel, ts))


def thread_turns(exchanges: Iterable[tuple[str, str | None, str]], cache: AnswerCache, channel: str) -> list[Turn]:
    """A thread's history as turns: ``exchanges`` are (question, ts of the bot's reply or None, reply text),
    oldest first; each reply's ``Answer`` comes from ``cache`` when the bot still has it."""
    return [Turn(question, cache.get(channel, ts), text) for question, ts, text in exchanges]


@dataclass
class FollowUpOptions:
    """Which parts of follow-up handling run (``assistant eval``'s ablations switch them off one at a time)."""

    classify: bool = True  # off: every question after the first is taken as a follow-up
    from_answer: bool = True  # off: references are resolved from the earlier questions only
    outlet_scope: bool = True  # off: outlets are neither turned into filters nor kept from the last turn
    asked_words: bool = True  # off: what a follow-up adds to the conversation does not decide who answers it


@dataclass
class FollowUp:
    """How one question was read: ``standalone`` is what is searched; ``reason`` says why, in words."""

    question: str
    standalone: str
    dependent: bool = False
    reason: str = "no conversation yet"
    outlets: list[str] = field(default_factory=list)  # outlets the standalone asks about (a filter)
    notices: list[str] = field(default_factory=list)
    # what this turn asks that the conversation had not: a source quoting none of these words, when another
    # source's excerpts quote one, does not answer it ("for seniors?" of a fare story; "who said that?" of a claim)
    asks: tuple[str, ...] = ()
