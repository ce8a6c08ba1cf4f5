"""Moving generated frames into DuckDB: Arrow conversion, registration, canonical inserts.

Dates travel as day numbers (``-1`` = empty) and timestamps as ``datetime64`` columns; they
become DATE / TIMESTAMP Arrow columns here, so DuckDB reads the frames zero-copy.
Registered names all start with ``_demo_`` and are allow-listed for :func:`store.sql.identifier`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from store.schema import Table
from store.sql import identifier

STAGING_NAMES = (
    "_demo_accounts",
    "_demo_subs",
    "_demo_billing_accounts",
    "_demo_billing_extra",
    "_demo_usage_segments",
    "_demo_tickets",
    "_demo_nps",
    "_demo_plans",
    "_demo_fx",
)


def to_arrow(
    frame: pd.DataFrame,
    *,
    dates: Iterable[str] = (),
    day_ints: Iterable[str] = (),
) -> pa.Table:
    """Arrow table of ``frame``; ``dates`` are day-number columns turned into DATE (-1 = null).

    ``day_ints`` stay integers but are narrowed to int32 (SQL adds them to dates).
    """
    columns = {}
    dates, day_ints = set(dates), set(day_ints)
    for name in frame.columns:
        values = frame[name]
        if name in dates:
            days = values.to_numpy(dtype=np.int64)
            array = pa.array(np.where(days < 0, 0, days).astype(np.int32), mask=days < 0)
            columns[name] = array.cast(pa.date32())
        elif name in day_ints:
            columns[name] = pa.array(values.to_numpy(dtype=np.int32))
        elif values.dtype == object:
            columns[name] = pa.array(values.tolist(), type=pa.string())
        else:
            columns[name] = pa.array(values, from_pandas=True)
    return pa.table(columns)


def register(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Expose ``table`` to SQL under an allow-listed staging name."""
    identifier(name, STAGING_NAMES)
    con.register(name, table)


def unregister_all(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every staging registration (missing ones are ignored)."""
    for name in STAGING_NAMES:
        with contextlib.suppress(duckdb.Error):
            con.unregister(name)


def insert_canonical(con: duckdb.DuckDBPyConnection, table: Table, source: str) -> None:
    """``INSERT INTO <table> (<canonical columns>) SELECT <same> FROM <staging source>``."""
    columns = ", ".join(identifier(c) for c in table.column_names)
    sql = (
        "INSERT INTO "
        + identifier(table.name)
        + " ("
        + columns
        + ") SELECT "
        + columns
        + " FROM "
        + identifier(source, STAGING_NAMES)
    )
    con.execute(sql)
