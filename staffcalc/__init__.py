"""staffcalc: exact, tested staff-planning calculations driven by policy parameter files.

Modules (each cites the clauses it encodes; the domain spec is shared/spec/policy-rules.md):
    policy      parameters in force on a date, what-if overrides, diff
    schemas     the data dictionary; io reads and validates input tables
    quotas      senior-post caps, level splits, quota table (P6 §8–§11)
    eligibility who may apply for a post (P6 §12–§17)
    review      quorum, votes, peer review, committees, appeals (P6 §19–§31)
    scoring     class-teacher appraisal, recruitment, duty rules (P2–P5)
    pay         study-leave pay, cost and service obligations (P1)
    plots       CJK fonts and chart helpers
    report      papermill report runs;  cli  the ``staffcalc`` command
"""

__version__ = "0.1.0"
