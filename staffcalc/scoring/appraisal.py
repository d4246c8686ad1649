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

The rules themselves are the array kernels of :mod:`staffcalc.scoring.kernels`; the functions
here validate and shape the input and output around them (as the what-if model does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..checks import policy_or_default
from ..policy import Policy, PolicyError
from . import kernels as K
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
)

NS = "appraisal"
EVENT_COLUMNS = ("staff_id", "period", "code", "count")
RATING_COLUMNS = K.RATING_COLUMNS
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
    return pd.DataFrame(section_rows(policy_or_default(policy)))


def section_rows(policy: Policy) -> list[dict]:
    """The rows of :func:`sections` as dicts (validated; what the kernels' Rubric reads)."""
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
    return rows


CATALOGUE_COLUMNS = ["code", "code_kind", "code_points", "forfeits_allowance", "description", "clause", "text"]


def catalogue(policy: Policy | None = None) -> pd.DataFrame:
    """Bonus and deduction codes as a table (P5 §4(四), §4(五)).

    Columns: code, code_kind ("bonus"/"deduction"), code_points (positive, per occurrence),
    forfeits_allowance, description, clause, text (the Chinese wording).
    """
    return pd.DataFrame(catalogue_rows(policy_or_default(policy)), columns=CATALOGUE_COLUMNS)


def catalogue_rows(policy: Policy) -> list[dict]:
    """The rows of :func:`catalogue` as dicts (validated; what the kernels' Codes reads)."""
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
    seen = [r["code"] for r in rows]
    dup = sorted({c for c in seen if seen.count(c) > 1})
    if dup:
        raise PolicyError(f"codes defined twice in the appraisal catalogue: {dup}")
    return rows


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
    check(np.isnan(x) & frame["score"].notna().to_numpy(), frame, "score", "not_numeric",
          "not a number", "不是数值", frame["score"].to_numpy())
    bands = K.Bands.from_policy(policy)
    pos = K.grade_positions(x, bands, frame.index)
    if kind == "series":
        return pd.Series(bands.categorical(pos), index=index, name="grade")
    return shaped(np.array(bands.names, dtype=object)[pos], kind, index, "grade")


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
    rubric = K.Rubric.from_policy(policy)
    sec = K.section_matrix(_failed_matrix(df, rubric), rubric, df.index)
    return pd.DataFrame({f"score_{s.lower()}": sec[:, j] for j, s in enumerate(rubric.section)}, index=df.index)


def _failed_matrix(df: pd.DataFrame, rubric: K.Rubric) -> np.ndarray:
    """The validated failed-item counts, one column per rubric section (whole, ≥ 0, present)."""
    require_columns(df, rubric.column, "appraisal items")
    if not rubric.column:
        return np.zeros((len(df), 0), dtype=np.int64)
    return np.column_stack([integer_counts(df, c) for c in rubric.column])


def _score_columns(df: pd.DataFrame, bonus: np.ndarray, deduction: np.ndarray, policy: Policy,
                   bands: K.Bands | None = None) -> K.MonthlyTrace:
    """The monthly kernels on validated bonus/deduction arrays (no events): section scores, base,
    score and grade position."""
    check(bonus < 0, df, "bonus", "negative_bonus", "bonus points cannot be negative", "加分不能为负", bonus)
    check(deduction < 0, df, "deduction", "negative_deduction",
          "deduction is a positive number of points", "减分应以正数表示", deduction)
    rubric = K.Rubric.from_policy(policy)
    bands = bands or K.Bands.from_policy(policy)
    sec = K.section_matrix(_failed_matrix(df, rubric), rubric, df.index)
    base = K.base_scores(sec)
    score = K.monthly_score(base, bonus, deduction, rubric)
    pos = K.grade_positions(score, bands, df.index)
    none = np.zeros(0)
    events = K.EventTotals(points=none, is_bonus=none.astype(bool), forfeits=none.astype(bool), bonus=bonus,
                           deduction=deduction, forfeited=np.zeros(len(df), dtype=bool))
    return K.MonthlyTrace(sections=sec, base=base, events=events, score=score, pos=pos, allowance=None)


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
    bands = K.Bands.from_policy(policy)
    trace = _score_columns(df, numeric(df, "bonus"), numeric(df, "deduction"), policy, bands)
    out = df.copy(deep=False)
    out["base_score"] = trace.base
    out["score"] = trace.score
    out["grade"] = bands.categorical(trace.pos)
    return out


