"""staffcalc.policy: loading dated parameters, validation of policy files, overrides, variants, diff.

The loader tests run on small YAML files written into a temporary folder that replaces the bundled
``staffcalc/policies`` (monkeypatch ``POLICY_DIR``), so they do not depend on the real documents.
The bundled documents are checked at the end: each loads for the sample date 2026-09-01 and every
parameter carries the Chinese wording of its clause.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from staffcalc import policy
from staffcalc.policy import PolicyError

BUNDLED = sorted(policy.POLICY_DIR.glob("*.yaml"))
SAMPLE_DATE = dt.date(2026, 9, 1)

BASE = """\
document:
  id: T1
  title: 测试办法
  effective: 2020-01-01
  provides: [quotas]
parameters:
  quotas:
    senior_ratio:
      description: Senior share by category
      unit: ratio
      values:
        2020-01-01: {A: 0.65, B: 0.50, C: 0.45}
        2024-07-01: {A: 0.70, B: 0.50, C: 0.45}
      reference: {clause: "§9", text: A類學科高級崗位數原則上控制在本學科教師編制總數的65%}
      min: 0
      max: 1
    headcount:
      description: Members needed
      unit: persons
      values: {2020-01-01: 10}
      reference: {clause: "§20", text: 委員會由10人組成}
      min: 1
      max: 20
    method:
      description: Rounding method
      unit: rule
      values: {2020-01-01: cap_upper}
      reference: {document: spec, clause: "§2.4", text: 正高副高分配方法}
      interpretation: true
      alternative: largest_remainder
      reason: A cap is an upper bound.
      reading_zh: 除最低一级外向下取整
      alternative_zh: 最大余数法
      allowed: [cap_upper, largest_remainder]
    strict:
      description: A switch
      unit: flag
      values: {2020-01-01: true}
      reference: {clause: "§21", text: 嚴格執行}
    hourly_rate:
      description: Hourly rate for hired teachers
      unit: yuan/hour
      values: {2020-01-01: 50.0}
      reference: {document: spec, clause: "§0", text: 规划假设}
      assumption: true
      reading_zh: 示例课时费
      alternative_zh: 按本校标准填写
    nested:
      deeper:
        threshold:
          description: A parameter below two namespace levels
          unit: points
          values: {2020-01-01: 60}
          reference: {clause: "§5", text: 60分以上}
