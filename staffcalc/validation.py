"""The whole check of a data folder: every rule the calculations rely on, before any calculation runs.

:func:`validate` reads the tables with :func:`staffcalc.io.read_folder` (types, ranges, allowed
values, keys and cross-field rules of each file) and then applies the rules that need more than
one file or the policy in force:

* **policy rules** (:data:`POLICY_MAXIMA`, :func:`_policy_rules`; a policy whose grade bands lie above
  the rating scale raises :class:`~staffcalc.policy.PolicyError`): scores on the scale the policy
  sets (self/student/college ratings 0…``appraisal.rating_scale``; panel/teachers/parents ratings
  0…``recruitment.review.rating_scale``; exam 0…``recruitment.exam.full_marks``; talk and defence
  0…``recruitment.onsite.talk_max`` / ``defence_max``; self-report ≤ ``recruitment.self_report.max``),
  failed items no more than a rubric section has (``appraisal.sections``), bonus/deduction codes in
  the catalogue (``appraisal.bonus`` / ``appraisal.deduction``), direct-grade codes in
  ``appraisal.direct_grade``, veto reasons in ``recruitment.veto_reasons``, self-report scores within
  their tier or, without one, within some tier (``recruitment.self_report.tiers``);
* **links between tables** (:data:`LINKS`): every staff number, discipline, unit, application and
  teacher-month a row refers to exists in the table it refers to;
* **plausibility of dates** relative to the as-of date (:data:`OLDEST_YEARS`,
  :data:`FUTURE_YEARS`, :data:`MIN_AGE`, :data:`RECORDED_DATES`): a birth in 1850 or a hire date
  in 2099 is a typing error, not data.

A rule about a table that did not read cleanly, or that needs a table not in the selection, is
skipped (the file's own problems are reported instead).  Every problem has the columns of
:data:`staffcalc.io.PROBLEM_COLUMNS` (file, Excel row, column, value, rule, English and Chinese);
:func:`write_problems` writes them as a workbook an office can fix from.  ``staffcalc validate``
and ``staffcalc report`` (before any notebook starts) both call :func:`validate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import schemas
from .io import PROBLEM_COLUMNS, InputError, read_folder
from .policy import Policy, PolicyError

__all__ = ["Validation", "validate", "write_problems", "LINKS", "POLICY_MAXIMA", "OLDEST_YEARS", "FUTURE_YEARS",
           "MIN_AGE", "RECORDED_DATES"]

# Plausibility of dates, relative to the as-of date (not policy: what any real record satisfies).
OLDEST_YEARS = 100   # no date in the data lies more than this many years before the as-of date
FUTURE_YEARS = 10    # nor more than this many years after it (planned study ends lie a few years ahead)
MIN_AGE = 16         # nobody on a roster or candidate list is younger (the legal working age in China)
RECORD_LEAD_YEARS = 1  # a date of something that has happened (hire, appointment, letter) is at most this far ahead
BIRTH_DATES = {("staff", "birth_date"), ("recruitment_candidates", "birth_date")}
RECORDED_DATES = {  # dates of things already done by the time the data are collected
    ("staff", "hire_date"), ("staff", "post_since"), ("staff", "rank_since"),
    ("class_teachers", "appointed_on"), ("applicants", "application_date"),
    ("recommendations", "recommendation_date"), ("study_applications", "application_date"),
    ("duty_exemptions", "request_date"),
}

# (table, column, policy path of the column's maximum); every such score is also ≥ 0.
POLICY_MAXIMA = (
    ("semester_ratings", "self_score", "appraisal.rating_scale"),
    ("semester_ratings", "student_score", "appraisal.rating_scale"),
    ("semester_ratings", "college_score", "appraisal.rating_scale"),
    ("recruitment_candidates", "self_report", "recruitment.self_report.max"),
    ("recruitment_candidates", "panel", "recruitment.review.rating_scale"),
    ("recruitment_candidates", "teachers", "recruitment.review.rating_scale"),
    ("recruitment_candidates", "parents", "recruitment.review.rating_scale"),
    ("recruitment_candidates", "exam", "recruitment.exam.full_marks"),
    ("recruitment_candidates", "talk", "recruitment.onsite.talk_max"),
    ("recruitment_candidates", "defence", "recruitment.onsite.defence_max"),
)


@dataclass(frozen=True)
class Link:
    """Rows of ``table`` whose ``columns`` must appear (together) in ``target``'s ``target_columns``."""

    table: str
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    en: str
    zh: str


