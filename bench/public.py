"""The public page under load: requests/s for `/gongshi/` (the front page, 优秀建议展示) against a
raw aiohttp handler serving a static file of the same size, in one run, fed by one generator.

Starts the shipped `minyi serve` (embedded default: SQLite) on a database seeded with published
suggestions, and a bare aiohttp app (`web.FileResponse`) on a copy of the page it served. Each
server is one process pinned to CPU 1 where the machine has two; the generator keeps CPU 0.
Closed loop, keep-alive connections, three rounds of a few seconds each, medians. Not a test.

    python bench/public.py [--seconds 5] [--items 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # no shadowing by bench/*.py
sys.path.insert(0, os.path.dirname(_HERE))

from bench._load import Job, closed_loop, connect, cpus, free_port, pin_self, pinned, wait_port
from tests.acceptance.processes import script

CONNECTIONS = 32
STATIC = """
import sys
from aiohttp import web
path, kind = sys.argv[2], sys.argv[3]
body = open(path, "rb").read()
async def from_file(request):
    return web.FileResponse(path, headers={"Content-Type": "text/html; charset=utf-8"})
async def from_memory(request):
    return web.Response(body=body, content_type="text/html", charset="utf-8")
app = web.Application()
app.router.add_get("/gongshi/", from_file if kind == "file" else from_memory)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""
IDEAS = [
    "建议在{}地铁站出口增设共享单车停放点",
    "{}的公交站没有遮雨棚，建议加装",
    "建议{}社区食堂周末也开放",
    "{}路口的红绿灯时间太短，建议延长",
]
PLACES = ["中山公园", "曹杨新村", "莘庄", "江苏路", "长寿路", "鲁迅公园", "人民广场", "虹桥"]


async def seed(url: str, items: int) -> None:
    """A database with ``items`` published suggestions, some adopted and showcased."""
    from tortoise import Tortoise

    from dialogs.types import UserRef
    from storage.db import migrate, tortoise_config
    from storage.workflow import actions, merging, service
    from storage.workflow.clocks import DEFAULT

    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        for n in range(items):
            idea = IDEAS[n % len(IDEAS)].format(PLACES[n % len(PLACES)])
            values = {"category": "交通出行", "title": idea[:20], "problem": idea, "measure": "请研究"}
            values |= {"name": "李四", "phone": "13912345678", "contact_ok": "可以"}
            user = UserRef("web", f"u{n}")
            ticket = (await service.submit(user, "suggestion", values, f"k{n}", clocks=DEFAULT)).ticket
            await merging.publish(ticket, actor="王芳", clocks=DEFAULT, title=idea[:30], summary=idea + "。")
            if n % 3 == 0:
                await actions.accept(ticket, actor="王芳", clocks=DEFAULT)
    finally:
        await Tortoise.close_connections()


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


async def throughput(port: int, seconds: float) -> float:
    """Requests/s for ``GET /gongshi/`` with every connection busy (every answer must be 200)."""
    conns = await connect([port], CONNECTIONS)
    per = 50_000  # more than a few seconds can answer (the list holds the same bytes object)
    job = Job([[get("/gongshi/")] * per for _ in conns], check=lambda *a: None, sample=10**9)
    try:
        return await closed_loop(conns, job, budget_s=seconds)
    finally:
        for c in conns:
            c.close()


async def fetch(port: int) -> bytes:
    conns = await connect([port], 1)
    try:
        status, body = await conns[0].roundtrip(get("/gongshi/"))
    finally:
        conns[0].close()
    assert status == 200, (status, body[:200])
    return body


def start(argv: list[str], env: dict[str, str], cwd: str, cpu: int | None) -> subprocess.Popen[bytes]:
    out = subprocess.DEVNULL
    return subprocess.Popen(pinned(argv, cpu), env=env, cwd=cwd, stdout=out, stderr=out)


async def main(args: argparse.Namespace) -> None:
    own_cpu, server_cpu = cpus()
    pin_self(own_cpu)
    server_cpu = server_cpu if own_cpu is not None else None
    work = tempfile.mkdtemp(prefix="minyi-public-")
    url = f"sqlite://{work}/minyi.db"
    started = time.perf_counter()
    await seed(url, args.items)
    print(f"public page: {args.items} published suggestions seeded in {time.perf_counter() - started:.1f} s")
    env = {**os.environ, "MINYI_DATABASE_URL": url}
    minyi_port = free_port()
    minyi = start([script("minyi"), "serve", "--port", str(minyi_port)], env, work, server_cpu)
    statics: dict[str, tuple[int, subprocess.Popen[bytes]]] = {}
    try:
        await wait_port(minyi_port, minyi)
        page = await fetch(minyi_port)
        path = Path(work) / "gongshi.html"
        path.write_bytes(page)
        statics = {}
        for kind in ("file", "memory"):
            port = free_port()
            statics[kind] = (
                port,
                start([sys.executable, "-c", STATIC, str(port), str(path), kind], env, work, server_cpu),
            )
            await wait_port(port, statics[kind][1])
            assert len(await fetch(port)) == len(page)
        ports = {"file": statics["file"][0], "memory": statics["memory"][0], "minyi": minyi_port}
        rounds: dict[str, list[float]] = {name: [] for name in ports}
        for _ in range(3):
            for name, port in ports.items():
                rounds[name].append(await throughput(port, args.seconds))
        rate = {name: median(values) for name, values in rounds.items()}
        print(f"  page size {len(page):,} bytes; {CONNECTIONS} connections, 3 rounds × {args.seconds:.0f} s")
        for label, name in (
            ("(a) raw aiohttp FileResponse, same bytes", "file"),
            ("(a') raw aiohttp, the same bytes from memory", "memory"),
            ("(c) minyi serve GET /gongshi/", "minyi"),
        ):
            print(f"  {label:<46}{rate[name]:>9,.0f} req/s  rounds {[round(r) for r in rounds[name]]}")
        c = rate["minyi"]
        print(
            f"  c/a = {c:,.0f} / {rate['file']:,.0f} = {c / rate['file']:.2f};"
            f" c/a' = {c:,.0f} / {rate['memory']:,.0f} = {c / rate['memory']:.2f}"
        )
    finally:
        for proc in (minyi, *(p for _, p in statics.values())):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=15)


if __name__ == "__main__":
    import faulthandler

    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_DUMP_AFTER", "1e9")), exit=True)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--items", type=int, default=300)
    asyncio.run(main(parser.parse_args()))
