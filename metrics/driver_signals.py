"""Each decision's signals as they stood a lead time before it (docs/insights.md, Signals).

The signal date of a decision made on D with lead time L is the last month end before D − L
(so a lead time of 0 reads the month end before the decision, when the account was still in
force). Signals are the health inputs and component scores on that date (the rules of
:mod:`metrics.health`, computed for every signal date at once by
:func:`metrics.health.health_tables`), the account's segment, industry, region, tenure, plan,
billing period and discount (``sql/decision_context.sql``), and every custom account attribute
(``account_attributes``; attributes have no history, so they are read as they are now).

A decision whose account was not in force on its signal date (it joined less than the lead
time before) has no signals and is left out. So is a decision whose signal date comes less than
60 days (the usage look-back of :mod:`metrics.health`) after the first day of ``usage_daily``,
when there is usage data at all: its usage would read as "no data" only because the history
does not reach back that far. :func:`decision_signals` counts both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from metrics.health import SCORE_COLUMNS, USAGE_LOOKBACK_DAYS, health_tables, score_inputs
from metrics.health_settings import HealthSettings
from store.settings import load_settings
from store.sql import load_sql, one_row

SignalKind = Literal["numeric", "boolean", "category"]
ATTRIBUTE_PREFIX = "attr: "
MAX_CATEGORY_LEVELS = 30
"""An attribute with more distinct text values than this (ids, free text) is not a signal."""


@dataclass(frozen=True)
class Signal:
    """One candidate driver: its column, label for people, and kind."""

    column: str
    label: str
    kind: SignalKind


BUILT_IN_SIGNALS: tuple[Signal, ...] = (
    Signal("active_users_30d", "Peak active users (30 days)", "numeric"),
    Signal("seat_utilisation_pct", "Active users vs seats (%)", "numeric"),
    Signal("events_30d", "Usage events (30 days)", "numeric"),
    Signal("usage_change_pct", "Usage trend vs the 30 days before (%)", "numeric"),
    Signal("features_used_30d", "Adoption breadth (features used)", "numeric"),
    Signal("days_since_activity", "Days since last activity", "numeric"),
    Signal("open_high_priority_tickets", "Open high-priority tickets", "numeric"),
    Signal("sla_breaches_90d", "SLA breaches (90 days)", "numeric"),
    Signal("csat_90d", "CSAT (90 days, 1-5)", "numeric"),
    Signal("latest_nps", "Latest NPS (0-10)", "numeric"),
    Signal("failed_payments_30d", "Failed payments (30 days)", "numeric"),
    Signal("dunning_active", "In dunning", "boolean"),
    Signal("card_expiring_30d", "Card expiring within 30 days", "boolean"),
    Signal("mrr", "MRR", "numeric"),
    Signal("mrr_change_pct_3m", "MRR change over 3 months (%)", "numeric"),
    Signal("contraction_pct_3m", "Contraction over 3 months (%)", "numeric"),
    Signal("seats_purchased", "Seats purchased", "numeric"),
    Signal("tenure_months", "Tenure (months)", "numeric"),
    Signal("discount_pct", "Discount (%)", "numeric"),
    Signal("plan", "Plan", "category"),
    Signal("billing_period", "Billing period", "category"),
    Signal("segment", "Segment", "category"),
    Signal("industry", "Industry", "category"),
    Signal("region", "Region", "category"),
)

_INPUT_COLUMNS = (
    "active_users_30d", "seats_purchased", "seat_utilisation_pct", "events_30d",
    "usage_change_pct", "features_used_30d", "days_since_activity",
    "open_high_priority_tickets", "sla_breaches_90d", "csat_90d", "latest_nps",
    "failed_payments_30d", "dunning_active", "card_expiring_30d", "mrr", "mrr_change_pct_3m",
    "contraction_pct_3m",
)


@dataclass(frozen=True)
class DecisionSignals:
    """Decisions with their signals, the signal catalogue, and who was left out."""

    frame: pd.DataFrame
    """One row per decision with signals: the decision columns, signal_on, every signal
    column of :attr:`signals`, usage_score … commercial_score and health_score."""
    signals: tuple[Signal, ...]
    excluded: int
    """Decisions left out because the account was not in force on the signal date."""
    before_history: int = 0
    """Decisions left out because their signal date precedes the usage history."""


def signal_date(decided_on: date, lead_days: int) -> date:
    """The last month end before ``decided_on − lead_days``."""
    return (decided_on - timedelta(days=lead_days)).replace(day=1) - timedelta(days=1)


def decision_signals(
    con: duckdb.DuckDBPyConnection,
    *,
    decisions: pd.DataFrame,
    lead_days: int = 90,
    settings: HealthSettings | None = None,
) -> DecisionSignals:
    """Signals of each decision (from :func:`metrics.decisions.renewal_decisions`).

    ``settings`` (default: the stored :class:`HealthSettings`) score the health components.
    """
    if lead_days < 0:
        raise ValueError("lead_days must be 0 or more")
    settings = settings if settings is not None else load_settings(con, HealthSettings)
    signals = BUILT_IN_SIGNALS
    if decisions.empty:
        return DecisionSignals(decisions.assign(signal_on=pd.Series(dtype=object)), signals, 0)
    points = decisions.assign(
        signal_on=[signal_date(d, lead_days) for d in decisions["decided_on"]]
    )
    usage_from = one_row(con.execute("SELECT min(date) FROM usage_daily"))[0]
    before_history = 0
    if usage_from is not None:
        early = points["signal_on"] < usage_from + timedelta(days=USAGE_LOOKBACK_DAYS)
        before_history = int(early.sum())
        points = points.loc[~early].reset_index(drop=True)
    if points.empty:
        return DecisionSignals(points, signals, 0, before_history)
    health = _health_at(con, points, settings)
    context = _context_at(con, points)
    frame = points.merge(health, on=["account_id", "signal_on"], how="inner")
    frame = frame.merge(context, on=["account_id", "signal_on"], how="left")
    attributes, attribute_signals = account_attribute_signals(con, frame["account_id"].unique())
    if not attributes.empty:
        frame = frame.merge(attributes, on="account_id", how="left")
    frame = frame.sort_values("decision_id", ignore_index=True)
    for signal in BUILT_IN_SIGNALS:
        if signal.kind == "boolean":
            frame[signal.column] = frame[signal.column].astype("boolean")
        elif signal.kind == "numeric":
            numbers = pd.to_numeric(frame[signal.column], errors="coerce")
            frame[signal.column] = numbers.astype(float)
    return DecisionSignals(
        frame, signals + attribute_signals, len(points) - len(frame), before_history
    )


def _health_at(
    con: duckdb.DuckDBPyConnection, points: pd.DataFrame, settings: HealthSettings
) -> pd.DataFrame:
    """Health inputs and scores per (account_id, signal_on) for the accounts in force then."""
    snap_dates = sorted(set(points["signal_on"]))
    with health_tables(
        con,
        as_of=snap_dates[-1],
        snap_dates=snap_dates,
        account_ids=points["account_id"].unique(),
    ) as cursor:
        score_inputs(cursor, settings)
        frame = cursor.execute(load_sql(__file__, "sql/decision_health.sql")).df()
    frame["signal_on"] = pd.to_datetime(frame["signal_on"]).dt.date
    wanted = set(zip(points["account_id"], points["signal_on"], strict=True))
    keep = [pair in wanted for pair in zip(frame["account_id"], frame["signal_on"], strict=True)]
    return frame.loc[keep, ["account_id", "signal_on", *_INPUT_COLUMNS, *SCORE_COLUMNS,
                            "health_score"]]


def _context_at(con: duckdb.DuckDBPyConnection, points: pd.DataFrame) -> pd.DataFrame:
    """Segment, industry, region, tenure, plan, billing period, discount per decision point."""
    pairs = points[["account_id", "signal_on"]].drop_duplicates()
    pairs = pairs.assign(signal_on=pd.to_datetime(pairs["signal_on"]))
    cursor = con.cursor()
    try:
        cursor.register("decision_points_frame", pairs)
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE decision_points AS SELECT CAST(account_id AS VARCHAR)"
            " AS account_id, CAST(signal_on AS DATE) AS signal_on FROM decision_points_frame"
        )
        frame = cursor.execute(load_sql(__file__, "sql/decision_context.sql")).df()
    finally:
        cursor.close()
    frame["signal_on"] = pd.to_datetime(frame["signal_on"]).dt.date
    return frame


def account_attribute_signals(
    con: duckdb.DuckDBPyConnection, account_ids: np.ndarray
) -> tuple[pd.DataFrame, tuple[Signal, ...]]:
    """Custom attributes of ``account_ids`` as one column each (``attr: <name>``).

    An attribute whose non-empty values all read as numbers is numeric; otherwise it is a
    category when it has at most :data:`MAX_CATEGORY_LEVELS` distinct values, and is skipped
    when it has more (identifiers, free text).
    """
    long = con.execute(
        "SELECT account_id, name, value FROM account_attributes"
        " WHERE list_contains($ids, account_id) AND coalesce(trim(value), '') <> ''"
        " ORDER BY name, account_id",
        {"ids": [str(a) for a in account_ids]},
    ).df()
    if long.empty:
        return pd.DataFrame(), ()
    wide = long.pivot_table(index="account_id", columns="name", values="value", aggfunc="last")
    columns: dict[str, pd.Series] = {}
    signals: list[Signal] = []
    for name in sorted(wide.columns):
        values = wide[name].dropna().astype(str).str.strip()
        numbers = pd.to_numeric(values, errors="coerce")
        column = ATTRIBUTE_PREFIX + name
        if numbers.notna().all():
            columns[column] = pd.to_numeric(wide[name], errors="coerce").astype(float)
            signals.append(Signal(column, name, "numeric"))
        elif values.nunique() <= MAX_CATEGORY_LEVELS:
            columns[column] = wide[name].astype(object)
            signals.append(Signal(column, name, "category"))
    frame = pd.DataFrame(columns, index=wide.index).reset_index()
    return frame, tuple(signals)
