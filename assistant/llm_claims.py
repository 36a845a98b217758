"""LLM mode's claims: the model names each source's answer as structured output, checked like quotes.

The answer prompt (``prompts/answer.md``) asks the model to end its reply with ``CLAIMS:`` and JSON: per
excerpt, the answer it states, copied verbatim, and who says it. One request keeps the answer streaming
(the JSON is held back from the reader) and costs no second round trip. Every claim must be a verbatim span
of the excerpt it names; a claim that is not (the model paraphrased, or invented it) is dropped, and that
source keeps its offline claim. What survives is typed and normalised by the same code as offline claims,
so grouping and the disagreement flag do not depend on how the model words things.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field, ValidationError

from .agreement import Attributed
from .claims import Asked, Found, find_claims
from .errors import LLMError
from .schema import Answer, Article, Claim
from .text import normalize


class ClaimItem(BaseModel):
    excerpt: int
    text: str
    said_by: str | None = None


class ClaimsReply(BaseModel):
    claims: list[ClaimItem] = Field(default_factory=list)


class UnreadableClaims(LLMError):
    """The model answered, but not with the JSON asked for."""


MARKER = "CLAIMS:"


def split_reply(text: str) -> tuple[str, str | None]:
    """The answer for the reader, and the claims part after the marker (None when there is none)."""
    at = text.find(MARKER)
    if at < 0:
        return text, None
    return text[:at].rstrip(), text[at + len(MARKER):]


class HoldBack:
    """Passes streamed tokens on until the claims marker begins; the JSON after it is never shown."""

    def __init__(self, on_token: Callable[[str], None]) -> None:
        self.on_token = on_token
        self.pending = ""
        self.done = False

    def feed(self, piece: str) -> None:
        if self.done:
            return
        self.pending += piece
        at = self.pending.find(MARKER)
        if at >= 0:
            self.done = True
            if self.pending[:at].rstrip():
                self.on_token(self.pending[:at].rstrip())
            return
        # keep back a tail that could be the start of the marker
        keep = max((k for k in range(1, len(MARKER)) if self.pending.endswith(MARKER[:k])), default=0)
        out, self.pending = self.pending[:len(self.pending) - keep], self.pending[len(self.pending) - keep:]
        if out:
            self.on_token(out)

    def flush(self) -> None:
        if not self.done and self.pending:
            self.on_token(self.pending)
        self.pending = ""


def parse_claims(text: str) -> ClaimsReply:
    """``ClaimsReply`` from a reply that holds a JSON object somewhere (a code fence, a sentence around it)."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        raise UnreadableClaims("the model's claims were not JSON")
    try:
        return ClaimsReply.model_validate(json.loads(match.group()))
    except (json.JSONDecodeError, ValidationError) as err:
        raise UnreadableClaims(f"the model's claims were not in the asked shape ({type(err).__name__})") from err


@dataclass
class Checked:
    claims: dict[int, list[tuple[Claim, Attributed]]]  # source n -> its verified claims
    dropped: int


def check_claims(reply: ClaimsReply, answer: Answer, articles: dict[str, Article], asked: Asked) -> Checked:
    """The model's claims that are verbatim inside the excerpt they name, typed like offline claims."""
    excerpts = {e.n: (s, e) for s in answer.covering for e in s.excerpts}
    out: dict[int, list[tuple[Claim, Attributed]]] = {}
    dropped = 0
    for item in reply.claims:
        found = excerpts.get(item.excerpt)
        text = item.text.strip()
        if found is None or not text or text not in found[1].quote:
            dropped += 1
            continue
        source, excerpt = found
        article = articles[source.id]
        start = excerpt.start + excerpt.quote.index(text)
        end = start + len(text)
        said_by = item.said_by.strip() if item.said_by and item.said_by.strip() in article.text else None
        typed = _typed(asked, article, start, end)
        claim = Claim(text=article.text[start:end], start=start, end=end, kind=typed.kind,
                      value=typed.value, said_by=said_by, excerpt=excerpt.n)
        label = source.outlet or source.title or f"source {source.n}"
        out.setdefault(source.n, []).append((claim, Attributed(typed, source.n, excerpt.n, label, claim.text,
                                                               said_by)))
    return Checked(out, dropped)


def _typed(asked: Asked, article: Article, start: int, end: int) -> Found:
    """The span's kind and normalised value, by the offline extractor; a plain text claim when it finds none."""
    for f in find_claims(asked, article.text, start, end, article.date):
        if start <= f.start and f.end <= end:
            f.start, f.end = start, end
            return f
    value = normalize(article.text[start:end])
    return Found(start, end, "text", value, key=("text", value))


_SAYS_THEY_DIFFER = re.compile(r"\b(?:disagree|differ|conflict|contradict|dispute|inconsistent|however|whereas|"
                               r"but|while|although|though|other hand|others?|not|no|deny|denied|denies)\b|n[’']t\b",
                               re.IGNORECASE)


def says_they_differ(text: str) -> bool:
    """The answer tells the reader the sources do not agree (a word of contrast or of the other side,
    at least)."""
    return bool(_SAYS_THEY_DIFFER.search(text))
