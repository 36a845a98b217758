"""The corpus: the Chroma store and the keyword index written together, and kept in agreement by one sync."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.corpus import Corpus
from assistant.keyword import KeywordIndex, keyword_dir

AS_OF = date(2023, 3, 10)


def test_ingest_keeps_the_keyword_index_beside_the_store(eval_assistant: Assistant, settings: Settings) -> None:
    path = keyword_dir(settings)
    assert path.is_relative_to(settings.store_dir)
    index = KeywordIndex(path)
    assert index.article_ids() == set(eval_assistant.store().all_article_ids())


def test_keyword_index_follows_updates_and_deletions(assistant: Assistant, tmp_path: Path) -> None:
    doc = tmp_path / "tram.md"
    doc.write_text("---\ntitle: Tram vote\n---\nThe council approved the zebrafinch tram line.\n")
    assistant.ingest([doc])
    index = assistant.corpus().keyword
    assert [h.article_id for h in index.search_articles("zebrafinch", 3)] == assistant.store().all_article_ids()
    doc.write_text("---\ntitle: Tram vote\n---\nThe council rejected the kingfisher tram line.\n")
    report = assistant.ingest([doc])
    assert report.updated == 1
    assert index.search_articles("zebrafinch", 3) == []
    assert [h.article_id for h in index.search_articles("kingfisher", 3)] == assistant.store().all_article_ids()


def test_keyword_index_is_rebuilt_or_trimmed_to_match_the_store(eval_assistant: Assistant, settings: Settings) -> None:
    store = eval_assistant.store()
    shutil.rmtree(keyword_dir(settings))  # lost: rebuilt from the store at the next question
    fresh = Assistant(settings, embeddings=eval_assistant.embeddings, use_llm=False)
    answer = fresh.ask("How many seats did the Green Alliance win?", as_of=AS_OF)
    assert answer.sources and "Green Alliance" in (answer.sources[0].title or "")
    assert fresh.corpus().keyword.article_ids() == set(store.all_article_ids())
    # ahead of the store: an article deleted from Chroma behind its back is never returned
    gone = next(a for a, _ in store.list_articles() if a.title == "Kestrel satellite launch date set")
    store.delete_article(gone.id)
    answer = fresh.ask("When will the Kestrel satellite launch?", as_of=AS_OF)
    assert gone.id not in {s.id for s in answer.sources}
    assert gone.id not in fresh.corpus().keyword.article_ids()


def test_a_failed_keyword_write_never_fails_the_ingest_and_sync_repairs_it(assistant: Assistant, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    doc = tmp_path / "tram.md"
    doc.write_text("---\ntitle: Tram vote\n---\nThe council approved the zebrafinch tram line.\n")
    with monkeypatch.context() as m:
        m.setattr(KeywordIndex, "commit", full_disk)
        report = assistant.ingest([doc])
    assert report.added == 1 and not report.errors  # stored: Chroma is the truth
    corpus = assistant.corpus()
    assert corpus.keyword_search("zebrafinch", 3) == []  # not built
    corpus.sync()
    assert [h.article_id for h in corpus.keyword_search("zebrafinch", 3)] == corpus.store.all_article_ids()


def test_sync_is_two_counts_when_the_indexes_agree(eval_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = Corpus(eval_assistant.store())
    assert corpus.sync() == (0, 0)  # the first time in a process: id by id

    def no_scan() -> list[str]:
        raise AssertionError("a sync of agreeing indexes read every id")

    monkeypatch.setattr(corpus.store, "all_article_ids", no_scan)
    assert corpus.sync() == (0, 0)


def test_facets_come_from_the_keyword_index_and_match_the_store(eval_assistant: Assistant) -> None:
    from assistant.dates import date_int

    corpus = eval_assistant.corpus()
    corpus.sync()
    facets = corpus.facets()
    stored = {a.id: (a.outlet, date_int(a.date)) for a, _ in corpus.list_articles()}
    assert facets.by_article == stored
    assert facets.outlets == sorted({o for o, _ in stored.values() if o}, key=str.casefold)
