"""At least once, exactly once in effect: 91 citizens (61 on Telegram, 30 on WeChat in safe mode)
each walk a whole suggestion form to 确认 — 1,001 messages — every message delivered 3 times, on
the scaled shape (2 × ``minyi serve``, 2 × ``minyi notifier``, PostgreSQL, Redis with AOF), while
one server and one relay are killed with ``kill -9`` and started again, and staff accept filed
items so that notices are on their way (the relay is killed while the platform holds one of its
notices). Afterwards: nothing lost, no item filed twice, every message answered, and no notice
sent twice beyond the outcomes the outbox counted as unknown. ``pytest -s`` prints the figures."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import asyncpg
import pytest

from tests.acceptance.platforms import Platforms, Pushed, Recorder
from tests.acceptance.shapes import PG_ADMIN_URL
from tests.acceptance.staff import Staff
from tests.answers import SUGGESTION_FROM_MENU
from tests.reliability.redelivery import (
    IN_FLIGHT,
    PG_URL,
    TICKET,
    Cluster,
    Hold,
    HoldingBotApi,
    HoldingWeChatAPI,
    Message,
    Platform,
    Telegram,
    WeChat,
    normal,
    owner,
    workdir,
)
from tests.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

FORM = [*SUGGESTION_FROM_MENU, "确认"]
CITIZENS = {"telegram": 61, "wechat": 30}  # × 11 messages: 1,001
COPIES = 3
STAGGER_S = 0.12  # citizen k starts k × this after the first: some file early, some late
ACCEPTS = 5  # items staff accept during the run (each a notice for the relays)
HOLD = "已受理"  # the platform is slow to accept these notices: a relay is killed mid-send
RUN_LIMIT_S = 150.0
SETTLE_S = 20.0
RECEIPT = "编号"
REFERENCES = {"telegram": "790000001", "wechat": "oReference"}  # one citizen each, alone, first
Expected = dict[str, list[str]]  # per channel, the reply to each step of FORM


def require_redis_server() -> None:
    """Skip without a ``redis-server`` binary (fail under CI=true)."""
    if shutil.which("redis-server"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("redis-server is not installed (CI=true: a missing service is a failure)")
    pytest.skip("redis-server is not installed")


def chats(channel: str) -> list[str]:
    """The platform ids of the storm's citizens on ``channel``."""
    if channel == "telegram":
        return [str(800_000_000 + k) for k in range(CITIZENS[channel])]
    return [f"oRedelivery{k:017d}" for k in range(CITIZENS[channel])]


