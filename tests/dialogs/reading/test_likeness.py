"""Unit tests of the likeness of two texts: features, their encoding, the score."""

from __future__ import annotations

import pytest

from dialogs.reading.likeness import THRESHOLD, Features, Match, decode, encode, features, likeness

NOISE = "阳光花园小区楼下广场舞音响开得太响，每晚吵到九点多"


def test_traditional_and_full_width_read_like_simplified() -> None:
    assert features("建議在中山公園地鐵站出口增設共享單車停放點") == features(
        "建议在中山公园地铁站出口增设共享单车停放点"
    )
    assert features("建议７１路公交车增加班次") == features("建议71路公交车增加班次")


def test_places_are_kept_as_terms() -> None:
    f = features("曲阳路菜场门口的垃圾好几天没人清理")
    assert "曲阳路" in f.places
    assert f.places <= f.terms
    assert {"垃圾", "菜场"} <= f.terms


def test_estate_and_route_names_are_places() -> None:
    assert "阳光花园" in features("阳光花园小区3号楼电梯坏了").places
    assert "71路" in features("71路公交班次太少").places


def test_synonyms_meet_on_one_word() -> None:
    assert "电动车" in features("楼道里电瓶车充电").terms
    assert "噪音" in features("楼下KTV吵死了").terms


def test_the_same_matter_at_the_same_place_is_similar() -> None:
    match = likeness(features(NOISE), features("阳光花园的广场舞噪音太大了，晚上孩子没法写作业"))
    assert match.score >= THRESHOLD
    assert match.shared[0] == "阳光花园"
    assert "广场舞" in match.shared


def test_a_shared_place_alone_is_not_similar() -> None:
    match = likeness(features(NOISE), features("阳光花园小区地下车库漏水，车都被淹了"))
    assert match.score < THRESHOLD


def test_the_same_matter_at_another_place_is_not_similar() -> None:
    a = features("中山北路一个井盖不见了，很危险")
    b = features("平凉路一个井盖不见了，很危险")
    assert likeness(a, b).score < THRESHOLD


def test_likeness_is_symmetric_and_bounded() -> None:
    texts = [NOISE, "楼下广场舞太吵", "建议增加公共厕所", "", "阳光花园广场舞噪音扰民"]
    for x in texts:
        for y in texts:
            a, b = features(x), features(y)
            assert likeness(a, b) == likeness(b, a)
            assert 0.0 <= likeness(a, b).score <= 1.0


def test_a_text_is_most_like_itself() -> None:
    f = features(NOISE)
    assert likeness(f, f).score == 1.0


def test_empty_text_has_empty_features_and_matches_nothing() -> None:
    assert features("") == Features()
    assert features("   \n\t") == Features()
    assert likeness(features(""), features(NOISE)) == Match(0.0, ())
    assert likeness(Features(), Features()) == Match(0.0, ())


def test_encode_decode_round_trip() -> None:
    for text in [NOISE, "建议７１路公交车增加班次", "", "KTV", "楼上漏水 😡😡 #@!"]:
        f = features(text)
        assert decode(encode(f)) == f
        assert encode(f) == encode(decode(encode(f)))
    assert decode("") == Features()
    assert encode(Features()) == ""


def test_a_long_text_encodes_short_and_deterministically() -> None:
    long = (NOISE + "。物业说管不了，居委会也不来，我们已经反映了好几次，孩子高考在即，老人心脏不好。") * 20
    text = long[:1000]
    code = encode(features(text))
    assert len(code) <= 400
    assert code == encode(features(text))
    assert likeness(features(text), features(NOISE)).score >= THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "😡😡😡",
        "？？？！！！",
        "a" * 5000,
        "\x00\u200b\ufeff",
        "12345678901",
        "ＡＢＣ１２３",
        "楼" * 300,
        "\ud800",
    ],
)
def test_odd_input_does_not_crash(text: str) -> None:
    f = features(text)
    assert decode(encode(f)) == f
    assert 0.0 <= likeness(f, features(NOISE)).score <= 1.0
