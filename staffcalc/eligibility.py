"""Who may apply for a professional-technical post (spec §3; P6 §4, §12–§17, §23, §38, §39).

:func:`eligibility` takes this year's ``applicants`` table and the ``staff`` roster (plus, where
used, ``recommendations``, ``committee_members`` and ``relatives``) and computes, for every
application at once, one boolean column per rule (``ok_<rule>``: True = met or not applicable),
``eligible`` (all met), the failed rule ids with their clauses, and warnings kept apart from
failures (e.g. "一般应" degree cases for older applicants).

Rule ids (``RULES``): 3.1-qualification, 3.1-appraisal (§12); 3.2-degree (§13(一)); 3.3-years
(§13(二), §38); 3.4-language (§13(三)); 3.5-overseas (§13(四)); 3.6-teaching (§14(二));
3.7-alternate-year (§4); 3.8-extra-post-age (§17); 3.8-recommendations / 3.9-recommendations
(§16); 3.10-transfer (§39); 3.11-recusals (§23).
Warnings: 3.2-degree-usual, 3.6-no-teaching-record, 3.8-expert-multiple, 3.11-relative-on-committee.

Inclusive words follow Civil Code art. 1259 (spec §0): 以上/以下/及以上/满 include the number;
不满/超过 exclude it.  Whole years ("满5年", 周岁) are counted on calendar dates: a person appointed
2021-09-01 has 5 full years on 2026-09-01 but only 4 on 2026-08-31; a period started on 29 February
completes on 28 February in a common year (the month's last day, :func:`staffcalc.dates.full_years`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import checks as _checks
from . import review as _review
from .checks import RuleInputError, policy_or_default
from .dates import full_years
from .policy import Policy

SENIOR = ("full", "associate")


class EligibilityError(RuleInputError):
    """Bad input to the eligibility check; the message names the table, column, row(s) and rule."""


# The shared input checks (staffcalc.checks), raising EligibilityError.
check, require_columns, numeric, integers, booleans, dates = _checks.raising(
    EligibilityError, _checks.check, _checks.require_columns, _checks.numeric, _checks.integers, _checks.booleans,
    _checks.dates)


# rule id -> (ok column, parameter whose clause and wording it cites, English, Chinese)
RULES: dict[str, tuple[str, str, str, str]] = {
    "3.1-qualification": ("ok_qualification", "eligibility.teacher_qualification",
                          "holds the higher-education teacher qualification", "具备高等学校教师资格"),
    "3.1-appraisal": ("ok_appraisal", "eligibility.appraisal.years",
                      "last three annual appraisals at least 合格", "近三年考核合格及以上"),
    "3.2-degree": ("ok_degree", "eligibility.degree.doctorate_required_born_from",
                   "degree required for the post and birth cohort", "学历条件"),
    "3.3-years": ("ok_years", "eligibility.years_in_post",
                  "full years in the post group below the target (or probation passed)", "任职年限"),
    "3.4-language": ("ok_language", "eligibility.language.applies_to",
                     "foreign-language exam or an exemption", "外语条件"),
    "3.5-overseas": ("ok_overseas", "eligibility.overseas.min_months",
                     "consecutive months of study or work abroad", "海外研修经历"),
    "3.6-teaching": ("ok_teaching", "eligibility.teaching.max_percentile",
                     "student-evaluation rank in the top {max_percentile}%", "近三年学生评教排名位于前{max_percentile}%"),
    "3.7-alternate-year": ("ok_alternate_year", "eligibility.alternate_years",
                           "no application for the same senior post the year after failing", "隔年申报"),
    "3.8-extra-post-age": ("ok_extra_post_age", "eligibility.exceptional.extra_post_max_age",
                           "extra post only for full-senior applicants aged {extra_post_max_age} or under",
                           "{extra_post_max_age}岁以下申请正高级可增岗破格"),
    "3.8-recommendations": ("ok_recommendations", "eligibility.recommendation.min_experts",
                            "at least {min_experts} valid recommending experts (extra post)",
                            "增岗破格须至少{min_experts}名专家举荐"),
    "3.9-recommendations": ("ok_recommendations", "eligibility.recommendation.required_for",
                            "at least {min_experts} valid recommending experts (recruited talent)",
                            "引进人才须至少{min_experts}名专家举荐"),
    "3.10-transfer": ("ok_transfer", "eligibility.transfer.min_years",
                      "{transfer_years} full years after transfer and a passed appraisal",
                      "转聘{transfer_years}年后经考核合格"),
    "3.11-recusals": ("ok_recusals", "eligibility.conflicts.max_recusals",
                      "at most {max_recusals} peer experts asked to recuse", "请求回避的专家不超过{max_recusals}名"),
}
WARNINGS: dict[str, tuple[str, str, str]] = {
    "3.2-degree-usual": ("eligibility.degree.usual_degree",
                         "senior applicants should normally hold a doctorate (一般应; not mandatory for this birth cohort)",
                         "应聘高级岗位一般应具有博士学位"),
    "3.6-no-teaching-record": ("eligibility.teaching.missing",
                               "no three-year student-evaluation record", "无近三年学生评教记录"),
    "3.8-expert-multiple": ("eligibility.recommendation.per_expert_per_year",
                            "a recommending expert recommended more than {per_expert} person(s) this year; not counted",
                            "同一举荐专家每年只能举荐{per_expert}人，超出者不计"),
    "3.11-relative-on-committee": ("eligibility.conflicts.relatives_barred",
                                   "a near relative sits on this year's appointment bodies and must be replaced",
                                   "近亲属不能担任当年聘任组织成员"),
}

# the policy numbers the rule and warning texts above name: text.format(**{field: policy value})
_TEXT_NUMBERS = {
    "max_percentile": "eligibility.teaching.max_percentile",
    "extra_post_max_age": "eligibility.exceptional.extra_post_max_age",
    "min_experts": "eligibility.recommendation.min_experts",
    "transfer_years": "eligibility.transfer.min_years",
    "max_recusals": "eligibility.conflicts.max_recusals",
    "per_expert": "eligibility.recommendation.per_expert_per_year",
}


def rule_text(rule_id: str, policy: Policy | None = None, lang: str = "zh") -> str:
    """The description of a rule or warning (``lang`` "zh" or "en") with the policy's numbers in it."""
    pol = policy_or_default(policy)
    spec = RULES.get(rule_id) or WARNINGS[rule_id]
    text = (spec[2] if lang == "en" else spec[3]) if rule_id in RULES else (spec[1] if lang == "en" else spec[2])
    return text.format(**{field: pol.get(path) for field, path in _TEXT_NUMBERS.items()})


