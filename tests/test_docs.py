"""The rules reference in docs/: generated from the policy files, current, complete, linked from the README.

``staffcalc docs`` (``make docs``) writes one Markdown page per policy file, an index and one offline
HTML page; a policy edit without regenerating fails ``test_generated_docs_are_current``.
"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ROOT

from staffcalc import policy, rules_docs
from staffcalc.cli import main

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def built():
    return rules_docs.build(DOCS)


def test_generated_docs_are_current(built):
    stale = [name for name, text in built.items()
             if not (DOCS / name).exists() or (DOCS / name).read_text(encoding="utf-8") != text]
    assert not stale, f"docs/ is stale: {stale}. Fix: run `make docs` (or `staffcalc docs`) and commit docs/."


def test_one_page_per_policy_file_with_every_parameter(built):
    for doc in policy.documents().values():
        page = built[f"rules/{doc.path.stem}.md"]
        assert page.splitlines()[2] == f"# {doc.id} {doc.title}"
        headings = re.findall(r"^### (\S+)$", page, flags=re.M)
        assert headings == list(doc.parameters)
        for path, p in doc.parameters.items():
            section = page.split(f"### {path}\n", 1)[1].split("\n### ", 1)[0]
            assert f"| 单位 Unit | {p.unit}" in section and f"{p.document} {p.clause}" in section
            assert p.text.replace("|", "\\|").split("\n")[0][:20] in section
            assert "| 使用者 Used by | `staffcalc." in section or p.documentation
            if p.interpretation or p.assumption:
                assert p.reading_zh in section and p.alternative_zh in section


def test_page_shows_values_by_date_with_their_own_reference_and_who_reads_them(built):
    p6 = built["rules/p6_wuhan_posts.md"]
    ratio = p6.split("### quotas.senior_ratio\n", 1)[1].split("\n### ", 1)[0]
    assert "2013-01-01 起：`{A: 0.65, B: 0.5, C: 0.45}`" in ratio
    assert "`staffcalc.quotas.quota_table`、`staffcalc.quotas.senior_cap`" in ratio
    rounding = p6.split("### quotas.cap_rounding\n", 1)[1].split("\n### ", 1)[0]
    assert "| 切换方法 Switch | 覆盖 override `quotas.cap_rounding: half_up` |" in rounding


def test_a_new_policy_file_gets_its_page_and_a_dated_reference_is_shown(tmp_path, monkeypatch):
    policies = tmp_path / "policies"
    shutil.copytree(policy.POLICY_DIR, policies)
    (policies / "p7_retirement.yaml").write_text("""\
document: {id: P7, title: 退休办法, effective: 2025-01-01, provides: [pension]}
parameters:
  pension:
    age:
      description: Statutory retirement age
      unit: years
      values:
        2025-01-01: 60
        2026-01-01:
          value: 61
          reference: {document: P7-2026, clause: "第二条", text: 逐步延迟至61周岁}
      reference: {clause: "第一条", text: 年满60周岁退休}
      documentation: no calculation yet (test document)
""", encoding="utf-8")
    monkeypatch.setattr(policy, "POLICY_DIR", policies)
    docs = tmp_path / "docs"
    (docs / "rules").mkdir(parents=True)
    (docs / "rules" / "p9_withdrawn.md").write_text("old", encoding="utf-8")
    assert main(["docs", "--out", str(docs)]) == 0
    page = (docs / "rules" / "p7_retirement.md").read_text(encoding="utf-8")
    assert "2025-01-01 起：`60`<br>2026-01-01 起：`61`（P7-2026 第二条：逐步延迟至61周岁）" in page
    assert "无（仅作说明）none — no calculation yet (test document)" in page
    assert "[P7](rules/p7_retirement.md)" in (docs / "README.md").read_text(encoding="utf-8")
    assert not (docs / "rules" / "p9_withdrawn.md").exists()  # a page whose policy file is gone is removed
    assert main(["docs", "--out", str(docs), "--check"]) == 0
    (docs / "README.md").write_text("edited", encoding="utf-8")
    assert main(["docs", "--out", str(docs), "--check"]) == 1


def test_html_page_is_offline_and_holds_every_page(built):
    page = built[rules_docs.HTML_NAME]
    assert not re.search(r"""(src|href)=["']https?://""", page)  # no external resource
    assert "<table>" in page and "所采用的解读 Readings chosen" in page
    for doc in policy.documents().values():
        assert f'id="rules-{doc.path.stem}"' in page
    assert 'href="#rules-p6_wuhan_posts"' in page and 'id="quotas-senior_ratio"' in page


def test_readme_links_docs_and_not_the_developers_spec():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/README.md" in readme and "docs/readings.md" in readme
    assert "shared/spec" not in readme
    for md in [*DOCS.glob("*.md"), *DOCS.glob("rules/*.md")]:
        assert "shared/" not in md.read_text(encoding="utf-8"), md
