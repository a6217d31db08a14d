"""Writes that may lag: the last value per key, written together, kept for the next flush when
a write fails, and written at shutdown."""

from __future__ import annotations

import asyncio

import pytest

from storage.batch import Batcher


class Store:
    def __init__(self) -> None:
        self.writes: list[dict[str, int]] = []
        self.down = False

    async def write(self, batch: dict[str, int]) -> None:
        if self.down:
            raise ConnectionError("database away")
        self.writes.append(dict(batch))


async def test_notes_of_a_moment_are_one_write_with_the_last_value_per_key() -> None:
    store = Store()
    batch: Batcher[str, int] = Batcher(store.write, 0.05, "test")
    for i in range(100):
        batch.note(f"k{i % 10}", i)
    assert store.writes == []  # not yet: it may lag
    await asyncio.sleep(0.15)
    assert store.writes == [{f"k{i}": 90 + i for i in range(10)}]


async def test_a_reader_flushes_its_own_key_first() -> None:
    store = Store()
    batch: Batcher[str, int] = Batcher(store.write, 60, "test")
    batch.note("a", 1)
    await batch.flush_key("b")  # nothing pending for b: no write
    assert store.writes == []
    await batch.flush_key("a")
    assert store.writes == [{"a": 1}] and not batch.pending("a")
    await batch.aclose()


async def test_a_failed_write_is_kept_and_newer_notes_win() -> None:
    store = Store()
    batch: Batcher[str, int] = Batcher(store.write, 60, "test")
    batch.note("a", 1)
    batch.note("b", 1)
    store.down = True
    with pytest.raises(ConnectionError):
        await batch.flush()
    batch.note("a", 2)
    store.down = False
    await batch.aclose()  # shutdown writes what is left
    assert store.writes == [{"a": 2, "b": 1}]
