"""The what-if page in a real browser (issues 7, 16).

``staffcalc whatif --no-browser --port <free port>`` serves ``notebooks/whatif_scoring.ipynb``
with Voila; headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's sync API)
loads it and works as a planner does: types values (full-width digits, a trailing %), meets a
refusal beside the control, keeps working on another tab while one entry is refused, moves a
weight group to 0.1/0.3/0.6, saves a scenario and finds it after a reload, exports and loads the
file back, downloads the affected list — each figure checked against the public functions.  Skipped only when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA, ROOT

if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import whatif_page as wp  # noqa: E402
from staffcalc import policy, quotas, scoring
from staffcalc.io import read_tables
from staffcalc.whatif_server import PAGE_EXTENSIONS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WAIT_S = 60
AS_OF = "2026-09-01"
# Voila 0.5's lab template links Font Awesome (widget icons) from a CDN; the page uses no icon.
# Anything else fetched from outside 127.0.0.1 fails the test (offline machines must work).
ALLOWED_EXTERNAL = re.compile(r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@")

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="/usr/bin/chromium is not installed (apt-get install chromium)")


def wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"staffcalc whatif exited with {proc.returncode}:\n{log.read_text(encoding='utf-8')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"Voila did not listen on {port} within {WAIT_S} s:\n{log.read_text(encoding='utf-8')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    out = tmp_path_factory.mktemp("whatif_exports")
    log = out / "server.log"
    port = wp.free_port()
    proc = wp.start_server(port, DATA, out, log)
    try:
        wait_listening(port, proc, log)
        yield {"url": f"http://127.0.0.1:{port}/", "out": out, "log": log, "port": port}
    finally:
        wp.stop_server(proc)


# --------------------------------------------------------------------------------------------
# What the public functions say for a setting (independent of staffcalc.scenario)
# --------------------------------------------------------------------------------------------
def tables():
    return read_tables(DATA, ["appraisal_items", "appraisal_events", "semester_ratings", "recruitment_candidates",
                              "disciplines", "staff"])


def pol_of(overrides):
    return policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)


def monthly(t, overrides):
    return scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol_of(overrides))


def monthly_counts(t, overrides) -> dict[str, int]:
    return monthly(t, overrides)["grade"].astype(str).value_counts().to_dict()


def semester_counts(t, overrides) -> dict[str, int]:
    return scoring.semester_grades(t["semester_ratings"], pol_of(overrides))["grade"].astype(str).value_counts().to_dict()


def senior_cap_total(t, overrides) -> int:
    return int(quotas.quota_table(t["disciplines"], t["staff"], pol_of(overrides))["senior_cap"].sum())


# --------------------------------------------------------------------------------------------
# Browser helpers
# --------------------------------------------------------------------------------------------
def text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text().strip()


def wait_text(page, selector: str, expected) -> None:
    """Wait (bounded) until the element's text is ``expected`` (thousands separators ignored)."""
    try:
        page.wait_for_function(
            "([sel, want]) => { const e = document.querySelector(sel);"
            " return e && e.textContent.trim().replaceAll(',', '') === want; }",
            arg=[selector, str(expected)], timeout=WAIT_S * 1000)
    except Exception:
        shown = text(page, selector) if page.locator(selector).count() else "(absent)"
        pytest.fail(f"{selector} shows {shown!r}, expected {expected!r}")


def wait_contains(page, selector: str, words: str) -> str:
    try:
        page.wait_for_function(
            "([sel, want]) => { const e = document.querySelector(sel); return e && e.textContent.includes(want); }",
            arg=[selector, words], timeout=WAIT_S * 1000)
    except Exception:
        shown = text(page, selector) if page.locator(selector).count() else "(absent)"
        pytest.fail(f"{selector} shows {shown!r}, expected it to contain {words!r}")
    return text(page, selector)


def type_value(page, css: str, value) -> None:
    """Type into a control's text box as a user does and press Enter."""
    box = page.locator(f".{css} input").first
    box.fill(str(value))
    box.press("Enter")


def open_tab(page, title: str) -> None:
    page.locator(".sc-tabs .lm-TabBar-tab", has_text=title).click()


def load_page(page, url: str) -> None:
    page.goto(url, timeout=WAIT_S * 1000)
    page.wait_for_selector(".sc-monthly-excellent-count", timeout=WAIT_S * 1000)


