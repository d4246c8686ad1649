"""Pay during degree study and further study, refunds and breach liability (spec §8; P1).

Public API (spec §9):

* :func:`study_leave_year` — pay for one study year: ``paid``, ``withheld`` (yuan for the year) and
  ``flags`` (``;``-joined codes, see :data:`FLAGS`).
* :func:`breach_liability` — what a person owes when the service period (P1 §11) is not completed.
* :func:`refund_due` — the pay refunded when study is interrupted for a listed cause (P1 §10.8).
* :func:`further_study_reimbursement` — further-study costs reimbursed (P1 §16).

The rules, per study year (every number and list comes from ``study_leave.*`` in the P1 policy file):

* Full release (全脱产, P1 §7.2): the ``withheld_components`` (奖励性绩效, 基础绩效奖, 校内绩效工资, 学院
  福利待遇) are not paid; basic salary and allowances continue.  Restoration (P1 §10.11): back on post
  at least 6 months in the year (含6个月: 6 counts) **and** at least 50% (≥50%) of the workload → the
  withheld components are paid for the months on post.  Either threshold missed → nothing restored.
* Partial release (非脱产, P1 §6.2, §7.3): workload ≥ 70% and appraisal passed → paid as on post.
  Otherwise the text is silent: ``study_leave.pay.partial_below_requirement`` (interpretation) —
  default withhold the full-release components for the year; alternative paid as on post.  Flagged
  either way.
* No agreement (P1 §10.5, degree study only): flagged; ``study_leave.pay.no_agreement``
  (interpretation) — default ``not_granted``: full release is paid nothing for the year (the retained
  basic salary and allowances are a benefit of P1, and so is restoration), partial release has the
  full-release components withheld (its basic salary and allowances are pay for the work it keeps
  doing); alternative ``granted`` pays as with an agreement.
* Further study (进修, P1 §15.3): 工资和福利待遇不变 — pay unchanged; the agreement does not apply.
* Appraisal while studying (P1 §9, §15.1): derived by :mod:`staffcalc.study_appraisal`; the
  partial-release rule above reads it (a §9.3 violation or failed courses make it 不合格).

Every rule only moves money between ``paid`` and ``withheld``, so ``paid + withheld`` equals the
full pay (12 × the monthly components) for every row.  Withheld money goes to the external-teacher
fund (P1 §7.2: 所扣款项全部用于外聘教师劳务费发放).

Shares are compared with their threshold in units of 1e-9 (:func:`share_at_least`), so that a share
computed as 224/320 and one typed as 0.70 fall on the same side of 70% while 0.69 never reaches it.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from . import checks as _checks
from .checks import RuleInputError, policy_or_default
from .policy import Policy, PolicyError
from .schemas.study_leave import MODES

APPRAISAL_COLUMNS = ("appraisal_grade", "appraisal_basis", "appraisal_result_passed")

__all__ = ["FLAGS", "StudyLeaveInputError", "study_leave_year", "further_study_reimbursement", "breach_liability",
           "refund_due", "share_at_least"]

# Flag code -> (clause, English, Chinese, interpretation parameter or "").
FLAGS: dict[str, tuple[str, str, str, str]] = {
    "no_agreement": ("P1 §10.5", "no training agreement signed before study", "就读前未签订培养协议",
                     "study_leave.pay.no_agreement"),
    "partial_below_workload": ("P1 §6.2, §7.3", "partial release below the required workload share",
                               "非脱产学习完成工作量低于规定比例", "study_leave.pay.partial_below_requirement"),
    "partial_appraisal_failed": ("P1 §7.3", "partial release failed the annual appraisal",
                                 "非脱产学习年度考核不合格", "study_leave.pay.partial_below_requirement"),
    "restored": ("P1 §10.11", "full release back on post long enough: full pay for the months on post",
                 "全脱产返岗达到条件，恢复在岗期间全额工资及绩效工资", ""),
    "restoration_not_met": ("P1 §10.11", "full release back on post, but below a restoration threshold",
                            "全脱产返岗未达到恢复工资条件", ""),
    "further_study_short": ("P1 §12", "further study shorter than the minimum the measures cover",
                            "进修时间不足本办法规定的最短时间，不属本办法进修范围", ""),
    "appraisal_misconduct": ("P1 §9.3", "violation of law or discipline, or failed courses, during study: "
                             "the annual appraisal is 不合格", "学习期间有违法、违纪行为或学习成绩不合格，年度考核为不合格", ""),
    "appraisal_given_differs": ("P1 §9, §15.1", "appraisal_passed as given differs from the appraisal the clause "
                                "derives (work done, host's evaluation, §9.3); the derived one is used",
                                "填报的年度考核结果与按第九条、第十五条确定的结果不一致，按后者", ""),
    "further_study_not_reimbursed": ("P1 §16.2", "further study ended without special reason: costs not reimbursed",
                                     "无特殊原因擅自终止进修学习，不予报销进修费用", ""),
    "further_study_self_funded": ("P1 §14.1, §16.1", "self-funded further study: costs not reimbursed by the college",
                                  "自费进修，学院不报销进修费用", ""),
}

_SHARE_SCALE = 10**9  # resolution of share comparisons (a precision, not a policy number)


# --------------------------------------------------------------------------------------------
# Input checks shared by the study-leave modules (staffcalc.checks, raising StudyLeaveInputError)
# --------------------------------------------------------------------------------------------
class StudyLeaveInputError(RuleInputError):
    """Bad input to a study-leave calculation (pay, leave cost, who may study; P1).

    The message names the row(s), the column and the rule in English and Chinese; ``rows``,
    ``column`` and ``rule`` as in :class:`staffcalc.checks.RuleInputError`.
    """


check, require_columns, numeric, booleans, dates = _checks.raising(
    StudyLeaveInputError, _checks.check, _checks.require_columns, _checks.numeric, _checks.booleans, _checks.dates)


def flags_column(conditions: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """``;``-joined codes of the true conditions per row, in the order given ('' when none).

    Each row's set of conditions is packed into a bit pattern; the text is built once per distinct
    pattern (at most 2**len(conditions)) and looked up for all rows.
    """
    codes = list(conditions)
    bits = np.zeros(n, dtype=np.int64)
    for i, code in enumerate(codes):
        bits |= np.asarray(conditions[code], dtype=bool).astype(np.int64) << i
    patterns, inverse = np.unique(bits, return_inverse=True)
    text = np.array([";".join(c for i, c in enumerate(codes) if p >> i & 1) for p in patterns.tolist()],
                    dtype=object)
    return text[inverse.reshape(-1)]


def share_at_least(share, threshold) -> np.ndarray:
    """``share >= threshold`` for shares in [0, 1], compared in units of 1e-9 (see module docstring)."""
    return np.rint(np.asarray(share, dtype="float64") * _SHARE_SCALE) >= round(float(threshold) * _SHARE_SCALE)


# --------------------------------------------------------------------------------------------
# Pay for a study year
# --------------------------------------------------------------------------------------------
def year_amounts(df: pd.DataFrame, policy: Policy) -> dict[str, np.ndarray]:
    """The arrays behind :func:`study_leave_year`: ``full_pay, paid, withheld, refund_base, flags``
    (yuan for one study year; ``refund_base`` is the paid part of the refund components, P1 §10.8)
    and ``conditions`` (flag code -> bool array, the flags before joining); for the explanation
    sheet also ``components`` (names), ``months_paid`` and ``paid_by_component`` (rows × components)
    and the two restoration tests ``restoration_months_ok`` / ``restoration_share_ok``.

    Each pay component is paid for a number of months in the year: the continuing components
    (basic salary, allowances) for ``cont`` months, the withheld components for ``perf`` months.
    """
    from .study_appraisal import appraisal_arrays  # it uses this module's input checks

    components = list(policy.get("study_leave.pay.components"))
    withheld_set = list(policy.get("study_leave.pay.withheld_components"))
    unknown = [c for c in withheld_set if c not in components]
    if unknown:
        raise PolicyError(f"study_leave.pay.withheld_components names {unknown}, not pay components "
                         f"{components} / 扣发项目不在工资项目中")
    require_columns(df, ["mode", "months_on_post", "workload_share", "appraisal_passed",
                         "agreement_signed", *components], "study_leave_year")
    n = len(df)
    mode = df["mode"].astype("object").to_numpy()
    check(~np.isin(mode, MODES), df, "mode", "unknown_mode", f"must be one of {list(MODES)}",
          "学习方式须为 full_release（全脱产）、partial（非脱产）或 further_study（进修）", mode)
    full_rel, partial = mode == "full_release", mode == "partial"
    degree = full_rel | partial

    months_on_post = numeric(df, "months_on_post", missing=np.nan, required=full_rel)
    check(~np.isnan(months_on_post) & ((months_on_post < 0) | (months_on_post > 12)
                                       | (months_on_post != np.floor(months_on_post))), df.index,
          "months_on_post", "months_range", "must be a whole number of months from 0 to 12", "须为0至12的整月数",
          months_on_post)
    share = numeric(df, "workload_share", missing=np.nan, required=degree)
    check((share < 0) | (share > 1), df, "workload_share", "share_range",
          "must be a share from 0 to 1 of the prescribed workload", "须为0至1之间的工作量比例", share)
    agreement = booleans(df, "agreement_signed", missing=False, required=degree)
    monthly = np.column_stack([numeric(df, c) for c in components]) if n else np.zeros((0, len(components)))
    for j, c in enumerate(components):
        check(monthly[:, j] < 0, df, c, "negative_pay", "pay cannot be negative", "工资项目不能为负数", monthly[:, j])
    is_withheld = np.isin(components, withheld_set)

    min_months = policy.get("study_leave.restoration.min_months_on_post")
    months_ok = months_on_post >= min_months
    share_ok = share_at_least(share, policy.get("study_leave.restoration.min_workload_share"))
    restored = full_rel & months_ok & share_ok
    below_workload = partial & ~share_at_least(share, policy.get("study_leave.partial_min_workload"))
    appraisal = appraisal_arrays(df, mode, restored, policy)  # P1 §9, §10.11, §15.1
    failed = partial & (appraisal["appraisal_result_passed"] == 0)
    partial_rule = policy.get("study_leave.pay.partial_below_requirement")
    not_granted = degree & ~agreement & (policy.get("study_leave.pay.no_agreement") == "not_granted")
    mop = np.nan_to_num(months_on_post)

    # Months paid in the year: continuing components (cont), withheld components (perf).
    full_months = 12.0
    cont = np.where(full_rel & not_granted, 0.0, full_months)
    perf = np.select(
        [full_rel & not_granted, full_rel & restored, full_rel,
         partial & not_granted,
         partial & (below_workload | failed) & (partial_rule == "withhold_as_full_release")],
        [0.0, mop, 0.0, 0.0, 0.0],
        default=full_months,
    )
    months_paid = np.where(is_withheld[None, :], perf[:, None], cont[:, None])
    paid_by_component = monthly * months_paid
    paid = paid_by_component.sum(axis=1)
    withheld_by_component = monthly * (full_months - months_paid)
    withheld = withheld_by_component.sum(axis=1)
    # P1 §7.2: the withheld components go to the external-teacher fund; what a student without an
    # agreement is not paid besides them follows study_leave.pay.no_agreement_retained_to_fund.
    to_fund = withheld if policy.get("study_leave.pay.no_agreement_retained_to_fund") else \
        withheld_by_component[:, is_withheld].sum(axis=1)
    refund_cols = np.isin(components, list(policy.get("study_leave.refund.components")))
    conditions = {
        "no_agreement": degree & ~agreement,
        "partial_below_workload": below_workload,
        "partial_appraisal_failed": failed,
        "restored": restored & ~not_granted,
        "restoration_not_met": full_rel & (mop > 0) & ~restored,
        "appraisal_misconduct": appraisal["misconduct"],
        "appraisal_given_differs": appraisal["given_differs"],
    }
    return {
        "full_pay": monthly.sum(axis=1) * full_months,
        "paid": paid,
        "withheld": withheld,
        "withheld_to_fund": to_fund,
        "refund_base": paid_by_component[:, refund_cols].sum(axis=1),
        "flags": flags_column(conditions, n),
        "conditions": conditions,
        # intermediate values, for the explanation sheet (staffcalc.explain)
        "components": components,
        "months_paid": months_paid,
        "paid_by_component": paid_by_component,
        "restoration_months_ok": full_rel & months_ok,
        "restoration_share_ok": full_rel & share_ok,
        **{c: appraisal[c] for c in APPRAISAL_COLUMNS},
    }


def study_leave_year(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Pay for one study year per row (P1 §7, §10.5, §10.11, §15.3; spec §8.3–§8.5, §8.10).

    ``df`` has ``mode`` (full_release / partial / further_study), ``months_on_post`` (months back on
    post in the year, full release), ``workload_share`` (share of the prescribed annual workload
    done), ``appraisal_passed``, ``agreement_signed`` and the monthly pay components ``basic_salary,
    allowances, award_performance, basic_performance_bonus, campus_performance, welfare`` (yuan).
    Returns a copy with ``paid`` and ``withheld`` (yuan for the year, unrounded) and ``flags``
    (``;``-joined codes from :data:`FLAGS`, '' when none).  ``paid + withheld`` is the full pay.

    Thresholds are inclusive: 含6个月 (6 months restores, 5 does not), ≥50%, ≥70%.  Columns a mode does
    not use may be empty (``months_on_post`` outside full release, everything for further study).

    The appraisal while studying is derived (P1 §9, §15.1; :mod:`staffcalc.study_appraisal`) from the
    optional columns ``work_appraisal`` (grade of the work done), ``violation``, ``courses_failed`` and
    ``host_evaluation``; ``appraisal_passed`` is used where a row gives none of them (it must be given
    there for partial release).  Adds ``appraisal_grade``, ``appraisal_basis`` and
    ``appraisal_result_passed`` (1/0, NaN: no grade); the partial-release pay rule reads the latter.
    """
    policy = policy_or_default(policy)
    amounts = year_amounts(df, policy)
    out = df.copy()
    out["paid"] = amounts["paid"]
    out["withheld"] = amounts["withheld"]
    out["flags"] = pd.Series(amounts["flags"], index=df.index, dtype="str")
    for c in APPRAISAL_COLUMNS:
        out[c] = amounts[c]
    return out


