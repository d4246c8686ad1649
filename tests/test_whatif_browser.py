"""The what-if page in a real browser (issue 7).

``staffcalc whatif --no-browser --port <free port>`` serves ``notebooks/whatif_scoring.ipynb``
with Voila; headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's sync API)
loads it, reads the figures, moves controls the way a user does (typing into a slider's readout,
arrow keys on a slider handle, a button) and checks each updated figure against the public
scoring functions for that setting.  Skipped only when ``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from staffcalc import policy, quotas, scoring
from staffcalc.io import read_tables

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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = free_port()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "staffcalc.cli", "whatif", "--no-browser", "--port", str(port), "--data", str(DATA),
             "--out", str(out)],
            stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        wait_listening(port, proc, log)
        yield {"url": f"http://127.0.0.1:{port}/", "out": out, "log": log, "port": port}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the launcher's own process group: it and Voila
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# What the public functions say for a setting (independent of staffcalc.scenario)
# --------------------------------------------------------------------------------------------
def tables():
    return read_tables(DATA, ["appraisal_items", "appraisal_events", "semester_ratings", "recruitment_candidates",
                              "disciplines", "staff"])


def monthly_counts(t, overrides) -> dict[str, int]:
    pol = policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)
    grades = scoring.monthly_appraisal(t["appraisal_items"], t["appraisal_events"], pol)["grade"].astype(str)
    return grades.value_counts().to_dict()


def appointed(t, overrides, openings=10) -> set:
    pol = policy.load(AS_OF).override(overrides) if overrides else policy.load(AS_OF)
    elig = scoring.recruitment_eligibility(t["recruitment_candidates"], policy=pol)
    r = scoring.appoint(scoring.recruitment_scores(elig, pol), openings, pol)
    return set(r.loc[r["appointed"], "candidate_id"])


def senior_cap_total(t, overrides) -> int:
    pol = policy.load(AS_OF).override(overrides)
    return int(quotas.quota_table(t["disciplines"], t["staff"], pol)["senior_cap"].sum())


# --------------------------------------------------------------------------------------------
# Browser helpers
# --------------------------------------------------------------------------------------------
def text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text().strip()


def wait_text(page, selector: str, expected) -> None:
    """Wait (bounded) until the element's text is ``expected``; fail with what it shows."""
    try:
        page.wait_for_function(
            "([sel, want]) => { const e = document.querySelector(sel); return e && e.textContent.trim() === want; }",
            arg=[selector, str(expected)], timeout=WAIT_S * 1000)
    except Exception:
        pytest.fail(f"{selector} shows {text(page, selector)!r}, expected {expected!r}")


def type_into_slider(page, css: str, value) -> None:
    """Set a slider as a user does: click its readout, type the number, press Enter."""
    readout = page.locator(f".{css} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")


def open_tab(page, title: str) -> None:
    page.locator(".sc-tabs .lm-TabBar-tab", has_text=title).click()


