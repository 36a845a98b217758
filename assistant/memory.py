"""Conversation memory: what a chat or a Slack thread remembers, and follow-ups turned into standalone questions.

A ``Turn`` keeps the question as typed and the ``Answer`` shown for it (its sources with their outlets and
excerpts, its claims and who said them). ``resolve`` decides, for a new question, whether it depends on the
conversation, and if so writes the standalone question that is searched instead.

The decision is made against the corpus, not against a list of phrasings. The *story* of the conversation is
the sources just shown that match the last question best, and the articles like them (``like``). A question
stands alone when it brings a subject of its own: two of its content words that no article of the story has
but one other article has together, that article matching the question better than the story does (another
story); nearly all the story's subject words (the story itself); or a name the story never writes in lower
case. Otherwise it depends on the conversation, and is resolved from the last answer:

- outlets: a named outlet ("does the Valley Courier agree?", "and KRVN News 9?") or "the other outlet /
  paper / source" asks the question under discussion of those outlets ("According to <outlets>, ..."); the
  others are the story's outlets less those named in the last turn (or, when none was, those just shown);
- people: he, she, his, her... name the speaker of the claim just shown (``Claim.said_by``), or a person
  named in its excerpts (a word the story never writes in lower case: "Fire Captain" is a rank);
- "that", "this claim": the claim just shown; without claims, the last question;
- it, they, them, "the school", "any injuries?": the story's subject words (the last question's words found
  in the leads of most of the story's articles, around a name);
- a fragment that modifies the last question ("since when?", "for seniors?", "and the district?") continues
  it; "what about X?", when X is foreign to the story and another story has it, asks the last question of X.

A reference to what was shown (a person, a claim) keeps the last turn's outlet filter; a new attribute of
the story asks all outlets again.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, Union

from .errors import StoreError
from .extract import STOPWORDS, terms
from .query import outlet_mentions, parse_query
from .text import fold

if TYPE_CHECKING:
    from .corpus import Corpus as CorpusIndex
    from .schema import Answer, Article


# --------------------------------------------------------------------------------------------------
# turns and the conversation


@dataclass
class Turn:
    """One turn of a conversation: the question as typed and the answer shown for it.

    ``answer`` is None when only the answer's text is known (a thread read back after the bot restarted);
    references are then resolved from the questions alone.
    """

    question: str
    answer: Answer | None = None
    text: str = ""

    @property
    def searched(self) -> str:
        """The standalone question this turn searched (the question itself when it stood alone)."""
        if self.answer is not None and self.answer.standalone_question:
            return self.answer.standalone_question
        return self.question

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        return cls(answer.question, answer, answer.answer or answer.summary)


HistoryItem = Union[Turn, "Answer", tuple[str, str]]


def as_turns(history: Iterable[HistoryItem]) -> list[Turn]:
    """History as ``Turn``s: turns, answers, or (question, answer text) pairs (the older form) are accepted."""
    from .schema import Answer

    out = []
    for item in history:
        if isinstance(item, Turn):
            out.append(item)
        elif isinstance(item, Answer):
            out.append(Turn.of(item))
        else:
            question, text = item
            out.append(Turn(str(question), None, str(text or "")))
    return out


class Conversation:
    """The turns a chat (or an eval) remembers, the last ``max_turns`` of them, oldest first."""

    def __init__(self, max_turns: int) -> None:
        self.max_turns = max_turns
        self._turns: deque[Turn] = deque(maxlen=max_turns or None)

    def remember(self, answer: Answer) -> None:
        if self.max_turns:
            self._turns.append(Turn.of(answer))

    def history(self) -> list[Turn]:
        return list(self._turns)

    def reset(self) -> None:
        self._turns.clear()

    def __len__(self) -> int:
        return len(self._turns)


class AnswerCache:
    """The answers a bot posted, by (channel, message ts), the most recent ``capacity`` of them; thread-safe.

    A Slack thread read back with ``conversations.replies`` has only the bot's message text; this cache gives
    its ``Answer`` (sources, outlets, claims) back, so a follow-up in the thread is resolved as in the chat.
    """

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, channel: str, ts: str, answer: Answer) -> None:
        with self._lock:
            self._items[(channel, ts)] = answer
            self._items.move_to_end((channel, ts))
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, channel: str, ts: str | None) -> Answer | None:
        if ts is None:
            return None
        with self._lock:
            return self._items.get((channel, ts))


def thread_turns(exchanges: Iterable[tuple[str, str | None, str]], cache: AnswerCache, channel: str) -> list[Turn]:
    """A thread's history as turns: ``exchanges`` are (question, ts of the bot's reply or None, reply text),
    oldest first; each reply's ``Answer`` comes from ``cache`` when the bot still has it."""
    return [Turn(question, cache.get(channel, ts), text) for question, ts, text in exchanges]


