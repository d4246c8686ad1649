"""staffcalc.io: reading CSV/xlsx with English or Chinese headers, types, and every kind of bad input.

Row numbers in errors are the ones the user sees in Excel: the header is row 1, the first data row
is row 2.  Test data are small tables written by hand into ``tmp_path``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from staffcalc import schemas
from staffcalc.io import PROBLEM_COLUMNS, ExcelRows, InputError, read_table, read_tables

STAFF = schemas.get("staff")
DISC = schemas.get("disciplines")

# ------------------------------------------------------------------------------------------
# Test data
# ------------------------------------------------------------------------------------------
DISC_HEADER = ["discipline_id", "discipline_name", "unit_id", "unit_name", "category", "establishment"]
DISC_ROWS = [
    ["D01", "数学", "U01", "数学学院", "A", "40"],
    ["D02", "中国语言文学", "U02", "文学院", "B", "0"],      # establishment 0 is the minimum: valid
    ["D03", "体育学", "U03", "体育部", "C", "15"],
]
STAFF_HEADER = ["staff_id", "name", "id_number", "unit_id", "discipline_id", "birth_date", "hire_date",
                "on_establishment", "degree", "post_level", "post_since", "appraisal_1", "appraisal_2",
                "appraisal_3"]
STAFF_ROWS = [
    ["T0001", "教师0001", "ID-0001", "U01", "D01", "1980-01-02", "2005-09-01", "是", "doctorate", "1",
     "2019-01-01", "优秀", "合格", "合格"],
    ["T0002", "教师0002", "", "U01", "D01", "1990-06-30", "1990-07-01", "否", "master", "13",
     "2020-12-31", "合格", "", ""],
    ["T0003", "教师0003", "ID-0003", "U02", "D02", "1975-12-31", "2000-03-15", "true", "none", "7",
     "2010-07-01", "基本合格", "不合格", "优秀"],
]


def expected_staff() -> pd.DataFrame:
    """STAFF_ROWS typed by hand (not by the code under test)."""
    return pd.DataFrame({
        "staff_id": pd.Series(["T0001", "T0002", "T0003"], dtype="str"),
        "name": pd.Series(["教师0001", "教师0002", "教师0003"], dtype="str"),
        "id_number": pd.Series(["ID-0001", np.nan, "ID-0003"], dtype="str"),
        "unit_id": pd.Series(["U01", "U01", "U02"], dtype="str"),
        "discipline_id": pd.Series(["D01", "D01", "D02"], dtype="str"),
        "birth_date": pd.to_datetime(["1980-01-02", "1990-06-30", "1975-12-31"]).astype("datetime64[ns]"),
        "hire_date": pd.to_datetime(["2005-09-01", "1990-07-01", "2000-03-15"]).astype("datetime64[ns]"),
        "on_establishment": np.array([True, False, True]),
        "degree": pd.Series(["doctorate", "master", "none"], dtype="str"),
        "post_level": np.array([1, 13, 7], dtype="int64"),
        "post_since": pd.to_datetime(["2019-01-01", "2020-12-31", "2010-07-01"]).astype("datetime64[ns]"),
        "appraisal_1": pd.Series(["优秀", "合格", "基本合格"], dtype="str"),
        "appraisal_2": pd.Series(["合格", np.nan, "不合格"], dtype="str"),
        "appraisal_3": pd.Series(["合格", np.nan, "优秀"], dtype="str"),
    })


def expected_disciplines() -> pd.DataFrame:
    return pd.DataFrame({
        "discipline_id": pd.Series(["D01", "D02", "D03"], dtype="str"),
        "discipline_name": pd.Series(["数学", "中国语言文学", "体育学"], dtype="str"),
        "unit_id": pd.Series(["U01", "U02", "U03"], dtype="str"),
        "unit_name": pd.Series(["数学学院", "文学院", "体育部"], dtype="str"),
        "category": pd.Series(["A", "B", "C"], dtype="str"),
        "establishment": np.array([40, 0, 15], dtype="int64"),
        # optional programme columns (P6 §9 category), absent from the file: all missing
        **{c: pd.array([pd.NA] * 3, dtype="boolean")
           for c in ("doctoral_first_level", "doctoral_second_level", "master_second_level")},
    })


def _filler(col, i: int) -> str:
    """A valid cell for a required column these tests do not set by hand (schemas grow)."""
    if col.allowed:
        return str(col.allowed[0])
    if col.dtype == "int":
        return str(int(col.min or 0))
    if col.dtype == "float":
        return str(col.min or 0)
    if col.dtype == "bool":
        return "否"
    if col.dtype == "date":
        return "2020-01-01"
    return f"x{i}"


def complete(table, header, rows):
    """Add any required column of ``table`` missing from ``header`` with valid filler values."""
    known = {schemas.get(table.kind).zh_to_en.get(h, h) for h in header}
    extra = [c for c in table.columns if c.required and c.name not in known]
    return header + [c.name for c in extra], [r + [_filler(c, i) for c in extra] for i, r in enumerate(rows)]


def write_csv(path, header, rows, encoding="utf-8", table=None):
    if table is not None:
        header, rows = complete(table, header, rows)
    buf = _io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path, header, rows, sheet="Sheet1", other_sheets=(), table=None):
    if table is not None:
        header, rows = complete(table, header, rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    for name in other_sheets:
        wb.create_sheet(name).append(["nothing", "here"])
    wb.save(path)
    return path


def zh(table, header):
    return [table.en_to_zh[h] for h in header]


def problems_of(exc_info) -> set[tuple]:
    p = exc_info.value.problems
    return set(zip(p["row"].astype("object").where(p["row"].notna(), None), p["column"], p["rule"]))


def assert_read_equal(df, expected):
    """``df`` (from read_table) has ``expected``'s values; its index is named by the file's Excel rows."""
    assert isinstance(df.index.name, ExcelRows) and len(df.index.name.rows) == len(df)
    pd.testing.assert_frame_equal(df.rename_axis(None), expected)


def assert_known_columns_equal(df, expected):
    assert_read_equal(df[list(expected.columns)], expected)


# ------------------------------------------------------------------------------------------
# Valid files round-trip
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("headers", ["en", "zh"])
def test_staff_csv_reads_in_each_encoding_and_header_language(tmp_path, encoding, headers):
    header = STAFF_HEADER if headers == "en" else zh(STAFF, STAFF_HEADER)
    path = write_csv(tmp_path / "staff.csv", header, STAFF_ROWS, encoding, table=STAFF)
    df = read_table(path, "staff")
    assert list(df.columns) == STAFF.names  # schema order, English names
    assert_known_columns_equal(df, expected_staff())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_disciplines_csv_round_trips(tmp_path, encoding):
    path = write_csv(tmp_path / "d.csv", zh(DISC, DISC_HEADER), DISC_ROWS, encoding)
    assert_read_equal(read_table(path, "disciplines"), expected_disciplines())


def test_utf16_tab_separated_unicode_text_export(tmp_path):
    # Excel "Unicode 文本" = UTF-16 with BOM, tab-separated
    text = "\n".join("\t".join(r) for r in [DISC_HEADER, *DISC_ROWS]) + "\n"
    path = tmp_path / "d.txt"
    path.write_bytes(text.encode("utf-16"))
    assert_read_equal(read_table(path, "disciplines"), expected_disciplines())


@pytest.mark.parametrize("headers", ["en", "zh"])
def test_staff_xlsx_with_native_excel_cells(tmp_path, headers):
    # Excel stores dates as date cells, booleans as TRUE/FALSE, numbers as numbers
    rows = []
    for r in STAFF_ROWS:
        r = list(r)
        for i in (5, 6, 10):
            r[i] = dt.datetime.fromisoformat(r[i])
        r[7] = {"是": True, "否": False, "true": True}[r[7]]
        r[9] = float(r[9])  # openpyxl writes numbers; Excel keeps them as floats
        r[2] = r[2] or None
        r[12] = r[12] or None
        r[13] = r[13] or None
        rows.append(r)
    header = STAFF_HEADER if headers == "en" else zh(STAFF, STAFF_HEADER)
    path = write_xlsx(tmp_path / "staff.xlsx", header, rows, table=STAFF)
    assert_known_columns_equal(read_table(path, "staff"), expected_staff())


def test_xlsx_sheet_by_name_and_number_cells_in_text_columns(tmp_path):
    rows = [[1001, "数学", "U01", "数学学院", "A", 40]]  # an id typed as a number in Excel
    path = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["this sheet is not the table"])
    ws = wb.create_sheet("学科")
    ws.append(zh(DISC, DISC_HEADER))
    for r in rows:
        ws.append(r)
    wb.save(path)
    df = read_table(path, "disciplines", sheet="学科")
    assert df["discipline_id"].tolist() == ["1001"]
    assert df["establishment"].tolist() == [40]


def test_mixed_and_untidy_headers_and_extra_columns_dropped(tmp_path):
    header = [" 学科代码 ", "DISCIPLINE_NAME", "unit_id", "单位名称\u3000", "category", "教师编制数", "备注"]
    rows = [r + ["某备注"] for r in DISC_ROWS]
    df = read_table(write_csv(tmp_path / "d.csv", header, rows), "disciplines")
    assert_read_equal(df, expected_disciplines())  # 备注 (not in the schema) is dropped


def test_cells_are_stripped_and_empty_rows_skipped(tmp_path):
    rows = [[" D01 ", "数学 ", "U01", "数学学院", " A", " 40 "], ["", "", "", "", "", ""], DISC_ROWS[1], DISC_ROWS[2]]
    path = write_csv(tmp_path / "d.csv", DISC_HEADER, rows)
    path.write_bytes(path.read_bytes() + b",,,,,\r\n\r\n")  # Excel's trailing empty rows
    assert_read_equal(read_table(path, "disciplines"), expected_disciplines())


@pytest.mark.parametrize("text,value", [
    ("是", True), ("否", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
    ("yes", True), ("No", False), ("Y", True), ("n", False),
])
def test_bool_spellings(tmp_path, text, value):
    rows = [list(STAFF_ROWS[0])]
    rows[0][7] = text
    df = read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert df["on_establishment"].dtype == bool
    assert df["on_establishment"].tolist() == [value]


@pytest.mark.parametrize("text", [
    "1980-01-02", "1980/1/2", "1980/01/02", "1980.1.2", "1980年1月2日", "19800102",
    "29222",                # Excel serial: 1980-01-01 is 29221 (1900 date system), so +1 day
    "1980-01-02 00:00:00",  # a time of day is ignored
    "1980/1/2 0:00",
])
def test_date_spellings(tmp_path, text):
    rows = [list(STAFF_ROWS[0])]
    rows[0][5] = text
    df = read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert df["birth_date"].dtype == "datetime64[ns]"
    assert df["birth_date"].tolist() == [pd.Timestamp("1980-01-02")]


def test_whole_number_written_with_decimal_zero_is_an_int(tmp_path):
    rows = [list(r) for r in DISC_ROWS]
    rows[0][5] = "40.0"
    assert read_table(write_csv(tmp_path / "d.csv", DISC_HEADER, rows), "disciplines")["establishment"].tolist() == [40, 0, 15]


def test_optional_column_absent_is_added_as_missing(tmp_path):
    header = [h for h in STAFF_HEADER if h != "id_number"]
    rows = [[v for h, v in zip(STAFF_HEADER, r) if h != "id_number"] for r in STAFF_ROWS]
    df = read_table(write_csv(tmp_path / "s.csv", header, rows, table=STAFF), "staff")
    assert "id_number" in df.columns and df["id_number"].isna().all()


# ------------------------------------------------------------------------------------------
# Bad input: one rule at a time, with the Excel row number
# ------------------------------------------------------------------------------------------
def disc_with(tmp_path, row: int, col: str, value: str):
    """DISC_ROWS with data row ``row`` (0-based) column ``col`` set to ``value``."""
    rows = [list(r) for r in DISC_ROWS]
    rows[row][DISC_HEADER.index(col)] = value
    return write_csv(tmp_path / "disciplines.csv", DISC_HEADER, rows)


def staff_with(tmp_path, row: int, col: str, value: str):
    rows = [list(r) for r in STAFF_ROWS]
    rows[row][STAFF_HEADER.index(col)] = value
    return write_csv(tmp_path / "staff.csv", STAFF_HEADER, rows, table=STAFF)


def test_missing_required_column_is_reported_on_the_header_row(tmp_path):
    header = [h for h in DISC_HEADER if h != "establishment"]
    rows = [[v for h, v in zip(DISC_HEADER, r) if h != "establishment"] for r in DISC_ROWS]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "d.csv", header, rows), "disciplines")
    assert problems_of(e) == {(1, "establishment", "missing_column")}
    assert "establishment (教师编制数)" in str(e.value)


def test_same_column_given_twice_in_english_and_chinese(tmp_path):
    header = DISC_HEADER + ["学科代码"]
    rows = [r + [r[0]] for r in DISC_ROWS]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "d.csv", header, rows), "disciplines")
    assert problems_of(e) == {(1, "discipline_id", "duplicate_column")}


def test_wrong_type_in_int_column(tmp_path):
    # data row index 1 = Excel row 3 (header is row 1)
    with pytest.raises(InputError) as e:
        read_table(disc_with(tmp_path, 1, "establishment", "abc"), "disciplines")
    assert problems_of(e) == {(3, "establishment", "type")}
    p = e.value.problems.iloc[0]
    assert p["value"] == "abc" and p["column_zh"] == "教师编制数" and "不是整数" in p["message_zh"]


@pytest.mark.parametrize("value", ["1.5", "nan", "inf", "12个"])
def test_non_whole_or_non_finite_numbers_are_type_errors(tmp_path, value):
    with pytest.raises(InputError) as e:
        read_table(disc_with(tmp_path, 0, "establishment", value), "disciplines")
    assert problems_of(e) == {(2, "establishment", "type")}


def test_establishment_min_boundary(tmp_path):
    # min 0: 0 passes (DISC_ROWS[1] already has 0), -1 fails
    assert read_table(disc_with(tmp_path, 0, "establishment", "0"), "disciplines")["establishment"][0] == 0
    with pytest.raises(InputError) as e:
        read_table(disc_with(tmp_path, 0, "establishment", "-1"), "disciplines")
    assert problems_of(e) == {(2, "establishment", "min")}


@pytest.mark.parametrize("value,rule", [("0", "min"), ("1", None), ("13", None), ("14", "max")])
def test_post_level_range_both_sides(tmp_path, value, rule):
    path = staff_with(tmp_path, 2, "post_level", value)  # Excel row 4
    if rule is None:
        assert read_table(path, "staff")["post_level"].tolist()[2] == int(value)
    else:
        with pytest.raises(InputError) as e:
            read_table(path, "staff")
        assert problems_of(e) == {(4, "post_level", rule)}


def test_value_not_allowed(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(disc_with(tmp_path, 2, "category", "D"), "disciplines")
    assert problems_of(e) == {(4, "category", "allowed")}
    assert "A, B, C" in str(e.value)


def test_duplicate_key_lists_every_row_holding_it(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(disc_with(tmp_path, 2, "discipline_id", "D01"), "disciplines")
    assert problems_of(e) == {(2, "discipline_id", "key"), (4, "discipline_id", "key")}


def test_bad_date(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 0, "birth_date", "1980-02-30"), "staff")
    # one problem only: the cross-field checks on birth_date are not run on the bad cell
    assert problems_of(e) == {(2, "birth_date", "type")}


@pytest.mark.parametrize("value", ["19800230", "123456", "abc"])
def test_other_bad_dates(tmp_path, value):
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 1, "hire_date", value), "staff")
    assert problems_of(e) == {(3, "hire_date", "type")}


def test_bad_bool(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 0, "on_establishment", "maybe"), "staff")
    assert problems_of(e) == {(2, "on_establishment", "type")}


def test_empty_required_cell(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 1, "name", " "), "staff")
    assert problems_of(e) == {(3, "name", "required")}


def test_empty_nullable_cell_is_fine_but_bad_value_there_is_not(tmp_path):
    assert read_table(staff_with(tmp_path, 0, "appraisal_2", ""), "staff")["appraisal_2"].isna()[0]
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 0, "appraisal_2", "良好"), "staff")  # 良好 is not an appraisal result
    assert problems_of(e) == {(2, "appraisal_2", "allowed")}


def test_cross_field_check_hire_after_birth_both_sides(tmp_path):
    # row index 1 has birth 1990-06-30 and hire 1990-07-01 (one day after): valid
    assert len(read_table(staff_with(tmp_path, 1, "hire_date", "1990-07-01"), "staff")) == 3
    # hire on the birth date itself is not "after": fails
    with pytest.raises(InputError) as e:
        read_table(staff_with(tmp_path, 1, "hire_date", "1990-06-30"), "staff")
    assert problems_of(e) == {(3, "birth_date,hire_date", "hire_after_birth")}
    assert "入校日期须晚于出生日期" in str(e.value)


def test_blank_rows_still_count_in_row_numbers(tmp_path):
    rows = [DISC_ROWS[0], ["", "", "", "", "", ""], DISC_ROWS[1], ["D04", "x", "U04", "y", "Z", "1"]]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "d.csv", DISC_HEADER, rows), "disciplines")
    # header 1, D01 2, blank 3, D02 4, D04 5
    assert problems_of(e) == {(5, "category", "allowed")}


def test_several_problems_are_all_listed(tmp_path):
    rows = [list(r) for r in STAFF_ROWS]
    rows[0][9] = "x"            # row 2 post_level type
    rows[1][8] = "phd"          # row 3 degree allowed
    rows[2][5] = "2011-01-01"   # row 4: born after hired (2000-03-15) and after post_since (2010-07-01)
    rows[2][11] = ""            # row 4 appraisal_1 required
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert problems_of(e) == {
        (2, "post_level", "type"), (3, "degree", "allowed"), (4, "appraisal_1", "required"),
        (4, "birth_date,hire_date", "hire_after_birth"), (4, "birth_date,post_since", "post_since_after_birth"),
    }
    assert str(e.value).startswith(f"5 problems in {tmp_path / 's.csv'}")


def test_problems_frame_columns_and_long_message_is_capped(tmp_path):
    rows = [[f"D{i:03d}", "x", "U", "y", "Z", "1"] for i in range(60)]  # 60 bad categories
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "d.csv", DISC_HEADER, rows), "disciplines")
    assert isinstance(e.value, ValueError)
    assert list(e.value.problems.columns) == PROBLEM_COLUMNS
    assert len(e.value.problems) == 60
    assert e.value.problems["row"].tolist() == list(range(2, 62))
    lines = str(e.value).splitlines()
    assert len(lines) == 1 + 50 + 1
    assert "and 10 more" in lines[-1] and "另有 10 处" in lines[-1]


@pytest.mark.parametrize("content,rule", [
    (b"", "empty"),
    (b"  \r\n\r\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "unreadable"),
    (bytes(range(256)) * 4, "unreadable"),
])
def test_empty_or_binary_files(tmp_path, content, rule):
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert problems_of(e) == {(None, "", rule)}


def test_header_only_file_has_no_rows(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "d.csv", DISC_HEADER, []), "disciplines")
    assert problems_of(e) == {(None, "", "no_rows")}


def test_ragged_csv_row_is_reported_with_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("discipline_id,discipline_name,unit_id,unit_name,category,establishment\n"
                    "D01,数学,U01,数学学院,A,40\nD02,x,U02,y,B,1,surplus\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert problems_of(e) == {(3, "", "unreadable")}


def test_short_csv_row_is_padded_and_the_missing_cells_reported(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("discipline_id,discipline_name,unit_id,unit_name,category,establishment\n"
                    "D01,数学,U01,数学学院,A,40\nD02,x,U02\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    # (an empty category is allowed where programme columns are given — P6 §9 — so it is checked across
    # the row, by the category_or_programmes rule, once the cell problems are fixed)
    assert problems_of(e) == {(3, "unit_name", "required"), (3, "establishment", "required")}


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "d.xlsx"
    path.write_text("discipline_id\nD01\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert problems_of(e) == {(None, "", "unreadable")}


def test_workbook_named_csv(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", DISC_HEADER, DISC_ROWS)
    wrong = tmp_path / "d.csv"
    wrong.write_bytes(path.read_bytes())
    with pytest.raises(InputError) as e:
        read_table(wrong, "disciplines")
    assert "name it .xlsx" in str(e.value)


def test_wrong_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", DISC_HEADER, DISC_ROWS, sheet="学科", other_sheets=["说明"])
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines", sheet="Sheet1")
    assert problems_of(e) == {(None, "", "sheet")}
    assert "学科, 说明" in str(e.value)


def test_empty_sheet(tmp_path):
    path = tmp_path / "d.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert problems_of(e) == {(None, "", "empty")}


def test_xlsx_errors_use_sheet_row_numbers(tmp_path):
    rows = [list(r) for r in DISC_ROWS]
    rows[1][5] = -3
    with pytest.raises(InputError) as e:
        read_table(write_xlsx(tmp_path / "d.xlsx", DISC_HEADER, rows), "disciplines")
    assert problems_of(e) == {(3, "establishment", "min")}


def test_unknown_kind(tmp_path):
    path = write_csv(tmp_path / "d.csv", DISC_HEADER, DISC_ROWS)
    with pytest.raises(InputError) as e:
        read_table(path, "no_such_table")
    assert problems_of(e) == {(None, "", "kind")}
    assert "disciplines" in str(e.value)  # lists the known kinds


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as e:
        read_table(tmp_path / "nope.csv", "disciplines")
    assert problems_of(e) == {(None, "", "file_missing")}


def test_corrupt_xls_is_refused_cleanly_with_how_to_fix(tmp_path):
    path = tmp_path / "d.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert "xlsx" in str(e.value)


# ------------------------------------------------------------------------------------------
# Excel as it is exported in China
# ------------------------------------------------------------------------------------------
SPREADSHEETS = Path(__file__).parent / "fixtures" / "spreadsheets"
FIXTURE_DISCIPLINES = pd.DataFrame({  # the table in tests/fixtures/spreadsheets/disciplines.{xls,ods}
    "discipline_id": ["D01", "D02", "D03"], "discipline_name": ["数学", "中国语言文学", "体育学"],
    "unit_id": ["U01", "U02", "U02"], "unit_name": ["数学学院", "文学院", "文学院"], "category": ["A", "B", "C"],
    "establishment": [40, 0, 15],
}).astype({c: "str" for c in ("discipline_id", "discipline_name", "unit_id", "unit_name", "category")})


def test_title_rows_above_the_header_are_skipped_and_rows_still_count(tmp_path):
    path = tmp_path / "d.csv"
    text = "2026年学科编制表,,,,,\n制表单位：人事处,,,,,\n" + ",".join(DISC_HEADER) + "\n"
    text += "\n".join(",".join(r) for r in DISC_ROWS[:2]) + "\nD03,体育学,U03,体育部,C,-1\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert problems_of(e) == {(6, "establishment", "min")}  # title, title, header = rows 1–3; D03 is row 6
    path.write_text(text.replace(",-1", ",15"), encoding="utf-8")
    df = read_table(path, "disciplines")
    assert_read_equal(df, expected_disciplines())
    assert df.index.name.file == "d.csv" and df.index.name.rows.tolist() == [4, 5, 6]  # what errors cite


def test_a_title_row_and_no_header_is_one_clear_problem(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("2026年学科编制表\nD01,数学,U01,数学学院,A,40\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    p = e.value.problems
    assert list(p["rule"]) == ["title_row"] and p["row"].iloc[0] == 1
    assert "第 1 行像标题行" in p["message_zh"].iloc[0] and "2026年学科编制表" in p["message_en"].iloc[0]


def test_merged_title_and_merged_grouping_column_in_xlsx(tmp_path):
    """A merged cell counts as its value in every cell it spans: a unit name merged down over its
    disciplines is read on each of those rows (documented in the module docstring)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年学科编制表"])
    ws.merge_cells("A1:F1")
    ws.append(zh(DISC, DISC_HEADER))
    for r in DISC_ROWS:
        ws.append([int(v) if v.isdigit() else v for v in r])
    ws["D3"], ws["D4"] = "理学院", None
    ws.merge_cells("D3:D4")
    path = tmp_path / "d.xlsx"
    wb.save(path)
    df = read_table(path, "disciplines")
    assert df["unit_name"].tolist() == ["理学院", "理学院", "体育部"]
    assert df["establishment"].tolist() == [40, 0, 15]


