"""The demo CRM data (sample_data/crm.py): seeded and deterministic, valid values, consistent
with the subscriptions it is drawn from, and without changing any canonical table.

Expected relations are derived independently in SQL from the canonical tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from sample_data import generator
from sample_data.generator import generate_demo_data
from store.db import open_database
from tests.test_sample_data import digests

AS_OF = date(2026, 6, 30)
ACCOUNTS = 200


def build(path: Path, *, seed: int = 5) -> duckdb.DuckDBPyConnection:
    con = open_database(path)
    generate_demo_data(con, accounts=ACCOUNTS, seed=seed, as_of=AS_OF)
    return con


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = build(tmp_path_factory.mktemp("crm") / "demo.duckdb")
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> object:
    return con.execute(sql, params or {}).fetchone()[0]


def test_same_seed_gives_the_same_crm_rows_and_leaves_canonical_tables_alone(
    demo: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = build(tmp_path / "again.duckdb")
    for table in ("opportunities", "account_attributes"):
        sql = "SELECT * FROM " + table + " ORDER BY ALL"
        assert rows(again, sql) == rows(demo, sql)
    other = build(tmp_path / "other.duckdb", seed=6)
    assert rows(other, "SELECT * FROM opportunities ORDER BY ALL") != rows(
        demo, "SELECT * FROM opportunities ORDER BY ALL")
    # Without the CRM step every canonical table is byte-for-byte the same.
    monkeypatch.setattr(generator, "insert_crm", lambda con, **kwargs: None)
    bare = build(tmp_path / "bare.duckdb")
    assert scalar(bare, "SELECT count(*) FROM opportunities") == 0
    assert digests(bare) == digests(demo)
    for con in (again, other, bare):
        con.close()


def test_every_account_has_the_three_attributes_with_valid_values(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    names = rows(demo, "SELECT name, count(DISTINCT account_id), count(*) FROM "
                       "account_attributes GROUP BY name ORDER BY name")
    assert names == [("feedback_fixes", ACCOUNTS, ACCOUNTS),
                     ("references_given", ACCOUNTS, ACCOUNTS),
                     ("strategic_fit", ACCOUNTS, ACCOUNTS)]
    values = {
        name: {v for (v,) in rows(demo, "SELECT DISTINCT value FROM account_attributes "
                                        "WHERE name = $n", {"n": name})}
        for name in ("references_given", "strategic_fit", "feedback_fixes")
    }
    assert values["references_given"] <= {str(i) for i in range(6)}
    assert values["feedback_fixes"] <= {str(i) for i in range(4)}
    assert values["strategic_fit"] == {"low", "medium", "high"}
    # "Mostly 0": more than half the accounts gave no reference and fixed nothing.
    for name in ("references_given", "feedback_fixes"):
        zero = scalar(demo, "SELECT count(*) FROM account_attributes WHERE name = $n "
                            "AND value = '0'", {"n": name})
        assert zero > ACCOUNTS / 2
    assert scalar(demo, "SELECT count(*) FROM account_attributes x LEFT JOIN accounts a "
                        "USING (account_id) WHERE a.account_id IS NULL") == 0


def test_opportunities_are_valid_and_match_the_subscriptions(
    demo: duckdb.DuckDBPyConnection,
) -> None:
    assert scalar(demo, "SELECT count(*) - count(DISTINCT opportunity_id) FROM "
                        "opportunities") == 0
    assert scalar(demo, "SELECT count(*) FROM opportunities o LEFT JOIN accounts a "
                        "USING (account_id) WHERE a.account_id IS NULL") == 0
    stages = {s for (s,) in rows(demo, "SELECT DISTINCT stage FROM opportunities")}
    assert stages <= {"Closed Won", "Closed Lost", "Qualification", "Proposal", "Negotiation"}
    assert {"Closed Won", "Closed Lost"} <= stages and len(stages) > 2
    # Closed stages are decided (100 / 0 %) and on or before as-of; open ones lie after it.
    assert rows(demo, """
        SELECT stage, min(probability), max(probability), min(close_date) > $d,
               max(close_date) > $d
        FROM opportunities WHERE stage LIKE 'Closed%' GROUP BY stage ORDER BY stage
    """, {"d": AS_OF}) == [("Closed Lost", 0.0, 0.0, False, False),
                          ("Closed Won", 100.0, 100.0, False, False)]
    assert scalar(demo, "SELECT bool_and(close_date > $d AND probability BETWEEN 1 AND 99) "
                        "FROM opportunities WHERE stage NOT LIKE 'Closed%'", {"d": AS_OF})
    assert scalar(demo, "SELECT bool_and(is_renewal = (type = 'Renewal')) FROM "
                        "opportunities")
    assert scalar(demo, "SELECT bool_and(amount > 0) FROM opportunities")
    # One won new-business deal per account that started paying by as-of (derived here from
    # the subscriptions: recurring, not a trial, priced above 0).
    paying = {a for (a,) in rows(demo, """
        SELECT DISTINCT account_id FROM subscriptions
        WHERE coalesce(charge_type, 'recurring') = 'recurring' AND status <> 'trial'
          AND amount > 0 AND start_date <= $d""", {"d": AS_OF})}
    won = rows(demo, "SELECT account_id FROM opportunities WHERE type = 'New Business' "
                     "AND stage = 'Closed Won' ORDER BY account_id")
    assert sorted(a for (a,) in won) == sorted(paying)
    # The account was created on or before its won deal closed, so every sales cycle is >= 0.
    assert scalar(demo, """
        SELECT bool_and(a.created_at <= o.close_date) FROM opportunities o
        JOIN accounts a USING (account_id)
        WHERE o.type = 'New Business' AND o.stage = 'Closed Won'""")
    # Every open renewal is a term ending within 120 days after as-of.
    assert scalar(demo, """
        SELECT bool_and(EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = o.account_id
                                AND s.term_end = o.close_date))
        FROM opportunities o WHERE o.type = 'Renewal'""")
    assert scalar(demo, "SELECT max(close_date) FROM opportunities WHERE type = 'Renewal'") <= \
        date(2026, 10, 28)  # as-of + 120 days
