"""A pool of long-lived report workers (:mod:`.worker`): start once, run many notebooks.

``Pool(size)`` starts ``size`` worker processes and one kernel template (:mod:`.kernel_fork`: the
imports, policy files and input tables of a notebook, done once, from which each notebook's kernel is
forked) at once; the workers import papermill, nbclient and nbconvert and the template warms up while
the run is still checking its input files (:func:`staffcalc.report.run.run_reports`).  A worker starts
its first kernel when its first notebook arrives, and each next one while the current notebook
runs.  :meth:`Pool.run` (thread
safe: one caller per worker at a time) sends a task to an idle worker and waits for its outcome
until the notebook's wall-clock deadline:

- deadline passed (a hung cell, a kernel that never answers): the worker and every kernel it started
  are killed at once (``SIGKILL`` to their process groups); status ``timeout``, naming the cell it was
  in; a fresh worker takes its place;
- the worker process died (killed, out of memory): status ``crashed`` with the end of its stderr;
  its kernels are killed and a fresh worker takes its place;
- anything else (a failing cell, a kernel that died mid-notebook, a cell timeout) is reported by the
  worker itself, which carries on with its next (fresh, warm) kernel.

Workers are started from one long-lived thread of the pool: Linux ends a worker when the *thread*
that started it exits (``PR_SET_PDEATHSIG``), so they must not be started from short-lived task
threads (a thread pool's, Dask's).

``local_pool(task)`` is the pool of this process for ``--scheduler`` runs: each Dask worker keeps
one pool (as many workers as it has threads) for the run, so a cluster runs the same worker code as
one machine; :func:`shutdown_local` closes it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from concurrent.futures import Future

from . import kernel_fork
from .execute import PROGRESS
from .processes import ends_at_eof, kill_group
from .worker import KERNEL_MSG

_pools: weakref.WeakSet = weakref.WeakSet()
_local: dict = {"pool": None, "run_id": None}
_local_lock = threading.Lock()


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class Worker:
    """The parent's handle on one worker process."""

    def __init__(self, kernel: str, cwd: str, env: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "staffcalc.report.worker", kernel, cwd],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, start_new_session=True,
        )
        self.pid = self.proc.pid
        self.kernel_pids: set[int] = set()
        self.where: dict = {}  # the running notebook's last progress report: i, n, cell_index, cell_id, source_line
        self.tail: deque[str] = deque(maxlen=40)
        self.task: dict | None = None
        self.has_spare = False  # a worker starts its first kernel when its first notebook arrives
        self._results: queue.Queue = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        for raw in self.proc.stdout:
            self._results.put(raw.decode("utf-8"))
        self._results.put(None)

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(PROGRESS):
                try:
                    info = json.loads(line[len(PROGRESS):])
                except ValueError:
                    continue
                self.where = info
                task = self.task
                if task is not None and task.get("progress"):
                    print(f"  {task['label']}: cell {info['i'] + 1}/{info['n']}", file=sys.stderr, flush=True)
            elif line.startswith(KERNEL_MSG):
                try:
                    info = json.loads(line[len(KERNEL_MSG):])
                except ValueError:
                    continue
                (self.kernel_pids.discard if info.get("gone") else self.kernel_pids.add)(int(info["pid"]))
            elif line.strip():
                self.tail.append(line)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, task: dict, deadline: float) -> dict:
        self.where, self.task = {}, task
        self.tail.clear()
        try:
            self.proc.stdin.write((json.dumps(task, ensure_ascii=False) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise _Died from None
        try:
            line = self._results.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            raise _Timeout from None
        if line is None:
            raise _Died
        return json.loads(line)

    def kill(self) -> None:
        """Kill the worker and every kernel it started, at once."""
        kill_group(self.pid)
        for pid in list(self.kernel_pids):
            kill_group(pid)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait
            pass

    def close(self, grace: float = 10.0) -> None:
        """End of work: the worker shuts its kernels down and exits; killed if it does not."""
        if not ends_at_eof(self.proc, grace):
            self.kill()
        else:
            for pid in list(self.kernel_pids):  # normally none left
                kill_group(pid)


class Pool:
    """``size`` warm workers; see the module docstring."""

    def __init__(self, size: int, kernel: str = "python3", cwd: str = ".", run_id: str = "", data_dir: str = ""):
        self.size, self.kernel, self.cwd = max(1, int(size)), kernel, cwd
        self.env = {**os.environ,
                    "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # figures inline in the report
                    "STAFFCALC_RUN_ID": str(run_id),
                    "STAFFCALC_PARENT_PID": str(os.getpid()),
                    "PYTHONIOENCODING": "utf-8"}
        # the workers' kernels are forked from one template that has read the run's tables (kernel_fork)
        self.template = kernel_fork.Template(cwd, self.env, data_dir) if kernel_fork.enabled() else None
        if self.template is not None:
            self.env[kernel_fork.ENV_ADDRESS] = self.template.address
        self._idle: queue.Queue = queue.Queue()
        self._workers: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._remaining: int | None = None  # tasks not yet dispatched, when known (see expect)
        self._spawns: queue.Queue = queue.Queue()
        threading.Thread(target=self._spawner, daemon=True, name="staffcalc-pool").start()
        for _ in range(self.size):
            self._idle.put(self._spawn())
        _pools.add(self)

    def _spawner(self) -> None:
        while True:
            fut = self._spawns.get()
            if fut is None:
                return
            try:
                fut.set_result(Worker(self.kernel, self.cwd, self.env))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                fut.set_exception(exc)

    def _spawn(self) -> Worker:
        fut: Future = Future()
        self._spawns.put(fut)
        worker = fut.result()
        with self._lock:
            self._workers.add(worker)
        return worker

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)

    def expect(self, n: int) -> None:
        """``n`` tasks will be run: a worker then starts a spare kernel only if some task may need it."""
        with self._lock:
            self._remaining = int(n)

    def _dispatch(self, worker: Worker, task: dict) -> dict:
        """``task`` with ``prestart``: whether ``worker`` should start the kernel for a next notebook."""
        with self._lock:
            if self._remaining is None:
                prestart = True
            else:
                self._remaining = max(0, self._remaining - 1)
                spares = sum(w.has_spare for w in self._workers if w is not worker)
                prestart = self._remaining > spares
            worker.has_spare = prestart
        return {**task, "prestart": prestart}

    def workers(self) -> list[Worker]:
        with self._lock:
            return list(self._workers)

    def run(self, task: dict) -> dict:
        """Run ``task`` on an idle worker until its wall-clock ``timeout``; the worker's outcome, or
        ``timeout`` / ``crashed`` when the worker had to be killed or died.  Never raises."""
        deadline = time.time() + float(task["timeout"])
        worker = self._idle.get()
        try:
            if not worker.alive():
                self._retire(worker)
                worker = self._spawn()
            try:
                return worker.run(self._dispatch(worker, task), deadline)
            except _Timeout:
                where = dict(worker.where)
                self._retire(worker)
                worker = self._spawn()
                located = {k: where.get(k) for k in ("cell_index", "cell_id", "source_line")}
                at = "before the first cell" if not where else f"in cell {where['i'] + 1}/{where['n']}"
                return {"status": "timeout", "attempts": 1,
                        "error": {**located, "execution_count": None, "ename": "WallClockTimeout",
                                  "evalue": f"killed after the {task['timeout']:g} s wall-clock limit, {at} "
                                            f"/ 超时已终止"}}
            except _Died:
                where, tail, code = dict(worker.where), list(worker.tail), worker.proc.wait()
                self._retire(worker)
                worker = self._spawn()
                located = {k: where.get(k) for k in ("cell_index", "cell_id", "source_line")}
                return {"status": "crashed", "attempts": 1,
                        "error": {**located, "execution_count": None, "ename": "ProcessDied",
                                  "evalue": f"report worker exited with code {code} / 报告进程意外退出: "
                                            + " | ".join(tail[-5:])}}
        except Exception as exc:  # noqa: BLE001 - e.g. cannot start a process at all
            return {"status": "crashed", "attempts": 0,
                    "error": {"cell_index": None, "cell_id": None, "source_line": None, "execution_count": None,
                              "ename": type(exc).__name__, "evalue": str(exc)}}
        finally:
            if not self._closed:
                self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker (their kernels with them)."""
        self._closed = True
        workers = self.workers()
        threads = [threading.Thread(target=w.close) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with self._lock:
            self._workers.clear()
        self._spawns.put(None)
        if self.template is not None:
            self.template.close()

    def kill(self) -> None:
        """Kill every worker and kernel at once (an interrupted run)."""
        self._closed = True
        for w in self.workers():
            self._retire(w)
        self._spawns.put(None)
        if self.template is not None:
            self.template.kill()

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.kill()


def kill_all() -> None:
    """Kill every pool of this process (on interrupt)."""
    for pool in list(_pools):
        pool.kill()


def local_pool(task: dict) -> Pool:
    """This process's pool for ``task``'s run (on a Dask worker: one worker process per thread)."""
    with _local_lock:
        pool = _local["pool"]
        if pool is None or _local["run_id"] != task.get("run_id"):
            if pool is not None:
                pool.close()
            try:
                from distributed import get_worker

                size = get_worker().state.nthreads
            except Exception:  # noqa: BLE001 - not on a Dask worker
                size = 1
            pool = Pool(size, kernel=task["kernel"], cwd=task["cwd"], run_id=task.get("run_id", ""),
                        data_dir=task.get("parameters", {}).get("data_dir", ""))
            _local.update(pool=pool, run_id=task.get("run_id"))
        return pool


def shutdown_local() -> None:
    """Close this process's pool (after a ``--scheduler`` run, via ``client.run``)."""
    with _local_lock:
        if _local["pool"] is not None:
            _local["pool"].close()
        _local.update(pool=None, run_id=None)