STAFF_COLUMNS = ("staff_id", "birth_date", "degree", "post_level", "rank_since", "appraisal_1", "appraisal_2",
                 "appraisal_3", "teacher_qualification", "subject_group", "field")
APPLICANT_COLUMNS = ("application_id", "staff_id", "target_post", "exceptional", "extra_post", "recruited_talent",
                     "postdoc_stayed", "probation_passed", "transferred_on", "transfer_appraisal_passed",
                     "school_language_exam_passed", "national_language_test_passed", "moe_training_certificate",
                     "toefl", "gre", "gre_scale", "ielts", "testdaf_level", "tef", "foreign_language_degree",
                     "overseas_doctorate_certified", "indexed_foreign_papers", "overseas_months",
                     "teaching_percentile", "last_failed_year", "last_failed_post", "recusal_requests")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _flag(df: pd.DataFrame, col: str, table: str, na: bool | None = None) -> np.ndarray:
    """Yes/no column as a bool array; missing cells are an error unless ``na`` gives their meaning."""
    return booleans(df, col, missing="error" if na is None else na, table=table)


def _num(df: pd.DataFrame, col: str) -> np.ndarray:
    """Float array with NaN for missing (scores, months, percentiles)."""
    return numeric(df, col, missing=np.nan, table="applicants")


