"""Senior-post caps, level splits and the quota table (spec §2; P6 §8–§11).

* :func:`senior_cap` — ``floor(establishment × (ratio[category] + adjustment))`` in exact rational
  arithmetic (P6 §9: A 65 %, B 50 %, C 45 % of the discipline's teacher establishment; the school may
  float the ratio by at most 10 %, read as percentage points by default — ``quotas.adjustment_mode``).
* :func:`split_levels` — integer split of a post total by the §11 level ratio (2:3:5, 2:4:4, 3:4:3,
  5:5), ``cap_upper`` (default) or ``largest_remainder``; parts always sum to the total.
* :func:`quota_table` — per discipline: caps, full/associate split (planning assumption), caps per
  level, occupancy from the roster, vacancies and an ``over_quota`` flag; :func:`quota_totals` sums
  disciplines per unit and for the school; :func:`level_summary` gives the level pyramid.

Every number comes from the ``quotas`` namespace of ``policies/p6_wuhan_posts.yaml``.  Ratios given
as decimals (0.65, adjustments such as 0.05) are converted with ``Fraction(str(x))``, so
``floor(20 × 0.65) = 13`` exactly (the float product 12.999… would give 12).
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import checks as _checks
from .checks import RuleInputError, policy_or_default
from .policy import Policy

CATEGORIES_PATH = "quotas.senior_ratio"
METHODS = ("cap_upper", "largest_remainder")
ALL_LEVELS = tuple(range(1, 14))  # the roster schema allows levels 1–13 (13 is outside P6 §11)

_OVERRIDE_CLAUSE = "P6 §9 校长具有一定的岗位调节权"


class QuotaError(RuleInputError):
    """Bad input to a quota calculation; the message names the column, the row(s) and the rule."""


# The shared input checks (staffcalc.checks), raising QuotaError.
check, require_columns, integers, booleans = _checks.raising(
    QuotaError, _checks.check, _checks.require_columns, _checks.integers, _checks.booleans)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _frac(value: Any, what: str) -> Fraction:
    """Exact rational from an int, a decimal string or a float (through its shortest repr)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise QuotaError(f"{what}: {value!r} is not a number / 不是数字")
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value))
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise QuotaError(f"{what}: {value!r} is not a number / 不是数字") from None
    if not np.isfinite(f):
        raise QuotaError(f"{what}: {value!r} is not a finite number / 不是有限数")
    return Fraction(str(value)) if isinstance(value, str) else Fraction(repr(f))


def _index_of(*values) -> pd.Index | None:
    for v in values:
        if isinstance(v, (pd.Series, pd.Index)):
            return v.index if isinstance(v, pd.Series) else pd.RangeIndex(len(v))
    return None


