"""Which calculation reads which policy parameter: every public calculation run once on the sample data.

:func:`run_calculations` calls every public calculation of the package (quotas, eligibility,
review, retirement, outlook, scoring, pay, study eligibility, leave cost) on the sample institution's tables with one
policy; :func:`parameter_readers` does so for every policy variant (P2 and P3 provide the same
``duty`` paths) while :func:`staffcalc.policy.record_reads` records each :meth:`Policy.get`, and
returns ``{document id: {parameter path: (reader, …)}}``.

Two things use it: the liveness test (every bundled parameter is read by a calculation, or marked
``documentation:`` with the reason nobody reads it) and the generated rules reference in
``docs/`` (the "used by" column).  A new public calculation that reads a parameter nothing else
reads must be called here too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from . import (
    eligibility,
    leave_cost,
    outlook,
    pay,
    quotas,
    retirement,
    review,
    scoring,
    study_eligibility,
    whatif_affected,
)
from . import policy as _policy
from .io import read_tables

__all__ = ["SAMPLE_DATE", "DEFAULT_DATA", "run_calculations", "parameter_readers"]

SAMPLE_DATE = dt.date(2026, 9, 1)  # the sample institution's reference date
DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"  # the committed sample (repository checkout)


def run_calculations(tables: Mapping[str, pd.DataFrame], pol: _policy.Policy) -> dict[str, object]:
    """Every public calculation once, on the sample ``tables`` (as :func:`staffcalc.io.read_tables`
    gives); returns each result by name, so that two policies' results can be compared."""
    staff, disciplines = tables["staff"], tables["disciplines"]
    day = pol.as_of
    out: dict[str, object] = {}
    # P6: quotas, eligibility, review
    out["senior_cap"] = quotas.senior_cap(disciplines["establishment"], disciplines["category"], 0.05, policy=pol)
    out["quota_table"] = table = quotas.quota_table(disciplines, staff, pol, adjustment={"A": 0.05})
    first = disciplines["discipline_id"].iloc[0]
    out["quota_table_president"] = quotas.quota_table(disciplines, staff, pol, president_override={first: 10})
    out["level_summary"] = quotas.level_summary(table, pol)
    out["senior_post_cost"] = whatif_affected.senior_post_cost(int(table["senior_cap"].sum()), pol)  # what-if page
    out["eligibility"] = result = eligibility.eligibility(
        tables["applicants"], staff, pol, as_of=day, recommendations=tables["recommendations"],
        committee_members=tables["committee_members"], relatives=tables["relatives"])
    out["eligibility_summary"] = eligibility.summary(result, pol)
    out["committees"] = review.committee_composition(tables["committee_members"], pol)
    out["quorum"] = review.quorum_met(11, 8, pol)
    for body in ("unit", "school"):
        out[f"vote_{body}"] = review.vote_passes(body, np.array([6, 7]), 11, 9, exceptional=np.array([False, True]),
                                                 policy=pol)
    for target in ("full", "associate"):
        out[f"peer_{target}"] = review.peer_review_passes(5, 1, 3, target, exceptional=False, policy=pol)
        out[f"peer_{target}_exceptional"] = review.peer_review_passes(5, 0, 3, target, exceptional=True, policy=pol)
    out["peer_exempt"] = review.peer_review_exempt(pd.Series(["985_full_senior", None]), policy=pol)
    out["shortlist"] = review.shortlist_ok(4, 2, policy=pol)
    out["subcommittee"] = review.unit_subcommittee_ok(10, 4, policy=pol)
    out["panel"] = review.discipline_panel_ok(12, 12, policy=pol)
    out["professors_meeting"] = review.professors_meeting_needs_joint(5, policy=pol)
    for deadline in (review.appeal_deadline, review.answer_deadline, review.second_appeal_deadline,
                     review.publicity_end, review.term_end):
        out[deadline.__name__] = deadline(day, policy=pol)
    # N1 and P6: retirement months and the post outlook
    out["retirement_month"] = retirement.retirement_month(staff["birth_date"], staff["sex"], staff["post_level"],
                                                          policy=pol)
    post_outlook = outlook.outlook(disciplines, staff, pol, years=3)
    out.update({f"outlook_{k}": v for k, v in vars(post_outlook).items() if isinstance(v, pd.DataFrame)})
    # P5: class-teacher appraisal
    out["monthly"] = monthly = scoring.monthly_appraisal(tables["appraisal_items"], tables["appraisal_events"], pol)
    out["allowance_totals"] = scoring.allowance_totals(monthly)
    out["event_impact"] = scoring.event_impact(tables["appraisal_events"], pol)
    out["direct_grade_conditions"] = scoring.direct_grade_conditions(pol)
    out["semesters"] = semesters = scoring.semester_grades(tables["semester_ratings"], pol)
    out["removal"] = scoring.removal_status(semesters[["staff_id", "semester", "grade"]], pol)
    out["timeline"] = scoring.monthly_timeline(tables["appraisal_items"]["period"].drop_duplicates(), pol)
    out["late_events"] = scoring.late_submission_events(pd.DataFrame({
        "staff_id": ["T1", "T1"], "period": ["2026-03", "2026-03"], "kind": ["monthly", "material"],
        "submitted": pd.to_datetime(["2026-04-05", "2026-03-21"]), "due_date": pd.to_datetime([None, "2026-03-20"])}),
        pol)
    # P4: recruitment
    candidates = scoring.recruitment_eligibility(tables["recruitment_candidates"], policy=pol)
    out["recruitment_eligibility"] = candidates
    out["appointed"] = scoring.appoint(scoring.recruitment_scores(candidates, pol), 3, pol)
    # P2/P3: class-teacher duty
    history = tables["duty_history"]
    out["sanctions"] = scoring.sanctions(history, pol)
    out["barred"] = scoring.barred(history, day.year, pol)
    out["exemptions"] = scoring.exemptions(tables["duty_exemptions"], pol)
    out["duty_points"] = scoring.duty_points(history[history["duty_event"] == "served"].reset_index(drop=True), pol)
    out["counted_terms"] = scoring.counted_terms(np.array([1, 2]), np.array([2, 3]), policy=pol)
    out["readiness"] = scoring.appointment_readiness(pd.DataFrame(
        {"trained": [True], "assistant_years": [1], "assistant_passed": [True], "years_without_duty": [1]}), pol)
    # P1: study leave
    applications = tables["study_applications"].merge(staff, on="staff_id", how="left", suffixes=("", "_staff"))
    out["study_eligibility"] = study_eligibility.application_eligibility(applications, pol)
    records = tables["study_leave"].merge(staff[["staff_id", "unit_id"]], on="staff_id", how="left")
    horizon = (f"{day.year}-{day.month:02d}", f"{day.year + 2}-{day.month:02d}")
    projection = leave_cost.project(records, *horizon, policy=pol, as_of=day)
    out.update({f"leave_cost_{k}": v for k, v in vars(projection).items() if isinstance(v, pd.DataFrame)})
    out["refund_due"] = pay.refund_due(7000.0, 10, "host_rules", policy=pol)
    out["breach_liability"] = pay.breach_liability(100000.0, 24, policy=pol)
    return out


def parameter_readers(data_dir: str | Path = DEFAULT_DATA, as_of: dt.date = SAMPLE_DATE,
                      extra_files=()) -> dict[str, dict[str, tuple[str, ...]]]:
    """``{document id: {parameter path: readers}}`` for every bundled document (and ``extra_files``).

    Runs :func:`run_calculations` once per document that is not the default for its namespaces
    (``variant=`` that document) and once for the defaults; a reader is ``module.function`` of
    the public calculation that read the parameter.  Paths no calculation reads map to ``()``.
    """
    tables = read_tables(data_dir)
    docs = _policy.documents(extra_files)
    variants: list = [None, *[d.id for d in docs.values() if not d.default]]
    out: dict[str, dict[str, tuple[str, ...]]] = {d: {p: () for p in doc.parameters} for d, doc in docs.items()}
    for variant in variants:
        pol = _policy.load(as_of, variant=variant, extra_files=extra_files)
        with _policy.record_reads() as reads:
            run_calculations(tables, pol)
        for path, readers in reads.items():
            doc_id = pol.sources[path.split(".")[0]].id
            named = tuple(sorted({*out[doc_id].get(path, ()), *(r for r in readers if r)}))
            out[doc_id][path] = named
    return out
