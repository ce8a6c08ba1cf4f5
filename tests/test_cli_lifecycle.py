"""``python cli.py report lifecycle`` in a subprocess on the hand-typed book of
tests/test_lifecycle.py, whose docstring and EXPECTED work every KPI by hand."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics.lifecycle import COLUMNS
from store.db import open_database
from tests.conftest import ROOT, load_rows
from tests.test_lifecycle import AS_OF, EXPECTED, book


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


@pytest.fixture(scope="module")
def book_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli_lifecycle") / "book.duckdb"
    opened: list[duckdb.DuckDBPyConnection] = []

    def factory(**rows: object) -> duckdb.DuckDBPyConnection:
        con = open_database(path)
        opened.append(con)
        load_rows(con, **rows)
        return con

    book(factory)
    opened[0].close()
    return path


def report(db: Path, *args: str, fmt: str = "json") -> object:
    result = cli("report", "lifecycle", "--db", str(db), "--as-of", AS_OF.isoformat(),
                 "--format", fmt, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def test_report_lifecycle_gives_every_kpi_as_worked_by_hand(book_db: Path) -> None:
    rows = pd.DataFrame(report(book_db))
    assert rows["kpi"].tolist() == list(EXPECTED)
    values = dict(zip(rows["kpi"], rows["value"], strict=True))
    for kpi, (value, _, _) in EXPECTED.items():
        assert values[kpi] == pytest.approx(value, abs=1e-6), kpi


def test_report_lifecycle_csv_has_every_column_in_order(book_db: Path) -> None:
    frame = pd.read_csv(io.StringIO(report(book_db, fmt="csv")))
    assert list(frame.columns) == list(COLUMNS)
    # NPS 25 (tests/test_lifecycle.py: promoters A, K; detractor C; 4 answered).
    assert frame.loc[frame["kpi"] == "nps", "value"].item() == pytest.approx(25.0)


def test_report_lifecycle_uses_the_filters_and_window(book_db: Path) -> None:
    # Enterprise = B: its only ticket breached → SLA 0 % (tests/test_lifecycle.py).
    rows = pd.DataFrame(report(book_db, "--segment", "Enterprise"))
    assert rows.loc[rows["kpi"] == "sla_attainment", "value"].item() == 0.0
    # A 30-day window (2024-06-16…07-15) holds ticket t3 alone (not breached): 100 %; its only
    # NPS answer is K's 9 (A answered on 05-01, B on 06-01): one promoter → NPS 100.
    rows = pd.DataFrame(report(book_db, "--window-days", "30"))
    assert rows.loc[rows["kpi"] == "sla_attainment", "value"].item() == 100.0
    assert rows.loc[rows["kpi"] == "nps", "value"].item() == 100.0


def test_report_lifecycle_rejects_an_empty_window(book_db: Path) -> None:
    result = cli("report", "lifecycle", "--db", str(book_db), "--window-days", "0")
    assert result.returncode == 1
    assert "--window-days must be at least 1" in result.stderr + result.stdout
