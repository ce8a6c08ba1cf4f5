"""Writing checked staging tables into their tables, per mode, and the import log.

Modes (``store.import_targets``): ``upsert`` deletes stored rows with an incoming key, then
inserts the incoming rows; ``append`` inserts only rows not stored yet (keyed tables: keys not
stored; tables without a key: rows not identical to a stored row), so re-importing a file never
duplicates rows (identical rows inside one import are all kept); ``replace`` empties the table
first. ``new_accounts`` inserts only accounts that do not exist; custom attributes are upserted
per account and name. The caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import duckdb

from store.import_stage import stage_name, stored_sql, typed_col
from store.import_targets import ACCOUNT_ATTRIBUTES, NEW_ACCOUNTS, USAGE_EVENTS, Mode
from store.schema import ACCOUNTS, USAGE_DAILY, Table
from store.sql import identifier, one_row

DAYS = "_import_event_days"


def _q(name: str) -> str:
    return identifier(name, allowed=[name])


def _incoming(table: Table, columns: list[str]) -> str:
    # No ORDER BY: staged rows are in file order, and DuckDB keeps insertion order.
    return (
        "SELECT "
        + ", ".join(stored_sql(c) + " AS " + q for c, q in zip(table.columns, columns, strict=True))
        + " FROM " + stage_name(table)
    )  # fmt: skip


def write_table(con: duckdb.DuckDBPyConnection, table: Table, mode: Mode | None = None) -> int:
    """Move one staged table into its table; returns the rows written."""
    if table.name == NEW_ACCOUNTS.name:
        return _write_new_accounts(con)
    if table.name == ACCOUNT_ATTRIBUTES.name:
        return _write_attributes(con)
    mode = mode or ("upsert" if table.key else "append")
    target = _q(table.name)
    columns = [_q(c.name) for c in table.columns]
    incoming = _incoming(table, columns)
    insert = "INSERT INTO " + target + " (" + ", ".join(columns) + ") "
    if mode == "replace":
        con.execute("DELETE FROM " + target)
        sql = insert + incoming
    elif table.key and mode == "upsert" and not _is_empty(con, target):
        keys = [_q(k) for k in table.key]
        con.execute(
            "DELETE FROM " + target + " USING (SELECT DISTINCT "
            + ", ".join(typed_col(k) + " AS " + q for k, q in zip(table.key, keys, strict=True))
            + " FROM " + stage_name(table) + ") AS incoming WHERE "
            + " AND ".join(target + "." + q + " = incoming." + q for q in keys)
        )  # fmt: skip
        sql = insert + incoming
    elif table.key and mode == "upsert":
        sql = insert + incoming  # nothing stored: nothing to replace
    else:
        compared = [_q(k) for k in table.key] if table.key else columns
        same = " AND ".join(
            "stored." + q + " IS NOT DISTINCT FROM incoming." + q for q in compared
        )
        sql = (
            insert + "SELECT * FROM (" + incoming + ") AS incoming WHERE NOT EXISTS (SELECT 1 "
            "FROM " + target + " AS stored WHERE " + same + ")"
        )  # fmt: skip
    row = con.execute(sql).fetchone()
    written = int(row[0]) if row else 0
    if table.name == ACCOUNTS.name and mode == "replace":
        con.execute(
            "DELETE FROM account_attributes WHERE account_id NOT IN (SELECT account_id FROM "
            "accounts WHERE account_id IS NOT NULL)"
        )
    return written


def _is_empty(con: duckdb.DuckDBPyConnection, target: str) -> bool:
    return one_row(con.execute("SELECT NOT EXISTS (SELECT 1 FROM " + target + ")"))[0]


def _write_new_accounts(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the first staged row of every account id that is not stored yet."""
    columns = [_q(c.name) for c in NEW_ACCOUNTS.columns]
    values = ", ".join(
        stored_sql(c) + " AS " + q for c, q in zip(NEW_ACCOUNTS.columns, columns, strict=True)
    )
    row = con.execute(
        "INSERT INTO accounts (" + ", ".join(columns) + ") SELECT " + ", ".join(columns)
        + " FROM (SELECT " + values + ", row_number() OVER (PARTITION BY "
        + typed_col("account_id") + " ORDER BY _file, _line) AS _n FROM "
        + stage_name(NEW_ACCOUNTS) + " WHERE " + typed_col("account_id") + " IS NOT NULL) "
        "WHERE _n = 1 AND account_id NOT IN (SELECT account_id FROM accounts WHERE account_id "
        "IS NOT NULL) ORDER BY account_id"
    ).fetchone()  # fmt: skip
    return int(row[0]) if row else 0


