"""Class-teacher duty rules (P2 2016 and P3 2012 versions of one template; spec §7).

Both versions define the same ``duty`` parameter paths; ``policy.load(variant="P3")`` swaps the
default P2 for P3, and ``policy.diff(load(variant="P2"), load(variant="P3"), "duty")`` shows where
they differ: the hospital certificate for a health exemption (P2 三.2 county level or above, P3
三.2 grade 二甲 or above — ordered levels as data) and the sanctions (P2 五.4–五.5 vs P3 五.4–五.5).
Every function here takes ``policy=`` and gives each version's answer for the same input.

* :func:`exemptions` — may a teacher be excused (三.2, 三.4): pregnant ≥ 24 weeks, within one
  year after giving birth, or health with a certificate from a hospital at or above the level;
  the written request is due before 1 June.
* :func:`performance_points` — points per year of service (P3 五.1): ``2 + (k − 1) + senior_or_admin``.
* :func:`counted_terms` — terms served, two full years of an interrupted (maternity) term counting
  as one (P3 五.1).
* :func:`sanctions` / :func:`barred` — refusing the duty or being dismissed mid-term (五.4, 五.5).
* :func:`appointment_readiness` — training, assistant year, staff expected to serve (三.1, 三.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import policy_or_default
from ..policy import Policy, PolicyError
from ._common import as_frame, booleans, check, integer_counts, numeric, require_columns, shaped

NS = "duty"
REASONS = ("pregnancy", "postpartum", "health", "other")
EVENTS = ("served", "refused", "dismissed")
_SANCTION_OF = {"refused": "refusal", "dismissed": "dismissal"}


# --------------------------------------------------------------------------------------------
# Performance points (P3 五.1; P2 五.1 defers to the school's scheme)
# --------------------------------------------------------------------------------------------
def performance_points(term, senior_or_admin=False, policy: Policy | None = None):
    """Performance points per year for a teacher in their ``term``-th term (届) of class-teacher duty.

    P3 五.1: first term 2 points a year; each further term 1 more; full/associate senior lecturers
    and administrative staff (级长, 组长, 办事员, 正/副主任) 1 more:
    ``first_term + per_further_term × (term − 1) + senior_or_admin × senior_or_admin_points``
    (``duty.performance_points``).  ``term`` must be a whole number ≥ 1.  Scalars give a number,
    arrays an array, Series a Series.
    """
    policy = policy_or_default(policy)
    frame, kind, index = as_frame({"term": term, "senior_or_admin": senior_or_admin})
    p = policy.get(f"{NS}.performance_points")
    k = integer_counts(frame, "term")
    check(k < 1, frame, "term", "term_below_1", "term must be 1 or more (the first term is 1)",
          "任职届数应从 1 开始", k)
    extra = booleans(frame, "senior_or_admin")
    points = p["first_term"] + p["per_further_term"] * (k - 1) + np.where(extra, p["senior_or_admin"], 0)
    return shaped(points, kind, index, "performance_points")


def counted_terms(completed_terms, interrupted_years=0, policy: Policy | None = None):
    """Terms counted for performance points: completed cohorts plus, for service interrupted by
    maternity or similar reasons, one term per ``duty.maternity_years_per_term`` full years
    (P3 五.1: 因生育等特殊原因者满2年为一届; 满 = at least, so 2 years → 1 term, 3 → 1, 4 → 2)."""
    policy = policy_or_default(policy)
    frame, kind, index = as_frame({"completed_terms": completed_terms, "interrupted_years": interrupted_years})
    done = integer_counts(frame, "completed_terms")
    years = integer_counts(frame, "interrupted_years")
    per = int(policy.get(f"{NS}.maternity_years_per_term"))
    return shaped(done + years // per, kind, index, "counted_terms")


def duty_points(history: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Performance points for each year served: rows of ``history`` with event "served" need
    ``term_number`` and ``senior_or_admin``; adds ``performance_points`` (NaN for other events)."""
    policy = policy_or_default(policy)
    require_columns(history, ["duty_event", "term_number", "senior_or_admin"], "duty_points")
    served = (history["duty_event"].astype(object) == "served").to_numpy()
    out = history.copy()
    pts = np.full(len(history), np.nan)
    if served.any():
        sub = history.loc[served]
        pts[served] = performance_points(sub["term_number"].astype("float64").to_numpy(),
                                         booleans(sub, "senior_or_admin"), policy)
    out["performance_points"] = pts
    return out


