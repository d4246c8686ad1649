"""The headline of each report: the few figures a committee reads first, computed from the package's results.

Each function takes what the calculation modules return and gives a table, one row per figure:
``key`` (stable, for comparisons), ``label`` (Chinese), ``value`` and ``kind`` (``count``, ``money``,
``share``, ``fte``).  Reports show it first and put it on the workbook's first sheet; tests call the
same functions.  :func:`save` writes ``<name>.headline.json`` beside the report; :func:`previous` finds
the one of the last successful run in the same output folder, and :func:`with_change` adds the change
since then.

Over-quota has three levels, each with one Chinese label used in headline, tables and charts
(:data:`OVER_LABELS`):

* ``over_establishment`` 超编 — posts held on the establishment exceed the discipline's establishment;
* ``over_senior_cap`` 超出高级岗位上限 — senior posts held exceed the P6 §9 cap (policy);
* ``over_structure`` 超出结构比例 — within the cap, the full/associate split or a level's share of
  the §11 structure is exceeded (the split is a planning assumption: a softer signal).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import write_text

OVER_LABELS = {
    "over_establishment": "超编",
    "over_senior_cap": "超出高级岗位上限（第九条）",
    "over_structure": "超出结构比例（规划假设）",
}
# The breached caps in quotas.quota_table's ``over_quota_items`` (codes senior, full, associate, L2…L7).
_LEVEL_ZH = dict(zip(range(1, 13), "一二三四五六七八九十"))
ITEM_LABELS = {"senior": "高级岗位上限", "full": "正高岗位", "associate": "副高岗位",
               **{f"L{lv}": f"{_LEVEL_ZH[lv]}级岗位" for lv in range(2, 8)}}

COLUMNS = ["key", "label", "value", "kind"]
# The figures the run index (reports/index.html) shows per report, by key.
INDEX_KEYS = {
    "post_quotas": ["establishment", "senior_cap", "vacancy_net", "over_senior_cap", "excess_senior"],
    "appraisal_distribution": ["teachers", "share_0", "removals", "allowance"],
    "leave_cost_impact": ["fte_away", "balance", "breaches", "breach_liability"],
}


def _frame(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def over_levels(table: pd.DataFrame) -> pd.DataFrame:
    """For each discipline of ``quotas.quota_table``: the three over-quota flags and people over each.

    ``excess_establishment`` = posts held − establishment where positive (held = every level, on the
    establishment); ``excess_senior`` = senior posts held − §9 cap where positive;
    ``over_items_zh``: the breached caps in Chinese (``高级岗位上限、三级岗位`` …).
    """
    held = table[["occupied_senior", "occupied_intermediate", "occupied_junior"]].sum(axis=1)
    if "occupied_other" in table:
        held = held + table["occupied_other"]
    excess_est = np.maximum(held - table["establishment"], 0)
    excess_senior = np.maximum(-table["vacancy_senior"], 0)
    items = table["over_quota_items"].fillna("").str.split(";")
    over_senior = excess_senior > 0
    return pd.DataFrame({
        "posts_held": held,
        "over_establishment": excess_est > 0,
        "excess_establishment": excess_est,
        "over_senior_cap": over_senior,
        "excess_senior": excess_senior,
        "over_structure": table["over_quota"].astype(bool) & ~over_senior,
        "over_items_zh": items.map(lambda xs: "、".join(ITEM_LABELS.get(x, x) for x in xs if x)),
    }, index=table.index)


def post_quotas(table: pd.DataFrame) -> pd.DataFrame:
    """Headline of the post-quota report from ``quotas.quota_table`` (P6 §9, §11)."""
    over = over_levels(table)
    gross = np.maximum(table["vacancy_senior"], 0)
    return _frame([
        ("disciplines", "学科数", len(table), "count"),
        ("establishment", "编制数", int(table["establishment"].sum()), "count"),
        ("senior_cap", "高级岗位上限", int(table["senior_cap"].sum()), "count"),
        ("full_cap", "其中正高岗位", int(table["full_cap"].sum()), "count"),
        ("associate_cap", "其中副高岗位", int(table["associate_cap"].sum()), "count"),
        ("occupied_senior", "高级岗位在岗人数", int(table["occupied_senior"].sum()), "count"),
        ("occupied_full", "其中正高在岗", int(table["occupied_full"].sum()), "count"),
        ("occupied_associate", "其中副高在岗", int(table["occupied_associate"].sum()), "count"),
        ("vacancy_gross", "高级岗位空额（各学科空额之和）", int(gross.sum()), "count"),
        ("vacancy_net", "高级岗位净空额（空额减超出人数）", int(table["vacancy_senior"].sum()), "count"),
        ("over_senior_cap", f"{OVER_LABELS['over_senior_cap']}的学科", int(over["over_senior_cap"].sum()), "count"),
        ("excess_senior", "超出高级岗位上限的人数", int(over["excess_senior"].sum()), "count"),
        ("over_establishment", f"{OVER_LABELS['over_establishment']}学科", int(over["over_establishment"].sum()), "count"),
        ("excess_establishment", "超编人数", int(over["excess_establishment"].sum()), "count"),
        ("over_structure", f"{OVER_LABELS['over_structure']}的学科", int(over["over_structure"].sum()), "count"),
    ])


def appraisal(monthly: pd.DataFrame, removal: pd.DataFrame, grades: list[str]) -> pd.DataFrame:
    """Headline of the appraisal report: teachers, grade shares, removals due, allowance (P5 §3–§8).

    ``monthly``: ``scoring.monthly_appraisal`` rows in scope; ``removal``: ``scoring.removal_status``;
    ``grades``: the grade names in order (``scoring.grade_bands``)."""
    shares = monthly["grade"].astype(str).value_counts(normalize=True).reindex(grades, fill_value=0.0)
    rows = [
        ("teachers", "班主任人数", int(monthly["staff_id"].nunique()), "count"),
        ("teacher_months", "月考核人月数", len(monthly), "count"),
        *[(f"share_{i}", f"{g}占比", float(shares[g]), "share") for i, g in enumerate(grades)],
        ("removals", "应调离班主任岗位人数", int((removal["removal_status"] == "remove").sum()), "count"),
        ("at_risk", "预警人数（最近一学期不合格）", int((removal["removal_status"] == "at_risk").sum()), "count"),
        ("allowance", "班主任津贴合计", float(monthly["allowance"].sum()), "money"),
        ("forfeited", "扣除津贴人月数", int(monthly["allowance_forfeited"].sum()), "count"),
    ]
    return _frame(rows)


def leave_cost(proj, mode_labels: dict[str, str]) -> pd.DataFrame:
    """Headline of the leave-cost report from ``leave_cost.project`` (P1 §7–§11).

    Episodes away in the horizon by mode (``mode_labels``: code → Chinese), full-time equivalents away
    (monthly average), withheld pay, cover cost, the balance 代课经费结余（+）/缺口（−） = −gap (the withheld
    pay that feeds the external-teacher fund − cover cost; ``leave_cost.project``), people who left before their service period ended and the amounts to recover."""
    people = proj.people
    away = people[people["months_in_horizon"] > 0]
    by_mode = away["mode"].value_counts()
    m = proj.monthly_totals
    withheld, cover = float(m["withheld"].sum()), float(m["cover_cost"].sum())
    rows = [
        ("fte_away", "离岗折合全时人数（月平均）", float(m["fte_away"].mean()) if len(m) else 0.0, "fte"),
        *[(f"episodes_{code}", f"{label}人次", int(by_mode.get(code, 0)), "count")
          for code, label in mode_labels.items()],
        ("withheld", "扣发金额", withheld, "money"),
        ("cover_cost", "外聘代课费用", cover, "money"),
        ("balance", "代课经费结余（+）/缺口（−）", -float(m["gap"].sum()), "money"),
        ("breaches", "未满服务期离职人数", int(proj.obligations["people_in_breach"].sum()), "count"),
        ("breach_liability", "应追偿违约金额", float(proj.obligations["breach_liability"].sum()), "money"),
        ("refunds_due", "中断学习应退还金额", float(proj.obligations["refunds_due"].sum()), "money"),
    ]
    return _frame(rows)


# -- change since the previous successful run --------------------------------------------------------


def _file(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.headline.json"


def save(headline: pd.DataFrame, out_dir: str | Path, name: str) -> Path:
    """Write the headline as ``<out_dir>/<name>.headline.json`` (atomically)."""
    rows = [{"key": r.key, "label": r.label, "value": float(r.value), "kind": r.kind}
            for r in headline[COLUMNS].itertuples(index=False)]
    return write_text(_file(Path(out_dir), name), json.dumps(rows, ensure_ascii=False, indent=1))


def load(path: str | Path) -> pd.DataFrame | None:
    """A saved headline, or None when the file is missing or unreadable."""
    try:
        return pd.DataFrame(json.loads(Path(path).read_text(encoding="utf-8")), columns=COLUMNS)
    except (OSError, ValueError, TypeError):
        return None


def previous(out_dir: str | Path, name: str) -> pd.DataFrame | None:
    """The headline of the same report in the last successful run of the same output folder, if any.

    A run writes into ``<out>/.tmp-<run-id>/[<unit>/]<name>/``; the last successful run is
    ``<out>/latest`` (:func:`staffcalc.report.publish.latest_run`).  Outside a report run (a
    notebook run by hand into any folder) there is none."""
    from .report.publish import RUN_ID, TMP_PREFIX, latest_run

    out_dir = Path(out_dir).resolve()
    for run_dir in out_dir.parents:
        if run_dir.name.startswith(TMP_PREFIX) or RUN_ID.match(run_dir.name):
            last = latest_run(run_dir.parent)
            if last is None or last.resolve() == run_dir:
                return None
            return load(_file(last / out_dir.relative_to(run_dir), name))
    return None


def with_change(headline: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """``headline`` with ``change`` = value − the previous run's value (blank where there is none)."""
    out = headline.copy()
    if before is None:
        out["change"] = np.nan
        return out
    prior = before.set_index("key")["value"]
    out["change"] = out["value"] - out["key"].map(prior)
    return out
