"""A discipline's category from its degree programmes (P6 §9; spec §2.1), and what the caps use.

P6 §9: A類為一級學科博士學位授權點(單位),二級學科博士學位授權點(學科);B類為二級學科碩士學位授權點(學科);
C類為一般學科。各學科可選擇最高類別核崗,不得重復計算。  Caps (establishment 20): A 0.65 → 13,
B 0.50 → 10, C 0.45 → 9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffcalc import category, io, quotas
from staffcalc import policy as policy_mod
from staffcalc.quotas import QuotaError

POL = policy_mod.load("2026-09-01")
Y, N, E = True, False, None  # yes, no, empty cell


def disciplines(rows):
    """rows: (id, given category or None, first-level doctoral, second-level doctoral, second-level master's)."""
    return pd.DataFrame({
        "discipline_id": [r[0] for r in rows], "discipline_name": [f"学科{r[0]}" for r in rows],
        "unit_id": "U1", "unit_name": "一院", "category": [r[1] for r in rows], "establishment": 20,
        "doctoral_first_level": pd.array([r[2] for r in rows], dtype="boolean"),
        "doctoral_second_level": pd.array([r[3] for r in rows], dtype="boolean"),
        "master_second_level": pd.array([r[4] for r in rows], dtype="boolean"),
    })


ROSTER = pd.DataFrame({"discipline_id": ["D1"], "post_level": [12], "on_establishment": [True]})


@pytest.mark.parametrize("programmes, expected", [
    ((Y, N, N), "A"),   # 一级学科博士学位授权点 → A
    ((N, Y, N), "A"),   # 二级学科博士学位授权点 → A
    ((N, N, Y), "B"),   # 二级学科硕士学位授权点 → B
    ((N, N, N), "C"),   # 一般学科 → C
    ((Y, Y, Y), "A"),   # highest once: doctoral and master's → A only (不得重复计算)
    ((N, Y, Y), "A"),
    ((E, E, Y), "B"),   # empty cells beside a filled one read as "no such programme"
    ((E, N, E), "C"),
])
def test_p6_s9_category_derived_from_programmes_highest_once(programmes, expected):
    out = category.discipline_category(disciplines([("D1", None, *programmes)]), POL)
    assert out.loc[0, "category_derived"] == expected and out.loc[0, "category"] == expected
    assert out.loc[0, "category_source"] == "derived" and out.loc[0, "category_warning"] == ""


def test_p6_s9_no_programme_cells_keeps_the_given_category():
    out = category.discipline_category(disciplines([("D1", "B", E, E, E)]), POL)
    assert out.loc[0, "category"] == "B" and out.loc[0, "category_source"] == "given"
    assert out.loc[0, "category_derived"] is None and out.loc[0, "category_warning"] == ""
    # without any programme column at all, the same (today's input)
    plain = disciplines([("D1", "B", E, E, E)]).drop(columns=category.programme_columns(POL))
    assert category.discipline_category(plain, POL).loc[0, "category"] == "B"


def test_p6_s9_agreeing_category_gives_no_warning():
    out = category.discipline_category(disciplines([("D1", "A", Y, N, Y)]), POL)
    assert (out.loc[0, "category"], out.loc[0, "category_warning"]) == ("A", "")


def test_p6_s9_disagreeing_category_is_a_warning_and_the_caps_use_the_derived_one():
    # D1 entered as A but holds only a second-level master's programme → B: cap 20 × 0.50 = 10, not 13.
    # D2 entered as C but holds a first-level doctoral programme → A: cap 13, not 9.
    disc = disciplines([("D1", "A", N, N, Y), ("D2", "C", Y, N, N), ("D3", "B", N, N, Y)])
    t = quotas.quota_table(disc, ROSTER, POL).set_index("discipline_id")
    assert t["category"].tolist() == ["B", "A", "B"]
    assert t["senior_cap"].tolist() == [10, 13, 10]
    assert t["category_given"].tolist() == ["A", "C", "B"] and t["category_derived"].tolist() == ["B", "A", "B"]
    w = t.loc["D1", "category_warning"]
    assert "学科类别填为A类，按学位授权点应为B类（P6 §9），核岗按B类" in w
    assert w == "学科类别填为A类，按学位授权点应为B类（P6 §9），核岗按B类"   # Chinese: it is shown in the report
    assert t.loc["D3", "category_warning"] == ""
    listed = category.category_warnings(t.reset_index())
    assert listed["discipline_id"].tolist() == ["D1", "D2"]
    assert list(listed.columns) == ["discipline_id", "discipline_name", "category_given", "category_derived",
                                    "category", "category_warning"]


def test_p6_s9_conflict_interpretation_given_keeps_the_register():
    prm = POL.param(category.CONFLICT_PATH)
    assert prm.interpretation and prm.clause == "§9"
    keep = POL.override({category.CONFLICT_PATH: "given"})
    t = quotas.quota_table(disciplines([("D1", "A", N, N, Y)]), ROSTER, keep).set_index("discipline_id")
    assert (t.loc["D1", "category"], t.loc["D1", "senior_cap"]) == ("A", 13)
    assert "核岗按A类" in t.loc["D1", "category_warning"]  # still reported


def test_p6_s9_programme_rule_is_policy_data():
    # What-if: a second-level master's programme counts as A → D1 derives A, cap 13
    wide = POL.override({category.PROGRAMMES_PATH: {
        "A": ["doctoral_first_level", "doctoral_second_level", "master_second_level"], "B": [], "C": []}})
    with pytest.raises(policy_mod.PolicyError, match="exactly one category"):
        category.discipline_category(disciplines([("D1", None, N, N, Y)]), wide)
    wide = POL.override({category.PROGRAMMES_PATH: {
        "A": ["doctoral_first_level", "doctoral_second_level", "master_second_level"], "B": ["none_such"], "C": []}})
    assert category.discipline_category(disciplines([("D1", None, N, N, Y)]), wide).loc[0, "category"] == "A"


def test_p6_s9_neither_category_nor_programmes_is_an_error_naming_the_discipline():
    disc = disciplines([("D1", "A", E, E, E), ("D2", None, E, E, E)])
    with pytest.raises(QuotaError) as exc:
        quotas.quota_table(disc, ROSTER, POL)
    msg = str(exc.value)
    assert "table disciplines, row D2, column category" in msg and "[rule category_unknown]" in msg
    assert "无法确定学科类别" in msg and "D1" not in msg


def test_p6_s9_bad_programme_value_is_an_error():
    disc = disciplines([("D1", None, E, E, E)])
    disc["master_second_level"] = pd.Series(["maybe"], dtype=object)
    with pytest.raises(QuotaError, match="master_second_level.*not_bool"):
        quotas.quota_table(disc, ROSTER, POL)


def test_p6_s9_programme_columns_read_from_a_file_with_chinese_headers(tmp_path):
    path = tmp_path / "disciplines.csv"
    path.write_text(
        "学科代码,学科名称,单位代码,单位名称,学科类别,教师编制数,一级学科博士学位授权点,二级学科博士学位授权点,二级学科硕士学位授权点\n"
        "D1,数学,U1,理学院,,20,否,否,是\n"
        "D2,历史,U1,理学院,C,20,,,\n", encoding="utf-8")
    disc = io.read_table(path, "disciplines")
    t = quotas.quota_table(disc, ROSTER, POL).set_index("discipline_id")
    assert t["category"].tolist() == ["B", "C"] and t["senior_cap"].tolist() == [10, 9]
    path.write_text(path.read_text(encoding="utf-8") + "D3,化学,U1,理学院,,20,,,\n", encoding="utf-8")
    with pytest.raises(io.InputError) as exc:
        io.read_table(path, "disciplines")
    p = exc.value.problems
    assert p["rule"].tolist() == ["category_or_programmes"] and p["row"].tolist() == [4]


def test_p6_s9_vectorised_over_many_disciplines():
    rng = np.random.default_rng(3)
    n = 5000
    flags = rng.integers(0, 2, size=(n, 3)).astype(bool)
    disc = pd.DataFrame({"discipline_id": [f"D{i}" for i in range(n)], "category": None,
                         "doctoral_first_level": flags[:, 0], "doctoral_second_level": flags[:, 1],
                         "master_second_level": flags[:, 2]})
    out = category.discipline_category(disc, POL)
    expected = np.where(flags[:, 0] | flags[:, 1], "A", np.where(flags[:, 2], "B", "C"))
    assert (out["category"].to_numpy(dtype=str) == expected).all()
