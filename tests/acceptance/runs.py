"""Scenarios per channel. On the scaled shape the three channels of a scenario run at once (three
citizens, three staff drivers, concurrently; the first test asking runs them all) and each test
reports its own channel's outcome; on the embedded shape each test runs its own channel.

Concurrent staff commands on one SQLite file are the subject of ``test_staff_at_once``, not a
side effect of every scenario."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from tests.acceptance.case import Case
from tests.acceptance.citizens import Citizen, TelegramCitizen, WebCitizen, WeChatCitizen
from tests.acceptance.shapes import Shape

CHANNELS = ("web", "wechat", "telegram")
Scenario = Callable[[Case], Awaitable[None]]


@dataclass
class Outcome:
    """How one channel's run of a scenario ended (``error`` None: it passed)."""

    case: Case
    error: BaseException | None


def make_citizen(channel: str, shape: Shape, session: aiohttp.ClientSession) -> Citizen:
    """A new citizen (a fresh id) on ``channel``."""
    if channel == "web":
        return WebCitizen(session, shape.urls)
    if channel == "wechat":
        return WeChatCitizen(session, shape.urls, shape.platforms.wechat_sent)
    if channel == "telegram":
        return TelegramCitizen(session, shape.urls, shape.platforms.telegram_sent)
    raise ValueError(channel)


class Runs:
    """The scenarios run so far on one shape, by scenario, each for every channel."""

    def __init__(self, shape: Shape, session: aiohttp.ClientSession) -> None:
        self.shape = shape
        self.session = session
        self.current: Case | None = None  # the case of the test being reported (for diagnostics)
        self._runs: dict[str, asyncio.Task[dict[str, Outcome]]] = {}

    def case(self, channel: str) -> Case:
        """A new citizen on ``channel`` with a staff driver of their own."""
        citizen = make_citizen(channel, self.shape, self.session)
        return Case(citizen, self.shape.new_staff(), self.shape.check_alive)

    async def _one(self, scenario: Scenario, case: Case) -> Outcome:
        try:
            await scenario(case)
        except BaseException as exc:  # pytest.fail raises a BaseException; kept for the test
            if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            return Outcome(case, exc)
        return Outcome(case, None)

    async def _all(self, scenario: Scenario) -> dict[str, Outcome]:
        cases = {channel: self.case(channel) for channel in CHANNELS}
        done = await asyncio.gather(*(self._one(scenario, c) for c in cases.values()))
        return dict(zip(cases, done, strict=True))

    @property
    def concurrent(self) -> bool:
        return self.shape.name == "scaled"

    async def check(self, scenario: Scenario, channel: str) -> None:
        """Run ``scenario`` on ``channel`` (scaled: on every channel at once, the first time it is
        asked for) and raise what failed on ``channel``."""
        self.current = None
        if self.concurrent:
            key = f"{scenario.__module__}.{scenario.__qualname__}"
            if key not in self._runs:
                self._runs[key] = asyncio.ensure_future(self._all(scenario))
            outcome = (await self._runs[key])[channel]
        else:
            outcome = await self._one(scenario, self.case(channel))
        self.current = outcome.case
        if outcome.error is not None:
            raise outcome.error