def _write_attributes(con: duckdb.DuckDBPyConnection) -> int:
    """Upsert attributes by (account, name); an empty value removes the attribute."""
    stage = stage_name(ACCOUNT_ATTRIBUTES)
    account, name, value = (typed_col(c) for c in ("account_id", "name", "value"))
    con.execute(
        "DELETE FROM account_attributes USING (SELECT DISTINCT " + account + " AS a, " + name
        + " AS n FROM " + stage + ") AS incoming WHERE account_attributes.account_id = "
        "incoming.a AND account_attributes.name = incoming.n"
    )  # fmt: skip
    row = con.execute(
        "INSERT INTO account_attributes (account_id, name, value) SELECT " + account + ", "
        + name + ", " + value + " FROM " + stage + " WHERE " + value + " IS NOT NULL AND "
        + account + " IS NOT NULL ORDER BY _file, _line"
    ).fetchone()  # fmt: skip
    return int(row[0]) if row else 0


def event_days(con: duckdb.DuckDBPyConnection, *, replacing: bool) -> None:
    """Remember the (account, day) pairs an events import touches (before it writes).

    When the events are replaced, the days of the stored events are touched too.
    """
    stage = stage_name(USAGE_EVENTS)
    sql = (
        "CREATE OR REPLACE TEMP TABLE " + DAYS + " AS SELECT DISTINCT "
        + typed_col("account_id") + " AS account_id, CAST(" + typed_col("occurred_at")
        + " AS DATE) AS date FROM " + stage
    )  # fmt: skip
    if replacing:
        sql += " UNION SELECT DISTINCT account_id, CAST(occurred_at AS DATE) FROM usage_events"
    con.execute(sql)


def usage_from_events(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute usage_daily for the remembered days from every stored event; returns days.

    active_users = distinct users (events without a user count as none), events = events,
    features_used = distinct event names.
    """
    target = _q(USAGE_DAILY.name)
    con.execute(
        "DELETE FROM " + target + " USING " + DAYS + " AS d WHERE " + target + ".account_id = "
        "d.account_id AND " + target + ".date = d.date"
    )  # fmt: skip
    row = con.execute(
        "INSERT INTO " + target + " (account_id, date, active_users, events, features_used) "
        "SELECT e.account_id, CAST(e.occurred_at AS DATE) AS date, count(DISTINCT e.user_id), "
        "count(*), count(DISTINCT e.event) FROM usage_events AS e JOIN " + DAYS + " AS d ON "
        "e.account_id = d.account_id AND CAST(e.occurred_at AS DATE) = d.date "
        "GROUP BY ALL ORDER BY 1, 2"
    ).fetchone()  # fmt: skip
    con.execute("DROP TABLE IF EXISTS " + DAYS)
    return int(row[0]) if row else 0


def log_started(
    con: duckdb.DuckDBPyConnection,
    *,
    import_id: str,
    started_at: datetime,
    who: str,
    files: Sequence[str],
) -> None:
    """Add the ``import_log`` row of an attempt as 'started' (caller owns the transaction).

    A row still 'started' when no import holds the lock was interrupted (process killed).
    """
    con.execute(
        "INSERT INTO import_log (import_id, started_at, who, files, result, message) VALUES "
        "($import_id, $started_at, $who, $files, 'started', 'Import started.')",
        {"import_id": import_id, "started_at": started_at, "who": who,
         "files": json.dumps(list(files))},
    )  # fmt: skip


def log_finished(
    con: duckdb.DuckDBPyConnection,
    *,
    import_id: str,
    finished_at: datetime,
    content_hash: str,
    row_counts: dict[str, int],
    result: str,
    message: str,
    file_rows: Sequence[tuple[str, str, str, str, int]] = (),
) -> None:
    """Complete an attempt's log row and add its files (caller owns the transaction).

    ``file_rows`` holds (file, content hash, tables as JSON, mode, rows) per file.
    """
    con.execute(
        "UPDATE import_log SET finished_at = $finished_at, content_hash = $content_hash, "
        "row_counts = $row_counts, result = $result, message = $message "
        "WHERE import_id = $import_id",
        {"import_id": import_id, "finished_at": finished_at, "content_hash": content_hash,
         "row_counts": json.dumps(row_counts), "result": result, "message": message},
    )  # fmt: skip
    if file_rows:
        con.executemany(
            "INSERT INTO import_file_log (import_id, file, content_hash, tables, mode, rows) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(import_id, *row) for row in file_rows],
        )


def previous_imports(
    con: duckdb.DuckDBPyConnection, content_hash: str
) -> list[tuple[str, datetime | None, str | None]]:
    """Successful earlier imports of a file with these bytes: (import id, finished, mode)."""
    return con.execute(
        "SELECT l.import_id, l.finished_at, f.mode FROM import_file_log AS f JOIN import_log AS l "
        "USING (import_id) WHERE f.content_hash = $hash AND l.result = 'ok' "
        "ORDER BY l.finished_at DESC NULLS LAST, l.import_id",
        {"hash": content_hash},
    ).fetchall()
