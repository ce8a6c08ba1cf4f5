"""Vectorised calendar arithmetic on day numbers (days since 1970-01-01, ``int64`` arrays).

Month arithmetic clips the day to the target month's length (31 Jan + 1 month = 28/29 Feb,
+ 2 months = 31 Mar), computed from the anchor each time, exactly as DuckDB's
``date + to_months(k)``, so billing periods computed here and in SQL agree.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)


def day_number(value: date) -> int:
    """Days since 1970-01-01."""
    return (value - EPOCH).days


def to_date(day: int) -> date:
    """The calendar date of a day number."""
    return EPOCH + timedelta(days=int(day))


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """``days`` shifted by whole ``months`` (may be negative), day clipped to month length."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_in_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    return (first + np.minimum(day_in_month, length - 1)).astype(np.int64)


def month_start(days: np.ndarray) -> np.ndarray:
    """First day of the month of each day."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return d.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def day_of_month(days: np.ndarray) -> np.ndarray:
    """Day of month, 1-31."""
    return np.asarray(days, dtype=np.int64) - month_start(days) + 1


def next_period_boundary(anchor: np.ndarray, day: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Smallest ``anchor + j*months`` (j >= 1) that is on or after ``day``.

    Used to let a cancellation take effect at the end of the paid billing period.
    """
    anchor = np.asarray(anchor, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    months = np.asarray(months, dtype=np.int64)
    approx = np.floor((day - anchor) / (30.437 * months)).astype(np.int64)
    best = np.full(anchor.shape, np.iinfo(np.int64).max, dtype=np.int64)
    for offset in (-1, 0, 1, 2):
        j = np.maximum(approx + offset, 1)
        candidate = add_months(anchor, j * months)
        ok = candidate >= day
        best = np.where(ok & (candidate < best), candidate, best)
    return best
