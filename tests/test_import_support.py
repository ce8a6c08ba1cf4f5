"""Helpers shared by the import tests (this module holds no tests).

``snapshot`` digests every table an import may touch, so "nothing changed" is one equality;
the import log tables are left out because every attempt is logged by design.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from store.db import data_version, table_counts
from store.import_problems import Problem
from store.import_targets import APP_TARGETS
from store.importer import ImportValidationError, check_files, import_files
from store.schema import CANONICAL_TABLES
from store.sql import identifier

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BASE_FILES = [
    FIXTURES / n for n in ("accounts.csv", "subscriptions.csv", "fx_rates.csv", "nps_responses.csv")
]
SUB_HEADER = "subscription_id,account_id,billing_period,amount,start_date"
TABLES = (
    *(t.name for t in CANONICAL_TABLES),
    *(t.name for t in APP_TARGETS),
    "mapping_profiles",
    "mrr_snapshot",
    "mrr_unit_events",
    "account_rollup",
    "meta",
)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """A file with exactly these characters (no newline translation)."""
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], str]:
    """Row counts and a digest of every data, app, derived and meta table."""
    digest = hashlib.sha256()
    for name in TABLES:
        rows = con.execute("SELECT * FROM " + identifier(name, TABLES) + " ORDER BY ALL").fetchall()
        digest.update(repr((name, rows)).encode())
    return table_counts(con), digest.hexdigest()


def failing(con: duckdb.DuckDBPyConnection, files: list, **kwargs) -> list[Problem]:
    """Import expecting a validation error; assert nothing changed and check_files agrees."""
    before = snapshot(con)
    version = data_version(con)
    with pytest.raises(ImportValidationError) as caught:
        import_files(con, files, **kwargs)
    assert snapshot(con) == before
    assert data_version(con) == version
    assert check_files(con, files, **kwargs) == caught.value.problems
    assert snapshot(con) == before
    return caught.value.problems


def brief(problems: list[Problem]) -> list[tuple]:
    """(rule, line, column, value) of each problem."""
    return [(p.rule, p.line, p.column, p.value) for p in problems]


def loaded_db(path: Path) -> duckdb.DuckDBPyConnection:
    """A database holding the base fixture files (so 'unchanged' has content to keep)."""
    from store.db import open_database

    con = open_database(path)
    import_files(con, BASE_FILES, who="fixture")
    return con
