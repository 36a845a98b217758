"""Words as the keyword index counts them: normalised, lower-cased, stemmed, without stopwords."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from ..text import normalize

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# English stopwords (bm25s' list) plus question words that carry no topic.
_EXTRA_STOP = {"which", "what", "who", "whom", "whose", "when", "where", "why", "how", "following"}
_STEM_CACHE_WORDS = 500_000  # past this many distinct words the cache starts again (bounded memory)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | _EXTRA_STOP


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


class _StemCache:
    """Stems of words already seen: an article repeats most of its words, and stemming is the costly part."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.lock = threading.Lock()

    def stem(self, words: list[str]) -> list[str]:
        cache = self.cache
        missing = list({w for w in words if w not in cache})
        if missing:
            with self.lock:
                for w, s in zip(missing, _stemmer().stemWords(missing)):
                    cache[w] = s
                if len(cache) > _STEM_CACHE_WORDS:
                    cache.clear()
                    return list(_stemmer().stemWords(words))
        return [cache[w] for w in words]


_STEMS = _StemCache()


def tokenize(text: str) -> list[str]:
    """Stemmed words of ``text`` after :func:`assistant.text.normalize` (so "Leavitt’s" and "Leavitt's" are one
    word), without stopwords and possessive 's; one-letter words dropped, digits kept."""
    stop = _stopwords()
    words = [w[:-2] if w.endswith("'s") else w for w in _TOKEN.findall(normalize(text))]
    words = [w for w in words if (len(w) > 1 or w.isdigit()) and w not in stop]
    return _STEMS.stem(words)