# --------------------------------------------------------------------------------------------------
# what the resolution needs of the corpus


class CorpusLookups(Protocol):
    """The few corpus look-ups follow-up resolution needs (``AssistantLookups`` answers them from the corpus)."""

    def outlets(self) -> list[str]:
        """Every outlet in the store."""
        ...

    def keyword_scores(self, text: str) -> dict[str, float]:
        """BM25 score of each article that matches ``text`` at all (article id -> score > 0)."""
        ...

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        ...



class AssistantLookups:
    """``CorpusLookups`` over the assistant's corpus (reads only; the keyword index is first brought level with
    the store, as the search right after would)."""

    def __init__(self, corpus: CorpusIndex) -> None:
        self.corpus = corpus
        self._synced = False

    def _synced_corpus(self) -> CorpusIndex:
        if not self._synced:
            self.corpus.sync()
            self._synced = True
        return self.corpus

    def outlets(self) -> list[str]:
        try:
            return list(self._synced_corpus().facets().outlets)
        except (OSError, StoreError):  # a damaged keyword index: the search reports it; resolve without outlets
            return []

    def keyword_scores(self, text: str) -> dict[str, float]:
        try:
            return {h.article_id: h.score for h in self._synced_corpus().keyword_search(text, KEYWORD_LOOKUPS)}
        except (OSError, StoreError):
            return {}

    def articles(self, ids: Sequence[str]) -> dict[str, Article]:
        return self.corpus.get_articles(list(ids))


# --------------------------------------------------------------------------------------------------
# resolution


@dataclass
class FollowUpOptions:
    """Which parts of follow-up handling run (``assistant eval``'s ablations switch them off one at a time)."""

    classify: bool = True  # off: every question after the first is taken as a follow-up
    from_answer: bool = True  # off: references are resolved from the earlier questions only
    outlet_scope: bool = True  # off: outlets are neither turned into filters nor kept from the last turn


@dataclass
class FollowUp:
    """How one question was read: ``standalone`` is what is searched; ``reason`` says why, in words."""

    question: str
    standalone: str
    dependent: bool = False
    reason: str = "no conversation yet"
    outlets: list[str] = field(default_factory=list)  # outlets the standalone asks about (a filter)
    notices: list[str] = field(default_factory=list)


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")
PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers", "himself", "herself"})
THING_PRONOUNS = frozenset({"it", "its", "itself", "they", "them", "their", "theirs", "themselves", "there",
                            "then"})
DEMONSTRATIVES = frozenset({"that", "this", "those", "these"})
# nouns naming a source or what a source says: "the other paper", "that claim", "does X agree?"
SOURCE_WORDS = frozenset({"outlet", "outlets", "paper", "papers", "newspaper", "newspapers", "source", "sources",
                          "station", "stations", "site", "sites", "publication", "publications", "one", "ones",
                          "media", "network", "networks", "coverage", "story", "stories", "report", "reports",
                          "article", "articles", "account", "accounts", "version"})
