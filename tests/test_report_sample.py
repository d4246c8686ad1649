"""The shipped report suite on the committed sample data: what `make report` produces.

One run of ``staffcalc report --config reports.yaml --data data --jobs 2`` (module fixture), then:
every notebook succeeded with its HTML, PDF (where Chromium exists) and styled workbook; the headline
equals the package's headline functions; no table a reader gets shows an index, NaN, True/False or an
English code; the workbooks carry number formats, frozen headers and print set-up; the PDFs are A4
landscape with Chinese fonts embedded and no table wider than the page; ``index.html`` lists the run;
and no personal name or ID number from the input appears in any file a reader gets.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from staffcalc import formats, headline, leave_cost, policy, quotas, scoring
from staffcalc import notebook as nb
from staffcalc.eligibility import RULES, WARNINGS
from staffcalc.io import read_tables
from staffcalc.pay import FLAGS
from staffcalc.report.pdf import find_chromium
from staffcalc.schemas.study_leave import MODE_LABELS

sys.path.append(str(Path(__file__).parent / "fixtures" / "notebooks"))
from report_fixtures import ROOT, readable_text, run_cli  # noqa: E402

NOTEBOOKS = ("post_quotas", "appraisal_distribution", "leave_cost_impact")
TITLES = {"post_quotas": "高级岗位核定与岗位结构", "appraisal_distribution": "班主任考核、竞聘与任职",
          "leave_cost_impact": "攻读学位及进修离岗成本测算"}
AS_OF = "2026-09-01"
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
# Codes a reader must never see: every enum code with a Chinese label, every flag, rule and warning code.
CODES = ({str(code) for labels in formats.ENUM_LABELS.values() for code in labels}
         | set(FLAGS) | set(RULES) | set(WARNINGS) | {"True", "False", "nan", "NaN", "NaT", "<NA>", "None", "ALL"})
CODES -= {"P2", "P3"}  # document names, shown on purpose


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code, stdout, stderr = run_cli(["report", "--config", str(ROOT / "reports.yaml"), "--data", str(ROOT / "data"),
                                    "--out", str(out), "--jobs", "2", "--quiet"])
    assert code == 0, stdout + stderr
    return out


@pytest.fixture(scope="module")
def run(out):
    return out / "latest"


@pytest.fixture(scope="module")
def manifest(run):
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


def test_every_report_notebook_succeeds_with_html_pdf_and_excel(run, manifest):
    assert {n["name"]: n["status"] for n in manifest["notebooks"]} == {n: "ok" for n in NOTEBOOKS}
    for entry in manifest["notebooks"]:
        name = entry["name"]
        for suffix in (".ipynb", ".html", ".xlsx", ".headline.json"):
            assert (run / name / f"{name}{suffix}").is_file(), f"{name}{suffix} missing"
        html = (run / name / f"{name}.html").read_text(encoding="utf-8")
        assert "<img" in html and 'src="http' not in html  # charts embedded, nothing from a CDN
        assert f"<title>{TITLES[name]}</title>" in html
        if CHROMIUM:
            assert entry["pdf"] == {"status": "ok", "reason": None, "path": f"{name}/{name}.pdf"}
            assert (run / name / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        else:
            assert entry["pdf"]["status"] == "skipped" and "chromium" in entry["pdf"]["reason"].lower()
    inputs = {Path(f["path"]).name for f in manifest["inputs"]}
    assert {"staff.csv", "disciplines.csv", "study_leave.csv", "appraisal_events.csv"} <= inputs


# -- the headline equals the package's functions -------------------------------------------------------

def expected_headlines() -> dict[str, pd.DataFrame]:
    pol = policy.load(AS_OF)
    t = read_tables(ROOT / "data", ["disciplines", "staff", "class_teachers", "appraisal_items", "appraisal_events",
                                    "semester_ratings", "study_leave"])
    table = quotas.quota_table(t["disciplines"], t["staff"], pol)
    teachers = set(t["class_teachers"]["staff_id"])

    def scope(df):
        keep = df["staff_id"].isin(teachers) & (df["period"] >= "2025-09") & (df["period"] <= "2026-06")
        return df[keep].reset_index(drop=True)

    appraisal_pol = policy.load(AS_OF, variant={"duty": "P2"})
    monthly = scoring.monthly_appraisal(scope(t["appraisal_items"]), scope(t["appraisal_events"]), appraisal_pol)
    ratings = t["semester_ratings"]
    ratings = ratings[ratings["staff_id"].isin(teachers) & (ratings["semester"] <= "2025-2026-2")].reset_index(drop=True)
    removal = scoring.removal_status(scoring.semester_grades(ratings, appraisal_pol)[["staff_id", "semester", "grade"]],
                                     appraisal_pol)
    records = t["study_leave"].merge(t["staff"][["staff_id", "unit_id"]], on="staff_id")
    proj = leave_cost.project(records, "2026-09", "2028-08", policy=pol, as_of=AS_OF)
    return {"post_quotas": headline.post_quotas(table),
            "appraisal_distribution": headline.appraisal(monthly, removal, list(scoring.grade_bands(appraisal_pol))),
            "leave_cost_impact": headline.leave_cost(proj, MODE_LABELS)}


def test_headline_sheet_and_json_equal_the_package_functions(run):
    for name, want in expected_headlines().items():
        sheet = pd.read_excel(run / name / f"{name}.xlsx", sheet_name=0)
        assert openpyxl.load_workbook(run / name / f"{name}.xlsx").sheetnames[0] == "概要"
        assert sheet["指标"].tolist() == want["label"].tolist()
        assert sheet["数值"].to_numpy(float) == pytest.approx(want["value"].to_numpy(float), rel=1e-12, abs=1e-9)
        saved = headline.load(run / name / f"{name}.headline.json")
        assert saved["key"].tolist() == want["key"].tolist()
        assert saved["value"].to_numpy(float) == pytest.approx(want["value"].to_numpy(float), rel=1e-12, abs=1e-9)
    post = expected_headlines()["post_quotas"].set_index("key")["value"]
    # the three over-quota levels are different things, each counted on its own
    assert post["over_senior_cap"] > 0 and post["excess_senior"] >= post["over_senior_cap"]
    assert post["vacancy_gross"] - post["excess_senior"] == post["vacancy_net"]


# -- what a reader sees in HTML ----------------------------------------------------------------------------

class Tables(HTMLParser):
    """Every <table> of a page: its class and its cells' text."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attrs.get("class", ""), "cells": [], "row_headings": 0})
        elif tag in ("td", "th") and self.tables:
            self._cell = []
            if "row_heading" in (attrs.get("class") or ""):
                self.tables[-1]["row_headings"] += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["cells"].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(path: Path) -> list[dict]:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def test_html_tables_have_no_index_missing_marker_boolean_or_english_code(run):
    for name in NOTEBOOKS:
        tables = page_tables(run / name / f"{name}.html")
        assert len(tables) >= 8, name
        for t in tables:
            assert t["class"].split()[0] == "sc-table", f"{name}: a table not made by staffcalc.notebook.table"
            assert t["row_headings"] == 0, f"{name}: index column"
            cells = t["cells"]
            if nb.PATH_COLUMN in cells:  # the interpretation table's footnote column holds parameter paths
                width = cells.index(nb.PATH_COLUMN) + 1
                cells = [c for i, c in enumerate(cells) if i % width != width - 1]
            bad = sorted({c for c in cells if c in CODES or c == "-0.00" or re.fullmatch(r"-?\d+\.\d{3,}", c)})
            assert not bad, f"{name}: {bad[:10]}"


