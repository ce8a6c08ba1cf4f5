"""Writing checked staging tables into the canonical tables, and the import log.

Keyed tables are upserted: existing rows with an incoming key are deleted, then the incoming
rows inserted. Tables without a key (billing_events, nps_responses) are appended, skipping rows
identical to a stored row, so re-importing a file never duplicates rows (identical rows inside
one import are all kept). The caller owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import duckdb

from store.import_stage import stage_name, stored_sql, typed_col
from store.schema import Table
from store.sql import identifier


def write_table(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Move one staged table into its canonical table; returns the rows written."""
    target = identifier(table.name)
    columns = [identifier(c.name) for c in table.columns]
    incoming = (
        "SELECT "
        + ", ".join(stored_sql(c) + " AS " + q for c, q in zip(table.columns, columns, strict=True))
        + " FROM " + stage_name(table) + " ORDER BY _file, _line"
    )  # fmt: skip
    insert = "INSERT INTO " + target + " (" + ", ".join(columns) + ") "
    if table.key:
        keys = [identifier(k) for k in table.key]
        con.execute(
            "DELETE FROM " + target + " USING (SELECT DISTINCT "
            + ", ".join(typed_col(k) + " AS " + q for k, q in zip(table.key, keys, strict=True))
            + " FROM " + stage_name(table) + ") AS incoming WHERE "
            + " AND ".join(target + "." + q + " = incoming." + q for q in keys)
        )  # fmt: skip
        sql = insert + incoming
    else:
        same = " AND ".join("stored." + q + " IS NOT DISTINCT FROM incoming." + q for q in columns)
        sql = (
            insert + "SELECT * FROM (" + incoming + ") AS incoming WHERE NOT EXISTS (SELECT 1 "
            "FROM " + target + " AS stored WHERE " + same + ")"
        )  # fmt: skip
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def log_attempt(
    con: duckdb.DuckDBPyConnection,
    *,
    import_id: str,
    started_at: datetime,
    finished_at: datetime,
    who: str,
    files: Sequence[str],
    content_hash: str,
    row_counts: dict[str, int],
    result: str,
    message: str,
) -> None:
    """Add one ``import_log`` row (caller owns the transaction)."""
    con.execute(
        "INSERT INTO import_log (import_id, started_at, finished_at, who, files, content_hash, "
        "row_counts, result, message) VALUES ($import_id, $started_at, $finished_at, $who, "
        "$files, $content_hash, $row_counts, $result, $message)",
        {
            "import_id": import_id,
            "started_at": started_at,
            "finished_at": finished_at,
            "who": who,
            "files": json.dumps(list(files)),
            "content_hash": content_hash,
            "row_counts": json.dumps(row_counts),
            "result": result,
            "message": message,
        },
    )
