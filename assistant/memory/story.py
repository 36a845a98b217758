"""The story of the conversation: the articles under discussion, their vocabulary and names, and the words of
the last question that name it (``_Context``); and whether a question names another story."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..extract import STOPWORDS
from ..query import parse_query
from ..text import fold
from .lexicon import AUXILIARIES, _about_shown, _content, _recase, _stem, _strip_about, _words, stems
from .turns import FollowUpOptions, Turn

if TYPE_CHECKING:
    from ..schema import Answer, Article
    from .lookups import CorpusLookups

STORY_SIZE = 10  # most articles taken as the story of the conversation
MIN_LIKE = 0.1  # see like()
LEAD_CHARS = 400  # a news story's lead says who did what, where and when
_QUOTED = re.compile(r"“[^”]*”")
_CAPS_RUN = re.compile(r"(?<=[a-z0-9,;:’'\"“(] )[A-Z][\w’'\-]*(?: [A-Z][\w’'\-]*)*")


@dataclass
class _Context:
    """What the resolution knows of the conversation so far."""

    last: Turn
    topic: Turn  # the turn under discussion: the last one that was not about who said what
    known: list[str]  # every outlet in the store
    core: str  # the last searched question without its outlet phrases
    last_outlets: list[str]  # the outlets the last turn asked about
    story: list[str]  # article ids, best first
    story_outlets: list[str]
    vocabulary: set[str]  # stems of the story's articles and of the last searched question
    subject: list[str]  # the last question's words that name the story, in order
    questions: list[str]  # every earlier question, as typed and as searched
    names: set[str]  # words the story's articles write with a capital inside a sentence, never in lower case
    lower: set[str]  # words the story's articles write in lower case
    spelling: dict[str, str]  # each of ``names`` as the story writes it ("kessler" -> "Kessler")


def _without_outlets(searched: str, known: Sequence[str]) -> tuple[str, list[str], str]:
    """The searched question without its outlet phrases (and its "(about: ...)" part kept), those outlets, and
    the "(about: ...)" part alone."""
    own, about = _strip_about(searched)
    intent = parse_query(own, outlets=known)
    return " ".join(x for x in (intent.search_text, about) if x).strip(), intent.outlets, about


def _context(turns: Sequence[Turn], corpus: CorpusLookups, options: FollowUpOptions) -> _Context:
    last = turns[-1]
    topic = last
    for turn in reversed(turns):
        topic = turn
        if not _about_shown(turn.question):
            break
    known = corpus.outlets()
    core, last_outlets, about = _without_outlets(last.searched, known)
    story = _story(core, last.answer if options.from_answer else None, corpus)
    articles = corpus.articles(story)
    vocabulary = set(stems(core))
    leads: list[set[str]] = []
    names: set[str] = set()
    spelling: dict[str, str] = {}
    lower: set[str] = set()  # words written in lower case somewhere: "Fire Chief" does not make "fire" a name
    outlets: list[str] = []
    for a in story:
        art = articles.get(a)
        if art is None:
            continue
        vocabulary |= set(stems(f"{art.title or ''} {art.text}"))
        leads.append(set(stems(f"{art.title or ''} {art.text[:LEAD_CHARS]}")))
        body = fold(art.text)
        # a headline capitalises a name the body writes only in its upper-case dateline ("in Fort Mabry")
        for word in _words(fold(art.title or "")):
            if word[:1].isupper() and not word.isupper():
                spelling.setdefault(word.casefold(), word)
        for m in _CAPS_RUN.finditer(body):
            for word in _words(m.group(0)):
                names.add(word.casefold())
                spelling.setdefault(word.casefold(), word)
        lower |= {w for w in _words(body) if w.islower()}
        if art.outlet and art.outlet not in outlets:
            outlets.append(art.outlet)
    # a phrase around a capitalised word names the story ("Port Selden", "Marlow County"); a question names its
    # own subject only with a word the story never writes in lower case ("Hamas", not "hospital")
    texts = [fold(articles[a].text) for a in story if a in articles]
    spelling = {k: v for k, v in spelling.items() if k not in lower}
    core = _recase(core, spelling)  # a question typed in lower case names the story as its articles do
    subject = _subject(_QUOTED.sub(" ", core), leads, names, set(story), corpus, texts)
    # a follow-up's "(about: ...)" part is the story it was resolved to; of its own words only names stay ("the
    # hospital" of St. Brigid's Hospital, not "the extra money" a new attribute asked about)
    resolved = _subject(_QUOTED.sub(" ", _recase(about, spelling)), leads, names, set(story), corpus, texts)
    if resolved:
        kept = {_stem(w) for w in resolved}
        subject = [w for w in subject if _stem(w) in kept or w.casefold() in names] or resolved
    names -= lower
    questions = [q for t in turns for q in (t.question, t.searched)]
    return _Context(last, topic, known, core, last_outlets if options.outlet_scope else [], story, outlets,
                    vocabulary, subject, questions, names, lower, spelling)


def _story(core: str, answer: Answer | None, corpus: CorpusLookups) -> list[str]:
    """The articles of the story under discussion, best first: the sources just shown that match the last
    question best (or, without an answer, the best keyword matches), and the articles like them."""
    scores = corpus.keyword_scores(_QUOTED.sub(" ", core))
    shown = [s.id for s in answer.covering if s.id in scores] if answer is not None else []
    pool = shown or sorted(scores, key=lambda a: -scores[a])[:STORY_SIZE]
    best = max((scores[a] for a in pool), default=0.0)
    seeds = [a for a in pool if best and scores[a] >= 0.5 * best]
    story = list(seeds)
    articles = corpus.articles(seeds)
    for seed in seeds:
        art = articles.get(seed)
        if art is not None:
            story += [a for a in like(art, corpus) if a not in story]
    return story[:STORY_SIZE]


def like(article: Article, corpus: CorpusLookups) -> list[str]:
    """The other articles of ``article``'s story: those its title and lead, searched as keywords, score above
    the largest drop in score among the best few (at least 1.5 times, and above a tenth of its own score).

    Articles of one story share the names and words of its lead, so they score well above the rest: on the 83
    articles of 24 stories in disagree-dev, a same-story article scores 0.17 to 0.72 of the article itself and
    another story's 0.09 to 0.29; the drop, not a fixed share, tells them apart within each story.
    """
    scores = corpus.keyword_scores(f"{article.title or ''} {article.text[:LEAD_CHARS]}")
    own = scores.pop(article.id, 0.0)
    if not own:
        return []
    ranked = sorted(scores, key=lambda a: -scores[a])[:STORY_SIZE + 1]
    # past the window the next score is unknown, not 0: only a complete list ends with a drop to nothing
    ratios = [scores[a] / own for a in ranked] + ([0.0] if len(scores) <= STORY_SIZE else [])
    drops = [(r / max(nxt, 1e-9), i) for i, (r, nxt) in enumerate(zip(ratios, ratios[1:])) if r >= MIN_LIKE]
    if not drops:
        return []
    drop, cut = max(drops)
    return ranked[:cut + 1] if drop >= 1.5 else []


def _subject(core: str, leads: list[set[str]], names: set[str], story: set[str], corpus: CorpusLookups,
             texts: Sequence[str] = ()) -> list[str]:
    """The words of ``core`` that name the story: found in the leads of most of its articles, and either a
    name (written with a capital inside the story's sentences) or, next to one, a word found mostly in the
    story's articles ("Port Selden warehouse"; not "fire", which other stories share). The phrase does not end
    on a participle the story never uses as a noun ("the Cedar Point pier", not "... pier collapsed")."""
    def topical(stem: str) -> bool:
        return not leads or sum(stem in lead for lead in leads) * 2 >= len(leads)

    def specific(word: str) -> bool:
        having = corpus.keyword_scores(word)
        return bool(having) and len(story & having.keys()) * 2 >= len(having)

    runs: list[list[str]] = [[]]
    previous = ""
    for word in _words(core):
        stem = _stem(word)
        after_verb, previous = previous in AUXILIARIES and word.casefold() not in names, word.lower()
        if stem is not None and topical(stem) and not after_verb:  # "were hurt": what the subject did
            runs[-1].append(word)
        elif word.lower() in STOPWORDS and word.lower() not in ("to", "and", "or", "but"):
            continue  # "the Hester Vail painting", "theft of the": a stopword does not break a phrase
        elif runs[-1]:
            runs.append([])
    with_names = [run for run in runs if any(w.casefold() in names for w in run)]
    if with_names:
        picked = [w for run in with_names for w in run if w.casefold() in names or specific(w)]
    else:
        flat = [w for run in runs for w in run]
        picked = [w for w in flat if specific(w)] or flat
    while picked and texts and _participle(picked[-1]) and not _noun_like(picked[-1], texts):
        picked.pop()
    while picked and texts and _participle(picked[0]) and not _noun_like(picked[0], texts):
        picked.pop(0)  # "restored after Monday night's storms": the verb before the subject's words
    out: list[str] = []
    seen: set[str] = set()
    for word in picked:
        stem = _stem(word)
        if stem and stem not in seen:
            seen.add(stem)
            out.append(word)
    return out


def _participle(word: str) -> bool:
    """ "collapsed", "resigning": the verb forms that end a question's clause after its subject."""
    low = word.lower()
    return len(low) > 4 and low.endswith(("ed", "ing"))


def _noun_like(word: str, texts: Sequence[str]) -> bool:
    """``word`` is a name, or the story's articles write it after an article or a possessive ("the pier",
    "a cold-storage warehouse"): a noun; "collapsed", "closed" never are."""
    if word[:1].isupper():
        return True
    determiner = r"\b(?:the|a|an|its|their|this|that|his|her|our)\s+(?:[\w'-]+\s+){0,2}"
    pattern = re.compile(determiner + rf"{re.escape(fold(word))}\b", re.I)
    return any(pattern.search(t) for t in texts)


def _names_other_story(question: str, new_words: list[str], ctx: _Context, corpus: CorpusLookups,
                       at_least: int) -> bool:
    """The question names another story: ``at_least`` of ``new_words`` (words no article of the story has)
    occur together in one other article, and some other article matches the question better than the story."""
    if len(new_words) < at_least:
        return False
    counts: dict[str, int] = {}
    story = set(ctx.story)
    for word in new_words:
        for article_id in corpus.keyword_scores(word):
            if article_id not in story:
                counts[article_id] = counts.get(article_id, 0) + 1
    if max(counts.values(), default=0) < at_least:
        return False
    text = " ".join(w for w, _ in _content(question, ctx.known))
    scores = corpus.keyword_scores(text)
    inside = max((v for a, v in scores.items() if a in story), default=0.0)
    outside = max((v for a, v in scores.items() if a not in story), default=0.0)
    return outside > inside
