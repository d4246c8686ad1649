"""Review and voting rules of post appointment (spec §4; P6 §19–§31).

* :func:`quorum_met` — P6 §26(一): attending members must reach 2/3 of all members
  (``3*attending >= 2*members``; 达到 includes equality).
* :func:`vote_passes` — P6 §26(二): unit bodies need yes votes 超过 half of *all* members
  (``2*yes > members``, equality fails), exceptional 达到 2/3 of all members; the school body needs
  2/3 of members *attending*, exceptional full-senior 4/5 of attending.  No vote is valid without a
  quorum; no proxy votes (§26(三)), so ``yes`` can never exceed ``attending``.
* :func:`peer_review_passes` — P6 §25(四): at least 5 external reviewers for full-senior, 3 for
  associate; 2 or more "not pass" stop the applicant; exceptional applicants need every review to
  pass and "excellent" from at least half (``2*excellent >= reviewers``).
* Shortlist (§25(三)), committee composition (§19–§22), near-relative conflicts (§23), appeal
  deadlines (§31), publicity (§25(五)) and the four-year term (§29).

Thresholds are numerator/denominator pairs from ``policies/p6_wuhan_posts.yaml`` compared in exact
integer arithmetic.  Every function accepts scalars or arrays (numpy, pandas) and returns the same
shape; scalars in → Python ``bool``/``int``/``datetime.date`` out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import checks as _checks
from .checks import RuleInputError, policy_or_default
from .dates import add_months
from .policy import Policy

BODIES = ("unit", "school")


class ReviewError(RuleInputError):
    """Bad input to a review calculation; names the argument, the row(s) and the rule."""


# The shared input checks (staffcalc.checks), raising ReviewError.  Arguments may be scalars, arrays
# or Series; messages name their positions 0, 1, … (a scalar is row 0).
check, require_columns, booleans, dates = _checks.raising(
    ReviewError, _checks.check, _checks.require_columns, _checks.booleans, _checks.dates)


def _ints(value, name: str, minimum: int = 0) -> np.ndarray:
    """A whole-number argument (scalar, array or Series) as int64 of the same shape, ``>= minimum``."""
    return _checks.integers(np.asarray(value), name, minimum=minimum, error=ReviewError)


def _bools(value, name: str) -> np.ndarray:
    """A yes/no argument (scalar, array or Series) as a bool array of the same shape."""
    arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    frame = pd.DataFrame({name: arr.ravel()})
    return booleans(frame, name).reshape(arr.shape)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _out(result: np.ndarray, *inputs):
    """Scalar for all-scalar inputs; a Series keeps the index of a Series input; else an array."""
    if all(np.ndim(v) == 0 for v in inputs):
        r = np.asarray(result).reshape(-1)[0]
        return bool(r) if np.asarray(result).dtype.kind == "b" else int(r)
    for v in inputs:
        if isinstance(v, pd.Series):
            return pd.Series(np.broadcast_to(result, v.shape).copy(), index=v.index)
    return np.asarray(result)


def _meets(count: np.ndarray, base: np.ndarray, frac: dict) -> np.ndarray:
    """``count`` reaches ``num/den`` of ``base``: inclusive (达到, 及以上) ``den*count >= num*base``;
    strict (超过) ``den*count > num*base``."""
    num, den = int(frac["numerator"]), int(frac["denominator"])
    if frac.get("inclusive", True):
        return den * count >= num * base
    return den * count > num * base


def _least(base: np.ndarray, frac: dict) -> np.ndarray:
    """Smallest count that meets ``frac`` of ``base``."""
    num, den = int(frac["numerator"]), int(frac["denominator"])
    if frac.get("inclusive", True):
        return -((-num * base) // den)
    return (num * base) // den + 1


def _check_members(members, attending) -> tuple[np.ndarray, np.ndarray]:
    m = _ints(members, "members", minimum=1)
    a = _ints(attending, "attending", minimum=0)
    m, a = np.broadcast_arrays(m, a)
    check(a > m, None, "attending", "attending_over_members", "more members attending than the body has",
          "实到人数超过应到人数", a)
    return m, a


# --------------------------------------------------------------------------------------------
# quorum and votes (§26)
# --------------------------------------------------------------------------------------------
def quorum_met(members, attending, policy: Policy | None = None):
    """P6 §26(一) 到会成员须达到应到成员的三分之二: ``3*attending >= 2*members`` (exact integers).

    15 members: 10 attending meets the quorum (30 ≥ 30), 9 does not.
    """
    pol = policy_or_default(policy)
    m, a = _check_members(members, attending)
    return _out(_meets(a, m, pol.get("review.quorum")), members, attending)


def _threshold(pol: Policy, body: str, exceptional: bool) -> dict:
    if body not in BODIES:
        raise ReviewError(f"body: {body!r} is not one of {list(BODIES)} (P6 §26(二)) / 未知的评审组织")
    return pol.get(f"review.votes.{body}.{'exceptional' if exceptional else 'normal'}")


def votes_needed(body, members, attending, exceptional=False, policy: Policy | None = None):
    """Least yes votes that pass (P6 §26(二)); the count a planner reads off before the vote."""
    pol = policy_or_default(policy)
    m, a = _check_members(members, attending)
    exc = np.broadcast_to(_bools(exceptional, "exceptional"), m.shape)
    out = np.zeros(np.shape(m), dtype=np.int64)
    for flag in (False, True):
        frac = _threshold(pol, body, flag)
        base = m if frac["base"] == "members" else a
        out = np.where(exc == flag, _least(base, frac), out)
    return _out(out, members, attending, exceptional)


def vote_passes(body, yes, members, attending, exceptional=False, policy: Policy | None = None):
    """Whether a secret ballot passes (P6 §26).

    ``body`` "unit": yes votes 超过 half of all members (``2*yes > members``; 8 of 15 pass, 7 fail;
    with 14 members 7 fails — equality is not 超过); exceptional (破格): 达到 2/3 of all members
    (``3*yes >= 2*members``; 10 of 15).  ``body`` "school": 达到 2/3 of members attending
    (``3*yes >= 2*attending``; 8 of 12 attending); exceptional — P6 says 破格申请正高级岗位, so pass
    ``exceptional=True`` for an exceptional *full-senior* application — 4/5 of attending
    (``5*yes >= 4*attending``; 10 of 12).  Without a quorum (§26(一)) no vote passes.  ``yes`` above
    ``attending`` is an error: no proxy votes (§26(三)).
    """
    pol = policy_or_default(policy)
    m, a = _check_members(members, attending)
    y = _ints(yes, "yes")
    y, m, a = np.broadcast_arrays(y, m, a)
    if not pol.get("review.proxy_votes_allowed"):
        check(y > a, None, "yes", "proxy_votes", "more yes votes than members attending — no proxy votes (P6 §26(三))",
              "同意票多于实到人数（不得委托投票）", y)
    exc = np.broadcast_to(_bools(exceptional, "exceptional"), y.shape)
    passed = np.zeros(y.shape, dtype=bool)
    for flag in (False, True):
        frac = _threshold(pol, body, flag)
        base = m if frac["base"] == "members" else a
        passed = np.where(exc == flag, _meets(y, base, frac), passed)
    quorum = _meets(a, m, pol.get("review.quorum"))
    return _out(passed & quorum, yes, members, attending, exceptional)


# --------------------------------------------------------------------------------------------
# external peer review (§25(四))
# --------------------------------------------------------------------------------------------
def peer_review_passes(reviewers, failed, excellent, target, exceptional=False, policy: Policy | None = None):
    """External peer review result (P6 §25(四)).

    Needs at least ``review.peer_review.min_reviewers[target]`` reviewers (full 5, associate 3; fewer
    → does not pass); 2 or more "not pass" stop the applicant (1 of 5 failing still passes);
    exceptional (破格): every review passes and ``2*excellent >= reviewers`` (半数及以上: 3 of 5,
    2 of 4).  ``failed + excellent`` may not exceed ``reviewers`` (an excellent review is a pass).
    ``target`` is "full" or "associate" (scalar or array).
    """
    pol = policy_or_default(policy)
    n = _ints(reviewers, "reviewers")
    f = _ints(failed, "failed")
    e = _ints(excellent, "excellent")
    n, f, e = np.broadcast_arrays(n, f, e)
    check(f + e > n, None, "failed/excellent", "reviews_over_reviewers",
          "more failed plus excellent reviews than reviewers", "未通过与优秀评价数之和超过评议专家数")
    mins = pol.get("review.peer_review.min_reviewers")
    tgt = np.broadcast_to(np.asarray(target.to_numpy() if isinstance(target, pd.Series) else target, dtype=object), n.shape)
    known = np.isin(tgt, list(mins))
    if not np.all(known):
        bad = sorted(set(map(str, np.asarray(tgt)[~known])))
        check(~known, None, "target", "unknown_post", f"unknown post {bad}; expected {sorted(mins)}", "未知的申报岗位",
              tgt)
    need = np.zeros(n.shape, dtype=np.int64)
    for t, k in mins.items():
        need = np.where(tgt == t, int(k), need)
    stop = int(pol.get("review.peer_review.stop_failed"))
    exc = np.broadcast_to(_bools(exceptional, "exceptional"), n.shape)
    normal = (n >= need) & (f < stop)
    special = (n >= need) & (f == 0) & _meets(e, n, pol.get("review.peer_review.exceptional_excellent"))
    return _out(np.where(exc, special, normal), reviewers, failed, excellent, target, exceptional)


def peer_review_exempt(basis, policy: Policy | None = None):
    """May ask to be exempted from external peer review (P6 §25(四)3): holders of a full-senior post at a
    "985" university or a CAS institute, or tenured associate professor or above abroad.
    ``basis`` is the exemption basis per applicant (empty/None = none)."""
    pol = policy_or_default(policy)
    allowed = set(pol.get("review.peer_review.exemption_bases"))
    s = pd.Series(np.atleast_1d(np.asarray(basis.to_numpy() if isinstance(basis, pd.Series) else basis, dtype=object)))
    given = s.notna() & (s.astype(str).str.strip() != "")
    unknown = given & ~s.isin(allowed)
    if unknown.any():
        check(unknown.to_numpy(), None, "peer_review_exemption", "unknown_basis",
              f"unknown basis {sorted(set(s[unknown].astype(str)))}; known {sorted(allowed)}", "未知的免评依据", s)
    return _out(given.to_numpy(), basis)


# --------------------------------------------------------------------------------------------
# shortlist (§25(三))
# --------------------------------------------------------------------------------------------
def shortlist_max(posts, policy: Policy | None = None):
    """Most candidates the professors' meeting may pass: 不超过推荐岗位数的2倍 → ``2 × posts``."""
    pol = policy_or_default(policy)
    p = _ints(posts, "posts")
    return _out(int(pol.get("review.shortlist_max_multiple")) * p, posts)


