"""The annual appraisal of a person while studying (P1 §9, §10.11, §15.1; spec §8.6, §8.10).

P1 §9 学习期间的年度考核:

1. 非脱产学习的教职工，学习期间年度考核结果，主要依据本人完成岗位工作情况确定 — partial release:
   graded on the work done at the post (input ``work_appraisal``, a grade);
2. 脱产学习的教职工 … 学习期间不确定年度考核等次，连续计算工龄 — full release: no grade, service
   continuous — unless back on post under §10.11 (…恢复在岗期间的全额工资及绩效工资，正常参加年度考核),
   then appraised normally, on the work done;
3. 学习期间有违法、违纪行为或学习成绩不合格的，年度考核应确定为不合格 — a violation (``violation``) or failed
   courses (``courses_failed``) make it 不合格, whatever else holds.

Further study (P1 §15.1): 以教师进修所在学校出具的评价结果为依据 — the host's evaluation
(``host_evaluation``, a grade) is the main basis.  §9 is chapter 1 (degree study); §9.3 is applied to
degree study only, further study follows §15.1.

**Which input wins.**  The columns above are optional.  Where a row gives the input its clause names
(a ``work_appraisal`` grade, a ``host_evaluation``, or a §9.3 fact), the result derived from it is
used; ``appraisal_passed`` (the older yes/no input) is used only where the row gives none of them.
When both are given and disagree, the derived result wins and the row is flagged
``appraisal_given_differs``.  Grades and whether each passes (§7.3 经…考核等合格者) come from
``study_leave.appraisal.grades``; the §9.3 grade from ``study_leave.appraisal.misconduct_grade``.

:func:`appraisal_arrays` is the kernel :func:`staffcalc.pay.year_amounts` calls (pay depends on it:
§7.3 on-post pay for partial release needs a passed appraisal); :func:`staffcalc.pay.study_leave_year`
shows its columns.  Vectorised: the grade text is looked up once per distinct value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .pay import booleans, check
from .policy import Policy

__all__ = ["BASES", "BASIS_LABELS", "appraisal_arrays"]

# Basis code -> (clause, English, Chinese).
BASES: dict[str, tuple[str, str, str]] = {
    "work_done": ("P1 §9.1", "graded on the work done at the post", "依据本人完成岗位工作情况确定"),
    "not_graded": ("P1 §9.2", "full release: no grade, service continuous",
                   "脱产学习期间不确定年度考核等次，连续计算工龄"),
    "restored": ("P1 §10.11", "back on post long enough: appraised normally on the work done",
                 "返岗达到条件，正常参加年度考核"),
    "misconduct": ("P1 §9.3", "violation of law or discipline, or failed courses, during study: 不合格",
                   "学习期间有违法、违纪行为或学习成绩不合格，年度考核为不合格"),
    "host_evaluation": ("P1 §15.1", "further study: the host institution's evaluation",
                        "以进修所在学校出具的评价结果为依据"),
    "given": ("P1 §7.3", "the appraisal result as given (appraisal_passed)", "按填报的年度考核结果"),
}
# Basis code -> what a reader sees (Chinese, with the clause), e.g. for the leave report's people table.
BASIS_LABELS = {code: f"{zh}（{clause}）" for code, (clause, _en, zh) in BASES.items()}


def _grades(df: pd.DataFrame, column: str, known: dict, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(given, grade text) of an optional grade column; a grade not in ``known`` is an error."""
    n = len(df)
    if column not in df.columns:
        return np.zeros(n, dtype=bool), np.full(n, "", dtype=object)
    s = df[column].astype(object)
    given = s.notna().to_numpy() & (s.astype(str).str.strip() != "").to_numpy()
    text = np.where(given, s.astype(str).str.strip().to_numpy(dtype=object), "")
    check(given & ~pd.Series(text).isin(list(known)).to_numpy() & rows, df, column, "unknown_grade",
          f"must be one of {list(known)}", f"考核等次须为 {'、'.join(known)} 之一", text)
    return given & rows, np.where(rows, text, "")


def _optional_flag(df: pd.DataFrame, column: str) -> np.ndarray:
    return booleans(df, column, missing=False) if column in df.columns else np.zeros(len(df), dtype=bool)


def appraisal_arrays(df: pd.DataFrame, mode: np.ndarray, restored: np.ndarray, policy: Policy) -> dict:
    """The appraisal while studying, per row (see the module docstring).

    ``mode`` the study mode array, ``restored`` the §10.11 condition (from the pay kernel).  Returns
    ``appraisal_grade`` (grade text, '' when not graded or only a yes/no is known),
    ``appraisal_basis`` (a code of :data:`BASES`), ``appraisal_result_passed`` (float: 1 passed,
    0 failed, NaN no grade or not known), and the masks
    ``misconduct`` and ``given_differs`` (for the flags).  Reads ``appraisal_passed`` where no
    derived result exists (it must be given there for partial release, whose pay depends on it).
    """
    grades = dict(policy.get("study_leave.appraisal.grades"))
    fail_grade = policy.get("study_leave.appraisal.misconduct_grade")
    full_rel, partial, further = mode == "full_release", mode == "partial", mode == "further_study"
    degree = full_rel | partial
    misconduct = degree & (_optional_flag(df, "violation") | _optional_flag(df, "courses_failed"))
    on_work = (partial | (full_rel & restored)) & ~misconduct
    work_given, work = _grades(df, "work_appraisal", grades, on_work)
    host_given, host = _grades(df, "host_evaluation", grades, further)
    not_graded = full_rel & ~restored & ~misconduct
    derived = misconduct | work_given | host_given
    uses_given = ~derived & ~not_graded
    given = booleans(df, "appraisal_passed", missing=False, required=partial & uses_given)
    given_known = df["appraisal_passed"].notna().to_numpy()

    grade = np.select([misconduct, work_given, host_given], [fail_grade, work, host], default="").astype(object)
    passes = pd.Series(grade).map(grades).to_numpy(dtype=object)
    result = np.where(derived, passes, np.where(uses_given & given_known, given, None))
    result = pd.array(result, dtype="boolean").to_numpy(dtype="float64", na_value=np.nan)
    basis = np.select(
        [misconduct, not_graded, work_given & full_rel, work_given, host_given],
        ["misconduct", "not_graded", "restored", "work_done", "host_evaluation"], default="given").astype(object)
    return {
        "appraisal_grade": grade,
        "appraisal_basis": basis,
        "appraisal_result_passed": result,
        "misconduct": misconduct,
        "given_differs": derived & given_known & (result != given.astype("float64")),
    }