def _date(df: pd.DataFrame, col: str, table: str = "staff (via applicants)") -> pd.DatetimeIndex:
    """Dates with NaT for missing; a cell that is not a date is an error naming the row."""
    return pd.DatetimeIndex(dates(df, col, missing=pd.NaT, table=table))


def _cutoff(value, what: str) -> np.datetime64:
    try:
        return np.datetime64(dt.date.fromisoformat(str(value)), "ns")
    except ValueError:
        raise EligibilityError(f"policy {what}: bad date {value!r}") from None


def rules(policy: Policy | None = None) -> pd.DataFrame:
    """The rules and warnings with their clause and the Chinese wording from the policy file."""
    pol = policy_or_default(policy)
    rows = []
    for kind, table in (("rule", RULES), ("warning", WARNINGS)):
        for rid, spec in table.items():
            path = spec[1] if kind == "rule" else spec[0]
            prm = pol.param(path)
            rows.append({"rule_id": rid, "kind": kind, "column": spec[0] if kind == "rule" else "",
                         "clause": f"{prm.document} {prm.clause}", "description": rule_text(rid, pol, "en"),
                         "description_zh": rule_text(rid, pol),
                         "text": prm.text})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# the check
# --------------------------------------------------------------------------------------------
def eligibility(
    applicants: pd.DataFrame,
    staff: pd.DataFrame,
    policy: Policy | None = None,
    as_of: str | dt.date | None = None,
    recommendations: pd.DataFrame | None = None,
    committee_members: pd.DataFrame | None = None,
    relatives: pd.DataFrame | None = None,
    detail: bool = False,
) -> pd.DataFrame:
    """Eligibility of every application (spec §3.1–§3.11), vectorised over the applicant table.

    ``policy`` defaults to the one in force on ``as_of``; each application is judged on its own
    ``application_date`` (or ``as_of`` where the table has no such column).  Returns one row per
    application: application_id, staff_id, target_post, application_date, age, years_in_rank,
    valid_recommendations, the ``ok_*`` rule columns, eligible, failed_rules, failed_clauses and
    warnings (rule ids ``;``-separated).  No personal names.

    ``detail=True`` also returns the values each rule compared, as computed here (for the
    explanation sheet, :mod:`staffcalc.explain`): :data:`DETAIL_COLUMNS`.
    """
    pol = policy_or_default(policy, as_of)
    require_columns(staff, STAFF_COLUMNS, "table staff (P6 eligibility)")
    require_columns(applicants, APPLICANT_COLUMNS, "table applicants")
    check(applicants["application_id"].duplicated(keep=False).to_numpy(), applicants, "application_id",
          "duplicate_id", "duplicated", "申报编号重复", applicants["application_id"].to_numpy(), table="applicants")
    staff_index = pd.Index(staff["staff_id"].astype(str))
    if not staff_index.is_unique:
        check(staff_index.duplicated(keep=False), staff, "staff_id", "duplicate_id", "duplicated", "工号重复",
              staff_index, table="staff")
    pos = staff_index.get_indexer(applicants["staff_id"].astype(str))
    check(pos < 0, applicants, "staff_id", "unknown_staff", "not in the staff roster", "工号不在花名册中",
          applicants["staff_id"].to_numpy(), table="applicants")

    st = staff[[c for c in STAFF_COLUMNS if c != "staff_id"]].iloc[pos].reset_index(drop=True)
    a = applicants.reset_index(drop=True)
    a["staff_id"] = a["staff_id"].astype(str)
    df = pd.concat([a.drop(columns=[c for c in st.columns if c in a.columns]), st], axis=1)
    df.index = applicants.index  # messages name the applicants' own row labels
    n = len(df)
    row = df.index

    fallback = np.datetime64(pd.Timestamp(as_of).date(), "ns") if as_of is not None else np.datetime64("NaT", "ns")
    given = (_date(df, "application_date", "applicants").to_numpy()
             if "application_date" in df.columns else np.full(n, np.datetime64("NaT", "ns")))
    app_date = pd.DatetimeIndex(np.where(np.isnat(given), fallback, given))
    check(np.asarray(app_date.isna()), row, "application_date", "missing", "missing and no as_of given", "缺少申请日期",
          table="applicants")
    birth = _date(df, "birth_date")
    for col in ("birth_date", "rank_since", "subject_group", "field"):
        check(df[col].isna().to_numpy(), row, col, "missing", "missing: a value is required", "缺失值",
              table="staff (via applicants)")

    target = df["target_post"].astype(object).to_numpy()
    bad_target = ~np.isin(target, ["full", "associate", "intermediate", "junior"])
    check(bad_target, row, "target_post", "unknown_post", f"unknown post {sorted(set(map(str, target[bad_target])))}",
          "未知的申报岗位", target, table="applicants")
    senior = np.isin(target, SENIOR)
    age = full_years(birth, app_date)
    exceptional = _flag(df, "exceptional", "applicants") | _flag(df, "extra_post", "applicants")
    extra_post = _flag(df, "extra_post", "applicants")
    recruited = _flag(df, "recruited_talent", "applicants")
    group_of_level = {lv: g for g, lvs in pol.get("quotas.level_groups").items() for lv in lvs}
    level = pd.to_numeric(df["post_level"]).to_numpy()
    current_group = pd.Series(level).map(group_of_level).fillna("other").to_numpy(dtype=object)
    subject = df["subject_group"].astype(object).to_numpy()

    ok: dict[str, np.ndarray] = {}
    warn: dict[str, np.ndarray] = {}

    # 3.1 general (§12)
    ok["3.1-qualification"] = (_flag(df, "teacher_qualification", "staff")
                               if pol.get("eligibility.teacher_qualification") else np.ones(n, bool))
    passing = set(pol.get("eligibility.appraisal.passing"))
    not_required = pol.get("eligibility.appraisal.missing") == "not_required"
    appr_ok = np.ones(n, bool)
    for k in range(1, int(pol.get("eligibility.appraisal.years")) + 1):
        col = df[f"appraisal_{k}"]
        appr_ok &= (col.isin(passing) | (col.isna() & not_required)).to_numpy()
    ok["3.1-appraisal"] = appr_ok

    # 3.2 degree (§13(一))
    order = list(pol.get("eligibility.degree.order"))
    deg = df["degree"].astype(object)
    check(~deg.isin(order).to_numpy(), row, "degree", "unknown_degree", "unknown degree", "未知学位", deg.to_numpy(),
          table="staff")
    rank = deg.map({d: i for i, d in enumerate(order)}).to_numpy(dtype=np.int64)
    rank_of = {d: i for i, d in enumerate(order)}
    relaxed = np.isin(subject, pol.get("eligibility.degree.relaxed_subject_groups"))
    mandatory = np.zeros(n, bool)
    needed = np.full(n, rank_of["none"], dtype=np.int64)
    born = birth.values
    for post, cutoff in pol.get("eligibility.degree.doctorate_required_born_from").items():
        sel = (target == post) & ~relaxed
        m = sel & (born >= _cutoff(cutoff, "doctorate_required_born_from"))
        mandatory |= m
        needed = np.where(m, rank_of["doctorate"], needed)
    for post, rule in pol.get("eligibility.degree.relaxed_required").items():
        m = (target == post) & relaxed & (born >= _cutoff(rule["born_from"], "relaxed_required"))
        mandatory |= m
        needed = np.where(m, rank_of[rule["degree"]], needed)
    lower = ~senior
    needed = np.where(lower, rank_of[pol.get("eligibility.degree.min_degree_lower_posts")], needed)
    ok["3.2-degree"] = rank >= needed
    warn["3.2-degree-usual"] = senior & ~mandatory & (rank < rank_of[pol.get("eligibility.degree.usual_degree")])

    # 3.3 years in post (§13(二)); postdoc (§38); exceptional (§17)
    rank_since = _date(df, "rank_since")
    years_in_rank = full_years(rank_since, app_date)
    doctor = rank >= rank_of["doctorate"]
    yrs = pol.get("eligibility.years_in_post")
    years_ok = np.zeros(n, bool)
    years_needed = np.full(n, np.nan)
    from_group = np.full(n, "", dtype=object)
    for post, rule in yrs.items():
        need = np.where(doctor & ("doctorate" in rule), int(rule.get("doctorate", rule["master"])), int(rule["master"]))
        years_ok |= (target == post) & (current_group == rule["from_group"]) & (years_in_rank >= need)
        years_needed = np.where(target == post, need, years_needed)
        from_group = np.where(target == post, rule["from_group"], from_group)
    route = {"years": years_ok.copy()}
    probation = _flag(df, "probation_passed", "applicants")
    route["probation"] = np.zeros(n, bool)
    for post, degree in pol.get("eligibility.probation_route").items():
        route["probation"] |= (target == post) & (rank >= rank_of[degree]) & probation
    route["postdoc"] = _flag(df, "postdoc_stayed", "applicants") & np.isin(
        target, pol.get("eligibility.postdoc.immediate_posts"))
    route["exceptional"] = (exceptional & senior if "3.3-years" in pol.get("eligibility.exceptional.exempt_rules")
                            else np.zeros(n, bool))
    years_ok = np.logical_or.reduce(list(route.values()))
    ok["3.3-years"] = years_ok

    # 3.4 foreign language (§13(三))
    scores = pol.get("eligibility.language.exemption_scores")
    gre, gre_scale = _num(df, "gre"), _num(df, "gre_scale")
    gre_need = np.full(n, np.inf)
    for scale, need in scores["gre"].items():
        gre_need = np.where(gre_scale == float(scale), float(need), gre_need)
    check(~np.isnan(gre) & np.isinf(gre_need), row, "gre_scale", "gre_scale",
          f"must be one of {sorted(scores['gre'])} when a GRE score is given", "GRE总分制须为2400或1600", gre_scale,
          table="applicants")
    with np.errstate(invalid="ignore"):
        exemption = {name: _num(df, name) >= scores[name] for name in ("toefl", "ielts", "testdaf_level", "tef")}
        exemption["gre"] = gre >= gre_need
    exemption["foreign_language_degree"] = _flag(df, "foreign_language_degree", "applicants") & ~np.isin(
        subject, pol.get("eligibility.language.language_teacher_groups"))
    exemption["overseas_doctorate_certified"] = _flag(df, "overseas_doctorate_certified", "applicants")
    exemption["doctorate_for_post"] = doctor & np.isin(target, pol.get("eligibility.language.exempt_doctorate_for"))
    exemption["indexed_foreign_papers"] = (_num(df, "indexed_foreign_papers")
                                           >= int(pol.get("eligibility.language.min_indexed_papers")))
    exempt = np.logical_or.reduce(list(exemption.values()))
    young = born >= _cutoff(pol.get("eligibility.language.national_test_born_from"), "national_test_born_from")
    passed_exam = _flag(df, "school_language_exam_passed", "applicants") & (
        ~young | _flag(df, "national_language_test_passed", "applicants") | _flag(df, "moe_training_certificate", "applicants"))
    language_applies = np.isin(target, pol.get("eligibility.language.applies_to"))
    ok["3.4-language"] = ~language_applies | exempt | passed_exam

    # 3.5 overseas experience (§13(四))
    months = _num(df, "overseas_months")
    need_months = np.full(n, np.nan)
    field = df["field"].astype(object).to_numpy()
    for fld, m in pol.get("eligibility.overseas.min_months").items():
        need_months = np.where(field == fld, float(m), need_months)
    applies = np.isin(target, pol.get("eligibility.overseas.applies_to")) & ~np.isin(subject, pol.get("eligibility.overseas.exempt_subject_groups"))
    check(applies & np.isnan(need_months), row, "field", "unknown_field", "unknown field", "未知学科门类", field,
          table="staff")
    with np.errstate(invalid="ignore"):
        ok["3.5-overseas"] = ~applies | (months >= need_months)

    # 3.6 teaching (§14(二))
    pct = _num(df, "teaching_percentile")
    no_record = np.isnan(pct)
    with np.errstate(invalid="ignore"):
        within = pct <= float(pol.get("eligibility.teaching.max_percentile"))
    fail_missing = pol.get("eligibility.teaching.missing") == "fail"
    ok["3.6-teaching"] = within | (no_record & (not fail_missing))
    warn["3.6-no-teaching-record"] = no_record & (not fail_missing)

    # 3.7 alternate years (§4)
    gap = int(pol.get("eligibility.alternate_years"))
    last_year = _num(df, "last_failed_year")
    since = app_date.year.to_numpy() - last_year
    with np.errstate(invalid="ignore"):
        blocked = senior & (df["last_failed_post"].astype(object).to_numpy() == target) & (since >= 1) & (since <= gap)
    ok["3.7-alternate-year"] = ~blocked

    # 3.8 extra post (§17)
    ok["3.8-extra-post-age"] = ~extra_post | (
        np.isin(target, pol.get("eligibility.exceptional.extra_post_posts"))
        & (age <= int(pol.get("eligibility.exceptional.extra_post_max_age"))))

    # 3.8 / 3.9 recommendations (§16)
    req = pol.get("eligibility.recommendation.required_for")
    need_ep = extra_post & np.isin(target, req["extra_post"])
    need_rt = recruited & np.isin(target, req["recruited_talent"])
    valid, multiple = _valid_recommendations(df, app_date, recommendations, pol)
    enough = valid >= int(pol.get("eligibility.recommendation.min_experts"))
    ok["3.8-recommendations"] = ~need_ep | enough
    ok["3.9-recommendations"] = ~(need_rt & ~need_ep) | enough
    warn["3.8-expert-multiple"] = multiple

    # 3.10 transferred staff (§39); postdocs handled under 3.3
    transferred = df["transferred_on"].notna().to_numpy()
    t_years = full_years(_date(df, "transferred_on", "applicants"), app_date)
    t_passed = _flag(df, "transfer_appraisal_passed", "applicants", na=False)
    ok["3.10-transfer"] = ~transferred | ((t_years >= int(pol.get("eligibility.transfer.min_years"))) & t_passed)

    # 3.11 conflicts (§23)
    rec = integers(df["recusal_requests"], "recusal_requests", row, minimum=0, table="applicants")
    ok["3.11-recusals"] = rec <= int(pol.get("eligibility.conflicts.max_recusals"))
    conflicts = _review.relative_conflicts(df[["application_id", "staff_id"]].assign(application_date=app_date),
                                           committee_members, relatives, pol)
    warn["3.11-relative-on-committee"] = df["application_id"].isin(conflicts["application_id"].unique()).to_numpy()

    # -- assemble
    out = pd.DataFrame({
        "application_id": df["application_id"].to_numpy(), "staff_id": df["staff_id"].to_numpy(),
        "target_post": target, "application_date": app_date.values.astype("datetime64[ns]"),
        "age": age, "years_in_rank": years_in_rank, "valid_recommendations": valid,
    }, index=applicants.index)
    for rid, (col, *_rest) in RULES.items():
        out[col] = ok[rid] if col not in out else (out[col].to_numpy() & ok[rid])
    out["eligible"] = np.logical_and.reduce([ok[r] for r in RULES])
    failed = pd.Series("", index=out.index, dtype=object)
    clauses = pd.Series("", index=out.index, dtype=object)
    for rid, spec in RULES.items():   # a dozen rules, not the rows
        prm = pol.param(spec[1])
        failed = failed + np.where(~ok[rid], rid + "; ", "")
        clauses = clauses + np.where(~ok[rid], f"{prm.document} {prm.clause}; ", "")
    warnings = pd.Series("", index=out.index, dtype=object)
    for wid in WARNINGS:
        warnings = warnings + np.where(warn[wid], wid + "; ", "")
    out["failed_rules"] = failed.str.rstrip("; ")
    out["failed_clauses"] = clauses.str.rstrip("; ")
    out["warnings"] = warnings.str.rstrip("; ")
    if detail:
        basis = pd.Series("", index=out.index, dtype=object)
        for name, m in exemption.items():   # a handful of exemptions, not the rows
            basis = basis + np.where(m, name + ";", "")
        out = out.assign(
            current_group=current_group, degree_needed=np.array(order, dtype=object)[needed],
            degree_mandatory=mandatory, degree_usual=warn["3.2-degree-usual"], years_needed=years_needed,
            years_from_group=from_group,
            years_route=np.select([route[k] for k in route], list(route), default=""),
            language_applies=language_applies, language_exemptions=basis.str.rstrip(";").to_numpy(),
            national_test_required=young, language_exam_passed=passed_exam,
            overseas_applies=applies, overseas_months_needed=need_months,
            teaching_no_record=no_record, years_since_failed=since, alternate_blocked=blocked,
            recommendations_required=need_ep | need_rt, expert_dropped=multiple,
            years_since_transfer=t_years, relative_on_committee=warn["3.11-relative-on-committee"],
        )
    return out


