"""Reading the import log (every import attempt, written by the import pipeline)."""

from __future__ import annotations

import duckdb
import pandas as pd


def import_history(con: duckdb.DuckDBPyConnection, *, limit: int = 1000) -> pd.DataFrame:
    """Import attempts, newest first.

    Columns: started_at, finished_at, who, files (JSON list of names), row_counts (JSON),
    result ('ok' | 'failed' | 'interrupted'), message, import_id.
    """
    return con.execute(
        """
        SELECT started_at, finished_at, who, files, row_counts, result, message, import_id
        FROM import_log
        ORDER BY started_at DESC NULLS LAST, import_id DESC
        LIMIT $limit
        """,
        {"limit": limit},
    ).df()
