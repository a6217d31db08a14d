"""In-process state: for tests, benchmarks and throw-away runs (lost on restart)."""

from __future__ import annotations

from storage.state.base import StateStore


class MemoryStateStore(StateStore):
    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    async def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    async def set(self, key: str, data: bytes) -> None:
        self._data[key] = data

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)
