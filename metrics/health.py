"""Account health: component scores, overall score, bands, history and explanations.

Rules: ``../shared/METRICS.md`` (Health) and ``docs/health.md`` (every input, window and
threshold). Higher is healthier. Each component scores 0–100 from its inputs (piecewise linear
between a *bad* and a *good* threshold, :class:`metrics.health_settings.Ramp`); a component
without data is NULL/NaN ("no data"), never 0. The overall score is Σ wᵢ·sᵢ / Σ wᵢ over the
components with data — the rule of :func:`metrics.health_score.weighted_score`, applied in SQL
for every account at once (``sql/health_scoring.sql``) and reused here for explanations.

Everything is set-based SQL on a private cursor holding temp tables, in this order:
``health_population`` (who is scored on which dates), ``health_mrr`` (MRR per month) and
``health_facts`` (every input but the seats, ``sql/health_facts.sql``) for the dates not
precomputed, ``health_inputs`` (raw inputs), ``health_scored`` (scores). Scores are computed
as of each date: month ends for history, the as-of date itself for the current month.

Precomputed inputs: reading 60 days of usage and a year of tickets and billing events for
every account is most of the cost of scoring (about 0.5 s per date at 100,000 accounts), so
:func:`refresh_health_facts` (run by ``metrics.snapshots.refresh_derived`` after every load)
stores ``health_facts`` of every account in force on the dates pages score by default
(:func:`fact_snapshot_dates`: the data's as-of date, the month end before it, the renewal
likelihood's band date) in ``health_fact_snapshot``. Those dates are read from there, any
other date is computed live by the same SQL, so both give the same inputs
(``tests/test_health_facts.py``); seats are always read live. Why dates and not a daily
summary that fits any date: the 30-day peaks (active users, features) cannot be derived from
sums, so any-date reads would need a row per account and calendar day (more rows than
usage_daily itself), while the pages open on the data's as-of date and compare it with the
last month end. The snapshot is used only while the event tables, subscriptions and FX rates
hold as many rows as when it was built (row counts come from DuckDB's statistics, at no cost)
and the metric settings are the same, so rows written without a refresh (tests, scripts) are
computed live instead of showing stale inputs. docs/health.md (Speed) has the timings.

MRR: month ends come from the precomputed ``mrr_snapshot``; the as-of month is priced live at
the as-of date with the shared ``subscription_mrr.sql`` (as the Executive page does), so
``mrr`` is the MRR on the as-of date, not at the previous month end (a month-end as-of date
in the precomputed horizon reads ``mrr_snapshot``, which holds exactly that pricing).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import Filters, month_start
from metrics.health_score import weighted_score
from metrics.health_settings import COMPONENTS, HealthSettings
from metrics.movements import add_months, month_end
from metrics.snapshots import data_horizon, subscription_mrr_cte
from store.db import get_meta, set_meta
from store.settings import MetricSettings, load_settings
from store.sql import identifier, load_sql, one_row

BANDS: tuple[str, ...] = ("red", "yellow", "green")
NO_DATA = "no data"
SCORE_COLUMNS: tuple[str, ...] = tuple(f"{name}_score" for name in COMPONENTS)
USAGE_LOOKBACK_DAYS = 60
"""Usage inputs read the 60 days up to each date (``sql/health_facts.sql``)."""
COMMERCIAL_LOOKBACK_MONTHS = 3
"""The commercial inputs compare a date's MRR with the month ends up to three months before."""
FACT_SNAPSHOT_TABLES: tuple[str, ...] = (
    "usage_daily", "support_tickets", "nps_responses", "billing_events", "subscriptions",
    "fx_rates",
)
"""Tables whose row counts must match the snapshot's for it to be used (module docstring)."""
_FACT_SNAPSHOT_META = "health_fact_snapshot"


def _snapshot_dates(as_of: date, months: int) -> list[date]:
    """Month ends of the ``months - 1`` months before ``as_of``'s month, then ``as_of``."""
    current = month_start(as_of)
    past = [month_end(add_months(current, -k)) for k in range(months - 1, 0, -1)]
    return [*past, as_of]


