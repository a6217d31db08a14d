"""The named place in a citizen's text: listed Shanghai names first, then unknown names by their
endings (…路, …小区, …医院), guarded by stop lists and by word boundaries and tags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import rjieba

from dialogs.reading.lexicon import Lexicon, lines, sections

Token = tuple[str, str, int, int]  # word, part-of-speech tag, start, end


def _words(entries: list[str]) -> list[str]:
    """The space-separated words of some data lines."""
    return [word for entry in entries for word in entry.split()]


_LISTS = (
    ("places_districts.txt", 1),
    ("places_towns.txt", 2),
    ("places_roads.txt", 3),
    ("places_landmarks.txt", 4),
)
_RULES = sections("place_rules.txt")
SUFFIX: dict[str, int] = {entry.split()[0]: int(entry.split()[1]) for entry in _RULES["suffix"]}
_SUFFIX_TAGS: dict[str, set[str]] = {
    entry.split()[0]: set(entry.split()[2].split(",")) for entry in _RULES["suffix"] if len(entry.split()) > 2
}
_BLOCKED = Lexicon.of(_words(_RULES["blocked"]))
_HEAD_MAX = 6
_ADMIN = set("区镇乡道县市")  # the last characters of names a place name's head never takes in
_RARE = 50  # jieba frequency at or below which a word's tag is not trusted
_NOT_NAME_CHARS = set("".join(_words(_RULES["not_name_char"])))
_MODIFIERS = set(_words(_RULES["modifier"]))
_GENERIC = Lexicon.of(_words(_RULES["generic"]))
STOP = set(_words(_RULES["stop"]))
_HEAD_STOP = set(_words(_RULES["head_stop"]))
_NUMBER = re.compile(
    r"(?:\d+(?:" + "|".join(sorted(_words(_RULES["number_unit"]), key=len, reverse=True)) + r"))+"
)
_STATION = tuple(sorted(_words(_RULES["station_tail"]), key=len, reverse=True))
_BAD_TAGS = {"r", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv", "d", "f", "m", "q", "y", "e", "x", "t"}
_BAD_TAGS |= {"v", "vd", "o", "zg", "mq", "tg", "dg", "rr", "rz"}
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def _specificity(name: str, listed: int) -> int:
    """How specific a listed name is: its list's rank, raised for estates named by their ending."""
    for cut in range(max(1, len(name) - 4), len(name)):
        spec = SUFFIX.get(name[cut:])
        if spec is not None:
            return max(listed, spec) if listed >= 3 else listed
    return listed


def _listed() -> dict[str, int]:
    """Every listed name with its specificity."""
    out: dict[str, int] = {}
    for name, rank in _LISTS:
        for word in _words(lines(name)):
            out[word] = max(out.get(word, 0), _specificity(word, rank))
    return out


LISTED = _listed()
_GAZETTEER = Lexicon.of(LISTED)
_SUFFIXES = Lexicon.of(SUFFIX)
for _name in LISTED:
    rjieba.add_word(_name, max(rjieba.suggest_freq(_name), 10), "ns")


@dataclass(frozen=True, slots=True)
class Place:
    """A place name found in a text: its span and how specific it is (1 district … 5 estate)."""

    start: int
    end: int
    spec: int


def tokens(text: str) -> list[Token]:
    """``text`` cut into words with their tags and spans."""
    out: list[Token] = []
    at = 0
    for word, tag in rjieba.tag(text):
        out.append((word, tag, at, at + len(word)))
        at += len(word)
    return out


def _bare(head: str, modifier_alone: bool = True) -> str:
    """A name's head without generic words (types of place, modifiers) at its ends: longer ones
    wherever they stand, one single-character one at the end when two characters remain, and one
    modifier (小, 大, 老, 新) at the start."""
    if head[:1] in _MODIFIERS and modifier_alone:
        head = head[1:]
    changed = True
    while changed:
        changed = False
        skip = _GENERIC.prefix(head)
        if skip > 1:
            head, changed = head[skip:], True
        for cut in range(max(0, len(head) - 5), len(head) - 1):
            if head[cut:] in _GENERIC:
                head, changed = head[:cut], True
                break
    if len(head) > 2 and head[-1:] in _GENERIC:
        head = head[:-1]
    return head


def _rare(word: str) -> bool:
    """Whether jieba hardly knows ``word`` (顺发, 本帮, not 建个): its tag is a guess, it may be a name."""
    if len(word) < 2 or any(char in _NOT_NAME_CHARS for char in word):
        return False
    return not rjieba.has_word(word) or rjieba.suggest_freq(word) <= _RARE


def _head(text: str, start: int, words: list[Token], at: list[int], listed: dict[int, int]) -> int:
    """Where an unknown name ending at ``start`` begins: back over Chinese characters, up to a
    boundary word (我, 在, 那个, 附近 …), a function word or verb by its tag, a listed place (taken in
    when an area's name, 梅陇|三村, would leave too short a head), or a few characters."""
    head = start
    while head > 0 and start - head < _HEAD_MAX and _CJK.match(text[head - 1]):
        if head - 1 in listed:
            return listed[head - 1] if len(_bare(text[head:start])) < 2 else head
        word, tag, _, _ = words[at[head - 1]]
        if word in _HEAD_STOP or any(
            text[head - size : head] in _HEAD_STOP for size in (2, 3) if head >= size
        ):
            break
        if tag in _BAD_TAGS and (tag != "v" or len(word) > 1) and not _rare(word):
            break
        head -= 1
    return head


