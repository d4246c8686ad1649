"""staffcalc.outlook on a tiny roster worked by hand (as of 2026-09-01, three periods).

Periods: 1 = 2026-09…2027-08, 2 = 2027-09…2028-08, 3 = 2028-09…2029-08.
D1 (A, establishment 10): senior cap floor(10 × 0.65) = 6, full floor(6 × 0.4) = 2, associate 4.
D2 (C, establishment 10): senior cap floor(4.5) = 4, full floor(1.6) = 1, associate 3.
Retirement months (N1, see test_outlook_retirement.py for the rule):
  S1  man 1966-05, L3, D1: 60 in 2026-05, k = 16 → +5 → 2026-10          period 1
  S2  woman 1971-03, L6, D1: 55 in 2026-03, k = 14 → +4 → 2026-07        already past: period 1
  S3  man 1967-06, L6, D1: 2027-06, k = 29 → +8 → 2028-02                 period 2
  S4  as S3 but not on the establishment                                  period 2, releases no post
  S5  woman 1973-01, L9, D2: 2028-01, k = 36 → +10 → 2028-11               period 3 (intermediate)
  S6  man 1968-09, L4, D2: 2028-09, k = 44 → +12 → 2029-09                 after period 3
  S11 woman 1972-02, L5, D2: 2027-02, k = 25 → +7 → 2027-09                first month of period 2
  S12 woman 1972-01, L5, D2: 2027-01, k = 24 → +7 → 2027-08                last month of period 1
  S7–S10 retire after 2029.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from staffcalc import policy
from staffcalc.outlook import OutlookError, outlook, periods

POL = policy.load("2026-09-01")
DISC = pd.DataFrame({
    "discipline_id": ["D1", "D2"], "discipline_name": ["物理学", "化学"], "unit_id": ["U1", "U1"],
    "unit_name": ["理学院", "理学院"], "category": ["A", "C"], "establishment": [10, 10],
})
ROWS = [  # staff_id, discipline, level, sex, birth, on establishment
    ("S1", "D1", 3, "男", "1966-05-10", True), ("S2", "D1", 6, "女", "1971-03-01", True),
    ("S3", "D1", 6, "男", "1967-06-01", True), ("S4", "D1", 6, "男", "1967-06-01", False),
    ("S5", "D2", 9, "女", "1973-01-01", True), ("S6", "D2", 4, "男", "1968-09-01", True),
    ("S7", "D1", 2, "女", "1980-01-01", True), ("S8", "D1", 5, "男", "1975-01-01", True),
    ("S9", "D1", 7, "女", "1985-01-01", True), ("S10", "D1", 4, "男", "1970-03-01", True),
    ("S11", "D2", 5, "女", "1972-02-01", True), ("S12", "D2", 5, "女", "1972-01-01", True),
]
STAFF = pd.DataFrame(ROWS, columns=["staff_id", "discipline_id", "post_level", "sex", "birth_date", "on_establishment"])
STAFF["birth_date"] = pd.to_datetime(STAFF["birth_date"])


def run(pol=POL, **kw):
    return outlook(DISC, STAFF, pol, years=3, **kw)


def senior(o, disc):
    return o.senior[o.senior["discipline_id"] == disc].set_index("outlook_year")


def test_periods_are_twelve_months_from_the_as_of_month():
    p = periods(dt.date(2026, 9, 1), 3)
    assert p["outlook_period"].tolist() == ["2026-09至2027-08", "2027-09至2028-08", "2028-09至2029-08"]
    with pytest.raises(OutlookError, match="years"):
        periods(dt.date(2026, 9, 1), 0)


def test_retirements_and_posts_released_by_discipline_level_and_period():
    o = run()
    got = {(r.discipline_id, r.outlook_year, r.post_level): (r.retirements, r.posts_released)
           for r in o.by_level.itertuples()}
    assert got == {
        ("D1", 1, 3): (1, 1), ("D1", 1, 6): (1, 1),       # S1; S2 (already past her month)
        ("D1", 2, 6): (2, 1),                              # S3 and S4 (S4 holds no post on the establishment)
        ("D2", 1, 5): (1, 1), ("D2", 2, 5): (1, 1),       # S12 in 2027-08, S11 in 2027-09
        ("D2", 3, 9): (1, 1),                              # S5; S6 retires after the window
    }
    lv = o.levels.set_index(["outlook_year", "post_level"])
    assert lv.loc[(2, 6), "retirements"] == 2 and lv.loc[(2, 6), "posts_released"] == 1
    assert o.levels["posts_released"].sum() == 6 and len(o.levels) == 3 * 13


def test_projected_senior_vacancies_under_the_current_caps():
    o = run()
    d1, d2 = senior(o, "D1"), senior(o, "D2")
    assert d1["senior_cap"].tolist() == [6] * 3 and d1["full_cap"].tolist() == [2] * 3
    # D1 holds 7 senior posts now (3 full, 4 associate): one over its cap
    assert d1["released_senior"].tolist() == [2, 1, 0]
    assert d1["released_full"].tolist() == [1, 0, 0] and d1["released_associate"].tolist() == [1, 1, 0]
    assert d1["projected_occupied_senior"].tolist() == [5, 4, 4]
    assert d1["projected_vacancy_senior"].tolist() == [1, 2, 2]
    assert d1["projected_vacancy_full"].tolist() == [0, 0, 0]
    assert d1["projected_over_cap"].tolist() == [False, False, False]
    assert d2["released_senior"].tolist() == [1, 1, 0]                  # S5 is intermediate
    assert d2["projected_vacancy_senior"].tolist() == [2, 3, 3]
    u = o.units.set_index("outlook_year")
    assert u["released_senior"].tolist() == [3, 2, 0] and u["projected_vacancy_senior"].tolist() == [3, 5, 5]
    school = o.school.set_index("outlook_year")                       # one unit: the school equals it
    assert school["projected_vacancy_senior"].tolist() == [3, 5, 5]
    assert school["projected_disciplines_over_cap"].tolist() == [0, 0, 0] and school["senior_cap"].tolist() == [10] * 3


def test_what_if_on_the_caps_flows_through():
    o = run(POL.override({"quotas.senior_ratio.A": 0.75}))      # D1 cap floor(7.5) = 7
    assert senior(o, "D1")["projected_vacancy_senior"].tolist() == [2, 3, 3]
    o = run(adjustment={"A": -0.05})                             # floor(6.0) = 6: unchanged
    assert senior(o, "D1")["projected_vacancy_senior"].tolist() == [1, 2, 2]


def test_what_if_on_the_retirement_assumptions_flows_through():
    o = run(POL.override({"retirement.flexible.assumed_months": 12}))
    # S1 → 2027-10 (period 2); S2 → 2027-07 (period 1); S12 → 2028-08 (period 2); S11 → 2028-09 (period 3)
    d1, d2 = senior(o, "D1"), senior(o, "D2")
    assert d1["released_full"].tolist() == [0, 1, 0]
    assert d2["released_senior"].tolist() == [0, 1, 1]
    women = run(POL.override({"retirement.women_senior_at_60.enabled": True}))
    # S2 (level 6) on the men's schedule: 60 in 2031-03 → leaves the window
    assert senior(women, "D1")["released_associate"].tolist() == [0, 1, 0]


def test_occupancy_basis_all_staff_counts_the_post_of_s4_too():
    o = run(POL.override({"quotas.occupancy_basis": "all_staff"}))
    assert senior(o, "D1")["released_senior"].tolist() == [2, 2, 0]


def test_unit_argument_keeps_one_unit_and_totals_match_a_direct_count():
    o = run(unit="U1")
    assert len(o.senior) == 2 * 3
    assert o.by_level["retirements"].sum() == 7                   # S1 S2 S3 S4 S5 S11 S12


def test_bad_input():
    with pytest.raises(OutlookError, match=r"missing column\(s\) \['sex'\]"):
        outlook(DISC, STAFF.drop(columns=["sex"]), POL)
    with pytest.raises(ValueError, match="sex"):
        outlook(DISC, STAFF.assign(sex=["男"] * 11 + ["F"]), POL)
    with pytest.raises(OutlookError, match="years"):
        outlook(DISC, STAFF, POL, years=-1)


def test_sample_outlook_equals_a_direct_count_of_retirement_months():
    from staffcalc.retirement import retirement_month
    from staffcalc.sample import institution
    t = institution.generate(np.random.default_rng([11, 0]), {}, 3000, dt.date(2026, 9, 1))
    o = outlook(t["disciplines"], t["staff"], POL)
    staff = t["staff"]
    m = retirement_month(staff["birth_date"], staff["sex"], policy=POL).astype(np.int64)
    start = np.datetime64("2026-09", "M").astype(np.int64)
    senior_on_est = (staff["post_level"].to_numpy() <= 7) & staff["on_establishment"].to_numpy()
    for k in range(1, 6):
        in_period = (m >= start + 12 * (k - 1)) & (m < start + 12 * k)
        assert o.levels.loc[o.levels["outlook_year"] == k, "retirements"].sum() == in_period.sum()
        assert o.senior.loc[o.senior["outlook_year"] == k, "released_senior"].sum() == (in_period & senior_on_est).sum()
    assert (m >= start).all()                                         # nobody in the sample is past retirement
