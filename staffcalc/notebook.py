"""What the report notebooks share: parameter checks, the unit filter, names and privacy, Chinese display.

The notebooks in ``notebooks/`` (jupytext percent scripts paired with ``.ipynb``) stay thin: they read
tables, call the calculation modules and show the results through the helpers here, so a rule about
*how a report reads* (a month is ``YYYY-MM``; names appear only with ``show_names``; codes become Chinese
labels) is written once and tested in ``tests/test_notebook_module.py``.

Every error is a :class:`ParameterError` (a :class:`~staffcalc.errors.StaffcalcError`) with an English and a Chinese sentence
naming the parameter, so a failed papermill run says which parameter to fix.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Iterable, Mapping
from uuid import uuid4

import numpy as np
import pandas as pd

from . import formats, io, plots, schemas
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
    """Rows of ``df`` whose ``key`` is one of ``ids``, renumbered (file and Excel rows kept, :func:`io.renumber`)."""
    return io.renumber(df[df[key].astype(str).isin(ids)])


def unit_names(data_dir) -> dict[str, str]:
    """``unit_id → unit_name`` from the data folder's disciplines table (empty when it has none)."""
    from .io import read_tables

    folder = PurePath(data_dir)
    if not any(Path(folder / f"disciplines{ext}").exists() for ext in (".csv", ".xlsx")):
        return {}
    disciplines = read_tables(data_dir, ["disciplines"])["disciplines"]
    return dict(zip(disciplines["unit_id"].astype(str), disciplines["unit_name"].astype(str)))


def variant_columns(df: pd.DataFrame, variants: Iterable[str]) -> pd.DataFrame:
    """``barred_to_P2`` → ``截止年度（P2）``: per-variant result columns with Chinese headers."""
    suffixes = tuple(f"_{v}" for v in variants)

    def name(column: str) -> str:
        for suffix in suffixes:
            if column.endswith(suffix):
                return f"{formats.header(column[: -len(suffix)])}（{suffix[1:]}）"
        return column

    return df.rename(columns=name)


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
    """A copy for readers: enum codes mapped to Chinese (:data:`staffcalc.formats.ENUM_LABELS` and
    ``labels``: column → {code: label}), numbers rounded to ``digits`` for display only, column headers in Chinese (:data:`staffcalc.schemas.LABELS`)."""
    out = formats.chinese_values(df, labels)
    if digits is not None:
        numeric = out.select_dtypes("number").columns
        out[numeric] = out[numeric].round(digits)
    return schemas.to_chinese(out)


PATH_COLUMN = "参数（注）"
DOCUMENTS = {"spec": "测算规范"}  # a parameter set by the calculation spec, not by a policy document


def _value_text(v) -> str:
    """A policy value for readers: numbers and 是/否; codes and structures are described in the reading."""
    if isinstance(v, bool):
        return formats.YES if v else formats.NO
    if isinstance(v, (int, float)):
        return f"{v:g}"
    return ""


def interpretations(pol, namespaces: Iterable[str]) -> pd.DataFrame:
    """The readings and planning assumptions in force for ``namespaces`` of policy ``pol``, in Chinese.

    One row per parameter: document and clause, whether it is a reading of the text (解释性规定) or a
    planning assumption (规划假设), the reading used and its alternative in Chinese (the policy files'
    ``reading_zh`` / ``alternative_zh``; the English description where a file has none), the value
    where it is a number, whether this run overrode it, and the parameter path last, as a footnote.
    """
    table = pd.concat([pol.interpretations(ns) for ns in namespaces], ignore_index=True)

    def chinese(column: str, fallback: str) -> pd.Series:
        text = table[column].fillna("") if column in table else pd.Series("", index=table.index)
        return text.mask(text == "", table[fallback].fillna("").astype(str))

    return pd.DataFrame({
        "文件": table["document"].replace(DOCUMENTS), "条款": table["clause"],
        "类别": table["assumption"].map({True: "规划假设", False: "解释性规定"}),
        "本报告采用的解读": chinese("reading_zh", "description"),
        "备选解读": chinese("alternative_zh", "alternative"),
        "取值": table["value"].map(_value_text),
        "本次覆盖": table["overridden"].map({True: formats.YES, False: formats.NO}),
        PATH_COLUMN: table["path"],
    })


def conditions(as_of: str, overrides_file: str = "", unit: str = "", show_names: bool = False,
               **more: object) -> pd.DataFrame:
    """The short "本次测算条件" table: as-of date, scenario, unit, names shown, then ``more`` (label → value).

    Only a file's name is shown for the scenario, never a path."""
    rows = [("测算基准日（政策按此日生效）", str(as_of)),
            ("情景", f"假设情景（{PurePath(overrides_file).name}）" if overrides_file else "基准（政策文件取值）"),
            ("单位范围", unit or "全部单位"),
            ("显示姓名", formats.YES if show_names else f"{formats.NO}（仅显示工号）")]
    rows += [(label, value) for label, value in more.items()]
    return pd.DataFrame(rows, columns=["项目", "取值"]).astype(str)


