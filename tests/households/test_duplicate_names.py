"""Names normalised the Indonesian way and compared (pure: no database)."""

from __future__ import annotations

import pytest

from resilience.households.duplicates import Index, Record, compare, name_similarity, normalize_name


def _sim(a: str, b: str) -> float:
    return name_similarity(normalize_name(a), normalize_name(b))


@pytest.mark.parametrize("a, b", [
    ("Ibu Sumiyati", "Sumiati"),
    ("Hj. Siti Aminah", "Siti Amina"),
    ("Muhammad Yusuf", "Moh. Yusup"),
    ("M. Rizki", "Muhamad Rizki"),
    ("Bapak Soekarno", "Pak Sukarno"),
    ("Djoko Santoso", "Joko Santoso"),
    ("Chairul Anwar", "Khairul Anwar"),
    ("Nur Hayati", "Nurhayati"),
    ("Arief Hidayat", "Arif Hidayat"),
    ("Taufiq Hasan", "Taufik Hassan"),
    ("Alm. H. Abdullah", "Abdulah"),
])
def test_spelling_variants_and_titles_are_one_name(a, b):
    assert _sim(a, b) >= 0.9, (normalize_name(a), normalize_name(b))


@pytest.mark.parametrize("a, b", [
    ("Sunarto", "Sunarti"),        # a man and a woman, not a typo
    ("Siti Aminah", "Siti Rahmah"),
    ("Ahmad Yani", "Ahmad Yanto"),
    ("Budi Santoso", "Agus Santoso"),
])
def test_different_names_are_not_similar(a, b):
    assert _sim(a, b) < 0.85


def _rec(id, name, **kw):
    return Record.of(id, name, **kw)


def test_same_name_far_apart_in_another_rt_is_not_proposed():
    a = _rec(1, "Muhammad Ali", area=7, rt="001", lat=-1.6346, lon=113.6858)
    b = _rec(2, "Muhammad Ali", area=7, rt="004", lat=-1.6446, lon=113.6958)
    c = _rec(3, "Muhammad Ali", area=8, lat=-1.7, lon=113.7)
    assert compare(a, b) is None and compare(a, c) is None and compare(b, c) is None
    assert Index([a, b, c]).pairs() == []


def test_variant_with_the_same_phone_ten_metres_apart_is_exact():
    a = _rec(1, "Ibu Sumiyati", phone_digest="p1", lat=-1.6346, lon=113.6858)
    b = _rec(2, "Sumiati", phone_digest="p1", lat=-1.63469, lon=113.6858)
    pair = compare(a, b)
    assert pair.exact and pair.score >= 0.9
    assert [r["code"] for r in pair.reasons] == ["same_phone", "similar_name", "near"]


def test_a_shared_phone_with_another_name_is_not_proposed():
    a = _rec(1, "Budi Santoso", phone_digest="p1", lat=-1.6346, lon=113.6858)
    b = _rec(2, "Siti Rahmah", phone_digest="p1", lat=-1.6347, lon=113.6859)
    assert compare(a, b) is None


def test_same_kk_is_always_proposed_and_exact():
    pair = compare(_rec(1, "Budi", kk_digest="k"), _rec(5, "Ani", kk_digest="k"))
    assert pair.exact and (pair.a, pair.b) == (1, 5) and pair.reasons[0] == {"code": "same_kk"}


def test_approximate_points_are_never_near_but_the_same_rt_counts():
    a = _rec(1, "Sumiyati", area=7, rt="003", lat=-1.6, lon=113.6, precision="kelurahan")
    b = _rec(2, "Sumiati", area=7, rt="003", lat=-1.6, lon=113.6, precision="kelurahan")
    c = _rec(3, "Sumiati", area=7, rt="005", lat=-1.6, lon=113.6, precision="kelurahan")
    assert [r["code"] for r in compare(a, b).reasons] == ["similar_name", "same_rt"]
    assert compare(a, c) is None


def test_two_measured_points_far_apart_are_two_places_whatever_rt_was_typed():
    """An RT is a neighbourhood: two GPS points 2 km apart with one RT typed are two families
    (a wrong RT, or a common name); 300 m apart the RT still counts (a map click is rough)."""
    here = _rec(1, "Siti Aminah", area=7, rt="003", lat=-1.6346, lon=113.6858)
    far = _rec(2, "Ibu Siti Aminah", area=7, rt="003", lat=-1.6346, lon=113.6858 + 0.018)  # about 2 km east
    close = _rec(3, "Ibu Siti Aminah", area=7, rt="003", lat=-1.6346, lon=113.6858 + 0.0027)  # about 300 m
    assert compare(here, far) is None
    assert [r["code"] for r in compare(here, close).reasons] == ["similar_name", "same_rt"]


def test_blocking_finds_the_pairs_a_full_comparison_finds():
    import random

    rng = random.Random(4)
    first = ["Siti", "Muhammad", "Ahmad", "Sri", "Dewi", "Budi", "Nur", "Agus"]
    last = ["Aminah", "Rahayu", "Santoso", "Hidayat", "Wati", "Susanto", "Lestari", "Yusuf"]
    records = []
    for i in range(1, 250):
        records.append(_rec(i, f"{rng.choice(first)} {rng.choice(last)}", area=rng.choice([1, 2]),
                            rt=rng.choice(["001", "002", None]), lat=-1.63 + rng.random() * 0.01,
                            lon=113.68 + rng.random() * 0.01, phone_digest=rng.choice(["a", "b", None, None, None]),
                            precision=rng.choice(["gps", "kelurahan"])))
    brute = {(p.a, p.b) for i, a in enumerate(records) for b in records[i + 1:] if (p := compare(a, b))}
    assert brute and {(p.a, p.b) for p in Index(records).pairs()} == brute
