"""Two P1 readings the leave-cost report lists (issue 15), each switched to its alternative, worked out by hand.

* ``study_leave.pay.no_agreement_retained_to_fund`` (§7.2, §10.5): where the pay retained from a
  full-release student without an agreement goes — into the external-teacher fund (default) or not;
* ``study_leave.service.interrupted_owes_service`` (§10.8, §11): an interrupted study carries no
  service period (default) or does.

Pay of the fixture record (tests/test_leave_cost.py): basic 5000 + allowances 2000 a month, the §7.2
components 1500 + 1000 + 800 + 200 = 3500 a month; 320 prescribed hours × 120 yuan = 38,400 cover a year.
"""

from __future__ import annotations

import pytest
from test_leave_cost import P1, run

FUND = "study_leave.pay.no_agreement_retained_to_fund"
INTERRUPTED = "study_leave.service.interrupted_owes_service"


def test_retained_pay_without_agreement_feeds_the_cover_fund_by_default():
    p = run([{"agreement_signed": False}, {}])
    no_agreement, with_agreement = p.people.iloc[0], p.people.iloc[1]
    assert no_agreement["paid"] == 0.0 and no_agreement["withheld"] == pytest.approx(126000.0)  # 12 × 10,500
    assert no_agreement["gap"] == pytest.approx(38400.0 - 126000.0)                             # all of it pays cover
    assert with_agreement["gap"] == pytest.approx(38400.0 - 42000.0)


def test_alternative_only_the_s7_components_feed_the_fund():
    alt = P1.override({FUND: P1.param(FUND).alternative_value})
    p = run([{"agreement_signed": False}, {}], policy=alt)
    no_agreement, with_agreement = p.people.iloc[0], p.people.iloc[1]
    assert no_agreement["withheld"] == pytest.approx(126000.0)          # still not paid to the student
    assert no_agreement["gap"] == pytest.approx(38400.0 - 42000.0)      # but only 12 × 3,500 pays cover
    assert with_agreement["gap"] == pytest.approx(38400.0 - 42000.0)    # an agreement: nothing changes
    assert p.totals.iloc[0]["gap"] == pytest.approx(2 * (38400.0 - 42000.0))


def test_interrupted_study_owes_no_service_by_default_and_does_under_the_alternative():
    spec = {"return_date": "2027-03-01", "interruption_cause": "host_rules"}
    r = run([spec], as_of="2027-06-01").people.iloc[0]
    assert r["study_status"] == "interrupted" and not r["service_applies"] and r["outstanding_years"] == 0.0
    alt = P1.override({INTERRUPTED: P1.param(INTERRUPTED).alternative_value})
    q = run([spec], as_of="2027-06-01", policy=alt).people.iloc[0]
    # 8 years from 2027-03-01; 3 full months served by 2027-06-01 → (96 − 3) / 12 years outstanding
    assert q["service_applies"] and str(q["service_end"].date()) == "2035-03-01"
    assert q["study_status"] == "serving" and q["served_months"] == 3
    assert q["outstanding_years"] == pytest.approx(93 / 12)


def test_both_readings_are_listed_in_chinese_for_the_leave_report():
    listed = P1.interpretations("study_leave").set_index("path")
    for path in (FUND, INTERRUPTED):
        assert listed.loc[path, "interpretation"] and listed.loc[path, "reading_zh"] and listed.loc[path, "alternative_zh"]
