"""``Assistant.ask``: retrieve -> extract (and generate, when a model is configured) -> verify -> ``Answer``.

Every front end calls this and only renders the typed result. ``Assistant`` keeps the corpus, the
embedding model and the chat model open between questions (chat, Slack).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .agreement import Attributed, Grouping, entity_pins, group_claims
from .cite import check_markers, check_quotes, is_verbatim
from .claims import Asked, analyse
from .config import Settings
from .errors import AssistantError, EmptyStoreError, QuestionError, StoreError
from .events import NO_EVENTS, AskEvents, Searched
from .extract import SentenceVectors, SourceSelection, select_excerpts, spelled_as_sources
from .ingest import IngestReport, ingest_paths
from .ingest import Progress as IngestProgress
from .llm_claims import HoldBack, UnreadableClaims, check_claims, parse_claims, says_they_differ, split_reply
from .memory import AnswerCache, Conversation, FollowUp, FollowUpOptions, HistoryItem, Turn, thread_turns
from .method import DEFAULT_METHOD, Method
from .prompts import load_prompts
from .retrieve import Retrieval, Retriever
from .schema import Answer, Article, Claim, Excerpt, SourceAnswer
from .stories import off_question, other_stories, same_story_silent

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from .corpus import Corpus
    from .store import Store

log = logging.getLogger(__name__)

__all__ = ["AnswerCache", "Assistant", "Conversation", "FollowUp", "HistoryItem", "IngestProgress", "Turn", "as_data",
           "clean_question", "summarise", "thread_turns", "timeout_failure"]

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_ANSWER_CHARS = 600  # of each earlier answer's text, in the LLM's rewrite prompt
EXTRA_SOURCES = 4  # searched past ASSISTANT_MAX_SOURCES: a covering source there is named in a notice


_EXCERPTS_TAG = re.compile(r"<\s*(/?)\s*excerpts\s*>", re.IGNORECASE)


def as_data(text: str) -> str:
    """Article text made unable to close (or reopen) the prompt's ``<excerpts>`` block: such tags, in any
    case or spacing, are escaped (``&lt;/excerpts&gt;``) so no tag in the prompt comes from an article."""
    return _EXCERPTS_TAG.sub(lambda m: f"&lt;{m[1]}excerpts&gt;", text)


def clean_question(question: str) -> str:
    """The question, stripped of control characters; raises ``QuestionError`` for one that cannot be searched."""
    text = " ".join("".join(ch for ch in question or "" if ch.isprintable() or ch.isspace()).split())
    if not text:
        raise QuestionError('The question is empty; ask something, e.g. "Was Israel consulted?"')
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("The question has no words, only punctuation; ask a question in words.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is {len(text):,} characters long; keep it under {MAX_QUESTION_CHARS:,}."
        )
    return text


def timeout_failure(error: BaseException, settings: Callable[[], Settings]) -> StoreError | None:
    """The one-line ``StoreError`` for a Chroma server that did not answer in time, raised by a Chroma call
    outside the ``Store`` (which turns its own timeouts into one); None for any other error. ``settings`` is
    called only for a timeout."""
    from .store import is_http_timeout, timeout_error

    return timeout_error(settings()) if is_http_timeout(error) else None


class Assistant:
    """The question-answering core, with its heavy parts opened lazily and kept."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embeddings: Embeddings | None = None,
        chat_model: BaseChatModel | None = None,
        use_llm: bool | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._embeddings = embeddings
        self._ingest_embeddings = embeddings  # one given model embeds both questions and chunks
        self._chat_model = chat_model
        self.use_llm = (chat_model is not None or self.settings.llm_enabled) if use_llm is None else use_llm
        self._store: Store | None = None
        self._corpus: Corpus | None = None
        self._vectors: SentenceVectors | None = None
        self._retriever: Retriever | None = None
        self.last_retrieval: Retrieval | None = None  # how the last question was searched (eval, debugging)
        self.followups = FollowUpOptions()  # which parts of follow-up resolution run (eval ablations)
        if self.use_llm:
            self.prompts = load_prompts(self.settings.prompts_dir)

    # -- parts ------------------------------------------------------------------------------------------

    @property
    def embeddings(self) -> Embeddings:
        if self._embeddings is None:
            from .embed import make_embeddings

            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    @property
    def ingest_embeddings(self) -> Embeddings:
        """The model that embeds ingested chunks: the fastest runtime here (questions never wait for it)."""
        if self._ingest_embeddings is None:
            from .embed import make_ingest_embeddings

            self._ingest_embeddings = make_ingest_embeddings(self.settings, self.embeddings)
        return self._ingest_embeddings

    @property
    def chat_model(self) -> BaseChatModel | None:
        if self._chat_model is None and self.use_llm:
            from .llm import make_chat_model

            self._chat_model = make_chat_model(self.settings)
        return self._chat_model

    def store(self, create: bool = False) -> Store:
        if self._store is None:
            from .store import Store

            self._store = Store(self.settings, create=create)
        return self._store

    def corpus(self, create: bool = False) -> Corpus:
        """The store and its keyword index, which every read and write goes through."""
        if self._corpus is None or self._corpus.store is not self.store(create):
            from .corpus import Corpus

            self._corpus = Corpus(self.store(create))
        return self._corpus

    def retriever(self) -> Retriever:
        """The hybrid retriever over this corpus (keeps the keyword index open between questions)."""
        if self._retriever is None or self._retriever.corpus is not self.corpus():
            self._retriever = Retriever(self.corpus(), self.settings)
        return self._retriever

    def warm_up(self, *, open_store: bool = False) -> None:
        """Load the embedding model now (e.g. in a background thread while a prompt waits), and with
        ``open_store`` open the store too (raising ``EmptyStoreError`` when there is none yet)."""
        self.embeddings.embed_query("warm up")
        if open_store:
            self.store()

    @property
    def location(self) -> str:
        """Where the articles are stored: the store's folder, or the Chroma server's address."""
        return self.store().location

    # -- ingest -----------------------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path | str], progress: IngestProgress | None = None, *,
               since: date | None = None) -> IngestReport:
        """Ingest files, folders and links (feeds: entries not older than ``since``), telling ``progress``
        how far it got."""
        return ingest_paths(list(paths), self.corpus(create=True), self.ingest_embeddings, self.settings,
                            since=since, progress=progress)

    def sources(self) -> list[tuple[Article, int]]:
        """Every stored article (without its text) with its number of chunks, newest first;
        ``EmptyStoreError`` when there is no store yet."""
        return self.corpus().list_articles()

    def show(self, article_id: str) -> Article:
        """One stored article, metadata and full text; ``AssistantError`` when no article has that id."""
        found = self.corpus().get_articles([article_id]).get(article_id)
        if found is None:
            raise AssistantError(f"No stored article has the id {article_id!r}; list them with `assistant sources`.")
        return found

    # -- ask --------------------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        history: Sequence[HistoryItem] = (),
        as_of: date | None = None,
        events: AskEvents | None = None,
        method: Method = DEFAULT_METHOD,
    ) -> Answer:
        """Answer ``question`` with per-source verbatim excerpts (and an LLM answer when configured).

        ``history`` holds earlier turns (``memory.Turn``s, ``Answer``s or (question, answer text) pairs); a
        follow-up is first rewritten into a standalone question (``condense``).
        ``as_of`` is the reference date of "this week", "last month"... (today when None) and ranks newer
        articles down and recent ones up; the filters applied are listed in ``answer.filters``.
        ``events`` hears what was searched once the search is done, each source as it is ready and the LLM
        answer as it streams (``AskEvents``).
        """
        events = events or NO_EVENTS
        question = clean_question(question)
        follow_up = self.condense(question, history)
        searched = follow_up.standalone
        store = self.store()
        if store.count_articles() == 0:
            raise EmptyStoreError(store.location)
        from .embed import encode

        # a few more than are shown, so that a covering source past the cut is named, not hidden
        retrieval = self.retriever().search(searched, lambda text: encode(self.embeddings, [text])[0], as_of=as_of,
                                            k=self.settings.max_sources + EXTRA_SOURCES)
        found, q_vec = retrieval.results, retrieval.question_vector
        self.last_retrieval = retrieval
        events.searched(Searched(question, searched, tuple(follow_up.outlets), tuple(retrieval.filters),
                                 min(len(found), self.settings.max_sources)))
        if self._vectors is None:
            self._vectors = SentenceVectors(self.embeddings)
        # the question less its date and outlet phrases: "What did CNN report about X" is about X
        subject = retrieval.intent.search_text.strip() or searched
        # typed chat is often all lower case: read its names as the best sources spell them
        subject = spelled_as_sources(subject, [r.article for r in found[:3]])
        selections = select_excerpts(
            subject, q_vec, [(r.article, r.hits) for r in found], self._vectors,
            self.settings.max_excerpts_per_source, self.settings.min_relevance,
            dense_budget=self.settings.excerpt_vectors, method=method, must_quote=follow_up.asks,
        )
        freqs = self.corpus().document_frequencies
        if method.story_split and method.story_coverage:
            for i in off_question(selections, other_stories(selections, freqs, method.story_overlap), freqs, subject):
                selections[i].chosen = []  # another story of the same names, without the question's word: silent
        other_story = {id(selections[i]) for i in other_stories(selections, freqs, method.story_overlap, subject)} \
            if method.story_split else set()
        sources: list[SourceAnswer] = []
        articles: dict[str, Article] = {}
        attributed: list[Attributed] = []
        apart: list[SourceAnswer] = []
        next_n = 1
        # the answering sources first, then the silent ones of the same story: the reader sees who says
        # nothing on this point, before sources that only share the question's words
        story_rank = {id(selections[i]): r for r, i in enumerate(same_story_silent(
            selections, freqs, method.story_overlap))} if method.story_split else {}
        ordered = sorted(selections, key=lambda s: (not s.chosen, story_rank.get(id(s), len(story_rank)), -s.best,
                                                    -s.best_chunk_score))
        ordered, beyond = ordered[:self.settings.max_sources], [s for s in ordered[self.settings.max_sources:]
                                                                  if s.chosen]
        for i, sel in enumerate(ordered, start=1):
            articles[sel.article.id] = sel.article
            source, claims = _source_answer(i, sel, next_n)
            next_n += len(source.excerpts)
            sources.append(source)
            if id(sel) in other_story:
                apart.append(source)  # its answer is about something else: shown, not compared
            else:
                attributed += claims
            events.source(source)
        answer = Answer(question=question, standalone_question=searched if searched != question else None,
                        mode="extractive", sources=sources, filters=retrieval.filters,
                        notices=[*follow_up.notices, *retrieval.notices])
        if apart:
            answer.notices.append(
                "Not compared with the others, as it tells another story: "
                + "; ".join(f"[{x.n}] " + " — ".join(y for y in (x.outlet, x.title) if y) for x in apart) + ".")
        if beyond:
            answer.notices.append(
                f"{len(beyond)} more source(s) address this question: "
                + "; ".join(" — ".join(x for x in (b.article.outlet, b.article.title) if x) or b.article.id
                            for b in beyond)
                + f" (ASSISTANT_MAX_SOURCES={self.settings.max_sources + len(beyond)} shows them)."
            )
        asked = analyse(subject)
        pins = {s.n: entity_pins(asked, subject, articles[s.id].text, s.title) for s in answer.covering} \
            if method.entity_split else {}
        _apply_grouping(answer, group_claims(asked, attributed, pins, entity_split=method.entity_split))
        answer.summary = summarise(answer, len(sources))
        if self.use_llm and answer.covering:
            self._generate(answer, articles, events.on_token, _Claims(asked, attributed, pins, method.entity_split))
        elif self.use_llm:
            answer.answer = (
                "None of the ingested articles that were searched address this question, so there is no "
                "answer from the sources."
            )
            answer.mode = "llm"
        return answer

    def _generate(self, answer: Answer, articles: dict[str, Article], on_token: Callable[[str], None] | None,
                  offline: _Claims) -> None:
        from langchain_core.messages import HumanMessage, SystemMessage

        from .llm import describe_failure, llm_failures, run_chat

        model = self.chat_model
        if model is None:
            return
        blocks = []
        for s in answer.covering:
            label = as_data(" | ".join(x for x in (s.outlet, s.title, s.date) if x))
            for e in s.excerpts:
                blocks.append(f"[{e.n}] ({label})\n\"{as_data(e.quote)}\"")
        prompt = self.prompts.answer.format(question=answer.standalone_question or answer.question,
                                            excerpts="\n\n".join(blocks), agreement=agreement_line(answer))
        shown = HoldBack(on_token) if on_token else None
        try:
            reply = run_chat(model, [SystemMessage(self.prompts.system), HumanMessage(prompt)],
                             shown.feed if shown else None)
        except llm_failures() as err:
            answer.notices.append(f"LLM unavailable ({describe_failure(err)}); showing the extractive answer.")
            return
        if shown:
            shown.flush()
        text, claims_part = split_reply(reply)
        if claims_part is not None:
            self._model_claims(answer, articles, offline, claims_part)
        if answer.disagreement and answer.disagreement_note and text.strip() and not says_they_differ(text):
            # every front end shows the note under the answer; the reader is told the model left it out
            answer.notices.append("The model's answer does not say that the sources disagree; the note below "
                                  "says who says what.")
        text, dropped = check_markers(text.strip(), (e.n for e in answer.excerpts))
        if dropped:
            answer.notices.append(
                "Removed citation(s) " + ", ".join(f"[{n}]" for n in sorted(set(dropped)))
                + " that match no excerpt shown."
            )
        text, unverified = check_quotes(text, articles.values())
        if unverified:
            answer.notices.append(f"{len(unverified)} quoted passage(s) not found in any article; marked [unverified].")
        if not text:
            answer.notices.append("The LLM returned an empty answer; showing the extractive answer.")
        answer.answer = text or None
        answer.mode = "llm" if text else "extractive"

    def _model_claims(self, answer: Answer, articles: dict[str, Article], offline: _Claims, part: str) -> None:
        """Each source's claims as the model states them, where every one checks out as verbatim; the
        offline claims stay for the other sources. Regroups the claims."""
        try:
            checked = check_claims(parse_claims(part), answer, articles, offline.asked)
        except UnreadableClaims as err:
            answer.notices.append(f"{err}; showing the offline claims.")
            return
        if checked.dropped:
            answer.notices.append(f"Dropped {checked.dropped} claim(s) from the model that are not verbatim in the "
                                  "excerpts shown; those sources keep their offline claims.")
        if not checked.claims:
            return
        attributed = [a for a in offline.attributed if a.source_n not in checked.claims]
        for source in answer.sources:
            if source.n in checked.claims:
                source.claims = [c for c, _ in checked.claims[source.n]]
                attributed += [a for _, a in checked.claims[source.n]]
        _apply_grouping(answer, group_claims(offline.asked, attributed, offline.pins, entity_split=offline.split))
        answer.summary = summarise(answer, len(answer.sources))

    # -- conversation -----------------------------------------------------------------------------------

    def condense(self, question: str, history: Sequence[HistoryItem]) -> FollowUp:
        """How ``question`` is searched after ``history``: as typed, or rewritten into a standalone question.

        The offline resolution (``memory.resolve``) decides whether the question depends on the conversation.
        When it does and an LLM is configured, the LLM rewrites it from the conversation and the last answer's
        sources and claims; a rewrite that adds words found nowhere in the conversation is not used (the
        offline one is, with a notice).
        """
        from .memory import AssistantLookups, as_turns, resolve

        keep = self.settings.history_turns
        turns = as_turns(history)[-keep:] if keep else []
        offline = resolve(question, turns, AssistantLookups(self.corpus()), self.followups)
        model = self.chat_model if self.use_llm and offline.dependent else None
        if model is None:
            return offline
        from langchain_core.messages import HumanMessage

        from .llm import describe_failure, llm_failures, run_chat
        from .memory import added_words

        prompt = self.prompts.condense.format(history=history_text(turns), answer=answer_as_data(turns[-1].answer),
                                              question=question)
        failures: tuple[type[BaseException], ...] = (AssistantError, *llm_failures())
        try:
            reply = run_chat(model, [HumanMessage(prompt)]).strip()
            rewritten = clean_question((reply.splitlines() or [""])[0].strip().strip('"“”'))
        except failures as err:
            reason = describe_failure(err) if not isinstance(err, AssistantError) else "no question in its reply"
            offline.notices.append(f"The LLM could not rewrite the follow-up ({reason}); searched the offline "
                                   "rewrite.")
            return offline
        added = added_words(rewritten, turns, question)
        if added:
            offline.notices.append("The LLM's rewrite of the follow-up used words found nowhere in the "
                                   f"conversation ({', '.join(added)}); searched the offline rewrite instead.")
            return offline
        return FollowUp(question, rewritten, True, "rewritten by the LLM", notices=[], asks=offline.asks)