def test_sheet_named_after_the_table_is_chosen(tmp_path):
    for name in ("学科编制表", "disciplines", "Disciplines "):
        path = write_xlsx(tmp_path / f"{name.strip()}.xlsx", DISC_HEADER, DISC_ROWS, sheet="说明",
                          other_sheets=[])
        wb = openpyxl.load_workbook(path)
        ws = wb.create_sheet(name)
        ws.append(DISC_HEADER)
        for r in DISC_ROWS:
            ws.append(r)
        wb["说明"]["A1"] = "填表说明"  # the first sheet has a header too: the name decides
        wb.save(path)
        assert_read_equal(read_table(path, "disciplines"), expected_disciplines())


def test_the_only_sheet_with_the_header_is_chosen_and_otherwise_the_sheets_are_named(tmp_path):
    path = write_xlsx(tmp_path / "d.xlsx", ["说明"], [["本表由人事处填写"]], sheet="填表说明")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Sheet2")
    ws.append(zh(DISC, DISC_HEADER))
    for r in DISC_ROWS:
        ws.append(r)
    wb.save(path)
    assert_read_equal(read_table(path, "disciplines"), expected_disciplines())
    ws2 = wb.copy_worksheet(ws)
    ws2.title = "Sheet3"
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert list(e.value.problems["rule"]) == ["sheet"] and "Sheet2, Sheet3" in str(e.value)
    del wb["Sheet2"], wb["Sheet3"]
    wb.create_sheet("统计")
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    assert "填表说明, 统计" in str(e.value) and "填表说明、统计" in str(e.value)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_old_excel_and_opendocument_files_are_read(suffix):
    """Fixtures made with LibreOffice from an xlsx with a merged title row, the data on the second
    sheet (学科编制表) and 文学院 merged over rows 4–5 of the unit-name column."""
    path = SPREADSHEETS / f"disciplines{suffix}"
    if suffix == ".xls":
        assert_known_columns_equal(read_table(path, "disciplines"), FIXTURE_DISCIPLINES)
    else:  # .ods: the reader does not report merged ranges, so the covered cell reads as empty
        with pytest.raises(InputError) as e:
            read_table(path, "disciplines")
        assert problems_of(e) == {(5, "unit_name", "required")}