@needs_chromium
def test_whatif_page_recomputes_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    t = tables()
    base = monthly_counts(t, {})
    log = server["log"].read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{server['port']}/" in log  # the launcher printed the address

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(server["url"], timeout=WAIT_S * 1000)
            page.wait_for_selector(".sc-monthly-excellent-count", timeout=WAIT_S * 1000)

            # 1. the baseline figure as the public functions compute it (P5 §3: 优秀 ≥ 90)
            assert int(text(page, ".sc-monthly-excellent-count")) == base["优秀"]
            assert int(text(page, ".sc-monthly-fail-count")) == base["不合格"]
            assert int(text(page, ".sc-monthly-changed-count")) == 0

            # 2. 优秀 cut-off 90 → 85 typed into the slider's readout
            setting = {"appraisal.grade_bands.优秀": 85}
            want = monthly_counts(t, setting)
            type_into_slider(page, "sc-p-appraisal-grade_bands-excellent", 85)
            wait_text(page, ".sc-monthly-excellent-count", want["优秀"])
            assert int(text(page, ".sc-monthly-good-count")) == want["良好"]
            assert int(text(page, ".sc-monthly-excellent-base")) == base["优秀"]  # baseline stays beside it
            assert int(text(page, ".sc-monthly-changed-count")) == base["良好"] - want["良好"]  # 良好 → 优秀 only

            # 3. S2b per-item deduction 2 → 3 with the arrow key on the slider handle
            setting["appraisal.sections.S2b.per_item"] = 3
            want = monthly_counts(t, setting)
            page.locator(".sc-p-appraisal-sections-S2b-per_item .noUi-handle").focus()
            page.keyboard.press("ArrowRight")
            wait_text(page, ".sc-p-appraisal-sections-S2b-per_item .widget-readout", "3")
            wait_text(page, ".sc-monthly-fail-count", want["不合格"])
            assert int(text(page, ".sc-monthly-excellent-count")) == want["优秀"]

            # 4. weights that do not sum to 1: the PolicyError text in the page, no traceback
            type_into_slider(page, "sc-p-appraisal-composite_weights-self", "0.25")
            page.wait_for_selector(".sc-error", timeout=WAIT_S * 1000)
            message = text(page, ".sc-error")
            assert "权重之和须为 1" in message and "Traceback" not in page.content()
            type_into_slider(page, "sc-p-appraisal-composite_weights-self", "0.20")
            page.wait_for_selector(".sc-error", state="detached", timeout=WAIT_S * 1000)

            # 5. recruitment: exam maximum 25 → 60 moves candidates across the appointment line (P4 六.7)
            open_tab(page, "班主任竞聘")
            rec = {"recruitment.exam.max": 60}
            crossed = appointed(t, {}) ^ appointed(t, rec)
            assert crossed  # the sample has someone to move
            type_into_slider(page, "sc-p-recruitment-exam-max", 60)
            wait_text(page, ".sc-recruit-crossed-count", len(crossed))

            # 6. quotas: category A senior ratio 0.65 → 0.70 (P6 §9), caps summed over disciplines
            open_tab(page, "岗位设置")
            wait_text(page, ".sc-quota-cap-total-base", senior_cap_total(t, {}))
            type_into_slider(page, "sc-p-quotas-senior_ratio-A", "0.70")
            wait_text(page, ".sc-quota-cap-total", senior_cap_total(t, {"quotas.senior_ratio.A": 0.7}))

            # 7. export: the file the page names holds exactly the settings made above
            page.locator(".sc-export").click()
            page.wait_for_selector(".sc-export-path", timeout=WAIT_S * 1000)
            exported = Path(text(page, ".sc-export-path"))
            assert exported.parent == server["out"].resolve()
            assert policy.load_overrides(exported) == {**setting, **rec, "quotas.senior_ratio.A": 0.7}

            # 8. nothing but the Font Awesome stylesheet is requested from outside this machine
            outside = [u for u in requests if not u.startswith("http://127.0.0.1")
                       and not u.startswith("ws://127.0.0.1") and not u.startswith("data:")]
            assert all(ALLOWED_EXTERNAL.match(u) for u in outside), outside

            # 9. privacy: no staff or candidate name anywhere in the page (staff_id / candidate_id only)
            content = page.evaluate("document.body.textContent")
            names = read_tables(DATA, ["staff"])["staff"]["name"].tolist() + \
                t["recruitment_candidates"]["name"].tolist()
            assert "T0000" in content  # staff ids are shown …
            assert not [n for n in names if len(n) >= 2 and n in content]  # … names are not
        finally:
            browser.close()


def test_whatif_refuses_a_missing_data_folder_before_serving(tmp_path):
    port = free_port()
    proc = subprocess.run([sys.executable, "-m", "staffcalc.cli", "whatif", "--no-browser", "--port", str(port),
                           "--data", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=WAIT_S,
                          cwd=ROOT)
    assert proc.returncode == 2
    assert "找不到数据文件夹" in proc.stderr
