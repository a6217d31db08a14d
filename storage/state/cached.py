"""A state store read from memory: the database's rows are read once per citizen per process, and
every save is written through (one statement), so a draft still survives a restart.

Only for a store that one process writes (the embedded default: ``minyi serve`` owns its
citizens' conversations; ``minyi chat`` and ``minyi telegram poll`` own channels of their own).
"""

from __future__ import annotations

from collections import OrderedDict

from storage.state.base import StateStore


class CachedStateStore(StateStore):
    def __init__(self, inner: StateStore, max_keys: int = 50_000) -> None:
        self.inner = inner
        self.max_keys = max_keys
        self._cache: OrderedDict[str, bytes | None] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        data = await self.inner.get(key)
        self._keep(key, data)
        return data

    async def set(self, key: str, data: bytes) -> None:
        self._cache.pop(key, None)  # a failed write must not leave a state the store does not hold
        await self.inner.set(key, data)
        self._keep(key, data)

    async def delete(self, key: str) -> None:
        self._cache.pop(key, None)
        await self.inner.delete(key)

    def _keep(self, key: str, data: bytes | None) -> None:
        self._cache[key] = data
        self._cache.move_to_end(key)
        while len(self._cache) > self.max_keys:
            self._cache.popitem(last=False)

    async def close(self) -> None:
        await self.inner.close()
