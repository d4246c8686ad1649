"""Figure 4: the report suite on the sample data, and how much of it is starting kernels.

* kernel start: ``jupyter_client`` starts a ``python3`` kernel, waits until it answers
  (``wait_for_ready``), shuts it down — timed start→ready and start→shut down;
* runner overhead: an empty notebook (only the ``parameters`` cell and ``x = 1``) run through
  ``staffcalc report`` — process start, papermill, kernel start, HTML export: the fixed cost per
  notebook;
* the suite: ``staffcalc report --config reports.yaml --data data --out <temp> --jobs N`` at
  ``--jobs 1`` and ``--jobs 2``: wall time of the command and each notebook's ``duration_s`` from
  the run's ``manifest.json``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .figures import _result, _say, sizes
from .timing import target

ROOT = Path(__file__).resolve().parent.parent
SUITE_TARGET_S = 60.0


def kernel_start(repeat: int) -> dict:
    from jupyter_client import KernelManager

    ready, total = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        km = KernelManager(kernel_name="python3")
        km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            ready.append(time.perf_counter() - t0)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
        total.append(time.perf_counter() - t0)
    return {"ready_median_s": statistics.median(ready), "ready_best_s": min(ready), "ready_runs_s": ready,
            "with_shutdown_median_s": statistics.median(total), "repeat": repeat}


IMPORTS = {  # what a notebook process loads before its first cell (python -c …, fresh interpreter)
    "interpreter": "pass",
    "rfc3987_syntax (jsonschema format checker, via nbformat)": "import rfc3987_syntax",
    "papermill + nbconvert HTMLExporter": "import papermill; from nbconvert import HTMLExporter",
}


def import_costs(repeat: int) -> dict:
    """Median wall time of a fresh interpreter running each import of :data:`IMPORTS`."""
    out = {}
    for label, code in IMPORTS.items():
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
            runs.append(time.perf_counter() - t0)
            if r.returncode != 0:
                runs = None
                break
        out[label] = statistics.median(runs) if runs else None
    return out


def _staffcalc_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("staffcalc")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from staffcalc.cli import main; main()"]


def run_suite(config: Path, data: Path, jobs: int, only: list[str], out: Path) -> dict:
    cmd = [*_staffcalc_cmd(), "report", "--config", str(config), "--data", str(data), "--out", str(out),
           "--jobs", str(jobs), "--quiet"]
    for name in only:
        cmd += ["--only", name]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=str(ROOT), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    manifests = sorted(out.glob("*/manifest.json"))
    if proc.returncode != 0 or not manifests:
        return {"error": f"staffcalc report exited {proc.returncode}: {proc.stdout[-800:]} {proc.stderr[-800:]}",
                "wall_s": wall, "jobs": jobs}
    m = json.loads(manifests[-1].read_text(encoding="utf-8"))
    return {"wall_s": wall, "manifest_duration_s": m["duration_s"], "jobs": jobs, "status": m["status"],
            "notebooks": {nb["name"]: {"duration_s": nb["duration_s"], "status": nb["status"],
                                       "attempts": nb.get("attempts")} for nb in m["notebooks"]}}


def _empty_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = "../data"\nout_dir = "."\nas_of = "2026-09-01"\n'
                                       'overrides_file = ""\nshow_names = False\nunit = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "empty.ipynb"
    nbformat.write(nb, str(path))
    (folder / "empty.yaml").write_text(
        "defaults:\n  timeout: 300\n  kernel: python3\nnotebooks:\n  - name: empty\n    path: empty.ipynb\n",
        encoding="utf-8")
    return folder / "empty.yaml"


def fig_report(quick: bool) -> dict:
    s = sizes(quick)
    data = ROOT / "data"
    config = ROOT / "reports.yaml"
    if not (data / "staff.csv").exists():
        return _result("report", "Report suite", metrics={"skipped": f"no sample data in {data} (make sample)"},
                       notes=["skipped: the sample data folder is missing"])
    _say(f"  kernel start ×{s['kernel_starts']} …")
    kernel = kernel_start(s["kernel_starts"])
    imports = import_costs(s["kernel_starts"])
    with tempfile.TemporaryDirectory(prefix="staffcalc-bench-report-") as tmp:
        tmp = Path(tmp)
        (tmp / "nb").mkdir()
        empty_cfg = _empty_notebook(tmp / "nb")
        empty = []
        for i in range(s["empty_runs"]):
            _say(f"  empty notebook through staffcalc report ({i + 1}/{s['empty_runs']}) …")
            r = run_suite(empty_cfg, data, 1, [], tmp / f"empty-{i}")
            empty.append(r)
        empty_ok = [r["notebooks"]["empty"]["duration_s"] for r in empty if "notebooks" in r]
        suites = {}
        for jobs in s["suite_jobs"]:
            _say(f"  report suite --jobs {jobs} …")
            suites[jobs] = run_suite(config, data, jobs, s["suite_only"], tmp / f"suite-j{jobs}")
    overhead = statistics.median(empty_ok) if empty_ok else None
    per_nb = {}
    for jobs, r in suites.items():
        for name, nb in r.get("notebooks", {}).items():
            d = nb["duration_s"]
            per_nb.setdefault(name, {})[f"jobs{jobs}"] = {
                "duration_s": d,
                "kernel_start_share": kernel["ready_median_s"] / d if d else None,
                "runner_overhead_share": (overhead / d) if (overhead and d) else None,
            }
    errors = {f"jobs{j}": r["error"] for j, r in suites.items() if "error" in r}
    errors.update({f"empty{i}": r["error"] for i, r in enumerate(empty) if "error" in r})
    targets = []
    top = max(s["suite_jobs"])
    if top in suites and "error" not in suites[top]:
        label = f"report suite wall time at --jobs {top}" + (" (one notebook, --quick)" if s["suite_only"] else "")
        targets.append(target(label, suites[top]["wall_s"], "<", SUITE_TARGET_S, "s"))
    return _result(
        "report", "Report suite on the sample data (staffcalc report)",
        metrics={"kernel_start": kernel, "imports_s": imports, "empty_notebook_durations_s": empty_ok,
                 "runner_overhead_s": overhead,
                 "suites": {f"jobs{j}": r for j, r in suites.items()}, "per_notebook": per_nb, "errors": errors},
        checks={"every_run_ok": not errors and all(r.get("status") == "complete" for r in suites.values())},
        targets=targets,
        notes=[("kernel start = jupyter_client start → wait_for_ready (median); runner overhead = an empty "
                "notebook's duration through staffcalc report (process, papermill, kernel, HTML export)"),
               "suite runs are timed once each (they take tens of seconds)"],
    )
