"""What-if model behind the scoring page (issue 7): a baseline loaded once, fast recomputation.

A planner moves a parameter (a grade cut-off, a per-item deduction, a bonus code's points, the
20/30/50 semester weights, a recruitment component maximum, a senior-post ratio …); the page calls
:func:`recompute` with the override mapping ``{"dotted.policy.path": value}`` and shows the result
beside the baseline.  Nothing here draws widgets (that is :mod:`staffcalc.whatif`).

* :func:`load_baseline` reads the sample tables once (:func:`staffcalc.io.read_tables`), validates
  them through the public scoring functions and precomputes the inputs of the P5 kernels
  (:mod:`staffcalc.scoring.kernels`) that no parameter changes: the failed-item counts as an
  ``(n, sections)`` matrix, the coded events in coordinate form (row of the teacher-month, catalogue
  position of the code, count), the semester ratings as arrays and the direct-grade codes given.
  The rules themselves are only in the kernels, which the public functions call too; this module
  keeps precomputation and caching.

* :func:`recompute` applies ``policy.override(overrides)`` (plus the checks below) and redoes only
  the stages and kernel steps whose parameters differ from their last computation: monthly
  appraisal (P5 §3–§4: section scores, event totals, score, grade, allowance), semester grades
  (P5 §5–§7: override decisions, rating checks, composite, grade), recruitment ranking and
  appointment line (P4 六), caps and vacancies per discipline (P6 §9, §11;
  :func:`staffcalc.quotas.quota_table`).  ``Baseline.computed`` counts the computations of each
  stage and step.  Results equal the public functions (``monthly_appraisal``, ``semester_grades``,
  ``recruitment_scores`` + ``appoint``, ``quota_table``) for the same policy —
  ``tests/test_scenario.py`` checks that for several overrides and random data.
  :func:`monthly_trace` / :func:`semester_trace` give the kernels' intermediate arrays.

* :func:`check_policy` refuses what the report notebooks would fail on later: weights that do not sum
  to 1 (P5 §5, P4 六.2), a malformed rubric or catalogue, and grade cut-offs that are not in the
  baseline's order (优秀 > 良好 > 合格; :func:`staffcalc.scoring.grade_bands` refuses them).

* :func:`export_overrides` writes the override file ``staffcalc report --override FILE`` reads.

Non-policy settings of the page — the number of recruitment openings (a notebook parameter of
``appraisal_distribution``) and the §9 ratio float per category (the ``adjustment`` parameter of
``post_quotas``) — are arguments of :func:`recompute`, not overrides; the export writes them as
comments.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from . import policy as policy_mod
from . import quotas as quotas_mod
from . import scoring
from .atomic import write_text
from .checks import policy_or_default
from .policy import Policy, PolicyError
from .scoring import appraisal as A
from .scoring import kernels as K
from .scoring._common import ScoringInputError, exact_weights

__all__ = [
    "DEFAULT_AS_OF", "DEFAULT_OPENINGS", "GRADE_KEYS", "TABLE_KINDS", "Baseline", "Result", "load_baseline",
    "from_tables", "recompute", "scenario_policy", "check_policy", "export_overrides", "grade_key",
    "monthly_trace", "semester_trace",
]

DEFAULT_AS_OF = "2026-09-01"  # the sample data's as-of date
DEFAULT_OPENINGS = 10         # the appraisal_distribution notebook's default number of openings
TABLE_KINDS = ("appraisal_items", "appraisal_events", "semester_ratings", "recruitment_candidates", "disciplines",
               "staff")
PERSONAL_COLUMNS = ("name", "id_number")  # never kept in the baseline: the page shows ids only

# ASCII keys of the grade names, for CSS classes the browser test finds (sc-monthly-excellent-count)
GRADE_KEYS = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"}

NS = "appraisal"
# Parameters each stage depends on (dotted prefixes).  The monthly stage takes every appraisal
# parameter except the semester-only ones and the removal rule.
SEMESTER_ONLY = ("appraisal.composite_weights", "appraisal.rating_scale", "appraisal.direct_grade",
                 "appraisal.override_precedence")
SEMESTER_PARAMS = (*SEMESTER_ONLY, "appraisal.grade_bands")
RECRUITMENT_ELIGIBILITY = ("recruitment.eligibility",)
WEIGHT_PATHS = {  # weights that must sum to 1 exactly (checked with exact_weights)
    "appraisal.composite_weights": ("self", "student", "college"),
    "recruitment.review.weights": ("panel", "teachers", "parents"),
}


def grade_key(name: str, position: int) -> str:
    """ASCII key of a grade name (``优秀`` → ``excellent``); other names → ``g<position>``."""
    return GRADE_KEYS.get(name, f"g{position}")


def _stage_key(pol: Policy, include, exclude=()) -> str:
    """A fingerprint of the parameter values a stage reads (repr keeps order and -inf): the
    parameters at or under a dotted prefix of ``include`` and not under one of ``exclude``."""
    inc = tuple(p + "." for p in include)
    exc = tuple(p + "." for p in exclude) or ("\0",)
    return repr([(p, v) for p, v in pol.values.items() if (p + ".").startswith(inc) and not (p + ".").startswith(exc)])


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class Result:
    """One computed setting: the scenario's figures and, where a baseline is known, what changed.

    ``monthly``: staff_id, period, base_score, bonus, deduction, score, grade (ordered categorical,
    lowest first), allowance_forfeited, allowance — one row per teacher-month (P5 §3–§4).
    ``monthly_counts`` / ``semester_counts``: teacher-months / teacher-semesters per grade, highest
    grade first.  ``semester``: staff_id, semester, composite, score_grade, grade (ordered
    categorical), grade_basis (P5 §5–§7).
    ``recruitment``: the output of ``appoint(recruitment_scores(...))`` without personal columns.
    ``quotas``: the output of :func:`staffcalc.quotas.quota_table`.
    ``monthly_changes`` / ``semester_changes``: rows whose grade differs from the baseline;
    ``crossed``: candidates on a different side of the appointment line than in the baseline;
    ``quota_changes``: disciplines whose caps or vacancies differ.  ``timings``: milliseconds per stage
    (``0`` where the stage was reused; for the benchmark, not for display).
    """

    policy: Policy
    overrides: dict
    openings: Any
    adjustment: dict
    monthly: pd.DataFrame
    monthly_counts: pd.Series
    semester: pd.DataFrame
    semester_counts: pd.Series
    recruitment: pd.DataFrame
    quotas: pd.DataFrame
    grade_names: list  # highest first
    monthly_pos: np.ndarray | None = None   # band position per teacher-month (0 = lowest grade)
    semester_pos: np.ndarray | None = None  # band position per teacher-semester
    monthly_changes: pd.DataFrame | None = None
    semester_changes: pd.DataFrame | None = None
    crossed: pd.DataFrame | None = None
    quota_changes: pd.DataFrame | None = None
    timings: dict = field(default_factory=dict)

    @property
    def allowance_total(self) -> float:
        """Monthly class-teacher allowance summed over all teacher-months (yuan; spec §5.7 assumption)."""
        return float(self.monthly["allowance"].sum())

    @property
    def appointed(self) -> list[str]:
        r = self.recruitment
        return sorted(r.loc[r["appointed"].astype(bool), "candidate_id"].astype(str))


@dataclass
class _Precomputed:
    """The kernels' inputs that no overridable parameter changes (built once per baseline)."""

    section_ids: list          # policy section keys, in policy order
    failed: np.ndarray         # (n, sections) int64 failed-item counts
    codes: list                # catalogue codes (bonus first, then deduction), policy order
    event_row: np.ndarray      # per event: row of its teacher-month in appraisal_items
    event_code: np.ndarray     # per event: position of its code in ``codes``
    event_count: np.ndarray    # per event: occurrences (int64)
    keys: pd.DataFrame         # staff_id, period of each teacher-month (appraisal_items order)
    month_labels: pd.Index     # "staff_id period" of each teacher-month, for error messages
    semester_keys: pd.DataFrame  # staff_id, semester of each semester_ratings row
    semester_labels: pd.Index  # "staff_id semester", for error messages
    ratings: tuple             # three float arrays (self, student, college), NaN where missing
    override_row: np.ndarray   # per direct-grade code given: its semester row
    override_code: np.ndarray  # per direct-grade code given: position in direct_grade_conditions


