"""Minimum-needs profiles and exact quantities: pure, no database."""

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from resilience.core.invalid import InvalidValue
from resilience.stock.profiles import ProfileError, estimate, load_profiles, parse_profiles
from resilience.stock.units import number, parse_decimal, to_milli


@pytest.fixture(scope="module")
def profiles():
    return {p.key: p for p in load_profiles()}


def _lines(profile):
    return {line.key: line for line in profile.lines}


# --- the shipped figures are the documented ones ---------------------------------------------
def test_bnpb_profile_has_the_perka_7_2008_figures(profiles):
    bnpb = _lines(profiles["bnpb"])
    assert (bnpb["rice"].amount, bnpb["rice"].unit, bnpb["rice"].period) == (Fraction("2.8"), "kg", "week")
    assert (bnpb["drinking_water"].amount, bnpb["drinking_water"].period) == (Fraction("17.5"), "week")
    assert (bnpb["clean_water"].amount, bnpb["clean_water"].period) == (67, "week")
    assert (bnpb["family_kit"].amount, bnpb["family_kit"].per_people, bnpb["family_kit"].period) == (1, 5, "week")
    assert (bnpb["toilet"].per_people, bnpb["toilet"].period, bnpb["toilet"].item_codes) == (20, "once", ())
    assert bnpb["rice"].item_codes == ("BERAS",) and bnpb["family_kit"].item_codes == ("FAMILY_KIT",)
    assert bnpb["rice"].extra_per_pregnant_or_lactating == Fraction("0.98")
    assert "ASSUMPTION" in bnpb["rice"].source and "3607" in bnpb["rice"].source
    assert "Perka BNPB No. 7 Tahun 2008" in profiles["bnpb"].name


def test_sphere_profile_has_15_litres_per_person_per_day(profiles):
    sphere = _lines(profiles["sphere"])
    assert (sphere["water"].amount, sphere["water"].period) == (15, "day")
    assert sphere["water"].item_codes == ("AIR_MINUM", "AIR_BERSIH")
    assert (sphere["toilet"].per_people, sphere["covered_area"].amount) == (20, Fraction("3.5"))
    assert "Sphere" in profiles["sphere"].source


# --- what a line needs -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "profile, key, people, pregnant, days, expected",
    [
        ("bnpb", "rice", 5, 0, 7, 14),            # 2.8 x 5
        ("bnpb", "rice", 5, 1, 7, 15),            # 14 + 0.98, rounded up
        ("bnpb", "rice", 1, 0, 1, 1),             # 0.4 kg → 1 kg: nobody is planned for as a fraction
        ("bnpb", "rice", 100, 10, 14, 580),       # (280 + 9.8) x 2 = 579.6 → 580
        ("bnpb", "drinking_water", 3, 0, 7, 53),  # 52.5 → 53
        ("bnpb", "clean_water", 7, 0, 1, 67),     # 67/7 per person per day, exactly
        ("bnpb", "family_kit", 12, 0, 7, 3),      # 12/5 = 2.4 → 3
        ("bnpb", "family_kit", 10, 0, 14, 4),
        ("bnpb", "toilet", 41, 0, 30, 3),         # once, whatever the days
        ("sphere", "water", 4, 2, 3, 180),        # 15 x 4 x 3; no extra for pregnancy
        ("sphere", "covered_area", 3, 0, 90, 11), # 10.5 m2 → 11
        ("bnpb", "rice", 0, 0, 7, 0),
    ],
)
def test_needed_per_line(profiles, profile, key, people, pregnant, days, expected):
    total, _ = _lines(profiles[profile])[key].needed(people, pregnant, days)
    assert total == expected


def test_extra_rice_is_reported_in_thousandths(profiles):
    rice = _lines(profiles["bnpb"])["rice"]
    assert rice.needed(5, 1, 7) == (15, 980)
    assert rice.needed(5, 3, 10) == (25, 4200)  # 3 x 0.98 x 10/7 = 4.2


def test_estimate_compares_with_stock_and_leaves_lines_without_items_open(profiles):
    lines = {row["key"]: row for row in estimate(
        profiles["bnpb"], people=12, pregnant_or_lactating=1, days=7,
        stock_milli={"BERAS": 10_500, "AIR_MINUM": 500_000, "FAMILY_KIT": 3_000},
        item_units={"BERAS": "kg", "AIR_MINUM": "l", "FAMILY_KIT": "paket"},
    )}
    assert (lines["rice"]["needed"], lines["rice"]["available"], lines["rice"]["shortfall"]) == (35, 10.5, 24.5)
    assert lines["rice"]["needed_for_pregnant_or_lactating"] == 0.98
    assert (lines["drinking_water"]["needed"], lines["drinking_water"]["shortfall"]) == (210, 0)
    assert (lines["clean_water"]["available"], lines["clean_water"]["shortfall"]) == (0, 804)
    assert (lines["family_kit"]["needed"], lines["family_kit"]["shortfall"]) == (3, 0)
    assert (lines["toilet"]["needed"], lines["toilet"]["available"], lines["toilet"]["shortfall"]) == (1, None, None)
    assert lines["rice"]["basis"] == "2.8 kg per person per week (+0.98 kg per pregnant or lactating woman per week)"
    assert lines["family_kit"]["basis"] == "1 paket per 5 people per week"


