"""Readers: news pages as they come (boilerplate, odd markup, vague dates), PDFs, .gz of every format,
stray control characters, and the public record reader."""

from __future__ import annotations

import gzip
import io
import json
import logging
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import Assistant
from assistant.errors import IngestError
from assistant.ingest import (
    SUPPORTED_SUFFIXES,
    ReadContext,
    Source,
    article_from_record,
    iter_source,
    parse_date,
    read_file,
)
from assistant.ingest.readers import html as html_reader
from tests.helpers import write

NEWS = Path(__file__).parent / "data" / "news"
MB = 10**7


def page(name: str, today: date | None = None) -> object:
    context = ReadContext(MB, today or date.today())
    (article,) = list(iter_source(Source(NEWS / name), context))
    return article


# --- web pages -------------------------------------------------------------------------------------


def test_news_page_keeps_the_story_without_share_buttons_popular_lists_newsletter_or_bio() -> None:
    article = read_file(NEWS / "share-popular.html", MB).articles[0]
    for sentence in ("The Bayline ferry company will run three extra sailings after ten o'clock every weekday",
                     '"We read every one of those signatures," said Marisol Vega',
                     "Fares on the new sailings will be the same as on daytime boats, the company said."):
        assert sentence in article.text
    for junk in ("Share on Facebook", "Copy link", "Most popular", "Celebrity chef", "Sign up for our newsletter",
                 "Morning Brief", "covers transport and infrastructure", "All rights reserved", "Privacy policy",
                 "dataLayer", "Sport"):
        assert junk not in article.text, junk
    assert (article.title, article.outlet, article.author, article.date, article.url) == (
        "Ferry operator adds night sailings after commuter petition", "Harbor Herald", "Dana Okafor", "2025-11-03",
        "https://harbor-herald.example/news/ferry-night-sailings")


def test_story_written_in_div_and_br_text_is_kept() -> None:
    article = read_file(NEWS / "div-br.html", MB).articles[0]
    assert "reopened on Tuesday after eight months of repairs to its roof" in article.text
    assert "forty more seats than before." in article.text
    assert "Advertise with us" not in article.text and "Contact us" not in article.text
    assert (article.outlet, article.author, article.date) == ("Eastside Bulletin", "Priya Raman", "2024-06-18")


def test_a_promo_article_first_on_the_page_does_not_hide_the_story() -> None:
    article = read_file(NEWS / "promo-first.html", MB).articles[0]
    assert "Train drivers on the valley line will not strike on Friday" in article.text
    assert "with extra carriages on the morning trains." in article.text
    assert (article.title, article.author, article.date) == (
        "Rail strike called off after late pay offer", "Hugo Lindqvist", "2025-02-27")


def test_a_page_inside_a_form_is_read() -> None:
    article = read_file(NEWS / "inside-form.html", MB).articles[0]
    assert "The reed-bed park built on the old gravel pits" in article.text
    assert "paid for by the award's prize money and a local lottery grant." in article.text
    assert "VIEWSTATE" not in article.text
    assert (article.outlet, article.date) == ("Riverside Post", "2023-09-08")


def test_a_weekday_and_time_alone_is_not_made_into_a_date() -> None:
    """'Monday 10:00PM' names no day: no date is stored (an invented one would often be in the future)."""
    article = read_file(NEWS / "relative-date.html", MB).articles[0]
    assert "about twelve thousand homes without electricity" in article.text
    assert article.date is None
    for vague in ("Monday 10:00PM", "Monday", "10:00 PM", "March 6", "March 2024", "yesterday"):
        assert parse_date(vague) is None, vague
    assert parse_date("Monday, March 6, 2023 10:00PM") == "2023-03-06"
    assert parse_date("2023-03-06T22:00:00+00:00") == "2023-03-06"


def test_a_page_date_after_the_ingest_day_is_not_stored() -> None:
    before = page("share-popular.html", today=date(2025, 11, 1))
    on_the_day = page("share-popular.html", today=date(2025, 11, 3))
    assert (before.date or "") <= "2025-11-01"  # type: ignore[attr-defined]
    assert on_the_day.date == "2025-11-03"  # type: ignore[attr-defined]


def test_debug_log_names_the_reader_used(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    comments_only = write(tmp_path / "comments.html", "<html><body><div id='comments'><p>The tram line opens on "
                                                      "Monday, officials said.</p></div></body></html>")
    with caplog.at_level(logging.DEBUG, logger="assistant.ingest"):
        assert read_file(NEWS / "div-br.html", MB).articles
        fallback = read_file(comments_only, MB).articles[0]
    lines = [r.getMessage() for r in caplog.records if r.name == html_reader.log.name]
    assert any("div-br.html: read by trafilatura" in line for line in lines), lines
    assert any("comments.html: read by the fallback reader" in line for line in lines), lines
    assert fallback.text == "The tram line opens on Monday, officials said."


def test_a_page_in_a_declared_charset_is_decoded_with_it(tmp_path: Path) -> None:
    body = "<p>Le café du port rouvre lundi après trois mois de travaux, a annoncé la mairie.</p>" * 3
    latin = write(tmp_path / "latin.html", f'<html><head><meta charset="iso-8859-1"></head><body>{body}'
                                           "</body></html>".encode("latin-1"))
    assert "Le café du port rouvre lundi après trois mois" in read_file(latin, MB).articles[0].text


# --- PDF -------------------------------------------------------------------------------------------


def make_pdf(lines: list[str], info: dict[str, str] | None = None) -> bytes:
    """A one-page PDF whose text is ``lines``, written with pypdf."""
    from pypdf import PdfWriter
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    writer = PdfWriter()
    pdf_page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    pdf_page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): font})})
    shown = " 0 -16 Td ".join(f"({line}) Tj" for line in lines)
    content = ContentStream(None, writer)
    content.set_data(f"BT /F1 12 Tf 72 720 Td {shown} ET".encode("latin-1"))
    pdf_page.replace_contents(content)
    if info:
        writer.add_metadata(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF_LINES = ["The harbour bridge reopens to traffic on Friday morning.", "Repairs took eleven weeks, the city said."]


def test_pdf_text_title_author_and_date_come_from_the_document(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", make_pdf(PDF_LINES, {
        "/Title": "Bridge repairs finished", "/Author": "Ana Silva", "/CreationDate": "D:20240305120000Z"}))
    article = read_file(path, MB).articles[0]
    assert article.text == "\n".join(PDF_LINES)
    assert (article.title, article.author, article.date) == ("Bridge repairs finished", "Ana Silva", "2024-03-05")


