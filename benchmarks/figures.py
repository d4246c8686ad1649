"""The benchmark figures, one function each; ``python -m benchmarks.figures NAME --result FILE``
runs one in this (fresh) process and writes its result as JSON (see :mod:`benchmarks.memory`).

Every figure returns ``{"name", "title", "metrics", "checks", "targets", "notes"}``; ``checks`` are
correctness comparisons (they must all be true), ``targets`` the performance targets (PASS/MISS).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import data
from .timing import load, measure, once, target

FULL = {"teacher_months": 1_000_000, "staff": 1_000_000, "leave": 100_000, "leave_months": 60,
        "dask_rows": 10_000_000, "dask_chunk": 500_000, "whatif_staff": 71_429, "kernel_starts": 3,
        "empty_runs": 2, "suite_jobs": [1, 2], "suite_only": [], "rowwise_full_limit_s": 90.0}
QUICK = {"teacher_months": 20_000, "staff": 20_000, "leave": 2_000, "leave_months": 60,
         "dask_rows": 100_000, "dask_chunk": 20_000, "whatif_staff": 3_000, "kernel_starts": 1,
         "empty_runs": 1, "suite_jobs": [1], "suite_only": ["leave_cost_impact"], "rowwise_full_limit_s": 90.0}
MEMORY_LIMIT_MB = 1536  # "peak memory under 1.5 GB for a million staff"
HORIZON_START = "2026-09"


def sizes(quick: bool) -> dict:
    return dict(QUICK if quick else FULL)


def _policy():
    from staffcalc import policy

    return policy.load(data.AS_OF)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _result(name: str, title: str, **kw) -> dict:
    return {"name": name, "title": title, "metrics": kw.get("metrics", {}), "checks": kw.get("checks", {}),
            "targets": kw.get("targets", []), "notes": kw.get("notes", []), "load_after": load()}


# --------------------------------------------------------------------------------------------
# prepare: generate (or reuse) the cached inputs, in its own process so no figure counts it
# --------------------------------------------------------------------------------------------
def prepare(quick: bool, only: list[str]) -> dict:
    s = sizes(quick)
    made = {}
    need = set(only) if only else {"appraisal", "appraisal_rowwise", "quota", "outlook", "leave_cost", "dask"}
    t0 = time.perf_counter()
    if need & {"appraisal", "appraisal_rowwise"}:
        made["teacher_months"] = [str(p) for p in data.teacher_month_files(s["teacher_months"])]
    if need & {"quota", "outlook", "leave_cost"}:
        made["quota"] = [str(p) for p in data.quota_files(s["staff"])]
    if "leave_cost" in need:
        made["leave"] = str(data.leave_file(s["leave"], roster_staff=s["staff"]))
    if "dask" in need:
        made["dask"] = str(data.write_teacher_month_chunks(s["dask_rows"], s["dask_chunk"], progress=_say))
    return _result("prepare", "Benchmark inputs (generated once, reused from bench-data/)",
                   metrics={"seconds": time.perf_counter() - t0, "files": made, "bench_data": str(data.BENCH_DATA)})


# --------------------------------------------------------------------------------------------
# 1. appraisal pipeline vs the numpy floor
# --------------------------------------------------------------------------------------------
def _load_teacher_months(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    items_p, events_p = data.teacher_month_files(n)
    return pd.read_parquet(items_p), pd.read_parquet(events_p)


def _floor_inputs(items: pd.DataFrame, events: pd.DataFrame, pol) -> dict:
    """Pre-extracted arrays and policy tables for the numpy floor (not timed)."""
    from staffcalc.scoring.appraisal import catalogue, grade_bands, sections

    secs = sections(pol)
    cat = catalogue(pol)
    sid, sid_u = pd.factorize(items["staff_id"])
    per, per_u = pd.factorize(items["period"])
    ev_sid = pd.Index(sid_u).get_indexer(events["staff_id"])
    ev_per = pd.Index(per_u).get_indexer(events["period"])
    item_key = sid.astype(np.int64) * len(per_u) + per
    lookup = np.full(len(sid_u) * len(per_u), -1, dtype=np.int64)
    lookup[item_key] = np.arange(len(items))
    row = np.where((ev_sid >= 0) & (ev_per >= 0), lookup[np.maximum(ev_sid, 0) * len(per_u) + np.maximum(ev_per, 0)], -1)
    code = pd.Index(cat["code"].astype(object)).get_indexer(events["code"].astype(object))
    if (row < 0).any() or (code < 0).any():
        raise ValueError("floor inputs: unmatched events or unknown codes in the benchmark data")
    bands = grade_bands(pol)
    names = list(bands)[::-1]
    amounts = pol.get("appraisal.allowance.monthly")
    return {
        "fails": [np.ascontiguousarray(items[c].to_numpy(dtype=np.int64)) for c in secs["column"]],
        "row": row.astype(np.int64), "code": code.astype(np.int64), "count": events["count"].to_numpy(np.int64),
        "points": cat["code_points"].to_numpy(dtype="float64"),
        "is_bonus": (cat["code_kind"] == "bonus").to_numpy(),
        "forfeits": cat["forfeits_allowance"].to_numpy(dtype=bool),
        "max": secs["section_max"].to_numpy(dtype=np.int64), "per": secs["per_item"].to_numpy(dtype=np.int64),
        "floor": int(pol.get("appraisal.section_floor")),
        "bounds": np.array(list(bands.values())[::-1], dtype="float64"), "names": names,
        "amounts": np.array([amounts[g] for g in names], dtype="float64"), "n": len(items),
    }


def floor_pass(f: dict) -> dict:
    """The same rules as one numpy pass over pre-extracted integer arrays (the floor)."""
    n = f["n"]
    pts = f["points"][f["code"]] * f["count"]
    bonus_ev = f["is_bonus"][f["code"]]
    bonus = np.bincount(f["row"], weights=np.where(bonus_ev, pts, 0.0), minlength=n)
    deduction = np.bincount(f["row"], weights=np.where(bonus_ev, 0.0, pts), minlength=n)
    forfeited = np.zeros(n, dtype=bool)
    forfeited[f["row"][f["forfeits"][f["code"]] & (f["count"] > 0)]] = True
    base = np.zeros(n)
    for mx, per, failed in zip(f["max"], f["per"], f["fails"]):   # six sections, column by column
        base += np.maximum(f["floor"], mx - per * failed)
    score = base + bonus - deduction
    pos = np.searchsorted(f["bounds"], score, side="right") - 1
    allowance = np.where(forfeited, 0.0, f["amounts"][pos])
    return {"bonus": bonus, "deduction": deduction, "forfeited": forfeited, "score": score, "pos": pos,
            "allowance": allowance}


def _stages(items, events, pol) -> dict:
    """Where the pipeline's time goes (private staffcalc helpers; omitted if they change)."""
    try:
        from staffcalc.scoring import appraisal as A
    except ImportError:  # pragma: no cover
        return {}
    out = {}
    try:
        n = len(items)
        codes = A.K.Codes.from_policy(pol)
        staff = pd.concat([items["staff_id"], events["staff_id"]], ignore_index=True)
        period = pd.concat([items["period"], events["period"]], ignore_index=True)
        both = pd.RangeIndex(n + len(events))
        out["key_encoding_s"] = measure(lambda: A._pair_codes(staff, period, both))["best_s"]
        out["event_codes_and_points_s"] = measure(lambda: A._event_arrays(events, codes))["best_s"]
        zero = np.zeros(n)
        out["sections_score_grade_s"] = measure(lambda: A._score_columns(items, zero, zero, pol))["best_s"]
        out["factorize_staff_id_s"] = measure(lambda: pd.factorize(staff))["best_s"]
        out["factorize_period_s"] = measure(lambda: pd.factorize(period))["best_s"]
    except (AttributeError, TypeError) as exc:  # pragma: no cover - private API moved
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def fig_appraisal(quick: bool) -> dict:
    from staffcalc.scoring.appraisal import monthly_appraisal

    s = sizes(quick)
    pol = _policy()
    items, events = _load_teacher_months(s["teacher_months"])
    rss_inputs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _say(f"  appraisal: {len(items):,} teacher-months, {len(events):,} events")
    pipe = measure(lambda: monthly_appraisal(items, events, pol))
    out = monthly_appraisal(items, events, pol)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # inputs + pipeline, nothing else yet
    f = _floor_inputs(items, events, pol)
    flo = measure(lambda: floor_pass(f))
    fl = floor_pass(f)
    grade_names = np.array(f["names"], dtype=object)[fl["pos"]]
    checks = {
        "floor_equals_pipeline_score": bool(np.array_equal(fl["score"], out["score"].to_numpy())),
        "floor_equals_pipeline_grade": bool(np.array_equal(grade_names, out["grade"].astype(object).to_numpy())),
        "floor_equals_pipeline_allowance": bool(np.array_equal(fl["allowance"], out["allowance"].to_numpy())),
        "floor_equals_pipeline_bonus_deduction": bool(np.array_equal(fl["bonus"], out["bonus"].to_numpy())
                                                      and np.array_equal(fl["deduction"], out["deduction"].to_numpy())),
    }
    stages = _stages(items, events, pol)
    ratio = pipe["best_s"] / flo["best_s"]
    counts = out["grade"].astype(str).value_counts().to_dict()
    return _result(
        "appraisal", f"Appraisal pipeline on {len(items):,} teacher-months (monthly_appraisal)",
        metrics={"teacher_months": len(items), "events": len(events), "pipeline": pipe, "floor": flo,
                 "pipeline_over_floor": ratio, "stages": stages, "grade_counts": counts,
                 "rss_after_loading_mb": rss_inputs, "peak_rss_mb": peak,
                 "peak_rss_covers": "process peak after loading the inputs and running the pipeline 5 times",
                 "throughput_teacher_months_per_s": len(items) / pipe["best_s"]},
        checks=checks,
        targets=[target("pipeline / numpy floor", ratio, "<=", 20, "×")],
        notes=[("floor = bonus/deduction bincount, section scores, score, grade band and allowance in numpy on "
                "pre-extracted integer arrays (event → teacher-month row, code position, counts); the pipeline "
                "starts from the text columns staff_id, period, code and validates every rule")],
    )


