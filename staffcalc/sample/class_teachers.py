"""Sample class-teacher data: appraisal (P5), recruitment (P4) and duty (P2/P3) tables.

``generate(rng, tables, n_staff, as_of)`` draws about 7 % of ``tables["staff"]`` (at least 200,
or everyone if fewer) as class teachers and makes, for the school year that ended before
``as_of`` (ten months, September to June):

* ``class_teachers`` — roster with unit, class, term (届) and senior/administrative status;
* ``appraisal_items`` — failed items per rubric section (sections read from the policy);
* ``appraisal_events`` — coded bonus/deduction events with realistic frequencies (frequent: meeting
  attendance, lateness, truancy; rare: sanctions, injuries; rankings once a year in their month);
* ``semester_ratings`` — self/student/college ratings for the two semesters, with direct-grade
  conditions for a few teachers;
* ``recruitment_candidates`` — one recruitment round (P4 is a different school: pseudonymous
  candidates, not drawn from the roster) of 45 candidates in July;
* ``duty_history`` and ``duty_exemptions`` — years served / refused / dismissed and exemption
  requests for the coming year.

Boundary cases are planted on purpose (tests and notebooks rely on them): monthly scores of exactly
90, 89, 80, 60 and 59, the S2c/S3 floors, a raw score above 100 and one below 0, forfeited
allowances, semester composites of exactly 90, 89.5, 60 and 59.99, direct-grade overrides (both
kinds at once included), three teachers failing both semesters and two failing only the latest;
candidates with personal leave 9 and 10 days, sick leave 29 and 30 days, absenteeism, ages exactly
50, 51 on the day and 51 the day after, a tie decided by the on-site score, an unresolved tie,
vetoes (one with the highest achievements), a non-regular teacher; exemption requests on both
sides of 24 weeks, one year after birth, 1 June and each version's certificate level.

All random draws come from ``rng``; everything is vectorised (loops run over event codes and the
planted cases only, never over people), so 1,000,000 staff work.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import policy as _policy
from ..scoring.appraisal import catalogue, sections

CLASS_TEACHER_SHARE = 0.07
MIN_CLASS_TEACHERS = 200
N_CANDIDATES = 45
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)
# Sample shape (not policy), calibrated so that about 20–35 % of teacher-months are 优秀, a few
# 不合格, with visible differences between units: item failures per teacher ~ Beta, a factor per unit.
ITEM_FAILURE_BETA = (15.0, 85.0)
UNIT_SPREAD = 0.2
INCIDENT_SCALE = 0.4

# Sample frequencies (not policy): probability per teacher-month, mean extra count (Poisson) and
# the months in which the event can happen (None = any).
EVENT_FREQUENCIES = (
    ("B-MEETING-FULL", 0.55, 0.0, None),
    ("B-ACTIVITY-FULL", 0.30, 0.3, None),
    ("B-STUDENT-NATIONAL", 0.004, 0.0, None),
    ("B-STUDENT-PROVINCIAL", 0.02, 0.2, None),
    ("B-REPRESENT", 0.08, 1.0, None),
    ("B-DORM-1", 0.03, 0.0, (6,)), ("B-DORM-2", 0.03, 0.0, (6,)), ("B-DORM-3", 0.03, 0.0, (6,)),
    ("B-SPORT-1", 0.03, 0.0, (11,)), ("B-SPORT-2", 0.03, 0.0, (11,)), ("B-SPORT-3", 0.03, 0.0, (11,)),
    ("B-GALA-1", 0.03, 0.0, (10,)), ("B-GALA-2", 0.03, 0.0, (10,)),
    ("B-AVG-TOP", 0.05, 0.0, (3,)), ("B-MAKEUP-LOWEST", 0.03, 0.0, (3,)),
    ("B-CET-1", 0.03, 0.0, (3,)), ("B-CET-2", 0.03, 0.0, (3,)),
    ("B-NCRE-1", 0.03, 0.0, (4,)), ("B-NCRE-2", 0.03, 0.0, (4,)),
    ("B-POSTGRAD-1", 0.03, 0.0, (5,)), ("B-POSTGRAD-2", 0.03, 0.0, (5,)), ("B-POSTGRAD-3", 0.03, 0.0, (5,)),
    ("D-LATE", 0.35, 1.5, None),
    ("D-TRUANCY", 0.20, 0.8, None),
    ("D-LEAVE-EXCESS", 0.05, 0.3, None),
    ("D-LEAVE-FREQUENT", 0.06, 0.3, None),
    ("D-RETURN-ABSENT", 0.12, 0.3, (9, 3)),
    ("D-MONTHLY-LATE-1", 0.06, 0.0, None), ("D-MONTHLY-LATE-2", 0.015, 0.0, None),
    ("D-MATERIAL-LATE-1", 0.04, 0.0, None), ("D-MATERIAL-LATE-2", 0.01, 0.0, None),
    ("D-SCHOLARSHIP-LATE-1", 0.06, 0.0, (10,)), ("D-SCHOLARSHIP-LATE-2", 0.02, 0.0, (10,)),
    ("D-SCHOLARSHIP-UNFAIR", 0.005, 0.0, (10,)),
    ("D-CLASS-MISSED", 0.02, 0.0, None),
    ("D-ACTIVITY-POOR", 0.02, 0.0, None), ("D-ACTIVITY-IMPACT", 0.005, 0.0, None),
    ("D-ACTIVITY-SERIOUS", 0.001, 0.0, None),
    ("D-REPORT-MINOR", 0.01, 0.0, None), ("D-REPORT-GENERAL", 0.004, 0.0, None),
    ("D-REPORT-SERIOUS", 0.001, 0.0, None),
    ("D-DISCIPLINE-COLLEGE", 0.02, 0.0, None), ("D-DISCIPLINE-UNIVERSITY", 0.004, 0.0, None),
    ("D-INACTION", 0.004, 0.0, None),
    ("D-INJURY", 0.002, 0.0, None), ("D-FORGED", 0.002, 0.0, None),
)

# Planted monthly cases: (teacher position, month position, failed items, events).
# Hand-worked with the P5 rubric (100 base) — the tests recompute them.
MONTHLY_CASES = (
    (0, 0, {}, {"D-CLASS-MISSED": 1}),                                   # 100 − 10 = 90 → 优秀
    (1, 0, {}, {"D-RETURN-ABSENT": 1, "D-LATE": 3}),                     # 100 − 5 − 6 = 89 → 良好
    (2, 0, {"s2a": 2}, {"D-DISCIPLINE-COLLEGE": 1, "D-CLASS-MISSED": 1}),  # 90 − 20 − 10 = 60 → 合格
    (3, 0, {"s2b": 1}, {"D-DISCIPLINE-COLLEGE": 1, "D-CLASS-MISSED": 1, "D-RETURN-ABSENT": 1, "D-LATE": 2}),
    #                                                                     98 − 20 − 10 − 5 − 4 = 59 → 不合格
    (4, 0, {"s2c": 4, "s3": 3}, {}),                                     # S2c, S3 floored at 0 → 75
    (5, 1, {}, {"D-DISCIPLINE-UNIVERSITY": 1}),                          # 60, allowance forfeited
    (6, 2, {}, {"D-INACTION": 1}),                                       # 80, allowance forfeited
    (7, 3, {}, {"B-STUDENT-NATIONAL": 1, "B-MEETING-FULL": 1, "B-ACTIVITY-FULL": 1}),  # 109: no cap
    (8, 0, {"s2b": 8}, {}),                                              # S2b 20 − 8×2 = 4 → 84 → 良好
    (9, 4, {}, {"D-DISCIPLINE-UNIVERSITY": 3}),                          # 100 − 120 = −20: no floor
)

# Planted semester cases: (teacher position, semester 0/1, self, student, college, override codes).
SEMESTER_CASES = (
    (0, 0, 90.0, 90.0, 90.0, ""),            # composite 90 → 优秀
    (1, 0, 89.5, 89.5, 89.5, ""),            # 89.5 → 良好
    (2, 0, 60.0, 60.0, 60.0, ""),            # 60 → 合格
    (3, 0, 59.99, 59.99, 59.99, ""),         # 59.99 → 不合格 (latest semester passes: ok)
    (11, 0, 60.0, 50.0, 45.0, ""), (11, 1, 62.0, 55.0, 50.0, ""),   # two failed semesters → remove
    (12, 0, 70.0, 52.0, 48.0, ""), (12, 1, 66.0, 58.0, 55.0, ""),
    (13, 0, 58.0, 61.0, 50.0, ""), (13, 1, 60.0, 57.0, 52.0, ""),
    (14, 1, 65.0, 55.0, 50.0, ""),           # latest semester failed only → at risk
    (15, 1, 60.0, 58.0, 57.0, ""),
    (16, 0, 88.0, 84.0, 85.0, "E-CLASS-NATIONAL"),                 # direct 优秀
    (17, 1, 95.0, 92.0, 91.0, "F-CASUALTY"),                       # direct 不合格 → at risk
    (18, 0, 92.0, 90.0, 93.0, "E-STUDENTS-PROVINCIAL;F-EXAM-MONEY"),  # both: 不合格 wins
    (19, 0, 90.0, np.nan, 88.0, "E-CAMPUS-STABILITY"),             # override without a student rating
)


def school_year_start(as_of: dt.date) -> int:
    """First calendar year of the last complete school year before ``as_of`` (ends in June)."""
    return as_of.year - 1 if as_of.month >= 7 else as_of.year - 2


def periods(as_of: dt.date) -> list[str]:
    y = school_year_start(as_of)
    return [f"{y if m >= 9 else y + 1}-{m:02d}" for m in MONTHS]


def generate(rng: np.random.Generator, tables: dict[str, pd.DataFrame], n_staff: int,
             as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Class-teacher tables drawn from ``tables["staff"]`` (see the module docstring)."""
    pol = _policy.load(as_of)
    staff = tables["staff"].reset_index(drop=True)
    n_ct = min(len(staff), max(MIN_CLASS_TEACHERS, int(round(CLASS_TEACHER_SHARE * len(staff)))))
    pick = np.sort(rng.choice(len(staff), size=n_ct, replace=False))
    ct_staff = staff.iloc[pick].reset_index(drop=True)
    start = school_year_start(as_of)

    roster = _roster(rng, ct_staff, start)
    items, events = _monthly(rng, roster, pol, as_of)
    ratings = _semesters(rng, roster, items, events, pol, start)
    candidates = _candidates(rng, as_of)
    others = staff.loc[~staff.index.isin(pick)].reset_index(drop=True)
    history = _duty_history(rng, roster, others, start)
    exemptions = _exemptions(rng, others, history, as_of)
    return {
        "class_teachers": roster,
        "appraisal_items": items,
        "appraisal_events": events,
        "semester_ratings": ratings,
        "recruitment_candidates": candidates,
        "duty_history": history,
        "duty_exemptions": exemptions,
    }


