"""The simple HTML reader (BeautifulSoup): used only for pages trafilatura finds nothing in.

It keeps the text of paragraph-like blocks inside the first ``<article>`` or ``<main>`` (else the body),
after dropping scripts, styles, navigation and forms; with no such blocks, the root's lines.
"""

from __future__ import annotations

from typing import Any

_DROP = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form"]
_BLOCKS = ["p", "h1", "h2", "h3", "h4", "li", "blockquote"]


def extract(raw: str) -> tuple[str, dict[str, Any]]:
    """(body text, metadata) of a page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    meta = _metadata(soup)
    for tag in soup(_DROP):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = root.find_all(_BLOCKS)
    if blocks:
        parts = [" ".join(b.get_text(" ").split()) for b in blocks if not b.find(["p", "li"])]
    else:
        parts = [" ".join(line.split()) for line in root.get_text("\n").splitlines()]
    return "\n\n".join(p for p in parts if p), meta


def _metadata(soup: Any) -> dict[str, Any]:
    def meta_content(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
            if tag and tag.get("content"):
                return str(tag["content"])
        return None

    meta: dict[str, Any] = {
        "title": meta_content("og:title", "twitter:title") or (soup.title.string if soup.title else None),
        "outlet": meta_content("og:site_name", "application-name", "publisher"),
        "author": meta_content("author", "article:author", "byl"),
        "date": meta_content("article:published_time", "date", "pubdate", "publish-date", "dc.date"),
        "url": meta_content("og:url"),
    }
    if not meta["date"]:
        time_tag = soup.find("time")
        if time_tag is not None:
            meta["date"] = time_tag.get("datetime") or time_tag.get_text()
    if not meta["url"]:
        link = soup.find("link", attrs={"rel": "canonical"})
        if link is not None:
            meta["url"] = link.get("href")
    return meta