CLAIM_WORDS = frozenset({"claim", "claims", "statement", "statements", "quote", "quotes", "figure", "figures",
                         "number", "numbers", "comment", "comments", "remark", "remarks", "allegation"})
DISCOURSE_VERBS = frozenset({"agree", "agrees", "disagree", "disagrees", "differ", "differs", "confirm",
                             "confirms", "dispute", "disputes", "think", "thinks", "mention", "mentions",
                             "write", "writes", "wrote", "cover", "covers", "covered", "add", "adds", "added",
                             "reporting", "claim", "claims", "claimed", "saying", "else", "too", "also", "ok",
                             "okay", "hmm", "right", "well"})
AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "do", "does", "did", "will", "would", "can",
                         "could", "should", "shall", "may", "might", "must", "has", "have", "had", "'s", "’s"})
PREPOSITIONS = frozenset({"since", "by", "for", "in", "at", "on", "from", "to", "until", "till", "after",
                          "before", "with", "without", "about", "of", "during", "through", "via", "per"})
WH_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
# newspaper names read with "the" ("the Valley Courier"), wire services and stations without ("Metro Wire")
_PAPER_NOUNS = frozenset({"courier", "press", "tribune", "ledger", "gazette", "dispatch", "times", "post", "journal",
                          "herald", "chronicle", "examiner", "observer", "sun", "star", "register", "guardian",
                          "telegraph", "independent", "globe", "inquirer", "sentinel", "bulletin", "record",
                          "review", "daily", "mail", "standard", "express", "mirror", "news-leader"})
STORY_SIZE = 10  # most articles taken as the story of the conversation
KEYWORD_LOOKUPS = 1000  # articles read per keyword look-up: enough to tell a word of one story from a common one
MIN_LIKE = 0.1  # see like()
LEAD_CHARS = 400  # a news story's lead says who did what, where and when
_OTHER = re.compile(r"\b(?:other|others|another|rest|remaining)\b", re.I)
_CONTRAST = re.compile(r"^\W*(?:(?:and|but|ok|okay|so|well|then|also|hmm|right)\b[\s,.!]*)*"
                       r"(?:(?:what|how)\s+about\b|and\b|also\b)\s*", re.I)
_WH_START = re.compile(r"^(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|"
                       r"will|would|should|has|have|had)\b", re.I)
_ABOUT = re.compile(r"\s*\(about: (.*)\)\s*$")
_QUOTED = re.compile(r"“[^”]*”")
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’\-]+\s[-–—]\s+")
_CAPS_RUN = re.compile(r"(?<=[a-z0-9,;:’'\"“(] )[A-Z][\w’'\-]*(?: [A-Z][\w’'\-]*)*")
_TITLE = r"(?:Mr|Mrs|Ms|Dr|Capt|Lt|Sgt|Gen|Col|Sen|Rep|Gov|Chief|Mayor|Judge|Prof|Det|Officer|Commissioner)\.?"
_PERSON = re.compile(rf"\b(?:{_TITLE}\s+)?[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’\-]+\b")


def stems(text: str) -> list[str]:
    """Content-word stems of ``text``, typography folded first ("Elementary’s" is "Elementary's")."""
    return terms(fold(text))


def _words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text)]


def _stem(word: str) -> str | None:
    found = stems(word)
    return found[0] if found else None


def _strip_about(searched: str) -> tuple[str, str]:
    """A searched question split into its own part and its "(about: ...)" part."""
    m = _ABOUT.search(searched)
    return (searched[:m.start()], m[1]) if m else (searched, "")


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


def _without_outlets(searched: str, known: Sequence[str]) -> tuple[str, list[str]]:
    """The searched question without its outlet phrases (and its "(about: ...)" part kept), and those outlets."""
    own, about = _strip_about(searched)
    intent = parse_query(own, outlets=known)
    return " ".join(x for x in (intent.search_text, about) if x).strip(), intent.outlets