@pytest.mark.parametrize(("content", "reason"), [
    (b"%PDF-1.7\n garbage that is no PDF", "damaged or unreadable PDF"),
    (b"GIF89a not a pdf at all", "not a PDF document"),
    ("blank", "no text in the PDF"),
])
def test_a_pdf_that_cannot_be_read_is_one_line(tmp_path: Path, content: bytes | str, reason: str) -> None:
    data = make_pdf([]) if content == "blank" else content
    path = write(tmp_path / "bad.pdf", data)  # type: ignore[arg-type]
    with pytest.raises(IngestError) as refused:
        read_file(path, MB)
    assert reason in str(refused.value) and "\n" not in str(refused.value)


# --- compressed files ------------------------------------------------------------------------------


def test_gz_of_every_supported_format_reads_like_the_plain_file(tmp_path: Path) -> None:
    body = "The night ferry will run until midnight from March, the operator said on Monday."
    plain = {
        ".txt": f"date 2024-02-01\n{body}",
        ".md": f"---\ntitle: Night ferry\noutlet: Wire\n---\n{body}",
        ".markdown": f"# Night ferry\n\n{body}",
        ".html": f"<html><head><title>Night ferry</title></head><body><article><p>{body}</p></article></body></html>",
        ".htm": f"<html><body><p>{body}</p></body></html>",
        ".json": json.dumps({"title": "Night ferry", "body": body}),
        ".jsonl": json.dumps({"title": "Night ferry", "body": body}) + "\n",
        ".pdf": make_pdf([body], {"/Title": "Night ferry"}),
    }
    assert set(plain) | {s + ".gz" for s in plain} == set(SUPPORTED_SUFFIXES)
    for suffix, content in plain.items():
        data = content.encode() if isinstance(content, str) else content
        one = read_file(write(tmp_path / f"a{suffix}", data), MB).articles
        packed = read_file(write(tmp_path / f"a{suffix}.gz", gzip.compress(data)), MB).articles
        assert len(one) == len(packed) == 1, suffix
        assert (packed[0].text, packed[0].title, packed[0].date) == (one[0].text, one[0].title, one[0].date), suffix
        assert body in packed[0].text, suffix


def test_a_damaged_gz_file_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path / "cut.txt.gz", gzip.compress(b"The ferry runs late again.")[:-6])
    with pytest.raises(IngestError, match="cannot read file"):
        read_file(path, MB)


# --- stray characters ------------------------------------------------------------------------------


def test_stray_control_characters_are_removed_and_counted(assistant: Assistant, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "nul.txt", "The tram line\x00 opens on Monday,\x1b officials said.\r\nA second line.")
    write(folder / "feed.jsonl", json.dumps({"title": "Bell", "body": "The bell\x07 rang at noon."}) + "\n"
          + '{"title": "Raw", "body": "A raw\x01 control in the record."}\n')
    report = assistant.ingest([folder])
    assert report.errors == [] and report.added == 3
    assert report.controls_removed == 4
    assert "4 stray control characters removed" in report.summary()
    texts = {a.text for a in assistant.store().get_articles([a.id for a, _ in assistant.store().list_articles()])
             .values()}
    assert texts == {"The tram line opens on Monday, officials said.\nA second line.", "The bell rang at noon.",
                     "A raw control in the record."}


def test_mostly_control_bytes_is_still_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "noise.txt", bytes(range(1, 32)) * 40 + b"some text")
    with pytest.raises(IngestError, match="binary file, not text"):
        read_file(path, MB)


# --- records ---------------------------------------------------------------------------------------


def test_article_from_record_gives_the_article_an_ingest_of_the_file_gives(tmp_path: Path) -> None:
    records = [{"id": "r1", "title": "One", "source": "Wire", "author": ["Ana Silva", "Li Wei"],
                "published_at": "2024-01-02", "body": "Record one\x00 is about cranes."},
               {"id": "r2", "title": "Two", "body": "Record two is about ferries."}]
    path = write(tmp_path / "c.jsonl", "\n".join(json.dumps(r) for r in records))
    read = read_file(path, MB).articles
    made = [article_from_record(path, f"{path}:{i}", r) for i, r in enumerate(records, start=1)]
    assert [a.model_dump() for a in made] == [a.model_dump() for a in read]
    assert read[0].author == "Ana Silva, Li Wei" and read[0].text == "Record one is about cranes."
    no_author = article_from_record(path, "x", {"body": "Record two is about ferries.", "title": "Two"})
    with_author = article_from_record(path, "x", {"body": "Record two is about ferries.", "title": "Two",
                                                  "author": "Li Wei"})
    assert no_author.id != with_author.id
    by = article_from_record(path, "x", {"body": "Text.", "author": "By  Li Wei"})
    assert by.author == "Li Wei"