@dataclass
class Baseline:
    """The loaded tables, the baseline policy, the precomputed arrays and the baseline result.

    Build with :func:`load_baseline` (from a data folder) or :func:`from_tables`.  ``cache`` holds
    the last result of each stage and step (keyed by the parameters it read), so a change to one group of
    parameters leaves the other stages alone.
    """

    policy: Policy
    tables: dict
    openings: Any
    pre: _Precomputed
    result: Result | None = None
    cache: dict = field(default_factory=dict)
    computed: Counter = field(default_factory=Counter)  # computations (not reuses) per stage and step

    @property
    def grade_names(self) -> list[str]:
        return list(scoring.grade_bands(self.policy))

    @property
    def teacher_count(self) -> int:
        return int(self.tables["appraisal_items"]["staff_id"].nunique())


# --------------------------------------------------------------------------------------------
# Building the baseline
# --------------------------------------------------------------------------------------------
def load_baseline(data_dir: str | Path, as_of: str | dt.date = DEFAULT_AS_OF, openings: Any = DEFAULT_OPENINGS,
                  variant=None) -> Baseline:
    """Read the sample tables from ``data_dir`` once and build the baseline (policy in force on ``as_of``)."""
    from .io import read_tables

    tables = read_tables(data_dir, list(TABLE_KINDS))
    return from_tables(tables, policy_mod.load(as_of, variant=variant), openings)