def _mrr_params(con: duckdb.DuckDBPyConnection, *, as_of: date, first_month: date) -> dict:
    """Parameters of ``health_mrr``: months from the snapshot and months priced live.

    The as-of month is priced live on the as-of date, unless that date is its month end and
    the month is precomputed: ``mrr_snapshot`` holds exactly that pricing then.
    """
    settings = load_settings(con, MetricSettings)
    horizon = data_horizon(con)
    current = month_start(as_of)
    last_snapshot = current if as_of == month_end(as_of) else add_months(current, -1)
    if horizon is not None:
        last_snapshot = min(last_snapshot, horizon)
    else:
        last_snapshot = add_months(first_month, -1)
    live_months: list[date] = []
    month = max(first_month, add_months(last_snapshot, 1))
    while month <= current:
        live_months.append(month)
        month = add_months(month, 1)
    return {
        "live_months": live_months,
        "live_snaps": [as_of if m == current else month_end(m) for m in live_months],
        "snapshot_from": first_month,
        "snapshot_to": last_snapshot,
        "reporting_currency": settings.reporting_currency,
        "deduct_discounts": settings.deduct_discounts,
    }


@contextmanager
def health_tables(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    snap_dates: list[date],
    filters: Filters | None = None,
    account_ids: Iterable[str] | None = None,
    with_inputs: bool = True,
    use_precomputed: bool = True,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a private cursor holding ``health_population`` and ``health_inputs``.

    ``with_inputs=False`` stops after ``health_population`` and ``health_mrr`` (revenue
    moments need no more); with inputs, ``health_mrr`` is there only when some date was not
    precomputed. ``use_precomputed=False`` computes every date live (tests compare both ways).

    ``snap_dates`` are the dates to score (month ends and/or ``as_of``, one per month, the
    last being ``as_of``). ``health_inputs`` has one row per account in force on a date, with
    the columns listed in :func:`health_scores` from ``active_users_30d`` on, plus
    ``account_id``, ``month`` (first day) and ``snap`` (the date).
    """
    filters = filters or Filters()
    ids = None if account_ids is None else sorted(set(account_ids))
    cursor = con.cursor()
    try:
        _build_population(cursor, snap_dates, filters=filters, account_ids=ids)
        precomputed: list[date] = []
        if with_inputs and use_precomputed:
            stored = precomputed_fact_dates(cursor)
            # A stored date was priced as its own as-of date (refresh_health_facts): that fits
            # here as the as-of date, or as a month end (earlier months are priced at their end).
            precomputed = sorted(
                d for d in set(snap_dates) & stored if d == as_of or d == month_end(d)
            )
        live = sorted(set(snap_dates) - set(precomputed))
        if live or not with_inputs:
            _build_mrr(cursor, con, as_of=as_of, first=min(live or snap_dates), account_ids=ids)
        if with_inputs:
            _build_facts(cursor, live, account_ids=ids)
            cursor.execute(
                load_sql(__file__, "sql/health_inputs.sql"), {"precomputed_snaps": precomputed}
            )
        yield cursor
    finally:
        cursor.close()


def _build_population(
    cursor: duckdb.DuckDBPyConnection,
    dates: list[date],
    *,
    filters: Filters,
    account_ids: list[str] | None,
) -> None:
    """Temp table ``health_population`` on ``cursor`` (``sql/health_population.sql``)."""
    cursor.execute(
        load_sql(__file__, "sql/health_population.sql"),
        {
            **filters.sql_params(),
            "snap_months": [month_start(d) for d in dates],
            "snap_dates": dates,
            "all_accounts": account_ids is None,
            "account_ids": account_ids or [],
        },
    )


def _build_mrr(
    cursor: duckdb.DuckDBPyConnection,
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    first: date,
    account_ids: list[str] | None,
) -> None:
    """Temp table ``health_mrr`` on ``cursor``: MRR per month from ``first``'s month − 3."""
    first_month = add_months(month_start(first), -COMMERCIAL_LOOKBACK_MONTHS)
    cursor.execute(
        load_sql(__file__, "sql/health_mrr_head.sql")
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/health_mrr_tail.sql"),
        {
            **_mrr_params(con, as_of=as_of, first_month=first_month),
            "all_accounts": account_ids is None,
            "account_ids": account_ids or [],
        },
    )


def _build_facts(
    cursor: duckdb.DuckDBPyConnection, dates: list[date], *, account_ids: list[str] | None
) -> None:
    """Temp table ``health_facts`` on ``cursor``: ``sql/health_facts.sql`` for ``dates``."""
    if not dates:
        # Same columns, no rows: every date is precomputed.
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE health_facts AS "
            "SELECT * FROM health_fact_snapshot LIMIT 0"
        )
        return
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE health_facts AS "
        + load_sql(__file__, "sql/health_facts.sql"),
        {
            "fact_snaps": dates,
            "window_start": min(dates) - timedelta(days=USAGE_LOOKBACK_DAYS),
            "last_snap": max(dates),
            "all_accounts": account_ids is None,
            "account_ids": account_ids or [],
        },
    )


