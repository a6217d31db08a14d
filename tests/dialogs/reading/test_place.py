"""Places: listed names, unknown names by their endings, never generic words, phone numbers or people."""

from __future__ import annotations

import pytest

from dialogs.reading import read
from dialogs.reading.place import best_place, candidates, found, names, tokens


def place(text: str) -> str | None:
    """The place read from ``text``."""
    return read(text).place


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("徐汇区的图书馆周末人太多了", "徐汇区"),
        ("莘庄镇菜场门口天天有人乱摆摊", "莘庄镇"),
        ("建议在武宁路增设一个非机动车停放点", "武宁路"),
        ("宜山路300号门口的井盖丢了好几天", "宜山路300号"),
        ("延安西路1500弄里电梯又坏了", "延安西路1500弄"),
        ("人民广场站出口的共享单车堆成山", "人民广场站"),
        ("瑞金医院挂号要排两个小时", "瑞金医院"),
        ("世纪公园的厕所太少", "世纪公园"),
    ],
)
def test_listed_names_are_found_as_written(text: str, expected: str) -> None:
    assert place(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("红枫苑小区的物业从来不修路灯", "红枫苑小区"),
        ("金桂花园北门的垃圾箱房臭得不行", "金桂花园"),
        ("青松新村三号楼楼道堆满杂物", "青松新村"),
        ("安康菜场的摊主缺斤少两", "安康菜场"),
        ("育才中学门口放学时候车停得乱七八糟", "育才中学"),
    ],
)
def test_unknown_names_are_found_by_their_endings(text: str, expected: str) -> None:
    assert place(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我们小区门口的马路上全是垃圾",
        "楼下的路灯坏了一个多月",
        "家门口的公交站没有遮雨棚",
        "这条路上的路口红绿灯时间太短",
        "地铁站里空调太冷，附近也没有休息的地方",
        "社区服务中心周末不开门，能不能延长服务时间",
        "地铁2号线早高峰太挤了",
        "老小区没有电梯，老人上下楼很困难",
        "医院看病排队太久了",
        "学校门口接送孩子的车堵路",
    ],
)
def test_generic_words_are_no_place(text: str) -> None:
    assert place(text) is None


def test_a_phone_number_or_a_name_is_no_place() -> None:
    assert place("我叫张建国，电话13812345678，老板拖欠工资三个月") is None
    assert place("联系人王秀英 021-62345678 物业不给修漏水") is None


def test_the_place_of_the_matter_beats_where_the_citizen_lives() -> None:
    text = "我住在金桂花园，想反映一下淮海中路上的店铺油烟直排"
    assert place(text) == "淮海中路"


def test_the_most_specific_place_is_chosen() -> None:
    assert place("长宁区仙霞路上大货车半夜鸣笛") == "长宁区仙霞路"
    assert place("静安区有个问题，芷江西路街道的康宁小区物业乱收费") in {
        "芷江西路街道的康宁小区",
        "康宁小区",
    }


def test_adjacent_names_are_joined_and_the_span_is_in_the_text() -> None:
    text = "闵行区七宝镇漕宝路1200弄门口积水"
    places = found(text, tokens(text))
    assert best_place(text, places) == "闵行区七宝镇漕宝路1200弄"
    assert [(p.start, p.end) for p in candidates(places)] == [(0, 14)]


def test_the_names_of_places_leave_their_type_words_for_the_categories() -> None:
    text = "金桥的瑞金医院门口，金沙江路地铁站"
    spans = names(text, found(text, tokens(text)))
    assert [text[start:end] for start, end in spans][:2] == ["金桥", "瑞金"]
    assert text[spans[2][0] : spans[2][1]].startswith("金沙")
    assert spans[2][1] <= text.index("地铁站")
