"""``Assistant.ask`` reports as it goes (``AskEvents``): what it searched, each source before it returns, and
the front ends print each source's panel as soon as it is reported."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from assistant.answer import Assistant, Conversation
from assistant.cli import _answer
from assistant.events import AskEvents, Searched
from assistant.schema import Answer, SourceAnswer

UNION = "Was the transit workers' union consulted?"


def _recorder() -> tuple[AskEvents, list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []
    events = AskEvents(on_searched=lambda s: seen.append(("searched", s)),
                       on_source=lambda s: seen.append(("source", s)))
    return events, seen


def test_ask_reports_what_it_searched_then_each_source(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    events, seen = _recorder()
    answer = assistant.ask(UNION, events=events)
    kinds = [kind for kind, _ in seen]
    assert kinds == ["searched"] + ["source"] * len(answer.sources)
    searched = seen[0][1]
    assert isinstance(searched, Searched) and not searched.rewritten
    assert searched.standalone == UNION and searched.sources == len(answer.sources)
    assert list(searched.filters) == answer.filters
    assert [s for _, s in seen[1:]] == answer.sources  # the very panels the answer holds, in order


def test_a_follow_up_reports_its_standalone_question_and_outlets(assistant: Assistant, samples_dir: Path) -> None:
    assistant.ingest([samples_dir])
    memory = Conversation(6)
    memory.remember(assistant.ask(UNION))
    events, seen = _recorder()
    answer = assistant.ask("Does Metro Wire agree?", history=memory.history(), events=events)
    [searched] = [s for kind, s in seen if kind == "searched"]
    assert searched.rewritten and searched.standalone == answer.standalone_question
    assert searched.outlets == ("Metro Wire",)
    assert list(searched.filters) == answer.filters and any("Metro Wire" in f for f in searched.filters)


class _SlowAnswer:
    """A core that reports one source, notes what the terminal shows at that moment, then answers."""

    def __init__(self, source: SourceAnswer, screen: io.StringIO) -> None:
        self.source = source
        self.screen = screen
        self.shown_before_return = ""

    def ask(self, question: str, *, as_of: Any = None, events: AskEvents | None = None) -> Answer:
        assert events is not None and events.on_source is not None, "a terminal streams the answer"
        events.on_source(self.source)
        self.shown_before_return = self.screen.getvalue()
        return Answer(question=question, mode="extractive", sources=[self.source], summary="1 of 1 source(s).")


def test_the_cli_prints_a_source_panel_as_soon_as_it_is_reported() -> None:
    source = SourceAnswer(n=1, id="a1", title="Tram vote", outlet="Metro Wire", covers=True, excerpts=[])
    screen = io.StringIO()
    core = _SlowAnswer(source, screen)
    _answer(core, UNION, as_json=False, console=Console(file=screen, force_terminal=True, width=100))
    assert "Metro Wire — Tram vote" in core.shown_before_return, core.shown_before_return
    assert screen.getvalue().count("Metro Wire — Tram vote") == 1  # not printed again at the end
    assert "1 of 1 source(s)." in screen.getvalue()
