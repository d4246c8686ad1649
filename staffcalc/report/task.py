"""One notebook run as a plain, picklable task: a dict in, a dict out.

:func:`run_task` is what the local thread pool (``--jobs N``) and a Dask cluster (``--scheduler``)
both execute.  It starts ``python -m staffcalc.report.execute`` in a separate process and

- kills it when the notebook's wall-clock ``timeout`` (kernel start-up included) is exceeded, so a
  hung kernel is reported, never waited on forever (status ``timeout``, with the cell it was in);
- retries, up to ``retries`` tries in all, when the kernel fails to start before any cell ran (port
  races under parallel runs: ``ZMQError: Address already in use``, ``Kernel died before replying``,
  kernel start timeouts);
- turns the child's "cell k of n" lines into progress messages on stderr when ``task["progress"]``.

Statuses: ``ok``, ``failed`` (a cell raised), ``timeout``, ``crashed`` (kernel died, never started,
or the process died).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque

from .execute import PROGRESS

KILL_GRACE = 5.0  # seconds between SIGTERM and SIGKILL
_live: set[subprocess.Popen] = set()
_live_lock = threading.Lock()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def kill_all() -> None:
    """Kill every notebook process this process started that is still running (on interrupt)."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _stop(proc, grace=1.0)


def _stop(proc: subprocess.Popen, grace: float = KILL_GRACE) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.terminate()
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL) if hasattr(os, "killpg") else proc.kill()
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


def _attempt(task: dict, deadline: float) -> dict:
    """One try: start the child, wait until it finishes or the deadline passes."""
    fd, result_path = tempfile.mkstemp(prefix="staffcalc-result-", suffix=".json")
    os.close(fd)
    os.unlink(result_path)
    env = dict(os.environ)
    env.update(
        MPLBACKEND="module://matplotlib_inline.backend_inline",  # figures inline in the report
        STAFFCALC_RUN_ID=str(task.get("run_id", "")),
        STAFFCALC_PARENT_PID=str(os.getpid()),
        PYTHONIOENCODING="utf-8",
    )
    where: dict = {}  # the last progress report: i, n, cell_index, cell_id, source_line
    tail: deque[str] = deque(maxlen=40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "staffcalc.report.execute", json.dumps(task, ensure_ascii=False), result_path],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=env, start_new_session=True,
    )
    with _live_lock:
        _live.add(proc)

    def read_stderr():
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(PROGRESS):
                try:
                    info = json.loads(line[len(PROGRESS):])
                except ValueError:
                    continue
                where.clear()
                where.update(info)
                if task.get("progress"):
                    print(f"  {task['label']}: cell {info['i'] + 1}/{info['n']}", file=sys.stderr, flush=True)
            elif line.strip():
                tail.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=max(0.0, deadline - time.time()))
        timed_out = False
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop(proc)
    finally:
        with _live_lock:
            _live.discard(proc)
    reader.join(timeout=2.0)  # an orphaned kernel may hold the pipe open: do not wait for EOF

    located = {k: where.get(k) for k in ("cell_index", "cell_id", "source_line")}
    try:
        if timed_out:
            at = "before the first cell" if not where else f"in cell {where['i'] + 1}/{where['n']}"
            return {
                "status": "timeout",
                "error": {**located, "execution_count": None, "ename": "WallClockTimeout",
                          "evalue": f"killed after the {task['timeout']:g} s wall-clock limit, {at} / 超时已终止"},
            }
        try:
            with open(result_path, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return {
                "status": "crashed",
                "error": {**located, "execution_count": None, "ename": "ProcessDied",
                          "evalue": f"notebook process exited with code {proc.returncode}: "
                                    + " | ".join(list(tail)[-5:])},
            }
    finally:
        for p in (result_path, result_path + ".part"):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


def run_task(task: dict) -> dict:
    """Run one notebook (see the module docstring); never raises, returns the outcome as a dict."""
    started, t0 = _now(), time.time()
    deadline = t0 + float(task["timeout"])
    attempts, result = 0, {}
    try:
        while True:
            attempts += 1
            result = _attempt(task, deadline)
            if result.get("status") != "kernel_start_failed":
                break
            if attempts >= int(task.get("retries", 3)) or time.time() >= deadline:
                err = result.get("error") or {}
                result["status"] = "crashed"
                result["error"] = {**err, "evalue": f"kernel did not start after {attempts} tries / 内核启动失败: "
                                   f"{err.get('ename', '')}: {err.get('evalue', '')}"}
                break
            time.sleep(min(0.5 * 2 ** (attempts - 1), max(0.0, deadline - time.time())))
    except Exception as exc:  # noqa: BLE001 - e.g. cannot start a process at all
        result = {"status": "crashed", "error": {"cell_index": None, "cell_id": None, "source_line": None,
                                                 "execution_count": None, "ename": type(exc).__name__,
                                                 "evalue": str(exc)}}
    return {
        "name": task["name"],
        "unit": task.get("unit", ""),
        "label": task["label"],
        "status": result.get("status", "crashed"),
        "error": result.get("error"),
        "html_error": result.get("html_error"),
        "attempts": attempts,
        "worker": {"host": socket.gethostname(), "pid": os.getpid()},
        "started": started,
        "finished": _now(),
        "duration_s": round(time.time() - t0, 3),
    }
