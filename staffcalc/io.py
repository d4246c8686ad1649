"""Reading and validating the input tables users give us (CSV or Excel, English or Chinese headers).

:func:`read_table` reads one file for one table kind of :data:`staffcalc.schemas.TABLES`, converts
every column to its type and validates the result with a pandera schema built from the
:class:`~staffcalc.schemas.base.Table` (required columns, types, ranges, allowed values, empty
cells, unique columns, the key, and the table's cross-field checks).  Every problem in the file is
collected (pandera ``lazy=True`` plus our own per-cell conversion checks) and raised at once as an
:class:`InputError` that names the file, the row number as the user sees it in Excel (the header is
row 1, the first data row is row 2), the column in English and Chinese, the value and the rule,
in English and Chinese.  :func:`read_tables` reads a whole data folder the same way.

What is accepted
----------------
* Files: ``.xlsx``/``.xlsm``/``.xls``/``.ods`` (python-calamine) and anything else as CSV.  CSV
  encodings are detected: UTF-8 (with or without BOM), then GB18030 (a superset of GBK/GB2312, what
  Excel on a Chinese Windows writes for "CSV (逗号分隔)"), and UTF-16 with BOM (Excel's "Unicode
  文本", tab-separated).  A CSV whose header line has tabs and no commas is read as tab-separated.
* Sheets: ``sheet`` by name; else the only sheet; else the sheet named after the table (its kind
  ``staff``, file stem or Chinese name ``教职工花名册``, any case); else the only sheet with the
  table's header.  Otherwise the problem names the sheets found.
* Title rows: the header is the row among the first :data:`HEADER_SEARCH_ROWS` that names the most
  columns (a merged "2026年教职工花名册" above it is skipped; row numbers still count it).  If no row
  names any column and row 1 holds one or two texts, the one problem is "第 1 行像标题行".
* Merged cells (.xlsx, .xls): a merged cell counts as its value in every cell it spans, so a unit
  name merged down over its disciplines is read on each of those rows.  The .ods reader does not
  report merged ranges: the covered cells read as empty (and a required column says so).
* Formulas saved without their results (files written by programs, not by Excel): one problem
  that says so and how to fix it (open and save in Excel or WPS, or paste as values).
* Headers: the English column names (case-insensitive) or the Chinese ``zh`` headers, mixed freely;
  surrounding whitespace (also full-width spaces) is ignored.  Columns not in the schema are
  **dropped** (a notes column such as 备注 does no harm); the result has exactly the schema's
  columns in schema order.  Optional columns absent from the file are added as all-missing.
* Cells: surrounding whitespace is stripped; an empty cell is a missing value; full-width letters,
  digits and signs (Ｔ０００１, １９８０－０１－０２, ８０％) are read as ordinary ones (NFKC), except in
  names, which are kept as typed.  Rows that are entirely empty (Excel often leaves ``,,,,`` lines
  at the end) are skipped, but row numbers in errors still count them, so they match what Excel
  shows.
* Types of the returned columns: ``str`` → pandas ``str`` (missing = NaN); ``int`` → ``int64``, or
  ``Int64`` when the column is nullable or optional-and-absent; ``float`` → ``float64``; ``bool`` →
  ``bool``, or ``boolean`` when nullable (accepted: 是/否, true/false in any case, 1/0, yes/no,
  y/n, t/f, and Excel TRUE/FALSE cells); ``date`` → ``datetime64[ns]`` (accepted: YYYY-MM-DD,
  YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, YYYYMMDD, month/day with or without leading zeros, Excel
  date cells, and Excel serial day numbers of 5 digits (1900 date system); a year alone such as
  1987 is refused as ``year_only``, not read as day 1987 of 1905; a time of day after the date is
  ignored).  Whole numbers written as ``12.0`` are accepted in int columns; thousands separators
  (``12,345.67``) in number columns; a trailing ``%`` in share columns (``80%`` = 0.8) and percent
  columns (``35%`` = 35), nowhere else.  Text that is not a finite number is an error, never
  silently dropped.
* Identifiers (``*_id``, ``id_number``) that Excel turned into scientific notation
  (``9.90262E+17``; also an ID typed into a number cell, which has lost its last digits) are
  refused as ``scientific_notation``.
* Zero data rows is an error for every kind (a header-only file is almost always an export that
  went wrong; no calculation has a meaningful answer for an empty roster).

Rules that need the policy or another table (score ranges, codes, links, plausible dates) are in
:mod:`staffcalc.validation`, which reads the folder with :func:`read_folder`.

The returned frame has a fresh ``RangeIndex`` named by an :class:`ExcelRows` (file name and the
Excel/CSV row number of each index label), which :mod:`staffcalc.checks` uses to name the file
and Excel row in a calculation's error; index ``i`` is Excel row ``i + 2`` when the file has no
title rows and no empty rows.
"""

from __future__ import annotations

import csv as _csv
import datetime as dt
import io as _io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from . import schemas
from .checks import FALSE_WORDS, TRUE_WORDS
from .errors import StaffcalcError
from .schemas.base import Column, Table

__all__ = ["InputError", "Folder", "read_table", "read_tables", "read_folder", "table_files", "pandera_schema",
           "PROBLEM_COLUMNS", "ExcelRows", "renumber"]

PROBLEM_COLUMNS = ["file", "row", "column", "column_zh", "value", "rule", "message_en", "message_zh"]
MAX_MESSAGE_LINES = 50
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