# --------------------------------------------------------------------------------------------
# senior cap (P6 §9)
# --------------------------------------------------------------------------------------------
def _exact_ratios(category: np.ndarray, adjustment: np.ndarray, pol: Policy, index,
                  mode: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row (numerator, denominator) of ``ratio[category] ± adjustment``, checked against the limit.

    Works over the unique (category, adjustment) pairs, then broadcasts: no per-row Python loop.
    """
    ratios = pol.get(CATEGORIES_PATH)
    limit = _frac(pol.get("quotas.adjustment_limit"), "quotas.adjustment_limit")
    where = _clause(pol, "quotas.adjustment_limit", f"浮动不得超过{float(limit):.0%}")
    mode = mode or pol.get("quotas.adjustment_mode")
    if mode not in ("percentage_points", "relative"):
        raise QuotaError(f"quotas.adjustment_mode: unknown reading {mode!r} / 未知的浮动解读")
    cat = pd.Series(category, dtype=object)
    known = cat.isin(list(ratios)).to_numpy()
    if not known.all():
        bad = sorted(set(map(str, cat[~known].unique())))
        check(~known, index, "category", "unknown_category",
              f"unknown category {', '.join(bad)}; known {sorted(ratios)} (P6 §9)", "未知的学科类别", cat)
    adj = pd.Series(adjustment)
    check(adj.isna().to_numpy(), index, "adjustment", "missing", "missing: a value is required", "缺失浮动值")
    pairs = pd.DataFrame({"c": cat.to_numpy(), "a": adj.to_numpy()})
    codes, uniques = pd.MultiIndex.from_frame(pairs).factorize()
    nums, dens, used = [], [], []
    for k, (c, a) in enumerate(uniques):   # a handful of (category, adjustment) pairs
        base = _frac(ratios[c], f"quotas.senior_ratio.{c}")
        da = _frac(a, "adjustment")
        if abs(da) > limit:
            check(codes == k, index, "adjustment", "adjustment_limit",
                  f"{a} for category {c} is outside ±{limit} ({float(limit):.0%}; {where})",
                  "调节幅度超出上限（不作截断）")
        r = base + da if mode == "percentage_points" else base * (1 + da)
        if r < 0 or r > 1:
            raise QuotaError(f"category {c}: adjusted ratio {r} outside 0…1 / 调节后比例须在0到1之间")
        nums.append(r.numerator)
        dens.append(r.denominator)
        used.append(r)
    big = max(max(nums), max(dens)) > 2**31
    dtype = object if big else np.int64
    ratio_float = np.asarray([float(r) for r in used])[codes]  # display only
    return np.asarray(nums, dtype=dtype)[codes], np.asarray(dens, dtype=dtype)[codes], ratio_float


CAP_ROUNDING = ("floor", "half_up")


def _cap_mul(est: np.ndarray, num: np.ndarray, den: np.ndarray, pol: Policy) -> np.ndarray:
    """est × num / den rounded by ``quotas.cap_rounding`` exactly: ``floor`` (a cap is a ceiling,
    spec §2.2) or ``half_up``; Python ints when int64 could overflow."""
    rounding = pol.get("quotas.cap_rounding")
    if rounding not in CAP_ROUNDING:
        raise QuotaError(f"quotas.cap_rounding: {rounding!r} is not one of {list(CAP_ROUNDING)} / 未知的取整方法")
    if num.dtype == object or (est.size and int(est.max(initial=0)) * int(num.max(initial=0)) >= 2**61):
        est, num, den = est.astype(object), num.astype(object), den.astype(object)
        big = True
    else:
        big = False
    out = (est * num) // den if rounding == "floor" else (2 * est * num + den) // (2 * den)
    return out.astype(np.int64) if big else out


def _category_adjustment(category: np.ndarray, adjustment, index) -> np.ndarray:
    """Adjustment per row from a scalar, an array or a mapping keyed by category."""
    if adjustment is None:
        return np.zeros(len(category), dtype=object)
    if isinstance(adjustment, Mapping):
        cat = pd.Series(category, dtype=object)
        out = cat.map(lambda c: adjustment.get(c, 0.0))  # over the ≤3 category values via map
        return out.to_numpy(dtype=object)
    arr = np.asarray(adjustment.to_numpy() if isinstance(adjustment, pd.Series) else adjustment, dtype=object)
    if arr.ndim == 0:
        return np.full(len(category), arr.item(), dtype=object)
    if arr.shape != (len(category),):
        raise QuotaError(f"adjustment: length {arr.size} does not match {len(category)} rows / 长度不一致")
    return arr


def senior_cap(establishment, category, adjustment=0.0, *, policy: Policy | None = None):
    """Senior-post cap of a discipline: ``floor(establishment × (ratio[category] + adjustment))``.

    P6 §9: A 65 %, B 50 %, C 45 % of the teacher establishment, "原则上上下浮动不得超过10%".
    ``adjustment`` (a number, an array, or a mapping ``{"A": 0.05, …}``) is read as percentage points
    unless ``quotas.adjustment_mode`` is ``relative`` (ratio × (1 + adjustment)).  An adjustment
    beyond the limit raises :class:`QuotaError` (never clamped).  Exact rational arithmetic: the
    cap is a ceiling, so the product is rounded down without float error (``quotas.cap_rounding``
    ``floor``; the alternative ``half_up`` is there to show what the other reading would give).

    Scalars in → ``int`` out; arrays in → int64 array (a Series keeps its index).
    """
    pol = policy_or_default(policy)
    scalar = np.ndim(establishment) == 0 and np.ndim(category) == 0 and (
        isinstance(adjustment, Mapping) or np.ndim(adjustment) == 0)
    index = _index_of(establishment, category, adjustment if not isinstance(adjustment, Mapping) else None)
    est = np.atleast_1d(integers(establishment, "establishment"))
    cat = np.atleast_1d(np.asarray(category.to_numpy() if isinstance(category, pd.Series) else category, dtype=object))
    if est.size == 1 and cat.size > 1:
        est = np.full(cat.size, est[0], dtype=np.int64)
    if cat.size == 1 and est.size > 1:
        cat = np.full(est.size, cat[0], dtype=object)
    if est.shape != cat.shape:
        raise QuotaError(f"establishment ({est.size}) and category ({cat.size}) lengths differ / 长度不一致")
    rows = index if index is not None else np.arange(est.size)
    adj = _category_adjustment(cat, adjustment, rows)
    num, den, _ = _exact_ratios(cat, adj, pol, rows)
    cap = _cap_mul(est, num, den, pol)
    if scalar:
        return int(cap[0])
    if isinstance(index, pd.Index) and any(isinstance(v, pd.Series) for v in (establishment, category)):
        return pd.Series(cap, index=index, name="senior_cap")
    return cap


# --------------------------------------------------------------------------------------------
# level split (P6 §11, spec §2.4)
# --------------------------------------------------------------------------------------------
def _integer_weights(ratios: Sequence) -> np.ndarray:
    if isinstance(ratios, (str, bytes)) or not isinstance(ratios, (Sequence, np.ndarray, pd.Series)):
        raise QuotaError(f"ratios: expected a list of numbers such as [2, 3, 5], got {ratios!r} / 比例须为数列")
    fr = [_frac(r, f"ratios[{i}]") for i, r in enumerate(ratios)]
    if len(fr) == 0:
        raise QuotaError("ratios: empty / 比例为空")
    if any(f <= 0 for f in fr):
        raise QuotaError(f"ratios: every part must be positive, got {list(ratios)} / 比例各项须为正数")
    scale = lcm(*(f.denominator for f in fr))
    return np.asarray([int(f * scale) for f in fr], dtype=np.int64)


def _split(totals: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    """(n, k) integer parts of each total by integer weights ``w``; rows sum to the totals."""
    R = int(w.sum())
    prod = totals[:, None] * w[None, :]
    q = prod // R
    if method == "cap_upper":
        parts = q.copy()
        parts[:, -1] = totals - q[:, :-1].sum(axis=1)
        return parts
    if method == "largest_remainder":
        rem = prod % R
        k = w.size
        left = totals - q.sum(axis=1)
        # larger remainder first; on a tie the larger-numbered (lower) level first
        key = rem * k + np.arange(k)[None, :]
        rank = np.argsort(np.argsort(-key, axis=1, kind="stable"), axis=1, kind="stable")
        return q + (rank < left[:, None])
    raise QuotaError(f"method: {method!r} is not one of {list(METHODS)} (spec §2.4) / 未知的取整方法")


def split_levels(total, ratios, method="cap_upper", *, policy: Policy | None = None):
    """Split a post total over levels by a structure ratio (P6 §11; spec §2.4).

    ``cap_upper``: every level but the lowest (last, largest-numbered) gets ``floor(n × share)``;
    the lowest takes the remainder — the ratios cap the high posts.  ``largest_remainder``
    (Hamilton): floors first, the remaining posts to the largest fractional remainders, ties to the
    lower (larger-numbered) level.  Both sum to ``total``.  Examples: 13 at 2:3:5 →
    ``[2, 3, 8]`` / ``[3, 4, 6]``; 7 at 5:5 → ``[3, 4]`` either way.

    ``total`` a whole number → list of ints; an array of totals → (n, k) int64 array.
    ``ratios`` may be a list of numbers or a policy group name (``"full"``, ``"associate"``,
    ``"intermediate"``, ``"junior"``) looked up in ``quotas.level_ratios`` of ``policy`` (default: in
    force today).
    """
    if isinstance(ratios, str):
        groups = policy_or_default(policy).get("quotas.level_ratios")
        if ratios not in groups:
            raise QuotaError(f"ratios: unknown level group {ratios!r}; known {sorted(groups)} / 未知的岗位组")
        ratios = groups[ratios]["ratio"]
    if method not in METHODS:
        raise QuotaError(f"method: {method!r} is not one of {list(METHODS)} (spec §2.4) / 未知的取整方法")
    w = _integer_weights(ratios)
    scalar = np.ndim(total) == 0
    index = _index_of(total)
    totals = np.atleast_1d(integers(total, "total", index))
    parts = _split(totals, w, method)
    if scalar:
        return [int(x) for x in parts[0]]
    return parts


def split_levels_array(totals, ratios, method="cap_upper") -> np.ndarray:
    """Vectorised :func:`split_levels` over an array of totals: always an (n, k) int64 array."""
    return np.atleast_2d(np.asarray(split_levels(np.atleast_1d(np.asarray(totals)), ratios, method)))


# --------------------------------------------------------------------------------------------
# full / associate split (spec §2.3, planning assumption)
# --------------------------------------------------------------------------------------------
def full_associate_split(senior: np.ndarray, share, rounding: str) -> tuple[np.ndarray, np.ndarray]:
    """(full, associate) caps: ``full = round(senior × share)`` by ``rounding``; associate the rest.

    Spec §2.3: P6 does not fix this share — it is the planning assumption ``quotas.full_senior_share``.
    """
    s = _frac(share, "full_senior_share")
    if s < 0 or s > 1:
        raise QuotaError(f"full_senior_share: {share} outside 0…1 (spec §2.3) / 正高占比须在0到1之间")
    senior = np.asarray(senior, dtype=np.int64)
    p, q = s.numerator, s.denominator
    prod = senior.astype(object) * p if p > 2**31 else senior * p
    if rounding == "floor":
        full = prod // q
    elif rounding == "ceil":
        full = -((-prod) // q)
    elif rounding == "half_up":
        full = (2 * prod + q) // (2 * q)
    else:
        raise QuotaError(f"quotas.full_senior_rounding: unknown rule {rounding!r} / 未知的取整规则")
    full = np.asarray(full, dtype=np.int64)
    return full, senior - full


# --------------------------------------------------------------------------------------------
# quota table (spec §2.5)
# --------------------------------------------------------------------------------------------
def occupies_post(staff: pd.DataFrame, policy: Policy | None = None) -> np.ndarray:
    """Which roster rows occupy a capped post (``quotas.occupancy_basis``: the staff on the
    establishment, or everyone) — a boolean array."""
    basis = policy_or_default(policy).get("quotas.occupancy_basis")
    if basis == "on_establishment":
        require_columns(staff, ["on_establishment"], "table staff")
        return booleans(staff, "on_establishment", table="staff")
    if basis == "all_staff":
        return np.ones(len(staff), dtype=bool)
    raise QuotaError(f"quotas.occupancy_basis: unknown basis {basis!r}")


def capped_levels(policy: Policy | None = None) -> dict[str, list[int]]:
    """Post levels whose holders count against the full-senior, associate and senior caps (P6 §9,
    §11): the level groups of ``quotas.level_groups``; level 1 (outside the 2:3:5 ratio) counts only
    when ``quotas.level_1_in_senior_cap``."""
    pol = policy_or_default(policy)
    groups, lratios = pol.get("quotas.level_groups"), pol.get("quotas.level_ratios")
    l1_counts = bool(pol.get("quotas.level_1_in_senior_cap"))
    full = [lv for lv in groups["full"] if l1_counts or lv in lratios["full"]["levels"]]
    return {"full": full, "associate": list(groups["associate"]), "senior": full + list(groups["associate"])}


def quota_table(
    disciplines: pd.DataFrame,
    staff: pd.DataFrame,
    policy: Policy | None = None,
    adjustment: Mapping[str, float] | float | None = None,
    full_senior_share: float | None = None,
    method: str | None = None,
    president_override: Mapping[str, int] | pd.Series | None = None,
    unit: str | None = None,
    discipline_adjustment: Mapping[str, float] | pd.Series | None = None,
) -> pd.DataFrame:
    """Per-discipline post quotas and occupancy (spec §2; P6 §9, §11).

    Inputs: ``disciplines`` (discipline_id, discipline_name, unit_id, unit_name, category,
    establishment; optionally the programme columns from which :func:`staffcalc.category.discipline_category`
    derives the category, P6 §9) and the ``staff`` roster (discipline_id, post_level, on_establishment).
    ``adjustment``: the §9 float per category (mapping ``{"A": 0.05}``) or one number;
    ``discipline_adjustment``: per discipline id (replaces the category value for that discipline);
    ``full_senior_share`` / ``method`` default to the policy (``quotas.full_senior_share``,
    ``quotas.split_method``); ``president_override``: ``{discipline_id: senior cap}`` set by the
    president (§9 校长具有一定的岗位调节权) — reported in ``cap_source``/``cap_clause``;
    ``unit``: keep one unit (unit_id or unit_name; empty = all).

    Output, one row per discipline: category (the one the caps use), category_given, category_derived,
    category_warning (given and derived disagree: a warning, not an error), establishment, senior_ratio, adjustment, ratio_used,
    formula_cap, senior_cap, cap_source, cap_clause, full_senior_share, full_cap, associate_cap,
    full_share_clause, level_clause (where each cap comes from), cap_L2…cap_L7 (P6 §11 split), guide_L8…guide_L12 (the §11 ratio applied to the intermediate and
    junior posts held — those groups have no cap, §9), occupied_L1…occupied_L12, occupied_other
    (levels outside P6, e.g. 13), occupied_full/associate/senior/intermediate/junior, vacancy_*
    (cap − occupied; negative = over quota), over_quota and over_quota_items.  Fully vectorised.
    """
    pol = policy_or_default(policy)
    from .category import discipline_category  # category.py uses this module's checks

    require_columns(disciplines, ["discipline_id", "discipline_name", "unit_id", "unit_name", "establishment"],
                    "table disciplines")
    require_columns(staff, ["discipline_id", "post_level"], "table staff")
    d = disciplines.reset_index(drop=True)
    check(d["discipline_id"].duplicated(keep=False).to_numpy(), d, "discipline_id", "duplicate_id",
          "duplicated", "学科代码重复", d["discipline_id"].to_numpy(), table="disciplines")
    categories = discipline_category(d, pol)  # P6 §9: given, or derived from the programmes
    d["category"] = categories["category"]

    # -- occupancy over the whole roster first (every staff row must name a known discipline)
    counted = occupies_post(staff, pol)
    pos = pd.Index(d["discipline_id"].astype(str)).get_indexer(staff["discipline_id"].astype(str))
    unknown = pos < 0
    if unknown.any():
        ids = sorted(set(staff["discipline_id"].astype(str).to_numpy()[unknown]))[:5]
        check(unknown, staff, "discipline_id", "unknown_discipline",
              f"unknown discipline {ids} (not in disciplines)", "学科代码不在学科编制表中", table="staff")
    level = integers(staff["post_level"], "post_level", staff.index, minimum=1, table="staff")
    check(level > ALL_LEVELS[-1], staff, "post_level", "level_range", f"above {ALL_LEVELS[-1]}", "岗位等级超出范围",
          level, table="staff")
    pos, level = pos[counted], level[counted]
    nlev = ALL_LEVELS[-1] + 1
    occ = np.bincount(pos * nlev + level, minlength=len(d) * nlev).reshape(len(d), nlev)

    # -- unit filter
    keep = np.ones(len(d), dtype=bool)
    if unit:
        keep = (d["unit_id"].astype(str) == str(unit)).to_numpy() | (d["unit_name"].astype(str) == str(unit)).to_numpy()
        if not keep.any():
            raise QuotaError(f"unit {unit!r}: no discipline in this unit (unit_id or unit_name) / 未找到该单位")
    d = d[keep].reset_index(drop=True)
    categories = categories[keep].reset_index(drop=True)
    occ = occ[keep]
    n = len(d)

    # -- senior cap (P6 §9)
    est = integers(d["establishment"], "establishment", d["discipline_id"])
    cat = d["category"].astype(object).to_numpy()
    adj = _category_adjustment(cat, adjustment, d["discipline_id"])
    if discipline_adjustment is not None:
        da = pd.Series(discipline_adjustment, dtype=object)
        unknown_ids = set(map(str, da.index)) - set(disciplines["discipline_id"].astype(str))
        if unknown_ids:
            raise QuotaError(f"discipline_adjustment: unknown discipline_id {sorted(unknown_ids)[:5]} / 未知学科代码")
        mapped = d["discipline_id"].astype(str).map(da.rename(index=str))
        adj = np.where(mapped.notna().to_numpy(), mapped.to_numpy(dtype=object), adj)
    num, den, ratio_float = _exact_ratios(cat, adj, pol, d["discipline_id"].to_numpy())
    formula_cap = _cap_mul(est, num, den, pol)
    cap = formula_cap.copy()
    source = np.full(n, "policy", dtype=object)
    clause_ratio = pol.param(CATEGORIES_PATH)
    clause = np.full(n, f"{clause_ratio.document} {clause_ratio.clause} 高级岗位比例", dtype=object)
    if president_override is not None and len(president_override):
        if not pol.get("quotas.president_adjustment"):
            raise QuotaError("president_override: quotas.president_adjustment is false in this policy / 政策未授权校长调节")
        ov = pd.Series(president_override)
        ov.index = ov.index.astype(str)
        unknown_ids = sorted(set(ov.index) - set(disciplines["discipline_id"].astype(str)))
        if unknown_ids:
            raise QuotaError(f"president_override: unknown discipline_id {unknown_ids[:5]} / 未知学科代码")
        ov_vals = integers(ov, "president_override")
        ov = pd.Series(ov_vals, index=ov.index)
        mapped = d["discipline_id"].astype(str).map(ov)
        has = mapped.notna().to_numpy()
        cap = np.where(has, mapped.fillna(0).to_numpy(dtype=np.int64), cap)
        source = np.where(has, "president_override", source)
        clause = np.where(has, _OVERRIDE_CLAUSE, clause)

    # -- full / associate (spec §2.3 assumption)
    share = pol.get("quotas.full_senior_share") if full_senior_share is None else full_senior_share
    full_cap, assoc_cap = full_associate_split(cap, share, pol.get("quotas.full_senior_rounding"))

    # -- level caps (P6 §11)
    method = method or pol.get("quotas.split_method")
    if method not in METHODS:
        raise QuotaError(f"method: {method!r} is not one of {list(METHODS)} (spec §2.4) / 未知的取整方法")
    groups = pol.get("quotas.level_groups")
    lratios = pol.get("quotas.level_ratios")
    l1_counts = bool(pol.get("quotas.level_1_in_senior_cap"))

    def occ_of(levels):
        return occ[:, list(levels)].sum(axis=1) if len(levels) else np.zeros(n, dtype=np.int64)

    full_levels = capped_levels(pol)["full"]
    occupied = {g: occ_of(groups[g]) for g in groups}
    occupied["full"] = occ_of(full_levels)
    outside_ratio = [lv for lv in groups["full"] if lv not in lratios["full"]["levels"]]  # level 1
    occ_outside = occ_of(outside_ratio) if l1_counts else np.zeros(n, dtype=np.int64)
    out = {
        "unit_id": d["unit_id"].to_numpy(), "unit_name": d["unit_name"].to_numpy(),
        "discipline_id": d["discipline_id"].to_numpy(), "discipline_name": d["discipline_name"].to_numpy(),
        "category": cat, "category_given": categories["category_given"].to_numpy(),
        "category_derived": categories["category_derived"].to_numpy(),
        "category_warning": categories["category_warning"].to_numpy(), "establishment": est,
        "senior_ratio": d["category"].map(pol.get(CATEGORIES_PATH)).astype(float).to_numpy(),
        "adjustment": pd.to_numeric(pd.Series(adj)).astype(float).to_numpy(),
        "ratio_used": ratio_float, "formula_cap": formula_cap, "senior_cap": cap,
        "cap_source": source, "cap_clause": clause,
        "full_senior_share": np.full(n, float(_frac(share, "full_senior_share"))),
        "full_cap": full_cap, "associate_cap": assoc_cap,
        "full_share_clause": _clause(pol, "quotas.full_senior_share", "规划假设 planning assumption"),
        "level_clause": _clause(pol, "quotas.level_ratios", f"结构比例 {method}"),
    }
    level_caps: dict[int, np.ndarray] = {}
    for g, total in (("full", np.maximum(full_cap - occ_outside, 0)), ("associate", assoc_cap)):
        parts = _split(total.astype(np.int64), _integer_weights(lratios[g]["ratio"]), method)
        for j, lv in enumerate(lratios[g]["levels"]):
            level_caps[lv] = parts[:, j]
            out[f"cap_L{lv}"] = parts[:, j]
    for g in ("intermediate", "junior"):
        parts = _split(occupied[g].astype(np.int64), _integer_weights(lratios[g]["ratio"]), method)
        for j, lv in enumerate(lratios[g]["levels"]):
            out[f"guide_L{lv}"] = parts[:, j]
    grouped = sorted({lv for g in groups.values() for lv in g})
    for lv in grouped:
        out[f"occupied_L{lv}"] = occ[:, lv]
    out["occupied_other"] = occ[:, [lv for lv in ALL_LEVELS if lv not in grouped]].sum(axis=1)
    senior_occ = occupied["full"] + occupied["associate"]
    out.update({
        "occupied_full": occupied["full"], "occupied_associate": occupied["associate"],
        "occupied_senior": senior_occ, "occupied_intermediate": occupied["intermediate"],
        "occupied_junior": occupied["junior"],
        "vacancy_senior": cap - senior_occ, "vacancy_full": full_cap - occupied["full"],
        "vacancy_associate": assoc_cap - occupied["associate"],
    })
    for lv, c in level_caps.items():
        out[f"vacancy_L{lv}"] = c - occ[:, lv]
    table = pd.DataFrame(out)
    checks = ["senior", "full", "associate", *[f"L{lv}" for lv in level_caps]]
    neg = {k: table[f"vacancy_{k}"].to_numpy() < 0 for k in checks}
    table["over_quota"] = np.logical_or.reduce(list(neg.values()))
    items = pd.Series("", index=table.index, dtype=object)
    for k, m in neg.items():   # over the handful of cap kinds, not the rows
        items = items + np.where(m, k + ";", "")
    table["over_quota_items"] = items.str.rstrip(";")
    table["method"] = method
    return table.sort_values(["unit_id", "discipline_id"], kind="stable").reset_index(drop=True)


def _clause(pol: Policy, path: str, note: str) -> str:
    prm = pol.param(path)
    return f"{prm.document} {prm.clause} {note}"


_SUM_EXCLUDE = {"senior_ratio", "adjustment", "ratio_used", "full_senior_share"}


def quota_totals(table: pd.DataFrame, school_label: str = "全校合计") -> pd.DataFrame:
    """Per-unit totals (sums of the disciplines) and a final school row (spec §2.5).

    Vacancies are summed as they are (a unit's surplus can offset another discipline's deficit), so
    the over-quota disciplines are also counted (``disciplines_over_quota``) and the posts held above
    the senior cap summed (``excess_senior`` = Σ max(occupied − cap, 0)): nothing over quota is hidden.
    """
    t = table.copy()
    t["excess_senior"] = np.maximum(t["occupied_senior"] - t["senior_cap"], 0)
    t["disciplines"] = 1
    t["disciplines_over_quota"] = t["over_quota"].astype(np.int64)
    t["president_overrides"] = (t["cap_source"] == "president_override").astype(np.int64)
    numeric = [c for c in t.columns if c not in _SUM_EXCLUDE and pd.api.types.is_integer_dtype(t[c])]
    per_unit = t.groupby(["unit_id", "unit_name"], sort=True, as_index=False)[numeric].sum()
    school = per_unit[numeric].sum().to_frame().T
    school.insert(0, "unit_name", school_label)
    school.insert(0, "unit_id", "ALL")
    res = pd.concat([per_unit, school], ignore_index=True)
    res[numeric] = res[numeric].astype(np.int64)
    res["over_quota"] = res["disciplines_over_quota"] > 0
    lead = ["unit_id", "unit_name", "disciplines", "establishment", "senior_cap", "full_cap", "associate_cap",
            "occupied_senior", "vacancy_senior", "excess_senior", "disciplines_over_quota", "over_quota"]
    return res[lead + [c for c in res.columns if c not in lead]]


def level_summary(table: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The level pyramid: per post level 1–12 its group, the summed cap (senior levels) and posts held."""
    pol = policy_or_default(policy)
    groups = pol.get("quotas.level_groups")
    rows = []
    for g, levels in groups.items():   # four groups, twelve levels
        for lv in levels:
            cap_col = f"cap_L{lv}"
            rows.append({
                "post_level": lv, "level_group": g,
                "level_cap": float(table[cap_col].sum()) if cap_col in table else np.nan,
                "occupied": int(table[f"occupied_L{lv}"].sum()),
            })
    return pd.DataFrame(rows).sort_values("post_level").reset_index(drop=True)


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Where the quota numbers come from: every ``quotas.*`` parameter with clause and wording."""
    return policy_or_default(policy).references("quotas")
