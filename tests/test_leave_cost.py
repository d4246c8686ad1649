"""Month-by-month cost of study leave, extensions, refunds and service obligations
(spec §8.7–§8.9, §8.11; P1 §7, §10.4, §10.8, §11) and the study-leave sample data.

Hand-worked record (unless a test says otherwise): full release for a master's, study from
2026-09-01, standard end 2029-09-01, monthly pay 10500 of which 7000 continues (basic salary 5000 +
allowances 2000) and 3500 is withheld; costs paid 20000; planning assumptions 320 class hours a year
and 120 yuan an hour.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffcalc import policy
from staffcalc.dates import add_months, full_months_between
from staffcalc.leave_cost import project

P1 = policy.load("2026-09-01")
PAY = {"basic_salary": 5000.0, "allowances": 2000.0, "award_performance": 1500.0,
       "basic_performance_bonus": 1000.0, "campus_performance": 800.0, "welfare": 200.0}
DATES = ("study_start", "standard_end", "return_date", "left_date")


def records(*specs):
    base = {"staff_id": "S1", "unit_id": "U1", "mode": "full_release", "degree_sought": "master",
            "study_start": "2026-09-01", "standard_end": "2029-09-01", "extension_months": 0,
            "return_date": None, "interruption_cause": None, "left_date": None, "months_on_post": 0,
            "workload_share": 0.0, "appraisal_passed": True, "agreement_signed": True, "costs_paid": 20000.0,
            **PAY}
    df = pd.DataFrame([{**base, "staff_id": f"S{i}", **s} for i, s in enumerate(specs)])
    for c in DATES:
        df[c] = pd.to_datetime(df[c])
    return df


def run(specs, start="2026-09", end="2027-08", **kw):
    kw.setdefault("policy", P1)
    return project(records(*specs), start, end, **kw)


# --- month arithmetic --------------------------------------------------------------------------
def test_add_months_cuts_to_month_end():
    got = add_months(pd.to_datetime(["2024-01-31", "2023-01-31", "2027-07-01", "2028-02-29"]).values, [1, 1, 96, 96])
    assert [str(d)[:10] for d in got] == ["2024-02-29", "2023-02-28", "2035-07-01", "2036-02-29"]
    assert str(add_months(pd.to_datetime(["2024-02-29"]).values, [12])[0])[:10] == "2025-02-28"


def test_full_months_between():
    a = pd.to_datetime(["2027-07-01"] * 4).values
    b = pd.to_datetime(["2029-07-01", "2029-06-30", "2027-06-01", "2035-07-01"]).values
    assert full_months_between(a, b).tolist() == [24, 23, -1, 96]


# --- spec §8.11: pay, fund, cover and gap per month ------------------------------------------------
def test_s8_11_full_release_year_hand_worked():
    p = run([{}])
    t = p.totals.iloc[0]
    assert t["academic_year"] == 2026 and t["months"] == 12
    assert t["paid"] == pytest.approx(84000.0)        # 12 * 7000
    assert t["withheld"] == pytest.approx(42000.0)    # 12 * 3500, into the external-teacher fund
    assert t["uncovered_hours"] == pytest.approx(320.0)  # 320 / 12 * 12 * (1 - 0)
    assert t["cover_cost"] == pytest.approx(38400.0)  # 320 * 120
    assert t["gap"] == pytest.approx(-3600.0)         # 38400 - 42000
    assert t["fte_away"] == pytest.approx(1.0) and t["person_months_away"] == 12


def test_s8_11_partial_release_cover_with_given_hourly_rate():
    p = run([{"mode": "partial", "months_on_post": 12, "workload_share": 0.75}], hourly_rate=150)
    t = p.totals.iloc[0]
    assert t["paid"] == pytest.approx(126000.0) and t["withheld"] == 0.0   # ≥70%: paid as on post
    assert t["uncovered_hours"] == pytest.approx(80.0)   # 320 * (1 - 0.75)
    assert t["cover_cost"] == pytest.approx(12000.0)     # 80 * 150
    assert t["gap"] == pytest.approx(12000.0)            # nothing withheld
    assert t["fte_away"] == pytest.approx(0.25)
    assert p.assumptions.set_index("parameter").loc["hourly_rate", "value"] == 150


def test_s8_11_restored_full_release_spreads_the_year_over_its_months():
    # 6 months on post, 50% workload: paid 84000 + 6 * 3500 = 105000 a year, withheld 21000;
    # uncovered 320 * 0.5 = 160 hours -> 19200; gap 19200 - 21000 = -1800
    t = run([{"months_on_post": 6, "workload_share": 0.5}]).totals.iloc[0]
    assert (t["paid"], t["withheld"], t["cover_cost"], t["gap"]) == pytest.approx((105000, 21000, 19200, -1800))


def test_months_counted_when_they_begin_inside_the_study_period():
    # 2026-09-15 .. 2027-03-15: October to March begin inside -> 6 months
    p = run([{"study_start": "2026-09-15", "return_date": "2027-03-15"}])
    assert p.people["months_in_horizon"].iloc[0] == 6
    assert p.people["paid"].iloc[0] == pytest.approx(6 * 7000)


def test_horizon_cuts_the_episode():
    # standard end 2029-09-01: January to August 2029 are away -> 8 months
    p = run([{}], start="2029-01", end="2029-12")
    assert p.people["months_in_horizon"].iloc[0] == 8 and p.people["study_months"].iloc[0] == 36


def test_academic_year_and_calendar_year_totals():
    p = run([{}], end="2027-12")
    assert p.totals[["academic_year", "months"]].values.tolist() == [[2026, 12], [2027, 4]]
    cal = run([{}], end="2027-12", policy=P1.override({"study_leave.planning.year_start_month": 1}))
    assert cal.totals[["academic_year", "months"]].values.tolist() == [[2026, 4], [2027, 12]]


# --- P1 §10.4 extension limits -------------------------------------------------------------------
def test_p1_s10_4_extension_at_the_limit_is_allowed():
    p = run([{"extension_months": 12},
             {"degree_sought": "doctorate", "standard_end": "2030-09-01", "extension_months": 24}])
    assert [str(d)[:10] for d in p.people["planned_end"]] == ["2030-09-01", "2032-09-01"]


@pytest.mark.parametrize("spec", [{"extension_months": 13},
                                  {"degree_sought": "doctorate", "extension_months": 25}])
def test_p1_s10_4_extension_beyond_the_limit_names_the_rows(spec):
    with pytest.raises(ValueError, match=r"staff_id S1 / 工号 S1, column extension_months: extension beyond the limit "
                                         r"\(master ≤ 1 year\(s\), doctorate ≤ 2 year\(s\); P1 §10.4\) / 延期超过"):
        run([{}, spec])


def test_p1_s10_4_limit_is_policy_data():
    wider = P1.override({"study_leave.extension.max_years": {"master": 2, "doctorate": 2}})
    assert run([{"extension_months": 13}], policy=wider).people["study_months"].iloc[0] == 49
    with pytest.raises(ValueError, match="延期超过规定上限（硕士不得超过2年，博士不得超过2年）"):
        run([{"extension_months": 25}], policy=wider)


def test_p1_s10_4_further_study_has_no_extension():
    with pytest.raises(ValueError, match=r"staff_id S0 / 工号 S0, column extension_months: further study"):
        run([{"mode": "further_study", "degree_sought": None, "standard_end": "2027-03-01", "extension_months": 1}])


def test_return_after_the_approved_end_is_an_error():
    with pytest.raises(ValueError, match=r"staff_id S0 / 工号 S0, column return_date: after the approved end"):
        run([{"return_date": "2029-10-01"}])
    assert run([{"return_date": "2029-10-01", "extension_months": 1}]).people["study_months"].iloc[0] == 37


# --- P1 §10.8 refunds ---------------------------------------------------------------------------------
def test_p1_s10_8_interruption_refunds_basic_pay_received():
    # interrupted 2027-03-01 for breaking the host's rules: Sep..Feb = 6 months of 7000 -> 42000
    p = run([{"return_date": "2027-03-01", "interruption_cause": "host_rules"},
             {"return_date": "2027-03-01", "interruption_cause": "other"}], as_of="2027-06-01")
    assert p.people["refund"].tolist() == [42000.0, 0.0]
    assert p.people["refund_month"].tolist() == ["2027-03", ""]
    assert p.people["study_status"].tolist() == ["interrupted", "interrupted"]
    assert p.people["service_applies"].tolist() == [False, False]
    march = p.monthly.set_index("month").loc["2027-03", "refunds"]
    assert march == 42000.0 and p.monthly["refunds"].sum() == 42000.0
    assert p.obligations["refunds_due"].iloc[0] == 42000.0


def test_p1_s10_8_no_agreement_received_nothing_so_refunds_nothing():
    p = run([{"agreement_signed": False, "return_date": "2027-03-01", "interruption_cause": "judicial_penalty"}])
    assert p.people["refund"].iloc[0] == 0.0


def test_interruption_needs_its_date():
    with pytest.raises(ValueError, match=r"staff_id S0 / 工号 S0, column return_date: an interrupted episode"):
        run([{"interruption_cause": "host_rules"}])


# --- P1 §11 service obligation ----------------------------------------------------------------------
RETURNED = {"return_date": "2027-07-01"}  # 10 study months (Sep..Jun) of 7000 paid -> 70000 + 20000 costs


def test_p1_s11_service_ends_eight_years_after_return():
    p = run([RETURNED], as_of="2029-07-01")
    r = p.people.iloc[0]
    assert str(r["service_end"])[:10] == "2035-07-01"
    assert r["study_status"] == "serving" and r["served_months"] == 24
    assert r["outstanding_years"] == 6.0                       # (96 - 24) / 12
    assert r["refundable"] == 90000.0                          # 70000 + 20000
    assert r["breach_exposure"] == 67500.0                     # 90000 * 72 / 96
    assert r["breach_liability"] == 0.0


def test_p1_s11_service_complete_on_the_eighth_anniversary_not_a_day_before():
    done = run([RETURNED], as_of="2035-07-01").people.iloc[0]
    assert (done["study_status"], done["served_months"], done["outstanding_years"]) == ("service_completed", 96, 0.0)
    before = run([RETURNED], as_of="2035-06-30").people.iloc[0]
    assert (before["study_status"], before["served_months"]) == ("serving", 95)
    assert before["outstanding_years"] == pytest.approx(1 / 12)
    assert before["breach_exposure"] == 937.5                  # 90000 * 1 / 96


def test_p1_s11_leaving_early_is_a_breach_pro_rata():
    p = run([{**RETURNED, "left_date": "2028-07-01"}], as_of="2029-07-01")
    r = p.people.iloc[0]
    assert (r["study_status"], r["served_months"]) == ("left_in_breach", 12)
    assert r["breach_liability"] == 78750.0                    # 90000 * 84 / 96
    assert r["outstanding_years"] == 0.0 and r["breach_exposure"] == 0.0
    assert p.obligations["people_in_breach"].iloc[0] == 1


def test_p1_s11_students_owe_the_whole_period_and_expose_what_they_received():
    # studying on 2027-09-01: 12 months received (84000) + 20000 costs -> exposure 104000
    p = run([{}, {"study_start": "2027-09-01", "standard_end": "2030-09-01"}], as_of="2027-09-01")
    assert p.people["study_status"].tolist() == ["studying", "studying"]
    assert p.people["outstanding_years"].tolist() == [8.0, 8.0]
    assert p.people["refundable"].tolist() == [104000.0, 20000.0]
    assert p.people["breach_exposure"].tolist() == [104000.0, 20000.0]
    assert p.obligations[["people_owing", "outstanding_years"]].values.tolist() == [[2, 16.0]]


def test_p1_s11_no_service_without_agreement_or_for_further_study():
    p = run([{"agreement_signed": False},
             {"mode": "further_study", "degree_sought": None, "standard_end": "2027-03-01"}], as_of="2026-10-01")
    assert p.people["service_applies"].tolist() == [False, False]
    assert p.people["outstanding_years"].tolist() == [0.0, 0.0]


def test_p1_s11_partial_release_interpretation_switch():
    spec = {"mode": "partial", "months_on_post": 12, "workload_share": 0.8}
    assert run([spec]).people["service_applies"].iloc[0]
    only_full = P1.override({"study_leave.service.applies_to_modes": ["full_release"]})
    assert not run([spec], policy=only_full).people["service_applies"].iloc[0]


def test_p1_s12_short_further_study_is_flagged():
    p = run([{"mode": "further_study", "degree_sought": None, "standard_end": "2027-02-01"},
             {"mode": "further_study", "degree_sought": None, "standard_end": "2027-03-01"}])
    assert p.people["flags"].tolist() == ["further_study_short", ""]   # 5 months vs 6


# --- early-return scenario ----------------------------------------------------------------------------
def test_early_return_share_is_exact_and_deterministic():
    specs = [{"staff_id": f"P{i:03d}"} for i in range(100)]
    a = run(specs, early_return_share=0.29)
    assert a.people["early_return"].sum() == 29      # ⌊0.29 × 100⌋ = 29 (floats give 28.999…)
    shuffled = records(*specs).sample(frac=1.0, random_state=7)
    b = project(shuffled, "2026-09", "2027-08", policy=P1, early_return_share=0.29)
    assert set(a.people.loc[a.people["early_return"], "staff_id"]) == set(b.people.loc[b.people["early_return"], "staff_id"])
    moved = a.people.loc[a.people["early_return"], "study_end"]
    assert (moved == pd.Timestamp("2029-03-01")).all()  # 2029-09-01 - 6 months


def test_early_return_only_for_open_episodes_and_never_before_the_horizon():
    specs = [{"return_date": "2027-07-01"},                                  # already back: not a candidate
             {"study_start": "2024-09-01", "standard_end": "2026-12-01"}]    # 6 months early is before the horizon
    p = run(specs, early_return_share=1.0)
    assert p.people["early_return"].tolist() == [False, True]
    assert str(p.people["study_end"].iloc[1])[:10] == "2026-09-01" and p.people["months_in_horizon"].iloc[1] == 0


def test_empty_register_gives_zero_rows_and_zero_totals():
    p = project(records({}).iloc[:0], "2026-09", "2027-08", policy=P1)
    assert p.people.empty and p.by_unit_year.empty and p.obligations.empty
    assert p.totals[["paid", "withheld", "cover_cost", "refunds"]].to_numpy().tolist() == [[0.0, 0.0, 0.0, 0.0]]


# --- input errors ---------------------------------------------------------------------------------------
def test_bad_parameters():
    with pytest.raises(ValueError, match="before its start"):
        run([{}], start="2027-01", end="2026-12")
    with pytest.raises(ValueError, match="hourly_rate"):
        run([{}], hourly_rate=-5)
    with pytest.raises(ValueError, match="early_return_share"):
        run([{}], early_return_share=1.5)
    with pytest.raises(ValueError, match="unit_id"):
        project(records({}).drop(columns="unit_id"), "2026-09", "2027-08", policy=P1)
    with pytest.raises(ValueError, match=r"staff_id S0 / 工号 S0, column interruption_cause"):
        run([{"return_date": "2027-01-01", "interruption_cause": "bored"}])
    with pytest.raises(ValueError, match=r"staff_id S0 / 工号 S0, column degree_sought"):
        run([{"degree_sought": "bachelor"}])


# --- properties: person-months and unit totals ----------------------------------------------------------
episode = st.fixed_dictionaries({
    "unit_id": st.sampled_from(["U1", "U2", "U3", "U4"]),
    "mode": st.sampled_from(["full_release", "partial", "further_study"]),
    "start_offset": st.integers(-40, 30),
    "length": st.integers(1, 60),
    "months_on_post": st.integers(0, 12),
    "workload_share": st.sampled_from([0.0, 0.3, 0.49, 0.5, 0.69, 0.7, 1.0]),
    "appraisal_passed": st.booleans(),
    "agreement_signed": st.booleans(),
    "interrupted": st.booleans(),
    "salary": st.floats(1000, 20000),
})


def random_records(eps):
    rows = []
    for i, e in enumerate(eps):  # building test input only
        start = pd.Timestamp("2026-09-01") + pd.DateOffset(months=e["start_offset"])
        end = start + pd.DateOffset(months=e["length"])
        further = e["mode"] == "further_study"
        rows.append({"staff_id": f"R{i}", "unit_id": e["unit_id"], "mode": e["mode"],
                     "study_start": start, "standard_end": end,
                     "degree_sought": None if further else "master",
                     "return_date": start + pd.DateOffset(months=e["length"] // 2) if e["interrupted"] else None,
                     "interruption_cause": "host_rules" if e["interrupted"] else None,
                     "months_on_post": e["months_on_post"], "workload_share": e["workload_share"],
                     "appraisal_passed": e["appraisal_passed"], "agreement_signed": e["agreement_signed"],
                     **{k: v * e["salary"] / 5000 for k, v in PAY.items()}})
    return records(*rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(episode, min_size=1, max_size=25), st.floats(0, 1), st.sampled_from(["2026-01", "2026-09"]))
def test_property_totals_equal_sum_of_units(eps, share, start):
    p = project(random_records(eps), start, "2029-08", policy=P1, early_return_share=share)
    sums = [c for c in p.totals.columns if c not in ("academic_year", "months", "fte_away")]
    by_units = p.by_unit_year.groupby("academic_year")[sums + ["fte_away"]].sum()
    np.testing.assert_allclose(by_units[sums].to_numpy(), p.totals.set_index("academic_year")[sums].to_numpy(),
                               rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(by_units["fte_away"], p.totals["fte_away"], rtol=1e-9, atol=1e-9)
    per_month = [c for c in p.monthly_totals.columns if c not in ("month", "academic_year")]
    monthly = p.monthly.groupby("month")[per_month].sum()
    np.testing.assert_allclose(monthly.to_numpy(), p.monthly_totals.set_index("month")[per_month].to_numpy(),
                               rtol=1e-9, atol=1e-6)
    # people's horizon totals add up to the grid totals too
    assert p.people["paid"].sum() == pytest.approx(p.totals["paid"].sum(), rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(episode, min_size=1, max_size=25))
def test_property_paid_plus_withheld_is_full_pay_every_person_month(eps):
    p = project(random_records(eps), "2025-01", "2030-12", policy=P1)
    pm = p.person_months()
    full_month = pm.merge(random_records(eps)[["staff_id", *PAY]], on="staff_id")[list(PAY)].sum(axis=1)
    np.testing.assert_allclose(pm["paid"] + pm["withheld"], full_month, rtol=1e-12)
    np.testing.assert_allclose(pm["full_pay"], full_month, rtol=1e-12)
    assert len(pm) == p.people["months_in_horizon"].sum()


# --- scale: 100,000 people × 60 months, vectorised ------------------------------------------------------
def test_projection_100k_people_60_months_matches_the_small_case():
    """At scale the projection gives each person exactly what the 5-person case gives (speed is
    measured by ``make bench``, not here)."""
    base = records({}, {"mode": "partial", "workload_share": 0.8, "months_on_post": 12},
                   {"months_on_post": 6, "workload_share": 0.5, "return_date": "2028-03-01"},
                   {"mode": "further_study", "degree_sought": None, "standard_end": "2027-09-01"},
                   {"agreement_signed": False, "study_start": "2027-03-01"})
    big = base.iloc[np.arange(100_000) % len(base)].reset_index(drop=True)
    big["staff_id"] = pd.Series(np.arange(100_000)).map("B{:06d}".format)
    small = project(base, "2026-09", "2031-08", policy=P1)
    p = project(big, "2026-09", "2031-08", policy=P1)
    assert p.mask.shape == (100_000, 60)
    for col in ("paid", "withheld", "cover_cost", "gap"):
        np.testing.assert_allclose(p.people[col].to_numpy(), np.tile(small.people[col].to_numpy(), 20_000), rtol=1e-12)
    np.testing.assert_allclose(p.totals["paid"].sum(), small.totals["paid"].sum() * 20_000, rtol=1e-9)


# --- sample data ---------------------------------------------------------------------------------------
AS_OF = dt.date(2026, 9, 1)


def sample_tables(seed=2026, n_staff=3000):
    """Institution and study-leave sample as the orchestrator makes them (domain positions 0 and 2)."""
    from staffcalc.sample import institution, study_leave
    tables = institution.generate(np.random.default_rng([seed, 0]), {}, n_staff, AS_OF)
    tables.update(study_leave.generate(np.random.default_rng([seed, 2]), tables, n_staff, AS_OF))
    return tables


@pytest.fixture(scope="module")
def sample():
    return sample_tables()


def test_sample_is_valid_input(sample, tmp_path):
    from staffcalc import io
    from staffcalc import sample as sample_pkg
    kinds = ["staff", "study_leave", "study_applications"]
    sample_pkg.write({k: sample[k] for k in kinds}, tmp_path / "data")
    read = io.read_tables(tmp_path / "data", kinds)
    assert len(read["study_leave"]) == len(sample["study_leave"]) >= 100
    assert set(read["study_leave"]["staff_id"]) <= set(read["staff"]["staff_id"])
    recs = read["study_leave"].merge(read["staff"][["staff_id", "unit_id"]], on="staff_id")
    p = project(recs, "2026-09", "2028-08", as_of="2026-09-01")   # raises on anything beyond a limit
    assert p.totals["paid"].gt(0).all()


def test_sample_has_every_boundary_case(sample):
    sl = sample["study_leave"]
    full, partial = sl[sl["mode"] == "full_release"], sl[sl["mode"] == "partial"]
    pairs = set(zip(full["months_on_post"], full["workload_share"]))
    assert {(5, 0.5), (6, 0.5), (6, 0.49)} <= pairs
    assert {0.69, 0.70} <= set(partial["workload_share"])
    assert ((partial["workload_share"] == 0.70) & ~partial["appraisal_passed"]).any()
    assert (sl.loc[sl["degree_sought"] == "master", "extension_months"] == 12).any()
    assert (sl.loc[sl["degree_sought"] == "doctorate", "extension_months"] == 24).any()
    assert set(sl["mode"]) == {"full_release", "partial", "further_study"}
    assert (~sl["agreement_signed"]).sum() >= 2 and sl["interruption_cause"].notna().any()
    assert sl["left_date"].notna().any()
    apps = sample["study_applications"].merge(sample["staff"][["staff_id", "hire_date"]], on="staff_id")
    two_years = pd.Series(add_months(apps["hire_date"].to_numpy(), 24))
    assert (apps["application_date"] == two_years).any()
    assert (apps["application_date"] == two_years - pd.Timedelta(days=1)).any()


def test_sample_is_deterministic(sample):
    again = sample_tables()
    pd.testing.assert_frame_equal(sample["study_leave"], again["study_leave"])
    pd.testing.assert_frame_equal(sample["study_applications"], again["study_applications"])


# --- P1 §16: further-study costs in the leave cost ------------------------------------------------------
def test_p1_s16_reimbursed_costs_are_in_the_leave_cost():
    further = {"mode": "further_study", "degree_sought": None, "standard_end": "2027-03-01", "costs_paid": 0.0,
               "approved_costs": 8000.0, "college_selected": True, "terminated_without_reason": False}
    p = run([further,
             {**further, "unit_id": "U2", "terminated_without_reason": True, "return_date": "2026-12-01"},
             {**further, "unit_id": "U2", "approved_costs": 3000.0, "standard_end": "2028-03-01"},  # ends after
             {}])                                                                  # degree study: no reimbursement
    assert p.people["reimbursed"].tolist() == [8000.0, 0.0, 3000.0, 0.0]
    # the appraisal while studying travels with each person: further study without a host evaluation uses
    # appraisal_passed; full release not back on post has no grade (P1 §9.2)
    assert p.people["appraisal_basis"].tolist() == ["given", "given", "given", "not_graded"]
    assert p.people["flags"].tolist()[:2] == ["", "further_study_not_reimbursed"]
    # booked in the month the study ends: 2027-03 for S0; S2 ends 2028-03, outside the 2026-09..2027-08 horizon
    m = p.monthly.set_index(["unit_id", "month"])["reimbursements"]
    assert m.loc[("U1", "2027-03")] == 8000.0 and m.sum() == 8000.0
    assert p.monthly_totals.set_index("month").loc["2027-03", "reimbursements"] == 8000.0
    assert p.totals["reimbursements"].tolist() == [8000.0]
    assert p.by_unit_year.set_index("unit_id")["reimbursements"].to_dict() == {"U1": 8000.0, "U2": 0.0}
    # per unit, whatever the horizon: U1 8000, U2 0 + 3000
    assert p.obligations.set_index("unit_id")["reimbursed"].to_dict() == {"U1": 8000.0, "U2": 3000.0}
    # the two routes to the totals agree (sum of units = independent totals)
    assert p.by_unit_year.groupby("academic_year")["reimbursements"].sum().tolist() == p.totals["reimbursements"].tolist()


def test_p1_s11_partial_release_service_scope_is_a_listed_switchable_interpretation():
    # 返岗后服务期限不少于8年: partial-release students never left their post.  Default: they owe the
    # 8 years from the end of study (return 2028-07-01 → service end 2036-07-01); alternative: they owe none.
    path = "study_leave.service.applies_to_modes"
    prm = P1.param(path)
    assert prm.interpretation and prm.clause == "§11" and "非脱产人员未离岗" in prm.reading_zh
    listed = P1.interpretations("study_leave")
    assert path in set(listed["path"])                     # the leave report lists what it relied on
    spec = {"mode": "partial", "months_on_post": 12, "workload_share": 0.8, "return_date": "2028-07-01",
            "standard_end": "2028-07-01"}
    p = run([spec], as_of="2029-07-01")
    r = p.people.iloc[0]
    assert (bool(r["service_applies"]), str(r["service_end"].date()), r["served_months"]) == (True, "2036-07-01", 12)
    assert r["outstanding_years"] == 7.0                   # (96 − 12) / 12
    alt = P1.override({path: prm.alternative_value})
    q = run([spec], as_of="2029-07-01", policy=alt).people.iloc[0]
    assert (bool(q["service_applies"]), q["outstanding_years"]) == (False, 0.0)
