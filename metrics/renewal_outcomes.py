"""Renewal outcomes and the quarterly renewal KPIs (METRICS.md, Renewals; docs/renewals.md).

A renewal is due on the ``term_end`` D of a recurring subscription; an account with several
subscriptions ending on D has one renewal on D. Its outcome is known once the grace period is
over, so outcomes cover renewals due on or before as-of − ``grace_days``:

- ``arr_due`` = 12 × the account's MRR on D − 1, the last day of the old term (all its
  recurring subscriptions, METRICS.md MRR rules). Renewals with ``arr_due`` = 0 are left out.
- ``arr_renewed`` = 12 × the account's MRR on D + ``grace_days``. 0 means churned.
- Outcome: churn (``arr_renewed`` = 0), renewal with upsell / with downsell (``arr_renewed``
  above / below ``arr_due``, compared in cents), else renewal.
- ``renewed_on``: when the renewal happened. D when the account's MRR on D is above 0 (no
  gap); after a gap, the first start of a paying recurring subscription after D, up to as-of
  (so a late comeback counts, even after the grace period). A 'renewed' status logged earlier
  in ``renewal_work`` moves it earlier. Missing when the account never came back.

Rates reuse :mod:`metrics.renewal_rates`. MRR on arbitrary days is priced per account by
``sql/renewal_point_mrr.sql`` (the shared pricing pieces of ``metrics.pricing``).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import Filters
from metrics.pricing import pricing_sql
from metrics.renewal_rates import (
    RenewalOutcome,
    gross_renewal_rate,
    logo_renewal_rate,
    net_renewal_rate,
)
from metrics.renewal_settings import RenewalSettings
from store.settings import MetricSettings, load_settings
from store.sql import load_sql

OUTCOMES: tuple[str, ...] = ("renewal", "renewal with upsell", "renewal with downsell", "churn")
OUTCOME_KEYS: dict[str, str] = {
    "renewal": "renewal",
    "renewal with upsell": "upsell",
    "renewal with downsell": "downsell",
    "churn": "churn",
}
"""Short names used in the KPI column names (count_upsell, arr_due_upsell, …)."""
EARLIEST = date(1900, 1, 1)

KPI_COLUMNS: tuple[str, ...] = (
    "quarter", "complete", "renewals_due", "arr_due", "arr_renewed",
    "gross_renewal_rate", "net_renewal_rate", "logo_renewal_rate", "final_renewal_rate",
    "in_quarter_renewal_rate", "renewed_before_expiration_share", "renewals_contacted",
    "avg_contact_days_in_advance",
    *(f"count_{key}" for key in OUTCOME_KEYS.values()),
    *(f"arr_due_{key}" for key in OUTCOME_KEYS.values()),
)


def resolve_settings(
    con: duckdb.DuckDBPyConnection, settings: RenewalSettings | None
) -> RenewalSettings:
    """``settings``, or the stored :class:`RenewalSettings` (defaults when none stored)."""
    return settings if settings is not None else load_settings(con, RenewalSettings)


def price_points(cursor: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection) -> None:
    """Build temp table ``renewal_point_mrr`` (account_id, on_date, mrr) on ``cursor``.

    The cursor must hold a temp table ``renewal_points(account_id, on_date)``.
    """
    metric = load_settings(con, MetricSettings)
    cursor.execute(
        pricing_sql("renewal_point_mrr.sql", priced_on="p.on_date"),
        {
            "reporting_currency": metric.reporting_currency,
            "deduct_discounts": metric.deduct_discounts,
        },
    )


def quarter_start(day: date) -> date:
    """First day of ``day``'s quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    """Last day of ``day``'s quarter."""
    start = quarter_start(day)
    last_month = start.month + 2
    return date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` months later (earlier when negative), clamped to the month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def as_dates(values: pd.Series) -> pd.Series:
    """A date-like column as ``datetime.date`` objects, None where missing."""
    days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    # NaT converts to None, a day to datetime.date.
    return pd.Series(days.astype(object), index=values.index, dtype=object)


def renewal_outcomes(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    filters: Filters | None = None,
    due_after: date | None = None,
) -> pd.DataFrame:
    """Every renewal due on or before ``as_of − grace_days`` (after ``due_after`` if given).

    Filters: segment, region and CSM owner select accounts; plan keeps renewals where one of
    the subscriptions due is on the plan; the month range keeps renewals due in those months.

    Returns:
        One row per account and due date, ordered by renewal_date, account_id. Columns:
        account_id, name, segment, csm_owner; renewal_date (D, ``datetime.date``); quarter
        (first day of D's quarter); arr_due, arr_renewed (reporting currency per year, see
        the module docstring); outcome (one of :data:`OUTCOMES`); renewed (bool, arr_renewed
        above 0); renewed_on (``datetime.date`` or None); renewed_before_expiration (bool,
        renewed_on on or before D); first_touch_at (timestamp of the first logged change with a
        status other than 'not contacted' before D, NaT when none); contact_days_in_advance
        (days from that touch's date to D, NaN when none).
    """
    settings = resolve_settings(con, settings)
    filters = filters or Filters()
    due_until = as_of - timedelta(days=settings.grace_days)
    if filters.end_month is not None:
        next_month = shift_months(filters.end_month.replace(day=1), 1)
        due_until = min(due_until, next_month - timedelta(days=1))
    lower = due_after or EARLIEST
    if filters.start_month is not None:
        lower = max(lower, filters.start_month.replace(day=1) - timedelta(days=1))
    cursor = con.cursor()
    try:
        cursor.execute(
            load_sql(__file__, "sql/renewal_due.sql"),
            {**filters.sql_params(), "due_after": lower, "due_until": due_until},
        )
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE renewal_points AS"
            " SELECT account_id, CAST(renewal_date - 1 AS DATE) AS on_date FROM renewal_due"
            " UNION SELECT account_id, renewal_date FROM renewal_due"
            " UNION SELECT account_id, CAST(renewal_date + $grace AS DATE) FROM renewal_due",
            {"grace": settings.grace_days},
        )
        price_points(cursor, con)
        frame = cursor.execute(
            load_sql(__file__, "sql/renewal_outcomes.sql"),
            {"grace": settings.grace_days, "as_of": as_of},
        ).df()
    finally:
        cursor.close()
    for column in ("renewal_date", "quarter", "renewed_on"):
        frame[column] = as_dates(frame[column])
    frame["contact_days_in_advance"] = frame["contact_days_in_advance"].astype(float)
    return frame


def _rate(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _timed(rows: pd.DataFrame, renewed: pd.Series) -> list[RenewalOutcome]:
    """Outcomes that count ARR due as renewed where ``renewed`` holds (final / in-quarter)."""
    return [
        RenewalOutcome(account, due, due if ok else 0.0)
        for account, due, ok in zip(rows["account_id"], rows["arr_due"], renewed, strict=True)
    ]


def _quarter_kpis(rows: pd.DataFrame, quarter: date, *, as_of: date, grace_days: int) -> dict:
    end = quarter_end(quarter)
    outcomes = [
        RenewalOutcome(a, d, r)
        for a, d, r in zip(rows["account_id"], rows["arr_due"], rows["arr_renewed"], strict=True)
    ]
    renewed_on = rows["renewed_on"]
    ever = renewed_on.notna()
    in_quarter = pd.Series([v is not None and v <= end for v in renewed_on], index=rows.index)
    contacted = rows["contact_days_in_advance"].dropna()
    kpis = {
        "quarter": quarter,
        "complete": end + timedelta(days=grace_days) <= as_of,
        "renewals_due": len(rows),
        "arr_due": float(rows["arr_due"].sum()),
        "arr_renewed": float(rows["arr_renewed"].sum()),
        "gross_renewal_rate": _rate(gross_renewal_rate(outcomes)),
        "net_renewal_rate": _rate(net_renewal_rate(outcomes)),
        "logo_renewal_rate": _rate(logo_renewal_rate(outcomes)),
        "final_renewal_rate": _rate(gross_renewal_rate(_timed(rows, ever))),
        "in_quarter_renewal_rate": _rate(gross_renewal_rate(_timed(rows, in_quarter))),
        "renewed_before_expiration_share": (
            float(rows["renewed_before_expiration"].mean()) if len(rows) else np.nan
        ),
        "renewals_contacted": len(contacted),
        "avg_contact_days_in_advance": float(contacted.mean()) if len(contacted) else np.nan,
    }
    for outcome, key in OUTCOME_KEYS.items():
        kpis[f"count_{key}"] = int((rows["outcome"] == outcome).sum())
    for outcome, key in OUTCOME_KEYS.items():
        kpis[f"arr_due_{key}"] = float(rows.loc[rows["outcome"] == outcome, "arr_due"].sum())
    return kpis


def kpis_from_outcomes(
    outcomes: pd.DataFrame,
    *,
    as_of: date,
    grace_days: int,
    quarters: Sequence[date] | None = None,
) -> pd.DataFrame:
    """Renewal KPIs per quarter of the due date, from :func:`renewal_outcomes`.

    ``quarters`` (first days) lists the quarters to report, with zero rows for quarters
    without renewals; by default every quarter that has renewals.

    Returns:
        One row per quarter, oldest first; columns :data:`KPI_COLUMNS`: quarter (first day,
        ``datetime.date``); complete (bool: the quarter's last day + grace is on or before
        as-of, so every renewal due in it has an outcome); renewals_due (count) and arr_due
        (reporting currency per year); arr_renewed (uncapped); gross_renewal_rate,
        net_renewal_rate, logo_renewal_rate (fractions, :mod:`metrics.renewal_rates`);
        final_renewal_rate (share of ARR due renewed at any time up to as-of) and
        in_quarter_renewal_rate (… renewed on or before the quarter's last day);
        renewed_before_expiration_share (share of renewals whose renewed_on is on or before
        the due date); renewals_contacted (renewals with a logged touch before the due date)
        and avg_contact_days_in_advance (days, mean over those); count_renewal, count_upsell,
        count_downsell, count_churn (renewals per outcome) and arr_due_renewal …
        arr_due_churn (ARR due per outcome; they add up to arr_due). Rates are NaN when
        nothing was due.
    """
    wanted = sorted(set(outcomes["quarter"])) if quarters is None else list(quarters)
    groups = {q: rows for q, rows in outcomes.groupby("quarter", sort=True)}
    empty = outcomes.iloc[0:0]
    records = [
        _quarter_kpis(groups.get(q, empty), q, as_of=as_of, grace_days=grace_days)
        for q in wanted
    ]
    frame = pd.DataFrame.from_records(records, columns=list(KPI_COLUMNS))
    frame["quarter"] = frame["quarter"].astype(object)
    for column in ("renewals_due", "renewals_contacted",
                   *(f"count_{key}" for key in OUTCOME_KEYS.values())):
        frame[column] = frame[column].astype("int64")
    frame["complete"] = frame["complete"].astype(bool)
    return frame


def renewal_kpis(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Renewal KPIs per quarter for every quarter with a decided renewal (METRICS.md).

    Only renewals whose grace period has ended by ``as_of`` count, so the latest quarter is
    partial (``complete`` False). Filters as in :func:`renewal_outcomes`.

    Returns:
        The columns of :func:`kpis_from_outcomes`, one row per quarter, oldest first.
    """
    settings = resolve_settings(con, settings)
    outcomes = renewal_outcomes(con, as_of=as_of, settings=settings, filters=filters)
    return kpis_from_outcomes(outcomes, as_of=as_of, grace_days=settings.grace_days)


def renewal_history(
    outcomes: pd.DataFrame,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    quarters: int = 4,
) -> pd.DataFrame:
    """The KPIs of the last ``quarters`` quarters up to ``as_of``'s, zero rows included.

    For the history part of the pipeline page. ``settings`` only supply ``grace_days``
    (defaults when None).

    Returns:
        The columns of :func:`kpis_from_outcomes`, one row per quarter, oldest first.
    """
    if quarters < 1:
        raise ValueError("quarters must be at least 1")
    settings = settings or RenewalSettings()
    current = quarter_start(as_of)
    wanted = [shift_months(current, -3 * k) for k in range(quarters - 1, -1, -1)]
    return kpis_from_outcomes(
        outcomes, as_of=as_of, grace_days=settings.grace_days, quarters=wanted
    )


def without_plans(filters: Filters | None) -> Filters:
    """The account part of ``filters`` (the plan filter removed)."""
    return replace(filters or Filters(), plans=())