def from_tables(tables: Mapping[str, pd.DataFrame], policy: Policy | None = None,
                openings: Any = DEFAULT_OPENINGS) -> Baseline:
    """Build a baseline from already-read tables (``TABLE_KINDS``; personal columns are dropped).

    The public functions run once here on the baseline policy, so bad input (unknown codes, events
    without an appraisal row, ratings out of range …) raises now, as in the report notebooks.
    """
    pol = policy_or_default(policy, DEFAULT_AS_OF)
    missing = [k for k in TABLE_KINDS if k not in tables]
    if missing:
        raise ValueError(f"tables missing: {missing} / 缺少数据表")
    slim = {k: tables[k].drop(columns=[c for c in PERSONAL_COLUMNS if c in tables[k].columns]).reset_index(drop=True)
            for k in TABLE_KINDS}
    slim["staff"] = slim["staff"][[c for c in ("staff_id", "unit_id", "discipline_id", "post_level", "on_establishment")
                                   if c in slim["staff"].columns]]
    items, events, ratings = slim["appraisal_items"], slim["appraisal_events"], slim["semester_ratings"]
    events = slim["appraisal_events"] = scoring.with_late_material_events(items, events, pol)  # as the report (P5 §4(五)11)
    # validation through the public pipeline (raises ScoringInputError on bad input)
    scoring.monthly_appraisal(items, events, pol)
    scoring.semester_grades(ratings, pol)

    rubric = K.Rubric.from_policy(pol)
    codes = K.Codes.from_policy(pol)
    code_pos, count = A._event_arrays(events, codes)
    row = pd.MultiIndex.from_frame(items[["staff_id", "period"]].astype(object)).get_indexer(
        pd.MultiIndex.from_frame(events[["staff_id", "period"]].astype(object)))
    override_row, override_code = A.override_entries(ratings, scoring.direct_grade_conditions(pol))
    pre = _Precomputed(
        section_ids=list(rubric.section), failed=A._failed_matrix(items, rubric), codes=list(codes.code),
        event_row=row.astype(np.int64), event_code=code_pos.astype(np.int64), event_count=count,
        keys=items[["staff_id", "period"]].reset_index(drop=True),
        month_labels=pd.Index(items["staff_id"].astype(str) + " " + items["period"].astype(str)),
        semester_keys=ratings[["staff_id", "semester"]].reset_index(drop=True),
        semester_labels=pd.Index(ratings["staff_id"].astype(str) + " " + ratings["semester"].astype(str)),
        ratings=A.rating_arrays(ratings), override_row=override_row, override_code=override_code,
    )
    base = Baseline(policy=pol, tables=slim, openings=openings, pre=pre)
    base.result = recompute(base, {})
    base.result = recompute(base, {})  # again, now against itself: empty change tables (stages reused)
    return base