def _about_shown(question: str) -> bool:
    """The question asks about what was shown (a speaker, a claim) rather than about the story."""
    low = [w.lower() for w in _words(question)]
    return any(w in PERSON_PRONOUNS for w in low) or _demonstrative(question) == "claim"


def _context(turns: Sequence[Turn], corpus: CorpusLookups, options: FollowUpOptions) -> _Context:
    last = turns[-1]
    topic = last
    for turn in reversed(turns):
        topic = turn
        if not _about_shown(turn.question):
            break
    known = corpus.outlets()
    core, last_outlets = _without_outlets(last.searched, known)
    story = _story(core, last.answer if options.from_answer else None, corpus)
    articles = corpus.articles(story)
    vocabulary = set(stems(core))
    leads: list[set[str]] = []
    names: set[str] = set()
    lower: set[str] = set()  # words written in lower case somewhere: "Fire Chief" does not make "fire" a name
    outlets: list[str] = []
    for a in story:
        art = articles.get(a)
        if art is None:
            continue
        vocabulary |= set(stems(f"{art.title or ''} {art.text}"))
        leads.append(set(stems(f"{art.title or ''} {art.text[:LEAD_CHARS]}")))
        body = fold(art.text)
        names |= {w.casefold() for m in _CAPS_RUN.finditer(body) for w in _words(m.group(0))}
        lower |= {w for w in _words(body) if w.islower()}
        if art.outlet and art.outlet not in outlets:
            outlets.append(art.outlet)
    # a phrase around a capitalised word names the story ("Port Selden", "Marlow County"); a question names its
    # own subject only with a word the story never writes in lower case ("Hamas", not "hospital")
    texts = [fold(articles[a].text) for a in story if a in articles]
    subject = _subject(_QUOTED.sub(" ", core), leads, names, set(story), corpus, texts)
    names -= lower
    questions = [q for t in turns for q in (t.question, t.searched)]
    return _Context(last, topic, known, core, last_outlets if options.outlet_scope else [], story, outlets,
                    vocabulary, subject, questions, names, lower)


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
    for word in _words(core):
        stem = _stem(word)
        if stem is not None and topical(stem):
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


def _content(text: str, outlets: Sequence[str]) -> list[tuple[str, str]]:
    """(word, stem) of ``text``'s content words, outlet names and talk about sources left out."""
    for _, (s, e) in reversed(outlet_mentions(text, outlets)):
        text = text[:s] + " " + text[e:]
    out = []
    for word in _words(text):
        low = word.lower()
        if low in DISCOURSE_VERBS or low in SOURCE_WORDS or low in STOPWORDS:
            continue
        stem = _stem(word)
        if stem:
            out.append((word, stem))
    return out


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


def _outlet_name(name: str) -> str:
    last = name.split()[-1].lower() if name.split() else ""
    return f"the {name}" if last in _PAPER_NOUNS and not name.lower().startswith("the ") else name


