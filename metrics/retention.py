"""Net and gross revenue retention and cohort retention (METRICS.md, Rates)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics.filters import Filters
from metrics.movements import from_unit_events
from store.sql import load_sql


def trailing_retention_from(
    cursor: duckdb.DuckDBPyConnection, *, as_of: date, filters: Filters
) -> pd.DataFrame:
    """Trailing-12-month NRR and GRR by month, from a :func:`unit_events` cursor.

    Columns: month, cohort_customers (customers 12 months earlier), cohort_mrr_then,
    cohort_mrr_now, nrr, grr (fractions). Months with no customers 12 months earlier are absent.
    """
    first, last = filters.month_bounds(as_of)
    frame = cursor.execute(
        load_sql(__file__, "sql/trailing_retention.sql"),
        {"first_month": first, "last_month": last},
    ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def cohorts_from(
    cursor: duckdb.DuckDBPyConnection, *, as_of: date, filters: Filters
) -> pd.DataFrame:
    """Cohort retention, long format, from a :func:`unit_events` cursor.

    Columns: cohort (month of first MRR), months_since_start (k = 0, 1, ...),
    cohort_customers, customers (still paying at k), logo_retention, mrr (cohort MRR at k),
    revenue_retention (cohort MRR at k / cohort MRR at k = 0). Ordered by cohort, k.
    """
    first, last = filters.month_bounds(as_of)
    frame = cursor.execute(
        load_sql(__file__, "sql/cohorts.sql"), {"first_month": first, "last_month": last}
    ).df()
    frame["cohort"] = pd.to_datetime(frame["cohort"]).dt.date
    return frame


def trailing_retention(
    con: duckdb.DuckDBPyConnection, *, as_of: date, **options: Any
) -> pd.DataFrame:
    """NRR and GRR by month; see :func:`trailing_retention_from` (options as
    :func:`metrics.movements.from_unit_events`)."""
    return from_unit_events(con, trailing_retention_from, as_of=as_of, **options)


def cohort_retention(
    con: duckdb.DuckDBPyConnection, *, as_of: date, **options: Any
) -> pd.DataFrame:
    """Cohort retention; see :func:`cohorts_from` (options as
    :func:`metrics.movements.from_unit_events`)."""
    return from_unit_events(con, cohorts_from, as_of=as_of, **options)