def shortlist_ok(shortlisted, posts, policy: Policy | None = None):
    """``shortlisted <= 2 × posts`` (不超过 includes equality: 6 for 3 posts is allowed, 7 is not)."""
    pol = policy_or_default(policy)
    s = _ints(shortlisted, "shortlisted")
    p = _ints(posts, "posts")
    return _out(s <= int(pol.get("review.shortlist_max_multiple")) * p, shortlisted, posts)


# --------------------------------------------------------------------------------------------
# committee composition (§19–§22)
# --------------------------------------------------------------------------------------------
def unit_subcommittee_ok(professors, admin_post_holders, has_dean=True, has_party_secretary=True,
                         policy: Policy | None = None):
    """P6 §21: dean + party secretary + 9–11 professors; holders of unit administrative posts (the dean
    included) 不得超过 40% of all members: ``5*admin <= 2*members`` with members = 2 + professors.
    11 professors (13 members): 5 admin holders allowed (25 ≤ 26), 6 not."""
    pol = policy_or_default(policy)
    rule = pol.get("review.unit_subcommittee")
    p = _ints(professors, "professors")
    adm = _ints(admin_post_holders, "admin_post_holders")
    dean = _bools(has_dean, "has_dean")
    sec = _bools(has_party_secretary, "has_party_secretary")
    members = p + int(rule["leaders"])
    check(adm > members, None, "admin_post_holders", "admin_over_members", "more than the members",
          "行政职务人数超过成员总数", adm)
    share = rule["admin_share_max"]
    ok = ((p >= int(rule["professors_min"])) & (p <= int(rule["professors_max"])) & dean & sec
          & (int(share["denominator"]) * adm <= int(share["numerator"]) * members))
    return _out(ok, professors, admin_post_holders, has_dean, has_party_secretary)


