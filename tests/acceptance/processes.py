"""The shipped console scripts as subprocesses: start, wait until ready, show output, stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
TAIL = 6000


def script(name: str) -> str:
    """The venv's console script ``name`` (``minyi``, ``minyi-admin``)."""
    path = BIN / name
    assert path.exists(), f"{path} is missing: install the project into this venv (pip install -e .)"
    return str(path)


def clean_env(values: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any ``MINYI_*`` of its own, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINYI_")}
    env["PYTHONUNBUFFERED"] = "1"  # output reaches the log files as it is written
    env.update(values)
    return env


def tail(path: Path, limit: int = TAIL) -> str:
    """The last ``limit`` characters of a log file (or a note that it is empty)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no file)"
    return ("…" + text[-limit:] if len(text) > limit else text) or "(empty)"


@dataclass
class Process:
    """One long-running command (``minyi serve``, ``minyi notifier``) with its output in files."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    proc: asyncio.subprocess.Process | None = None
    stopped: bool = False
    started_at: float = field(default_factory=time.monotonic)

    @property
    def out_path(self) -> Path:
        return self.cwd / f"{self.name}.out"

    @property
    def err_path(self) -> Path:
        return self.cwd / f"{self.name}.err"

    async def start(self) -> None:
        with self.out_path.open("ab") as out, self.err_path.open("ab") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        self.started_at = time.monotonic()

    def output(self) -> str:
        """stdout and stderr, for a failure message."""
        out, err = tail(self.out_path), tail(self.err_path)
        return f"--- {self.name} stdout ---\n{out}\n--- {self.name} stderr ---\n{err}"

    def check(self) -> None:
        """Fail the test if the process has exited (with its output)."""
        assert self.proc is not None, f"{self.name} was never started"
        if self.proc.returncode is not None and not self.stopped:
            pytest.fail(f"{self.name} exited early with code {self.proc.returncode}\n{self.output()}")

    async def wait_healthz(self, url: str) -> None:
        """Until ``GET url/healthz`` answers 200."""
        deadline = time.monotonic() + START_TIMEOUT_S
        async with aiohttp.ClientSession() as session:
            while True:
                self.check()
                with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                    async with session.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        if r.status == 200:
                            return
                if time.monotonic() > deadline:
                    pytest.fail(f"{self.name}: no /healthz after {START_TIMEOUT_S:.0f} s\n{self.output()}")
                await asyncio.sleep(0.1)

    async def wait_line(self, text: str) -> None:
        """Until ``text`` appears in the process's stdout (e.g. the relay's start line)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while text not in tail(self.out_path, 10**6):
            self.check()
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: no {text!r} after {START_TIMEOUT_S:.0f} s\n{self.output()}")
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.proc is None or self.stopped:
            return
        self.stopped = True
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()


@dataclass(frozen=True)
class Result:
    """What a one-shot command did."""

    argv: list[str]
    code: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        head = f"$ {' '.join(self.argv)}\nexit {self.code}"
        return f"{head}\n--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"


async def run(argv: list[str], env: dict[str, str], cwd: Path, timeout_s: float = 60.0) -> Result:
    """Run a one-shot command (``minyi migrate``, ``minyi-admin …``) to its end."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        pytest.fail(f"{' '.join(argv)} did not finish in {timeout_s:.0f} s\n{out.decode()}\n{err.decode()}")
    assert proc.returncode is not None
    return Result(argv, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
