"""Calendar arithmetic shared by every rule that counts years or months (vectorised).

Periods follow the Civil Code of the PRC (arts. 201–203, 1259): a period of N years or months
ends on the corresponding day; where the end month has no such day (29 February, the 31st), the
last day of that month is used.  So "满 N 年" (N full years) is reached on the anniversary itself,
and someone who started on 2024-02-29 completes a year on 2025-02-28.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd


def as_date(value: Any) -> dt.date:
    """One date from a ``date``, ``datetime`` or ISO text ``YYYY-MM-DD``; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"bad date {value!r}, expected YYYY-MM-DD / 日期格式错误") from None


def as_datetime64(values) -> np.ndarray:
    """Dates (scalar, list, array, Series, DatetimeIndex) as a 1-d ``datetime64[ns]`` array."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return pd.to_datetime(pd.Series(np.atleast_1d(values))).to_numpy(dtype="datetime64[ns]")


def add_months(dates, months) -> np.ndarray:
    """``dates`` + ``months`` calendar months, the day kept or cut to the month end (31 Jan + 1 →
    28/29 Feb; 29 Feb 2024 + 24 → 28 Feb 2026).  ``months`` broadcasts; NaT stays NaT."""
    d = as_datetime64(dates).astype("datetime64[D]")
    k = np.broadcast_to(np.asarray(months, dtype=np.int64), d.shape)
    nat = np.isnat(d)
    d = np.where(nat, np.datetime64("2000-01-01"), d)
    m0 = d.astype("datetime64[M]")
    day = (d - m0.astype("datetime64[D]")).astype(np.int64)
    m1 = m0 + k.astype("timedelta64[M]")
    days_in_month = ((m1 + 1).astype("datetime64[D]") - m1.astype("datetime64[D]")).astype(np.int64)
    out = m1.astype("datetime64[D]") + np.minimum(day, days_in_month - 1).astype("timedelta64[D]")
    return np.where(nat, np.datetime64("NaT"), out).astype("datetime64[ns]")


def month_number(dates: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each ``datetime64`` date's month."""
    return dates.astype("datetime64[M]").astype(np.int64)


def full_months_between(start, stop) -> np.ndarray:
    """Completed months from ``start`` to ``stop`` (largest k with ``add_months(start, k) <= stop``);
    negative when ``stop`` is before ``start``."""
    a, b = as_datetime64(start), as_datetime64(stop)
    a, b = np.broadcast_arrays(a, b)
    k = month_number(b) - month_number(a)
    return k - (add_months(a, k) > b)


def full_years(start, on) -> np.ndarray:
    """Completed years from ``start`` to ``on`` (满 N 年, N 周岁): the count goes up on the
    anniversary, on 28 February for a 29 February start in a common year.  Negative when ``on`` is
    before ``start``; -1 where either date is missing.  Int64 array out; ``on`` may be one date."""
    a, b = as_datetime64(start), as_datetime64(on)
    a, b = np.broadcast_arrays(a, b)
    missing = np.isnat(a) | np.isnat(b)
    a = np.where(missing, np.datetime64("2000-01-01", "ns"), a)
    b = np.where(missing, np.datetime64("2000-01-01", "ns"), b)
    years = full_months_between(a, b) // 12
    return np.where(missing, -1, years).astype(np.int64)
