"""The harness itself, end to end in both shapes: a web citizen files a suggestion, staff accept
it, and the acceptance notice reaches the citizen's page once."""

from __future__ import annotations

import aiohttp
import pytest

from tests.acceptance.case import Case
from tests.acceptance.citizens import WebCitizen
from tests.acceptance.shapes import Shape
from tests.answers import SUGGESTION

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_web_filing_and_accept_notice(shape: Shape, session: aiohttp.ClientSession) -> None:
    case = Case(WebCitizen(session, shape.urls), shape.new_staff(), shape.check_alive)
    ticket = await case.file("1", SUGGESTION)
    assert ticket.startswith("JY-")
    listed = await case.show(ticket)
    assert (listed["status"], listed["citizen"]["chat"]) == ("received", "web")

    accept = await case.act("accept", ticket)
    assert accept.status == "accepted" and accept.notice and ticket in accept.notice
    await case.see(accept)
    case.check_screen()
    if len(shape.urls) > 1:  # the citizen's messages went to both servers
        assert len(case.citizen.steps) >= 2
