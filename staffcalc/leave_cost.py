"""Cost of study leave month by month: pay, the external-teacher fund, cover cost, service obligations
(spec §8.11; P1 §7, §10.4, §10.8, §10.11, §11).

:func:`project` takes the study-leave register (table ``study_leave`` plus ``unit_id`` from the staff
roster) and a horizon of calendar months and builds a person × month grid with numpy broadcasting
(no loop over people or months).  Per person-month it computes

* ``paid`` and ``withheld`` — the person's study-year pay (:func:`staffcalc.pay.study_leave_year`)
  spread evenly over the 12 months, so a full study year in the grid sums to exactly the year's pay;
  withheld money goes into the external-teacher fund (P1 §7.2);
* ``uncovered_hours`` = prescribed annual hours / 12 × (1 − workload share done);
* ``cover_cost`` = uncovered hours × hourly rate of a hired teacher;
* ``gap`` = cover cost − the withheld pay that feeds the fund (positive: the fund does not pay for the
  cover); the pay retained from a full-release student without an agreement feeds it unless
  ``study_leave.pay.no_agreement_retained_to_fund`` is false (then only the §7.2 components do);
* ``fte_away`` = 1 − workload share, and a head count of people away.

Prescribed hours and the hourly rate are planning assumptions (``study_leave.planning.*``), as is the
academic year used to total by year (September–August by default).

**Months.** A month belongs to a study episode when its first day lies in ``[study_start,
study_end)``; ``study_end`` is the return date if known, otherwise the approved end
(``standard_end`` + ``extension_months``).  Episodes starting on the 1st are counted exactly.

**Extensions (P1 §10.4).** ``extension_months`` may not exceed the limit per degree (master 1 year,
doctorate 2: ``study_leave.extension.max_years``; 不得超过 includes the limit).  Rows beyond it, a
further-study row with an extension, and a return date after the approved end raise
:class:`~staffcalc.pay.StudyLeaveInputError` (a ValueError) naming the rows.

**Early-return scenario.** ``early_return_share`` s ∈ [0, 1]: of the episodes without a return date
that are planned to end after the horizon starts, the first ⌊s × n⌋ (exact arithmetic) in the order of
a stable hash of ``staff_id|study_start`` (:func:`pandas.util.hash_pandas_object`, fixed key — the same
people on every run and machine) return ``early_return_months`` months before the planned end (policy
assumption, 6), but never before their study start nor before the horizon start.  The earlier end
also moves the service period.

**Refunds (P1 §10.8).** An episode interrupted for a listed cause refunds the refund components
(basic salary and allowances, interpretation) paid over its study months; the refund is booked in the
month of the return (interruption) date.

**Further-study costs (P1 §16).** ``reimbursed`` per person (:func:`staffcalc.pay.further_study_reimbursement`:
approved costs of further study the college selected, nothing when the teacher abandoned it without
special reason) is booked in the month the study ends (when the certificate is handed in, §17) as
``reimbursements`` in the monthly and yearly tables, and summed per unit in ``obligations``.

**Service (P1 §11).** Degree study with a signed agreement, not interrupted (unless
``study_leave.service.interrupted_owes_service``), in a mode listed in
``study_leave.service.applies_to_modes`` owes ``study_leave.service.min_years`` (8) years from the
return date: ``service_end`` = return date + 8 years.  As of ``as_of``: ``served_months`` (full months
from return to the earlier of leaving and ``as_of``), ``outstanding_years`` (person-years still owed,
the whole 8 for people not yet back), ``refundable`` (pay received during full release up to the stop
date + ``costs_paid``), ``breach_liability`` for people who left before the end, and
``breach_exposure`` = the liability if a person still owing service left on ``as_of``
(:func:`staffcalc.pay.breach_liability`, pro rata assumption).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from . import pay as _pay
from .checks import policy_or_default
from .dates import add_months, full_months_between, month_number
from .pay import StudyLeaveInputError, booleans, check, dates, numeric, require_columns
from .policy import Policy
from .schemas.study_leave import DEGREE_LABELS, INTERRUPTION_CAUSES

__all__ = ["Projection", "project", "QUANTITIES"]

# Per person-month quantities summed in the grid, in this order.
QUANTITIES = ("people_away", "fte_away", "paid", "withheld", "full_pay", "uncovered_hours",
              "cover_cost", "gap")
MONEY = ("paid", "withheld", "full_pay", "cover_cost", "gap", "refunds", "reimbursements")
# Amounts booked once, in one month of an episode (not per month away), in this order.
BOOKED = ("refunds", "reimbursements")
_REQUIRED = ("staff_id", "unit_id", "mode", "degree_sought", "study_start", "standard_end",
             "extension_months", "return_date", "interruption_cause", "left_date", "months_on_post",
             "workload_share", "appraisal_passed", "agreement_signed", "costs_paid")
_MONTHS_PER_YEAR = 12


# --------------------------------------------------------------------------------------------
# Month arithmetic (vectorised)
# --------------------------------------------------------------------------------------------
def _first_month_from(dates: np.ndarray) -> np.ndarray:
    """Month number of the first month whose first day is on or after the date."""
    month = month_number(dates)
    return month + (dates > month.astype("datetime64[M]").astype("datetime64[ns]"))


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------
@dataclass
class Projection:
    """What :func:`project` returns.

    ``people`` one row per episode; ``monthly`` one row per unit × month; ``by_unit_year`` per unit ×
    academic year; ``monthly_totals`` per month and ``totals`` per academic year, both computed by an
    independent route (start/stop events per episode, not by adding the units); ``obligations`` service and breach figures per unit as of ``as_of``; ``assumptions`` the
    planning inputs used.  :meth:`person_months` expands the grid into one row per person-month.
    """

    months: pd.PeriodIndex
    as_of: pd.Timestamp
    people: pd.DataFrame
    monthly: pd.DataFrame
    by_unit_year: pd.DataFrame
    totals: pd.DataFrame
    monthly_totals: pd.DataFrame
    obligations: pd.DataFrame
    assumptions: pd.DataFrame
    policy: Policy
    mask: np.ndarray = field(repr=False)      # person × month, True when away studying
    rates: np.ndarray = field(repr=False)     # person × QUANTITIES, per month away

    def person_months(self) -> pd.DataFrame:
        """One row per person-month away: staff_id, unit_id, month and the :data:`QUANTITIES`."""
        rows, cols = np.nonzero(self.mask)
        out = pd.DataFrame({
            "staff_id": self.people["staff_id"].to_numpy()[rows],
            "unit_id": self.people["unit_id"].to_numpy()[rows],
            "month": self.months.astype(str).to_numpy()[cols],
        })
        for j, q in enumerate(QUANTITIES):
            out[q] = self.rates[rows, j]
        return out


# --------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------
def project(records: pd.DataFrame, start, end, policy: Policy | None = None, hourly_rate=None,
            early_return_share: float = 0.0, as_of=None, prescribed_hours=None,
            early_return_months=None) -> Projection:
    """Month-by-month cost of study leave over the horizon ``start``..``end`` (months, inclusive,
    e.g. ``"2026-09"``, ``"2028-08"``).  See the module docstring for every rule.

    ``records``: the ``study_leave`` table with ``unit_id``.  ``policy`` defaults to the one in force
    on ``as_of``; ``as_of`` (date of the obligation figures) defaults to the first day of the horizon.
    ``hourly_rate``, ``prescribed_hours`` and ``early_return_months`` default to the planning
    assumptions in ``study_leave.planning``.
    """
    h0, h1 = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    if h1 < h0:
        raise StudyLeaveInputError(f"horizon end {h1} is before its start {h0} / 预测期结束月份早于开始月份",
                                   column="end", rule="horizon_order")
    as_of = pd.Timestamp(as_of) if as_of is not None else h0.start_time
    policy = policy_or_default(policy, as_of.date())
    plan = "study_leave.planning."
    rate = _scalar("hourly_rate", hourly_rate, policy.get(plan + "hourly_cover_rate"))
    hours = _scalar("prescribed_hours", prescribed_hours, policy.get(plan + "prescribed_annual_hours"))
    back = _scalar("early_return_months", early_return_months, policy.get(plan + "early_return_months"))
    if back != int(back):
        raise StudyLeaveInputError(f"early_return_months must be whole months, got {back} / 提前返岗月数须为整数",
                                   column="early_return_months", rule="not_integer")
    share = _scalar("early_return_share", early_return_share, 0.0)
    if share > 1:
        raise StudyLeaveInputError(f"early_return_share must be within 0..1, got {share} / 提前返岗比例须在0至1之间",
                                   column="early_return_share", rule="share_range")
    year_start = int(policy.get(plan + "year_start_month"))

    require_columns(records, _REQUIRED, "leave_cost.project")
    df = records.reset_index(drop=True)
    n = len(df)
    for column in ("staff_id", "unit_id"):
        check(df[column].isna().to_numpy(), df, column, "missing", "missing: a value is required", "此项不能为空")
    year = _pay.year_amounts(df, policy)  # validates mode, shares, pay components
    mode = df["mode"].astype("object").to_numpy()
    degree_mode = mode != "further_study"
    agreement = booleans(df, "agreement_signed", missing=False, required=degree_mode)

    # Dates and the approved end (P1 §10.4).
    study_start = dates(df, "study_start")
    standard_end = dates(df, "standard_end")
    return_date = dates(df, "return_date", missing=pd.NaT)
    left_date = dates(df, "left_date", missing=pd.NaT)
    check(standard_end <= study_start, df, "standard_end", "end_after_start", "must be after study_start",
          "学制结束日期须晚于学习开始日期")
    planned_end = add_months(standard_end, _extension_months(df, mode, policy))
    has_return = ~np.isnat(return_date)
    check(has_return & (return_date < study_start), df, "return_date", "return_before_start",
          "before study_start", "返岗日期早于学习开始日期")
    check(has_return & (return_date > planned_end), df, "return_date", "return_after_approved_end",
          "after the approved end (standard_end + extension_months; P1 §10.4)",
          "返岗日期晚于批准的学习结束日期（学制+延期）")
    check(~np.isnat(left_date) & (left_date < study_start), df, "left_date", "left_before_start",
          "before study_start", "离职日期早于学习开始日期")
    interrupted = df["interruption_cause"].notna().to_numpy()
    cause = np.where(interrupted, df["interruption_cause"].astype("object").to_numpy(), "")
    check(interrupted & ~np.isin(cause, INTERRUPTION_CAUSES), df, "interruption_cause", "unknown_cause",
          f"must be one of {list(INTERRUPTION_CAUSES)}", "中断原因不在允许范围内", cause)
    check(interrupted & ~has_return, df, "return_date", "interrupted_without_return",
          "an interrupted episode needs the date it ended", "中断学习须填写返岗（中断）日期")
    costs = numeric(df, "costs_paid")
    check(costs < 0, df, "costs_paid", "negative", "cannot be negative", "不能为负数", costs)

    # Early-return scenario.
    horizon_start = h0.start_time.to_datetime64().astype("datetime64[ns]")
    study_end = np.where(has_return, return_date, planned_end)
    early = _early_returners(df, ~has_return & (planned_end > horizon_start), share)
    moved = np.maximum(np.maximum(add_months(planned_end, -int(back)), study_start), horizon_start)
    study_end = np.where(early, moved, study_end)

    # Person × month grid.
    first = _first_month_from(study_start)
    stop = _first_month_from(study_end)
    study_months = np.maximum(stop - first, 0)
    grid_months = month_number(np.array([horizon_start]))[0] + np.arange((h1 - h0).n + 1)
    mask = (grid_months[None, :] >= first[:, None]) & (grid_months[None, :] < stop[:, None])

    done = numeric(df, "workload_share", missing=0.0)
    per_month = {
        "people_away": np.ones(n),
        "fte_away": 1.0 - done,
        "paid": year["paid"] / _MONTHS_PER_YEAR,
        "withheld": year["withheld"] / _MONTHS_PER_YEAR,
        "full_pay": year["full_pay"] / _MONTHS_PER_YEAR,
        "uncovered_hours": hours / _MONTHS_PER_YEAR * (1.0 - done),
    }
    per_month["cover_cost"] = per_month["uncovered_hours"] * rate
    per_month["gap"] = per_month["cover_cost"] - year["withheld_to_fund"] / _MONTHS_PER_YEAR
    rates = np.column_stack([per_month[q] for q in QUANTITIES]).reshape(n, len(QUANTITIES))

    # Refunds (P1 §10.8), booked in the month of the interruption.
    refund = _pay.refund_due(year["refund_base"] / _MONTHS_PER_YEAR, study_months, cause, policy=policy)
    refund = np.asarray(refund, dtype="float64").reshape(n)
    refund_month = np.where(has_return, month_number(np.where(has_return, return_date, horizon_start)), -1)
    # Further-study costs reimbursed (P1 §16), booked in the month the study ends.
    further_costs = _pay.reimbursement_arrays(df, policy)
    reimbursed = further_costs["reimbursed"]
    reimburse_month = month_number(study_end)

    # Per unit × month: every away cell of the grid adds its person's rates to its (unit, month) bin.
    unit_codes, units = pd.factorize(df["unit_id"].astype("object"), sort=True)
    n_units, n_months = len(units), len(grid_months)
    rows, cols = np.nonzero(mask)
    cell_bin = unit_codes[rows] * n_months + cols
    by_unit = np.zeros((len(QUANTITIES) + len(BOOKED), n_units, n_months))
    for j in range(len(QUANTITIES)):  # one pass per quantity, not per person or month
        by_unit[j] = np.bincount(cell_bin, weights=rates[rows, j], minlength=n_units * n_months).reshape(
            n_units, n_months)
    booked_totals = []
    for j, (amount, month) in enumerate(((refund, refund_month), (reimbursed, reimburse_month))):
        col = month - grid_months[0]
        in_grid = (col >= 0) & (col < n_months)
        by_unit[len(QUANTITIES) + j] = np.bincount(unit_codes[in_grid] * n_months + col[in_grid],
                                                   weights=amount[in_grid],
                                                   minlength=n_units * n_months).reshape(n_units, n_months)
        booked_totals.append(np.bincount(col[in_grid], weights=amount[in_grid], minlength=n_months).astype("float64"))

    # Totals by an independent route (start/stop events and running sums, no grid), so that
    # "totals = sum of units" checks the grid aggregation.
    total = np.concatenate([_totals_from_events(first - grid_months[0], stop - grid_months[0], rates, n_months),
                            np.array(booked_totals).reshape(len(BOOKED), n_months)])

    months = pd.period_range(h0, h1, freq="M")
    academic_year = months.year.to_numpy() - (months.month.to_numpy() < year_start)
    columns = (*QUANTITIES, *BOOKED)
    monthly = pd.DataFrame({
        "unit_id": np.repeat(np.asarray(units, dtype=object), n_months),
        "month": np.tile(months.astype(str).to_numpy(), n_units),
        "academic_year": np.tile(academic_year, n_units),
        **{c: by_unit[j].ravel() for j, c in enumerate(columns)},
    })
    totals_monthly = pd.DataFrame({
        "month": months.astype(str), "academic_year": academic_year,
        **{c: total[j] for j, c in enumerate(columns)},
    })
    by_unit_year = _per_year(monthly, ["unit_id", "academic_year"])
    totals = _per_year(totals_monthly, ["academic_year"])

    # Service obligation and breach (P1 §11) as of as_of.
    people, obligations = _obligations(df, mode, agreement, interrupted, study_start, study_end, left_date,
                                       first, study_months, year["paid"] / _MONTHS_PER_YEAR, costs,
                                       as_of, policy, unit_codes, units)
    people.insert(5, "planned_end", planned_end)
    people.insert(6, "study_end", study_end)
    people.insert(7, "early_return", early)
    people.insert(8, "study_months", study_months)
    months_in = mask.sum(axis=1)
    people.insert(9, "months_in_horizon", months_in)
    for q in ("paid", "withheld", "cover_cost", "gap"):
        people[q] = per_month[q] * months_in
    further_min = policy.get("study_leave.further_study_min_months")
    short = (mode == "further_study") & (full_months_between(study_start, planned_end) < further_min)
    people["flags"] = _pay.flags_column({**year["conditions"], "further_study_short": short,
                                          **further_costs["conditions"]}, n)
    people["refund"] = refund
    for c in _pay.APPRAISAL_COLUMNS[:2]:  # the appraisal while studying (P1 §9, §15.1): grade and basis
        people[c] = year[c]
    # Period ordinals of monthly periods are months since 1970-01, like _month_number.
    people["refund_month"] = np.where(
        refund > 0, pd.PeriodIndex.from_ordinals(np.maximum(refund_month, 0), freq="M").astype(str), "")
    obligations["refunds_due"] = np.bincount(unit_codes, weights=refund, minlength=n_units)
    people["reimbursed"] = reimbursed
    obligations["reimbursed"] = np.bincount(unit_codes, weights=reimbursed, minlength=n_units)

    assumptions = pd.DataFrame([
        ("hourly_rate", rate, "yuan per class hour", hourly_rate is None),
        ("prescribed_hours", hours, "class hours per year", prescribed_hours is None),
        ("early_return_share", share, "share of open episodes", False),
        ("early_return_months", int(back), "months", early_return_months is None),
        ("year_start_month", year_start, "month number", True),
        ("horizon", f"{h0}..{h1}", "months", False),
        ("as_of", as_of.date().isoformat(), "date", False),
    ], columns=["parameter", "value", "unit", "from_policy"])
    return Projection(months=months, as_of=as_of, people=people, monthly=monthly, by_unit_year=by_unit_year,
                      totals=totals, monthly_totals=totals_monthly, obligations=obligations,
                      assumptions=assumptions, policy=policy, mask=mask, rates=rates)


def _scalar(name: str, value, default) -> float:
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise StudyLeaveInputError(f"{name} must be a number, got {value!r} / {name} 须为数值", column=name,
                                   rule="not_numeric")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise StudyLeaveInputError(f"{name} must be a finite number ≥ 0, got {value} / {name} 须为非负有限数值",
                                   column=name, rule="finite_non_negative")
    return value


def _extension_months(df: pd.DataFrame, mode: np.ndarray, policy: Policy) -> np.ndarray:
    """Approved extension in months, checked against P1 §10.4 (不得超过: the limit itself is allowed)."""
    ext = numeric(df, "extension_months")
    check((ext < 0) | (ext != np.floor(ext)), df, "extension_months", "not_whole_months",
          "must be a whole number ≥ 0", "延期月数须为非负整数", ext)
    limits = policy.get("study_leave.extension.max_years")
    degree = df["degree_sought"].astype("object").to_numpy()
    further = mode == "further_study"
    known = np.isin(degree, list(limits))
    check(~further & ~known, df, "degree_sought", "unknown_degree",
          f"degree study must name one of {list(limits)}", "攻读学位须为硕士或博士", degree)
    check(further & df["degree_sought"].notna().to_numpy(), df, "degree_sought", "further_study_degree",
          "further study (进修) seeks no degree", "进修不攻读学位", degree)
    limit_months = np.zeros(len(df))
    for name, years in limits.items():  # one pass per degree kind in the policy, not per row
        limit_months = np.where(degree == name, years * _MONTHS_PER_YEAR, limit_months)
    beyond = ext > limit_months
    if beyond.any():
        rule = ", ".join(f"{k} ≤ {v} year(s)" for k, v in limits.items())
        rule_zh = "，".join(f"{DEGREE_LABELS.get(k, k)}不得超过{v}年" for k, v in limits.items())
        check(beyond & further, df, "extension_months", "further_study_extension",
              "further study (进修) has no extension (P1 §10.4)", "进修不适用延期", ext)
        check(beyond, df, "extension_months", "extension_limit", f"extension beyond the limit ({rule}; P1 §10.4)",
              f"延期超过规定上限（{rule_zh}）", ext)
    return ext.astype(np.int64)


def _early_returners(df: pd.DataFrame, candidate: np.ndarray, share: float) -> np.ndarray:
    """The first ⌊share × candidates⌋ candidates in stable-hash order (see module docstring)."""
    chosen = np.zeros(len(df), dtype=bool)
    idx = np.flatnonzero(candidate)
    k = int(Fraction(str(share)) * len(idx))  # floor, exact
    if k == 0:
        return chosen
    key = (df["staff_id"].astype(str) + "|" + pd.to_datetime(df["study_start"]).dt.strftime("%Y-%m-%d")).iloc[idx]
    h = pd.util.hash_pandas_object(key.reset_index(drop=True), index=False).to_numpy()
    order = np.lexsort((key.to_numpy(dtype=str), h))
    chosen[idx[order[:k]]] = True
    return chosen


def _totals_from_events(first: np.ndarray, stop: np.ndarray, rates: np.ndarray, n_months: int) -> np.ndarray:
    """Per month sums of ``rates`` over the people away (QUANTITIES × months), from each episode's
    first and stop month (grid positions) by adding at the start, subtracting at the stop, cumsum."""
    start = np.clip(first, 0, n_months)
    end = np.clip(stop, 0, n_months)
    live = end > start
    out = np.empty((rates.shape[1], n_months))
    for j in range(rates.shape[1]):
        w = rates[live, j]
        change = (np.bincount(start[live], weights=w, minlength=n_months + 1)
                  - np.bincount(end[live], weights=w, minlength=n_months + 1))
        out[j] = np.cumsum(change)[:n_months]
    return out


def _per_year(monthly: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    sums = ["person_months_away" if c == "people_away" else c for c in (*QUANTITIES, *BOOKED)]
    g = monthly.rename(columns={"people_away": "person_months_away"}).groupby(keys, sort=True)
    out = g[sums].sum()
    out.insert(0, "months", g.size())
    out["fte_away"] = out["fte_away"] / out["months"]  # average FTE away over the months of the year
    return out.reset_index()


def _obligations(df, mode, agreement, interrupted, study_start, study_end, left_date, first, study_months,
                 paid_per_month, costs, as_of, policy, unit_codes, units):
    """Per-person service status and the per-unit obligation table (P1 §11; spec §8.9)."""
    a = np.datetime64(as_of.to_datetime64(), "ns")
    required = int(policy.get("study_leave.service.min_years")) * _MONTHS_PER_YEAR
    owes_if_interrupted = bool(policy.get("study_leave.service.interrupted_owes_service"))
    applies = (np.isin(mode, list(policy.get("study_leave.service.applies_to_modes")))
               & agreement & (~interrupted | owes_if_interrupted))
    service_end = np.where(applies, add_months(study_end, required), np.datetime64("NaT"))
    left = ~np.isnat(left_date) & (left_date <= a)
    stop = np.where(left, left_date, a)
    served = np.maximum(full_months_between(study_end, stop), 0)
    served = np.where(applies, served, 0)
    paid_until = np.minimum(study_end, stop)
    received = np.clip(_first_month_from(paid_until) - first, 0, study_months)
    refundable = np.where(mode == "full_release", paid_per_month * received, 0.0) + costs
    refundable = np.where(applies, refundable, 0.0)

    status = np.select(
        [interrupted & (study_end <= a) & ~applies,
         applies & left & (left_date < service_end),
         a < study_start,
         a < study_end,
         applies & (stop < service_end),
         applies],
        ["interrupted", "left_in_breach", "planned", "studying", "serving", "service_completed"],
        default="returned",
    ).astype(object)
    owing = applies & np.isin(status, ["planned", "studying", "serving"])
    outstanding = np.where(owing, (required - served) / _MONTHS_PER_YEAR, 0.0)
    liability = _pay.breach_liability(refundable, served, required_months=required, policy=policy)
    breach = np.where(status == "left_in_breach", liability, 0.0)
    exposure = np.where(owing, liability, 0.0)

    people = pd.DataFrame({
        "staff_id": df["staff_id"].to_numpy(),
        "unit_id": df["unit_id"].to_numpy(),
        "mode": mode,
        "degree_sought": df["degree_sought"].to_numpy(),
        "study_start": study_start,
        "study_status": status,
        "service_applies": applies,
        "service_end": service_end,
        "served_months": served,
        "outstanding_years": outstanding,
        "refundable": refundable,
        "breach_liability": breach,
        "breach_exposure": exposure,
    })
    obligations = pd.DataFrame({
        "unit_id": np.asarray(units, dtype=object),
        "people_owing": np.bincount(unit_codes, weights=owing, minlength=len(units)).astype(np.int64),
        "people_serving": np.bincount(unit_codes, weights=status == "serving", minlength=len(units)).astype(np.int64),
        "outstanding_years": np.bincount(unit_codes, weights=outstanding, minlength=len(units)),
        "breach_exposure": np.bincount(unit_codes, weights=exposure, minlength=len(units)),
        "people_in_breach": np.bincount(unit_codes, weights=status == "left_in_breach",
                                        minlength=len(units)).astype(np.int64),
        "breach_liability": np.bincount(unit_codes, weights=breach, minlength=len(units)),
    })
    return people, obligations
