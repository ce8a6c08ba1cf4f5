"""MRR movements: new, expansion, contraction, churn, reactivation (METRICS.md, Movements).

Each unit (an account, or its top-level parent at parent level) is compared month-end to
month-end. The current month's snapshot is the as-of date itself. The bridge
``start + new + expansion + reactivation - contraction - churn = end`` holds for every month
and every filter because every unit-month falls in exactly one case of the table.
A month-end view cannot see an account that joins and churns inside one month.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics.filters import Filters, month_start
from metrics.snapshots import data_horizon, subscription_mrr_cte
from store.db import get_meta
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


def _full_sql() -> str:
    """Full computation from month-end snapshots (+ live months): window over all history."""
    return (
        "WITH "
        + load_sql(__file__, "sql/live_snaps.sql")
        + ",\n"
        + subscription_mrr_cte()
        + ",\n"
        + load_sql(__file__, "sql/unit_month.sql")
        + ",\n"
        + load_sql(__file__, "sql/unit_rows.sql")
        + ",\n"
        + load_sql(__file__, "sql/classify.sql")
        + load_sql(__file__, "sql/events_with_12m.sql")
    )


def _fast_sql() -> str:
    """Precomputed past months plus the as-of month classified live."""
    return (
        "WITH "
        + load_sql(__file__, "sql/live_snaps.sql")
        + ",\n"
        + subscription_mrr_cte()
        + ",\n"
        + load_sql(__file__, "sql/unit_events_fast.sql")
        + load_sql(__file__, "sql/classify.sql")
        + load_sql(__file__, "sql/unit_events_fast_tail.sql")
    )


NO_ATTRIBUTE_FILTER = (
    ("$attribute_values", "CAST([] AS VARCHAR[])"),
    ("$attribute", "CAST('' AS VARCHAR)"),
)
"""The custom-attribute filter's parameters as 'no filter' literals (longest name first)."""


def full_unit_events_sql() -> str:
    """SQL (a SELECT) of every unit-month event; used to precompute ``mrr_unit_events``.

    The precomputation is unfiltered, so the attribute filter is written in as 'none' and the
    caller binds only the other filter parameters (empty lists).
    """
    sql = _full_sql()
    for name, literal in NO_ATTRIBUTE_FILTER:
        sql = sql.replace(name, literal)
    return sql


def _can_use_precomputed(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters,
    settings: MetricSettings,
    horizon: date | None,
) -> bool:
    """The precomputed events fit when they were built with these settings and cover last month.

    Plan filters change which MRR counts, and at parent level an account filter (segment,
    region, CSM owner or custom attribute) changes what rolls up, so both take the full
    computation.
    """
    if horizon is None or filters.plans:
        return False
    if settings.view_level == "parent" and filters.selects_accounts:
        return False
    if add_months(month_start(as_of), -1) > horizon:
        return False
    built_with = get_meta(con, "unit_events_settings")
    return built_with == settings.model_dump_json()


@contextmanager
def unit_events(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters,
    settings: MetricSettings | None = None,
    use_precomputed: bool = True,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a private cursor holding the temp table ``unit_events`` for these inputs.

    Columns: unit_id, month (first day), cohort_month, mrr_start, mrr_end, new, expansion,
    contraction, churn, reactivation, mrr_end_12m_later (the unit's MRR 12 months later, NULL
    when that is after the as-of month) — money in the reporting currency per month.
    Both paths (precomputed past months, or everything from snapshots) give the same rows;
    ``use_precomputed=False`` forces the full computation (tests compare the two).
    """
    stored = load_settings(con, MetricSettings)
    settings = settings or stored
    horizon = data_horizon(con)
    current = month_start(as_of)
    fast = use_precomputed and _can_use_precomputed(
        con, as_of=as_of, filters=filters, settings=settings, horizon=horizon
    )
    params = {
        **filters.sql_params(),
        "as_of": as_of,
        "cur_month": current,
        "parent_level": settings.view_level == "parent",
        "react_days": settings.reactivation_window_days,
        "reporting_currency": settings.reporting_currency,
        "deduct_discounts": settings.deduct_discounts,
    }
    if fast:
        sql = _fast_sql()
        params.pop("plans")  # never set on this path
        params.update(
            live_months=[current],
            live_snaps=[as_of],
            prev_month=add_months(current, -1),
            year_ago_month=add_months(current, -12),
            all_units=not filters.selects_accounts,
        )
    else:
        sql = _full_sql()
        live_months, live_snaps = _live_snapshots(as_of, horizon)
        params.update(
            live_months=live_months,
            live_snaps=live_snaps,
            horizon=horizon or date.min,
            last_month=current,
        )
    cursor = con.cursor()
    try:
        if fast:
            _create_fast_unit_events(cursor, sql, params)
        else:
            cursor.execute("CREATE OR REPLACE TEMP TABLE unit_events AS " + sql, params)
        yield cursor
    finally:
        cursor.close()


UNIT_FILTER = "AND unit_id IN (SELECT unit_id FROM unit_selection)"
ACCOUNT_FILTER_PARAMS = ("segments", "regions", "owners", "attribute", "attribute_values")
"""Parameters of the account filters, bound only by ``sql/unit_selection.sql`` on this path."""


def _create_fast_unit_events(
    cursor: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]
) -> None:
    """Materialise only the live part; ``unit_events`` is a view over it and the precomputed
    rows, so the 1M+ past rows are scanned by each aggregate instead of copied."""
    unit_filter = "" if params.pop("all_units") else UNIT_FILTER
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE unit_params AS SELECT CAST($cur_month AS DATE) AS "
        "cur_month, CAST($year_ago_month AS DATE) AS year_ago_month",
        {k: params[k] for k in ("cur_month", "year_ago_month")},
    )
    if unit_filter:
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE unit_selection AS "
            + load_sql(__file__, "sql/unit_selection.sql"),
            {k: params[k] for k in (*ACCOUNT_FILTER_PARAMS, "parent_level")},
        )
    for key in ACCOUNT_FILTER_PARAMS:
        params.pop(key)
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE unit_events_live AS "
        + sql.replace("/*unit_filter*/", unit_filter),
        params,
    )
    cursor.execute(
        load_sql(__file__, "sql/unit_events_view.sql").replace("/*unit_filter*/", unit_filter)
    )


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


def from_unit_events(
    con: duckdb.DuckDBPyConnection,
    read: Callable[..., pd.DataFrame],
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
    use_precomputed: bool = True,
) -> pd.DataFrame:
    """Run one reader (``read(cursor, as_of=…, filters=…)``) over fresh :func:`unit_events`.

    ``use_precomputed=False`` computes everything from the snapshots (used to verify that the
    precomputed path gives the same answer).
    """
    filters = filters or Filters()
    with unit_events(
        con, as_of=as_of, filters=filters, settings=settings, use_precomputed=use_precomputed
    ) as cursor:
        return read(cursor, as_of=as_of, filters=filters)


def mrr_movements(
    con: duckdb.DuckDBPyConnection, *, as_of: date, **options: Any
) -> pd.DataFrame:
    """Monthly MRR bridge; see :func:`monthly_movements_from` for the columns and
    :func:`from_unit_events` for the options (filters, settings, use_precomputed)."""
    return from_unit_events(con, monthly_movements_from, as_of=as_of, **options)


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
