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
- people who answered the last question ("what reason did she give?" after "who cast the deciding vote?") keep
  what it said of them ("cast the deciding vote");
- a fragment that modifies the last question ("since when?", "for seniors?", "and the district?") continues
  it, joined into one question where the two join ("since when was the bridge closed?", "how much will a ride
  cost for seniors?"); after "who won?" it asks about the answer ("Ellen Marsh won ..."); "what about X?",
  when X's words foreign to the story name another story, asks the last question of X, X in place of the
  story's subject.

Chat turns are often typed in lower case: a word the story only ever writes as a name is spelt as the story
writes it (its bodies, or its headlines for a town the body names only in an upper-case dateline) before the
rewrite is built, so "kessler manufacturing" names the story as "Kessler Manufacturing" does.

A reference to what was shown (a person, a claim) keeps the last turn's outlet filter; a new attribute of
the story asks all outlets again.
"""

from .condense_check import added_words, conversation_words
from .lexicon import stems
from .lookups import AssistantLookups, CorpusLookups
from .resolve import resolve
from .story import like
from .turns import AnswerCache, Conversation, FollowUp, FollowUpOptions, HistoryItem, Turn, as_turns, thread_turns

__all__ = [
    "AnswerCache", "AssistantLookups", "Conversation", "CorpusLookups", "FollowUp", "FollowUpOptions", "HistoryItem",
    "Turn", "added_words", "as_turns", "conversation_words", "like", "resolve", "stems", "thread_turns",
]
