"""An in-memory index of items' ``Features`` that finds the items most like a text (no I/O).

Candidates come from inverted postings, and none that could reach the threshold is left out:
- a query naming a specific place, when another specific place caps a score below the threshold:
  the items naming one of its places (place postings), plus the items naming no specific place
  that share matter words (open postings);
- otherwise the items sharing matter words (matter postings).
Matter postings are walked rarest term first; the commonest terms, whose weight together cannot
reach the threshold, are not walked (prefix filtering). Each candidate is scored exactly with
``combine`` (what ``likeness`` scores with); ``likeness`` itself explains the ``limit`` kept.
Terms are interned to ints; an item costs one ``array`` of term ids, its weight and its postings.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable

from dialogs.reading.likeness import (
    THRESHOLD,
    Features,
    Match,
    combine,
    likeness,
    relation,
    specific,
    weight,
)

_BISECT_STEPS = 30
Postings = dict[int, "array[int]"]


class Index:
    """Items' features by item id, searchable for the ones most like a text."""

    __slots__ = (
        "_ids",
        "_items",
        "_matter",
        "_open",
        "_places",
        "_slot_of",
        "_slots",
        "_terms",
        "_totals",
        "_weights",
    )

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}  # term → term id
        self._terms: list[str] = []  # term id → term
        self._weights = array("d")  # term id → static weight
        self._slot_of: dict[int, int] = {}  # item id → slot
        self._items: list[int] = []  # slot → item id
        self._slots: list[array[int] | None] = []  # slot → [places count, place ids…, matter ids…]
        self._totals = array("d")  # slot → weight of its matter terms
        self._matter: Postings = {}  # matter term id → slots holding it, ascending
        self._open: Postings = {}  # the same for items naming no specific place
        self._places: Postings = {}  # specific place term id → slots naming it

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._slot_of

    def _intern(self, term: str) -> int:
        """The id of ``term``, given one when new."""
        found = self._ids.get(term)
        if found is None:
            found = self._ids[term] = len(self._terms)
            self._terms.append(term)
            self._weights.append(weight(term))
        return found

    def _postings(self, places: list[str], matter: list[int]) -> list[tuple[Postings, int]]:
        """The postings an item with these places and matter term ids is listed in."""
        named = [self._ids[place] for place in places if specific(place)]
        lists = [(self._places, term_id) for term_id in named]
        lists += [(self._matter, term_id) for term_id in matter]
        return lists + ([] if named else [(self._open, term_id) for term_id in matter])

    def add(self, item_id: int, feats: Features) -> None:
        """Index an item's features (replacing what the same id had)."""
        self.discard(item_id)
        places = sorted(feats.places)
        place_ids = [self._intern(place) for place in places]
        matter = sorted(self._intern(term) for term in feats.terms - feats.places)
        slot = len(self._slots)
        self._slots.append(array("I", [len(place_ids), *place_ids, *matter]))
        self._totals.append(sum(weight(term) for term in feats.terms - feats.places))
        self._items.append(item_id)
        self._slot_of[item_id] = slot
        for postings, term_id in self._postings(places, matter):
            postings.setdefault(term_id, array("I")).append(slot)

    def discard(self, item_id: int) -> None:
        """Forget an item (nothing happens for an unknown id)."""
        slot = self._slot_of.pop(item_id, None)
        if slot is None:
            return
        ids = self._slots[slot]
        assert ids is not None
        places = [self._terms[term_id] for term_id in ids[1 : 1 + ids[0]]]
        for postings, term_id in self._postings(places, list(ids[1 + ids[0] :])):
            posting = postings[term_id]
            del posting[bisect_left(posting, slot)]
            if not posting:
                del postings[term_id]
        self._slots[slot] = None

    def features_of(self, item_id: int) -> Features:
        """The features indexed for an item (KeyError for an unknown id)."""
        ids = self._slots[self._slot_of[item_id]]
        assert ids is not None
        places = self._places_of(ids)
        return Features(places | frozenset(self._terms[term_id] for term_id in ids[1 + ids[0] :]), places)

    def _places_of(self, ids: array[int]) -> frozenset[str]:
        """The places of a slot's term ids."""
        return frozenset(self._terms[term_id] for term_id in ids[1 : 1 + ids[0]])

    def search(
        self,
        feats: Features,
        *,
        limit: int = 10,
        threshold: float = THRESHOLD,
        allow: Callable[[int], bool] | None = None,
    ) -> list[tuple[int, Match]]:
        """The items scoring at least ``threshold`` with ``feats``, best first, at most ``limit``;
        ``allow`` (when given) filters item ids before they are scored."""
        matter = feats.terms - feats.places
        total = sum(weight(term) for term in matter)
        looked_up = (self._ids.get(term) for term in matter)
        known = [term_id for term_id in looked_up if term_id is not None and term_id in self._matter]
        if not known or limit <= 0:
            return []
        best = 1 if feats.places else 0  # the best relation of places an item can have with the query
        need = _needed(total, threshold, best)
        kept: list[tuple[float, int, int]] = []  # a min-heap of (score, -item id, slot): the ``limit`` best
        query, weights = frozenset(known), self._weights
        for slot, upper in self._candidates(feats, known, total, threshold, need):
            if len(kept) == limit and combine(upper, total, upper, best) < kept[0][0]:
                break  # candidates come by falling bound: none further can displace the kept ones
            ids = self._slots[slot]
            if ids is None or (allow is not None and not allow(self._items[slot])):
                continue
            shared = sum(weights[term_id] for term_id in query.intersection(ids[1 + ids[0] :]))
            places = relation(feats.places, self._places_of(ids)) if ids[0] and feats.places else 0
            score = combine(shared, total, self._totals[slot], places)
            if score >= threshold:
                entry = (score, -self._items[slot], slot)
                if len(kept) < limit:
                    heapq.heappush(kept, entry)
                elif entry > kept[0]:
                    heapq.heapreplace(kept, entry)
        kept.sort(reverse=True)
        return [(-negative_id, self._match(feats, slot)) for _, negative_id, slot in kept]

    def _match(self, feats: Features, slot: int) -> Match:
        """The query's match with a slot, explained."""
        ids = self._slots[slot]
        assert ids is not None
        places = self._places_of(ids)
        return likeness(feats, Features(places | {self._terms[i] for i in ids[1 + ids[0] :]}, places))

    def _candidates(
        self, feats: Features, known: list[int], total: float, threshold: float, need: float
    ) -> list[tuple[int, float]]:
        """The slots that might score at least ``threshold`` with the query, each with a bound on
        the matter weight it shares, by falling bound."""
        walked = self._matter
        if any(specific(place) for place in feats.places) and combine(total, total, total, -1) < threshold:
            walked = self._open  # items naming another specific place cannot reach the threshold
        found = self._walk(walked, known, need)
        if walked is self._open:
            named = [self._ids[place] for place in feats.places if specific(place) and place in self._ids]
            found.update((slot, total) for term_id in named for slot in self._places.get(term_id, ()))
        return sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))

    def _walk(self, postings: Postings, known: list[int], need: float) -> dict[int, float]:
        """The slots in ``postings`` sharing enough of the query's rarer terms that they might share
        ``need`` in all, with a bound on what they share (the commonest terms, whose weight together
        stays below ``need``, are not walked)."""
        ranked = sorted(
            ((len(postings[term_id]), term_id) for term_id in known if term_id in postings), reverse=True
        )
        weights = self._weights
        skipped = 0.0
        while ranked and skipped + weights[ranked[0][1]] < need:
            skipped += weights[ranked.pop(0)[1]]
        acc: dict[int, float] = {}
        get = acc.get
        for _, term_id in ranked:
            term_weight = weights[term_id]
            for slot in postings[term_id]:
                acc[slot] = get(slot, 0.0) + term_weight
        floor = need - skipped
        return {slot: shared + skipped for slot, shared in acc.items() if shared >= floor}


def _needed(total: float, threshold: float, best: int) -> float:
    """The least shared matter weight with which a text of weight ``total`` can reach ``threshold``
    (its places at best related as ``best``)."""
    if combine(total, total, total, best) < threshold:
        return total + 1.0  # unreachable: nothing is walked
    low, high = 0.0, total
    for _ in range(_BISECT_STEPS):
        middle = (low + high) / 2
        if combine(middle, total, middle, best) >= threshold:
            high = middle
        else:
            low = middle
    return low
