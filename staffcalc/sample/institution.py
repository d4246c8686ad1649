"""Sample institution: disciplines, the staff roster, this year's post applicants, recommendations,
appointment bodies and near relatives (spec §2–§4).  Synthetic and pseudonymous.

Scale: ``max(20, n_staff // 380)`` units, each with 2–6 disciplines named after a real college's
subjects (about 75 disciplines for the default 3,000 staff, 10,000 for the 1,000,000-staff
benchmark), discipline sizes spread like a real university's (a few large, many of 20–50 people).
Everything is drawn with numpy in whole columns (no per-person loop).

What makes it believable (each property is tested for two seeds in ``tests/test_sample.py``):

* ages inside working life — nobody at or past the statutory retirement month of N1
  (:mod:`staffcalc.retirement`), youngest 24; hire ages after the highest degree;
* post levels rising with age and service: within each discipline the staff on the establishment
  are ranked by a career score (age plus noise) and the levels are filled from the top;
* time in the current level and group consistent with four-year appointments (P6 §29): most
  people have held their level for one to three terms, appointments start on 1 January;
* senior occupancy near the caps: about one discipline in six holds 1–3 senior posts more than
  its §9 cap, the others are at the cap or a few posts under it; a few units over establishment
  (超编), the others with a few vacant posts;
* the unit sub-committees mostly satisfy §21, with a few planted violations (one with twelve
  professors, one with too many administrative-post holders, one discipline panel of ten).

The boundary cases of the eligibility rules (born 1957-01-01 vs 1956-12-31, 满5年 on the day vs
one day short, TOEFL 85 vs 84, …) are not here: they are the separate fixture set
:mod:`staffcalc.sample.boundary` (``data/boundary/``), so the institution's statistics are not
distorted by them.  Names are drawn from small syllable lists; ID numbers use the non-existent
region code 99xxxx.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import policy as _policy
from ..quotas import split_levels_array
from ..retirement import MEN, WOMEN, retirement_month

SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"))
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉文斌宇浩凯健俊帆晨阳琳雪婷慧颖欣怡嘉子轩睿博涵思雨瑶晓东海波"))

# (unit name, field, disciplines as (name, subject group)); a unit takes 2–6 of its list
UNIT_TEMPLATES = (
    ("文学院", "humanities_social", (("中国古代文学", "general"), ("中国现当代文学", "general"),
                                    ("语言学及应用语言学", "general"), ("汉语言文字学", "general"),
                                    ("比较文学与世界文学", "general"), ("文艺学", "general"))),
    ("历史学院", "humanities_social", (("中国古代史", "ancient_studies"), ("考古学", "ancient_studies"),
                                      ("中国近现代史", "general"), ("世界史", "general"),
                                      ("历史文献学", "ancient_studies"))),
    ("哲学学院", "humanities_social", (("马克思主义哲学", "general"), ("中国哲学", "general"), ("外国哲学", "general"),
                                      ("伦理学", "general"), ("逻辑学", "general"), ("宗教学", "general"))),
    ("外国语言文学学院", "humanities_social", (("英语语言文学", "foreign_language"), ("大学英语", "university_english"),
                                              ("日语语言文学", "foreign_language"), ("法语语言文学", "foreign_language"),
                                              ("俄语语言文学", "foreign_language"), ("德语语言文学", "foreign_language"))),
    ("新闻与传播学院", "humanities_social", (("新闻学", "general"), ("传播学", "general"), ("广播电视学", "general"),
                                            ("广告学", "general"))),
    ("经济与管理学院", "humanities_social", (("金融学", "general"), ("企业管理", "general"), ("会计学", "general"),
                                            ("国际贸易学", "general"), ("统计学", "general"),
                                            ("管理科学与工程", "general"))),
    ("法学院", "humanities_social", (("民商法学", "general"), ("宪法学与行政法学", "general"), ("刑法学", "general"),
                                    ("国际法学", "general"), ("经济法学", "general"))),
    ("艺术学院", "humanities_social", (("美术学", "art"), ("设计学", "art"), ("音乐学", "art"), ("戏剧与影视学", "art"))),
    ("体育学院", "science", (("体育教育训练学", "pe"), ("运动人体科学", "pe"), ("民族传统体育学", "pe"))),
    ("国防教育学院", "humanities_social", (("军事思想", "military"), ("军事历史", "military"))),
    ("数学与统计学院", "science", (("基础数学", "general"), ("应用数学", "general"), ("计算数学", "general"),
                                  ("概率论与数理统计", "general"), ("运筹学与控制论", "general"))),
    ("物理科学与技术学院", "science", (("理论物理", "general"), ("凝聚态物理", "general"), ("光学", "general"),
                                      ("原子与分子物理", "general"), ("粒子物理与原子核物理", "general"))),
    ("化学与分子科学学院", "science", (("有机化学", "general"), ("无机化学", "general"), ("分析化学", "general"),
                                      ("物理化学", "general"), ("高分子化学与物理", "general"))),
    ("生命科学学院", "science", (("生物化学与分子生物学", "general"), ("遗传学", "general"), ("微生物学", "general"),
                                ("植物学", "general"), ("生态学", "general"), ("细胞生物学", "general"))),
    ("资源与环境科学学院", "science", (("环境科学", "general"), ("地图学与地理信息系统", "general"),
                                      ("自然地理学", "general"), ("人文地理学", "general"))),
    ("计算机学院", "science", (("计算机软件与理论", "general"), ("计算机系统结构", "general"),
                              ("计算机应用技术", "general"), ("网络空间安全", "general"))),
    ("电子信息学院", "science", (("通信与信息系统", "general"), ("信号与信息处理", "general"),
                                ("电路与系统", "general"), ("电磁场与微波技术", "general"))),
    ("动力与机械学院", "science", (("机械制造及其自动化", "general"), ("机械电子工程", "general"),
                                  ("热能工程", "general"), ("电机与电器", "general"))),
    ("土木建筑工程学院", "science", (("结构工程", "general"), ("岩土工程", "general"), ("建筑学", "general"),
                                    ("桥梁与隧道工程", "general"))),
    ("基础医学院", "science", (("病理学与病理生理学", "general"), ("免疫学", "general"),
                              ("人体解剖与组织胚胎学", "general"), ("病原生物学", "general"), ("药理学", "general"))),
)
MAX_DISC = max(len(t[2]) for t in UNIT_TEMPLATES)
DISC_PER_UNIT = ((2, 0.12), (3, 0.30), (4, 0.28), (5, 0.18), (6, 0.12))   # 2–6 disciplines a unit
STAFF_PER_UNIT = 380
SENIOR_RATIO = {"A": 0.65, "B": 0.50, "C": 0.45}  # shapes the sample only; caps come from the policy
FULL_SHARE = 0.4                                   # likewise (quotas.full_senior_share)
LEVEL_RATIO = {"full": (2, 3, 5), "associate": (2, 4, 4), "intermediate": (3, 4, 3), "junior": (5, 5)}
GROUP_LEVELS = {"full": (2, 3, 4), "associate": (5, 6, 7), "intermediate": (8, 9, 10), "junior": (11, 12)}
GROUP_OF_LEVEL = {lv: g for g, lvs in GROUP_LEVELS.items() for lv in lvs}
GROUP_OF_LEVEL[1] = "full"
NEXT_POST = {"associate": "full", "intermediate": "associate", "junior": "intermediate", "other": "junior"}
OVER_CAP_SHARE = 0.17        # disciplines holding more senior posts than their cap
OVER_ESTABLISHMENT_UNITS = 0.12
WOMEN_SHARE = 0.46
MIN_AGE = 24
CAREER_NOISE_YEARS = 5.0     # spread of the career score around age (years)


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
    """Units of 2–6 disciplines (names from the unit's template), categories by unit strength."""
    n_units = max(20, n_staff // STAFF_PER_UNIT)
    template = np.arange(n_units) % len(UNIT_TEMPLATES)
    copy = np.arange(n_units) // len(UNIT_TEMPLATES)
    t_names = np.array([t[0] for t in UNIT_TEMPLATES], dtype=object)
    unit_name = np.where(copy == 0, t_names[template],
                         t_names[template] + "（" + (copy + 1).astype(str).astype(object) + "）")
    names = np.full((len(UNIT_TEMPLATES), MAX_DISC), "", dtype=object)
    sgroups = np.full((len(UNIT_TEMPLATES), MAX_DISC), "general", dtype=object)
    for t, (_, _, discs) in enumerate(UNIT_TEMPLATES):   # twenty templates
        names[t, :len(discs)] = [d[0] for d in discs]
        sgroups[t, :len(discs)] = [d[1] for d in discs]
    t_fields = np.array([t[1] for t in UNIT_TEMPLATES], dtype=object)
    available = np.array([len(t[2]) for t in UNIT_TEMPLATES])[template]
    sizes, probs = zip(*DISC_PER_UNIT)
    k = np.minimum(rng.choice(np.array(sizes), n_units, p=np.array(probs)), available)
    key = rng.random((n_units, MAX_DISC))
    key[np.arange(MAX_DISC)[None, :] >= available[:, None]] = 2.0      # slots the template lacks go last
    slot = np.argsort(key, axis=1)[np.arange(MAX_DISC)[None, :] < k[:, None]]   # the first k per unit
    unit_of = np.repeat(np.arange(n_units), k)
    tpl = template[unit_of]
    n_disc = unit_of.size
    strength = rng.beta(2.0, 2.0, n_units)          # a strong unit has more doctoral programmes
    p = 0.6 * strength[unit_of] + 0.4 * rng.random(n_disc)
    category = np.where(p > 0.62, "A", np.where(p > 0.32, "B", "C")).astype(object)
    disc = pd.DataFrame({
        "discipline_id": _codes("D", np.arange(1, n_disc + 1), 5),
        "discipline_name": names[tpl, slot],
        "unit_id": _codes("U", unit_of + 1, 4),
        "unit_name": unit_name[unit_of],
        "category": category,
    })
    return disc, sgroups[tpl, slot], t_fields[tpl], unit_of


def _fill(total: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Spread ``total`` over columns ordered lowest level first, each up to its cap; any excess
    goes to the lowest level (a discipline over its cap has its extra people at the entry level)."""
    before = np.cumsum(caps, axis=1) - caps
    occ = np.clip(total[:, None] - before, 0, caps)
    occ[:, 0] += np.maximum(total - caps.sum(axis=1), 0)
    return occ


def _level_counts(rng, on_est_count: np.ndarray, est: np.ndarray, category) -> np.ndarray:
    """Posts held per discipline and level (columns levels 2…12) by the staff on the establishment:
    senior occupancy at or a few posts under the caps, about OVER_CAP_SHARE of disciplines 1–3 over."""
    n = on_est_count.size
    pct = pd.Series(category).map({k: round(v * 100) for k, v in SENIOR_RATIO.items()}).to_numpy(np.int64)
    cap = est * pct // 100
    full_cap = (cap * round(FULL_SHARE * 100)) // 100
    assoc_cap = cap - full_cap
    over = np.zeros(n, dtype=bool)
    over[rng.choice(n, int(round(OVER_CAP_SHARE * n)), replace=False)] = True
    under = rng.choice(np.array([0, 0, 1, 1, 2, 3, 4]), n)
    full = np.where(over & (rng.random(n) < 0.3), full_cap + 1, full_cap - rng.choice(np.array([0, 0, 1, 1, 2]), n))
    full = np.clip(full, 0, on_est_count)
    assoc = np.where(over, cap - full + rng.integers(1, 4, n), np.minimum(cap - under, cap) - full)
    assoc = np.clip(np.where(over, assoc, np.minimum(assoc, assoc_cap)), 0, on_est_count - full)
    f_caps = split_levels_array(full_cap, list(LEVEL_RATIO["full"]))[:, ::-1]        # L4, L3, L2
    a_caps = split_levels_array(assoc_cap, list(LEVEL_RATIO["associate"]))[:, ::-1]  # L7, L6, L5
    occ_full = _fill(full, f_caps)[:, ::-1]
    occ_assoc = _fill(assoc, a_caps)[:, ::-1]
    rest = on_est_count - full - assoc
    junior = np.rint(rest * rng.uniform(0.06, 0.2, n)).astype(np.int64)
    inter = split_levels_array(rest - junior, list(LEVEL_RATIO["intermediate"]), "largest_remainder")
    jun = split_levels_array(junior, list(LEVEL_RATIO["junior"]), "largest_remainder")
    return np.hstack([occ_full, occ_assoc, inter, jun]).astype(np.int64)   # levels 2 … 12


def _ages(rng, n: int, as_of: dt.date, pol) -> tuple[np.ndarray, np.ndarray]:
    """Sex and birth dates of people in working life: 24 or older, before their retirement month (N1)."""
    sex = np.where(rng.random(n) < WOMEN_SHARE, WOMEN, MEN).astype(object)
    today = np.datetime64(as_of, "D")
    top = np.where(sex == MEN, pol.get("retirement.target_age.men"), pol.get("retirement.target_age.women_cadre"))
    birth = np.empty(n, dtype="datetime64[D]")
    todo = np.arange(n)
    for _ in range(30):        # redraw whoever is past retirement; a handful of rounds, not people
        age_days = ((MIN_AGE + rng.beta(2.1, 2.0, todo.size) * (top[todo] - MIN_AGE)) * 365.25).astype(np.int64)
        birth[todo] = today - age_days.astype("timedelta64[D]")
        retired = retirement_month(birth[todo], sex[todo], policy=pol) <= today.astype("datetime64[M]")
        todo = todo[retired]
        if not todo.size:
            break
    if todo.size:   # practically never: place them ten years below their retirement age
        birth[todo] = today - ((top[todo] - 10) * 365.25).astype(np.int64).astype("timedelta64[D]")
    return sex, birth


def _jan_first(day: np.ndarray) -> np.ndarray:
    return day.astype("datetime64[Y]").astype("datetime64[D]")


def _staff(rng, disc: pd.DataFrame, groups, fields, unit_of, n: int, as_of: dt.date, pol):
    n_disc = len(disc)
    n_units = int(unit_of.max()) + 1
    w = rng.lognormal(0.0, 0.55, n_disc) * rng.lognormal(0.0, 0.3, n_units)[unit_of]
    di = rng.choice(n_disc, size=n, p=w / w.sum())
    on_est = rng.random(n) < 0.94
    sex, birth = _ages(rng, n, as_of, pol)
    today = np.datetime64(as_of, "D")
    age = (today - birth).astype(np.int64) / 365.25

    # establishment: a few units over it (超编), the others with a few vacant posts
    count = np.bincount(di[on_est], minlength=n_disc)
    n_over = max(2, round(OVER_ESTABLISHMENT_UNITS * n_units))
    over_unit = np.zeros(n_units, dtype=bool)
    over_unit[rng.choice(n_units, n_over, replace=False)] = True
    over = over_unit[unit_of]
    est = np.where(over, np.floor(count * rng.uniform(0.88, 0.97, n_disc)),
                   np.ceil(count * rng.uniform(1.0, 1.1, n_disc))).astype(np.int64)
    est = np.maximum(est, 1)

    # levels: rank the staff on the establishment of each discipline by a career score
    counts = _level_counts(rng, count, est, disc["category"].to_numpy())
    score = age + rng.normal(0.0, CAREER_NOISE_YEARS, n)    # some reach a level early, some late
    order = np.lexsort((-score, ~on_est, di))          # by discipline, on establishment first, senior first
    start = np.searchsorted(di[order], np.arange(n_disc))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[di[order]]
    cum = np.cumsum(counts, axis=1)
    level = np.full(n, 12, dtype=np.int64)
    est_rows = np.flatnonzero(on_est)
    level[est_rows] = 2 + (cum[di[est_rows]] <= rank[est_rows, None]).sum(axis=1)
    off = ~on_est                                      # contract staff and postdocs: mostly below senior
    u = rng.random(n)
    level[off] = np.select([age[off] < 30, u[off] < 0.12], [rng.integers(10, 13, n)[off], rng.integers(5, 8, n)[off]],
                           rng.integers(8, 11, n)[off])
    level = np.minimum(level, 12)
    group = np.select([level <= 4, level <= 7, level <= 10], [0, 1, 2], 3)

    # degree and hire: a doctorate from 28, a master's from 25
    young = age < 45
    p_doc = np.where(young, np.array([0.95, 0.9, 0.75, 0.3])[group], np.array([0.7, 0.55, 0.35, 0.15])[group])
    p_doc = np.where(age < 28, 0.0, p_doc)
    ud = rng.random(n)
    bachelor = (age < 25) | (ud > np.where(age >= 50, 0.93, np.where(group >= 2, 0.88, 1.0)))   # a few lecturers
    deg = np.where(ud < p_doc, 0, np.where(bachelor, 2, 1))
    degree = _pick(["doctorate", "master", "bachelor"], deg)
    degree_age = np.array([28.0, 25.0, 22.0])[deg] + rng.uniform(0, 4, n) * np.array([1.0, 0.6, 0.4])[deg]
    moved = rng.random(n) < 0.15                       # came from another institution mid-career
    hire_age = degree_age + rng.uniform(0, 1.0, n) + np.where(moved, rng.uniform(2, 15, n), 0)
    hire_age = np.minimum(hire_age, age - 0.3)
    hire = birth + (hire_age * 365.25).astype(np.int64).astype("timedelta64[D]")
    service = (today - hire).astype(np.int64) / 365.25

    # years in the group and at the level; appointments start on 1 January (four-year terms, §29)
    lo, hi = np.array([0.2, 0.25, 0.45, 0.8])[group], np.array([0.5, 0.6, 1.0, 1.0])[group]
    in_group = service * rng.uniform(lo, hi)
    entry = np.isin(level, [4, 7, 10, 12])
    at_level = np.where(entry, in_group, in_group * rng.uniform(0.3, 0.8, n))
    rank_since = np.maximum(_jan_first(today - (in_group * 365.25).astype(np.int64).astype("timedelta64[D]")), hire)
    post_since = np.maximum(_jan_first(today - (at_level * 365.25).astype(np.int64).astype("timedelta64[D]")),
                            rank_since)

    # annual appraisals: 优秀 for about one in seven; no result for a year not worked in full
    results = ["优秀", "合格", "基本合格", "不合格", None]
    code_r = [np.searchsorted([0.15, 0.988, 0.996, 1.0], rng.random(n), side="right").clip(0, 3) for _ in range(3)]
    for k in (1, 2):
        code_r[k] = np.where(hire > np.datetime64(f"{as_of.year - k - 1}-01-01", "D"), 4, code_r[k])
    appr = [_pick(results, c) for c in code_r]
    staff = pd.DataFrame({
        "staff_id": _codes("T", np.arange(1, n + 1), 7),
        "name": _names(rng, n),
        "id_number": _id_numbers(rng, birth),
        "sex": sex,
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
def generate(rng: np.random.Generator, tables: dict, n_staff: int, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """Disciplines, staff, applicants, recommendations, committee_members and relatives."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    pol = _policy.load(as_of)
    disc, groups, fields, unit_of = _disciplines(rng, n_staff)
    if n_staff < 10 * len(disc):
        raise ValueError(f"n_staff must be at least {10 * len(disc)} for the sample institution")
    staff, est = _staff(rng, disc, groups, fields, unit_of, n_staff, as_of, pol)
    disc["establishment"] = est
    applicants = _fix_types(_random_applicants(rng, staff, as_of))
    recs = _recommendations(rng, applicants, as_of)
    committees, relatives = _committees(rng, disc, staff, as_of)
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
    pick = (rng.random(len(staff)) < np.where(ready, 0.12, 0.004)) & (group != "full")
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
        "national_language_test_passed": u[8] < 0.95,
        "moe_training_certificate": u[8] > 0.95,
        "toefl": np.where(u[9] < 0.1, np.round(rng.uniform(70, 110, n)), np.nan),
        "gre": np.nan, "gre_scale": np.nan,
        "ielts": np.where(u[9] > 0.93, np.round(rng.uniform(5, 8, n) * 2) / 2, np.nan),
        "testdaf_level": np.nan, "tef": np.nan,
        "foreign_language_degree": u[10] < 0.03,
        "overseas_doctorate_certified": u[10] > 0.9,
        "indexed_foreign_papers": rng.poisson(1.5, n),
        "overseas_months": np.round(np.where(u[11] < 0.05, rng.uniform(0, 6, n), rng.uniform(12, 30, n)), 1),
        "teaching_percentile": np.where(u[1] < 0.03, np.nan, np.round(rng.uniform(1, 64, n), 1)),
        "last_failed_year": np.where(u[3] > 0.9, as_of.year - rng.integers(1, 3, n), np.nan),
        "last_failed_post": np.where(u[3] > 0.9, target, None),
        "recusal_requests": rng.choice([0, 0, 0, 0, 0, 1, 2, 3, 4], n, p=[0.15] * 5 + [0.1, 0.08, 0.05, 0.02]),
        "peer_review_exemption": np.where(u[4] > 0.995, "985_full_senior", None),
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
    for c in ("last_failed_post", "peer_review_exemption"):
        a[c] = a[c].astype(object).where(a[c].notna(), None)
    return a


def _recommendations(rng, applicants: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """2–4 qualified experts for each extra-post or recruited-talent applicant (≥3 needed, P6 §16)."""
    need = (applicants["extra_post"] | applicants["recruited_talent"]).to_numpy(dtype=bool)
    k = np.where(need, rng.choice(np.array([2, 3, 3, 3, 4]), len(applicants)), 0)
    app_idx = np.repeat(np.arange(len(applicants)), k)
    j = np.arange(app_idx.size) - np.repeat(np.cumsum(k) - k, k)
    etype = np.where(rng.random(app_idx.size) < 0.5, "overseas_full_professor", "domestic_level_2_plus").astype(object)
    recs = pd.DataFrame({
        "application_id": applicants["application_id"].to_numpy()[app_idx],
        "expert_id": _codes("E", 100000 + app_idx * 10 + j, 7), "expert_type": etype,
        "recommendation_date": pd.Timestamp(as_of) - pd.Timedelta(days=20),
    })
    recs["recommendation_date"] = recs["recommendation_date"].astype("datetime64[ns]")
    return recs


def _committees(rng, disc: pd.DataFrame, staff: pd.DataFrame, as_of: dt.date):
    """Unit sub-committees (dean, party secretary, 9–11 professors, administrative-post holders within
    the §21 limit of 40 %), discipline panels of 11–15 full-senior experts (§20), the school committee;
    planted violations: the first unit's sub-committee has twelve professors, the second one
    administrative-post holder too many, the last panel only ten experts.  Plus a few near-relative pairs."""
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
    n_prof.iloc[0] = 12            # planted: too many professors (§21: 9–11)
    m = s[s["_rank"] < s["unit_id"].map(n_prof).to_numpy() + 2].copy()
    rank = m["_rank"].to_numpy()
    size = m.groupby("unit_id")["staff_id"].transform("size").to_numpy()
    limit = (size * 2) // 5        # at most 40 % of all members hold administrative posts
    role = np.where(rank == 0, "dean", np.where(rank == 1, "party_secretary", "professor")).astype(object)
    wants = (rank <= 1) | (rng.random(len(m)) < 0.15)    # dean, secretary, heads of department
    nth = pd.Series(wants.astype(np.int64)).groupby(m["unit_id"].to_numpy()).cumsum().to_numpy()
    admin = wants & (nth <= limit)
    planted = (m["unit_id"] == units[1]).to_numpy()      # planted: one administrative-post holder too many
    admin[planted] = rank[planted] < limit[planted] + 1
    unit_c = pd.DataFrame({
        "committee_id": "FWH-" + m["unit_id"].astype(str).to_numpy().astype(object),
        "body": "unit_subcommittee", "unit_id": m["unit_id"].to_numpy(), "year": year,
        "member_id": m["staff_id"].to_numpy(), "role": role, "holds_admin_post": admin,
        "full_senior": m["_full"].to_numpy(),
    })
    sizes = [11, 13, 15, 10]   # planted: the last is too small (§20: 11–15)
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
    n_pairs = max(3, len(staff) // 500)
    a = rng.choice(len(staff), n_pairs, replace=False)
    b = (a + 1 + rng.integers(0, len(staff) - 1, n_pairs)) % len(staff)
    rel = pd.DataFrame({"staff_id": staff["staff_id"].to_numpy()[a], "relative_id": staff["staff_id"].to_numpy()[b]})
    rel = rel[rel["staff_id"] != rel["relative_id"]].drop_duplicates().reset_index(drop=True)
    return committees, rel
