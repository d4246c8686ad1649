"""One notebook run as a plain, picklable task: a dict in, a dict out.

:func:`run_task` is what the local thread pool (``--jobs N``) and a Dask cluster (``--scheduler``)
both execute: it hands the task to a pool of warm report workers (:mod:`.pool`; the run's pool, or
on a Dask worker that process's own pool) and returns the outcome with when and where it ran.  The
pool enforces the notebook's wall-clock ``timeout`` (kernel start-up included) by killing the worker
and its kernels; the worker retries, up to ``retries`` tries in all, a kernel that fails to start
before any cell ran (port races under parallel runs: ``ZMQError: Address already in use``, ``Kernel
died before replying``, kernel start timeouts).

Statuses: ``ok``, ``failed`` (a cell raised), ``timeout``, ``crashed`` (kernel died, never started,
or the worker died).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time

from .pool import Pool, kill_all, local_pool

__all__ = ["kill_all", "run_task"]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def run_task(task: dict, pool: Pool | None = None) -> dict:
    """Run one notebook on ``pool`` (default: this process's pool); never raises."""
    started, t0 = _now(), time.time()
    result = (pool or local_pool(task)).run(task)
    return {
        "name": task["name"],
        "unit": task.get("unit", ""),
        "label": task["label"],
        "status": result.get("status", "crashed"),
        "error": result.get("error"),
        "html_error": result.get("html_error"),
        "pdf": result.get("pdf"),
        "attempts": result.get("attempts", 1),
        "worker": {"host": socket.gethostname(), "pid": os.getpid(), "engine_pid": result.get("pid")},
        "started": started,
        "finished": _now(),
        "duration_s": round(time.time() - t0, 3),
    }
