"""Input checks shared by the calculations: one error type and the helpers that raise it.

A calculation never clamps or guesses: an impossible or missing input raises
:class:`RuleInputError` (a ``ValueError``) whose message names the row(s), the column and the
rule, in English and Chinese, and shows the offending values.  Rows of a frame read by
:func:`staffcalc.io.read_table` are named by file and Excel row (the index name, an
``io.ExcelRows``, carries them through filters; ``file staff.csv, Excel row 7 / 文件 staff.csv
第 7 行``); other frames by their id column (:data:`ID_COLUMNS`, ``staff_id T0042 / 工号 T0042``),
and frames with neither by their index labels::

    row 7, 9 (+3 more), column fail_s2b: more failed items than section S2b has (8) / 不合格项数超过该部分项数
    (values / 值: 9, 10) [rule more_failed_than_items]

(one line).  ``rows``, ``column``, ``rule`` (and ``file``/``excel_rows`` when known) are attributes of the error too, for programs that
show the problem differently.  Each calculation module raises its own subclass —
``EligibilityError``, ``QuotaError``, ``ReviewError``, ``ScoringInputError``,
``StudyLeaveInputError`` — by passing ``error=`` to the helpers (bound once per module with
:func:`raising`), so callers can catch either the module's error or this one.

Helpers: :func:`check` (raise for the rows of a boolean mask), :func:`require_columns`,
:func:`numeric`, :func:`integers` / :func:`integer_counts`, :func:`in_range`, :func:`dates`, :func:`booleans`
(the one yes/no vocabulary, :data:`TRUE_WORDS` / :data:`FALSE_WORDS`, which
:mod:`staffcalc.io` uses for files too) and :func:`policy_or_default`.  Reading files is
:mod:`staffcalc.io`'s job (it collects every problem of a file into an ``InputError``); these
checks guard the calculations' own arguments (DataFrames, arrays, scalars).  All are vectorised:
the work per row is numpy/pandas, Python runs once per distinct value at most.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from . import policy as _policy
from .errors import StaffcalcError

__all__ = [
    "RuleInputError", "raising", "MAX_LISTED", "ID_COLUMNS", "TRUE_WORDS", "FALSE_WORDS", "list_rows", "rows_message", "check",
    "require_columns", "numeric", "integers", "integer_counts", "in_range", "dates", "booleans", "policy_or_default",
]

MAX_LISTED = 10  # rows (and values) shown in a message; the error's ``rows`` holds all of them

# Identifier columns that name a row of a frame without file provenance (first present wins), and their
# Chinese headers (as in staffcalc.schemas).
ID_COLUMNS = {"staff_id": "工号", "candidate_id": "报名号", "application_id": "申报编号"}

# The accepted yes/no words (compared stripped and lower-case); 1/0 numbers and bools too.
TRUE_WORDS = ("是", "true", "1", "yes", "y", "t")
FALSE_WORDS = ("否", "false", "0", "no", "n", "f")
_YES_NO = "是/否, true/false, yes/no, y/n, t/f, 1/0"


class RuleInputError(StaffcalcError):
    """Impossible or missing input to a calculation.

    The message names the row(s), the column and the rule, in English and Chinese: for a frame read
    by :func:`staffcalc.io.read_table` (also after filtering) the file and the Excel row numbers,
    otherwise the staff/candidate/application ids (:data:`ID_COLUMNS`) when the check was given the
    frame, otherwise the index labels.  ``rows`` holds the offending index labels (all of them, the message
    lists the first :data:`MAX_LISTED`), ``file``/``excel_rows`` the file name and Excel rows when
    known, ``column`` the column and ``rule`` a short rule id.
    """

    def __init__(self, message: str, rows: Iterable = (), column: str | None = None, rule: str = "",
                 file: str | None = None, excel_rows: Iterable[int] = ()):
        self.rows = list(rows)
        self.column = column
        self.rule = rule
        self.file = file
        self.excel_rows = list(excel_rows)
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------
def _show(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (list, tuple, dict, np.ndarray)) and pd.isna(value):
        return "(empty / 空)"
    return repr(value)


def list_rows(labels: Iterable, limit: int = MAX_LISTED) -> str:
    """``"7, 9 (+3 more)"``: the first ``limit`` labels and how many more there are."""
    labels = list(labels)
    shown = ", ".join(map(str, labels[:limit]))
    return shown + (f" (+{len(labels) - limit} more)" if len(labels) > limit else "")


def rows_message(rows: Iterable, column: str, rule: str, en: str, zh: str, values: Iterable | None = None,
                 table: str | None = None, *, source: tuple[str, Iterable[int]] | None = None,
                 ids: tuple[str, Iterable] | None = None) -> str:
    """``[table T, ]row 7, 9, column C: en / zh[ (values / 值: …)] [rule R]``.

    The rows are named as the user knows them: with ``source`` = (file name, Excel rows)
    ``file staff.csv, Excel row 7, 9 / 文件 staff.csv 第 7、9 行``; else with ``ids`` = (id column,
    ids) ``staff_id T0042 / 工号 T0042`` (with the labels, ``T0042 (row 3)``, when the id repeats in
    the frame); else by the labels ``rows``.
    """
    rows = list(rows)
    if source is not None:
        file, excel = source[0], list(source[1])
        where = f"file {file}, Excel row {list_rows(excel)} / 文件 {file} 第 {list_rows(excel).replace(', ', '、')} 行"
    elif ids is not None:
        shown = list_rows(ids[1])
        where = f"{ids[0]} {shown} / {ID_COLUMNS[ids[0]]} {shown.replace(', ', '、')}"
    else:
        where = f"row {list_rows(rows)}"
    text = f"{f'table {table}, ' if table else ''}{where}, column {column}: {en} / {zh}"
    if values is not None:
        vals = list(values)
        shown = ", ".join(_show(v) for v in vals[:MAX_LISTED]) + (", …" if len(vals) > MAX_LISTED else "")
        text += f" ({'value / 值' if len(vals) == 1 else 'values / 值'}: {shown})"
    return text + (f" [rule {rule}]" if rule else "")


def check(bad, index, column: str, rule: str, en: str, zh: str, values=None, *, table: str | None = None,
          error: type[RuleInputError] = RuleInputError) -> None:
    """Raise ``error`` if any element of the boolean mask ``bad`` is true.

    ``index`` gives the row labels (DataFrame index, an array of ids; None: positions 0, 1, …) or
    is the DataFrame itself, whose id column (:data:`ID_COLUMNS`) then names rows that have no file
    provenance;
    ``en``/``zh`` describe the rule; ``values`` (same length as the mask) are shown for the
    offending rows; ``table`` names the table in the message.
    """
    bad = np.atleast_1d(np.asarray(bad, dtype=bool)).ravel()
    if not bad.any():
        return
    frame = index if isinstance(index, pd.DataFrame) else None
    if frame is not None:
        index = frame.index
    labels = np.arange(bad.size) if index is None else np.asarray(index, dtype=object).ravel()
    rows = labels[bad]
    vals = None if values is None else np.atleast_1d(np.asarray(values)).ravel()[bad].astype(object)
    source = _source(index, rows)
    ids = None
    if source is None and frame is not None:
        id_col = next((c for c in ID_COLUMNS if c in frame.columns), None)
        if id_col is not None:
            named = frame[id_col].to_numpy(dtype=object)[bad].tolist()
            if frame[id_col].duplicated(keep=False).to_numpy()[bad].any():  # an id alone is ambiguous: add labels
                named = [f"{i} (row {r})" for i, r in zip(named, rows)]
            ids = (id_col, named)
    raise error(rows_message(rows, column, rule, en, zh, vals, table, source=source, ids=ids), rows=rows,
                column=column, rule=rule, file=source[0] if source else None,
                excel_rows=source[1] if source else ())


def _source(index, rows) -> tuple[str, list[int]] | None:
    """``(file name, Excel rows)`` of the labels ``rows`` when ``index`` is the (possibly filtered)
    index of a frame read by :func:`staffcalc.io.read_table` — its name is an ``io.ExcelRows`` and
    its labels are still the read positions — else None."""
    name = getattr(index, "name", None)
    file, excel = getattr(name, "file", None), getattr(name, "rows", None)
    if file is None or excel is None:
        return None
    pos = pd.to_numeric(pd.Series(rows, dtype=object), errors="coerce").to_numpy(dtype="float64")
    if np.isnan(pos).any() or (pos != np.floor(pos)).any() or (pos < 0).any() or (pos >= len(excel)).any():
        return None  # labels that are not read positions: relabelled after reading
    return file, excel[pos.astype(np.int64)].tolist()


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str, *,
                    error: type[RuleInputError] = RuleInputError) -> None:
    """Raise ``error`` naming the columns of ``columns`` that ``df`` lacks (``what``: the table or function)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise error(f"{what}: missing column(s) {missing} / 缺少必需的列 {missing} [rule missing_column]",
                    column=missing[0], rule="missing_column")


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------
def _must(missing, required, n: int) -> np.ndarray:
    """Rows where a missing value is an error: all if ``missing`` is "error", else ``required``."""
    if isinstance(missing, str):
        if missing != "error":
            raise ValueError(f"missing must be 'error' or a default value, got {missing!r}")
        return np.ones(n, dtype=bool)
    if required is None:
        return np.zeros(n, dtype=bool)
    return np.broadcast_to(np.asarray(required, dtype=bool), (n,))


