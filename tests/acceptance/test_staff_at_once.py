"""Staff acting at once (README: "two staff acting at once produce one transition"): rounds of
``minyi-admin`` commands run together on the shape's database while citizens write and the relay
runs. No command may crash; two accepts of one item make one transition and one refusal."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.acceptance.case import Case
from tests.acceptance.citizens import WebCitizen
from tests.acceptance.processes import Result
from tests.acceptance.shapes import Shape
from tests.answers import COMPLAINT

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROUNDS = (("extend", "--days", "5", "--reason", "需要现场核查"), ("answer", "--text", "已督促整改"))


async def at_once(shape: Shape, cases: list[Case], commands: list[tuple[str, ...]]) -> list[Result]:
    """Run ``commands`` (action, ticket, args…) together while every citizen asks for 查进度."""

    async def chatting(case: Case) -> None:
        for _ in range(3):
            await case.say("3")

    staff = [shape.new_staff() for _ in commands]
    runs = [asyncio.ensure_future(s.run(s.action_argv(*c))) for s, c in zip(staff, commands, strict=True)]
    await asyncio.gather(*runs, *(chatting(c) for c in cases))
    results = [run.result() for run in runs]
    for result in results:
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "Error" not in output, result.describe()
    return results


async def test_staff_at_once(shape: Shape, session: aiohttp.ClientSession) -> None:
    cases = [Case(WebCitizen(session, shape.urls), shape.new_staff(), shape.check_alive) for _ in range(3)]
    tickets = [await case.file("2", COMPLAINT) for case in cases]

    accepted = await at_once(shape, cases, [("accept", tickets[0]), *(("accept", t) for t in tickets)])
    codes = sorted(r.code for r in accepted[:2])
    assert codes == [0, 1], "one accept of an item goes through, the other is refused:\n" + "\n".join(
        r.describe() for r in accepted[:2]
    )
    assert all(r.code == 0 for r in accepted[2:]), [r.describe() for r in accepted[2:]]
    for action, *args in ROUNDS:
        results = await at_once(shape, cases, [(action, t, *args) for t in tickets])
        assert all(r.code == 0 for r in results), [r.describe() for r in results if r.code]

    for ticket in tickets:
        item = await cases[0].show(ticket)
        assert item["status"] == "answered"
        assert [e["action"] for e in item["events"]].count("accept") == 1, item["events"]