def _fact_snapshot_source(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What ``health_fact_snapshot`` depends on besides the dates: row counts of
    :data:`FACT_SNAPSHOT_TABLES` (answered from DuckDB's table statistics) and the metric
    settings (MRR)."""
    row = one_row(con.execute(
        "SELECT " + ", ".join(
            f"(SELECT count(*) FROM {identifier(name)})" for name in FACT_SNAPSHOT_TABLES
        )
    ))
    return {
        "rows": dict(zip(FACT_SNAPSHOT_TABLES, (int(n) for n in row), strict=True)),
        "metric_settings": load_settings(con, MetricSettings).model_dump(mode="json"),
    }


def fact_snapshot_dates(con: duckdb.DuckDBPyConnection) -> list[date]:
    """The dates :func:`refresh_health_facts` precomputes: the ones pages score by default.

    With the data's as-of date D (meta ``data_as_of``): D (scorecard, pipeline), the month end
    before D's month (trend, band migration, the queue's health change) and the renewal
    likelihood's band date for D with the stored renewal settings
    (:func:`metrics.renewals.likelihood_basis_dates`). Empty when no as-of date is recorded.
    Oldest first.
    """
    from metrics.renewal_settings import RenewalSettings  # renewals build on this module
    from metrics.renewals import likelihood_basis_dates

    as_of_text = get_meta(con, "data_as_of")
    if not as_of_text:
        return []
    as_of = date.fromisoformat(as_of_text)
    band_on, _ = likelihood_basis_dates(as_of, load_settings(con, RenewalSettings))
    return sorted({as_of, month_end(add_months(as_of, -1)), band_on})


def refresh_health_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``health_fact_snapshot`` for :func:`fact_snapshot_dates` (module docstring).

    Runs on ``con`` inside the caller's transaction, after ``mrr_snapshot`` and the horizon
    are rebuilt. Every account in force on a date gets a row (health_population without
    filters), computed as a live ``health_tables(as_of=that date)`` would, so its MRR is
    priced on that date. The dates and what the table was built from go to meta, so
    :func:`precomputed_fact_dates` knows what it covers.
    """
    con.execute("DELETE FROM health_fact_snapshot")
    dates = fact_snapshot_dates(con)
    for day in dates:
        _build_population(con, [day], filters=Filters(), account_ids=None)
        _build_mrr(con, con, as_of=day, first=day, account_ids=None)
        _build_facts(con, [day], account_ids=None)
        # Date order lets a date be read through DuckDB's zone maps.
        con.execute(
            "INSERT INTO health_fact_snapshot SELECT * FROM health_facts ORDER BY account_id"
        )
    if dates:
        # On an error the caller's rollback removes these temp tables too.
        for table in ("health_facts", "health_mrr", "health_population"):
            con.execute("DROP TABLE " + table)
    set_meta(
        con,
        _FACT_SNAPSHOT_META,
        json.dumps({"dates": [d.isoformat() for d in dates], **_fact_snapshot_source(con)}),
    )


def precomputed_fact_dates(con: duckdb.DuckDBPyConnection) -> set[date]:
    """Dates whose inputs (all but the seats) can be read from ``health_fact_snapshot``.

    Empty when the snapshot was never built, or the row counts of :data:`FACT_SNAPSHOT_TABLES`
    or the metric settings changed since (rows written without :func:`refresh_health_facts`).
    """
    text = get_meta(con, _FACT_SNAPSHOT_META)
    if not text:
        return set()
    stored = json.loads(text)
    dates = stored.pop("dates", [])
    if stored != _fact_snapshot_source(con):
        return set()
    return {date.fromisoformat(d) for d in dates}


def score_inputs(cursor: duckdb.DuckDBPyConnection, settings: HealthSettings) -> None:
    """(Re)build the temp table ``health_scored`` from ``health_inputs`` on ``cursor``.

    Columns: account_id, month, usage_score … commercial_score (0–100, NULL = no data),
    health_score (0–100, NULL when no weighted component has data), missing_components.
    """
    params: dict[str, float] = {}
    for name, ramp in settings.ramps().items():
        params[f"{name}_bad"] = float(ramp.bad)
        params[f"{name}_good"] = float(ramp.good)
    for name, weight in settings.weights.as_dict().items():
        params[f"w_{name}"] = weight
    cursor.execute(load_sql(__file__, "sql/health_ramp.sql"))
    cursor.execute(load_sql(__file__, "sql/health_scoring.sql"), params)


def health_band(scores: pd.Series, settings: HealthSettings) -> pd.Series:
    """Band of each score: 'red' below ``red_below``, 'green' from ``green_from``, else 'yellow'.

    The band uses the unrounded score (69.99 is yellow even if shown as 70). A missing score
    gives a missing band.
    """
    values = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float)
    labels = np.select(
        [np.isnan(values), values < settings.red_below, values >= settings.green_from],
        [None, "red", "green"],  # type: ignore[type-var]  # None: a missing band
        default="yellow",
    )
    return pd.Series(labels, index=scores.index, dtype="str", name="band")


