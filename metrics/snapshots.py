"""Precomputed month-end MRR (``mrr_snapshot``), roll-up and health inputs, rebuilt after loads.

Pages never recompute MRR history: every load (import, demo build, settings change) calls
:func:`refresh_derived` inside its transaction. Rules: METRICS.md, section MRR.
"""

from __future__ import annotations

from datetime import date

import duckdb

from metrics.pricing import pricing_sql
from store.db import get_meta, set_meta
from store.settings import MetricSettings, load_settings
from store.sql import load_sql, one_row


def subscription_mrr_cte() -> str:
    """The shared SQL (a CTE chain ending in ``subscription_mrr``) that prices subscriptions."""
    return pricing_sql("subscription_mrr.sql", priced_on="snaps.snap")


def refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``mrr_snapshot``, ``account_rollup``, ``mrr_unit_events`` and the health inputs.

    The caller owns the transaction. The snapshot covers every month from the first
    subscription start to the horizon (:func:`data_horizon`); later months are computed live.
    ``health_fact_snapshot`` holds the event-based health inputs of the dates pages score by
    default (:func:`metrics.health.refresh_health_facts`) and ``renewal_likelihood_snapshot``
    the renewal likelihood on the data's as-of date
    (:func:`metrics.renewals.refresh_renewal_likelihood`).
    """
    settings = load_settings(con, MetricSettings)
    con.execute("DELETE FROM mrr_snapshot")
    con.execute("DELETE FROM account_rollup")
    first = one_row(con.execute(
        "SELECT min(start_date) FROM subscriptions WHERE coalesce(charge_type, 'recurring') "
        "= 'recurring'"
    ))[0]
    horizon = _compute_horizon(con)
    if first is not None and horizon is not None:
        sql = (
            load_sql(__file__, "sql/refresh_snapshot.sql")
            + subscription_mrr_cte()
            + "\nSELECT account_id, plan, month, mrr FROM subscription_mrr"
        )
        con.execute(
            sql,
            {
                "first_month": first.replace(day=1),
                "horizon": horizon,
                "reporting_currency": settings.reporting_currency,
                "deduct_discounts": settings.deduct_discounts,
            },
        )
    con.execute(load_sql(__file__, "sql/refresh_rollup.sql"))
    set_meta(con, "mrr_horizon", horizon.isoformat() if horizon else "")
    _refresh_unit_events(con, settings, horizon)
    # Health and renewals build on this module, hence the late imports.
    from metrics.health import refresh_health_facts
    from metrics.renewals import refresh_renewal_likelihood

    refresh_health_facts(con)
    refresh_renewal_likelihood(con)


def _refresh_unit_events(
    con: duckdb.DuckDBPyConnection, settings: MetricSettings, horizon: date | None
) -> None:
    """Precompute every unit's month-end movements up to the horizon, for these settings."""
    from metrics.movements import add_months, full_unit_events_sql, month_end

    con.execute("DELETE FROM mrr_unit_events")
    if horizon is not None:
        con.execute(
            # Month order lets one month be read through DuckDB's zone maps.
            "INSERT INTO mrr_unit_events " + full_unit_events_sql() + "\nORDER BY month, unit_id",
            {
                "segments": [], "plans": [], "regions": [], "owners": [],
                "live_months": [], "live_snaps": [],
                "as_of": month_end(horizon),
                "cur_month": add_months(horizon, 1),
                "horizon": horizon,
                "last_month": horizon,
                "parent_level": settings.view_level == "parent",
                "react_days": settings.reactivation_window_days,
                "reporting_currency": settings.reporting_currency,
                "deduct_discounts": settings.deduct_discounts,
            },
        )
    set_meta(con, "unit_events_settings", settings.model_dump_json())


def _compute_horizon(con: duckdb.DuckDBPyConnection) -> date | None:
    """Last month precomputed: the later of the data's as-of month and the last start month."""
    last_start = one_row(con.execute("SELECT max(start_date) FROM subscriptions"))[0]
    as_of_text = get_meta(con, "data_as_of")
    candidates = [d for d in (last_start, _parse_date(as_of_text)) if d is not None]
    return max(candidates).replace(day=1) if candidates else None


def data_horizon(con: duckdb.DuckDBPyConnection) -> date | None:
    """First day of the last precomputed month, or None when nothing is loaded."""
    return _parse_date(get_meta(con, "mrr_horizon"))


def default_as_of(con: duckdb.DuckDBPyConnection, today: date) -> date:
    """The as-of date a session starts on: the data's own as-of date if recorded, else today."""
    return _parse_date(get_meta(con, "data_as_of")) or today


def _parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def apply_metric_settings(con: duckdb.DuckDBPyConnection, settings: MetricSettings) -> int:
    """Save new metric conventions and rebuild derived tables in one transaction.

    Returns the new data version (so cached pages recompute). On any error nothing changes.
    """
    from store.db import bump_data_version

    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM settings WHERE key = $key", {"key": MetricSettings.__name__})
        con.execute(
            "INSERT INTO settings VALUES ($key, $value, current_timestamp)",
            {"key": MetricSettings.__name__, "value": settings.model_dump_json()},
        )
        refresh_derived(con)
        version = bump_data_version(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return version


def revenue_months(con: duckdb.DuckDBPyConnection, *, as_of: date) -> list[date]:
    """Months (first days) from the first month with MRR to ``as_of``'s month, oldest first.

    Empty when no subscription has started by ``as_of``. Cheap: reads the precomputed table.
    """
    first = one_row(con.execute(
        "SELECT min(month) FROM mrr_snapshot WHERE month <= $as_of", {"as_of": as_of}
    ))[0]
    if first is None:
        first = one_row(con.execute(
            "SELECT min(start_date) FROM subscriptions WHERE start_date <= $as_of "
            "AND coalesce(charge_type, 'recurring') = 'recurring' "
            "AND coalesce(status, 'active') <> 'trial' AND amount > 0",
            {"as_of": as_of},
        ))[0]
    if first is None:
        return []
    months: list[date] = []
    month = first.replace(day=1)
    while month <= as_of.replace(day=1):
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