@needs_chromium
def test_whatif_page_as_a_planner_uses_it(server, tmp_path):
    from playwright.sync_api import sync_playwright

    t = tables()
    base = monthly_counts(t, {})
    log = server["log"].read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{server['port']}/" in log  # the launcher printed the address

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # 0. the loading screen speaks Chinese (Voila's English text is replaced in the template)
            with urllib.request.urlopen(server["url"], timeout=WAIT_S * 2) as resp:
                served = resp.read().decode("utf-8")
            assert "正在加载“假设情景测算”页面" in served and "Running " not in served
            # the page script once, after the page configuration and before the first cell (it is
            # fetched while the kernel still runs the notebook; it starts the page on load)
            script = '<script src="/voila/static/voila.js"></script>'
            assert served.count(script) == 1
            assert served.index('id="jupyter-config-data"') < served.index(script) < served.index('cell-index="1"')
            config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                          served, re.S).group(1))
            assert [e["name"] for e in config["federated_extensions"]] == list(PAGE_EXTENSIONS)  # nothing else
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            load_page(page, server["url"])

            # 1. the baseline figure as the public functions compute it (P5 §3: 优秀 ≥ 90)
            assert int(text(page, ".sc-monthly-excellent-count").replace(",", "")) == base["优秀"]
            assert int(text(page, ".sc-monthly-changed-count")) == 0
            # the chart is drawn: a bar per grade for the baseline and the scenario, at full width
            svg = page.locator(".sc-chart-appraisal svg.sc-chart-svg").first
            box = svg.bounding_box()
            assert box and box["width"] > 700 and box["height"] > 200
            assert svg.locator("rect.sc-bar-scenario").count() == svg.locator("rect.sc-bar-base").count() > 0

            # 2. an out-of-range value is refused beside the control, not clamped to 0
            type_value(page, "sc-p-appraisal-sections-S2c-per_item", "-5")
            msg = wait_contains(page, ".sc-msg-appraisal-sections-S2c-per_item", "超出允许范围")
            assert "0–100" in msg and "未应用" in msg
            assert int(text(page, ".sc-monthly-fail-count").replace(",", "")) == base["不合格"]
            type_value(page, "sc-p-appraisal-sections-S2c-per_item", "4")  # back to the policy value
            page.wait_for_function("() => !document.querySelector('.sc-msg-appraisal-sections-S2c-per_item')"
                                   ".textContent.trim()", timeout=WAIT_S * 1000)

            # 3. an invalid weight on the appraisal tab; the post-quota tab still changes correctly
            type_value(page, "sc-p-appraisal-composite_weights-self", "0.9")
            wait_contains(page, ".sc-msg-appraisal-composite_weights-self", "不能超过 1")
            page.wait_for_selector(".sc-stale-appraisal", timeout=WAIT_S * 1000)
            open_tab(page, "岗位设置")
            wait_text(page, ".sc-quota-cap-total-base", senior_cap_total(t, {}))
            type_value(page, "sc-p-quotas-senior_ratio-C", "40%")
            ratio = {"quotas.senior_ratio.C": 0.4}
            wait_text(page, ".sc-quota-cap-total", senior_cap_total(t, ratio))
            assert page.locator(".sc-stale-quotas").count() == 0
            assert page.locator(".sc-stale-appraisal").count() == 1  # still marked 未更新
            listed = text(page, ".sc-overrides")
            assert "C 类学科高级岗位比例" in listed and "自我评价权重" not in listed

            # 4. weights 0.2/0.3/0.5 → 0.1/0.3/0.6: type one, the third follows; no error on the way
            open_tab(page, "班主任考核")
            weights = {"appraisal.composite_weights.self": 0.1, "appraisal.composite_weights.college": 0.6}
            want_sem = semester_counts(t, weights)
            type_value(page, "sc-p-appraisal-composite_weights-self", "0.1")
            wait_text(page, ".sc-follow-value", "0.6")
            page.wait_for_selector(".sc-stale-appraisal", state="detached", timeout=WAIT_S * 1000)
            assert text(page, ".sc-msg-appraisal-composite_weights-self") == ""
            wait_text(page, ".sc-semester-excellent-count", want_sem.get("优秀", 0))
            assert int(text(page, ".sc-semester-fail-count")) == want_sem.get("不合格", 0)

            # 5. a cut-off typed with full-width digits (Chinese IME)
            setting = {"appraisal.grade_bands.优秀": 85, **weights, **ratio}
            want = monthly_counts(t, setting)
            type_value(page, "sc-p-appraisal-grade_bands-excellent", "８５")
            wait_text(page, ".sc-monthly-excellent-count", want['优秀'])

            # 6. save the scenario under a name; export it
            page.locator(".sc-scenario-name input").fill("方案甲")
            page.locator(".sc-save").click()
            wait_text(page, ".sc-saved-name", "方案甲")
            page.locator(".sc-export").click()
            page.wait_for_selector(".sc-export-path", timeout=WAIT_S * 1000)
            exported = Path(text(page, ".sc-export-path"))
            assert exported.parent == server["out"].resolve()
            assert policy.load_overrides(exported) == setting

            # 7. the affected list downloaded as Excel equals staffcalc's own computation
            open_tab(page, "受影响名单")
            page.locator(".sc-download").click()
            page.wait_for_selector(".sc-download-link", timeout=WAIT_S * 1000)
            with page.expect_download(timeout=WAIT_S * 1000) as dl:
                page.locator(".sc-download-link").click()
            book_path = tmp_path / "affected.xlsx"
            dl.value.save_as(book_path)
            book = pd.read_excel(book_path, sheet_name=None)
            m_base, m_new = monthly(t, {}), monthly(t, setting)
            moved = ((m_base["score"] != m_new["score"]) | (m_base["grade"].astype(str) != m_new["grade"].astype(str))
                     | (m_base["allowance"] != m_new["allowance"])).to_numpy()
            months = book["班主任（月考核）"]
            assert list(zip(months["工号"], months["月份"])) == list(
                zip(m_new.loc[moved, "staff_id"], m_new.loc[moved, "period"]))
            assert list(months["情景等次"]) == list(m_new.loc[moved, "grade"].astype(str))
            money = book["金额"].set_index("项目")
            assert money.loc["班主任津贴合计（元，全部月份）", "变化"] == m_new["allowance"].sum() - m_base["allowance"].sum()
            assert int(money.loc["高级岗位上限合计（个）", "变化"]) == senior_cap_total(t, setting) - senior_cap_total(t, {})

            # 8. a reload keeps the saved scenario; loading it gives the same figures
            page.reload()
            page.wait_for_selector(".sc-monthly-excellent-count", timeout=WAIT_S * 1000)
            assert int(text(page, ".sc-monthly-excellent-count").replace(",", "")) == base["优秀"]
            try:
                page.wait_for_function("() => Array.from(document.querySelectorAll('.sc-saved select option'))"
                                       ".some(o => o.textContent === '方案甲')", timeout=WAIT_S * 1000)
            except Exception:
                shown = page.eval_on_selector(".sc-saved select", "e => Array.from(e.options).map(o => o.textContent)")
                pytest.fail(f"after the reload the saved scenarios are {shown}")
            page.locator(".sc-saved select").select_option(label="方案甲")
            page.locator(".sc-load").click()
            wait_text(page, ".sc-monthly-excellent-count", want['优秀'])
            wait_text(page, ".sc-follow-value", "0.6")
            assert page.locator(".sc-p-appraisal-grade_bands-excellent input").input_value() == "85"

            # 9. back to the baseline, then the exported file loaded back reproduces the figures
            page.locator(".sc-reset").click()
            wait_text(page, ".sc-monthly-excellent-count", base['优秀'])
            with page.expect_file_chooser(timeout=WAIT_S * 1000) as chooser:
                page.locator(".sc-upload").click()
            chooser.value.set_files(str(exported))
            wait_text(page, ".sc-monthly-excellent-count", want['优秀'])
            wait_text(page, ".sc-semester-excellent-count", semester_counts(t, setting).get("优秀", 0))
            open_tab(page, "岗位设置")
            wait_text(page, ".sc-quota-cap-total", senior_cap_total(t, setting))

            # 10. at 1024 px the quota table keeps its lines (no one-character-per-line wrapping)
            page.set_viewport_size({"width": 1024, "height": 900})
            page.wait_for_timeout(500)
            heights = page.eval_on_selector_all(".sc-quota-summary th, .sc-quota-summary td",
                                                "els => els.map(e => e.getBoundingClientRect().height)")
            assert heights and max(heights) < 40, max(heights)
            page.screenshot(path=str(server["out"] / "whatif-1024.png"), full_page=True)

            # 11. nothing but the Font Awesome stylesheet is requested from outside this machine
            outside = [u for u in requests if not u.startswith("http://127.0.0.1")
                       and not u.startswith("ws://127.0.0.1") and not u.startswith("data:")
                       and not u.startswith("blob:")]
            assert all(ALLOWED_EXTERNAL.match(u) for u in outside), outside

            # 12. privacy and no internal text on any tab: no names, no parameter paths, no Python values
            content = ""
            for title in ("班主任考核", "班主任竞聘", "岗位设置", "受影响名单", "情景比较"):
                open_tab(page, title)
                content += page.evaluate("document.body.innerText")
            names = read_tables(DATA, ["staff"])["staff"]["name"].tolist() + \
                t["recruitment_candidates"]["name"].tolist()
            assert "T0000" in content and "R2026-" in content
            assert not [n for n in names if len(n) >= 2 and n in content]
            for internal in ("appraisal.", "quotas.", "recruitment.", "{'", "True", "False", "Traceback", "null",
                             "NaN"):
                assert internal not in content, internal
            bad = page.eval_on_selector_all(
                "[title]", "els => els.filter(e => ['null', 'undefined', 'None'].includes(e.getAttribute('title')))"
                ".map(e => e.tagName + '.' + e.className)")
            assert not bad, bad  # a tooltip reading "null"
        finally:
            browser.close()


def test_whatif_refuses_a_missing_data_folder_before_serving(tmp_path):
    port = wp.free_port()
    proc = subprocess.run([sys.executable, "-m", "staffcalc.cli", "whatif", "--no-browser", "--port", str(port),
                           "--data", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=WAIT_S,
                          cwd=ROOT)
    assert proc.returncode == 2
    assert "找不到数据文件夹" in proc.stderr