def _roster(rng, ct: pd.DataFrame, start: int) -> pd.DataFrame:
    n = len(ct)
    term = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.30, 0.15, 0.10])
    cohort_start = start - rng.integers(0, 3, size=n)
    senior = ct["post_level"].to_numpy() <= 7 if "post_level" in ct.columns else np.zeros(n, bool)
    admin = rng.random(n) < 0.08
    seq = pd.Series(np.arange(n)).groupby(ct["unit_id"].to_numpy()).cumcount().to_numpy() + 1
    return pd.DataFrame({
        "staff_id": ct["staff_id"].astype(str).to_numpy(),
        "unit_id": ct["unit_id"].astype(str).to_numpy(),
        "class_id": ct["unit_id"].astype(str).to_numpy() + "-" + pd.Series(seq).astype(str).str.zfill(2).to_numpy(),
        "appointed_on": pd.to_datetime(pd.Series(cohort_start).astype(str) + "-09-01").astype("datetime64[ns]").to_numpy(),
        "term_number": term.astype(np.int64),
        "senior_or_admin": senior | admin,
    })


def _monthly(rng, roster: pd.DataFrame, pol, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    secs = sections(pol)
    per = periods(as_of)
    n, m = len(roster), len(per)
    sid = np.repeat(roster["staff_id"].to_numpy(), m)
    period = np.tile(np.array(per, dtype=object), n)
    month = np.tile(np.array(MONTHS), n)
    # units differ (how strictly a college inspects, how demanding its classes are): one factor per
    # unit scales every teacher's item failures and incidents; teachers differ inside a unit
    units, unit_code = np.unique(roster["unit_id"].to_numpy(dtype=str), return_inverse=True)
    strict = np.repeat(rng.lognormal(0.0, UNIT_SPREAD, size=units.size)[unit_code], m)
    propensity = np.minimum(np.repeat(rng.beta(*ITEM_FAILURE_BETA, size=n), m) * strict, 1.0)
    items = pd.DataFrame({"staff_id": sid, "period": period})
    for s in secs.itertuples(index=False):
        items[s.column] = rng.binomial(s.section_items, propensity).astype(np.int64)

    known = set(catalogue(pol)["code"])
    pieces = []
    care = np.repeat(rng.lognormal(0.0, 0.5, size=n), m) * strict * INCIDENT_SCALE  # some classes have more
    for code, prob, extra, months in EVENT_FREQUENCIES:
        if code not in known:
            continue
        p = prob * (care if code.startswith("D-") else 1.0)
        hit = rng.random(n * m) < np.minimum(p, 1.0)
        if months is not None:
            hit &= np.isin(month, months)
        k = int(hit.sum())
        if k:
            pieces.append(pd.DataFrame({"staff_id": sid[hit], "period": period[hit], "code": code,
                                        "count": (1 + rng.poisson(extra, size=k)).astype(np.int64)}))
    events = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        {"staff_id": [], "period": [], "code": [], "count": []})

    # planted cases: overwrite the teacher-month's items and events
    for t, pm, fails, evs in MONTHLY_CASES:
        if t >= n:
            continue
        row = t * m + pm
        for s in secs["section"]:
            items.loc[row, f"fail_{s.lower()}"] = int(fails.get(s.lower(), 0))
        st, pe = sid[row], period[row]
        events = events[~((events["staff_id"] == st) & (events["period"] == pe))]
        add = pd.DataFrame({"staff_id": st, "period": pe, "code": list(evs), "count": list(evs.values())})
        events = pd.concat([events, add.astype({"count": np.int64})], ignore_index=True)
    order = pd.DataFrame({"s": pd.Categorical(events["staff_id"], categories=roster["staff_id"]),
                          "p": events["period"], "c": events["code"]})
    events = events.iloc[np.lexsort((order["c"].to_numpy(), order["p"].to_numpy(),
                                     order["s"].cat.codes.to_numpy()))].reset_index(drop=True)
    events["count"] = events["count"].astype(np.int64)
    events["code"] = events["code"].astype(str)
    return items, events


