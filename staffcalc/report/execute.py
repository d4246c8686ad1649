"""Child process that runs one notebook with papermill: ``python -m staffcalc.report.execute TASK RESULT``.

``TASK`` is the task as JSON (built by :func:`staffcalc.report.run.plan`); the outcome is written as
JSON to the file ``RESULT``.  The parent (:func:`staffcalc.report.task.run_task`) enforces the
wall-clock limit by sending SIGTERM; this process then kills its kernel's process group at once
and exits (papermill saved the notebook when the current cell started, so the partial notebook is
kept).  On Linux this process also gets SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), so a
killed ``staffcalc report`` leaves no notebook or kernel running; elsewhere ipykernel's own parent
polling ends an orphaned kernel.

Progress is written to stderr as ``\\x1estaffcalc-progress {json}`` lines (one per code cell, as it
starts), which the parent turns into "cell k/n" messages and uses to say where a killed notebook was.

Where a cell is named (``error``), it is located in the notebook the user edits: ``cell_index`` is
0-based in the *source* notebook (papermill's injected-parameters cell and error banners are not
counted), ``cell_id`` the nbformat cell id, ``source_line`` the cell's first line of code and
``execution_count`` the ``In [n]`` number in the executed notebook.

Outcomes: ``ok``; ``failed`` (a cell raised); ``timeout`` (a cell exceeded ``cell_timeout``);
``kernel_start_failed`` (no cell ran: the parent retries); ``crashed`` (the kernel died, no such
kernel, anything else).
"""

from __future__ import annotations

import json
import os
import signal
import sys

from staffcalc.atomic import write_text

PROGRESS = "\x1estaffcalc-progress"
_state: dict = {"cell": None, "cells": [], "client": None}


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except Exception:  # pragma: no cover - not fatal: the parent still kills us on timeout
            pass
    expected = os.environ.get("STAFFCALC_PARENT_PID")
    if expected and os.getppid() != int(expected):  # the parent died before prctl took effect
        os._exit(143)


def _kill_kernel() -> None:
    """Kill the kernel (it runs in its own session, so its whole process group) at once."""
    client = _state.get("client")
    process = getattr(getattr(getattr(client, "km", None), "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (OSError, AttributeError):
            process.kill()


def _on_sigterm(signum, frame):
    try:
        _kill_kernel()
    finally:
        os._exit(143)


def cell_info(cells: list, executed_index: int | None) -> dict:
    """Locate cell ``executed_index`` of the executing notebook in the source notebook."""
    if executed_index is None or not cells or executed_index >= len(cells):
        return {"cell_index": None, "cell_id": None, "source_line": None}
    injected = next((i for i, c in enumerate(cells)
                     if "injected-parameters" in c.get("metadata", {}).get("tags", [])), None)
    cell = cells[executed_index]
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if injected is not None and executed_index == injected:
        index = None  # the parameters papermill injected
    elif injected is not None and executed_index > injected:
        index = executed_index - 1
    else:
        index = executed_index
    return {"cell_index": index, "cell_id": cell.get("id"), "source_line": first[:120]}


def _register_engine() -> None:
    import papermill.engines as engines
    from papermill.engines import NBClientEngine, papermill_engines

    class RecordingClient(engines.PapermillNotebookClient):
        """Remembers itself so that SIGTERM can kill its kernel."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _state["client"] = self

    engines.PapermillNotebookClient = RecordingClient  # this process runs one notebook only

    class ProgressEngine(NBClientEngine):
        """papermill's nbclient engine, reporting each code cell as it starts."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            cells = list(nb_man.nb.cells)  # a copy: papermill later inserts error banners into nb.cells
            _state["cells"] = cells
            cell_start = nb_man.cell_start

            def reporting_cell_start(cell, cell_index=None, **kw):
                _state["cell"] = cell_index
                if cell.cell_type == "code":
                    info = {"i": cell_index, "n": len(cells), **cell_info(cells, cell_index)}
                    print(PROGRESS, json.dumps(info, ensure_ascii=False), file=sys.stderr, flush=True)
                return cell_start(cell, cell_index, **kw)

            nb_man.cell_start = reporting_cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("staffcalc", ProgressEngine)


def error_entry(cells: list, executed_index, ename: str, evalue: str, execution_count=None) -> dict:
    return {**cell_info(cells, executed_index), "execution_count": execution_count,
            "ename": ename, "evalue": str(evalue)[:2000]}


def execute(task: dict) -> dict:
    """Run the notebook described by ``task``; return the outcome (never raises)."""
    _state.update(cell=None, cells=[], client=None)
    result: dict = {"status": "crashed", "error": None}
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        _register_engine()
        try:
            pm.execute_notebook(
                task["notebook"],
                task["output_notebook"],
                parameters=task["parameters"],
                engine_name="staffcalc",
                kernel_name=task["kernel"],
                progress_bar=False,
                log_output=False,
                start_timeout=task["start_timeout"],
                execution_timeout=task["cell_timeout"],
                cwd=task["cwd"],
            )
            result["status"] = "ok"
        except PapermillExecutionError as exc:
            result["status"] = "failed"
            result["error"] = error_entry(_state["cells"], exc.cell_index, exc.ename, exc.evalue, exc.exec_count)
    except Exception as exc:  # noqa: BLE001 - everything is reported, nothing is raised
        name = type(exc).__name__
        if _state["cell"] is None and name != "NoSuchKernel":
            result["status"] = "kernel_start_failed"
        elif isinstance(exc, TimeoutError):  # nbclient CellTimeoutError: a cell ran past cell_timeout
            result["status"] = "timeout"
        else:
            result["status"] = "crashed"
        result["error"] = error_entry(_state["cells"], _state["cell"], name, str(exc) or repr(exc))
    if result["status"] in ("ok", "failed") and task.get("html"):
        try:
            from .publish import export_html

            export_html(task["output_notebook"], task["html"])
        except Exception as exc:  # noqa: BLE001
            result["html_error"] = f"{type(exc).__name__}: {exc}"
    return result


def main(argv: list[str]) -> int:
    _die_with_parent()
    signal.signal(signal.SIGTERM, _on_sigterm)
    task = json.loads(argv[1])
    result = execute(task)
    write_text(argv[2], json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