def _floats(s: pd.Series, column: str, index, table, error) -> np.ndarray:
    """Series as float64 (NaN for missing); text that is not a number or yes/no values are errors."""
    not_bool = (f"{f'table {table}, ' if table else ''}column {column}: expected numbers, got yes/no values "
                f"/ 应为数值，不是是/否值 [rule not_numeric]")
    if pd.api.types.is_bool_dtype(s.dtype):
        raise error(not_bool, rows=list(index), column=column, rule="not_numeric")
    try:
        num = pd.to_numeric(s, errors="raise")
    except (TypeError, ValueError):
        bad = pd.to_numeric(s, errors="coerce").isna().to_numpy() & s.notna().to_numpy()
        check(bad, index, column, "not_numeric", "not a number", "不是数值", s.to_numpy(), table=table, error=error)
        raise
    if pd.api.types.is_bool_dtype(num.dtype):
        raise error(not_bool, rows=list(index), column=column, rule="not_numeric")
    return num.to_numpy(dtype="float64", na_value=np.nan)


def numeric(df: pd.DataFrame, column: str, *, missing: Any = "error", required=None, table: str | None = None,
            error: type[RuleInputError] = RuleInputError) -> np.ndarray:
    """Column as float64.  Text that is not a number, yes/no values and infinities are errors.

    Missing cells: ``missing="error"`` (default) — an error; otherwise ``missing`` is the value
    they read as (``np.nan`` keeps them missing), except in the rows where ``required`` (a
    boolean mask or scalar) is true, where they are still an error.
    """
    x = _floats(df[column], column, df.index, table, error)
    nan = np.isnan(x)
    check(nan & _must(missing, required, len(x)), df, column, "missing", "missing: a value is required",
          "数值缺失，此项不能为空", table=table, error=error)
    check(np.isinf(x), df, column, "not_finite", "not a finite number", "不是有限数值", x, table=table,
          error=error)
    if not isinstance(missing, str) and not pd.isna(missing) and nan.any():
        x = np.where(nan, float(missing), x)
    return x


