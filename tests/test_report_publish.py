"""Atomic publishing, the ``latest`` pointer, the run lock, kernel-start retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import ROOT, processes_of_run, run_cli, write_config, write_data  # noqa: E402

import staffcalc.report.execute as report_execute  # noqa: E402
import staffcalc.report.worker as report_worker  # noqa: E402
from staffcalc.report import latest_run, publish  # noqa: E402
from staffcalc.report.execute import cell_info, execute  # noqa: E402
from staffcalc.report.run import LOCK_NAME  # noqa: E402


def run_dirs(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")}


def wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --------------------------------------------------------------------------------------------
# a run killed midway; a lock left by a killed process
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("publish")
    data = write_data(base / "data")
    good = write_config(base / "good.yaml", [{"name": "headcount"}])
    slow = write_config(base / "slow.yaml", [{"name": "sleeper"}])
    return {"base": base, "data": data, "good": good, "slow": slow, "out": base / "reports"}


def cli_args(site, config: Path) -> list[str]:
    return ["report", "--config", str(config), "--data", str(site["data"]), "--out", str(site["out"]), "--quiet"]


def test_run_killed_midway_leaves_latest_on_the_previous_run(site):
    code, stdout, _ = run_cli(cli_args(site, site["good"]))
    assert code == 0, stdout
    first = latest_run(site["out"])
    assert first is not None and run_dirs(site["out"]) == {first.name}

    proc = subprocess.Popen([sys.executable, "-m", "staffcalc.cli", *cli_args(site, site["slow"])], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # wait until the notebook is running inside the run's temporary folder, then kill -9 the runner
        partial = wait_for(lambda: list(site["out"].glob(".tmp-*/sleeper/sleeper.ipynb")), 90, "the sleeper to start")
        time.sleep(1.0)
    finally:
        proc.kill()
        proc.wait()
    tmp_run = partial[0].parents[1]
    run_id = tmp_run.name[len(publish.TMP_PREFIX):]

    assert latest_run(site["out"]) == first                      # latest untouched
    assert os.readlink(site["out"] / "latest") == first.name
    assert run_dirs(site["out"]) == {first.name}                 # no half run under a run id
    assert not (site["out"] / run_id).exists() and tmp_run.is_dir()
    # the notebook process and its kernel die with the runner (PR_SET_PDEATHSIG → kill the kernel)
    wait_for(lambda: not processes_of_run(run_id), 15, "the killed run's notebook and kernel to exit")

    # the lock died with the killed process: the next run is not blocked, and cleans up the leftovers
    code, stdout, _ = run_cli(cli_args(site, site["good"]))
    assert code == 0, stdout
    third = latest_run(site["out"])
    assert third is not None and third != first and run_dirs(site["out"]) == {first.name, third.name}
    assert not tmp_run.exists()
    assert third.name > first.name  # run ids sort by start time


def test_second_concurrent_run_is_refused_with_exit_3(site, tmp_path):
    site["out"].mkdir(exist_ok=True)
    lock_path = site["out"] / LOCK_NAME
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1], timeout=0); l.acquire(); "
         "print('locked', flush=True); time.sleep(120)", str(lock_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = set(os.listdir(site["out"]))
        code, out, err = run_cli(cli_args(site, site["good"]))
        assert code == 3 and out == ""
        assert "another staffcalc report run holds" in err and "另一个报告任务正在运行" in err
        assert set(os.listdir(site["out"])) == before  # nothing started, nothing written
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash, not a clean release
        holder.wait()
    # the OS released the lock with the process: it can be taken at once without waiting
    lock = FileLock(str(lock_path), timeout=0)
    lock.acquire()
    lock.release()


# --------------------------------------------------------------------------------------------
# publish / latest, no kernels
# --------------------------------------------------------------------------------------------
def test_set_latest_replaces_the_symlink_atomically(tmp_path):
    for run_id in ("20260901T000000000Z-aaaaaa", "20260902T000000000Z-bbbbbb"):
        (tmp_path / run_id).mkdir()
        assert publish.set_latest(tmp_path, run_id) == "symlink"
        assert os.readlink(tmp_path / "latest") == run_id and latest_run(tmp_path) == tmp_path / run_id
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "20260901T000000000Z-aaaaaa", "20260902T000000000Z-bbbbbb", "latest"]  # no temporaries left


def test_latest_txt_where_symlinks_are_not_available(tmp_path, monkeypatch):
    def no_symlinks(*args, **kwargs):
        raise OSError("symbolic links are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    (tmp_path / "20260901T000000000Z-aaaaaa").mkdir()
    assert latest_run(tmp_path) is None
    assert publish.set_latest(tmp_path, "20260901T000000000Z-aaaaaa") == "latest.txt"
    assert (tmp_path / "latest.txt").read_text(encoding="utf-8").strip() == "20260901T000000000Z-aaaaaa"
    assert not (tmp_path / "latest").exists()
    assert latest_run(tmp_path) == tmp_path / "20260901T000000000Z-aaaaaa"


def test_publish_never_overwrites_a_run(tmp_path):
    (tmp_path / ".tmp-x").mkdir()
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileExistsError):
        publish.publish(tmp_path / ".tmp-x", tmp_path / "x")
    assert (tmp_path / "x" / "manifest.json").read_text(encoding="utf-8") == "{}"


def test_run_ids_are_utc_sortable_and_unique():
    import datetime as dt
    a = publish.new_run_id(dt.datetime(2026, 9, 1, 8, 30, 0, 123000, tzinfo=dt.timezone.utc))
    b = publish.new_run_id(dt.datetime(2026, 9, 1, 8, 30, 0, 124000, tzinfo=dt.timezone.utc))
    assert a.startswith("20260901T083000123Z-") and publish.RUN_ID.match(a) and a < b
    assert len({publish.new_run_id() for _ in range(50)}) == 50


def test_strip_remote_removes_cdn_scripts_and_links_only():
    page = ('<script src="https://cdnjs.cloudflare.com/require.min.js"></script>'
            "<script src='//cdn.example/x.js'></script>"
            '<link rel="stylesheet" href="https://fonts.example/css">'
            "<script>var inline = 1;</script><img src=\"data:image/png;base64,AAA\">")
    assert publish.strip_remote(page) == '<script>var inline = 1;</script><img src="data:image/png;base64,AAA">'


# --------------------------------------------------------------------------------------------
# kernel start-up races are retried, a bounded number of times
# --------------------------------------------------------------------------------------------
TASK = {"name": "x", "unit": "", "label": "x", "timeout": 60, "retries": 3, "kernel": "python3", "cwd": "."}


class FakeKernels:
    """A worker's kernels without processes: each try gets a kernel; the outcome is scripted."""

    key = None

    def take(self, key):
        return object()

    def prestart(self, key=None):
        pass

    def release(self, km):
        pass