# --------------------------------------------------------------------------------------------
# Policy of a scenario
# --------------------------------------------------------------------------------------------
def check_policy(pol: Policy, reference: Policy | None = None, rubric: bool = True) -> None:
    """Refuse a policy the report notebooks could not use, with the PolicyError they would raise.

    Weights must sum to 1 exactly (P5 §5 composite weights; P4 六.2 review weights), the rubric and
    catalogue must be well formed (:func:`staffcalc.scoring.sections`, :func:`~staffcalc.scoring.catalogue`),
    and the grade cut-offs must keep the order of ``reference`` (default: the policy files), highest
    grade first — so moving 优秀 below 良好 is an error, not a silent renaming of the bands.  ``rubric=False``
    leaves the rubric and catalogue to the stage that reads them (:func:`recompute` does).
    """
    for path, keys in WEIGHT_PATHS.items():
        if path in pol.params:
            exact_weights(pol.get(path), keys, path)
    if rubric:
        scoring.sections(pol)
        scoring.catalogue(pol)
    # the cut-offs must decrease in the reference's grade order (the rule lives in grade_bands)
    scoring.grade_bands(pol, order=None if reference is None else list(reference.get(f"{NS}.grade_bands")))


def scenario_policy(baseline_policy: Policy, overrides: Mapping[str, Any], rubric: bool = True) -> Policy:
    """``baseline_policy.override(overrides)`` checked by :func:`check_policy`; raises PolicyError."""
    ov = {k: v for k, v in dict(overrides).items() if k != "variant"}
    pol = baseline_policy.override(ov) if ov else baseline_policy
    check_policy(pol, baseline_policy, rubric=rubric)
    return pol


# --------------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------------
def _memo(base: Baseline, name: str, key: str, fn):
    """The value of ``fn()`` for ``key``, reused while the parameters behind ``key`` are unchanged.

    Every computation (not a reuse) is counted in ``base.computed[name]``.
    """
    hit = base.cache.get(("step", name))
    if hit is not None and hit[0] == key:
        return hit[1]
    value = fn()
    base.computed[name] += 1
    base.cache[("step", name)] = (key, value)
    return value


def monthly_trace(base: Baseline, pol: Policy) -> tuple[K.MonthlyTrace, K.Bands]:
    """The monthly stage (P5 §3–§4) by the kernels of :mod:`staffcalc.scoring.kernels` on the
    precomputed arrays.  Section scores and event totals are reused while their parameters are
    unchanged, so moving a grade cut-off costs one comparison per teacher-month."""
    pre = base.pre
    rubric_key = _stage_key(pol, (f"{NS}.sections", f"{NS}.section_floor", f"{NS}.clip_score"))
    rubric = _memo(base, "rubric", rubric_key, lambda: K.Rubric.from_policy(pol))
    if list(rubric.section) != pre.section_ids:
        raise PolicyError(f"{NS}.sections changed shape / 考核项目结构已改变")
    sec_key = _stage_key(pol, (f"{NS}.sections", f"{NS}.section_floor"))
    sec = _memo(base, "section_scores", sec_key, lambda: K.section_matrix(pre.failed, rubric, pre.month_labels))
    base_score = _memo(base, "base_scores", sec_key, lambda: K.base_scores(sec))
    events = _memo(base, "event_totals", _stage_key(pol, (f"{NS}.bonus", f"{NS}.deduction")),
                   lambda: K.event_totals(pre.event_row, pre.event_code, pre.event_count,
                                          K.Codes.from_policy(pol, order=pre.codes), len(pre.keys)))
    bands = K.Bands.from_policy(pol, with_allowance=True)
    score = K.monthly_score(base_score, events.bonus, events.deduction, rubric)
    pos = K.grade_positions(score, bands, pre.month_labels)
    return K.MonthlyTrace(sections=sec, base=base_score, events=events, score=score, pos=pos,
                          allowance=K.allowance(pos, events.forfeited, bands)), bands


