"""The state table: every state reachable, kinds respected, guards on the row, illegal moves
refused clearly in Chinese (state names, never codes), and next actions as staff type them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from storage.errors import InvalidTransition
from storage.workflow.transitions import EDGES, PREVIOUS, REPLIED, STAY, allowed_commands, check
from storage.workflow.vocabulary import STATES, parse_state


@dataclass
class Row:
    """An item as the guards read it."""

    kind: str
    status: str = "received"
    previous_status: str | None = None
    due_at: datetime | None = None
    extended_days: int = 0
    adopted_at: datetime | None = None
    showcased: bool = False
    rewarded: bool = False
    satisfaction: int | None = None
    published: bool = False
    merged_into_id: int | None = None


NOW = datetime(2026, 12, 2, tzinfo=UTC)
SUGGESTION_PATH = [
    ("accept", "accepted"),
    ("ask", "consulting"),
    ("citizen_reply", "accepted"),
    ("report", "reported"),
    ("instruct", "instructed"),
    ("citizen_reply", "instructed"),  # 事中沟通: the view joins the thread, the state stays
    ("assign", "assigned"),
    ("adopt", "adopted"),
    ("implement", "implemented"),
    ("rate_close", "closed"),
    ("showcase", "closed"),
    ("reward", "closed"),
    ("reopen", "accepted"),
]
COMPLAINT_PATH = [
    ("accept", "accepted"),
    ("assign", "assigned"),
    ("extend", "assigned"),
    ("answer", "answered"),
    ("send_back", "assigned"),
    ("answer", "answered"),
    ("close", "closed"),
    ("request_review", "accepted"),
]
MARKS = {"adopt": {"adopted_at": NOW}, "assign": {"due_at": NOW}, "extend": {"extended_days": 10}}


@pytest.mark.parametrize(("kind", "path"), [("suggestion", SUGGESTION_PATH), ("complaint", COMPLAINT_PATH)])
def test_the_whole_loop_walks(kind: str, path: list[tuple[str, str]]) -> None:
    row = Row(kind)
    for action, expected in path:
        new = check(row, action)
        assert new == expected, (action, row.status)
        previous = row.status if new == "consulting" else row.previous_status
        row = replace(row, status=new, previous_status=previous, **MARKS.get(action, {}))


def test_every_state_is_reachable_and_every_target_is_a_state() -> None:
    targets = {e.target for e in EDGES} - {STAY, PREVIOUS, REPLIED}
    assert targets <= set(STATES)
    assert set(STATES) <= targets


@pytest.mark.parametrize(
    ("row", "action", "message"),
    [
        (Row("suggestion"), "assign", "当前状态“待受理”不能执行“交办”"),
        (Row("complaint", "accepted"), "report", "投诉不能执行“报送”"),
        (Row("suggestion", "accepted"), "answer", "建议不能执行“答复”"),
        (Row("complaint", "closed"), "accept", "不能执行“受理”"),
        (Row("suggestion"), "fly", "没有“fly”这个操作"),
        (Row("complaint", "assigned", due_at=NOW, extended_days=30), "extend", "只能延期一次"),
        (Row("suggestion", "closed"), "showcase", "只有被采纳的建议"),  # declined, then closed
        (Row("suggestion", "closed", adopted_at=NOW, rewarded=True), "reward", "已经褒奖过了"),
        (Row("complaint", "answered", satisfaction=1), "rate_close", "已经评价过了"),
    ],
)
def test_illegal_transitions_raise_a_clear_error(row: Row, action: str, message: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        check(row, action)
    assert message in str(caught.value)
    assert not any(code in str(caught.value) for code in STATES)  # staff read names, not codes


def test_previous_state_after_consulting() -> None:
    assert check(Row("suggestion", "consulting", "instructed"), "citizen_reply") == "instructed"
    assert check(Row("suggestion", "consulting", "reported"), "withdraw") == "reported"


def test_next_actions_are_commands_staff_can_type_guards_included() -> None:
    assert allowed_commands(Row("complaint")) == [
        "accept",
        "reject",
        "ask",
        "record-reply",
        "merge",
        "reply",
        "link",
    ]
    assert "unmerge" in allowed_commands(Row("complaint", "closed", merged_into_id=3))
    extended = Row("complaint", "assigned", due_at=NOW, extended_days=10)
    assert "extend" not in allowed_commands(extended) and "answer" in allowed_commands(extended)
    declined_then_closed = Row("suggestion", "closed")
    assert "showcase" not in allowed_commands(declined_then_closed)


def test_a_state_by_its_code_or_its_name() -> None:
    assert parse_state("accepted") == parse_state("已受理") == "accepted"
    assert parse_state("征询中") == "consulting"
    with pytest.raises(ValueError):
        parse_state("bogus")


def test_a_merged_item_goes_back_to_where_it_was_and_only_a_merged_one_can() -> None:
    row = Row("suggestion", "assigned")
    assert check(row, "merge") == "closed"
    merged = replace(row, status="closed", previous_status="assigned", merged_into_id=7)
    assert check(merged, "unmerge") == "assigned"
    with pytest.raises(InvalidTransition, match="没有被合并过"):
        check(Row("suggestion", "closed"), "unmerge")
    with pytest.raises(InvalidTransition, match="已经合并"):
        check(replace(merged, status="accepted"), "merge")


def test_only_a_published_suggestion_can_be_co_signed() -> None:
    with pytest.raises(InvalidTransition, match="还没有公开"):
        check(Row("suggestion", "accepted"), "cosign")
    assert check(Row("suggestion", "accepted", published=True), "cosign") == "accepted"
    with pytest.raises(InvalidTransition, match="投诉不能"):
        check(Row("complaint", "accepted", published=True), "cosign")