def answer_as_data(answer: Answer | None) -> str:
    """The last answer's sources and claims as the rewrite prompt shows them (one line each, article text
    escaped so that it cannot close the prompt's data block)."""
    if answer is None or not answer.sources:
        return "(no sources)"
    lines = []
    for s in answer.sources:
        label = " | ".join(x for x in (s.outlet, s.title, s.date) if x) or s.id
        if not s.covers:
            lines.append(f"[{s.n}] {as_data(label)}: searched, does not address it")
            continue
        lines.append(f"[{s.n}] {as_data(label)}")
        for c in s.claims:
            lines.append(f"  claim: {as_data(c.text)}" + (f" (said by {as_data(c.said_by)})" if c.said_by else ""))
        for e in s.excerpts:
            lines.append(f"  excerpt: {as_data(e.quote)}")
    return "\n".join(lines)


def history_text(turns: Sequence[Turn]) -> str:
    """The conversation as the rewrite prompt shows it: each question, and the start of each answer's text."""
    lines = []
    for turn in turns:
        lines.append(f"User: {as_data(turn.question)}")
        if turn.searched != turn.question:
            lines.append(f"(searched as: {as_data(turn.searched)})")
        if turn.text:
            lines.append(f"Assistant: {as_data(turn.text[:MAX_HISTORY_ANSWER_CHARS])}")
    return "\n".join(lines)


