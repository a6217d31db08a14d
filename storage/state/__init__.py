"""Conversation-state stores: one small interface, memory / database / Redis versions."""

from storage.state.base import StateStore
from storage.state.cached import CachedStateStore
from storage.state.database import DatabaseStateStore
from storage.state.memory import MemoryStateStore
from storage.state.redis import RedisStateStore

__all__ = ["CachedStateStore", "DatabaseStateStore", "MemoryStateStore", "RedisStateStore", "StateStore"]