def test_read_tables_finds_xls_and_ods_files(tmp_path):
    shutil.copy(SPREADSHEETS / "disciplines.xls", tmp_path / "disciplines.xls")
    assert read_tables(tmp_path, ["disciplines"])["disciplines"]["discipline_id"].tolist() == ["D01", "D02", "D03"]
    shutil.copy(SPREADSHEETS / "disciplines.ods", tmp_path / "disciplines.ods")
    with pytest.raises(InputError) as e:
        read_tables(tmp_path, ["disciplines"])
    assert "disciplines.xls and disciplines.ods" in str(e.value)


def test_formulas_without_saved_results_are_named_with_the_fix(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学科编制表"
    ws.append(DISC_HEADER)
    for i, r in enumerate(DISC_ROWS, start=2):
        ws.append(r[:5] + [f"=10*{i}"])  # openpyxl saves formulas without their results
    path = tmp_path / "d.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_table(path, "disciplines")
    p = e.value.problems
    assert list(p["rule"]) == ["formula_no_value"]
    assert "3 cell(s)" in p["message_en"].iloc[0] and "save it again" in p["message_en"].iloc[0]
    assert "重新保存" in p["message_zh"].iloc[0]


def test_full_width_digits_and_letters_are_read_as_ordinary_ones(tmp_path):
    rows = [list(r) for r in STAFF_ROWS]
    rows[0][0] = "Ｔ０００１"
    rows[0][5] = "１９８０－０１－０２"
    rows[0][9] = "１"
    rows[0][1] = "教师０００１"  # names are kept as typed
    df = read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert df["staff_id"].iloc[0] == "T0001" and df["post_level"].iloc[0] == 1
    assert df["birth_date"].iloc[0] == pd.Timestamp("1980-01-02") and df["name"].iloc[0] == "教师０００１"


def study_leave_rows(**cells):
    table = schemas.get("study_leave")
    row = {c.name: _filler(c, 0) for c in table.columns if c.required}
    row.update({"mode": "further_study", "degree_sought": "", "study_start": "2024-09-01",
                "standard_end": "2025-07-01", "return_date": "", "left_date": "", "interruption_cause": "",
                "months_on_post": "0", "workload_share": "0.5"})
    row.update(cells)
    return list(row), [list(row.values())]


@pytest.mark.parametrize("text, value", [("12,345.67", 12345.67), ("1,234,567", 1234567.0), ("１２，３４５", 12345.0)])
def test_thousands_separators_in_money(tmp_path, text, value):
    header, rows = study_leave_rows(basic_salary=text)
    df = read_table(write_csv(tmp_path / "l.csv", header, rows), "study_leave")
    assert df["basic_salary"].iloc[0] == value


@pytest.mark.parametrize("text", ["12,34", "1,2345.6", "12.345,67"])
def test_commas_that_do_not_group_thousands_are_refused(tmp_path, text):
    header, rows = study_leave_rows(basic_salary=text)
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "l.csv", header, rows), "study_leave")
    assert problems_of(e) == {(2, "basic_salary", "type")}


