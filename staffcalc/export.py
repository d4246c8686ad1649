"""Writing result tables for readers: a styled Excel workbook with Chinese headers, written atomically.

Each sheet gets a styled, frozen header row with an autofilter, fitted column widths, number formats
by column kind (:mod:`staffcalc.formats`: ``#,##0.00`` yuan, ``0.0%`` shares, ``#,##0`` counts,
``yyyy-mm-dd`` dates; values stay unrounded numbers), 是/否 for booleans, Chinese labels for codes,
and print set-up (A4 landscape, one page wide, header row repeated, footer with run id and as-of date).
A ``headline`` table (:mod:`staffcalc.headline`) becomes the first sheet, 概要; ``totals`` adds a bold
合计 row of sums to the sheets named.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import warnings
from copy import copy
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from pandas.api.types import is_bool, is_float, is_integer, is_scalar

from . import formats
from .atomic import atomic_path

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADLINE_SHEET = "概要"
TOTAL_LABEL = "合计"
_HEADLINE_FORMATS = {"count": "#,##0", "money": "#,##0.00", "share": "0.0%", "fte": "#,##0.00"}


def _sheet_name(name: str, used: set[str]) -> str:
    sheet = _BAD_SHEET_CHARS.sub("_", str(name))[:31] or "Sheet"
    base, i = sheet, 2
    while sheet in used:
        sheet = f"{base[:28]}_{i}"
        i += 1
    used.add(sheet)
    return sheet


def _display_width(value) -> int:
    text = str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _for_excel(df: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Codes → Chinese, booleans → 是/否 (missing stays blank); numbers and dates untouched.

    ``kinds``: :func:`staffcalc.formats.kinds` of ``df`` (without the caller's extra money/share columns)."""
    out = formats.chinese_values(df)
    for column, kind in kinds.items():
        if kind == "yesno":
            out[column] = df[column].map(lambda v: "" if pd.isna(v) else (formats.YES if bool(v) else formats.NO))
        elif pd.api.types.is_datetime64_any_dtype(df[column]):
            out[column] = df[column].dt.tz_localize(None) if df[column].dt.tz is not None else df[column]
    return out