def test_kernel_start_failure_is_retried(monkeypatch):
    outcomes = iter([{"status": "kernel_start_failed", "error": {"ename": "ZMQError", "evalue": "Address already in use"}},
                     {"status": "kernel_start_failed", "error": {"ename": "RuntimeError", "evalue": "Kernel died before replying to kernel_info"}},
                     {"status": "ok", "error": None}])
    monkeypatch.setattr(report_execute, "execute", lambda task, km=None, release=None, printer=None: next(outcomes))
    monkeypatch.setattr(report_worker.time, "sleep", lambda s: None)
    r = report_worker.run_one(FakeKernels(), TASK)
    assert (r["status"], r["attempts"]) == ("ok", 3)


def test_kernel_start_retries_are_bounded(monkeypatch):
    calls = []

    def always_fails(task, km=None, release=None, printer=None):
        calls.append(1)
        return {"status": "kernel_start_failed", "error": {"ename": "ZMQError", "evalue": "Address already in use"}}

    monkeypatch.setattr(report_execute, "execute", always_fails)
    monkeypatch.setattr(report_worker.time, "sleep", lambda s: None)
    r = report_worker.run_one(FakeKernels(), TASK)
    assert len(calls) == 3 and r["status"] == "crashed" and r["attempts"] == 3
    assert "kernel did not start after 3 tries" in r["error"]["evalue"] and "Address already in use" in r["error"]["evalue"]


@pytest.fixture
def restore_papermill(monkeypatch):
    """execute() patches papermill's client class (harmless in a worker process): undo it here."""
    import papermill.engines
    monkeypatch.setattr(papermill.engines, "PapermillNotebookClient", papermill.engines.PapermillNotebookClient)


def test_zmq_error_before_the_first_cell_counts_as_a_start_failure(monkeypatch, tmp_path, restore_papermill):
    import papermill
    import zmq

    def racing(*args, **kwargs):
        raise zmq.error.ZMQError(98, "Address already in use")

    monkeypatch.setattr(papermill, "execute_notebook", racing)
    r = execute({"notebook": "x.ipynb", "output_notebook": str(tmp_path / "o.ipynb"), "parameters": {},
                 "kernel": "python3", "start_timeout": 5, "cell_timeout": 5, "cwd": str(tmp_path), "html": ""})
    assert r["status"] == "kernel_start_failed" and r["error"]["ename"] == "ZMQError"


def test_unknown_kernel_is_not_retried(tmp_path, restore_papermill):
    from report_fixtures import FIXTURES
    r = execute({"notebook": str(FIXTURES / "boom.json"), "output_notebook": str(tmp_path / "o.ipynb"),
                 "parameters": {}, "kernel": "no-such-kernel", "start_timeout": 5, "cell_timeout": 5,
                 "cwd": str(tmp_path), "html": ""})
    assert r["status"] == "crashed" and r["error"]["ename"] == "NoSuchKernel"


def test_cell_info_counts_cells_of_the_source_notebook():
    cells = [{"cell_type": "markdown", "source": "# t", "metadata": {}},
             {"cell_type": "code", "source": "a = 1", "metadata": {"tags": ["parameters"]}, "id": "p"},
             {"cell_type": "code", "source": "a = 2", "metadata": {"tags": ["injected-parameters"]}, "id": "i"},
             {"cell_type": "code", "source": ["\n", "boom()\n", "more"], "metadata": {}, "id": "b"}]
    assert cell_info(cells, 3) == {"cell_index": 2, "cell_id": "b", "source_line": "boom()"}
    assert cell_info(cells, 1) == {"cell_index": 1, "cell_id": "p", "source_line": "a = 1"}
    assert cell_info(cells, 2)["cell_index"] is None
    assert cell_info(cells, None)["cell_index"] is None