def test_estimate_adds_up_several_items_and_skips_other_units(profiles):
    [water, *_] = estimate(profiles["sphere"], people=2, pregnant_or_lactating=0, days=1,
                           stock_milli={"AIR_MINUM": 10_000, "AIR_BERSIH": 15_500},
                           item_units={"AIR_MINUM": "l", "AIR_BERSIH": "l"})
    assert (water["needed"], water["available"], water["shortfall"]) == (30, 25.5, 4.5)
    [water, *_] = estimate(profiles["sphere"], people=2, pregnant_or_lactating=0, days=1,
                           stock_milli={"AIR_MINUM": 10_000, "AIR_BERSIH": 15_000},
                           item_units={"AIR_MINUM": "l", "AIR_BERSIH": "pcs"})
    assert water["available"] == 10 and [i["code"] for i in water["ignored_items"]] == ["AIR_BERSIH"]


# --- profiles are data, checked when read ------------------------------------------------------
GOOD_LINE = {"key": "rice", "label": "Beras", "unit": "kg", "item_codes": ["BERAS"], "amount": 0.5, "period": "day"}


def _doc(**line):
    return {"profiles": [{"key": "p", "name": "P", "source": "s", "lines": [{**GOOD_LINE, **line}]}]}


@pytest.mark.parametrize(
    "document, fragment",
    [
        ({}, '"profiles"'),
        ({"profiles": []}, '"profiles"'),
        ({"profiles": [{"key": "p", "name": "P", "source": "s", "lines": []}]}, "lines"),
        ({"profiles": [{"key": "p", "name": "P", "lines": [GOOD_LINE]}]}, "source"),
        (_doc(amount=0), "amount"),
        (_doc(amount=-1), "amount"),
        (_doc(amount="banyak"), "amount"),
        (_doc(amount=float("nan")), "amount"),
        (_doc(amount=True), "amount"),
        (_doc(period="month"), "period"),
        (_doc(per_people=0), "per_people"),
        (_doc(unit="karung"), "unit"),
        (_doc(item_codes="BERAS"), "item_codes"),
        (_doc(extra_per_pregnant_or_lactating=-0.5), "extra_per_pregnant_or_lactating"),
        ({"profiles": [_doc()["profiles"][0]] * 2}, "same key"),
    ],
)
def test_malformed_profiles_are_refused_with_the_place_named(document, fragment):
    with pytest.raises(ProfileError) as caught:
        parse_profiles(document)
    assert fragment in str(caught.value)


def test_a_line_without_items_may_use_any_unit_and_codes_are_upper_case():
    [profile] = parse_profiles({"profiles": [{"key": "p", "name": "P", "source": "s", "lines": [
        {"key": "area", "label": "Luas", "unit": "m2", "amount": 3.5, "period": "once"},
        {**GOOD_LINE, "item_codes": ["beras"]},
    ]}]})
    assert profile.lines[0].item_codes == () and profile.lines[1].item_codes == ("BERAS",)


def test_load_profiles_from_a_file(tmp_path):
    path = tmp_path / "minimum_needs.json"
    path.write_text(json.dumps(_doc()))
    assert [p.key for p in load_profiles(path)] == ["p"]
    path.write_text("{not json")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profiles(path)


# --- exact quantities ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, unit, milli",
    [(14, "kg", 14_000), (2.8, "kg", 2_800), (0.1, "l", 100), ("17.5", "l", 17_500), (1.125, "kg", 1_125),
     (3, "pcs", 3_000), (12.0, "paket", 12_000), (-2, "kg", -2_000), ("1E+2", "pcs", 100_000)],
)
def test_quantities_are_exact_thousandths(value, unit, milli):
    assert to_milli(parse_decimal(value), unit) == milli


@pytest.mark.parametrize(
    "value, unit, fragment",
    [(1.0005, "kg", "at most 3 decimals"), (0.30000000000000004, "l", "at most 3 decimals"),
     (1.5, "pcs", "whole units"), ("2.5", "paket", "whole units")],
)
def test_too_many_decimals_for_the_unit(value, unit, fragment):
    with pytest.raises(InvalidValue, match=fragment):
        to_milli(parse_decimal(value), unit)


@pytest.mark.parametrize("value", [True, None, [], {}, "banyak", "1,5", "NaN", "Infinity", 1e10, "-2000000000"])
def test_not_a_quantity(value):
    with pytest.raises(InvalidValue):
        parse_decimal(value)


def test_numbers_read_back_as_people_write_them():
    assert [number(m) for m in (14_000, 2_500, -250, 0, 1, Decimal("86000"))] == [14, 2.5, -0.25, 0, 0.001, 86]
    assert isinstance(number(14_000), int)
