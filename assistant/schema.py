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


class SourceAnswer(BaseModel):
    """What one article says about the question."""

    n: int  # source number, 1-based
    id: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    path: str | None = None
    covers: bool
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