_TRUE, _FALSE = TRUE_WORDS, FALSE_WORDS  # the one yes/no vocabulary of staffcalc.checks
# dtypes of the frame pandera validates (nullable everywhere, so a bad cell can be NA)
_CHECK_DTYPES = {
    "str": pd.StringDtype(na_value=np.nan),
    "int": pd.Int64Dtype(),
    "float": np.dtype("float64"),
    "bool": pd.BooleanDtype(),
    "date": np.dtype("datetime64[ns]"),
}
_TYPE_MESSAGES = {
    "int": ("not a whole number", "不是整数"),
    "float": ("not a number", "不是数字"),
    "bool": ("not a yes/no value (是/否, true/false, 1/0, yes/no, Y/N)", "不是有效的是/否值（是/否、true/false、1/0）"),
    "date": ("not a valid date (write YYYY-MM-DD)", "不是有效日期（应写作 YYYY-MM-DD）"),
}
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# --------------------------------------------------------------------------------------------
# The error
# --------------------------------------------------------------------------------------------
class InputError(StaffcalcError):
    """Bad input: every problem found, with where it is and which rule it breaks.

    ``problems`` is a DataFrame with columns ``file, row, column, column_zh, value, rule,
    message_en, message_zh``; ``row`` is the Excel row number (header = 1; ``<NA>`` for a problem
    with the whole file), ``column`` the English column name (``column_zh`` its Chinese header).
    ``str(error)`` lists the problems, at most :data:`MAX_MESSAGE_LINES` lines.
    """

    def __init__(self, problems: pd.DataFrame):
        self.problems = problems.reset_index(drop=True)
        super().__init__(_format(self.problems))


def _format(problems: pd.DataFrame) -> str:
    n = len(problems)
    files = list(dict.fromkeys(problems["file"]))
    head = (f"{n} problem{'s' if n != 1 else ''} in {', '.join(files)} / 输入数据有 {n} 处问题:")
    lines = [head]
    for p in problems.head(MAX_MESSAGE_LINES).itertuples(index=False):
        where = [str(p.file)]
        if not pd.isna(p.row):
            where.append(f"row {int(p.row)} / 第{int(p.row)}行")
        if isinstance(p.column, str) and p.column:
            where.append(f"column {p.column} ({p.column_zh})" if p.column_zh else f"column {p.column}")
        text = ", ".join(where)
        if not pd.isna(p.row) and p.rule not in ("missing_column", "duplicate_column"):
            text += f", value {_show(p.value)}"
        lines.append(f"  {text}: {p.message_en} / {p.message_zh} [{p.rule}]")
    if n > MAX_MESSAGE_LINES:
        more = n - MAX_MESSAGE_LINES
        lines.append(f"  … and {more} more / 另有 {more} 处问题 (see InputError.problems)")
    return "\n".join(lines)


