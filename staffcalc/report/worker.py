"""A long-lived report worker: ``python -m staffcalc.report.worker KERNEL CWD``.

Started by :class:`staffcalc.report.pool.Pool`.  It pays the fixed costs of a notebook run once, not
once per notebook:

- papermill, nbclient, nbformat's schema validator and nbconvert's HTML exporter are imported and
  warmed when the worker starts (without ``rfc3987_syntax``'s grammar: :mod:`staffcalc.startup`);
- each notebook's kernel is forked from the pool's template process (:mod:`.kernel_fork`), which
  has imported numpy, pandas, matplotlib, ipykernel and staffcalc, parsed the policy files and read
  the run's input tables once; without forking (``STAFFCALC_FORK_KERNELS=0``, not
  Linux) it is a fresh ``ipykernel`` whose ``exec_lines`` import the same modules;
- the kernel for the *next* notebook is started while the current one runs;
- the PDFs are printed by one headless Chromium kept open for the worker's run (:class:`.pdf.Printer`).

Isolation is that of one process per notebook: every notebook gets a new kernel process (a warm
one, never a reused one), shut down as soon as its last cell ran, so no global, import side effect
or matplotlib setting survives into the next notebook.  A kernel that dies mid-notebook fails that
notebook only; the next starts on the spare.

Protocol: one task per line of JSON on stdin (see :func:`staffcalc.report.run.plan`); one outcome
per line of JSON on the worker's original stdout (file descriptor 1 is redirected to stderr at
start, so that nothing a kernel prints can corrupt it).  Each kernel started is announced on stderr
as ``\\x1estaffcalc-kernel {"pid": n}`` so that the pool can kill it with the worker (timeouts,
interrupted runs); progress lines are those of :mod:`.execute`.  End of stdin: shut down and exit.
A dead parent ends the worker (``PR_SET_PDEATHSIG`` on Linux), whose kernels then end themselves
(ipykernel's parent poller).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from .processes import kill_group, set_pdeathsig

KERNEL_MSG = "\x1estaffcalc-kernel"
READY_MSG = "\x1estaffcalc-ready"
# Imported by each kernel before it answers; a notebook's own imports then cost nothing.
WARM_MODULES = ("numpy", "pandas", "matplotlib.pyplot", "IPython.display", "staffcalc.io", "staffcalc.policy",
                "staffcalc.export", "staffcalc.schemas", "staffcalc.plots", "staffcalc.scoring", "staffcalc.quotas",
                "staffcalc.eligibility", "staffcalc.review", "staffcalc.leave_cost", "staffcalc.pay", "staffcalc.notebook")
WARM_IMPORTS = "import " + ", ".join(WARM_MODULES)  # a fresh kernel's exec_lines

_kernels: dict[int, object] = {}  # pid -> kernel manager, for the SIGTERM handler


def _die_with_parent() -> None:
    set_pdeathsig(signal.SIGTERM)
    expected = os.environ.get("STAFFCALC_PARENT_PID")
    if expected and os.getppid() != int(expected):  # the parent died before prctl took effect
        os._exit(143)


def _on_sigterm(signum, frame):
    for pid in list(_kernels):
        kill_group(pid)  # kernels run in their own session
    os._exit(143)


class Kernels:
    """The kernel for the running notebook's successor, started ahead of time; forked from the
    pool's template when ``template`` (a :class:`.kernel_fork.Client`) is given."""

    def __init__(self, kernel: str, cwd: str, template=None):
        self.spare = None
        self.key = (kernel, cwd)
        self.template = template

    def _start(self, key):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from .kernel_fork import attach

        kernel, cwd = key
        km = AsyncKernelManager(kernel_name=kernel)
        attach(km, self.template)
        run_sync(km.start_kernel)(cwd=cwd, extra_arguments=[f"--IPKernelApp.exec_lines={WARM_IMPORTS}",
                                                            "--HistoryManager.hist_file=:memory:"])
        pid = km.provisioner.process.pid
        _kernels[pid] = km
        print(KERNEL_MSG, json.dumps({"pid": pid}), file=sys.stderr, flush=True)
        return key, km

    def prestart(self, key=None) -> None:
        if self.spare is None:
            self.spare = self._start(key or self.key)

    def take(self, key):
        """A started kernel for ``key``: the spare if it fits and lives, else a new one."""
        spare, self.spare = self.spare, None
        if spare is not None:
            if spare[0] == key and spare[1].provisioner.process.poll() is None:
                return spare[1]
            self.release(spare[1])
        return self._start(key)[1]

    def release(self, km) -> None:
        """Stop a kernel at once (its notebook is done; nothing in it is kept)."""
        process = getattr(getattr(km, "provisioner", None), "process", None)
        pid = getattr(process, "pid", None)
        try:
            from jupyter_core.utils import run_sync

            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - fall back to killing it
            pass
        if pid is not None:
            if process.poll() is None:
                kill_group(pid)
                process.wait()
            _kernels.pop(pid, None)
            print(KERNEL_MSG, json.dumps({"pid": pid, "gone": True}), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.spare is not None:
            self.release(self.spare[1])
            self.spare = None
        if self.template is not None:
            self.template.close()


def warm() -> None:
    """Import and warm everything a notebook run needs, once."""
    import nbformat
    import papermill  # noqa: F401

    from .execute import register_engine
    from .publish import html_exporter

    nbformat.validate(nbformat.v4.new_notebook())  # builds the schema validator (and its format checkers)
    register_engine()
    html_exporter()


def run_one(kernels: Kernels, task: dict, printer=None) -> dict:
    """Run one task on a warm kernel, starting the next kernel meanwhile; retry a failed start."""
    from .execute import execute

    key = (task["kernel"], task["cwd"])
    deadline = time.time() + float(task["timeout"])
    attempts = 0
    while True:
        attempts += 1
        try:
            km = kernels.take(key)
        except Exception as exc:  # noqa: BLE001 - e.g. no such kernel: reported like the old path
            result = {"status": "kernel_start_failed" if type(exc).__name__ != "NoSuchKernel" else "crashed",
                      "error": {"cell_index": None, "cell_id": None, "source_line": None, "execution_count": None,
                                "ename": type(exc).__name__, "evalue": str(exc)}}
        else:
            kernels.key = key
            if task.get("prestart", True):
                kernels.prestart(key)  # boots while this notebook runs
            result = execute(task, km=km, release=kernels.release, printer=printer)
            signal.signal(signal.SIGTERM, _on_sigterm)  # nbclient resets SIGTERM to the default after a run
        if result.get("status") != "kernel_start_failed":
            break
        if attempts >= int(task.get("retries", 3)) or time.time() >= deadline:
            err = result.get("error") or {}
            result["status"] = "crashed"
            result["error"] = {**err, "evalue": f"kernel did not start after {attempts} tries / 内核启动失败: "
                               f"{err.get('ename', '')}: {err.get('evalue', '')}"}
            break
        time.sleep(min(0.5 * 2 ** (attempts - 1), max(0.0, deadline - time.time())))
    result["attempts"] = attempts
    return result


def main(argv: list[str]) -> int:
    from ..startup import skip_iri_checker

    _die_with_parent()
    skip_iri_checker()
    os.environ["STAFFCALC_WORKER_PID"] = str(os.getpid())  # kernels see which worker runs them
    signal.signal(signal.SIGTERM, _on_sigterm)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else writes to stdout (kernels, libraries) goes to stderr
    sys.stdout = sys.stderr
    from . import kernel_fork
    from .pdf import Printer

    address = os.environ.get(kernel_fork.ENV_ADDRESS)
    template = kernel_fork.Client(address) if address and kernel_fork.enabled() else None
    kernels = Kernels(argv[1], argv[2], template)  # no kernel before the first notebook is sent
    printer = Printer()  # one browser for this worker's PDFs, started at the first one
    warm()
    print(READY_MSG, flush=True, file=sys.stderr)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            task = json.loads(line)
            result = run_one(kernels, task, printer)
            result["pid"] = os.getpid()
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
    finally:
        printer.close()
        kernels.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
