"""“长乐路路口” was read as the place “长乐路路”: the second 路 (of 路口) was taken for the end of
a longer road name. Proposed to the citizen as 地点, and it kept such a text from matching the same
matter said as “长乐路口” (issue 13)."""

from __future__ import annotations

import pytest

from dialogs.reading import read
from dialogs.reading.likeness import features


@pytest.mark.parametrize(
    "text",
    ["长乐路路口的红绿灯时间太短，老人过马路走不完", "长乐路口的红绿灯时间太短", "长乐路路段经常堵车"],
)
def test_the_road_ends_at_its_own_suffix(text: str) -> None:
    assert read(text).place == "长乐路"
    assert features(text).places == frozenset({"长乐路"})
