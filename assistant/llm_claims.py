"""LLM mode's claims: the model names each source's answer as structured output, checked like quotes.

The model is asked (``prompts/claims.md``) for JSON: per excerpt, the answer it states, copied verbatim,
and who says it. Every claim must be a verbatim span of the excerpt it names; a claim that is not (the
model paraphrased, or invented it) is dropped, and that source keeps its offline claim. What survives is
typed and normalised by the same code as offline claims, so grouping and the disagreement flag do not
depend on how the model words things.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from .agreement import Attributed
from .claims import Asked, Found, find_claims
from .errors import LLMError
from .schema import Answer, Article, Claim
from .text import normalize

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage


class ClaimItem(BaseModel):
    excerpt: int
    text: str
    said_by: str | None = None


class ClaimsReply(BaseModel):
    claims: list[ClaimItem] = Field(default_factory=list)


class UnreadableClaims(LLMError):
    """The model answered, but not with the JSON asked for."""


def ask_claims(model: BaseChatModel, messages: list[BaseMessage]) -> ClaimsReply:
    """The model's claims through LangChain's JSON mode; its raw text parsed when JSON mode fails."""
    structured = model.with_structured_output(ClaimsReply, method="json_mode", include_raw=True)
    out = structured.invoke(messages)
    parsed = out.get("parsed") if isinstance(out, dict) else None
    if isinstance(parsed, ClaimsReply):
        return parsed
    raw = out.get("raw") if isinstance(out, dict) else None
    return parse_claims(str(getattr(raw, "content", "") or ""))


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
                               r"but|while|although|though|other hand)", re.IGNORECASE)


def says_they_differ(text: str) -> bool:
    """The answer tells the reader the sources do not agree (a word of contrast, at least)."""
    return bool(_SAYS_THEY_DIFFER.search(text))
