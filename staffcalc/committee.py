"""What the appointment committee (岗位聘任委员会) reads per discipline: open senior posts against eligible applicants.

:func:`vacancies_and_applicants` joins ``quotas.quota_table`` with ``eligibility.eligibility`` results:
open 正高/副高 posts (vacancies, never below 0), applications and eligible applicants per target post,
the shortlist limit of the professors' meeting (P6 §25(三): no more than ``review.shortlist_max_multiple``
× posts, :func:`staffcalc.review.shortlist_max`), and two mismatch flags: eligible applicants but no
open post, open posts but nobody eligible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import review
from .policy import Policy

LEVELS = {"full": "vacancy_full", "associate": "vacancy_associate"}


def vacancies_and_applicants(table: pd.DataFrame, applications: pd.DataFrame, staff: pd.DataFrame,
                             policy: Policy | None = None) -> pd.DataFrame:
    """One row per discipline and senior post (正高, 副高), attention first.

    ``applications``: eligibility results (``staff_id``, ``target_post``, ``eligible``); an applicant
    counts in the discipline of the staff roster.  Columns: unit_id, unit_name, discipline_id,
    discipline_name, target_post, open_posts, applications, eligible_applicants, shortlist_max,
    applicants_no_post, posts_no_applicant, over_shortlist (eligible > shortlist limit).
    """
    discipline_of = staff.set_index("staff_id")["discipline_id"]
    apps = applications.assign(discipline_id=applications["staff_id"].map(discipline_of))
    apps = apps[apps["target_post"].isin(list(LEVELS))]
    counts = apps.groupby(["discipline_id", "target_post"])["eligible"].agg(applications="size", eligible_applicants="sum")
    rows = []
    for post, vacancy in LEVELS.items():
        part = table[["unit_id", "unit_name", "discipline_id", "discipline_name"]].copy()
        part["target_post"] = post
        part["open_posts"] = np.maximum(table[vacancy].to_numpy(), 0)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out = out.join(counts, on=["discipline_id", "target_post"])
    out[["applications", "eligible_applicants"]] = out[["applications", "eligible_applicants"]].fillna(0).astype(np.int64)
    out["shortlist_max"] = review.shortlist_max(out["open_posts"].to_numpy(), policy)
    out["applicants_no_post"] = (out["eligible_applicants"] > 0) & (out["open_posts"] == 0)
    out["posts_no_applicant"] = (out["open_posts"] > 0) & (out["eligible_applicants"] == 0)
    out["over_shortlist"] = out["eligible_applicants"] > out["shortlist_max"]
    attention = out["applicants_no_post"] | out["posts_no_applicant"] | out["over_shortlist"]
    out = out.assign(_a=~attention, _p=out["target_post"].map({p: i for i, p in enumerate(LEVELS)}))
    out = out.sort_values(["_a", "unit_id", "discipline_id", "_p"], kind="stable").drop(columns=["_a", "_p"])
    return out.reset_index(drop=True)