LINKS = (
    Link("staff", ("discipline_id",), "disciplines", ("discipline_id",),
         "discipline not in the disciplines table", "学科代码不在学科编制表中"),
    Link("staff", ("discipline_id", "unit_id"), "disciplines", ("discipline_id", "unit_id"),
         "the discipline belongs to another unit in the disciplines table", "该学科在学科编制表中属于其他单位"),
    Link("class_teachers", ("staff_id",), "staff", ("staff_id",),
         "class teacher not on the staff roster", "班主任不在教职工花名册中"),
    Link("class_teachers", ("unit_id",), "disciplines", ("unit_id",),
         "unit not in the disciplines table", "单位代码不在学科编制表中"),
    Link("appraisal_items", ("staff_id",), "class_teachers", ("staff_id",),
         "not on the class-teacher roster", "不在班主任名册中"),
    Link("appraisal_events", ("staff_id",), "class_teachers", ("staff_id",),
         "not on the class-teacher roster", "不在班主任名册中"),
    Link("appraisal_events", ("staff_id", "period"), "appraisal_items", ("staff_id", "period"),
         "no appraisal-items row for this teacher and month", "该教师该月没有月考核项目记录"),
    Link("semester_ratings", ("staff_id",), "class_teachers", ("staff_id",),
         "not on the class-teacher roster", "不在班主任名册中"),
    Link("duty_history", ("staff_id",), "staff", ("staff_id",), "not on the staff roster", "不在教职工花名册中"),
    Link("duty_exemptions", ("staff_id",), "staff", ("staff_id",), "not on the staff roster", "不在教职工花名册中"),
    Link("applicants", ("staff_id",), "staff", ("staff_id",), "applicant not on the staff roster",
         "申报人不在教职工花名册中"),
    Link("recommendations", ("application_id",), "applicants", ("application_id",),
         "no such application in the applicants table", "申报编号不在岗位申报人员表中"),
    Link("relatives", ("staff_id",), "staff", ("staff_id",), "not on the staff roster", "不在教职工花名册中"),
    Link("relatives", ("relative_id",), "staff", ("staff_id",), "relative not on the staff roster",
         "近亲属不在教职工花名册中"),
    Link("committee_members", ("unit_id",), "disciplines", ("unit_id",), "unit not in the disciplines table",
         "单位代码不在学科编制表中"),
    Link("study_leave", ("staff_id",), "staff", ("staff_id",), "not on the staff roster", "不在教职工花名册中"),
    Link("study_applications", ("staff_id",), "staff", ("staff_id",), "not on the staff roster",
         "不在教职工花名册中"),
)


@dataclass
class Validation:
    """The result of :func:`validate`: the tables read, their files, and every problem found."""

    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    problems: pd.DataFrame
    as_of: dt.date

    @property
    def ok(self) -> bool:
        return len(self.problems) == 0

    def raise_if_invalid(self) -> None:
        if not self.ok:
            raise InputError(self.problems)


def validate(data_dir: str | Path, kinds: Iterable[str] | None = None, *, optional: Iterable[str] = (),
             policy: Policy | None = None, as_of=None) -> Validation:
    """Check ``kinds`` (default: every table) and the ``optional`` kinds whose files exist in ``data_dir``.

    ``policy`` (default: the one in force on ``as_of``, default today) sets the score ranges and
    code lists; ``as_of`` (default: the policy's) anchors the plausibility of dates.
    """
    from .policy import load

    if policy is None:
        policy = load(as_of)
    on = pd.Timestamp(as_of if as_of is not None else policy.as_of).normalize()
    folder = read_folder(data_dir, kinds, optional)
    found = _Found(folder.files, folder.excel_rows)
    for kind, df in folder.tables.items():
        _plausible_dates(found, kind, df, on)
    _policy_rules(found, folder.tables, policy)
    for link in LINKS:
        if link.table in folder.tables and link.target in folder.tables:
            _link(found, link, folder.tables[link.table], folder.tables[link.target])
    problems = pd.concat([folder.problems, found.frame()], ignore_index=True) if found.parts else folder.problems
    return Validation(folder.tables, folder.files, problems.reset_index(drop=True), on.date())


