"""Modes per table (replace, upsert, append) and re-imports recognised by content."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from store.importer import import_files
from tests.test_import_support import BASE_FILES, brief, failing, loaded_db, write

SUBS = "subscription_id,account_id,billing_period,amount,start_date\n"


@pytest.fixture
def db(tmp_path: Path):
    con = loaded_db(tmp_path / "modes.duckdb")
    yield con
    con.close()


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_replace_empties_the_table_first(db, tmp_path):
    fx = write(tmp_path, "fx.csv", "currency,valid_from,rate\nEUR,2024-06-01,1.07\n")
    assert import_files(db, [fx], mode="replace").row_counts == {"fx_rates": 1}
    assert rows(db, "SELECT * FROM fx_rates") == [("EUR", date(2024, 6, 1), 1.07)]


def test_upsert_is_the_default_for_keyed_tables(db, tmp_path):
    subs = write(tmp_path, "s.csv", SUBS + "S1,A1,year,15000,2023-01-01\n"
                 "S9,A1,month,5,2024-01-01\n")  # fmt: skip
    assert import_files(db, [subs]).row_counts == {"subscriptions": 2}
    assert rows(db, "SELECT subscription_id, amount FROM subscriptions ORDER BY 1") == [
        ("S1", 15000.0), ("S2", 99.5), ("S3", 480.0), ("S9", 5.0),
    ]  # fmt: skip


def test_append_adds_new_keys_skips_identical_rows_and_refuses_changed_ones(db, tmp_path):
    same_and_new = write(tmp_path, "s.csv", SUBS + "S9,A1,month,5,2024-01-01\n")
    assert import_files(db, [same_and_new], mode="append").row_counts == {"subscriptions": 1}
    again = write(tmp_path, "s2.csv", SUBS + "S9,A1,month,5,2024-01-01\nS10,A2,month,7,"
                  "2024-02-01\n")  # fmt: skip
    assert import_files(db, [again], mode="append").row_counts == {"subscriptions": 1}
    changed = write(tmp_path, "s3.csv", SUBS + "S9,A1,month,6,2024-01-01\n")
    problems = failing(db, [changed], mode="append")
    assert brief(problems) == [("key_exists", 2, "subscription_id", "S9")]
    assert problems[0].message == (
        "s3.csv line 2, column subscription_id: 'S9' is already stored with other values, and "
        "append mode only adds new rows; import in upsert mode to replace stored subscriptions "
        "rows"
    )


def test_replacing_accounts_refuses_to_orphan_stored_rows(db, tmp_path):
    fewer = write(tmp_path, "a.csv", "account_id,name\nA1,Acme Corp\n")
    problems = failing(db, [fewer], mode="replace")
    assert brief(problems) == [("orphaned_rows", None, None, None)]
    assert problems[0].message == (
        "a.csv: replacing accounts would leave 2 subscriptions rows and 1 nps_responses rows "
        "whose account is not in this file (e.g. A2, A3); add those accounts to the file, "
        "replace those tables in the same import, or import accounts in upsert mode"
    )
    subs = write(tmp_path, "s.csv", SUBS + "S1,A1,year,12000,2023-01-01\n")
    nps = write(tmp_path, "n.csv", "account_id,responded_at,score\nA1,2024-01-10 09:30,9\n")
    result = import_files(db, [fewer, subs, nps], mode="replace")
    assert result.row_counts == {"accounts": 1, "subscriptions": 1, "nps_responses": 1}
    assert rows(db, "SELECT account_id FROM accounts") == [("A1",)]


def test_replacing_accounts_checks_references_inside_the_file_only(db, tmp_path):
    accounts = write(tmp_path, "a.csv", "account_id,name,parent_account_id\nN1,New,A2\n")
    problems = failing(db, [accounts], modes={"accounts": "replace"})
    assert ("unknown_account", 2, "parent_account_id", "A2") in brief(problems)


def test_reimporting_an_appended_file_is_skipped_by_its_content(db, tmp_path):
    nps = write(tmp_path, "nps.csv", "account_id,responded_at,score\nA3,2024-03-01,8\n")
    first = import_files(db, [nps])
    assert first.row_counts == {"nps_responses": 1}
    copy = write(tmp_path, "renamed.csv", nps.read_text(encoding="utf-8"))
    second = import_files(db, [copy])
    assert second.files[0].skipped
    assert second.row_counts == {"nps_responses": 0}
    assert second.files[0].notes[-1].startswith("This file was imported before (")
    assert second.files[0].notes[-1].endswith(
        "UTC) and its rows are only appended, so it is skipped; nothing from it is added twice."
    )
    assert rows(db, "SELECT count(*) FROM nps_responses") == [(3,)]
    assert rows(db, "SELECT message FROM import_log ORDER BY started_at DESC LIMIT 1") == [
        ("Imported 0 nps_responses. Skipped (imported before): renamed.csv.",)
    ]


def test_reimporting_an_upserted_file_loads_it_again_with_a_note(db, tmp_path):
    result = import_files(db, BASE_FILES[:1])
    assert not result.files[0].skipped
    assert result.files[0].notes[-1].startswith("This file was imported before (")
    assert result.row_counts == {"accounts": 3}


def test_every_file_is_logged_with_its_hash_tables_and_mode(db, tmp_path):
    subs = write(tmp_path, "s.csv", SUBS + "S9,A1,month,5,2024-01-01\n")
    result = import_files(db, [BASE_FILES[0], subs], modes={"subscriptions": "append"})
    logged = rows(db, "SELECT file, content_hash, tables, mode, rows FROM import_file_log "
                  "WHERE import_id = '" + result.import_id + "' ORDER BY file")  # fmt: skip
    assert logged == [
        ("accounts.csv", hashlib.sha256(BASE_FILES[0].read_bytes()).hexdigest(),
         json.dumps(["accounts"]), "upsert", 3),
        ("s.csv", hashlib.sha256(subs.read_bytes()).hexdigest(), json.dumps(["subscriptions"]),
         "append", 1),
    ]  # fmt: skip


def test_bad_modes_are_value_errors(db):
    with pytest.raises(ValueError, match="'merge' is not a mode; use one of: replace, upsert"):
        import_files(db, BASE_FILES[:1], mode="merge")
    with pytest.raises(ValueError, match="'customers' is not a table an import writes"):
        import_files(db, BASE_FILES[:1], modes={"customers": "replace"})
    with pytest.raises(ValueError, match="at most one of a table, a preset"):
        import_files(db, BASE_FILES[:1], table="accounts", preset="stripe")
