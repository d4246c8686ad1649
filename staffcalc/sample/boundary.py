"""The boundary fixture set of the post-eligibility rules (P6 §12–§17, §23, §38–§39; spec §3).

About sixty applications, each sitting exactly on one side of one rule's boundary: born 1957-01-01
vs 1956-12-31 (doctorate required for full-senior), 满5年 on the application date vs one day
short, TOEFL 85 vs 84, percentile 60 vs 60.1, an extra post at 35 vs 36, three vs four recusal
requests, a near relative on this year's committee, …  :func:`cases` lists them with the expected
outcome in words (``… → pass``, ``… → fail``, ``… → warning``); ``applicants.sample_case`` carries
that text, so a test or a "rule checks" demonstration can compare the computed result with it.

They are kept apart from the sample institution (:mod:`staffcalc.sample.institution`), whose
statistics the reports show: ``python -m staffcalc.sample`` writes them to ``<out>/boundary/``
(``data/boundary/`` for the committed sample) with a ``README.md`` listing every case.  The set
is fixed — no random draws — and depends only on the as-of date (the application date); it holds
the six institution tables (disciplines, staff, applicants, recommendations, committee_members,
relatives), which ``staffcalc.io.read_tables`` validates and the eligibility functions read like any
institution's (the class-teacher and study-leave tables are not part of it).  Names are placeholders (边界01 …), ID numbers are left empty.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import write_text
from .institution import _fix_types, _shift_years


# --------------------------------------------------------------------------------------------
# (case, target post, staff overrides, applicant overrides); keys starting with _ are instructions
# --------------------------------------------------------------------------------------------
def cases(as_of: dt.date) -> list[tuple[str, str, dict, dict]]:
    """The boundary cases for an as-of date (application date = as_of)."""
    y = lambda k, d=0: _shift_years(as_of, k, d)  # noqa: E731  k years before as_of, then d days later
    lang = {"national_language_test_passed": False}  # language cases rely on one exemption alone
    return [
        ("3.2 full-senior, born 1957-01-01, master → doctorate required (fail)", "full",
         {"birth_date": "1957-01-01", "degree": "master", "rank_since": y(9)}, {}),
        ("3.2 full-senior, born 1956-12-31, master → 一般应 warning only", "full",
         {"birth_date": "1956-12-31", "degree": "master", "rank_since": y(9)}, {}),
        ("3.2 associate, born 1965-01-01, master → doctorate required (fail)", "associate",
         {"birth_date": "1965-01-01", "degree": "master", "rank_since": y(6)}, {}),
        ("3.2 associate, born 1964-12-31, master → 一般应 warning only", "associate",
         {"birth_date": "1964-12-31", "degree": "master", "rank_since": y(6)}, {}),
        ("3.2 PE associate with a master's (relaxed group) → pass", "associate",
         {"birth_date": "1986-04-02", "degree": "master", "subject_group": "pe", "rank_since": y(6)}, {}),
        ("3.2 art full-senior, born 1980-01-01, master → doctorate required (fail)", "full",
         {"birth_date": "1980-01-01", "degree": "master", "subject_group": "art", "rank_since": y(9)}, {}),
        ("3.2 art full-senior, born 1979-12-31, master → warning only", "full",
         {"birth_date": "1979-12-31", "degree": "master", "subject_group": "art", "rank_since": y(9)}, {}),
        ("3.2 intermediate with a bachelor's → master required (fail)", "intermediate",
         {"degree": "bachelor", "birth_date": "1990-05-05"}, {}),
        ("3.3 full-senior doctorate, 满5年 as associate exactly on the application date → pass", "full",
         {"rank_since": y(5)}, {}),
        ("3.3 full-senior doctorate, one day short of 5 years → fail", "full",
         {"rank_since": y(5, 1)}, {}),
        ("3.3 full-senior master, 满8年 → pass", "full",
         {"degree": "master", "birth_date": "1955-06-01", "rank_since": y(8)}, {}),
        ("3.3 associate doctorate, 满2年 → pass", "associate", {"rank_since": y(2)}, {}),
        ("3.3 associate doctorate, one day short of 2 years → fail", "associate", {"rank_since": y(2, 1)}, {}),
        ("3.3 intermediate master, 满3年 as junior → pass", "intermediate",
         {"degree": "master", "rank_since": y(3)}, {}),
        ("3.3 intermediate master, one day short of 3 years → fail", "intermediate",
         {"degree": "master", "rank_since": y(3, 1)}, {}),
        ("3.3 intermediate doctorate, probation not passed → fail", "intermediate",
         {"degree": "doctorate", "post_level": 13, "rank_since": y(0, -120)}, {"probation_passed": False}),
        ("3.3 full-senior applicant still at intermediate level → fail", "full", {"post_level": 9}, {}),
        ("3.4 TOEFL 85 → exempt (pass)", "associate", {}, {**lang, "toefl": 85.0, "school_language_exam_passed": False}),
        ("3.4 TOEFL 84 → not exempt (fail)", "associate", {}, {**lang, "toefl": 84.0, "school_language_exam_passed": False}),
        ("3.4 GRE 1800 of 2400 → exempt", "associate", {}, {**lang, "gre": 1800.0, "gre_scale": 2400}),
        ("3.4 GRE 1790 of 2400 → fail", "associate", {}, {**lang, "gre": 1790.0, "gre_scale": 2400}),
        ("3.4 GRE 1200 of 1600 → exempt", "associate", {}, {**lang, "gre": 1200.0, "gre_scale": 1600}),
        ("3.4 IELTS 6.5 → exempt", "associate", {}, {**lang, "ielts": 6.5}),
        ("3.4 IELTS 6.0 → fail", "associate", {}, {**lang, "ielts": 6.0}),
        ("3.4 TestDaF level 3 → exempt", "associate", {}, {**lang, "testdaf_level": 3}),
        ("3.4 TEF 300 → exempt", "associate", {}, {**lang, "tef": 300.0}),
        ("3.4 TEF 299 → fail", "associate", {}, {**lang, "tef": 299.0}),
        ("3.4 two indexed foreign-language papers → exempt", "associate", {}, {**lang, "indexed_foreign_papers": 2}),
        ("3.4 one indexed paper → fail", "associate", {}, {**lang, "indexed_foreign_papers": 1}),
        ("3.4 foreign-language degree, non-language teacher → exempt", "associate", {}, {**lang, "foreign_language_degree": True}),
        ("3.4 foreign-language degree, university English teacher → not exempt (fail)", "associate",
         {"subject_group": "university_english", "field": "humanities_social"}, {**lang, "foreign_language_degree": True}),
        ("3.4 born 1960-01-01, no national test → fail", "associate", {"birth_date": "1960-01-01"}, {**lang}),
        ("3.4 born 1959-12-31, school exam only → pass", "associate", {"birth_date": "1959-12-31"}, {**lang}),
        ("3.5 science, 12 consecutive months abroad → pass", "associate", {"field": "science"}, {"overseas_months": 12.0}),
        ("3.5 science, 11.9 months abroad → fail", "associate", {"field": "science"}, {"overseas_months": 11.9}),
        ("3.5 humanities, 6 months abroad → pass", "associate",
         {"field": "humanities_social"}, {"overseas_months": 6.0}),
        ("3.5 humanities, 5.9 months abroad → fail", "associate",
         {"field": "humanities_social"}, {"overseas_months": 5.9}),
        ("3.5 PE teacher, no time abroad → exempt (pass)", "associate", {"subject_group": "pe"}, {"overseas_months": 0.0}),
        ("3.6 teaching percentile 60 → pass", "associate", {}, {"teaching_percentile": 60.0}),
        ("3.6 teaching percentile 60.1 → fail", "associate", {}, {"teaching_percentile": 60.1}),
        ("3.6 no teaching record → warning", "junior",
         {"degree": "master", "post_level": 13, "birth_date": "1998-03-03", "rank_since": y(0, -150)},
         {"teaching_percentile": None}),
        ("3.7 failed the same post last year → fail", "full", {}, {"last_failed_year": as_of.year - 1, "last_failed_post": "full"}),
        ("3.7 failed the same post two years ago → pass", "full", {}, {"last_failed_year": as_of.year - 2, "last_failed_post": "full"}),
        ("3.8 extra post at 35 (birthday tomorrow) with 3 experts → pass", "full",
         {"birth_date": y(36, 1), "rank_since": y(3)}, {"exceptional": True, "extra_post": True, "_experts": 3}),
        ("3.8 extra post at 36 (birthday today) → fail", "full",
         {"birth_date": y(36), "rank_since": y(3)}, {"exceptional": True, "extra_post": True, "_experts": 3}),
        ("3.8 extra post with 2 experts → fail", "full",
         {"birth_date": y(33), "rank_since": y(2)}, {"exceptional": True, "extra_post": True, "_experts": 2}),
        ("3.8 extra post, one of 3 experts recommended someone else too → fail + warning", "full",
         {"birth_date": y(34), "rank_since": y(2)}, {"exceptional": True, "extra_post": True, "_experts": 3, "_shared_expert": True}),
        ("3.9 recruited talent with 3 experts → pass", "associate", {"rank_since": y(0, -60)},
         {"recruited_talent": True, "exceptional": True, "_experts": 3}),
        ("3.9 recruited talent with 2 experts → fail", "associate", {"rank_since": y(0, -60)},
         {"recruited_talent": True, "exceptional": True, "_experts": 2}),
        ("3.10 postdoc who stayed applies for associate at once → pass", "associate",
         {"post_level": 10, "rank_since": y(0, -90)}, {"postdoc_stayed": True}),
        ("3.10 transferred 满2年 ago, appraisal passed → pass", "associate", {},
         {"transferred_on": y(2), "transfer_appraisal_passed": True}),
        ("3.10 transferred one day short of 2 years → fail", "associate", {},
         {"transferred_on": y(2, 1), "transfer_appraisal_passed": True}),
        ("3.10 transferred 3 years ago, appraisal not passed → fail", "associate", {},
         {"transferred_on": y(3), "transfer_appraisal_passed": False}),
        ("3.11 three recusal requests → pass", "associate", {}, {"recusal_requests": 3}),
        ("3.11 four recusal requests → fail", "associate", {}, {"recusal_requests": 4}),
        ("3.11 near relative on this year's unit sub-committee → warning", "associate", {}, {"_relative_on_committee": True}),
        ("3.1 no teacher qualification → fail", "associate", {"teacher_qualification": False}, {}),
        ("3.1 基本合格 two years ago → fail", "associate", {"appraisal_2": "基本合格"}, {}),
        ("3.1 postdoc who stayed, one appraisal on record (§38) → pass", "associate",
         {"appraisal_2": None, "appraisal_3": None, "post_level": 10, "hire_date": y(1, -10)}, {"postdoc_stayed": True}),
        ("all rules met, full-senior baseline → pass", "full", {}, {}),
    ]


BASE_STAFF = {
    "full": {"post_level": 6, "birth_date": "1978-03-15", "rank_since_years": 7},
    "associate": {"post_level": 9, "birth_date": "1985-07-20", "rank_since_years": 4},
    "intermediate": {"post_level": 11, "birth_date": "1991-11-11", "rank_since_years": 4},
    "junior": {"post_level": 13, "birth_date": "1997-02-02", "rank_since_years": 0},
}



# (discipline id, name, unit id, unit name, category, subject group, field)
DISCIPLINES = (
    ("DB01", "物理学", "UB01", "理学院（边界样例）", "A", "general", "science"),
    ("DB02", "中国史", "UB02", "人文学院（边界样例）", "B", "general", "humanities_social"),
    ("DB03", "大学英语", "UB02", "人文学院（边界样例）", "C", "university_english", "humanities_social"),
    ("DB04", "体育教育训练学", "UB03", "艺术体育学院（边界样例）", "B", "pe", "science"),
    ("DB05", "美术学", "UB03", "艺术体育学院（边界样例）", "B", "art", "humanities_social"),
)
ESTABLISHMENT = 60
COMMITTEE_MEMBER = "TB09001"   # the unit sub-committee member who is the 3.11 applicant's relative


def _discipline_for(group: str, field: str) -> tuple:
    for d in DISCIPLINES:
        if d[5] == group and (group != "general" or d[6] == field):
            return d
    raise ValueError(f"no boundary discipline for subject group {group!r} / field {field!r}")


def generate(as_of: dt.date | str = dt.date(2026, 9, 1)) -> dict[str, pd.DataFrame]:
    """The six institution tables holding the boundary cases (application date = ``as_of``)."""
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    staff_rows, app_rows, specials = [], [], []
    for k, (case, target, s_over, a_over) in enumerate(cases(as_of)):   # ~60 fixed cases, not people
        base = BASE_STAFF[target]
        st = {
            "birth_date": base["birth_date"], "degree": "doctorate", "post_level": base["post_level"],
            "rank_since": _shift_years(as_of, base["rank_since_years"], -30 if base["rank_since_years"] == 0 else 0),
            "subject_group": "general", "field": "science", "teacher_qualification": True,
            "appraisal_1": "合格", "appraisal_2": "优秀", "appraisal_3": "合格", "on_establishment": True,
        }
        st.update(s_over)
        d = _discipline_for(st["subject_group"], st["field"])
        st["field"] = d[6]
        rank_since = pd.Timestamp(st["rank_since"])
        st.setdefault("post_since", rank_since + pd.Timedelta(days=min(200, max(0, (pd.Timestamp(as_of) - rank_since).days // 2))))
        st.setdefault("hire_date", min(rank_since, pd.Timestamp(st["birth_date"]) + pd.DateOffset(years=26)))
        if pd.Timestamp(st["hire_date"]) > rank_since:
            st["rank_since"] = st["hire_date"]
            st["post_since"] = max(pd.Timestamp(st["post_since"]), pd.Timestamp(st["hire_date"]))
        st.update(staff_id=f"TB{k + 1:05d}", name=f"边界{k + 1:02d}", id_number=None, sex="男" if k % 2 else "女",
                  discipline_id=d[0], unit_id=d[2])
        staff_rows.append(st)
        app = {
            "application_id": f"A{as_of.year}-B{k + 1:03d}", "staff_id": st["staff_id"],
            "application_date": pd.Timestamp(as_of), "target_post": target,
            "exceptional": False, "extra_post": False, "recruited_talent": False, "postdoc_stayed": False,
            "probation_passed": True, "transferred_on": None, "transfer_appraisal_passed": None,
            "school_language_exam_passed": True, "national_language_test_passed": True,
            "moe_training_certificate": False, "toefl": None, "gre": None, "gre_scale": None, "ielts": None,
            "testdaf_level": None, "tef": None, "foreign_language_degree": False,
            "overseas_doctorate_certified": False, "indexed_foreign_papers": 0, "overseas_months": 13.0,
            "teaching_percentile": 35.0, "last_failed_year": None, "last_failed_post": None,
            "recusal_requests": 0, "peer_review_exemption": None, "sample_case": case,
        }
        app.update({k2: v for k2, v in a_over.items() if not k2.startswith("_")})
        app_rows.append(app)
        specials.append({key: v for key, v in a_over.items() if key.startswith("_")})
    # the committee member related to the 3.11 applicant: a full professor of the first unit
    staff_rows.append({**staff_rows[0], "staff_id": COMMITTEE_MEMBER, "name": "边界委员", "post_level": 3,
                       "discipline_id": DISCIPLINES[0][0], "unit_id": DISCIPLINES[0][2], "field": DISCIPLINES[0][6],
                       "subject_group": "general"})
    staff = _staff_types(pd.DataFrame(staff_rows))
    applicants = _fix_types(pd.DataFrame(app_rows))
    return {
        "disciplines": pd.DataFrame({
            "discipline_id": [d[0] for d in DISCIPLINES], "discipline_name": [d[1] for d in DISCIPLINES],
            "unit_id": [d[2] for d in DISCIPLINES], "unit_name": [d[3] for d in DISCIPLINES],
            "category": [d[4] for d in DISCIPLINES], "establishment": np.full(len(DISCIPLINES), ESTABLISHMENT),
        }),
        "staff": staff,
        "applicants": applicants,
        "recommendations": _recommendations(applicants, specials, as_of),
        "committee_members": pd.DataFrame({
            "committee_id": [f"FWH-{DISCIPLINES[0][2]}"], "body": ["unit_subcommittee"], "unit_id": [DISCIPLINES[0][2]],
            "year": np.array([as_of.year], dtype=np.int64), "member_id": [COMMITTEE_MEMBER], "role": ["dean"],
            "holds_admin_post": [True], "full_senior": [True],
        }),
        "relatives": pd.DataFrame({
            "staff_id": [applicants["staff_id"].iat[i] for i, sp in enumerate(specials) if sp.get("_relative_on_committee")],
            "relative_id": COMMITTEE_MEMBER,
        }),
    }


STAFF_COLUMNS = ("staff_id", "name", "id_number", "sex", "unit_id", "discipline_id", "birth_date", "hire_date",
                 "on_establishment", "degree", "post_level", "post_since", "appraisal_1", "appraisal_2",
                 "appraisal_3", "subject_group", "field", "teacher_qualification", "rank_since")


def _staff_types(s: pd.DataFrame) -> pd.DataFrame:
    s = s[list(STAFF_COLUMNS)].copy()
    for col in ("birth_date", "hire_date", "post_since", "rank_since"):
        s[col] = pd.to_datetime(s[col]).astype("datetime64[ns]")
    s["post_level"] = s["post_level"].astype(np.int64)
    for col in ("on_establishment", "teacher_qualification"):
        s[col] = s[col].astype(bool)
    for col in ("id_number", "appraisal_2", "appraisal_3"):
        s[col] = s[col].astype(object).where(s[col].notna(), None)
    return s


def _recommendations(applicants: pd.DataFrame, specials: list[dict], as_of: dt.date) -> pd.DataFrame:
    """The number of experts each case asks for; the shared-expert case's first expert also
    recommends the two-expert case (P6 §16: one person a year, so that expert counts for neither)."""
    rows = []
    for i, sp in enumerate(specials):
        for j in range(sp.get("_experts", 0)):
            rows.append((applicants["application_id"].iat[i], f"EB{i + 1:03d}{j + 1}",
                         "overseas_full_professor" if j % 2 == 0 else "domestic_level_2_plus"))
    shared = [i for i, sp in enumerate(specials) if sp.get("_shared_expert")]
    two = [i for i, sp in enumerate(specials) if sp.get("_experts") == 2 and applicants["extra_post"].iat[i]]
    if shared and two:
        rows.append((applicants["application_id"].iat[two[0]], f"EB{shared[0] + 1:03d}1", "overseas_full_professor"))
    recs = pd.DataFrame(rows, columns=["application_id", "expert_id", "expert_type"])
    recs["recommendation_date"] = (pd.Timestamp(as_of) - pd.Timedelta(days=20)).to_datetime64()
    recs["recommendation_date"] = recs["recommendation_date"].astype("datetime64[ns]")
    return recs


def describe(as_of: dt.date | str = dt.date(2026, 9, 1)) -> str:
    """``README.md`` of the fixture folder: what it is for and every case with its application."""
    tables = generate(as_of)
    a = tables["applicants"]
    lines = [
        "# Boundary fixture set: post eligibility (P6 §12–§17, §23, §38–§39)",
        "",
        "Generated by `python -m staffcalc.sample` (module `staffcalc.sample.boundary`); do not edit.",
        "Not part of the sample institution in the folder above: these applications sit exactly on one",
        "side of one rule's boundary each, for tests and for a rule-checks demonstration",
        "(`staffcalc.eligibility.eligibility` on these six tables, read with `staffcalc.io.read_tables`).",
        f"Application date {pd.Timestamp(a['application_date'].iat[0]).date().isoformat()}; "
        "the expected outcome is the text after the arrow.",
        "",
        "| application | staff | post applied for | case → expected outcome |",
        "|---|---|---|---|",
    ]
    for row in a.itertuples(index=False):   # sixty documented cases
        lines.append(f"| {row.application_id} | {row.staff_id} | {row.target_post} | {row.sample_case} |")
    return "\n".join(lines) + "\n"


def write(out_dir: str | Path, as_of: dt.date | str = dt.date(2026, 9, 1)) -> list[Path]:
    """Write the tables (CSV, like the sample) and README.md into ``out_dir``."""
    from . import write as write_tables
    paths = write_tables(generate(as_of), out_dir)
    return [*paths, write_text(Path(out_dir) / "README.md", describe(as_of))]