def _semesters(rng, roster, items, events, pol, start: int) -> pd.DataFrame:
    from ..scoring.appraisal import monthly_appraisal, semester_of_period
    monthly = monthly_appraisal(items, events, pol)
    monthly["semester"] = semester_of_period(monthly["period"]).to_numpy()
    mean = monthly.groupby(["staff_id", "semester"], sort=False)["score"].mean()
    sems = [f"{start}-{start + 1}-1", f"{start}-{start + 1}-2"]
    n = len(roster)
    sid = np.repeat(roster["staff_id"].to_numpy(), 2)
    sem = np.tile(np.array(sems, dtype=object), n)
    college = mean.reindex(pd.MultiIndex.from_arrays([sid, sem])).to_numpy()
    college = np.round(np.clip(college + rng.normal(0, 2.0, size=2 * n), 0, 100), 1)
    self_score = np.round(rng.uniform(85, 98, size=2 * n) * 2) / 2
    student = np.round(np.clip(rng.normal(87, 5, size=2 * n), 40, 100), 1)
    codes = np.full(2 * n, "", dtype=object)
    for t, s, a, b, c, o in SEMESTER_CASES:
        if t >= n:
            continue
        row = 2 * t + s
        self_score[row], student[row], college[row], codes[row] = a, b, c, o
    return pd.DataFrame({
        "staff_id": sid, "semester": sem, "self_score": self_score, "student_score": student,
        "college_score": college, "override_codes": pd.Series(codes).replace("", np.nan).to_numpy(),
    })


