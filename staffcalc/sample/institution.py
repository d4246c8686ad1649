"""Sample institution: disciplines, the staff roster, this year's post applicants, recommendations,
appointment bodies and near relatives (spec §2–§4).  Synthetic and pseudonymous.

Scale: ``max(60, n_staff // 100)`` disciplines in ``max(20, disciplines // 3)`` units — 60
disciplines in 20 units for the default 3,000 staff, 10,000 disciplines in 3,333 units for the
1,000,000-staff benchmark.  Everything is drawn with numpy in whole columns (no per-person loop),
so a million staff take a few seconds.

Realism: categories A/B/C; the establishment is close to the staff on it (some disciplines below,
so several are over their senior cap); levels follow P6 §11 groups with the senior share scattered
around each category's cap ratio; ages, degrees and years in post depend on the level.

Boundary cases (``CASES``): a fixed set of extra staff and applications sitting exactly on each
eligibility boundary (born 1957-01-01 vs 1956-12-31, 满5年 on the day vs one day short, TOEFL 85
vs 84, percentile 60 vs 60.1, extra post at age 35 vs 36, …); ``applicants.sample_case`` says which.
Names are drawn from small syllable lists; ID numbers use the non-existent region code 99xxxx.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"))
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉文斌宇浩凯健俊帆晨阳琳雪婷慧颖欣怡嘉子轩睿博涵思雨瑶晓东海波"))

UNIT_TEMPLATES = (  # (unit name, subject groups cycled over its disciplines, field)
    ("文学院", ("general",), "humanities_social"),
    ("历史学院", ("ancient_studies", "general"), "humanities_social"),
    ("哲学学院", ("general",), "humanities_social"),
    ("外国语言文学学院", ("foreign_language", "university_english"), "humanities_social"),
    ("新闻与传播学院", ("general",), "humanities_social"),
    ("经济与管理学院", ("general",), "humanities_social"),
    ("法学院", ("general",), "humanities_social"),
    ("艺术学院", ("art",), "humanities_social"),
    ("体育学院", ("pe",), "science"),
    ("国防教育学院", ("military",), "humanities_social"),
    ("数学与统计学院", ("general",), "science"),
    ("物理科学与技术学院", ("general",), "science"),
    ("化学与分子科学学院", ("general",), "science"),
    ("生命科学学院", ("general",), "science"),
    ("资源与环境科学学院", ("general",), "science"),
    ("计算机学院", ("general",), "science"),
    ("电子信息学院", ("general",), "science"),
    ("动力与机械学院", ("general",), "science"),
    ("土木建筑工程学院", ("general",), "science"),
    ("医学部基础医学院", ("general",), "science"),
)
DISCIPLINE_WORDS = np.array([
    "中国古代文学", "考古学", "外国哲学", "英语语言文学", "新闻学", "金融学", "民商法学", "美术学", "体育教育训练学",
    "军事思想", "基础数学", "理论物理", "有机化学", "生物化学", "环境科学", "计算机软件", "通信与信息系统",
    "机械电子工程", "结构工程", "病理学", "语言学及应用语言学", "中国近现代史", "伦理学", "大学英语", "传播学",
    "企业管理", "宪法学", "设计学", "运动人体科学", "军事历史", "应用数学", "凝聚态物理", "物理化学", "遗传学",
    "地图学", "计算机系统结构", "信号与信息处理", "机械制造", "岩土工程", "免疫学",
])

LEVEL_SHARES = {  # within-group level probabilities (P6 §11 ratios with a little noise)
    "full": ((1, 0.01), (2, 0.17), (3, 0.29), (4, 0.53)),
    "associate": ((5, 0.21), (6, 0.40), (7, 0.39)),
    "intermediate": ((8, 0.29), (9, 0.41), (10, 0.30)),
    "junior": ((11, 0.52), (12, 0.48)),
}
GROUP_AGE = {"full": (40, 64), "associate": (33, 58), "intermediate": (28, 52), "junior": (24, 34)}
SENIOR_RATIO = {"A": 0.65, "B": 0.50, "C": 0.45}  # shapes the sample only; caps come from the policy
NEXT_POST = {"associate": "full", "intermediate": "associate", "junior": "intermediate", "other": "junior"}
GROUP_OF_LEVEL = {lv: g for g, pairs in LEVEL_SHARES.items() for lv, _ in pairs}


def _d(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


def _shift_years(day: dt.date, years: int, days: int = 0) -> str:
    """ISO date ``years`` before ``day`` (same month/day; 29 Feb → 28 Feb), then ``days`` later."""
    try:
        base = day.replace(year=day.year - years)
    except ValueError:
        base = day.replace(year=day.year - years, day=28)
    return (base + dt.timedelta(days=days)).isoformat()


def _pick(values, idx) -> pd.arrays.ArrowStringArray:
    """``values[idx]`` as an Arrow string array (None → missing), without a per-row object array."""
    return pd.array(np.asarray(values, dtype=object), dtype="str").take(np.asarray(idx, dtype=np.int64))


def _names(rng, n: int) -> pd.arrays.ArrowStringArray:
    s = pd.Series(_pick(SURNAMES, rng.integers(0, SURNAMES.size, n)))
    g1 = pd.Series(_pick(GIVEN, rng.integers(0, GIVEN.size, n)))
    given2 = np.append(GIVEN, "")
    g2 = pd.Series(_pick(given2, np.where(rng.random(n) < 0.6, rng.integers(0, GIVEN.size, n), GIVEN.size)))
    return (s + g1 + g2).array


def _id_numbers(rng, birth: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Fake 18-character ID numbers: region 99xxxx (no such province), birth date, sequence, check digit."""
    n = birth.size
    b = pd.DatetimeIndex(birth)
    ymd = b.year.to_numpy(np.int64) * 10000 + b.month.to_numpy(np.int64) * 100 + b.day.to_numpy(np.int64)
    body = (990000 + rng.integers(0, 10000, n)) * 10**11 + ymd * 1000 + rng.integers(0, 1000, n)
    digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)[None, :]) % 10
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"), dtype=object)[(digits * weights).sum(axis=1) % 11]
    return (pd.Series(body).astype("str") + pd.Series(check).astype("str")).array