@dataclass
class Storm:
    """One run: the platforms, what the citizens sent, staff's acceptances, the kills."""

    cluster: Cluster
    platforms: dict[str, Platform]
    hold: Hold
    sent: list[Message] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    downtime: dict[str, float] = field(default_factory=dict)
    cut: int = 0  # deliveries in flight to the server when it was killed
    mid_send: bool = False  # the relay was killed while the platform held one of its notices
    walking: bool = True
    accepting: bool = True

    @property
    def progress(self) -> float:
        """The share of all messages accepted at least once."""
        return sum(m.accepted_at is not None for m in self.sent) / (sum(CITIZENS.values()) * len(FORM))

    async def citizens(self, expected: Expected) -> None:
        async def one(k: int, platform: Platform, chat: str) -> None:
            await asyncio.sleep(k * STAGGER_S)
            await platform.walk(chat, FORM, COPIES, self.sent, expected[platform.name])

        walkers = [(p, c) for ch, p in self.platforms.items() for c in chats(ch)]
        random.Random(7).shuffle(walkers)  # the channels interleaved
        try:
            await asyncio.gather(*(one(k, p, c) for k, (p, c) in enumerate(walkers)))
        finally:
            self.walking = False

    async def chaos(self) -> None:
        """``kill -9`` a server a third of the way in, then a relay while it sends a notice."""
        await until(lambda: self.progress >= 0.3)
        server, url = self.cluster.servers[0], self.cluster.urls[0]
        busy = lambda: sum(p.busy[url] for p in self.platforms.values())  # noqa: E731
        # a step takes a millisecond or two now: wait for a moment with deliveries in flight
        await until(lambda: busy() > 0 or not self.walking, every_s=0.001)
        self.cut = busy()  # no await between this count and the kill
        self.downtime[server.name] = await self.cluster.kill_and_restart(server)
        await until(lambda: bool(self.hold.ports) or not self.accepting)
        relays = {r.proc.pid: r for r in self.cluster.relays if r.proc is not None}
        pid = owner(self.hold.ports[0], list(relays)) if self.hold.ports else None
        self.mid_send = pid is not None
        relay = relays[pid] if pid is not None else self.cluster.relays[0]
        self.downtime[relay.name] = await self.cluster.kill_and_restart(relay)

    async def staff(self, staff: Staff) -> None:
        """Accept filed items as their receipts appear, up to ``ACCEPTS``, once the killed
        server is back (so that the relays are sending notices when one is killed)."""
        await until(lambda: bool(self.downtime) or not self.walking)
        try:
            while len(self.accepted) < ACCEPTS and (self.walking or self._filed()):
                ticket = next(iter(self._filed()), None)
                if ticket is None:
                    await asyncio.sleep(0.2)
                    continue
                self.accepted.append(ticket)
                await staff.act("accept", ticket)
            await asyncio.sleep(self.hold.hold_s)  # the last notice is on its way
        finally:
            self.accepting = False

    def _filed(self) -> list[str]:
        seen = [p for platform in self.platforms.values() for p in platform.seen_all()]
        found = (TICKET.search(p.text) for p in seen if RECEIPT in p.text)
        return [m.group(0) for m in found if m and m.group(0) not in self.accepted]


async def until(condition: Callable[[], bool], every_s: float = 0.05) -> None:
    while not condition():
        await asyncio.sleep(every_s)


async def reference(platform: Platform, chat: str) -> list[str]:
    """The reply to each step for one citizen alone, with single deliveries: what every citizen
    of the storm must see at least once (each step's different from the others')."""
    mine: list[Message] = []
    await platform.walk(chat, FORM, 1, mine)
    seen = platform.seen(chat)
    replies = []
    for m in mine:
        assert m.answered_at is not None, f"{chat}: step {m.step} {m.text!r} not answered"
        got = [p.text for p in seen if m.sent_at <= p.at <= m.answered_at]
        assert len(got) == 1, f"{chat}: step {m.step} {m.text!r} → {got}"
        replies.append(normal(got[0]))
    assert RECEIPT in replies[-1] and "<ticket>" in replies[-1], replies[-1]
    assert len(set(replies)) == len(replies), f"steps with the same reply: {replies}"
    return replies


def answered(message: Message, expected: str, seen: list[Pushed]) -> bool:
    """Whether the reply to ``message`` reached its chat after it was first sent (a notice
    that rode along may share a message with it)."""
    return any(p.at >= message.sent_at and expected in normal(p.text) for p in seen)


def notice_duplicates(seen: list[Pushed], notices: list[str]) -> int:
    """How many extra times a notice reached the chat (a message containing it counts once)."""
    return sum(max(0, sum(1 for p in seen if n in p.text) - 1) for n in set(notices))


@dataclass
class Rows:
    """What the database holds after the run."""

    items: dict[str, int]  # per citizen (external id)
    notices: dict[str, list[str]]  # per citizen, the notices meant to be pushed (not receipts)
    statuses: Counter[str]  # outbox rows by status
    unknown: int  # leases that expired while sending


