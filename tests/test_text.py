"""The one normaliser: what it folds, and that its fast form gives what the plain definition gives."""

from __future__ import annotations

import random
import re
import unicodedata

from assistant.text import _FOLD, fold, normalize


def _plain_fold(text: str) -> str:
    """The definition: NFKC, then the fold table, then every run of spaces (not newlines) as one space."""
    return re.sub(r"[^\S\n]+", " ", unicodedata.normalize("NFKC", text).translate(_FOLD))


def test_normalize_folds_what_a_reader_would_not_tell_apart() -> None:
    assert normalize("Leavitt\u2019s \u201cfinal\u201d offer,\u00a0 7\u20132 \u200bvote\n\nNext") == \
        "leavitt's \"final\" offer, 7-2 vote\n\nnext"
    assert fold("Co\u00adoperation  in\tOslo") == "Cooperation in Oslo"


def test_fold_gives_what_its_plain_definition_gives() -> None:
    rng = random.Random(7)
    alphabet = list("ab Z\t\n\r\x0b\x0c \u2028\u0085\ufb01\u00b2") + [chr(c) for c in _FOLD]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert fold(text) == _plain_fold(text), repr(text)
