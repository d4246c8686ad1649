"""Class-teacher recruitment scoring (P4, 中华路小学班主任教师聘任办法; spec §6).

Six components, 100 points in all, every number from the ``recruitment`` namespace of the policy:

====================  ====  ==========================================================================
component              max   how (P4 六.1–六.6)
====================  ====  ==========================================================================
self_report_score      10    the experts' score, which must lie in its tier (1st 8–10, 2nd 5–7, 3rd 1–4;
                             without a tier, in some tier: 7.5 or 4.5 is an input error)
review_score           15    (35 % panel + 35 % teachers + 30 % parents) ratings 0–100, × 15/100
achievements_score     10    certificate points; top candidate 10, others 10 × s / max (all 0 if max 0)
conduct_score           5    monthly appraisal base; top candidate 5, others pro rata, the top taken
                             before the zeroing rule; 0 with any absenteeism, personal leave ≥ 10 days
                             or sick leave ≥ one month (sick_leave_month_days, 30) in the school year
exam_score             25    exam (0–100) × 25/100
onsite_score           35    teaching talk (0–15) + defence (0–20)
====================  ====  ==========================================================================

Normalisation to the top candidate runs over one recruitment round (``round`` column if present)
after vetoes and eligibility exclusions.  Ranking: by total, descending, ties share the better
rank (``min``) and are ordered by the on-site score.  :func:`appoint` fills N openings and puts
the rest on a waiting list in rank order (P4 六.7).  Eligibility (P4 一): age ≤ 50 (周岁, whole
years on the recruitment date), regular teacher, healthy — :func:`recruitment_eligibility`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import policy_or_default
from ..dates import as_datetime64, full_years
from ..policy import Policy
from ._common import ScoringInputError, booleans, check, exact_weights, in_range, numeric, require_columns, snap

NS = "recruitment"
INPUT_COLUMNS = ("self_report", "panel", "teachers", "parents", "achievement_points", "monthly_base",
                 "absenteeism_days", "personal_leave_days", "sick_leave_days", "exam", "talk", "defence", "veto")
COMPONENTS = ("self_report_score", "review_score", "achievements_score", "conduct_score", "exam_score",
              "onsite_score")


# --------------------------------------------------------------------------------------------
# Eligibility (P4 一)
# --------------------------------------------------------------------------------------------
def age_in_years(birth_date, on_date, policy: Policy | None = None) -> np.ndarray:
    """Age in whole years (周岁) on ``on_date``, exactly from the calendar dates.

    ``recruitment.eligibility.age_counting`` = "birthday" (default, interpretation): a person is N
    on their N-th birthday, so someone born 1975-07-20 is 51 on 2026-07-20 and 50 on 2026-07-19.
    "day_after": N only from the day after the N-th birthday.  Someone born on 29 February turns
    a year older on 28 February in a common year (Civil Code art. 202, see ``staffcalc.dates``).  Vectorised over arrays/Series of dates.
    """
    policy = policy_or_default(policy)
    counting = policy.get(f"{NS}.eligibility.age_counting")
    on = as_datetime64(on_date)
    if counting != "birthday":  # "day_after": N only from the day after the N-th birthday
        on = on - np.timedelta64(1, "D")
    return full_years(as_datetime64(birth_date), on)


def recruitment_eligibility(df: pd.DataFrame, recruitment_date=None, policy: Policy | None = None) -> pd.DataFrame:
    """Who may apply (P4 一: 50周岁以下身体健康的正式教师).

    Input: ``birth_date``, ``regular_teacher``, ``healthy`` and either a ``recruitment_date``
    column or the ``recruitment_date`` argument.  Adds ``age_on_recruitment`` (whole years on the recruitment date,
    :func:`age_in_years`), ``recruitment_eligible`` and ``ineligible_reason``.  以下 includes the number: age 50
    is eligible, 51 is not — a person who turns 51 the day after the recruitment date is eligible,
    one who turned 51 on that day is not.
    """
    policy = policy_or_default(policy)
    require_columns(df, ["birth_date", "regular_teacher", "healthy"], "recruitment_eligibility")
    if recruitment_date is None:
        require_columns(df, ["recruitment_date"], "recruitment_eligibility (no recruitment_date argument)")
        on = df["recruitment_date"]
    else:
        on = pd.Series(pd.Timestamp(recruitment_date), index=df.index)
    birth = pd.to_datetime(df["birth_date"])
    check(birth.isna().to_numpy(), df, "birth_date", "missing", "birth date is missing", "出生日期缺失")
    check(pd.to_datetime(on).isna().to_numpy(), df, "recruitment_date", "missing",
          "recruitment date is missing", "聘任日期缺失")
    max_age = policy.get(f"{NS}.eligibility.max_age")
    required = list(policy.get(f"{NS}.eligibility.requirements"))
    age = age_in_years(birth, on, policy)
    reasons = []
    too_old = age > max_age
    reasons.append(np.where(too_old, f"age over {max_age} / 超过{max_age}周岁", ""))
    labels = {"regular_teacher": "not a regular teacher / 非正式教师", "healthy": "not healthy / 身体健康条件不符"}
    ok = ~too_old
    for col in required:
        require_columns(df, [col], "recruitment_eligibility")
        flag = booleans(df, col)
        ok &= flag
        reasons.append(np.where(flag, "", labels.get(col, f"{col} not met")))
    reason = pd.Series(reasons[0], index=df.index, dtype=object)
    for r in reasons[1:]:
        r = pd.Series(r, index=df.index, dtype=object)
        reason = reason.where(r == "", np.where(reason == "", r, reason + "; " + r))
    out = df.copy()
    out["age_on_recruitment"] = age
    out["recruitment_eligible"] = ok
    out["ineligible_reason"] = reason.to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------
def _candidate_labels(df: pd.DataFrame) -> np.ndarray:
    """Row labels for error messages: the index label, followed by the candidate number (报名号)
    when the frame has a ``candidate_id`` column that is not already the index."""
    labels = pd.Series(df.index.astype(str), index=df.index)
    if "candidate_id" not in df.columns:
        return np.asarray(df.index, dtype=object)
    cid = df["candidate_id"].astype(str)
    return labels.where(labels == cid, labels + " (candidate/报名号 " + cid + ")").to_numpy(dtype=object)


def _tier_text(tiers) -> tuple[str, str]:
    """The tier ranges as English and Chinese text from the policy ('tier 1: 8–10, …', '1等 8–10分；…')."""
    en = ", ".join(f"tier {k}: {t['min']}–{t['max']}" for k, t in tiers.items())
    zh = "；".join(f"{k}等 {t['min']}–{t['max']}分" for k, t in tiers.items())
    return en, zh


def self_report_tier_problems(df: pd.DataFrame, policy: Policy | None = None,
                              skip=None) -> list[tuple[np.ndarray, str, str, str, str]]:
    """Rows whose self-report breaks the tiers (P4 六.1: 一等为8--10分;二等为5--7分;三等为1--4分; spec §6),
    as ``(mask, column, rule, English, Chinese)`` — the one test that :func:`recruitment_scores` raises
    on and :mod:`staffcalc.validation` reports with file and Excel row.

    * ``self_report_tier`` given: the score must lie in that tier's range (inclusive); a tier the
      policy does not have is ``unknown_tier``;
    * no tier (no column, or an empty cell): the score must lie in *some* tier's range — a score
      between tiers (7.5, 4.5) or below the lowest (0) is in no tier the experts can award.

    ``skip`` (mask): rows not checked (vetoed or ineligible candidates); empty scores are not checked here.
    """
    tiers = policy_or_default(policy).get(f"{NS}.self_report.tiers")
    en, zh = _tier_text(tiers)
    n = len(df)
    sr = pd.to_numeric(df["self_report"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    skip_rows = np.asarray(skip, dtype=bool) if skip is not None else np.zeros(n, dtype=bool)
    checked = ~np.isnan(sr) & ~skip_rows
    if "self_report_tier" in df.columns:
        tier = df["self_report_tier"].astype(object).map(
            lambda v: str(int(v)) if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v) else
            (str(v).strip() if pd.notna(v) else ""))  # once per distinct cell value
        has_tier = (tier != "").to_numpy()
        lo = tier.map({k: float(t["min"]) for k, t in tiers.items()}).to_numpy(dtype="float64")
        hi = tier.map({k: float(t["max"]) for k, t in tiers.items()}).to_numpy(dtype="float64")
    else:
        has_tier = np.zeros(n, dtype=bool)
        lo = hi = np.full(n, np.nan)
    unknown = has_tier & np.isnan(lo)
    in_a_tier = np.zeros(n, dtype=bool)
    for t in tiers.values():  # over the three tiers, not the rows
        in_a_tier |= (sr >= float(t["min"])) & (sr <= float(t["max"]))
    return [
        (unknown & ~skip_rows, "self_report_tier", "unknown_tier", f"tier must be one of {list(tiers)} (P4 六.1)",
         f"自主申报等级应为 {list(tiers)}"),
        (checked & has_tier & ~unknown & ((sr < lo) | (sr > hi)), "self_report", "self_report_outside_tier",
         f"self-report score outside the range of its self_report_tier (P4 六.1: {en})",
         f"自主申报得分不在所评等级的分数段内（{zh}）"),
        (checked & ~has_tier & ~in_a_tier, "self_report", "self_report_in_no_tier",
         f"self-report score lies in no tier (P4 六.1: {en}; a score between tiers or outside them is not "
         f"one the experts can award)", f"自主申报得分不属于任何等级的分数段（{zh}），应由评审专家按等级评分"),
    ]


def _check_self_report_tiers(df: pd.DataFrame, excluded: np.ndarray, policy: Policy) -> None:
    """Raise for the first tier problem of :func:`self_report_tier_problems`, naming row and candidate."""
    labels = _candidate_labels(df)
    for mask, column, rule, en, zh in self_report_tier_problems(df, policy, skip=excluded):
        if mask.any():
            check(mask, labels, column, rule, en, zh, df[column].to_numpy())


def recruitment_scores(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Component scores, total and rank of class-teacher candidates (P4 六; spec §6).

    Input, one row per candidate: ``self_report, panel, teachers, parents, achievement_points,
    monthly_base, absenteeism_days, personal_leave_days, sick_leave_days, exam, talk, defence,
    veto``.  Optional: ``self_report_tier`` (1/2/3; when given, a self-report score outside its
    tier is an error — without it (no column or an empty cell), a score in no tier, e.g. 7.5, 4.5 or 0,
    is an error: spec §6; :func:`self_report_tier_problems`),
    ``candidate_id`` (named in error messages beside the row), ``round`` (recruitment
    round; normalisation and ranking run within each round — without it, one round),
    ``recruitment_eligible`` (from :func:`recruitment_eligibility`; ineligible candidates are treated like
    vetoed ones).

    Adds the six component scores (``self_report_score, review_score, achievements_score,
    conduct_score, exam_score, onsite_score``), ``total``, ``rank`` (1 = best; ties share the
    better rank), ``rank_order`` (1…n within the round: rank order, ties ordered by the on-site score
    per ``recruitment.ranking.tie_break``, then input order), ``tie_unresolved`` (same total and
    same tie-break score as a neighbour), ``tie_group`` (an id shared by such candidates),
    ``achievements_top`` / ``conduct_top`` (the round's top achievement points and monthly base the
    two scores are relative to), ``conduct_zeroed`` and ``excluded_reason``.  Vetoed or ineligible candidates
    get NaN component scores, total, rank and rank_order; their inputs may be empty.
    """
    policy = policy_or_default(policy)
    require_columns(df, INPUT_COLUMNS, "recruitment_scores")
    idx = df.index
    veto = booleans(df, "veto")
    eligible = (booleans(df, "recruitment_eligible") if "recruitment_eligible" in df.columns else np.ones(len(df), bool))
    excluded = veto | ~eligible
    scope = policy.get(f"{NS}.ranking.normalise_within")
    vetoed_because = "、".join(policy.get(f"{NS}.veto_reasons").values())
    excluded_reason = np.where(veto, f"veto / 一票否决（{vetoed_because}）",
                               np.where(~eligible, "ineligible / 不符合聘任条件", ""))

    def col(name, lo=None, hi=None, zh=""):
        x = numeric(df, name, missing=np.nan, required=~excluded)
        if lo is not None:
            in_range(x, df, name, lo, hi, f"{name}_range", zh, skip=excluded | np.isnan(x))
        return x

    # 1. self-report (六.1): the experts' score within its tier
    sr_max = policy.get(f"{NS}.self_report.max")
    sr = col("self_report")
    _check_self_report_tiers(df, excluded, policy)
    check((sr > sr_max) & ~excluded, df, "self_report", "self_report_range", f"above {sr_max}", f"超过{sr_max}分", sr)

    # 2. review (六.2): weighted ratings, exact integer weights, rescaled to the component maximum
    scale = policy.get(f"{NS}.review.rating_scale")
    w, denom = exact_weights(policy.get(f"{NS}.review.weights"), ("panel", "teachers", "parents"),
                             f"{NS}.review.weights")
    rev_max = policy.get(f"{NS}.review.max")
    weighted = np.zeros(len(df))
    for wi, name in zip(w, ("panel", "teachers", "parents"), strict=True):
        weighted = weighted + int(wi) * col(name, 0, scale, "评议分数")
    review = weighted * rev_max / (denom * scale)

    # 3. achievements (六.3) and 4. conduct (六.4): normalised to the top candidate of the round
    ach = col("achievement_points", 0, np.inf, "政绩证件分数不能为负")
    base = col("monthly_base", 0, np.inf, "月考核基数不能为负")
    absent = col("absenteeism_days", 0, np.inf, "旷工天数不能为负")
    personal = col("personal_leave_days", 0, np.inf, "事假天数不能为负")
    sick = col("sick_leave_days", 0, np.inf, "病假天数不能为负")
    ranked = ~excluded
    rounds = df["round"].astype(object).to_numpy() if "round" in df.columns else np.zeros(len(df), dtype=object)
    check(pd.isna(rounds) & ranked, df, "round", "missing", "recruitment round is missing", "聘任轮次缺失")
    in_scope = ranked if scope == "round_after_vetoes" else np.ones(len(df), bool)

    def top_in_round(x):
        s = pd.Series(np.where(in_scope, x, np.nan), index=idx)
        return s.groupby(pd.Series(rounds, index=idx).astype(str)).transform("max").to_numpy()

    ach_max = policy.get(f"{NS}.achievements.max")
    top = top_in_round(ach)
    achievements = np.where(top > 0, ach_max * ach / np.where(top > 0, top, 1.0), 0.0)

    c_max = policy.get(f"{NS}.conduct.max")
    zero = policy.get(f"{NS}.conduct.zeroing")
    zeroed = ((absent > zero["absenteeism_days_over"]) | (personal >= zero["personal_leave_days"])
              | (sick >= policy.get(f"{NS}.conduct.sick_leave_month_days")))
    if policy.get(f"{NS}.conduct.normalise_before_zeroing"):
        top_b = top_in_round(base)
    else:
        top_b = top_in_round(np.where(zeroed, np.nan, base))
    conduct = np.where((top_b > 0) & ~zeroed, c_max * base / np.where(top_b > 0, top_b, 1.0), 0.0)

    # 5. exam (六.5) and 6. on-site (六.6)
    full = policy.get(f"{NS}.exam.full_marks")
    exam = col("exam", 0, full, "理论考试成绩") * policy.get(f"{NS}.exam.max") / full
    talk = col("talk", 0, policy.get(f"{NS}.onsite.talk_max"), "说课得分")
    defence = col("defence", 0, policy.get(f"{NS}.onsite.defence_max"), "答辩得分")
    onsite = talk + defence

    comps = {
        "self_report_score": sr, "review_score": review, "achievements_score": achievements,
        "conduct_score": conduct, "exam_score": exam, "onsite_score": onsite,
    }
    out = df.copy()
    total = np.zeros(len(df))
    for name, v in comps.items():
        v = snap(np.where(excluded, np.nan, v))
        out[name] = v
        total = total + v
    out["total"] = snap(total)
    out["achievements_top"] = np.where(excluded, np.nan, top)   # the round's maxima the scores are relative to
    out["conduct_top"] = np.where(excluded, np.nan, top_b)
    out["conduct_zeroed"] = np.where(excluded, False, zeroed)
    out["excluded_reason"] = excluded_reason
    out = _rank(out, rounds, policy)
    return out


