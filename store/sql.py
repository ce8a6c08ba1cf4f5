"""SQL helpers: loading ``.sql`` files, quoting allow-listed identifiers, one-row results.

Values are always bound as parameters. Identifiers (table and column names) cannot be bound,
so they pass through :func:`identifier`, which accepts only names declared in
``store.schema`` or an explicit allow-list, never user text.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from store.schema import TABLES_BY_NAME


def identifier(name: str, allowed: Iterable[str] | None = None) -> str:
    """Quote ``name`` as a SQL identifier if it is allow-listed, else raise ValueError."""
    allowed_names = set(allowed) if allowed is not None else _schema_names()
    if name not in allowed_names:
        raise ValueError(f"{name!r} is not a known table or column")
    return '"' + name.replace('"', '""') + '"'


@cache
def _schema_names() -> frozenset[str]:
    names = set(TABLES_BY_NAME)
    for table in TABLES_BY_NAME.values():
        names.update(table.column_names)
    return frozenset(names)


@cache
def load_sql(module_file: str, name: str) -> str:
    """Read ``name`` from the folder of ``module_file`` (SQL lives beside its module)."""
    return (Path(module_file).resolve().parent / name).read_text(encoding="utf-8")


def one_row(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (``count(*)``, ``min(...)``).

    Raises:
        LookupError: the query returned no row (a bug in the query, not in the data).
    """
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row
