"""Opening the database file: schema creation, version check and the connection policy.

Connection policy (DuckDB allows one read-write process per file, and one configuration per
file inside a process): every process opens the file once, read-write, through
:func:`open_database`; threads inside the process take ``con.cursor()`` from that handle.
The dashboard caches its handle with ``st.cache_resource``. A second process (for example the
CLI while the dashboard runs) gets :class:`DatabaseBusyError` with a plain message instead of
DuckDB's raw lock error.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from store.schema import APP_TABLES_DDL, CANONICAL_TABLES, SCHEMA_VERSION, create_table_sql
from store.sql import identifier, one_row

DEFAULT_DB_ENV = "CSD_DB"
"""Environment variable naming the database file the dashboard opens."""


class DatabaseError(Exception):
    """A database file that cannot be used, with a message meant for the user."""


class SchemaVersionError(DatabaseError):
    """The file was written by a different, incompatible version of the app."""


class DatabaseBusyError(DatabaseError):
    """Another process holds the file open for writing."""


def default_db_path() -> Path:
    """The database the dashboard opens: ``$CSD_DB`` or ``data/demo.duckdb`` in the project."""
    env = os.environ.get(DEFAULT_DB_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "demo.duckdb"


def open_database(path: str | Path, *, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and if needed initialise) a database file, checking its schema version.

    Raises:
        DatabaseBusyError: another process has the file open.
        SchemaVersionError: the file has a schema version this app does not know.
        DatabaseError: the file is not a DuckDB database or cannot be created.
    """
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseError(f"Database file {path.name} does not exist.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseBusyError(
                f"{path.name} is open in another program (probably the dashboard or an import). "
                "Close it, or import through the dashboard's Import page, then try again."
            ) from exc
        raise DatabaseError(f"{path.name} is not a database this app can open: {text}") from exc
    except duckdb.Error as exc:
        raise DatabaseError(f"{path.name} is not a database this app can open: {exc}") from exc
    try:
        _initialise(con, path.name)
    except Exception:
        con.close()
        raise
    return con


def _initialise(con: duckdb.DuckDBPyConnection, label: str) -> None:
    has_meta = one_row(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ))[0]
    if has_meta:
        version = get_meta(con, "schema_version")
        if version is not None and version != str(SCHEMA_VERSION):
            raise SchemaVersionError(
                f"{label} uses data schema version {version}, but this app reads version "
                f"{SCHEMA_VERSION}. Open it with a matching version of the app, or choose "
                "another database file."
            )
    con.execute("BEGIN TRANSACTION")
    for table in CANONICAL_TABLES:
        con.execute(create_table_sql(table))
    for ddl in APP_TABLES_DDL:
        con.execute(ddl)
    if get_meta(con, "schema_version") is None:
        set_meta(con, "schema_version", str(SCHEMA_VERSION))
        set_meta(con, "data_version", "0")
        set_meta(con, "created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    con.execute("COMMIT")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """One value from the ``meta`` key/value table, or None."""
    row = con.execute("SELECT value FROM meta WHERE key = $key", {"key": key}).fetchone()
    return None if row is None else row[0]


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one ``meta`` value (caller owns the transaction)."""
    con.execute("DELETE FROM meta WHERE key = $key", {"key": key})
    con.execute("INSERT INTO meta VALUES ($key, $value)", {"key": key, "value": value})


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Counter bumped by every successful load; caches key on it."""
    return int(get_meta(con, "data_version") or 0)


def bump_data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Increment the data version (inside the loading transaction) and return the new one."""
    new = data_version(con) + 1
    set_meta(con, "data_version", str(new))
    return new


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every canonical table."""
    counts = {}
    for table in CANONICAL_TABLES:
        query = "SELECT count(*) FROM " + identifier(table.name)
        counts[table.name] = one_row(con.execute(query))[0]
    return counts
