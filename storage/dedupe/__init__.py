"""Inbound deduplication: a platform message id is claimed once; its reply is kept for retries."""

from storage.dedupe.base import Deduper
from storage.dedupe.memory import MemoryDeduper
from storage.dedupe.redis import RedisDeduper

__all__ = ["Deduper", "MemoryDeduper", "RedisDeduper"]
