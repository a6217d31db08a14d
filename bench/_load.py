"""What the HTTP benches share (``bench/wechat.py``, ``bench/telegram.py``); not a bench itself.

- The form every server runs: minyi's 9-question suggestion form, and the same 9 questions as
  the peers ask them (``question``, ``summary``, ``form_step``), with the messages each citizen
  sends (``CYCLE``: the 9 answers, then "返回" 9 times back to the first question — every message
  a plain form step: the answer or the step is stored, the next question is the reply, nothing
  is filed) and the question each message must be answered with (``expected``).
- The load generator: raw HTTP/1.1 over keep-alive connections, requests built before the clock
  starts; a closed loop (every connection busy) and an open loop (a fixed arrival rate, latency
  counted from the scheduled arrival).
- Processes: each server pinned to one CPU with ``taskset``, the CPU time it used.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import orjson

from dialogs import Context, Conversation, Inbound, Reply, UserRef, similar, step
from dialogs.effects import FindSimilar, Outputs
from dialogs.forms import FORMS, SUGGESTION_CATEGORIES
from dialogs.types import Followups

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- the form
CATEGORIES = SUGGESTION_CATEGORIES  # the form the peers reproduce is minyi's own
FIELDS = (
    ("category", "类别", "您的建议属于哪一类？请回复序号："),
    ("title", "标题", "请用一句话概括您的建议（不超过40字）。"),
    ("problem", "问题", "您发现了什么问题？请具体说说。"),
    ("cause", "症结", "您认为问题的症结在哪里？（可回复“跳过”）"),
    ("measure", "对策", "您建议怎么解决？"),
    ("place", "地点", "问题发生在哪里？可以发送位置，或回复“跳过”。"),
    ("name", "姓名", "请问怎么称呼您？不愿留名请回复“匿名”。"),
    ("phone", "电话", "请留下您的手机号码，方便我们反馈办理情况。"),
    ("contact_ok", "可否联系", "办理过程中，工作人员可以联系您沟通吗？请回复“可以”或“不可以”。"),
)
N = len(FIELDS)
START, BACK = "1", "返回"  # "1" opens the suggestion form (minyi's menu number); "返回" goes back
# nine answers a peer takes as they come; minyi (issue 12) takes the first as the citizen's account,
# proposes the category and title from it and asks only what it left open (``minyi_plan``)
ANSWERS = (
    "幸福路公交站没有遮雨棚，下雨天等车很不方便",
    "建议年内加装遮雨棚并设置防滑地面",
    "李四",
    "13912345678",
    "可以",
    "修改 4",
    "站台改造时没有同步规划遮雨设施",
    "修改 6",
    "幸福路公交站",
)
CYCLE = (*ANSWERS, *([BACK] * N))  # 18 plain form steps, then again
SUMMARY = "请核对您的建议："
_QUESTION = re.compile(r"（(\d+)/(\d+)）")


def question(step: int) -> str:
    """The peers' text for question ``step`` (0-based), as minyi words it."""
    text = f"（{step + 1}/{N}）{FIELDS[step][2]}"
    if step == 0:
        text += "\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(CATEGORIES, 1))
    return text


def summary(answers: dict[str, str]) -> str:
    lines = [
        SUMMARY,
        *(f"{i}. {label}：{answers.get(key, '')}" for i, (key, label, _) in enumerate(FIELDS, 1)),
    ]
    lines.append("内容无误请回复“确认”提交；需要修改请回复“修改 序号”（如：修改 2）；回复“取消”放弃。")
    return "\n".join(lines)


def form_step(session: dict[str, object], text: str) -> str:
    """One message to a peer whose whole form state is the dict ``session`` (WeRoBot's session):
    "1" opens the form, "返回" goes back one question, anything else is the answer."""
    step = session.get("step")
    if not isinstance(step, int):
        if text != START:
            return "回复 1 提建议"
        session["step"], session["answers"] = 0, {}
        return question(0)
    answers = session.setdefault("answers", {})
    assert isinstance(answers, dict)
    if text == BACK:
        step = max(0, step - 1)
    elif step < N:
        answers[FIELDS[step][0]] = text
        step += 1
    session["step"] = step
    return question(step) if step < N else summary(answers)


def expected(position: int) -> int:
    """The question number (1-based; 0 for the summary) that answers message ``CYCLE[position]``
    of a citizen who was at question 1 before their first message."""
    p = position % len(CYCLE)
    if p < N:
        return p + 2 if p < N - 1 else 0
    return 2 * N - p  # back from the summary to 9, …, to 1