def test_html_has_print_css_for_a4_landscape_and_no_developer_text(run):
    for name in NOTEBOOKS:
        html = (run / name / f"{name}.html").read_text(encoding="utf-8")
        assert "@page { size: A4 landscape" in html and "thead { display: table-header-group; }" in html
        assert "本次测算条件" in html and "本报告采用的解释与规划假设" in html
        for developer in ("data_dir", "out_dir", ".tmp-", str(ROOT), "已写入", "overrides_file"):
            assert developer not in html, f"{name} shows {developer!r}"


def test_action_lists_are_complete_and_shortened_lists_say_so(run):
    html = (run / "leave_cost_impact" / "leave_cost_impact.html").read_text(encoding="utf-8")
    people = pd.read_excel(run / "leave_cost_impact" / "leave_cost_impact.xlsx", sheet_name="人员明细")
    breach = people[people["违约应承担金额"] > 0]["工号"] if "违约应承担金额" in people else people.iloc[:0, 0]
    assert len(breach) >= 2
    for staff_id in breach:
        assert staff_id in html  # every breach case is listed in the page
    assert f"显示 30 / {len(people)} 行，完整名单见Excel 工作簿" in html


# -- Excel -----------------------------------------------------------------------------------------------

def test_workbooks_are_styled_and_show_no_code_boolean_or_missing_marker(run, manifest):
    for name in NOTEBOOKS:
        wb = openpyxl.load_workbook(run / name / f"{name}.xlsx")
        for ws in wb.worksheets:
            assert ws.freeze_panes == "A2", (name, ws.title)
            assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), (name, ws.title)
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
            assert manifest["run_id"] in ws.oddFooter.left.text and AS_OF in ws.oddFooter.left.text
            assert ws["A1"].font.bold and ws.column_dimensions["A"].width >= 6
            headers = [c.value for c in ws[1]]
            skip = {i for i, h in enumerate(headers) if h == nb.PATH_COLUMN}
            for row in ws.iter_rows(min_row=2, values_only=True):
                for i, v in enumerate(row):
                    assert not isinstance(v, bool), (name, ws.title, headers[i])
                    if isinstance(v, str) and i not in skip:
                        assert v not in CODES, (name, ws.title, headers[i], v)


