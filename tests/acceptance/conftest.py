"""Fixtures of the acceptance suite: the platform fakes and each shape once per session (one
event loop for the session, so the fakes keep answering the subprocesses between tests), and the
scenario runs per shape; a failed test shows the citizen's screen, that citizen's staff commands
and the processes' output."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from tests.acceptance.platforms import Platforms
from tests.acceptance.runs import CHANNELS, Runs
from tests.acceptance.shapes import SHAPES, Shape, running


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def platforms() -> AsyncIterator[Platforms]:
    """The fake WeChat API and fake Bot API on 127.0.0.1."""
    made = Platforms()
    await made.start()
    yield made
    await made.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session", params=SHAPES)
async def shape(request: pytest.FixtureRequest, platforms: Platforms) -> AsyncIterator[Shape]:
    """A running shape (embedded, scaled), shared by the tests of that shape."""
    async with running(request.param, platforms) as started:
        yield started


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The citizens' HTTP client."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as client:
        yield client


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def runs(shape: Shape, session: aiohttp.ClientSession) -> Runs:
    """The scenarios of one shape, each run once for all channels together."""
    return Runs(shape, session)


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _processes_alive(request: pytest.FixtureRequest) -> Generator[None]:
    """A process of the shape that died during a test fails that test, with its output."""
    yield
    shape = request.node.funcargs.get("shape")
    if isinstance(shape, Shape):
        shape.check_alive()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, Any]:
    """On failure: the citizen's screen, their staff commands, the processes' output."""
    report = yield
    if report.failed and call.when in ("setup", "call"):
        funcargs: dict[str, Any] = getattr(item, "funcargs", {})
        runs = funcargs.get("runs")
        if isinstance(runs, Runs) and runs.current is not None:
            report.sections.append(("citizen screen", runs.current.citizen.describe()))
            report.sections.append(("staff commands", "\n\n".join(runs.current.staff.log) or "(none)"))
        if isinstance(shape := funcargs.get("shape"), Shape):
            report.sections.append((f"{shape.name} processes", shape.output()))
    return report
