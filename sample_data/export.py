"""Writing the canonical tables as CSV files in the native import format.

Each table becomes ``<table>.csv`` with exactly the canonical header (``store.schema`` column
order), rows sorted by all columns so the files are reproducible and diff well. Dates are
ISO (``2026-06-30``), timestamps ``2026-06-30 14:05:00``, booleans ``true``/``false``, empty
cells are NULL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from store.schema import CANONICAL_TABLES
from store.sql import identifier


def export_canonical_csvs(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Write every canonical table of ``con`` to ``folder/<table>.csv``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in CANONICAL_TABLES:
        path = folder / f"{table.name}.csv"
        columns = ", ".join(identifier(c) for c in table.column_names)
        query = (
            "COPY (SELECT "
            + columns
            + " FROM "
            + identifier(table.name)
            + " ORDER BY ALL) TO $path (FORMAT csv, HEADER true, DELIMITER ',')"
        )
        con.execute(query, {"path": str(path)})
        paths.append(path)
    return paths