def asked(text: str) -> int | None:
    """The question number a reply asks (0: the summary; None: neither, e.g. an error page)."""
    if m := _QUESTION.search(text):
        return int(m.group(1)) if int(m.group(2)) == N else None
    return 0 if SUMMARY in text else None


_PROMPTS = sorted(
    {(f.prompt, f.key) for form in FORMS.values() for f in form.fields}, key=lambda p: -len(p[0])
)


def minyi_asked(text: str) -> str | None:
    """What a minyi reply asks: a field's key, "summary", or None (e.g. an error page)."""
    if SUMMARY in text:
        return "summary"
    return next((key for prompt, key in _PROMPTS if prompt[:12] in text), None)  # 12: tells them apart


def minyi_plan(n: int) -> list[str | None]:
    """What minyi asks after the opening "1" and after each of the first ``n`` messages of the
    cycle: its own form, run in the pure engine (the server must answer the same)."""
    conv, user, now = Conversation(), UserRef("bench", "plan"), datetime.now(UTC)
    plan: list[str | None] = []
    for k, text in enumerate([START, *(CYCLE[i % len(CYCLE)] for i in range(n))]):
        done = step(conv, Inbound(user, f"m{k}", now, text=text), Context(now=now, followups=Followups()))
        conv = done.conversation
        outputs = list(done.outputs)
        for effect in done.outputs:
            if isinstance(effect, FindSimilar):  # the bench's database holds nothing published
                more = Outputs()
                similar.offer(conv, effect, (), more)
                outputs.extend(more.items)
        replies = [o for o in outputs if isinstance(o, Reply)]
        plan.append(minyi_asked(replies[-1].text) if replies else None)
    return plan


# ---------------------------------------------------------------- the load generator
class BadAnswer(RuntimeError):
    """The server answered something a working bot does not (an error page, a 403, a 5xx)."""


class Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; requests are raw bytes built beforehand. A bare
    protocol (no streams): the generator's cost per request stays small next to a server's."""

    def __init__(self) -> None:
        self.transport: Any = None  # asyncio's or uvloop's transport
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.lost: BaseException | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the server closed the connection")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(self.lost)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        length = 0
        for line in bytes(self.buffer[:end]).split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if len(self.buffer) < end + 4 + length:
            return
        status, body = int(self.buffer[9:12]), bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    async def roundtrip(self, raw: bytes) -> tuple[int, bytes]:
        if self.lost is not None:
            raise self.lost
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def connect(ports: Sequence[int], n: int) -> list[Conn]:
    """``n`` connections, spread over ``ports`` in turn."""
    loop = asyncio.get_running_loop()
    conns = []
    for i in range(n):
        transport, conn = await loop.create_connection(Conn, "127.0.0.1", ports[i % len(ports)])
        conn.transport = transport  # uvloop may call connection_made only later
        conns.append(conn)
    return conns


@dataclass
class Job:
    """Each citizen's requests, in order. A citizen's next request goes out only once their
    previous one was answered (as a person types, and as Telegram delivers a chat's updates), so
    the question each answer must ask is known; every ``sample``-th answer is checked after the
    clock stopped (``verify``)."""

    plans: list[list[bytes]]  # per citizen
    check: Callable[[int, int, int, bytes], None]  # (citizen, k, status, body) → raises BadAnswer
    sample: int = 8
    answered: int = 0
    samples: list[tuple[int, int, int, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sent = [0] * len(self.plans)  # per citizen: requests sent
        self.answers = [0] * len(self.plans)  # per citizen: answers received
        self.free = collections.deque(range(len(self.plans)))
        self.total = sum(len(p) for p in self.plans)

    def take(self) -> tuple[int, int, bytes] | None:
        """The next request of the citizen who has waited longest for nothing (None: none left)."""
        while self.free:
            c = self.free.popleft()
            k = self.sent[c]
            if k < len(self.plans[c]):
                self.sent[c] = k + 1
                return c, k, self.plans[c][k]
        return None

    def done(self, c: int, k: int, status: int, body: bytes) -> None:
        self.answered += 1
        self.answers[c] += 1
        if status != 200:
            raise BadAnswer(f"citizen {c}, message {k}: HTTP {status} {body[:160]!r}")
        if (k * len(self.plans) + c) % self.sample == 0:
            self.samples.append((c, k, status, body))
        self.free.append(c)

    def last(self, c: int) -> int | None:
        """Which of citizen ``c``'s requests was the last, all of them answered (None: none was,
        or one was given up in flight)."""
        k = self.sent[c]
        return k - 1 if k and self.answers[c] == k else None

    def verify(self) -> int:
        """Checks the sampled answers; how many were checked."""
        for c, k, status, body in self.samples:
            self.check(c, k, status, body)
        return len(self.samples)


async def closed_loop(conns: list[Conn], job: Job, budget_s: float = 1e9) -> float:
    """Requests per second with every connection busy all the time (stops after ``budget_s``)."""
    started = time.perf_counter()
    done = 0

    async def worker(conn: Conn) -> None:
        nonlocal done
        while (item := job.take()) is not None:
            c, k, raw = item
            status, body = await conn.roundtrip(raw)
            job.done(c, k, status, body)
            done += 1
            if time.perf_counter() - started > budget_s:
                return

    await asyncio.gather(*(worker(c) for c in conns))
    return done / (time.perf_counter() - started)


async def open_loop(
    conns: list[Conn], job: Job, rate: float, grace_s: float = 3.0
) -> tuple[list[float], float]:
    """Latencies (ms, from the scheduled arrival: waiting in the client counts) of ``job.total``
    arrivals at a fixed rate, and the rate answered (until the last answer). ``grace_s`` after
    the last arrival what is still queued or in flight is given up and counted at its age so far
    (a lower bound)."""
    free: asyncio.Queue[Conn] = asyncio.Queue()
    for c in conns:
        free.put_nowait(c)
    latencies: list[float] = []
    started = last = time.perf_counter()
    done = 0

    async def one(due: float) -> None:
        nonlocal done, last
        conn = await free.get()
        item = job.take()
        if item is None:  # every citizen is still waiting for an answer: none can send
            free.put_nowait(conn)
            raise BadAnswer("no citizen free to send: raise the number of citizens")
        c, k, raw = item
        try:
            status, body = await conn.roundtrip(raw)
        except asyncio.CancelledError:  # given up: this connection's answer is never read
            conn.close()
            raise
        free.put_nowait(conn)
        last = time.perf_counter()
        latencies.append((last - due) * 1000)
        job.done(c, k, status, body)
        done += 1

    tasks, dues = [], []
    for i in range(job.total):
        due = started + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(due)))
        dues.append(due)
    _, pending = await asyncio.wait(tasks, timeout=grace_s)
    now = time.perf_counter()
    for task, due in zip(tasks, dues, strict=True):
        if task in pending:
            task.cancel()
            latencies.append((now - due) * 1000)
    await asyncio.gather(*pending, return_exceptions=True)
    for task in tasks:
        if task.done() and not task.cancelled() and (exc := task.exception()) is not None:
            raise exc
    # answered per second: until the last answer, or the end of the arrivals if that was later
    return latencies, done / (max(last, dues[-1] if dues else last) - started)


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


# ---------------------------------------------------------------- processes and CPUs
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable(url: str) -> bool:
    """Something listens at ``url``'s host and port (Redis, PostgreSQL)."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def cpus() -> tuple[int | None, int]:
    """(the CPU the generator keeps, the CPU a server gets) of those this process may use; the
    generator's is None when there is only one (then everything shares it)."""
    mine = sorted(os.sched_getaffinity(0))
    return (mine[0], mine[-1]) if len(mine) > 1 else (None, mine[0])


