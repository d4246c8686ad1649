"""staffcalc: exact, tested staff-planning calculations driven by policy parameter files.

Modules (each cites the clauses it encodes; the domain spec is shared/spec/policy-rules.md):
    policy             parameters in force on a date, what-if overrides, diff
    schemas, io        the data dictionary; reading and validating input tables
    quotas             senior-post caps, level splits, quota table (P6 §8–§11)
    category           a discipline's category from its degree programmes (P6 §9)
    eligibility        who may apply for a post (P6 §12–§17, §38–§39)
    retirement         statutory retirement month from birth month and sex (N1, 2024 decision)
    outlook            retirements, posts released and projected senior vacancies by year
    review             quorum, votes, peer review, committees, appeals (P6 §19–§31)
    scoring            class-teacher appraisal, recruitment, duty rules (P2–P5)
    pay                study-leave pay, refunds, further-study costs, breach liability (P1 §7–§16)
    study_appraisal    the annual appraisal while studying (P1 §9, §15.1)
    study_eligibility  who may apply to study (P1 §3)
    leave_cost         month-by-month cost of study leave, service obligations (P1)
    dates, checks      calendar arithmetic (Civil Code), shared input checks
    scenario, whatif   the what-if model and its widget page
    whatif_server      ``staffcalc whatif``: Voila with preheated kernels, released on page close, offline
    partitioned        the same calculations over Parquet partitions with Dask
    plots, export      CJK fonts for charts; Excel with Chinese headers
    explain            one person's figures step by step, for review and appeal (复核/申诉)
    report, cli        report runs on a pool of warm papermill workers; the ``staffcalc`` command
    sample             the synthetic institution; sample.boundary the eligibility boundary fixtures
"""

__version__ = "0.1.0"