"""


def doc(doc_id="T1", provides="[quotas]", default=None, body=None, effective="2020-01-01") -> str:
    """A policy document: BASE with another id / namespaces / default flag / parameter body."""
    text = BASE.replace("id: T1", f"id: {doc_id}").replace("provides: [quotas]", f"provides: {provides}")
    text = text.replace("effective: 2020-01-01", f"effective: {effective}")
    if default is not None:
        text = text.replace(f"  provides: {provides}\n", f"  provides: {provides}\n  default: {default}\n")
    if body is not None:
        text = text.split("parameters:\n")[0] + "parameters:\n" + textwrap.indent(textwrap.dedent(body), "  ")
    return text


@pytest.fixture
def pdir(tmp_path, monkeypatch):
    """An empty policy folder in place of the bundled one."""
    d = tmp_path / "policies"
    d.mkdir()
    monkeypatch.setattr(policy, "POLICY_DIR", d)
    return d


def put(pdir: Path, name: str, text: str) -> Path:
    path = pdir / name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------
# Values in force by date
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("as_of,expected_a,since", [
    ("2024-06-30", 0.65, dt.date(2020, 1, 1)),   # the day before the change
    ("2024-07-01", 0.70, dt.date(2024, 7, 1)),   # the change takes effect on its date
    ("2024-07-02", 0.70, dt.date(2024, 7, 1)),   # and stays after it
    ("2020-01-01", 0.65, dt.date(2020, 1, 1)),   # first day of the first version
])
def test_value_in_force_by_effective_date(pdir, as_of, expected_a, since):
    put(pdir, "t1.yaml", doc())
    p = policy.load(as_of)
    assert p.get("quotas.senior_ratio.A") == expected_a
    assert p["quotas.senior_ratio"]["B"] == 0.50
    assert p.since["quotas.senior_ratio"] == since
    assert p.as_of == dt.date.fromisoformat(as_of)


def test_no_value_before_the_first_effective_date(pdir):
    put(pdir, "t1.yaml", doc())
    with pytest.raises(PolicyError, match="no value in force on 2019-12-31"):
        policy.load("2019-12-31")


def test_extra_files_add_an_institutions_own_document(pdir, tmp_path):
    extra = tmp_path / "own.yaml"
    extra.write_text(doc("OWN", provides="[appraisal]", body="""\
        appraisal:
          pass_mark:
            description: Pass mark
            unit: points
            values: {2020-01-01: 60}
            reference: {clause: "§1", text: 六十分為合格}
        """), encoding="utf-8")
    p = policy.load("2026-09-01", extra_files=[extra])
    assert p.get("appraisal.pass_mark") == 60
    assert p.param("appraisal.pass_mark").document == "OWN"


def test_get_returns_a_copy(pdir):
    put(pdir, "t1.yaml", doc())
    p = policy.load("2026-09-01")
    ratios = p.get("quotas.senior_ratio")
    ratios["A"] = 0.99
    assert p.get("quotas.senior_ratio.A") == 0.70


def test_parameter_under_several_namespace_levels(pdir):
    put(pdir, "t1.yaml", doc())
    p = policy.load("2026-09-01")
    assert p.get("quotas.nested.deeper.threshold") == 60


# ------------------------------------------------------------------------------------------
# Invalid policy files
# ------------------------------------------------------------------------------------------
def test_duplicate_key_rejected(pdir):
    text = doc().replace("    headcount:\n", "    strict:\n      values: {2020-01-01: 1}\n    headcount:\n", 1)
    put(pdir, "t1.yaml", text)
    with pytest.raises(PolicyError, match="duplicate key 'strict'"):
        policy.load("2026-09-01")


def test_duplicate_effective_date_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace("values: {2020-01-01: 10}", "values: {2020-01-01: 10, 2020-01-01: 12}"))
    with pytest.raises(PolicyError, match="duplicate key"):
        policy.load("2026-09-01")


def test_bad_quoted_date_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace("values: {2020-01-01: 10}", "values: {'2020-02-30': 10}"))
    with pytest.raises(PolicyError, match="bad date '2020-02-30'"):
        policy.load("2026-09-01")


def test_bad_unquoted_date_rejected_as_policy_error(pdir):
    put(pdir, "t1.yaml", doc().replace("values: {2020-01-01: 10}", "values: {2024-13-01: 10}"))
    with pytest.raises(PolicyError, match="t1.yaml"):
        policy.load("2026-09-01")


def test_bad_document_effective_date_rejected(pdir):
    put(pdir, "t1.yaml", doc(effective="'someday'"))
    with pytest.raises(PolicyError, match="document.effective: bad date"):
        policy.load("2026-09-01")


def test_parameter_without_reference_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace("      reference: {clause: \"§20\", text: 委員會由10人組成}\n", ""))
    with pytest.raises(PolicyError, match="quotas.headcount: every parameter needs reference"):
        policy.load("2026-09-01")


def test_parameter_without_chinese_text_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace('reference: {clause: "§20", text: 委員會由10人組成}', 'reference: {clause: "§20"}'))
    with pytest.raises(PolicyError, match="reference.text"):
        policy.load("2026-09-01")


def test_parameter_without_clause_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace('reference: {clause: "§20", text: 委員會由10人組成}', "reference: {text: 委員會由10人組成}"))
    with pytest.raises(PolicyError, match="reference.clause"):
        policy.load("2026-09-01")


@pytest.mark.parametrize("drop", ["      alternative: largest_remainder\n", "      reason: A cap is an upper bound.\n"])
def test_interpretation_needs_alternative_and_reason(pdir, drop):
    put(pdir, "t1.yaml", doc().replace(drop, ""))
    with pytest.raises(PolicyError, match="interpretation: true needs 'alternative' and 'reason'"):
        policy.load("2026-09-01")


@pytest.mark.parametrize("drop", ["      reading_zh: 除最低一级外向下取整\n", "      alternative_zh: 最大余数法\n",
                                  "      alternative_zh: 按本校标准填写\n"])
def test_interpretation_and_assumption_need_chinese_reading_and_alternative(pdir, drop):
    put(pdir, "t1.yaml", doc().replace(drop, ""))
    with pytest.raises(PolicyError, match="needs 'reading_zh' and 'alternative_zh'"):
        policy.load("2026-09-01")


def test_alternative_value_and_not_switchable_exclude_each_other(pdir):
    put(pdir, "t1.yaml", doc().replace("      alternative_zh: 最大余数法\n", "      alternative_zh: 最大余数法\n"
                                       "      alternative_value: largest_remainder\n      not_switchable: why\n"))
    with pytest.raises(PolicyError, match="either 'alternative_value' or 'not_switchable'"):
        policy.load("2026-09-01")


def test_a_dated_value_may_carry_its_own_reference(pdir):
    put(pdir, "t1.yaml", doc().replace(
        "        2024-07-01: {A: 0.70, B: 0.50, C: 0.45}\n",
        "        2024-07-01:\n          value: {A: 0.70, B: 0.50, C: 0.45}\n"
        "          reference: {document: T1-2024, clause: \"§2\", text: 调整为70%}\n"))
    before, after = policy.load("2024-06-30"), policy.load("2024-07-01")
    assert after.get("quotas.senior_ratio.A") == 0.70 and before.get("quotas.senior_ratio.A") == 0.65
    assert (after.param("quotas.senior_ratio").document, after.param("quotas.senior_ratio").clause) == ("T1-2024", "§2")
    assert after.references("quotas.senior_ratio").iloc[0]["text"] == "调整为70%"
    assert (before.param("quotas.senior_ratio").document, before.param("quotas.senior_ratio").clause) == ("T1", "§9")
    p = before.param("quotas.senior_ratio")
    assert p.reference_on(dt.date(2024, 7, 1)).clause == "§2" and p.reference_on(dt.date(2020, 1, 1)).clause == "§9"


def test_a_dated_reference_needs_clause_and_text(pdir):
    put(pdir, "t1.yaml", doc().replace(
        "        2024-07-01: {A: 0.70, B: 0.50, C: 0.45}\n",
        "        2024-07-01:\n          value: {A: 0.70, B: 0.50, C: 0.45}\n          reference: {clause: \"§2\"}\n"))
    with pytest.raises(PolicyError, match=r"senior_ratio \(2024-07-01\): every parameter needs reference.clause"):
        policy.load("2026-09-01")


def test_unknown_metadata_key_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace("      unit: persons\n", "      unit: persons\n      unti: typo\n"))
    with pytest.raises(PolicyError, match="unknown metadata keys"):
        policy.load("2026-09-01")


def test_parameter_outside_provided_namespaces_rejected(pdir):
    put(pdir, "t1.yaml", doc(provides="[review]"))
    with pytest.raises(PolicyError, match="outside the namespaces"):
        policy.load("2026-09-01")


def test_missing_document_header_rejected(pdir):
    put(pdir, "t1.yaml", doc().replace("  title: 测试办法\n", ""))
    with pytest.raises(PolicyError, match="'document' needs"):
        policy.load("2026-09-01")


def test_same_document_id_twice_rejected(pdir):
    put(pdir, "a.yaml", doc())
    put(pdir, "b.yaml", doc())
    with pytest.raises(PolicyError, match="document id T1 already defined"):
        policy.load("2026-09-01")


def test_not_yaml_rejected(pdir):
    put(pdir, "t1.yaml", "document: [unclosed\n")
    with pytest.raises(PolicyError, match="not valid YAML"):
        policy.load("2026-09-01")


# ------------------------------------------------------------------------------------------
# Overrides
# ------------------------------------------------------------------------------------------
@pytest.fixture
def base(pdir):
    put(pdir, "t1.yaml", doc())
    return policy.load("2026-09-01")


def test_override_dotted_path_into_a_mapping(base):
    new = base.override({"quotas.senior_ratio.A": 0.6})
    assert new.get("quotas.senior_ratio") == {"A": 0.6, "B": 0.50, "C": 0.45}
    assert base.get("quotas.senior_ratio") == {"A": 0.70, "B": 0.50, "C": 0.45}  # original unchanged
    assert new.overrides == {"quotas.senior_ratio.A": 0.6} and base.overrides == {}


def test_override_whole_mapping_needs_the_same_keys(base):
    assert base.override({"quotas.senior_ratio": {"A": 0.5, "B": 0.4, "C": 0.3}}).get("quotas.senior_ratio.C") == 0.3
    with pytest.raises(PolicyError, match="missing \\['C'\\]"):
        base.override({"quotas.senior_ratio": {"A": 0.5, "B": 0.4}})


@pytest.mark.parametrize("path", ["quotas.nope", "quotas.senior_ratio.D", "nope", "quotas.headcount.x"])
def test_override_unknown_path(base, path):
    with pytest.raises(PolicyError, match="unknown parameter path"):
        base.override({path: 1})


@pytest.mark.parametrize("path,value,expected", [
    ("quotas.headcount", "10", "a number"),
    ("quotas.headcount", 10.5, "an integer"),
    ("quotas.headcount", True, "a number"),        # bool is not a number here
    ("quotas.strict", 1, "a boolean"),             # nor is 1 a boolean
    ("quotas.method", 3, "a string"),
    ("quotas.senior_ratio", 0.5, "a mapping"),
])
def test_override_wrong_type(base, path, value, expected):
    with pytest.raises(PolicyError, match=expected):
        base.override({path: value})


def test_override_int_accepts_whole_float_and_keeps_int(base):
    new = base.override({"quotas.headcount": 12.0})
    assert new.get("quotas.headcount") == 12 and isinstance(new.get("quotas.headcount"), int)


def test_override_float_accepts_int(base):
    assert base.override({"quotas.hourly_rate": 60}).get("quotas.hourly_rate") == 60.0


def test_override_allowed_values(base):
    assert base.override({"quotas.method": "largest_remainder"}).get("quotas.method") == "largest_remainder"
    with pytest.raises(PolicyError, match="not one of"):
        base.override({"quotas.method": "round_half_up"})


@pytest.mark.parametrize("value,ok", [(0, False), (1, True), (20, True), (21, False)])
def test_override_min_max_both_sides(base, value, ok):
    # headcount has min 1 and max 20, both inclusive
    if ok:
        assert base.override({"quotas.headcount": value}).get("quotas.headcount") == value
    else:
        with pytest.raises(PolicyError, match="minimum|maximum"):
            base.override({"quotas.headcount": value})


@pytest.mark.parametrize("value,ok", [(-0.01, False), (0.0, True), (1.0, True), (1.01, False)])
def test_override_bounds_apply_inside_mappings(base, value, ok):
    if ok:
        assert base.override({"quotas.senior_ratio.B": value}).get("quotas.senior_ratio.B") == value
    else:
        with pytest.raises(PolicyError):
            base.override({"quotas.senior_ratio.B": value})


def test_failed_override_leaves_nothing_half_applied(base):
    with pytest.raises(PolicyError):
        base.override({"quotas.headcount": 5, "quotas.method": "bad"})
    assert base.get("quotas.headcount") == 10


def test_load_with_overrides(pdir):
    put(pdir, "t1.yaml", doc())
    assert policy.load("2026-09-01", overrides={"quotas.headcount": 7}).get("quotas.headcount") == 7


# ------------------------------------------------------------------------------------------
# Variants
# ------------------------------------------------------------------------------------------
DUTY = """\
duty:
  certificate_level:
    description: Hospital level of a sick-leave certificate
    unit: level
    values: {{2012-05-01: {level}}}
    reference: {{clause: "三.4", text: {text}}}