def _with_band(frame: pd.DataFrame, settings: HealthSettings) -> pd.DataFrame:
    frame.insert(frame.columns.get_loc("health_score") + 1, "band",
                 health_band(frame["health_score"], settings))
    return frame


def _resolve(con: duckdb.DuckDBPyConnection, settings: HealthSettings | None) -> HealthSettings:
    return settings if settings is not None else load_settings(con, HealthSettings)


def health_scores(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: HealthSettings | None = None,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Health of every account in force on ``as_of`` (a recurring subscription, trials included).

    Filters: segments, regions and CSM owners select accounts; plans keeps accounts with an
    active subscription on one of the plans on ``as_of``; the month range is not used.
    ``settings`` default to the stored :class:`HealthSettings`.

    Returns:
        One row per account, ordered by account_id. Columns: account_id, name, segment,
        csm_owner, region; usage_score, adoption_score, engagement_score, support_score,
        sentiment_score, billing_score, commercial_score (0–100, NaN = no data); health_score
        (0–100, NaN when no weighted component has data); band ('red' | 'yellow' | 'green',
        missing with the score); missing_components (comma-separated component names, '' when
        none); mrr (reporting currency per month, on ``as_of``); arr (12 × mrr); renewal_date
        (next term_end after ``as_of`` of an active subscription, NaT when none); on_trial
        (every recurring subscription in force is a trial: not yet a paying customer). Dates are
        datetime64 columns (NaT = none). Raw inputs:
        active_users_30d (peak daily active users, last 30 days), seats_purchased,
        seat_utilisation_pct (%), events_30d, events_prev_30d (events in the 30 days before
        those), usage_change_pct (%), features_used_30d (most features used on one day),
        days_since_activity (days), last_active_on (date), open_high_priority_tickets,
        sla_breaches_90d, csat_90d (mean 1–5), latest_nps (0–10, last 365 days),
        latest_nps_on (date), failed_payments_30d, dunning_active, card_expiring_30d (booleans),
        card_expires_on (date), mrr_3m_ago (month end three months before), mrr_change_pct_3m (%),
        contraction_pct_3m (% of mrr_3m_ago).
    """
    settings = _resolve(con, settings)
    with health_tables(con, as_of=as_of, snap_dates=[as_of], filters=filters) as cursor:
        score_inputs(cursor, settings)
        frame = cursor.execute(load_sql(__file__, "sql/health_scores.sql"), {"as_of": as_of}).df()
    return _with_band(frame, settings)


def health_history(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    months: int = 12,
    settings: HealthSettings | None = None,
    filters: Filters | None = None,
    account_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Monthly health for the ``months`` months up to ``as_of``'s month.

    Past months are scored as of their month end, the current month as of ``as_of``, each with
    the accounts in force on that date (an account appears only in months it was in force).
    Trend = this month's row vs last month's. Filters as in :func:`health_scores`, applied on
    each date (a plan filter keeps an account in the months it had an active subscription on
    the plan); ``account_ids`` keeps only those accounts.

    Returns:
        Columns: account_id, month (first day, ``datetime.date``), usage_score …
        commercial_score, health_score (0–100, NaN = no data), band, missing_components.
        Ordered by account_id, month.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    settings = _resolve(con, settings)
    dates = _snapshot_dates(as_of, months)
    with health_tables(
        con, as_of=as_of, snap_dates=dates, filters=filters, account_ids=account_ids
    ) as cursor:
        score_inputs(cursor, settings)
        frame = cursor.execute(
            "SELECT account_id, month, " + ", ".join(SCORE_COLUMNS)
            + ", health_score, missing_components FROM health_scored ORDER BY account_id, month"
        ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return _with_band(frame, settings)


def health_bands(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: HealthSettings | None = None,
) -> pd.DataFrame:
    """Score and band on ``as_of`` of every account in force then, nothing else.

    The part of :func:`health_scores` (and of :func:`health_history`'s as-of month) that the
    renewal likelihood and pipeline need, without the columns they would drop.

    Returns:
        One row per account, ordered by account_id: account_id, health_score (0–100, NaN = no
        data), band (missing with the score).
    """
    settings = _resolve(con, settings)
    with health_tables(con, as_of=as_of, snap_dates=[as_of]) as cursor:
        score_inputs(cursor, settings)
        frame = cursor.execute(
            "SELECT account_id, health_score FROM health_scored ORDER BY account_id"
        ).df()
    frame["band"] = health_band(frame["health_score"], settings)
    return frame


def account_list(
    con: duckdb.DuckDBPyConnection, *, as_of: date, filters: Filters | None = None
) -> pd.DataFrame:
    """Every account passing ``filters``, flagged when it is scored on ``as_of``.

    Filters as in :func:`health_scores`: account attributes select accounts; a plan filter
    keeps only accounts with an active subscription on the plan on ``as_of`` (so it leaves
    out every account not in force).

    Returns:
        One row per account, ordered by name, then account_id: account_id, name, segment,
        csm_owner, in_force (bool: a recurring subscription in force on ``as_of``, trials
        included, i.e. :func:`health_scores` has a row for it).
    """
    filters = filters or Filters()
    frame = con.execute(
        load_sql(__file__, "sql/health_accounts.sql"), {**filters.sql_params(), "as_of": as_of}
    ).df()
    frame["in_force"] = frame["in_force"].astype(bool)
    return frame


def score_trend(history: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """This month's score against last month's, per account, from :func:`health_history`.

    Returns:
        One row per account scored this month (``as_of``'s month), ordered by account_id:
        account_id, health_score, band (this month), health_score_before, band_before (last
        month; missing when the account was not scored then), change (score points, NaN
        when either score is missing).
    """
    current = month_start(as_of)
    now = history.loc[history["month"] == current, ["account_id", "health_score", "band"]]
    before = history.loc[
        history["month"] == add_months(current, -1), ["account_id", "health_score", "band"]
    ].rename(columns={"health_score": "health_score_before", "band": "band_before"})
    frame = now.merge(before, on="account_id", how="left")
    frame["change"] = frame["health_score"] - frame["health_score_before"]
    return frame.sort_values("account_id", kind="stable").reset_index(drop=True)


def score_change_explanation(
    history_row_now: Mapping[str, Any] | pd.Series,
    history_row_before: Mapping[str, Any] | pd.Series,
    settings: HealthSettings,
) -> pd.DataFrame:
    """Why the overall score moved: each component's share of the score then and now.

    Contribution = wᵢ·sᵢ / Σ w over the components with data at that time (0 for a component
    without data), so the contributions add up to the health score (METRICS.md, Health).

    Returns:
        One row per component: component, weight, score_now, score_before (0–100, NaN = no
        data), contribution_now, contribution_before, contribution_change (score points).
        Ordered by |contribution_change| descending, then component.
    """
    weights = settings.weights.as_dict()

    def contributions(row: Mapping[str, Any] | pd.Series) -> tuple[dict[str, float], dict]:
        scores = {name: _number(row.get(f"{name}_score")) for name in COMPONENTS}
        _, missing = weighted_score(scores, weights)
        weight_sum = sum(w for name, w in weights.items() if name not in missing)
        shares = {
            name: 0.0 if name in missing or weight_sum == 0
            else weights[name] * scores[name] / weight_sum
            for name in COMPONENTS
        }
        return shares, scores

    now, scores_now = contributions(history_row_now)
    before, scores_before = contributions(history_row_before)
    frame = pd.DataFrame(
        {
            "component": list(COMPONENTS),
            "weight": [weights[name] for name in COMPONENTS],
            "score_now": [scores_now[name] for name in COMPONENTS],
            "score_before": [scores_before[name] for name in COMPONENTS],
            "contribution_now": [now[name] for name in COMPONENTS],
            "contribution_before": [before[name] for name in COMPONENTS],
        }
    )
    frame["contribution_change"] = frame["contribution_now"] - frame["contribution_before"]
    frame["_size"] = frame["contribution_change"].abs()
    frame = frame.sort_values(["_size", "component"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_size").reset_index(drop=True)


def _number(value: Any) -> float:
    if value is None:
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _band_order(labels: Iterable[str]) -> list[str]:
    order = [*BANDS, NO_DATA, "new", "left"]
    return sorted(set(labels), key=order.index)


def band_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Accounts and ARR per band, from :func:`health_scores`.

    Returns:
        Columns: band, accounts (count), arr (reporting currency per year). One row per band
        in the order red, yellow, green (zeros included), then 'no data' when some accounts
        have no score.
    """
    bands = scores["band"].astype(object).where(scores["band"].notna(), NO_DATA)
    grouped = (
        pd.DataFrame({"band": bands, "arr": scores["arr"].astype(float)})
        .groupby("band", sort=False)["arr"]
        .agg(accounts="size", arr="sum")
    )
    labels = [*BANDS, *([NO_DATA] if NO_DATA in grouped.index else [])]
    frame = grouped.reindex(labels, fill_value=0).rename_axis("band").reset_index()
    frame["accounts"] = frame["accounts"].astype("int64")
    frame["arr"] = frame["arr"].astype(float)
    return frame


def band_migration(history: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """How accounts moved between bands from last month to ``as_of``'s month.

    ``history`` is a :func:`health_history` frame covering both months. An account scored this
    month but not last month comes from 'new'; one scored last month but no longer in force
    goes to 'left'; a row without a score is in 'no data'.

    Returns:
        Columns: from_band, to_band, accounts (count); only pairs with accounts, ordered red,
        yellow, green, no data, new, left on from_band then to_band.
    """
    current = month_start(as_of)
    previous = add_months(current, -1)

    def bands_in(month: date) -> pd.Series:
        rows = history.loc[history["month"] == month]
        labels = rows["band"].astype(object).where(rows["band"].notna(), NO_DATA)
        return pd.Series(labels.to_numpy(), index=rows["account_id"].to_numpy())

    before, now = bands_in(previous), bands_in(current)
    pairs = pd.DataFrame({"from_band": before, "to_band": now})
    pairs["from_band"] = pairs["from_band"].fillna("new")
    pairs["to_band"] = pairs["to_band"].fillna("left")
    counts = pairs.groupby(["from_band", "to_band"]).size().rename("accounts").reset_index()
    order = {label: i for i, label in enumerate(_band_order([*BANDS, NO_DATA, "new", "left"]))}
    counts["_f"] = counts["from_band"].map(order)
    counts["_t"] = counts["to_band"].map(order)
    counts = counts.sort_values(["_f", "_t"]).drop(columns=["_f", "_t"]).reset_index(drop=True)
    counts["accounts"] = counts["accounts"].astype("int64")
    return counts


def preview_band_changes(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    current: HealthSettings,
    proposed: HealthSettings,
) -> dict[str, Any]:
    """What saving ``proposed`` would do to the bands on ``as_of``, before saving it.

    The inputs are built once and scored with both settings.

    Returns:
        ``{"accounts": scored accounts, "changed": accounts whose band changes,
        "by_change": {"green→yellow": n, ...}}`` with 'no data' for a missing band; the
        keys of ``by_change`` are ordered red, yellow, green, no data on from then to.
    """
    with health_tables(con, as_of=as_of, snap_dates=[as_of]) as cursor:
        bands = {}
        for key, settings in (("current", current), ("proposed", proposed)):
            score_inputs(cursor, settings)
            frame = cursor.execute(
                "SELECT account_id, health_score FROM health_scored ORDER BY account_id"
            ).df()
            bands[key] = health_band(frame["health_score"], settings).astype(object).where(
                frame["health_score"].notna(), NO_DATA
            )
    moved = pd.DataFrame({"from": bands["current"], "to": bands["proposed"]})
    moved = moved.loc[moved["from"] != moved["to"]]
    counts = moved.groupby(["from", "to"]).size()
    order = _band_order([*BANDS, NO_DATA])
    keys = sorted(counts.index, key=lambda p: (order.index(p[0]), order.index(p[1])))
    return {
        "accounts": int(len(bands["current"])),
        "changed": int(len(moved)),
        "by_change": {f"{a}→{b}": int(counts[(a, b)]) for a, b in keys},
    }
