"""Renewal likelihood, the 12-month renewal pipeline and its forecast (docs/renewals.md).

Likelihood is transparent: the historical renewal rate (renewed / renewals, counted in
accounts) of past renewals like this one. The basis is the renewals decided in the
:data:`LIKELIHOOD_LOOKBACK_MONTHS` months up to as-of − grace, each labelled with the account's
health band on the first day of that period and its segment; a renewal gets the rate of its
band+segment cell when that cell holds at least ``min_history_for_segment`` renewals, else the
rate of its band (same threshold), else the overall rate. A renewal without a band (no score)
gets the overall rate.

Why the band at the start of the look-back and not at each due date: scoring health costs
about half a second per date at 100,000 accounts, and the due dates cover a whole year of
month ends (5–6 s); one date costs one scoring. It also matches how the forecast is used:
the pipeline applies today's band to renewals 0–12 months away, and the basis measures the
band 0–12 months before each past due date, so the lead times match, and no band is read
after the customer had already decided.

Forecast per upcoming renewal: forecast_arr = arr_due × likelihood and
arr_at_risk = arr_due × (1 − likelihood).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, Literal

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import Filters, month_start
from metrics.health import BANDS, NO_DATA, health_bands
from metrics.health_settings import HealthSettings
from metrics.renewal_outcomes import (
    as_dates,
    price_points,
    quarter_start,
    renewal_outcomes,
    resolve_settings,
    shift_months,
)
from metrics.renewal_settings import RenewalSettings
from store.db import get_meta
from store.renewal_work import NOT_CONTACTED, STATUSES, current_work
from store.settings import MetricSettings, load_settings
from store.sql import identifier, load_sql, one_row

LIKELIHOOD_LOOKBACK_MONTHS = 12
"""Past renewals decided in this many months up to as-of − grace form the likelihood basis."""
PIPELINE_MONTHS = 12
"""The pipeline holds renewals due from as-of up to (not including) the same day 12 months on."""
NO_SEGMENT = "(none)"
"""Segment label of accounts without a segment, in the likelihood table."""
BASES: tuple[str, ...] = ("band+segment", "band", "overall", "no history")
LIKELIHOOD_COLUMNS: tuple[str, ...] = (
    "band", "segment", "renewals", "renewed", "likelihood", "basis", "basis_renewals",
    "basis_renewed",
)
PIPELINE_COLUMNS: tuple[str, ...] = (
    "account_id", "name", "segment", "csm_owner", "renewal_date", "month", "quarter",
    "arr_due", "band", "health_score", "status", "likelihood", "likelihood_basis",
    "forecast_arr", "arr_at_risk",
)


def _slug(label: str) -> str:
    return label.replace(" ", "_").replace("+", "_")


BAND_ARR_COLUMNS: tuple[str, ...] = tuple(f"arr_band_{_slug(b)}" for b in (*BANDS, NO_DATA))
STATUS_ARR_COLUMNS: tuple[str, ...] = tuple(f"arr_status_{_slug(s)}" for s in STATUSES)


def likelihood_basis_dates(as_of: date, settings: RenewalSettings) -> tuple[date, date]:
    """(band date, last due date) of the likelihood basis: renewals due in (band date, last]."""
    decided_until = as_of - timedelta(days=settings.grace_days)
    return shift_months(decided_until, -LIKELIHOOD_LOOKBACK_MONTHS), decided_until


def likelihood_table(
    history: pd.DataFrame, *, segments: list[str], min_history: int
) -> pd.DataFrame:
    """The likelihood of every band × segment cell from labelled past renewals.

    ``history`` has one row per past renewal with columns band (None = no score), segment
    (None = none) and renewed (bool). ``segments`` lists the segments to report (None allowed).

    Returns:
        One row per band (red, yellow, green, no data) and segment, in that band order then
        segment; columns :data:`LIKELIHOOD_COLUMNS`: band, segment (:data:`NO_SEGMENT` for
        none), renewals and renewed (past renewals of the cell, counts), likelihood (fraction
        a renewal in this cell gets), basis (one of :data:`BASES`), basis_renewals and
        basis_renewed (the counts the likelihood was computed from).
    """
    labels = pd.DataFrame(
        {
            "band": history["band"].astype(object).where(history["band"].notna(), NO_DATA),
            "segment": history["segment"].astype(object).where(
                history["segment"].notna(), NO_SEGMENT
            ),
            "renewed": history["renewed"].astype(bool),
        }
    )
    cells = labels.groupby(["band", "segment"])["renewed"].agg(["size", "sum"])
    bands = labels.groupby("band")["renewed"].agg(["size", "sum"])
    overall = (len(labels), int(labels["renewed"].sum()))
    names = sorted({NO_SEGMENT if s is None or pd.isna(s) else s for s in segments}
                   | set(labels["segment"]))
    rows = []
    for band in (*BANDS, NO_DATA):
        band_counts = (
            (int(bands.loc[band, "size"]), int(bands.loc[band, "sum"]))
            if band in bands.index else (0, 0)
        )
        for segment in names:
            cell = (
                (int(cells.loc[(band, segment), "size"]), int(cells.loc[(band, segment), "sum"]))
                if (band, segment) in cells.index else (0, 0)
            )
            if band != NO_DATA and cell[0] >= min_history:
                basis, counts = "band+segment", cell
            elif band != NO_DATA and band_counts[0] >= min_history:
                basis, counts = "band", band_counts
            elif overall[0] > 0:
                basis, counts = "overall", overall
            else:
                basis, counts = "no history", (0, 0)
            rows.append({
                "band": band, "segment": segment, "renewals": cell[0], "renewed": cell[1],
                "likelihood": counts[1] / counts[0] if counts[0] else np.nan,
                "basis": basis, "basis_renewals": counts[0], "basis_renewed": counts[1],
            })
    frame = pd.DataFrame(rows, columns=list(LIKELIHOOD_COLUMNS))
    for column in ("renewals", "renewed", "basis_renewals", "basis_renewed"):
        frame[column] = frame[column].astype("int64")
    frame["likelihood"] = frame["likelihood"].astype(float)
    return frame


def renewal_likelihood(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    health_settings: HealthSettings | None = None,
) -> pd.DataFrame:
    """Historical renewal likelihood per health band and segment (module docstring).

    Always over the whole book (no filters), so a filtered pipeline uses the same rates.
    ``settings`` and ``health_settings`` default to the stored ones. Read from
    ``renewal_likelihood_snapshot`` when it was built for this as-of date, these settings and
    the current data (:func:`refresh_renewal_likelihood`), else computed.

    Returns:
        The columns of :func:`likelihood_table`.
    """
    settings = resolve_settings(con, settings)
    health_settings = health_settings or load_settings(con, HealthSettings)
    key = _likelihood_key(con, as_of=as_of, settings=settings, health_settings=health_settings)
    stored = _stored_likelihood(con, key)
    if stored is not None:
        return stored
    return _computed_likelihood(
        con, as_of=as_of, settings=settings, health_settings=health_settings
    )


def _computed_likelihood(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings,
    health_settings: HealthSettings,
) -> pd.DataFrame:
    band_on, _ = likelihood_basis_dates(as_of, settings)
    outcomes = renewal_outcomes(con, as_of=as_of, settings=settings, due_after=band_on)
    bands = health_bands(con, as_of=band_on, settings=health_settings)
    history = outcomes[["account_id", "segment", "renewed"]].merge(
        bands[["account_id", "band"]], on="account_id", how="left"
    )
    segments = [row[0] for row in con.execute(
        "SELECT DISTINCT segment FROM accounts ORDER BY segment NULLS LAST"
    ).fetchall()]
    return likelihood_table(
        history, segments=segments, min_history=settings.min_history_for_segment
    )


LIKELIHOOD_SNAPSHOT_TABLES: tuple[str, ...] = (
    "subscriptions", "fx_rates", "usage_daily", "support_tickets", "nps_responses",
    "billing_events",
)
"""Tables whose row counts key the stored likelihood (with a hash of every account's segment
and seats, the settings and the as-of date): anything the outcomes or the bands read."""


def _likelihood_key(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings,
    health_settings: HealthSettings,
) -> str:
    """What a stored likelihood must have been built from to be reused (a JSON text).

    Row counts and the account hash come from table statistics and one pass over accounts
    (milliseconds at 100,000 accounts); data written without a refresh changes them.
    """
    counts = one_row(con.execute(
        "SELECT "
        + ", ".join(f"(SELECT count(*) FROM {identifier(t)})" for t in LIKELIHOOD_SNAPSHOT_TABLES)
        + ", (SELECT CAST(sum(hash(account_id, segment, seats_purchased)) AS VARCHAR)"
        " FROM accounts)"
    ))
    return json.dumps(
        {
            "as_of": as_of.isoformat(),
            "grace_days": settings.grace_days,
            "min_history_for_segment": settings.min_history_for_segment,
            "health": health_settings.model_dump(mode="json"),
            "metric": load_settings(con, MetricSettings).model_dump(mode="json"),
            "rows": dict(zip(LIKELIHOOD_SNAPSHOT_TABLES, counts[:-1], strict=True)),
            "accounts": counts[-1],
        },
        sort_keys=True,
    )


def _stored_likelihood(con: duckdb.DuckDBPyConnection, key: str) -> pd.DataFrame | None:
    frame = con.execute(
        "SELECT " + ", ".join(LIKELIHOOD_COLUMNS) + " FROM renewal_likelihood_snapshot"
        " WHERE cache_key = $key ORDER BY position",
        {"key": key},
    ).df()
    if frame.empty:
        return None
    for column in ("renewals", "renewed", "basis_renewals", "basis_renewed"):
        frame[column] = frame[column].astype("int64")
    frame["likelihood"] = frame["likelihood"].astype(float)
    return frame


class _InTransaction:
    """``con`` whose ``cursor()`` is ``con`` itself, so every query sees its open transaction.

    A DuckDB cursor is a second connection and cannot see what the loading transaction has
    written yet; the functions below open cursors for their temp tables.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def cursor(self) -> _InTransaction:
        return self

    def close(self) -> None:
        """The caller's connection stays open."""