def integers(values, column: str, index=None, minimum: int | None = 0, *, table: str | None = None,
             error: type[RuleInputError] = RuleInputError) -> np.ndarray:
    """Whole numbers ``>= minimum`` as int64, in the shape given (a scalar gives a 0-d array).

    ``values``: a Series (its index labels the rows unless ``index`` is given), an array, a list or
    a scalar (rows are positions 0, 1, …).  Missing, non-numeric, infinite, fractional and yes/no
    values are errors, and so are values below ``minimum`` (None: no lower bound).
    """
    if isinstance(values, (pd.Series, pd.Index)):
        s = values if isinstance(values, pd.Series) else pd.Series(values)
        shape = (len(s),)
        labels = index if index is not None else (values.index if isinstance(values, pd.Series) else None)
    else:
        arr = np.asarray(values)
        shape = arr.shape
        s = pd.Series(arr.ravel())
        labels = index
    if labels is None:
        labels = np.arange(len(s))
    if pd.api.types.is_integer_dtype(s.dtype) and not s.hasnans:  # fast path: already whole and present
        x = s.to_numpy(dtype=np.int64)
    else:
        x = _floats(s, column, labels, table, error)
        check(np.isnan(x), labels, column, "missing", "missing: a value is required", "数值缺失，此项不能为空",
              table=table, error=error)
        check(np.isinf(x), labels, column, "not_finite", "not a finite number", "不是有限数值", x, table=table,
              error=error)
        check(x != np.floor(x), labels, column, "not_integer", "not a whole number", "须为整数", x, table=table,
              error=error)
        x = x.astype(np.int64)
    if minimum is not None:
        if minimum == 0:
            check(x < 0, labels, column, "negative", "must not be negative (below 0)", "不能为负", x, table=table,
                  error=error)
        else:
            check(x < minimum, labels, column, "below_minimum", f"must not be below {minimum}",
                  f"不能小于{minimum}", x, table=table, error=error)
    return x.reshape(shape)


def integer_counts(df: pd.DataFrame, column: str, *, table: str | None = None,
                   error: type[RuleInputError] = RuleInputError) -> np.ndarray:
    """Column of counts: whole, non-negative, present (:func:`integers` with minimum 0).  Returns int64."""
    return integers(df[column], column, df.index, minimum=0, table=table, error=error)