# --------------------------------------------------------------------------------------------
# Further study costs (P1 §16)
# --------------------------------------------------------------------------------------------
def reimbursement_arrays(df: pd.DataFrame, policy: Policy) -> dict[str, np.ndarray]:
    """The arrays behind :func:`further_study_reimbursement`: ``reimbursed`` (yuan per episode) and
    ``conditions`` (flag code -> bool array)."""
    n = len(df)
    further = df["mode"].astype("object").to_numpy() == "further_study"
    if "approved_costs" in df.columns:
        costs = numeric(df, "approved_costs", missing=0.0)
        check(costs < 0, df, "approved_costs", "negative", "cannot be negative", "不能为负数", costs)
    else:
        costs = np.zeros(n)
    selected = booleans(df, "college_selected", missing=True) if "college_selected" in df.columns else np.ones(n, bool)
    quit_ = (booleans(df, "terminated_without_reason", missing=False) if "terminated_without_reason" in df.columns
             else np.zeros(n, bool))
    self_funded = further & ~selected
    not_reimbursed = further & quit_
    ok = (further & (selected | bool(policy.get("study_leave.further_study.reimburse_self_funded")))
          & (~quit_ | bool(policy.get("study_leave.further_study.terminated_without_reason_reimbursed"))))
    return {
        "reimbursed": np.where(ok, costs, 0.0),
        "conditions": {"further_study_self_funded": self_funded, "further_study_not_reimbursed": not_reimbursed},
    }


