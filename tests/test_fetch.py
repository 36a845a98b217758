"""Links and feeds, served from a loopback news site: pages fetched once and kept, a 50-entry feed with
every article's title, outlet, byline and date, --since, and one line per link that fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.answer import Assistant
from assistant.config import Settings
from assistant.errors import IngestError
from assistant.ingest.fetch import USER_AGENT, Fetcher, pages_dir
from tests.helpers import write
from tests.web_site import FEED_TITLE, N_ENTRIES, OUTLET, author, entry_day, entry_words, news_site


@pytest.fixture()
def fast_settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store", torch_threads=1, fetch_timeout_s=0.5, fetch_max_redirects=2,
                    max_file_mb=1, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture()
def online(fast_settings: Settings, embeddings: Any) -> Assistant:
    return Assistant(fast_settings, embeddings=embeddings, use_llm=False)


def stored(assistant: Assistant) -> dict[str, Any]:
    """url -> article, for every stored article."""
    store = assistant.store()
    articles = store.get_articles([a.id for a, _ in store.list_articles()]).values()
    return {a.url: a for a in articles}


def test_a_feed_of_50_entries_is_ingested_with_every_stated_field_and_a_second_run_fetches_nothing_new(
    online: Assistant,
) -> None:
    with news_site() as site:
        feed_url = f"{site.base}/feed.xml"
        report = online.ingest([feed_url])
        assert report.errors == [] and report.added == N_ENTRIES
        assert report.fetched == N_ENTRIES + 1 and f"{N_ENTRIES + 1} downloaded" in report.summary()
        articles = stored(online)
        assert len(articles) == N_ENTRIES
        for n in range(N_ENTRIES):
            article = articles[f"{site.base}/news/{n}.html"]
            assert f"story number {entry_words(n)}" in article.text
            assert article.date == entry_day(n).isoformat()
            if n % 2:  # the page states nothing: the feed's entry and title fill in
                assert (article.title, article.author, article.outlet) == (f"Feed title {n}", author(n, "Feed"),
                                                                           FEED_TITLE)
            else:  # the page's own metadata comes first
                assert (article.title, article.author, article.outlet) == (f"Pier session {entry_words(n)}",
                                                                           author(n, "Page"), OUTLET)
            assert Path(article.path).parent == pages_dir(online.settings) and Path(article.path).is_file()
        asked = len(site.requests)
        again = online.ingest([feed_url])
        assert (again.added, again.unchanged, again.errors) == (0, N_ENTRIES, [])
        assert site.requests[asked:] == ["/feed.xml"], "only the feed itself is fetched again"
        assert again.fetched == 1
        assert site.agents == {USER_AGENT}


def test_a_second_run_adds_only_the_new_entries(fast_settings: Settings, embeddings: Any) -> None:
    with news_site(n_entries=4) as site:
        assistant = Assistant(fast_settings, embeddings=embeddings, use_llm=False)
        assert assistant.ingest([f"{site.base}/feed.xml"]).added == 4
        site.n_entries = 6
        asked = len(site.requests)
        report = assistant.ingest([f"{site.base}/feed.xml"])
        assert (report.added, report.unchanged) == (2, 4)
        assert sorted(site.requests[asked:]) == ["/feed.xml", "/news/4.html", "/news/5.html"]


def test_since_skips_older_entries(online: Assistant) -> None:
    with news_site(n_entries=10) as site:
        report = online.ingest([f"{site.base}/feed.xml"], since=entry_day(7))
        assert report.added == 3 and report.older == 7
        assert "7 feed entries older than --since skipped" in report.summary()
        assert sorted(a.date for a in stored(online).values()) == [entry_day(n).isoformat() for n in (7, 8, 9)]
        assert site.asked("/news/") == 3


def test_a_hanging_server_and_a_404_are_one_line_each_and_the_rest_go_on(
    online: Assistant, tmp_path: Path,
) -> None:
    local = write(tmp_path / "local" / "note.txt", "The ferry timetable changes on Sunday, the operator said.")
    with news_site() as site:
        started = time.monotonic()
        report = online.ingest([f"{site.base}/hang", f"{site.base}/gone.html", f"{site.base}/page.html", local])
        elapsed = time.monotonic() - started
    assert report.added == 2
    lines = sorted(str(e) for e in report.errors)
    assert lines == [f"{site.base}/gone.html: HTTP 404 Not Found",
                     f"{site.base}/hang: timed out after 0.5 s (raise ASSISTANT_FETCH_TIMEOUT_S)"]
    assert elapsed < 30
    assert f"{site.base}/page.html" in stored(online)


@pytest.mark.parametrize(("path", "reason"), [
    ("/image.png", "not a web page, PDF, text or feed (content type image/png)"),
    ("/not-a-feed.xml", "not a web page, PDF, text or feed (XML that is not an RSS or Atom feed)"),
    ("/big.html", "over the 1 MB limit of one article (raise ASSISTANT_MAX_FILE_MB)"),
    ("/loop", "more than 2 redirects (raise ASSISTANT_FETCH_MAX_REDIRECTS)"),
])
def test_downloads_are_checked_for_type_size_and_redirects(fast_settings: Settings, path: str, reason: str) -> None:
    with news_site() as site:
        fetcher = Fetcher(fast_settings)
        try:
            with pytest.raises(IngestError) as refused:
                fetcher.get(site.base + path)
        finally:
            fetcher.close()
    assert str(refused.value) == f"{site.base}{path}: {reason}"


def test_redirects_feeds_by_content_and_charsets(fast_settings: Settings, tmp_path: Path) -> None:
    with news_site() as site:
        fetcher = Fetcher(fast_settings, tmp_path / "pages")
        try:
            moved = fetcher.get(f"{site.base}/moved")
            mislabelled = fetcher.get(f"{site.base}/feed-as-html")
            latin = fetcher.get(f"{site.base}/latin.html")
        finally:
            fetcher.close()
    assert moved.final_url == f"{site.base}/page.html" and not moved.is_feed
    assert mislabelled.is_feed, "a feed is told by its content, not its content type"
    kept = fetcher.keep(latin, {})
    assert "Le café du port" in kept.read_text(encoding="utf-8")
    assert fetcher.kept(f"{site.base}/latin.html") == kept
    sidecar = json.loads(kept.with_name(kept.name.replace(".html", ".meta.json")).read_text())
    assert sidecar["url"] == f"{site.base}/latin.html" and sidecar["fetched_url"] == f"{site.base}/latin.html"


@pytest.mark.slow
def test_console_ingest_of_links_and_a_list_then_show(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "SLACK_"))}
    env.update(ASSISTANT_STORE_DIR=str(tmp_path / "store"), ASSISTANT_TORCH_THREADS="1", HF_HUB_OFFLINE="1",
               ASSISTANT_FETCH_TIMEOUT_S="0.5", COLUMNS="400")
    script = Path(sys.executable).parent / "assistant"
    local = write(tmp_path / "note.md", "---\noutlet: Notes\nauthor: Kim Lee\n---\nThe ferry timetable changes.")
    with news_site(n_entries=3) as site:
        links = write(tmp_path / "links.txt", f"# my feeds\n{site.base}/feed.xml\n\n  {site.base}/gone.html \n")
        done = subprocess.run([str(script), "--debug", "ingest", f"{site.base}/page.html", str(local), "--urls",
                               str(links), "--since", entry_day(1).isoformat()],
                              env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # one link failed
    assert "Traceback" not in done.stderr
    skipped = [line for line in done.stderr.splitlines() if line.startswith("skipped ")]
    assert skipped == [f"skipped {site.base}/gone.html: HTTP 404 Not Found"], done.stderr
    assert "4 added" in done.stderr and "1 feed entries older than --since skipped" in done.stderr
    assert "debug: " in done.stderr and "read by trafilatura" in done.stderr
    listed = subprocess.run([str(script), "sources", "--json"], env=env, capture_output=True, text=True, timeout=120)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    note = next(r for r in rows if r["outlet"] == "Notes")
    assert note["author"] == "Kim Lee"
    shown = subprocess.run([str(script), "show", note["id"], "--json"], env=env, capture_output=True, text=True,
                           timeout=120)
    data = json.loads(shown.stdout)
    assert list(data) == ["id", "title", "outlet", "author", "date", "url", "path", "text"]
    assert (data["author"], data["text"], data["path"]) == ("Kim Lee", "The ferry timetable changes.", str(local))
    plain = subprocess.run([str(script), "show", note["id"]], env=env, capture_output=True, text=True, timeout=120)
    assert "author:  Kim Lee" in plain.stdout and plain.stdout.rstrip().endswith("The ferry timetable changes.")
    missing = subprocess.run([str(script), "show", "nope"], env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "assistant sources" in missing.stderr


def test_since_needs_a_date(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "assistant"
    env = {**os.environ, "ASSISTANT_STORE_DIR": str(tmp_path / "store")}
    bad = subprocess.run([str(script), "ingest", "x.txt", "--since", "last week"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 1 and "--since 'last week' is not a date; use YYYY-MM-DD" in bad.stderr
    nothing = subprocess.run([str(script), "ingest"], env=env, capture_output=True, text=True, timeout=60)
    assert nothing.returncode == 1 and "Nothing to ingest" in nothing.stderr
    unreadable = subprocess.run([str(script), "ingest", "--urls", str(tmp_path / "missing.txt")], env=env,
                                capture_output=True, text=True, timeout=60)
    assert unreadable.returncode == 1 and "cannot read the list of links" in unreadable.stderr