def _monthly(base: Baseline, pol: Policy) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """Monthly appraisal (P5 §3, §4) as a table; equals scoring.monthly_appraisal."""
    pre = base.pre
    t, bands = monthly_trace(base, pol)
    out = pd.DataFrame({
        "staff_id": pre.keys["staff_id"], "period": pre.keys["period"], "base_score": t.base,
        "bonus": t.bonus, "deduction": t.deduction, "score": t.score, "grade": bands.categorical(t.pos),
        "allowance_forfeited": t.forfeited, "allowance": t.allowance,
    })
    return out, bands.counts(t.pos), t.pos


def semester_trace(base: Baseline, pol: Policy) -> K.SemesterTrace:
    """The semester stage (P5 §5–§7) by the kernels on the precomputed ratings and direct-grade
    codes; the override decisions and the rating checks are reused while their parameters are
    unchanged."""
    pre = base.pre
    over_key = _stage_key(pol, (f"{NS}.direct_grade", f"{NS}.override_precedence"))
    over = _memo(base, "override_decisions", over_key, lambda: K.override_decisions(
        pre.override_row, pre.override_code, scoring.direct_grade_conditions(pol),
        list(pol.get(f"{NS}.override_precedence")), len(pre.semester_keys)))
    scale = pol.get(f"{NS}.rating_scale")
    _memo(base, "check_ratings", over_key + repr(scale),
          lambda: K.check_ratings(pre.ratings, scale, ~over.has, pre.semester_labels))
    weights, denom = exact_weights(pol.get(f"{NS}.composite_weights"), K.WEIGHT_KEYS, f"{NS}.composite_weights")
    return K.semester(pre.ratings, weights, denom, scale, over, K.Bands.from_policy(pol), pre.semester_labels,
                      checked=True)


def _semester(base: Baseline, pol: Policy) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """Semester grades (P5 §5–§7) as a table; equals scoring.semester_grades."""
    pre = base.pre
    t = semester_trace(base, pol)
    out = pd.DataFrame({
        "staff_id": pre.semester_keys["staff_id"], "semester": pre.semester_keys["semester"],
        "composite": t.composite, "score_grade": t.score_grade, "grade": t.bands.categorical(t.pos),
        "grade_basis": t.basis,
    })
    return out, t.bands.counts(t.pos), t.pos


def _recruitment(base: Baseline, pol: Policy, openings) -> pd.DataFrame:
    """Recruitment scores, ranking and appointment line (P4 六) with the public functions."""
    key = _stage_key(pol, RECRUITMENT_ELIGIBILITY)
    hit = base.cache.get("eligibility")
    if hit is None or hit[0] != key:
        # indexed by candidate number, so an input error names candidates, not row positions
        cands = base.tables["recruitment_candidates"]
        cands = cands.set_index(pd.Index(cands["candidate_id"].astype(str), name=None))
        hit = (key, scoring.recruitment_eligibility(cands, policy=pol))
        base.cache["eligibility"] = hit
    return scoring.appoint(scoring.recruitment_scores(hit[1], pol), openings, pol).reset_index(drop=True)


def _quotas(base: Baseline, pol: Policy, adjustment: Mapping[str, float]) -> pd.DataFrame:
    """Caps, occupancy and vacancies per discipline (P6 §9, §11) with quotas.quota_table."""
    return quotas_mod.quota_table(base.tables["disciplines"], base.tables["staff"], pol,
                                  adjustment=dict(adjustment) or None)


