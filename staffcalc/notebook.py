"""What the report notebooks share: parameter checks, the unit filter, names and privacy, Chinese display.

The notebooks in ``notebooks/`` (jupytext percent scripts paired with ``.ipynb``) stay thin: they read
tables, call the calculation modules and show the results through the helpers here, so a rule about
*how a report reads* (a month is ``YYYY-MM``; names appear only with ``show_names``; codes become Chinese
labels) is written once and tested in ``tests/test_notebook_module.py``.

Every error is a :class:`ParameterError` (a :class:`~staffcalc.errors.StaffcalcError`) with an English and a Chinese sentence
naming the parameter, so a failed papermill run says which parameter to fix.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from . import plots, schemas
from .errors import StaffcalcError

_MONTH = r"\d{4}-(0[1-9]|1[0-2])"


class ParameterError(StaffcalcError):
    """A notebook parameter has a value the report cannot use."""


def setup_display() -> None:
    """Chinese chart labels (:func:`staffcalc.plots.setup_cjk_font`) and wide pandas displays."""
    plots.setup_cjk_font()
    pd.set_option("display.max_columns", 60)
    pd.set_option("display.width", 220)


# -- parameter checks -------------------------------------------------------------------------------


def check_month(name: str, value: str) -> str:
    """``value`` if it is a month ``YYYY-MM`` (01–12); else :class:`ParameterError` naming ``name``."""
    if not isinstance(value, str) or not pd.Series([value]).str.fullmatch(_MONTH).all():
        raise ParameterError(f"parameter {name}={value!r}: expected YYYY-MM / 参数 {name} 月份格式应为 YYYY-MM")
    return value


def check_month_range(start_name: str, start: str, end_name: str, end: str) -> tuple[str, str]:
    """Both months well-formed and ``start <= end`` (months compare as text in ``YYYY-MM``)."""
    check_month(start_name, start)
    check_month(end_name, end)
    if start > end:
        raise ParameterError(f"{start_name} {start} is after {end_name} {end} / 起始月份 {start} 晚于截止月份 {end}")
    return start, end


def check_choice(name: str, value, allowed: Iterable) -> object:
    """``value`` if it is one of ``allowed``; else :class:`ParameterError` listing the choices."""
    allowed = list(allowed)
    if value not in allowed:
        raise ParameterError(f"parameter {name}={value!r}: expected one of {allowed} / 参数 {name} 应为 {allowed} 之一")
    return value


def check_keys(name: str, given: Mapping, known: Iterable) -> Mapping:
    """``given`` if all its keys are in ``known``; else :class:`ParameterError` naming the unknown keys."""
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ParameterError(f"parameter {name}: unknown keys {unknown}; known: {sorted(known)} "
                             f"/ 参数 {name} 含未知项 {unknown}")
    return given


# -- unit filter ------------------------------------------------------------------------------------


def unit_ids(unit: str, units: pd.DataFrame, what: str) -> set[str]:
    """The unit codes ``unit`` selects: a ``unit_id`` or a ``unit_name`` in ``units``; empty = all codes.

    ``units`` has a ``unit_id`` column and optionally ``unit_name``; ``what`` names the records
    (e.g. "class teachers / 班主任") for the error when the unit selects nothing.
    """
    codes = units["unit_id"].astype(str)
    if not unit:
        return set(codes)
    keep = codes == str(unit)
    if "unit_name" in units:
        keep |= units["unit_name"].astype(str) == str(unit)
    found = set(codes[keep])
    if not found:
        raise ParameterError(f"unit {unit!r} has no {what.split(' / ')[0]}; units: {sorted(set(codes))} "
                             f"/ 该单位无{what.split(' / ')[-1]}")
    return found


def in_unit(df: pd.DataFrame, ids: set[str], key: str = "unit_id") -> pd.DataFrame:
    """Rows of ``df`` whose ``key`` is one of ``ids``, renumbered."""
    return df[df[key].astype(str).isin(ids)].reset_index(drop=True)


# -- names and privacy ------------------------------------------------------------------------------


def staff_names(staff: pd.DataFrame, show_names: bool) -> pd.Series | None:
    """``staff_id → name`` when the user asked for names (``show_names``), else ``None`` (ids only)."""
    if not show_names:
        return None
    return staff.set_index("staff_id")["name"]


def with_names(df: pd.DataFrame, names: pd.Series | None, key: str = "staff_id") -> pd.DataFrame:
    """``df`` with a ``name`` column right after ``key`` when ``names`` is given; ``df`` itself otherwise."""
    if names is None or key not in df:
        return df
    out = df.copy()
    out.insert(out.columns.get_loc(key) + 1, "name", out[key].map(names))
    return out


# -- Chinese display --------------------------------------------------------------------------------


def readable(df: pd.DataFrame, labels: Mapping[str, Mapping] | None = None, digits: int | None = None) -> pd.DataFrame:
    """A copy for readers: enum codes mapped to Chinese (``labels``: column → {code: label}), numbers
    rounded to ``digits`` for display only, column headers in Chinese (:data:`staffcalc.schemas.LABELS`)."""
    out = df.copy()
    for column, mapping in (labels or {}).items():
        if column in out:
            out[column] = out[column].map(lambda v, m=mapping: m.get(v, v))
    if digits is not None:
        numeric = out.select_dtypes("number").columns
        out[numeric] = out[numeric].round(digits)
    return schemas.to_chinese(out)


INTERPRETATION_HEADERS = {
    "path": "参数", "value": "取值", "description": "说明", "document": "文件", "clause": "条款", "text": "原文",
    "interpretation": "解释性参数", "alternative": "备选解读", "assumption": "规划假设", "overridden": "本次覆盖",
}


def interpretations(pol, namespaces: Iterable[str]) -> pd.DataFrame:
    """The readings and planning assumptions in force for ``namespaces`` of policy ``pol``, with Chinese headers."""
    table = pd.concat([pol.interpretations(ns) for ns in namespaces], ignore_index=True)
    table = table[list(INTERPRETATION_HEADERS)].rename(columns=INTERPRETATION_HEADERS)
    table["取值"] = table["取值"].astype(str)
    return table
