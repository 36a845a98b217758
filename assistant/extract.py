"""Offline, extractive answering: pick the sentences of each retrieved article that answer the question.

Sentences are cut at their character offsets in the article (never rewritten), scored by the question's
content words, by what the question asks for (a number, a date, a name), by place (a story's lead, its
first lines, says who did what, where and when), and by meaning: the similarity
of the sentence's chunk to the question, or, for the best few candidates of each source when ``dense_budget``
allows, of the sentence itself (an embedding per sentence costs ~10 ms on one CPU thread). The best few per
article are kept. Also: a deterministic check for sources that contradict each other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from langchain_core.embeddings import Embeddings

from .agreement import compatible
from .claims import Asked, Found, analyse, base_form, find_claims, related, same_as
from .method import DEFAULT_METHOD, Method
from .schema import Article, ChunkHit
from .text import normalize

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just let me more most my myself
no nor not of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said says say tell told according did does do done get got make made new news report reported reports
article articles source sources outlet outlets much many
""".split())  # noqa: SIM905

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*")
_ABBREV = frozenset(
    "mr mrs ms dr prof gen sen rep gov lt col capt sgt st jr sr inc co corp ltd vs etc no jan feb mar apr jun jul "  # noqa: SIM905
    "aug sep sept oct nov dec u.s u.k u.n e.u d.c a.m p.m".split()
)
_SENT_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+)")
_MONEY = re.compile(r"[$€£]\s?\d[\d,.]*\s*(?:million|billion|trillion|bn|m)?|\d[\d,.]*\s*(?:million|billion|percent|%)",
                    re.IGNORECASE)
_QUANTITY_Q = re.compile(r"\b(how (much|many)|cost|price|number of|percent|how long)\b", re.IGNORECASE)
_WHEN_Q = re.compile(r"\bwhen\b|\bwhat (day|date|year|month|time)\b", re.IGNORECASE)
_WHO_Q = re.compile(r"\bwho(m|se)?\b", re.IGNORECASE)
_DATEISH = re.compile(
    r"\b((?:mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"yesterday|today|last (week|month|year)|\d{4})\b",
    re.IGNORECASE,
)




@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer, installed with bm25s

    return Stemmer.Stemmer("english")


