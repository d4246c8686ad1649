"""The input tables each report notebook reads, checked before any kernel starts.

A notebook that fails on bad data has already cost a kernel start and leaves a failed run behind;
so ``staffcalc report`` validates, with :func:`staffcalc.validation.validate` and the policy the
run uses, every table the selected notebooks read, and stops with exit code 2 (nothing run,
nothing published) if any problem is found — the same problems ``staffcalc validate`` lists.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import schemas

# notebook file stem -> (tables it always reads, tables it reads when their file exists)
NOTEBOOK_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "post_quotas": (("disciplines", "staff"), ("applicants", "recommendations", "committee_members", "relatives")),
    "appraisal_distribution": (("class_teachers", "appraisal_items", "appraisal_events", "semester_ratings",
                                "recruitment_candidates", "duty_history", "duty_exemptions", "staff"), ()),
    "leave_cost_impact": (("staff", "study_leave"), ()),
}


def tables_read(notebook: str | Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(required, optional)`` table kinds of a notebook; a notebook not listed in
    :data:`NOTEBOOK_TABLES` may read any table, so every table file present is checked."""
    return NOTEBOOK_TABLES.get(Path(notebook).stem, ((), tuple(schemas.TABLES)))


def check_inputs(data_dir: Path, notebooks: list[tuple[Path, str | None]], variant=None,
                 overrides: dict | None = None, what: str = "policy files") -> None:
    """Validate the tables the ``(notebook, as_of)`` pairs read, once per as-of date, with the policy in
    force then (and the run's overrides); raise :class:`staffcalc.io.InputError` listing every problem.

    A policy that cannot be loaded is left to the run's own policy check, which names the override file;
    one that loads but cannot be applied to data (grade bands out of order …) is a ConfigError naming
    ``what`` (the override file)."""
    from ..io import InputError
    from ..policy import PolicyError, load
    from ..validation import validate
    from .config import ConfigError

    by_date: dict[str | None, tuple[set, set]] = {}
    for notebook, as_of in notebooks:
        required, optional = tables_read(notebook)
        req, opt = by_date.setdefault(as_of, (set(), set()))
        req.update(required)
        opt.update(optional)
    found = []
    for as_of, (req, opt) in by_date.items():
        try:
            pol = load(as_of or None, variant=variant)
            if overrides:
                pol = pol.override(overrides)
        except (ValueError, KeyError, TypeError):
            return
        order = list(schemas.TABLES)
        try:
            result = validate(data_dir, sorted(req, key=order.index), optional=sorted(opt - req, key=order.index),
                              policy=pol, as_of=as_of or None)
        except PolicyError as exc:  # e.g. grade bands out of order in the override
            raise ConfigError(f"{what} (as of {as_of or 'today'}): {exc}") from None
        found.append(result.problems)
    problems = pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True) if found else None
    if problems is not None and len(problems):
        raise InputError(problems)