def _event_arrays(events: pd.DataFrame, codes: K.Codes) -> tuple[np.ndarray, np.ndarray]:
    """Validated catalogue position of each event's code and its count (whole, ≥ 0).

    Codes are factorised first (pyarrow dictionary encoding for string columns) and only the few
    distinct codes are looked up in the catalogue — the hash join of "merge with the catalogue".
    """
    require_columns(events, EVENT_COLUMNS, "event_points")
    ccodes, cuniq = pd.factorize(events["code"])
    upos = pd.Index(list(codes.code), dtype=object).get_indexer(pd.Index(cuniq).astype(object))
    check(ccodes < 0, events, "code", "missing_code", "event code is missing", "加减分代码缺失")
    bad_u = np.flatnonzero(upos < 0)
    if len(bad_u):
        unknown = np.isin(ccodes, bad_u)
        rows = events.index[unknown]
        bad = sorted(str(cuniq[i]) for i in bad_u)
        raise ScoringInputError(
            f"column code: unknown event code(s) {bad} in rows {list(rows[:10])}"
            f"{' …' if len(rows) > 10 else ''} / 未知的加减分代码; known codes / 有效代码: {list(codes.code)}",
            rows=rows, column="code", rule="unknown_code",
        )
    return upos[ccodes], integer_counts(events, "count")


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
    codes) and summed per teacher-month by :func:`staffcalc.scoring.kernels.event_totals`.  An
    unknown code raises ScoringInputError listing the unknown codes, the rows and the known codes.
    """
    policy = policy_or_default(policy)
    codes = K.Codes.from_policy(policy)
    pos, count = _event_arrays(events, codes)
    gkey, _ = pd.factorize(_pair_codes(events["staff_id"], events["period"], events.index))
    n = int(gkey.max()) + 1 if len(gkey) else 0
    first = _first_occurrence(gkey)
    ev = K.event_totals(gkey, pos, count, codes, n)
    return pd.DataFrame({
        "staff_id": events["staff_id"].iloc[first].reset_index(drop=True),
        "period": events["period"].iloc[first].reset_index(drop=True),
        "bonus": ev.bonus, "deduction": ev.deduction, "allowance_forfeited": ev.forfeited,
    })


def event_impact(events: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Which codes move scores most: per code, occurrences, teachers_affected and signed points_total
    (bonus +, deduction −), sorted by absolute total points.  Same validation as event_points."""
    policy = policy_or_default(policy)
    cat = catalogue(policy)
    codes = K.Codes.from_policy(policy)
    pos, count = _event_arrays(events, codes)
    points, is_bonus, _ = K.event_values(pos, count, codes)
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


def monthly_allowance(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Adds ``allowance`` (yuan for the month) from ``grade`` and ``allowance_forfeited``.

    Amount per grade: ``appraisal.allowance.monthly`` (a planning assumption, spec §5.7: P5 leaves
    the amounts to the institution).  Forfeited — 0 — in a month with an event that forfeits the
    allowance (P5 §4(五)3: 扣除当月津贴).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["grade", "allowance_forfeited"], "monthly_allowance")
    bands = K.Bands.from_policy(policy, with_allowance=True)
    codes, uniq = pd.factorize(df["grade"])
    upos = pd.Index(list(bands.names), dtype=object).get_indexer(pd.Index(uniq).astype(object))
    pos = np.where(codes >= 0, upos[np.maximum(codes, 0)] if len(upos) else -1, -1)
    check(pos < 0, df, "grade", "unknown_grade", "missing or not a grade of the policy",
          "不是有效的考核等次", df["grade"].to_numpy())
    forfeited = booleans(df, "allowance_forfeited")
    out = df.copy(deep=False)
    out["allowance"] = K.allowance(pos, forfeited, bands)
    return out