def terms(text: str, normalise: bool = True, stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed content words (after the text normaliser unless ``normalise`` is False); every
    word with ``stopwords`` ("Crazy for You" is three words)."""
    words = [w.strip("'’-").lower().rstrip(".,") for w in _WORD.findall(normalize(text) if normalise else text)]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    words = [part for w in words for part in (w.split("-") if "-" in w else (w,))]  # "Louis-Alexandre"
    words = [base_form(w) for w in words if w and (stopwords or w not in STOPWORDS and (len(w) > 1 or w.isdigit()))]
    return list(_stemmer().stemWords(words))


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) inside ``text[start:end]``, trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block in re.finditer(r"[^\n]+", text[start:end]):
        b_start = start + block.start()
        b_text = block.group()
        cut = 0
        for m in _SENT_END.finditer(b_text):
            before = b_text[cut:m.start()].rsplit(None, 1)
            last_word = before[-1].lower().strip("(\"“'") if before else ""
            nxt = b_text[m.end():].lstrip()[:1]
            if m.group().startswith(".") and (last_word in _ABBREV or (len(last_word) == 1 and last_word.isalpha())):
                continue
            if nxt and nxt.islower():
                continue
            spans.append((b_start + cut, b_start + m.end()))
            cut = m.end()
        spans.append((b_start + cut, b_start + len(b_text)))
    trimmed = []
    for s, e in spans:
        piece = text[s:e]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right - left >= 2:
            trimmed.append((s + left, s + right))
    return trimmed


@dataclass
class Candidate:
    article: Article
    start: int
    end: int
    chunk_score: float
    lexical: float = 0.0
    dense: float = 0.0
    bonus: float = 0.0
    method: Method = DEFAULT_METHOD
    found: list[Found] = field(default_factory=list)  # the claims this sentence makes

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]

    @property
    def score(self) -> float:
        return self.method.meaning_weight * self.dense + self.method.words_weight * self.lexical + self.bonus


@dataclass
class SourceSelection:
    article: Article
    best_chunk_score: float
    chosen: list[Candidate] = field(default_factory=list)

    @property
    def best(self) -> float:
        return self.chosen[0].score if self.chosen else 0.0


class SentenceVectors:
    """Embeds sentences, remembering them: a chat or a bot asks about the same articles again and again."""

    def __init__(self, embeddings: Embeddings, max_items: int = 50_000) -> None:
        self.embeddings = embeddings
        self.max_items = max_items
        self._cache: dict[tuple[str, int, int], Any] = {}

    def get(self, items: list[Candidate]) -> list[Any]:
        from .embed import encode

        keys = [(c.article.id, c.start, c.end) for c in items]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        if missing:
            vectors = encode(self.embeddings, [items[i].text for i in missing])
            if len(self._cache) + len(missing) > self.max_items:
                self._cache.clear()
            for i, vec in zip(missing, vectors):
                self._cache[keys[i]] = vec
        return [self._cache[k] for k in keys]


_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|"
    r"half|once|twice)\b",
    re.IGNORECASE,
)
_WHERE_Q = re.compile(r"\bwhere\b|\b(?:which|what)\s+(?:country|countries|state|states|city|cities|town|region|"
                      r"province|nation|island|county|continent|place|part)\b", re.IGNORECASE)
_WHICH_Q = re.compile(r"\b(?:which|what)\s+(?:[a-z]+\s+)?(?:company|companies|team|teams|film|movie|show|series|"
                      r"book|song|album|brand|chain|firm|airline|bank|group|organization|agency|party|league|"
                      r"university|school|app|platform|network|retailer|automaker|product|award|event|holiday|"
                      r"person|player|actor|actress|singer|artist|author|politician|leader|official|star|musician|"
                      r"celebrity|candidate|president|ceo|rapper|comedian|athlete|coach|quarterback|host|"
                      r"species|animal|disease|drug|word|name|title)\b"
                      # "which <anything>" asks for one of a kind: a name (not a time, those are dates)
                      r"|\bwhich\s+(?!(?:day|date|year|month|time|of)\b)[a-z]+",
                      re.IGNORECASE)


_QUESTION_END = re.compile(r"\?[\"”’')\]]*\s*$")
_HOW_Q = re.compile(r"\bhow (old|far|big|large|fast|high|tall|often)\b", re.IGNORECASE)


def _new_names(sentence: str, q_terms: set[str]) -> bool:
    """The sentence names someone or something (capitalised words, not its first) the question does not."""
    for m in _NAME_ANY.finditer(sentence):
        if m.start() == 0:
            continue
        if not set(terms(m.group())) <= q_terms:
            return True
    return False


_NAME_ANY = re.compile(r"\b[A-Z][A-Za-z'’\-]+(?:\s+(?:[A-Z][A-Za-z'’\-]+|of|de|the|&))*")


_DURATION = re.compile(r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b", re.I)
_HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\s+([a-z]+)", re.I)


def _fits_quantity(question: str, sentence: str) -> bool:
    """The number in ``sentence`` is of the asked kind: a duration for "how long", money for "how much / cost",
    or followed by the counted thing of "how many seats" (its stem within the next three words)."""
    if re.search(r"\bhow long\b|\bhow old\b", question, re.I):
        return bool(_DURATION.search(sentence))
    if re.search(r"\bhow much\b|\bcost|\bprice|\bpaid\b|\bpay\b|\bworth\b", question, re.I) and _MONEY.search(sentence):
        return True
    counted = _HOW_MANY.search(question)
    if counted:
        stem = set(terms(counted.group(1)))
        for m in _NUMBER.finditer(sentence):
            following = sentence[m.end():m.end() + 40].split()[:3]
            if stem & set(terms(" ".join(following))):
                return True
    return bool(re.search(r"\bpercent|\bpercentage|\bhow many\b", question, re.I) and _MONEY.search(sentence))


def _new_numbers(sentence: str, question: str) -> bool:
    asked = {m.lower() for m in _NUMBER.findall(question)}
    return any(m.lower() not in asked for m in _NUMBER.findall(sentence))


def _question_bonus(question: str, sentence: str, q_terms: set[str] | None = None) -> float:
    """Extra score for a sentence holding the kind of thing the question asks for, which the question lacks.

    "How many / how much / how long" wants a number, "when / what year" a date, "who / which company /
    which country" a name: a sentence that only repeats the question's words gains nothing.
    """
    q_terms = set(terms(question)) if q_terms is None else q_terms
    bonus = 0.0
    wants_number = _QUANTITY_Q.search(question) or _HOW_Q.search(question)
    if wants_number and _new_numbers(sentence, question):
        bonus += 0.12 if _fits_quantity(question, sentence) else 0.03
    if _WHEN_Q.search(question):
        dates = {m.group(0).lower() for m in _DATEISH.finditer(sentence)}
        asked = {m.group(0).lower() for m in _DATEISH.finditer(question)}
        if dates - asked:
            bonus += 0.1
    wants_name = _WHO_Q.search(question) or _WHERE_Q.search(question) or _WHICH_Q.search(question)
    if wants_name and _new_names(sentence, q_terms):
        bonus += 0.1
    # a sentence made only of the question's own words (or almost) does not answer it
    s_terms = set(terms(sentence))
    if s_terms and len(s_terms - q_terms) <= 1:
        bonus -= 0.05
    # nor does a question (a quiz or an FAQ repeating the reader's question, a rhetorical one)
    if _QUESTION_END.search(sentence):
        bonus -= 0.1
    return bonus


def select_excerpts(
    question: str,
    question_vector: Any,
    grouped: list[tuple[Article, list[ChunkHit]]],
    vectors: SentenceVectors,
    max_per_source: int,
    min_relevance: float,
    max_candidates_per_source: int = 14,
    dense_budget: int | None = None,
    method: Method = DEFAULT_METHOD,
    must_quote: Sequence[str] = (),
) -> list[SourceSelection]:
    """For each article, its best sentences (most relevant first). ``chosen`` is empty when none is relevant.

    ``must_quote``: words of which a source's excerpts must quote one (or a word of its family) once another
    source's do; a follow-up's own words (``memory.FollowUp.asks``).

    ``dense_budget``: how many candidates of each source (its best by words and chunk first) get a sentence
    embedding of their own; the others are scored by meaning with their chunk's similarity. None: every
    candidate. Per source, so that no other source changes which of an article's sentences are embedded.
    """
    import numpy as np

    q_terms = set(terms(question, method.normalise))
    asked = analyse(question)
    if not method.category_claims:
        asked = replace(asked, category=None)
    selections: list[SourceSelection] = []
    pool: list[Candidate] = []
    per_source: list[list[Candidate]] = []
    for article, hits in grouped:
        cands = _candidates(article, hits, method)
        selections.append(SourceSelection(article, max((h.score for h in hits), default=0.0)))
        per_source.append(cands)
        _score_words(question, q_terms, cands, method)
        cands.sort(key=lambda c: -(c.lexical + method.chunk_weight * c.chunk_score))
        del cands[max_candidates_per_source:]
        pool.extend(cands if dense_budget is None else sorted(cands, key=lambda c: -c.score)[:dense_budget])
    if pool:
        sims = np.asarray(vectors.get(pool)) @ np.asarray(question_vector)
        for c, sim in zip(pool, sims):
            c.dense = float(sim)
    subject = entity_terms(question, method.normalise, numbers=method.name_numbers)
    rarest = _rarest(subject, [a for a, _ in grouped], method)
    for selection, cands in zip(selections, per_source):
        selection.chosen = _choose(asked, q_terms, subject, rarest, selection.article, cands, max_per_source,
                                   min_relevance, method)
    _silent_without_answer(asked, selections, method)
    if must_quote:
        _quote_required(set(terms(" ".join(must_quote), method.normalise)), selections, method)
    top = max((s.best for s in selections), default=0.0)
    for selection in selections:
        if selection.best < method.relative_floor * top:
            selection.chosen = []  # far weaker than the sources that answer: another story
    return selections


def _silent_without_answer(asked: Asked, selections: list[SourceSelection], method: Method) -> None:
    """Once a source gives the kind of answer the question asks for, the sources giving none are silent."""
    if asked.agent and method.doer_coverage:
        _answer_required(selections, lambda f: f.agent)
    if asked.kind == "yes-no" and method.polarity_coverage:
        _answer_required(selections, lambda f: f.kind == "yes-no")
    if asked.kind == "yes-no" and method.predicate_coverage:
        _predicate_required(asked, selections, method)
    if asked.verb and method.verb_coverage:
        dated = [f for s in selections for c in s.chosen for f in c.found if f.on_verb]
        # a date in a sentence without the verb may still date the same event in other words ("the fire was
        # reported shortly after 11 p.m."): it counts when it agrees with a date given with the verb
        _answer_required(selections, lambda f: f.on_verb or any(compatible(f, d) for d in dated))
    if asked.cause and method.cause_coverage:
        _answer_required(selections, lambda f: f.kind == "text")
    # "which roads", "where to": the answer is a name (a road, a place) and plainly found; "where is it" is
    # often an apposition ("Fort Rook, Arizona"); "what sport" is a common noun, found by its vocabulary
    if (asked.plural or asked.destination) and asked.kind == "name" and not (asked.agent or asked.speaker) \
            and method.name_coverage:
        _answer_required(selections, lambda f: f.kind == "name")
    if asked.category and method.category_claims and method.category_coverage:
        # "What sport…?": once a source says which, one that only mentions the person says nothing
        _answer_required(selections, lambda f: f.kind == "name")


def _answer_required(selections: list[SourceSelection], answers: Callable[[Found], bool]) -> None:
    """Once a source gives the answer asked for (``answers``), a source giving none is silent on this
    question, and its other claims answer nothing: "Who found him?" once a source names who found him (the
    place and the town are not the answer); "Is the diner open?" once a source says open or closed (a source
    that only describes the inspection does not say)."""
    if not any(answers(f) for s in selections for c in s.chosen for f in c.found):
        return
    for selection in selections:
        for c in selection.chosen:
            c.found = [f for f in c.found if answers(f)]
        if not any(c.found for c in selection.chosen):
            selection.chosen = []


def _predicate_required(asked: Asked, selections: list[SourceSelection], method: Method) -> None:
    """A yes/no question no source answers yes or no: once a source quotes the question's predicate ("Can
    people get a [refund]?"), a source quoting none of its words is silent (it is about the story, not the
    question)."""
    if any(f.kind == "yes-no" for s in selections for c in s.chosen for f in c.found):
        return
    _quote_required({f for f, w in asked.focus if w >= 1.0}, selections, method)


def _quote_required(words: set[str], selections: list[SourceSelection], method: Method) -> None:
    """Once a source's excerpts quote one of ``words`` (or of their families), a source whose excerpts quote
    none is silent."""
    if not words:
        return
    alike = set().union(*(same_as(f) if method.word_families else {f} for f in words))

    def says(selection: SourceSelection) -> bool:
        return any(alike & set(terms(c.text, method.normalise)) for c in selection.chosen)

    if any(says(s) for s in selections if s.chosen):
        for selection in selections:
            if selection.chosen and not says(selection):
                selection.chosen = []


def _candidates(article: Article, hits: list[ChunkHit], method: Method) -> list[Candidate]:
    """The sentences of an article's matching chunks, each once, widened to whole sentences."""
    seen: set[tuple[int, int]] = set()
    cands: list[Candidate] = []
    for hit in sorted(hits, key=lambda h: -h.score):
        for s, e in split_sentences(article.text, hit.chunk.start, hit.chunk.end):
            # a chunk boundary can cut a sentence: widen to the full sentence of the article
            s, e = _widen(article.text, s, e)
            if (s, e) in seen or article.text[s:e] == article.title:
                continue
            seen.add((s, e))
            cands.append(Candidate(article, s, e, hit.score, dense=hit.score, method=method))
    return cands


