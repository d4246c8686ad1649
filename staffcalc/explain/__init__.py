"""Explain any number, per person, for review and appeal (复核/申诉).

:func:`explain` builds a :class:`Trace` for one person (staff number, or an application /
candidate number): for each calculation that concerns them, every step with their values, the
parameter used (path, value, unit), the clause and its Chinese wording, the arithmetic and the
result.  The results are those of the public functions themselves, run once over the whole tables
(normalisation and ranking need the whole round, recommendation counts every application); no rule
is computed a second time here.  Topics:

* ``appraisal`` — monthly appraisal and semester grade (P5), :mod:`.appraisal`;
* ``recruitment`` — class-teacher recruitment score, rank and appointment line (P4), :mod:`.recruitment`;
* ``eligibility`` — post eligibility rules 3.1–3.11 and the discipline's cap and vacancy (P6),
  :mod:`.eligibility`;
* ``pay`` — pay during degree study for a year, restoration, refund and breach liability (P1),
  :mod:`.pay`.

:func:`explain_all` yields the parts for every record of a topic from one run (tests compare them
with the public functions over the whole sample).  Renderings: :meth:`Trace.to_text`,
:meth:`Trace.to_html`, :mod:`.render` (PDF via chromium, Excel).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np
import pandas as pd

from .. import policy as _policy
from ..errors import StaffcalcError
from ..policy import Policy
from . import appraisal as _appraisal
from . import eligibility as _eligibility
from . import pay as _pay
from . import recruitment as _recruitment
from .trace import TOPIC_ZH, Part, Step, Trace

TOPICS = {"appraisal": _appraisal, "recruitment": _recruitment, "eligibility": _eligibility, "pay": _pay}

__all__ = ["ExplainError", "Part", "Step", "Trace", "TOPICS", "explain", "explain_all", "compute", "read_inputs"]


def _topic_module(topic: str):
    return TOPICS[topic]


class ExplainError(StaffcalcError):
    """Nothing to explain for what was asked (unknown staff number, period without data, topic that
    does not apply); the message names what was looked for, in Chinese and English."""


def read_inputs(data_dir: str | Path, topics, extra=()) -> dict[str, pd.DataFrame]:
    """The tables the topics need (and ``extra`` kinds), read and validated by
    :func:`staffcalc.io.read_tables` (optional tables only when their file exists)."""
    from .. import io

    kinds: list[str] = list(extra)
    for t in topics:
        m = _topic_module(t)
        kinds += [k for k in m.KINDS if k not in kinds]
        kinds += [k for k in m.OPTIONAL_KINDS if k not in kinds and _has_file(data_dir, k)]
    return io.read_tables(data_dir, kinds)


def _has_file(data_dir: str | Path, kind: str) -> bool:
    from .. import schemas

    stem = Path(schemas.TABLES[kind].file or f"{kind}.csv").stem
    return any(Path(data_dir).glob(f"{stem}.*"))


def compute(tables: Mapping[str, pd.DataFrame], topic: str, policy: Policy, as_of=None,
            parameters: Mapping[str, Any] | None = None):
    """One vectorised run of the public functions for ``topic`` over the whole tables."""
    return _topic_module(topic).compute(dict(tables), policy, as_of=as_of, parameters=dict(parameters or {}))


def explain_all(tables: Mapping[str, pd.DataFrame], topic: str, policy: Policy | None = None, as_of=None,
                parameters: Mapping[str, Any] | None = None) -> Iterator[tuple[int, Part]]:
    """``(record position, Part)`` for every record of ``topic``, built from one run."""
    pol = policy or _policy.load(as_of)
    module = _topic_module(topic)
    run = compute(tables, topic, pol, as_of, parameters)
    for i in range(len(run.result)):
        yield i, module.build(run, i)


def _check_period(period: str | None) -> None:
    if period is not None and not (len(period) == 7 and period[4] == "-" and period[:4].isdigit()
                                   and period[5:].isdigit() and 1 <= int(period[5:]) <= 12):
        raise ExplainError(f"--period {period!r}: expected YYYY-MM / 月份格式应为 YYYY-MM")


def explain(tables_or_data_dir, staff_id: str, topic: str | None = None, period: str | None = None,
            policy: Policy | None = None, *, as_of=None, parameters: Mapping[str, Any] | None = None,
            show_names: bool = False, produced: dt.date | None = None) -> Trace:
    """The explanation of one person's figures.

    ``tables_or_data_dir``: a data folder or ``{kind: DataFrame}`` as :func:`staffcalc.io.read_tables`
    returns (the input tables as read: the late-material events of P5 §4(五)11 are derived here from
    ``materials_submitted``, so pass events without them).  ``staff_id``: a staff number (工号), or an application (申报编号) or candidate number
    (竞聘编号).  ``topic``: appraisal / recruitment / eligibility / pay, or None for every topic
    that concerns the person.  ``period`` ``YYYY-MM``: the month (appraisal), the month inside a
    study episode (pay), the application month (eligibility) or the recruitment round
    (recruitment); None = the latest appraisal month, every other record.  ``policy``: default the
    policy in force on ``as_of`` (default today); pass ``policy.override({...})`` for a what-if.
    ``parameters``: report settings that are not policy (``openings`` of the recruitment round).

    Raises :class:`ExplainError` for an unknown id, a period without data or a topic that does not
    apply to the person.
    """
    if topic is not None and topic not in TOPICS:
        raise ExplainError(f"unknown topic {topic!r}; topics: {', '.join(TOPICS)} / 未知的解释内容")
    _check_period(period)
    staff_id = str(staff_id).strip()
    topics = [topic] if topic else list(TOPICS)
    if isinstance(tables_or_data_dir, (str, Path)):
        if topic is None:   # every topic whose tables the folder has
            topics = [t for t in topics if all(_has_file(tables_or_data_dir, k) for k in _topic_module(t).KINDS)]
        tables = read_inputs(tables_or_data_dir, topics, extra=("staff",) if show_names else ())
    else:
        tables = dict(tables_or_data_dir)
        if topic is None:
            topics = [t for t in topics if all(k in tables for k in _topic_module(t).KINDS)]
    pol = policy or _policy.load(as_of)
    parts: list[Part] = []
    looked: list[str] = []
    for t in topics:
        module = _topic_module(t)
        run = module.compute(tables, pol, as_of=as_of, parameters=dict(parameters or {}))
        pos = run.records(staff_id)
        if len(pos) == 0:
            looked.append(f"{TOPIC_ZH[t]} / {t}: {module.LOOKED_IN} 中无此号 / not in {module.LOOKED_IN_EN}")
            continue
        if period is not None:
            keep = _in_period(module, run, pos, period)
            if len(keep) == 0:
                looked.append(f"{TOPIC_ZH[t]} / {t}: {period} 无数据 no data for that period")
                continue
            pos = keep
        elif hasattr(run, "default_records"):
            pos = run.default_records(pos)
        parts += [module.build(run, int(i)) for i in pos]
        if hasattr(run, "extra_parts"):
            parts += run.extra_parts(pos)
    if not parts:
        what = f"{staff_id}" + (f", period {period}" if period else "") + (f", topic {topic}" if topic else "")
        raise ExplainError(f"nothing to explain for {what} / 没有可解释的结果（{staff_id}"
                           f"{'，' + period if period else ''}{'，' + TOPIC_ZH[topic] if topic else ''}）：\n  "
                           + "\n  ".join(looked))
    name = _name(tables, staff_id) if show_names else None
    notes = []
    if pol.overrides:
        notes.append("本解释单按假设情景计算（见表头“假设情景”），与正式结果不同。")
    return Trace(subject=staff_id, parts=parts, policy=pol, produced=produced or dt.date.today(), name=name,
                 notes=notes)


def _in_period(module, run, pos: np.ndarray, period: str) -> np.ndarray:
    if hasattr(run, "in_period"):
        return run.in_period(pos, period)
    return pos[run.period_of(pos) == period]


def _name(tables: Mapping[str, pd.DataFrame], staff_id: str) -> str | None:
    """The person's name (only with show_names): staff roster, else the candidate table."""
    for kind, col in (("staff", "staff_id"), ("recruitment_candidates", "candidate_id")):
        df = tables.get(kind)
        if df is not None and "name" in df.columns:
            hit = df.loc[df[col].astype(str) == staff_id, "name"]
            if len(hit):
                return str(hit.iloc[0])
    return None
