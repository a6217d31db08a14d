"""A tiny driver: one citizen talking to the engine through ``dialogs.handle`` and a fake port."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dialogs import Context, Conversation, Inbound, Reply, UserRef, handle
from dialogs.types import Location, Media
from tests.answers import COMPLAINT, SUGGESTION  # noqa: F401 - re-exported for the tests
from tests.fakes import FakePort


class Chat:
    def __init__(self, user: str = "alice", port: FakePort | None = None) -> None:
        self.user = UserRef("test", user)
        self.port = port or FakePort()
        self.conv = Conversation()
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        self.n = 0

    async def send(self, text: str | None = None, **kw: object) -> list[str]:
        return [r.text for r in await self.send_full(text, **kw)]

    async def send_full(self, text: str | None = None, **kw: object) -> list[Reply]:
        self.n += 1
        self.now += timedelta(seconds=10)
        inbound = Inbound(self.user, f"m{self.n}", self.now, text=text, **kw)  # type: ignore[arg-type]
        context = Context(now=self.now, followups=self.port.pending)
        self.conv, replies = await handle(self.conv, inbound, context, self.port)
        return replies

    async def photo(self, ref: str = "media-1") -> list[str]:
        return await self.send(None, kind="image", media=Media("image", ref))

    async def location(self) -> list[str]:
        return await self.send(None, kind="location", location=Location(31.23, 121.47, "人民广场"))

    def last(self, replies: list[str]) -> str:
        return replies[-1]