def _score_words(question: str, q_terms: set[str], cands: list[Candidate], method: Method) -> None:
    """Lexical score: share of the question's content words present, words rarer among the article's
    sentences weigh more. Counted per article, so that no other source (an injected one, say) changes how
    it is quoted."""
    # a sentence word of the same family stands for the question's word: "minor injuries" for "injured"
    alike = {w: same_as(w) if method.word_families else frozenset([w]) for w in q_terms}
    rows = [{w for w in q_terms if alike[w] & words} for words in (set(terms(c.text, method.normalise)) for c in cands)]
    doc_freq: dict[str, int] = {}
    for t in rows:
        for w in t:
            doc_freq[w] = doc_freq.get(w, 0) + 1
    n_cands = max(1, len(cands))
    weight = {w: math.log(1 + n_cands / (1 + doc_freq.get(w, 0))) + 0.5 for w in q_terms}
    total = sum(weight.values()) or 1.0
    # words of the article's title name its topic, which every sentence of it shares: within the
    # article, the question's other words (what it asks about the topic) tell sentences apart
    topic = set(terms(cands[0].article.title or "", method.normalise)) if cands else set()
    for c, t in zip(cands, rows):
        c.lexical = sum(weight[w] * (method.title_word_weight if w in topic else 1.0) for w in t) / total
        c.bonus = _question_bonus(question, c.text, q_terms)
        if c.start < method.lead_chars:  # a news story's lead says who did what, where and when
            c.bonus += method.lead_bonus


