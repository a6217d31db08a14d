"""Citizen messages per filed item, on the four channels, for four kinds of citizen.

Starts the shipped `minyi serve` (embedded default: SQLite, the relay inside) against the test
suite's fake WeChat API and Bot API, and `minyi chat` for the terminal; scripted citizens read
each reply and answer what it asks, as a citizen would:

- terse: the menu number, then one short answer per question (one thing per message);
- all-at-once: everything in the first message, then name and phone (and consent) in one;
- voice: the same spoken (WeChat's speech recognition; a phone's voice keyboard elsewhere), with
  the phone number read out in numerals;
- confused: greets, asks how it works, answers vaguely, mistypes the phone, changes an answer.

Prints, per channel, citizen and kind: messages until the ticket (including 确认), questions asked
again, and dead ends (no item, "没太明白", or an apology); then the targets of issue 12. Not a test.

    python bench/conversation.py
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # no shadowing by bench/*.py
sys.path.insert(0, os.path.dirname(_HERE))

import aiohttp

from dialogs import texts
from dialogs.forms import FORMS
from tests.acceptance.citizens import TelegramCitizen, WebCitizen, WeChatCitizen
from tests.acceptance.platforms import Platforms
from tests.acceptance.processes import script
from tests.acceptance.shapes import Shape, running

TICKET = re.compile(r"\b(?:JY|TS)-\d{8}-\d{4}\b")
MAX_MESSAGES = 20
DEAD = (texts.UNRECOGNISED, texts.STEP_FAILED, texts.STEP_FAILED_GAVE_UP)
TARGETS = {("terse", "suggestion"): 7, ("all-at-once", "suggestion"): 4, ("terse", "complaint"): 6}
TARGETS[("all-at-once", "complaint")] = 4
Say = Callable[[str, str], Awaitable[list[str]]]  # (how, text) → the replies seen


@dataclass(frozen=True)
class Citizen:
    """What one kind of citizen sends first, and answers to each question (in turn, the last
    one repeated), and at the summary."""

    name: str
    opening: tuple[tuple[str, str], ...]
    answers: dict[str, tuple[str, ...]]
    summary: tuple[str, ...] = ("确认",)


SAID = "我是江苏路的，社区服务中心周末不开门，上班的人没法去办事，建议周六上午也开"
OILY = "我住阳光小区，楼下饭店每天晚上油烟直排，熏得没法开窗，投诉一下，希望城管来查处"
CITIZENS: dict[str, list[Citizen]] = {
    "suggestion": [
        Citizen(
            "terse",
            (("text", "1"),),
            {
                "problem": ("公交站没有遮雨棚",),
                "category": ("2",),
                "title": ("公交站加装遮雨棚",),
                "measure": ("加装遮雨棚",),
                "name": ("李四 13912345678",),  # the question asks for both
                "phone": ("13912345678",),
                "contact_ok": ("可以",),
            },
        ),
        Citizen("all-at-once", (("text", SAID),), {"name": ("李四 13912345678 可以",)}),
        Citizen(
            "voice",
            (("voice", "我是江苏路的那个社区服务中心周末不开门上班的人没法去办事建议周六上午也开一下。"),),
            {"name": ("李四 一三九一二三四五六七八。",), "contact_ok": ("可以。",)},
            ("确认。",),
        ),
        Citizen(
            "confused",
            (("text", "你好"), ("text", "怎么提建议？"), ("text", "1")),
            {
                "problem": ("就是那个公交站下雨天没地方躲雨",),
                "category": ("交通", "2"),
                "title": ("公交站加装遮雨棚",),
                "measure": ("不知道，你们看着办吧",),
                "name": ("李四",),
                "phone": ("139123456", "13912345678"),
                "contact_ok": ("嗯", "可以"),
            },
            ("修改 2", "确认"),
        ),
    ],
    "complaint": [
        Citizen(
            "terse",
            (("text", "2"),),
            {
                "what": ("楼下饭店油烟直排",),
                "category": ("1",),
                "when_where": ("幸福路12号",),
                "demand": ("责令整改",),
                "name": ("王五 13700001111",),  # the question asks for both
                "phone": ("13700001111",),
            },
        ),
        Citizen("all-at-once", (("photo", OILY),), {"name": ("王五 13700001111",)}),
        Citizen(
            "voice",
            (("voice", "我住阳光小区楼下那个饭店每天晚上油烟直排熏得窗都没法开我要投诉希望城管来查一下。"),),
            {"name": ("王五 一三七零零零零一一一一。",)},
            ("确认。",),
        ),
        Citizen(
            "confused",
            (("text", "在吗"), ("text", "2")),
            {
                "what": ("油烟太大了",),
                "category": ("油烟", "1"),
                "when_where": ("就在我家楼下",),
                "demand": ("管一管",),
                "name": ("匿名", "王五"),
                "phone": ("13700001111",),
            },
        ),
    ],
}


def _questions() -> list[tuple[str, str]]:
    """Every question's text and its field, longest first (a prompt that contains another wins)."""
    pairs = {(f.prompt, f.key) for form in FORMS.values() for f in form.fields}
    return sorted(pairs, key=lambda p: -len(p[0]))


QUESTIONS = _questions()


def asked(reply: str) -> str | None:
    """The question the reply ends on (a field key, "summary"), or None."""
    if "请核对您的" in reply:
        return "summary"
    return next((key for prompt, key in QUESTIONS if prompt in reply), None)


