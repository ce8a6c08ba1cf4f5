"""``python cli.py report value`` in a subprocess on the hand-typed book of
tests/test_customer_value.py, whose docstring works every number by hand: value scores B 80,
D 62.5, C 50.98, A 50, E 0; clv ranks A 1, B 2, C 2, D 4, E 5. JSON keeps six decimals.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metrics.customer_value import VALUE_COLUMNS, ValueSettings, ValueWeights
from tests.conftest import ROOT
from tests.test_customer_value import AS_OF, C_VALUE, ORDER, book_file


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


@pytest.fixture(scope="module")
def book_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return book_file(tmp_path_factory.mktemp("cli_value") / "book.duckdb")


def report(db: Path, *args: str, fmt: str = "json") -> object:
    result = cli("report", "value", "--db", str(db), "--as-of", AS_OF.isoformat(),
                 "--format", fmt, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def test_report_value_ranks_customers_as_worked_by_hand(book_db: Path) -> None:
    rows = pd.DataFrame(report(book_db))
    assert rows["account_id"].tolist() == ORDER
    assert rows["value_score"].tolist() == pytest.approx([80.0, 62.5, C_VALUE, 50.0, 0.0],
                                                         abs=1e-6)
    assert rows["value_rank"].tolist() == [1, 2, 3, 4, 5]
    assert rows["clv_rank"].tolist() == [2, 4, 2, 1, 5]
    assert rows["rank_gap"].tolist() == [1, 2, -1, -3, 0]
    assert rows["missing_components"].tolist()[0] == "feedback"


def test_report_value_csv_has_every_column_in_order(book_db: Path) -> None:
    text = report(book_db, fmt="csv")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == list(VALUE_COLUMNS)
    assert frame["account_id"].tolist() == ORDER
    assert frame.loc[frame["account_id"] == "B", "strategic_value"].item() == "High"


def test_report_value_uses_the_filters(book_db: Path) -> None:
    rows = pd.DataFrame(report(book_db, "--segment", "SMB"))
    # SMB alone: D 6625 / 90 = 73.6, A 50, E 0 (tests/test_customer_value.py).
    assert rows["account_id"].tolist() == ["D", "A", "E"]
    assert rows["value_score"].tolist() == pytest.approx([6625 / 90, 50.0, 0.0], abs=1e-6)


def test_report_value_uses_the_stored_settings(tmp_path: Path) -> None:
    clv_only = ValueSettings(weights=ValueWeights(clv=1, advocacy=0, influence=0, feedback=0,
                                                  strategic=0))
    db = book_file(tmp_path / "stored.duckdb", clv_only)
    rows = pd.DataFrame(report(db))
    # CLV alone: A 100, B and C 62.5, D 25, E 0.
    assert rows["account_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert rows["value_score"].tolist() == pytest.approx([100.0, 62.5, 62.5, 25.0, 0.0])


def test_report_value_needs_a_database() -> None:
    result = cli("report", "value")
    assert result.returncode == 2
    assert "needs --db" in result.stderr
