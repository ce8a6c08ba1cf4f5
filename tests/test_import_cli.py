"""``cli.py import`` and ``cli.py check`` as a user runs them (subprocesses)."""

from __future__ import annotations

import subprocess
import sys

from store.db import open_database, table_counts
from store.import_profiles import save_profile
from store.mapping import Mapping
from tests.conftest import ROOT
from tests.test_import_support import BASE_FILES, write

VENDOR = ROOT / "sample_data" / "vendor_exports"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_import_with_a_preset_reports_files_rows_and_progress(tmp_path):
    db = tmp_path / "cli.duckdb"
    result = cli("import", "--db", str(db), "--preset", "stripe",
                 str(VENDOR / "stripe_subscriptions.csv"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "stripe_subscriptions.csv: stripe (preset), 8 rows; UTF-8, comma-separated, header on "
        "line 1, decimal point"
    )
    assert "accounts                        7 rows" in lines
    assert "subscriptions                   8 rows" in lines
    assert lines[-1].endswith("done; data version 1.")
    assert "Reading stripe_subscriptions.csv" in result.stderr  # the progress bar
    assert "100% Done" in result.stderr


def test_import_snapshot_with_as_of_and_mode(tmp_path):
    db = tmp_path / "snap.duckdb"
    result = cli("import", "--db", str(db), "--as-of", "2024-06-30", "--mode", "replace",
                 str(VENDOR / "customer_snapshot.csv"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    con = open_database(db)
    counts = table_counts(con)
    con.close()
    assert (counts["accounts"], counts["subscriptions"]) == (8, 8)


def test_import_with_a_saved_profile_and_declared_dialect(tmp_path):
    db = tmp_path / "p.duckdb"
    con = open_database(db)
    save_profile(con, "legacy", Mapping(target="accounts", columns={
        "account_id": "Kunde", "name": "Firma"}), ["Kunde", "Firma"])  # fmt: skip
    con.close()
    path = write(tmp_path, "kunden.csv", "Export vom 30.06.2024\nKunde;Firma\nK1;Müller GmbH\n"
                 .encode("cp1252"))  # fmt: skip
    result = cli("import", "--db", str(db), "--profile", "legacy", "--header-line", "2",
                 "--encoding", "windows-1252", "--delimiter", ";", str(path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    con = open_database(db)
    assert con.execute("SELECT account_id, name FROM accounts").fetchall() == [
        ("K1", "Müller GmbH")
    ]
    con.close()


def test_check_without_a_database_validates_files_on_their_own(tmp_path):
    good = cli("check", *map(str, BASE_FILES))
    assert good.returncode == 0
    assert good.stdout.strip() == (
        "No problems found in 4 file(s) (stored accounts and exchange rates not checked: no --db)."
    )
    bad = write(tmp_path, "subs.csv", "subscription_id,account_id,billing_period,amount,"
                "start_date\nS1,A1,month,-1,2024-01-01\nS2,A1,month,1,2024-13-01\n")  # fmt: skip
    result = cli("check", str(bad))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "2 problems found.",
        "  subs.csv line 2, column amount: '-1' is negative; amounts must be 0 or more",
        "  subs.csv line 3, column start_date: '2024-13-01' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month",
    ]


def test_check_against_a_database_sees_unknown_accounts_and_changes_nothing(tmp_path):
    db = tmp_path / "c.duckdb"
    assert cli("import", "--db", str(db), *map(str, BASE_FILES)).returncode == 0
    subs = write(tmp_path, "s.csv", "subscription_id,account_id,billing_period,amount,"
                 "start_date\nS9,A404,month,1,2024-01-01\n")  # fmt: skip
    result = cli("check", "--db", str(db), "--max-problems", "1", str(subs))
    assert result.returncode == 1
    assert "'A404' is not a known account" in result.stderr
    con = open_database(db)
    assert table_counts(con)["subscriptions"] == 3
    assert con.execute("SELECT count(*) FROM import_log").fetchone()[0] == 1
    con.close()


def test_bad_choices_are_plain_errors(tmp_path):
    result = cli("import", "--db", str(tmp_path / "x.duckdb"), "--preset", "paypal",
                 str(BASE_FILES[0]))  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "'paypal' is not a preset; choose one of: stripe, chargebee, baremetrics, salesforce, "
        "hubspot, events, snapshot"
    )
    assert "Traceback" not in result.stderr
    result = cli("import", "--db", str(tmp_path / "x.duckdb"), "--table", "accounts",
                 "--preset", "stripe", str(BASE_FILES[0]))  # fmt: skip
    assert result.returncode == 2  # argparse: mutually exclusive
