"""Calendar arithmetic (Civil Code arts. 201–203, 1259), shared by every year/month rule."""

import numpy as np
import pandas as pd

from staffcalc.dates import add_months, full_months_between, full_years


def d(*s):
    return pd.to_datetime(list(s)).values


def test_full_years_counts_on_the_anniversary_not_the_day_before():
    # 满5年: appointed 2021-09-01 → 5 full years on 2026-09-01, 4 on 2026-08-31
    assert full_years(d("2021-09-01", "2021-09-01"), d("2026-09-01", "2026-08-31")).tolist() == [5, 4]


def test_full_years_29_february_start_completes_on_28_february():
    # art. 202: no corresponding day in 2025 → the last day of February
    assert full_years(d("2024-02-29", "2024-02-29"), d("2025-02-27", "2025-02-28")).tolist() == [0, 1]
    assert full_years(d("2024-02-29"), d("2028-02-29")).tolist() == [4]


def test_full_years_one_date_broadcasts_and_missing_is_minus_one():
    assert full_years(d("2000-01-01", "1976-09-02"), "2026-09-01").tolist() == [26, 49]
    assert full_years(pd.Series([pd.NaT, pd.Timestamp("2000-01-01")]), "2026-01-01").tolist() == [-1, 26]
    assert full_years(d("2026-09-02"), d("2026-09-01")).tolist() == [-1]  # before the start


def test_add_months_cuts_to_the_month_end():
    got = add_months(d("2026-01-31", "2024-02-29", "2027-07-01", "2026-03-31"), [1, 24, 96, -1])
    assert [str(x)[:10] for x in got] == ["2026-02-28", "2026-02-28", "2035-07-01", "2026-02-28"]
    assert np.isnat(add_months(pd.Series([pd.NaT]), 3)).all()


def test_full_months_between():
    # 2024-01-31 + 1 month = 2024-02-29 ≤ 2024-02-29 → 1; a day earlier → 0
    assert full_months_between(d("2024-01-31", "2024-01-31"), d("2024-02-29", "2024-02-28")).tolist() == [1, 0]
    assert full_months_between(d("2027-07-01"), d("2035-07-01")).tolist() == [96]
