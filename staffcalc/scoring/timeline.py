"""The monthly appraisal calendar and late materials (P5 §4(五)7, §4(五)11, §5; spec §5.3, §5.7).

P5: 每月3號之前上交上月的考核材料 (§4(五)11) — a month's materials are due on the 3rd of the next month;
每月考核在其下月的3-8號進行,每月10號公布考核結果 (§5) — the appraisal runs on the 3rd–8th and the
results are published on the 10th of the next month.  Every day is a parameter
(``appraisal.timeline.*``); whether the due day itself is on time is the interpretation
``materials_due_inclusive`` (default yes: by the 3rd).

Late materials cost points (P5 §4(五)): ``monthly`` materials (§4(五)11: 遲交一天扣五分,遲交一天以上扣10分)
give D-MONTHLY-LATE-1 / -2, other materials with their own deadline (§4(五)7: award results, task
materials, holiday statistics — 遲交一天扣5分,遲交超過一天扣10分) give D-MATERIAL-LATE-1 / -2.  Days late
= calendar days from the due date to the submission date; up to ``late_tier1_max_days`` days (1) →
the -1 code, more → the -2 code (一天以上 read as "more than one day", the interpretation beside the
parameter).  The points themselves stay in the deduction catalogue: :func:`late_submission_events`
returns coded events (``staff_id, period, code, count``) to add to the month's events before
:func:`staffcalc.scoring.event_points` / ``monthly_appraisal``, so there is one implementation of
each deduction.

* :func:`monthly_timeline` — the dates for appraisal months (one row per month).
* :func:`late_submissions` — per submission: due date, days late, code ('' on time).
* :func:`late_submission_events` — the late ones as events, counted per teacher, month and code.
* :func:`with_late_material_events` — a month's events plus those from the ``materials_submitted``
  dates of ``appraisal_items`` (the input that gives submission dates; used by the appraisal report
  and the what-if baseline).

A monthly submission's deduction is booked in the month whose materials were late (the month being
appraised).  Vectorised: whole columns, no per-row Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import policy_or_default
from ..policy import Policy
from ._common import check, require_columns

NS = "appraisal.timeline"
KINDS = ("monthly", "material")
# kind -> (code up to late_tier1_max_days, code beyond), codes of the deduction catalogue
LATE_CODES = {"monthly": ("D-MONTHLY-LATE-1", "D-MONTHLY-LATE-2"), "material": ("D-MATERIAL-LATE-1", "D-MATERIAL-LATE-2")}

__all__ = ["KINDS", "LATE_CODES", "monthly_timeline", "late_submissions", "late_submission_events",
           "with_late_material_events"]


def _periods(period) -> pd.PeriodIndex:
    """Appraisal months as a monthly PeriodIndex ('2026-03', Period, Timestamp, or a list/Series of them)."""
    values = pd.Series([period] if np.ndim(period) == 0 else list(period), dtype=object)
    if isinstance(period, pd.PeriodIndex) or not values.map(type).eq(str).all():  # Periods, Timestamps
        return pd.PeriodIndex(pd.to_datetime(values.map(str)).dt.to_period("M"), freq="M") \
            if not isinstance(period, pd.PeriodIndex) else period.asfreq("M")
    bad = ~values.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").to_numpy(dtype=bool)
    check(bad, None, "period", "not_month", "not a month (write YYYY-MM)", "考核月份应写作 YYYY-MM", values.to_numpy())
    return pd.PeriodIndex(pd.to_datetime(values, format="%Y-%m"), freq="M")


def _day_of_next_month(months: pd.PeriodIndex, day) -> np.ndarray:
    return ((months + 1).to_timestamp(how="start") + pd.to_timedelta(np.asarray(day) - 1, unit="D")).to_numpy(
        dtype="datetime64[ns]")


def monthly_timeline(period, policy: Policy | None = None) -> pd.DataFrame:
    """The calendar of the monthly appraisal of ``period`` (a month or many; P5 §4(五)11, §5).

    One row per month with ``period`` ('YYYY-MM'), ``materials_due`` (the last on-time day),
    ``appraisal_start``, ``appraisal_end`` and ``results_published`` — all in the following month.
    With the default policy, March 2026 → materials by 2026-04-03, appraisal 2026-04-03 to
    2026-04-08, results on 2026-04-10.
    """
    pol = policy_or_default(policy)
    months = _periods(period)
    due = pol.get(f"{NS}.materials_due_day") - (0 if pol.get(f"{NS}.materials_due_inclusive") else 1)
    days = pol.get(f"{NS}.appraisal_days")
    return pd.DataFrame({
        "period": months.astype(str),
        "materials_due": _day_of_next_month(months, due),
        "appraisal_start": _day_of_next_month(months, days["first"]),
        "appraisal_end": _day_of_next_month(months, days["last"]),
        "results_published": _day_of_next_month(months, pol.get(f"{NS}.results_day")),
    })


def late_submissions(submissions: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Days late and the deduction code of each submission (P5 §4(五)7, §4(五)11).

    ``submissions``: ``staff_id``, ``period`` (the appraisal month, 'YYYY-MM'), ``kind`` (``monthly``
    or ``material``), ``submitted`` (date handed in) and ``due_date`` (the deadline; required for
    ``material``, which has no fixed day; for ``monthly`` it may be empty and then is the
    :func:`monthly_timeline` due date).  Returns a copy with ``due_date`` filled, ``days_late``
    (0 when on time) and ``code`` ('' when on time).
    """
    pol = policy_or_default(policy)
    require_columns(submissions, ["staff_id", "period", "kind", "submitted"], "late_submissions")
    df = submissions
    kind = df["kind"].astype(object).to_numpy()
    check(~np.isin(kind, KINDS), df, "kind", "unknown_kind", f"must be one of {list(KINDS)}",
          "材料类别须为 monthly（月考核材料）或 material（其他材料）", kind)
    submitted = pd.to_datetime(df["submitted"], errors="coerce").dt.normalize().to_numpy(dtype="datetime64[ns]")
    check(np.isnat(submitted), df, "submitted", "not_date", "missing or not a date", "提交日期缺失或无效",
          df["submitted"].to_numpy())
    given_due = (pd.to_datetime(df["due_date"], errors="coerce").dt.normalize().to_numpy(dtype="datetime64[ns]")
                 if "due_date" in df.columns else np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]"))
    check((kind == "material") & np.isnat(given_due), df, "due_date", "missing",
          "a material other than the monthly one needs its deadline", "其他材料须填写规定提交日期")
    months, where = np.unique(df["period"].astype(str).to_numpy(), return_inverse=True)  # once per month
    monthly_due = monthly_timeline(months, pol)["materials_due"].to_numpy()[where.reshape(-1)]
    due = np.where(np.isnat(given_due), monthly_due, given_due)
    late = np.maximum((submitted - due) // np.timedelta64(1, "D"), 0).astype(np.int64)
    tier1 = pol.get(f"{NS}.late_tier1_max_days")
    limit = np.where(kind == "monthly", tier1["monthly"], tier1["material"])
    first = np.where(kind == "monthly", LATE_CODES["monthly"][0], LATE_CODES["material"][0])
    second = np.where(kind == "monthly", LATE_CODES["monthly"][1], LATE_CODES["material"][1])
    out = df.copy()
    out["due_date"] = due
    out["days_late"] = late
    out["code"] = np.where(late == 0, "", np.where(late <= limit, first, second)).astype(object)
    return out


def with_late_material_events(items: pd.DataFrame, events: pd.DataFrame | None,
                              policy: Policy | None = None) -> pd.DataFrame | None:
    """``events`` plus the D-MONTHLY-LATE events of the teacher-months whose ``materials_submitted``
    date (optional column of ``appraisal_items``) is after the due date.  Without that column, or with
    it empty, ``events`` unchanged.  Apply it once, before :func:`staffcalc.scoring.monthly_appraisal`
    (the report and the what-if baseline both do)."""
    if "materials_submitted" not in items.columns or not items["materials_submitted"].notna().any():
        return events
    given = items[items["materials_submitted"].notna()]
    late = late_submission_events(pd.DataFrame({
        "staff_id": given["staff_id"].to_numpy(), "period": given["period"].astype(str).to_numpy(),
        "kind": "monthly", "submitted": given["materials_submitted"].to_numpy()}), policy)
    return late if events is None or not len(events) else pd.concat(
        [events[["staff_id", "period", "code", "count"]], late], ignore_index=True)


def late_submission_events(submissions: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The late submissions as deduction events: ``staff_id, period, code, count`` (one row per
    teacher, month and code), ready to concatenate with the month's other events."""
    late = late_submissions(submissions, policy)
    late = late[late["code"] != ""]
    events = (late.assign(period=late["period"].astype(str))
              .groupby(["staff_id", "period", "code"], sort=True).size().rename("count").reset_index())
    events["count"] = events["count"].astype(np.int64)
    return events
