"""The offline answering method's switches and weights, in one named, documented object.

Every number that decides which sentences are quoted, which sources count as answering and when sources
disagree lives here, so the eval can switch one part off at a time (its ablation rows) and a reader can see
every weight in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    # parts of the method (each is an ablation row in ``assistant eval``)
    normalise: bool = True  # compare words through assistant/text.py (typographic quotes, dashes, NFKC)
    full_subject: bool = True  # a source must name every word of the question's subject (title or text)
    quoted_titles: bool = True  # a title the question quotes ("Crazy for You") must appear in a source as a phrase
    claims_first: bool = True  # a sentence's claim bonus counts before the relevance floor decides coverage
    name_numbers: bool = True  # a number inside a name ("Symphony No. 38", "Interstate 235") is part of the subject
    claim_coverage: bool = True  # for number/date/name questions, a source covers only with a claim of that kind
    entity_split: bool = True  # sources pinned to different entities of the same name are not compared
    subject_free_dense: float = 0.6  # a source this close in meaning to the question need not name its subject
    story_split: bool = True  # a source telling another story than the best source's is not compared
    story_coverage: bool = True  # ... and one lacking the question's rarest word (of the best source's) is silent
    story_overlap: float = 0.15  # rarity-weighted share of words two articles of one story hold in common
    clause_cut: bool = True  # run-on excerpts (infoboxes, link lists) cut to the clause around the answer
    predicate_coverage: bool = True  # yes/no no source answers: once one quotes the predicate, one without it is silent
    polarity_coverage: bool = True  # once a source says yes or no, a source saying neither is silent
    verb_coverage: bool = True  # once a source dates the question's verb, a date of another event answers nothing
    cause_coverage: bool = True  # why-questions: once a source gives a cause, a source giving none is silent
    doer_coverage: bool = True  # once a source names who did it, a source naming nobody is silent on "who"
    word_families: bool = True  # a sentence's "injuries" matches the question's "injured" (the lexicon's families)
    category_coverage: bool = True  # "what sport": once a source names the kind of thing, one naming none is silent
    name_coverage: bool = True  # "which roads", "where": once a source names the answer, one naming none is silent
    category_claims: bool = True  # "what sport", "what profession": a common noun answers (off: read as a name)

    # excerpt scoring: score = dense * meaning + lexical * words + bonuses
    meaning_weight: float = 0.65  # similarity of the sentence (or its chunk) to the question
    words_weight: float = 0.35  # share of the question's content words, rarer ones weigh more
    title_word_weight: float = 0.5  # a word of the article's title counts this much (every sentence shares it)
    chunk_weight: float = 0.5  # how much a chunk's score helps rank candidates before the dense pass
    keep_ratio: float = 0.65  # keep sentences scoring at least this share of the source's best
    keep_floor_ratio: float = 0.8  # ... and at least this share of min_relevance
    lead_chars: int = 400  # a story's lead: who did what, where and when
    lead_bonus: float = 0.05  # on the 308 RealTimeQA dev questions: answer in excerpts 0.705 -> 0.721
    claim_bonus: float = 0.08  # a sentence holding the kind of answer asked for
    claim_support: float = 0.25  # a claim counts when the sentence ties it this plainly to the question
    relative_floor: float = 0.6  # a source covers only when its best sentence scores this share of the best source's
    excerpt_max_chars: int = 400  # a run-on excerpt is cut to the clause around its answer within this


DEFAULT_METHOD = Method()
