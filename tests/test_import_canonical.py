"""The canonical CSV import: detection, every validation rule, line numbers, transactions.

Failure tests assert the exact problem (rule, physical line, column, raw value and the
message) and that no table changed: ``table_counts`` and a digest of every canonical and
derived table and of ``meta`` are equal before and after.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import tempfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from store.contracts import parse_row
from store.db import data_version, get_meta, open_database, table_counts
from store.importer import (
    ImportValidationError,
    Problem,
    check_files,
    detect_table,
    import_files,
)
from store.schema import CANONICAL_TABLES
from store.sql import identifier

FIXTURES = Path(__file__).parent / "fixtures" / "import"
BASE_FILES = [
    FIXTURES / n for n in ("accounts.csv", "subscriptions.csv", "fx_rates.csv", "nps_responses.csv")
]
SUB_HEADER = "subscription_id,account_id,billing_period,amount,start_date"


# -- helpers ---------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """A file with exactly these characters (no newline translation)."""
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], str]:
    """Row counts and a digest of every canonical and derived table and of meta."""
    digest = hashlib.sha256()
    names = [t.name for t in CANONICAL_TABLES]
    for name in [*names, "mrr_snapshot", "account_rollup", "meta"]:
        quoted = identifier(name, allowed=[*names, "mrr_snapshot", "account_rollup", "meta"])
        rows = con.execute("SELECT * FROM " + quoted + " ORDER BY ALL").fetchall()
        digest.update(repr((name, rows)).encode())
    return table_counts(con), digest.hexdigest()


def failing(con: duckdb.DuckDBPyConnection, files: list[Path], **kwargs) -> list[Problem]:
    """Import ``files`` expecting a validation error; assert nothing changed; the problems."""
    before = snapshot(con)
    version = data_version(con)
    with pytest.raises(ImportValidationError) as caught:
        import_files(con, files, **kwargs)
    assert snapshot(con) == before
    assert data_version(con) == version
    assert check_files(con, files, table=kwargs.get("table")) == caught.value.problems
    assert snapshot(con) == before
    return caught.value.problems


def brief(problems: list[Problem]) -> list[tuple]:
    return [(p.rule, p.line, p.column, p.value) for p in problems]


@pytest.fixture
def empty_db(tmp_path: Path):
    con = open_database(tmp_path / "empty.duckdb")
    yield con
    con.close()


@pytest.fixture
def db(tmp_path: Path):
    """A database already holding the fixture files (so 'unchanged' has content to keep)."""
    con = open_database(tmp_path / "loaded.duckdb")
    import_files(con, BASE_FILES, who="fixture")
    yield con
    con.close()


# -- successful imports ----------------------------------------------------------------------


def test_valid_multi_file_import_lands_typed_values_and_defaults(empty_db):
    seen: list[tuple[float, str]] = []
    result = import_files(
        empty_db, BASE_FILES[:3], who="tester", progress=lambda f, t: seen.append((f, t))
    )

    assert result.row_counts == {"accounts": 3, "subscriptions": 3, "fx_rates": 2}
    assert result.data_version == 1
    assert len(result.import_id) == 32
    assert empty_db.execute(
        "SELECT account_id, name, parent_account_id, created_at, seats_purchased, referenceable "
        "FROM accounts ORDER BY account_id"
    ).fetchall() == [
        ("A1", "Acme Corp", None, date(2022, 3, 1), 50, True),
        ("A2", "Globex, Inc.", "A1", date(2023, 7, 15), None, False),  # empty -> default false
        ("A3", "Initech", None, None, None, False),
    ]
    assert empty_db.execute("SELECT * FROM subscriptions ORDER BY subscription_id").fetchall() == [
        (
            "S1",
            "A1",
            "Gold",
            "year",
            12000.0,
            1,
            0.0,
            None,
            date(2023, 1, 1),
            None,
            date(2024, 1, 1),
            "active",
            "recurring",
        ),
        (
            "S2",
            "A2",
            "Silver",
            "month",
            99.5,
            1,
            0.0,
            "EUR",
            date(2023, 8, 1),
            date(2024, 2, 1),
            None,
            "active",
            "recurring",
        ),
        (
            "S3",
            "A3",
            "Bronze",
            "24months",
            480.0,
            1,
            0.0,
            "USD",
            date(2024, 1, 15),
            None,
            date(2026, 1, 15),
            "active",
            "recurring",
        ),
    ]
    assert empty_db.execute("SELECT * FROM fx_rates ORDER BY ALL").fetchall() == [
        ("EUR", date(2023, 1, 1), 1.08),
        ("EUR", date(2024, 1, 1), 1.1),
    ]
    assert get_meta(empty_db, "source") == "imported"
    assert get_meta(empty_db, "data_as_of") == date.today().isoformat()
    assert seen[0] == (0.0, "Reading accounts.csv") and seen[-1] == (1.0, "Done")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_timestamps_and_keyless_table_load(empty_db):
    import_files(empty_db, BASE_FILES)
    assert empty_db.execute("SELECT * FROM nps_responses ORDER BY ALL").fetchall() == [
        ("A1", datetime(2024, 1, 10, 9, 30), 9, "Great support"),
        ("A2", datetime(2024, 1, 11, 14, 0), 6, None),
    ]


def test_reimporting_the_same_files_never_duplicates_rows(db):
    before = snapshot(db)
    result = import_files(db, BASE_FILES)
    assert result.row_counts == {
        "accounts": 3,
        "subscriptions": 3,
        "nps_responses": 0,
        "fx_rates": 2,
    }
    assert snapshot(db)[0] == before[0]
    assert result.data_version == 2


def test_upsert_replaces_rows_by_key_and_append_adds_only_new_rows(db, tmp_path):
    subs = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + ",quantity,status\nS1,A1,year,15000,2023-01-01,3,Cancelled\n",
    )
    nps = write(
        tmp_path,
        "nps.csv",
        "account_id,responded_at,score,comment\nA2,2024-01-11 14:00,6,\nA3,2024-02-01,10,Love it\n",
    )
    result = import_files(db, [subs, nps])
    assert result.row_counts == {"subscriptions": 1, "nps_responses": 1}
    assert db.execute(
        "SELECT amount, quantity, status, plan FROM subscriptions WHERE subscription_id = 'S1'"
    ).fetchall() == [(15000.0, 3, "cancelled", None)]
    assert table_counts(db)["subscriptions"] == 3
    # The A2 answer is identical to the stored one (same instant, empty comment): skipped.
    assert table_counts(db)["nps_responses"] == 3


def test_detect_table_ignores_case_spaces_and_order():
    assert detect_table(["currency", "valid_from", "rate"]) == "fx_rates"
    assert detect_table([" Rate ", "CURRENCY", "Valid_From"]) == "fx_rates"
    assert detect_table(["account_id", "name"]) == "accounts"
    assert detect_table(["account_id", "date", "events"]) == "usage_daily"
    assert detect_table(["account_id"]) is None  # required columns of no table
    assert detect_table(["currency", "valid_from", "rate", "extra"]) is None
    assert detect_table(["currency", "currency", "valid_from", "rate"]) is None


def test_header_with_other_case_spaces_and_order_imports(empty_db, tmp_path):
    accounts = write(tmp_path, "a.csv", " NAME , Account_ID \nAcme,A1\n")
    fx = write(tmp_path, "f.csv", "Rate,CURRENCY,valid_from\n0.9,chf,2024-01-01\n")
    assert import_files(empty_db, [accounts, fx]).row_counts == {"accounts": 1, "fx_rates": 1}
    assert empty_db.execute("SELECT account_id, name FROM accounts").fetchall() == [("A1", "Acme")]
    assert empty_db.execute("SELECT * FROM fx_rates").fetchall() == [("CHF", date(2024, 1, 1), 0.9)]


def test_table_override_applies_to_every_file(db, tmp_path):
    plans = write(tmp_path, "p.csv", "plan\nGold\n")
    assert import_files(db, [plans], table="plans").row_counts == {"plans": 1}
    problems = failing(db, [FIXTURES / "fx_rates.csv"], table="plans")
    assert brief(problems) == [
        ("unknown_column", 1, "currency", "currency"),
        ("unknown_column", 1, "valid_from", "valid_from"),
        ("unknown_column", 1, "rate", "rate"),
        ("missing_column", 1, "plan", None),
    ]
    assert problems[0].message == (
        "fx_rates.csv line 1, column currency: 'currency' is not a column of plans; remove it "
        "or use one of: plan, included_units, seat_limit"
    )


def test_check_files_validates_without_loading_or_logging(empty_db):
    assert check_files(empty_db, BASE_FILES) == []
    assert table_counts(empty_db)["accounts"] == 0
    assert empty_db.execute("SELECT count(*) FROM import_log").fetchone()[0] == 0


# -- header and file-level problems ---------------------------------------------------------


def test_missing_required_columns_are_all_listed(db, tmp_path):
    path = write(tmp_path, "subs.csv", "subscription_id,account_id,plan\nS9,A1,Gold\n")
    problems = failing(db, [path])
    assert brief(problems) == [
        ("missing_column", 1, "billing_period", None),
        ("missing_column", 1, "amount", None),
        ("missing_column", 1, "start_date", None),
    ]
    assert problems[0].message == (
        "subs.csv line 1, column billing_period: required column billing_period is missing; "
        "subscriptions files need subscription_id, account_id, billing_period, amount, "
        "start_date"
    )


def test_unknown_extra_column_is_named(db, tmp_path):
    path = write(tmp_path, "acc.csv", "account_id,name,Tier\nA9,Nine,gold\n")
    problems = failing(db, [path])
    assert brief(problems) == [("unknown_column", 1, "Tier", "Tier")]
    assert problems[0].message == (
        "acc.csv line 1, column Tier: 'Tier' is not a column of accounts; remove it or use one "
        "of: account_id, name, segment, industry, region, csm_owner, parent_account_id, "
        "created_at, seats_purchased, referenceable"
    )


def test_header_matching_no_table_is_reported(db, tmp_path):
    path = write(tmp_path, "x.csv", "account_id,foo\nA1,1\n")
    problems = failing(db, [path])
    assert brief(problems) == [("unknown_table", 1, None, "account_id,foo")]
    assert problems[0].message.startswith(
        "x.csv line 1: cannot tell which table this file holds from its header (account_id, "
        "foo); use the column names of one canonical table (accounts, subscriptions,"
    )


@pytest.mark.parametrize(
    ("text", "rule", "line", "message"),
    [
        ("", "empty_file", None, "e.csv: the file is empty"),
        ("  \n\n", "empty_file", None, "e.csv: the file is empty"),
        (SUB_HEADER + "\n", "no_data_rows", None, "e.csv: the file has a header but no data rows"),
        (
            "\n" + SUB_HEADER + "\n",
            "no_header",
            1,
            "e.csv line 1: the first line is empty; it must be the header with the column names",
        ),
    ],
)
def test_file_that_cannot_be_loaded_is_one_file_level_problem(
    db, tmp_path, text, rule, line, message
):
    problems = failing(db, [write(tmp_path, "e.csv", text)])
    assert [(p.rule, p.line, p.message) for p in problems] == [(rule, line, message)]


def test_missing_file_is_reported(db, tmp_path):
    problems = failing(db, [tmp_path / "nope.csv"])
    assert [(p.file, p.rule, p.message) for p in problems] == [
        (
            "nope.csv",
            "file_not_found",
            "nope.csv: the file does not exist; check the name",
        )
    ]


def test_utf8_with_byte_order_mark_imports(empty_db, tmp_path):
    path = write(tmp_path, "excel.csv", "\ufeffaccount_id,name\r\nA1,Ærø\r\n".encode())
    assert import_files(empty_db, [path]).row_counts == {"accounts": 1}
    assert empty_db.execute("SELECT account_id, name FROM accounts").fetchall() == [("A1", "Ærø")]


def test_utf16_file_is_one_file_level_problem(db, tmp_path):
    path = write(tmp_path, "u16.csv", "account_id,name\nA1,Acme\n".encode("utf-16"))
    assert [(p.rule, p.line, p.message) for p in failing(db, [path])] == [
        (
            "not_utf8",
            None,
            "u16.csv: the file is not UTF-8 text (it looks like UTF-16 or a spreadsheet such as "
            ".xlsx); save it as 'CSV UTF-8' and try again",
        )
    ]


def test_bytes_that_are_not_utf8_name_the_line(db, tmp_path):
    text = SUB_HEADER + "\nS8,A1,month,1,2024-01-01\nS9,Caf\xe9,month,1,2024-01-01\n"
    problems = failing(db, [write(tmp_path, "latin.csv", text.encode("latin-1"))])
    assert [(p.rule, p.line) for p in problems] == [("not_utf8", 3)]
    assert problems[0].message == (
        "latin.csv line 3: the line is not UTF-8 text; save the file as 'CSV UTF-8' and try again"
    )


# -- value rules ------------------------------------------------------------------------------


def test_bad_dates_name_line_and_column(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\n"
        "S7,A1,month,10,2023-02-29\n"
        "S8,A1,month,10,2024-13-01\n"
        "S9,A1,month,10,01/02/2024\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("not_a_date", 2, "start_date", "2023-02-29"),
        ("not_a_date", 3, "start_date", "2024-13-01"),
        ("not_a_date", 4, "start_date", "01/02/2024"),
    ]
    assert problems[0].message == (
        "subs.csv line 2, column start_date: '2023-02-29' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month"
    )


def test_negative_amount(db, tmp_path):
    rows = "".join(f"S{i},A1,month,1,2024-01-01\n" for i in range(10, 22))  # lines 2-13
    path = write(
        tmp_path, "subscriptions.csv", SUB_HEADER + "\n" + rows + "S99,A1,month,-5,2024-01-01\n"
    )
    problems = failing(db, [path])
    assert brief(problems) == [("negative_amount", 14, "amount", "-5")]
    assert problems[0].message == (
        "subscriptions.csv line 14, column amount: '-5' is negative; amounts must be 0 or more"
    )


def test_nan_and_infinity_are_rejected(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\n"
        "S7,A1,month,NaN,2024-01-01\nS8,A1,month,inf,2024-01-01\n"
        'S9,A1,month,1e999,2024-01-01\nS10,A1,month,"1,000",2024-01-01\n',
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("not_finite", 2, "amount", "NaN"),
        ("not_finite", 3, "amount", "inf"),
        ("not_finite", 4, "amount", "1e999"),
        ("not_a_number", 5, "amount", "1,000"),
    ]
    assert problems[0].message == (
        "subs.csv line 2, column amount: 'NaN' is not a finite number; NaN and infinity are not "
        "allowed"
    )
    assert problems[3].message == (
        "subs.csv line 5, column amount: '1,000' is not a number; use digits with a . as decimal "
        "point and no thousands separators (e.g. 1234.50)"
    )


def test_discount_over_100_and_quantity_below_one(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + ",discount_pct,quantity\n"
        "S7,A1,month,10,2024-01-01,150,1\nS8,A1,month,10,2024-01-01,10,0\n"
        "S9,A1,month,10,2024-01-01,,1.5\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("out_of_range", 2, "discount_pct", "150"),
        ("out_of_range", 3, "quantity", "0"),
        ("not_an_integer", 4, "quantity", "1.5"),
    ]
    assert [p.message for p in problems] == [
        "subs.csv line 2, column discount_pct: '150' is out of range; discount_pct must be "
        "between 0 and 100",
        "subs.csv line 3, column quantity: '0' is out of range; quantity must be 1 or more",
        "subs.csv line 4, column quantity: '1.5' is not a whole number (digits only, e.g. 12)",
    ]


def test_scores_out_of_range(db, tmp_path):
    nps = write(tmp_path, "nps.csv", "account_id,responded_at,score\nA1,2024-01-01,11\n")
    tickets = write(tmp_path, "t.csv", "ticket_id,account_id,opened_at,csat\nT1,A1,2024-01-01,0\n")
    problems = failing(db, [nps, tickets])
    assert [p.message for p in problems] == [
        "nps.csv line 2, column score: '11' is out of range; score must be between 0 and 10",
        "t.csv line 2, column csat: '0' is out of range; csat must be between 1 and 5",
    ]


def test_unknown_status_lists_allowed_values(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + ",status\nS7,A1,month,10,2024-01-01,gone\nS8,A1,month,10,2024-01-01,PAUSED\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [("allowed_values", 2, "status", "gone")]
    assert problems[0].message == (
        "subs.csv line 2, column status: 'gone' is not an allowed value; use one of: active, "
        "paused, cancelled, trial"
    )


def test_bad_billing_period(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\nS7,A1,weekly,10,2024-01-01\n"
        "S8,A1,0months,10,2024-01-01\nS9,A1,36Months,10,2024-01-01\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("bad_billing_period", 2, "billing_period", "weekly"),
        ("bad_billing_period", 3, "billing_period", "0months"),
    ]
    assert problems[0].message == (
        "subs.csv line 2, column billing_period: 'weekly' is not a billing period; use month, "
        "quarter, half_year, year or a number of months such as 24months"
    )


def test_end_date_not_after_start_date(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + ",end_date\n"
        "S7,A1,month,10,2024-03-01,2024-02-01\nS8,A1,month,10,2024-03-01,2024-03-01\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("end_before_start", 2, "end_date", "2024-02-01"),
        ("end_before_start", 3, "end_date", "2024-03-01"),
    ]
    assert problems[0].message == (
        "subs.csv line 2, column end_date: end_date '2024-02-01' is not after start_date "
        "'2024-03-01'; end_date must be after start_date (leave it empty if there is no end)"
    )


def test_required_value_missing(db, tmp_path):
    path = write(tmp_path, "subs.csv", SUB_HEADER + "\nS7,A1,month,  ,2024-01-01\n")
    problems = failing(db, [path])
    assert brief(problems) == [("required", 2, "amount", "  ")]
    assert problems[0].message == "subs.csv line 2, column amount: a value is required"


def test_duplicate_subscription_id_lists_every_line(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\n"
        "S7,A1,month,10,2024-01-01\nS8,A1,month,10,2024-01-01\n"
        "S7,A1,month,10,2024-01-01\n S7 ,A1,month,10,2024-01-01\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("duplicate_key", 2, "subscription_id", "S7"),
        ("duplicate_key", 4, "subscription_id", "S7"),
        ("duplicate_key", 5, "subscription_id", "S7"),
    ]
    assert [p.message for p in problems] == [
        "subs.csv line 2, column subscription_id: 'S7' appears 3 times (also on line 4, line 5);"
        " subscription_id must be unique",
        "subs.csv line 4, column subscription_id: 'S7' appears 3 times (also on line 2, line 5);"
        " subscription_id must be unique",
        "subs.csv line 5, column subscription_id: 'S7' appears 3 times (also on line 2, line 4);"
        " subscription_id must be unique",
    ]


def test_duplicate_key_across_two_files_names_the_other_file(db, tmp_path):
    one = write(tmp_path, "one.csv", "currency,valid_from,rate\nGBP,2024-01-01,1.3\n")
    two = write(tmp_path, "two.csv", "currency,valid_from,rate\ngbp,2024-01-01,1.31\n")
    problems = failing(db, [one, two])
    assert [p.message for p in problems] == [
        "one.csv line 2, column currency,valid_from: 'GBP, 2024-01-01' appears 2 times (also on "
        "two.csv line 2); currency,valid_from must be unique together",
        "two.csv line 2, column currency,valid_from: 'gbp, 2024-01-01' appears 2 times (also on "
        "one.csv line 2); currency,valid_from must be unique together",
    ]


def test_subscription_for_unknown_account(db, tmp_path):
    path = write(tmp_path, "subs.csv", SUB_HEADER + "\nS7,A404,month,10,2024-01-01\n")
    problems = failing(db, [path])
    assert brief(problems) == [("unknown_account", 2, "account_id", "A404")]
    assert problems[0].message == (
        "subs.csv line 2, column account_id: 'A404' is not a known account; add it to an "
        "accounts file in this import, or import it first"
    )


def test_account_in_the_same_import_is_known(empty_db, tmp_path):
    subs = write(tmp_path, "subs.csv", SUB_HEADER + "\nS1,N1,month,10,2024-01-01\n")
    accounts = write(
        tmp_path, "acc.csv", "account_id,name,parent_account_id\nN1,New,\nN2,Child,N1\n"
    )
    assert import_files(empty_db, [subs, accounts]).row_counts == {
        "accounts": 2,
        "subscriptions": 1,
    }


def test_unknown_parent_account(db, tmp_path):
    path = write(tmp_path, "acc.csv", "account_id,name,parent_account_id\nN1,New,ZZ\n")
    assert brief(failing(db, [path])) == [("unknown_account", 2, "parent_account_id", "ZZ")]


def test_currency_without_fx_rate(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + ",currency\n"
        "S7,A1,month,10,2024-01-01,gbp\nS8,A1,month,10,2024-01-01,EUR\n"
        "S9,A1,month,10,2024-01-01,USD\nS10,A1,month,10,2024-01-01,\n"
        "S11,A1,month,10,2024-01-01,EURO\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("no_fx_rate", 2, "currency", "gbp"),
        ("not_a_currency", 6, "currency", "EURO"),
    ]
    assert problems[0].message == (
        "subs.csv line 2, column currency: 'gbp' has no exchange rate; the reporting currency "
        "is USD, so add fx_rates rows for GBP (in this import or before it)"
    )


def test_fx_rate_in_the_same_import_satisfies_the_currency(db, tmp_path):
    subs = write(tmp_path, "subs.csv", SUB_HEADER + ",currency\nS7,A1,month,10,2024-01-01,GBP\n")
    fx = write(tmp_path, "fx.csv", "currency,valid_from,rate\nGBP,2020-01-01,1.25\n")
    assert import_files(db, [subs, fx]).row_counts == {"subscriptions": 1, "fx_rates": 1}


# -- CSV structure and physical line numbers ------------------------------------------------


def test_embedded_newline_before_a_bad_row_keeps_physical_line(db, tmp_path):
    path = write(
        tmp_path,
        "acc.csv",
        "account_id,name,created_at\n"
        'N1,"Two\nlines",2024-01-01\n'
        'N2,"Three\r\nmore\nlines",2024-01-01\n'
        "N3,Bad,2024-02-30\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [("not_a_date", 7, "created_at", "2024-02-30")]


def test_blank_lines_inside_the_file_keep_physical_line(db, tmp_path):
    path = write(
        tmp_path,
        "acc.csv",
        'account_id,name,created_at\nN1,"Two\nlines",2024-01-01\n\n\nN3,Bad,2024-02-30\n\n',
    )
    problems = failing(db, [path])
    assert brief(problems) == [("not_a_date", 6, "created_at", "2024-02-30")]


@pytest.mark.parametrize("blank_lines", [False, True], ids=["sql_path", "csv_pass_path"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_every_reported_line_is_the_physical_line(db, tmp_path, blank_lines, newline):
    rng = random.Random(7)
    text, expected, line = "account_id,name,created_at" + newline, [], 2
    for number in range(3000):
        breaks = rng.choice([0, 0, 0, 1, 3])
        name = "x" + "\n".join("y" * rng.randint(0, 3) for _ in range(breaks + 1))
        text += f'N{number},"{name}",not-a-date{newline}'
        expected.append(line)
        line += breaks + 1
        if blank_lines and rng.random() < 0.05:
            text += newline
            line += 1
    problems = check_files(db, [write(tmp_path, "acc.csv", text)])
    assert [p.line for p in problems] == expected
    assert {p.rule for p in problems} == {"not_a_date"}


def test_short_and_long_rows_are_problems_with_their_lines(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\n"
        'S7,"A1",month,10,2024-01-01\n'
        "S8,A1,month,10\n"
        'S9,"note\nhere",month,10,2024-01-01,extra\n'
        "S10,A1,month,-1,2024-01-01\n",
    )
    problems = failing(db, [path])
    assert brief(problems) == [
        ("too_few_values", 3, None, "S8,A1,month,10"),
        ("too_many_values", 4, None, 'S9,"note\nhere",month,10,2024-01-01,extra'),
        ("negative_amount", 6, "amount", "-1"),
    ]
    assert problems[0].message == (
        "subs.csv line 3: the row has 4 values but the header has 5 columns; give every column a "
        "value, leaving missing ones empty (a,,c)"
    )
    assert problems[1].message == (
        "subs.csv line 4: the row has 6 values but the header has 5 columns; put values that "
        "contain commas in double quotes"
    )


def test_unterminated_quote_is_reported_at_its_line(db, tmp_path):
    path = write(
        tmp_path,
        "subs.csv",
        SUB_HEADER + "\nS7,A1,month,10,2024-01-01\n"
        'S8,"A1,month,10,2024-01-01\nS9,A1,month,10,2024-01-01\n',
    )
    problems = failing(db, [path])
    assert [(p.rule, p.line, p.column) for p in problems] == [
        ("unterminated_quote", 3, "account_id")
    ]
    assert problems[0].message == (
        "subs.csv line 3, column account_id: a quoted value is not closed properly: a value that "
        'starts with " must end with " just before the next comma or line end, and a quote '
        'inside it is written "" (an unclosed quote swallows the lines after it)'
    )


def test_text_after_a_closing_quote_is_reported(db, tmp_path):
    path = write(tmp_path, "subs.csv", SUB_HEADER + '\nS7,"A1"x,month,10,2024-01-01\n')
    problems = failing(db, [path])
    assert brief(problems) == [
        ("unterminated_quote", 2, "account_id", 'S7,"A1"x,month,10,2024-01-01')
    ]


def test_problem_list_is_capped_with_a_count_of_the_rest(db, tmp_path):
    rows = "".join(f"S{i},A1,month,-1,2024-01-01\n" for i in range(10_005))
    problems = failing(db, [write(tmp_path, "many.csv", SUB_HEADER + "\n" + rows)])
    assert len(problems) == 10_001
    assert problems[-1].rule == "too_many_problems"
    assert problems[-1].message == (
        "… and 5 more problems not listed (the first 10,000 are shown); fix these and check again."
    )


def test_error_text_shows_first_messages_and_total(db, tmp_path):
    rows = "".join(f"S{i},A1,month,-1,2024-01-01\n" for i in range(7))
    with pytest.raises(ImportValidationError) as caught:
        import_files(db, [write(tmp_path, "s.csv", SUB_HEADER + "\n" + rows)])
    text = str(caught.value)
    assert text.startswith(
        "7 problems found; nothing was imported.\n- s.csv line 2, column "
        "amount: '-1' is negative; amounts must be 0 or more\n"
    )
    assert text.endswith("\n… and 2 more")


# -- transaction, log and version -----------------------------------------------------------


def test_second_bad_file_keeps_the_first_from_landing(empty_db, tmp_path):
    bad = write(tmp_path, "bad.csv", "currency,valid_from,rate\nGBP,2024-01-01,-1\n")
    problems = failing(empty_db, [FIXTURES / "accounts.csv", bad])
    assert brief(problems) == [("out_of_range", 2, "rate", "-1")]
    assert problems[0].message == (
        "bad.csv line 2, column rate: '-1' is out of range; rate must be more than 0"
    )
    assert table_counts(empty_db)["accounts"] == 0


def test_import_log_records_ok_and_failed_attempts(empty_db, tmp_path):
    bad = write(tmp_path, "bad.csv", SUB_HEADER + "\nS1,A404,month,1,2024-01-01\n")
    result = import_files(empty_db, BASE_FILES[:3], who="alice")
    with pytest.raises(ImportValidationError):
        import_files(empty_db, [bad], who="bob")
    rows = empty_db.execute(
        "SELECT import_id, who, files, content_hash, row_counts, result, message, "
        "started_at <= finished_at FROM import_log ORDER BY started_at"
    ).fetchall()
    expected_hash = hashlib.sha256(b"".join(p.read_bytes() for p in BASE_FILES[:3])).hexdigest()
    assert rows[0] == (
        result.import_id,
        "alice",
        '["accounts.csv", "subscriptions.csv", "fx_rates.csv"]',
        expected_hash,
        json.dumps({"accounts": 3, "subscriptions": 3, "fx_rates": 2}),
        "ok",
        "Imported 3 accounts, 3 subscriptions, 2 fx_rates.",
        True,
    )
    assert rows[1][1:3] == ("bob", '["bad.csv"]')
    assert rows[1][3] == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert rows[1][4:6] == ("{}", "failed")
    assert rows[1][6].startswith("1 problem found; nothing was imported.\n- bad.csv line 2")
    assert len(rows) == 2


def test_on_loaded_runs_inside_the_transaction(empty_db):
    seen = []

    def on_loaded(con: duckdb.DuckDBPyConnection) -> None:
        seen.append(con.execute("SELECT count(*) FROM accounts").fetchone()[0])
        con.execute("INSERT INTO meta VALUES ('marker', 'written by on_loaded')")

    import_files(empty_db, BASE_FILES[:1], on_loaded=on_loaded)
    assert seen == [3]
    assert get_meta(empty_db, "marker") == "written by on_loaded"


def test_on_loaded_failure_rolls_everything_back_and_is_logged(db, tmp_path):
    def on_loaded(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO meta VALUES ('marker', 'rolled back')")
        raise RuntimeError("derived tables broke")

    before = snapshot(db)
    changed = io.StringIO()
    csv.writer(changed, lineterminator="\n").writerows(
        [["account_id", "name"], ["A1", "Renamed"], ["A9", "New"]]
    )
    file = write(tmp_path, "renamed.csv", changed.getvalue())
    with pytest.raises(RuntimeError, match="derived tables broke"):
        import_files(db, [file], on_loaded=on_loaded)
    assert snapshot(db) == before
    assert get_meta(db, "marker") is None
    assert db.execute(
        "SELECT result, message FROM import_log ORDER BY started_at DESC LIMIT 1"
    ).fetchone() == ("failed", "RuntimeError: derived tables broke")


def test_data_version_bumps_only_on_success(empty_db, tmp_path):
    assert data_version(empty_db) == 0
    import_files(empty_db, BASE_FILES[:1])
    assert data_version(empty_db) == 1
    with pytest.raises(ImportValidationError):
        import_files(empty_db, [write(tmp_path, "e.csv", "")])
    assert data_version(empty_db) == 1
    import_files(empty_db, BASE_FILES[:1])
    assert data_version(empty_db) == 2


def test_bad_arguments_are_value_errors(empty_db):
    with pytest.raises(ValueError, match="No files"):
        import_files(empty_db, [])
    with pytest.raises(ValueError, match="not a canonical table"):
        import_files(empty_db, BASE_FILES[:1], table="customers")


# -- the SQL checks and the pydantic contract agree -----------------------------------------

_TEXT = st.sampled_from(["", "  ", "x", " Gold "])
_NUMBERS = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "-0",
            "1",
            "-1",
            "1.5",
            ".5",
            "1.",
            "1e3",
            "1e999",
            "NaN",
            "inf",
            "-Infinity",
            "1,5",
            "1_000",
            "abc",
            " 7 ",
            "+3",
            "0x10",
            "100",
            "101",
        ]
    ),
    st.integers(-5, 200).map(str),
    st.floats(-10, 200, allow_nan=False).map(repr),
)
_INTS = st.one_of(
    st.sampled_from(["", "0", "1", "2", "-1", "1.0", "1e2", " 3 ", "+4", "99999999999"]),
    st.integers(-3, 10).map(str),
)
_DATES = st.one_of(
    st.sampled_from(
        [
            "",
            "2023-02-29",
            "2024-02-29",
            "2024-13-01",
            "2024-1-5",
            "20240105",
            "0000-01-01",
            "2024-01-05 10:00",
            " 2024-03-01 ",
            "01/02/2024",
        ]
    ),
    st.dates(date(2020, 1, 1), date(2026, 12, 31)).map(date.isoformat),
)
_SUB_ROWS = st.fixed_dictionaries(
    {
        "account_id": st.sampled_from(["A1", " A1 ", ""]),
        "plan": _TEXT,
        "billing_period": st.sampled_from(
            [
                "month",
                "Quarter",
                "half_year",
                "year",
                "24months",
                "0months",
                "weekly",
                "",
                "12 months",
            ]
        ),
        "amount": _NUMBERS,
        "quantity": _INTS,
        "discount_pct": _NUMBERS,
        "currency": st.sampled_from(["", "USD", "usd", "EUR", "E1R", "EURO"]),
        "start_date": _DATES,
        "end_date": _DATES,
        "term_end": _DATES,
        "status": st.sampled_from(["", "active", "Trial", "gone"]),
        "charge_type": st.sampled_from(["", "recurring", "ONE_TIME", "once"]),
    }
)


_TIMESTAMPS = st.one_of(
    st.sampled_from(
        [
            "",
            "2024-01-05",
            "2024-01-05 10:00",
            "2024-01-05T10:00:59.5",
            "2024-02-30",
            "2024-01-05 24:00",
            "2024-01-05 10:60",
            "2024-01-05 10:00+02:00",
            "2024-01-05 10",
            " 2024-01-05 09:00 ",
            "0000-01-01 00:00",
        ]
    ),
    st.datetimes(datetime(2020, 1, 1), datetime(2026, 12, 31)).map(lambda d: d.isoformat(sep=" ")),
)
_TICKET_ROWS = st.fixed_dictionaries(
    {
        "account_id": st.sampled_from(["A1", ""]),
        "opened_at": _TIMESTAMPS,
        "closed_at": _TIMESTAMPS,
        "priority": _TEXT,
        "sla_breached": st.sampled_from(["", "true", "False", "YES", "n", "1", "0", "maybe", "2"]),
        "csat": st.one_of(_INTS, st.sampled_from(["5", "6"])),
    }
)


@pytest.fixture(scope="module")
def contract_db(tmp_path_factory):
    """One loaded database for the property tests (check_files never changes it)."""
    con = open_database(tmp_path_factory.mktemp("contract") / "c.duckdb")
    import_files(con, BASE_FILES[:3])
    yield con
    con.close()


def _sql_and_contract_agree(
    con: duckdb.DuckDBPyConnection, table: str, key: str, rows: list[dict[str, str]]
) -> None:
    """Rows rejected by check_files are exactly the rows the pydantic contract rejects."""
    columns = list(rows[0])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key, *columns])
    for number, row in enumerate(rows):
        writer.writerow([f"N{number}", *(row[c] for c in columns)])
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "rows.csv", out.getvalue())
        sql_bad = {p.line for p in check_files(con, [path], table=table)}
    contract_bad = set()
    for number, row in enumerate(rows):
        try:
            parse_row(table, {key: f"N{number}", **row})
        except ValidationError:
            contract_bad.add(number + 2)
    assert sql_bad == contract_bad


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SUB_ROWS, min_size=1, max_size=15))
def test_sql_checks_accept_exactly_the_subscriptions_the_contract_accepts(contract_db, rows):
    _sql_and_contract_agree(contract_db, "subscriptions", "subscription_id", rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TICKET_ROWS, min_size=1, max_size=15))
def test_sql_checks_accept_exactly_the_tickets_the_contract_accepts(contract_db, rows):
    _sql_and_contract_agree(contract_db, "support_tickets", "ticket_id", rows)
