"""The hot path's own Redis connection: pipelined calls answered in order, scripts by digest,
error replies raised, a lost or silent connection failing what waits, and connecting again."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from storage.resp import Multiplexed, ReplyError, Script
from tests.services import REDIS_URL

pytestmark = pytest.mark.redis


@pytest.fixture
async def conn(redis: object) -> Multiplexed:
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    made = Multiplexed(REDIS_URL, timeout_s=1.0)
    yield made  # type: ignore[misc]
    await made.aclose()


async def test_many_calls_at_once_are_answered_each_its_own(conn: Multiplexed) -> None:
    await asyncio.gather(*(conn.call("SET", f"k{i}", i) for i in range(200)))
    got = await asyncio.gather(*(conn.call("GET", f"k{i}") for i in range(200)))
    assert got == [str(i).encode() for i in range(200)]
    client = Redis.from_url(REDIS_URL)  # the database of the URL was selected
    assert await client.get("k7") == b"7"
    await client.aclose()


async def test_a_script_runs_by_digest_and_is_loaded_when_unknown(conn: Multiplexed) -> None:
    script = Script("return {1, redis.call('get', KEYS[1]), ARGV[1]}")
    await conn.call("SCRIPT", "FLUSH")
    await conn.call("SET", "a", b"x")
    assert await conn.evalsha(script, ["a"], ["y"]) == [1, b"x", b"y"]  # NOSCRIPT: EVAL loaded it
    assert await conn.evalsha(script, ["b"], ["z"]) == [1, None, b"z"]


async def test_an_error_reply_is_raised_and_the_connection_goes_on(conn: Multiplexed) -> None:
    await conn.call("SET", "s", "text")
    with pytest.raises(ReplyError, match="WRONGTYPE"):
        await conn.call("LPUSH", "s", "x")
    assert await conn.call("GET", "s") == b"text"


async def test_a_lost_connection_fails_what_waits_and_the_next_call_connects_again(
    conn: Multiplexed,
) -> None:
    await conn.call("PING")
    killer = Redis.from_url(REDIS_URL)
    name = "hot-path-victim"
    await conn.call("CLIENT", "SETNAME", name)
    clients = await killer.client_list()
    victim = next(c for c in clients if c["name"] == name)
    waiting = asyncio.ensure_future(conn.call("BLPOP", "never", 5))
    await asyncio.sleep(0.05)
    await killer.client_kill_filter(_id=victim["id"])
    with pytest.raises(ConnectionError):
        await waiting
    assert await conn.call("PING") == b"PONG"
    await killer.aclose()


async def test_a_silent_server_fails_the_call_after_the_timeout() -> None:
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await done.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = Multiplexed(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    started = asyncio.get_running_loop().time()
    with pytest.raises(ConnectionError, match="did not answer"):
        await conn.call("PING")
    assert asyncio.get_running_loop().time() - started < 1.0
    await conn.aclose()
    done.set()
    server.close()
    await server.wait_closed()


async def test_nothing_listening_is_a_connection_error() -> None:
    conn = Multiplexed("redis://127.0.0.1:9/0", connect_timeout_s=0.5)
    with pytest.raises(OSError):
        await conn.call("PING")
    await conn.aclose()