def _staged(base: Baseline, name: str, key: str, compute, compare, timings: dict):
    """(value, changes against the baseline) of a stage, reused while ``key`` is unchanged."""
    hit = base.cache.get(name)
    if hit is not None and hit[0] == key:
        value, changes = hit[1], hit[2]
        timings[name] = 0.0
    else:
        t = time.perf_counter()
        value, changes = compute(), None
        base.computed[name] += 1
        timings[name] = (time.perf_counter() - t) * 1000
    if changes is None and base.result is not None:
        t = time.perf_counter()
        changes = compare(value)
        timings[f"{name}_compare"] = (time.perf_counter() - t) * 1000
    base.cache[name] = (key, value, changes)
    return value, changes


# --------------------------------------------------------------------------------------------
# Comparisons with the baseline
# --------------------------------------------------------------------------------------------
def _grade_changes(keys: pd.DataFrame, pos_b: np.ndarray, pos_s: np.ndarray, names: list,
                   value_b: np.ndarray, value_s: np.ndarray, value: str) -> pd.DataFrame:
    """Rows whose grade differs from the baseline (input order), with the score on both sides."""
    idx = np.flatnonzero(pos_b != pos_s)
    out = keys.iloc[idx].reset_index(drop=True)
    lowest_first = np.array(names, dtype=object)
    out[f"{value}_base"] = value_b[idx]
    out[value] = value_s[idx]
    out["grade_base"] = lowest_first[pos_b[idx]]
    out["grade"] = lowest_first[pos_s[idx]]
    return out