@pytest.mark.parametrize("text, value", [("80%", 0.8), ("100 %", 1.0), ("0.8", 0.8), ("８０％", 0.8)])
def test_a_share_may_be_written_as_a_percentage(tmp_path, text, value):
    header, rows = study_leave_rows(workload_share=text)
    assert read_table(write_csv(tmp_path / "l.csv", header, rows), "study_leave")["workload_share"].iloc[0] == value


def test_a_percentage_above_100_is_out_of_range_and_elsewhere_refused(tmp_path):
    header, rows = study_leave_rows(workload_share="120%", basic_salary="50%")
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "l.csv", header, rows), "study_leave")
    assert problems_of(e) == {(2, "workload_share", "max"), (2, "basic_salary", "percent")}


@pytest.mark.parametrize("text", ["1987", "2001"])
def test_a_year_alone_is_not_an_excel_serial_date(tmp_path, text):
    rows = [list(STAFF_ROWS[0])]
    rows[0][5] = text
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert problems_of(e) == {(2, "birth_date", "year_only")}
    assert "只有年份不是日期" in str(e.value)


@pytest.mark.parametrize("text", ["9.90262E+17", "9.90262198702031E+17", "1.2e+05"])
def test_id_numbers_in_scientific_notation_are_refused(tmp_path, text):
    rows = [list(STAFF_ROWS[0])]
    rows[0][2] = text
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "s.csv", STAFF_HEADER, rows, table=STAFF), "staff")
    assert problems_of(e) == {(2, "id_number", "scientific_notation")}
    assert "科学计数法" in str(e.value)