# -- tables for readers -----------------------------------------------------------------------------

# Shown before every report (first output): Chinese fonts, tables that fit the page, A4 landscape print.
PAGE_STYLE = """<style>
body, .jp-Notebook, .jp-RenderedHTMLCommon { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif; }
table.sc-table { border-collapse: collapse; font-size: 12px; margin: 4px 0 12px 0; max-width: 100%; }
table.sc-table th { background: #e9eef5; font-weight: 600; text-align: center; vertical-align: bottom;
  border-bottom: 1px solid #8a9ab0; padding: 3px 6px; }
table.sc-table td { border-bottom: 1px solid #e3e6ea; padding: 2px 6px; text-align: right; }
table.sc-table caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
.sc-note { color: #555; font-size: 12px; }
table.sc-headline { font-size: 15px; }
table.sc-headline td:nth-child(2) { font-weight: 700; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { font-size: 9pt; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-Cell-outputWrapper, .jp-OutputArea { overflow: visible !important; }
  .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output {
    break-inside: auto !important; page-break-inside: auto !important; }
  .jp-OutputArea-child { display: block !important; }
  .jp-OutputPrompt, .jp-InputPrompt { display: none !important; }
  table.sc-table { font-size: 7.5pt; max-width: 100%; table-layout: auto; }
  table.sc-headline { font-size: 11pt; }
  table.sc-table th, table.sc-table td { padding: 1px 3px; white-space: normal; overflow-wrap: anywhere; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  img { max-width: 100% !important; height: auto; }
  h1, h2, h3 { break-after: avoid; }
}
</style>"""

NEGATIVE_STYLE = "color: #b00020; font-weight: 600; background: #fdecee"


def page_style():
    """The report's style sheet as a displayable HTML object (shown once, in the first code cell)."""
    from IPython.display import HTML

    return HTML(PAGE_STYLE)


BOLD_ROW_STYLE = "font-weight: 700; background: #f4f6f9"
TEXT_STYLE = "text-align: left"


def _css(style: str) -> list[tuple[str, str]]:
    """``"a: b; c: d"`` → ``[("a", "b"), ("c", "d")]``."""
    return [tuple(x.strip() for x in part.split(":", 1)) for part in style.split(";") if part.strip()]


def _header_text(label) -> str:
    """A column label as the header cell shows it (floats to 6 decimals, like pandas' Styler)."""
    if isinstance(label, str):
        return label
    if pd.api.types.is_float(label):
        return f"{label:.6f}"
    return str(label)