def further_study_reimbursement(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Further-study costs the college reimburses, per episode (P1 §16; spec §8.10).

    ``df`` has ``mode`` and optionally ``approved_costs`` (yuan approved under the college's rules,
    §16.1 根据相关文件规定报销相关费用; empty = 0), ``college_selected`` (学院选派 rather than 自费,
    §14.1; empty = selected) and ``terminated_without_reason`` (ended the study on their own without
    special reason, §16.2; empty = no).  Returns a copy with ``reimbursed`` — the approved costs for
    further study the college selected and the teacher did not abandon, else 0; degree-study rows 0
    (their costs are ``costs_paid``) — and ``flags`` (``further_study_self_funded``,
    ``further_study_not_reimbursed``).  Whether self-funded or abandoned study is reimbursed is policy
    (``study_leave.further_study.*``, both false).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["mode"], "further_study_reimbursement")
    amounts = reimbursement_arrays(df, policy)
    out = df.copy()
    out["reimbursed"] = amounts["reimbursed"]
    out["flags"] = pd.Series(flags_column(amounts["conditions"], len(df)), index=df.index, dtype="str")
    return out


# --------------------------------------------------------------------------------------------
# Refund on interruption and breach of the service period
# --------------------------------------------------------------------------------------------
def refund_due(refund_base_per_month, months_paid, cause, policy: Policy | None = None):
    """Pay to refund when study is interrupted (P1 §10.8: 就读期间学院支付的基本工资等应退还学院).

    ``refund_base_per_month`` is the monthly paid amount of ``study_leave.refund.components``
    (interpretation: basic salary and allowances), ``months_paid`` the study months it was paid for,
    ``cause`` the interruption cause (empty: not interrupted).  Only the causes in
    ``study_leave.refund.causes`` (host_rules, other_employment, judicial_penalty) refund; ``other``
    and empty give 0.  Scalars in, scalar out; arrays in, array out.
    """
    policy = policy_or_default(policy)
    base = np.asarray(refund_base_per_month, dtype="float64")
    months = np.asarray(months_paid, dtype="float64")
    check(base < 0, None, "refund_base_per_month", "negative", "refund_due: pay cannot be negative", "金额不能为负数",
          base)
    check(months < 0, None, "months_paid", "negative", "refund_due: months cannot be negative", "月数不能为负数",
          months)
    causes = np.asarray(cause, dtype=object)
    refundable = np.isin(causes, list(policy.get("study_leave.refund.causes")))
    result = np.where(refundable, base * months, 0.0)
    return float(result) if result.ndim == 0 else result


