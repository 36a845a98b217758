"""Block Kit for an answer, pure: Slack's limits, escaping, the order of its parts, claims, bylines, who says
what, and the feedback buttons' value."""

from __future__ import annotations

import json
import re
from typing import Any

from assistant.schema import Answer, Claim, ClaimGroup, Excerpt, SourceAnswer
from assistant.slack.blocks import (
    MAX_BLOCKS,
    SECTION_CHARS,
    answer_blocks,
    feedback_value,
    parse_feedback_value,
)
from tests.fake_slack import block_texts


def _answer(n_sources: int, n_excerpts: int, quote: str, **kw: Any) -> Answer:
    sources, k = [], 1
    for s in range(1, n_sources + 1):
        excerpts = []
        for _ in range(n_excerpts):
            excerpts.append(Excerpt(n=k, quote=quote, start=k * 10, end=k * 10 + len(quote), score=0.8,
                                    article_id=f"art{s}"))
            k += 1
        sources.append(SourceAnswer(n=s, id=f"art{s}", outlet=f"Outlet {s} & Co", title=f"Title <{s}>",
                                    date="2025-03-06", url=f"https://news.example/{s}?a=1&b=2", covers=True,
                                    excerpts=excerpts))
    return Answer(**{"question": "Was Israel consulted?", "mode": "extractive", "summary": "Many sources.",
                     "sources": sources, **kw})


def _check_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for text in block_texts(blocks):
        assert len(text) <= SECTION_CHARS
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= 2000 and len(element["text"]["text"]) <= 75
    json.dumps(blocks)


def test_answer_blocks_stay_within_slack_limits_for_a_huge_answer() -> None:
    missing = [SourceAnswer(n=100 + i, id=f"m{i}", outlet=f"Uncovering outlet number {i}" * 3, covers=False)
               for i in range(200)]
    answer = _answer(60, 5, "A long & <loud> quote. " * 120, answer="The answer [1]. " * 600,
                     standalone_question="Was Israel consulted? " * 90, disagreement_note="Sources differ.",
                     notices=["a notice " * 60] * 20)
    answer.sources += missing
    blocks = answer_blocks(answer)
    _check_limits(blocks)
    texts = block_texts(blocks)
    shown = sum(len(re.findall(r"^> \*\[\d+\]\*", t, re.MULTILINE)) for t in texts)
    assert 0 < shown < 300
    [more] = [t for t in texts if t.startswith("…and ")]
    assert more.startswith(f"…and {300 - shown} more excerpts")
    assert any(t.startswith("Searched, but do not address the question:") and "more" in t for t in texts)
    assert blocks[-1]["type"] == "actions"  # the buttons survive truncation


def test_one_enormous_quote_is_clipped_not_rejected() -> None:
    blocks = answer_blocks(_answer(1, 2, "word " * 2000))
    _check_limits(blocks)
    first, second = [t for t in block_texts(blocks) if t.startswith("*[1]")]
    assert second.startswith("*[1] (continued)*")  # each clipped quote keeps its own section
    for section in (first, second):
        assert section.count("> *[") == 1 and section.endswith("…")


def test_answer_blocks_escape_article_text() -> None:
    answer = _answer(1, 1, "Tom & Jerry said <b>no</b> > yes <@U123> <!here>")
    text = "\n".join(block_texts(answer_blocks(answer)))
    assert "Tom &amp; Jerry said &lt;b&gt;no&lt;/b&gt; &gt; yes &lt;@U123&gt; &lt;!here&gt;" in text
    assert "<b>" not in text and "<!here>" not in text and "<@U123>" not in text
    assert "*[1] <https://news.example/1?a=1&amp;b=2|Outlet 1 &amp; Co — Title &lt;1&gt;>* · 2025-03-06" in text


def test_answer_blocks_show_answer_summary_disagreement_uncovered_filters_and_notes() -> None:
    answer = _answer(2, 1, "Israel was consulted.", answer="Yes [1], but [2] differs.", summary="2 of 3 agree.",
                     disagreement=True, disagreement_note="Sources differ: A [1] and B [2].",
                     notices=["LLM unavailable"], standalone_question="what did B say (about: Israel)",
                     filters=["outlet: B & Sons", "date: published 2025-03-01..2025-03-07 (\"last week\")"])
    answer.sources.append(SourceAnswer(n=3, id="x", outlet="Quiet Times", title="Unrelated", covers=False))
    texts = block_texts(answer_blocks(answer))
    assert texts[0] == "_Searched for:_ what did B say (about: Israel)"
    assert texts[1] == "Yes [1], but [2] differs."
    assert texts[2] == "*2 of 3 agree.*"
    assert texts[3].startswith(":scales: Sources differ")
    assert texts[4].startswith("*[1]") and texts[5].startswith("*[2]")
    assert "Quiet Times — Unrelated" in texts[6]
    assert texts[7] == 'Filters: outlet: B &amp; Sons; date: published 2025-03-01..2025-03-07 ("last week")'
    assert texts[8] == "_note:_ LLM unavailable"
    assert not any(t.startswith("Filters:") for t in block_texts(answer_blocks(_answer(1, 1, "q"))))


