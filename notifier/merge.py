"""Notices that piled up for one citizen: kept in order, and merged into one message where the
platform counts messages (a WeChat window has 5 slots; one merged message spends one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from dialogs import texts
from storage.outbox import Claimed

T = TypeVar("T")


def together(bodies: Sequence[str], *, headed: bool = False) -> str:
    """One message from several notice texts: "您有 N 条办理进展：" and a numbered list
    (a single notice goes as it is unless ``headed``)."""
    if len(bodies) == 1 and not headed:
        return bodies[0]
    lines = [texts.NOTICES_HEAD.format(n=len(bodies))]
    lines += [f"{i}. {body}" for i, body in enumerate(bodies, 1)] if len(bodies) > 1 else list(bodies)
    return "\n".join(lines)


def by_citizen(rows: Iterable[Claimed]) -> dict[int, list[Claimed]]:
    out: dict[int, list[Claimed]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        out.setdefault(r.citizen_id, []).append(r)
    return out


def groups(rows: Sequence[Claimed], *, merge: bool, rank: Callable[[Claimed], int]) -> list[list[Claimed]]:
    """One citizen's rows as the messages to send, most important first.

    With ``merge`` the rows about one item become one message (in creation order); without it
    every row is its own message. Rows about one item always keep their creation order."""
    per_item: dict[int | None, list[Claimed]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        per_item.setdefault(r.item_id, []).append(r)
    ordered = sorted(per_item.values(), key=lambda g: (min(rank(r) for r in g), g[0].id))
    if merge:
        return ordered
    return [[r] for g in ordered for r in g]


def head(group: Sequence[Claimed], rank: Callable[[Claimed], int]) -> Claimed:
    """The row that speaks for a merged group (its most important notice)."""
    return min(group, key=lambda r: (rank(r), r.id))
