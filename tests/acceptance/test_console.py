"""``minyi chat --user NAME`` as a citizen uses it in a terminal (no poll: notices come only with the
replies): a complaint filed, answered by staff; ``3`` typed before anything arrived lists the items
with the answer riding along and rates nothing; then ``不满意`` sends it back."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.acceptance.processes import script
from tests.acceptance.shapes import DEPARTMENT, Shape
from tests.answers import COMPLAINT

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Terminal:
    """A ``minyi chat`` process: lines in on stdin, everything it printed so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.text = ""

    async def until(self, marker: str, timeout_s: float = 15.0) -> str:
        """Read until ``marker`` appears after what was already read; the new text."""
        assert self.proc.stdout is not None
        start, deadline = len(self.text), time.monotonic() + timeout_s
        while marker not in self.text[start:]:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.stdout.at_eof():
                pytest.fail(f"minyi chat did not say {marker!r}:\n{self.text}")
            try:
                chunk = await asyncio.wait_for(self.proc.stdout.read(4096), left)
            except TimeoutError:
                continue
            self.text += chunk.decode(errors="replace")
        return self.text[start:]

    async def say(self, line: str, marker: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.until(marker)


async def test_a_terminal_citizen_is_never_rated_by_a_menu_digit(shape: Shape) -> None:
    proc = await asyncio.create_subprocess_exec(
        script("minyi"), "chat", "--user", f"terminal-{shape.name}",
        env=shape.staff.env, cwd=shape.workdir,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    me, staff = Terminal(proc), shape.new_staff()
    try:
        await me.until("0 帮助")
        await me.say("2", "请说说发生了什么事")
        for answer in COMPLAINT:
            await me.say(answer, "🤖")
        filed = await me.say("确认", "编号")
        ticket = filed.split("编号 ")[1][:16]
        for action, *args in (
            ("accept",),
            ("assign", "--dept", DEPARTMENT),
            ("answer", "--text", "已责令整改"),
        ):
            await staff.act(action, ticket, *args)
        listed = await me.say("3", "发送编号可查看详情")
        assert "已责令整改" in listed and ticket in listed  # the answer rode along with the list
        assert "退回" not in listed and "抱歉没能让您满意" not in listed
        assert (await staff.show(ticket))["status"] == "answered"
        sent_back = await me.say("不满意", "还有什么想对我们说的吗")
        assert "退回承办单位重新办理（第 1 次）" in sent_back
        assert (await staff.show(ticket))["status"] == "assigned"
        await me.say("/quit", "再见")
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