@dataclass
class MonthlyRun:
    """The monthly kernels' arrays for a set of teacher-months (:func:`monthly_trace`): ``trace``
    (:class:`~staffcalc.scoring.kernels.MonthlyTrace`: section scores, base, per-event points,
    totals, score, band, allowance), the policy as arrays (``rubric``, ``codes``, ``bands``) and,
    per event, the items row it belongs to (``event_row``), its catalogue position (``code_pos``)
    and ``count``.  The explanation sheet (:mod:`staffcalc.explain`) reads these."""

    trace: K.MonthlyTrace
    rubric: K.Rubric
    codes: K.Codes
    bands: K.Bands
    event_row: np.ndarray
    code_pos: np.ndarray
    count: np.ndarray


def monthly_trace(items: pd.DataFrame, events: pd.DataFrame | None = None,
                  policy: Policy | None = None) -> MonthlyRun:
    """Validate the inputs of :func:`monthly_appraisal` and run :func:`staffcalc.scoring.kernels.monthly`
    on them, keeping every intermediate array (:class:`MonthlyRun`)."""
    policy = policy_or_default(policy)
    require_columns(items, ["staff_id", "period"], "monthly_appraisal items")
    n = len(items)
    if events is None:
        events = pd.DataFrame({c: [] for c in EVENT_COLUMNS})
    require_columns(events, EVENT_COLUMNS, "monthly_appraisal events")
    codes = K.Codes.from_policy(policy)
    code_pos, count = _event_arrays(events, codes)
    both = pd.RangeIndex(n + len(events))
    key = _pair_codes(pd.concat([items["staff_id"], events["staff_id"]], ignore_index=True),
                      pd.concat([items["period"], events["period"]], ignore_index=True), both)
    item_key, event_key = key[:n], key[n:]
    dup, where = _match_keys(item_key, event_key)
    check(dup, items, "staff_id/period", "duplicate_month",
          "two rows for the same teacher and month", "同一教师同一月份重复", items["staff_id"].to_numpy())
    orphan = where < 0
    if orphan.any():
        rows = events.loc[orphan, ["staff_id", "period"]].head(5).to_dict("records")
        raise ScoringInputError(
            f"events for {int(orphan.sum())} row(s) with no appraisal items row for that teacher and month, "
            f"e.g. {rows} / 有加减分记录但缺少该月考核项目记录", rows=events.index[orphan],
            column="staff_id/period", rule="events_without_items",
        )
    rubric = K.Rubric.from_policy(policy)
    bands = K.Bands.from_policy(policy, with_allowance=True)
    t = K.monthly(_failed_matrix(items, rubric), where, code_pos, count, rubric, codes, bands, items.index)
    return MonthlyRun(t, rubric, codes, bands, where, code_pos, count)


def monthly_appraisal(items: pd.DataFrame, events: pd.DataFrame | None = None,
                      policy: Policy | None = None) -> pd.DataFrame:
    """The whole monthly pipeline: failed items + coded events → points → score → grade → allowance.

    ``items``: ``staff_id, period`` and the ``fail_*`` columns, one row per teacher-month.
    ``events``: ``staff_id, period, code, count`` (may be None or empty).  A teacher-month without
    events gets bonus = deduction = 0.  Events for a (staff_id, period) not in ``items`` are an error
    (an appraisal needs the failed-item counts too).  Returns ``items`` with ``bonus, deduction,
    allowance_forfeited, base_score, score, grade, allowance`` — the same numbers as
    ``monthly_allowance(appraisal_scores(items ⟕ event_points(events)))``, computed on integer keys
    by :func:`staffcalc.scoring.kernels.monthly`.
    """
    policy = policy_or_default(policy)
    run = monthly_trace(items, events, policy)
    t, bands = run.trace, run.bands
    out = items.copy(deep=False)
    out["bonus"] = t.bonus
    out["deduction"] = t.deduction
    out["allowance_forfeited"] = t.forfeited
    out["base_score"] = t.base
    out["score"] = t.score
    out["grade"] = bands.categorical(t.pos)
    out["allowance"] = t.allowance
    return out