class _Found:
    """Problems of tables that read cleanly (so their Excel rows are known)."""

    def __init__(self, files: dict[str, str], rows: dict[str, np.ndarray]):
        self.files, self.rows, self.parts = files, rows, []
        self.unlinked: dict[str, np.ndarray] = {}  # rows of a table already reported for a missing reference

    def add(self, kind: str, mask, column: str, rule: str, en: str, zh: str, values) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        table = schemas.get(kind)
        columns = column.split(",")
        values = np.asarray(values, dtype=object)[mask]
        self.parts.append(pd.DataFrame({
            "file": self.files[kind], "row": pd.array(self.rows[kind][mask], dtype="Int64"), "column": column,
            "column_zh": ",".join(table.column(c).zh for c in columns),
            "value": ["" if _missing(v) else str(v) for v in values],
            "rule": rule, "message_en": en, "message_zh": zh,
        }, columns=PROBLEM_COLUMNS))

    def frame(self) -> pd.DataFrame:
        out = pd.concat(self.parts, ignore_index=True)
        return out.sort_values(["file", "row"], kind="stable").reset_index(drop=True)


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------
def _plausible_dates(found: _Found, kind: str, df: pd.DataFrame, on: pd.Timestamp) -> None:
    earliest, latest = on - pd.DateOffset(years=OLDEST_YEARS), on + pd.DateOffset(years=FUTURE_YEARS)
    for col in schemas.get(kind).columns:
        if col.dtype != "date":
            continue
        d = df[col.name]
        shown = d.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        if (kind, col.name) in BIRTH_DATES:
            found.add(kind, (d < earliest).to_numpy(), col.name, "implausible_date",
                      f"birth date more than {OLDEST_YEARS} years before {on.date()}: a typing error?",
                      f"出生日期早于 {on.date()} 之前 {OLDEST_YEARS} 年，疑为录入错误", shown)
            found.add(kind, (d > on - pd.DateOffset(years=MIN_AGE)).to_numpy(), col.name, "implausible_date",
                      f"younger than {MIN_AGE} on {on.date()}: a typing error?",
                      f"截至 {on.date()} 不满 {MIN_AGE} 周岁，疑为录入错误", shown)
            continue
        late = latest
        if (kind, col.name) in RECORDED_DATES:
            late = on + pd.DateOffset(years=RECORD_LEAD_YEARS)
        found.add(kind, ((d < earliest) | (d > late)).to_numpy(), col.name, "implausible_date",
                  f"outside {earliest.date()} … {late.date()} (as of {on.date()}): a typing error?",
                  f"不在 {earliest.date()} 至 {late.date()} 之间（统计日 {on.date()}），疑为录入错误", shown)


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------
def _has(policy: Policy, path: str) -> bool:
    """Whether the policy in use defines ``path`` (a test or partial policy may not)."""
    try:
        policy.param(path)
    except (KeyError, ValueError):
        return False
    return True


def _where(policy: Policy, path: str) -> str:
    p = policy.param(path)
    return f"{path}, {p.document} {p.clause}".strip(", ")


