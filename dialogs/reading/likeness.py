"""How alike two citizens' texts are: whether they raise the same matter at the same place.

Pure and corpus-free: a pair's score depends on the two texts only (static word weights, a synonym
list), so a bot server, a CLI run and a server on PostgreSQL all give the same answer. A text is
read once into ``Features`` (its content words and named places), which are stored with the item
(``encode``/``decode``); ``likeness`` compares two of them.

The score: the weighted share of matter words two texts have in common (the shorter text counts
most, so a short text and a long one on the same matter still meet), raised when they name the
same place and lowered when both name places and none is the same. A shared place alone scores 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from dialogs.reading.cleaning import normalise
from dialogs.reading.lexicon import lines, sections

if TYPE_CHECKING:
    from dialogs.reading.place import Token

__all__ = [
    "THRESHOLD",
    "Features",
    "Match",
    "combine",
    "decode",
    "encode",
    "features",
    "likeness",
    "relation",
    "specific",
    "weight",
]


@dataclass(frozen=True, slots=True)
class Features:
    """What a text is about: its normalised content words and the places it names."""

    terms: frozenset[str] = frozenset()  # content words, synonyms mapped to one word; places included
    places: frozenset[str] = frozenset()  # the named places (a subset of ``terms``)


@dataclass(frozen=True, slots=True)
class Match:
    """How alike two texts are, and the shared words that say why, most telling first."""

    score: float
    shared: tuple[str, ...]


THRESHOLD = 0.45
MAX_TERMS = 40  # content words kept of a long text: the weightiest, the earliest first
MAX_PLACES = 6
_SHORT = 2.0  # the matter weight below which a text is counted as if it weighed this much
_LONG_SHARE = 0.15  # how much the longer text's weight counts in the denominator
_SAME_PLACE = 0.7  # exponent on the matter score when both name the same place (< 1 raises it)
_OTHER_PLACE = 0.35  # factor on the matter score when both name specific places, none the same
_LOW, _CHAR, _WORD, _LONG_WORD = 0.3, 0.5, 1.0, 1.3

_SYNONYMS: dict[str, str] = {
    variant: group.split()[0] for group in lines("likeness_synonyms.txt") for variant in group.split()
}
_WORDS = sections("likeness_words.txt")
_DROP = {word for entry in _WORDS["drop"] for word in entry.split()}
_LOW_WORDS = {word for entry in _WORDS["low"] for word in entry.split()}
_JOIN = 3  # a synonym may span up to this many of jieba's words
_NOT_CONTENT = {"r", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "d", "m", "q", "mq", "y", "e", "o"}
_NOT_CONTENT |= {"x", "f", "t", "tg", "zg", "rr", "rz", "dg"}
_WORD_CHARS = re.compile(r"^[\w]+$")
_ROUTE = re.compile(r"(\d+)(路|号线|线)")  # a bus route or a metro line is named by its number
_NUMBER_TAIL = re.compile(r"\d+(?:号楼|号|弄|栋|幢|楼|室|单元|支弄)*$")
_PLACE_TAILS = ("小区", "地铁站", "公交站", "火车站", "门口", "站")
_CACHE: dict[str, float] = {}


@cache
def _place() -> ModuleType:
    """The reader's place module (rjieba and the place lists), imported on first use: importing this
    module costs a process nothing until it reads or compares a text (``minyi-admin`` starts fast)."""
    from dialogs.reading import place

    return place


def weight(term: str) -> float:
    """A word's static weight: low for common words, more for longer ones."""
    found_weight = _CACHE.get(term)
    if found_weight is None:
        if term in _LOW_WORDS:
            found_weight = _LOW
        else:
            found_weight = _CHAR if len(term) == 1 else _WORD if len(term) == 2 else _LONG_WORD
        _CACHE[term] = found_weight
    return found_weight


def _place_name(span: str) -> str:
    """A place without a house number or a station/estate ending (阳光花园小区3号楼 → 阳光花园)."""
    name = _NUMBER_TAIL.sub("", span)
    estate = name.find("小区", 2)
    if estate > 0:
        return name[:estate]
    for tail in _PLACE_TAILS:
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            name = name[: -len(tail)]
            break
    return name if len(name) >= 2 else span


def _places(text: str, words: list[Token]) -> tuple[list[str], list[tuple[int, int]]]:
    """The named places of a text (reader's places, bus routes and metro lines) and their name spans."""
    names: list[str] = []
    spans: list[tuple[int, int]] = []
    for spot in _place().found(text, words):
        name = _place_name(text[spot.start : spot.end])
        names.append(name)
        spans.append((spot.start, spot.start + len(name)))
    for route in _ROUTE.finditer(text):
        names.append(route.group(0))
        spans.append(route.span())
    return names, spans


