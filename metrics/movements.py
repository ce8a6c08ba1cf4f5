"""MRR movements: new, expansion, contraction, churn, reactivation (METRICS.md, Movements).

Each unit (an account, or its top-level parent at parent level) is compared month-end to
month-end. The current month's snapshot is the as-of date itself. The bridge
``start + new + expansion + reactivation - contraction - churn = end`` holds for every month
and every filter because every unit-month falls in exactly one case of the table.
A month-end view cannot see an account that joins and churns inside one month.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pandas as pd

from metrics.filters import Filters, month_start
from metrics.snapshots import data_horizon, subscription_mrr_cte
from store.settings import MetricSettings, load_settings
from store.sql import load_sql

MOVEMENT_COLUMNS = ["new", "expansion", "contraction", "churn", "reactivation"]


def month_end(month: date) -> date:
    """Last day of ``month``'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, n: int) -> date:
    """First day of the month ``n`` months after ``month``'s month."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _live_snapshots(as_of: date, horizon: date | None) -> tuple[list[date], list[date]]:
    """Months computed live: after the precomputed horizon, and the as-of month at as-of."""
    current = month_start(as_of)
    months: list[date] = []
    month = add_months(horizon, 1) if horizon else current
    while month < current:
        months.append(month)
        month = add_months(month, 1)
    months.append(current)
    snaps = [month_end(m) for m in months[:-1]] + [as_of]
    return months, snaps


@contextmanager
def unit_events(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters,
    settings: MetricSettings | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a private cursor holding the temp table ``unit_events`` for these inputs.

    Columns: unit_id, month (first day), cohort_month, mrr_start, mrr_end, new, expansion,
    contraction, churn, reactivation — money in the reporting currency per month.
    """
    settings = settings or load_settings(con, MetricSettings)
    horizon = data_horizon(con)
    live_months, live_snaps = _live_snapshots(as_of, horizon)
    sql = (
        load_sql(__file__, "sql/unit_events_head.sql")
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/unit_events_tail.sql")
    )
    cursor = con.cursor()
    try:
        cursor.execute(
            sql,
            {
                **filters.sql_params(),
                "live_months": live_months,
                "live_snaps": live_snaps,
                "cur_month": month_start(as_of),
                "horizon": horizon or date.min,
                "as_of": as_of,
                "parent_level": settings.view_level == "parent",
                "react_days": settings.reactivation_window_days,
                "reporting_currency": settings.reporting_currency,
                "deduct_discounts": settings.deduct_discounts,
            },
        )
        yield cursor
    finally:
        cursor.close()


def monthly_movements_from(
    cursor: duckdb.DuckDBPyConnection, *, as_of: date, filters: Filters
) -> pd.DataFrame:
    """The monthly bridge from a cursor prepared by :func:`unit_events`.

    Columns: month (first day), mrr_start, customers_start, new, expansion, contraction, churn,
    reactivation, mrr_end, customers, new_customers, churned_customers, reactivated_customers.
    One row per month from the first month with MRR (or the filter's start) to the as-of month.
    """
    first, last = filters.month_bounds(as_of)
    frame = cursor.execute(
        load_sql(__file__, "sql/monthly_movements.sql"),
        {"first_month": first, "last_month": last},
    ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def mrr_movements(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> pd.DataFrame:
    """Monthly MRR bridge; see :func:`monthly_movements_from` for the columns."""
    filters = filters or Filters()
    with unit_events(con, as_of=as_of, filters=filters, settings=settings) as cursor:
        return monthly_movements_from(cursor, as_of=as_of, filters=filters)


def account_movements(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> pd.DataFrame:
    """Per unit and month: unit_id, month, cohort_month, mrr_start, mrr_end and movements.

    Only unit-months with MRR at the start or end of the month appear; ordered by unit, month.
    """
    filters = filters or Filters()
    with unit_events(con, as_of=as_of, filters=filters, settings=settings) as cursor:
        frame = cursor.execute("SELECT * FROM unit_events ORDER BY unit_id, month").df()
    for column in ("month", "cohort_month"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
