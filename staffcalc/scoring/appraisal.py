"""Class-teacher appraisal (P5, 山西大同大学美术学院班主任考核办法; spec §5).

Everything institution-specific is read from the ``appraisal`` namespace of the policy:

* ``appraisal.sections.<ID>`` — rubric sections ``{max, items, per_item}`` (P5 §4(一)–(三)); the
  input column for section ``S2a`` is ``fail_s2a`` (``"fail_" + id.lower()``).  Section score =
  ``max(section_floor, max − per_item × failed)`` (spec §5.1; the floor matters for S2c and S3).
* ``appraisal.bonus.<CODE>`` / ``appraisal.deduction.<CODE>`` — the catalogue of P5 §4(四)/(五):
  points per occurrence and whether the month's allowance is forfeited.
* ``appraisal.grade_bands`` — lower bound of each grade, half-open (P5 §3; spec §5.4).
* ``appraisal.composite_weights`` — semester/year weights 0.20/0.30/0.50 (P5 §5).
* ``appraisal.direct_grade.<CODE>`` — direct 优秀 (§6) and direct 不合格 (§7) conditions;
  ``appraisal.override_precedence`` — which grade wins when both apply (interpretation).
* ``appraisal.removal.*`` — removal after consecutive failed semesters (§8).
* ``appraisal.allowance.monthly`` — allowance by monthly grade (planning assumption, spec §5.7).

So another institution's rubric is another policy file (``policy.load(extra_files=[...],
variant=...)``) with its own sections, codes and bands: no code change.

Monthly pipeline: ``event_points(events)`` → merge with the failed-item counts →
``appraisal_scores`` → ``monthly_allowance``; :func:`monthly_appraisal` does all of it.
Semester pipeline: :func:`semester_grades` (composite + direct-grade overrides) →
:func:`removal_status`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..checks import policy_or_default
from ..policy import Policy, PolicyError
from ._common import (
    ScoringInputError,
    as_frame,
    booleans,
    check,
    exact_weights,
    integer_counts,
    numeric,
    require_columns,
    shaped,
    snap,
)

NS = "appraisal"
EVENT_COLUMNS = ("staff_id", "period", "code", "count")
POINT_COLUMNS = ("bonus", "deduction", "allowance_forfeited")
RATING_COLUMNS = ("self_score", "student_score", "college_score")
_SEMESTER = re.compile(r"^(\d{4})-(\d{4})-([12])$")


# --------------------------------------------------------------------------------------------
# Policy data as tables
# --------------------------------------------------------------------------------------------
def _entries(policy: Policy, prefix: str) -> list[tuple[str, object]]:
    """(key, parameter path) of every parameter directly under ``prefix`` in policy order."""
    head = prefix + "."
    return [(path[len(head):], path) for path in policy.params if path.startswith(head) and "." not in path[len(head):]]


def sections(policy: Policy | None = None) -> pd.DataFrame:
    """The rubric as a table: section, column, section_max, section_items, per_item, clause, text (P5 §4).

    Read from ``appraisal.sections.*``; each section must have whole, non-negative ``max``,
    ``items`` and ``per_item``.
    """
    policy = policy_or_default(policy)
    rows = []
    for key, path in _entries(policy, f"{NS}.sections"):
        v = policy.get(path)
        p = policy.param(path)
        if not isinstance(v, dict) or not {"max", "items", "per_item"} <= set(v):
            raise PolicyError(f"{path}: a section needs max, items and per_item / 考核项目须有满分、项数、每项扣分")
        if v["items"] < 0 or v["max"] < 0 or v["per_item"] < 0 or int(v["items"]) != v["items"]:
            raise PolicyError(f"{path}: max, items, per_item must be non-negative (items whole) / 须为非负数")
        rows.append({"section": key, "column": f"fail_{key.lower()}", "section_max": v["max"],
                     "section_items": int(v["items"]), "per_item": v["per_item"], "clause": p.clause,
                     "text": p.text, "description": p.description})
    if not rows:
        raise PolicyError(f"no {NS}.sections.* parameters in force / 政策文件未定义考核项目")
    return pd.DataFrame(rows)


def catalogue(policy: Policy | None = None) -> pd.DataFrame:
    """Bonus and deduction codes as a table (P5 §4(四), §4(五)).

    Columns: code, code_kind ("bonus"/"deduction"), code_points (positive, per occurrence),
    forfeits_allowance, description, clause, text (the Chinese wording).
    """
    policy = policy_or_default(policy)
    rows = []
    for kind in ("bonus", "deduction"):
        for code, path in _entries(policy, f"{NS}.{kind}"):
            v = policy.get(path)
            p = policy.param(path)
            points = v["points"] if isinstance(v, dict) else v
            if not isinstance(points, (int, float)) or isinstance(points, bool) or points < 0:
                raise PolicyError(f"{path}: points must be a non-negative number / 分值须为非负数")
            forfeits = bool(v.get("forfeits_allowance", False)) if isinstance(v, dict) else False
            rows.append({"code": code, "code_kind": kind, "code_points": float(points), "forfeits_allowance": forfeits,
                         "description": p.description, "clause": p.clause, "text": p.text})
    cat = pd.DataFrame(rows, columns=["code", "code_kind", "code_points", "forfeits_allowance", "description", "clause",
                                     "text"])
    dup = cat["code"].duplicated()
    if dup.any():
        raise PolicyError(f"codes defined twice in the appraisal catalogue: {sorted(cat.loc[dup, 'code'])}")
    return cat


def direct_grade_conditions(policy: Policy | None = None) -> pd.DataFrame:
    """Direct-grade conditions (P5 §6 直接优秀, §7 直接不合格): code, grade, description, clause, text."""
    policy = policy_or_default(policy)
    bands = grade_bands(policy)
    rows = []
    for code, path in _entries(policy, f"{NS}.direct_grade"):
        g = policy.get(path)
        if g not in bands:
            raise PolicyError(f"{path}: {g!r} is not a grade of {NS}.grade_bands {list(bands)}")
        p = policy.param(path)
        rows.append({"code": code, "grade": g, "description": p.description, "clause": p.clause, "text": p.text})
    return pd.DataFrame(rows, columns=["code", "grade", "description", "clause", "text"])


def grade_bands(policy: Policy | None = None, order=None) -> dict[str, float]:
    """Grade → inclusive lower bound, highest grade first (P5 §3; half-open bands, spec §5.4).

    The grades are ranked as the policy lists them (优秀, 良好, 合格, 不合格: highest first), or as
    ``order`` lists them (e.g. the baseline policy's grades in a what-if), and their cut-offs must
    decrease strictly in that order.  A cut-off out of order (优秀 75 below 良好 80) or shared by two
    grades is a PolicyError naming the parameter path — sorting the bounds instead would silently
    give the bands each other's names.
    """
    policy = policy_or_default(policy)
    path = f"{NS}.grade_bands"
    bands = policy.get(path)
    if not isinstance(bands, dict) or not bands:
        raise PolicyError(f"{path} must map grades to lower bounds / 等次须对应分数下限")
    names = list(bands) if order is None else list(order)
    if sorted(names) != sorted(bands):
        raise PolicyError(f"{path}: grades {list(bands)} differ from {names} / 等次名称与原设置不一致")
    bounds = [float(bands[g]) for g in names]
    if len(set(bounds)) != len(bounds):
        raise PolicyError(f"{path}: two grades share a lower bound / 等次下限重复")
    if any(a <= b for a, b in zip(bounds, bounds[1:])):
        shown = "，".join(f"{g} {bands[g]:g}" for g in names)
        raise PolicyError(
            f"{path}: cut-offs must decrease in the order {' > '.join(names)}; got {shown} "
            f"/ 等次分数线须按 {' > '.join(names)} 由高到低排列（P5 §3）"
        )
    return dict(zip(names, bounds))


# --------------------------------------------------------------------------------------------
# Grades
# --------------------------------------------------------------------------------------------
def _grade_positions(score: np.ndarray, index, policy: Policy, column: str = "score") -> tuple[np.ndarray, list[str]]:
    """Band position of each score (0 = lowest grade) and the grade names, lowest first."""
    bands = grade_bands(policy)
    names = list(bands)[::-1]  # lowest grade first
    bounds = np.array(list(bands.values())[::-1], dtype="float64")
    check(np.isnan(score), index, column, "grade_nan",
          "no grade for a missing score (NaN)", "分数缺失，无法评定等次")
    check(np.isinf(score), index, column, "grade_inf", "score is not finite", "分数无穷大", score)
    pos = np.searchsorted(bounds, score, side="right") - 1
    check(pos < 0, index, column, "below_lowest_band",
          f"score below the lowest grade band ({bounds[0]})", "分数低于最低等次下限", score)
    return pos, names


def _grade_array(score: np.ndarray, index, policy: Policy, column: str = "score") -> np.ndarray:
    pos, names = _grade_positions(score, index, policy, column)
    return np.array(names, dtype=object)[pos]


def _grade_categorical(pos: np.ndarray, names: list[str]) -> pd.Categorical:
    """Grades as an ordered categorical (lowest first): compares equal to the grade strings,
    sorts in grade order and is cheap for millions of rows."""
    return pd.Categorical.from_codes(pos, categories=names, ordered=True)


def grade(score, policy: Policy | None = None):
    """Grade of a score by the half-open bands of ``appraisal.grade_bands`` (P5 §3, spec §5.4).

    优秀 score ≥ 90; 良好 80 ≤ score < 90; 合格 60 ≤ score < 80; 不合格 score < 60, so 89.5 is
    良好, 90 优秀, 59.99 不合格, 60 合格.  A scalar gives a ``str``; a numpy array or list gives an
    object array of str; a Series gives a Series with the same index (ordered categorical dtype,
    lowest grade first — it compares equal to the strings).

    A missing score (NaN) is an **error** (ScoringInputError naming the row), not NaN: a grade
    decides pay and removal, so a missing score must be fixed, not passed on unnoticed.
    """
    policy = policy_or_default(policy)
    frame, kind, index = as_frame({"score": score})
    x = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    check(np.isnan(x) & frame["score"].notna().to_numpy(), frame.index, "score", "not_numeric",
          "not a number", "不是数值", frame["score"].to_numpy())
    pos, names = _grade_positions(x, frame.index, policy)
    if kind == "series":
        return pd.Series(_grade_categorical(pos, names), index=index, name="grade")
    return shaped(np.array(names, dtype=object)[pos], kind, index, "grade")


# --------------------------------------------------------------------------------------------
# Monthly appraisal
# --------------------------------------------------------------------------------------------
def section_scores(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Score of each rubric section: ``max(floor, max − per_item × failed)`` (P5 §4, spec §5.1).

    Input: one ``fail_<section>`` column per section of the policy.  Returns a frame with one
    ``score_<section>`` column per section (same index).  A negative, non-integer or missing count,
    or more failed items than the section has, raises ScoringInputError naming row, column and rule.
    """
    policy = policy_or_default(policy)
    return pd.DataFrame(_section_arrays(df, policy), index=df.index)


def _section_arrays(df: pd.DataFrame, policy: Policy) -> dict[str, np.ndarray]:
    """``{"score_<section>": array}`` for :func:`section_scores` (validated as described there)."""
    secs = sections(policy)
    require_columns(df, secs["column"], "appraisal items")
    floor = policy.get(f"{NS}.section_floor")
    out = {}
    for s in secs.itertuples(index=False):
        failed = integer_counts(df, s.column)
        check(failed > s.section_items, df.index, s.column, "more_failed_than_items",
              f"more failed items than section {s.section} has ({s.section_items}) (P5 {s.clause})",
              f"不合格项数超过该部分项数（{s.section} 共 {s.section_items} 项）", failed)
        out[f"score_{s.section.lower()}"] = np.maximum(floor, s.section_max - s.per_item * failed)
    return out


def _score_columns(df: pd.DataFrame, bonus: np.ndarray, deduction: np.ndarray, policy: Policy) -> dict:
    """base_score, score and grade (categorical) for validated bonus/deduction arrays."""
    check(bonus < 0, df.index, "bonus", "negative_bonus", "bonus points cannot be negative", "加分不能为负", bonus)
    check(deduction < 0, df.index, "deduction", "negative_deduction",
          "deduction is a positive number of points", "减分应以正数表示", deduction)
    # Sum the section arrays in section order: the same float additions as a row sum of the
    # section_scores frame, without building a frame and converting it back to an array.
    base = np.zeros(len(df), dtype="float64")
    for part in _section_arrays(df, policy).values():
        base += part
    score = snap(base + bonus - deduction)
    if policy.get(f"{NS}.clip_score"):
        score = np.clip(score, 0.0, float(sections(policy)["section_max"].sum()))
    pos, names = _grade_positions(score, df.index, policy)
    return {"base_score": base, "score": score, "grade": _grade_categorical(pos, names), "_pos": pos,
            "_names": names}


def appraisal_scores(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Monthly appraisal score and grade (P5 §3, §4; spec §5.1, §5.4).

    Input columns: ``fail_s1, fail_s2a, fail_s2b, fail_s2c, fail_s2d, fail_s3`` (failed items per
    section — whatever sections the policy defines), ``bonus`` and ``deduction`` (positive points,
    e.g. from :func:`event_points`).  Adds ``base_score`` (sum of section scores), ``score`` =
    base + bonus − deduction and ``grade`` (ordered categorical of the grade names).

    The score is kept raw — no cap at 100 and no floor at 0 — because P5 sets neither
    (``appraisal.clip_score`` = false, an interpretation; set it true to clip to [0, Σ max]).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["bonus", "deduction"], "appraisal_scores")
    cols = _score_columns(df, numeric(df, "bonus"), numeric(df, "deduction"), policy)
    out = df.copy(deep=False)
    for name in ("base_score", "score", "grade"):
        out[name] = cols[name]
    return out


def _event_arrays(events: pd.DataFrame, cat: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated per-event points (positive), bonus flag and allowance-forfeit flag.

    Codes are factorised first (pyarrow dictionary encoding for string columns) and only the few
    distinct codes are looked up in the catalogue — the hash join of "merge with the catalogue".
    """
    require_columns(events, EVENT_COLUMNS, "event_points")
    ccodes, cuniq = pd.factorize(events["code"])
    upos = pd.Index(cat["code"].astype(object)).get_indexer(pd.Index(cuniq).astype(object))
    check(ccodes < 0, events.index, "code", "missing_code", "event code is missing", "加减分代码缺失")
    bad_u = np.flatnonzero(upos < 0)
    if len(bad_u):
        unknown = np.isin(ccodes, bad_u)
        rows = events.index[unknown]
        bad = sorted(str(cuniq[i]) for i in bad_u)
        raise ScoringInputError(
            f"column code: unknown event code(s) {bad} in rows {list(rows[:10])}"
            f"{' …' if len(rows) > 10 else ''} / 未知的加减分代码; known codes / 有效代码: {list(cat['code'])}",
            rows=rows, column="code", rule="unknown_code",
        )
    pos = upos[ccodes]
    count = integer_counts(events, "count")
    points = cat["code_points"].to_numpy(dtype="float64")[pos] * count
    is_bonus = (cat["code_kind"].to_numpy() == "bonus")[pos]
    forfeit = cat["forfeits_allowance"].to_numpy(dtype=bool)[pos] & (count > 0)
    return points, is_bonus, forfeit


def _pair_codes(staff_id: pd.Series, period: pd.Series, index) -> np.ndarray:
    """One int64 code per (staff_id, period) pair; missing parts are an error."""
    sid, _ = pd.factorize(staff_id)
    per, per_u = pd.factorize(period)
    check((sid < 0) | (per < 0), index, "staff_id/period", "missing_key",
          "staff_id and period are required", "工号和月份不能为空")
    return sid.astype(np.int64) * max(len(per_u), 1) + per


def _match_keys(item_key: np.ndarray, event_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(duplicated items mask, items row of each event or −1) for int64 keys from :func:`_pair_codes`.

    The keys are ``staff code × periods + period code``, so they are dense: when the key space is at
    most a few times the row count, a lookup array replaces the hash index (same result, ~4× faster
    on a million rows); otherwise the hash index is used.
    """
    n = len(item_key)
    if n == 0:
        return np.zeros(0, dtype=bool), np.full(len(event_key), -1, dtype=np.int64)
    size = int(max(item_key.max(), event_key.max(initial=0))) + 1
    if size <= 4 * (n + len(event_key)) + 1024:
        counts = np.bincount(item_key, minlength=size)
        lookup = np.full(size, -1, dtype=np.int64)
        lookup[item_key] = np.arange(n, dtype=np.int64)
        return counts[item_key] > 1, lookup[event_key]
    index = pd.Index(item_key)
    dup = pd.Series(item_key).duplicated(keep=False).to_numpy() if index.has_duplicates else np.zeros(n, bool)
    return dup, index.get_indexer(event_key)


def _weighted_count(keys: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """``np.bincount(keys, weights, minlength=n)`` as float64 (numpy gives int64 when keys is empty,
    e.g. a month set without any events)."""
    return np.bincount(keys, weights=weights, minlength=n).astype("float64", copy=False)


def _first_occurrence(codes: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each code from pd.factorize (codes appear in order 0, 1, …)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, codes[1:] > running[:-1]])


def event_points(events: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Bonus and deduction points per teacher-month from coded events (P5 §4(四), §4(五)).

    Input: ``staff_id, period, code, count`` (one row per event type and month; ``count`` the
    number of occurrences, a whole number ≥ 0).  Output: one row per (staff_id, period) present in
    ``events`` with ``bonus``, ``deduction`` (positive points) and ``allowance_forfeited`` (True if
    any event with a non-zero count forfeits the month's allowance: D-DISCIPLINE-UNIVERSITY,
    D-INACTION in P5 §4(五)3).  Rows come in order of first appearance of the (staff_id, period).

    Vectorised: codes are joined to the catalogue by hash (factorize + lookup of the distinct
    codes) and summed per teacher-month with ``np.bincount`` over integer keys.  An unknown code
    raises ScoringInputError listing the unknown codes, the rows and the known codes.
    """
    policy = policy_or_default(policy)
    points, is_bonus, forfeit = _event_arrays(events, catalogue(policy))
    gkey, _ = pd.factorize(_pair_codes(events["staff_id"], events["period"], events.index))
    n = int(gkey.max()) + 1 if len(gkey) else 0
    first = _first_occurrence(gkey)
    return pd.DataFrame({
        "staff_id": events["staff_id"].iloc[first].reset_index(drop=True),
        "period": events["period"].iloc[first].reset_index(drop=True),
        "bonus": _weighted_count(gkey, np.where(is_bonus, points, 0.0), n),
        "deduction": _weighted_count(gkey, np.where(is_bonus, 0.0, points), n),
        "allowance_forfeited": np.bincount(gkey, weights=forfeit.astype(np.float64), minlength=n) > 0,
    })


def event_impact(events: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Which codes move scores most: per code, occurrences, teachers_affected and signed points_total
    (bonus +, deduction −), sorted by absolute total points.  Same validation as event_points."""
    policy = policy_or_default(policy)
    cat = catalogue(policy)
    points, is_bonus, _ = _event_arrays(events, cat)
    ev = pd.DataFrame({"staff_id": events["staff_id"].to_numpy(), "code": events["code"].astype(object).to_numpy(),
                       "count": events["count"].to_numpy(), "signed_points": np.where(is_bonus, points, -points)})
    out = ev.groupby("code", sort=False).agg(
        occurrences=("count", "sum"), teachers_affected=("staff_id", "nunique"),
        points_total=("signed_points", "sum"),
    ).reset_index()
    out = out.merge(cat[["code", "code_kind", "clause", "description", "text"]], on="code", how="left")
    out = out.assign(_abs=out["points_total"].abs()).sort_values(["_abs", "code"], ascending=[False, True])
    return out.drop(columns="_abs").reset_index(drop=True)[
        ["code", "code_kind", "occurrences", "teachers_affected", "points_total", "clause", "description", "text"]]


def _allowance_amounts(policy: Policy) -> dict:
    amounts = policy.get(f"{NS}.allowance.monthly")
    missing = set(grade_bands(policy)) - set(amounts)
    if missing:
        raise PolicyError(f"{NS}.allowance.monthly has no amount for grade(s) {sorted(missing)}")
    return amounts


def monthly_allowance(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Adds ``allowance`` (yuan for the month) from ``grade`` and ``allowance_forfeited``.

    Amount per grade: ``appraisal.allowance.monthly`` (a planning assumption, spec §5.7: P5 leaves
    the amounts to the institution).  Forfeited — 0 — in a month with an event that forfeits the
    allowance (P5 §4(五)3: 扣除当月津贴).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["grade", "allowance_forfeited"], "monthly_allowance")
    amounts = _allowance_amounts(policy)
    codes, uniq = pd.factorize(df["grade"])
    per_u = np.array([amounts.get(g, np.nan) for g in uniq], dtype="float64")
    amount = np.where(codes >= 0, per_u[np.maximum(codes, 0)] if len(per_u) else np.nan, np.nan)
    check(np.isnan(amount), df.index, "grade", "unknown_grade", "missing or not a grade of the policy",
          "不是有效的考核等次", df["grade"].to_numpy())
    forfeited = booleans(df, "allowance_forfeited")
    out = df.copy(deep=False)
    out["allowance"] = np.where(forfeited, 0.0, amount)
    return out


def monthly_appraisal(items: pd.DataFrame, events: pd.DataFrame | None = None,
                      policy: Policy | None = None) -> pd.DataFrame:
    """The whole monthly pipeline: failed items + coded events → points → score → grade → allowance.

    ``items``: ``staff_id, period`` and the ``fail_*`` columns, one row per teacher-month.
    ``events``: ``staff_id, period, code, count`` (may be None or empty).  A teacher-month without
    events gets bonus = deduction = 0.  Events for a (staff_id, period) not in ``items`` are an error
    (an appraisal needs the failed-item counts too).  Returns ``items`` with ``bonus, deduction,
    allowance_forfeited, base_score, score, grade, allowance`` — the same numbers as
    ``monthly_allowance(appraisal_scores(items ⟕ event_points(events)))``, computed on integer keys.
    """
    policy = policy_or_default(policy)
    require_columns(items, ["staff_id", "period"], "monthly_appraisal items")
    n = len(items)
    if events is None:
        events = pd.DataFrame({c: [] for c in EVENT_COLUMNS})
    require_columns(events, EVENT_COLUMNS, "monthly_appraisal events")
    points, is_bonus, forfeit = _event_arrays(events, catalogue(policy))
    both = pd.RangeIndex(n + len(events))
    key = _pair_codes(pd.concat([items["staff_id"], events["staff_id"]], ignore_index=True),
                      pd.concat([items["period"], events["period"]], ignore_index=True), both)
    item_key, event_key = key[:n], key[n:]
    dup, where = _match_keys(item_key, event_key)
    check(dup, items.index, "staff_id/period", "duplicate_month",
          "two rows for the same teacher and month", "同一教师同一月份重复", items["staff_id"].to_numpy())
    orphan = where < 0
    if orphan.any():
        rows = events.loc[orphan, ["staff_id", "period"]].head(5).to_dict("records")
        raise ScoringInputError(
            f"events for {int(orphan.sum())} row(s) with no appraisal items row for that teacher and month, "
            f"e.g. {rows} / 有加减分记录但缺少该月考核项目记录", rows=events.index[orphan],
            column="staff_id/period", rule="events_without_items",
        )
    bonus = _weighted_count(where, np.where(is_bonus, points, 0.0), n)
    deduction = _weighted_count(where, np.where(is_bonus, 0.0, points), n)
    forfeited = np.bincount(where, weights=forfeit.astype(np.float64), minlength=n) > 0
    cols = _score_columns(items, bonus, deduction, policy)
    amounts = _allowance_amounts(policy)
    per_grade = np.array([amounts[g] for g in cols["_names"]], dtype="float64")
    out = items.copy(deep=False)
    out["bonus"] = bonus
    out["deduction"] = deduction
    out["allowance_forfeited"] = forfeited
    out["base_score"] = cols["base_score"]
    out["score"] = cols["score"]
    out["grade"] = cols["grade"]
    out["allowance"] = np.where(forfeited, 0.0, per_grade[cols["_pos"]])
    return out


# --------------------------------------------------------------------------------------------
# Semester / year
# --------------------------------------------------------------------------------------------
def _composite_array(frame: pd.DataFrame, policy: Policy, allow_nan=None) -> np.ndarray:
    weights, denom = exact_weights(policy.get(f"{NS}.composite_weights"), ("self", "student", "college"),
                                   f"{NS}.composite_weights")
    scale = policy.get(f"{NS}.rating_scale")
    total = np.zeros(len(frame))
    for w, col in zip(weights, RATING_COLUMNS, strict=True):
        x = numeric(frame, col, missing=np.nan,
                    required=True if allow_nan is None else ~np.asarray(allow_nan, dtype=bool))
        bad = (x < 0) | (x > scale)
        check(bad, frame.index, col, "rating_out_of_range", f"rating must be between 0 and {scale} (P5 §5)",
              f"测评分数应在 0 至 {scale} 之间", x)
        total = total + int(w) * x
    return snap(total / denom)


def composite(self_score, student_score, college_score, policy: Policy | None = None):
    """Semester/year score: 0.20 × self + 0.30 × students + 0.50 × college (P5 §5(二)–(四)).

    Weights come from ``appraisal.composite_weights`` and are applied as exact integers over their
    common denominator (20·a + 30·b + 50·c) / 100, so three ratings of 90 give exactly 90.0.  Each
    rating must be on 0…``appraisal.rating_scale`` (100); outside that, or missing, is an error.
    Scalars give a float, arrays an array, Series a Series.
    """
    policy = policy_or_default(policy)
    frame, kind, index = as_frame({"self_score": self_score, "student_score": student_score,
                                   "college_score": college_score})
    return shaped(_composite_array(frame, policy), kind, index, "composite")


def _split_codes(s: pd.Series) -> pd.Series:
    """'E-A; F-B' → exploded Series of codes indexed by the original row label."""
    text = s.astype(object).where(s.notna(), "")
    parts = text.astype(str).str.replace("；", ";").str.replace(",", ";").str.replace("，", ";").str.split(";")
    codes = parts.explode().str.strip()
    return codes[codes.notna() & (codes != "")]


def semester_grades(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Semester (or year) grade with the direct-grade overrides (P5 §5–§7; spec §5.5–§5.6).

    Input: ``self_score, student_score, college_score`` (0–100) and optionally ``override_codes``
    (codes of ``appraisal.direct_grade``, separated by ``;``).  Adds:

    * ``composite`` — :func:`composite` (NaN allowed only where an override decides the grade: §6
      lets a direct 优秀 rely less on ratings);
    * ``score_grade`` — the grade of the composite by the bands (empty if no composite);
    * ``grade`` — the final grade: the override's grade if any condition applies, else score_grade;
    * ``grade_basis`` — "score" or "override";
    * ``override_code`` — the deciding code(s); ``override_reason`` — clause and Chinese wording;
    * ``overridden_codes`` — conditions that applied but lost to ``appraisal.override_precedence``
      (default 不合格 before 优秀: a §7 condition beats a §6 one — an interpretation).
    """
    policy = policy_or_default(policy)
    require_columns(df, RATING_COLUMNS, "semester_grades")
    conds = direct_grade_conditions(policy)
    precedence = list(policy.get(f"{NS}.override_precedence"))
    bands = grade_bands(policy)
    missing = [g for g in set(conds["grade"]) if g not in precedence]
    if missing:
        raise PolicyError(f"{NS}.override_precedence lacks grade(s) {missing} used by direct_grade conditions")

    has_override = np.zeros(len(df), dtype=bool)
    out_grade = np.full(len(df), None, dtype=object)
    out_code = np.full(len(df), "", dtype=object)
    out_reason = np.full(len(df), "", dtype=object)
    out_lost = np.full(len(df), "", dtype=object)
    if "override_codes" in df.columns:
        codes = _split_codes(df["override_codes"])
        if len(codes):
            pos = pd.Index(conds["code"].astype(object)).get_indexer(codes.astype(object))
            if (pos < 0).any():
                bad = sorted(set(codes[pos < 0]))
                rows = sorted(set(codes.index[pos < 0]))
                raise ScoringInputError(
                    f"column override_codes: unknown direct-grade code(s) {bad} in rows {rows[:10]} "
                    f"/ 未知的直接定等代码; known / 有效代码: {list(conds['code'])}",
                    rows=rows, column="override_codes", rule="unknown_override_code",
                )
            c = conds.iloc[pos].reset_index(drop=True)
            long = pd.DataFrame({
                "row": pd.Index(df.index).get_indexer(codes.index),
                "code": c["code"], "grade": c["grade"],
                "rank": c["grade"].map({g: i for i, g in enumerate(precedence)}),
                "reason": "P5 " + c["clause"] + " " + c["text"] + " → " + c["grade"],
            })
            best = long.groupby("row")["rank"].transform("min")
            win = long[long["rank"] == best]
            lose = long[long["rank"] != best]
            agg_win = win.groupby("row").agg(grade=("grade", "first"), code=("code", ";".join),
                                             reason=("reason", "；".join))
            rows_w = agg_win.index.to_numpy()
            has_override[rows_w] = True
            out_grade[rows_w] = agg_win["grade"].to_numpy()
            out_code[rows_w] = agg_win["code"].to_numpy()
            out_reason[rows_w] = agg_win["reason"].to_numpy()
            if len(lose):
                agg_lose = lose.groupby("row")["code"].agg(";".join)
                out_lost[agg_lose.index.to_numpy()] = agg_lose.to_numpy()
                lost_rows = agg_lose.index.to_numpy()
                out_reason[lost_rows] = out_reason[lost_rows] + "（" + agg_lose.to_numpy() + " 同时适用，按 " + \
                    "＞".join(precedence) + " 的优先顺序不予采用：解释性规定）"

    comp = _composite_array(df, policy, allow_nan=has_override)
    score_grade = np.full(len(df), "", dtype=object)
    has_score = ~np.isnan(comp)
    if has_score.any():
        score_grade[has_score] = _grade_array(comp[has_score], df.index[has_score], policy, "composite")
    final = np.where(has_override, out_grade, score_grade)
    out = df.copy()
    out["composite"] = comp
    out["score_grade"] = score_grade
    out["grade"] = final
    out["grade_basis"] = np.where(has_override, "override", "score")
    out["override_code"] = out_code
    out["override_reason"] = out_reason
    out["overridden_codes"] = out_lost
    assert set(final) <= set(bands)
    return out


def semester_of_period(period) -> pd.Series:
    """School semester of a month "YYYY-MM": Sep–Jan → "Y-(Y+1)-1", Feb–Aug → "(Y-1)-Y-2".

    Follows the Chinese school calendar (first semester from September to January).  Vectorised.
    """
    p = pd.Series(period, copy=False).astype(object)
    m = p.str.extract(r"^(\d{4})-(\d{2})$")
    bad = m[0].isna().to_numpy()
    check(bad, p.index, "period", "bad_period", "period must be YYYY-MM", "月份格式应为 YYYY-MM", p.to_numpy())
    year = m[0].astype(int)
    month = m[1].astype(int)
    check(((month < 1) | (month > 12)).to_numpy(), p.index, "period", "bad_month", "month must be 01–12",
          "月份应为 01–12", p.to_numpy())
    start = np.where(month >= 9, year, year - 1)
    term = np.where((month >= 9) | (month == 1), 1, 2)
    start = pd.Series(start, index=p.index).astype(str)
    nxt = (pd.Series(start, index=p.index).astype(int) + 1).astype(str)
    return (start + "-" + nxt + "-" + pd.Series(term, index=p.index).astype(str)).astype(object)


def _semester_ordinal(sem: pd.Series) -> np.ndarray:
    m = sem.astype(object).str.extract(_SEMESTER.pattern)
    bad = m[0].isna().to_numpy()
    check(bad, sem.index, "semester", "bad_semester", 'semester must look like "2025-2026-1"',
          "学期格式应为 2025-2026-1", sem.to_numpy())
    a, b, t = m[0].astype(int).to_numpy(), m[1].astype(int).to_numpy(), m[2].astype(int).to_numpy()
    check(b != a + 1, sem.index, "semester", "bad_semester", "school year must be Y-(Y+1)", "学年应为相邻两年",
          sem.to_numpy())
    return a * 2 + (t - 1)


def removal_status(history: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Removal from class-teacher duty after consecutive failed semesters (P5 §8; spec §5.7).

    Input: ``staff_id, semester ("2025-2026-1"), grade`` — one row per teacher and semester (e.g.
    the output of :func:`semester_grades`).  Output: one row per teacher with ``last_semester``,
    ``last_grade``, ``consecutive_failed`` (length of the run of failed semesters ending at the
    latest one), ``removal_status`` — "remove" (run ≥ ``appraisal.removal.consecutive_failed_semesters``,
    2), "at_risk" (the latest semester failed, run shorter) or "ok" — ``removal_note`` (Chinese), and
    ``first_removal_semester`` (the first semester at which a run reached the limit, if ever).

    With ``consecutive_basis`` = calendar (default, interpretation) a semester without an appraisal
    breaks the run; with "appraisals" only the teacher's own sequence counts.  Vectorised with
    sort + shift + cumulative sums.
    """
    policy = policy_or_default(policy)
    require_columns(history, ["staff_id", "semester", "grade"], "removal_status")
    limit = int(policy.get(f"{NS}.removal.consecutive_failed_semesters"))
    failing = policy.get(f"{NS}.removal.failing_grade")
    basis = policy.get(f"{NS}.removal.consecutive_basis")
    h = history[["staff_id", "semester", "grade"]].copy()
    h["ordinal"] = _semester_ordinal(h["semester"])
    dup = h.duplicated(["staff_id", "ordinal"], keep=False).to_numpy()
    check(dup, h.index, "semester", "duplicate_semester", "two grades for the same teacher and semester",
          "同一教师同一学期有两个等次", h["semester"].to_numpy())
    h = h.sort_values(["staff_id", "ordinal"], kind="stable")
    failed = (h["grade"].astype(object) == failing).to_numpy()
    same = (h["staff_id"].to_numpy() == h["staff_id"].shift().to_numpy())
    prev_failed = np.r_[False, failed[:-1]]
    adjacent = np.r_[False, np.diff(h["ordinal"].to_numpy()) == 1] if basis == "calendar" else np.ones(len(h), bool)
    continues = failed & same & prev_failed & adjacent
    run_id = np.cumsum(~continues)
    run = pd.Series(np.ones(len(h), dtype=np.int64)).groupby(run_id).cumsum().to_numpy()
    run = np.where(failed, run, 0)
    h["run"] = run
    h["reached"] = run >= limit
    last = h.groupby("staff_id", sort=True).tail(1).set_index("staff_id")
    first_removal = h[h["reached"]].groupby("staff_id")["semester"].first()
    out = pd.DataFrame({
        "staff_id": last.index,
        "last_semester": last["semester"].to_numpy(),
        "last_grade": last["grade"].to_numpy(),
        "consecutive_failed": last["run"].to_numpy(),
    })
    out["removal_status"] = np.select([out["consecutive_failed"] >= limit, out["consecutive_failed"] > 0],
                                      ["remove", "at_risk"], "ok")
    out["removal_note"] = out["removal_status"].map(
        {"remove": "调离班主任岗位", "at_risk": "预警（最近一学期不合格）", "ok": "正常"})
    out["first_removal_semester"] = out["staff_id"].map(first_removal)
    return out


def allowance_totals(monthly: pd.DataFrame, by=("period",)) -> pd.DataFrame:
    """Allowance paid and forfeited, summed by ``by`` (e.g. period, unit_id).  Input: output of
    :func:`monthly_appraisal`.  ``forfeited_months`` counts teacher-months with the allowance
    forfeited (P5 §4(五)3)."""
    by = list(by)
    g = monthly.assign(_f=monthly["allowance_forfeited"].astype(bool)).groupby(by, sort=True)
    return g.agg(teacher_count=("staff_id", "nunique"), allowance=("allowance", "sum"),
                 forfeited_months=("_f", "sum")).reset_index()


__all__ = [
    "sections", "catalogue", "direct_grade_conditions", "grade_bands", "grade", "section_scores",
    "appraisal_scores", "event_points", "event_impact", "monthly_allowance", "monthly_appraisal",
    "composite", "semester_grades", "semester_of_period", "removal_status", "allowance_totals",
]