DETAIL_COLUMNS = (
    "current_group", "degree_needed", "degree_mandatory", "degree_usual", "years_needed", "years_from_group",
    "years_route", "language_applies", "language_exemptions", "national_test_required", "language_exam_passed",
    "overseas_applies", "overseas_months_needed", "teaching_no_record", "years_since_failed", "alternate_blocked",
    "recommendations_required", "expert_dropped", "years_since_transfer", "relative_on_committee",
)


def _valid_recommendations(df: pd.DataFrame, app_date: pd.DatetimeIndex, recs: pd.DataFrame | None,
                           pol: Policy) -> tuple[np.ndarray, np.ndarray]:
    """(valid distinct experts per application, some recommendation dropped for the one-a-year rule)."""
    n = len(df)
    if recs is None or len(recs) == 0:
        return np.zeros(n, dtype=np.int64), np.zeros(n, bool)
    require_columns(recs, ("application_id", "expert_id", "expert_type", "recommendation_date"),
                    "table recommendations")
    r = recs[["application_id", "expert_id", "expert_type", "recommendation_date"]].copy()
    r["year"] = pd.to_datetime(r["recommendation_date"]).dt.year
    r = r.drop_duplicates(["application_id", "expert_id"])
    # the one-a-year rule counts every recommendation the expert made that year (P6 §16)
    per_year = r.groupby(["expert_id", "year"])["application_id"].transform("nunique")
    too_many = per_year > int(pol.get("eligibility.recommendation.per_expert_per_year"))
    qualified = r["expert_type"].isin(pol.get("eligibility.recommendation.qualified_expert_types"))
    r["valid"] = (qualified & ~too_many).astype(np.int64)
    r["dropped"] = (qualified & too_many).astype(np.int64)
    agg = r.groupby("application_id")[["valid", "dropped"]].sum()
    ids = df["application_id"]
    valid = ids.map(agg["valid"]).fillna(0).to_numpy(dtype=np.int64)
    dropped = ids.map(agg["dropped"]).fillna(0).to_numpy(dtype=np.int64) > 0
    return valid, dropped


def summary(result: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The commonest failing rules: per rule id, how many applications fail it and the share."""
    pol = policy_or_default(policy)
    n = len(result)
    ids = result["failed_rules"].str.split("; ").explode()
    ids = ids[ids.notna() & (ids != "")]
    counts = ids.value_counts()
    info = rules(pol).set_index("rule_id")
    out = pd.DataFrame({"rule_id": list(RULES)})
    out["clause"] = out["rule_id"].map(info["clause"])
    out["description_zh"] = out["rule_id"].map(info["description_zh"])
    out["failures"] = out["rule_id"].map(counts).fillna(0).astype(np.int64)
    out["applications"] = n
    out["failure_share"] = out["failures"] / n if n else 0.0
    return out.sort_values(["failures", "rule_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Where the eligibility numbers come from: every ``eligibility.*`` parameter with clause and wording."""
    return policy_or_default(policy).references("eligibility")