def _codes(prefix: str, numbers: np.ndarray, width: int) -> pd.arrays.ArrowStringArray:
    """``prefix`` + zero-padded numbers (e.g. T0000001), built with Arrow string kernels."""
    num = np.asarray(numbers, dtype=np.int64) + 10**width
    return (prefix + pd.Series(num).astype("str").str.slice(1)).array


def _random_dates(rng, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniform random day in [start, end] per row (datetime64[D] arrays)."""
    span = np.maximum((end - start).astype(np.int64), 0)
    return start + (rng.random(span.size) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


# --------------------------------------------------------------------------------------------
def _disciplines(rng, n_staff: int):
    n_disc = max(60, n_staff // 100)
    n_units = max(20, n_disc // 3)
    unit_of = rng.permutation(np.arange(n_disc) % n_units)
    template = unit_of % len(UNIT_TEMPLATES)
    copy = unit_of // len(UNIT_TEMPLATES)
    t_names = np.array([t[0] for t in UNIT_TEMPLATES], dtype=object)
    unit_name = np.where(copy == 0, t_names[template], t_names[template] + "（" + (copy + 1).astype(str).astype(object) + "）")
    # position of each discipline inside its unit → subject group cycle and a name
    order = np.argsort(unit_of, kind="stable")
    pos = np.empty(n_disc, dtype=np.int64)
    pos[order] = np.arange(n_disc) - np.searchsorted(unit_of[order], unit_of[order])
    groups = np.empty(n_disc, dtype=object)
    fields = np.empty(n_disc, dtype=object)
    for k, (_, cyc, fld) in enumerate(UNIT_TEMPLATES):   # 20 templates
        m = template == k
        groups[m] = np.array(cyc, dtype=object)[pos[m] % len(cyc)]
        fields[m] = fld
    word = DISCIPLINE_WORDS[(template + len(UNIT_TEMPLATES) * (pos % 2)) % DISCIPLINE_WORDS.size]
    dname = np.where(pos < 2, word, np.char.add(word.astype("U20"), np.char.add("方向", (pos + 1).astype("U6")))).astype(object)
    disc = pd.DataFrame({
        "discipline_id": _codes("D", np.arange(1, n_disc + 1), 5),
        "discipline_name": dname,
        "unit_id": _codes("U", unit_of + 1, 4),
        "unit_name": unit_name,
        "category": rng.choice(np.array(["A", "B", "C"], dtype=object), n_disc, p=[0.35, 0.40, 0.25]),
    })
    return disc, groups, fields


def _staff(rng, disc: pd.DataFrame, groups, fields, n: int, as_of: dt.date):
    n_disc = len(disc)
    w = rng.gamma(5.0, size=n_disc)
    di = rng.choice(n_disc, size=n, p=w / w.sum())
    on_est = rng.random(n) < 0.94
    count = np.bincount(di[on_est], minlength=n_disc)
    # establishment close to the staff on it; about one discipline in eight is below it
    below = rng.random(n_disc) < 0.12
    factor = np.where(below, rng.uniform(0.82, 0.97, n_disc), rng.uniform(0.98, 1.15, n_disc))
    est = np.maximum(np.rint(count * factor).astype(np.int64), 1)
    ratio = disc["category"].map(SENIOR_RATIO).to_numpy(dtype=float)
    senior_frac = np.clip(ratio * est / np.maximum(count, 1) * rng.uniform(0.74, 1.02, n_disc), 0.05, 0.9)
    full_frac = rng.uniform(0.28, 0.45, n_disc)
    u = rng.random(n)
    sf, ff = senior_frac[di], full_frac[di]
    names = list(LEVEL_SHARES)                       # full, associate, intermediate, junior
    code = np.select([u < sf * ff, u < sf, u < sf + (1 - sf) * 0.8], [0, 1, 2], 3)
    u2 = rng.random(n)
    level = np.zeros(n, dtype=np.int64)
    for k, g in enumerate(names):   # four groups
        m = code == k
        pairs = LEVEL_SHARES[g]
        cum = np.cumsum([p for _, p in pairs])
        idx = np.minimum(np.searchsorted(cum, u2[m] * cum[-1], side="right"), len(pairs) - 1)
        level[m] = np.array([lv for lv, _ in pairs])[idx]
    lo = np.array([GROUP_AGE[g][0] for g in names])[code]
    hi = np.array([GROUP_AGE[g][1] for g in names])[code]
    age = rng.integers(lo, hi + 1)
    today = np.datetime64(as_of, "D")
    birth = ((as_of.year - age - 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]")
             + rng.integers(0, 365, n).astype("timedelta64[D]"))
    # years in the current group, bounded by age
    max_in_rank = np.clip(age - lo + 1, 1, 20)
    days_in_rank = (rng.random(n) * max_in_rank * 365.25).astype(np.int64)
    rank_since = today - days_in_rank.astype("timedelta64[D]") - np.timedelta64(30, "D")
    post_since = _random_dates(rng, rank_since, np.full(n, today - np.timedelta64(30, "D")))
    earliest_hire = birth + np.timedelta64(23 * 365, "D")
    hire = np.where(earliest_hire < rank_since, _random_dates(rng, earliest_hire, rank_since), rank_since)
    young = birth >= _d("1975-01-01")
    ud = rng.random(n)
    deg_names = ["doctorate", "master", "bachelor"]
    p_doc = np.array([0.6, 0.5, 0.6, 0.12])[code]
    p_doc = np.where(young & (code == 0), 0.92, np.where(young & (code == 1), 0.85, p_doc))
    p_bach = np.where(code <= 1, 0.05, 0.0)
    degree = _pick(deg_names, np.where(ud < p_doc, 0, np.where(ud < 1 - p_bach, 1, 2)))
    results = ["优秀", "合格", "基本合格", "不合格", None]
    code_r = [np.searchsorted([0.2, 0.97, 0.99, 1.0], rng.random(n), side="right").clip(0, 3) for _ in range(3)]
    code_r[1] = np.where(hire > today - np.timedelta64(2 * 365, "D"), 4, code_r[1])
    code_r[2] = np.where(hire > today - np.timedelta64(3 * 365, "D"), 4, code_r[2])
    appr = [_pick(results, c) for c in code_r]
    staff = pd.DataFrame({
        "staff_id": _codes("T", np.arange(1, n + 1), 7),
        "name": _names(rng, n),
        "id_number": _id_numbers(rng, birth),
        "unit_id": disc["unit_id"].array.take(di),
        "discipline_id": disc["discipline_id"].array.take(di),
        "birth_date": birth.astype("datetime64[ns]"),
        "hire_date": hire.astype("datetime64[ns]"),
        "on_establishment": on_est,
        "degree": degree,
        "post_level": level,
        "post_since": post_since.astype("datetime64[ns]"),
        "appraisal_1": appr[0], "appraisal_2": appr[1], "appraisal_3": appr[2],
        "subject_group": _pick(groups, di),
        "field": _pick(fields, di),
        "teacher_qualification": rng.random(n) < 0.985,
        "rank_since": rank_since.astype("datetime64[ns]"),
    })
    return staff, est


# --------------------------------------------------------------------------------------------
# boundary cases: (case, target, staff overrides, applicant overrides)
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


def _case_tables(as_of: dt.date, disc: pd.DataFrame, groups, fields, start_id: int):
    staff_rows, app_rows, specials = [], [], []
    gen_disc = np.flatnonzero(groups == "general")
    sci_disc = gen_disc[fields[gen_disc] == "science"]
    hum_disc = gen_disc[fields[gen_disc] == "humanities_social"]
    by_group = {g: np.flatnonzero(groups == g) for g in set(groups)}
    for k, (case, target, s_over, a_over) in enumerate(cases(as_of)):   # ~60 fixed cases, not people
        base = BASE_STAFF[target]
        st = {
            "birth_date": base["birth_date"], "degree": "doctorate", "post_level": base["post_level"],
            "rank_since": _shift_years(as_of, base["rank_since_years"], -30 if base["rank_since_years"] == 0 else 0),
            "subject_group": "general", "field": "science", "teacher_qualification": True,
            "appraisal_1": "合格", "appraisal_2": "优秀", "appraisal_3": "合格", "on_establishment": True,
        }
        st.update(s_over)
        sg, fld = st["subject_group"], st["field"]
        pool = by_group.get(sg, gen_disc) if sg != "general" else (sci_disc if fld == "science" else hum_disc)
        di = int(pool[k % len(pool)]) if len(pool) else int(gen_disc[0])
        st["field"] = fld if sg == "general" else fields[di]
        rank_since = pd.Timestamp(st["rank_since"])
        st["post_since"] = st.get("post_since", rank_since + pd.Timedelta(days=min(200, max(0, (pd.Timestamp(as_of) - rank_since).days // 2))))
        st["hire_date"] = st.get("hire_date", min(rank_since, pd.Timestamp(st["birth_date"]) + pd.DateOffset(years=26)))
        if pd.Timestamp(st["hire_date"]) > rank_since:
            st["rank_since"] = st["hire_date"]
            st["post_since"] = max(pd.Timestamp(st["post_since"]), pd.Timestamp(st["hire_date"]))
        st["discipline_id"] = disc["discipline_id"].iat[di]
        st["unit_id"] = disc["unit_id"].iat[di]
        st["staff_id"] = f"T{start_id + k:07d}"
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
    return pd.DataFrame(staff_rows), pd.DataFrame(app_rows), specials


# --------------------------------------------------------------------------------------------
def generate(rng: np.random.Generator, tables: dict, n_staff: int, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Disciplines, staff, applicants, recommendations, committee_members and relatives."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    disc, groups, fields = _disciplines(rng, n_staff)
    case_staff, case_apps, specials = _case_tables(as_of, disc, groups, fields, start_id=0)
    n_random = n_staff - len(case_staff)
    if n_random < 10 * len(disc):
        raise ValueError(f"n_staff must be at least {10 * len(disc) + len(case_staff)} for the sample institution")
    staff, est = _staff(rng, disc, groups, fields, n_random, as_of)
    case_staff["staff_id"] = _codes("T", np.arange(n_random + 1, n_random + len(case_staff) + 1), 7)
    case_apps["staff_id"] = case_staff["staff_id"].to_numpy()
    case_staff["name"] = _names(rng, len(case_staff))
    for col in ("birth_date", "hire_date", "post_since", "rank_since"):
        case_staff[col] = pd.to_datetime(case_staff[col]).astype("datetime64[ns]")
    case_staff["id_number"] = _id_numbers(rng, case_staff["birth_date"].to_numpy().astype("datetime64[D]"))
    staff = pd.concat([staff, case_staff[staff.columns]], ignore_index=True)
    staff["post_level"] = staff["post_level"].astype(np.int64)
    staff["on_establishment"] = staff["on_establishment"].astype(bool)
    staff["teacher_qualification"] = staff["teacher_qualification"].astype(bool)
    disc["establishment"] = est

    apps = _random_applicants(rng, staff.iloc[:n_random], as_of)
    applicants = pd.concat([case_apps, apps], ignore_index=True)
    recs = _recommendations(rng, applicants, specials, as_of)
    committees, relatives = _committees(rng, disc, staff, case_apps, specials, as_of)
    applicants = _fix_types(applicants)
    return {"disciplines": disc, "staff": staff, "applicants": applicants, "recommendations": recs,
            "committee_members": committees, "relatives": relatives}


def _random_applicants(rng, staff: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """About 5 % of staff apply for the next post up, mostly people who look ready (enough years in
    the group, a doctorate where the cohort needs one); attributes drawn so some rules still fail."""
    group = staff["post_level"].map(GROUP_OF_LEVEL).fillna("other").to_numpy(dtype=object)
    years = (np.datetime64(as_of, "D") - staff["rank_since"].to_numpy().astype("datetime64[D]")).astype(np.int64) / 365.25
    doctor = (staff["degree"] == "doctorate").to_numpy()
    need = np.select([group == "associate", group == "intermediate"],
                     [np.where(doctor, 5, 8), np.where(doctor, 2, 5)], 3)
    ready = (years >= need) & (doctor | (group == "junior") | (group == "other"))
    pick = (rng.random(len(staff)) < np.where(ready, 0.12, 0.012)) & (group != "full")
    s = staff[pick]
    g = group[pick]
    n = len(s)
    target = pd.Series(g).map(NEXT_POST).to_numpy(dtype=object)
    u = rng.random((12, n))
    exc = u[0] < 0.04
    extra = exc & (target == "full") & (u[1] < 0.5)
    return pd.DataFrame({
        "application_id": _codes(f"A{as_of.year}-", np.arange(1, n + 1), 6),
        "staff_id": s["staff_id"].to_numpy(),
        "application_date": pd.Timestamp(as_of),
        "target_post": target,
        "exceptional": exc,
        "extra_post": extra,
        "recruited_talent": (u[2] < 0.03) & np.isin(target, ["full", "associate"]),
        "postdoc_stayed": (u[3] < 0.03) & (target == "associate"),
        "probation_passed": u[4] < 0.97,
        "transferred_on": np.where(u[5] < 0.03, _random_dates(rng, np.full(n, _d(_shift_years(as_of, 4))), np.full(n, _d(str(as_of)))).astype("datetime64[ns]"), np.datetime64("NaT", "ns")),
        "transfer_appraisal_passed": np.where(u[5] < 0.03, u[6] < 0.9, None),
        "school_language_exam_passed": u[7] < 0.96,
        "national_language_test_passed": u[8] < 0.92,
        "moe_training_certificate": u[8] > 0.95,
        "toefl": np.where(u[9] < 0.1, np.round(rng.uniform(70, 110, n)), np.nan),
        "gre": np.nan, "gre_scale": np.nan,
        "ielts": np.where(u[9] > 0.93, np.round(rng.uniform(5, 8, n) * 2) / 2, np.nan),
        "testdaf_level": np.nan, "tef": np.nan,
        "foreign_language_degree": u[10] < 0.03,
        "overseas_doctorate_certified": u[10] > 0.9,
        "indexed_foreign_papers": rng.poisson(1.5, n),
        "overseas_months": np.round(np.where(u[11] < 0.08, rng.uniform(0, 6, n), rng.uniform(12, 30, n)), 1),
        "teaching_percentile": np.where(u[1] < 0.03, np.nan, np.round(rng.uniform(1, 68, n), 1)),
        "last_failed_year": np.where(u[3] > 0.9, as_of.year - rng.integers(1, 3, n), np.nan),
        "last_failed_post": np.where(u[3] > 0.9, target, None),
        "recusal_requests": rng.choice([0, 0, 0, 0, 0, 1, 2, 3, 4], n, p=[0.15] * 5 + [0.1, 0.08, 0.05, 0.02]),
        "peer_review_exemption": np.where(u[4] > 0.995, "985_full_senior", None),
        "sample_case": None,
    })


def _fix_types(a: pd.DataFrame) -> pd.DataFrame:
    a = a.copy()
    for c in ("transferred_on", "application_date"):
        a[c] = pd.to_datetime(a[c]).astype("datetime64[ns]")
    for c in ("toefl", "gre", "ielts", "tef", "overseas_months", "teaching_percentile"):
        a[c] = pd.to_numeric(a[c]).astype("float64")
    for c in ("gre_scale", "testdaf_level", "last_failed_year"):
        a[c] = pd.to_numeric(a[c]).astype("Int64")
    a["indexed_foreign_papers"] = a["indexed_foreign_papers"].astype(np.int64)
    a["recusal_requests"] = a["recusal_requests"].astype(np.int64)
    a["transfer_appraisal_passed"] = a["transfer_appraisal_passed"].astype("boolean")
    for c in ("exceptional", "extra_post", "recruited_talent", "postdoc_stayed", "probation_passed",
              "school_language_exam_passed", "national_language_test_passed", "moe_training_certificate",
              "foreign_language_degree", "overseas_doctorate_certified"):
        a[c] = a[c].astype(bool)
    for c in ("last_failed_post", "peer_review_exemption", "sample_case"):
        a[c] = a[c].astype(object).where(a[c].notna(), None)
    return a


def _recommendations(rng, applicants: pd.DataFrame, specials: list[dict], as_of: dt.date) -> pd.DataFrame:
    """3–4 qualified experts for random extra-post / recruited applicants; exact counts for the cases."""
    need = (applicants["extra_post"] | applicants["recruited_talent"]).to_numpy(dtype=bool)
    n_case = len(specials)
    k = np.zeros(len(applicants), dtype=np.int64)
    k[n_case:] = np.where(need[n_case:], rng.integers(2, 5, len(applicants) - n_case), 0)
    k[:n_case] = [sp.get("_experts", 0) for sp in specials]
    app_idx = np.repeat(np.arange(len(applicants)), k)
    j = np.arange(app_idx.size) - np.repeat(np.cumsum(k) - k, k)
    expert = _codes("E", 100000 + app_idx * 10 + j, 7)
    etype = np.where(rng.random(app_idx.size) < 0.5, "overseas_full_professor", "domestic_level_2_plus").astype(object)
    recs = pd.DataFrame({
        "application_id": applicants["application_id"].to_numpy()[app_idx],
        "expert_id": expert, "expert_type": etype,
        "recommendation_date": pd.Timestamp(as_of) - pd.Timedelta(days=20),
    })
    shared = [i for i, sp in enumerate(specials) if sp.get("_shared_expert")]
    if shared:
        # the case's first expert also recommends one random applicant the same year (P6 §16: one a
        # year), so that expert's recommendations count for neither
        victim = applicants["application_id"].iat[shared[0]]
        first = recs.index[recs["application_id"] == victim][0]
        other = applicants["application_id"].iat[n_case] if len(applicants) > n_case else victim
        extra = recs.loc[[first]].assign(application_id=other)
        recs = pd.concat([recs, extra], ignore_index=True)
    recs["recommendation_date"] = recs["recommendation_date"].astype("datetime64[ns]")
    return recs


def _committees(rng, disc: pd.DataFrame, staff: pd.DataFrame, case_apps: pd.DataFrame, specials: list[dict],
                as_of: dt.date):
    """Unit sub-committees (dean, secretary, 9–11 professors), discipline panels, the school committee;
    a few deliberately non-compliant; near-relative pairs including the 3.11 case."""
    year = as_of.year
    slim = staff[["staff_id", "unit_id", "post_level"]]
    senior = slim[(slim["post_level"] <= 7).to_numpy()]
    key = rng.random(len(senior))
    unit_code = pd.Index(np.sort(disc["unit_id"].unique())).get_indexer(senior["unit_id"])
    order = np.lexsort((key, senior["post_level"].to_numpy() > 4, unit_code))
    s = senior.iloc[order].assign(_full=lambda x: x["post_level"] <= 4)
    s["_rank"] = s.groupby("unit_id").cumcount()
    units = np.sort(disc["unit_id"].unique())
    n_prof = pd.Series(rng.integers(9, 12, units.size), index=units)
    n_prof.iloc[0] = 12            # one sub-committee with too many professors (§21)
    m = s[s["_rank"] < s["unit_id"].map(n_prof).to_numpy() + 2]
    role = np.where(m["_rank"] == 0, "dean", np.where(m["_rank"] == 1, "party_secretary", "professor")).astype(object)
    admin = (m["_rank"].to_numpy() == 0) | (rng.random(len(m)) < 0.2)
    admin[(m["unit_id"] == units[1]).to_numpy()] = True   # one with too many administrative-post holders
    unit_c = pd.DataFrame({
        "committee_id": "FWH-" + m["unit_id"].astype(str).to_numpy().astype(object),
        "body": "unit_subcommittee", "unit_id": m["unit_id"].to_numpy(), "year": year,
        "member_id": m["staff_id"].to_numpy(), "role": role, "holds_admin_post": admin,
        "full_senior": m["_full"].to_numpy(),
    })
    sizes = [11, 13, 15, 10]   # the last is too small (§20)
    full_idx = np.flatnonzero(slim["post_level"].to_numpy() <= 4)
    take = slim.iloc[rng.choice(full_idx, min(sum(sizes), full_idx.size), replace=False)]
    panel_no = np.repeat(np.arange(len(sizes)), sizes)[: len(take)]
    panels = pd.DataFrame({
        "committee_id": _codes("XKPY-", panel_no + 1, 2), "body": "discipline_panel", "unit_id": None,
        "year": year, "member_id": take["staff_id"].to_numpy(), "role": "expert",
        "holds_admin_post": False, "full_senior": True,
    })
    leaders = pd.DataFrame({
        "committee_id": "XPW", "body": "school_committee", "unit_id": None, "year": year,
        "member_id": np.concatenate([_codes("L", np.arange(1, 9), 3), _codes("X", np.arange(1, 7), 3)]),
        "role": ["school_leader"] * 8 + ["expert"] * 6, "holds_admin_post": [True] * 8 + [False] * 6,
        "full_senior": True,
    })
    committees = pd.concat([unit_c, panels, leaders], ignore_index=True)
    committees = committees.drop_duplicates(["committee_id", "member_id"]).reset_index(drop=True)
    committees["year"] = committees["year"].astype(np.int64)
    committees["unit_id"] = committees["unit_id"].astype(object).where(committees["unit_id"].notna(), None)
    # near relatives: a few random pairs plus the 3.11 case (applicant ↔ a unit sub-committee member)
    n_pairs = max(3, len(staff) // 500)
    a = rng.choice(len(staff), n_pairs, replace=False)
    b = (a + 1 + rng.integers(0, len(staff) - 1, n_pairs)) % len(staff)
    rel = pd.DataFrame({"staff_id": staff["staff_id"].to_numpy()[a], "relative_id": staff["staff_id"].to_numpy()[b]})
    extra = []
    for i, sp in enumerate(specials):
        if sp.get("_relative_on_committee"):
            extra.append({"staff_id": case_apps["staff_id"].iat[i], "relative_id": unit_c["member_id"].iat[2]})
    rel = pd.concat([rel, pd.DataFrame(extra, columns=["staff_id", "relative_id"])], ignore_index=True)
    rel = rel[rel["staff_id"] != rel["relative_id"]].drop_duplicates().reset_index(drop=True)
    return committees, rel