def _rank(out: pd.DataFrame, rounds: np.ndarray, policy: Policy) -> pd.DataFrame:
    tie_break = policy.get(f"{NS}.ranking.tie_break")
    tb_col = {"onsite": "onsite_score", "exam": "exam_score", "none": None}[tie_break]
    r = pd.Series(rounds, index=out.index).astype(str)
    total = out["total"]
    out["rank"] = total.groupby(r).rank(method="min", ascending=False)
    tb = out[tb_col] if tb_col else pd.Series(0.0, index=out.index)
    order = pd.DataFrame({"r": r, "total": total, "tb": tb, "i": np.arange(len(out))}, index=out.index)
    order = order[total.notna()].sort_values(["r", "total", "tb", "i"], ascending=[True, False, False, True])
    pos = order.groupby("r").cumcount() + 1
    out["rank_order"] = pos.reindex(out.index).astype("float64")
    same_prev = (order["r"] == order["r"].shift()) & (order["total"] == order["total"].shift()) & \
        (order["tb"] == order["tb"].shift())
    same_next = (order["r"] == order["r"].shift(-1)) & (order["total"] == order["total"].shift(-1)) & \
        (order["tb"] == order["tb"].shift(-1))
    tied = same_prev | same_next
    group = (~same_prev).cumsum()  # consecutive rows with equal (round, total, tie-break) share a group
    out["tie_unresolved"] = tied.reindex(out.index, fill_value=False).astype(bool)
    out["tie_group"] = group.where(tied).reindex(out.index).astype("float64")
    return out


