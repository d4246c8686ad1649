"""Synthetic study-leave register and study applications (spec §8; P1), drawn from the staff roster.

``generate(rng, tables, n_staff, as_of)`` returns ``{"study_leave": …, "study_applications": …}`` with
the columns of :mod:`staffcalc.schemas.study_leave`.  About 4% of the staff on the establishment have
a study episode (at least 100 when the roster has that many): full release, partial release and
further study; master's and doctorate; finished, current and planned; a few interrupted, a few without
an agreement, a few who left before the service period ended.  Monthly pay follows the post level
(CNY, a vocational college in Inner Mongolia).  Everything is vectorised (the same code makes the
1,000,000-staff benchmark) and uses only ``rng``.

Boundary cases always present (P1 §3.3, §6.2, §10.4, §10.11): full release back on post 5 and 6
months, workload 0.49 and 0.50; partial release at workload 0.69 and 0.70 (and 0.70 with a failed
appraisal); extensions exactly at the limit (master 12 months, doctorate 24); an application exactly
2 years after the hire date and one a day short.  Nothing beyond a limit: the committed sample is
valid input.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..dates import add_months
from ..schemas.study_leave import STUDY_APPLICATIONS, STUDY_LEAVE

SHARE_STUDYING = 0.04      # share of staff with a study episode (sample size, not policy)
MIN_EPISODES = 100
SHARE_DEGREE = 0.8         # share of episodes that are degree study
SHARE_APPLYING = 0.01
MIN_APPLICATIONS = 20
MAX_DEGREE_AGE = 45        # people who start a master's or doctorate are younger than this (sample shape)
MAX_FURTHER_AGE = 55       # likewise for further study

# Monthly pay by post level 1..13 (yuan): basic salary, allowances, award performance, basic
# performance bonus, campus performance, welfare.
_PAY_BY_LEVEL = np.array([
    [9800, 8600, 8000, 7400, 6800, 6300, 5900, 5400, 5100, 4800, 4400, 4100, 3800],
    [3600, 3400, 3300, 3200, 3000, 2900, 2800, 2600, 2500, 2400, 2300, 2200, 2100],
    [3200, 2900, 2700, 2500, 2300, 2100, 1900, 1700, 1600, 1500, 1300, 1200, 1100],
    [2600, 2400, 2300, 2200, 2000, 1900, 1800, 1600, 1500, 1400, 1300, 1200, 1100],
    [1500, 1400, 1300, 1200, 1100, 1000, 950, 900, 850, 800, 700, 650, 600],
    [500, 500, 480, 480, 460, 450, 440, 420, 400, 400, 380, 360, 350],
], dtype="float64")
_PAY_COLUMNS = ("basic_salary", "allowances", "award_performance", "basic_performance_bonus",
                "campus_performance", "welfare")


def _years(dates: np.ndarray, years) -> np.ndarray:
    """Same day ``years`` later (29 Feb → 28 Feb), vectorised."""
    return add_months(dates, np.asarray(years) * 12)


def _sept_first(years: np.ndarray) -> np.ndarray:
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + 8  # September


def generate(rng: np.random.Generator, tables: dict[str, pd.DataFrame], n_staff: int,
             as_of: dt.date) -> dict[str, pd.DataFrame]:
    staff = tables["staff"]
    as_of_ns = np.datetime64(pd.Timestamp(as_of).to_datetime64(), "ns")
    return {
        "study_leave": _episodes(rng, staff, as_of_ns),
        "study_applications": _applications(rng, staff, as_of_ns),
    }


def _age_below(staff: pd.DataFrame, as_of: np.datetime64, years: int) -> np.ndarray:
    """Whether each person is younger than ``years`` on ``as_of``."""
    return staff["birth_date"].to_numpy(dtype="datetime64[ns]") > _years(np.array([as_of]), -years)[0]


def _episodes(rng: np.random.Generator, staff: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    # degree study is for people under MAX_DEGREE_AGE, further study under MAX_FURTHER_AGE (sample
    # shape), starting two years or more after the hire date (P1 §3.3)
    on_est = staff["on_establishment"].to_numpy(dtype=bool)
    doctor = staff["degree"].astype("object").to_numpy() == "doctorate"
    settled = staff["hire_date"].to_numpy(dtype="datetime64[ns]") <= _years(np.array([as_of]), -3)[0]
    on_est_degree = on_est & settled & _age_below(staff, as_of, MAX_DEGREE_AGE)
    on_est = on_est & settled & _age_below(staff, as_of, MAX_FURTHER_AGE)
    seekers, doctors = np.flatnonzero(on_est_degree & ~doctor), np.flatnonzero(on_est & doctor)
    n = min(len(seekers) + len(doctors), max(MIN_EPISODES, int(round(SHARE_STUDYING * len(staff)))))
    # About 80% degree study (people without a doctorate), the rest further study.
    n_seek = min(len(seekers), max(n - len(doctors), int(round(SHARE_DEGREE * n))))
    rows = np.concatenate([rng.choice(seekers, size=n_seek, replace=False),
                           rng.choice(doctors, size=n - n_seek, replace=False)])
    people = staff.iloc[np.sort(rows)].reset_index(drop=True)
    held = people["degree"].astype("object").to_numpy()

    # Mode and degree sought: doctorate holders go on further study.
    mode = rng.choice(np.array(["full_release", "partial", "further_study"], dtype=object), size=n,
                      p=[0.45, 0.40, 0.15])
    mode = np.where(held == "doctorate", "further_study", mode)
    degree_row = np.flatnonzero(held != "doctorate")
    # Boundary rows (see module docstring): the first ten people who can seek a degree.
    forced = degree_row[:10]
    forced_mode = np.array(["full_release"] * 5 + ["partial"] * 5, dtype=object)[: len(forced)]
    mode[forced] = forced_mode
    degree_mode = mode != "further_study"
    sought = np.where(degree_mode, np.where(held == "master", "doctorate", "master"), None)

    # Dates: study starts on 1 September (further study also on 1 March).
    start_year = as_of.astype("datetime64[Y]").astype(np.int64) + 1970 + rng.choice(
        np.arange(-6, 2), size=n, p=[0.08, 0.12, 0.15, 0.17, 0.17, 0.15, 0.1, 0.06])
    start_year[forced] = as_of.astype("datetime64[Y]").astype(np.int64) + 1970 - 1
    hired = people["hire_date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[Y]").astype(np.int64) + 1970
    start_year = np.maximum(start_year, hired + 2)
    start = _sept_first(start_year)
    spring = (mode == "further_study") & (rng.random(n) < 0.5)
    start = np.where(spring, start - 6, start).astype("datetime64[ns]")
    standard_years = np.where(sought == "doctorate", rng.choice([3, 4], size=n, p=[0.3, 0.7]),
                              rng.choice([2, 3], size=n, p=[0.3, 0.7]))
    further_months = rng.choice([6, 10, 12], size=n, p=[0.5, 0.2, 0.3])
    standard_end = np.where(degree_mode, _years(start, standard_years),
                            start.astype("datetime64[M]") + further_months).astype("datetime64[ns]")
    ext = np.where(sought == "doctorate", rng.choice([0, 12, 24], size=n, p=[0.7, 0.15, 0.15]),
                   rng.choice([0, 6, 12], size=n, p=[0.8, 0.1, 0.1]))
    ext = np.where(degree_mode, ext, 0)
    master_rows, doctor_rows = forced[sought[forced] == "master"], forced[sought[forced] == "doctorate"]
    ext[master_rows[:1]] = 12   # master's extension exactly at the 1-year limit
    ext[doctor_rows[:1]] = 24   # doctorate extension exactly at the 2-year limit
    planned_end = add_months(standard_end, ext)

    # Interruptions (a few degree episodes already under way), returns, departures.
    started = start < as_of
    interrupted = degree_mode & started & (rng.random(n) < 0.04)
    interrupted[forced] = False
    cause = np.where(interrupted, rng.choice(np.array(["host_rules", "other_employment", "judicial_penalty",
                                                       "other"], dtype=object), size=n), None)
    last = np.minimum(planned_end, as_of)
    span_days = np.maximum((last - start).astype("timedelta64[D]").astype(np.int64), 1)
    cut = start + (rng.random(n) * span_days).astype("timedelta64[D]")
    finished = planned_end <= as_of
    return_date = np.where(interrupted, cut, np.where(finished, planned_end, np.datetime64("NaT")))
    returned = finished & ~interrupted & degree_mode
    back_days = np.where(returned, (as_of - return_date).astype("timedelta64[D]").astype(np.int64), 0)
    leave_at = return_date + (rng.random(n) * back_days).astype(np.int64).astype("timedelta64[D]")
    leaves = returned & (back_days > 30) & (rng.random(n) < 0.2)
    left_date = np.where(leaves, leave_at, np.datetime64("NaT"))

    # Per-year facts.
    full, partial = mode == "full_release", mode == "partial"
    months_on_post = np.where(full, rng.choice([0, 3, 5, 6, 8, 12], size=n, p=[0.55, 0.1, 0.1, 0.1, 0.1, 0.05]),
                              np.where(partial, 12, 0))
    share_full = np.where(months_on_post == 0, 0.0, rng.choice([0.3, 0.49, 0.5, 0.6, 0.8], size=n))
    share_partial = rng.choice([0.6, 0.69, 0.7, 0.75, 0.8, 0.9, 1.0], size=n, p=[0.05, 0.05, 0.1, 0.2, 0.25, 0.2, 0.15])
    workload = np.where(full, share_full, np.where(partial, share_partial, 0.0))
    passed = rng.random(n) >= np.where(partial, 0.08, 0.02)
    agreement = np.where(degree_mode, rng.random(n) >= 0.05, True)
    boundary = [  # (months_on_post, workload_share, appraisal_passed, agreement_signed)
        (5, 0.50, True, True), (6, 0.50, True, True), (6, 0.49, True, True), (12, 1.0, True, True),
        (0, 0.0, True, False),
        (12, 0.69, True, True), (12, 0.70, True, True), (12, 0.70, False, True), (12, 0.75, True, False),
        (12, 0.80, True, True),
    ][: len(forced)]
    if len(forced):
        months_on_post[forced], workload[forced], passed[forced], agreement[forced] = map(np.array, zip(*boundary))

    years_away = np.maximum((planned_end - start).astype("timedelta64[D]").astype(np.int64) / 365.25, 0.5)
    costs = np.where(full, rng.uniform(8000, 30000, size=n) * years_away,
                     np.where(partial, rng.uniform(0, 15000, size=n), rng.uniform(3000, 20000, size=n)))
    level = people["post_level"].to_numpy(dtype=np.int64)
    pay = _PAY_BY_LEVEL[:, level - 1].T * rng.uniform(0.95, 1.05, size=(n, len(_PAY_COLUMNS)))

    out = pd.DataFrame({
        "staff_id": people["staff_id"].to_numpy(),
        "mode": mode.astype(str),
        "degree_sought": sought,
        "study_start": start,
        "standard_end": standard_end,
        "extension_months": ext.astype(np.int64),
        "return_date": return_date.astype("datetime64[ns]"),
        "interruption_cause": cause,
        "left_date": left_date.astype("datetime64[ns]"),
        "months_on_post": months_on_post.astype(np.int64),
        "workload_share": workload.astype("float64"),
        "appraisal_passed": passed.astype(bool),
        "agreement_signed": agreement.astype(bool),
        "costs_paid": np.round(costs, -2),
        **{c: np.round(pay[:, j], -1) for j, c in enumerate(_PAY_COLUMNS)},
    })
    return out[[c for c in STUDY_LEAVE.names if c in out.columns]]  # optional columns the sample leaves out


def _applications(rng: np.random.Generator, staff: pd.DataFrame, as_of: np.datetime64) -> pd.DataFrame:
    held = staff["degree"].astype("object").to_numpy()
    pool = np.flatnonzero((held != "doctorate") & _age_below(staff, as_of, MAX_DEGREE_AGE))
    n = min(len(pool), max(MIN_APPLICATIONS, int(round(SHARE_APPLYING * len(staff)))))
    rows = np.sort(rng.choice(pool, size=n, replace=False))
    people = staff.iloc[rows].reset_index(drop=True)
    hire = people["hire_date"].to_numpy(dtype="datetime64[ns]")
    date = as_of - rng.integers(0, 240, size=n).astype("timedelta64[D]")
    date = np.maximum(date, hire)
    # Boundary: exactly 2 years after the hire date, and one day short.
    two_years = _years(hire, 2)
    fits = np.flatnonzero(two_years <= as_of)
    date[fits[:1]] = two_years[fits[:1]]
    date[fits[1:2]] = two_years[fits[1:2]] - np.timedelta64(1, "D")
    out = pd.DataFrame({
        "staff_id": people["staff_id"].to_numpy(),
        "application_date": date.astype("datetime64[ns]"),
        "degree_sought": np.where(people["degree"].astype("object").to_numpy() == "master", "doctorate", "master"),
        "on_post": rng.random(n) >= 0.03,
        "in_training_plan": rng.random(n) >= 0.1,
    })
    return out[STUDY_APPLICATIONS.names]
