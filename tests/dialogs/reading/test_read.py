"""read(): kind, categories, title, request and matters on hand-written messages."""

from __future__ import annotations

import pytest

from dialogs.forms import COMPLAINT_CATEGORIES, SUGGESTION_CATEGORIES
from dialogs.reading import Reading, read


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("建议在中山北路多设几个公共自行车停放点", "suggestion"),
        ("能否延长图书馆周末的开放时间，上班族平时去不了", "suggestion"),
        ("隔壁饭店的油烟直排到我家阳台，衣服都不敢晒", "complaint"),
        ("我要投诉一家健身房，交了三千块年卡，现在店门关了老板联系不上", "complaint"),
        ("希望有关部门管一管，楼上天天半夜拖椅子，吵得睡不着", "complaint"),
        ("老板拖欠了我们两个月的工资", "complaint"),
    ],
)
def test_kind(text: str, kind: str) -> None:
    assert read(text).kind == kind


def test_no_evidence_no_kind() -> None:
    reading = read("今天天气不错")
    assert reading.kind is None
    assert reading.categories == {"suggestion": (), "complaint": ()}


@pytest.mark.parametrize(
    ("text", "kind", "category"),
    [
        ("建议给我们这栋六层的老公房加装电梯", "suggestion", "城市建设"),
        ("早高峰的公交班次太少，等车要二十分钟", "suggestion", "交通出行"),
        ("建议社区卫生服务中心的家庭医生周末也能出诊", "suggestion", "医疗卫生"),
        ("希望多开几个老年助餐点，独居老人吃饭难", "suggestion", "社会保障"),
        ("楼下的美甲店门口天天堆着装修垃圾", "complaint", "市容环卫"),
        ("对面工地晚上十一点还在打桩", "complaint", "噪音扰民"),
        ("物业把消防通道租出去当车位", "complaint", "物业小区"),
        ("外卖平台扣了钱却不给退款", "complaint", "消费维权"),
    ],
)
def test_best_category(text: str, kind: str, category: str) -> None:
    reading = read(text)
    assert reading.categories[kind][0] == category
    order = SUGGESTION_CATEGORIES if kind == "suggestion" else COMPLAINT_CATEGORIES
    assert set(reading.categories[kind]) <= set(order) - {"其他"}


def test_titles_skip_greetings_introductions_and_lead_ins() -> None:
    reading = read("您好，我是一名退休教师，住在田林。我想反映一下，小区门口的垃圾桶三天没人清理了。")
    assert reading.title == "小区门口的垃圾桶三天没人清理了"


def test_titles_are_at_most_20_characters_and_drop_trailing_fillers() -> None:
    long = read(
        "那个就是我们这条街上的那家二十四小时营业的网吧每天晚上都有很多人在门口抽烟喧哗吵得人睡不着觉嗯"
    )
    assert 0 < len(long.title) <= 20
    assert not long.title.endswith(("嗯", "那个", "就是", "，", "。"))
    short = read("楼道灯坏了，嗯。")
    assert short.title == "楼道灯坏了"


def test_voice_text_without_punctuation_is_cut_into_clauses() -> None:
    reading = read(
        "嗯你好我想反映一下就是我们小区旁边那个菜场每天早上五点就开始卸货然后声音特别大希望你们管一管"
    )
    assert reading.kind == "complaint"
    assert reading.request == "希望你们管一管"
    assert reading.title.startswith("我们小区旁边那个菜场")
    assert reading.categories["complaint"][0] == "噪音扰民"


def test_the_request_is_the_clause_that_asks() -> None:
    assert read("公交站没有候车亭，下雨天只能淋着，建议加装雨棚。").request == "建议加装雨棚"
    assert read("电梯坏了三天了，物业一直说在等零件").request is None
    assert read("公园的厕所能不能晚上也开着").request == "公园的厕所能不能晚上也开着"


def test_a_second_matter_is_counted() -> None:
    one = read("楼下烧烤店的油烟太大了，而且烟味一直飘进屋里")
    two = read("小区里的路灯坏了一个月了没人修。另外，隔壁工地每天晚上施工到十二点，吵得没法睡觉。")
    assert one.matters == 1
    assert two.matters == 2
    assert two.categories["complaint"][0] == "公共服务"


def test_reading_is_frozen() -> None:
    reading = read("建议增加公交班次")
    assert isinstance(reading, Reading)
    with pytest.raises(AttributeError):
        reading.kind = "complaint"  # type: ignore[misc]