def _candidates(rng, as_of: dt.date) -> pd.DataFrame:
    year = as_of.year if as_of >= dt.date(as_of.year, 7, 20) else as_of.year - 1
    r_date = pd.Timestamp(year, 7, 20)
    n = N_CANDIDATES
    age_days = rng.integers(26 * 365, 49 * 365, size=n)
    birth = (r_date - pd.to_timedelta(age_days, unit="D")).to_numpy()
    tier = rng.choice([1, 2, 3], size=n, p=[0.3, 0.5, 0.2])
    lo = np.select([tier == 1, tier == 2], [8, 5], 1)
    hi = np.select([tier == 1, tier == 2], [10, 7], 4)
    df = pd.DataFrame({
        "candidate_id": [f"R{year}-{i:03d}" for i in range(1, n + 1)],
        "round": f"{year}-07",
        "recruitment_date": r_date,
        "name": [f"候选人{i:03d}" for i in range(1, n + 1)],
        "birth_date": birth,
        "regular_teacher": True,
        "healthy": True,
        "self_report_tier": tier.astype(np.int64),
        "self_report": rng.integers(lo, hi + 1).astype(float),
        "panel": np.round(np.clip(rng.normal(82, 7, n), 50, 100) * 2) / 2,
        "teachers": np.round(np.clip(rng.normal(80, 8, n), 50, 100) * 2) / 2,
        "parents": np.round(np.clip(rng.normal(85, 6, n), 50, 100) * 2) / 2,
        "achievement_points": rng.integers(0, 31, n).astype(float),
        "monthly_base": np.round(rng.uniform(80, 99, n) * 2) / 2,
        "absenteeism_days": 0.0,
        "personal_leave_days": rng.integers(0, 9, n).astype(float),
        "sick_leave_days": rng.choice([0, 0, 0, 1, 2, 3, 5, 7, 10, 14, 20], n).astype(float),
        "exam": rng.integers(55, 99, n).astype(float),
        "talk": np.round(rng.uniform(7, 15, n) * 2) / 2,
        "defence": np.round(rng.uniform(10, 20, n) * 2) / 2,
        "veto": False,
        "veto_reason": pd.Series([None] * n, dtype=object),
    })
    c = df.columns.get_loc
    df.iloc[0, c("personal_leave_days")] = 9.0    # 9 days: conduct scored
    df.iloc[1, c("personal_leave_days")] = 10.0   # 10 days (以上 includes 10): conduct 0
    df.iloc[2, c("sick_leave_days")] = 29.0       # 29 days: scored
    df.iloc[3, c("sick_leave_days")] = 30.0       # 30 days = one month: conduct 0
    df.iloc[4, c("absenteeism_days")] = 1.0       # any absenteeism: conduct 0
    df.iloc[5, c("birth_date")] = r_date - pd.DateOffset(years=50)                          # 50 that day: eligible
    df.iloc[6, c("birth_date")] = r_date - pd.DateOffset(years=51)                          # 51 that day: not
    df.iloc[7, c("birth_date")] = r_date - pd.DateOffset(years=51) + pd.Timedelta(days=1)   # 51 tomorrow: eligible
    # a tie on total decided by the on-site score: same inputs except exam/talk
    same = ["self_report_tier", "self_report", "panel", "teachers", "parents", "achievement_points",
            "monthly_base", "absenteeism_days", "personal_leave_days", "sick_leave_days", "defence"]
    df.iloc[8, [c(k) for k in ("self_report_tier", "self_report", "exam", "talk", "defence")]] = [1, 9.0, 80.0, 12.0, 16.0]
    df.iloc[9, [c(k) for k in same]] = df.iloc[8, [c(k) for k in same]].to_numpy()
    df.iloc[9, [c("exam"), c("talk")]] = [84.0, 11.0]  # exam +1 point (4 × 25/100), talk −1: same total
    # an unresolved tie: identical inputs
    df.iloc[11, [c(k) for k in same + ["exam", "talk"]]] = df.iloc[10, [c(k) for k in same + ["exam", "talk"]]].to_numpy()
    df.iloc[12, c("regular_teacher")] = False
    df.iloc[13, [c("veto"), c("veto_reason"), c("achievement_points")]] = [True, "V-ETHICS", 60.0]
    df.iloc[14, [c("veto"), c("veto_reason")]] = [True, "V-IMPROPER"]
    df.iloc[15, [c("veto"), c("veto_reason")]] = [True, "V-ETHICS"]
    df.iloc[16, [c("monthly_base"), c("personal_leave_days")]] = [100.0, 12.0]  # top base, zeroed
    df["birth_date"] = pd.to_datetime(df["birth_date"]).astype("datetime64[ns]")
    df["recruitment_date"] = df["recruitment_date"].astype("datetime64[ns]")
    df["self_report_tier"] = df["self_report_tier"].astype("Int64")
    df["veto"] = df["veto"].astype(bool)
    df["regular_teacher"] = df["regular_teacher"].astype(bool)
    return df