def _negative(values: pd.Series) -> np.ndarray:
    """Which values are negative numbers (Python ``int``/``float`` below 0; missing and text are not)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        with np.errstate(invalid="ignore"):
            return values.to_numpy(dtype=float, na_value=np.nan) < 0
    return np.array([isinstance(v, (int, float)) and v < 0 for v in values.astype(object)], dtype=bool)


class Table:
    """A table for readers as HTML (what :func:`table` returns; ``display`` shows it).

    The markup is what pandas' ``Styler`` wrote for these tables (an id ``T_xxxxx`` per table, one
    ``<style>`` block with a rule per distinct cell style, cells ``id="T_xxxxx_row{i}_col{j}"`` with
    classes ``data row{i} col{j}``), built from whole columns at once instead of through the Styler's
    per-cell template.  Every row is written: a long list is shortened by :func:`show`, never here.
    """

    def __init__(self, headers: list[str], columns: list[list[str]], styles: np.ndarray,
                 rules: Mapping[int, list[tuple[str, str]]], attributes: str = "", caption: str | None = None):
        self.headers, self.columns, self.styles, self.rules = headers, columns, styles, rules
        self.attributes, self.caption = attributes, caption
        self.uuid = uuid4().hex[:5]

    def set_table_attributes(self, attributes: str) -> "Table":
        """Attributes of the ``<table>`` element, e.g. ``'class="sc-table sc-headline"'``."""
        self.attributes = attributes
        return self

    def __repr__(self) -> str:
        return f"<staffcalc table: {self.styles.shape[0]} rows × {len(self.headers)} columns>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        t = f"T_{self.uuid}"
        n_rows, n_cols = self.styles.shape
        out = ['<style type="text/css">\n']
        flat = self.styles.ravel()
        codes, first = np.unique(flat, return_index=True)
        for code in codes[np.argsort(first)]:  # one rule per distinct style, in order of first use
            if code == 0:
                continue
            where = np.flatnonzero(flat == code)
            out.append(", ".join(f"#{t}_row{k // n_cols}_col{k % n_cols}" for k in where.tolist()) + " {\n")
            out.extend(f"  {p}: {v};\n" for p, v in self.rules[int(code)])
            out.append("}\n")
        out.append("</style>\n")
        out.append(f'<table id="{t}"' + (f" {self.attributes}" if self.attributes else "") + ">\n")
        if self.caption:
            out.append(f"  <caption>{self.caption}</caption>\n")
        out.append("  <thead>\n    <tr>\n")
        out.extend(f'      <th id="{t}_level0_col{j}" class="col_heading level0 col{j}" >{h}</th>\n'
                   for j, h in enumerate(self.headers))
        out.append("    </tr>\n  </thead>\n  <tbody>\n")
        for i in range(n_rows):
            out.append("    <tr>\n")
            out.extend(f'      <td id="{t}_row{i}_col{j}" class="data row{i} col{j}" >{col[i]}</td>\n'
                       for j, col in enumerate(self.columns))
            out.append("    </tr>\n")
        out.append("  </tbody>\n</table>\n")
        return "".join(out)


def table(df: pd.DataFrame, money: Iterable[str] = (), share: Iterable[str] = (), negative: Iterable[str] = (),
          labels: Mapping[str, Mapping] | None = None, bold_rows: Iterable[bool] | None = None,
          caption: str | None = None) -> Table:
    """A :class:`Table` of ``df`` (English column names) for readers.

    No index; headers in Chinese; codes as Chinese labels; 是/否; blanks for missing values; yuan as
    ¥1,234.56; shares as %; whole numbers without decimals; negatives highlighted in the ``negative``
    columns and in every ``vacancy*`` and ``balance`` column; ``bold_rows`` (one flag per row) marks
    total rows; text columns are left-aligned.  Two columns with one Chinese header share the format
    and styles of the last of them.
    """
    data = df.reset_index(drop=True)
    kinds = formats.kinds(data, money, share)
    shown = formats.chinese_values(data, labels)
    negative = set(negative) | {c for c in data.columns if str(c).startswith("vacancy") or c == "balance"}
    header = {c: formats.header(c) for c in data.columns}
    headers = [header[c] for c in data.columns]
    kind_of = {header[c]: k for c, k in kinds.items()}
    numeric = {header[c] for c, k in kinds.items() if k in ("money", "int", "number", "float") and c in negative}
    text = {header[c] for c, k in kinds.items() if k == "text"}
    styles = np.zeros((len(data), len(headers)), dtype=np.int8)  # per cell: 1 negative, 2 text, 4 bold row
    columns = []
    for j, (h, (_, values)) in enumerate(zip(headers, shown.items())):
        f = formats.fmt(kind_of[h])
        columns.append(["" if pd.isna(v) is True else f(v) for v in values])
        if h in numeric:
            styles[:, j] |= _negative(values)
        if h in text:
            styles[:, j] |= 2
    if bold_rows is not None:
        styles[np.asarray(list(bold_rows), dtype=bool)] |= 4
    rules = {code: (_css(NEGATIVE_STYLE) if code & 1 else []) + (_css(TEXT_STYLE) if code & 2 else [])
             + (_css(BOLD_ROW_STYLE) if code & 4 else []) for code in range(1, 8)}
    return Table([_header_text(h) for h in headers], columns, styles, rules, 'class="sc-table"', caption)


def show(df: pd.DataFrame, limit: int | None = None, where: str = "Excel 工作簿", **kwargs) -> None:
    """Display :func:`table` of ``df``; with ``limit``, the first ``limit`` rows and a note saying so.

    Nothing is cut silently: a shortened table says "显示 30 / 120 行，完整名单见 Excel 工作簿"."""
    from IPython.display import Markdown, display

    if len(df) == 0:
        display(Markdown("<span class='sc-note'>（无）</span>"))
        return
    if limit is not None and len(df) > limit:
        kwargs = {**kwargs, "bold_rows": None}
        display(table(df.head(limit), **kwargs))
        display(Markdown(f"<span class='sc-note'>显示 {limit} / {len(df)} 行，完整名单见{where}。</span>"))
    else:
        display(table(df, **kwargs))


_HEADLINE_KIND = {"count": "int", "money": "money", "share": "share", "fte": "float"}


def headline_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline (:mod:`staffcalc.headline`) as reader text: 指标, 数值 and, after an earlier run, 较上次运行."""
    value = [formats.fmt(_HEADLINE_KIND.get(k, "float"))(v) for k, v in zip(headline["kind"], headline["value"])]
    out = pd.DataFrame({"指标": headline["label"], "数值": value})
    if "change" in headline and headline["change"].notna().any():
        def change(kind, d):
            if pd.isna(d):
                return "（新增）"
            if round(float(d), 9) == 0:
                return "无变化"
            if kind == "share":
                return f"{float(d) * 100:+.1f} 个百分点"
            text = formats.fmt(_HEADLINE_KIND.get(kind, "float"))(abs(d))
            return ("+" if d > 0 else "−") + text
        out["较上次运行"] = [change(k, d) for k, d in zip(headline["kind"], headline["change"])]
    return out


def show_headline(headline: pd.DataFrame) -> None:
    """Display the headline table (first thing a reader sees)."""
    from IPython.display import display

    display(table(headline_table(headline)).set_table_attributes('class="sc-table sc-headline"'))