"""


@pytest.fixture
def two_variants(pdir):
    put(pdir, "p2.yaml", doc("P2", provides="[duty]", default="true",
                             body=DUTY.format(level="county", text="縣級以上醫院證明")))
    put(pdir, "p3.yaml", doc("P3", provides="[duty]", default="false",
                             body=DUTY.format(level="city", text="市級以上醫院證明")))
    return pdir


def test_default_variant_is_chosen(two_variants):
    p = policy.load("2026-09-01")
    assert p.get("duty.certificate_level") == "county"
    assert p.sources["duty"].id == "P2"


@pytest.mark.parametrize("variant", ["P3", {"duty": "P3"}])
def test_variant_swaps_the_document(two_variants, variant):
    p = policy.load("2026-09-01", variant=variant)
    assert p.get("duty.certificate_level") == "city"
    assert p.param("duty.certificate_level").text == "市級以上醫院證明"


def test_unknown_variant(two_variants):
    with pytest.raises(PolicyError, match="unknown policy variant"):
        policy.load("2026-09-01", variant="P9")
    with pytest.raises(PolicyError, match="does not provide"):
        policy.load("2026-09-01", variant={"duty": "T1"})


def test_two_defaults_for_one_namespace_need_a_choice(pdir):
    put(pdir, "p2.yaml", doc("P2", provides="[duty]", body=DUTY.format(level="county", text="縣級")))
    put(pdir, "p3.yaml", doc("P3", provides="[duty]", body=DUTY.format(level="city", text="市級")))
    with pytest.raises(PolicyError, match="choose one with variant="):
        policy.load("2026-09-01")
    assert policy.load("2026-09-01", variant="P3").get("duty.certificate_level") == "city"


# ------------------------------------------------------------------------------------------
# diff, references, interpretations, load_overrides
# ------------------------------------------------------------------------------------------
DIFF_COLUMNS = ["path", "description", "differences", "differences_zh", "value_a", "value_b", "document_a",
                "clause_a", "text_a", "interpretation_a", "document_b", "clause_b", "text_b", "interpretation_b"]


def test_diff_two_dates(pdir):
    put(pdir, "t1.yaml", doc())
    d = policy.diff(policy.load("2024-06-30"), policy.load("2024-07-01"))
    assert list(d.columns) == DIFF_COLUMNS
    assert d["path"].tolist() == ["quotas.senior_ratio"]  # the only parameter with a new version
    assert d["value_a"][0]["A"] == 0.65 and d["value_b"][0]["A"] == 0.70
    assert (d["differences"][0], d["differences_zh"][0]) == ("value", "取值")


def test_diff_marks_value_clause_wording_and_interpretation_differences(pdir):
    """Two versions of one template: each kind of difference is found alone and marked."""
    body = """\
        duty:
          same:
            description: Identical in both
            unit: weeks
            values: {{2020-01-01: 24}}
            reference: {{clause: "三.4", text: 懷孕24周}}
          value_only:
            description: Value differs
            unit: years
            values: {{2020-01-01: {years}}}
            reference: {{clause: "五.4", text: 取消資格}}
          clause_only:
            description: Clause differs
            unit: years
            values: {{2020-01-01: 1}}
            reference: {{clause: "{clause}", text: 一年}}
          wording_only:
            description: Wording differs
            unit: years
            values: {{2020-01-01: 1}}
            reference: {{clause: "三.3", text: {wording}}}
          borrowed:
            description: An interpretation in one version, the text itself in the other
            unit: points
            values: {{2020-01-01: 2}}
            reference: {{clause: "五.1", text: 加2分}}
            {interpretation}
        """
    reading = ("interpretation: true\n            alternative: none\n            reason: borrowed\n"
               "            reading_zh: 借用P3\n            alternative_zh: 不加分")
    put(pdir, "p2.yaml", doc("P2", provides="[duty]", body=body.format(
        years=3, clause="四.3", wording="3、一年或以上", interpretation=reading)))
    put(pdir, "p3.yaml", doc("P3", provides="[duty]", default="false", body=body.format(
        years=1, clause="五.1", wording="3.一年或以上", interpretation="")))
    d = policy.diff(policy.load("2026-09-01", variant="P2"), policy.load("2026-09-01", variant="P3")).set_index("path")
    assert d["differences"].to_dict() == {
        "duty.borrowed": "interpretation", "duty.clause_only": "clause", "duty.value_only": "value",
        "duty.wording_only": "wording"}
    assert d.loc["duty.borrowed", "differences_zh"] == "解读"
    assert d.loc["duty.borrowed", "interpretation_a"] == "解释：借用P3（备选：不加分）"
    assert d.loc["duty.borrowed", "interpretation_b"] == ""
    assert (d.loc["duty.wording_only", "text_a"], d.loc["duty.wording_only", "text_b"]) == ("3、一年或以上", "3.一年或以上")
    assert (d.loc["duty.clause_only", "clause_a"], d.loc["duty.clause_only", "clause_b"]) == ("四.3", "五.1")


def test_diff_marks_a_parameter_only_one_side_has(pdir):
    put(pdir, "t1.yaml", doc())
    a = policy.load("2026-09-01")
    put(pdir, "t1.yaml", doc().replace("    strict:\n", "    strict_renamed:\n"))
    b = policy.load("2026-09-01")
    d = policy.diff(a, b).set_index("path")
    assert d["differences"].to_dict() == {"quotas.strict": "only_a", "quotas.strict_renamed": "only_b"}
    assert d.loc["quotas.strict", "differences_zh"] == "仅见于前者"


def test_diff_two_variants(two_variants):
    d = policy.diff(policy.load("2026-09-01", variant="P2"), policy.load("2026-09-01", variant="P3"))
    row = d.set_index("path").loc["duty.certificate_level"]
    assert (row["value_a"], row["value_b"]) == ("county", "city")
    assert (row["text_a"], row["text_b"]) == ("縣級以上醫院證明", "市級以上醫院證明")


def test_diff_override_vs_baseline_and_prefix(base):
    new = base.override({"quotas.headcount": 11, "quotas.method": "largest_remainder"})
    assert policy.diff(base, new)["path"].tolist() == ["quotas.headcount", "quotas.method"]
    assert policy.diff(base, new, prefix="quotas.headcount")["path"].tolist() == ["quotas.headcount"]
    assert policy.diff(base, base).empty


def test_references_columns_and_content(base):
    refs = base.references("quotas.headcount")
    assert list(refs.columns) == ["path", "value", "unit", "description", "document", "clause", "text",
                                  "interpretation", "alternative", "reading_zh", "alternative_zh", "assumption",
                                  "effective", "overridden"]
    assert base.references("quotas.method").iloc[0][["reading_zh", "alternative_zh"]].tolist() == [
        "除最低一级外向下取整", "最大余数法"]
    row = refs.iloc[0]
    assert (row["path"], row["value"], row["clause"], row["text"]) == ("quotas.headcount", 10, "§20", "委員會由10人組成")
    assert row["document"] == "T1" and row["effective"] == dt.date(2020, 1, 1) and not row["overridden"]
    assert base.references("quotas.method").iloc[0]["document"] == "spec"  # reference.document wins


def test_references_prefix_matches_whole_segments(base):
    assert base.references("quotas.head").empty
    assert len(base.references("quotas")) == 6


def test_interpretations_list_interpretations_assumptions_and_overrides(base):
    assert base.interpretations()["path"].tolist() == ["quotas.hourly_rate", "quotas.method"]
    over = base.override({"quotas.senior_ratio.A": 0.6})
    assert over.interpretations()["path"].tolist() == ["quotas.hourly_rate", "quotas.method", "quotas.senior_ratio"]


def test_load_overrides_file(pdir, tmp_path):
    put(pdir, "t1.yaml", doc())
    f = tmp_path / "whatif.yaml"
    f.write_text("quotas.headcount: 12\nquotas.senior_ratio.A: 0.6\n", encoding="utf-8")
    changes = policy.load_overrides(f)
    assert changes == {"quotas.headcount": 12, "quotas.senior_ratio.A": 0.6}
    p = policy.load("2026-09-01", overrides=changes)
    assert (p.get("quotas.headcount"), p.get("quotas.senior_ratio.A")) == (12, 0.6)
    assert policy.load_overrides("") == {} and policy.load_overrides(None) == {}


def test_load_overrides_rejects_bad_files(tmp_path):
    f = tmp_path / "whatif.yaml"
    f.write_text("1: 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="dotted parameter paths"):
        policy.load_overrides(f)
    f.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="duplicate key"):
        policy.load_overrides(f)
    with pytest.raises(PolicyError, match="cannot read"):
        policy.load_overrides(tmp_path / "missing.yaml")


# ------------------------------------------------------------------------------------------
# Property: override then diff lists exactly the changed paths
# ------------------------------------------------------------------------------------------
N_PARAMS = 6


@pytest.fixture(scope="module")
def numbers_policy(tmp_path_factory):
    d = tmp_path_factory.mktemp("policies")
    params = {f"p{i}": {"description": f"parameter {i}", "unit": "points", "values": {"2020-01-01": 10 * i},
                        "reference": {"clause": f"§{i}", "text": f"第{i}條"}} for i in range(N_PARAMS)}
    params["table"] = {"description": "mapping", "unit": "points", "values": {"2020-01-01": {"x": 1, "y": 2}},
                       "reference": {"clause": "§9", "text": "第九條"}}
    (d / "n.yaml").write_text(yaml.safe_dump({
        "document": {"id": "N", "title": "数", "effective": "2020-01-01", "provides": ["n"]},
        "parameters": {"n": params}}, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(policy, "POLICY_DIR", d)
        return policy.load("2026-09-01")


@settings(max_examples=60, deadline=None)
@given(changes=st.dictionaries(
    st.sampled_from([f"n.p{i}" for i in range(N_PARAMS)] + ["n.table.x", "n.table.y"]),
    st.integers(0, 60), max_size=5))
def test_property_override_then_diff_lists_exactly_the_changed_paths(numbers_policy, changes):
    new = numbers_policy.override(changes)
    changed = {path.rsplit(".", 1)[0] if path.startswith("n.table") else path
               for path, value in changes.items() if numbers_policy.get(path) != value}
    assert set(policy.diff(numbers_policy, new)["path"]) == changed
    assert set(policy.diff(new, numbers_policy)["path"]) == changed


# ------------------------------------------------------------------------------------------
# The bundled documents
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_bundled_document_is_in_force_on_the_sample_date_with_chinese_text(path):
    d = policy.read_document(path)
    assert d.parameters, f"{path.name} defines no parameters"
    for name, param in d.parameters.items():
        assert param.value_on(SAMPLE_DATE) is not None, f"{name} has no value on {SAMPLE_DATE}"
        assert param.text.strip(), f"{name} has no Chinese reference text"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in param.text), f"{name}: reference text has no Chinese"
        assert param.clause.strip(), f"{name} has no clause"
        assert param.description.strip(), f"{name} has no description"


def test_all_bundled_documents_load_together_and_each_variant_loads():
    p = policy.load(SAMPLE_DATE)
    docs = policy.documents()
    assert set(p.sources) == {ns for d in docs.values() for ns in d.provides}  # every namespace chosen once
    for d in docs.values():
        if not d.default:
            alt = policy.load(SAMPLE_DATE, variant=d.id)
            assert all(alt.sources[ns].id == d.id for ns in d.provides)
    assert p.references()["text"].str.len().gt(0).all()


# --------------------------------------------------------------------------------------------
# load_scenario: what-if files with a variant (bundled P2/P3 documents)
# --------------------------------------------------------------------------------------------
def test_load_scenario_file_variant_and_overrides(tmp_path):
    f = tmp_path / "whatif.yaml"
    f.write_text("variant: P3\nduty.exemption.pregnancy_weeks: 20\n", encoding="utf-8")
    # the notebook's own choice is P2; the file's variant refines it to P3
    pol = policy.load_scenario("2026-09-01", f, variant={"duty": "P2"})
    assert pol.sources["duty"].id == "P3"
    assert pol.get("duty.exemption.pregnancy_weeks") == 20
    assert pol.get("duty.exemption.health_certificate.minimum") == "二级甲等"  # P3 三.2: 二甲以上
    assert pol.overrides == {"duty.exemption.pregnancy_weeks": 20}


def test_load_scenario_without_file_is_plain_load():
    pol = policy.load_scenario("2026-09-01", "", variant="P3")
    assert pol.sources["duty"].id == "P3" and not pol.overrides
    assert policy.load_scenario("2026-09-01").sources["duty"].id == "P2"  # P2 is the default version


def test_load_scenario_unknown_variant_in_file(tmp_path):
    f = tmp_path / "whatif.yaml"
    f.write_text("variant: P9\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="unknown policy variant 'P9'"):
        policy.load_scenario("2026-09-01", f)


def test_bundled_p2_p3_diff_shows_wording_and_borrowed_interpretations():
    d = policy.diff(policy.load(SAMPLE_DATE, variant="P2"), policy.load(SAMPLE_DATE, variant="P3"), "duty")
    d = d.set_index("path")
    # same rule, same value, the two schools' wording differs (三.3: "3、" vs "3.")
    assert d.loc["duty.appointment.idle_years_expected", "differences"] == "wording"
    # P2 defers to the school's scheme: its points are P3's numbers borrowed as an interpretation
    points = d.loc["duty.performance_points"]
    assert points["differences"] == "wording; interpretation"
    assert points["interpretation_a"].startswith("解释：P2 规定“按学校现有办法实施”") and points["interpretation_b"] == ""
    assert "具體按學校現有辦法實施" in points["text_a"] and "班主任首屆任職加2分/年" in points["text_b"]
    assert d.loc["duty.exemption.health_certificate", "differences"] == "value; wording"
    assert "duty.exemption.pregnancy_weeks" not in d.index  # same value, clause, wording and reading
