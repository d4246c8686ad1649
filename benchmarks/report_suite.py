"""Figure 4: the report suite on the sample data — the warm-worker engine against the old ways.

All in one run, on the same machine load:

* **old way**: the three notebooks one by one with the ``papermill`` command, then
  ``jupyter nbconvert --to html --no-input`` on each executed notebook (what a planner would type);
* **engine**: ``staffcalc report --config reports.yaml --data data --jobs 2`` (wall time of the
  command; each notebook's ``duration_s`` from the run's manifest), without the PDF step for the
  comparisons (the old ways make HTML only) and once more with it;
* **--per unit**: ``staffcalc report --per unit --jobs 2`` on the sample (20 units × 3 notebooks),
  with the peak memory of its whole process tree (sampled every 0.1 s: runner, workers, kernels);
* **today's engine, estimated**: the engine before the worker pool ran each notebook in a fresh
  process (``papermill.execute_notebook`` + the HTML export, :func:`staffcalc.report.execute.execute`
  without a warm kernel).  It is run on the first two units' notebooks in two parallel streams (its
  ``--jobs 2``) and scaled by units / 2 — an estimate, not a full run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .figures import _result, _say
from .timing import target

ROOT = Path(__file__).resolve().parent.parent
SUITE_TARGET_S = 12.0
SUITE_RATIO = 3.0
PER_UNIT_TARGET_S = 90.0
PER_UNIT_RATIO = 4.0
PER_UNIT_MEMORY_MB = 2048
JOBS = 2


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process of this one, and theirs that they waited for."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _exe(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _tasks(config: Path, data: Path, out: Path, per: str | None = None, only: list[str] = ()) -> list[dict]:
    from staffcalc.report import Options, plan

    return plan(Options(config=config, data=data, out=out, per=per, only=list(only))).tasks


def _tree_peak(proc: subprocess.Popen, peak: list) -> None:
    import psutil

    try:
        root = psutil.Process(proc.pid)
    except psutil.Error:
        return
    while proc.poll() is None:
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak[0] = max(peak[0], total)
        time.sleep(0.1)


def run_engine(config: Path, data: Path, out: Path, jobs: int, per: str | None = None,
               only: list[str] = (), pdf: bool = False) -> dict:
    """``staffcalc report`` as a command: wall time, manifest, peak memory of its process tree.
    ``pdf=False``: no PDF step (``STAFFCALC_CHROMIUM=""``), the same outputs as the old ways."""
    cmd = [_exe("staffcalc"), "report", "--config", str(config), "--data", str(data), "--out", str(out),
           "--jobs", str(jobs), "--quiet"]
    if per:
        cmd += ["--per", per]
    for name in only:
        cmd += ["--only", name]
    peak = [0]
    t0, c0 = time.perf_counter(), _children_cpu()
    env = dict(os.environ) if pdf else {**os.environ, "STAFFCALC_CHROMIUM": ""}
    proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = threading.Thread(target=_tree_peak, args=(proc, peak), daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    sampler.join(timeout=1)
    manifests = sorted(out.glob("*/manifest.json"))
    if proc.returncode != 0 or not manifests:
        return {"error": f"staffcalc report exited {proc.returncode}: {stdout[-800:]} {stderr[-800:]}", "wall_s": wall}
    m = json.loads(manifests[-1].read_text(encoding="utf-8"))
    return {"wall_s": wall, "cpu_s": cpu, "manifest_duration_s": m["duration_s"], "jobs": jobs, "status": m["status"],
            "notebooks": len(m["notebooks"]), "peak_tree_mb": peak[0] / 2**20,
            "durations_s": {(f"{nb['unit']}/" if nb["unit"] else "") + nb["name"]: nb["duration_s"]
                            for nb in m["notebooks"]}}


def run_old_way(tasks: list[dict], out: Path) -> dict:
    """Each notebook with the ``papermill`` command, then ``jupyter nbconvert --to html --no-input``."""
    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), _children_cpu()
    each, errors = {}, []
    for t in tasks:
        t1 = time.perf_counter()
        Path(t["out_dir"]).mkdir(parents=True, exist_ok=True)
        executed = out / f"{t['name']}.ipynb"
        pm = subprocess.run([_exe("papermill"), t["notebook"], str(executed), "-y", json.dumps(t["parameters"]),
                             "--cwd", t["cwd"], "--kernel", t["kernel"], "--no-progress-bar",
                             "--execution-timeout", str(int(t["cell_timeout"]))],
                            capture_output=True, text=True, check=False)
        nb = subprocess.run([_exe("jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                            capture_output=True, text=True, check=False)
        if pm.returncode or nb.returncode or not executed.with_suffix(".html").is_file():
            errors.append(f"{t['name']}: papermill {pm.returncode} {pm.stderr[-300:]} nbconvert {nb.returncode} "
                          f"{nb.stderr[-300:]}")
        each[t["name"]] = time.perf_counter() - t1
    return {"wall_s": time.perf_counter() - t0, "cpu_s": _children_cpu() - c0, "durations_s": each, "errors": errors}


_OLD_ENGINE = ("import json, sys\nfrom staffcalc.report.execute import execute\n"
               "r = execute(json.loads(sys.argv[1]))\nsys.exit(0 if r['status'] == 'ok' else 1)")


def run_old_engine(streams: list[list[dict]]) -> dict:
    """The engine before the pool: one fresh process per notebook (papermill + HTML export), the
    streams side by side (its ``--jobs``), each stream's notebooks one after another."""
    failures: list[str] = []

    def stream(tasks: list[dict]) -> None:
        for t in tasks:
            Path(t["out_dir"]).mkdir(parents=True, exist_ok=True)
            r = subprocess.run([sys.executable, "-c", _OLD_ENGINE, json.dumps(t)], cwd=str(ROOT),
                               env={**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                                    "STAFFCALC_CHROMIUM": ""},  # HTML only, as before the PDF step
                               capture_output=True, text=True, check=False)
            if r.returncode:
                failures.append(f"{t['label']}: {r.stderr[-300:]}")

    t0, c0 = time.perf_counter(), _children_cpu()
    threads = [threading.Thread(target=stream, args=(s,)) for s in streams]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {"wall_s": time.perf_counter() - t0, "cpu_s": _children_cpu() - c0, "notebooks": sum(len(s) for s in streams),
            "errors": failures}


