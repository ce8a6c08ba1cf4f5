"""Cached data access for the pages: one database handle per process, results per data version.

Connection policy (store/db.py): the process opens the configured file once, read-write,
through :func:`store.db.open_database`, held by ``st.cache_resource``; every call takes its
own ``con.cursor()`` so sessions running in parallel threads never share a cursor.

Consistent reads: every read accessor runs in :func:`read_cursor`, one transaction that lies
wholly before or wholly after any import's COMMIT (``store.import_lock.reading``). A rerun
reads the data version first, then each accessor its data, so an entry keyed on version v may
already hold v+1's data (an import committed in between: the next rerun recomputes under v+1),
but an entry keyed on v+1 never holds older data.

Caching: every ``st.cache_data`` entry is keyed on the database path and its data version,
which each successful import or settings change bumps, so a page never shows stale numbers and
a failed import (which changes nothing) keeps the cache. Metric settings are part of the key as
JSON. Entries are bounded with ``max_entries``.

Health and moment settings are saved without bumping the data version (they change no stored
data), so they are read fresh on every rerun (one tiny query) and every health or moment
entry is keyed on their JSON as well: a saved change is a new key, hence fresh numbers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from pydantic import BaseModel

from metrics import account360
from metrics.executive import ExecutiveData, executive_data
from metrics.filters import Filters, attribute_options, filter_options, month_start
from metrics.health import (
    band_counts,
    band_migration,
    health_history,
    health_scores,
    preview_band_changes,
    score_change_explanation,
    score_trend,
)
from metrics.health_settings import HealthSettings, MomentSettings
from metrics.moments import revenue_moments
from metrics.renewal_outcomes import kpis_from_outcomes, renewal_history, renewal_outcomes
from metrics.renewal_queue import overdue_renewals, renewal_queue
from metrics.renewal_settings import RenewalSettings
from metrics.renewals import pipeline_by_period, renewal_likelihood, renewal_pipeline
from metrics.snapshots import apply_metric_settings, data_horizon, revenue_months
from store.db import (
    DEFAULT_DB_ENV,
    DatabaseBusyError,
    DatabaseError,
    SchemaVersionError,
    data_version,
    default_db_path,
    get_meta,
    open_database,
    table_counts,
)
from store.import_lock import reading
from store.import_log import import_history
from store.renewal_work import current_work, record_work, work_history
from store.renewal_work import work_version as stored_work_version
from store.settings import MetricSettings, SettingsT, load_settings, save_settings

_BUILD_LOCK = threading.Lock()
"""Two browser tabs on first start must not both build the demo database."""


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(show_spinner=False, on_release=_close)
def _database(path: str) -> duckdb.DuckDBPyConnection:
    """The process-wide read-write handle for ``path`` (failures are not cached)."""
    return open_database(path)


@contextmanager
def cursor(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private cursor on the process-wide handle, closed afterwards."""
    cur = _database(path).cursor()
    try:
        yield cur
    finally:
        cur.close()


