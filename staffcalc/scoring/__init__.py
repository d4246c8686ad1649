"""Class-teacher scoring: appraisal (P5), recruitment (P4) and duty rules (P2/P3); spec §5–§7.

Public names (spec §9): :func:`grade`, :func:`composite`, :func:`appraisal_scores`,
:func:`event_points`, :func:`recruitment_scores`, :func:`performance_points`; each takes an
optional ``policy=`` (default: the policy in force today).  Further helpers live in the
submodules :mod:`.appraisal`, :mod:`.recruitment`, :mod:`.duty` and :mod:`.timeline` (the monthly
appraisal calendar and late-material deductions) and are re-exported here.
"""

from ._common import ScoringInputError
from .appraisal import (
    allowance_totals,
    appraisal_scores,
    catalogue,
    composite,
    direct_grade_conditions,
    event_impact,
    event_points,
    grade,
    grade_bands,
    monthly_allowance,
    monthly_appraisal,
    removal_status,
    section_scores,
    sections,
    semester_grades,
    semester_of_period,
)
from .duty import (
    appointment_readiness,
    barred,
    certificate_rank,
    counted_terms,
    duty_points,
    exemptions,
    performance_points,
    sanctions,
    sanctions_by_variant,
)
from .recruitment import age_in_years, appoint, recruitment_eligibility, recruitment_scores
from .timeline import late_submission_events, late_submissions, monthly_timeline, with_late_material_events

__all__ = [
    "ScoringInputError",
    # spec §9
    "grade", "composite", "appraisal_scores", "event_points", "recruitment_scores", "performance_points",
    # appraisal (P5)
    "sections", "catalogue", "direct_grade_conditions", "grade_bands", "section_scores", "event_impact",
    "monthly_allowance", "monthly_appraisal", "semester_grades", "semester_of_period", "removal_status",
    "allowance_totals",
    # recruitment (P4)
    "age_in_years", "recruitment_eligibility", "appoint",
    # duty (P2/P3)
    "exemptions", "certificate_rank", "counted_terms", "duty_points", "sanctions", "barred",
    "sanctions_by_variant", "appointment_readiness",
    # appraisal calendar and late materials (P5 §4(五)11, §5)
    "monthly_timeline", "late_submissions", "late_submission_events", "with_late_material_events",
]