async def rows(url: str) -> Rows:
    conn = await asyncpg.connect(url)
    try:
        items = await conn.fetch(
            "SELECT c.external_id, count(i.id) AS n FROM item i JOIN citizen c ON c.id = i.citizen_id"
            " GROUP BY c.external_id"
        )
        outbox = await conn.fetch(
            "SELECT c.external_id, o.text, o.status, o.kind, o.sent_via"
            " FROM outbox o JOIN citizen c ON c.id = o.citizen_id"
        )
        unknown = await conn.fetchval("SELECT coalesce(sum(unknown_outcomes), 0) FROM outbox")
    finally:
        await conn.close()
    notices: dict[str, list[str]] = {}
    for row in outbox:  # the receipt is the reply to 确认, recorded as a notice sent with it
        if (row["kind"], row["sent_via"]) != ("received", "reply"):
            notices.setdefault(row["external_id"], []).append(row["text"])
    statuses = Counter(str(r["status"]) for r in outbox)
    return Rows({r["external_id"]: int(r["n"]) for r in items}, notices, statuses, int(unknown))


async def settled(url: str, within_s: float) -> Rows:
    """The rows once no notice is pending or being sent (or after ``within_s``)."""
    deadline = time.monotonic() + within_s
    while True:
        now = await rows(url)
        if not (now.statuses["pending"] or now.statuses["sending"]) or time.monotonic() > deadline:
            return now
        await asyncio.sleep(0.25)


async def test_three_deliveries_of_every_message_with_kill_9() -> None:
    require(PG_ADMIN_URL, "PostgreSQL")
    require_redis_server()
    hold = Hold(HOLD)
    fakes = Platforms(wechat=HoldingWeChatAPI(hold=hold), telegram=HoldingBotApi(hold=hold))
    await fakes.start()
    cluster = Cluster(workdir(), fakes)
    try:
        started = time.monotonic()
        await cluster.start()
        print(f"\nscaled shape started in {time.monotonic() - started:.1f} s")
        async with aiohttp.ClientSession() as session:
            await storm_and_check(cluster, session, fakes, hold)
    finally:
        await cluster.stop()
        await fakes.stop()
        shutil.rmtree(cluster.workdir, ignore_errors=True)


async def storm_and_check(
    cluster: Cluster, session: aiohttp.ClientSession, fakes: Platforms, hold: Hold
) -> None:
    passive = Recorder()  # WeChat's passive replies, of the references and of the storm

    def platforms(seed: int) -> dict[str, Platform]:
        rng, urls, wx = random.Random(seed), cluster.urls, fakes.wechat_sent
        return {
            "telegram": Telegram(session, urls, rng, asyncio.Semaphore(IN_FLIGHT), sent=fakes.telegram_sent),
            "wechat": WeChat(session, urls, rng, asyncio.Semaphore(IN_FLIGHT), sent=wx, passive=passive),
        }

    alone = platforms(1)
    refs = await asyncio.gather(*(reference(alone[channel], chat) for channel, chat in REFERENCES.items()))
    expected: Expected = dict(zip(REFERENCES, refs, strict=True))
    storm = Storm(cluster, platforms(42), hold)
    began, cpu = time.monotonic(), (time.process_time(), cluster.cpu_s())
    work = asyncio.gather(
        storm.citizens(expected), storm.chaos(), storm.staff(Staff(cluster.env, cluster.workdir))
    )
    try:
        await asyncio.wait_for(work, RUN_LIMIT_S)
    except TimeoutError:
        stuck = [m for m in storm.sent if m.accepted_at is None]
        pytest.fail(f"not done after {RUN_LIMIT_S:.0f} s: {len(stuck)} never accepted, e.g. {stuck[:5]}")
    wall = time.monotonic() - began
    cpu = (time.process_time() - cpu[0], cluster.cpu_s() - cpu[1])
    db = await settled(PG_URL, SETTLE_S)
    cluster.check_alive()
    report(storm, expected, db, wall, cpu)


