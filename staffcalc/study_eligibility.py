"""Who may apply to study for a degree (P1 §1, §3; spec §8.1).

:func:`application_eligibility` checks, per application row, and names every failed condition:

=====================  ==========  ==========================================================
rule id                clause      condition
=====================  ==========  ==========================================================
establishment          P1 §1       on the establishment (在编)
on_post                P1 §1       on post (在岗)
years_at_college       P1 §3.3     来校工作满2年: at least ``study_leave.eligibility.min_years_at_college``
                                   full years from ``hire_date`` to ``application_date``
appraisal              P1 §3.3     年度考核均为合格以上: every appraisal_1..3 in ``passing_appraisals``
                                   (优秀, 合格); 基本合格 and 不合格 fail
appraisal_missing      P1 §3.3     a year worked in full at the college without a result (see below)
training_plan          P1 §3.5     列入报考当年师资培养计划
=====================  ==========  ==========================================================

Full years are counted like anniversaries (Civil Code art. 201): hired 2024-09-01, the 2 years are
full on 2026-09-01 (passes) and not on 2026-08-31 (fails); someone hired on 29 February completes a
year on 28 February of a common year (没有对应日的，月末日为期间的最后一日).

Missing appraisals: ``appraisal_k`` is the result for calendar year (application year − k).  Under
the default interpretation ``study_leave.eligibility.missing_appraisal`` =
``excused_if_not_employed_whole_year``, an empty result is excused when the person was hired after
1 January of that year (so newer staff with fewer than three years are not failed for years they
were not here); an empty result for a year worked in full fails as ``appraisal_missing``.
Alternatives: ``always_excused``, ``failing``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .checks import policy_or_default
from .dates import full_years
from .pay import booleans, check, dates, flags_column, require_columns
from .policy import Policy, PolicyError
from .schemas.institution import APPRAISAL_RESULTS

__all__ = ["RULES", "application_eligibility"]

# Rule id -> (clause, English, Chinese)
RULES: dict[str, tuple[str, str, str]] = {
    "establishment": ("P1 §1", "not on the establishment", "非在编人员"),
    "on_post": ("P1 §1", "not on post", "不在岗"),
    "years_at_college": ("P1 §3.3", "fewer than the required full years at the college", "来校工作未满规定年限"),
    "appraisal": ("P1 §3.3", "an annual appraisal below 合格", "年度考核有合格以下等次"),
    "appraisal_missing": ("P1 §3.3", "no appraisal result for a year worked in full", "在校全年度缺少考核结果"),
    "training_plan": ("P1 §3.5", "not in that year's staff-training plan", "未列入报考当年师资培养计划"),
}

_APPRAISALS = ("appraisal_1", "appraisal_2", "appraisal_3")
_REQUIRED = ("application_date", "hire_date", "on_establishment", "on_post", "in_training_plan", *_APPRAISALS)


def application_eligibility(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Eligibility to apply for degree study, one row per application (P1 §1, §3; spec §8.1).

    ``df`` holds the application (``application_date, on_post, in_training_plan``) joined with the
    staff roster (``hire_date, on_establishment, appraisal_1, appraisal_2, appraisal_3``).  Returns a
    copy with ``full_years_at_college`` (int), ``study_eligible`` (bool) and ``study_failed_rules``
    (``;``-joined rule ids from :data:`RULES`, '' when eligible).  ``policy`` defaults to the one in
    force on the latest application date.
    """
    require_columns(df, _REQUIRED, "application_eligibility")
    app = pd.Series(dates(df, "application_date"), index=df.index)
    hire = pd.Series(dates(df, "hire_date"), index=df.index)
    policy = policy_or_default(policy, app.max().date() if len(df) else None)
    check((hire > app).to_numpy(), df, "hire_date", "hired_after_application",
          "hire_date is after application_date", "入校日期晚于申请日期")

    passing = list(policy.get("study_leave.eligibility.passing_appraisals"))
    missing_rule = policy.get("study_leave.eligibility.missing_appraisal")
    years = full_years(hire.to_numpy(), app.to_numpy())
    app_year = app.dt.year.to_numpy()

    failed_grade = np.zeros(len(df), dtype=bool)
    failed_missing = np.zeros(len(df), dtype=bool)
    for k, col in enumerate(_APPRAISALS, start=1):
        result = df[col].astype("object")
        missing = result.isna().to_numpy() | result.eq("").to_numpy(dtype=bool, na_value=False)
        failed_grade |= ~missing & ~result.isin(passing).to_numpy()
        check(~missing & ~result.isin(APPRAISAL_RESULTS).to_numpy(), df, col, "unknown_appraisal",
              f"appraisal result must be one of {list(APPRAISAL_RESULTS)}", "考核结果须为优秀、合格、基本合格或不合格",
              result.to_numpy())
        year_start = (app_year - k - 1970).astype("datetime64[Y]").astype("datetime64[ns]")  # 1 January
        whole_year = hire.to_numpy() <= year_start
        if missing_rule == "failing":
            failed_missing |= missing
        elif missing_rule == "excused_if_not_employed_whole_year":
            failed_missing |= missing & whole_year
        elif missing_rule != "always_excused":
            raise PolicyError(f"study_leave.eligibility.missing_appraisal {missing_rule!r} is unknown / 未知的缺考核处理方式")

    failed = {
        "establishment": ~booleans(df, "on_establishment"),
        "on_post": ~booleans(df, "on_post"),
        "years_at_college": years < policy.get("study_leave.eligibility.min_years_at_college"),
        "appraisal": failed_grade,
        "appraisal_missing": failed_missing,
        "training_plan": ~booleans(df, "in_training_plan"),
    }
    out = df.copy()
    out["full_years_at_college"] = years
    out["study_eligible"] = ~np.logical_or.reduce(list(failed.values()))
    out["study_failed_rules"] = pd.Series(flags_column(failed, len(df)), index=df.index, dtype="str")
    return out