def _show(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return "(empty / 空)"
    return repr(str(value))


class _Problems:
    """Collects problems as small DataFrames (vectorised, so a million bad cells stay cheap)."""

    def __init__(self):
        self.parts: list[pd.DataFrame] = []
        self.column_order: dict[str, int] = {}  # sort problems within a row by column position

    def __bool__(self):
        return any(len(p) for p in self.parts)

    def add(self, file, rule, en, zh, row=None, column=None, column_zh=None, value=None):
        self.cells(file, rule, en, zh, rows=[row], column=column, column_zh=column_zh, values=[value])

    def cells(self, file, rule, en, zh, rows, column=None, column_zh=None, values=None):
        rows = pd.array(list(rows) if not isinstance(rows, np.ndarray) else rows, dtype="Int64")
        n = len(rows)
        if n == 0:
            return
        if values is None:
            values = [""] * n
        values = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values] \
            if not isinstance(values, np.ndarray) else values
        self.parts.append(pd.DataFrame({
            "file": str(file), "row": rows, "column": column or "", "column_zh": column_zh or "",
            "value": pd.array(values, dtype=object), "rule": rule, "message_en": en, "message_zh": zh,
        }, columns=PROBLEM_COLUMNS))

    def frame(self) -> pd.DataFrame:
        parts = [p for p in self.parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        out = pd.concat(parts, ignore_index=True)
        # file-level problems first, then by row, keeping the order found within a row
        files = {f: i for i, f in enumerate(dict.fromkeys(out["file"]))}
        out["_file"] = out["file"].map(files)
        first = out["column"].str.split(",").str[0]
        out["_col"] = first.map(self.column_order).fillna(len(self.column_order)) if self.column_order else 0
        out = out.sort_values(["_file", "row", "_col"], na_position="first", kind="stable")
        return out.drop(columns=["_file", "_col"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
def read_table(path: str | Path, kind: str, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate one input table; see the module docstring for what is accepted.

    ``kind`` is a key of ``staffcalc.schemas.TABLES`` (e.g. ``"staff"``); ``sheet`` picks an
    Excel sheet by name (default: the first) and is ignored for CSV.  Raises :class:`InputError`
    listing every problem: unknown kind, missing or unreadable file, empty file, no data rows, wrong
    sheet, missing or duplicated columns, cells of the wrong type, empty required cells, values out
    of range or not allowed, duplicated unique values or keys, failed cross-field checks.
    """
    problems = _Problems()
    df, _ = _read(Path(path), kind, sheet, problems)
    if problems:
        raise InputError(problems.frame())
    return df


def read_tables(data_dir: str | Path, kinds: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read every table (or the given ``kinds``) from its standard file in ``data_dir``.

    The file is ``Table.file`` (e.g. ``staff.csv``) or the same stem with an Excel suffix
    (:data:`EXCEL_SUFFIXES`); having two is an error (which one did the user edit?).  Problems of
    all files are collected into one :class:`InputError`.
    """
    folder = read_folder(data_dir, kinds)
    if len(folder.problems):
        raise InputError(folder.problems)
    return folder.tables


@dataclass
class Folder:
    """What :func:`read_folder` found: the tables that read cleanly, their files and Excel rows, and
    every problem (:data:`PROBLEM_COLUMNS`) of the files that did not."""

    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    excel_rows: dict[str, np.ndarray]
    problems: pd.DataFrame


def table_files(data_dir: str | Path, kind: str) -> list[Path]:
    """The files in ``data_dir`` that hold table ``kind`` (none, one, or — an error — several)."""
    table = schemas.get(kind)
    stem = Path(table.file or f"{kind}.csv").stem
    names = [table.file or f"{kind}.csv"] + [f"{stem}{s}" for s in EXCEL_SUFFIXES]
    return [Path(data_dir) / n for n in dict.fromkeys(names) if (Path(data_dir) / n).is_file()]


def read_folder(data_dir: str | Path, kinds: Iterable[str] | None = None,
                optional: Iterable[str] = ()) -> Folder:
    """Read ``kinds`` (default: every registered table) and ``optional`` kinds (read only if their
    file exists) from ``data_dir``, collecting problems instead of raising."""
    data_dir = Path(data_dir)
    problems = _Problems()
    kinds = list(schemas.TABLES) if kinds is None else list(kinds)
    optional = [k for k in optional if k not in kinds]
    out, files, rows = {}, {}, {}
    if not data_dir.is_dir():
        problems.add(str(data_dir), "file_missing", "data folder not found", "找不到数据文件夹")
        return Folder(out, files, rows, problems.frame())
    for kind in kinds + optional:
        if kind not in schemas.TABLES:
            _unknown_kind(problems, str(data_dir), kind)
            continue
        table = schemas.TABLES[kind]
        found = table_files(data_dir, kind)
        if not found:
            if kind in optional:
                continue
            stem = Path(table.file or f"{kind}.csv").stem
            problems.add(str(data_dir / (table.file or f"{kind}.csv")), "file_missing",
                         f"file not found (also looked for {', '.join(stem + s for s in EXCEL_SUFFIXES)})",
                         f"找不到文件（{table.zh}）")
            continue
        if len(found) > 1:
            problems.add(str(data_dir), "ambiguous_file",
                         f"both {' and '.join(p.name for p in found)} exist for table {kind}; keep one",
                         f"{table.zh}同时存在多个文件，请只保留一个")
            continue
        df, excel_rows = _read(found[0], kind, None, problems)
        if df is not None:
            out[kind], files[kind], rows[kind] = df, str(found[0]), excel_rows
    return Folder(out, files, rows, problems.frame())


# --------------------------------------------------------------------------------------------
# Reading raw cells
# --------------------------------------------------------------------------------------------
def _unknown_kind(problems: _Problems, file: str, kind) -> None:
    problems.add(file, "kind", f"unknown table kind {kind!r}; known kinds: {', '.join(sorted(schemas.TABLES))}",
                 f"未知的表类型 {kind!r}")


# Tables :func:`preload` read cleanly, by file identity; ``None``: this process does not remember reads.
_remembered: dict[tuple, tuple[pd.DataFrame, np.ndarray]] | None = None


def preload(data_dir: str | Path) -> list[str]:
    """Read every table file in ``data_dir`` now and remember those that read without a problem.

    From then on, reading one of those files again *in this process* (or in a process forked from
    it) returns a copy of what was read, without parsing and checking the file again, for as long as
    the file is unchanged (same path, size, modification time and inode; anything else is read
    afresh).  A file with problems is not remembered, so its reader still gets the full error.  The
    report pool's kernel template (:mod:`staffcalc.report.kernel_fork`) calls this once per run, so
    that the notebooks' kernels, forked from it, do not read and check every table again.  Returns
    the table kinds remembered."""
    global _remembered
    if _remembered is None:
        _remembered = {}
    return sorted(read_folder(data_dir, [], optional=list(schemas.TABLES)).tables)


def _identity(path: Path, kind: str, sheet: str | None) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path.resolve()), kind, sheet, st.st_size, st.st_mtime_ns, st.st_ino


def _read(path: Path, kind: str, sheet: str | None, problems: _Problems):
    """``(frame, Excel row number of each frame row)``, or ``(None, None)`` after adding problems."""
    if _remembered is None:
        return _read_file(path, kind, sheet, problems)
    key = _identity(path, kind, sheet)
    if key in _remembered:
        df, rows = _remembered[key]
        return df.copy(deep=True), rows.copy()
    before = len(problems.parts)
    df, rows = _read_file(path, kind, sheet, problems)
    if key is not None and df is not None and not any(len(p) for p in problems.parts[before:]):
        _remembered[key] = (df.copy(deep=True), rows.copy())
    return df, rows


def _read_file(path: Path, kind: str, sheet: str | None, problems: _Problems):
    file = str(path)
    if kind not in schemas.TABLES:
        _unknown_kind(problems, file, kind)
        return None, None
    table = schemas.TABLES[kind]
    if not path.is_file():
        problems.add(file, "file_missing", "file not found", "找不到文件")
        return None, None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid = _raw_excel(path, table, sheet, problems)
    else:
        grid = _raw_csv(path, problems)
    if grid is None:
        return None, None
    df, excel_rows = _parse(file, table, grid, problems)
    if df is not None:
        df.index = pd.RangeIndex(len(df), name=ExcelRows(path.name, excel_rows))
    return df, excel_rows


class ExcelRows(str):
    """The index name of a frame read from a file: where its rows came from.

    It reads as ``"Excel 行号"`` and carries ``file`` (the file name) and ``rows`` (the Excel/CSV
    row number of index label ``i`` is ``rows[i]``).  An index name survives what keeps the labels
    (boolean masks, ``.loc``, sorting) and is dropped by what renumbers them (``reset_index``,
    merges), so :mod:`staffcalc.checks` can name the file and the Excel row whenever the labels
    still are the read positions, and never names a wrong row.
    """

    def __new__(cls, file: str, rows):
        self = super().__new__(cls, "Excel 行号")
        self.file = file
        self.rows = np.asarray(rows, dtype=np.int64)
        return self

    def __eq__(self, other):
        if isinstance(other, ExcelRows):
            return self.file == other.file and np.array_equal(self.rows, other.rows)
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __reduce__(self):
        return ExcelRows, (self.file, self.rows)


def renumber(df: pd.DataFrame) -> pd.DataFrame:
    """``df.reset_index(drop=True)`` that keeps the file and Excel rows of a frame read by
    :func:`read_table` (the :class:`ExcelRows` index name), e.g. after a filter."""
    out = df.reset_index(drop=True)
    name = df.index.name
    if isinstance(name, ExcelRows):
        labels = df.index.to_numpy()
        if len(labels) == 0 or (pd.api.types.is_integer_dtype(labels.dtype)
                                and labels.min() >= 0 and labels.max() < len(name.rows)):
            out.index = pd.RangeIndex(len(out), name=ExcelRows(name.file, name.rows[labels]))
    return out


def _raw_csv(path: Path, problems: _Problems):
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(file, "unreadable", f"cannot read the file: {exc.strerror or exc}", "无法读取文件")
        return None
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        problems.add(file, "empty", "the file is empty", "文件为空")
        return None
    if data[:4] == b"PK\x03\x04":
        problems.add(file, "unreadable", "this is an Excel workbook, not a CSV file: name it .xlsx",
                     "这是 Excel 工作簿而不是 CSV 文件，请使用 .xlsx 扩展名")
        return None
    text, encoding = None, "utf-16"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:65536]:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None or _looks_binary(text):
        problems.add(file, "unreadable",
                     "not a text CSV file (binary content or unknown encoding; save as CSV UTF-8 or .xlsx)",
                     "不是可识别的 CSV 文本文件（请另存为 CSV UTF-8 或 .xlsx）")
        return None
    payload = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    if encoding != "utf-8-sig":
        payload = text.encode("utf-8")
    del text
    first = payload.split(b"\n", 1)[0]
    sep = "\t" if b"\t" in first and b"," not in first else ","
    try:
        width = pd.read_csv(_io.BytesIO(payload), sep=sep, header=None, nrows=1, dtype=str).shape[1]
        cells = _csv_arrow(payload, sep, width)
    except Exception:  # ragged rows (a title line, a short or long row): the csv module pads them
        try:
            rows = list(_csv.reader(_io.StringIO(payload.decode("utf-8")), delimiter=sep))
        except (_csv.Error, UnicodeDecodeError) as exc:
            problems.add(file, "unreadable", f"not a well-formed CSV file: {exc}", "CSV 格式错误")
            return None
        width = max((len(r) for r in rows), default=0)
        grid = np.full((len(rows), width), "", dtype=object)
        for i, r in enumerate(rows):
            grid[i, :len(r)] = r
        cells = pd.DataFrame(grid).astype(_CHECK_DTYPES["str"])
        cells.attrs["fields"] = [len(r) for r in rows]  # fields on each line, for rows longer than the header
    cells.columns = range(cells.shape[1])
    return cells


def _csv_arrow(payload: bytes, sep: str, width: int) -> pd.DataFrame:
    """Fast path: every cell as text with pyarrow (empty lines kept, so row numbers stay right)."""
    import pyarrow as pyarrow
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    table = pcsv.read_csv(
        _io.BytesIO(payload),
        read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False, newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(column_types={n: pyarrow.string() for n in names},
                                            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    df = table.to_pandas(types_mapper={pyarrow.string(): _CHECK_DTYPES["str"]}.get)
    df.columns = range(width)
    return df


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    return controls > max(2, len(sample) // 100)


def _raw_excel(path: Path, table: Table, sheet: str | None, problems: _Problems) -> pd.DataFrame | None:
    """Every cell of the table's sheet as text (python-calamine reads .xlsx, .xlsm, .xls and .ods).

    The sheet is ``sheet`` if given; else the only sheet; else the sheet named after the table (its
    kind, file stem or Chinese name); else the only sheet with the table's header in its first rows.
    A merged cell counts as its value in every cell it spans.
    """
    from python_calamine import CalamineWorkbook

    file = str(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types for every corrupt file
        problems.add(file, "unreadable", f"not a readable spreadsheet ({type(exc).__name__}: {exc}): open it in Excel "
                     "or WPS and save it as .xlsx", "不是可读取的电子表格：请用 Excel 或 WPS 打开后另存为 .xlsx")
        return None
    try:
        names = list(wb.sheet_names)
        if not names:
            problems.add(file, "empty", "the workbook has no sheets", "工作簿没有工作表")
            return None
        if sheet is not None and sheet not in names:
            problems.add(file, "sheet", f"no sheet named {sheet!r}; the workbook has: {', '.join(names)}",
                         f"找不到工作表 {sheet!r}；现有工作表：{'、'.join(names)}")
            return None
        grids = {}

        def grid(name):
            if name not in grids:
                grids[name] = _sheet_grid(wb.get_sheet_by_name(name))
            return grids[name]

        if sheet is None:
            sheet = _choose_sheet(file, table, names, grid, problems)
            if sheet is None:
                return None
        cells = grid(sheet)
    except Exception as exc:  # noqa: BLE001 - a corrupt part inside the file: report, never a deep traceback
        problems.add(file, "unreadable", f"cannot read the workbook ({type(exc).__name__}: {exc})",
                     "无法读取 Excel 工作簿")
        return None
    finally:
        wb.close()
    if not cells.size or not (cells != "").any():
        problems.add(file, "empty", "the sheet is empty", "工作表为空")
        return None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        n = _formulas_without_values(path, sheet)
        if n:
            problems.add(file, "formula_no_value",
                         f"{n} cell(s) on sheet {sheet!r} hold formulas whose results were never saved (the file was "
                         "written by a program that does not calculate): open it in Excel or WPS and save it again, "
                         "or copy the cells and paste them as values",
                         f"工作表 {sheet!r} 有 {n} 个公式单元格没有保存计算结果：请用 Excel 或 WPS 打开后重新保存，"
                         "或将其复制后“选择性粘贴—数值”")
            return None
    return pd.DataFrame(cells, dtype=object).astype(_CHECK_DTYPES["str"])


def _sheet_grid(ws) -> np.ndarray:
    """A sheet as a 2-D array of cell texts, from A1 (row numbers as Excel shows them), merged cells filled."""
    rows = ws.to_python(skip_empty_area=False)
    width = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        out[i, :len(r)] = [_cell_text(v) for v in r]
    for (r0, c0), (r1, c1) in (getattr(ws, "merged_cell_ranges", None) or []):
        if r0 < out.shape[0] and c0 < out.shape[1]:
            out[r0:r1 + 1, c0:c1 + 1] = out[r0, c0]
    return out


def _choose_sheet(file: str, table: Table, names: list[str], grid, problems: _Problems) -> str | None:
    if len(names) == 1:
        return names[0]
    wanted = {table.kind.lower(), Path(table.file or table.kind).stem.lower(), table.zh}
    named = [n for n in names if n.strip().lower() in wanted or n.strip() in wanted]
    if len(named) == 1:
        return named[0]
    with_header = [n for n in names if _header_row(table, grid(n))[1] >= _enough_headers(table)]
    if len(with_header) == 1:
        return with_header[0]
    if with_header:
        problems.add(file, "sheet", f"several sheets have the {table.kind} header ({', '.join(with_header)}); keep "
                     f"one, or name the right one {table.kind} or {table.zh}",
                     f"多个工作表都有{table.zh}的表头（{'、'.join(with_header)}）：请只保留一个，或将其命名为“{table.zh}”")
    else:
        problems.add(file, "sheet", f"no sheet is named {table.kind} or {table.zh} or has its header; the workbook "
                     f"has: {', '.join(names)}",
                     f"没有名为“{table.zh}”或带有其表头的工作表；现有工作表：{'、'.join(names)}")
    return None


_SHEET_XML = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_CELL_XML = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)


def _formulas_without_values(path: Path, sheet: str) -> int:
    """Formula cells of ``sheet`` with no saved result (openpyxl-written files, for example)."""
    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml")
            rels = z.read("xl/_rels/workbook.xml.rels")
            rid = None
            for tag in _SHEET_XML.findall(book):
                name = re.search(rb'\bname="([^"]*)"', tag)
                if name and _xml_text(name.group(1)) == sheet:
                    rid = re.search(rb'\br:id="([^"]*)"|\bid="([^"]*)"', tag)
                    rid = (rid.group(1) or rid.group(2)) if rid else None
            target = None
            for rel in re.findall(rb"<Relationship\b[^>]*>", rels):
                if rid and re.search(rb'\bId="' + re.escape(rid) + rb'"', rel):
                    target = re.search(rb'\bTarget="([^"]*)"', rel).group(1).decode()
            if target is None:
                return 0
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            xml = z.read(target)
    except (KeyError, OSError, zipfile.BadZipFile, AttributeError):
        return 0
    if b"<f" not in xml and b":f" not in xml:
        return 0
    n = 0
    for m in _CELL_XML.finditer(xml):
        inner = m.group(1) or b""
        if re.search(rb"<(?:\w+:)?f\b", inner) and not re.search(rb"<(?:\w+:)?v>[^<]", inner):
            n += 1
    return n


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8"))


def _cell_text(v) -> str:
    """One Excel cell as the text a user would have typed."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        # beyond 2**53 a float has lost digits (an ID number typed into a number cell): show it as Excel does
        return str(int(v)) if abs(v) < 2 ** 53 else f"{v:.15G}"
    return str(v)


# --------------------------------------------------------------------------------------------
# Headers, conversion, validation
# --------------------------------------------------------------------------------------------
def _header_map(file: str, table: Table, header: list[str], problems: _Problems, row: int = 1) -> dict[str, int]:
    """English column name -> position in the file (``row``: the header's Excel row)."""
    lower = {c.name.lower(): c.name for c in table.columns}
    lower.update({_header_key(c.zh): c.name for c in table.columns})
    found: dict[str, int] = {}
    for pos, h in enumerate(header):
        name = lower.get(_header_key(h))
        if name is None:
            continue  # unknown columns are dropped (module docstring)
        if name in found:
            col = table.column(name)
            problems.add(file, "duplicate_column",
                         f"the column appears twice (header cells {found[name] + 1} and {pos + 1})",
                         f"该列出现两次（第{found[name] + 1}列和第{pos + 1}列）", row=row, column=name, column_zh=col.zh)
            continue
        found[name] = pos
    return found


def _convert(col: Column, s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Convert stripped text to the checking dtype; returns (values, mask of unconvertible cells)."""
    empty = (s == "").to_numpy()
    if col.dtype == "str":
        return s.where(~empty).astype(_CHECK_DTYPES["str"]), np.zeros(len(s), bool)
    if col.dtype in ("int", "float"):
        s = s.where(~s.str.fullmatch(_THOUSANDS).to_numpy(), s.str.replace(",", "", regex=False))
        scale = None
        if col.unit in ("share", "percent"):  # 80% in a share column is 0.8; 35% in a percent column is 35
            pct = s.str.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*%").to_numpy()
            if pct.any():
                s = s.where(~pct, s.str.rstrip("%").str.strip())
                scale = np.where(pct, 0.01 if col.unit == "share" else 1.0, 1.0)
        num = pd.to_numeric(s.where(~empty), errors="coerce").astype("float64").to_numpy()
        if scale is not None:
            num = num * scale
        ok = np.isfinite(num)
        if col.dtype == "int":
            ok &= np.mod(np.where(ok, num, 0.0), 1) == 0
        bad = ~empty & ~ok
        num = np.where(ok, num, np.nan)
        out = pd.Series(num, index=s.index)
        return (out.astype("Int64") if col.dtype == "int" else out), bad
    if col.dtype == "bool":
        low = s.str.lower()
        is_true, is_false = low.isin(_TRUE).to_numpy(), low.isin(_FALSE).to_numpy()
        bad = ~empty & ~is_true & ~is_false
        out = pd.array(np.where(is_true, True, False), dtype="boolean")
        out[~(is_true | is_false)] = pd.NA
        return pd.Series(out, index=s.index), bad
    # date
    return _to_dates(s, empty)


_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 12,345.67: commas only where they group thousands
_DATE_SEPARATORS = re.compile(r"[/.年月]")


def _to_dates(s: pd.Series, empty: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    # fast path: ISO dates, the common case, parsed in C; only the rest goes through normalisation
    dates = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    rest_mask = dates.isna().to_numpy() & ~empty
    if rest_mask.any():
        rest = s[rest_mask].str.split(r"[ T]", n=1, regex=True).str[0]  # drop a time of day
        rest = rest.str.replace(_DATE_SEPARATORS, "-", regex=True).str.replace("日", "", regex=False)
        parsed = pd.to_datetime(rest, format="%Y-%m-%d", errors="coerce")
        compact = pd.to_datetime(rest.where(rest.str.fullmatch(r"\d{8}")), format="%Y%m%d", errors="coerce")
        serial = pd.to_numeric(rest.where(rest.str.fullmatch(r"\d{5}(\.0+)?")), errors="coerce")
        from_serial = _EXCEL_EPOCH + pd.to_timedelta(serial.where(serial >= 1), unit="D")
        dates = dates.copy()
        dates[rest_mask] = parsed.fillna(compact).fillna(from_serial).astype("datetime64[ns]").to_numpy()
    bad = ~empty & dates.isna().to_numpy()
    return dates, bad


def _num(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _allowed_text(col: Column, sep: str) -> str:
    return sep.join(str(a) for a in col.allowed)


def pandera_schema(table: Table | str, present: Iterable[str] | None = None,
                   bad_cells: Mapping[str, np.ndarray] | None = None) -> pa.DataFrameSchema:
    """The pandera schema for ``table`` (a Table or a kind), over the nullable checking dtypes.

    Columns: dtype, ``nullable``, ``unique`` (when the column is unique but not the whole key),
    and checks named ``min``/``max``/``allowed``; the key columns are unique together; each
    :class:`~staffcalc.schemas.base.Check` becomes a DataFrame-level check named after it.  A
    cross-field check is not applied to a row where one of its columns already has a reported
    problem (an empty cell in a non-nullable column, or a cell in ``bad_cells``, the positions
    that failed conversion) so one bad cell gives one message; empty cells in nullable columns
    are left to the check itself.  ``present`` limits the schema to the columns the file has.
    """
    if isinstance(table, str):
        table = schemas.get(table)
    present = set(table.names if present is None else present)
    bad_cells = dict(bad_cells or {})
    columns = {}
    for col in table.columns:
        if col.name not in present:
            continue
        checks = []
        if col.min is not None:
            checks.append(pa.Check(lambda s, m=col.min: s >= m, name="min"))
        if col.max is not None:
            checks.append(pa.Check(lambda s, m=col.max: s <= m, name="max"))
        if col.allowed is not None:
            checks.append(pa.Check(lambda s, a=tuple(col.allowed): s.isin(a), name="allowed"))
        columns[col.name] = pa.Column(
            _CHECK_DTYPES[col.dtype], checks=checks, nullable=col.nullable,
            unique=col.unique and tuple(table.key) != (col.name,), required=True, coerce=False,
        )
    df_checks = [pa.Check(_wide(table, check, bad_cells), name=check.name)
                 for check in table.checks if set(check.columns) <= present]
    key = list(table.key) if table.key and set(table.key) <= present else None
    return pa.DataFrameSchema(columns, checks=df_checks, unique=key, report_duplicates="all",
                              name=table.kind, strict=False, coerce=False)


def _wide(table: Table, check, bad_cells: Mapping[str, np.ndarray]):
    cols = list(check.columns)
    required = [c for c in cols if not table.column(c).nullable]

    def fn(df: pd.DataFrame) -> pd.Series:
        ok = pd.Series(check.fn(df), index=df.index).fillna(False).astype(bool).to_numpy()
        skip = df[required].isna().any(axis=1).to_numpy() if required else np.zeros(len(df), bool)
        for c in cols:
            if c in bad_cells:
                skip = skip | bad_cells[c]
        return pd.Series(ok | skip, index=df.index)

    return fn


HEADER_SEARCH_ROWS = 10  # a header below this many title rows is not looked for


def _header_key(text) -> str:
    return _nfkc_text(str(text).replace("\ufeff", "")).strip().lower()


def _header_row(table: Table, grid) -> tuple[int, int]:
    """``(position, recognised columns)`` of the row among the first :data:`HEADER_SEARCH_ROWS` that
    names the most columns of ``table`` (the first such row; position 0 if none names any)."""
    known = {c.name.lower() for c in table.columns} | {_header_key(c.zh) for c in table.columns}
    rows = grid[:HEADER_SEARCH_ROWS] if isinstance(grid, np.ndarray) else grid.iloc[:HEADER_SEARCH_ROWS].to_numpy()
    counts = [len({_header_key(v) for v in r} & known) for r in rows]
    best = int(np.argmax(counts)) if counts else 0
    return best, (counts[best] if counts else 0)


def _enough_headers(table: Table) -> int:
    """A row naming this many of the table's required columns is taken for its header."""
    return max(1, min(3, sum(c.required for c in table.columns)))


def _parse(file: str, table: Table, grid: pd.DataFrame, problems: _Problems):
    before = len(problems.parts)
    for i, name in enumerate(table.names):
        problems.column_order.setdefault(name, i)
    h, found = _header_row(table, grid)
    first = [str(v).strip() for v in grid.iloc[0].tolist() if str(v).strip()]
    if found == 0 and 0 < len(set(first)) <= 2:
        problems.add(file, "title_row",
                     f"row 1 looks like a title ({first[0]!r}), and none of the first {HEADER_SEARCH_ROWS} rows has "
                     f"the column headers of {table.kind} (e.g. {', '.join(c.zh for c in table.columns[:3])})",
                     f"第 1 行像标题行（{first[0]}），前 {HEADER_SEARCH_ROWS} 行中没有{table.zh}的表头"
                     f"（如 {'、'.join(c.zh for c in table.columns[:3])}）", row=1)
        return None, None
    header = [str(v) for v in grid.iloc[h].tolist()]
    cells = grid.iloc[h + 1:].reset_index(drop=True)
    header_row = h + 1
    fields = grid.attrs.get("fields")
    if fields:  # a CSV line with more fields than the header: which column is which is unclear
        for i, n in enumerate(fields[h + 1:]):
            if n > fields[h] and (cells.iloc[i, fields[h]:n] != "").any():
                problems.add(file, "unreadable", f"this line has {n} fields but the header has {fields[h]}",
                             f"该行有 {n} 个字段，多于表头的 {fields[h]} 个", row=header_row + 1 + i)
        if len(problems.parts) > before:
            return None, None
    positions = _header_map(file, table, header, problems, header_row)
    excel_rows = np.arange(header_row + 1, len(cells) + header_row + 1)
    # strip every cell; drop rows that are entirely empty (row numbers keep counting them)
    stripped = {}
    for name, pos in positions.items():
        stripped[pos] = cells[pos].fillna("").astype(_CHECK_DTYPES["str"]).str.strip()
        if not _free_text(table.column(name)):
            stripped[pos] = _nfkc(stripped[pos])
    if len(cells.columns):
        blank = np.ones(len(cells), bool)
        for pos in range(cells.shape[1]):
            col = stripped.get(pos)
            if col is None:
                col = cells[pos].fillna("").astype(_CHECK_DTYPES["str"]).str.strip()
            blank &= (col == "").to_numpy()
            if not blank.any():
                break
    else:
        blank = np.zeros(len(cells), bool)
    keep = ~blank
    excel_rows = excel_rows[keep]
    text = {name: stripped[pos][keep].reset_index(drop=True) for name, pos in positions.items()}

    for col in table.columns:
        if col.name not in positions and col.required:
            problems.add(file, "missing_column",
                         f"required column missing (header {col.name} or {col.zh})",
                         f"缺少必填列（表头 {col.zh} 或 {col.name}）", row=header_row, column=col.name,
                         column_zh=col.zh)
    n = int(keep.sum())
    if n == 0:
        problems.add(file, "no_rows", "the file has a header but no data rows", "文件只有表头，没有数据行")
        return None, None

    frame = {}
    conversion_bad: dict[str, np.ndarray] = {}
    for col in table.columns:
        if col.name in text:
            values, bad = _convert(col, text[col.name])
            if col.dtype == "str" and (col.name.endswith("_id") or col.name == "id_number"):
                bad = text[col.name].str.fullmatch(_SCIENTIFIC).to_numpy()
            if bad.any():
                conversion_bad[col.name] = bad
                _type_problems(file, col, text[col.name], bad, excel_rows, problems)
            frame[col.name] = values
        else:
            frame[col.name] = pd.Series([None] * n, dtype=_CHECK_DTYPES[col.dtype])
    df = pd.DataFrame(frame, index=pd.RangeIndex(n))

    schema = pandera_schema(table, present=positions.keys(), bad_cells=conversion_bad)
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        _pandera_problems(file, table, exc.failure_cases, excel_rows, text, df, conversion_bad, problems)
    except SchemaError as exc:  # not lazy-collectable (should not happen): still a clean error
        problems.add(file, "schema", str(exc).splitlines()[0], "数据校验失败")
    if len(problems.parts) > before:
        return None, None
    # final dtypes: numpy int/bool where the column cannot hold missing values
    for col in table.columns:
        if col.name in positions and not col.nullable:
            if col.dtype == "int":
                df[col.name] = df[col.name].astype("int64")
            elif col.dtype == "bool":
                df[col.name] = df[col.name].astype(bool)
    return df, excel_rows


_SCIENTIFIC = r"[1-9](?:\.\d+)?[eE]\+\d{1,3}"  # how Excel shows a long number: 9.90262E+17
_YEAR_ONLY = r"(?:1[89]|2[01])\d\d"


def _type_problems(file: str, col: Column, text: pd.Series, bad: np.ndarray, excel_rows, problems: _Problems):
    """Report cells that could not be converted, with the likeliest cause where there is one."""
    values = text.to_numpy(dtype=object)
    special = np.zeros(len(bad), bool)
    if col.dtype == "str":  # identifiers in scientific notation (Excel turned the text into a number)
        special = bad
        problems.cells(file, "scientific_notation",
                       "a number Excel shortened to scientific notation (its last digits are lost): format the "
                       "column as Text and enter the numbers again",
                       "被 Excel 转成科学计数法的数字（后几位已丢失）：请把该列设为“文本”格式后重新录入",
                       rows=excel_rows[special], column=col.name, column_zh=col.zh, values=values[special])
        return
    if col.dtype == "date":
        special = bad & text.str.fullmatch(_YEAR_ONLY).to_numpy()
        problems.cells(file, "year_only", "a year alone is not a date: write the full date (YYYY-MM-DD)",
                       "只有年份不是日期：请写完整日期（YYYY-MM-DD）", rows=excel_rows[special], column=col.name,
                       column_zh=col.zh, values=values[special])
    elif col.dtype in ("int", "float"):
        special = bad & text.str.contains("%", regex=False).to_numpy()
        problems.cells(file, "percent", "a percentage is not accepted in this column: write the number without %",
                       "该列不接受百分数：请去掉 % 写数值", rows=excel_rows[special], column=col.name,
                       column_zh=col.zh, values=values[special])
    rest = bad & ~special
    en, zh = _TYPE_MESSAGES[col.dtype]
    problems.cells(file, "type", en, zh, rows=excel_rows[rest], column=col.name, column_zh=col.zh, values=values[rest])


def _free_text(col: Column) -> bool:
    """Names and notes are kept as typed; every other column is read through :func:`_nfkc`."""
    return col.dtype == "str" and (col.name == "name" or col.name.endswith("_name") or col.name == "sample_case")


def _nfkc(s: pd.Series) -> pd.Series:
    """Full-width letters, digits and signs (ＡＢＣ１２３％，) as their ordinary forms (Unicode NFKC); only
    cells that have such characters are touched."""
    wide = s.str.contains(_FULL_WIDTH, regex=True).to_numpy()
    if not wide.any():
        return s
    s = s.copy()
    s[wide] = s[wide].map(_nfkc_text).str.strip()
    return s


_FULL_WIDTH = "[\u3000\uff01-\uff5e]"


def _nfkc_text(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text) if re.search(_FULL_WIDTH, text) else text


def _pandera_problems(file, table, fc: pd.DataFrame, excel_rows, text, df, conversion_bad, problems):
    for r in fc[fc["index"].isna()].itertuples(index=False):  # a check that could not run at all
        problems.add(file, str(r.check), f"check could not be evaluated: {r.failure_case}",
                     f"无法执行校验 {r.check}", column=r.column if isinstance(r.column, str) else None)
    fc = fc[fc["index"].notna()].copy()
    fc["index"] = fc["index"].astype("int64")
    for check in table.checks:  # a wide check is reported by pandera once per column: once per row here
        idx = np.unique(fc.loc[fc["check"] == check.name, "index"].to_numpy())
        if len(idx):
            cols = list(check.columns)
            problems.cells(file, check.name, f"check failed: {check.description}", f"未通过校验：{check.zh}",
                           rows=excel_rows[idx], column=",".join(cols),
                           column_zh=",".join(table.column(c).zh for c in cols), values=_joined(text, cols, idx))
    dup = fc[fc["check"] == "multiple_fields_uniqueness"]
    if len(dup):
        idx = np.unique(dup["index"].to_numpy())
        key = list(table.key)
        zh = "、".join(table.column(k).zh for k in key)
        values = text[key[0]].to_numpy(dtype=object)[idx] if len(key) == 1 else _joined(text, key, idx)
        problems.cells(file, "key", f"duplicate key ({', '.join(key)}): another row has the same",
                       f"主键（{zh}）重复：其他行有相同的值", rows=excel_rows[idx],
                       column=",".join(key), column_zh=",".join(table.column(k).zh for k in key), values=values)
    rest = fc[fc["column"].isin(table.names) & ~fc["check"].isin([c.name for c in table.checks])
              & (fc["check"] != "multiple_fields_uniqueness")]
    for (column, check), group in rest.groupby(["column", "check"], sort=False):
        idx = group["index"].to_numpy()
        col = table.column(column)
        if column in conversion_bad:
            idx = idx[~conversion_bad[column][idx]]  # already reported as a type problem
        if check == "field_uniqueness":
            idx = idx[~df[column].isna().to_numpy()[idx]]
        idx = np.unique(idx)
        if len(idx) == 0:
            continue
        rule, en, zh = _column_rule(table, col, check)
        problems.cells(file, rule, en, zh, rows=excel_rows[idx], column=col.name, column_zh=col.zh,
                       values=text[column].to_numpy(dtype=object)[idx])


def _column_rule(table: Table, col: Column, check: str) -> tuple[str, str, str]:
    if check == "not_nullable":
        return "required", "empty, but a value is required", "不能为空"
    if check == "field_uniqueness":
        if tuple(table.key) == (col.name,):
            return "key", "duplicate key: another row has the same value", "主键重复：其他行有相同的值"
        return "unique", "the value appears in more than one row", "值重复（须唯一）"
    if check == "min":
        return "min", f"below the minimum {_num(col.min)}", f"小于最小值 {_num(col.min)}"
    if check == "max":
        return "max", f"above the maximum {_num(col.max)}", f"大于最大值 {_num(col.max)}"
    if check == "allowed":
        return ("allowed", f"not one of the allowed values: {_allowed_text(col, ', ')}",
                f"不是允许的值：{_allowed_text(col, '、')}")
    return "type", f"failed check {check}", f"未通过校验 {check}"


def _joined(text, columns, idx) -> np.ndarray:
    parts = [np.char.add(f"{c}=", text[c].fillna("").to_numpy(dtype=str)[idx]) if c in text
             else np.full(len(idx), f"{c}=") for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "; "), p)
    return out.astype(object)