def _duty_history(rng, roster, others, start: int) -> pd.DataFrame:
    cur = pd.DataFrame({"staff_id": roster["staff_id"], "academic_year": start, "duty_event": "served",
                        "term_number": roster["term_number"], "senior_or_admin": roster["senior_or_admin"]})
    prev_mask = (roster["term_number"] > 1).to_numpy() | (rng.random(len(roster)) < 0.3)
    prev = cur[prev_mask].copy()
    prev["academic_year"] = start - 1
    prev["term_number"] = np.maximum(prev["term_number"] - (rng.random(len(prev)) < 0.4), 1)
    k = min(len(others), 12)
    pick = rng.choice(len(others), size=k, replace=False)
    years = start - np.array([0, 0, 1, 1, 2, 2, 3, 0, 1, 2, 0, 1])[:k]
    event = np.array(["refused"] * 7 + ["dismissed"] * 5)[:k]
    sanc = pd.DataFrame({"staff_id": others["staff_id"].to_numpy()[pick], "academic_year": years, "duty_event": event,
                         "term_number": np.nan,
                         "senior_or_admin": (others["post_level"].to_numpy()[pick] <= 7)
                         if "post_level" in others.columns else False})
    out = pd.concat([prev, cur, sanc], ignore_index=True)
    out["academic_year"] = out["academic_year"].astype(np.int64)
    out["term_number"] = out["term_number"].astype("Int64")
    out["senior_or_admin"] = out["senior_or_admin"].astype(bool)
    return out.sort_values(["staff_id", "academic_year"], kind="stable").reset_index(drop=True)


