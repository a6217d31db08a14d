"""Hypothesis drives the pure engine with random inputs: no exception, no dead end, and a
confirmed form yields exactly one item while a cancelled one yields none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dialogs import Context, Conversation, Inbound, Reply, UserRef, similar, step, texts
from dialogs.effects import (
    Comment,
    CoSign,
    FindSimilar,
    ListMine,
    Outputs,
    Rate,
    ReplyToItem,
    RequestReview,
    ShowTicket,
    Submit,
    Supplement,
    UnCoSign,
)
from dialogs.ports import CosignOutcome, SimilarBrief
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
    "附议 1",
    "附议 3",
    "补充",
    "取消附议 JY-20261122-0009",
    "附议 JY-20261122-0009",
]
ALIKE = {  # what a lookup finds when similar items exist (a published suggestion, one's own complaint)
    "suggestion": (
        SimilarBrief(
            "JY-20261122-0009", "suggestion", "公交站加装遮雨棚", "accepted", datetime(2026, 11, 1), None, 3
        ),
        SimilarBrief("JY-20261122-0010", "suggestion", "路灯修复", "assigned", datetime(2026, 11, 2)),
    ),
    "complaint": (
        SimilarBrief(
            "TS-20261122-0011", "complaint", "油烟", "accepted", datetime(2026, 11, 3), datetime(2027, 1, 2)
        ),
    ),
}
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
        self.alike = False  # whether a lookup finds similar items
        self.cosign_gone = False

    def _send(self, text: str | None, **kw: object) -> None:
        self.n += 1
        self.now += timedelta(seconds=5)
        inbound = Inbound(UserRef("t", "u"), f"m{self.n}", self.now, text=text, **kw)  # type: ignore[arg-type]
        before = self.conv
        result = step(before, inbound, Context(now=self.now, followups=self.followups))
        outputs = self._carry_on(before, result.conversation, result.outputs)
        self.replies = [o for o in outputs if isinstance(o, Reply)]
        effects = [o for o in outputs if not isinstance(o, Reply)]
        allowed = Submit | ListMine | ShowTicket | ReplyToItem | Rate | Comment | RequestReview
        allowed |= FindSimilar | CoSign | UnCoSign | Supplement
        assert all(isinstance(e, allowed) for e in effects)
        for e in effects:
            if isinstance(e, Supplement):  # only to the complaint offered, with the account it held
                assert before.mode == "pick_similar" and e.ticket == ALIKE["complaint"][0].ticket
                assert before.draft is not None and result.conversation.draft is None
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

    def _carry_on(self, before: Conversation, conv: Conversation, outputs: list[object]) -> list[object]:
        """What ``dialogs.session`` does with a lookup or a co-signing: ``dialogs.similar`` goes on."""
        done: list[object] = []
        for o in outputs:
            done.append(o)
            out = Outputs()
            if isinstance(o, FindSimilar):
                similar.offer(conv, o, ALIKE[o.kind] if self.alike else (), out)
            elif isinstance(o, CoSign):
                reason = "gone" if self.cosign_gone else "done"
                similar.cosigned(conv, CosignOutcome(reason, o.ticket, "标题"), out)
            elif isinstance(o, UnCoSign):
                similar.uncosigned(o.ticket, True, out)
            done.extend(out.items)
        return done

    @rule(alike=st.booleans(), gone=st.booleans())
    def similar_items_exist(self, alike: bool, gone: bool) -> None:
        self.alike, self.cosign_gone = alike, gone

    @precondition(lambda self: self.conv.mode == "pick_similar")
    @rule(text=st.sampled_from(["1", "2", "附议 2", "继续", "补充", "随便说说", "菜单", "取消", "返回"]))
    def answer_the_offer(self, text: str) -> None:
        had = self.conv.draft
        self._send(text)
        if text == "继续":
            assert self.conv.mode == "form" and self.conv.draft == had and not self.conv.aside
        if text == "随便说说":
            assert self.conv.mode == "pick_similar" and self.conv.draft == had

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
            if d is None or self.conv.mode not in ("form", "pick_similar"):
                break
            fields = FORMS[d.kind].fields
            text = "确认" if d.step >= len(fields) else answers.get(fields[d.step].key, "内容")
            if self.conv.mode == "pick_similar":  # similar items were offered: go on with one's own
                text = "继续"
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