_LIKELIHOOD_TEMP_TABLES = (
    "renewal_due", "renewal_points", "renewal_point_mrr", "health_population", "health_mrr",
    "health_facts", "health_inputs", "health_scored",
)


def refresh_renewal_likelihood(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``renewal_likelihood_snapshot``: the likelihood on the data's as-of date.

    With the stored settings; skipped when no as-of date is recorded (meta ``data_as_of``).
    Run by ``metrics.snapshots.refresh_derived`` inside the loading transaction, after the
    health inputs, because the likelihood feeds both renewal pages and costs about half a
    second at 100,000 accounts. :func:`renewal_likelihood` reads it only while its key (as-of
    date, settings, table row counts, accounts) still matches.
    """
    con.execute("DELETE FROM renewal_likelihood_snapshot")
    as_of_text = get_meta(con, "data_as_of")
    if not as_of_text:
        return
    as_of = date.fromisoformat(as_of_text)
    settings = resolve_settings(con, None)
    health_settings = load_settings(con, HealthSettings)
    frame = _computed_likelihood(
        _InTransaction(con), as_of=as_of, settings=settings,  # type: ignore[arg-type]
        health_settings=health_settings,
    )
    for table in _LIKELIHOOD_TEMP_TABLES:
        con.execute("DROP TABLE IF EXISTS " + identifier(table, _LIKELIHOOD_TEMP_TABLES))
    key = _likelihood_key(con, as_of=as_of, settings=settings, health_settings=health_settings)
    rows = [
        (key, position, *values)
        for position, values in enumerate(
            frame[list(LIKELIHOOD_COLUMNS)].itertuples(index=False, name=None)
        )
    ]
    if rows:
        con.executemany(
            "INSERT INTO renewal_likelihood_snapshot VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (k, p, band, segment, int(n), int(r),
                 None if np.isnan(lk) else float(lk), basis, int(bn), int(br))
                for k, p, band, segment, n, r, lk, basis, bn, br in rows
            ],
        )


def apply_likelihood(frame: pd.DataFrame, likelihood: pd.DataFrame) -> pd.DataFrame:
    """Add likelihood and likelihood_basis to rows with band and segment columns.

    Rows without a band, or whose band+segment is not in ``likelihood``, get the overall rate.
    """
    keys = pd.DataFrame({
        "band": frame["band"].astype(object).where(frame["band"].notna(), NO_DATA),
        "segment": frame["segment"].astype(object).where(frame["segment"].notna(), NO_SEGMENT),
    }, index=frame.index)
    matched = keys.merge(
        likelihood[["band", "segment", "likelihood", "basis"]],
        on=["band", "segment"], how="left",
    )
    # Every past renewal sits in exactly one cell, so the cells add up to the overall basis.
    renewals, renewed = int(likelihood["renewals"].sum()), int(likelihood["renewed"].sum())
    overall = renewed / renewals if renewals else np.nan
    missing = matched["likelihood"].isna() & matched["basis"].isna()
    matched.loc[missing, "likelihood"] = overall
    matched.loc[missing, "basis"] = "overall" if renewals else "no history"
    out = frame.copy()
    out["likelihood"] = matched["likelihood"].astype(float).to_numpy()
    out["likelihood_basis"] = matched["basis"].astype(object).to_numpy()
    return out


def current_status(work: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Join the current work state (:func:`store.renewal_work.current_work`) on each renewal.

    Returns ``frame`` plus status ('not contacted' when nothing is logged), next_step
    ('' when none), last_touch_at (NaT when no touch) and changed_by (None when none).
    """
    state = work[["account_id", "renewal_date", "status", "next_step", "changed_by",
                  "last_touch_at"]]
    out = frame.merge(state, on=["account_id", "renewal_date"], how="left")
    out["status"] = out["status"].astype(object).where(out["status"].notna(), NOT_CONTACTED)
    out["next_step"] = out["next_step"].astype(object).where(out["next_step"].notna(), "")
    return out


def upcoming_renewals(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    due_from: date,
    due_to: date,
    next_only: bool,
    filters: Filters | None = None,
    owner: str | None = None,
) -> pd.DataFrame:
    """Renewals coming up after ``as_of`` with due dates in [due_from, due_to] (both included).

    ``next_only`` keeps only each account's next renewal (``sql/renewal_upcoming.sql``).

    Returns:
        One row per account and due date, ordered by renewal_date, account_id. Columns:
        account_id, name, segment, csm_owner, renewal_date (``datetime.date``), arr (12 × the
        account's MRR on ``as_of``; reporting currency per year).
    """
    filters = filters or Filters()
    cursor = con.cursor()
    try:
        cursor.execute(
            load_sql(__file__, "sql/renewal_upcoming.sql"),
            {
                **filters.sql_params(), "as_of": as_of, "due_from": due_from, "due_to": due_to,
                "next_only": next_only, "owner": owner or "",
            },
        )
        cursor.execute(
            "CREATE OR REPLACE TEMP TABLE renewal_points AS"
            " SELECT DISTINCT account_id, CAST($as_of AS DATE) AS on_date FROM renewal_upcoming",
            {"as_of": as_of},
        )
        price_points(cursor, con)
        frame = cursor.execute(
            "SELECT u.account_id, a.name, a.segment, a.csm_owner, u.renewal_date,"
            " 12 * m.mrr AS arr"
            " FROM renewal_upcoming u"
            " JOIN accounts a ON a.account_id = u.account_id"
            " JOIN renewal_point_mrr m ON m.account_id = u.account_id AND m.on_date = $as_of"
            " ORDER BY u.renewal_date, u.account_id",
            {"as_of": as_of},
        ).df()
    finally:
        cursor.close()
    frame["renewal_date"] = as_dates(frame["renewal_date"])
    return frame


def renewal_pipeline(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    filters: Filters | None = None,
    likelihood: pd.DataFrame | None = None,
    health: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every renewal due in the next 12 months with its forecast.

    Renewals due from ``as_of`` up to the day before the same date 12 months on, from
    subscriptions in force on ``as_of`` (``sql/renewal_upcoming.sql``). Filters: segment,
    region and CSM owner select accounts; plan keeps renewals of a subscription on the plan;
    the month range is not used.

    The two costly inputs can be passed in when the caller already has them (the dashboard
    keeps both per data version): ``likelihood``, a :func:`renewal_likelihood` table, and
    ``health``, a :func:`metrics.health.health_history` frame whose ``as_of`` month covers the
    accounts (its scores on ``as_of``). Each is computed when None.

    Returns:
        One row per account and due date, ordered by renewal_date, account_id; columns
        :data:`PIPELINE_COLUMNS`: account_id, name, segment, csm_owner, renewal_date
        (``datetime.date``), month and quarter (first days), arr_due (12 × the account's MRR
        on ``as_of``, reporting currency per year), band (None when no score), health_score
        (0–100 on ``as_of``, NaN = none), status (latest logged work status, else 'not
        contacted'), likelihood (fraction), likelihood_basis, forecast_arr (arr_due ×
        likelihood), arr_at_risk (arr_due × (1 − likelihood)).
    """
    settings = resolve_settings(con, settings)
    if likelihood is None:
        likelihood = renewal_likelihood(con, as_of=as_of, settings=settings)
    due_to = shift_months(as_of, PIPELINE_MONTHS) - timedelta(days=1)
    frame = upcoming_renewals(
        con, as_of=as_of, due_from=as_of, due_to=due_to, next_only=False, filters=filters
    ).rename(columns={"arr": "arr_due"})
    if health is None:
        # Every account in force: an account filter would not make scoring cheaper.
        current = health_bands(con, as_of=as_of)[["account_id", "band", "health_score"]]
    else:
        current = health.loc[health["month"] == month_start(as_of),
                             ["account_id", "band", "health_score"]]
    frame = frame.merge(current, on="account_id", how="left")
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), None)
    frame = current_status(current_work(con), frame)
    frame = apply_likelihood(frame, likelihood)
    days = pd.to_datetime(frame["renewal_date"]).to_numpy(dtype="datetime64[D]")
    frame["month"] = as_dates(pd.Series(days.astype("datetime64[M]"), index=frame.index))
    frame["quarter"] = [quarter_start(m) for m in frame["month"]]
    frame["forecast_arr"] = frame["arr_due"] * frame["likelihood"]
    frame["arr_at_risk"] = frame["arr_due"] * (1 - frame["likelihood"])
    for column in ("month", "quarter"):
        frame[column] = frame[column].astype(object)
    return frame[list(PIPELINE_COLUMNS)].reset_index(drop=True)


def pipeline_by_period(
    pipeline: pd.DataFrame,
    *,
    period: Literal["month", "quarter"] = "month",
    as_of: date | None = None,
) -> pd.DataFrame:
    """ARR due and forecast per month or quarter, split by band and by work status.

    With ``as_of``, every period of the 12-month pipeline horizon appears (zeros included).

    Returns:
        One row per period, oldest first. Columns: month or quarter (first day), renewals
        (count), arr_due, forecast_arr, arr_at_risk (reporting currency per year), then
        :data:`BAND_ARR_COLUMNS` (arr_band_red, arr_band_yellow, arr_band_green,
        arr_band_no_data: ARR due by health band) and :data:`STATUS_ARR_COLUMNS`
        (arr_status_not_contacted … arr_status_churned: ARR due by work status). The band
        columns and the status columns each add up to arr_due.
    """
    if period not in ("month", "quarter"):
        raise ValueError(f"period must be 'month' or 'quarter', not {period!r}")
    frame = pipeline.assign(
        _band=pipeline["band"].astype(object).where(pipeline["band"].notna(), NO_DATA)
    )
    keys = frame[period]
    totals = frame.groupby(keys).agg(
        renewals=("account_id", "size"),
        arr_due=("arr_due", "sum"),
        forecast_arr=("forecast_arr", lambda s: s.sum(min_count=1)),
        arr_at_risk=("arr_at_risk", lambda s: s.sum(min_count=1)),
    )
    by_band = frame.pivot_table(index=period, columns="_band", values="arr_due",
                                aggfunc="sum", fill_value=0.0)
    by_band = by_band.reindex(columns=[*BANDS, NO_DATA], fill_value=0.0)
    by_band.columns = list(BAND_ARR_COLUMNS)
    by_status = frame.pivot_table(index=period, columns="status", values="arr_due",
                                  aggfunc="sum", fill_value=0.0)
    by_status = by_status.reindex(columns=list(STATUSES), fill_value=0.0)
    by_status.columns = list(STATUS_ARR_COLUMNS)
    out = totals.join(by_band).join(by_status)
    periods = sorted(out.index)
    if as_of is not None:
        first = as_of.replace(day=1) if period == "month" else quarter_start(as_of)
        last_due = shift_months(as_of, PIPELINE_MONTHS) - timedelta(days=1)
        step = 1 if period == "month" else 3
        periods, current = [], first
        while current <= last_due:
            periods.append(current)
            current = shift_months(current, step)
    out = out.reindex(periods)
    filled = [c for c in out.columns if c not in ("forecast_arr", "arr_at_risk")]
    out[filled] = out[filled].fillna(0)
    no_rows = out["renewals"] == 0
    out.loc[no_rows, ["forecast_arr", "arr_at_risk"]] = 0.0
    out["renewals"] = out["renewals"].astype("int64")
    for column in out.columns.drop("renewals"):
        out[column] = out[column].astype(float)
    out.index = pd.Index(list(out.index), dtype=object, name=period)
    return out.reset_index()
