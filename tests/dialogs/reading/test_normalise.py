"""Normalising: traditional → simplified, full-width ASCII → half-width, cleaned."""

from __future__ import annotations

from dialogs.reading import normalise, read


def test_traditional_becomes_simplified() -> None:
    assert normalise("樓下燒烤店的油煙太嚴重了") == "楼下烧烤店的油烟太严重了"


def test_full_width_digits_and_letters_become_half_width() -> None:
    assert normalise("ＫＴＶ在３號樓，電話１３９００００００００") == "KTV在3号楼，电话13900000000"


def test_chinese_punctuation_is_kept_as_typed() -> None:
    assert normalise("噪音很大，怎么办？（晚上）") == "噪音很大，怎么办？（晚上）"


def test_control_and_zero_width_characters_are_dropped_and_spaces_collapsed() -> None:
    assert normalise("\u200b公交\u200d车 \t\n 太少\ufeff\x00 ") == "公交车 太少"


def test_read_returns_the_normalised_text() -> None:
    reading = read("衛生間沒人打掃，臭氣熏天")
    assert reading.text == "卫生间没人打扫，臭气熏天"
    assert reading.kind == "complaint"
