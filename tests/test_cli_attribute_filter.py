"""``cli.py report … --attribute NAME=VALUE``: the custom-attribute filter on the command line.

The database is the hand-typed book of tests/test_attribute_filter.py (as of 2024-06-30):
MRR 800 over four customers; Industry=Retail: A1 (100) and A3 (100), MRR 200; Industry in
(Retail, Software) adds A2 (200): 400. Renewal queue: every account's next renewal is 90-120
days away; under Retail, A1 and A3 at ARR 1,200 each.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from store.db import open_database
from tests.conftest import ROOT, load_rows
from tests.test_attribute_filter import AS_OF, BOOK_ACCOUNTS, BOOK_SUBSCRIPTIONS, finish_book


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "book.duckdb"
    con = open_database(path)
    try:
        load_rows(con, accounts=BOOK_ACCOUNTS, subscriptions=BOOK_SUBSCRIPTIONS)
        finish_book(con)
    finally:
        con.close()  # the CLI opens the file itself
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)  # fmt: skip


def _report(path: Path, name: str, *filters: str) -> pd.DataFrame:
    result = cli("report", name, "--db", str(path), "--as-of", AS_OF.isoformat(), *filters)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout))


def test_report_attribute_filter_selects_accounts(book_path: Path) -> None:
    mrr = _report(book_path, "mrr").iloc[-1]
    assert (mrr["mrr"], mrr["customers"]) == (800, 4)
    retail = _report(book_path, "mrr", "--attribute", "Industry=Retail").iloc[-1]
    assert (retail["mrr"], retail["customers"]) == (200, 2)
    both = _report(book_path, "mrr", "--attribute", "Industry=Retail",
                   "--attribute", "Industry=Software").iloc[-1]  # fmt: skip
    assert (both["mrr"], both["customers"]) == (400, 3)
    queue = _report(book_path, "queue", "--attribute", "Industry=Retail")
    assert sorted(queue["account_id"]) == ["A1", "A3"]
    assert queue["arr"].tolist() == [1200, 1200]
    health = _report(book_path, "health", "--attribute", "Industry=Retail")
    assert health["account_id"].tolist() == ["A1", "A3"]


def test_report_attribute_filter_rejects_bad_input(book_path: Path) -> None:
    two = cli("report", "mrr", "--db", str(book_path), "--attribute", "Industry=Retail",
              "--attribute", "Tier=Gold")  # fmt: skip
    assert two.returncode == 1
    assert two.stderr.strip() == (
        "--attribute filters on one attribute at a time; got Industry, Tier. Repeat it with "
        "the same name for several values."
    )
    malformed = cli("report", "mrr", "--db", str(book_path), "--attribute", "Industry")
    assert malformed.returncode == 2
    assert "'Industry' is not NAME=VALUE" in malformed.stderr
