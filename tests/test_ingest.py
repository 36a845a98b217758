"""Ingestion: formats, metadata, stable ids, idempotence, replacement, and bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.ingest import chunk_article, read_file
from assistant.schema import Article
from tests.helpers import write


def _chunk_ids(assistant: Assistant) -> set[str]:
    return set(assistant.store().chunks.get(include=[])["ids"])


def test_txt_date_line_is_metadata_not_text(seeds_dir: Path) -> None:
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    article = read_file(seed, 10**7).articles[0]
    assert article.date == "2025-03-06"
    assert not article.text.lstrip().lower().startswith("date")
    assert article.outlet == seed.name  # no outlet in the file: falls back to the file name


def test_markdown_front_matter_html_meta_and_json_records(samples_dir: Path) -> None:
    md = read_file(samples_dir / "harbor-gazette-tram.md", 10**7).articles[0]
    assert (md.outlet, md.date, md.title) == ("Harbor Gazette", "2026-04-14",
                                              "Council approves Riverside tram line after late-night vote")
    html = read_file(samples_dir / "coastal-tribune-tram.html", 10**7).articles[0]
    assert html.outlet == "Coastal Tribune" and html.date == "2026-04-15"
    assert html.url == "https://example.org/coastal-tribune/tram-union"
    assert "analytics" not in html.text and "font-family" not in html.text and "Home" not in html.text
    js = read_file(samples_dir / "bay-sports-marathon.json", 10**7).articles[0]
    assert js.outlet == "Bay Sports Daily" and js.date == "2026-04-12"


def test_sidecar_supplies_missing_metadata(samples_dir: Path) -> None:
    article = read_file(samples_dir / "metro-wire-tram.txt", 10**7).articles[0]
    assert article.outlet == "Metro Wire"
    assert article.url == "https://example.org/metro-wire/tram-vote"


def test_jsonl_and_gz_records_in_multihop_shape(tmp_path: Path) -> None:
    records = [
        {"title": f"T{i}", "source": "Wire", "published_at": f"2024-01-0{i + 1}T00:00:00+00:00",
         "url": f"https://x/{i}", "body": f"Body number {i} about harbour cranes."}
        for i in range(3)
    ]
    lines = "\n".join(json.dumps(r) for r in records)
    gz = tmp_path / "c.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(lines)
    arts = read_file(gz, 10**7).articles
    assert [a.title for a in arts] == ["T0", "T1", "T2"]
    assert arts[2].date == "2024-01-03"


def test_chunk_offsets_point_into_the_article() -> None:
    text = " ".join(f"Sentence number {i} says something about trams and budgets." for i in range(80))
    article = Article(id="a", text=text)
    chunks = chunk_article(article, 300, 50)
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert len(c.text) <= 300


def test_article_id_is_stable_and_reingest_adds_nothing(assistant: Assistant, samples_dir: Path) -> None:
    first = assistant.ingest([samples_dir])
    assert first.added == 4 and not first.errors
    ids_before = _chunk_ids(assistant)
    second = assistant.ingest([samples_dir])
    assert (second.added, second.updated, second.unchanged, second.chunks) == (0, 0, 4, 0)
    assert _chunk_ids(assistant) == ids_before


def test_changed_file_replaces_its_chunks(assistant: Assistant, tmp_path: Path) -> None:
    path = write(tmp_path / "docs" / "a.txt", "date 2024-05-01\nThe ferry fare rises to four dollars.")
    assistant.ingest([path])
    old_ids = _chunk_ids(assistant)
    write(path, "date 2024-05-01\nThe ferry fare rises to five dollars, officials said.")
    report = assistant.ingest([path])
    assert report.updated == 1
    store = assistant.store()
    assert store.count_articles() == 1
    new_ids = _chunk_ids(assistant)
    assert not (old_ids & new_ids), "old chunks must be gone"
    texts = store.chunks.get(include=["documents"])["documents"]
    assert all("five dollars" in t for t in texts)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        ("latin.txt", "Caf\xe9 society".encode("latin-1"), "not UTF-8"),
        ("empty.txt", b"", "empty file"),
        ("broken.json", b'{"title": "x", "body": ', "malformed JSON"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_file_is_reported_and_others_still_ingested(
    assistant: Assistant, tmp_path: Path, samples_dir: Path, name: str, content: bytes, reason: str
) -> None:
    assistant.ingest([samples_dir / "harbor-gazette-tram.md"])
    before = assistant.store().count_articles()
    folder = tmp_path / "in"
    write(folder / name, content)
    write(folder / "good.md", "---\noutlet: Good Times\n---\nA good article about the harbour lights.")
    report = assistant.ingest([folder])
    assert report.added == 1
    assert len(report.errors) == 1
    assert name in str(report.errors[0]) and reason in str(report.errors[0])
    assert assistant.store().count_articles() == before + 1


def test_missing_path_is_reported(assistant: Assistant, tmp_path: Path) -> None:
    report = assistant.ingest([tmp_path / "nope"])
    assert "no such file or directory" in str(report.errors[0])
