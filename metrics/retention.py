"""Net and gross revenue retention and cohort retention (METRICS.md, Rates)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics.filters import Filters
from metrics.movements import unit_events
from store.settings import MetricSettings
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
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
    use_precomputed: bool = True,
) -> pd.DataFrame:
    """NRR and GRR by month; see :func:`trailing_retention_from`."""
    filters = filters or Filters()
    with unit_events(
        con, as_of=as_of, filters=filters, settings=settings, use_precomputed=use_precomputed
    ) as cursor:
        return trailing_retention_from(cursor, as_of=as_of, filters=filters)


def cohort_retention(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> pd.DataFrame:
    """Cohort retention; see :func:`cohorts_from`."""
    filters = filters or Filters()
    with unit_events(con, as_of=as_of, filters=filters, settings=settings) as cursor:
        return cohorts_from(cursor, as_of=as_of, filters=filters)
