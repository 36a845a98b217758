"""What ``Assistant.ask`` reports while it works, so that a front end can show an answer as it is made.

``AskEvents`` holds three optional hooks: ``on_searched`` once the search is done (what was searched),
``on_source`` for each source's panel as soon as it is ready, and ``on_token`` for the LLM answer's text as
it streams. A hook left out costs nothing; without ``on_token`` the LLM's reply is read whole, not streamed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import SourceAnswer


@dataclass(frozen=True)
class Searched:
    """What one question searched: as asked, as searched (a follow-up's standalone rewrite), and how."""

    question: str  # as asked (cleaned)
    standalone: str  # what was searched: the question itself, or its standalone rewrite
    outlets: tuple[str, ...] = ()  # the outlets a follow-up asks about ("does the Valley Courier agree?")
    filters: tuple[str, ...] = ()  # the date and outlet filters applied, in words ("outlet: Metro Wire")
    sources: int = 0  # how many sources the answer shows, covering the question or not

    @property
    def rewritten(self) -> bool:
        """The question was a follow-up, searched as a standalone rewrite."""
        return self.standalone != self.question


@dataclass(frozen=True)
class AskEvents:
    """The hooks ``Assistant.ask`` calls as it goes; each is optional."""

    on_searched: Callable[[Searched], None] | None = None
    on_source: Callable[[SourceAnswer], None] | None = None
    on_token: Callable[[str], None] | None = None

    def searched(self, searched: Searched) -> None:
        if self.on_searched is not None:
            self.on_searched(searched)

    def source(self, source: SourceAnswer) -> None:
        if self.on_source is not None:
            self.on_source(source)


NO_EVENTS = AskEvents()