def test_an_id_number_typed_into_a_number_cell_lost_digits_and_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", STAFF_HEADER, [list(STAFF_ROWS[0])], table=STAFF)
    wb = openpyxl.load_workbook(path)
    wb.active["C2"] = 990262198702030729  # Excel keeps 15 significant digits
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_table(path, "staff")
    assert problems_of(e) == {(2, "id_number", "scientific_notation")}


# ------------------------------------------------------------------------------------------
# read_tables
# ------------------------------------------------------------------------------------------
def test_read_tables_csv_and_xlsx_in_one_folder(tmp_path):
    write_csv(tmp_path / "disciplines.csv", DISC_HEADER, DISC_ROWS)
    write_xlsx(tmp_path / "staff.xlsx", zh(STAFF, STAFF_HEADER), STAFF_ROWS, table=STAFF)
    tables = read_tables(tmp_path, ["disciplines", "staff"])
    assert list(tables) == ["disciplines", "staff"]
    assert_read_equal(tables["disciplines"], expected_disciplines())
    assert_known_columns_equal(tables["staff"], expected_staff())


def test_read_tables_collects_problems_of_all_files(tmp_path):
    disc_with(tmp_path, 0, "category", "X")            # disciplines.csv row 2
    staff_with(tmp_path, 2, "post_level", "99")        # staff.csv row 4
    with pytest.raises(InputError) as e:
        read_tables(tmp_path, ["disciplines", "staff"])
    p = e.value.problems
    assert set(zip(p["file"].map(lambda f: f.rsplit("/", 1)[-1]), p["row"], p["rule"])) == {
        ("disciplines.csv", 2, "allowed"), ("staff.csv", 4, "max")}


