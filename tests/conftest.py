"""Shared fixtures: tiny hand-typed databases and the project paths."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from metrics.snapshots import refresh_derived  # noqa: E402
from store.db import open_database  # noqa: E402

SUB_COLUMNS = (
    "subscription_id", "account_id", "plan", "billing_period", "amount", "quantity",
    "discount_pct", "currency", "start_date", "end_date", "term_end", "status", "charge_type",
)


def sub(
    subscription_id: str,
    account_id: str,
    start: date,
    end: date | None = None,
    *,
    amount: float,
    period: str = "month",
    plan: str = "Gold",
    quantity: int = 1,
    discount_pct: float = 0.0,
    currency: str | None = None,
    term_end: date | None = None,
    status: str | None = None,
    charge_type: str = "recurring",
) -> tuple:
    """One subscriptions row in SUB_COLUMNS order (status defaults from the end date)."""
    status = status or ("cancelled" if end else "active")
    return (subscription_id, account_id, plan, period, amount, quantity, discount_pct,
            currency, start, end, term_end, status, charge_type)


def load_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    accounts: Iterable[tuple] = (),
    subscriptions: Iterable[tuple] = (),
    fx_rates: Iterable[tuple] = (),
) -> None:
    """Insert hand-typed rows and rebuild derived tables, as an import would.

    ``accounts`` rows are (account_id, name, segment, region, csm_owner[, parent_account_id]).
    """
    for row in accounts:
        padded = tuple(row) + (None,) * (6 - len(row))
        con.execute(
            "INSERT INTO accounts (account_id, name, segment, region, csm_owner, "
            "parent_account_id) VALUES (?, ?, ?, ?, ?, ?)",
            padded,
        )
    subscriptions = list(subscriptions)
    if subscriptions:
        con.executemany(
            "INSERT INTO subscriptions (" + ", ".join(SUB_COLUMNS) + ") VALUES ("
            + ", ".join("?" * len(SUB_COLUMNS)) + ")",
            subscriptions,
        )
    fx_rates = list(fx_rates)
    if fx_rates:
        con.executemany("INSERT INTO fx_rates VALUES (?, ?, ?)", fx_rates)
    refresh_derived(con)


def mark_as_demo(con: duckdb.DuckDBPyConnection, *, as_of: date) -> None:
    """Mark a hand-typed database as the demo, dated ``as_of``, at data version 1 (one
    transaction), as ``sample_data.demo`` does for the generated one."""
    from store.db import set_meta

    con.execute("BEGIN TRANSACTION")
    set_meta(con, "source", "demo")
    set_meta(con, "data_as_of", as_of.isoformat())
    set_meta(con, "data_version", "1")
    con.execute("COMMIT")


@pytest.fixture
def make_db(tmp_path: Path) -> Callable[..., duckdb.DuckDBPyConnection]:
    """Factory: a fresh database file loaded with the given rows."""
    connections: list[duckdb.DuckDBPyConnection] = []

    def factory(**rows: Iterable[tuple]) -> duckdb.DuckDBPyConnection:
        con = open_database(tmp_path / f"db{len(connections)}.duckdb")
        connections.append(con)
        load_rows(con, **rows)
        return con

    yield factory
    for con in connections:
        con.close()


@pytest.fixture
def isolated_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For AppTest modules: no configured database (``CSD_DB`` points at a missing file until a
    test sets its own) and empty Streamlit caches before and after each test."""
    import streamlit as st

    monkeypatch.setenv("CSD_DB", str(tmp_path / "unset.duckdb"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
