"""Per-citizen locks: one citizen's messages are handled one at a time (memory or Redis)."""

from storage.locks.base import UserLocks
from storage.locks.memory import MemoryUserLocks
from storage.locks.redis import RedisUserLocks

__all__ = ["MemoryUserLocks", "RedisUserLocks", "UserLocks"]
