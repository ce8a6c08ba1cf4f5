"""The command line, run as a user runs it: ``python cli.py …`` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.executive import executive_data
from metrics.reports import REPORTS
from sample_data.demo import build_demo_database
from store.db import open_database, table_counts
from tests.conftest import ROOT

EXPORTS = ROOT / "sample_data" / "exports"
AS_OF = "2026-06-30"


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"cli.py {' '.join(args)} failed:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    cli("sample", "--db", str(path), "--accounts", "300", "--seed", "5", "--as-of", AS_OF)
    return path


def test_sample_builds_every_table(demo_db):
    con = open_database(demo_db)
    counts = table_counts(con)
    con.close()
    assert counts["accounts"] == 300
    assert all(count > 0 for count in counts.values()), counts


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_csv_has_contract_columns(demo_db, name):
    out = cli("report", name, "--db", str(demo_db), "--as-of", AS_OF).stdout
    header = out.splitlines()[0].split(",")
    assert header == list(REPORTS[name].columns)


def test_report_numbers_equal_the_page_functions(demo_db):
    """CLI and pages call the same functions: the JSON equals executive_data, rounded."""
    rows = json.loads(cli("report", "movements", "--db", str(demo_db), "--as-of", AS_OF,
                          "--format", "json").stdout)
    con = open_database(demo_db)
    data = executive_data(con, as_of=date.fromisoformat(AS_OF))
    con.close()
    assert len(rows) == len(data.movements)
    last = data.movements.iloc[-1]
    assert rows[-1]["month"] == "2026-06"
    for column in ("mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
                   "mrr_end"):
        assert rows[-1][column] == round(float(last[column]), 2), column


def test_report_filters_and_out_file(demo_db, tmp_path):
    target = tmp_path / "mrr.csv"
    cli("report", "mrr", "--db", str(demo_db), "--as-of", AS_OF, "--segment", "SMB",
        "--from", "2026-01", "--to", "2026-06", "--out", str(target))
    smb = pd.read_csv(target)
    assert smb["month"].tolist() == [f"2026-0{m}" for m in range(1, 7)]
    everyone = pd.read_csv(pd.io.common.StringIO(
        cli("report", "mrr", "--db", str(demo_db), "--as-of", AS_OF).stdout))
    june_all = everyone.loc[everyone["month"] == "2026-06", "mrr"].item()
    assert 0 < smb["mrr"].iloc[-1] < june_all


def test_importing_the_sample_exports_reproduces_the_demo(tmp_path):
    """Canonical CSVs round-trip: import the committed exports and get the demo's numbers."""
    direct = tmp_path / "direct.duckdb"
    build_demo_database(direct, accounts=40, seed=7, as_of=date(2026, 6, 30))
    imported = tmp_path / "imported.duckdb"
    files = sorted(str(p) for p in EXPORTS.glob("*.csv"))
    result = cli("import", "--db", str(imported), *files)
    assert "data version" in result.stdout
    for name in ("movements", "cohorts", "retention"):
        a = cli("report", name, "--db", str(direct), "--as-of", AS_OF).stdout
        b = cli("report", name, "--db", str(imported), "--as-of", AS_OF).stdout
        assert a == b, name


def test_bad_import_names_file_line_and_column_and_changes_nothing(demo_db, tmp_path):
    bad = tmp_path / "subscriptions.csv"
    bad.write_text(
        "subscription_id,account_id,billing_period,amount,start_date\n"
        "s-new-1,acct_lifecycle,month,100,2026-01-01\n"
        "s-new-2,acct_lifecycle,month,-5,2026-01-01\n",
        encoding="utf-8",
    )
    con = open_database(demo_db)
    before = table_counts(con)
    con.close()
    result = cli("import", "--db", str(demo_db), str(bad), check=False)
    assert result.returncode == 1
    assert "nothing was changed" in result.stderr
    assert "subscriptions.csv line 3, column amount" in result.stderr
    con = open_database(demo_db)
    assert table_counts(con) == before
    con.close()


def test_missing_file_and_missing_database_are_plain_errors(tmp_path):
    result = cli("import", "--db", str(tmp_path / "x.duckdb"), "nope.csv", check=False)
    assert result.returncode == 1
    assert "File not found: nope.csv" in result.stderr
    result = cli("report", "mrr", "--db", str(tmp_path / "absent.duckdb"), check=False)
    assert result.returncode == 1
    assert "absent.duckdb does not exist" in result.stderr
    assert "Traceback" not in result.stderr
