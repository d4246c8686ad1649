"""Scheduled report runs: papermill notebooks → HTML without code, Excel tables, a manifest, atomic publishing.

``staffcalc report`` (see :mod:`staffcalc.cli`) runs the notebooks listed in ``reports.yaml``.
Modules, in the order a run uses them:

    config    reports.yaml: notebooks, parameters, time limits
    params    a notebook's declared parameters (its ``parameters`` cell) and the check of what is passed
    run       plan (all checks, no kernel) → lock → execute → manifest → publish; exit codes, progress
    task      one notebook as a picklable task for the local pool or a Dask worker
    pool      long-lived warm workers: dispatch, wall-clock kill, replacing a dead worker
    worker    the worker process: papermill/nbconvert loaded once, the next kernel pre-started
    execute   one notebook on a given kernel with papermill, then its HTML
    manifest  checksums and the manifest.json layout
    publish   offline HTML, ``.tmp-`` folder → run folder, the ``latest`` pointer

Library use::

    from staffcalc.report import Options, run_reports, summary
    outcome = run_reports(Options(config="reports.yaml", data="data", out="reports"))
    print(summary(outcome)); outcome.exit_code
"""

from .config import ConfigError, NotebookSpec, load_config
from .params import ParameterError, declared_parameters
from .publish import latest_run
from .run import LockedError, Options, RunOutcome, plan, run_reports, summary
from .task import run_task

__all__ = [
    "ConfigError", "LockedError", "NotebookSpec", "Options", "ParameterError", "RunOutcome",
    "declared_parameters", "latest_run", "load_config", "plan", "run_reports", "run_task", "summary",
]