def _with_total(df: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    sums = {c: df[c].sum() for c, k in kinds.items() if k in ("money", "int", "float") and not c.startswith("rank")}
    label_col = next((c for c, k in kinds.items() if k == "text"), df.columns[0])
    total = {c: sums.get(c) for c in df.columns}
    total[label_col] = TOTAL_LABEL
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


def write_excel(tables: Mapping[str, pd.DataFrame], path: str | Path, chinese_headers: bool = True,
                headline: pd.DataFrame | None = None, totals: Iterable[str] = (), run_id: str | None = None,
                as_of: str | None = None, title: str | None = None, money: Iterable[str] = (),
                share: Iterable[str] = ()) -> Path:
    """Write ``{sheet name: DataFrame}`` (English column names) to one styled .xlsx file.

    Column names are translated to their Chinese headers (``schemas.LABELS``) unless
    ``chinese_headers`` is false.  ``headline`` (``key, label, value, kind`` [, ``change``]) becomes
    the first sheet; ``totals``: sheet names that get a 合计 row; ``run_id`` (default: the
    ``STAFFCALC_RUN_ID`` the report runner sets) and ``as_of`` go in every page footer; ``title`` in
    the page header.  The file is written to a temporary name and renamed, so a failure never leaves
    a half-written workbook in place of a good one.
    """
    run_id = run_id if run_id is not None else os.environ.get("STAFFCALC_RUN_ID", "")
    totals, money, share = set(totals), tuple(money), tuple(share)
    sheets: list[tuple[str, pd.DataFrame, dict[str, str], bool]] = []
    used: set[str] = set()
    if headline is not None:
        sheets.append((_sheet_name(HEADLINE_SHEET, used), headline, {}, False))
    for name, df in tables.items():
        df = df.reset_index(drop=True)
        plain = formats.kinds(df)
        kinds = formats.kinds(df, money, share) if money or share else plain
        data = _for_excel(df, plain)
        with_total = name in totals and len(df) > 0
        if with_total:
            data = _with_total(data, kinds)
        header = {c: (formats.header(c) if chinese_headers else c) for c in df.columns}
        sheets.append((_sheet_name(name, used), data.rename(columns=header),
                       {header[c]: k for c, k in kinds.items()}, with_total))
    with atomic_path(path) as tmp:
        book = Workbook()
        book.remove(book.active)
        for sheet, data, kinds, with_total in sheets:
            ws = book.create_sheet(sheet)
            if sheet == HEADLINE_SHEET and headline is not None:
                _write_headline(ws, headline)
            else:
                _write_frame(ws, data)
                _style(ws, data, kinds, with_total)
            _print_setup(ws, run_id, as_of, title)
        book.save(tmp)
    return Path(path)


# What pandas' ExcelWriter gives date-time and date values (a column of date kind gets yyyy-mm-dd instead).
_DATETIME_FORMAT, _DATE_FORMAT = "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD"
_EXCEL_MAX_TEXT = 32767


def _cell_value(v):
    """``(value, number format or None)`` of ``v`` in a cell, as ``DataFrame.to_excel`` writes it: missing → "",
    ±inf → "inf"/"-inf", numpy numbers and booleans → Python ones, dates and times kept (with a date
    format), anything else as text."""
    if is_scalar(v) and pd.isna(v):
        return "", None
    if is_float(v) and abs(v) == float("inf"):
        return ("inf" if v > 0 else "-inf"), None
    if getattr(v, "tzinfo", None) is not None:
        raise ValueError("Excel does not support datetimes with timezones / Excel 不支持带时区的日期时间")
    if is_integer(v):
        return int(v), None
    if is_float(v):
        return float(v), None
    if is_bool(v):
        return bool(v), None
    if isinstance(v, Decimal):
        return v, None
    if isinstance(v, dt.datetime):
        return v, _DATETIME_FORMAT
    if isinstance(v, dt.date):
        return v, _DATE_FORMAT
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400, "0"
    v = str(v)
    if len(v) > _EXCEL_MAX_TEXT:
        warnings.warn(f"Cell contents too long, truncated to {_EXCEL_MAX_TEXT} characters", UserWarning, stacklevel=3)
    return v, None


def _write_frame(ws, data: pd.DataFrame) -> None:
    """The header row and the rows of ``data`` (no index) into the empty sheet ``ws``, values as :func:`_cell_value`.

    Every cell of the table exists (blank where a value is missing), as ``to_excel`` leaves it; dates
    get their number format afterwards, one style per format (:func:`_restyle`)."""
    formatted: dict[str, list[tuple[int, int]]] = {}

    def cells(values, where) -> list:
        out = []
        for i, v in enumerate(values):
            value, number_format = _cell_value(v)
            out.append(value)
            if number_format:
                formatted.setdefault(number_format, []).append(where(i))
        return out

    ws.append(cells(data.columns, lambda j: (1, j + 1)))
    columns = [cells(values, lambda i, j=j: (i + 2, j + 1)) for j, (_, values) in enumerate(data.items())]
    for row in zip(*columns):
        ws.append(row)
    for number_format, where in formatted.items():
        _restyle((ws.cell(row=r, column=c) for r, c in where), number_format=number_format)


def _write_headline(ws, headline: pd.DataFrame) -> None:
    has_change = "change" in headline and headline["change"].notna().any()
    frame = pd.DataFrame({"指标": headline["label"], "数值": headline["value"]})
    if has_change:
        frame["较上次运行变化"] = headline["change"]
    _write_frame(ws, frame)
    for i, kind in enumerate(headline["kind"], start=2):
        for col in ("B", "C") if has_change else ("B",):
            ws[f"{col}{i}"].number_format = _HEADLINE_FORMATS.get(kind, "General")
    _style(ws, frame, {"指标": "text"}, False)


def _restyle(cells, **attrs) -> None:
    """Set the openpyxl style attributes ``attrs`` (``font=``, ``number_format=`` …) on every cell of ``cells``.

    The result is the same as setting them cell by cell, but each distinct starting style is restyled
    once and its result copied: openpyxl looks every assigned style object up in the workbook's style
    tables, which cell by cell was most of the time spent writing a large sheet."""
    done: dict[tuple, object] = {}
    for cell in cells:
        key = None if cell._style is None else tuple(cell._style)
        if key in done:
            cell._style = copy(done[key])
            continue
        for name, value in attrs.items():
            setattr(cell, name, value)
        done[key] = cell._style


def _style(ws, data: pd.DataFrame, kinds: Mapping[str, str], with_total: bool) -> None:
    header_fill = PatternFill("solid", fgColor="DCE4EF")
    thin = Side(style="thin", color="8A9AB0")
    n_rows = len(data) + 1
    n_cols = len(data.columns)
    _restyle((ws.cell(row=1, column=j) for j in range(1, n_cols + 1)), font=Font(bold=True), fill=header_fill,
             alignment=Alignment(horizontal="center", vertical="center", wrap_text=True), border=Border(bottom=thin))
    head = data.head(500).to_numpy(dtype=object)  # column widths fit the first 500 values
    present = ~pd.isna(head)
    for j, column in enumerate(data.columns, start=1):
        kind = kinds.get(column, "text")
        number_format = formats.EXCEL_FORMATS.get(kind)
        if number_format:
            _restyle((ws.cell(row=i, column=j) for i in range(2, n_rows + 1)), number_format=number_format)
        sample = head[present[:, j - 1], j - 1]
        if kind == "money":
            widest = max([_display_width(f"{v:,.2f}") for v in sample] or [0])
        elif kind == "date":
            widest = 10
        else:
            widest = max([_display_width(v) for v in set(map(str, sample))] or [0])
        width = min(max(_display_width(column) * 0.9, widest) + 2, 60)
        ws.column_dimensions[get_column_letter(j)].width = max(width, 6)
        if kind == "text" and widest > 60:
            _restyle((ws.cell(row=i, column=j) for i in range(2, n_rows + 1)),
                     alignment=Alignment(wrap_text=True, vertical="top"))
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    if n_cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{max(n_rows - (1 if with_total else 0), 1)}"
    if with_total:
        _restyle((ws.cell(row=n_rows, column=j) for j in range(1, n_cols + 1)), font=Font(bold=True),
                 border=Border(top=thin))


def _print_setup(ws, run_id: str, as_of: str | None, title: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    footer = "运行编号 " + (run_id or "（手工运行）") + ("；测算基准日 " + str(as_of) if as_of else "")
    ws.oddFooter.left.text = footer
    ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    if title:
        ws.oddHeader.center.text = f"{title} — &A"