# --------------------------------------------------------------------------------------------
# 1b. row-by-row reference (identity + time)
# --------------------------------------------------------------------------------------------
def _slice(items: pd.DataFrame, events: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first ``share`` of teacher-months (whole teachers: items are in teacher order) and their events."""
    k = max(10, int(len(items) * share) // 10 * 10)
    sub = items.iloc[:k].reset_index(drop=True)
    ev = events[events["staff_id"].isin(pd.unique(sub["staff_id"]))].reset_index(drop=True)
    return sub, ev


def _iterrows_version(items: pd.DataFrame, events: pd.DataFrame, pol) -> list:
    """The loop as often first written: ``DataFrame.iterrows`` and column access by name (context only)."""
    from .rowwise import rules

    r = rules(pol)
    acc = {}
    for _, ev in events.iterrows():
        is_bonus, pts, forfeits = r["codes"][ev["code"]]
        a = acc.setdefault((ev["staff_id"], ev["period"]), [0.0, 0.0, False])
        a[0 if is_bonus else 1] += pts * ev["count"]
        a[2] = a[2] or (forfeits and ev["count"] > 0)
    out = []
    for _, row in items.iterrows():
        base = sum(max(r["floor"], mx - per * row[col]) for col, mx, _, per in r["sections"])
        b, d, forf = acc.get((row["staff_id"], row["period"]), (0.0, 0.0, False))
        score = round(base + b - d, 9)
        grade = next(name for bound, name in r["bands"] if score >= bound)
        out.append((score, grade, 0.0 if forf else float(r["allowance"][grade])))
    return out


def fig_appraisal_rowwise(quick: bool) -> dict:
    from staffcalc.scoring.appraisal import monthly_appraisal

    from .rowwise import differences, monthly_appraisal_rowwise

    s = sizes(quick)
    pol = _policy()
    items, events = _load_teacher_months(s["teacher_months"])
    pipe = measure(lambda: monthly_appraisal(items, events, pol))
    notes = []
    # estimate from a 1 % slice, then run the whole input if that is feasible
    sl_items, sl_events = _slice(items, events, 0.01)
    _, sl_t = once(lambda: monthly_appraisal_rowwise(sl_items, sl_events, pol))
    estimate = sl_t["best_s"] * len(items) / len(sl_items)
    if estimate <= s["rowwise_full_limit_s"]:
        _say(f"  row-by-row on all {len(items):,} teacher-months (estimated {estimate:.0f} s) …")
        rw, rw_t = once(lambda: monthly_appraisal_rowwise(items, events, pol))
        scope, checked = "full input", len(items)
        rowwise_s = rw_t["best_s"]
        diff = differences(monthly_appraisal(items, events, pol), rw)
    else:
        rw = monthly_appraisal_rowwise(sl_items, sl_events, pol)
        scope, checked = f"{len(sl_items):,}-row slice (1 %), time extrapolated linearly", len(sl_items)
        rowwise_s, rw_t = estimate, sl_t
        diff = differences(monthly_appraisal(sl_items, sl_events, pol), rw)
        notes.append(f"row-by-row timed on the first {len(sl_items):,} teacher-months and extrapolated ×"
                     f"{len(items) / len(sl_items):.0f}; identity checked on that slice")
    # the iterrows loop on the 1 % slice, for context only
    it_items, it_events = _slice(items, events, 0.01)
    it_out, it_t = once(lambda: _iterrows_version(it_items, it_events, pol))
    vec = monthly_appraisal(it_items, it_events, pol)
    it_same = [x[0] for x in it_out] == vec["score"].tolist() and \
        [x[1] for x in it_out] == vec["grade"].astype(str).tolist() and \
        [x[2] for x in it_out] == vec["allowance"].tolist()
    iterrows_s = it_t["best_s"] * len(items) / len(it_items)
    ratio = rowwise_s / pipe["best_s"]
    planted = vec.iloc[[0, 10, 20, 30, 40]] if len(vec) > 40 else vec.iloc[:0]
    notes.append("row-by-row = benchmarks/rowwise.py: one Python loop over rows with dicts (columns read once "
                 "with .tolist()); iterrows = the same rules with DataFrame.iterrows, timed on a 1 % slice "
                 "and extrapolated (context, no target)")
    return _result(
        "appraisal_rowwise", f"Row-by-row Python reference on {len(items):,} teacher-months",
        metrics={"teacher_months": len(items), "rowwise_scope": scope, "rowwise_s": rowwise_s,
                 "rowwise_timing": rw_t, "rowwise_slice_s": sl_t["best_s"], "pipeline": pipe,
                 "rowwise_over_pipeline": ratio, "iterrows_extrapolated_s": iterrows_s,
                 "iterrows_over_pipeline": iterrows_s / pipe["best_s"], "rows_checked": checked,
                 "differences": diff, "planted_scores": planted["score"].tolist()},
        checks={"rowwise_identical": all(v == 0 for v in diff.values()), "iterrows_identical": bool(it_same),
                "planted_boundary_rows_present": (len(vec) <= 40
                                                  or planted["score"].tolist() == [90.0, 89.0, 60.0, 59.0, 75.0])},
        targets=[target("row-by-row / pipeline", ratio, ">=", 100, "×")],
        notes=notes,
    )


# --------------------------------------------------------------------------------------------
# 2. quota table
# --------------------------------------------------------------------------------------------
def fig_quota(quick: bool) -> dict:
    from staffcalc import quotas

    s = sizes(quick)
    pol = _policy()
    disc_p, staff_p = data.quota_files(s["staff"])
    disc, staff = pd.read_parquet(disc_p), pd.read_parquet(staff_p)
    rss_inputs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _say(f"  quota table: {len(staff):,} staff, {len(disc):,} disciplines")
    table_t = measure(lambda: quotas.quota_table(disc, staff, pol))
    table = quotas.quota_table(disc, staff, pol)
    totals_t = measure(lambda: quotas.quota_totals(table))
    both_t = measure(lambda: quotas.quota_totals(quotas.quota_table(disc, staff, pol)))
    totals = quotas.quota_totals(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    school = totals.iloc[-1]
    counted = int(staff["on_establishment"].sum()) if pol.get("quotas.occupancy_basis") == "on_establishment" \
        else len(staff)
    occ_cols = [c for c in table.columns if c.startswith("occupied_L")] + ["occupied_other"]
    checks = {
        "one_row_per_discipline": len(table) == len(disc),
        "occupancy_counts_every_counted_staff": int(table[occ_cols].to_numpy().sum()) == counted,
        "school_row_equals_sum_of_disciplines": int(school["senior_cap"]) == int(table["senior_cap"].sum())
        and int(school["occupied_senior"]) == int(table["occupied_senior"].sum()),
    }
    return _result(
        "quota", f"Quota table for {len(staff):,} staff in {len(disc):,} disciplines",
        metrics={"staff": len(staff), "disciplines": len(disc), "quota_table": table_t, "quota_totals": totals_t,
                 "table_and_totals": both_t, "over_quota_disciplines": int(table["over_quota"].sum()),
                 "rss_after_loading_mb": rss_inputs, "peak_rss_mb": peak,
                 "peak_rss_covers": "process peak: the full roster loaded, quota_table and quota_totals"},
        checks=checks,
        targets=[target("quota_table + quota_totals", both_t["best_s"], "<", 2.0, "s")],
        notes=["the roster is read with all its columns (names, ID numbers …) as a notebook would read it"],
    )


# --------------------------------------------------------------------------------------------
# 2b. multi-year post outlook (retirements, posts released, projected vacancies)
# --------------------------------------------------------------------------------------------
OUTLOOK_YEARS = 5


def fig_outlook(quick: bool) -> dict:
    from staffcalc import outlook, quotas, retirement

    s = sizes(quick)
    pol = _policy()
    disc_p, staff_p = data.quota_files(s["staff"])
    disc, staff = pd.read_parquet(disc_p), pd.read_parquet(staff_p)
    _say(f"  outlook: {len(staff):,} staff, {len(disc):,} disciplines, {OUTLOOK_YEARS} years")
    out_t = measure(lambda: outlook.outlook(disc, staff, pol, years=OUTLOOK_YEARS))
    quota_t = measure(lambda: quotas.quota_table(disc, staff, pol))
    o = outlook.outlook(disc, staff, pol, years=OUTLOOK_YEARS)
    # the checks: a direct count of retirement months per period against the outlook's totals
    month = retirement.retirement_month(staff["birth_date"], staff["sex"], policy=pol).astype(np.int64)
    period = (month - np.datetime64(data.AS_OF, "M").astype(np.int64)) // 12 + 1
    senior = np.isin(staff["post_level"].to_numpy(), quotas.capped_levels(pol)["senior"]) \
        & quotas.occupies_post(staff, pol)
    direct = np.bincount(np.clip(period, 1, OUTLOOK_YEARS + 1), minlength=OUTLOOK_YEARS + 2)[1:OUTLOOK_YEARS + 1]
    direct_senior = np.bincount(np.clip(period[senior], 1, OUTLOOK_YEARS + 1),
                                minlength=OUTLOOK_YEARS + 2)[1:OUTLOOK_YEARS + 1]
    per_year = o.levels.groupby("outlook_year")["retirements"].sum().to_numpy()
    senior_year = o.senior.groupby("outlook_year")["released_senior"].sum().to_numpy()
    last = o.senior[o.senior["outlook_year"] == OUTLOOK_YEARS]
    base = quotas.quota_table(disc, staff, pol)
    checks = {
        "retirements_per_year_equal_a_direct_count": per_year.tolist() == direct.tolist(),
        "senior_posts_released_equal_a_direct_count": senior_year.tolist() == direct_senior.tolist(),
        "final_vacancy_is_cap_minus_occupied_plus_released": int(last["projected_vacancy_senior"].sum())
        == int(base["vacancy_senior"].sum()) + int(direct_senior.sum()),
    }
    ratio = out_t["best_s"] / quota_t["best_s"]
    return _result(
        "outlook", f"Post outlook for {len(staff):,} staff over {OUTLOOK_YEARS} years",
        metrics={"staff": len(staff), "disciplines": len(disc), "years": OUTLOOK_YEARS, "outlook": out_t,
                 "quota_table": quota_t, "outlook_over_quota_table": ratio,
                 "retirements_per_year": direct.tolist(), "senior_released_per_year": direct_senior.tolist()},
        checks=checks,
        targets=[target(f"outlook, {len(staff):,} staff × {OUTLOOK_YEARS} years", out_t["best_s"], "<", 2.0, "s"),
                 target("outlook / one quota table on the same roster", ratio, "<=", 3.0, "×",
                        "the outlook is one quota table plus the retirement months and two bincounts")],
    )


# --------------------------------------------------------------------------------------------
# 3. leave-cost projection
# --------------------------------------------------------------------------------------------
def fig_leave_cost(quick: bool) -> dict:
    from staffcalc import leave_cost

    s = sizes(quick)
    pol = _policy()
    records = pd.read_parquet(data.leave_file(s["leave"], roster_staff=s["staff"]))
    end = str(pd.Period(HORIZON_START, freq="M") + (s["leave_months"] - 1))
    rss_inputs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _say(f"  leave cost: {len(records):,} episodes, {HORIZON_START}..{end}")
    t = measure(lambda: leave_cost.project(records, HORIZON_START, end, policy=pol))
    proj = leave_cost.project(records, HORIZON_START, end, policy=pol)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    units = proj.monthly.groupby("month", sort=True)[["people_away", "paid"]].sum()
    tot = proj.monthly_totals.set_index("month")[["people_away", "paid"]]
    checks = {
        "months_in_horizon": len(proj.months) == s["leave_months"],
        "one_row_per_person": len(proj.people) == len(records),
        "people_away_units_equal_totals": bool(np.array_equal(units["people_away"].to_numpy(),
                                                               tot["people_away"].to_numpy())),
        "paid_units_match_totals_to_the_fen": bool(np.allclose(units["paid"].to_numpy(), tot["paid"].to_numpy(),
                                                               rtol=0, atol=0.005)),
    }
    return _result(
        "leave_cost", f"Leave-cost projection for {len(records):,} people over {s['leave_months']} months",
        metrics={"people": len(records), "months": s["leave_months"], "project": t,
                 "person_months_away": int(proj.mask.sum()), "rss_after_loading_mb": rss_inputs,
                 "peak_rss_mb": peak, "peak_rss_covers": "process peak: the register loaded and project() run"},
        checks=checks,
        targets=[target("leave_cost.project", t["best_s"], "<", 2.0, "s")],
    )


# --------------------------------------------------------------------------------------------
# 6. what-if recompute
# --------------------------------------------------------------------------------------------
def fig_whatif(quick: bool) -> dict:
    title = "What-if recompute (staffcalc.scenario.recompute)"
    try:
        from staffcalc import scenario
    except ImportError as exc:
        return _result("whatif", title, metrics={"skipped": f"staffcalc.scenario not available: {exc}"},
                       notes=["skipped: staffcalc.scenario does not exist yet"])
    if not (hasattr(scenario, "from_tables") and hasattr(scenario, "recompute")):
        return _result("whatif", title, metrics={"skipped": "staffcalc.scenario has no from_tables/recompute"},
                       notes=["skipped: staffcalc.scenario API differs from the one this figure knows"])
    import staffcalc.sample

    s = sizes(quick)
    tables = staffcalc.sample.generate(data.SEED, s["whatif_staff"], data.AS_OF)
    pol = _policy()
    t0 = time.perf_counter()
    try:
        base = scenario.from_tables(tables, pol)
    except Exception as exc:  # noqa: BLE001 - the module is being written: report, do not fail
        return _result("whatif", title, metrics={"skipped": f"scenario.from_tables raised {type(exc).__name__}: {exc}"},
                       notes=["skipped: the what-if baseline could not be built"])
    build_s = time.perf_counter() - t0
    teachers = base.teacher_count
    _say(f"  what-if: {teachers:,} class teachers, {len(tables['appraisal_items']):,} teacher-months")
    # distinct values on every call: recompute reuses a stage whose parameters did not change
    kinds = {
        "grade cut-off (appraisal.grade_bands.优秀)": lambda i: {"appraisal.grade_bands.优秀": 85 + i % 5},
        "per-item deduction (appraisal.sections.S2b.per_item)": lambda i: {"appraisal.sections.S2b.per_item": 1 + i % 3},
        "bonus points (appraisal.bonus.B-MEETING-FULL.points)": lambda i: {
            "appraisal.bonus.B-MEETING-FULL.points": 1 + i % 4},
        "semester weights (appraisal.composite_weights)": lambda i: {
            "appraisal.composite_weights.self": [0.1, 0.15, 0.2, 0.25][i % 4],
            "appraisal.composite_weights.college": [0.6, 0.55, 0.5, 0.45][i % 4]},
        "senior ratio (quotas.senior_ratio.A)": lambda i: {"quotas.senior_ratio.A": [0.6, 0.62, 0.64, 0.66][i % 4]},
    }
    results, errors = {}, {}
    for label, make in kinds.items():
        calls = iter(range(1, 1000))
        try:
            scenario.recompute(base, make(0))   # warm-up
            t = measure(lambda make=make, calls=calls: scenario.recompute(base, make(next(calls))), repeat=3,
                        warmup=0)
            last = scenario.recompute(base, make(next(calls)))
            t["stage_ms"] = {k: round(v, 1) for k, v in getattr(last, "timings", {}).items()}
            results[label] = t
        except Exception as exc:  # noqa: BLE001 - report, do not fail the benchmark
            errors[label] = f"{type(exc).__name__}: {exc}"
        scenario.recompute(base, {})
    if not results:
        return _result("whatif", title, metrics={"skipped": f"every recompute failed: {errors}"},
                       notes=["skipped: recompute raised for every override tried"])
    worst = max(results, key=lambda k: results[k]["median_s"])
    return _result(
        "whatif", f"What-if recompute for {teachers:,} class teachers",
        metrics={"teachers": teachers, "teacher_months": len(tables["appraisal_items"]), "baseline_build_s": build_s,
                 "overrides": results, "errors": errors, "slowest": worst},
        targets=[target(f"recompute, slowest kind ({worst.split(' (')[0]}), median", results[worst]["median_s"] * 1000,
                        "<", 100, "ms")],
        notes=["each timed call changes the value, so no stage is served from recompute's cache"],
    )


FIGURES = {"prepare": None, "appraisal": fig_appraisal, "appraisal_rowwise": fig_appraisal_rowwise,
           "quota": fig_quota, "outlook": fig_outlook, "leave_cost": fig_leave_cost, "whatif": fig_whatif}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.figures")
    ap.add_argument("figure")
    ap.add_argument("--result", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--option", action="append", default=[], help="key=value passed to the figure")
    a = ap.parse_args(argv)
    opts = dict(o.split("=", 1) for o in a.option)
    t0 = time.perf_counter()
    if a.figure == "prepare":
        res = prepare(a.quick, a.only)
    elif a.figure == "report":
        from .report_suite import fig_report

        res = fig_report(a.quick)
    elif a.figure == "whatif_page":
        from .whatif_page import fig_whatif_page

        res = fig_whatif_page(a.quick)
    elif a.figure == "dask":
        from .dask_scale import fig_dask

        res = fig_dask(a.quick, **opts)
    else:
        res = FIGURES[a.figure](a.quick)
    res["figure_wall_s"] = time.perf_counter() - t0
    res["self_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    res["python"] = platform.python_version()
    Path(a.result).write_text(json.dumps(res, ensure_ascii=False, default=_json_default), encoding="utf-8")
    return 0


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


if __name__ == "__main__":
    raise SystemExit(main())