# --------------------------------------------------------------------------------------------
# Exemptions (三.2, 三.4)
# --------------------------------------------------------------------------------------------
def certificate_rank(levels, policy: Policy | None = None) -> np.ndarray:
    """Position of each hospital level on the policy's ordered scale (0 = lowest); -1 if missing.
    An unknown level raises ScoringInputError."""
    policy = policy_or_default(policy)
    cert = policy.get(f"{NS}.exemption.health_certificate")
    s = pd.Series(levels).astype(object)
    rank = pd.Index(list(cert["levels"])).get_indexer(s.where(s.notna(), None))
    bad = (rank < 0) & s.notna().to_numpy()
    check(bad, s.index, f"certificate_{cert['basis']}", "unknown_level",
          f"unknown hospital level; known (lowest first): {cert['levels']}", "医院等级不在政策所列等级中", s.to_numpy())
    return rank


def exemptions(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """May the teacher be excused from class-teacher duty this year (三.2, 三.4; spec §7)?

    Input: ``exemption_reason`` (pregnancy / postpartum / health / other), ``assignment_date`` (date the duty
    would start), ``request_date`` (written request; empty if none), ``pregnancy_weeks`` (on the
    assignment date; for pregnancy), ``child_birth_date`` (for postpartum) and the certificate
    column the policy names (``certificate_admin_level`` for P2, ``certificate_hospital_grade`` for
    P3; for health).  Adds ``request_on_time`` (dated before 1 June of the assignment year; 前 is
    exclusive — interpretation), ``condition_met`` (the pregnancy / postpartum / certificate test;
    NA for "other", which only the principal's meeting can judge), ``may_be_exempted`` and
    ``exemption_note``.  The request deadline applies to the reasons in
    ``duty.exemption.request_required_for`` (health, other).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["exemption_reason", "assignment_date", "request_date"], "exemptions")
    ex = f"{NS}.exemption"
    reason = df["exemption_reason"].astype(object)
    check(~reason.isin(REASONS).to_numpy(), df, "exemption_reason", "unknown_reason",
          f"reason must be one of {list(REASONS)}", "免任理由应为 pregnancy/postpartum/health/other", reason.to_numpy())
    assign = pd.to_datetime(df["assignment_date"])
    check(assign.isna().to_numpy(), df, "assignment_date", "missing", "assignment date is missing", "聘任日期缺失")
    request = pd.to_datetime(df["request_date"])
    dl = policy.get(f"{ex}.request_deadline")
    deadline = pd.to_datetime(pd.DataFrame({"year": assign.dt.year, "month": dl["month"], "day": dl["day"]}))
    on_time = (request.notna() & (request < deadline)).to_numpy()

    is_preg = (reason == "pregnancy").to_numpy()
    is_post = (reason == "postpartum").to_numpy()
    is_health = (reason == "health").to_numpy()
    is_other = (reason == "other").to_numpy()

    # pregnancy: 怀孕24周或以上 (以上 includes 24)
    weeks = np.full(len(df), np.nan)
    if is_preg.any():
        require_columns(df, ["pregnancy_weeks"], "exemptions (pregnancy)")
        weeks = numeric(df, "pregnancy_weeks", missing=np.nan, required=is_preg)
        check((weeks < 0) & is_preg, df, "pregnancy_weeks", "negative", "weeks cannot be negative", "孕周不能为负", weeks)
    preg_ok = weeks >= policy.get(f"{ex}.pregnancy_weeks")

    # postpartum: 生育后一年内 (以内 includes the anniversary)
    post_ok = np.zeros(len(df), dtype=bool)
    if is_post.any():
        require_columns(df, ["child_birth_date"], "exemptions (postpartum)")
        born = pd.to_datetime(df["child_birth_date"])
        check(born.isna().to_numpy() & is_post, df, "child_birth_date", "missing",
              "birth date of the child is missing", "生育日期缺失")
        check((born > assign).to_numpy() & is_post, df, "child_birth_date", "after_assignment",
              "child born after the assignment date (use reason pregnancy)", "生育日期晚于聘任日期")
        limit = born + pd.DateOffset(months=int(policy.get(f"{ex}.postpartum_months")))
        post_ok = (assign <= limit).fillna(False).to_numpy(dtype=bool)

    # health: certificate at or above the minimum level of this version's scale
    cert = policy.get(f"{ex}.health_certificate")
    column = f"certificate_{cert['basis']}"
    if cert["minimum"] not in cert["levels"]:
        raise PolicyError(f"{ex}.health_certificate: minimum {cert['minimum']!r} not in levels {cert['levels']}")
    health_ok = np.zeros(len(df), dtype=bool)
    has_cert = np.zeros(len(df), dtype=bool)
    if is_health.any():
        require_columns(df, [column], f"exemptions (health, {policy.param(ex + '.health_certificate').document})")
        level = df[column].astype(object).where(pd.Series(is_health, index=df.index), None)
        rank = certificate_rank(level, policy)
        has_cert = rank >= 0
        health_ok = rank >= list(cert["levels"]).index(cert["minimum"])

    needs_request = reason.isin(list(policy.get(f"{ex}.request_required_for"))).to_numpy()
    condition = np.select([is_preg, is_post, is_health], [preg_ok, post_ok, health_ok], False)
    may = np.where(is_other, on_time, condition & (on_time | ~needs_request))
    condition_out = pd.array(np.where(is_other, pd.NA, condition), dtype="boolean")
    minimum = cert["minimum"]
    note = np.select(
        [is_preg & preg_ok, is_preg, is_post & post_ok, is_post,
         is_health & ~has_cert, is_health & ~health_ok, is_other],
        [f"pregnant ≥ {policy.get(ex + '.pregnancy_weeks')} weeks / 怀孕{policy.get(ex + '.pregnancy_weeks')}周或以上",
         f"pregnant < {policy.get(ex + '.pregnancy_weeks')} weeks / 孕周不足",
         "within one year after birth / 生育后一年内",
         "more than one year after birth / 生育已满一年以上",
         "no hospital certificate / 无医院诊断证明",
         f"certificate below {minimum} / 诊断证明医院等级低于{minimum}",
         "other reason: decided by the principal's meeting / 其他原因由校长办公会议研究决定"],
        f"certificate {minimum} or above / {minimum}或以上医院诊断证明",
    )
    late = needs_request & ~on_time
    note = np.where(late, note + "; written request missing or not before the deadline / 未在6月1日前提交书面申请", note)
    out = df.copy()
    out["request_on_time"] = on_time
    out["condition_met"] = condition_out
    out["may_be_exempted"] = may.astype(bool)
    out["exemption_note"] = note
    return out


# --------------------------------------------------------------------------------------------
# Sanctions (五.4 refusal, 五.5 dismissal)
# --------------------------------------------------------------------------------------------
def sanctions(history: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The sanction each refusal or mid-term dismissal carries under the policy's version.

    Input: ``staff_id, academic_year`` (school year, e.g. 2025 for 2025–2026) and ``duty_event``
    (served / refused / dismissed).  Output, one row per refusal or dismissal: ``sanction`` (refusal /
    dismissal), ``withheld_qualifications`` (qualifications withheld, 、-separated), ``barred_from``,
    ``barred_to`` (school years, inclusive), ``sanction_mandatory`` (P2 取消: true; P3 可取消: false, up to),
    ``duty_reapply_from`` (first year the teacher may apply for the duty again; NaN = no wait),
    ``clause`` and ``text``.  P2: refusal → 3 years (the refusal year and the next two); dismissal
    → that year.  P3: refusal → that year (may) and no new application for 3 years; dismissal → up to
    3 years (may).  Year counting: ``duty.sanctions.years_counting`` (interpretation).
    """
    policy = policy_or_default(policy)
    require_columns(history, ["staff_id", "academic_year", "duty_event"], "sanctions")
    event = history["duty_event"].astype(object)
    check(~event.isin(EVENTS).to_numpy(), history, "duty_event", "unknown_event",
          f"event must be one of {list(EVENTS)}", "事件应为 served/refused/dismissed", event.to_numpy())
    year = integer_counts(history, "academic_year")
    hit = event.isin(list(_SANCTION_OF)).to_numpy()
    h = history.loc[hit, ["staff_id", "academic_year", "duty_event"]].copy()
    y = year[hit]
    kind = h["duty_event"].astype(object).map(_SANCTION_OF)
    counting = policy.get(f"{NS}.sanctions.years_counting")
    cols = {}
    for field in ("years", "mandatory", "reapply_after_years"):
        cols[field] = kind.map({k: policy.get(f"{NS}.sanctions.{k}")[field] for k in _SANCTION_OF.values()})
    withheld = kind.map({k: "、".join(policy.get(f"{NS}.sanctions.{k}")["withheld"]) for k in _SANCTION_OF.values()})
    years = cols["years"].to_numpy(dtype=np.int64)
    start = y if counting == "from_event_year" else y + 1
    reapply = cols["reapply_after_years"].to_numpy(dtype=np.int64)
    out = h.reset_index(drop=True)
    out["academic_year"] = y
    out["sanction"] = kind.to_numpy()
    out["withheld_qualifications"] = withheld.to_numpy()
    out["barred_from"] = start
    out["barred_to"] = start + years - 1
    out["sanction_mandatory"] = cols["mandatory"].to_numpy(dtype=bool)
    out["duty_reapply_from"] = np.where(reapply > 0, y + reapply, np.nan)
    out["document"] = kind.map({k: policy.param(f"{NS}.sanctions.{k}").document for k in _SANCTION_OF.values()}).to_numpy()
    out["clause"] = kind.map({k: policy.param(f"{NS}.sanctions.{k}").clause for k in _SANCTION_OF.values()}).to_numpy()
    out["text"] = kind.map({k: policy.param(f"{NS}.sanctions.{k}").text for k in _SANCTION_OF.values()}).to_numpy()
    return out


def barred(history: pd.DataFrame, year: int, policy: Policy | None = None) -> pd.DataFrame:
    """Per teacher with a refusal or dismissal: the position in school ``year``.

    Columns: ``staff_id``, ``awards_barred`` (some qualification is withheld that year),
    ``sanction_mandatory`` (withheld for certain, not just "may be"), ``withheld_qualifications``,
    ``may_apply_for_duty``
    (False while a P3-style wait after a refusal runs).
    """
    policy = policy_or_default(policy)
    s = sanctions(history, policy)
    covers = (s["barred_from"] <= year) & (year <= s["barred_to"])
    waiting = s["duty_reapply_from"].notna() & (year < s["duty_reapply_from"])
    s = s.assign(covers=covers, waiting=waiting, mand=covers & s["sanction_mandatory"])
    out = s.groupby("staff_id", sort=True).agg(
        awards_barred=("covers", "any"), sanction_mandatory=("mand", "any"), waiting=("waiting", "any")).reset_index()
    items = (s.loc[covers, ["staff_id", "withheld_qualifications"]]
             .assign(item=lambda d: d["withheld_qualifications"].str.split("、"))
             .explode("item")[["staff_id", "item"]].drop_duplicates().sort_values(["staff_id", "item"]))
    joined = out["staff_id"].map(items.groupby("staff_id")["item"].agg("、".join)).astype(object)
    out["withheld_qualifications"] = joined.where(joined.notna(), "")
    out["may_apply_for_duty"] = ~out.pop("waiting")
    return out


def sanctions_by_variant(history: pd.DataFrame, policies: dict[str, Policy]) -> pd.DataFrame:
    """The same history under several versions side by side: one block of :func:`sanctions`
    columns per version, keyed by (staff_id, academic_year, duty_event).  ``policies`` maps a label (e.g. "P2")
    to a Policy."""
    frames = []
    for label, pol in policies.items():
        s = sanctions(history, pol)[["staff_id", "academic_year", "duty_event", "withheld_qualifications",
                                     "barred_from", "barred_to", "sanction_mandatory", "duty_reapply_from"]]
        s = s.set_index(["staff_id", "academic_year", "duty_event"])
        s.columns = [f"{c}_{label}" for c in s.columns]
        frames.append(s)
    return pd.concat(frames, axis=1).reset_index()


# --------------------------------------------------------------------------------------------
# Appointment conditions (三.1, 三.3)
# --------------------------------------------------------------------------------------------
def appointment_readiness(df: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Who may be appointed and who is expected to take the duty (三.1, 三.3).

    Input: ``trained`` (class-teacher training done), ``assistant_years`` (full years as
    assistant class teacher), ``assistant_passed`` (appraisal passed), ``years_without_duty``.
    Adds ``may_be_appointed`` (trained if required, and ≥ ``assistant_years`` full years as
    assistant with a pass — 原则上, so a flag for the principal, not a bar) and
    ``expected_to_serve`` (no duty for ≥ ``idle_years_expected`` years; 以上 includes).
    """
    policy = policy_or_default(policy)
    require_columns(df, ["trained", "assistant_years", "assistant_passed", "years_without_duty"],
                    "appointment_readiness")
    a = f"{NS}.appointment"
    trained = booleans(df, "trained")
    years = numeric(df, "assistant_years")
    check(years < 0, df, "assistant_years", "negative", "years cannot be negative", "年数不能为负", years)
    passed = booleans(df, "assistant_passed")
    idle = numeric(df, "years_without_duty")
    check(idle < 0, df, "years_without_duty", "negative", "years cannot be negative", "年数不能为负", idle)
    ok = (trained | (not policy.get(f"{a}.training_required"))) & (years >= policy.get(f"{a}.assistant_years")) & passed
    out = df.copy()
    out["may_be_appointed"] = ok
    out["expected_to_serve"] = idle >= policy.get(f"{a}.idle_years_expected")
    return out


__all__ = ["performance_points", "counted_terms", "duty_points", "certificate_rank", "exemptions",
           "sanctions", "barred", "sanctions_by_variant", "appointment_readiness", "REASONS", "EVENTS"]
