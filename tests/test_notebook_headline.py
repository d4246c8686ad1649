"""staffcalc.headline (figures worked out by hand on small tables), the change since the previous run,
the reader formats (staffcalc.formats, notebook.table), the styled workbook, the PDF step and the run index."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from staffcalc import export, formats, headline
from staffcalc import notebook as nb
from staffcalc.report import index, pdf, publish

# Three disciplines: D1 over the §9 cap by 2 (and over its establishment by 1), D2 within every cap,
# D3 within the senior cap but over its associate split (structure, a planning assumption).
TABLE = pd.DataFrame({
    "discipline_id": ["D1", "D2", "D3"], "establishment": [10, 20, 8],
    "senior_cap": [5, 10, 4], "full_cap": [2, 4, 1], "associate_cap": [3, 6, 3],
    "occupied_senior": [7, 8, 4], "occupied_full": [2, 3, 0], "occupied_associate": [5, 5, 4],
    "occupied_intermediate": [3, 6, 2], "occupied_junior": [1, 2, 1], "occupied_other": [0, 0, 0],
    "vacancy_senior": [-2, 2, 0], "vacancy_full": [0, 1, 1], "vacancy_associate": [-2, 1, -1],
    "over_quota": [True, False, True], "over_quota_items": ["senior;associate", "", "associate;L6"],
})


def test_over_levels_are_three_separate_things():
    over = headline.over_levels(TABLE)
    assert over["posts_held"].tolist() == [11, 16, 7]
    assert over["over_establishment"].tolist() == [True, False, False]
    assert over["excess_establishment"].tolist() == [1, 0, 0]
    assert over["over_senior_cap"].tolist() == [True, False, False]   # vacancy 0 is not over (boundary)
    assert over["excess_senior"].tolist() == [2, 0, 0]
    assert over["over_structure"].tolist() == [False, False, True]
    assert over["over_items_zh"].tolist() == ["高级岗位上限、副高岗位", "", "副高岗位、六级岗位"]


def test_post_quota_headline_figures():
    h = headline.post_quotas(TABLE).set_index("key")["value"]
    assert h["establishment"] == 38 and h["senior_cap"] == 19 and h["occupied_senior"] == 19
    assert h["vacancy_gross"] == 2 and h["vacancy_net"] == 0           # D2's 2 open posts, D1's 2 over
    assert h["over_senior_cap"] == 1 and h["excess_senior"] == 2
    assert h["over_establishment"] == 1 and h["excess_establishment"] == 1 and h["over_structure"] == 1


def test_appraisal_headline_figures():
    monthly = pd.DataFrame({"staff_id": ["a", "a", "b", "c"], "grade": ["优秀", "优秀", "不合格", "良好"],
                            "allowance": [300.0, 300.0, 0.0, 200.5], "allowance_forfeited": [False, False, True, False]})
    removal = pd.DataFrame({"staff_id": ["a", "b", "c"], "removal_status": ["ok", "remove", "at_risk"]})
    h = headline.appraisal(monthly, removal, ["优秀", "良好", "合格", "不合格"]).set_index("label")["value"]
    assert h["班主任人数"] == 3 and h["月考核人月数"] == 4
    assert h["优秀占比"] == 0.5 and h["合格占比"] == 0.0 and h["不合格占比"] == 0.25
    assert h["应调离班主任岗位人数"] == 1 and h["预警人数（最近一学期不合格）"] == 1
    assert h["班主任津贴合计"] == 800.5 and h["扣除津贴人月数"] == 1


def test_change_since_the_previous_run_in_the_same_output_folder(tmp_path):
    out = tmp_path / "reports"
    first = out / "20261130T100000000Z-aaaaaa" / "post_quotas"
    first.mkdir(parents=True)
    before = headline.post_quotas(TABLE)
    headline.save(before, first, "post_quotas")
    publish.set_latest(out, "20261130T100000000Z-aaaaaa")
    running = out / ".tmp-20261130T110000000Z-bbbbbb" / "post_quotas"
    running.mkdir(parents=True)
    now = headline.post_quotas(TABLE.assign(establishment=[12, 20, 8]))
    changed = headline.with_change(now, headline.previous(running, "post_quotas")).set_index("key")["change"]
    assert changed["establishment"] == 2 and changed["senior_cap"] == 0
    # no earlier run: no change column values; a notebook run by hand outside a report folder: none either
    assert headline.previous(out / "20261130T100000000Z-aaaaaa" / "post_quotas", "post_quotas") is None
    assert headline.previous(tmp_path / "elsewhere", "post_quotas") is None
    assert headline.with_change(now, None)["change"].isna().all()
    shown = nb.headline_table(headline.with_change(now, headline.load(first / "post_quotas.headline.json")))
    assert shown.set_index("指标").loc["编制数", "较上次运行"] == "+2"
    assert shown.set_index("指标").loc["学科数", "较上次运行"] == "无变化"


def test_formats_blank_yes_no_money_share_whole_and_no_negative_zero():
    assert formats.fmt("money")(1234567.005) in ("¥1,234,567.00", "¥1,234,567.01")
    assert formats.fmt("money")(-0.001) == "¥0.00" and formats.fmt("money")(-12.5) == "-¥12.50"
    assert formats.fmt("share")(0.087912) == "8.8%"
    assert formats.fmt("int")(3.0) == "3" and formats.fmt("int")(12345) == "12,345"
    assert formats.fmt("number")(2026) == "2026"
    assert formats.fmt("float")(-0.001) == "0.00"
    assert formats.fmt("yesno")(np.True_) == "是" and formats.fmt("yesno")(False) == "否"
    for kind in ("money", "share", "int", "float", "date", "yesno", "text"):
        assert formats.fmt(kind)(np.nan) == "" and formats.fmt(kind)(pd.NaT) == "" and formats.fmt(kind)(pd.NA) == ""
    df = pd.DataFrame({"rank": [1.0, np.nan], "paid": [1.0, 2.0], "flag": [True, False], "academic_year": [2026, 2027],
                       "ratio_used": [0.5, 0.65], "x": [0.5, 1.25]})
    assert formats.kinds(df) == {"rank": "int", "paid": "money", "flag": "yesno", "academic_year": "number",
                                 "ratio_used": "share", "x": "float"}


def test_kinds_of_object_string_and_nullable_columns():
    # booleans with gaps in an object column (None, NaN, pd.NA, even NaT) are yes/no; a bool mixed with a
    # number or a string is not; an all-missing or empty object column is text; text columns are text
    df = pd.DataFrame({
        "a": pd.Series([True, None, np.nan], dtype=object), "b": pd.Series([np.True_, pd.NA, False], dtype=object),
        "c": pd.Series([True, pd.NaT], dtype=object), "d": pd.Series([True, 1], dtype=object),
        "e": pd.Series([True, "x"], dtype=object), "f": pd.Series([None, np.nan], dtype=object),
        "g": pd.Series(["x", None]), "h": pd.Series([True, False], dtype="category"),
        "i": pd.Series([1.0, None], dtype="Float64"), "j": pd.Series([1.5, None], dtype="Float64"),
        "k": pd.Series([2.0, np.inf]),
    })
    assert formats.kinds(df) == {"a": "yesno", "b": "yesno", "c": "yesno", "d": "text", "e": "text", "f": "text",
                                 "g": "text", "h": "yesno", "i": "int", "j": "float", "k": "float"}
    assert formats.kinds(df.iloc[:0]) == {**{c: "text" for c in "abcdefg"}, "h": "yesno", "i": "float",
                                          "j": "float", "k": "float"}


def test_table_has_no_index_and_shows_readable_values():
    df = pd.DataFrame({"unit_id": ["U1", "U2"], "mode": ["partial", "further_study"], "paid": [1234.5, np.nan],
                       "early_return": [True, False], "vacancy_senior": [-2, 3], "rank": [1.0, np.nan]})
    html = nb.table(df).to_html()
    assert "row_heading" not in html and 'class="sc-table"' in html
    for text in ("非脱产", "进修", "¥1,234.50", "是", "否", ">1<", "-2"):
        assert text in html
    for text in ("nan", "NaN", "True", "False", "partial", "1.00"):
        assert text not in html
    assert nb.NEGATIVE_STYLE.split(";")[0] in html   # the negative vacancy is highlighted


def _styler_table(df, money=(), share=(), negative=(), bold_rows=None, caption=None):
    """The Styler-based table notebook.table replaced (kept here as the reference for its markup)."""
    data = df.reset_index(drop=True)
    kinds = formats.kinds(data, money, share)
    shown = formats.chinese_values(data)
    negative = set(negative) | {c for c in data.columns if str(c).startswith("vacancy") or c == "balance"}
    header = {c: formats.header(c) for c in data.columns}
    shown.columns = [header[c] for c in data.columns]
    styler = shown.style.hide(axis="index").format({header[c]: formats.fmt(k) for c, k in kinds.items()}, na_rep="")
    numeric = [header[c] for c, k in kinds.items() if k in ("money", "int", "number", "float") and c in negative]
    if numeric:
        styler = styler.map(lambda v: nb.NEGATIVE_STYLE if isinstance(v, (int, float)) and v < 0 else "",
                            subset=numeric)
    text = [header[c] for c, k in kinds.items() if k == "text"]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    if bold_rows is not None:
        rows = shown.index[np.asarray(list(bold_rows), dtype=bool)]
        if len(rows):
            styler = styler.set_properties(subset=pd.IndexSlice[rows, :], **{"font-weight": "700",
                                                                             "background": "#f4f6f9"})
    styler = styler.set_table_attributes('class="sc-table"')
    return styler.set_caption(caption) if caption else styler


def test_table_markup_is_what_the_styler_wrote():
    # the same page as before the Styler was replaced: one rule per distinct cell style in order of first
    # use (negative, then left-aligned text, then bold total row), every value formatted the same way
    df = pd.DataFrame({
        "unit_id": ["U1", "U2", None, "U4"], "mode": ["partial", "full_release", "further_study", "x"],
        "paid": [1234.5, -2.0, np.nan, 0.0], "vacancy_senior": [1, -3, 0, -1],
        "balance": pd.Series([-1, None, 2, -5], dtype="Int64"), "gap": pd.Series([np.int64(-1), None, 2.5, -7], dtype=object),
        "early_return": [True, False, None, True], "study_start": pd.to_datetime(["2026-01-01", None, "2027-03-05", None]),
        "ratio_used": [0.5, 0.65, np.nan, 1.0], "x": [0.5, 1.25, -3.0, np.inf], "rank": [1.0, np.nan, 3.0, 4.0],
        2026: [1, 2, 3, 4], 0.5: ["<b>", "&", "", "a"],
    })
    uuid = re.compile(r"T_[0-9a-f]{5}")
    for kw in ({}, {"bold_rows": [False, True, False, True]}, {"caption": "表 1", "negative": ["x", "gap"]},
               {"money": ["x"], "share": ["rank"], "bold_rows": [True] * 4}):
        new, old = nb.table(df, **kw).to_html(), _styler_table(df, **kw).to_html()
        assert uuid.sub("T_", new) == uuid.sub("T_", old), kw
    assert uuid.sub("T_", nb.table(df.iloc[:0]).to_html()) == uuid.sub("T_", _styler_table(df.iloc[:0]).to_html())
    html = nb.table(df, bold_rows=[False, True, False, True]).to_html()
    assert html.count("<tr>") == 5 and "-¥2.00" in html and ">非脱产<" in html and "2026.000000" not in html
    headline = nb.table(df).set_table_attributes('class="sc-table sc-headline"')._repr_html_()
    assert 'class="sc-table sc-headline">' in headline


def test_interpretations_are_chinese_with_the_path_as_footnote():
    from staffcalc import policy

    table = nb.interpretations(policy.load("2026-09-01"), ("study_leave",))
    assert table.columns[-1] == nb.PATH_COLUMN and "本报告采用的解读" in table
    assert table["本报告采用的解读"].str.contains(r"[\u4e00-\u9fff]").all()
    assert set(table["本次覆盖"]) <= {"是", "否"} and set(table["类别"]) <= {"规划假设", "解释性规定"}


def test_styled_workbook(tmp_path):
    df = pd.DataFrame({"unit_id": ["U1", "U2"], "mode": ["partial", "full_release"], "paid": [1234.5, -2.0],
                       "early_return": [True, False], "study_start": pd.to_datetime(["2026-01-01", None]),
                       "ratio_used": [0.5, 0.65]})
    path = export.write_excel({"人员": df}, tmp_path / "x.xlsx", headline=headline.post_quotas(TABLE),
                              totals=["人员"], run_id="R1", as_of="2026-09-01", title="测试")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["概要", "人员"]
    ws = wb["人员"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("U1", "非脱产", 1234.5, "是") and rows[2][4] is None
    assert rows[3][0] == "合计" and rows[3][2] == pytest.approx(1232.5) and ws.cell(4, 1).font.bold
    formats_ = [ws.cell(2, j).number_format for j in range(1, 7)]
    assert formats_[2:] == ["#,##0.00", "General", "yyyy-mm-dd", "0.0%"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F3" and ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.left.text == "运行编号 R1；测算基准日 2026-09-01" and ws.page_setup.orientation == "landscape"
    assert wb["概要"]["B3"].number_format == "#,##0"


def test_sheet_cells_are_what_pandas_to_excel_writes(tmp_path):
    # export._write_frame writes the cells itself; a workbook reads back as DataFrame.to_excel wrote it:
    # numbers and booleans typed, missing values blank, ±inf as text, dates with pandas' date formats
    import datetime as dt
    from decimal import Decimal

    df = pd.DataFrame({
        "i": [1, -2, 3, 4], "f": [1.5, np.nan, np.inf, -np.inf], "b": [True, False, True, False],
        "s": ["a", None, "中文", "x"], "n": pd.Series([1, None, 3, 4], dtype="Int64"),
        "d": pd.to_datetime(["2026-01-01 00:00", None, "2026-03-05 12:30", "2027-01-01 00:00"]),
        "o": pd.Series([pd.Timestamp("2026-02-01"), dt.date(2026, 2, 2), dt.timedelta(days=1, hours=12), Decimal("1.25")],
                       dtype=object),
        2026: [np.int64(7), np.float64(0.1), np.bool_(True), "t"],
    })

    def cells(path):
        ws = openpyxl.load_workbook(path).active
        return [(c.coordinate, c.value, type(c.value).__name__, c.number_format) for row in ws.iter_rows() for c in row]

    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name="S", index=False)
    book = openpyxl.Workbook()
    export._write_frame(book.active, df)
    book.save(tmp_path / "ours.xlsx")
    assert cells(tmp_path / "ours.xlsx") == cells(tmp_path / "pandas.xlsx")
    assert export._cell_value(np.nan) == ("", None) and export._cell_value(-np.inf) == ("-inf", None)
    with pytest.raises(ValueError, match="时区"):
        export._cell_value(pd.Timestamp("2026-01-01", tz="Asia/Shanghai"))


def test_restyle_gives_each_cell_what_setting_it_cell_by_cell_gives(tmp_path):
    # export._restyle builds a style once per distinct starting style and copies it; the workbook must
    # read back exactly as when every cell is styled on its own (cells start with different formats)
    from openpyxl.styles import Alignment, Font

    def book(restyle):
        wb = openpyxl.Workbook()
        ws = wb.active
        for i in range(1, 7):
            ws.cell(row=i, column=1, value=i)
            if i % 2:
                ws.cell(row=i, column=1).number_format = "yyyy-mm-dd"
        ws.cell(row=7, column=1)  # an empty cell that gets a style
        cells = [ws.cell(row=i, column=1) for i in range(1, 8)]
        attrs = {"number_format": "#,##0.00", "font": Font(bold=True), "alignment": Alignment(wrap_text=True)}
        if restyle:
            export._restyle(cells, **attrs)
        else:
            for cell in cells:
                for name, value in attrs.items():
                    setattr(cell, name, value)
        cells[0].font = Font(italic=True)  # styles were copied, not shared
        wb.save(tmp_path / f"{restyle}.xlsx")
        ws = openpyxl.load_workbook(tmp_path / f"{restyle}.xlsx").active
        return [(c.value, c.number_format, c.font.b, c.font.i, c.alignment.wrap_text) for c in ws["A"]]

    assert book(True) == book(False)
    assert book(True)[1] == (2, "#,##0.00", True, False, True) and book(True)[0][3] is True


def test_pdf_step_says_why_it_skipped(tmp_path, monkeypatch):
    html = tmp_path / "r.html"
    html.write_text("<html><body>测试</body></html>", encoding="utf-8")
    monkeypatch.setenv("STAFFCALC_CHROMIUM", "")
    result = pdf.html_to_pdf(html, tmp_path / "r.pdf")
    assert result["status"] == "skipped" and "chromium" in result["reason"].lower() and "未找到" in result["reason"]
    assert not (tmp_path / "r.pdf").exists()
    monkeypatch.setenv("STAFFCALC_CHROMIUM", str(tmp_path / "not-a-browser"))
    assert pdf.html_to_pdf(html, tmp_path / "r.pdf")["status"] == "skipped"


@pytest.mark.skipif(pdf.find_chromium() is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_pdf_step_prints_a4_landscape(tmp_path):
    html = tmp_path / "r.html"
    html.write_text(f"<html><head>{nb.PAGE_STYLE}</head><body><h1>测试报告</h1></body></html>", encoding="utf-8")
    result = pdf.html_to_pdf(html, tmp_path / "r.pdf")
    assert result == {"status": "ok", "reason": None, "path": str(tmp_path / "r.pdf")}
    data = (tmp_path / "r.pdf").read_bytes()
    assert data[:5] == b"%PDF-" and b"/MediaBox [0 0 841" in data.replace(b"\n", b" ")
    assert not list(tmp_path.glob(".*.part"))


def test_index_lists_runs_newest_first_and_marks_latest(tmp_path):
    out = tmp_path / "reports"
    for run_id, status in (("20261130T100000000Z-aaaaaa", "complete"), ("20261130T110000000Z-bbbbbb", "failed")):
        folder = out / run_id / "post_quotas"
        folder.mkdir(parents=True)
        (folder / "post_quotas.html").write_text("x", encoding="utf-8")
        headline.save(headline.post_quotas(TABLE), folder, "post_quotas")
        manifest = {"run_id": run_id, "status": status, "started": "2026-11-30T10:00:00+00:00", "overrides": None,
                    "notebooks": [{"name": "post_quotas", "unit": None, "status": "ok" if status == "complete" else
                                   "failed", "outputs": [{"path": "post_quotas/post_quotas.html"}],
                                   "pdf": {"status": "skipped", "reason": "未找到 Chromium / no Chromium"}}]}
        (out / run_id / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    publish.set_latest(out, "20261130T100000000Z-aaaaaa")
    path = index.write_index(out)
    page = path.read_text(encoding="utf-8")
    assert page.index("bbbbbb") < page.index("aaaaaa")            # newest first
    assert "有报告失败" in page and "最新成功运行" in page and "未生成 PDF：未找到 Chromium" in page
    assert 'href="20261130T100000000Z-aaaaaa/post_quotas/post_quotas.html"' in page and "编制数 38" in page
    assert not [p for p in os.listdir(out) if p.endswith(".part")]
