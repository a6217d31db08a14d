"""What a citizen may be shown as like the matter they are telling (issue 13, point 4): for a
suggestion, suggestions staff published (never the citizen's own, never a merged one); for a
complaint, only the citizen's own open complaints. Complaints are never offered to anyone else."""

from __future__ import annotations

from dialogs.reading.likeness import features
from dialogs.types import UserRef
from storage.models import Citizen, Item
from storage.similar.catalogue import Catalogue
from storage.workflow import repeats, supporters
from storage.workflow.vocabulary import COMPLAINT, SUGGESTION

OFFERED = 3  # at most three, in one short message


async def for_citizen(
    user: UserRef, kind: str, text: str, catalogue: Catalogue, limit: int = OFFERED
) -> list[tuple[Item, int]]:
    """The items to offer, best first, each with its number of supporters."""
    citizen = await Citizen.filter(channel=user.channel, external_id=user.user_id).first()
    feats = features(text)
    if kind == COMPLAINT:
        if citizen is None:
            return []
        found = await repeats.candidates(await repeats.same_person(citizen), feats, open_only=True)
        return [(item, 0) for item, _ in found[:1]]
    ranked = [item_id for item_id, _ in await catalogue.search(feats, kind=SUGGESTION, limit=20)]
    if not ranked:
        return []
    # by id only: a kind or state condition here makes SQLite scan the (kind, status) index instead
    rows = await Item.filter(id__in=ranked)
    mine = citizen.id if citizen is not None else None
    shown = {item.id: item for item in rows if _offered(item, mine)}
    best = [shown[i] for i in ranked if i in shown][:limit]
    counts = await supporters.counts([item.id for item in best])
    return [(item, counts.get(item.id, 0)) for item in best]


def _offered(item: Item, citizen_id: int | None) -> bool:
    """A published suggestion, not merged, not refused, not the citizen's own."""
    own = item.citizen_id == citizen_id  # type: ignore[attr-defined]
    return (
        item.kind == SUGGESTION
        and item.published
        and item.merged_into_id is None
        and not own
        and (item.status != "rejected")
    )
