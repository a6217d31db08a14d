"""Every stored item in a similarity index, kept in this process's memory and caught up from the
database before each search — so a search in one process finds what another process stored a
moment ago (N servers on PostgreSQL, or ``minyi-admin`` beside ``minyi serve`` on SQLite).

The words of an item as the index reads them (``Item.terms``, ``likeness.encode``) are written
with the item, so catching up reads one short column of the rows this process has not seen.
The catch-up asks for ids above the highest seen and for the *gaps* below it: an id that a
transaction still open had taken (PostgreSQL hands out ids before commit, so a higher id may
commit first) is looked for again until it appears or a minute has passed (a rolled-back id
never appears). The index holds only words, which never change after filing; who may see an
item (published, merged, whose) is read from the database for the few items a search found.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tortoise.expressions import Q

from dialogs.reading.likeness import THRESHOLD, Features, Match, decode, encode, features
from storage.models import Item
from storage.similar.index import Index
from storage.workflow.vocabulary import SUGGESTION

GAP_WAIT_S = 60.0  # how long an id skipped by a commit is looked for (a transaction lasts seconds)
MAX_GAPS = 10_000


def matter_text(kind: str, values: dict[str, Any]) -> str:
    """What an item is about, in the citizen's words: the account and the place."""
    keys = ("problem", "title", "place") if kind == SUGGESTION else ("what", "when_where", "accused")
    return " ".join(str(values.get(k) or "") for k in keys).strip()


def terms_of(kind: str, values: dict[str, Any]) -> str:
    """The ``Item.terms`` of a new item."""
    return encode(features(matter_text(kind, values)))


def stored_features(kind: str, terms: str, values: dict[str, Any]) -> Features:
    """An item's features: as stored, or read from its fields (an item filed before issue 13)."""
    return decode(terms) if terms else features(matter_text(kind, values))


async def _fields_of(ids: list[int], chunk: int = 500) -> dict[int, dict[str, Any]]:
    """The fields of items filed before their words were stored, read a few hundred at a time."""
    found: dict[int, dict[str, Any]] = {}
    for at in range(0, len(ids), chunk):
        rows = await Item.filter(id__in=ids[at : at + chunk]).values_list("id", "fields_data")
        found.update({int(item_id): values or {} for item_id, values in rows})
    return found


class Catalogue:
    """The similarity index of the items of the database, caught up before each search."""

    def __init__(self) -> None:
        self.index = Index()
        self.kinds: dict[int, str] = {}
        self._max = 0
        self._gaps: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def refresh(self) -> int:
        """Take in the items stored since the last look (by any process); how many were new."""
        async with self._lock:
            where = Q(id__gt=self._max)
            if self._gaps:
                where |= Q(id__in=list(self._gaps))
            rows = await Item.filter(where).order_by("id").values_list("id", "kind", "terms")
            unread = [item_id for item_id, _, terms in rows if not terms]  # filed before issue 13
            fields = await _fields_of(unread)
            for item_id, kind, terms in rows:
                self.index.add(item_id, stored_features(kind, terms, fields.get(item_id) or {}))
                self.kinds[item_id] = kind
                self._gaps.pop(item_id, None)
            self._note_gaps([r[0] for r in rows])
            return len(rows)

    def _note_gaps(self, ids: list[int]) -> None:
        """Remember the ids skipped between the new ones (a jump of more than ``MAX_GAPS`` is a
        sequence restarted or rows deleted, not transactions in flight)."""
        now = time.monotonic()
        fresh = [i for i in ids if i > self._max]
        previous = self._max if self._max else (fresh[0] - 1 if fresh else 0)
        for item_id in fresh:
            if 1 < item_id - previous <= MAX_GAPS and len(self._gaps) < MAX_GAPS:
                self._gaps.update(dict.fromkeys(range(previous + 1, item_id), now))
            previous = item_id
        self._max = max(self._max, previous)
        for gap, since in list(self._gaps.items()):
            if now - since > GAP_WAIT_S:
                del self._gaps[gap]

    async def search(
        self, feats: Features, *, kind: str | None = None, limit: int = 10, threshold: float = THRESHOLD
    ) -> list[tuple[int, Match]]:
        """The stored items most like ``feats`` (of ``kind``), best first, after catching up."""
        await self.refresh()
        kinds = self.kinds
        allow = None if kind is None else (lambda item_id: kinds.get(item_id) == kind)
        return self.index.search(feats, limit=limit, threshold=threshold, allow=allow)
