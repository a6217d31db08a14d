"""The staff driver: ``minyi-admin`` run as staff run it, its ``--json`` parsed."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.processes import Result, run, script

STAFF = "张科长"
# Where ``--as`` goes: the target is before the sub-command (``minyi-admin --as 张科长 items accept …``);
# until the root-level option exists it goes after the action. The one place to change.
AS_BEFORE_SUBCOMMAND = True


@dataclass(frozen=True)
class Act:
    """One staff action as ``--json`` reported it, and when the command returned."""

    action: str
    ticket: str
    status: str
    version: int
    notice: str | None
    done_at: float  # time.monotonic()


@dataclass
class Staff:
    """Runs ``minyi-admin`` with the shape's environment; keeps a log of every command."""

    env: dict[str, str]
    cwd: Path
    log: list[str] = field(default_factory=list)

    def action_argv(self, action: str, ticket: str, *args: str) -> list[str]:
        """``minyi-admin [--as NAME] items ACTION TICKET ARGS… [--as NAME] --json``."""
        if AS_BEFORE_SUBCOMMAND:
            return [script("minyi-admin"), "--as", STAFF, "items", action, ticket, *args, "--json"]
        return [script("minyi-admin"), "items", action, ticket, *args, "--as", STAFF, "--json"]

    async def run(self, argv: list[str]) -> Result:
        started = time.monotonic()
        result = await run(argv, self.env, self.cwd)
        self.log.append(f"[{time.monotonic() - started:.2f} s] {result.describe()}")
        return result

    async def ok(self, *words: str) -> str:
        """``minyi-admin --as NAME WORDS…``, which must succeed; its stdout."""
        result = await self.run([script("minyi-admin"), "--as", STAFF, *words])
        if result.code != 0:
            pytest.fail(f"staff command failed\n{result.describe()}")
        return result.stdout

    async def act(self, action: str, ticket: str, *args: str) -> Act:
        """One action on an item, e.g. ``act("extend", t, "--days", "10", "--reason", "…")``."""
        result = await self.run(self.action_argv(action, ticket, *args))
        if result.code != 0:
            pytest.fail(f"staff action {action} on {ticket} failed\n{result.describe()}")
        doc = _json(result)
        for key in ("ticket", "status", "version", "notice"):
            assert key in doc, f"{key!r} missing from the --json output\n{result.describe()}"
        return Act(action, doc["ticket"], doc["status"], doc["version"], doc["notice"], time.monotonic())

    async def show(self, ticket: str) -> dict[str, Any]:
        """``items show TICKET --json``."""
        result = await self.run([script("minyi-admin"), "items", "show", ticket, "--json"])
        if result.code != 0:
            pytest.fail(f"items show {ticket} failed\n{result.describe()}")
        doc = _json(result)
        assert isinstance(doc, dict)
        return doc


def _json(result: Result) -> Any:
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"not JSON on stdout\n{result.describe()}")
