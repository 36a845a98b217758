"""Article -> chunks with a LangChain splitter, each keeping its character offsets into the article text."""

from __future__ import annotations

from ..schema import Article, Chunk

SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


def chunk_article(article: Article, chunk_chars: int, overlap_chars: int) -> list[Chunk]:
    """Split an article into overlapping chunks whose offsets point into ``article.text``."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_chars,
        chunk_overlap=min(overlap_chars, chunk_chars // 2),
        separators=SEPARATORS,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks = []
    for i, doc in enumerate(splitter.create_documents([article.text])):
        start = int(doc.metadata["start_index"])
        if start < 0 or article.text[start:start + len(doc.page_content)] != doc.page_content:
            start = article.text.find(doc.page_content)
        end = start + len(doc.page_content)
        if start < 0 or article.text[start:end] != doc.page_content:  # never store an unverifiable chunk
            continue
        chunks.append(Chunk(id=f"{article.id}:{i}", article_id=article.id, text=doc.page_content, start=start, end=end))
    return chunks