def _choose(asked: Asked, q_terms: set[str], subject: set[str], rarest: str | None, article: Article,
            cands: list[Candidate], max_per_source: int, min_relevance: float, method: Method) -> list[Candidate]:
    """The sentences to quote from one source; none when it does not address the question."""
    cands.sort(key=lambda c: -c.score)
    if not cands:
        return []
    near = [c for c in cands if c.score >= method.keep_floor_ratio * min_relevance][:8]
    if method.claims_first:
        # a sentence stating the kind of answer asked for ("a football stadium" for "What sport…?") is
        # scored with its claim before the relevance floor decides whether the source covers
        answering = _best_claims(asked, article, near, method)
        cands.sort(key=lambda c: -c.score)
    if cands[0].score < min_relevance or (cands[0].lexical == 0 and cands[0].dense < 0.5):
        return []
    if method.quoted_titles and not _quotes_titles(asked.text, article, method.normalise):
        return []  # the question names a title in quotes this source never writes
    if (subject or asked.phrase) and cands[0].dense < method.subject_free_dense and not _names_subject(
            subject, rarest, asked, article, method):
        return []  # the article never names who or what the question is about
    floor = max(method.keep_floor_ratio * min_relevance, method.keep_ratio * cands[0].score)
    if not method.claims_first:
        answering = _best_claims(asked, article, near, method)
        cands.sort(key=lambda c: -c.score)
    # keep what is nearly as good as the best: a source often holds both sides of a dispute
    chosen: list[Candidate] = []
    for c in cands:
        if c.score < floor or len(chosen) >= max_per_source:
            break
        if not _repeats(c, chosen):
            chosen.append(c)
    for c in answering:  # the sentences that say what was asked are always shown
        if all(c is not x for x in chosen):
            chosen = [*chosen[:max_per_source - 1], c]
    if asked.kind in ("number", "date") and method.claim_coverage and not answering:
        return []  # it is about the story, but does not say what was asked
    if method.clause_cut:
        for c in chosen:
            _cut_run_on(c, method.excerpt_max_chars, q_terms)
    return chosen


