"""Multi-year outlook of senior posts: retirements, the posts they release, projected vacancies.

:func:`outlook` takes the disciplines and the staff roster (with ``sex``) and, for each of the next
``years`` twelve-month periods starting with the as-of month (default 5), gives:

* ``by_level`` — per unit, discipline and post level: retirements (everyone on the roster whose
  statutory retirement month, :func:`staffcalc.retirement.retirement_month`, falls in the period)
  and the posts they release (those of them who occupy a capped post, ``quotas.occupancy_basis``);
  people already past their retirement month on the as-of date count in the first period;
* ``senior`` — per discipline and period: the current caps (P6 §9 with the policy's ratios and any
  quota arguments), senior/full/associate posts released, and the projected senior occupancy and
  vacancies at the end of the period, assuming no other change (no promotion, hire or departure);
* ``units`` and ``levels`` — the same summed per unit and per post level (the school's rows).

Occupancy and caps come from :func:`staffcalc.quotas.quota_table` — once on the roster and once per
period on the people who retire in it — so the outlook counts posts by the same rules as the quota
table.  A what-if flows through the policy: ``policy.override({"quotas.senior_ratio.B": 0.55})``
changes the caps, ``{"retirement.flexible.assumed_months": 12}`` or the other ``retirement.*``
assumptions change who retires when.  Vectorised: one retirement-month computation over the roster,
one ``bincount``, and ``years + 1`` quota tables (the loop runs over years, never over people).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .checks import RuleInputError, policy_or_default
from .dates import as_date
from .policy import Policy
from .quotas import ALL_LEVELS, occupies_post, quota_table, require_columns
from .retirement import retirement_month

DEFAULT_YEARS = 5
_GROUPS = ("senior", "full", "associate")


class OutlookError(RuleInputError):
    """Bad input to the outlook (names the argument or column and the rule)."""


@dataclass(frozen=True)
class Outlook:
    """What :func:`outlook` returns (see the module docstring); ``periods`` lists the periods."""

    periods: pd.DataFrame
    by_level: pd.DataFrame
    senior: pd.DataFrame
    units: pd.DataFrame
    levels: pd.DataFrame


def periods(as_of: dt.date, years: int = DEFAULT_YEARS) -> pd.DataFrame:
    """The twelve-month periods: ``outlook_year`` 1…years, first and last month, a label."""
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise OutlookError(f"years: {years!r} must be a whole number of at least 1 / 展望年数须为正整数")
    start = np.datetime64(as_of, "M") + 12 * np.arange(years)
    end = start + 11
    label = [f"{s}至{e}" for s, e in zip(start.astype(str), end.astype(str))]
    return pd.DataFrame({"outlook_year": np.arange(1, years + 1), "period": label,
                         "period_start": start.astype(str), "period_end": end.astype(str)})


def outlook(
    disciplines: pd.DataFrame,
    staff: pd.DataFrame,
    policy: Policy | None = None,
    *,
    as_of: dt.date | str | None = None,
    years: int = DEFAULT_YEARS,
    **quota_args,
) -> Outlook:
    """Retirements, posts released and projected senior vacancies for the next ``years`` periods.

    ``as_of`` defaults to the policy's date; ``quota_args`` go to
    :func:`staffcalc.quotas.quota_table` (``adjustment``, ``full_senior_share``, ``method``,
    ``president_override``, ``unit``, ``discipline_adjustment``).  The roster needs
    ``discipline_id``, ``post_level``, ``birth_date``, ``sex`` (男/女) and, under the default
    occupancy basis, ``on_establishment``.
    """
    pol = policy_or_default(policy)
    day = as_date(as_of) if as_of is not None else pol.as_of
    per = periods(day, years)
    require_columns(staff, ["discipline_id", "post_level", "birth_date", "sex"], "table staff", error=OutlookError)
    staff = staff.reset_index(drop=True)

    base = quota_table(disciplines, staff, pol, **quota_args)
    month = retirement_month(staff["birth_date"], staff["sex"], staff["post_level"], policy=pol)
    offset = month.astype(np.int64) - np.datetime64(day, "M").astype(np.int64)
    year_of = np.maximum(offset // 12 + 1, 1)                # already past retirement: the first period
    leaving = year_of <= years

    # every retirement, by discipline, level and period (a count, no rule)
    d_ids = base["discipline_id"].astype(str)
    pos = pd.Index(d_ids).get_indexer(staff["discipline_id"].astype(str))
    keep = leaving & (pos >= 0)                               # quota_table checked the ids; pos < 0: other units
    nlev = ALL_LEVELS[-1] + 1
    key = (pos[keep] * years + (year_of[keep] - 1)) * nlev + staff["post_level"].to_numpy(np.int64)[keep]
    retire = np.bincount(key, minlength=len(base) * years * nlev).reshape(len(base), years, nlev)
    counted = occupies_post(staff, pol)
    key_c = (pos[keep & counted] * years + (year_of[keep & counted] - 1)) * nlev \
        + staff["post_level"].to_numpy(np.int64)[keep & counted]
    released = np.bincount(key_c, minlength=len(base) * years * nlev).reshape(len(base), years, nlev)

    # the posts released per capped group: the quota table of the people who leave in each period
    rel = {g: np.zeros((len(base), years), dtype=np.int64) for g in _GROUPS}
    for k in range(years):                                    # a handful of periods
        gone = staff[leaving & (year_of == k + 1)]
        t = quota_table(disciplines, gone, pol, **quota_args)
        for g in _GROUPS:
            rel[g][:, k] = t[f"occupied_{g}"].to_numpy()

    info = base[["unit_id", "unit_name", "discipline_id", "discipline_name", "category"]]
    senior = _senior(base, info, per, rel)
    by_level = _by_level(info, per, retire, released)
    return Outlook(periods=per, by_level=by_level, senior=senior, units=_units(senior),
                   levels=_levels(by_level, per))


def _senior(base: pd.DataFrame, info: pd.DataFrame, per: pd.DataFrame, rel: dict) -> pd.DataFrame:
    n, years = len(base), len(per)
    out = info.loc[np.repeat(np.arange(n), years)].reset_index(drop=True)
    out.insert(5, "outlook_year", np.tile(per["outlook_year"].to_numpy(), n))
    out.insert(6, "period", np.tile(per["period"].to_numpy(dtype=object), n))
    over = np.zeros(n * years, dtype=bool)
    for g in _GROUPS:
        cap = base[f"{g}_cap"].to_numpy()
        cum = np.cumsum(rel[g], axis=1)
        end = base[f"occupied_{g}"].to_numpy()[:, None] - cum
        out[f"{g}_cap"] = np.repeat(cap, years)
        out[f"released_{g}"] = rel[g].ravel()
        out[f"projected_occupied_{g}"] = end.ravel()
        out[f"projected_vacancy_{g}"] = (cap[:, None] - end).ravel()
        over |= out[f"projected_vacancy_{g}"].to_numpy() < 0
    out["projected_over_cap"] = over
    return out


def _by_level(info: pd.DataFrame, per: pd.DataFrame, retire: np.ndarray, released: np.ndarray) -> pd.DataFrame:
    d, k, lv = np.nonzero(retire)                             # only the cells with someone leaving
    out = info.iloc[d].reset_index(drop=True)
    out["outlook_year"] = per["outlook_year"].to_numpy()[k]
    out["period"] = per["period"].to_numpy(dtype=object)[k]
    out["post_level"] = lv
    out["retirements"] = retire[d, k, lv]
    out["posts_released"] = released[d, k, lv]
    return out


def _units(senior: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in senior.columns if c.startswith(("released_", "projected_occupied_", "projected_vacancy_"))
            or c in {f"{g}_cap" for g in _GROUPS}]
    t = senior.assign(projected_disciplines_over_cap=senior["projected_over_cap"].astype(np.int64))
    return (t.groupby(["unit_id", "unit_name", "outlook_year", "period"], sort=True, as_index=False)
            [cols + ["projected_disciplines_over_cap"]].sum())


def _levels(by_level: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """Posts released and retirements per post level and period for the whole school (zeros kept)."""
    grid = pd.MultiIndex.from_product([per["outlook_year"], ALL_LEVELS], names=["outlook_year", "post_level"])
    t = (by_level.groupby(["outlook_year", "post_level"])[["retirements", "posts_released"]].sum()
         .reindex(grid, fill_value=0).reset_index())
    return per[["outlook_year", "period"]].merge(t, on="outlook_year")


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Where the outlook's numbers come from: the retirement and quota parameters."""
    pol = policy_or_default(policy)
    return pd.concat([pol.references("retirement"), pol.references("quotas")], ignore_index=True)


__all__ = ["outlook", "periods", "Outlook", "OutlookError", "parameters_used", "DEFAULT_YEARS"]
