"""Article extraction from real web pages: the old BeautifulSoup reader vs the trafilatura reader, side by side.

    .venv/bin/python bench/extraction.py DIR [DIR ...] [--json PATH]

Each DIR is an evaluation set kept outside the repository (third-party pages are never committed):
- an article-extraction benchmark layout: ``DIR/ground-truth.json`` ({key: {"articleBody", "url"}}) and
  ``DIR/html/<key>.html.gz`` (e.g. scrapinghub/article-extraction-benchmark);
- a trafilatura evaluation layout: ``DIR/evaldata.json`` ({url: {"file", "with", "without", "date", ...}})
  with the pages in ``DIR/eval/`` or ``DIR/cache/`` (adbar/trafilatura's ``tests/``).

Printed per set and reader: with a ground-truth body, mean token F1 (lowercased whitespace tokens, multiset
overlap) and the share of pages with F1 >= 0.9; with snippets, the share of "with" snippets kept and of
"without" snippets dropped; always the share of pages given a date, of pages whose stated date was found
exactly, and the number of dates after the ingest day. The new reader runs through ``read_file`` (the
.html.gz pages through the gzip path), exactly as ``assistant ingest`` reads a file.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.errors import IngestError  # noqa: E402
from assistant.ingest import read_file  # noqa: E402
from assistant.ingest.decode import decode_bytes  # noqa: E402
from assistant.ingest.readers import html_fallback  # noqa: E402

MAX_BYTES = 50_000_000


@dataclass
class Page:
    path: Path
    url: str | None
    body: str | None = None  # ground-truth article text
    with_: tuple[str, ...] = ()  # snippets that belong to the article
    without: tuple[str, ...] = ()  # snippets that do not
    date: str | None = None  # the stated publication date, when the set gives it


def benchmark_pages(folder: Path) -> Iterator[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in truth.items():
        yield Page(folder / "html" / f"{key}.html.gz", item.get("url"), body=item.get("articleBody") or "")


def trafilatura_pages(folder: Path) -> Iterator[Page]:
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    for url, item in data.items():
        found = [folder / sub / item["file"] for sub in ("eval", "cache")]
        path = next((p for p in found if p.exists()), None)
        if path is not None:
            yield Page(path, url, with_=tuple(item.get("with", ())), without=tuple(item.get("without", ())),
                       date=item.get("date") or None)


def load_set(folder: Path) -> list[Page]:
    if (folder / "ground-truth.json").exists():
        return list(benchmark_pages(folder))
    if (folder / "evaldata.json").exists():
        return list(trafilatura_pages(folder))
    raise SystemExit(f"{folder}: neither ground-truth.json nor evaldata.json found")


# --------------------------------------------------------------------------------------------------
# readers


def old_parse_date(value: Any) -> str | None:
    """The date parsing the old reader used: any dateutil reading, missing fields filled from today."""
    if not value:
        return None
    text = str(value).strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    from dateutil import parser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", parser.UnknownTimezoneWarning)
            return parser.parse(text, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError):
        return None


def old_reader(page: Page) -> tuple[str, str | None]:
    data = page.path.read_bytes()
    if page.path.name.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        raw = decode_bytes(page.path, data)
    except IngestError:
        raw = data.decode("utf-8", errors="replace")
    body, meta = html_fallback.extract(raw)
    return body, old_parse_date(meta.get("date"))


def new_reader(page: Page) -> tuple[str, str | None]:
    try:
        article = read_file(page.path, MAX_BYTES).articles[0]
    except IngestError:
        return "", None
    return article.text, article.date


READERS: dict[str, Callable[[Page], tuple[str, str | None]]] = {"old (BeautifulSoup)": old_reader,
                                                                "new (trafilatura)": new_reader}


# --------------------------------------------------------------------------------------------------
# scores


def token_f1(truth: str, got: str) -> float:
    want, have = Counter(truth.lower().split()), Counter(got.lower().split())
    overlap = sum((want & have).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(have.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def score(pages: list[Page], reader: Callable[[Page], tuple[str, str | None]], today: str) -> dict[str, Any]:
    f1s, snippets, dated, exact, stated, future, empty = [], Counter(), 0, 0, 0, 0, 0
    started = time.perf_counter()
    for page in pages:
        text, found = reader(page)
        empty += not text.strip()
        if page.body is not None:
            f1s.append(token_f1(page.body, text))
        snippets["with_kept"] += sum(s in text for s in page.with_)
        snippets["with"] += len(page.with_)
        snippets["without_dropped"] += sum(s not in text for s in page.without)
        snippets["without"] += len(page.without)
        dated += found is not None
        future += bool(found and found > today)
        if page.date:
            stated += 1
            exact += found == page.date
    out: dict[str, Any] = {"pages": len(pages), "empty": empty, "dated": round(dated / len(pages), 3),
                           "after_ingest_day": future, "ms_per_page": round(1000 * (time.perf_counter() - started)
                                                                            / len(pages), 1)}
    if f1s:
        out.update(mean_f1=round(sum(f1s) / len(f1s), 3), share_f1_09=round(sum(f >= 0.9 for f in f1s) / len(f1s), 3))
    if snippets["with"]:
        out.update(with_kept=round(snippets["with_kept"] / snippets["with"], 3),
                   without_dropped=round(snippets["without_dropped"] / max(1, snippets["without"]), 3))
    if stated:
        out.update(stated_dates=stated, stated_found_exactly=round(exact / stated, 3))
    return out


def print_row(name: str, row: dict[str, Any]) -> None:
    parts = [f"{name:<20}", f"pages {row['pages']}"]
    if "mean_f1" in row:
        parts.append(f"F1 {row['mean_f1']:.3f}  F1>=0.9 {row['share_f1_09']:.0%}")
    if "with_kept" in row:
        parts.append(f"kept {row['with_kept']:.1%} of 'with', dropped {row['without_dropped']:.1%} of 'without'")
    parts.append(f"empty {row['empty']}  dated {row['dated']:.1%}")
    if "stated_dates" in row:
        parts.append(f"stated date exact {row['stated_found_exactly']:.1%} of {row['stated_dates']}")
    parts.append(f"after ingest day {row['after_ingest_day']}  {row['ms_per_page']} ms/page")
    print("  ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", type=Path, nargs="+", help="evaluation set folders")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    import logging

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    today = date.today().isoformat()
    report: dict[str, Any] = {"ingest_day": today}
    for folder in args.sets:
        pages = load_set(folder)
        print(f"{folder} ({len(pages)} pages)")
        report[str(folder)] = {}
        for name, reader in READERS.items():
            row = score(pages, reader, today)
            report[str(folder)][name] = row
            print_row(name, row)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
