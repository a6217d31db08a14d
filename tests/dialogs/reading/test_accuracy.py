"""Accuracy of the reading on the labelled citizen messages (tests/data/citizen_messages.jsonl) and of
looks_like_matter on them and on tests/data/not_matters.jsonl. Prints a table per split; fails below
the thresholds on the whole set. The data files must be there: a missing file fails, never skips."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dialogs.reading import Reading, looks_like_matter, normalise, read

DATA = Path(__file__).resolve().parents[2] / "data"
MESSAGES = DATA / "citizen_messages.jsonl"
NOT_MATTERS = DATA / "not_matters.jsonl"
THRESHOLDS = {
    "kind": 0.95,
    "category top-1": 0.85,
    "category top-2": 0.95,
    "place found": 0.90,
    "no place invented": 0.98,
}
Row = dict[str, Any]


def load(path: Path) -> list[Row]:
    """The rows of a JSON-lines file (which must exist)."""
    assert path.exists(), f"{path} is missing: the accuracy test needs it"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows, f"{path} is empty"
    return rows


def common(a: str, b: str) -> int:
    """The length of the longest common substring of ``a`` and ``b``."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def ranked(reading: Reading, kind: str) -> tuple[str, ...]:
    """The reading's categories for ``kind``, 其他 (which needs no evidence) last."""
    return (*reading.categories.get(kind, ()), "其他")


@dataclass(frozen=True)
class Metric:
    """One row of the table: which rows it counts and whether a row is right."""

    name: str
    applies: Callable[[Row], bool]
    right: Callable[[Row, Reading], bool]


METRICS = (
    Metric("kind", lambda row: True, lambda row, r: r.kind == row["kind"]),
    Metric("category top-1", lambda row: True, lambda row, r: ranked(r, row["kind"])[0] == row["category"]),
    Metric("category top-2", lambda row: True, lambda row, r: row["category"] in ranked(r, row["kind"])[:2]),
    Metric(
        "place found",
        lambda row: bool(row["places"]),
        lambda row, r: r.place is not None and any(common(r.place, normalise(p)) >= 2 for p in row["places"]),
    ),
    Metric("no place invented", lambda row: not row["places"], lambda row, r: r.place is None),
    Metric("request detected", lambda row: True, lambda row, r: (r.request is not None) == row["request"]),
    Metric("matters", lambda row: True, lambda row, r: min(r.matters, 2) == min(row.get("matters", 1), 2)),
)


def score(rows: list[Row], readings: list[Reading]) -> dict[str, tuple[int, int]]:
    """Per metric: (right, counted)."""
    out = {}
    for metric in METRICS:
        counted = [(row, r) for row, r in zip(rows, readings, strict=True) if metric.applies(row)]
        out[metric.name] = (sum(metric.right(row, r) for row, r in counted), len(counted))
    return out


def table(results: dict[str, dict[str, tuple[int, int]]]) -> str:
    """The results as a text table, one column per split."""
    splits = list(results)
    lines = ["metric".ljust(20) + "".join(split.rjust(18) for split in splits)]
    for metric in METRICS:
        cells = []
        for split in splits:
            right, counted = results[split][metric.name]
            cells.append(f"{right / counted:7.1%} {right:4}/{counted:<4}" if counted else "-")
        lines.append(metric.name.ljust(20) + "".join(cell.rjust(18) for cell in cells))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def labelled() -> tuple[list[Row], list[Reading], float]:
    """The labelled rows, their readings, and the mean time per reading in milliseconds."""
    rows = load(MESSAGES)
    started = time.perf_counter()
    readings = [read(row["text"]) for row in rows]
    mean_ms = (time.perf_counter() - started) * 1000 / len(rows)
    return rows, readings, mean_ms


def test_reading_accuracy(
    labelled: tuple[list[Row], list[Reading], float], capsys: pytest.CaptureFixture
) -> None:
    rows, readings, mean_ms = labelled
    results = {}
    for split in ("dev", "test"):
        chosen = [i for i, row in enumerate(rows) if row.get("split") == split]
        results[split] = score([rows[i] for i in chosen], [readings[i] for i in chosen])
    results["all"] = score(rows, readings)
    with capsys.disabled():
        print(f"\n\nReading accuracy ({len(rows)} labelled messages; {mean_ms:.3f} ms per message)")
        print(table(results))
    failing = {
        name: f"{right / counted:.1%} < {THRESHOLDS[name]:.0%}"
        for name, (right, counted) in results["all"].items()
        if name in THRESHOLDS and right / counted < THRESHOLDS[name]
    }
    assert not failing, failing


def test_reading_is_well_formed(labelled: tuple[list[Row], list[Reading], float]) -> None:
    rows, readings, mean_ms = labelled
    for row, reading in zip(rows, readings, strict=True):
        assert len(reading.title) <= 20, reading
        assert reading.place is None or reading.place in reading.text, reading
        assert reading.request is None or reading.request in reading.text, reading
        assert reading.kind in {"suggestion", "complaint", None}, reading
        assert reading.matters >= 1, reading
        assert row["category"] == "其他" or reading.categories, reading
    assert mean_ms < 5.0, f"read takes {mean_ms:.3f} ms per message"


def test_looks_like_matter_accepts_matters_and_rejects_the_rest(capsys: pytest.CaptureFixture) -> None:
    matters = load(MESSAGES)
    others = load(NOT_MATTERS)
    accepted = sum(looks_like_matter(row["text"]) for row in matters)
    rejected = sum(not looks_like_matter(row["text"]) for row in others)
    with capsys.disabled():
        print(
            f"\nlooks_like_matter: {accepted}/{len(matters)} matters accepted ({accepted / len(matters):.1%})"
        )
        print(f"looks_like_matter: {rejected}/{len(others)} others rejected ({rejected / len(others):.1%})")
    assert accepted / len(matters) >= 0.97
    assert rejected / len(others) >= 0.95