def _by_suffix(
    text: str, words: list[Token], at: list[int], listed: dict[int, int], start: int, end: int
) -> Place | None:
    """The unknown name ending in the suffix ``text[start:end]``, or None."""
    suffix = text[start:end]
    if _BLOCKED.prefix(text, start) > len(suffix) or text.endswith(suffix, 0, start):
        return None  # 路灯; 长乐路|路口: the name ended at the first 路
    word_start = words[at[start]][2]  # 马路, 横穿马路, 公交站: the suffix ends a generic word
    if any(text[end - size : end] in STOP for size in range(len(suffix) + 1, end - word_start + 1)):
        return None
    head = _head(text, start, words, at, listed)
    tags = _SUFFIX_TAGS.get(suffix)
    whole = words[at[end - 1]]  # 槐荫里: one word of jieba's, a name with the suffix in it
    tagged = start > 0 and words[at[start - 1]][1] in tags if tags is not None else True
    if not tagged and not (whole[3] == end and whole[2] <= start - 2):
        return None
    name = text[head:end]
    alone = words[at[head]][3] == head + 1 if head < start else False
    if len(_bare(text[head:start], alone)) < 2 or name in STOP or text[head:start] in STOP:
        return None
    return Place(head, end, SUFFIX[suffix])


def _extend(text: str, place: Place) -> Place:
    """A road or estate with the house, lane or building number after it; a place with its station."""
    if place.spec >= 3:
        number = _NUMBER.match(text, place.end)
        if number:
            return Place(place.start, number.end(), max(place.spec, 4))
    for tail in _STATION:
        if text.startswith(tail, place.end):
            return Place(place.start, place.end + len(tail), max(place.spec, 4))
    return place


def found(text: str, words: list[Token]) -> list[Place]:
    """Every place name in ``text``, the longest of overlapping ones."""
    at = [0] * len(text)
    for index, (_, _, start, end) in enumerate(words):
        at[start:end] = [index] * (end - start)
    places = [Place(hit.start, hit.end, LISTED[hit.word]) for hit in _GAZETTEER.find(text)]
    listed = {  # position → where an area's name holding it starts, or the position after it
        position: place.start if place.spec == 2 and text[place.end - 1] not in _ADMIN else place.end
        for place in places
        for position in range(place.start, place.end)
    }
    for hit in _SUFFIXES.find(text):
        place = _by_suffix(text, words, at, listed, hit.start, hit.end)
        if place is not None:
            places.append(place)
    return _longest([_extend(text, place) for place in places])


def _longest(places: list[Place]) -> list[Place]:
    """The places in text order, the longer of two overlapping ones kept."""
    places.sort(key=lambda place: (place.start, -place.end, -place.spec))
    kept: list[Place] = []
    for place in places:
        if kept and place.start < kept[-1].end:
            if place.end > kept[-1].end and place.end - place.start > kept[-1].end - kept[-1].start:
                kept[-1] = place
            continue
        kept.append(place)
    return kept


def candidates(places: list[Place]) -> list[Place]:
    """The places found, adjacent ones joined (长宁区江苏路)."""
    joined: list[Place] = []
    for place in places:
        if joined and place.start == joined[-1].end:
            joined[-1] = Place(joined[-1].start, place.end, max(joined[-1].spec, place.spec))
        else:
            joined.append(place)
    return joined


def names(text: str, places: list[Place]) -> list[tuple[int, int]]:
    """The proper-name parts of the places found: without a station tail, a type word (医院) or
    generic words (文化, 养老) at their end, which tell the category."""
    spans = []
    for place in places:
        end = place.end
        for tail in _STATION:
            if text.endswith(tail, place.start + 2, end):
                end -= len(tail)
                break
        for cut in range(max(place.start + 2, end - 4), end):
            if text[cut:end] in SUFFIX:
                end = cut
                break
        bare = _bare(text[place.start : end], modifier_alone=False)
        spans.append((place.start, place.start + max(len(bare), min(2, end - place.start))))
    return spans


def best_place(
    text: str, places: list[Place], aside: Sequence[tuple[int, int]] = (), first: int | None = None
) -> str | None:
    """The most specific named place, preferring those outside the ``aside`` spans (introductions)
    and those before ``first`` (where the first of several matters ends)."""

    def score(place: Place) -> tuple[int, int]:
        inside = any(start <= place.start < end for start, end in aside)
        return (place.spec + (0 if inside else 3), -place.start)

    joined = candidates(places)
    if first is not None:
        joined = [place for place in joined if place.start < first] or joined
    if not joined:
        return None
    best = max(joined, key=score)
    return text[best.start : best.end]