def test_read_tables_missing_and_ambiguous_files(tmp_path):
    write_csv(tmp_path / "disciplines.csv", DISC_HEADER, DISC_ROWS)
    write_xlsx(tmp_path / "disciplines.xlsx", DISC_HEADER, DISC_ROWS)
    with pytest.raises(InputError) as e:
        read_tables(tmp_path, ["disciplines", "staff", "nonsense"])
    assert sorted(e.value.problems["rule"]) == ["ambiguous_file", "file_missing", "kind"]


def test_read_tables_all_registered_kinds_by_default(tmp_path):
    with pytest.raises(InputError) as e:
        read_tables(tmp_path)
    assert len(e.value.problems) == len(schemas.TABLES)  # one missing file per registered table


def test_read_tables_missing_folder(tmp_path):
    with pytest.raises(InputError) as e:
        read_tables(tmp_path / "nope")
    assert e.value.problems["rule"].tolist() == ["file_missing"]


# ------------------------------------------------------------------------------------------
# Property: valid frames round-trip through CSV unchanged
# ------------------------------------------------------------------------------------------
# full-width forms are read as their ordinary ones (NFKC) and scientific notation in an identifier is
# refused, so neither round-trips: both have their own tests
_FULL_WIDTH = "\u3000" + "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_text = st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x85" + _FULL_WIDTH),
                min_size=1, max_size=10).filter(lambda s: s == s.strip() and s != ""
                                                and not re.fullmatch(r"[1-9](?:\.\d+)?[eE]\+\d{1,3}", s))