def pin_self(cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def pinned(argv: list[str], cpu: int | None) -> list[str]:
    """``argv`` under ``taskset -c CPU`` (as is when ``cpu`` is None or there is no taskset: the
    CPUs printed for each server are read back from the process, so that shows)."""
    if cpu is None or shutil.which("taskset") is None:
        return argv
    return ["taskset", "-c", str(cpu), *argv]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def affinity(pid: int) -> str:
    allowed = sorted(os.sched_getaffinity(pid))
    return ",".join(map(str, allowed))


@dataclass
class Server:
    """One server process (or several for one shape), started by a bench."""

    name: str
    ports: list[int]
    procs: list[subprocess.Popen[bytes]]

    @property
    def port(self) -> int:
        return self.ports[0]

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def where(self) -> str:
        return " + ".join(f"CPU {affinity(p.pid)}" for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def telegram_update(uid: int, n: int, text: str, host: str, secret_header: str, secret: str) -> bytes:
    """A raw ``POST /telegram`` carrying a private text message from ``uid`` (update and message id ``n``)."""
    body = orjson.dumps(
        {
            "update_id": n,
            "message": {
                "message_id": n,
                "date": int(time.time()),
                "chat": {"id": uid, "type": "private", "first_name": "U"},
                "from": {"id": uid, "is_bot": False, "first_name": "U"},
                "text": text,
            },
        }
    )
    head = (
        f"POST /telegram HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"{secret_header}: {secret}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bench_args(description: str, *more: tuple[str, str]) -> argparse.Namespace:
    """``--quick``, ``--rounds`` (and the flags ``more``), with the rate and durations from the
    environment: BENCH_RATE, BENCH_SECONDS, BENCH_CLOSED_SECONDS."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="one short round (while developing)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 3; --quick 1)")
    for flag, text in more:
        parser.add_argument(flag, action="store_true", help=text)
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.rate = float(os.environ.get("BENCH_RATE", "1000"))
    args.seconds = float(os.environ.get("BENCH_SECONDS", "2" if args.quick else "6"))
    args.closed_seconds = float(os.environ.get("BENCH_CLOSED_SECONDS", "1.5" if args.quick else "4"))
    return args


async def wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 40.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout_s:.0f} s")


# ---------------------------------------------------------------- results
@dataclass
class Round:
    """One round of one server: closed loop, then a fixed rate."""

    rate: float  # requests/s, closed loop
    cpu_closed: float  # CPUs the server used meanwhile
    p50: float
    p99: float
    served: float  # requests/s answered at the fixed rate
    cpu_open: float
    checked: int = 0  # answers checked to be the right question
    generator: float = 0.0  # CPUs the generator used in the closed loop (near 1.0: it is the limit)
    machine: float = 0.0  # CPUs busy on the whole machine meanwhile (servers, generator, Redis, …)


def median_round(rounds: list[Round]) -> Round:
    return Round(
        *(
            statistics.median(getattr(r, name) for r in rounds)
            for name in ("rate", "cpu_closed", "p50", "p99", "served", "cpu_open")
        ),
        checked=sum(r.checked for r in rounds),
        generator=max(r.generator for r in rounds),
        machine=statistics.median(r.machine for r in rounds),
    )


LEGEND = (
    "CPUs: used by the server (closed loop | fixed rate); µs/msg: its CPU time per message (steadier"
    " than msgs/s on a shared machine); gen: by the generator (near 1: it is the"
    " limit); machine: busy on the whole machine — far above server + gen + Redis/PostgreSQL means"
    " other work shared the machine: measure again"
)


def row(label: str, r: Round, unit: str) -> str:
    bound = " generator-bound!" if r.generator >= 0.9 else ""
    return (
        f"  {label:<42} {r.rate:6.0f} {unit}/s  CPUs {r.cpu_closed:4.2f}"
        f" = {r.cpu_closed / r.rate * 1e6 if r.rate else 0:5.0f} µs/msg"
        f" (gen {r.generator:4.2f}{bound}, machine {r.machine:4.2f})"
        f" | served {r.served:5.0f}/s  p50 {r.p50:8.2f} ms  p99 {r.p99:8.2f} ms  CPUs {r.cpu_open:4.2f}"
    )


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (every CPU, from ``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPUs used over a stretch of time: by some servers, by this process, by the machine."""

    def __init__(self, *servers: Server) -> None:
        self.servers = servers
        self.t0, self.cpu0 = time.perf_counter(), [s.cpu() for s in servers]
        self.own0, self.machine0 = own_cpu(), machine_busy()

    def read(self) -> tuple[list[float], float, float]:
        """(CPUs of each server, of this process, of the whole machine)."""
        wall = time.perf_counter() - self.t0
        servers = [(s.cpu() - c0) / wall for s, c0 in zip(self.servers, self.cpu0, strict=True)]
        return servers, (own_cpu() - self.own0) / wall, (machine_busy() - self.machine0) / wall


def service_cpu(comm: str) -> float:
    """CPU seconds of every process named ``comm`` (e.g. ``postgres``, ``redis-server``), whoever
    it works for: the machine's shared services are not pinned by the benches."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == comm:
                    total += cpu_seconds(int(proc.name))
            except OSError:  # gone meanwhile
                continue
    return total


def own_cpu() -> float:
    """CPU seconds this process (the generator) has used."""
    t = os.times()
    return t.user + t.system


def run(main: Coroutine[Any, Any, None]) -> None:
    """The generator's event loop: uvloop when installed (the ``bench`` extra), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


def ratio(name: str, top: float, bottom: float, target: float, unit: str) -> str:
    verdict = "met" if top / bottom >= target else "NOT met"
    return f"  {name}: {top:.0f} / {bottom:.0f} {unit}/s = {top / bottom:.2f} (target >= {target}: {verdict})"
