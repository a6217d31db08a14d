"""Answers were NFKC-normalised before being stored, which turns Chinese full-width punctuation
into ASCII (``，`` → ``,``, ``（）`` → ``()``): what staff read was not what the citizen typed."""

from __future__ import annotations

from tests.dialogs.chat import Chat


async def test_stored_answers_keep_chinese_punctuation_and_commands_still_match_full_width() -> None:
    chat = Chat()
    await chat.send("１")  # a full-width digit still starts a suggestion
    await chat.send("路灯（幸福路段）不亮，晚上很黑！")
    assert chat.conv.draft is not None
    assert chat.conv.draft.values["problem"] == "路灯（幸福路段）不亮，晚上很黑！"
    assert chat.conv.draft.values["title"] == "路灯（幸福路段）不亮"  # proposed from the words as typed
    await chat.send("改类别")
    await chat.send("２")  # a full-width digit still picks a category
    assert chat.conv.draft.values["category"] == "交通出行"
    await chat.send("加装路灯（太阳能的也行），尽快！")
    assert chat.conv.draft.values["measure"] == "加装路灯（太阳能的也行），尽快！"