def test_workbook_number_formats(run):
    wb = openpyxl.load_workbook(run / "leave_cost_impact" / "leave_cost_impact.xlsx")
    ws = wb["人员明细"]
    col = {c.value: c.column_letter for c in ws[1]}
    assert ws[f"{col['扣发金额']}2"].number_format == "#,##0.00"
    assert ws[f"{col['学习开始日期']}2"].number_format == "yyyy-mm-dd"
    assert ws[f"{col['提前返岗情景']}2"].value in ("是", "否")
    post = openpyxl.load_workbook(run / "post_quotas" / "post_quotas.xlsx")["学科岗位核定"]
    col = {c.value: c.column_letter for c in post[1]}
    assert post[f"{col['采用比例']}2"].number_format == "0.0%"
    assert post[f"{col['高级岗位上限']}2"].number_format == "#,##0"
    assert post[f"{col['上限来源']}2"].value in ("按比例核定", "校长调节")
    allowance = openpyxl.load_workbook(run / "appraisal_distribution" / "appraisal_distribution.xlsx")["津贴_单位"]
    last = allowance.max_row
    assert "合计" in [c.value for c in allowance[last]] and allowance.cell(last, 1).font.bold


# -- PDF -------------------------------------------------------------------------------------------------

@needs_chromium
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_pdfs_are_a4_landscape_with_chinese_fonts_embedded(run):
    for name in NOTEBOOKS:
        pdf = run / name / f"{name}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
        assert size and float(size[1]) > float(size[2]) and abs(float(size[1]) - 841.9) < 2  # A4 landscape
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
        assert rows, f"{name}: no fonts"
        assert all("yes" == r[-5] for r in rows), f"{name}: a font is not embedded:\n{fonts}"
        text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
        assert TITLES[name] in text and "要点" in text  # Chinese text, extractable


@needs_chromium
def test_no_table_or_chart_is_wider_than_the_printed_page(run):
    from playwright.sync_api import sync_playwright

    printable = round((297 - 20) / 25.4 * 96)  # A4 landscape less the 10 mm margins, in CSS pixels
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": printable, "height": 800})
        page.emulate_media(media="print")
        for name in NOTEBOOKS:
            page.goto((run / name / f"{name}.html").as_uri())
            widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('table, img')]
                .map(e => e.getBoundingClientRect().right))""")
            assert widest <= printable + 1, f"{name}: {widest} px > {printable} px"
        browser.close()


# -- the run index and privacy ---------------------------------------------------------------------------

def test_index_lists_the_run_with_links_that_exist(out, manifest):
    index = (out / "index.html").read_text(encoding="utf-8")
    assert manifest["run_id"] in index and "最新成功运行" in index and "http" not in index
    links = re.findall(r'href="([^"]+)"', index)
    assert {Path(link).suffix for link in links} >= {".html", ".xlsx"} | ({".pdf"} if CHROMIUM else set())
    for link in links:
        assert (out / link).is_file(), link
    for label in ("编制数", "超出高级岗位上限的人数", "班主任人数", "代课经费结余（+）/缺口（−）"):
        assert label in index  # headline figures


def test_no_personal_name_or_id_number_in_any_report_file(run):
    staff = pd.read_csv(ROOT / "data" / "staff.csv", dtype=str)
    candidates = pd.read_csv(ROOT / "data" / "recruitment_candidates.csv", dtype=str)
    secrets = set(staff["name"]) | set(staff["id_number"].dropna()) | set(candidates["name"])
    assert len(secrets) > 3000
    files = [p for p in run.rglob("*") if p.is_file()]
    assert len(files) >= 10
    for path in files:
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout \
                if shutil.which("pdftotext") else ""
        else:
            text = readable_text(path)
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{path.name} shows {leaked[:5]}"