def discipline_panel_ok(experts, full_senior_experts, policy: Policy | None = None):
    """P6 §20: 11–15 experts, all with a full-senior title."""
    pol = policy_or_default(policy)
    rule = pol.get("review.discipline_panel")
    n = _ints(experts, "experts")
    fs = _ints(full_senior_experts, "full_senior_experts")
    ok = (n >= int(rule["min"])) & (n <= int(rule["max"])) & (fs == n)
    return _out(ok, experts, full_senior_experts)


def professors_meeting_needs_joint(professors, policy: Policy | None = None):
    """P6 §22: a unit with 不足15 (fewer than 15) professors forms a joint meeting with related units."""
    pol = policy_or_default(policy)
    p = _ints(professors, "professors")
    return _out(p < int(pol.get("review.professors_meeting_min")), professors)


def committee_composition(members: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Check every body in a ``committee_members`` table (P6 §19–§22).

    One row per committee: committee_id, body, unit_id, year, members, professors, admin_post_holders,
    full_senior_members, experts, composition_ok and composition_problems (text, ``;``-separated).
    """
    pol = policy_or_default(policy)
    require_columns(members, ["committee_id", "body", "member_id", "role", "holds_admin_post", "full_senior"],
                    "table committee_members")
    m = members.assign(
        _one=1,
        _prof=(members["role"] == "professor").astype(int),
        _dean=(members["role"] == "dean").astype(int),
        _sec=(members["role"] == "party_secretary").astype(int),
        _expert=(members["role"] == "expert").astype(int),
        _leader=(members["role"] == "school_leader").astype(int),
        _admin=booleans(members, "holds_admin_post", table="committee_members").astype(int),
        _fs=booleans(members, "full_senior", table="committee_members").astype(int),
    )
    keys = ["committee_id", "body"] + [c for c in ("unit_id", "year") if c in m.columns]
    g = m.groupby(keys, dropna=False, as_index=False)[["_one", "_prof", "_dean", "_sec", "_expert", "_leader", "_admin", "_fs"]].sum()
    g = g.rename(columns={"_one": "members", "_prof": "professors", "_admin": "admin_post_holders",
                          "_fs": "full_senior_members", "_expert": "experts"})
    body = g["body"].to_numpy()
    us = pol.get("review.unit_subcommittee")
    dp = pol.get("review.discipline_panel")
    sc = pol.get("review.school_committee_experts")
    pm = int(pol.get("review.professors_meeting_min"))
    share = us["admin_share_max"]
    admin_pct = f"{int(share['numerator']) / int(share['denominator']):.0%}"
    n, prof, adm = g["members"].to_numpy(), g["professors"].to_numpy(), g["admin_post_holders"].to_numpy()
    is_u, is_d, is_s, is_p = (body == "unit_subcommittee"), (body == "discipline_panel"), (body == "school_committee"), (body == "professors_meeting")
    problems = {
        "§21 needs the dean and the party secretary / 须有院长和党委书记":
            is_u & ((g["_dean"].to_numpy() != 1) | (g["_sec"].to_numpy() != 1)),
        f"§21 professors not {us['professors_min']}–{us['professors_max']} / 教授人数不符":
            is_u & ((prof < int(us["professors_min"])) | (prof > int(us["professors_max"]))),
        f"§21 administrative-post holders above {admin_pct} / 兼任行政职务者超过{admin_pct}":
            is_u & (int(share["denominator"]) * adm > int(share["numerator"]) * n),
        f"§20 panel size not {dp['min']}–{dp['max']} / 学科评议组人数不符":
            is_d & ((n < int(dp["min"])) | (n > int(dp["max"]))),
        "§20 every panel member must be full-senior / 成员须具有正高级职务":
            is_d & (g["full_senior_members"].to_numpy() < n),
        f"§19 experts not {sc['min']}–{sc['max']} / 专家人数不符":
            is_s & ((g["experts"].to_numpy() < int(sc["min"])) | (g["experts"].to_numpy() > int(sc["max"]))),
        f"§22 fewer than {pm} professors: form a joint meeting with related units / 教授不足{pm}人须联合组成教授会":
            is_p & (n < pm),
    }
    text = pd.Series("", index=g.index, dtype=object)
    for label, mask in problems.items():   # seven rules, not rows
        text = text + np.where(mask, label + "; ", "")
    g["composition_problems"] = text.str.rstrip("; ")
    g["composition_ok"] = g["composition_problems"] == ""
    return g.drop(columns=["_dean", "_sec", "_leader"])


def relative_conflicts(applicants: pd.DataFrame, committee_members: pd.DataFrame, relatives: pd.DataFrame,
                       policy: Policy | None = None) -> pd.DataFrame:
    """P6 §23: a near relative of an applicant may not sit on that year's appointment bodies.

    Relations are symmetric.  Returns one row per conflict: application_id, staff_id, member_id,
    committee_id, body, year.  The member must be replaced (the applicant stays eligible).
    """
    pol = policy_or_default(policy)
    cols = ["application_id", "staff_id", "member_id", "committee_id", "body", "year"]
    if not pol.get("eligibility.conflicts.relatives_barred") or relatives is None or committee_members is None:
        return pd.DataFrame(columns=cols)
    pairs = pd.concat([
        relatives[["staff_id", "relative_id"]],
        relatives[["staff_id", "relative_id"]].rename(columns={"staff_id": "relative_id", "relative_id": "staff_id"}),
    ], ignore_index=True).drop_duplicates()
    a = applicants[["application_id", "staff_id", "application_date"]].copy()
    a["year"] = pd.to_datetime(a["application_date"]).dt.year
    hits = a.merge(pairs, on="staff_id").merge(
        committee_members[["committee_id", "body", "year", "member_id"]].astype({"year": "int64"}),
        left_on=["relative_id", "year"], right_on=["member_id", "year"])
    return hits[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# deadlines (§25(五), §29, §31)
# --------------------------------------------------------------------------------------------
def _dates(value) -> tuple[pd.DatetimeIndex, bool, Any]:
    """(dates, scalar input?, the input) for a date argument; missing or not a date is an error."""
    scalar = np.ndim(value) == 0
    frame = pd.DataFrame({"date": np.atleast_1d(value.to_numpy() if isinstance(value, pd.Series) else value)})
    return pd.DatetimeIndex(dates(frame, "date")), scalar, value


def _date_out(idx: pd.DatetimeIndex, scalar: bool, original):
    if scalar:
        return idx[0].date()
    values = idx.values.astype("datetime64[ns]")
    if isinstance(original, pd.Series):
        return pd.Series(values, index=original.index)
    return pd.Series(values)


def _shifted(value, *, days: int = 0, months: int = 0):
    """``value`` (a date or dates) moved by calendar ``months`` (month end kept, Civil Code art. 202)
    and then ``days``; a date in, a date out; an array or Series in, a Series out."""
    idx, scalar, orig = _dates(value)
    return _date_out(pd.DatetimeIndex(add_months(idx, months)) + pd.Timedelta(days=days), scalar, orig)


def appeal_deadline(published, policy: Policy | None = None):
    """Last day to file a written appeal: publication + 7 days (一周内; P6 §31(一), interpretation)."""
    return _shifted(published, days=int(policy_or_default(policy).get("review.appeal.file_within")))


def answer_deadline(received, policy: Policy | None = None):
    """Last day for the body's written answer: one month after receiving the appeal (P6 §31(一))."""
    return _shifted(received, months=int(policy_or_default(policy).get("review.appeal.answer_within_months")))


def second_appeal_deadline(answer_received, policy: Policy | None = None):
    """Last day for a second-level appeal: receipt of the answer + 7 days (P6 §31(二))."""
    return _shifted(answer_received, days=int(policy_or_default(policy).get("review.appeal.second_within")))


def publicity_end(start, policy: Policy | None = None):
    """Last day of the one-week publicity of a unit's decision (P6 §25(五) 公示一周)."""
    return _shifted(start, days=int(policy_or_default(policy).get("review.publicity_days")))


def term_end(start, policy: Policy | None = None):
    """Last day of a four-year appointment term (P6 §29): the day before the fourth anniversary
    (2026-09-01 → 2030-08-31)."""
    years = int(policy_or_default(policy).get("review.term_years"))
    return _shifted(start, months=12 * years, days=-1)


def parameters_used(policy: Policy | None = None) -> pd.DataFrame:
    """Where the review numbers come from: every ``review.*`` parameter with clause and wording."""
    return policy_or_default(policy).references("review")
