"""The word lists load, and the many-words finder finds what it should."""

from __future__ import annotations

from dialogs.reading.lexicon import Lexicon, weighted
from dialogs.reading.place import LISTED


def test_finder_finds_overlapping_and_longest_words() -> None:
    lexicon = Lexicon.of(["垃圾", "垃圾分类", "分类"])
    assert [hit.word for hit in lexicon.find("垃圾分类")] == ["垃圾分类", "垃圾", "分类"]
    assert [hit.word for hit in lexicon.longest("垃圾分类好")] == ["垃圾分类"]
    assert lexicon.prefix("垃圾站", 0) == 2
    assert "分类" in lexicon
    assert "类" not in lexicon


def test_weighted_pairs_default_to_one() -> None:
    assert weighted(["公交 3  地铁  120 1.5"]) == {"公交": 3.0, "地铁": 1.0, "120": 1.5}


def test_the_place_lists_are_large_enough() -> None:
    specs = list(LISTED.values())
    assert specs.count(1) >= 16
    assert specs.count(2) >= 150
    assert sum(spec >= 3 for spec in specs) >= 200
