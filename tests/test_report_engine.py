"""The report engine (issue 14): warm workers, one new kernel per notebook, failures stay local.

One run with ``--jobs 1`` (one worker, so the notebooks run one after another on the same worker
until it is killed or replaced) on fixture notebooks from tests/fixtures/notebooks/, done twice: with
kernels forked from the worker's template (:mod:`staffcalc.report.kernel_fork`) and with fresh kernel
processes (``STAFFCALC_FORK_KERNELS=0``):

    leaker → checker → kernel_dies → after_kernel_death → worker_dies → after_worker_death
           → sleeper (wall-clock limit) → after_timeout

- isolation: the checker, run on the leaker's worker right after it, sees none of the leaker's global,
  rcParams, style or sys.modules entry, and runs in another kernel process;
- kernel death mid-notebook: that notebook is ``crashed`` (DeadKernelError), the worker carries on;
- a killed worker: its notebook is ``crashed`` (ProcessDied), a new worker runs the next one;
- timeout: the hung notebook is killed at its limit, a new worker runs the next one;
- afterwards no process of the run (worker or kernel) is left.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import FIXTURES, processes_of_run, run_cli, write_config, write_data  # noqa: E402

import staffcalc.report.run as report_run  # noqa: E402
from staffcalc.report.pool import Pool  # noqa: E402

SLEEPER_TIMEOUT = 15
ORDER = ["leaker", "checker", "kernel_dies", "after_kernel_death", "worker_dies", "after_worker_death",
         "sleeper", "after_timeout"]


@pytest.fixture(scope="module", params=["forked", "fresh"])
def engine_run(request, tmp_path_factory):
    """The run, once with kernels forked from the worker's template (the default on Linux) and once
    with fresh kernel processes (``STAFFCALC_FORK_KERNELS=0``)."""
    base = tmp_path_factory.mktemp(f"engine-{request.param}")
    data = write_data(base / "data")
    headcount = str(FIXTURES / "headcount.json")
    config = write_config(base / "reports.yaml", [
        {"name": "leaker"},
        {"name": "checker"},
        {"name": "kernel_dies"},
        {"name": "after_kernel_death", "path": headcount},
        {"name": "worker_dies"},
        {"name": "after_worker_death", "path": headcount},
        {"name": "sleeper", "timeout": SLEEPER_TIMEOUT},
        {"name": "after_timeout", "path": headcount},
    ])
    out = base / "reports"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_run, "interactive", lambda: True)  # progress and ETA as on a terminal
        mp.setenv("STAFFCALC_FORK_KERNELS", "1" if request.param == "forked" else "0")
        code, stdout, stderr = run_cli(["report", "--config", str(config), "--data", str(data), "--out", str(out),
                                        "--jobs", "1"])
    run = next(p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    return {"code": code, "stdout": stdout, "stderr": stderr, "run": run, "manifest": manifest,
            "nb": {n["name"]: n for n in manifest["notebooks"]}, "forked": request.param == "forked"}


def engine_pid(entry: dict) -> int:
    return entry["worker"]["engine_pid"]


def test_each_notebook_has_the_expected_outcome(engine_run):
    assert [n["name"] for n in engine_run["manifest"]["notebooks"]] == ORDER
    assert {name: n["status"] for name, n in engine_run["nb"].items()} == {
        "leaker": "ok", "checker": "ok", "kernel_dies": "crashed", "after_kernel_death": "ok",
        "worker_dies": "crashed", "after_worker_death": "ok", "sleeper": "timeout", "after_timeout": "ok"}
    assert engine_run["code"] == 1


def test_no_state_leaks_between_notebooks_on_one_worker(engine_run):
    run, nb = engine_run["run"], engine_run["nb"]
    assert engine_pid(nb["leaker"]) == engine_pid(nb["checker"])  # the same worker ran both
    leaker = json.loads((run / "leaker" / "leaker.json").read_text(encoding="utf-8"))
    checker = json.loads((run / "checker" / "checker.json").read_text(encoding="utf-8"))
    # positive control: the leaker did change all of it in its own kernel
    assert leaker["global"] and leaker["module"] and leaker["linewidth"] == 9.5 and leaker["figsize"] == [1.0, 1.0]
    assert leaker["axes_facecolor"] != "white"
    # the next notebook on that worker sees matplotlib's defaults and a clean namespace
    assert checker["global"] is False and checker["module"] is False
    assert checker["linewidth"] == 1.5 and checker["figsize"] != [1.0, 1.0] and checker["axes_facecolor"] == "white"
    assert checker["kernel"] != leaker["kernel"]                      # a new kernel process
    assert checker["worker"] == leaker["worker"] == engine_pid(nb["leaker"])
    if engine_run["forked"]:  # both forked from the worker's one template process, not started by the worker
        assert checker["parent"] == leaker["parent"] != leaker["worker"]
    else:
        assert checker["parent"] == leaker["parent"] == leaker["worker"]


def test_kernel_death_mid_notebook_fails_that_notebook_only(engine_run):
    nb = engine_run["nb"]
    err = nb["kernel_dies"]["error"]
    assert err["ename"] == "DeadKernelError" and err["cell_index"] == 2
    assert nb["after_kernel_death"]["status"] == "ok"
    assert engine_pid(nb["after_kernel_death"]) == engine_pid(nb["kernel_dies"])  # the worker carried on
    assert (engine_run["run"] / "after_kernel_death" / "after_kernel_death.html").is_file()


def test_killed_worker_fails_its_notebook_and_is_replaced(engine_run):
    nb = engine_run["nb"]
    err = nb["worker_dies"]["error"]
    assert err["ename"] == "ProcessDied" and "exited with code -9" in err["evalue"]
    assert err["cell_index"] == 2  # where it was when the worker died
    assert nb["after_worker_death"]["status"] == "ok"
    assert engine_pid(nb["after_worker_death"]) != engine_pid(nb["worker_dies"])


def test_timeout_kills_the_worker_and_the_next_notebook_runs_on_a_new_one(engine_run):
    nb = engine_run["nb"]
    sleeper = nb["sleeper"]
    assert sleeper["error"]["ename"] == "WallClockTimeout"
    assert SLEEPER_TIMEOUT <= sleeper["duration_s"] < SLEEPER_TIMEOUT + 5
    assert nb["after_timeout"]["status"] == "ok"
    assert engine_pid(nb["after_timeout"]) != engine_pid(sleeper)


def test_no_worker_or_kernel_outlives_the_run(engine_run):
    run_id = engine_run["manifest"]["run_id"]
    deadline = time.time() + 10
    while processes_of_run(run_id) and time.time() < deadline:
        time.sleep(0.5)
    assert processes_of_run(run_id) == []


def test_progress_shows_notebooks_done_of_total_with_an_eta(engine_run):
    err = engine_run["stderr"]
    assert "[1/8] ETA " in err and "[7/8] ETA " in err
    assert "[8/8]" in err and "[8/8] ETA" not in err  # nothing left to estimate at the end


def test_pool_starts_a_spare_kernel_only_when_a_task_may_need_it():
    pool = Pool.__new__(Pool)  # the dispatch rule alone, no processes

    class W:
        def __init__(self):
            self.has_spare = True

    import threading
    a, b = W(), W()
    pool._lock, pool._workers, pool._remaining = threading.Lock(), {a, b}, None
    assert pool._dispatch(a, {})["prestart"] is True   # unknown number of tasks (Dask): always
    pool.expect(3)                                      # 3 tasks on 2 workers that each hold a kernel
    assert pool._dispatch(a, {})["prestart"] is True    # 2 left, only b's kernel waiting
    assert pool._dispatch(b, {})["prestart"] is False   # 1 left, a's spare covers it
    assert pool._dispatch(a, {})["prestart"] is False   # none left
