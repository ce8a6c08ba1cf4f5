"""Cached data access for the pages: one database handle per process, results per data version.

Connection policy (store/db.py): the process opens the configured file once, read-write,
through :func:`store.db.open_database`, held by ``st.cache_resource``; every call takes its
own ``con.cursor()`` so sessions running in parallel threads never share a cursor.

Caching: every ``st.cache_data`` entry is keyed on the database path and its data version,
which each successful import or settings change bumps, so a page never shows stale numbers and
a failed import (which changes nothing) keeps the cache. Metric settings are part of the key as
JSON. Entries are bounded with ``max_entries``.
"""

from __future__ import annotations

import importlib.util
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

from metrics.executive import ExecutiveData, executive_data
from metrics.filters import Filters, filter_options
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
from store.import_log import import_history
from store.settings import MetricSettings, load_settings

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
    with cursor(path) as cur:
        version = data_version(cur)
        return _facts(path, version)


@st.cache_data(max_entries=16, show_spinner=False)
def _facts(path: str, version: int) -> Database:
    with cursor(path) as cur:
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
    with cursor(path) as cur:
        return executive_data(cur, as_of=as_of, filters=filters, settings=settings)


def executive(view: View) -> ExecutiveData:
    """Everything the Executive page shows, cached per data version, date, filters, settings."""
    return _executive(
        view.db.key, view.db.version, view.as_of, view.filters,
        view.db.settings.model_dump_json(),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _reporting_months(path: str, version: int, as_of: date) -> list[date]:
    with cursor(path) as cur:
        return revenue_months(cur, as_of=as_of)


def reporting_months(db: Database, as_of: date) -> list[date]:
    """Months with revenue data up to ``as_of`` (first days), unfiltered, oldest first."""
    return _reporting_months(db.key, db.version, as_of)


@st.cache_data(max_entries=16, show_spinner=False)
def _filter_options(path: str, version: int) -> dict[str, list[str]]:
    with cursor(path) as cur:
        return filter_options(cur)


def filter_choices(db: Database) -> dict[str, list[str]]:
    """Distinct segments, plans, regions and CSM owners, keyed like :class:`Filters` fields."""
    return _filter_options(db.key, db.version)


@dataclass(frozen=True)
class Inventory:
    """What is loaded, for the Data page."""

    counts: dict[str, int]
    created_at: str | None


@st.cache_data(max_entries=16, show_spinner=False)
def _inventory(path: str, version: int) -> Inventory:
    with cursor(path) as cur:
        return Inventory(counts=table_counts(cur), created_at=get_meta(cur, "created_at"))


def inventory(db: Database) -> Inventory:
    """Row counts per canonical table (cached per data version) and when the file was made."""
    return _inventory(db.key, db.version)


def import_log(db: Database) -> pd.DataFrame:
    """Every import attempt, newest first.

    Not cached: a failed import logs its attempt without bumping the data version, and the
    table is small.
    """
    with cursor(db.key) as cur:
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
        if importlib.util.find_spec("sample_data.generator") is None:
            st.warning(
                f"No database at `{path.name}` yet, and this version has no demo-data "
                "generator. Import your own data with `python cli.py import --db "
                f"{_display_path(path)} FILE…`.",
                icon="ℹ️",
            )
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