# --------------------------------------------------------------------------------------------
# Semester / year
# --------------------------------------------------------------------------------------------
def rating_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """The three ratings as float arrays, NaN where missing (text or infinities are errors)."""
    return tuple(numeric(frame, c, missing=np.nan) for c in RATING_COLUMNS)


def _weights(policy: Policy) -> tuple[np.ndarray, int]:
    return exact_weights(policy.get(f"{NS}.composite_weights"), K.WEIGHT_KEYS, f"{NS}.composite_weights")


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
    ratings = rating_arrays(frame)
    K.check_ratings(ratings, policy.get(f"{NS}.rating_scale"), True, frame.index)
    return shaped(K.composite(ratings, *_weights(policy)), kind, index, "composite")


def _split_codes(s: pd.Series) -> pd.Series:
    """'E-A; F-B' → exploded Series of codes indexed by the original row label."""
    text = s.astype(object).where(s.notna(), "")
    parts = text.astype(str).str.replace("；", ";").str.replace(",", ";").str.replace("，", ";").str.split(";")
    codes = parts.explode().str.strip()
    return codes[codes.notna() & (codes != "")]


def override_entries(df: pd.DataFrame, conditions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(row position, condition position) of every direct-grade code in ``override_codes``.

    Unknown codes are a ScoringInputError naming the rows and the known codes.
    """
    none = np.zeros(0, dtype=np.int64)
    if "override_codes" not in df.columns:
        return none, none
    codes = _split_codes(df["override_codes"])
    if not len(codes):
        return none, none
    pos = pd.Index(conditions["code"].astype(object)).get_indexer(codes.astype(object))
    if (pos < 0).any():
        bad = sorted(set(codes[pos < 0]))
        rows = sorted(set(codes.index[pos < 0]))
        raise ScoringInputError(
            f"column override_codes: unknown direct-grade code(s) {bad} in rows {rows[:10]} "
            f"/ 未知的直接定等代码; known / 有效代码: {list(conditions['code'])}",
            rows=rows, column="override_codes", rule="unknown_override_code",
        )
    return pd.Index(df.index).get_indexer(codes.index), pos


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

    Computed by :func:`staffcalc.scoring.kernels.semester`.
    """
    policy = policy_or_default(policy)
    require_columns(df, RATING_COLUMNS, "semester_grades")
    conds = direct_grade_conditions(policy)
    bands = K.Bands.from_policy(policy)
    row, pos = override_entries(df, conds)
    over = K.override_decisions(row, pos, conds, list(policy.get(f"{NS}.override_precedence")), len(df))
    t = K.semester(rating_arrays(df), *_weights(policy), policy.get(f"{NS}.rating_scale"), over, bands, df.index)
    out = df.copy()
    out["composite"] = t.composite
    out["score_grade"] = t.score_grade
    out["grade"] = np.array(bands.names, dtype=object)[t.pos]
    out["grade_basis"] = t.basis
    out["override_code"] = over.code
    out["override_reason"] = over.reason
    out["overridden_codes"] = over.lost
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
    "appraisal_scores", "event_points", "event_impact", "monthly_allowance", "monthly_appraisal", "monthly_trace",
    "composite", "semester_grades", "semester_of_period", "removal_status", "allowance_totals",
]