def appoint(scores: pd.DataFrame, openings, policy: Policy | None = None) -> pd.DataFrame:
    """Fill ``openings`` posts from the ranked list; the rest form the waiting list (P4 六.7).

    ``scores`` is the output of :func:`recruitment_scores`; ``openings`` an int (one round) or a
    mapping round → int.  Adds ``appointed`` (rank_order ≤ openings), ``waiting_list`` (1, 2, … in
    rank order for those not appointed; NaN for appointed and excluded) and ``tie_at_line`` (an
    unresolved tie straddles the appointment line: the panel must decide — never settled silently).
    """
    policy = policy_or_default(policy)
    require_columns(scores, ["rank_order", "total", "tie_unresolved"], "appoint")
    rounds = scores["round"].astype(str) if "round" in scores.columns else pd.Series("0", index=scores.index)
    if isinstance(openings, dict):
        n = rounds.map({str(k): v for k, v in openings.items()})
        check(n.isna().to_numpy() & scores["total"].notna().to_numpy(), scores.index, "round", "no_openings",
              "no number of openings given for this round", "未给出该轮聘任名额", rounds.to_numpy())
        n = n.fillna(0).to_numpy(dtype="float64")
    else:
        if isinstance(openings, bool) or not isinstance(openings, (int, np.integer)) or openings < 0:
            raise ScoringInputError(f"openings must be a whole number ≥ 0, got {openings!r} / 聘任名额应为非负整数",
                                    column="openings", rule="bad_openings")
        n = np.full(len(scores), float(openings))
    pos = scores["rank_order"].to_numpy(dtype="float64")
    appointed = pos <= n
    out = scores.copy()
    out["appointed"] = appointed
    out["waiting_list"] = np.where(~appointed & ~np.isnan(pos), pos - n, np.nan)
    # an unresolved tie group straddles the line if it has members on both sides of it
    group = scores["tie_group"] if "tie_group" in scores.columns else pd.Series(np.nan, index=scores.index)
    tied = group.notna().to_numpy()
    straddle = np.zeros(len(scores), dtype=bool)
    if tied.any():
        g = pd.Series(appointed[tied]).groupby(group.to_numpy()[tied])
        straddle[tied] = (g.transform("any") & ~g.transform("all")).to_numpy(dtype=bool)
    out["tie_at_line"] = straddle
    if not policy.get(f"{NS}.ranking.waiting_list"):
        out["waiting_list"] = np.nan
    return out


__all__ = ["age_in_years", "recruitment_eligibility", "recruitment_scores", "appoint", "self_report_tier_problems",
           "COMPONENTS"]