def _listing(outlets: Sequence[str]) -> str:
    names = [_outlet_name(o) for o in outlets]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _lower_first(text: str) -> str:
    """``text`` to follow "According to X, ": its first word lower-cased when it is a question word."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in STOPWORDS else text


def _scoped(question: str, outlets: Sequence[str], known: Sequence[str]) -> str:
    """``question`` asked of ``outlets``: its own outlet phrase replaced by them, or "According to ..." first."""
    own, about = _strip_about(question)
    filters = parse_query(own, outlets=known).outlets
    mentions = [span for name, span in outlet_mentions(own, known) if name in filters]
    if mentions:
        start, end = mentions[0][0], mentions[-1][1]
        lead = " " if own[start:start + 1] == " " else ""
        own = own[:start] + lead + _listing(outlets) + own[end:]
    else:
        own = f"According to {_listing(outlets)}, {_lower_first(own.strip())}"
    return _with_about(own, [about])


def _person(name: str, ctx: _Context) -> bool:
    """``name`` is a person's name: capitalised words (a rank before them allowed) that the story never writes
    in lower case ("Samuel Ibarra", "Capt. Samuel Ibarra"; not "Fire Captain", "authorities")."""
    m = _PERSON.fullmatch(name.strip())
    if m is None:
        return False
    words = _words(name)
    if re.fullmatch(_TITLE, words[0]) and len(words) > 2:
        words = words[1:]  # "Capt. Samuel Ibarra": the rank before the name
    return not any(w.casefold() in ctx.lower for w in words)


def _speaker(answer: Answer | None, ctx: _Context) -> str | None:
    """The person the last answer is about: a claim that is a person's name ("who was named chief?"), else the
    speaker of a claim, else a person named in the excerpts, not yet named in the conversation."""
    if answer is None:
        return None
    claims = [c for s in answer.covering for c in s.claims]
    for name in [c.text for c in claims if c.kind == "name"] + [c.said_by for c in claims if c.said_by]:
        if _person(name, ctx):
            return name
    asked = set(stems(" ".join(ctx.questions)))
    for source in answer.covering:
        for excerpt in source.excerpts:
            for m in _PERSON.finditer(excerpt.quote):
                name = m.group(0)
                if _person(name, ctx) and not (source.outlet and name in source.outlet) and not set(
                        stems(name)) <= asked:
                    return name
    return None


def _claim(answer: Answer | None) -> str | None:
    """The short answer the last answer showed first (its first claim), when it has claims."""
    if answer is None:
        return None
    for source in answer.covering:
        if source.claims:
            return _DATELINE.sub("", source.claims[0].text).strip()
    return None


def _replace_word(text: str, word: str, by: str) -> str:
    low = word.lower()
    possessive = low in ("his", "hers", "its", "their", "theirs") or (
        low == "her" and not re.search(rf"\b{word}\s*[?.!]?\s*$", text, re.I))
    return re.sub(rf"\b{re.escape(word)}\b", f"{by}’s" if possessive else by, text, count=1)


def _with_about(question: str, about: Sequence[str]) -> str:
    words = " ".join(w for w in about if w)
    return f"{question.rstrip()} (about: {words})" if words else question.strip()


def _demonstrative(question: str) -> str | None:
    """ "claim" when "that/this" stands for something said ("who said that?", "that claim"); "thing" when it
    points at a thing of the story ("that money"); None when there is none (or "that" joins a clause)."""
    words = _words(question)
    for i, word in enumerate(words):
        if word.lower() not in DEMONSTRATIVES:
            continue
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if not nxt or nxt in CLAIM_WORDS or nxt in ("is", "was", "true", "right", "correct"):
            return "claim"
        if i and words[i - 1].lower() in AUXILIARIES:
            return "thing"  # "when did that happen?": "that" is the subject of the verb after it
        if nxt in STOPWORDS or words[i + 1][:1].isupper():
            continue  # "said that the ...", "that Greyfield ...": a clause follows
        return "thing"
    return None


def _is_fragment(question: str, content: Sequence[tuple[str, str]]) -> bool:
    """No clause of its own: at most one content word, no pronoun, no auxiliary ("since when?", "any injuries?")."""
    low = [w.lower() for w in _words(question)]
    refers = any(w in PERSON_PRONOUNS or w in THING_PRONOUNS or w in DEMONSTRATIVES for w in low)
    return len(content) <= 1 and not refers and not any(w in AUXILIARIES for w in low)


def _continues_predicate(fragment: str) -> bool:
    """A fragment that modifies the last question ("since when?", "for seniors?", "raised how?") rather than
    naming a new attribute of the story ("any injuries?", "the total cost?")."""
    words = [w.lower() for w in _words(_CONTRAST.sub("", fragment))]
    return bool(words) and (words[0] in PREPOSITIONS or words[0] in WH_WORDS or words[-1] in WH_WORDS)


def resolve(question: str, history: Sequence[Turn], corpus: CorpusLookups,
            options: FollowUpOptions | None = None) -> FollowUp:
    """How to search ``question`` asked after ``history``: as typed, or as a standalone rewrite (see module doc)."""
    options = options or FollowUpOptions()
    if not history:
        return FollowUp(question, question)
    ctx = _context(history, corpus, options)
    low_words = [w.lower() for w in _words(question)]
    content = _content(question, ctx.known)
    new = [w for w, stem in content if stem not in ctx.vocabulary]
    subject_stems = {stem for w in ctx.subject for stem in stems(w)}
    own_stems = {stem for _, stem in content}
    contrast = _CONTRAST.match(question)
    rest = question[contrast.end():] if contrast else ""
    is_contrast = bool(contrast) and rest.strip() != "" and not _WH_START.match(rest.strip())

    if options.classify:
        rest_new = [w for w, stem in _content(rest, ctx.known) if stem not in ctx.vocabulary]
        # "what about the ferry?": every word of it is foreign to the story, and another story has them
        if is_contrast and rest_new and len(rest_new) == len(_content(rest, ctx.known)) and _names_other_story(
                rest, rest_new, ctx, corpus, at_least=len(rest_new)):
            return _ask_of_new_subject(question, rest, ctx)
        if not is_contrast and _names_other_story(question, new, ctx, corpus, at_least=2):
            return FollowUp(question, question, reason="stands alone: it names another story ("
                            + ", ".join(new[:4]) + ")")
        refers = (any(w in PERSON_PRONOUNS or w in THING_PRONOUNS for w in low_words) or _OTHER.search(question)
                  or is_contrast or _demonstrative(question) is not None or _is_fragment(question, content))
        if (not refers and len(subject_stems) >= 2
                and len(subject_stems & own_stems) * 3 >= 2 * len(subject_stems)):
            return FollowUp(question, question, reason="stands alone: it names the story itself")
        named = [w for w, _ in content if w.casefold() in ctx.names]
        if not refers and named:
            return FollowUp(question, question, reason="stands alone: it names its subject (" + ", ".join(named) + ")")
    return _follow_up(question, content, ctx, options, is_contrast, rest)


def _ask_of_new_subject(question: str, rest: str, ctx: _Context) -> FollowUp:
    """ "what about the ferry?" after "Is the diner open?": the last question, asked of the new subject."""
    subject = rest.strip().rstrip("?.! ")
    core, _ = _strip_about(ctx.core)
    drop = {stem for w in ctx.subject for stem in stems(w)}
    predicate = [w for w in _words(core) if (_stem(w) or "") not in drop and (
        w.lower() not in STOPWORDS or w.lower() in WH_WORDS)]
    standalone = _with_about(f"{subject[:1].upper()}{subject[1:]}?", [" ".join(predicate)])
    return FollowUp(question, standalone, dependent=True, reason=f"follow-up: the last question, asked of {subject}")


def _follow_up(question: str, content: list[tuple[str, str]], ctx: _Context, options: FollowUpOptions,
               is_contrast: bool, rest: str) -> FollowUp:
    answer = ctx.last.answer if options.from_answer else None
    low_words = [w.lower() for w in _words(question)]
    reasons: list[str] = []
    text = question.strip()
    about: list[str] = []
    outlets: list[str] = []
    notices: list[str] = []

    # outlets: named in the question, or "the other outlet(s)"
    named = [name for name, _ in outlet_mentions(question, ctx.known)] if options.outlet_scope else []
    other = bool(_OTHER.search(question)) and (any(w in SOURCE_WORDS for w in low_words) or not content)
    if options.outlet_scope and other and not named:
        shown = [s.outlet for s in answer.covering if s.outlet] if answer is not None else []
        exclude = ctx.last_outlets or shown
        # without the last answer (a thread read back after a restart) "other" than what is not known
        named = [o for o in ctx.story_outlets if o not in exclude] if exclude else []
        reasons.append("the other outlet(s): " + (", ".join(named) if named else "none found"))
        if exclude and not named:
            notices.append("No other outlet covers this story; searched all outlets.")
    same_question = not content or (is_contrast and not _content(rest, ctx.known))
    if named and same_question:
        topic = ctx.topic.searched
        if ctx.topic is not ctx.last:
            reasons.append(f"the question under discussion: {ctx.topic.question}")
        standalone = _scoped(topic, named, ctx.known)
        reasons.insert(0, "follow-up: the last question, asked of " + ", ".join(named))
        return FollowUp(question, standalone, True, "; ".join(reasons), named, notices)
    if named:
        outlets = named
        if set(parse_query(text, outlets=ctx.known).outlets) != set(named):
            text = _scoped(text, named, ctx.known)

    # people and claims just shown
    person = next((w for w in _words(question) if w.lower() in PERSON_PRONOUNS), None)
    asks_name = "name" in low_words or "named" in low_words  # "what's his name?": the answer did not name him
    if person is not None and not asks_name:
        name = _speaker(answer, ctx)
        if name:
            text = _replace_word(text, person, name)
            reasons.append(f"{person} = {name}")
    demonstrative = _demonstrative(question)
    claim = _claim(answer) if demonstrative == "claim" else None
    if claim:
        about.append(f"“{claim}”")
        reasons.append("that = the claim just shown")
    if _about_shown(question) and options.outlet_scope and ctx.last_outlets and not outlets:
        outlets = ctx.last_outlets
        text = _scoped(text, outlets, ctx.known)
        reasons.append("kept the last turn's outlet")

    # the story
    own = {stem for _, stem in content}
    fragment = _is_fragment(question, content)
    # a person the answer does not name is the one the last question asked about ("what's his name?")
    unnamed = person is not None and not any(r.startswith(f"{person} = ") for r in reasons)
    # "and the district?" asks the last question again, of the district; "since when?" continues it
    continues = fragment and (is_contrast or _continues_predicate(question))
    # "who said that?": the claim shown, and the question it answered (a claim alone may be a bare date)
    if continues or demonstrative == "claim" or unnamed:
        core, _ = _strip_about(ctx.core)
        about.append(core.strip().rstrip("?.!"))
        reasons.append("continues the last question")
    else:
        mentioned = {t for a in about for t in stems(a)}
        subject = [w for w in ctx.subject if (_stem(w) or "") not in own | mentioned]
        it = next((w for w in _words(text) if w.lower() in ("it", "its")), None)
        if it is not None and subject:  # "when will it reopen?" -> "when will the Cedar Point pier reopen?"
            phrase = " ".join(subject)
            text = _replace_word(text, it, phrase if subject[-1][:1].isupper() else f"the {phrase}")
        else:
            about.extend(subject)
        reasons.append("the story: " + (" ".join(ctx.subject) or "?"))
    return FollowUp(question, _with_about(text, about), True, "follow-up; " + "; ".join(reasons), outlets, notices)


# --------------------------------------------------------------------------------------------------
# the LLM's rewrite: its data, and its check


def conversation_words(turns: Sequence[Turn], question: str) -> set[str]:
    """Stems of every word the conversation holds: questions (typed and searched), answers' texts, and the
    last answer's outlets, titles, excerpts, claims and speakers."""
    texts = [question]
    for turn in turns:
        texts += [turn.question, turn.searched, turn.text]
        if turn.answer is not None:
            for s in turn.answer.sources:
                texts += [s.outlet or "", s.title or ""]
                texts += [e.quote for e in s.excerpts]
                texts += [f"{c.text} {c.said_by or ''}" for c in s.claims]
    return {t for text in texts for t in stems(text)}


def added_words(rewrite: str, turns: Sequence[Turn], question: str) -> list[str]:
    """The words of ``rewrite`` found nowhere in the conversation (an invented name, say), as written."""
    allowed = conversation_words(turns, question)
    out = []
    for word in _words(rewrite):
        stem = _stem(word)
        if stem and stem not in allowed and word not in out:
            out.append(word)
    return out
