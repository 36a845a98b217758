"""The keyword index on its own: tokens, segments, builds, BM25 scores, and reads that never write."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.keyword import KeywordIndex, bm25_matrix, tokenize
from assistant.keyword.folder import FORMAT_VERSION
from assistant.query import parse_query
from assistant.retrieve import date_factors
from assistant.schema import Article, Chunk
from assistant.weights import RetrievalWeights

AS_OF = date(2023, 3, 10)


def _article(i: str, text: str, title: str = "", outlet: str = "Wire", day: str = "2023-03-01") -> Article:
    return Article(id=i, text=text, title=title, outlet=outlet, date=day, doc_key=f"k{i}")


def _chunks(a: Article) -> list[Chunk]:
    return [Chunk(id=f"{a.id}:0", article_id=a.id, text=a.text, start=0, end=len(a.text))]


def test_tokenize_stems_drops_stopwords_and_keeps_numbers() -> None:
    assert tokenize("Which bridges are reopening in 2023, the Mayor's office asks") == \
        ["bridg", "reopen", "2023", "mayor", "offic", "ask"]


def test_keyword_index_adds_searches_deletes_and_persists(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    a = _article("a1", "The Velmora Bridge will reopen in June after repairs.", "Bridge repairs", "Metro Wire")
    b = _article("b1", "Ferry fares are frozen for another year across the bay.", "Ferry fares", "Coastal")
    for art in (a, b):
        index.add(art, _chunks(art))
    index.commit()
    assert [h.article_id for h in index.search_articles("When does the bridge reopen?", 5)] == ["a1"]
    assert index.search_articles("bridge", 5, outlets=["Coastal"]) == []
    chunk_hits = index.search_chunks("ferry fares", 5)
    assert chunk_hits[0].chunk_id == "b1:0" and (chunk_hits[0].start, chunk_hits[0].end) == (0, len(b.text))

    reopened = KeywordIndex(tmp_path / "kw")  # another process: reads what was committed
    assert reopened.article_ids() == {"a1", "b1"}
    reopened.delete(["a1"])
    reopened.commit()
    assert reopened.search_articles("bridge", 5) == []
    c = _article("c1", "A new bridge opens downtown.", "Downtown bridge")
    reopened.add(c, _chunks(c))
    reopened.commit()
    assert [h.article_id for h in index.search_articles("bridge", 5)] == ["c1"]  # the first object sees it too


def test_a_rebuild_reads_words_another_process_added_since(tmp_path: Path) -> None:
    """Process B writes a segment with new words but has not rebuilt yet; A's rebuild must not use its own older
    copy of the vocabulary (it did: an ask during an ingest failed with an IndexError inside bm25s)."""
    a_side = KeywordIndex(tmp_path / "kw")
    first = _article("a1", "The Velmora Bridge will reopen in June after repairs.", "Bridge repairs")
    a_side.add(first, _chunks(first))
    a_side.commit()
    assert a_side.search_articles("bridge", 5)  # A has read the vocabulary
    b_side = KeywordIndex(tmp_path / "kw")
    second = _article("b1", "Quillstone orchards report a record xylocarp harvest.", "Orchard harvest")
    b_side.add(second, _chunks(second))
    b_side.flush()  # B stops here: segment and new words on disk, no rebuild yet
    a_side.commit()
    assert [h.article_id for h in a_side.search_articles("xylocarp harvest", 5)] == ["b1"]


def test_bm25_matrix_scores_as_bm25s_own_index_does() -> None:
    import bm25s
    import numpy as np

    rng = np.random.default_rng(7)
    n_vocab = 60
    docs = [rng.integers(1, n_vocab, size=int(rng.integers(0, 40))).astype(np.int32) for _ in range(200)]
    vocab = {("" if i == 0 else f"w{i}"): i for i in range(n_vocab)}
    theirs = bm25s.BM25(k1=1.2, b=0.75)
    theirs.index(([d.tolist() for d in docs], dict(vocab)), show_progress=False)
    ours = bm25s.BM25(k1=1.2, b=0.75)
    ours.scores = bm25_matrix(docs, n_vocab, 1.2, 0.75, batch_tokens=300)  # several batches
    ours.vocab_dict = dict(vocab)
    ours.nonoccurrence_array = None
    for query in (["w1"], ["w5", "w7", "w7"], ["w59", "w2", "w30"]):
        assert np.allclose(ours.get_scores(query), theirs.get_scores(query), rtol=1e-5, atol=1e-6), query
    assert ours.scores["num_docs"] == 200
    # documents without a word (only stopwords, say) score 0 and break nothing
    empty = bm25_matrix([np.zeros(0, dtype=np.int32)] * 3, n_vocab, 1.2, 0.75)
    assert empty["num_docs"] == 3 and len(empty["data"]) == 0 and int(empty["indptr"][-1]) == 0


def test_keyword_index_builds_segments_left_by_a_run_that_stopped_before_commit(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    a = _article("a1", "Floodwaters reached the Lantern District.")
    index.add(a, _chunks(a))
    index.flush()  # what a crash after writing the segment leaves behind: no build
    fresh = KeywordIndex(tmp_path / "kw")
    assert fresh.behind() and fresh.search_articles("lantern flood", 3) == []  # a read builds nothing
    fresh.commit()  # the corpus's sync does this before a question
    assert [h.article_id for h in fresh.search_articles("lantern flood", 3)] == ["a1"]


def test_keyword_index_applies_a_date_prior(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    old = _article("old", "The river flooded the district.", day="2022-01-01")
    new = _article("new", "The river flooded the district.", day="2023-03-09")
    for art in (old, new):
        index.add(art, _chunks(art))
    index.commit()
    intent = parse_query("Which district flooded?", AS_OF)
    # the recency boost is off by default; switched on, the index applies it to every article's score
    weights = RetrievalWeights.from_settings(Settings(_env_file=None, recency_weight=0.3))  # type: ignore[call-arg]
    hits = index.search_articles("district flooded", 2, date_weights=lambda d: date_factors(d, intent, weights))
    assert [h.article_id for h in hits] == ["new", "old"]


def test_tokenize_normalises_typography_first() -> None:
    """Curly apostrophes, ligatures, full-width digits and zero-width joiners are the words a reader types."""
    assert tokenize("Leavitt’s ﬁnal o​ffer in ２０２３") == tokenize(
        "Leavitt's final offer in 2023")
    assert tokenize("LEAVITT‘S") == ["leavitt"]


def test_searches_and_facets_write_nothing(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    a = _article("a1", "Floodwaters reached the Lantern District.", outlet="Metro Wire", day="2023-03-09")
    index.add(a, _chunks(a))
    index.commit()
    b = _article("b1", "The Lantern District reopened its market.")
    index.add(b, _chunks(b))
    index.flush()  # a segment the build does not have yet
    reader = KeywordIndex(tmp_path / "kw")
    assert reader.behind()
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "kw").rglob("*")}
    assert [h.article_id for h in reader.search_articles("lantern", 3)] == ["a1"]
    assert reader.search_chunks("lantern", 3)[0].article_id == "a1"
    assert reader.facets().by_article == {"a1": ("Metro Wire", 20230309)} and reader.facets().outlets == ["Metro Wire"]
    assert reader.count() == 1
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "kw").rglob("*")} == before


def test_facets_leave_out_deleted_articles(tmp_path: Path) -> None:
    index = KeywordIndex(tmp_path / "kw")
    for art in (_article("a1", "Ferry fares rise.", outlet="Coastal"), _article("b1", "Trams run late.", outlet="")):
        index.add(art, _chunks(art))
    index.commit()
    assert index.facets().by_article == {"a1": ("Coastal", 20230301), "b1": (None, 20230301)}
    index.delete(["a1"])
    index.commit()
    assert index.facets().by_article == {"b1": (None, 20230301)} and index.facets().outlets == []


def test_an_index_of_another_format_is_rebuilt_and_its_files_removed(tmp_path: Path) -> None:
    folder = tmp_path / "kw"
    index = KeywordIndex(folder)
    a = _article("a1", "The Velmora Bridge will reopen in June.")
    index.add(a, _chunks(a))
    index.commit()
    old_files = {p.name for p in folder.iterdir() if p.name.startswith(("seg-", "built-"))}
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "version": FORMAT_VERSION - 1}))
    stale = KeywordIndex(folder)
    assert stale.article_ids() == set() and stale.search_articles("bridge", 3) == []  # read as empty
    b = _article("b1", "A new bridge opens downtown.")
    stale.add(b, _chunks(b))
    stale.commit()
    assert [h.article_id for h in stale.search_articles("bridge", 3)] == ["b1"]
    assert not old_files & {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("deleted", [False, True])
def test_a_compacted_index_searches_as_the_segments_did(tmp_path: Path, deleted: bool) -> None:
    """Merging segments (more than MAX_SEGMENTS, or deletions) keeps every live article, chunk and score."""
    many = KeywordIndex(tmp_path / "many")
    one = KeywordIndex(tmp_path / "one")
    arts = [_article(f"a{i}", f"Harbor ferry {i} sails at dawn; the {'storm' if i % 3 else 'calm'} sea waits.",
                     title=f"Ferry {i}") for i in range(12)]
    for art in arts:
        many.add(art, _chunks(art))
        many.flush()  # one segment each
        one.add(art, _chunks(art))
    if deleted:
        many.delete(["a4"])
        one.delete(["a4"])
    many.commit()
    one.commit()
    assert len(json.loads((tmp_path / "many" / "manifest.json").read_text())["segments"]) == 1
    for query in ("storm ferry", "calm sea dawn", "ferry 7"):
        assert many.search_articles(query, 20) == one.search_articles(query, 20)
        assert many.search_chunks(query, 20) == one.search_chunks(query, 20)