@dataclass
class _Claims:
    """The offline claims of an answer, kept for LLM mode to regroup with the model's."""

    asked: Asked
    attributed: list[Attributed]
    pins: dict[int, frozenset[str]]
    split: bool


def _apply_grouping(answer: Answer, grouping: Grouping) -> None:
    answer.groups = grouping.groups
    answer.disagreement = grouping.disagreement
    answer.disagreement_note = grouping.note


def agreement_line(answer: Answer) -> str:
    """Where the sources stand, for the answer prompt: excerpt numbers only, so that no article text
    reaches the prompt outside its ``<excerpts>`` block."""
    sides = ["".join(f"[{n}]" for n in g.excerpts) for g in answer.groups if g.entity is None]
    if answer.disagreement:
        return "the sources disagree: " + " against ".join(sides) + "; say so, and say who says what."
    if any(g.entity for g in answer.groups):
        return "the sources are about different things that share the name; say which is which."
    if len(answer.groups) == 1:
        return f"the sources that state an answer agree ({sides[0]})." if sides else "no conflict was found."
    return "no conflict between the sources was found."


def _source_answer(n: int, sel: SourceSelection, first_excerpt: int) -> tuple[SourceAnswer, list[Attributed]]:
    """One source's panel: its verbatim excerpts, numbered from ``first_excerpt``, and the claims they make."""
    art = sel.article
    label = art.outlet or art.title or f"source {n}"
    excerpts: list[Excerpt] = []
    claims: list[Claim] = []
    attributed: list[Attributed] = []
    for cand in sel.chosen:
        ex = Excerpt(n=first_excerpt + len(excerpts), quote=cand.text, start=cand.start, end=cand.end,
                     score=round(cand.score, 4), article_id=art.id)
        if not is_verbatim(art, ex):  # never show a quote that is not in the article
            log.warning("dropped a non-verbatim excerpt from %s", art.id)
            continue
        excerpts.append(ex)
        for f in cand.found:
            if not (ex.start <= f.start < f.end <= ex.end):
                continue  # a claim is always inside the excerpt shown
            said_by = art.text[f.said_by[0]:f.said_by[1]] if f.said_by else None
            claim = Claim(text=art.text[f.start:f.end], start=f.start, end=f.end, kind=f.kind,
                          value=f.value, said_by=said_by, excerpt=ex.n)
            claims.append(claim)
            attributed.append(Attributed(f, n, ex.n, label, claim.text, said_by))
    source = SourceAnswer(n=n, id=art.id, title=art.title, outlet=art.outlet, author=art.author, date=art.date,
                          url=art.url, path=art.path, covers=bool(excerpts), claims=claims, excerpts=excerpts)
    return source, attributed


def summarise(answer: Answer, searched: int) -> str:
    covering = len(answer.covering)
    if covering == 0:
        return f"None of the {searched} article(s) searched address this question."
    text = f"{covering} of {searched} source(s) searched address this question"
    if answer.disagreement:
        text += "; they disagree"
    return text + "."