def in_range(x: np.ndarray, index, column: str, lo, hi, rule: str, zh: str, skip=None, *, table: str | None = None,
             error: type[RuleInputError] = RuleInputError) -> None:
    """Raise unless ``lo <= x <= hi`` (both ends allowed) outside the rows where ``skip`` is true.
    NaN is not checked here (see :func:`numeric`)."""
    bad = (x < lo) | (x > hi)
    if skip is not None:
        bad &= ~np.asarray(skip, dtype=bool)
    check(bad, index, column, rule, f"must be between {lo} and {hi}", f"{zh}（应在 {lo} 至 {hi} 之间）", x,
          table=table, error=error)


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------
def dates(df: pd.DataFrame, column: str, *, missing: Any = "error", required=None, table: str | None = None,
          error: type[RuleInputError] = RuleInputError) -> np.ndarray:
    """Column as datetime64[ns].  Cells that are not dates are errors naming the rows.

    Missing cells: ``missing="error"`` (default) — an error; otherwise ``missing`` is the date they
    read as (``pd.NaT`` keeps them missing), except in the rows where ``required`` is true.
    """
    raw = df[column]
    values = pd.to_datetime(raw, errors="coerce").to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(values)
    given = raw.notna().to_numpy()
    check(nat & given, df, column, "not_date", "not a date", "不是有效日期", raw,
          table=table, error=error)
    check(nat & _must(missing, required, len(values)), df, column, "missing", "missing: a date is required",
          "日期缺失，此项不能为空", table=table, error=error)
    if not isinstance(missing, str) and not pd.isna(missing) and nat.any():
        values = np.where(nat, np.datetime64(pd.Timestamp(missing), "ns"), values)
    return values


# --------------------------------------------------------------------------------------------
# Yes/no
# --------------------------------------------------------------------------------------------
def _yes_no(value) -> bool | None:
    """True/False for an accepted yes/no value, None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    return None


def booleans(df: pd.DataFrame, column: str, *, missing: Any = "error", required=None, table: str | None = None,
             error: type[RuleInputError] = RuleInputError) -> np.ndarray:
    """A yes/no column as a numpy bool array.

    Accepted: bools, the numbers 1/0 and the words :data:`TRUE_WORDS` / :data:`FALSE_WORDS`
    (是/否, true/false, yes/no, y/n, t/f, 1/0; any case, surrounding spaces ignored).  Anything
    else is an error naming the rows.  Missing cells: ``missing="error"`` (default) — an error;
    ``missing=False`` (or True) — they read as that value, except in the rows where ``required``
    (a boolean mask or scalar) is true, where they are still an error.
    """
    s = df[column]
    isna = s.isna().to_numpy()
    if pd.api.types.is_bool_dtype(s.dtype) and not isna.any():
        return s.to_numpy(dtype=bool)
    must = _must(missing, required, len(s))
    codes, uniq = pd.factorize(s)  # missing → −1; the words are looked up once per distinct value
    words = [_yes_no(u) for u in uniq]
    known = np.array([w is not None for w in words] + [True], dtype=bool)  # position −1: missing
    yes = np.array([bool(w) for w in words] + [False], dtype=bool)
    check(~known[codes], df, column, "not_bool", f"not a yes/no value ({_YES_NO})", "不是是/否值",
          s, table=table, error=error)
    check(isna & must, df, column, "missing", "missing: a yes/no value is required", "缺少是/否值，此项不能为空",
          table=table, error=error)
    out = yes[codes]
    if isna.any() and not isinstance(missing, str):
        out = np.where(isna, bool(missing), out)
    return out


# --------------------------------------------------------------------------------------------
# One module's own error
# --------------------------------------------------------------------------------------------
def raising(error: type[RuleInputError], *helpers: Callable) -> tuple[Callable, ...]:
    """The ``helpers`` of this module bound to raise ``error`` (the calling module's subclass of
    :class:`RuleInputError`), in the order given::

        check, numeric = raising(QuotaError, checks.check, checks.numeric)
    """
    if not (isinstance(error, type) and issubclass(error, RuleInputError)):
        raise TypeError(f"{error!r} is not a subclass of RuleInputError")
    return tuple(partial(helper, error=error) for helper in helpers)


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------
def policy_or_default(policy: _policy.Policy | None, as_of=None) -> _policy.Policy:
    """The given policy, or the one in force on ``as_of`` (default today)."""
    return policy if policy is not None else _policy.load(as_of)
