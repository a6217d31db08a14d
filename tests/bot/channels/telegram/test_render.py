"""Replies → sendMessage arguments; button data → typed text."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.channels.telegram import render
from bot.channels.telegram.convert import callback_data, campaign_of_start, command_text, value_of_callback
from dialogs import Reply, texts


def test_texts_are_split_at_4096_utf16_units_preferring_line_breaks() -> None:
    lines = "\n".join(f"第{i}行" * 10 for i in range(400))
    pieces = render.split(lines)
    assert "".join(pieces) == lines and all(len(p) <= 4096 for p in pieces)
    assert all(p.endswith("\n") for p in pieces[:-1])
    emoji = "😀" * 3000  # two UTF-16 units each
    parts = render.split(emoji)
    assert [len(p) for p in parts] == [2048, 952] and "".join(parts) == emoji
    assert render.split("短") == ["短"]


def test_one_message_per_step_with_the_last_replys_buttons() -> None:
    replies = [Reply(texts.CANCEL_DONE, turn=5), Reply(texts.MENU, texts.MENU_CHOICES, turn=5)]
    (message,) = render.messages(replies)
    assert message["text"] == texts.CANCEL_DONE + "\n\n" + texts.MENU
    markup = message["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == ["c:5:1", "c:5:2", "c:5:3", "c:5:0"]  # each tap says which turn it answers


def test_hints_become_share_buttons_and_plain_text_removes_them() -> None:
    phone = render.markup(Reply("电话？", hint="phone"))
    assert isinstance(phone, ReplyKeyboardMarkup) and phone.keyboard[0][0].request_contact
    place = render.markup(Reply("地点？", hint="location"))
    assert isinstance(place, ReplyKeyboardMarkup) and place.keyboard[0][0].request_location
    assert isinstance(render.markup(Reply("好的")), ReplyKeyboardRemove)


def test_callback_data_fits_64_bytes() -> None:
    long_label = "很长的选项" * 10
    assert callback_data("城市建设", 1, 7) == "c:7:城市建设"
    assert callback_data(long_label, 3, 7) == "n:7:3"
    assert len(callback_data(long_label, 3, 123456).encode()) <= 64
    assert value_of_callback("c:7:城市建设") == (7, "城市建设") and value_of_callback("n:7:3") == (7, "3")
    assert value_of_callback("junk") == (None, "") and value_of_callback("c:城市建设") == (None, "")


def test_a_deep_link_start_names_the_campaign() -> None:
    assert campaign_of_start("/start campaign_7") == 7
    assert campaign_of_start("/start@minyi_bot campaign_12") == 12
    for text in ("/start", "/start poster_7", "/help campaign_7", "campaign_7", "/start campaign_7 x"):
        assert campaign_of_start(text) is None, text


def test_commands_map_to_the_words_of_the_dialogs() -> None:
    assert command_text("/start") == "菜单"
    assert command_text("/help@minyi_bot") == "帮助"
    assert command_text("/cancel now") == "取消"
    assert command_text("/status") == "查进度"
    assert command_text("/unknown") == "/unknown"
    assert command_text("公交站") == "公交站"
