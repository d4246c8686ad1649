"""Run one notebook with papermill inside a report worker (:mod:`.worker`): :func:`execute`.

The worker passes a kernel it started ahead of time (``km``, an ``AsyncKernelManager``); papermill
hands it to nbclient (``execute_notebook(..., km=km)``), which connects to it instead of starting
one.  The kernel belongs to this one notebook: :func:`execute` releases it (``release(km)``) as soon
as the last cell has run, before the HTML is written.

Progress is written to stderr as ``\\x1estaffcalc-progress {json}`` lines (one per code cell, as it
starts), which the pool turns into "cell k/n" messages and uses to say where a killed notebook was.

Where a cell is named (``error``), it is located in the notebook the user edits: ``cell_index`` is
0-based in the *source* notebook (papermill's injected-parameters cell and error banners are not
counted), ``cell_id`` the nbformat cell id, ``source_line`` the cell's first line of code and
``execution_count`` the ``In [n]`` number in the executed notebook.

Outcomes: ``ok``; ``failed`` (a cell raised); ``timeout`` (a cell exceeded ``cell_timeout``);
``kernel_start_failed`` (no cell ran: the pool retries); ``crashed`` (the kernel died, no such
kernel, anything else).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Callable

PROGRESS = "\x1estaffcalc-progress"
SAVE_EVERY_S = 2.0  # how often a running notebook's output is written to disk
_state: dict = {"cell": None, "cells": [], "client": None}


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


def register_engine() -> None:
    """Register papermill engine ``staffcalc``: nbclient, reporting each code cell as it starts."""
    import papermill.engines as engines
    from papermill.engines import NBClientEngine, papermill_engines

    if "staffcalc" in papermill_engines._engines:
        return

    class RecordingClient(engines.PapermillNotebookClient):
        """Remembers itself so that its kernel client can be closed and its cell located."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _state["client"] = self

    engines.PapermillNotebookClient = RecordingClient  # a worker runs one notebook at a time

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
            nb_man.save = _throttled(nb_man.save)
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("staffcalc", ProgressEngine)


def _throttled(save: Callable) -> Callable:
    """papermill writes the whole output notebook (validated JSON, figures included) as each cell starts
    and ends — about a fifth of a worker's CPU on a ``--per unit`` run.  Write it at most every
    :data:`SAVE_EVERY_S` seconds instead: a killed or hung notebook still leaves its output up to a few
    seconds before it stopped, and papermill writes the final notebook (and a failed one, with its
    error) itself after the last cell."""
    last = [float("-inf")]

    def save_now_and_then(**kwargs):
        now = time.monotonic()
        if now - last[0] >= SAVE_EVERY_S:
            last[0] = now
            save(**kwargs)

    return save_now_and_then


def error_entry(cells: list, executed_index, ename: str, evalue: str, execution_count=None) -> dict:
    return {**cell_info(cells, executed_index), "execution_count": execution_count,
            "ename": ename, "evalue": str(evalue)[:2000]}


def _close_client() -> None:
    kc = getattr(_state.get("client"), "kc", None)
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001 - the kernel is being shut down anyway
            pass


def execute(task: dict, km=None, release: Callable | None = None, printer=None) -> dict:
    """Run the notebook described by ``task`` on kernel ``km`` (None: papermill starts one).

    ``release(km)`` is called once the notebook has stopped (before the HTML export); the PDF is
    printed by ``printer`` (a worker's :class:`.pdf.Printer`) or else by :func:`.pdf.html_to_pdf`.
    Returns the outcome; never raises."""
    _state.update(cell=None, cells=[], client=None)
    result: dict = {"status": "crashed", "error": None}
    try:
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError

        register_engine()
        extra = {"km": km} if km is not None else {}
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
                **extra,
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
    finally:
        _close_client()
        if release is not None and km is not None:
            release(km)
    if result["status"] in ("ok", "failed") and task.get("html"):
        try:
            from .publish import export_html

            export_html(task["output_notebook"], task["html"])
        except Exception as exc:  # noqa: BLE001
            result["html_error"] = f"{type(exc).__name__}: {exc}"
        else:
            from .pdf import html_to_pdf

            pdf = str(task["html"]).rsplit(".", 1)[0] + ".pdf"
            result["pdf"] = printer.print(task["html"], pdf) if printer is not None else html_to_pdf(task["html"], pdf)
    return result
