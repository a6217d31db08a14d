"""The embedded default's state: read from the database once, written through every time."""

from __future__ import annotations

import pytest

from storage.state import CachedStateStore, MemoryStateStore


class Counting(MemoryStateStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.down = False

    async def get(self, key: str) -> bytes | None:
        self.reads += 1
        return await super().get(key)

    async def set(self, key: str, data: bytes) -> None:
        if self.down:
            raise ConnectionError("database away")
        await super().set(key, data)


async def test_read_once_then_from_memory_and_every_save_written_through() -> None:
    inner = Counting()
    await inner.set("web:a", b"1")
    cached = CachedStateStore(inner)
    assert [await cached.get("web:a") for _ in range(3)] == [b"1"] * 3 and inner.reads == 1
    await cached.set("web:a", b"2")
    assert await inner.get("web:a") == b"2"  # a restart finds it
    await cached.delete("web:a")
    assert await cached.get("web:a") is None and await inner.get("web:a") is None


async def test_a_failed_save_leaves_no_state_the_database_does_not_hold() -> None:
    inner = Counting()
    cached = CachedStateStore(inner)
    await cached.set("web:a", b"1")
    inner.down = True
    with pytest.raises(ConnectionError):
        await cached.set("web:a", b"2")
    inner.down = False
    assert await cached.get("web:a") == b"1"


async def test_memory_stays_bounded() -> None:
    cached = CachedStateStore(Counting(), max_keys=10)
    for i in range(50):
        await cached.set(f"web:{i}", b"x")
    assert len(cached._cache) == 10
