"""The monthly appraisal written the straightforward way: one Python loop over rows (P5 §3, §4).

This is the "before" of the appraisal benchmark and an independent reference for the vectorised
:func:`staffcalc.scoring.appraisal.monthly_appraisal`: it reads the same policy parameters directly
from ``Policy.params`` (not through the staffcalc table helpers) and applies the rules one
teacher-month at a time with dicts and floats:

* bonus / deduction: for every event row, ``points × count`` is added to its teacher-month
  (P5 §4(四), §4(五)); a forfeiting code with a non-zero count forfeits the month's allowance
  (§4(五)3);
* section score: ``max(section_floor, max − per_item × failed)`` (§4(一)–(三), spec §5.1), summed;
* score = base + bonus − deduction, rounded to 9 decimals like the vectorised code (noise removal;
  with whole-point catalogues it changes nothing); clipped only if ``appraisal.clip_score``;
* grade: the highest band whose lower bound the score reaches (§3, half-open bands);
* allowance: ``appraisal.allowance.monthly[grade]``, 0 if forfeited (spec §5.7).

It is not a strawman: columns are read once into Python lists and zipped (no ``iterrows``), lookups
are dicts.  Errors (unknown code, too many failed items, events without items) raise ``ValueError``.
"""

from __future__ import annotations

import pandas as pd

NS = "appraisal"


def _children(policy, prefix: str) -> dict[str, object]:
    head = prefix + "."
    return {p[len(head):]: policy.get(p) for p in policy.params
            if p.startswith(head) and "." not in p[len(head):]}


def rules(policy) -> dict:
    """The P5 parameters the loop needs, read straight from the policy."""
    sections = []
    for key, v in _children(policy, f"{NS}.sections").items():
        sections.append(("fail_" + key.lower(), v["max"], v["items"], v["per_item"]))
    codes = {}
    for kind in ("bonus", "deduction"):
        for code, v in _children(policy, f"{NS}.{kind}").items():
            points = v["points"] if isinstance(v, dict) else v
            forfeits = bool(v.get("forfeits_allowance", False)) if isinstance(v, dict) else False
            codes[code] = (kind == "bonus", float(points), forfeits)
    bands = sorted(((float(b), g) for g, b in policy.get(f"{NS}.grade_bands").items()), reverse=True)
    return {
        "sections": sections,
        "floor": policy.get(f"{NS}.section_floor"),
        "codes": codes,
        "bands": bands,
        "clip": bool(policy.get(f"{NS}.clip_score")),
        "top": float(sum(s[1] for s in sections)),
        "allowance": policy.get(f"{NS}.allowance.monthly"),
    }


def monthly_appraisal_rowwise(items: pd.DataFrame, events: pd.DataFrame, policy) -> pd.DataFrame:
    """Row-by-row monthly appraisal: returns staff_id, period, bonus, deduction,
    allowance_forfeited, base_score, score, grade, allowance (one row per items row, same order)."""
    r = rules(policy)
    codes, floor, bands, amounts = r["codes"], r["floor"], r["bands"], r["allowance"]

    points: dict[tuple, list] = {}
    for sid, per, code, count in zip(events["staff_id"].tolist(), events["period"].tolist(),
                                     events["code"].tolist(), events["count"].tolist()):
        if code not in codes:
            raise ValueError(f"unknown event code {code!r} / 未知的加减分代码")
        is_bonus, pts, forfeits = codes[code]
        acc = points.setdefault((sid, per), [0.0, 0.0, False])
        if is_bonus:
            acc[0] += pts * count
        else:
            acc[1] += pts * count
        if forfeits and count > 0:
            acc[2] = True

    cols = [items[c].tolist() for c, *_ in r["sections"]]
    limits = [(mx, n_items, per_item) for _, mx, n_items, per_item in r["sections"]]
    out_bonus, out_ded, out_forf, out_base, out_score, out_grade, out_allow = [], [], [], [], [], [], []
    seen = set()
    for i, (sid, per) in enumerate(zip(items["staff_id"].tolist(), items["period"].tolist())):
        if (sid, per) in seen:
            raise ValueError(f"row {i}: two rows for {sid} {per} / 同一教师同一月份重复")
        seen.add((sid, per))
        base = 0
        for col, (mx, n_items, per_item) in zip(cols, limits):
            failed = col[i]
            if failed < 0 or failed > n_items:
                raise ValueError(f"row {i}: {failed} failed items, section has {n_items} / 不合格项数超出范围")
            base += max(floor, mx - per_item * failed)
        bonus, deduction, forfeited = points.get((sid, per), (0.0, 0.0, False))
        score = round(base + bonus - deduction, 9)
        if r["clip"]:
            score = min(max(score, 0.0), r["top"])
        grade = None
        for bound, name in bands:
            if score >= bound:
                grade = name
                break
        out_bonus.append(bonus)
        out_ded.append(deduction)
        out_forf.append(forfeited)
        out_base.append(float(base))
        out_score.append(score)
        out_grade.append(grade)
        out_allow.append(0.0 if forfeited else float(amounts[grade]))
    orphans = set(points) - seen
    if orphans:
        raise ValueError(f"events for {len(orphans)} teacher-month(s) without items / 有加减分记录但缺少考核项目记录")
    return pd.DataFrame({
        "staff_id": items["staff_id"].tolist(), "period": items["period"].tolist(),
        "bonus": out_bonus, "deduction": out_ded, "allowance_forfeited": out_forf, "base_score": out_base,
        "score": out_score, "grade": out_grade, "allowance": out_allow,
    })


COMPARED = ("bonus", "deduction", "allowance_forfeited", "base_score", "score", "grade", "allowance")


def differences(vectorised: pd.DataFrame, rowwise: pd.DataFrame) -> dict[str, int]:
    """Number of rows where each compared column differs (exact equality; grades as strings)."""
    out = {}
    for c in COMPARED:
        a, b = vectorised[c], rowwise[c]
        if c == "grade":
            a, b = a.astype(object).astype(str), b.astype(object).astype(str)
        out[c] = int((a.to_numpy() != b.to_numpy()).sum())
    out["staff_id"] = int((vectorised["staff_id"].astype(str).to_numpy() != rowwise["staff_id"].astype(str).to_numpy()).sum())
    out["period"] = int((vectorised["period"].astype(str).to_numpy() != rowwise["period"].astype(str).to_numpy()).sum())
    return out


__all__ = ["COMPARED", "differences", "monthly_appraisal_rowwise", "rules"]
