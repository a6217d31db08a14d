"""Typed keys for what the aiohttp app holds."""

from __future__ import annotations

from aiohttp import web

from bot.pipeline import Pipeline

PIPELINE = web.AppKey("pipeline", Pipeline)
