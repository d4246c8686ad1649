"""Run one figure in a fresh Python process and measure its peak memory.

:func:`run_isolated` starts ``python -m benchmarks.figures NAME …``, reaps it with ``os.wait4`` and
reads the child's ``ru_maxrss`` from the returned resource usage (Linux: the larger of the child's
own peak RSS and that of any descendant it waited for, e.g. a notebook kernel).  While the child
runs, a thread samples the RSS of the whole process tree with psutil every 0.1 s, so a figure with
several processes alive at once (notebooks at ``--jobs 2``) also gets the peak of their sum.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def _tree_rss(pid: int) -> int:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with jupyter/distributed
        return 0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_isolated(figure: str, args: list[str] = (), timeout: float | None = None) -> dict:
    """The figure's JSON result plus ``maxrss_mb`` (wait4), ``tree_peak_mb`` (sampled) and
    ``exit_code``; on a crash ``{"error": …}`` with the tail of its stderr."""
    fd, result_path = tempfile.mkstemp(prefix="staffcalc-bench-", suffix=".json")
    os.close(fd)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmd = [sys.executable, "-m", "benchmarks.figures", figure, "--result", result_path, *args]
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timer = None
    if timeout:
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
    t0 = time.perf_counter()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        done.set()
        if timer:
            timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    sampler.join()
    try:
        result = json.loads(Path(result_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {"name": figure, "error": f"figure process exited with code {proc.returncode} (no result)"}
    finally:
        Path(result_path).unlink(missing_ok=True)
    result["maxrss_mb"] = usage.ru_maxrss * 1024 / MB   # Linux reports kilobytes
    result["tree_peak_mb"] = peak[0] / MB
    result["process_wall_s"] = wall
    result["exit_code"] = proc.returncode
    return result