def _policy_rules(found: _Found, tables: dict[str, pd.DataFrame], policy: Policy) -> None:
    for kind, column, path in POLICY_MAXIMA:
        if kind not in tables or column not in tables[kind] or not _has(policy, path):
            continue
        x = tables[kind][column].to_numpy(dtype="float64", na_value=np.nan)
        top = policy.get(path)
        found.add(kind, (x < 0) | (x > top), column, "policy_range",
                  f"outside 0 … {top:g} set by the policy ({_where(policy, path)})",
                  f"超出政策规定的 0 至 {top:g} 分（{_where(policy, path)}）", x)
    from .scoring import appraisal  # the calculations' own readers of the rubric and code lists

    if _has(policy, "appraisal.rating_scale") and _has(policy, "appraisal.grade_bands"):
        scale = policy.get("appraisal.rating_scale")  # the bands grade monthly scores and semester composites
        high = {g: b for g, b in appraisal.grade_bands(policy).items() if np.isfinite(b) and b > scale}
        if high:
            raise PolicyError(f"appraisal.grade_bands: cut-off(s) {high} above the rating scale {scale:g} "
                              f"(appraisal.rating_scale): no composite can reach them / 等次分数线高于满分 {scale:g}")
    if "appraisal_items" in tables:
        items = tables["appraisal_items"]
        for s in appraisal.sections(policy).itertuples(index=False):
            if s.column in items:
                x = items[s.column].to_numpy()
                found.add("appraisal_items", x > s.section_items, s.column, "more_failed_than_items",
                          f"more failed items than section {s.section} has ({s.section_items}, P5 {s.clause})",
                          f"不合格项数超过该部分项数（{s.section} 共 {s.section_items} 项）", x)
    if "appraisal_events" in tables:
        codes = tables["appraisal_events"]["code"]
        known = appraisal.catalogue(policy)["code"]
        found.add("appraisal_events", ~codes.isin(known).to_numpy(), "code", "unknown_code",
                  f"not a bonus or deduction code of the policy (appraisal.bonus / appraisal.deduction), e.g. "
                  f"{', '.join(known[:3])}", f"不是政策规定的加减分代码（如 {'、'.join(known[:3])}）", codes)
    if "semester_ratings" in tables and "override_codes" in tables["semester_ratings"]:
        cell = tables["semester_ratings"]["override_codes"]
        codes = appraisal._split_codes(cell)
        known = appraisal.direct_grade_conditions(policy)["code"]
        bad_rows = np.unique(codes.index[~codes.isin(known).to_numpy()])
        found.add("semester_ratings", np.isin(np.arange(len(cell)), bad_rows), "override_codes",
                  "unknown_override_code", f"a direct-grade code not in the policy (appraisal.direct_grade), e.g. "
                  f"{', '.join(known[:3])}", f"含政策未规定的直接定等代码（如 {'、'.join(known[:3])}）", cell)
    if "recruitment_candidates" in tables and _has(policy, "recruitment.self_report.tiers"):
        from .scoring import recruitment  # the tier test recruitment_scores raises on (P4 六.1)

        cands = tables["recruitment_candidates"]
        veto = cands["veto"].fillna(False).to_numpy(dtype=bool) if "veto" in cands else None
        for mask, column, rule, en, zh in recruitment.self_report_tier_problems(cands, policy, skip=veto):
            found.add("recruitment_candidates", mask, column, rule, en, zh, cands[column])
    if "recruitment_candidates" in tables and "veto_reason" in tables["recruitment_candidates"]:
        reason = tables["recruitment_candidates"]["veto_reason"]
        known = list(policy.get("recruitment.veto_reasons"))
        found.add("recruitment_candidates", (reason.notna() & ~reason.isin(known)).to_numpy(), "veto_reason",
                  "unknown_veto_reason", f"not a veto reason of the policy: {', '.join(known)}",
                  f"不是政策规定的否决原因：{'、'.join(known)}", reason)


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------
def _link(found: _Found, link: Link, df: pd.DataFrame, target: pd.DataFrame) -> None:
    cols, tcols = list(link.columns), list(link.target_columns)
    given = df[cols].notna().all(axis=1).to_numpy()
    key = pd.MultiIndex.from_frame(df[cols].astype(object)) if len(cols) > 1 else pd.Index(df[cols[0]].astype(object))
    known = (pd.MultiIndex.from_frame(target[tcols].astype(object)) if len(tcols) > 1
             else pd.Index(target[tcols[0]].astype(object)))
    bad = given & ~key.isin(known)
    earlier = found.unlinked.get(link.table, np.zeros(len(df), bool))
    found.unlinked[link.table] = earlier | bad
    bad &= ~earlier  # one message per row: the pair (staff_id, period) is not checked for an unknown staff_id
    if len(cols) == 1:
        values = df[cols[0]].to_numpy(dtype=object)
    else:
        values = np.array(["; ".join(f"{c}={v}" for c, v in zip(cols, row)) for row in df[cols].to_numpy()[bad]],
                          dtype=object)
        full = np.full(len(df), "", dtype=object)
        full[bad] = values
        values = full
    target_file = Path(found.files[link.target]).name
    found.add(link.table, bad, ",".join(cols), f"link_{link.target}",
              f"{link.en} ({target_file})", f"{link.zh}（{target_file}）", values)


# --------------------------------------------------------------------------------------------
# The problem list as a workbook
# --------------------------------------------------------------------------------------------
PROBLEM_HEADERS = {
    "file": "文件 file", "row": "行号 row", "column": "列 column", "column_zh": "列名 column (中文)",
    "value": "值 value", "rule": "规则 rule", "message_zh": "问题说明", "message_en": "problem",
}


def write_problems(problems: pd.DataFrame, path: str | Path) -> Path:
    """Write every problem to one Excel sheet (file, Excel row, column, value, rule, Chinese and English)."""
    from .export import write_excel

    view = problems[list(PROBLEM_HEADERS)].rename(columns=PROBLEM_HEADERS)
    view[PROBLEM_HEADERS["file"]] = view[PROBLEM_HEADERS["file"]].map(lambda f: Path(str(f)).name)
    return write_excel({"问题清单 problems": view}, path, chinese_headers=False)


def summary(problems: pd.DataFrame, limit: int = 20) -> list[str]:
    """Terminal lines: problems per file and rule, then the first ``limit`` problems."""
    lines = []
    for (file, rule), n in problems.groupby(["file", "rule"], sort=False).size().items():
        lines.append(f"  ✗ {Path(str(file)).name}: {n} × {rule}")
    lines.append("")
    lines += str(InputError(problems.head(limit))).splitlines()[1:]
    if len(problems) > limit:
        lines.append(f"  … {len(problems) - limit} more / 另有 {len(problems) - limit} 处问题")
    return lines
