"""The two forms a citizen fills in: their fields, in order, and how each answer is checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_ACCOUNT = 1000  # the longest account (a form's material) taken, also at a free-form start
FieldKind = Literal["text", "choice", "phone", "yesno", "name_or_anon", "name"]

SUGGESTION_CATEGORIES: tuple[str, ...] = (
    "城市建设",
    "交通出行",
    "生态环境",
    "教育文化",
    "医疗卫生",
    "社会保障",
    "营商环境",
    "社区治理",
    "其他",
)
COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "市容环卫",
    "噪音扰民",
    "交通出行",
    "物业小区",
    "劳动就业",
    "消费维权",
    "公共服务",
    "其他",
)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    prompt: str
    kind: FieldKind = "text"
    optional: bool = False
    max_len: int = 500
    choices: tuple[str, ...] = ()
    accepts_location: bool = False


@dataclass(frozen=True, slots=True)
class Form:
    """``fields`` in the order of the summary (``修改 N``); ``asked`` the fields asked while still
    empty, in the order asked (the rest are proposed from the citizen's words, or optional and
    left to ``修改 N``); ``material`` takes the citizen's own account; ``place`` and ``request``
    are proposed from it."""

    kind: str  # "suggestion" | "complaint"
    noun: str  # 建议 / 投诉
    fields: tuple[Field, ...]
    asked: tuple[str, ...]
    material: str
    place: str
    request: str

    def index(self, key: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.key == key)

    def field(self, key: str) -> Field:
        return self.fields[self.index(key)]


SUGGESTION = Form(
    kind="suggestion",
    noun="建议",
    fields=(
        Field(
            "category", "类别", "您的建议属于哪一类？请回复序号：", "choice", choices=SUGGESTION_CATEGORIES
        ),
        Field("title", "标题", "请用一句话概括您的建议（不超过40字）。", max_len=40),
        Field(
            "problem",
            "问题",
            "请说说您发现了什么问题，有什么想法。一段话说清楚就行，也可以发语音。",
            max_len=MAX_ACCOUNT,
        ),
        Field("cause", "症结", "您认为问题的症结在哪里？（可回复“跳过”）", optional=True, max_len=1000),
        Field("measure", "对策", "您建议怎么解决？", max_len=1000),
        Field(
            "place",
            "地点",
            "问题发生在哪里？可以发送位置，或回复“跳过”。",
            optional=True,
            max_len=200,
            accepts_location=True,
        ),
        Field(
            "name",
            "姓名",
            "请留下您的称呼和手机号，如：李四 13800138000（不愿留名可写“匿名 13800138000”）。",
            "name_or_anon",
            max_len=20,
        ),
        Field("phone", "电话", "请留下您的手机号码，方便我们反馈办理情况。", "phone", max_len=20),
        Field(
            "contact_ok",
            "可否联系",
            "办理过程中，工作人员可以联系您沟通吗？请回复“可以”或“不可以”。",
            "yesno",
            choices=("可以", "不可以"),
        ),
    ),
    asked=("problem", "category", "title", "measure", "name", "phone", "contact_ok"),
    material="problem",
    place="place",
    request="measure",
)

COMPLAINT = Form(
    kind="complaint",
    noun="投诉",
    fields=(
        Field("category", "类别", "您要投诉哪一类问题？请回复序号：", "choice", choices=COMPLAINT_CATEGORIES),
        Field(
            "what",
            "事情经过",
            "请说说发生了什么事：在哪里、什么情况、您希望怎么解决。一段话说清楚就行，也可以发语音。",
            max_len=MAX_ACCOUNT,
        ),
        Field(
            "when_where",
            "时间地点",
            "事情是什么时间、在什么地方发生的？也可以发送位置。",
            max_len=200,
            accepts_location=True,
        ),
        Field("demand", "诉求", "您希望怎么解决？", max_len=500),
        Field(
            "unit", "被投诉单位", "被投诉的单位或个人是？（不清楚可回复“跳过”）", optional=True, max_len=100
        ),
        Field(
            "name",
            "姓名",
            "按规定投诉需要实名，请告诉我们您的真实姓名和手机号，如：王五 13700001111。",
            "name",
            max_len=20,
        ),
        Field("phone", "电话", "请留下您的手机号码，方便我们告知受理和办理情况。", "phone", max_len=20),
    ),
    asked=("what", "category", "when_where", "demand", "name", "phone"),
    material="what",
    place="when_where",
    request="demand",
)

FORMS: dict[str, Form] = {SUGGESTION.kind: SUGGESTION, COMPLAINT.kind: COMPLAINT}