def _best_claims(asked: Asked, article: Article, near: list[Candidate], method: Method) -> list[Candidate]:
    """Find the claims of the source's best sentences and keep its answer: the best supported claim, and
    for a yes/no question the best one saying the opposite (a source reporting both sides). Returns the
    sentences holding them; each keeps only its kept claim."""
    topic = frozenset(terms(article.title or "", method.normalise))
    pairs = []
    for c in near:
        c.found = [f for f in find_claims(asked, article.text, c.start, c.end, article.date, topic)
                   if f.support >= method.claim_support]
        pairs += [(f, c) for f in c.found]
    if not pairs:
        return []
    best = max(pairs, key=lambda p: p[0].score)
    keep = [best]
    if best[0].kind == "yes-no":
        other = [p for p in pairs if p[0].polarity == -best[0].polarity]
        if other:
            opposite = max(other, key=lambda p: p[0].score)
            if opposite[0].score >= 0.7 * best[0].score:
                keep.append(opposite)
    kept = {id(f) for f, _ in keep}
    for c in near:
        c.found = [f for f in c.found if id(f) in kept]
        if c.found:
            c.bonus += method.claim_bonus
    holders: list[Candidate] = []
    for _, c in keep:
        if all(c is not h for h in holders):
            holders.append(c)
    return holders


