"""One citizen and the staff handling their items: the notices staff wrote, waiting until the
citizen sees them, and the checks on the citizen's screen (each notice once, in order, nothing else)."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.acceptance.citizens import Citizen, Seen
from tests.acceptance.staff import Act, Staff

PUSH_WITHIN_S = 10.0  # a notice on WeChat or Telegram reaches the citizen this soon after the command
POLL_WITHIN_S = 15.0  # the web page polls every 15 s
TICKET = re.compile(r"\b(?:JY|TS)-\d{8}-\d{4}\b")
_MARK = "\x00"
_NOTICE_LINE = re.compile(rf"^(?:您有 \d+ 条办理进展：|(?:\d+\. )?{_MARK}+)$")


def _marked(text: str, notices: list[str]) -> str:
    for notice in sorted(notices, key=len, reverse=True):
        text = text.replace(notice, _MARK)
    return text


def notices_only(text: str, notices: list[str]) -> bool:
    """Whether a message is made of written notices only (one, or several merged under
    "您有 N 条办理进展：" as a numbered list)."""
    rest = _marked(text, notices)
    if _MARK not in rest:
        return False
    return all(_NOTICE_LINE.match(line.strip()) for line in rest.split("\n") if line.strip())


def without_notices(text: str, notices: list[str]) -> str:
    """A message with the written notices in it (and their heading) taken out: what the dialog
    said (a WeChat passive reply joins the notices that rode along with the step's replies)."""
    lines = _marked(text, notices).split("\n")
    return "\n".join(line for line in lines if not _NOTICE_LINE.match(line.strip())).strip()


@dataclass
class Case:
    """A citizen on one channel, the staff driver, and every notice written for the citizen."""

    citizen: Citizen
    staff: Staff
    alive: Callable[[], None]  # fails the test if a process of the shape has died
    written: list[Act] = field(default_factory=list)

    @property
    def push(self) -> bool:
        return self.citizen.channel in ("wechat", "telegram")

    @property
    def notices(self) -> list[str]:
        return [a.notice for a in self.written if a.notice]

    async def say(self, text: str) -> list[str]:
        """The citizen writes; the dialog replies they see (notices that came along left out)."""
        self.alive()
        replies = [without_notices(r, self.notices) for r in await self.citizen.say(text)]
        return [r for r in replies if r]

    async def file(self, first: str, answers: list[str]) -> str:
        """Fill a form from the menu (``1`` or ``2``), confirm it, and read the ticket number."""
        for text in [first, *answers]:
            await self.say(text)
        replies = await self.say("确认")
        found = TICKET.findall("\n".join(replies))
        assert found, f"no ticket in the replies to 确认: {replies}\n{self.citizen.describe()}"
        return str(found[0])

    async def act(self, action: str, ticket: str, *args: str) -> Act:
        """A staff action; its notice (if any) is one the citizen must see."""
        self.alive()
        act = await self.staff.act(action, ticket, *args)
        assert act.ticket == ticket, act
        self.written.append(act)
        return act

    async def show(self, ticket: str) -> dict[str, Any]:
        return await self.staff.show(ticket)

    async def see(self, *acts: Act) -> None:
        """Wait until the notices of ``acts`` are on the citizen's screen: on WeChat and Telegram
        within 10 s of each command, on the web by polling like the page does."""
        for act in acts:
            assert act.notice, f"staff action {act.action} on {act.ticket} wrote no notice for the citizen"
            limit = act.done_at + (PUSH_WITHIN_S if self.push else POLL_WITHIN_S)
            while not self._count(act.notice):
                self.alive()
                if time.monotonic() > limit:
                    how = "within 10 s" if self.push else "by the web page's poll"
                    pytest.fail(
                        f"the notice of `{act.action}` did not reach the citizen {how}:\n"
                        f"{act.notice!r}\n{self.citizen.describe()}"
                    )
                await self.citizen.refresh()
                if not self._count(act.notice):
                    await asyncio.sleep(0.1)

    def _count(self, notice: str) -> int:
        return sum(seen.text.count(notice) for seen in self.citizen.screen())

    def check_screen(self) -> None:
        """Every written notice exactly once, in the order the commands ran; every other message a
        reply to a message of the citizen, none of them twice."""
        screen = self.citizen.screen()
        problems = [*self._once_in_order(screen), *self._nothing_unwritten(screen)]
        if problems:
            pytest.fail("\n".join(problems) + "\n" + self.citizen.describe())

    def _once_in_order(self, screen: list[Seen]) -> list[str]:
        problems: list[str] = []
        places: list[tuple[tuple[int, int], Act]] = []
        for act in self.written:
            if not act.notice:
                continue
            hits = [
                (i, seen.text.find(act.notice)) for i, seen in enumerate(screen) if act.notice in seen.text
            ]
            count = sum(seen.text.count(act.notice) for seen in screen)
            if count != 1:
                problems.append(
                    f"the notice of `{act.action}` reached the citizen {count} times: {act.notice!r}"
                )
            if hits:
                places.append((hits[0], act))
                late = screen[hits[0][0]].at - act.done_at
                if self.push and late > PUSH_WITHIN_S:
                    problems.append(f"the notice of `{act.action}` arrived {late:.1f} s after the command")
        for (earlier, a), (later, b) in itertools.pairwise(places):
            if later <= earlier:
                problems.append(
                    f"the notice of `{b.action}` arrived before that of `{a.action}` (run earlier)"
                )
        return problems

    def _nothing_unwritten(self, screen: list[Seen]) -> list[str]:
        problems: list[str] = []
        notices = self.notices
        replies_per_step: dict[int, list[str]] = {}
        for seen in screen:
            if notices_only(seen.text, notices):
                continue
            if seen.step is None:
                problems.append(f"a message that is neither a reply nor a written notice: {seen.text!r}")
                continue
            replies_per_step.setdefault(seen.step, []).append(seen.text)
        for step, replies in replies_per_step.items():
            dupes = {r for r in replies if replies.count(r) > 1}
            for text in dupes:
                problems.append(
                    f"the reply to #{step} {self.citizen.steps[step].text!r} came twice: {text!r}"
                )
        return problems
