"""The keyword (BM25, bm25s) index that sits beside the Chroma store.

Two bm25s indexes share one vocabulary of stemmed words: one document per *article* (title twice, then the
body: ranks articles) and one per *chunk* (the same chunks as in Chroma: finds the passages that match).
- :mod:`.tokenize`: text -> the words counted;
- :mod:`.segments`: what is kept on disk (segments of word ids, the vocabulary);
- :mod:`.bm25`: the matrices of a build, made from the segments, and their scores;
- :mod:`.index`: :class:`KeywordIndex`, which queues, commits and searches.

Adding is cheap (tokenise the new articles, append a segment); the BM25 statistics are recomputed from the
stored word ids at ``commit()`` (3 s for the 7,587 RealTimeQA articles and their 120,549 chunks), never from
the article text again. Agreement with the Chroma store is the business of ``assistant.corpus.Corpus``.
"""

from .bm25 import bm25_matrix
from .index import ChunkKeywordHit, Facets, KeywordHit, KeywordIndex, keyword_dir, keyword_index
from .tokenize import tokenize

__all__ = ["ChunkKeywordHit", "Facets", "KeywordHit", "KeywordIndex", "bm25_matrix", "keyword_dir", "keyword_index",
           "tokenize"]
