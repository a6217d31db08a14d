"""Hypothesis drives the pure engine with random inputs: no exception, no dead end, and a
confirmed form yields exactly one item while a cancelled one yields none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dialogs import Context, Conversation, Inbound, Reply, UserRef, step, texts
from dialogs.effects import Comment, ListMine, Rate, ReplyToItem, RequestReview, ShowTicket, Submit
from dialogs.state import Draft
from dialogs.types import Campaign, Followups, ItemRef

ITEMS = (
    ItemRef("JY-20261122-0001", "suggestion", "遮雨棚"),
    ItemRef("TS-20261122-0002", "complaint", "油烟"),
)

WORDS = [
    "1",
    "2",
    "3",
    "0",
    "9",
    "确认",
    "取消",
    "返回",
    "跳过",
    "菜单",
    "是",
    "否",
    "继续",
    "重填",
    "可以",
    "不可以",
    "匿名",
    "修改 1",
    "修改 5",
    "修改 99",
    "13800138000",
    "JY-20261122-0001",
    "张三",
    "",
    " ",
    "改成投诉",
    "改成建议",
    "改类别",
    "用上次的",
    "1 改成 交通出行",
    "3 改成 幸福路",
    "12 改成 什么",
    "李四 13800138000 可以",
    "修改",
]
# accounts a citizen may start with at any moment (issue 12: the free-form start)
MATTERS = [
    "我是江苏路的，社区服务中心周末不开门，上班的人没法去办事，建议周六上午也开",
    "楼下饭店每天晚上油烟直排，熏得没法开窗，投诉一下",
    "那个就是我们小区门口的路灯坏了一个多月了晚上黑乎乎的希望尽快修一下",
    "公司拖欠我三个月工资了老板一直不接电话",
    "建议地铁末班车延长到十二点",
    "噪音扰民！！工地半夜还在施工",
]
TEXTS = st.one_of(st.sampled_from(WORDS), st.text(max_size=30), st.text(min_size=1001, max_size=1100))


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.conv = Conversation()
        self.now = datetime(2026, 11, 22, tzinfo=UTC)
        self.n = 0
        self.submitted: list[str] = []
        self.replies: list[Reply] = []
        self.followups = Followups()
        self.offered: set[str] = set()

    def _send(self, text: str | None, **kw: object) -> None:
        self.n += 1
        self.now += timedelta(seconds=5)
        inbound = Inbound(UserRef("t", "u"), f"m{self.n}", self.now, text=text, **kw)  # type: ignore[arg-type]
        before = self.conv
        result = step(before, inbound, Context(now=self.now, followups=self.followups))
        self.replies = [o for o in result.outputs if isinstance(o, Reply)]
        effects = [o for o in result.outputs if not isinstance(o, Reply)]
        allowed = Submit | ListMine | ShowTicket | ReplyToItem | Rate | Comment | RequestReview
        assert all(isinstance(e, allowed) for e in effects)
        # only an item that was offered to this citizen (it may have stopped waiting since)
        assert all(e.ticket in self.offered for e in effects if isinstance(e, ReplyToItem))
        for e in effects:
            if isinstance(e, Submit):
                assert before.draft is not None and e.key == before.draft.key
                assert not any(k.startswith("_") for k in e.values), "the form's own notes are filed"
                assert e.key not in self.submitted, "one draft submitted twice"
                self.submitted.append(e.key)
                assert result.conversation.draft is None
        assert result.outputs, "every message gets an answer"
        self.conv = result.conversation

    @rule(text=TEXTS)
    def type_text(self, text: str) -> None:
        self._send(text)

    @rule()
    def photo(self) -> None:
        from dialogs.types import Media

        self._send(None, kind="image", media=Media("image", "m"))

    @rule(text=st.sampled_from(MATTERS), kind=st.sampled_from(["text", "voice", "image"]))
    def tell_a_matter(self, text: str, kind: str) -> None:
        """A citizen's whole account, typed, spoken or as a photo's caption, at any moment."""
        from dialogs.types import Media

        media = Media("image", "m") if kind == "image" else None
        self._send(text, kind=kind, media=media)

    @rule()
    def voice_without_text(self) -> None:
        self._send(None, kind="voice")

    @rule()
    def menu_always_brings_the_menu(self) -> None:
        self._send("菜单")
        assert self.replies[-1].text == texts.MENU
        assert self.conv.mode == "idle"

    @precondition(lambda self: self.conv.draft is not None and self.conv.mode == "form")
    @rule()
    def cancel_discards_without_an_item(self) -> None:
        count = len(self.submitted)
        self._send("取消")
        self._send("是")
        assert self.conv.draft is None and len(self.submitted) == count

    @precondition(lambda self: self.conv.draft is not None and self.conv.mode == "form")
    @rule()
    def finishing_the_form_yields_exactly_one_item(self) -> None:
        draft = self.conv.draft
        assert isinstance(draft, Draft)
        key, count = draft.key, len(self.submitted)
        answers = {"category": "1", "contact_ok": "可以", "phone": "13800138000", "name": "张三"}
        from dialogs.forms import FORMS

        for _ in range(30):
            d = self.conv.draft
            if d is None or self.conv.mode != "form":
                break
            fields = FORMS[d.kind].fields
            text = "确认" if d.step >= len(fields) else answers.get(fields[d.step].key, "内容")
            self._send(text)
        assert self.submitted[count:] == [key]

    @invariant()
    def state_round_trips(self) -> None:
        assert Conversation.from_bytes(self.conv.to_bytes()) == self.conv


class EngineWithStaffMachine(EngineMachine):
    """The same, while staff ask questions, ask for ratings and open campaigns in between."""

    @rule(waiting=st.integers(0, 2), rating=st.booleans(), campaigns=st.booleans())
    def staff_act(self, waiting: int, rating: bool, campaigns: bool) -> None:
        """Between messages staff may ask something, ask for a rating, open a campaign."""
        self.offered |= {i.ticket for i in ITEMS[:waiting]}
        self.followups = Followups(
            waiting=ITEMS[:waiting],
            rating_due=ITEMS[1:] if rating else (),
            campaigns=(Campaign(1, "加装电梯"),) if campaigns else (),
        )


SETTINGS = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestEngineMachine = EngineMachine.TestCase
TestEngineMachine.settings = SETTINGS
TestEngineWithStaffMachine = EngineWithStaffMachine.TestCase
TestEngineWithStaffMachine.settings = SETTINGS