@st.composite
def discipline_frames(draw):
    n = draw(st.integers(1, 8))
    ids = draw(st.lists(_text, min_size=n, max_size=n, unique=True))
    return pd.DataFrame({
        "discipline_id": pd.Series(ids, dtype="str"),
        "discipline_name": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "unit_id": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "unit_name": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "category": pd.Series(draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n)), dtype="str"),
        "establishment": np.array(draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n)), dtype="int64"),
        **{c: pd.array(draw(st.lists(st.sampled_from([True, False, None]), min_size=n, max_size=n)),
                       dtype="boolean")
           for c in ("doctoral_first_level", "doctoral_second_level", "master_second_level")},
    })


@st.composite
def staff_frames(draw):
    n = draw(st.integers(1, 6))
    day = st.dates(dt.date(1900, 1, 1), dt.date(2090, 12, 31))
    births = draw(st.lists(day, min_size=n, max_size=n))
    later = st.integers(1, 3000)
    results = st.sampled_from(("优秀", "合格", "基本合格", "不合格"))
    maybe = st.one_of(st.none(), results)
    ts = lambda ds: pd.to_datetime(pd.Series(ds)).astype("datetime64[ns]")  # noqa: E731
    return pd.DataFrame({
        "staff_id": pd.Series(draw(st.lists(_text, min_size=n, max_size=n, unique=True)), dtype="str"),
        "name": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "id_number": pd.Series(draw(st.lists(st.one_of(st.none(), _text), min_size=n, max_size=n)), dtype="str"),
        "unit_id": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "discipline_id": pd.Series(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"),
        "birth_date": ts(births),
        "hire_date": ts([b + dt.timedelta(days=draw(later)) for b in births]),
        "on_establishment": np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
        "degree": pd.Series(draw(st.lists(st.sampled_from(("doctorate", "master", "bachelor", "none")),
                                          min_size=n, max_size=n)), dtype="str"),
        "post_level": np.array(draw(st.lists(st.integers(1, 13), min_size=n, max_size=n)), dtype="int64"),
        "post_since": ts([b + dt.timedelta(days=draw(later)) for b in births]),
        "appraisal_1": pd.Series(draw(st.lists(results, min_size=n, max_size=n)), dtype="str"),
        "appraisal_2": pd.Series(draw(st.lists(maybe, min_size=n, max_size=n)), dtype="str"),
        "appraisal_3": pd.Series(draw(st.lists(maybe, min_size=n, max_size=n)), dtype="str"),
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=discipline_frames(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_property_disciplines_round_trip_through_csv(tmp_path, df, encoding):
    path = tmp_path / "d.csv"
    try:
        df.to_csv(path, index=False, encoding=encoding)
    except UnicodeEncodeError:  # a character GB18030 cannot hold cannot be in a GB18030 file
        return
    assert_read_equal(read_table(path, "disciplines"), df)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(df=staff_frames())
def test_property_staff_round_trip_through_csv(tmp_path, df):
    path = tmp_path / "s.csv"
    full = df.copy()
    for c in STAFF.columns:  # any required column added to the schema later
        if c.required and c.name not in full:
            full[c.name] = [_filler(c, i) for i in range(len(full))]
    full.to_csv(path, index=False, date_format="%Y-%m-%d")
    assert_known_columns_equal(read_table(path, "staff"), df)


# ------------------------------------------------------------------------------------------
# Composite keys, nullable columns and cross-field checks on a small test table
# ------------------------------------------------------------------------------------------
from staffcalc.schemas.base import Check, Column, Table  # noqa: E402

TOY = Table(
    kind="toy", zh="测试表", description="test table", file="toy.csv", key=("a", "b"),
    columns=(
        Column("a", "甲", "str", "part 1 of the key"),
        Column("b", "乙", "int", "part 2 of the key"),
        Column("score", "分数", "float", "a score", nullable=True, min=0, max=100),
        Column("scale", "总分制", "int", "its scale", nullable=True, allowed=(100, 150)),
        Column("flag", "标记", "bool", "a nullable flag", nullable=True),
    ),
    checks=(Check("scale_with_score", "a score needs its scale", "填写分数须注明总分制", ("score", "scale"),
                  lambda df: df["score"].isna() | df["scale"].notna()),),
)
TOY_HEADER = ["a", "b", "score", "scale", "flag"]


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(schemas.TABLES, "toy", TOY)
    return TOY


def test_nullable_int_float_bool_keep_missing_values(tmp_path, toy):
    rows = [["x", "1", "88.5", "100", "是"], ["x", "2", "", "", ""]]
    df = read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, rows), "toy")
    assert str(df["scale"].dtype) == "Int64" and str(df["flag"].dtype) == "boolean"
    assert df["score"].dtype == "float64"
    assert df["scale"].tolist()[0] == 100 and df["scale"].isna().tolist() == [False, True]
    assert df["flag"].isna().tolist() == [False, True] and bool(df["flag"][0]) is True
    assert df["score"][0] == 88.5 and np.isnan(df["score"][1])


def test_composite_key_duplicates(tmp_path, toy):
    rows = [["x", "1", "", "", ""], ["x", "2", "", "", ""], ["y", "1", "", "", ""], ["x", "1", "", "", ""]]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, rows), "toy")
    assert problems_of(e) == {(2, "a,b", "key"), (5, "a,b", "key")}  # (x, 1) twice; (x, 2), (y, 1) fine
    assert e.value.problems["value"].tolist() == ["a=x; b=1", "a=x; b=1"]


