"""The state table: every state reachable, kinds respected, illegal moves refused clearly."""

from __future__ import annotations

import pytest

from storage.errors import InvalidTransition
from storage.workflow.transitions import EDGES, STATES, allowed_actions, target

SUGGESTION_PATH = [
    ("accept", "accepted"),
    ("ask", "consulting"),
    ("citizen_reply", "accepted"),
    ("report", "reported"),
    ("instruct", "instructed"),
    ("assign", "assigned"),
    ("adopt", "adopted"),
    ("implement", "implemented"),
    ("rate", "implemented"),
    ("close", "closed"),
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


@pytest.mark.parametrize(("kind", "path"), [("suggestion", SUGGESTION_PATH), ("complaint", COMPLAINT_PATH)])
def test_the_whole_loop_walks(kind: str, path: list[tuple[str, str]]) -> None:
    status, previous = "received", None
    for action, expected in path:
        new = target(kind, status, action, previous)
        if new == "consulting":
            previous = status
        assert new == expected, (action, status)
        status = new


def test_every_state_is_reachable_and_every_target_is_a_state() -> None:
    targets = {e.target for e in EDGES} - {"<stay>", "<previous>"}
    assert targets <= set(STATES)
    assert set(STATES) <= targets


@pytest.mark.parametrize(
    ("kind", "status", "action", "message"),
    [
        ("suggestion", "received", "assign", "当前状态 received 不能执行“交办”"),
        ("complaint", "accepted", "report", "投诉不能执行“报送”"),
        ("suggestion", "accepted", "answer", "建议不能执行“答复”"),
        ("complaint", "closed", "accept", "不能执行“受理”"),
        ("suggestion", "received", "fly", "没有“fly”这个操作"),
    ],
)
def test_illegal_transitions_raise_a_clear_error(kind: str, status: str, action: str, message: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        target(kind, status, action)
    assert message in str(caught.value)


def test_previous_state_after_consulting() -> None:
    assert target("suggestion", "consulting", "citizen_reply", "instructed") == "instructed"


def test_allowed_actions_for_staff() -> None:
    assert allowed_actions("complaint", "received") == ["accept", "reject", "ask", "staff_reply"]
