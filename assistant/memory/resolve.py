"""``resolve``: whether a question depends on the conversation, and the standalone question searched when it
does (outlets, people and claims just shown, the story's subject; see the package's doc)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..claims import generic
from ..claims import stem as word_stem
from ..extract import STOPWORDS
from ..query import outlet_mentions, parse_query
from .lexicon import (
    _CONTRAST,
    _OTHER,
    _WH_START,
    AUXILIARIES,
    DEMONSTRATIVES,
    PERSON_PRONOUNS,
    PREPOSITIONS,
    SOURCE_WORDS,
    THING_PRONOUNS,
    WH_WORDS,
    _about_shown,
    _content,
    _continued,
    _continues_predicate,
    _demonstrative,
    _is_fragment,
    _predicate,
    _recase,
    _replace_word,
    _stem,
    _strip_about,
    _with_about,
    _words,
    stems,
)
from .story import _Context, _context, _names_other_story
from .turns import FollowUp, FollowUpOptions, Turn

if TYPE_CHECKING:
    from ..schema import Answer
    from .lookups import CorpusLookups

# newspaper names read with "the" ("the Valley Courier"), wire services and stations without ("Metro Wire")
_PAPER_NOUNS = frozenset({"courier", "press", "tribune", "ledger", "gazette", "dispatch", "times", "post", "journal",
                          "herald", "chronicle", "examiner", "observer", "sun", "star", "register", "guardian",
                          "telegraph", "independent", "globe", "inquirer", "sentinel", "bulletin", "record",
                          "review", "daily", "mail", "standard", "express", "mirror", "news-leader"})
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’\-]+\s[-–—]\s+")
_TITLE = r"(?:Mr|Mrs|Ms|Dr|Capt|Lt|Sgt|Gen|Col|Sen|Rep|Gov|Chief|Mayor|Judge|Prof|Det|Officer|Commissioner)\.?"
_PERSON = re.compile(rf"\b(?:{_TITLE}\s+)?[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z'’\-]+\b")


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
        # "what about the fire in dallas?": the story's own words ("fire") may stay, when the words foreign to it
        # are found together in another article that matches better
        if is_contrast and rest_new and _names_other_story(rest, rest_new, ctx, corpus, at_least=len(rest_new)):
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
    """ "what about the ferry?" after "Is the diner open?": the last question, asked of the new subject (put in
    place of the story's subject words, or, when the last question does not write them, with its other words)."""
    subject = rest.strip().rstrip("?.! ")
    searched, _ = _strip_about(ctx.last.searched)
    last = _recase(parse_query(searched, outlets=ctx.known).search_text, ctx.spelling).strip().rstrip("?.! ")
    drop = {stem for w in ctx.subject for stem in stems(w)}
    words = last.split()
    at = [i for i, w in enumerate(words) if (_stem(w) or "") in drop]
    if at:
        start, end = at[0], at[-1] + 1
        if start and words[start - 1].lower() in ("the", "a", "an") and subject.split()[0].lower() in (
                "the", "a", "an"):
            start -= 1  # "in the fort mabry fire" -> "in the fire in dallas", one article
        standalone = " ".join([*words[:start], subject, *words[end:]]) + "?"
    else:
        predicate = [w for w in _words(last) if (_stem(w) or "") not in drop and (
            w.lower() not in STOPWORDS or w.lower() in WH_WORDS)]
        standalone = _with_about(f"{subject[:1].upper()}{subject[1:]}?", [" ".join(predicate)])
    return FollowUp(question, standalone, dependent=True, reason=f"follow-up: the last question, asked of {subject}")


def _follow_up(question: str, content: list[tuple[str, str]], ctx: _Context, options: FollowUpOptions,
               is_contrast: bool, rest: str) -> FollowUp:
    answer = ctx.last.answer if options.from_answer else None
    low_words = [w.lower() for w in _words(question)]
    reasons: list[str] = []
    text = _recase(question.strip(), ctx.spelling)
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
        standalone = _scoped(_recase(topic, ctx.spelling), named, ctx.known)
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
    # a person the answer does not name is the one the last question asked about ("what's his name?")
    unnamed = person is not None and not any(r.startswith(f"{person} = ") for r in reasons)
    answered = person is not None and not unnamed and _answered_name(answer, text)
    text = _with_story(text, question, content, ctx, answer, about, reasons, demonstrative == "claim", unnamed,
                       answered, is_contrast)
    asks = _asked_words(question, claim, ctx) if options.asked_words and not named else ()
    return FollowUp(question, _with_about(text, about), True, "follow-up; " + "; ".join(reasons), outlets, notices,
                    asks)


def _asked_words(question: str, claim: str | None, ctx: _Context) -> tuple[str, ...]:
    """The words a source must quote one of to answer this follow-up: those of the claim it asks about ("who
    said that?"), else the names and modifiers it adds to the conversation's last question ("for seniors?",
    "who would be acting mayor?"). Not the words that point back ("that money"), nor the kind of answer asked
    for ("which products", "how many workers"), nor its verb ("how many students attend?"): a source says
    those in words of its own ("serves 240 students")."""
    if claim:
        return tuple(w for w, _ in _content(claim, ctx.known))
    last = {stem for _, stem in _content(ctx.last.searched, ctx.known)}
    words = _words(question)
    low = [w.lower() for w in words]
    # a possessor is the story's own ("the district's offer" asks for the offer)
    skip = {i for i, w in enumerate(low) if w in PREPOSITIONS or _verb_form(low, i) or w.endswith(("'s", "’s"))}
    aux = next((i for i, w in enumerate(low) if w in AUXILIARIES), None)
    for i, word in enumerate(low):
        head = i + 2 if word == "how" and low[i + 1:i + 2] in (["many"], ["much"]) else i + 1
        if word in DEMONSTRATIVES or (word in ("which", "what") and i == 0) or head == i + 2:
            skip.add(head)
            if aux is None and head != i + 1:
                skip.add(head + 1)  # "how many students attend?": the kind of answer, then the verb
    # after do or a modal ("how many workers will it keep?"), the last word before the end is the verb
    if aux is not None and low[aux] in _DO_OR_MODAL:
        rest = [i for i in range(aux + 1, len(low)) if low[i] not in PREPOSITIONS]
        skip.update(rest[-1:])
    # nor a generic word for the story's people ("the new positions" of librarians)
    kept = {w for i, w in enumerate(words) if i not in skip and not generic(word_stem(low[i]))}
    return tuple(w for w, stem in _content(question, ctx.known) if stem not in last and w in kept)


_DO_OR_MODAL = frozenset({"do", "does", "did", "will", "would", "can", "could", "should", "shall", "may", "might",
                          "must"})


def _verb_form(words: list[str], i: int) -> bool:
    """A past or -ing form that is the predicate ("raised how?", "found by whom?", "is the union seeking?"),
    which sources word their own way; before a noun it is a modifier and stays ("the acting mayor")."""
    word = words[i]
    if not (len(word) > 4 and word.endswith(("ed", "ing")) or word in ("found", "paid", "made", "built", "won")):
        return False
    nxt = words[i + 1] if i + 1 < len(words) else ""
    return not nxt or nxt in PREPOSITIONS or nxt in WH_WORDS or nxt in STOPWORDS


def _with_story(text: str, question: str, content: list[tuple[str, str]], ctx: _Context, answer: Answer | None,
                about: list[str], reasons: list[str], claim: bool, unnamed: bool, answered: bool,
                is_contrast: bool) -> str:
    """``text`` with the story it depends on: put in place of "it", joined to the last question ("since
    when?"), or added to ``about`` (the last question, what it said of its answer, or the story's subject)."""
    own = {stem for _, stem in content}
    last, _ = _strip_about(ctx.core)
    last = last.strip().rstrip("?.!")
    # "and the district?" asks the last question again, of the district; "since when?" continues it
    if _is_fragment(question, content) and (is_contrast or (
            _continues_predicate(question) and not _own_predicate(question, last))):
        searched, carried = _strip_about(ctx.last.searched)
        joined = _continued(text, _recase(parse_query(searched, outlets=ctx.known).search_text, ctx.spelling))
        if joined is not None:
            about.append(carried)
            reasons.append("joined to the last question")
            return joined
        about.append(_answer_in_place(last, answer))
        reasons.append("continues the last question")
        return text
    # "who said that?": the claim shown, and the question it answered (a claim alone may be a bare date)
    if claim or unnamed:
        about.append(last)
        reasons.append("continues the last question")
        return text
    if answered:  # "what reason did she give?" after "who cast the deciding vote?": she is who cast it
        about.append(_predicate(last))
        reasons.append("the person answered the last question")
        return text
    mentioned = {t for a in about for t in stems(a)}
    subject = [w for w in ctx.subject if (_stem(w) or "") not in own | mentioned]
    it = next((w for w in _words(text) if w.lower() in ("it", "its")), None)
    if it is not None and subject:  # "when will it reopen?" -> "when will the Cedar Point pier reopen?"
        phrase = _phrase(subject, last) if subject == ctx.subject else " ".join(subject)
        whole_name = all(w[:1].isupper() for w in subject)  # "Kessler Manufacturing", not "the fire in Dallas"
        text = _replace_word(text, it, phrase if whole_name else f"the {phrase}")
    else:
        about.extend(subject)
    reasons.append("the story: " + (" ".join(ctx.subject) or "?"))
    return text


def _own_predicate(fragment: str, last: str) -> bool:
    """The fragment has a verb the last question does not ("found by whom?" after "was he hurt?"): it asks
    something new of the story, not the last question again ("raised how?" after "will fares be raised?")."""
    low = [w.lower() for w in _words(fragment)]
    said = {stem for w in _words(last) for stem in stems(w)}
    return any(_verb_form(low, i) and not set(stems(word)) & said for i, word in enumerate(low))


def _phrase(subject: Sequence[str], question: str) -> str:
    """The subject words as ``question`` writes them, with the small words between them ("fire in Dallas"),
    when they stand close together there; else the words alone."""
    words = _words(question)
    at = [i for i, w in enumerate(words) if w in subject]
    if at and len({words[i] for i in at}) == len(subject) and at[-1] - at[0] < len(subject) + 3:
        return " ".join(words[at[0]:at[-1] + 1])
    return " ".join(subject)


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


def _answer_in_place(question: str, answer: Answer | None) -> str:
    """ "Who won the recount" as "Ellen Marsh won the recount" when the last answer's short answer is a name:
    a fragment after it ("by how many votes?") asks about what the answer did."""
    first = _claim(answer)
    m = re.match(r"\s*(?:who|which \w+)\s+(?!" + "|".join(AUXILIARIES - {"'s", "’s"}) + r"\b)", question, re.I)
    kinds = {c.kind for s in answer.covering for c in s.claims[:1]} if answer is not None else set()
    if m is None or first is None or kinds != {"name"}:
        return question
    return f"{first} {question[m.end():]}"


def _answered_name(answer: Answer | None, text: str) -> bool:
    """The person put in ``text`` is the last answer's short answer (a name claim), not a speaker quoted."""
    if answer is None:
        return False
    return any(c.kind == "name" and c.text in text for s in answer.covering for c in s.claims)


def _claim(answer: Answer | None) -> str | None:
    """The short answer the last answer showed first (its first claim), when it has claims."""
    if answer is None:
        return None
    for source in answer.covering:
        if source.claims:
            return _DATELINE.sub("", source.claims[0].text).strip()
    return None
