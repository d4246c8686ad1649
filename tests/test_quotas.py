"""Senior caps, level splits and the quota table (spec §2; P6 §9, §11).

Every expected number is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffcalc import policy as policy_mod
from staffcalc import quotas
from staffcalc.quotas import QuotaError, senior_cap, split_levels

POL = policy_mod.load("2026-09-01")
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


# --------------------------------------------------------------------------------------------
# senior_cap (P6 §9)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("est, cat, expected", [
    (20, "A", 13),   # 20 × 0.65 = 13
    (20, "B", 10),   # 20 × 0.50 = 10
    (20, "C", 9),    # 20 × 0.45 = 9
    (33, "A", 21),   # 33 × 0.65 = 21.45 → 21
    (41, "B", 20),   # 41 × 0.50 = 20.5 → 20 (a ceiling: round down)
    (0, "C", 0),
])
def test_p6_s9_senior_cap_is_floor_of_establishment_times_ratio(est, cat, expected):
    assert senior_cap(est, cat, policy=POL) == expected


@pytest.mark.parametrize("est, expected", [(180, 63), (340, 119), (360, 126)])
def test_p6_s9_senior_cap_exact_where_float_product_lands_below_integer(est, expected):
    # C with −10 points: 0.35 × 180 = 63, 0.35 × 340 = 119, 0.35 × 360 = 126 exactly;
    # in floats 0.45 − 0.1 = 0.3499999… so the naive floor gives one post fewer.
    assert math.floor(est * (0.45 - 0.10)) == expected - 1
    assert senior_cap(est, "C", -0.10, policy=POL) == expected


@pytest.mark.parametrize("est, cat, adj, expected", [
    (20, "A", 0.05, 14),    # 0.70 × 20 = 14
    (40, "A", 0.10, 30),    # 0.75 × 40 = 30 (the limit itself is allowed: 不得超过)
    (60, "B", -0.10, 24),   # 0.40 × 60 = 24
    (60, "C", 0.05, 30),    # 0.50 × 60 = 30
    (20, "C", -0.05, 8),    # 0.40 × 20 = 8
])
def test_p6_s9_adjustment_in_percentage_points(est, cat, adj, expected):
    assert senior_cap(est, cat, adj, policy=POL) == expected


@pytest.mark.parametrize("adj", [0.1000001, -0.11, 0.2])
def test_p6_s9_adjustment_beyond_ten_percent_is_an_error_not_clamped(adj):
    with pytest.raises(QuotaError, match=r"adjustment.*category A.*10%"):
        senior_cap(20, "A", adj, policy=POL)


def test_p6_s9_adjustment_limit_in_the_message_comes_from_the_policy():
    wider = POL.override({"quotas.adjustment_limit": 0.15})
    assert senior_cap(20, "A", 0.15, policy=wider) == 16  # 0.80 × 20: allowed under the wider limit
    with pytest.raises(QuotaError, match=r"outside ±3/20 \(15%; P6 §9 浮动不得超过15%\)"):
        senior_cap(20, "A", 0.2, policy=wider)


@pytest.mark.parametrize("est,cat,floor_cap,half_up_cap", [
    (10, "A", 6, 7),    # 6.5: the half goes down under floor, up under half_up
    (10, "C", 4, 5),    # 4.5
    (11, "A", 7, 7),    # 7.15: both readings give 7
    (19, "C", 8, 9),    # 8.55
    (20, "B", 10, 10),  # 10 exactly
])
def test_spec_2_2_cap_rounds_down_and_the_half_up_alternative_switches(est, cat, floor_cap, half_up_cap):
    assert senior_cap(est, cat, policy=POL) == floor_cap
    assert senior_cap(est, cat, policy=POL.override({"quotas.cap_rounding": "half_up"})) == half_up_cap


def test_p6_s9_adjustment_relative_reading():
    rel = POL.override({"quotas.adjustment_mode": "relative"})
    # 0.65 × 1.10 = 0.715; × 20 = 14.3 → 14; × 200 = 143 exactly
    assert senior_cap(20, "A", 0.10, policy=rel) == 14
    assert senior_cap(200, "A", 0.10, policy=rel) == 143
    # 0.65 × 0.90 = 0.585; × 200 = 117; percentage points would give 0.55 × 200 = 110
    assert senior_cap(200, "A", -0.10, policy=rel) == 117
    assert senior_cap(200, "A", -0.10, policy=POL) == 110


def test_p6_s9_senior_cap_arrays_and_series():
    caps = senior_cap(np.array([20, 40, 60]), np.array(["A", "B", "C"]), policy=POL)
    # 13, 20, floor(27.0) = 27
    assert caps.tolist() == [13, 20, 27]
    s = senior_cap(pd.Series([20, 20], index=["x", "y"]), pd.Series(["A", "C"], index=["x", "y"]), policy=POL)
    assert s.to_dict() == {"x": 13, "y": 9}


def test_p6_s9_senior_cap_adjustment_by_category_mapping():
    # B gets +5 points: 20 × 0.55 = 11; A unchanged 13
    caps = senior_cap([20, 20], ["A", "B"], {"B": 0.05}, policy=POL)
    assert caps.tolist() == [13, 11]


def test_p6_s9_senior_cap_follows_policy_override():
    assert senior_cap(20, "A", policy=POL.override({"quotas.senior_ratio.A": 0.7})) == 14


def test_p6_s9_unknown_category_names_it():
    with pytest.raises(QuotaError, match=r"row 1, column category: unknown category D"):
        senior_cap([20, 20], ["A", "D"], policy=POL)


@pytest.mark.parametrize("est, msg", [(-1, "below 0"), (12.5, "not a whole number"), (np.nan, "missing"),
                                      ("x", "not a number")])
def test_p6_s9_bad_establishment_raises(est, msg):
    with pytest.raises(QuotaError, match=msg):
        senior_cap(est, "A", policy=POL)


@given(st.integers(0, 5000), st.sampled_from(["A", "B", "C"]),
       st.sampled_from([-0.10, -0.07, -0.05, -0.03, 0.0, 0.02, 0.05, 0.08, 0.10]))
def test_p6_s9_caps_non_decreasing_in_establishment(est, cat, adj):
    a = senior_cap(est, cat, adj, policy=POL)
    b = senior_cap(est + 1, cat, adj, policy=POL)
    assert a <= b
    # and the cap is the floor: cap ≤ exact share < cap + 1
    exact = est * (Fraction(str(POL.get(f"quotas.senior_ratio.{cat}"))) + Fraction(str(adj)))
    assert a <= exact < a + 1


# --------------------------------------------------------------------------------------------
# split_levels (P6 §11, spec §2.4)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, ratios, method, expected", [
    (13, [2, 3, 5], "cap_upper", [2, 3, 8]),            # floor 2.6, floor 3.9, rest 8
    (13, [2, 3, 5], "largest_remainder", [3, 4, 6]),    # 2.6 3.9 6.5 → 2 3 6, 2 left → .9 then .6
    (10, [2, 4, 4], "cap_upper", [2, 4, 4]),
    (10, [2, 4, 4], "largest_remainder", [2, 4, 4]),
    (7, [5, 5], "cap_upper", [3, 4]),                   # floor 3.5, rest 4
    (7, [5, 5], "largest_remainder", [3, 4]),           # 3.5/3.5 tie → the lower level
    (3, [2, 3, 5], "cap_upper", [0, 0, 3]),             # 0.6 0.9 → 0 0, rest 3
    (3, [2, 3, 5], "largest_remainder", [1, 1, 1]),     # 0.6 0.9 1.5 → 0 0 1, 2 left → .9 .6
    (1, [2, 4, 4], "largest_remainder", [0, 0, 1]),     # 0.2 0.4 0.4 → tie .4/.4 → level 7
    (2, [3, 4, 3], "largest_remainder", [0, 1, 1]),     # 0.6 0.8 0.6 → .8, then tie .6/.6 → level 10
    (2, [3, 4, 3], "cap_upper", [0, 0, 2]),
    (0, [2, 3, 5], "cap_upper", [0, 0, 0]),
])
def test_p6_s11_split_levels_examples(n, ratios, method, expected):
    assert split_levels(n, ratios, method) == expected


def test_p6_s11_split_levels_default_is_cap_upper_and_group_names():
    assert split_levels(13, [2, 3, 5]) == [2, 3, 8]
    assert split_levels(13, "full", policy=POL) == [2, 3, 8]              # policy level_ratios.full = 2:3:5
    assert split_levels(10, "associate", "largest_remainder", policy=POL) == [2, 4, 4]


def test_p6_s11_split_levels_accepts_decimal_ratios_exactly():
    # 0.2 : 0.3 : 0.5 is 2 : 3 : 5
    assert split_levels(13, [0.2, 0.3, 0.5], "largest_remainder") == [3, 4, 6]


def test_p6_s11_split_levels_vectorised_over_totals():
    parts = split_levels(np.array([13, 10, 7]), [2, 3, 5])
    # 13 → 2 3 8; 10 → 2 3 5; 7 → floor 1.4, floor 2.1, rest 4
    assert parts.tolist() == [[2, 3, 8], [2, 3, 5], [1, 2, 4]]
    assert quotas.split_levels_array([13], [5, 5], "largest_remainder").tolist() == [[6, 7]]


@pytest.mark.parametrize("total, ratios, method, msg", [
    (-1, [2, 3, 5], "cap_upper", "below 0"),
    (2.5, [2, 3, 5], "cap_upper", "whole number"),
    (10, [2, 0, 5], "cap_upper", "positive"),
    (10, [], "cap_upper", "empty"),
    (10, [2, 3, 5], "round", "not one of"),
    (10, "nonsense", "cap_upper", "unknown level group"),
])
def test_p6_s11_split_levels_bad_input(total, ratios, method, msg):
    with pytest.raises(QuotaError, match=msg):
        split_levels(total, ratios, method, policy=POL)


ratio_lists = st.lists(st.integers(1, 10), min_size=2, max_size=4)


@given(st.integers(0, 10_000), ratio_lists, st.sampled_from(["cap_upper", "largest_remainder"]))
def test_p6_s11_split_parts_sum_to_total(n, ratios, method):
    parts = split_levels(n, ratios, method)
    assert sum(parts) == n and all(p >= 0 for p in parts)


@given(st.integers(0, 10_000), ratio_lists)
def test_p6_s11_cap_upper_never_exceeds_exact_share_above_lowest_level(n, ratios):
    parts = split_levels(n, ratios, "cap_upper")
    exact = [Fraction(n * r, sum(ratios)) for r in ratios]
    assert all(p <= e for p, e in zip(parts[:-1], exact[:-1]))
    assert parts[-1] >= exact[-1]


@given(st.integers(0, 10_000), ratio_lists)
def test_p6_s11_largest_remainder_within_one_of_exact_share(n, ratios):
    parts = split_levels(n, ratios, "largest_remainder")
    exact = [Fraction(n * r, sum(ratios)) for r in ratios]
    assert all(abs(p - e) < 1 for p, e in zip(parts, exact))


@given(st.lists(st.integers(0, 500), min_size=1, max_size=30), ratio_lists,
       st.sampled_from(["cap_upper", "largest_remainder"]))
@settings(max_examples=50)
def test_p6_s11_vectorised_split_equals_scalar_split(totals, ratios, method):
    parts = split_levels(np.array(totals), ratios, method)
    assert parts.tolist() == [split_levels(t, ratios, method) for t in totals]


# --------------------------------------------------------------------------------------------
# full/associate split (spec §2.3)
# --------------------------------------------------------------------------------------------
def test_spec_s2_3_full_share_floor_rest_associate():
    full, assoc = quotas.full_associate_split(np.array([13, 4, 3, 0]), 0.4, "floor")
    # 13 × 0.4 = 5.2 → 5 / 8; 4 × 0.4 = 1.6 → 1 / 3; 3 × 0.4 = 1.2 → 1 / 2; 0 → 0 / 0
    assert full.tolist() == [5, 1, 1, 0] and assoc.tolist() == [8, 3, 2, 0]
    full, _ = quotas.full_associate_split(np.array([13, 4, 5]), 0.3, "half_up")
    # 3.9 → 4; 1.2 → 1; 1.5 → 2
    assert full.tolist() == [4, 1, 2]
    with pytest.raises(QuotaError, match="outside"):
        quotas.full_associate_split(np.array([1]), 1.2, "floor")


def test_spec_s2_3_full_share_is_an_assumption_in_the_policy():
    ref = POL.references("quotas").set_index("path")
    assert ref.loc["quotas.full_senior_share", "assumption"]
    assert ref.loc["quotas.split_method", "interpretation"]
    assert ref.loc["quotas.adjustment_mode", "interpretation"]


# --------------------------------------------------------------------------------------------
# quota table (spec §2.5)
# --------------------------------------------------------------------------------------------
def _roster(spec):
    """spec: {discipline: {level: count}}, all on the establishment."""
    rows = [(d, lv) for d, levels in spec.items() for lv, k in levels.items() for _ in range(k)]
    return pd.DataFrame({"discipline_id": [d for d, _ in rows], "post_level": [lv for _, lv in rows],
                         "on_establishment": True})


@pytest.fixture
def small():
    disc = pd.DataFrame({
        "discipline_id": ["D1", "D2", "D3"], "discipline_name": ["甲", "乙", "丙"],
        "unit_id": ["U1", "U1", "U2"], "unit_name": ["一院", "一院", "二院"],
        "category": ["A", "C", "B"], "establishment": [20, 10, 7],
    })
    staff = _roster({
        "D1": {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3, 7: 3, 8: 2, 9: 1, 10: 1, 11: 1},
        "D2": {4: 1, 6: 1, 7: 1, 9: 3, 11: 2},
        "D3": {10: 2, 12: 1},
    })
    off = pd.DataFrame({"discipline_id": ["D1"], "post_level": [4], "on_establishment": [False]})
    return disc, pd.concat([staff, off], ignore_index=True)


def test_p6_s9_s11_quota_table_hand_worked(small):
    disc, staff = small
    t = quotas.quota_table(disc, staff, POL).set_index("discipline_id")
    d1 = t.loc["D1"]
    # D1: A, 20 × 0.65 = 13; full floor(13 × 0.4) = 5, associate 8
    assert (d1.senior_cap, d1.full_cap, d1.associate_cap) == (13, 5, 8)
    # full levels: 5 minus the level-1 post = 4 at 2:3:5 → 0, 1, 3;  associate 8 at 2:4:4 → 1, 3, 4
    assert [d1[f"cap_L{lv}"] for lv in range(2, 8)] == [0, 1, 3, 1, 3, 4]
    # occupied (on establishment only; the contract L4 does not count): full 1+1+2+2 = 6, associate 8
    assert (d1.occupied_full, d1.occupied_associate, d1.occupied_senior) == (6, 8, 14)
    assert d1.occupied_L4 == 2
    assert (d1.vacancy_senior, d1.vacancy_full, d1.vacancy_associate) == (-1, -1, 0)
    # level vacancies: L2 0−1, L3 1−2, L4 3−2, L5 1−2, L6 3−3, L7 4−3
    assert [d1[f"vacancy_L{lv}"] for lv in range(2, 8)] == [-1, -1, 1, -1, 0, 1]
    assert d1.over_quota and d1.over_quota_items == "senior;full;L2;L3;L5"
    # intermediate 2+1+1 = 4 at 3:4:3 → floor 1.2, floor 1.6, rest 2; junior 1 at 5:5 → 0, 1
    assert [d1[f"guide_L{lv}"] for lv in range(8, 13)] == [1, 1, 2, 0, 1]
    d2 = t.loc["D2"]
    # D2: C, 10 × 0.45 = 4.5 → 4; full floor(1.6) = 1, associate 3 → 2:4:4 → 0, 1, 2
    assert (d2.senior_cap, d2.full_cap, d2.associate_cap) == (4, 1, 3)
    assert [d2[f"cap_L{lv}"] for lv in range(2, 8)] == [0, 0, 1, 0, 1, 2]
    assert (d2.vacancy_senior, d2.over_quota, d2.over_quota_items) == (1, False, "")
    d3 = t.loc["D3"]
    # D3: B, 7 × 0.5 = 3.5 → 3; no senior staff
    assert (d3.senior_cap, d3.occupied_senior, d3.vacancy_senior) == (3, 0, 3)
    assert (d3.occupied_intermediate, d3.occupied_junior) == (2, 1)
    assert t.loc["D1", "cap_clause"].startswith("P6 §9") and (t["cap_source"] == "policy").all()


def test_p6_s11_quota_table_largest_remainder(small):
    disc, staff = small
    t = quotas.quota_table(disc, staff, POL, method="largest_remainder").set_index("discipline_id")
    # D1 full 4 at 2:3:5 → 0.8 1.2 2.0 → 0 1 2 + the .8 → 1 1 2; associate 8 → 1.6 3.2 3.2 → 1 3 3 + .6 → 2 3 3
    assert [t.loc["D1", f"cap_L{lv}"] for lv in range(2, 8)] == [1, 1, 2, 2, 3, 3]
    assert (t["method"] == "largest_remainder").all()


def test_p6_s9_quota_table_adjustment_share_and_unit(small):
    disc, staff = small
    t = quotas.quota_table(disc, staff, POL, adjustment={"A": 0.05, "B": 0.0, "C": -0.05},
                           full_senior_share=0.5).set_index("discipline_id")
    # D1: 20 × 0.70 = 14, full 7; D2: 10 × 0.40 = 4, full 2; D3: 3, full floor(1.5) = 1
    assert t["senior_cap"].tolist() == [14, 4, 3]
    assert t["full_cap"].tolist() == [7, 2, 1]
    assert t.loc["D1", "ratio_used"] == pytest.approx(0.70)
    only = quotas.quota_table(disc, staff, POL, unit="二院")
    assert only["discipline_id"].tolist() == ["D3"]
    assert quotas.quota_table(disc, staff, POL, unit="U1")["discipline_id"].tolist() == ["D1", "D2"]
    with pytest.raises(QuotaError, match="no discipline in this unit"):
        quotas.quota_table(disc, staff, POL, unit="U9")
    with pytest.raises(QuotaError, match="outside"):
        quotas.quota_table(disc, staff, POL, adjustment={"A": 0.15})


def test_p6_s9_president_override_is_reported(small):
    disc, staff = small
    t = quotas.quota_table(disc, staff, POL, president_override={"D3": 5}).set_index("discipline_id")
    # D3 formula cap 3, set to 5 by the president: full floor(2.0) = 2, associate 3
    assert (t.loc["D3", "formula_cap"], t.loc["D3", "senior_cap"], t.loc["D3", "full_cap"]) == (3, 5, 2)
    assert t.loc["D3", "cap_source"] == "president_override"
    assert "校长具有一定的岗位调节权" in t.loc["D3", "cap_clause"]
    assert t.loc["D1", "cap_source"] == "policy"
    with pytest.raises(QuotaError, match="unknown discipline_id"):
        quotas.quota_table(disc, staff, POL, president_override={"D9": 5})
    with pytest.raises(QuotaError, match="below 0"):
        quotas.quota_table(disc, staff, POL, president_override={"D3": -1})
    no_power = POL.override({"quotas.president_adjustment": False})
    with pytest.raises(QuotaError, match="president_adjustment"):
        quotas.quota_table(disc, staff, no_power, president_override={"D3": 5})


def test_p6_s9_interpretation_switches(small):
    disc, staff = small
    # level 1 outside the cap: D1 full occupied 5, senior 13 → vacancy 0; full split 5 → 1, 1, 3
    t = quotas.quota_table(disc, staff, POL.override({"quotas.level_1_in_senior_cap": False})).set_index("discipline_id")
    assert (t.loc["D1", "occupied_senior"], t.loc["D1", "vacancy_senior"]) == (13, 0)
    assert [t.loc["D1", f"cap_L{lv}"] for lv in (2, 3, 4)] == [1, 1, 3]
    # all staff count: D1 has 3 at level 4
    t = quotas.quota_table(disc, staff, POL.override({"quotas.occupancy_basis": "all_staff"})).set_index("discipline_id")
    assert t.loc["D1", "occupied_L4"] == 3
    # full share rounding half up: D2 4 × 0.4 = 1.6 → 2
    t = quotas.quota_table(disc, staff, POL.override({"quotas.full_senior_rounding": "half_up"})).set_index("discipline_id")
    assert t.loc["D2", "full_cap"] == 2


def test_spec_s2_5_totals_per_unit_and_school(small):
    disc, staff = small
    tot = quotas.quota_totals(quotas.quota_table(disc, staff, POL)).set_index("unit_id")
    # U1: caps 13 + 4 = 17, occupied 14 + 3 = 17, vacancy −1 + 1 = 0, but 1 post over in D1
    assert (tot.loc["U1", "senior_cap"], tot.loc["U1", "occupied_senior"], tot.loc["U1", "vacancy_senior"]) == (17, 17, 0)
    assert (tot.loc["U1", "excess_senior"], tot.loc["U1", "disciplines_over_quota"]) == (1, 1)
    assert bool(tot.loc["U1", "over_quota"])
    # school: 13 + 4 + 3 = 20 caps, 3 disciplines
    assert (tot.loc["ALL", "senior_cap"], tot.loc["ALL", "disciplines"], tot.loc["ALL", "unit_name"]) == (20, 3, "全校合计")
    pyramid = quotas.level_summary(quotas.quota_table(disc, staff, POL), POL).set_index("post_level")
    # level 6: caps 3 + 1 + 0 = 4, held 3 + 1 = 4; level 9 uncapped, held 1 + 3 = 4
    assert (pyramid.loc[6, "level_cap"], pyramid.loc[6, "occupied"]) == (4, 4)
    assert np.isnan(pyramid.loc[9, "level_cap"]) and pyramid.loc[9, "occupied"] == 4


def test_spec_s2_5_bad_roster_raises(small):
    disc, staff = small
    bad = staff.copy()
    bad.loc[3, "discipline_id"] = "D9"
    with pytest.raises(QuotaError, match=r"table staff, row 3, column discipline_id: unknown discipline \['D9'\]"):
        quotas.quota_table(disc, bad, POL)
    bad = staff.copy()
    bad.loc[2, "post_level"] = 14
    with pytest.raises(QuotaError, match="row 2, column post_level"):
        quotas.quota_table(disc, bad, POL)
    dup = pd.concat([disc, disc.iloc[[0]]], ignore_index=True)
    with pytest.raises(QuotaError, match="duplicated"):
        quotas.quota_table(dup, staff, POL)
    # no category and no programme columns to derive it from (P6 §9)
    with pytest.raises(QuotaError, match=r"table disciplines, row D1, .*column category: no category .*category_unknown"):
        quotas.quota_table(disc.drop(columns=["category"]), staff, POL)


# --------------------------------------------------------------------------------------------
# sample institution and speed
# --------------------------------------------------------------------------------------------
def test_sample_institution_has_over_quota_disciplines_and_is_deterministic():
    from staffcalc.sample import institution as si
    a = si.generate(np.random.default_rng([7, 0]), {}, 3000, dt.date(2026, 9, 1))
    b = si.generate(np.random.default_rng([7, 0]), {}, 3000, dt.date(2026, 9, 1))
    for kind in a:
        pd.testing.assert_frame_equal(a[kind], b[kind])
    per_unit = a["disciplines"].groupby("unit_id").size()
    assert len(per_unit) == 20 and per_unit.between(2, 6).all() and per_unit.nunique() > 1
    assert set(a["disciplines"]["category"]) == {"A", "B", "C"}
    t = quotas.quota_table(a["disciplines"], a["staff"], POL)
    assert 0 < (t["vacancy_senior"] < 0).sum() < len(t)
    # ID numbers are fake (region 99) and carry the birth date
    ids = a["staff"]["id_number"].astype(str)
    assert ids.str.match(r"^99\d{15}[\dX]$").all()
    assert (ids.str.slice(6, 14) == a["staff"]["birth_date"].dt.strftime("%Y%m%d")).all()


# --------------------------------------------------------------------------------------------
# the policy file cites the seed
# --------------------------------------------------------------------------------------------
@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="shared/seeds not beside the repository")
def test_p6_policy_reference_texts_are_copied_from_the_seed():
    seed = next(SEED_DIR.glob("001_*.txt")).read_text(encoding="utf-8")
    p6 = seed[seed.index("第五篇"):].replace("\n", "")
    doc = policy_mod.read_document(Path(quotas.__file__).parent / "policies" / "p6_wuhan_posts.yaml")
    checked = 0
    for path, prm in doc.parameters.items():
        if prm.document == "spec":
            continue
        for chunk in re.split(r"\s*…\s*", prm.text):
            assert chunk in p6, f"{path}: {chunk!r} not in the seed"
            checked += 1
    assert checked > 50