def test_feedback_value_fits_and_round_trips() -> None:
    answer = _answer(8, 3, "q", standalone_question="s" * 2000)
    answer.question = "Q" * 2000
    value = feedback_value(answer)
    assert len(value) <= 2000
    data = parse_feedback_value(value)
    assert data["question"].startswith("QQQ") and data["searched"]
    small = parse_feedback_value(feedback_value(_answer(1, 2, "quote")))
    assert small == {"question": "Was Israel consulted?", "searched": None,
                     "excerpt_ids": ["art1:10-15", "art1:20-25"]}
    assert parse_feedback_value("not json") == {"question": "", "searched": None, "excerpt_ids": []}


def _claim(text: str, excerpt: int, said_by: str | None = None) -> Claim:
    return Claim(text=text, start=0, end=len(text), kind="text", value=text.casefold(), said_by=said_by,
                 excerpt=excerpt)


def test_claims_head_each_sources_block_under_a_byline() -> None:
    answer = _answer(2, 2, "The courthouse was built in 1902.")
    first = answer.sources[0]
    first.author = "By  Jane Doe"
    first.claims = [_claim("1902", 1, said_by="the county clerk"), _claim("Built <1885>", 2)]
    texts = block_texts(answer_blocks(answer))
    [one] = [t for t in texts if t.startswith("*[1]")]
    [two] = [t for t in texts if t.startswith("*[2]")]
    lines = one.split("\n")
    assert lines[0].endswith("· 2025-03-06 · by Jane Doe")
    assert lines[1] == "*Claims:* “1902” [1] — the county clerk · “Built &lt;1885&gt;” [2]"
    assert lines[2].startswith("> *[1]* “") and lines[3].startswith("> *[2]* “")
    assert "Claims" not in two and " · by " not in two  # no claims, no byline: nothing invented
    assert two.split("\n")[1].startswith("> *[3]* “")


def test_a_long_claims_line_is_clipped_and_the_source_still_fits() -> None:
    answer = _answer(1, 3, "word " * 400)
    answer.sources[0].claims = [_claim("a claim & more " * 40, 1, said_by="someone " * 30) for _ in range(10)]
    blocks = answer_blocks(answer)
    _check_limits(blocks)
    [head] = [t for t in block_texts(blocks) if t.startswith("*[1] <")]
    claims = head.split("\n")[1]
    assert claims.startswith("*Claims:* “a claim &amp; more") and claims.endswith("…") and len(claims) <= 800
    assert sum(t.count("> *[") for t in block_texts(blocks)) == 3  # every excerpt is still shown


def test_context_line_shows_what_was_searched_and_the_filters_close_the_message() -> None:
    answer = _answer(1, 1, "q", standalone_question="When did the meetings happen? (about: Israel consulted)",
                     filters=["outlet: Valley Courier"])
    blocks = answer_blocks(answer)
    assert blocks[0]["type"] == "context"
    assert blocks[0]["elements"][0]["text"] == "_Searched for:_ When did the meetings happen? (about: Israel consulted)"
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert contexts[-1] == "Filters: outlet: Valley Courier"
    plain = answer_blocks(_answer(1, 1, "q"))
    assert plain[0]["type"] == "section"  # a question searched as typed gets no context line
    assert not any(t.startswith("_Searched for:_") for t in block_texts(plain))


def test_disagreement_note_names_who_says_what_once() -> None:
    note = "Sources differ: “1902”: the county clerk (Outlet 1, Outlet 2) [1][3] · “1885”: Outlet 3 [5]"
    answer = _answer(3, 2, "q", disagreement=True, disagreement_note=note,
                     groups=[ClaimGroup(value="1902", sources=[1, 2], excerpts=[1, 3], said_by=["the county clerk"]),
                             ClaimGroup(value="1885", sources=[3], excerpts=[5])])
    texts = block_texts(answer_blocks(answer))
    assert texts[1] == ":scales: " + note  # after the summary; the groups are not repeated below it
    assert texts[2].startswith("*[1]")


def test_groups_without_a_note_say_who_agrees_and_what_each_is_about() -> None:
    answer = _answer(3, 2, "q", groups=[
        ClaimGroup(value="1902", sources=[1, 2], excerpts=[1, 3], said_by=["the county clerk"]),
        ClaimGroup(value="1885", sources=[3], excerpts=[5, 6], entity="Howard County <Courthouse>"),
    ])
    texts = block_texts(answer_blocks(answer))
    assert texts[1].split("\n") == [
        "• *1902*: Outlet 1 &amp; Co [1], Outlet 2 &amp; Co [3] — said by the county clerk",
        "• *1885* (about Howard County &lt;Courthouse&gt;): Outlet 3 &amp; Co [5][6]",
    ]
    assert texts[2].startswith("*[1]")


def test_one_sources_lone_claim_adds_no_agreement_line() -> None:
    answer = _answer(1, 1, "q", groups=[ClaimGroup(value="1902", sources=[1], excerpts=[1])])
    texts = block_texts(answer_blocks(answer))
    assert texts[0] == "*Many sources.*" and texts[1].startswith("*[1]")
    agreeing = _answer(2, 1, "q", groups=[ClaimGroup(value="1902", sources=[1, 2], excerpts=[1, 2])])
    assert block_texts(answer_blocks(agreeing))[1] == "• *1902*: Outlet 1 &amp; Co [1], Outlet 2 &amp; Co [2]"
