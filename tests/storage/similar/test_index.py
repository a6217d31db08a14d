"""The in-memory index of items' features: add, discard, replace, filters, limit and threshold."""

from __future__ import annotations

from dialogs.reading.likeness import THRESHOLD, features, likeness
from storage.similar import Index

NOISE = "阳光花园小区楼下广场舞音响开得太响，每晚吵到九点多"
NOISE_TOO = "阳光花园的广场舞噪音太大了，晚上孩子没法写作业"
LEAK = "阳光花园小区地下车库漏水，车都被淹了"
TOILETS = "人民广场附近公共厕所太少，游客找厕所很难，建议增加"


def filled() -> Index:
    index = Index()
    for item_id, text in enumerate([NOISE, NOISE_TOO, LEAK, TOILETS], start=1):
        index.add(item_id, features(text))
    return index


def test_search_finds_the_similar_item_best_first() -> None:
    hits = filled().search(features("阳光花园晚上跳广场舞声音太响了"))
    assert [item_id for item_id, _ in hits][:2] in ([1, 2], [2, 1])
    assert all(match.score >= THRESHOLD for _, match in hits)
    assert [match.score for _, match in hits] == sorted((match.score for _, match in hits), reverse=True)


def test_search_answers_what_likeness_answers() -> None:
    index = filled()
    query = features(NOISE)
    for item_id, match in index.search(query, threshold=0.0, limit=100):
        assert match == likeness(query, index.features_of(item_id))


def test_len_contains_and_discard() -> None:
    index = filled()
    assert len(index) == 4
    assert 2 in index and 9 not in index and "2" not in index
    index.discard(2)
    index.discard(2)
    index.discard(99)
    assert len(index) == 3
    assert 2 not in index
    assert 2 not in [item_id for item_id, _ in index.search(features(NOISE))]


def test_re_adding_an_id_replaces_it() -> None:
    index = filled()
    index.add(1, features(TOILETS))
    assert len(index) == 4
    assert index.features_of(1) == features(TOILETS)
    assert 1 not in [item_id for item_id, _ in index.search(features(NOISE_TOO))]
    assert 1 in [item_id for item_id, _ in index.search(features("人民广场公厕不够用，希望多设几个"))]


def test_allow_filters_item_ids() -> None:
    hits = filled().search(features(NOISE), allow=lambda item_id: item_id != 1)
    assert [item_id for item_id, _ in hits] == [2]


def test_limit_and_threshold() -> None:
    index = filled()
    assert len(index.search(features(NOISE), limit=1)) == 1
    assert index.search(features(NOISE), limit=0) == []
    assert index.search(features(NOISE), threshold=1.01) == []
    low = index.search(features(NOISE), threshold=0.0)
    assert {item_id for item_id, _ in low} >= {1, 2}


def test_empty_index_and_empty_query() -> None:
    assert Index().search(features(NOISE)) == []
    assert len(Index()) == 0
    assert filled().search(features("")) == []


def test_many_items_sharing_common_words_still_find_the_match() -> None:
    index = Index()
    for item_id in range(500):
        index.add(item_id, features(f"小区门口附近晚上有问题第{item_id}号楼"))
    index.add(1000, features(NOISE))
    assert [item_id for item_id, _ in index.search(features(NOISE_TOO))] == [1000]
