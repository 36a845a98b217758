"""A Slack thread as the conversation, pure: message markup back to a plain question, and a thread's messages
paired into the history turns the core reads."""

from __future__ import annotations

from assistant.slack.history import thread_history
from assistant.slack.mrkdwn import slack_to_text


def test_slack_markup_becomes_a_plain_question() -> None:
    text = "<@UBOT> what did <@U42|ann> say in <#C1|news> about <https://x.test/a?b=1&amp;c=2|this> &amp; &lt;that&gt;"
    assert slack_to_text(text, "UBOT") == "what did @ann say in #news about this & <that>"
    assert slack_to_text("<@UBOT>", "UBOT") == ""


def test_thread_history_pairs_questions_with_the_bots_answers() -> None:
    messages = [
        {"ts": "1.0", "user": "U1", "text": "<@UBOT> Was Israel consulted?"},
        {"ts": "2.0", "user": "UBOT", "bot_id": "BBOT", "text": "2 of 2 sources address this question."},
        {"ts": "3.0", "user": "U2", "text": "chatter without a mention"},
        {"ts": "4.0", "user": "U9", "bot_id": "BOTHER", "text": "<@UBOT> another bot"},
        {"ts": "5.0", "user": "U1", "text": "<@UBOT> who said so?"},
        {"ts": "6.0", "user": "UBOT", "bot_id": "BBOT", "text": ":warning: failed"},
        {"ts": "7.0", "user": "U1", "text": "<@UBOT> and the other outlet?"},  # the current message
    ]
    turns = thread_history(messages, current_ts="7.0", bot_user_id="UBOT", bot_id="BBOT", in_dm=False)
    assert [(t.question, t.text) for t in turns] == [
        ("Was Israel consulted?", "2 of 2 sources address this question."), ("who said so?", "")]
    in_dm = thread_history(messages, current_ts="7.0", bot_user_id="UBOT", bot_id="BBOT", in_dm=True)
    assert [t.question for t in in_dm] == ["Was Israel consulted?", "chatter without a mention", "who said so?"]


def test_thread_turns_carry_the_answer_the_bot_posted() -> None:
    from assistant.answer import AnswerCache
    from assistant.schema import Answer

    posted = Answer(question="Was Israel consulted?", mode="extractive", summary="2 of 2 sources address this.")
    cache = AnswerCache()
    cache.put("C1", "2.0", posted)
    messages = [
        {"ts": "1.0", "user": "U1", "text": "<@UBOT> Was Israel consulted?"},
        {"ts": "2.0", "user": "UBOT", "bot_id": "BBOT", "text": "2 of 2 sources address this."},
        {"ts": "3.0", "user": "U1", "text": "<@UBOT> who said that?"},
    ]
    [turn] = thread_history(messages, current_ts="3.0", bot_user_id="UBOT", bot_id="BBOT", in_dm=False,
                            answers=cache, channel="C1")
    assert turn.answer is posted and turn.text == "2 of 2 sources address this."
    [other] = thread_history(messages, current_ts="3.0", bot_user_id="UBOT", bot_id="BBOT", in_dm=False,
                             answers=cache, channel="C2")
    assert other.answer is None  # another channel's message with the same ts is not this one
