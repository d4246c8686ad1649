"""Messages and rule texts take their numbers from the policy (issue 11): override the number, the text follows."""

from __future__ import annotations

import pandas as pd
from test_eligibility import POL, run

from staffcalc import eligibility, review


def test_eligibility_rule_texts_name_the_policy_numbers():
    texts = eligibility.rules(POL).set_index("rule_id")
    assert texts.loc["3.6-teaching", "description_zh"] == "近三年学生评教排名位于前60%"
    assert texts.loc["3.11-recusals", "description"] == "at most 3 peer experts asked to recuse"
    changed = POL.override({"eligibility.teaching.max_percentile": 50, "eligibility.conflicts.max_recusals": 2,
                            "eligibility.recommendation.per_expert_per_year": 2})
    texts = eligibility.rules(changed).set_index("rule_id")
    assert texts.loc["3.6-teaching", "description_zh"] == "近三年学生评教排名位于前50%"
    assert texts.loc["3.11-recusals", "description_zh"] == "请求回避的专家不超过2名"
    assert texts.loc["3.8-expert-multiple", "description_zh"] == "同一举荐专家每年只能举荐2人，超出者不计"
    assert not texts["description"].str.contains("{", regex=False).any()
    # the summary of a run shows the same texts
    summary = eligibility.summary(run(("associate", {}, {"teaching_percentile": 55.0}), policy=changed), changed)
    assert "近三年学生评教排名位于前50%" in set(summary["description_zh"])


def test_committee_admin_share_message_names_the_policy_share():
    rows = [("C1", "unit_subcommittee", "dean", True, True), ("C1", "unit_subcommittee", "party_secretary", True, True)]
    rows += [("C1", "unit_subcommittee", "professor", i < 4, True) for i in range(9)]  # 6 of 11 hold a post
    df = pd.DataFrame(rows, columns=["committee_id", "body", "role", "holds_admin_post", "full_senior"])
    df["member_id"] = [f"M{i}" for i in range(len(df))]
    out = review.committee_composition(df, policy=POL)
    assert "兼任行政职务者超过40%" in out["composition_problems"].iloc[0]
    looser = POL.override({"review.unit_subcommittee.admin_share_max": {"numerator": 3, "denominator": 5}})
    assert "兼任行政职务者超过" not in review.committee_composition(df, policy=looser)["composition_problems"].iloc[0]
    tighter = POL.override({"review.unit_subcommittee.admin_share_max": {"numerator": 1, "denominator": 4}})
    assert "兼任行政职务者超过25%" in review.committee_composition(df, policy=tighter)["composition_problems"].iloc[0]
