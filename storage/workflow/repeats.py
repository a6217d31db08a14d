"""重复件: the same person coming back about the same matter. A complaint is compared with the
same person's earlier complaints (the same chat identity, chats sharing a platform-verified
phone, and the letters, calls and visits entered under that phone); the most similar one still
open, or one whose 复查/复核 is exhausted (the 信访 rule: the same matter is not accepted again),
is its probable repeat. Staff see the link; nothing is refused automatically.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from dialogs.reading.likeness import THRESHOLD, Features, Match, likeness
from storage.models import Citizen, Item
from storage.similar.catalogue import stored_features
from storage.workflow.vocabulary import COMPLAINT, INTAKE_CHANNELS, MAX_REVIEW_LEVEL, OPEN

ANSWERED = frozenset({"answered", "closed"})


def exhausted(item: Any) -> bool:
    """A complaint answered after its 复核: the same matter is not accepted again."""
    return item.kind == COMPLAINT and item.review_level >= MAX_REVIEW_LEVEL and item.status in ANSWERED


async def same_person(citizen: Citizen, conn: BaseDBAsyncClient | None = None) -> list[int]:
    """The citizen rows of one person: this one, chats with the same verified phone, and the
    intake rows (letters, calls, visits) keyed by that phone."""
    from storage.intake import intake_identity  # intake builds on the workflow service

    ids = {citizen.id}
    phone = citizen.verified_phone
    if citizen.channel in INTAKE_CHANNELS:
        where = Q(external_id=citizen.external_id, channel__in=list(INTAKE_CHANNELS))
    elif phone:
        keys = [intake_identity(c, phone).user_id for c in INTAKE_CHANNELS]
        where = Q(verified_phone=phone) | Q(external_id__in=keys, channel__in=list(INTAKE_CHANNELS))
    else:
        return [citizen.id]
    ids.update(await Citizen.filter(where).using_db(conn).values_list("id", flat=True))  # type: ignore[arg-type]
    return sorted(ids)


async def candidates(
    citizen_ids: list[int], feats: Features, *, open_only: bool, conn: BaseDBAsyncClient | None = None
) -> list[tuple[Item, Match]]:
    """The earlier complaints of these citizens like ``feats``, best first (open ones, and
    unless ``open_only`` also the exhausted ones)."""
    rows = await Item.filter(kind=COMPLAINT, citizen_id__in=citizen_ids, merged_into_id=None).using_db(conn)
    found: list[tuple[Item, Match]] = []
    for item in rows:
        if not (item.status in OPEN or (not open_only and exhausted(item))):
            continue
        match = likeness(feats, stored_features(item.kind, item.terms, item.fields_data or {}))
        if match.score >= THRESHOLD:
            found.append((item, match))
    found.sort(key=lambda pair: (-pair[1].score, -pair[0].id))
    return found


async def earlier(citizen: Citizen, feats: Features, conn: BaseDBAsyncClient | None = None) -> Item | None:
    """The complaint a new one of ``citizen`` probably repeats: an open one first, else an exhausted one."""
    found = await candidates(await same_person(citizen, conn), feats, open_only=False, conn=conn)
    open_ones = [item for item, _ in found if item.status in OPEN]
    return open_ones[0] if open_ones else (found[0][0] if found else None)
