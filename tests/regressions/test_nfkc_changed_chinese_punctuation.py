"""Answers were NFKC-normalised before being stored, which turns Chinese full-width punctuation
into ASCII (``，`` → ``,``, ``（）`` → ``()``): what staff read was not what the citizen typed."""

from __future__ import annotations

from tests.dialogs.chat import Chat


async def test_stored_answers_keep_chinese_punctuation_and_commands_still_match_full_width() -> None:
    chat = Chat()
    await chat.send("１")  # a full-width digit still starts a suggestion
    await chat.send("２")
    await chat.send("路灯（幸福路段）不亮，晚上很黑！")
    assert chat.conv.draft is not None
    assert chat.conv.draft.values["title"] == "路灯（幸福路段）不亮，晚上很黑！"
    assert chat.conv.draft.values["category"] == "交通出行"
