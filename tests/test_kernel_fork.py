"""Kernels forked from a warm template (staffcalc.report.kernel_fork) and the tables it pre-reads (staffcalc.io.preload)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from staffcalc import io
from staffcalc.report import kernel_fork

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not kernel_fork.enabled(), reason="forking kernels needs Linux (pidfd)")


# --------------------------------------------------------------------------------------------------
# io.preload
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "_remembered", None)  # this process remembers nothing before or after the test
    for name in ("staff.csv", "disciplines.csv"):
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    return tmp_path


def test_preload_remembers_clean_tables_and_returns_copies(folder, monkeypatch):
    fresh = io.read_tables(folder, ["staff", "disciplines"])
    assert io.preload(folder) == ["disciplines", "staff"]

    def no_reading(*args):
        raise AssertionError("read the file again")

    monkeypatch.setattr(io, "_read_file", no_reading)
    again = io.read_tables(folder, ["staff", "disciplines"])
    pd.testing.assert_frame_equal(again["staff"], fresh["staff"])
    assert again["staff"].index.name == fresh["staff"].index.name  # the Excel rows still name the file
    assert again["staff"].index.name.file == "staff.csv"
    again["staff"].loc[0, "unit_id"] = "changed"  # a reader's changes stay in its copy
    pd.testing.assert_frame_equal(io.read_table(folder / "staff.csv", "staff"), fresh["staff"])


def test_preload_reads_a_changed_file_again(folder):
    io.preload(folder)
    path = folder / "disciplines.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # one discipline fewer, same mtime second possible
    assert len(io.read_table(path, "disciplines")) == len(lines) - 2


def test_preload_does_not_remember_a_file_with_problems(folder):
    path = folder / "staff.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(text[0] + text[1].replace(",", ",,", 1) + "".join(text[2:]), encoding="utf-8")
    assert io.preload(folder) == ["disciplines"]
    for _ in range(2):  # every read still reports the problem
        with pytest.raises(io.InputError) as err:
            io.read_table(path, "staff")
        assert "staff.csv" in str(err.value)


# --------------------------------------------------------------------------------------------------
# The template and its kernels
# --------------------------------------------------------------------------------------------------
def _start(server, cwd: Path, kernel_fork_on: bool = True):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    if kernel_fork_on:
        kernel_fork.attach(km, server)
    km.start_kernel(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def _value(kc, expression: str):
    out = []
    reply = kc.execute_interactive(f"print(repr({expression}))", timeout=60,
                                   output_hook=lambda m: out.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok", reply["content"]
    return eval("".join(out))  # noqa: S307 - our own repr


@pytest.fixture(scope="module")
def template():
    tpl = kernel_fork.Template(str(ROOT / "notebooks"), env={**os.environ, "STAFFCALC_TEST_MARK": "template"},
                               data_dir=str(ROOT / "data"))
    yield tpl
    tpl.close()
    assert tpl.proc.returncode == 0, list(tpl.tail)


@pytest.fixture
def server(template):
    client = kernel_fork.Client(template.address)
    yield client
    client.close()


def test_kernels_are_forked_from_the_warm_template(template, server, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("STAFFCALC_TEST_MARK", "kernel")
    km, kc = _start(server, tmp_path)
    try:
        assert isinstance(km.provisioner.process, kernel_fork.ForkedProcess)
        pid = km.provisioner.process.pid
        assert _value(kc, "__import__('os').getpid()") == pid
        assert _value(kc, "__import__('os').getppid()") == template.proc.pid    # the template's child
        assert _value(kc, "__import__('os').getsid(0)") == pid                  # its own session (timeouts kill it all)
        assert _value(kc, "__import__('os').getcwd()") == str(tmp_path)          # the directory asked for
        assert _value(kc, "__import__('os').environ['STAFFCALC_TEST_MARK']") == "kernel"  # the manager's environment
        # the template's work is done: modules imported, the sample's tables read and checked once
        assert _value(kc, "'staffcalc.notebook' in __import__('sys').modules") is True
        assert _value(kc, "len(__import__('staffcalc.io').io._remembered)") >= 10
        assert _value(kc, "len(__import__('staffcalc.io').io.read_tables('" + str(ROOT / "data") + "', ['staff'])['staff'])") \
            == len(io.read_tables(ROOT / "data", ["staff"])["staff"])
        kc.execute_interactive("LEFT_BEHIND = 1; import matplotlib; matplotlib.rcParams['lines.linewidth'] = 7", timeout=60)
        kc.execute_interactive("import os; os.write(2, b'kernel-stderr-marker')", timeout=60)
        assert "kernel-stderr-marker" in capfd.readouterr().err  # the kernel writes to the asking process's stderr
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert km.provisioner is None or not km.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped by the template

    km2, kc2 = _start(server, tmp_path)  # the next kernel starts from the template, not from the last one
    try:
        assert _value(kc2, "'LEFT_BEHIND' in globals()") is False
        assert _value(kc2, "__import__('matplotlib').rcParams['lines.linewidth']") == 1.5
        assert _value(kc2, "__import__('os').getpid()") != pid
    finally:
        kc2.stop_channels()
        km2.shutdown_kernel(now=True)


def test_figures_of_a_forked_kernel_are_shown_inline(server, tmp_path, monkeypatch):
    """matplotlib's inline backend hooks into the kernel's own IPython shell (the template has none)."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    km, kc = _start(server, tmp_path)
    shown = []
    try:
        kc.execute_interactive("import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])", timeout=60,
                               output_hook=lambda m: shown.append(m["content"].get("data", {})))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert any("image/png" in data for data in shown)


def test_kernels_do_not_share_random_state(server, tmp_path):
    draws = []
    for _ in range(2):
        km, kc = _start(server, tmp_path)
        try:
            draws.append((_value(kc, "__import__('random').random()"),
                          _value(kc, "float(__import__('numpy').random.random())")))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    assert draws[0][0] != draws[1][0] and draws[0][1] != draws[1][1]


def test_a_dead_template_falls_back_to_a_fresh_kernel(tmp_path):
    tpl = kernel_fork.Template(str(ROOT / "notebooks"))
    tpl.kill()
    km, kc = _start(kernel_fork.Client(tpl.address), tmp_path)
    try:
        assert isinstance(km.provisioner.process, subprocess.Popen)
        assert _value(kc, "__import__('os').getppid()") == os.getpid()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_only_this_interpreters_ipykernel_is_forked():
    assert kernel_fork.forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not kernel_fork.forkable(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "c.json"])
    assert not kernel_fork.forkable([sys.executable, "-m", "other_kernel", "-f", "c.json"])
    assert not kernel_fork.forkable(["R", "--slave", "-e", "IRkernel::main()"])


def test_forking_can_be_switched_off(monkeypatch):
    monkeypatch.setenv(kernel_fork.ENV_SWITCH, "0")
    assert kernel_fork.enabled() is False
    monkeypatch.setenv(kernel_fork.ENV_SWITCH, "1")
    assert kernel_fork.enabled() is True