def report(storm: Storm, expected: Expected, db: Rows, wall: float, cpu: tuple[float, float]) -> None:
    """Print the figures, then check them."""
    channel_of = {c: ch for ch in CITIZENS for c in [REFERENCES[ch], *chats(ch)]}
    seen = {c: storm.platforms[ch].seen(c) for c, ch in channel_of.items()}
    never = [m for m in storm.sent if m.accepted_at is None]
    unanswered = [
        m for m in storm.sent if not answered(m, expected[channel_of[m.chat]][m.step], seen[m.chat])
    ]
    no_receipt = [
        c for c in channel_of if not any(RECEIPT in p.text and TICKET.search(p.text) for p in seen[c])
    ]
    not_one = {c: n for c in channel_of if (n := db.items.get(c, 0)) != 1}
    dups = sum(notice_duplicates(seen[c], db.notices.get(c, [])) for c in channel_of)
    pushed = [[p for p in s if p.how != "passive"] for s in seen.values()]
    resent = sum(len(s) - len({p.text for p in s}) for s in pushed)
    waits = sorted(m.answered_at - m.sent_at for m in storm.sent if m.answered_at is not None)
    print(
        f"\nredelivery under kill -9 (scaled shape): {len(storm.sent)} messages from"
        f" {' + '.join(f'{n} {ch}' for ch, n in CITIZENS.items())} citizens, each delivered {COPIES}×"
    )
    for name, p in storm.platforms.items():
        print(
            f"  {name}: deliveries {p.deliveries}, redeliveries after a failure {p.redeliveries}"
            f" {dict(p.failures.most_common())}"
            + (f"; answered success (reply later) {p.later}" if isinstance(p, WeChat) else "")
        )
    kills = ", ".join(f"{n} (back in {s:.1f} s)" for n, s in storm.downtime.items())
    print(
        f"  kills: {kills}; deliveries cut by the server's kill {storm.cut};"
        f" relay killed mid-send {storm.mid_send}\n"
        f"  lost: messages never accepted {len(never)}, citizens without a receipt {len(no_receipt)}\n"
        f"  items {sum(db.items.values())} for {len(db.items)} citizens (and the references);"
        f" filed twice {sum(n - 1 for n in db.items.values() if n > 1)}\n"
        f"  unanswered after redelivery {len(unanswered)}; the same text pushed twice to a chat {resent};"
        f" reply seen after p50 {waits[len(waits) // 2]:.2f} s, p99 {waits[len(waits) * 99 // 100]:.2f} s,"
        f" max {waits[-1]:.1f} s\n"
        f"  staff accepted {len(storm.accepted)}; notices {dict(db.statuses)};"
        f" notice duplicates {dups}, unknown outcomes {db.unknown}\n"
        f"  wall time {wall:.1f} s (load average {os.getloadavg()[0]:.1f});"
        f" CPU: this test {cpu[0]:.1f} s, servers and relays {cpu[1]:.1f} s"
    )
    assert not never, never[:10]
    assert not unanswered, describe(unanswered[:3], seen)
    assert not no_receipt, f"no receipt for {no_receipt}"
    assert not not_one, f"citizens without exactly one item: {not_one}"
    assert db.statuses.keys() <= {"sent"}, f"notices not all sent: {dict(db.statuses)}"
    assert dups <= db.unknown, f"{dups} notice duplicates, only {db.unknown} unknown outcomes"
    assert len(storm.downtime) == 2 and storm.cut > 0 and storm.mid_send, "a kill missed the work it is for"


def describe(messages: list[Message], seen: dict[str, list[Pushed]]) -> str:
    """Which message went unanswered, and what its citizen saw."""
    lines = []
    for m in messages:
        lines.append(f"{m.chat}: step {m.step} {m.text!r} sent at {m.sent_at:.2f} was never answered; saw:")
        lines += [f"  {p.at:.2f} [{p.how}] {p.text!r}" for p in seen[m.chat]]
    return "\n".join(lines)
