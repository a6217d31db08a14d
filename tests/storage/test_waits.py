"""What waits for a citizen, in memory: marked after a commit, settled only when unchanged, and
everyone looked up once more after another process wrote."""

from __future__ import annotations

from storage.waits import MemoryWaits


async def test_a_citizen_is_looked_up_until_settled_and_then_not() -> None:
    waits = MemoryWaits()
    seen = await waits.seen("web:a", fresh=False)
    assert seen is not None  # never looked at in this process: look once
    waits.settle("web:a", seen)
    assert await waits.seen("web:a", fresh=False) is None
    assert await waits.seen("web:a", fresh=True) is not None  # no state: look


async def test_a_mark_made_while_looking_survives_the_settle() -> None:
    waits = MemoryWaits()
    waits.settle("web:a", await waits.seen("web:a", fresh=False))
    await waits.mark(["web:a"])
    seen = await waits.seen("web:a", fresh=False)
    assert seen is not None
    await waits.mark(["web:a"])  # a notice committed while the step looked
    waits.settle("web:a", seen)
    again = await waits.seen("web:a", fresh=False)
    assert again is not None
    waits.settle("web:a", again)
    assert await waits.seen("web:a", fresh=False) is None


async def test_another_process_writing_makes_everyone_look_once() -> None:
    waits = MemoryWaits()
    wrote = [False]

    async def elsewhere() -> bool:
        return wrote[0]

    waits.elsewhere = elsewhere
    for key in ("web:a", "web:b"):
        waits.settle(key, await waits.seen(key, fresh=False))
    assert await waits.seen("web:a", fresh=False) is None
    wrote[0] = True  # minyi-admin committed
    assert await waits.seen("web:a", fresh=False) is not None
    wrote[0] = False
    assert await waits.seen("web:b", fresh=False) is not None  # b too, once