@contextmanager
def read_cursor(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private cursor whose reads form one transaction that no import commit overlaps.

    :func:`store.import_lock.reading`: an import waits for the read to finish before it
    commits, so everything read here (sub-cursors included) is the data before or after an
    import, never part of both. For reads only: writes use :func:`cursor` and their own
    transactions. Never call a cached accessor inside the block (it may wait for another
    session that waits for the gate).
    """
    with cursor(path) as cur, reading(cur):
        yield cur


@dataclass(frozen=True)
class Database:
    """The open database as the pages see it on this rerun."""

    path: Path
    version: int
    settings: MetricSettings
    source: str | None
    """'demo', 'imported' or None (empty database)."""
    data_as_of: date | None
    horizon: date | None
    """First day of the last precomputed month (None when nothing is loaded)."""

    @property
    def key(self) -> str:
        """Cache key for this file."""
        return str(self.path)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    def default_as_of(self, today: date) -> date:
        """The as-of date a session starts on (the data's own date, else today)."""
        return self.data_as_of or today


@dataclass(frozen=True)
class View:
    """What a page is asked to show: which database state, date, filters and conventions."""

    db: Database
    as_of: date
    filters: Filters = field(default_factory=Filters)

    @property
    def currency(self) -> str:
        return self.db.settings.reporting_currency


def database_hint(exc: DatabaseError) -> str:
    """What the user can do about a database that cannot be opened."""
    if isinstance(exc, DatabaseBusyError):
        return "Close the other program (or wait for the import to finish), then reload this page."
    if isinstance(exc, SchemaVersionError):
        return (
            "Point the dashboard at another file with the `CSD_DB` environment variable "
            "(for example `CSD_DB=data/mine.duckdb bash scripts/run`), or build a fresh demo with "
            "`python cli.py sample --db data/demo.duckdb`."
        )
    return (
        "Check that `CSD_DB` names a DuckDB file created by this app, or build a fresh demo "
        "database with `python cli.py sample --db data/demo.duckdb`."
    )


def show_database_error(exc: DatabaseError) -> None:
    """Render a database problem for the user: its message and the next step, no traceback."""
    st.error(f"**The database cannot be opened.** {exc}\n\n{database_hint(exc)}", icon="⚠️")


def open_current() -> Database:
    """The configured database for this rerun; on failure show the problem and stop the page."""
    path = default_db_path()
    try:
        return _describe(str(path))
    except DatabaseError as exc:
        show_database_error(exc)
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def _describe(path: str) -> Database:
    with read_cursor(path) as cur:
        version = data_version(cur)
        return _facts(path, version)


@st.cache_data(max_entries=16, show_spinner=False)
def _facts(path: str, version: int) -> Database:
    with read_cursor(path) as cur:
        as_of_text = get_meta(cur, "data_as_of")
        return Database(
            path=Path(path),
            version=version,
            settings=load_settings(cur, MetricSettings),
            source=get_meta(cur, "source"),
            data_as_of=date.fromisoformat(as_of_text) if as_of_text else None,
            horizon=data_horizon(cur),
        )


@st.cache_data(max_entries=64, show_spinner="Computing revenue metrics…")
def _executive(
    path: str, version: int, as_of: date, filters: Filters, settings_json: str
) -> ExecutiveData:
    settings = MetricSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        return executive_data(cur, as_of=as_of, filters=filters, settings=settings)


def executive(view: View) -> ExecutiveData:
    """Everything the Executive page shows, cached per data version, date, filters, settings."""
    return _executive(
        view.db.key, view.db.version, view.as_of, view.filters,
        view.db.settings.model_dump_json(),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _reporting_months(path: str, version: int, as_of: date) -> list[date]:
    with read_cursor(path) as cur:
        return revenue_months(cur, as_of=as_of)


def reporting_months(db: Database, as_of: date) -> list[date]:
    """Months with revenue data up to ``as_of`` (first days), unfiltered, oldest first."""
    return _reporting_months(db.key, db.version, as_of)


@st.cache_data(max_entries=16, show_spinner=False)
def _filter_options(path: str, version: int) -> dict[str, list[str]]:
    with read_cursor(path) as cur:
        return filter_options(cur)


def filter_choices(db: Database) -> dict[str, list[str]]:
    """Distinct segments, plans, regions and CSM owners, keyed like :class:`Filters` fields."""
    return _filter_options(db.key, db.version)


@st.cache_data(max_entries=16, show_spinner=False)
def _attribute_options(path: str, version: int) -> dict[str, list[str]]:
    with read_cursor(path) as cur:
        return attribute_options(cur)


def attribute_choices(db: Database) -> dict[str, list[str]]:
    """Custom attribute names with their values (:func:`metrics.filters.attribute_options`)."""
    return _attribute_options(db.key, db.version)


@dataclass(frozen=True)
class Inventory:
    """What is loaded, for the Data page."""

    counts: dict[str, int]
    created_at: str | None


@st.cache_data(max_entries=16, show_spinner=False)
def _inventory(path: str, version: int) -> Inventory:
    with read_cursor(path) as cur:
        return Inventory(counts=table_counts(cur), created_at=get_meta(cur, "created_at"))


def inventory(db: Database) -> Inventory:
    """Row counts per canonical table (cached per data version) and when the file was made."""
    return _inventory(db.key, db.version)


def import_log(db: Database) -> pd.DataFrame:
    """Every import attempt, newest first.

    Not cached: a failed import logs its attempt without bumping the data version, and the
    table is small.
    """
    with read_cursor(db.key) as cur:
        return import_history(cur)


def save_metric_settings(db: Database, settings: MetricSettings) -> int:
    """Store new metric conventions and rebuild derived tables; returns the new data version.

    Runs in one transaction on a private cursor: on any error nothing changes.
    """
    with cursor(db.key) as cur:
        return apply_metric_settings(cur, settings)


def ensure_demo_database(path: Path, *, today: date) -> None:
    """On first start, build the demo database at ``path`` with a visible progress bar.

    Only for the default database: a file named by ``$CSD_DB`` that does not exist yet is
    left empty for the user's own import (demo rows mixed into real data would be wrong).
    Does nothing when the file exists. The demo's as-of date is ``today``.
    """
    if path.exists() or os.environ.get(DEFAULT_DB_ENV):
        return
    with _BUILD_LOCK:
        if path.exists():
            return
        from sample_data.demo import build_demo_database

        bar = st.progress(0.0, text="First start: building the demo database…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

        try:
            build_demo_database(path, as_of=today, progress=progress)
        except DatabaseError as exc:
            bar.empty()
            show_database_error(exc)
            st.stop()
        bar.empty()


def _display_path(path: Path) -> str:
    """``path`` relative to the working directory when inside it, else as configured."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def display_path(db: Database) -> str:
    """The database path as shown in hints and commands."""
    return _display_path(db.path)


# --- Customers: health, revenue moments, Account 360 ------------------------------------------


def stored_settings(db: Database, model: type[SettingsT]) -> SettingsT:
    """The stored settings of ``model`` (defaults when none are stored).

    Not cached: saving settings does not bump the data version, and the read is one row; the
    caches that depend on settings carry their JSON in the key instead.
    """
    with read_cursor(db.key) as cur:
        return load_settings(cur, model)


def store_settings(db: Database, settings: BaseModel) -> None:
    """Store new settings (one transaction); caches keyed on their JSON move on."""
    with cursor(db.key) as cur:
        save_settings(cur, settings)


def health_settings(db: Database) -> HealthSettings:
    """The stored health weights, bands and thresholds (defaults when none are stored)."""
    return stored_settings(db, HealthSettings)


def moment_settings(db: Database) -> MomentSettings:
    """The stored revenue-moment thresholds."""
    return stored_settings(db, MomentSettings)


def save_health_settings(db: Database, settings: HealthSettings) -> None:
    """Store new health settings."""
    store_settings(db, settings)


@st.cache_data(max_entries=32, show_spinner="Scoring account health…")
def _health_scores(
    path: str, version: int, as_of: date, filters: Filters, settings_json: str
) -> pd.DataFrame:
    settings = HealthSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        return health_scores(cur, as_of=as_of, settings=settings, filters=filters)


@st.cache_data(max_entries=32, show_spinner="Scoring last month's health…")
def _health_history(path: str, version: int, as_of: date, settings_json: str) -> pd.DataFrame:
    settings = HealthSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        return health_history(cur, as_of=as_of, months=2, settings=settings)


@dataclass(frozen=True)
class Scorecard:
    """What the Health page shows for the chosen filters."""

    accounts: pd.DataFrame
    """:func:`metrics.health.health_scores` rows plus health_score_before, band_before and
    change (vs last month, score points) from :func:`metrics.health.score_trend`; least
    healthy first (health_score ascending, then account_id), unscored accounts last."""
    bands: pd.DataFrame
    """:func:`metrics.health.band_counts` of ``accounts``."""
    migration: pd.DataFrame
    """:func:`metrics.health.band_migration` of the same accounts (last month → now)."""
    scored: int
    """Accounts in force for the sidebar filters, before the page's own filters."""
    narrowed: bool
    """True when filters apply, so the migration leaves out accounts that left since."""


def scorecard(
    view: View,
    settings: HealthSettings,
    *,
    bands: tuple[str, ...] = (),
    owner: str | None = None,
    include_trials: bool = True,
) -> Scorecard:
    """Health of every account for the sidebar filters, narrowed to ``bands`` and ``owner``
    (and to paying accounts unless ``include_trials``).

    Trend and migration compare with last month's month-end scores (``health_history`` with
    two months, computed once for all accounts and cached).
    """
    settings_json = settings.model_dump_json()
    scores = _health_scores(view.db.key, view.db.version, view.as_of, view.filters,
                            settings_json)
    history = _health_history(view.db.key, view.db.version, view.as_of, settings_json)
    trend = score_trend(history, as_of=view.as_of)
    accounts = scores.merge(
        trend[["account_id", "health_score_before", "band_before", "change"]],
        on="account_id", how="left",
    )
    if bands:
        accounts = accounts.loc[accounts["band"].isin(bands)]
    if owner:
        accounts = accounts.loc[accounts["csm_owner"] == owner]
    if not include_trials:
        accounts = accounts.loc[~accounts["on_trial"].astype(bool)]
    # Least healthy first (the accounts to act on), accounts without a score last.
    accounts = accounts.sort_values(
        ["health_score", "account_id"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    narrowed = bool(bands or owner or not include_trials or view.filters != Filters())
    if narrowed:
        # Accounts that left since last month have no row today, so no segment or owner to
        # filter on: the filtered migration covers the accounts shown.
        history = history.loc[history["account_id"].isin(accounts["account_id"])]
    return Scorecard(
        accounts=accounts,
        bands=band_counts(accounts),
        migration=band_migration(history, as_of=view.as_of),
        scored=len(scores),
        narrowed=narrowed,
    )


@st.cache_data(max_entries=16, show_spinner="Previewing the new bands…")
def _preview(
    path: str, version: int, as_of: date, current_json: str, proposed_json: str
) -> dict:
    with read_cursor(path) as cur:
        return preview_band_changes(
            cur,
            as_of=as_of,
            current=HealthSettings.model_validate_json(current_json),
            proposed=HealthSettings.model_validate_json(proposed_json),
        )


def preview_settings(
    db: Database, as_of: date, current: HealthSettings, proposed: HealthSettings
) -> dict:
    """:func:`metrics.health.preview_band_changes` for every account on ``as_of`` (cached)."""
    return _preview(db.key, db.version, as_of, current.model_dump_json(),
                    proposed.model_dump_json())


@st.cache_data(max_entries=32, show_spinner="Finding revenue moments…")
def _moments(
    path: str, version: int, as_of: date, filters: Filters, settings_json: str
) -> pd.DataFrame:
    settings = MomentSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        return revenue_moments(cur, as_of=as_of, settings=settings, filters=filters)


def moments(view: View, settings: MomentSettings) -> pd.DataFrame:
    """:func:`metrics.moments.revenue_moments` for the sidebar filters (cached)."""
    return _moments(view.db.key, view.db.version, view.as_of, view.filters,
                    settings.model_dump_json())


@dataclass(frozen=True)
class Account360:
    """Everything the Account 360 page shows for one account (``metrics.account360``)."""

    header: dict
    timeline: pd.DataFrame
    mrr_history: pd.DataFrame
    usage: pd.DataFrame
    breakdown: pd.DataFrame
    explanation: pd.DataFrame | None
    """:func:`metrics.health.score_change_explanation` this month vs last; None when the
    account was not scored in both months."""


@st.cache_data(max_entries=64, show_spinner="Loading the account…")
def _account_360(
    path: str, version: int, work: str, account_id: str, as_of: date, settings_json: str
) -> Account360 | None:
    settings = HealthSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        header = account360.account_header(cur, account_id=account_id, as_of=as_of)
        if header is None:
            return None
        history = health_history(cur, as_of=as_of, months=2, settings=settings,
                                 account_ids=[account_id])
        return Account360(
            header=header,
            timeline=account360.account_timeline(cur, account_id=account_id, as_of=as_of),
            mrr_history=account360.account_mrr_history(cur, account_id=account_id,
                                                       as_of=as_of),
            usage=account360.account_usage(cur, account_id=account_id, as_of=as_of),
            breakdown=account360.account_health_breakdown(cur, account_id=account_id,
                                                          as_of=as_of),
            explanation=_explanation(history, as_of, settings),
        )


def _explanation(
    history: pd.DataFrame, as_of: date, settings: HealthSettings
) -> pd.DataFrame | None:
    current = month_start(as_of)
    now = history.loc[history["month"] == current]
    before = history.loc[history["month"] < current]
    if now.empty or before.empty:
        return None
    return score_change_explanation(now.iloc[-1], before.iloc[-1], settings)


def account_360(
    db: Database, account_id: str, as_of: date, settings: HealthSettings
) -> Account360 | None:
    """One account's header, timeline, MRR, usage and health; None for an unknown id.

    Keyed on the work version too: a CSM note saved on the renewal queue shows on the timeline
    at once.
    """
    return _account_360(db.key, db.version, work_version(db), account_id, as_of,
                        settings.model_dump_json())


NOT_IN_FORCE = "(no active subscription)"
"""Marks an account without a recurring subscription in force on the as-of date."""


@st.cache_data(max_entries=32, show_spinner=False)
def _account_list(path: str, version: int, as_of: date, filters: Filters) -> pd.DataFrame:
    from metrics.health import account_list

    with read_cursor(path) as cur:
        return account_list(cur, as_of=as_of, filters=filters)


def account_choices(view: View, settings: HealthSettings) -> pd.DataFrame:
    """Accounts to pick from: every account passing the sidebar filters.

    Accounts not in force on the as-of date (churned, not started yet) are offered too, their
    name followed by :data:`NOT_IN_FORCE`; they have no health band. A plan filter keeps only
    accounts on the plan on the as-of date, so it leaves those out
    (:func:`metrics.health.account_list`).

    Columns: account_id, name, segment, csm_owner, band (None without a score), in_force;
    ordered by name (without the mark), then id.
    """
    accounts = _account_list(view.db.key, view.db.version, view.as_of, view.filters)
    scores = _health_scores(view.db.key, view.db.version, view.as_of, view.filters,
                            settings.model_dump_json())
    frame = accounts.merge(scores[["account_id", "band"]], on="account_id", how="left")
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), None)
    frame["name"] = frame["name"].where(frame["in_force"], frame["name"] + " " + NOT_IN_FORCE)
    columns = ["account_id", "name", "segment", "csm_owner", "band", "in_force"]
    return frame[columns].reset_index(drop=True)


def narrow_moments(
    moments: pd.DataFrame,
    *,
    types: tuple[str, ...] = (),
    severities: tuple[str, ...] = (),
    owner: str | None = None,
) -> pd.DataFrame:
    """The moments of the chosen types and severities (empty = all), of ``owner`` if given."""
    keep = pd.Series(True, index=moments.index)
    if types:
        keep &= moments["moment_type"].isin(types)
    if severities:
        keep &= moments["severity"].isin(severities)
    if owner:
        keep &= moments["csm_owner"] == owner
    return moments.loc[keep].reset_index(drop=True)


# --- Renewals: pipeline, KPIs, the 90–120-day queue and CSM work state -----------------------
#
# Work state (store/renewal_work.py) changes without bumping the data version, so every entry
# that shows a status is also keyed on a work version read fresh on each rerun (row count and
# latest change of ``renewal_work``): a saved change is a new key, so the queue and pipeline
# show it at once. Writes and the per-account history are never cached.


def renewal_settings(db: Database) -> RenewalSettings:
    """The stored renewal window, grace period and likelihood threshold (not cached)."""
    return stored_settings(db, RenewalSettings)


def work_version(db: Database) -> str:
    """Changes of ``renewal_work`` so far (count and latest time); read fresh every rerun."""
    with read_cursor(db.key) as cur:
        return stored_work_version(cur)


@st.cache_data(max_entries=16, show_spinner="Computing renewal likelihoods…")
def _renewal_likelihood(
    path: str, version: int, as_of: date, settings_json: str, health_json: str
) -> pd.DataFrame:
    with read_cursor(path) as cur:
        return renewal_likelihood(
            cur, as_of=as_of, settings=RenewalSettings.model_validate_json(settings_json),
            health_settings=HealthSettings.model_validate_json(health_json),
        )


def likelihood(view: View, settings: RenewalSettings) -> pd.DataFrame:
    """:func:`metrics.renewals.renewal_likelihood` over the whole book (cached per data
    version, as-of date, renewal and health settings)."""
    return _renewal_likelihood(view.db.key, view.db.version, view.as_of,
                               settings.model_dump_json(), health_settings(view.db)
                               .model_dump_json())


@dataclass(frozen=True)
class Pipeline:
    """What the renewal pipeline page shows."""

    renewals: pd.DataFrame
    """:func:`metrics.renewals.renewal_pipeline` rows (next 12 months)."""
    by_month: pd.DataFrame
    by_quarter: pd.DataFrame
    """:func:`metrics.renewals.pipeline_by_period` per month / quarter, every period shown."""
    kpis: pd.DataFrame
    """:func:`metrics.renewal_outcomes.renewal_kpis` per quarter (every decided quarter)."""
    history: pd.DataFrame
    """:func:`metrics.renewal_outcomes.renewal_history`: the last four quarters."""
    likelihood: pd.DataFrame


@st.cache_data(max_entries=32, show_spinner="Computing the renewal pipeline…")
def _pipeline(
    path: str, version: int, work: str, as_of: date, filters: Filters, settings_json: str,
    health_json: str,
) -> Pipeline:
    settings = RenewalSettings.model_validate_json(settings_json)
    table = _renewal_likelihood(path, version, as_of, settings_json, health_json)
    health = _health_history(path, version, as_of, health_json)
    with read_cursor(path) as cur:
        renewals = renewal_pipeline(cur, as_of=as_of, settings=settings, filters=filters,
                                    likelihood=table, health=health)
        outcomes = renewal_outcomes(cur, as_of=as_of, settings=settings, filters=filters)
    return Pipeline(
        renewals=renewals,
        by_month=pipeline_by_period(renewals, period="month", as_of=as_of),
        by_quarter=pipeline_by_period(renewals, period="quarter", as_of=as_of),
        kpis=kpis_from_outcomes(outcomes, as_of=as_of, grace_days=settings.grace_days),
        history=renewal_history(outcomes, as_of=as_of, settings=settings),
        likelihood=table,
    )


def pipeline(view: View, settings: RenewalSettings) -> Pipeline:
    """The renewal pipeline, forecast, KPIs and history for the sidebar filters (cached per
    data version, work version, as-of date, filters and settings)."""
    return _pipeline(view.db.key, view.db.version, work_version(view.db), view.as_of,
                     view.filters, settings.model_dump_json(),
                     health_settings(view.db).model_dump_json())


@dataclass(frozen=True)
class Queue:
    """What the renewal queue page shows."""

    queue: pd.DataFrame
    """:func:`metrics.renewal_queue.renewal_queue` rows, by ARR at risk, plus
    :data:`WORK_NOTE_COLUMNS` of the current work state (note '' when none)."""
    overdue: pd.DataFrame
    """:func:`metrics.renewal_queue.overdue_renewals` rows."""


@st.cache_data(max_entries=32, show_spinner="Building the renewal queue…")
def _queue(
    path: str, version: int, work: str, as_of: date, filters: Filters, owner: str | None,
    settings_json: str, health_json: str, moments_json: str,
) -> Queue:
    settings = RenewalSettings.model_validate_json(settings_json)
    inputs = {
        "likelihood": _renewal_likelihood(path, version, as_of, settings_json, health_json),
        "health": _health_history(path, version, as_of, health_json),
        "moments": _moments(path, version, as_of, filters, moments_json),
    }
    with read_cursor(path) as cur:
        work = current_work(cur)[list(WORK_NOTE_COLUMNS)]
        return Queue(
            queue=_with_work(renewal_queue(cur, as_of=as_of, settings=settings,
                                           filters=filters, owner=owner, **inputs), work),
            overdue=_with_work(overdue_renewals(cur, as_of=as_of, settings=settings,
                                                filters=filters, owner=owner, **inputs), work),
        )


WORK_NOTE_COLUMNS = ("account_id", "renewal_date", "note", "changed_by", "changed_at",
                     "previous_changed_by")
"""Columns of :func:`store.renewal_work.current_work` the queue shows beside its own."""


def _with_work(frame: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """Queue rows plus the latest note, who changed it and when, and whom it replaced."""
    merged = frame.merge(work, on=["account_id", "renewal_date"], how="left")
    merged["note"] = merged["note"].astype(object).where(merged["note"].notna(), "")
    return merged


def queue(view: View, settings: RenewalSettings, *, owner: str | None = None) -> Queue:
    """The renewal queue and the overdue list for the sidebar filters and ``owner`` (cached
    per data version, work version, as-of date, filters, owner and settings)."""
    return _queue(view.db.key, view.db.version, work_version(view.db), view.as_of,
                  view.filters, owner, settings.model_dump_json(),
                  health_settings(view.db).model_dump_json(),
                  moment_settings(view.db).model_dump_json())


def save_renewal_settings(db: Database, settings: RenewalSettings) -> None:
    """Store a new default renewal window."""
    store_settings(db, settings)


def save_work(
    db: Database, *, account_id: str, renewal_date: date, status: str, note: str,
    next_step: str, changed_by: str,
) -> None:
    """Log one work change (:func:`store.renewal_work.record_work`; never cached).

    Raises:
        ValueError: "Work not saved: …" naming each problem in plain words.
    """
    with cursor(db.key) as cur:
        record_work(cur, account_id=account_id, renewal_date=renewal_date, status=status,
                    note=note, next_step=next_step, changed_by=changed_by)


def renewal_work_state(db: Database) -> pd.DataFrame:
    """:func:`store.renewal_work.current_work` as it stands now (not cached)."""
    with read_cursor(db.key) as cur:
        return current_work(cur)


def account_work_history(db: Database, account_id: str) -> pd.DataFrame:
    """:func:`store.renewal_work.work_history` of one account, newest first (not cached)."""
    with read_cursor(db.key) as cur:
        return work_history(cur, account_id=account_id)
