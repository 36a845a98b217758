"""Typed data passed between the pipeline stages and rendered by every front end."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Article(BaseModel):
    """One news article with its full text (quotes are checked against it)."""

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None  # byline, when the source states one
    date: str | None = None  # ISO YYYY-MM-DD
    url: str | None = None
    path: str | None = None
    doc_key: str = ""  # where it came from (file, or file#record); a changed source replaces its article


class Chunk(BaseModel):
    """A piece of an article; ``article.text[start:end] == text``."""

    id: str
    article_id: str
    text: str
    start: int
    end: int


class ChunkHit(BaseModel):
    chunk: Chunk
    score: float  # higher is better


class Excerpt(BaseModel):
    """A verbatim quote: ``article.text[start:end] == quote``."""

    n: int
    quote: str
    start: int
    end: int
    score: float
    article_id: str = ""


ClaimKind = Literal["number", "date", "name", "yes-no", "text"]


class Claim(BaseModel):
    """The short answer one source gives: a verbatim span, ``article.text[start:end] == text``, inside one of
    the source's shown excerpts. ``value`` is the normalised form claims are grouped by ("7-2", "2025-06-23",
    "yes: consulted"); ``said_by`` the speaker the sentence names, verbatim, when it names one."""

    text: str
    start: int
    end: int
    kind: ClaimKind
    value: str
    said_by: str | None = None
    excerpt: int | None = None  # the ``n`` of the excerpt holding it


class ClaimGroup(BaseModel):
    """Claims that are compatible with each other (same value, within stated precision, overlapping ranges)."""

    value: str
    sources: list[int] = Field(default_factory=list)  # source numbers
    excerpts: list[int] = Field(default_factory=list)  # excerpt numbers
    said_by: list[str] = Field(default_factory=list)
    entity: str | None = None  # set when sources are about different things sharing the question's name


class SourceAnswer(BaseModel):
    """What one article says about the question."""

    n: int  # source number, 1-based
    id: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    path: str | None = None
    covers: bool
    claims: list[Claim] = Field(default_factory=list)  # what this source answers, first in its panel
    excerpts: list[Excerpt] = Field(default_factory=list)


class Answer(BaseModel):
    """The result of ``ask()``: per-source excerpts, and an LLM answer when one was made."""

    question: str
    standalone_question: str | None = None  # the rewritten follow-up that was searched
    mode: Literal["extractive", "llm"]
    answer: str | None = None
    summary: str = ""  # one line, always present (offline mode's headline)
    disagreement: bool = False
    disagreement_note: str | None = None
    groups: list[ClaimGroup] = Field(default_factory=list)  # claims grouped by compatibility
    sources: list[SourceAnswer] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    filters: list[str] = Field(default_factory=list)

    @property
    def excerpts(self) -> list[Excerpt]:
        return [e for s in self.sources for e in s.excerpts]

    @property
    def covering(self) -> list[SourceAnswer]:
        return [s for s in self.sources if s.covers]

    def to_json(self) -> dict[str, Any]:
        """The documented ``ask --json`` object."""
        data = self.model_dump(mode="json")
        for source in data["sources"]:
            for excerpt in source["excerpts"]:
                excerpt.pop("article_id", None)
        return data
