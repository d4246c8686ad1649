"""The P5 array kernels: the one implementation of the class-teacher appraisal rules (spec §5).

Every P5 figure — section scores, event points, the monthly score, the grade, the allowance, the
semester composite and the direct-grade overrides — is computed here, on whole numpy arrays.
The public functions of :mod:`staffcalc.scoring.appraisal` (``appraisal_scores``, ``event_points``,
``monthly_appraisal``, ``monthly_allowance``, ``grade``, ``composite``, ``semester_grades``)
validate and shape their input, then call these kernels; the what-if model
(:mod:`staffcalc.scenario`) precomputes the same inputs once and calls the same kernels; an
explanation trace reads the intermediate arrays the kernels return.  Nothing else in the package
restates a P5 rule.

Kernel API
----------
Policy as arrays (read once per policy; ``from_policy`` raises PolicyError naming the parameter):

* :class:`Rubric` — sections in policy order: ``section``, ``column`` (``fail_<id>``), ``maximum``,
  ``items``, ``per_item``, ``clause``, ``floor`` (``appraisal.section_floor``), ``clip``
  (``appraisal.clip_score``), ``max_total`` (Σ maximum).
* :class:`Codes` — the bonus/deduction catalogue: ``code``, ``is_bonus``, ``points`` (≥ 0 per
  occurrence), ``forfeits`` (P5 §4(五)3).
* :class:`Bands` — grade ``names`` and inclusive lower ``bounds``, **lowest grade first**, and the
  allowance per grade ``allowance`` (or None when the policy has no amount for a grade).

Monthly stage (P5 §3–§4); ``index`` = the row labels that error messages name:

* :func:`section_matrix` ``(failed (n, k) int, rubric, index)`` → ``(n, k)`` float section scores
  ``max(floor, maximum − per_item × failed)``; refuses more failed items than a section has.
* :func:`base_scores` ``(sections)`` → Σ section scores, added in section order.
* :func:`event_values` ``(code_pos, count, codes)`` → per event points, bonus flag, forfeit flag.
* :func:`event_totals` ``(row, code_pos, count, codes, n)`` → :class:`EventTotals`: per event
  ``points`` (positive), ``is_bonus``, ``forfeits`` (a zero-count event forfeits nothing), and per
  row ``bonus``, ``deduction``, ``forfeited``.
* :func:`monthly_score` ``(base, bonus, deduction, rubric)`` → base + bonus − deduction (clipped
  only when ``rubric.clip``).
* :func:`grade_positions` ``(score, bands, index, column)`` → band position per row (0 = lowest).
* :func:`allowance` ``(pos, forfeited, bands)`` → the month's allowance (0 where forfeited).
* :func:`monthly` — all of the above at once → :class:`MonthlyTrace` (every intermediate array).

Semester stage (P5 §5–§7):

* :func:`check_ratings` ``(ratings, scale, required, index)`` — missing where required, or outside
  0…scale, is an error.
* :func:`composite` ``(ratings, weights, denom)`` → (Σ wᵢ·xᵢ) / denom with integer weights, snapped.
* :func:`override_decisions` ``(row, code_pos, conditions, precedence, n)`` → :class:`Overrides`:
  which direct-grade condition decides each row (``has``, ``grade``, ``code``, ``reason``) and which
  lost to ``appraisal.override_precedence`` (``lost``).
* :func:`semester` — composite, score grade, overrides and final grade → :class:`SemesterTrace`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..policy import Policy, PolicyError
from ._common import check, snap

NS = "appraisal"
RATING_COLUMNS = ("self_score", "student_score", "college_score")
WEIGHT_KEYS = ("self", "student", "college")


# --------------------------------------------------------------------------------------------
# Policy as arrays
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rubric:
    """The rubric sections of P5 §4(一)–(三) as arrays, in policy order."""

    section: tuple
    column: tuple
    maximum: np.ndarray
    items: np.ndarray
    per_item: np.ndarray
    clause: tuple
    floor: float
    clip: bool

    @classmethod
    def from_policy(cls, policy: Policy) -> Rubric:
        from .appraisal import section_rows

        rows = section_rows(policy)
        return cls(section=tuple(r["section"] for r in rows), column=tuple(r["column"] for r in rows),
                   maximum=np.array([r["section_max"] for r in rows]),
                   items=np.array([r["section_items"] for r in rows], dtype=np.int64),
                   per_item=np.array([r["per_item"] for r in rows]), clause=tuple(r["clause"] for r in rows),
                   floor=policy.get(f"{NS}.section_floor"), clip=bool(policy.get(f"{NS}.clip_score")))

    @property
    def max_total(self) -> float:
        return float(self.maximum.sum())


@dataclass(frozen=True)
class Codes:
    """The bonus/deduction catalogue of P5 §4(四)(五) as arrays, in policy order."""

    code: tuple
    is_bonus: np.ndarray
    points: np.ndarray
    forfeits: np.ndarray

    @classmethod
    def from_policy(cls, policy: Policy, order=None) -> Codes:
        """``order``: the codes in the order wanted (e.g. the baseline's; must be the same set)."""
        from .appraisal import catalogue_rows

        rows = catalogue_rows(policy)
        if order is not None:
            at = {r["code"]: r for r in rows}
            if sorted(order) != sorted(at):
                raise PolicyError(f"{NS}: the bonus/deduction codes changed / 加减分代码已改变")
            rows = [at[c] for c in order]
        return cls(code=tuple(r["code"] for r in rows),
                   is_bonus=np.array([r["code_kind"] == "bonus" for r in rows], dtype=bool),
                   points=np.array([r["code_points"] for r in rows], dtype="float64"),
                   forfeits=np.array([r["forfeits_allowance"] for r in rows], dtype=bool))


@dataclass(frozen=True)
class Bands:
    """Grade names and inclusive lower bounds, lowest grade first (P5 §3, half-open bands)."""

    names: tuple
    bounds: np.ndarray
    allowance: np.ndarray | None = None  # yuan per grade (appraisal.allowance.monthly), lowest first

    @classmethod
    def from_policy(cls, policy: Policy, order=None, with_allowance: bool = False) -> Bands:
        from .appraisal import grade_bands

        bands = grade_bands(policy, order)
        names = tuple(list(bands)[::-1])
        amount = None
        if with_allowance:
            amounts = policy.get(f"{NS}.allowance.monthly")
            missing = set(names) - set(amounts)
            if missing:
                raise PolicyError(f"{NS}.allowance.monthly has no amount for grade(s) {sorted(missing)}")
            amount = np.array([amounts[g] for g in names], dtype="float64")
        return cls(names=names, bounds=np.array(list(bands.values())[::-1], dtype="float64"), allowance=amount)

    def categorical(self, pos: np.ndarray) -> pd.Categorical:
        """Grades as an ordered categorical, lowest first (compares equal to the grade strings)."""
        return pd.Categorical.from_codes(pos, categories=list(self.names), ordered=True)

    def counts(self, pos: np.ndarray) -> pd.Series:
        """Rows per grade, highest grade first, zeros included (rows with pos < 0 not counted)."""
        n = np.bincount(pos[pos >= 0], minlength=len(self.names)) if len(pos) else np.zeros(len(self.names), int)
        return pd.Series(n[::-1].astype(np.int64), index=list(self.names)[::-1], name="count")


# --------------------------------------------------------------------------------------------
# Monthly stage
# --------------------------------------------------------------------------------------------
def section_matrix(failed: np.ndarray, rubric: Rubric, index) -> np.ndarray:
    """Section scores ``max(floor, maximum − per_item × failed)`` (P5 §4, spec §5.1), shape (n, k).

    ``failed``: whole, non-negative failed-item counts, one column per rubric section.  More failed
    items than a section has is a ScoringInputError naming the rows and the ``fail_*`` column.
    """
    failed = np.asarray(failed)
    for j in np.flatnonzero(failed.max(axis=0, initial=0) > rubric.items) if failed.size else ():
        check(failed[:, j] > rubric.items[j], index, rubric.column[j], "more_failed_than_items",
              f"more failed items than section {rubric.section[j]} has ({rubric.items[j]}) (P5 {rubric.clause[j]})",
              f"不合格项数超过该部分项数（{rubric.section[j]} 共 {rubric.items[j]} 项）", failed[:, j])
    return np.maximum(rubric.floor, rubric.maximum[None, :] - rubric.per_item[None, :] * failed).astype("float64")


def base_scores(sections: np.ndarray) -> np.ndarray:
    """Σ section scores per row, added section by section (the same float additions everywhere)."""
    total = np.zeros(sections.shape[0], dtype="float64")
    for j in range(sections.shape[1]):
        total += sections[:, j]
    return total


@dataclass
class EventTotals:
    """Per event: ``points`` (positive), ``is_bonus``, ``forfeits``; per row: ``bonus``,
    ``deduction`` (positive points) and ``forfeited`` (the month's allowance is lost)."""

    points: np.ndarray
    is_bonus: np.ndarray
    forfeits: np.ndarray
    bonus: np.ndarray
    deduction: np.ndarray
    forfeited: np.ndarray


def _sum_by(row: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    # float64 even when there are no events (bincount gives int64 then)
    return np.bincount(row, weights=weights, minlength=n).astype("float64", copy=False)


def event_values(code_pos: np.ndarray, count: np.ndarray, codes: Codes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event: points (catalogue points × count, positive), bonus flag, and whether it forfeits
    the month's allowance — only if its code does **and** it occurred (count > 0): a zero-count row
    records nothing (P5 §4(五)3)."""
    count = np.asarray(count, dtype="float64")
    return codes.points[code_pos] * count, codes.is_bonus[code_pos], codes.forfeits[code_pos] & (count > 0)


def event_totals(row: np.ndarray, code_pos: np.ndarray, count: np.ndarray, codes: Codes, n: int) -> EventTotals:
    """Bonus, deduction and allowance forfeit per row from coded events (P5 §4(四), §4(五)).

    ``row``: the row (0…n−1) each event belongs to; ``code_pos``: position of its code in ``codes``;
    ``count``: occurrences (whole, ≥ 0).  Points = catalogue points × count, summed per row in
    event order (a sparse matrix-vector product); forfeits as :func:`event_values`.
    """
    points, is_bonus, forfeits = event_values(code_pos, count, codes)
    return EventTotals(points=points, is_bonus=is_bonus, forfeits=forfeits,
                       bonus=_sum_by(row, np.where(is_bonus, points, 0.0), n),
                       deduction=_sum_by(row, np.where(is_bonus, 0.0, points), n),
                       forfeited=_sum_by(row, forfeits.astype("float64"), n) > 0)


def monthly_score(base: np.ndarray, bonus: np.ndarray, deduction: np.ndarray, rubric: Rubric) -> np.ndarray:
    """Score = base + bonus − deduction (P5 §4), raw unless ``appraisal.clip_score`` (then [0, Σ max])."""
    score = snap(base + bonus - deduction)
    return np.clip(score, 0.0, rubric.max_total) if rubric.clip else score


def grade_positions(score: np.ndarray, bands: Bands, index, column: str = "score", present=None) -> np.ndarray:
    """Band position of each score, 0 = lowest grade (P5 §3; half-open: a bound belongs to its band).

    A missing or infinite score, or one below the lowest band, is a ScoringInputError naming rows;
    where ``present`` (a boolean mask) is false the score may be missing and the position is −1.
    """
    missing = np.isnan(score)
    if present is not None:
        missing &= present
    check(missing, index, column, "grade_nan", "no grade for a missing score (NaN)", "分数缺失，无法评定等次")
    check(np.isinf(score), index, column, "grade_inf", "score is not finite", "分数无穷大", score)
    pos = np.searchsorted(bands.bounds, score, side="right") - 1
    if present is not None:
        pos = np.where(present, pos, -1)
    check((pos < 0) if present is None else (pos < 0) & present, index, column, "below_lowest_band",
          f"score below the lowest grade band ({bands.bounds[0]})", "分数低于最低等次下限", score)
    return pos


def allowance(pos: np.ndarray, forfeited: np.ndarray, bands: Bands) -> np.ndarray:
    """The month's allowance: the amount of the grade, 0 where forfeited (P5 §4(五)3; spec §5.7)."""
    return np.where(forfeited, 0.0, bands.allowance[pos])


@dataclass
class MonthlyTrace:
    """Every intermediate array of the monthly stage, one row per teacher-month."""

    sections: np.ndarray   # (n, k) section scores, columns in rubric order
    base: np.ndarray
    events: EventTotals
    score: np.ndarray
    pos: np.ndarray        # band position (0 = lowest grade)
    allowance: np.ndarray | None

    @property
    def bonus(self):
        return self.events.bonus

    @property
    def deduction(self):
        return self.events.deduction

    @property
    def forfeited(self):
        return self.events.forfeited


def monthly(failed: np.ndarray, event_row: np.ndarray, event_code: np.ndarray, event_count: np.ndarray,
            rubric: Rubric, codes: Codes, bands: Bands, index) -> MonthlyTrace:
    """The whole monthly stage (P5 §3–§4) on arrays → :class:`MonthlyTrace`."""
    sec = section_matrix(failed, rubric, index)
    base = base_scores(sec)
    ev = event_totals(event_row, event_code, event_count, codes, len(base))
    score = monthly_score(base, ev.bonus, ev.deduction, rubric)
    pos = grade_positions(score, bands, index)
    amount = allowance(pos, ev.forfeited, bands) if bands.allowance is not None else None
    return MonthlyTrace(sections=sec, base=base, events=ev, score=score, pos=pos, allowance=amount)


# --------------------------------------------------------------------------------------------
# Semester stage
# --------------------------------------------------------------------------------------------
def check_ratings(ratings, scale, required, index) -> None:
    """Each rating present where ``required`` (rows no direct grade decides, P5 §5–§6) and on
    0…``scale`` (``appraisal.rating_scale``); otherwise a ScoringInputError naming rows and column."""
    required = np.broadcast_to(np.asarray(required, dtype=bool), (len(index),))
    for col, x in zip(RATING_COLUMNS, ratings, strict=True):
        check(np.isnan(x) & required, index, col, "missing", "missing: a value is required", "数值缺失，此项不能为空")
        check((x < 0) | (x > scale), index, col, "rating_out_of_range", f"rating must be between 0 and {scale} (P5 §5)",
              f"测评分数应在 0 至 {scale} 之间", x)


def composite(ratings, weights: np.ndarray, denom: int) -> np.ndarray:
    """(w₁·self + w₂·students + w₃·college) / denom with integer weights (P5 §5(二)–(四)), snapped;
    NaN where a rating is missing."""
    total = np.zeros(len(ratings[0]))
    for w, x in zip(weights, ratings, strict=True):
        total = total + int(w) * x
    return snap(total / denom)


@dataclass
class Overrides:
    """Direct-grade decisions per row (P5 §6 直接优秀, §7 直接不合格)."""

    has: np.ndarray      # bool: a condition decides the grade
    grade: np.ndarray    # deciding grade (object; None where none)
    code: np.ndarray     # deciding code(s), ";"-joined ("" where none)
    reason: np.ndarray   # clause and wording of the deciding condition(s), plus the ones that lost
    lost: np.ndarray     # codes that applied but lost to the precedence ("" where none)


def override_decisions(row: np.ndarray, code_pos: np.ndarray, conditions: pd.DataFrame, precedence, n: int) -> Overrides:
    """Which direct-grade condition decides each row.

    ``row``/``code_pos``: one entry per (row, condition) that applies; ``conditions``: the output
    of :func:`staffcalc.scoring.direct_grade_conditions`; ``precedence``: grades in order of
    precedence (``appraisal.override_precedence``; default 不合格 before 优秀 — an interpretation).
    """
    missing = [g for g in set(conditions["grade"]) if g not in precedence]
    if missing:
        raise PolicyError(f"{NS}.override_precedence lacks grade(s) {missing} used by direct_grade conditions")
    out = Overrides(has=np.zeros(n, dtype=bool), grade=np.full(n, None, dtype=object), code=np.full(n, "", dtype=object),
                    reason=np.full(n, "", dtype=object), lost=np.full(n, "", dtype=object))
    if len(row) == 0:
        return out
    c = conditions.iloc[code_pos].reset_index(drop=True)
    long = pd.DataFrame({
        "row": np.asarray(row), "code": c["code"], "grade": c["grade"],
        "rank": c["grade"].map({g: i for i, g in enumerate(precedence)}),
        "reason": "P5 " + c["clause"] + " " + c["text"] + " → " + c["grade"],
    })
    best = long.groupby("row")["rank"].transform("min")
    win, lose = long[long["rank"] == best], long[long["rank"] != best]
    agg = win.groupby("row").agg(grade=("grade", "first"), code=("code", ";".join), reason=("reason", "；".join))
    rows_w = agg.index.to_numpy()
    out.has[rows_w] = True
    out.grade[rows_w] = agg["grade"].to_numpy()
    out.code[rows_w] = agg["code"].to_numpy()
    out.reason[rows_w] = agg["reason"].to_numpy()
    if len(lose):
        lost = lose.groupby("row")["code"].agg(";".join)
        r = lost.index.to_numpy()
        out.lost[r] = lost.to_numpy()
        out.reason[r] = out.reason[r] + "（" + lost.to_numpy() + " 同时适用，按 " + "＞".join(precedence) + \
            " 的优先顺序不予采用：解释性规定）"
    return out


@dataclass
class SemesterTrace:
    """Every intermediate array of the semester stage, one row per teacher-semester."""

    composite: np.ndarray  # NaN where a rating is missing (allowed only under an override)
    score_pos: np.ndarray  # band of the composite, −1 where there is no composite
    overrides: Overrides
    pos: np.ndarray        # final band position: the override's grade where one decides
    bands: Bands

    @property
    def score_grade(self) -> np.ndarray:
        names = np.array(self.bands.names, dtype=object)
        return np.where(self.score_pos >= 0, names[np.maximum(self.score_pos, 0)], "")

    @property
    def basis(self) -> np.ndarray:
        return np.where(self.overrides.has, "override", "score")


def semester(ratings, weights: np.ndarray, denom: int, scale, overrides: Overrides, bands: Bands, index,
             checked: bool = False) -> SemesterTrace:
    """The semester stage (P5 §5–§7) on arrays → :class:`SemesterTrace`.

    ``ratings``: three float arrays (NaN = missing); ``checked=True`` skips :func:`check_ratings`
    (the caller ran it for this scale and these overrides).
    """
    if not checked:
        check_ratings(ratings, scale, ~overrides.has, index)
    comp = composite(ratings, weights, denom)
    score_pos = grade_positions(comp, bands, index, "composite", present=~np.isnan(comp))
    over_pos = np.full(len(comp), -1, dtype=np.int64)
    over_pos[overrides.has] = pd.Index(list(bands.names)).get_indexer(overrides.grade[overrides.has])
    pos = np.where(overrides.has, over_pos, score_pos)
    return SemesterTrace(composite=comp, score_pos=score_pos, overrides=overrides, pos=pos, bands=bands)
