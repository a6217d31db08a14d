"""The console channel: the same conversation in a terminal, against the same database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels import console
from bot.pipeline import Pipeline
from storage.models import Item
from storage.port import StoragePort
from storage.workflow.clocks import DEFAULT
from tests.conftest import memory_backends


async def test_a_terminal_citizen_files_a_complaint(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    lines: Iterator[str] = iter(
        [
            "2",
            "半夜施工噪音",
            "昨晚11点，建设路工地",
            "停止夜间施工",
            "赵六",
            "13600001234",
            "确认",
            "3",
            "/quit",
        ]
    )
    await console.chat(Pipeline(memory_backends(), StoragePort(DEFAULT)), "zhao", read=lambda: next(lines))
    out = capsys.readouterr().out
    assert "1 提建议" in out and "TS-" in out and "15日内" in out and "再见" in out
    item = await Item.get().prefetch_related("citizen")
    assert item.channel == "console" and item.citizen.external_id == "zhao"


async def test_end_of_input_ends_the_chat(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    def eof() -> str:
        raise EOFError

    await console.chat(Pipeline(memory_backends(), StoragePort(DEFAULT)), "x", read=eof)
    assert "再见" in capsys.readouterr().out