def _names_subject(subject: set[str], rarest: str | None, asked: Asked, article: Article, method: Method) -> bool:
    """The article (its title or text) names the question's subject: every word of its names (or
    half of them, the most distinctive one among them: a passage about the Dallas County Courthouse may not say
    "Courthouse", one about the Howard County Courthouse never says "Dallas"), and the head of its subject
    phrase (or a word of the same meaning); any name word when ``full_subject`` is off."""
    words = set(terms(f"{article.title or ''}\n{article.text}", method.normalise))
    if not method.full_subject:
        return not subject or bool(subject & words)
    phrase_ok = all(w in words or any(related(x, w) > 0 or _same_root(x, w) for x in words) for w in asked.phrase)
    names_ok = subject <= words or (
        rarest in words and 2 * len(subject & words) >= len(subject) and len(subject) >= 2) or bool(
        _surnames(asked.text, method.normalise) & words)
    return names_ok and phrase_ok


_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*\b")
_NOT_GIVEN_NAMES = frozenset("""
fort saint st mount lake new north south east west port san santa los las el la le de upper lower old great
major minor national royal united general grand premier super first second third
""".split())  # noqa: SIM905
_NOT_SURNAMES = frozenset("""
county city town village township island river lake hall street road avenue park bridge school college university
church house courthouse building center centre airport station court high elementary museum mill fort castle
league cup party club association company group council committee board union army navy
""".split())  # noqa: SIM905


@lru_cache(maxsize=512)
def _surnames(question: str, normalise: bool) -> frozenset[str]:
    """A person's surname alone names them ("Davis was delisted" is about Ryan Davis): the second word of a
    two-word capitalised name that is not a place or a building ("Fort Kent", "Short House")."""
    out = set()
    for m in _CAPITALISED_RUN.finditer(question):
        if m.start() == 0 or len(m.group().split()) != 2:
            continue
        given, family = m.group().split()
        if given.lower() in _NOT_GIVEN_NAMES or family.lower() in _NOT_SURNAMES:
            continue
        out.update(terms(family, normalise))
    return frozenset(out)


