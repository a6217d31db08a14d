"""What staff see of similar items (issue 13): the items most like one item (both kinds, every
item: staff see all), the marks ``items show`` gives an item (probable repeat, exhausted review,
merged, supporters, public wording), and groups of similar items for the digest. Plain dicts of
codes, as ``storage.queries`` gives them; ``admin_cli`` shows them in Chinese."""

from __future__ import annotations

from typing import Any

from dialogs.reading.likeness import THRESHOLD, Features
from storage import privacy
from storage.errors import NotFound
from storage.models import Item
from storage.similar.catalogue import Catalogue, stored_features
from storage.similar.index import Index
from storage.workflow import repeats, supporters
from storage.workflow.vocabulary import COMPLAINT

EXHAUSTED = "该事项已复核终结，按《信访工作条例》同一事项不再受理"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def features_of(item: Item) -> Features:
    """An item's features as the index reads them."""
    return stored_features(item.kind, item.terms, item.fields_data or {})


async def _tickets(ids: set[int]) -> dict[int, str]:
    """The tickets of these item ids."""
    if not ids:
        return {}
    return dict(await Item.filter(id__in=list(ids)).values_list("id", "ticket"))


def _brief(item: Item) -> dict[str, Any]:
    return {"ticket": item.ticket, "kind": item.kind, "status": item.status, "title": item.title}


async def similar_to(
    ticket: str, catalogue: Catalogue, *, limit: int = 10, kind: str | None = None, reveal: bool = False
) -> list[dict[str, Any]]:
    """The items most like TICKET's item (of ``kind``, or both kinds; not itself), best first."""
    item = await Item.filter(ticket=ticket).select_related("citizen").first()
    if item is None:
        raise NotFound(f"没有编号为 {ticket} 的事项。")
    found = await catalogue.search(features_of(item), kind=kind, limit=limit + 1)
    found = [(i, m) for i, m in found if i != item.id][:limit]
    rows = {r.id: r for r in await Item.filter(id__in=[i for i, _ in found]).select_related("citizen")}
    merged = await _tickets({r.merged_into_id for r in rows.values() if r.merged_into_id})
    backing = await supporters.counts(list(rows))
    person = set(await repeats.same_person(item.citizen)) if item.kind == COMPLAINT else set()
    out: list[dict[str, Any]] = []
    for item_id, match in found:
        other = rows.get(item_id)
        if other is None:  # deleted since the index saw it
            continue
        both = item.kind == COMPLAINT and other.kind == COMPLAINT
        out.append(
            _brief(other)
            | {
                "category": other.category,
                "channel": other.channel,
                "created_at": _iso(other.created_at),
                "accept_due_at": _iso(other.accept_due_at),
                "due_at": _iso(other.due_at),
                "citizen": privacy.contact(other, reveal),
                "score": round(match.score, 2),
                "why": list(match.shared),
                "published": other.published,
                "public_title": other.public_title,
                "merged_into": merged.get(other.merged_into_id or 0),
                "supporters": backing.get(other.id, 0),
                "same_person": (other.citizen_id in person) if both else None,  # type: ignore[attr-defined]
            }
        )
    return out


async def _repeat_of(item: Item) -> dict[str, Any] | None:
    """The earlier complaint this one probably repeats, and whether its review is exhausted."""
    if item.repeat_of_id is None:
        return None
    earlier = await Item.filter(id=item.repeat_of_id).first()
    if earlier is None:
        return None
    gone = repeats.exhausted(earlier)
    return _brief(earlier) | {"exhausted": gone, "note": EXHAUSTED if gone else ""}


async def duplicates_of(item: Item) -> dict[str, Any]:
    """What ``items show`` marks: the probable repeat (重复件) and the items repeating this one,
    what it was merged into and what was merged into it, its supporters, its public wording."""
    merged_into = await _tickets({item.merged_into_id} if item.merged_into_id else set())
    later = await Item.filter(repeat_of_id=item.id).order_by("id")
    merged = await Item.filter(merged_into_id=item.id).order_by("id")
    gone = repeats.exhausted(item)
    return {
        "repeat_of": await _repeat_of(item),
        "repeats": [_brief(i) for i in later],
        "exhausted": gone,
        "exhausted_note": EXHAUSTED if gone else "",
        "merged_into": merged_into.get(item.merged_into_id or 0),
        "merged": [_brief(i) for i in merged],
        "supporters": await supporters.count(item.id),
        "published": item.published,
        "public_title": item.public_title,
        "public_summary": item.public_summary,
        "published_at": _iso(item.published_at),
    }


def clusters(items: list[tuple[int, Features]]) -> list[list[int]]:
    """Groups of similar items (single link at ``THRESHOLD``): each group's ids ascending, the
    groups by their first id; an item like no other is a group of its own."""
    index = Index()
    for item_id, feats in items:
        index.add(item_id, feats)
    parent = {item_id: item_id for item_id, _ in items}

    def root(item_id: int) -> int:
        while parent[item_id] != item_id:
            parent[item_id] = parent[parent[item_id]]
            item_id = parent[item_id]
        return item_id

    for item_id, feats in items:
        for other, _ in index.search(feats, limit=len(items), threshold=THRESHOLD):
            a, b = root(item_id), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for item_id in sorted(parent):
        groups.setdefault(root(item_id), []).append(item_id)
    return sorted(groups.values(), key=lambda group: group[0])