def _content(word: str, tag: str) -> bool:
    """Whether a word of jieba's, not in the synonym list, is a content word."""
    if word in _DROP or tag in _NOT_CONTENT or not _WORD_CHARS.match(word) or word.isdigit():
        return False
    return len(word) > 1 or tag.startswith("n")


def _terms(words: list[Token], spans: list[tuple[int, int]]) -> Iterator[str]:
    """The content words of a text outside its place names, synonyms mapped, long words also in parts."""
    inside = {at for start, end in spans for at in range(start, end)}
    i = 0
    while i < len(words):
        if words[i][2] in inside:
            i += 1
            continue
        for size in range(min(_JOIN, len(words) - i), 0, -1):
            joined = "".join(word for word, _, _, _ in words[i : i + size])
            if joined in _SYNONYMS:
                yield _SYNONYMS[joined]
                i += size
                break
        else:
            word, tag, _, _ = words[i]
            if _content(word, tag):
                yield word
                if len(word) >= 3:
                    yield from _parts(word)
            i += 1


def _parts(word: str) -> Iterator[str]:
    """The listed words inside a long one (灯不亮 → 路灯 损坏), else its known first word (烧烤店 → 烧烤)."""
    i, any_part = 0, False
    while i < len(word):
        for size in range(min(4, len(word) - i), 0, -1):
            part = word[i : i + size]
            if part in _SYNONYMS and part != word and (size > 1 or i in (0, len(word) - 1)):
                yield _SYNONYMS[part]
                i, any_part = i + size, True
                break
        else:
            i += 1
    if not any_part:
        for size in (3, 2):
            head = word[:size]
            if head != word and head not in _DROP and _place().rjieba.has_word(head):
                yield head
                return


def _kept(terms: Iterable[str], limit: int) -> list[str]:
    """The distinct terms, at most ``limit`` of them: the weightiest, then the earliest."""
    order: dict[str, int] = {}
    for at, term in enumerate(terms):
        order.setdefault(term, at)
    ranked = sorted(order, key=lambda term: (-weight(term), order[term]))
    return ranked[:limit]


def features(text: str) -> Features:
    """The content words and named places of a citizen's text."""
    clean = normalise(text)
    if not clean:
        return Features()
    words = _place().tokens(clean)
    names, spans = _places(clean, words)
    places = [name for name in dict.fromkeys(names) if name not in _DROP][:MAX_PLACES]
    terms = [term for term in _kept(_terms(words, spans), MAX_TERMS) if term not in places]
    return Features(frozenset(terms) | frozenset(places), frozenset(places))


def encode(f: Features) -> str:
    """Features as compact text for a database column: places, ``|``, the other terms; sorted."""
    if not f.terms:
        return ""
    return " ".join(sorted(f.places)) + "|" + " ".join(sorted(f.terms - f.places))


def decode(s: str) -> Features:
    """The Features that ``encode`` wrote (empty Features for an empty string)."""
    if not s:
        return Features()
    places, _, terms = s.partition("|")
    kept = frozenset(places.split())
    return Features(kept | frozenset(terms.split()), kept)


@cache
def specific(place: str) -> bool:
    """Whether a place is more specific than a district (a road, an estate, a route: not 浦东新区)."""
    return bool(_place().LISTED.get(place, 5) > 1)


def relation(a: frozenset[str], b: frozenset[str]) -> int:
    """How two texts' places relate: 1 a shared place (a specific one when both name one), -1 both
    name specific places and share none of them, 0 otherwise."""
    shared = a & b
    if any(specific(place) for place in shared):
        return 1
    if any(specific(place) for place in a) and any(specific(place) for place in b):
        return -1
    return 1 if shared else 0


def combine(shared: float, total_a: float, total_b: float, places: int) -> float:
    """The score of two texts whose matter words weigh ``total_a`` and ``total_b`` and share
    ``shared``, their places related as ``relation`` says (it falls as a total grows: an index may
    bound a score by passing ``shared`` as the unknown total)."""
    if shared <= 0:
        return 0.0
    small, large = min(total_a, total_b), max(total_a, total_b)
    score = min(1.0, shared / ((1 - _LONG_SHARE) * max(small, _SHORT) + _LONG_SHARE * large))
    if places > 0:
        score = score**_SAME_PLACE
    elif places < 0:
        score *= _OTHER_PLACE
    return round(score, 6)


def likeness(a: Features, b: Features) -> Match:
    """How alike two texts are (0..1, symmetric) and the shared terms that explain it."""
    matter = (a.terms & b.terms) - a.places - b.places
    if not matter:
        return Match(0.0, ())
    wa = sum(weight(term) for term in a.terms - a.places)
    wb = sum(weight(term) for term in b.terms - b.places)
    score = combine(sum(weight(term) for term in matter), wa, wb, relation(a.places, b.places))
    places = sorted(a.places & b.places, key=lambda term: (-specific(term), -len(term), term))
    words = sorted(matter, key=lambda term: (-weight(term), -len(term), term))
    return Match(score, (*places, *words))