def _rarest(subject: set[str], articles: list[Article], method: Method) -> str | None:
    """The name word fewest of the retrieved articles contain: the one that tells the subject apart."""
    if not subject:
        return None
    bags = [set(terms(f"{a.title or ''}\n{a.text}", method.normalise)) for a in articles]
    return min(sorted(subject), key=lambda w: sum(w in b for b in bags))


def _same_root(a: str, b: str) -> bool:
    """ "hike" and "hiker": one stem a prefix of the other, four letters or more."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short)


def _repeats(cand: Candidate, chosen: list[Candidate]) -> bool:
    """The sentence says what an already chosen one of the same source says (a caption repeating the lead)."""
    text = normalize(cand.text)
    return any(text == normalize(c.text) or text in normalize(c.text) or normalize(c.text) in text for c in chosen)


_CLAUSE_END = re.compile(r"[,;:)\]]\s|\s[–—-]\s|\s\|\s|\s{2,}")


def _cut_run_on(cand: Candidate, max_chars: int, q_terms: set[str]) -> None:
    """Cut a run-on sentence (an infobox, a list of links) to the clauses around its answer (or, without
    one, around where the question's words are densest), verbatim."""
    if cand.end - cand.start <= max_chars:
        return
    text = cand.article.text
    if cand.found:
        focus_start, focus_end = cand.found[0].start, cand.found[0].end
    else:  # what follows the question's word is its value ("style : Gothic Revival"): keep some of it
        focus_start = _densest(text, cand.start, cand.end, q_terms, max_chars)
        focus_end = min(cand.end, focus_start + max_chars // 4)
    lo = max(cand.start, focus_end - max_chars)
    hi = min(cand.end, focus_start + max_chars)
    # widest window within the cap, on clause (or else word) boundaries, holding the answer
    left = focus_start - max_chars // 2
    start = max(lo, min(focus_start, left))
    end = min(hi, start + max_chars)
    # the sentence's own ends are boundaries already: only a cut inside it moves to a clause boundary
    start = start if start <= cand.start else _boundary(text, start, cand.start, focus_start, forward=True)
    end = end if end >= cand.end else _boundary(text, end, focus_end, cand.end, forward=False)
    cand.start, cand.end = start, end


def _densest(text: str, start: int, end: int, q_terms: set[str], width: int) -> int:
    """The offset in ``text[start:end]`` around which the question's words are densest within ``width``."""
    # a compiled pattern's finditer(text, start, end) gives offsets in ``text`` itself, not from ``start``
    hits = [(m.start(), w) for m in _WORD.finditer(text, start, end) for w in set(terms(m.group())) & q_terms]
    if not hits:
        return start + min(width, end - start) // 2
    # a word repeated all over the run (the entry's own name) places nothing; the one said once ("style",
    # beside "Architectural style : Baroque") is where the answer is
    times: dict[str, int] = {}
    for _, w in hits:
        times[w] = times.get(w, 0) + 1

    def weight(hit: tuple[int, str]) -> tuple[float, float]:
        # summed in a fixed order: a set's order changes with the hash seed, and so would a tie
        near = sorted({w for q, w in hits if abs(hit[0] - q) <= width // 2})
        return sum(1 / times[w] for w in near), 1 / times[hit[1]]

    best = max(hits, key=weight)
    return best[0]


def _boundary(text: str, pos: int, lo: int, hi: int, *, forward: bool) -> int:
    """A clause boundary near ``pos`` within ``lo..hi`` (the start of the next clause when ``forward``,
    the end of the previous one otherwise), else the nearest word boundary."""
    window = text[lo:hi] if forward else text[lo:hi]
    if forward:
        for m in _CLAUSE_END.finditer(window):
            if lo + m.end() >= pos:
                return lo + m.end()
        j = text.find(" ", pos, hi)
        return j + 1 if j >= 0 else pos
    best = None
    for m in _CLAUSE_END.finditer(window):
        if lo + m.start() <= pos:
            best = lo + m.start() + (1 if text[lo + m.start()] in ",;:)]" else 0)
    if best is not None and best > lo:
        return best
    j = text.rfind(" ", lo, pos)
    return j if j > lo else pos


_NAME_WORD = re.compile(r"[A-Za-z][\w'’\-]*")


def spelled_as_sources(question: str, articles: Sequence[Article]) -> str:
    """A question typed all in lower case, with each word that the sources write only as a name spelt as they
    do ("kessler manufacturing" -> "Kessler Manufacturing"), so that its names are read as names."""
    if any(ch.isupper() for ch in question):
        return question
    spelling: dict[str, str] = {}
    lower: set[str] = set()
    for art in articles:
        for m in _NAME_WORD.finditer(f"{art.title or ''}\n{art.text}"):
            word = m.group()
            if word.islower():
                lower.add(word)
            elif word[:1].isupper() and not word.isupper():
                spelling.setdefault(word.casefold(), word)
    names = {k: v for k, v in spelling.items() if k not in lower}
    return _NAME_WORD.sub(lambda m: names.get(m.group(), m.group()), question)


def entity_terms(question: str, normalise: bool = True, numbers: bool = True) -> set[str]:
    """Stems of the capitalised words of a question (names), except its first word; with ``numbers``, also
    a number written against one of them, which is part of the name ("Symphony No. 38", "302 Squadron")
    unless the word is a month or a weekday ("May 2023" is a date)."""
    words = _WORD.findall(question)
    caps = {i for i, w in enumerate(words) if w[:1].isupper() and (i > 0 or len(words) == 1)}
    named = [i for i in caps if words[i].lower() not in _CALENDAR]
    numbered = {j for i in named for j in (i - 1, i + 1) if numbers and 0 <= j < len(words) and words[j][0].isdigit()}
    return set(terms(" ".join(words[i] for i in sorted(caps | numbered)), normalise))


_CALENDAR = frozenset("""
january february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
""".split())  # noqa: SIM905
_QUOTED = re.compile(r'"([^"\n]{2,80})"')


@lru_cache(maxsize=512)  # read once per source of the same question
def quoted_titles(question: str, normalise: bool = True) -> tuple[tuple[str, ...], ...]:
    """The word stems of each title or phrase the question puts in double quotes."""
    text = normalize(question) if normalise else question.replace("“", '"').replace("”", '"')
    out = []
    for m in _QUOTED.finditer(text):
        words = _phrase_words(m.group(1), normalise)
        while words and words[0] in ("a", "an", "the"):  # "A Time for Love" is listed as "Time for Love"
            words = words[1:]
        if words:
            out.append(tuple(words))
    return tuple(out)


def _phrase_words(text: str, normalise: bool) -> list[str]:
    # every word, the "s" of a possessive split off by a tokenizer ("What 's My Name") dropped
    return [w for w in terms(text, normalise, stopwords=True) if w != "s"]


def _quotes_titles(question: str, article: Article, normalise: bool) -> bool:
    """The article writes each title the question quotes as that run of words (its title or text): a
    question about the album "Crazy for You" is not answered by a page on "Crazy World"."""
    wanted = quoted_titles(question, normalise)
    if not wanted:
        return True
    words = _phrase_words(f"{article.title or ''}\n{article.text}", normalise)
    runs = {tuple(words[i:i + n]) for n in {len(t) for t in wanted} for i in range(len(words) - n + 1)}
    return all(t in runs for t in wanted)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a span cut by a chunk boundary to the sentence around it."""
    for s, e in split_sentences(text, _line_start(text, start), _line_end(text, end)):
        if s <= start < e or s < end <= e:
            start, end = min(start, s), max(end, e)
    return start, end


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j
