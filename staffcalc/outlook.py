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
* ``units``, ``school`` and ``levels`` — the same summed per unit, for the school, and per post level.

Caps and current occupancy come from :func:`staffcalc.quotas.quota_table`; the posts released are
counted with the same rules (:func:`staffcalc.quotas.occupies_post` for who holds a capped post,
:func:`staffcalc.quotas.capped_levels` for the levels counted against each cap).  A what-if flows through the policy: ``policy.override({"quotas.senior_ratio.B": 0.55})``
changes the caps, ``{"retirement.flexible.assumed_months": 12}`` or the other ``retirement.*``
assumptions change who retires when.  Vectorised: one quota table, one retirement-month computation
over the roster and two ``bincount`` calls; no loop over people or years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import checks as _checks
from .checks import RuleInputError, policy_or_default
from .dates import as_date
from .policy import Policy
from .quotas import ALL_LEVELS, capped_levels, occupies_post, quota_table
from .retirement import retirement_month

DEFAULT_YEARS = 5
_GROUPS = ("senior", "full", "associate")


class OutlookError(RuleInputError):
    """Bad input to the outlook (names the argument or column and the rule)."""


(require_columns,) = _checks.raising(OutlookError, _checks.require_columns)


@dataclass(frozen=True)
class Outlook:
    """What :func:`outlook` returns (see the module docstring); ``periods`` lists the periods."""

    periods: pd.DataFrame
    by_level: pd.DataFrame
    senior: pd.DataFrame
    units: pd.DataFrame
    school: pd.DataFrame
    levels: pd.DataFrame


def periods(as_of: dt.date, years: int = DEFAULT_YEARS) -> pd.DataFrame:
    """The twelve-month periods: ``outlook_year`` 1…years, ``outlook_period`` (a label such as
    2026-09至2027-08), ``outlook_start`` and ``outlook_end`` (first and last month)."""
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
        raise OutlookError(f"years: {years!r} must be a whole number of at least 1 / 展望年数须为正整数")
    start = np.datetime64(as_of, "M") + 12 * np.arange(years)
    end = start + 11
    label = [f"{s}至{e}" for s, e in zip(start.astype(str), end.astype(str))]
    return pd.DataFrame({"outlook_year": np.arange(1, years + 1), "outlook_period": label,
                         "outlook_start": start.astype(str), "outlook_end": end.astype(str)})


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
    require_columns(staff, ["discipline_id", "post_level", "birth_date", "sex"], "table staff")
    staff = staff.reset_index(drop=True)

    base = quota_table(disciplines, staff, pol, **quota_args)
    month = retirement_month(staff["birth_date"], staff["sex"], staff["post_level"], policy=pol)
    offset = month.astype(np.int64) - np.datetime64(day, "M").astype(np.int64)
    year_of = np.maximum(offset // 12 + 1, 1)                # already past retirement: the first period
    pos = _positions(staff["discipline_id"], base["discipline_id"])
    keep = (year_of <= years) & (pos >= 0)                    # pos < 0: a discipline outside `unit`
    level = staff["post_level"].to_numpy(np.int64)
    retire = _count(pos, year_of, level, keep, len(base), years)                         # everyone
    released = _count(pos, year_of, level, keep & occupies_post(staff, pol), len(base), years)  # posts

    # posts released per capped group: the levels whose holders count against each cap (P6 §9, §11)
    rel = {g: released[:, :, lv].sum(axis=2) for g, lv in capped_levels(pol).items()}
    info = base[["unit_id", "unit_name", "discipline_id", "discipline_name", "category"]]
    senior = _senior(base, info, per, rel)
    return Outlook(periods=per, by_level=_by_level(info, per, retire, released), senior=senior,
                   units=_totals(senior, ["unit_id", "unit_name", "outlook_year", "outlook_period"]),
                   school=_totals(senior, ["outlook_year", "outlook_period"]), levels=_levels(per, retire, released, pol.get("quotas.level_groups")))


def _positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each value in ``keys`` (−1 if absent), hashed by Arrow rather than Python objects."""
    found = pc.index_in(pa.array(values.astype(str)), value_set=pa.array(keys.astype(str)))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _count(pos, year_of, level, mask, n_disc: int, years: int) -> np.ndarray:
    """(discipline, period, level) counts of the rows in ``mask`` — one ``bincount``."""
    nlev = ALL_LEVELS[-1] + 1
    key = (pos[mask] * years + (year_of[mask] - 1)) * nlev + level[mask]
    return np.bincount(key, minlength=n_disc * years * nlev).reshape(n_disc, years, nlev)


def _senior(base: pd.DataFrame, info: pd.DataFrame, per: pd.DataFrame, rel: dict) -> pd.DataFrame:
    n, years = len(base), len(per)
    out = info.loc[np.repeat(np.arange(n), years)].reset_index(drop=True)
    out.insert(5, "outlook_year", np.tile(per["outlook_year"].to_numpy(), n))
    out.insert(6, "outlook_period", np.tile(per["outlook_period"].to_numpy(dtype=object), n))
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
    out["outlook_period"] = per["outlook_period"].to_numpy(dtype=object)[k]
    out["post_level"] = lv
    out["retirements"] = retire[d, k, lv]
    out["posts_released"] = released[d, k, lv]
    return out


def _totals(senior: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The disciplines' caps, posts released and projections summed by ``keys``, with the number of
    disciplines projected over a cap."""
    cols = [c for c in senior.columns if c.startswith(("released_", "projected_occupied_", "projected_vacancy_"))
            or c in {f"{g}_cap" for g in _GROUPS}]
    t = senior.assign(projected_disciplines_over_cap=senior["projected_over_cap"].astype(np.int64))
    return t.groupby(keys, sort=True, as_index=False)[cols + ["projected_disciplines_over_cap"]].sum()


def _levels(per: pd.DataFrame, retire: np.ndarray, released: np.ndarray, groups: dict) -> pd.DataFrame:
    """Retirements and posts released per period and post level (with its group of
    ``quotas.level_groups``; none for a level outside them) for the whole school, zeros kept."""
    years, levels = len(per), np.array(ALL_LEVELS)
    out = per.loc[np.repeat(np.arange(years), levels.size), ["outlook_year", "outlook_period"]].reset_index(drop=True)
    out["post_level"] = np.tile(levels, years)
    group_of = {lv: g for g, lvs in groups.items() for lv in lvs}
    out["level_group"] = out["post_level"].map(group_of).astype(object)
    out["retirements"] = retire.sum(axis=0)[:, levels].ravel()
    out["posts_released"] = released.sum(axis=0)[:, levels].ravel()
    return out


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Where the outlook's numbers come from: the retirement and quota parameters."""
    pol = policy_or_default(policy)
    return pd.concat([pol.references("retirement"), pol.references("quotas")], ignore_index=True)


__all__ = ["outlook", "periods", "Outlook", "OutlookError", "parameters_used", "DEFAULT_YEARS"]
