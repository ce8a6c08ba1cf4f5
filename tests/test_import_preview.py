"""preview_import: what an import would change, with nothing written, logged or visible."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.snapshots import refresh_derived
from store.db import data_version, open_database
from store.import_lock import ImportInProgressError, import_lock
from store.import_preview import preview_import
from store.importer import import_files
from tests.test_import_support import BASE_FILES, brief, snapshot, write


@pytest.fixture
def db(tmp_path: Path):
    con = open_database(tmp_path / "p.duckdb")
    import_files(con, BASE_FILES, on_loaded=refresh_derived)
    yield con
    con.close()


def _files(tmp_path: Path) -> list[Path]:
    accounts = write(tmp_path, "accounts.csv", "account_id,name,segment,industry,region,"
                     "csm_owner,referenceable\n"
                     "A1,Acme Corporation,Enterprise,Manufacturing,EMEA,Dana,true\n"  # renamed
                     "A3,Initech,Mid-Market,Software,APAC,,no\n"  # as stored
                     "A4,Umbrella,SMB,Retail,NA,Lee,\n")  # fmt: skip
    subs = write(tmp_path, "subs.csv", "subscription_id,account_id,billing_period,amount,"
                 "start_date\nS4,A4,month,100,2024-03-01\n")  # fmt: skip
    return [accounts, subs]


def _logged(con) -> int:
    return con.execute("SELECT count(*) FROM import_log").fetchone()[0]


def test_preview_counts_accounts_and_mrr_change_and_writes_nothing(db, tmp_path):
    before, version, logged = snapshot(db), data_version(db), _logged(db)
    seen_by_other_session = []

    def on_loaded(con):
        refresh_derived(con)
        # Another session (cursor) still sees the stored data while the preview runs.
        with db.cursor() as other:
            seen_by_other_session.append(
                other.execute("SELECT count(*) FROM accounts").fetchone()[0]
            )

    preview = preview_import(db, _files(tmp_path), on_loaded=on_loaded)

    assert preview.ok and preview.problems == []
    assert preview.row_counts == {"accounts": 3, "subscriptions": 1}
    assert preview.table_rows == {"accounts": (3, 4), "subscriptions": (3, 4)}
    accounts = preview.accounts
    assert (accounts.new, accounts.changed, accounts.unchanged, accounts.removed) == (1, 1, 1, 0)
    assert (accounts.new_ids, accounts.changed_ids) == (("A4",), ("A1",))
    changed = preview.mrr[preview.mrr["change"] != 0]
    assert changed["month"].iloc[0] == date(2024, 3, 1)
    assert changed["change"].round(6).unique().tolist() == [100.0]
    assert changed["month"].tolist() == preview.mrr["month"][preview.mrr["month"] >= date(
        2024, 3, 1)].tolist()  # fmt: skip
    assert list(preview.mrr.columns) == ["month", "mrr_before", "mrr_after", "change"]
    assert [f.name for f in preview.files] == ["accounts.csv", "subs.csv"]
    assert seen_by_other_session == [3]
    assert snapshot(db) == before
    assert data_version(db) == version
    assert _logged(db) == logged


def test_preview_lists_every_problem_and_changes_nothing(db, tmp_path):
    bad = write(tmp_path, "subs.csv", "subscription_id,account_id,billing_period,amount,"
                "start_date\nS4,A404,month,-1,2024-03-01\nS5,A1,month,1,2024-02-30\n")  # fmt: skip
    before = snapshot(db)
    preview = preview_import(db, [bad], on_loaded=refresh_derived)
    assert not preview.ok and preview.problem_count == 3
    assert brief(preview.problems) == [
        ("unknown_account", 2, "account_id", "A404"),
        ("negative_amount", 2, "amount", "-1"),
        ("not_a_date", 3, "start_date", "2024-02-30"),
    ]
    assert preview.mrr.empty and preview.row_counts == {}
    assert snapshot(db) == before


def test_preview_of_replacing_accounts_lists_removed_ones(db, tmp_path):
    accounts = write(tmp_path, "a.csv", "account_id,name\nA1,Acme Corp\nA2,\"Globex, Inc.\"\n"
                     "A3,Initech\n")  # fmt: skip
    subs = write(tmp_path, "s.csv", "subscription_id,account_id,billing_period,amount,"
                 "start_date\nS1,A1,year,12000,2023-01-01\n")  # fmt: skip
    nps = write(tmp_path, "n.csv", "account_id,responded_at,score\nA1,2024-01-10 09:30,9\n")
    fewer = write(tmp_path, "few.csv", "account_id,name\nA1,Acme Corp\n")
    preview = preview_import(db, [fewer, subs, nps], mode="replace")
    assert preview.ok
    assert (preview.accounts.removed, preview.accounts.removed_ids) == (2, ("A2", "A3"))
    assert preview.table_rows == {
        "accounts": (3, 1), "subscriptions": (3, 1), "nps_responses": (2, 1),
    }  # fmt: skip
    preview = preview_import(db, [accounts], mode="replace")
    assert (preview.accounts.removed, preview.accounts.changed) == (0, 3)  # columns emptied


def test_preview_waits_for_no_one_while_an_import_runs(db, tmp_path):
    with import_lock(db, files=["big.csv"]), pytest.raises(ImportInProgressError) as caught:
        preview_import(db, _files(tmp_path))
    assert "An import into this database is in progress (big.csv, started " in str(caught.value)