def fig_report(quick: bool) -> dict:
    data, config = ROOT / "data", ROOT / "reports.yaml"
    if not (data / "staff.csv").exists():
        return _result("report", "Report suite", metrics={"skipped": f"no sample data in {data} (make sample)"},
                       notes=["skipped: the sample data folder is missing"])
    only = ["leave_cost_impact"] if quick else []
    metrics: dict = {"jobs": JOBS, "quick": quick}
    targets, notes = [], []
    with tempfile.TemporaryDirectory(prefix="staffcalc-bench-report-") as tmp:
        tmp = Path(tmp)
        _say("  old way: papermill + jupyter nbconvert, one notebook after another …")
        old = run_old_way(_tasks(config, data, tmp / "old-out", only=only), tmp / "old")
        _say(f"  engine: staffcalc report --jobs {JOBS} …")
        new = run_engine(config, data, tmp / "suite", JOBS, only=only)
        metrics.update(old_way=old, suite=new)
        if not quick:
            _say(f"  engine with the PDF step: staffcalc report --jobs {JOBS} …")
            metrics["suite_with_pdf"] = run_engine(config, data, tmp / "suite-pdf", JOBS, pdf=True)
        if not quick:
            _say(f"  engine: staffcalc report --per unit --jobs {JOBS} …")
            per = run_engine(config, data, tmp / "per-unit", JOBS, per="unit")
            units = sorted({t["unit"] for t in _tasks(config, data, tmp / "x", per="unit")})
            sub = [[t for t in _tasks(config, data, tmp / "old-engine", per="unit") if t["unit"] == u]
                   for u in units[:JOBS]]
            _say(f"  today's engine (estimate): {sum(map(len, sub))} notebooks of {JOBS} units, {JOBS} at a time …")
            old_engine = run_old_engine(sub)
            old_engine["estimate_s"] = old_engine["wall_s"] * len(units) / JOBS
            old_engine["estimate_cpu_s"] = old_engine["cpu_s"] * len(units) / JOBS
            metrics.update(per_unit=per, units=len(units), old_engine=old_engine)
    errors = {k: v["error"] for k, v in metrics.items() if isinstance(v, dict) and "error" in v}
    errors.update({f"{k}_runs": v["errors"] for k, v in metrics.items()
                   if isinstance(v, dict) and v.get("errors")})
    what = "leave_cost_impact (--quick)" if quick else "three reports"
    if "error" not in new and not old["errors"]:
        metrics["suite_ratio"] = old["wall_s"] / new["wall_s"]
    if not quick and "suite_ratio" in metrics:  # one notebook (--quick) has nothing to overlap: no target
        targets.append(target(f"{what} at --jobs {JOBS}, wall", new["wall_s"], "<=", SUITE_TARGET_S, "s"))
        targets.append(target(f"{what}: old way (papermill + nbconvert commands) / engine", metrics["suite_ratio"],
                              ">=", SUITE_RATIO, "×"))
    if not quick and "error" not in metrics["per_unit"]:
        per, est = metrics["per_unit"], metrics["old_engine"]["estimate_s"]
        metrics["per_unit_ratio"] = est / per["wall_s"]
        targets.append(target(f"--per unit ({metrics['units']} units × 3) at --jobs {JOBS}, wall", per["wall_s"], "<=",
                              PER_UNIT_TARGET_S, "s"))
        targets.append(target("--per unit: today's engine (estimated) / engine", metrics["per_unit_ratio"], ">=",
                              PER_UNIT_RATIO, "×"))
        targets.append(target("--per unit: peak memory of the process tree", per["peak_tree_mb"], "<",
                              PER_UNIT_MEMORY_MB, "MB"))
        notes.append(f"today's engine is estimated: {metrics['old_engine']['notebooks']} notebooks of {JOBS} units in "
                     f"{JOBS} parallel processes took {metrics['old_engine']['wall_s']:.1f} s, × {metrics['units']}/{JOBS}")
    notes.append("each command is timed once (tens of seconds each), all in this one run; cpu = user + system "
                 "seconds of the command and every process it started (load-independent; on 2 idle cores the "
                 "wall time cannot be below cpu / 2)")
    return _result(
        "report", "Report engine on the sample data (staffcalc report) against the old ways",
        metrics={**metrics, "errors": errors},
        checks={"every_run_ok": not errors and new.get("status") == "complete"
                and (quick or metrics["per_unit"].get("status") == "complete")},
        targets=targets, notes=notes,
    )
