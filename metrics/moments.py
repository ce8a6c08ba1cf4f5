"""Revenue moments: dated, evidenced reasons for a CSM to contact an account now.

Each rule (card expiring, payment failed, reinstated, upsell, usage drop, underutilised,
anniversary, seat milestone, NPS detractor / promoter, renewal window, seats added) is one block
of ``sql/moments_rules.sql`` with its thresholds from :class:`MomentSettings`; docs/health.md
describes each. Rules about a state rather than an event (usage levels) are dated on the as-of
date. Only accounts with a recurring subscription in force on the as-of date are considered,
selected with the same filters and population as :func:`metrics.health.health_scores`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb
import pandas as pd

from metrics.filters import Filters
from metrics.health import health_tables
from metrics.health_settings import MomentSettings
from store.settings import load_settings
from store.sql import load_sql

MOMENT_TYPES: tuple[str, ...] = (
    "card_expiring",
    "payment_failed",
    "reinstated",
    "upsell",
    "usage_drop",
    "underutilised",
    "anniversary",
    "seat_milestone",
    "nps_detractor",
    "nps_promoter",
    "renewal_window",
    "seats_added",
)
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


def revenue_moments(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: MomentSettings | None = None,
    filters: Filters | None = None,
    account_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every revenue moment on ``as_of``, at most one per account and moment type.

    ``settings`` default to the stored :class:`MomentSettings`. Filters as in
    :func:`metrics.health.health_scores` (plans = an active subscription on the plan);
    ``account_ids`` restricts the feed to those accounts (Account 360 reads one).

    Returns:
        Columns: account_id, account_name, csm_owner, segment, moment_type (one of
        :data:`MOMENT_TYPES`), occurred_on (``datetime.date``; the as-of date for usage
        states), evidence (plain words with the numbers), amount_at_stake (reporting currency:
        the failed amount for payment_failed and reinstated when known, else the account's ARR
        on ``as_of``), suggested_next_step, severity ('high' | 'medium' | 'low').
        Ordered by occurred_on descending, account_id, moment_type.
    """
    settings = settings if settings is not None else load_settings(con, MomentSettings)
    with health_tables(
        con,
        as_of=as_of,
        snap_dates=[as_of],
        filters=filters,
        account_ids=account_ids,
        with_inputs=False,
    ) as cursor:
        frame = cursor.execute(
            load_sql(__file__, "sql/moments_rules.sql"),
            {
                "as_of": as_of,
                "billing_lookback_days": settings.payment_issue_days
                + settings.reinstated_days + 1,
                **settings.model_dump(),
                "seat_milestones": list(settings.seat_milestones),
            },
        ).df()
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"]).dt.date
    return frame