@dataclass
class Outcome:
    messages: int = 0
    reasked: int = 0
    dead: int = 0
    ticket: str | None = None
    log: list[str] = field(default_factory=list)


async def converse(citizen: Citizen, say: Say) -> Outcome:
    """Send the opening, then answer what each reply asks until a ticket comes back."""
    out, used, seen = Outcome(), dict.fromkeys(citizen.answers, 0), list[str]()
    pending = list(citizen.opening)
    summary = list(citizen.summary)
    while out.messages < MAX_MESSAGES and out.ticket is None:
        how, text = pending.pop(0)
        replies = await say(how, text)
        out.messages += 1
        joined = "\n".join(replies)
        out.log.append(f"  > {text}\n    " + joined.replace("\n", "\n    "))
        out.dead += any(d in joined for d in DEAD)
        if found := TICKET.findall(joined) if text.startswith("确认") else []:
            out.ticket = found[0]
            break
        question = asked(replies[-1] if replies else "")
        if question is not None and question != "summary" and question in seen:
            out.reasked += 1
        if question is not None:
            seen.append(question)
        if pending:
            continue
        if question == "summary":
            pending.append(("text", summary.pop(0) if len(summary) > 1 else summary[0]))
        elif question in citizen.answers:
            options = citizen.answers[question]
            pending.append(("text", options[min(used[question], len(options) - 1)]))
            used[question] += 1
        else:
            out.dead += 1  # a question this citizen cannot tell apart: they are stuck
            break
    out.dead += out.ticket is None
    return out


class Terminal:
    """``minyi chat``: a line in, the bot's lines out (read until it has been quiet a moment)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def say(self, how: str, text: str) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()
        return [await self.read()]

    async def read(self, quiet_s: float = 0.4, limit_s: float = 10.0) -> str:
        assert self.proc.stdout is not None
        got, deadline = "", time.monotonic() + limit_s
        while time.monotonic() < deadline:
            try:
                chunk = await asyncio.wait_for(self.proc.stdout.read(4096), quiet_s)
            except TimeoutError:
                if got:
                    break
                continue
            if not chunk:
                break
            got += chunk.decode(errors="replace")
        return got.replace("🤖", "").strip()


def channel_say(channel: str, citizen: WebCitizen | WeChatCitizen | TelegramCitizen) -> Say:
    async def say(how: str, text: str) -> list[str]:
        if how == "voice" and isinstance(citizen, WeChatCitizen):
            return await citizen.say_aloud(text)
        if how == "photo" and isinstance(citizen, TelegramCitizen):
            return await citizen.say_with_photo(text)
        return await citizen.say(text)

    return say


async def run_all(shape: Shape, session: aiohttp.ClientSession) -> list[tuple[str, str, str, Outcome]]:
    rows: list[tuple[str, str, str, Outcome]] = []
    for kind, citizens in CITIZENS.items():
        for citizen in citizens:
            for channel in ("web", "wechat", "telegram", "console"):
                if channel == "console":
                    proc = await asyncio.create_subprocess_exec(
                        script("minyi"), "chat", "--user", f"bench-{kind}-{citizen.name}",
                        env=shape.staff.env, cwd=shape.workdir, stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                    )  # fmt: skip
                    terminal = Terminal(proc)
                    await terminal.read(limit_s=15.0)  # the greeting and the menu
                    try:
                        outcome = await converse(citizen, terminal.say)
                    finally:
                        proc.kill()
                        await proc.wait()
                else:
                    made = {
                        "web": lambda: WebCitizen(session, shape.urls),
                        "wechat": lambda: WeChatCitizen(session, shape.urls, shape.platforms.wechat_sent),
                        "telegram": lambda: TelegramCitizen(
                            session, shape.urls, shape.platforms.telegram_sent
                        ),
                    }[channel]()
                    outcome = await converse(citizen, channel_say(channel, made))
                rows.append((channel, citizen.name, kind, outcome))
    return rows


def report(rows: list[tuple[str, str, str, Outcome]], verbose: bool) -> int:
    print(f"{'channel':<10}{'citizen':<13}{'kind':<12}{'messages':>9}{'re-asked':>10}{'dead ends':>11}")
    for channel, name, kind, o in rows:
        print(f"{channel:<10}{name:<13}{kind:<12}{o.messages:>9}{o.reasked:>10}{o.dead:>11}")
        if verbose or o.dead:
            print("\n".join(o.log))
    print("\ntargets (issue 12): the most messages any channel took")
    missed = 0
    for (name, kind), target in TARGETS.items():
        worst = max(o.messages for _, n, k, o in rows if (n, k) == (name, kind))
        ok = worst <= target
        missed += not ok
        print(f"  {name:<12} {kind:<11} {worst} ≤ {target}: {'met' if ok else 'NOT met'}")
    dead = sum(o.dead for *_, o in rows)
    print(f"  dead ends: {dead} (target 0) across {len(rows)} conversations")
    return missed + dead


async def main() -> int:
    platforms = Platforms()
    await platforms.start()
    try:
        async with running("embedded", platforms) as shape, aiohttp.ClientSession() as session:
            rows = await run_all(shape, session)
    finally:
        await platforms.stop()
    return report(rows, "-v" in sys.argv)


if __name__ == "__main__":
    sys.exit(1 if asyncio.run(main()) else 0)
