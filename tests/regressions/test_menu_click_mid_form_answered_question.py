"""A WeChat menu click arrived as the text "1"/"2"/"3"/"0"; in the middle of a form the engine took
it as the answer to the current question (e.g. category 3). Clicks are now events: commands."""

from __future__ import annotations

from dialogs import texts
from dialogs.forms import SUGGESTION as FORM
from tests.dialogs.chat import SUGGESTION, Chat

PROMPTS = {f.key: f.prompt for f in FORM.fields}


async def test_status_click_mid_form_lists_items_and_keeps_the_question() -> None:
    chat = Chat()
    await chat.send("1")
    replies = await chat.send(None, kind="event", event="click:status")
    assert replies[0] == texts.NO_ITEMS and replies[1] == PROMPTS["problem"]
    assert chat.conv.draft is not None and chat.conv.draft.values == {}


async def test_suggest_click_mid_suggestion_goes_on_and_complain_click_offers_the_draft() -> None:
    chat = Chat()
    await chat.send("1")
    for answer in SUGGESTION[:2]:  # the account (category and title proposed), the measure
        await chat.send(answer)
    assert await chat.send(None, kind="event", event="click:suggest") == [PROMPTS["name"]]
    replies = await chat.send(None, kind="event", event="click:complain")
    assert "已填 4/9 项" in replies[0]
    assert chat.conv.draft is not None and chat.conv.draft.values["category"] == "交通出行"


async def test_help_click_when_idle() -> None:
    assert (await Chat().send(None, kind="event", event="click:help"))[0] == texts.HELP
