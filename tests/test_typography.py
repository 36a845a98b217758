"""Typography never decides coverage: every matching path compares words through assistant/text.py."""

from __future__ import annotations

from pathlib import Path

from assistant.answer import Assistant
from assistant.extract import entity_terms, terms


def test_terms_match_across_apostrophes_dashes_and_invisible_characters() -> None:
    assert terms("Leavitt’s statement") == terms("Leavitt's statement") == terms("Leavitt\u00ADs statement".replace(
        "\u00AD", "'"))
    assert terms("a 7–2 vote") == terms("a 7-2 vote")
    assert terms("Port\u00a0Selden\u200b fire") == terms("Port Selden fire")
    assert terms("ＬＥＡＶＩＴＴ") == terms("Leavitt")  # NFKC: full-width letters
    assert entity_terms("What did Leavitt's statement say?") == entity_terms("What did Leavitt’s statement say?")


def test_article_with_typographic_apostrophe_answers_a_straight_one(assistant: Assistant, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "brief.md").write_text(
        '---\ntitle: "Press briefing"\nsource: "Quayside Ledger"\ndate: 2025-03-06\n---\n\n'
        "Marta Leavitt’s statement on Wednesday said the harbor board was consulted about the dredging plan.\n\n"
        "The board meets again in April.\n", encoding="utf-8")
    (folder / "other.md").write_text(
        '---\ntitle: "Tide tables"\nsource: "Quayside Ledger"\ndate: 2025-03-06\n---\n\n'
        "High tide on Thursday is at 6:12 in the morning.\n", encoding="utf-8")
    assistant.ingest([folder])
    answer = assistant.ask("Was the harbor board consulted, according to Leavitt's statement?")
    [covering] = answer.covering
    assert covering.title == "Press briefing"
    assert "Leavitt’s statement" in covering.excerpts[0].quote  # quoted as the outlet wrote it
