"""``make bench``: ``python -m benchmarks.run [--quick] [--only NAME] [--out FILE.json]``.

Runs each figure in a fresh Python process (:func:`benchmarks.memory.run_isolated`), prints it with
its targets (PASS/MISS), its correctness checks and the machine load, and writes every number to a
JSON file (default ``bench-data/bench-results.json``).  Figures: ``appraisal`` (pipeline, numpy
floor, row-by-row reference), ``quota``, ``outlook``, ``leave_cost``, ``report`` (the report engine against
the old ways), ``whatif`` (recompute), ``whatif_page`` (the served page in Chromium), ``dask``.

Exit code 0 when every figure ran and every correctness check held (a MISS on a performance
target is reported, not an error: timings on a shared machine vary); 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import data
from .figures import FULL, MEMORY_LIMIT_MB, QUICK
from .memory import run_isolated
from .timing import load, target

ORDER = ("appraisal", "appraisal_rowwise", "quota", "outlook", "leave_cost", "report", "whatif", "whatif_page", "dask")
ALIASES = {"appraisal": ("appraisal", "appraisal_rowwise"), "rowwise": ("appraisal_rowwise",)}
MEMORY_FIGURES = ("appraisal", "quota", "outlook", "leave_cost", "dask")
TIMEOUT_S = 1800


def _s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _t(t: dict) -> str:
    return f"best {_s(t['best_s'])}, median {_s(t['median_s'])} (cpu {_s(t['cpu_best_s'])}" + \
        (f"; {t['repeat']} runs after {t['warmup']} warm-up)" if t.get("repeat", 1) > 1 else "; one run)")


def _lines(r: dict) -> list[str]:
    """Figure-specific metric lines."""
    m, name = r.get("metrics", {}), r["name"]
    out = []
    if "skipped" in m:
        return [f"skipped: {m['skipped']}"]
    if name == "appraisal":
        out.append(f"inputs       {m['teacher_months']:,} teacher-months (items) + {m['events']:,} coded events")
        out.append(f"pipeline     {_t(m['pipeline'])} — {m['throughput_teacher_months_per_s'] / 1e6:.2f} M "
                   f"teacher-months/s")
        out.append(f"numpy floor  {_t(m['floor'])}")
        st = m.get("stages", {})
        if st and "error" not in st:
            out.append(f"inside the pipeline: text keys → integers {_s(st['key_encoding_s'])} (factorize staff_id "
                       f"{_s(st['factorize_staff_id_s'])}, period {_s(st['factorize_period_s'])}), event codes → "
                       f"points {_s(st['event_codes_and_points_s'])}, sections/score/grade "
                       f"{_s(st['sections_score_grade_s'])}")
        out.append("grades       " + ", ".join(f"{g} {n:,}" for g, n in m["grade_counts"].items()))
    elif name == "appraisal_rowwise":
        out.append(f"row-by-row   {_s(m['rowwise_s'])} on the {m['rowwise_scope']}; identical results on "
                   f"{m['rows_checked']:,} rows: {all(v == 0 for v in m['differences'].values())}")
        out.append(f"pipeline     {_t(m['pipeline'])} (same process, for the ratio)")
        out.append(f"iterrows     ≈{_s(m['iterrows_extrapolated_s'])} (1 % slice × 100; "
                   f"{m['iterrows_over_pipeline']:,.0f}× the pipeline; context only)")
    elif name == "quota":
        out.append(f"inputs       {m['staff']:,} staff, {m['disciplines']:,} disciplines")
        out.append(f"quota_table  {_t(m['quota_table'])}")
        out.append(f"quota_totals {_t(m['quota_totals'])}")
        out.append(f"both         {_t(m['table_and_totals'])}; {m['over_quota_disciplines']:,} disciplines over quota")
    elif name == "outlook":
        out.append(f"inputs       {m['staff']:,} staff, {m['disciplines']:,} disciplines, {m['years']} years")
        out.append(f"outlook      {_t(m['outlook'])}")
        out.append(f"quota_table  {_t(m['quota_table'])} — the outlook takes {m['outlook_over_quota_table']:.1f}× "
                   f"one quota table")
        out.append(f"retirements  per year {m['retirements_per_year']}; senior posts released "
                   f"{m['senior_released_per_year']}")
    elif name == "leave_cost":
        out.append(f"inputs       {m['people']:,} study-leave episodes, {m['months']} months, "
                   f"{m['person_months_away']:,} person-months away")
        out.append(f"project      {_t(m['project'])}")
    elif name == "report":
        old, new = m["old_way"], m["suite"]
        out.append(f"old way      {_s(old['wall_s'])} (cpu {_s(old['cpu_s'])}): papermill + jupyter nbconvert --to html --no-input, one "
                   f"notebook after another (" + ", ".join(f"{k} {_s(v)}" for k, v in old["durations_s"].items()) + ")")
        if "error" in new:
            out.append(f"engine       ERROR {new['error'][:300]}")
        else:
            out.append(f"engine       {_s(new['wall_s'])} (cpu {_s(new['cpu_s'])}): staffcalc report --jobs {new['jobs']} (notebooks: "
                       + ", ".join(f"{k} {_s(v)}" for k, v in new["durations_s"].items()) + ")"
                       + (f" — {m['suite_ratio']:.1f}× faster" if "suite_ratio" in m else ""))
        if "suite_with_pdf" in m and "error" not in m["suite_with_pdf"]:
            out.append(f"engine + PDF {_s(m['suite_with_pdf']['wall_s'])} (cpu {_s(m['suite_with_pdf']['cpu_s'])}): the same with a PDF of each report "
                       f"(one headless Chromium per worker)")
        if "per_unit" in m:
            per, est = m["per_unit"], m["old_engine"]
            if "error" in per:
                out.append(f"--per unit   ERROR {per['error'][:300]}")
            else:
                out.append(f"--per unit   {_s(per['wall_s'])} (cpu {_s(per['cpu_s'])}) for {per['notebooks']} notebooks ({m['units']} units), "
                           f"peak memory of the process tree {per['peak_tree_mb']:,.0f} MB")
            out.append(f"today's engine (one process per notebook), estimated {_s(est['estimate_s'])} "
                       f"(cpu {_s(est['estimate_cpu_s'])}): "
                       f"{est['notebooks']} notebooks in {_s(est['wall_s'])} × {m['units']}/{m['jobs']}"
                       + (f" — {m['per_unit_ratio']:.1f}× slower than the pool" if "per_unit_ratio" in m else ""))
    elif name == "whatif_page":
        out.append(f"first usable render {_s(m['first_usable_s'])} from starting staffcalc whatif; reload "
                   f"{_s(m['reload_warm_s'])} with the preheated kernel ready")
        if "first_render_cpu_s" in m:
            out.append("CPU until then " + ", ".join(f"{k} {_s(v)}" for k, v in m["first_render_cpu_s"].items()))
        out.append(f"{len(m['reloads_back_to_back_s'])} reloads back to back: median "
                   f"{_s(m['reload_back_to_back_median_s'])}; live kernels afterwards {m['kernels_after_reloads']} "
                   f"(pool {m['pool_size']}), after closing the browser {m['kernels_after_close']}; server + kernels "
                   f"{m['server_rss_after_reloads_mb']:,.0f} MB")
        out.append(f"requests     {m['requests']}, off the host: {len(m['off_host_requests'])}")
    elif name == "whatif":
        out.append(f"inputs       {m['teachers']:,} class teachers, {m['teacher_months']:,} teacher-months; "
                   f"baseline built in {_s(m['baseline_build_s'])}")
        for label, t in m["overrides"].items():
            stages = ", ".join(f"{k} {v:g}" for k, v in t.get("stage_ms", {}).items())
            out.append(f"  {label:<55} median {_s(t['median_s'])}, best {_s(t['best_s'])}  [ms: {stages}]")
        for label, e in m.get("errors", {}).items():
            out.append(f"  {label}: ERROR {e}")
    elif name == "dask":
        out.append(f"inputs       {m['teacher_months']:,} teacher-months + {m['events']:,} events in {m['parts']} "
                   f"Parquet parts")
        out.append(f"dask         {_s(m['dask']['best_s'])} ({m['scheduler']}, {m['workers']} workers; cpu "
                   f"{_s(m['dask']['cpu_best_s'])}) — {m['throughput_teacher_months_per_s'] / 1e6:.2f} M teacher-months/s")
        out.append(f"pandas loop  {_s(m['pandas_loop']['best_s'])} (the same parts one after another: the check)")
        out.append("grades       " + ", ".join(f"{g} {n:,}" for g, n in sorted(m["grade_counts"].items())))
    if "peak_rss_mb" in m:
        out.append(f"peak memory  {m['peak_rss_mb']:.0f} MB ({m.get('peak_rss_covers', '')})")
    return out


def _derived_targets(results: dict) -> None:
    """Targets that need numbers from the process (memory) or from two processes."""
    for name in MEMORY_FIGURES:
        r = results.get(name)
        if r and "peak_rss_mb" in r.get("metrics", {}):
            r.setdefault("targets", []).append(
                target("peak memory", r["metrics"]["peak_rss_mb"], "<", MEMORY_LIMIT_MB, "MB"))


def _fmt_target(t: dict) -> str:
    v, lim, unit = t["value"], t["limit"], t["unit"]
    if unit == "×":
        val, limit = f"{v:,.1f}×", f"{lim:g}×"
    elif unit == "s":
        val, limit = _s(v), _s(lim)
    elif unit == "ms":
        val, limit = f"{v:.1f} ms", f"{lim:g} ms"
    elif unit == "MB":
        val, limit = f"{v:,.0f} MB", f"{lim:,.0f} MB"
    else:
        val, limit = f"{v:g}", f"{lim:g}"
    op = {"<=": "≤", ">=": "≥"}.get(t["op"], t["op"])
    return f"{'PASS' if t['pass'] else 'MISS'}  {t['label']} = {val} (target {op} {limit})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (seconds, for the test suite)")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help=f"run only this figure (repeatable): {', '.join(('appraisal', *ORDER[2:]))}")
    ap.add_argument("--out", default=None, metavar="FILE.json", help="where to write the figures as JSON")
    ap.add_argument("--dask-scheduler", default="threads", choices=("threads", "distributed"))
    a = ap.parse_args(argv)

    wanted: list[str] = []
    for name in a.only or ORDER:
        for fig in ALIASES.get(name, (name,)):
            if fig not in ORDER:
                ap.error(f"unknown figure {name!r}; known: {', '.join(('appraisal', *ORDER[2:]))}")
            if fig not in wanted:
                wanted.append(fig)
    wanted = [f for f in ORDER if f in wanted]
    out_path = Path(a.out) if a.out else data.BENCH_DATA / f"bench-results{'-quick' if a.quick else ''}.json"

    import dask
    import numpy
    import pandas

    t_start = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    try:
        import psutil
        mem_gb = psutil.virtual_memory().total / 1024**3
    except ImportError:  # pragma: no cover
        mem_gb = float("nan")
    meta = {"started": started.isoformat(timespec="seconds"), "quick": a.quick, "python": platform.python_version(),
            "numpy": numpy.__version__, "pandas": pandas.__version__, "dask": dask.__version__,
            "cpus": os.cpu_count(), "memory_gb": round(mem_gb, 1), "load_at_start": load(),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "sizes": QUICK if a.quick else FULL,
            "figures": wanted}
    print(f"staffcalc benchmarks — {started:%Y-%m-%d %H:%M} UTC; Python {meta['python']}, numpy {numpy.__version__}, "
          f"pandas {pandas.__version__}, dask {dask.__version__}")
    print(f"machine: {os.cpu_count()} CPUs, {mem_gb:.1f} GB RAM; load average (1/5/15 min) at start "
          f"{' '.join(map(str, meta['load_at_start']))}  (a load near or above the CPU count means the figures "
          f"shared the cores)")
    print(f"mode: {'--quick (tiny sizes)' if a.quick else 'full'}; every figure runs in a fresh process; times are "
          f"time.perf_counter wall time, best and median of 3 after a warm-up unless marked 'one run'")
    sys.stdout.flush()

    results: dict[str, dict] = {}
    prep_only = [f for f in wanted if f in ("appraisal", "appraisal_rowwise", "quota", "outlook", "leave_cost", "dask")]
    if prep_only:
        print(f"\n[0] preparing inputs in {data.BENCH_DATA} (generated once, then reused) …", flush=True)
        args = (["--quick"] if a.quick else []) + [x for f in prep_only for x in ("--only", f)]
        prep = run_isolated("prepare", args, timeout=TIMEOUT_S)
        results["prepare"] = prep
        print(f"    {prep.get('error') or 'ready'} in {_s(prep.get('process_wall_s'))} "
              f"(peak memory of generation {prep['maxrss_mb']:.0f} MB)", flush=True)

    for i, name in enumerate(wanted, start=1):
        before = load()
        args = ["--quick"] if a.quick else []
        if name == "dask":
            args += ["--option", f"scheduler={a.dask_scheduler}"]
        r = run_isolated(name, args, timeout=TIMEOUT_S)
        r["load_before"] = before
        r.setdefault("name", name)
        results[name] = r
        _derived_targets({name: r})
        title = r.get("title", name)
        print(f"\n[{i}] {title}")
        print(f"    load {' '.join(map(str, before))} → {' '.join(map(str, r.get('load_after', load())))}; "
              f"process {_s(r.get('process_wall_s'))}, its peak RSS {r.get('maxrss_mb', 0):.0f} MB"
              + (f" (process tree peak, sampled: {r['tree_peak_mb']:.0f} MB)"
                 if name in ("report", "whatif_page", "dask") else ""))
        if "error" in r:
            print(f"    ERROR {r['error']}")
        else:
            for line in _lines(r):
                print(f"    {line}")
        for t in r.get("targets", []):
            print(f"    {_fmt_target(t)}")
        bad = [k for k, v in r.get("checks", {}).items() if not v]
        if r.get("checks"):
            print(f"    checks: {len(r['checks']) - len(bad)}/{len(r['checks'])} hold"
                  + (f" — FAILED: {', '.join(bad)}" if bad else f" ({', '.join(r['checks'])})"))
        for note in r.get("notes", []):
            print(f"    note: {note}")
        sys.stdout.flush()

    total = time.perf_counter() - t_start
    all_targets = [(n, t) for n, r in results.items() for t in r.get("targets", [])]
    failed_checks = [(n, k) for n, r in results.items() for k, v in r.get("checks", {}).items() if not v]
    errors = [n for n, r in results.items() if "error" in r or r.get("exit_code")]
    print("\nsummary")
    for n, t in all_targets:
        print(f"  {_fmt_target(t)}   [{n}]")
    print(f"  {sum(t['pass'] for _, t in all_targets)}/{len(all_targets)} targets met; "
          f"{'all correctness checks hold' if not failed_checks else f'FAILED checks: {failed_checks}'}"
          + (f"; figures with errors: {errors}" if errors else ""))
    print(f"  total {total / 60:.1f} min; load average at end {' '.join(map(str, load()))}")
    meta["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta["total_s"] = total
    meta["load_at_end"] = load()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"meta": meta, "figures": results,
                                    "targets": [{"figure": n, **t} for n, t in all_targets]},
                                   ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"  figures written to {out_path}")
    return 1 if failed_checks or errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
