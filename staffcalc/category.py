"""A discipline's post category from its degree programmes (P6 §9; spec §2.1).

P6 §9: 設崗學科分為A、B、C三類,其中,A類為一級學科博士學位授權點(單位),二級學科博士學位授權點(學科);
B類為二級學科碩士學位授權點(學科);C類為一般學科。各學科可選擇最高類別核崗,不得重復計算。

:func:`discipline_category` derives the category of each discipline from its programme columns —
a first-level or second-level doctoral programme → A, a second-level master's programme → B,
anything else → C — taking the **highest** category once (a discipline with both a doctoral and a
master's programme is A, not A and B).  Which columns count for which category, highest first, is
the policy's ``quotas.category.programmes`` mapping; the category with no columns is the fallback.

The programme columns are optional input (``disciplines`` table): a row whose programme cells are all
empty keeps its given ``category``; a row with any programme cell filled is derived (an empty cell
in such a row reads as "no such programme").  A given category that disagrees with the derived one
is a **warning**, never an error: ``category_warning`` says both (in Chinese, for the report), and
``quotas.category.conflict`` (interpretation) says which one the caps use — ``derived`` (default,
the §9 rule) or ``given`` (the register as entered).  :func:`category_warnings` lists those rows
for a report.  Vectorised: one pass per category, not per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .checks import policy_or_default
from .policy import Policy, PolicyError
from .quotas import booleans, check

__all__ = ["PROGRAMMES_PATH", "CONFLICT_PATH", "programme_columns", "discipline_category", "category_warnings"]

PROGRAMMES_PATH = "quotas.category.programmes"
CONFLICT_PATH = "quotas.category.conflict"


def programme_columns(policy: Policy | None = None) -> list[str]:
    """Every programme column the policy's category rule reads, in policy order."""
    rule = policy_or_default(policy).get(PROGRAMMES_PATH)
    return [c for cols in rule.values() for c in cols]


def _yes(df: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(filled, true) masks of an optional yes/no programme column (absent: nothing filled)."""
    if column not in df.columns:
        n = len(df)
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    filled = df[column].notna().to_numpy()
    return filled, booleans(df, column, missing=False, table="disciplines")


def discipline_category(disciplines: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """The category each discipline's senior cap uses (P6 §9), with the derivation beside it.

    ``disciplines`` has ``discipline_id``, ``category`` (may be empty where programmes are given) and
    optionally the programme columns of :func:`programme_columns` (``doctoral_first_level``,
    ``doctoral_second_level``, ``master_second_level``; yes/no).  Returns a frame on the same index
    with ``category_given``, ``category_derived`` (empty where no programme cell is filled),
    ``category`` (the one used), ``category_source`` (``given`` / ``derived``) and
    ``category_warning`` ('' when the two agree or only one is known).  A row with neither a given
    category nor any programme cell is an error naming the discipline.
    """
    pol = policy_or_default(policy)
    rule = pol.get(PROGRAMMES_PATH)
    fallback = [c for c, cols in rule.items() if not cols]
    if len(fallback) != 1:
        raise PolicyError(f"{PROGRAMMES_PATH}: exactly one category must list no programmes (the general one), "
                          f"got {fallback} / 须且仅须有一个类别不列学位授权点（一般学科）")
    n = len(disciplines)
    given = disciplines["category"].astype(object).to_numpy() if "category" in disciplines.columns \
        else np.full(n, np.nan, dtype=object)
    has_given = pd.notna(given)
    any_filled = np.zeros(n, dtype=bool)
    conditions, names = [], []
    for cat, cols in rule.items():  # highest category first: np.select takes the first that holds
        held = np.zeros(n, dtype=bool)
        for c in cols:
            filled, yes = _yes(disciplines, c)
            any_filled |= filled
            held |= yes
        if cols:
            conditions.append(held)
            names.append(cat)
    derived = np.select(conditions, names, default=fallback[0]).astype(object) if n else np.array([], dtype=object)
    derived = np.where(any_filled, derived, None)
    ids = disciplines["discipline_id"].to_numpy() if "discipline_id" in disciplines.columns else disciplines.index
    check(~has_given & ~any_filled, ids, "category", "category_unknown",
          f"no category and no programme columns ({', '.join(programme_columns(pol))}) to derive it from (P6 §9)",
          "未填学科类别，也未填学位授权点，无法确定学科类别", table="disciplines")

    disagree = has_given & any_filled & (given.astype(str) != derived.astype(str))
    conflict = pol.get(CONFLICT_PATH)
    if conflict not in ("derived", "given"):
        raise PolicyError(f"{CONFLICT_PATH}: {conflict!r} is not derived or given / 未知的类别冲突处理方式")
    use_derived = any_filled & (~has_given | (conflict == "derived"))
    used = np.where(use_derived, derived, given)
    g, d, u = (pd.Series(a, dtype=object).astype(str) for a in (given, derived, used))
    warning = "学科类别填为" + g + "类，按学位授权点应为" + d + "类（P6 §9），核岗按" + u + "类"  # shown to readers
    return pd.DataFrame({
        "category_given": given,
        "category_derived": derived,
        "category": used,
        "category_source": np.where(use_derived, "derived", "given").astype(object),
        "category_warning": np.where(disagree, warning.to_numpy(dtype=object), ""),
    }, index=disciplines.index)


def category_warnings(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a quota table (or :func:`discipline_category` output joined to the disciplines)
    whose given category disagrees with the programmes: ``discipline_id``, ``discipline_name``,
    ``category_given``, ``category_derived``, ``category``, ``category_warning``."""
    cols = [c for c in ("discipline_id", "discipline_name", "category_given", "category_derived", "category",
                        "category_warning") if c in table.columns]
    return table.loc[table["category_warning"].astype(str) != "", cols].reset_index(drop=True)