def breach_liability(refundable, served_months, required_months=None, policy: Policy | None = None):
    """Liability when the service period after study is not completed (P1 §11; spec §8.9).

    P1 §11 sends a breach to the agreement's penalty clause, which the seeds do not contain; the
    planning assumption ``study_leave.service.breach_formula`` is ``pro_rata``:
    ``refundable × unserved_months / required_months`` with ``unserved = max(required − served, 0)``
    (serving longer than required owes nothing); ``full`` charges the whole refundable amount unless
    the period is complete.  ``refundable`` = pay received during full release + costs the college
    paid.  ``required_months`` defaults to the policy's ``study_leave.service.min_years`` × 12 (96).

    Scalars in, scalar out; arrays or Series in, the same shape out.  Negative or non-finite inputs
    raise ValueError.
    """
    policy = policy_or_default(policy)
    if required_months is None:
        required_months = policy.get("study_leave.service.min_years") * 12
    index = served_months.index if isinstance(served_months, pd.Series) else (
        refundable.index if isinstance(refundable, pd.Series) else None)
    r = np.asarray(refundable, dtype="float64")
    s = np.asarray(served_months, dtype="float64")
    req = float(required_months)
    for name, v, given in (("refundable", r, refundable), ("served_months", s, served_months)):
        check(~np.isfinite(v) | (v < 0), given.index if isinstance(given, pd.Series) else None, name,
              "finite_non_negative", "breach_liability needs a finite number ≥ 0", "须为非负有限数值", v)
    if not np.isfinite(req) or req <= 0:
        raise StudyLeaveInputError(f"breach_liability: required_months must be > 0, got {required_months} "
                                   f"/ 服务期月数须大于0", column="required_months", rule="positive")
    unserved = np.maximum(req - s, 0.0)
    formula = policy.get("study_leave.service.breach_formula")
    if formula == "pro_rata":
        result = r * (unserved / req)  # the fraction first: exactly 1 when nothing was served
    elif formula == "full":
        result = np.where(unserved > 0, r, 0.0) * np.ones_like(unserved)
    else:
        raise PolicyError(f"study_leave.service.breach_formula {formula!r} is not pro_rata or full / 未知的违约计算方式")
    if result.ndim == 0:
        return float(result)
    return pd.Series(result, index=index) if index is not None else result
