"""Citation checks: dangling [n] removed, fabricated quotes flagged, verbatim excerpts."""

from __future__ import annotations

from assistant.cite import check_markers, check_quotes, is_verbatim
from assistant.schema import Article, Excerpt

ARTICLE = Article(id="a", text='The mayor said "we sat down with the drivers" before the vote.')


def test_dangling_marker_is_removed_valid_kept() -> None:
    text, dropped = check_markers("Yes [1]. Also no [7]. Both [1, 9].", [1, 2])
    assert text == "Yes [1]. Also no. Both [1]."
    assert dropped == [7, 9]


def test_quote_in_article_passes_fabricated_is_flagged() -> None:
    ok, bad = check_quotes('She said “we sat down with the drivers” [1].', [ARTICLE])
    assert bad == [] and "“we sat down with the drivers”" in ok
    text, bad = check_quotes('She said "the union signed off on everything" [1].', [ARTICLE])
    assert bad == ["the union signed off on everything"]
    assert "[unverified]" in text and '"the union' not in text


def test_is_verbatim_checks_offsets() -> None:
    start = ARTICLE.text.index("we sat")
    good = Excerpt(n=1, quote="we sat down", start=start, end=start + 11, score=1)
    assert is_verbatim(ARTICLE, good)
    assert not is_verbatim(ARTICLE, good.model_copy(update={"start": start + 1, "end": start + 12}))
