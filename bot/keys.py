"""Typed keys for what the aiohttp app holds."""

from __future__ import annotations

from aiohttp import web

from bot.pipeline import Pipeline
from storage.backends import Backends
from storage.config import Settings

SETTINGS = web.AppKey("settings", Settings)
BACKENDS = web.AppKey("backends", Backends)
PIPELINE = web.AppKey("pipeline", Pipeline)