def test_cross_field_check_sees_empty_cells_of_nullable_columns(tmp_path, toy):
    # a score without its scale breaks the check: the empty (allowed) scale is not a reason to skip it
    rows = [["x", "1", "70", "", ""]]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, rows), "toy")
    assert problems_of(e) == {(2, "score,scale", "scale_with_score")}


def test_cross_field_check_skips_a_cell_that_failed_conversion(tmp_path, toy):
    rows = [["x", "1", "七十", "", ""]]
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, rows), "toy")
    assert problems_of(e) == {(2, "score", "type")}  # one message for one bad cell


@pytest.mark.parametrize("score,rule", [("-0.01", "min"), ("0", None), ("100", None), ("100.5", "max")])
def test_float_range_both_sides(tmp_path, toy, score, rule):
    path = write_csv(tmp_path / "t.csv", TOY_HEADER, [["x", "1", score, "150", ""]])
    if rule is None:
        assert read_table(path, "toy")["score"][0] == float(score)
    else:
        with pytest.raises(InputError) as e:
            read_table(path, "toy")
        assert problems_of(e) == {(2, "score", rule)}


def test_allowed_values_in_an_int_column(tmp_path, toy):
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, [["x", "1", "90", "120", ""]]), "toy")
    assert problems_of(e) == {(2, "scale", "allowed")}


def test_a_check_that_cannot_run_is_reported_not_raised(tmp_path, monkeypatch):
    broken = Table(kind="broken", zh="坏表", description="", columns=TOY.columns,
                   checks=(Check("boom", "needs a column that does not exist", "缺列", ("a",),
                                 lambda df: df["no_such_column"] > 0),))
    monkeypatch.setitem(schemas.TABLES, "broken", broken)
    with pytest.raises(InputError) as e:
        read_table(write_csv(tmp_path / "t.csv", TOY_HEADER, [["x", "1", "", "", ""]]), "broken")
    assert e.value.problems["rule"].tolist() == ["boom"]
    assert "could not be evaluated" in str(e.value)