def _crossed(b: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """Candidates appointed in one setting and not in the other (P4 六.7 appointment line)."""
    ab, asc = b["appointed"].to_numpy(dtype=bool), s["appointed"].to_numpy(dtype=bool)
    moved = ab != asc
    return pd.DataFrame({
        "candidate_id": s["candidate_id"].to_numpy()[moved],
        "total_base": b["total"].to_numpy()[moved], "total": s["total"].to_numpy()[moved],
        "rank_order_base": b["rank_order"].to_numpy()[moved], "rank_order": s["rank_order"].to_numpy()[moved],
        "appointed_base": ab[moved], "appointed": asc[moved],
    }).sort_values(["appointed", "rank_order"], ascending=[False, True]).reset_index(drop=True)


QUOTA_COMPARED = ("senior_cap", "full_cap", "associate_cap", "vacancy_senior", "vacancy_full", "vacancy_associate",
                  "over_quota")


def _quota_changes(b: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
    """Disciplines whose caps, vacancies or over-quota flag differ from the baseline."""
    ids = s["discipline_id"].to_numpy(dtype=object)
    pos = pd.Index(b["discipline_id"].to_numpy(dtype=object)).get_indexer(ids)  # same order in practice
    base = {c: b[c].to_numpy()[pos] for c in QUOTA_COMPARED}
    new = {c: s[c].to_numpy() for c in QUOTA_COMPARED}
    idx = np.flatnonzero(np.logical_or.reduce([base[c] != new[c] for c in QUOTA_COMPARED]))
    out = s[["discipline_id", "unit_id", "discipline_name", "category", "establishment", "occupied_senior"]].iloc[idx]
    out = out.reset_index(drop=True)
    for c in QUOTA_COMPARED:
        out[f"{c}_base"] = base[c][idx]
        out[c] = new[c][idx]
    return out


# --------------------------------------------------------------------------------------------
# recompute
# --------------------------------------------------------------------------------------------
def recompute(baseline: Baseline, overrides: Mapping[str, Any], *, openings: Any = None,
              adjustment: Mapping[str, float] | None = None) -> Result:
    """The figures for ``baseline.policy.override(overrides)`` and what changed against the baseline.

    ``overrides``: ``{"dotted.path": value}`` as in an override file (e.g.
    ``{"appraisal.grade_bands.优秀": 85, "appraisal.sections.S2b.per_item": 3}``).
    ``openings``: recruitment openings (default: the baseline's); ``adjustment``: the P6 §9 float of
    the senior ratio per category, e.g. ``{"B": 0.05}`` (default none).  Raises PolicyError for an
    override the policy or :func:`check_policy` rejects, and the calculations' own ValueErrors
    (ScoringInputError, QuotaError) where a parameter no longer fits the data (e.g. fewer items in
    a section than a teacher failed).  Stages whose parameters are unchanged since their last
    computation are reused.
    """
    t0 = time.perf_counter()
    pol = scenario_policy(baseline.policy, overrides, rubric=False)
    openings = baseline.openings if openings is None else openings
    adj = {str(k): v for k, v in (adjustment or {}).items() if v != 0}
    timings: dict[str, float] = {}
    b = baseline.result
    lowest_first = list(scoring.grade_bands(pol))[::-1]
    pre = baseline.pre

    def monthly_changes(v):
        return _grade_changes(pre.keys, b.monthly_pos, v[2], lowest_first, b.monthly["score"].to_numpy(),
                              v[0]["score"].to_numpy(), "score")

    def semester_changes(v):
        return _grade_changes(pre.semester_keys, b.semester_pos, v[2], lowest_first,
                              b.semester["composite"].to_numpy(), v[0]["composite"].to_numpy(), "composite")

    monthly_key = _stage_key(pol, (NS,), (*SEMESTER_ONLY, f"{NS}.removal"))
    (monthly, monthly_counts, monthly_pos), m_changes = _staged(
        baseline, "monthly", monthly_key, lambda: _monthly(baseline, pol), monthly_changes, timings)
    (semester, semester_counts, semester_pos), s_changes = _staged(
        baseline, "semester", _stage_key(pol, SEMESTER_PARAMS), lambda: _semester(baseline, pol), semester_changes,
        timings)
    recruitment, crossed = _staged(
        baseline, "recruitment", _stage_key(pol, ("recruitment",)) + repr(openings),
        lambda: _recruitment(baseline, pol, openings), lambda v: _crossed(b.recruitment, v), timings)
    quota, q_changes = _staged(
        baseline, "quotas", _stage_key(pol, ("quotas",)) + repr(sorted(adj.items())),
        lambda: _quotas(baseline, pol, adj), lambda v: _quota_changes(b.quotas, v), timings)
    timings["total"] = (time.perf_counter() - t0) * 1000
    return Result(policy=pol, overrides=dict(overrides), openings=openings, adjustment=adj, monthly=monthly,
                  monthly_counts=monthly_counts, semester=semester, semester_counts=semester_counts,
                  recruitment=recruitment, quotas=quota, grade_names=lowest_first[::-1], monthly_pos=monthly_pos,
                  semester_pos=semester_pos, monthly_changes=m_changes, semester_changes=s_changes, crossed=crossed,
                  quota_changes=q_changes, timings=timings)


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------
def _plain(value):
    """YAML-safe plain Python values (numpy scalars → int/float)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def export_overrides(overrides: Mapping[str, Any], path: str | Path, *, policy: Policy | None = None,
                     as_of: str | dt.date = DEFAULT_AS_OF, parameters: Mapping[str, Any] | None = None) -> Path:
    """Write ``overrides`` as a what-if file for ``staffcalc report --override FILE``; returns the path.

    The overrides are validated first as the report does (``policy.load(as_of).override(...)``) and
    by :func:`check_policy`, so no file is written for a setting the report would reject.
    ``parameters`` (settings that are not policy, such as ``openings`` or the §9 float
    ``adjustment``) go under the file's ``parameters:`` key, which ``staffcalc report --override``
    passes to the notebooks that declare them.  Written atomically.
    """
    base = policy_or_default(policy, as_of)
    values = {str(k): _plain(v) for k, v in overrides.items()}
    scenario_policy(base, values)
    path = Path(path)
    lines = [
        "# staffcalc what-if overrides (假设情景覆盖文件)",
        f"# written {dt.datetime.now().isoformat(timespec='seconds')} by staffcalc whatif; policy as of "
        f"{base.as_of.isoformat()}",
        f"# use: staffcalc report --override {path.name}",
    ]
    document = dict(values)
    if parameters:
        document["parameters"] = {str(k): _plain(v) for k, v in parameters.items()}
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=False) if document else "{}\n"
    write_text(path, "\n".join(lines) + "\n" + body)
    return path


# re-exported for callers that catch errors from recompute
__all__ += ["PolicyError", "ScoringInputError"]