def _exemptions(rng, others, history, as_of: dt.date) -> pd.DataFrame:
    year = as_of.year
    assign = pd.Timestamp(year, 9, 1)
    used = set(history["staff_id"])
    pool = others.loc[~others["staff_id"].isin(used), "staff_id"].to_numpy()
    # (reason, request date, weeks, child birth, admin level, hospital grade) — planted boundaries
    cases = [
        ("pregnancy", None, 24.0, None, None, None),                   # 24 weeks: exempt
        ("pregnancy", None, 23.0, None, None, None),                   # 23 weeks: not
        ("postpartum", None, None, assign - pd.DateOffset(years=1), None, None),                # exactly 1 year: exempt
        ("postpartum", None, None, assign - pd.DateOffset(years=1) - pd.Timedelta(days=1), None, None),  # not
        ("health", pd.Timestamp(year, 5, 20), None, None, "县级", "二级乙等"),     # P2 yes, P3 no
        ("health", pd.Timestamp(year, 5, 31), None, None, "乡镇级", "一级甲等"),   # neither
        ("health", pd.Timestamp(year, 5, 31), None, None, "地市级", "三级甲等"),   # both (31 May on time)
        ("health", pd.Timestamp(year, 6, 1), None, None, "省级", "三级甲等"),      # 1 June: late
        ("health", None, None, None, "县级", "二级甲等"),                          # no written request
        ("health", pd.Timestamp(year, 4, 2), None, None, None, None),              # no certificate
        ("other", pd.Timestamp(year, 5, 10), None, None, None, None),              # meeting decides
        ("other", pd.Timestamp(year, 6, 15), None, None, None, None),              # late
    ]
    k = min(len(pool), len(cases))
    ids = rng.choice(pool, size=k, replace=False) if k else np.array([], dtype=object)
    rows = cases[:k]
    return pd.DataFrame({
        "staff_id": ids.astype(str),
        "academic_year": np.full(k, year, dtype=np.int64),
        "assignment_date": np.full(k, assign.to_datetime64()).astype("datetime64[ns]"),
        "exemption_reason": [r[0] for r in rows],
        "request_date": pd.to_datetime([r[1] for r in rows]).astype("datetime64[ns]"),
        "pregnancy_weeks": np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=float),
        "child_birth_date": pd.to_datetime([r[3] for r in rows]).astype("datetime64[ns]"),
        "certificate_admin_level": pd.Series([r[4] for r in rows], dtype=object).to_numpy(),
        "certificate_hospital_grade": pd.Series([r[5] for r in rows], dtype=object).to_numpy(),
    })


__all__ = ["generate", "periods", "school_year_start", "EVENT_FREQUENCIES", "MONTHLY_CASES", "SEMESTER_CASES"]
