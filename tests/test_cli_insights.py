"""``python cli.py report drivers | backtest`` in a subprocess: the page functions' numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from metrics.backtest import health_backtest
from metrics.drivers import churn_drivers
from sample_data.demo import build_demo_database
from store.db import open_database
from tests.conftest import ROOT

AS_OF = date(2026, 6, 30)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli_insights") / "demo.duckdb"
    build_demo_database(path, accounts=300, seed=5, as_of=AS_OF)
    return path


def test_report_drivers_equals_the_page_function(demo_db: Path) -> None:
    result = cli("report", "drivers", "--db", str(demo_db), "--as-of", AS_OF.isoformat(),
                 "--lead-days", "60", "--format", "json")
    assert result.returncode == 0, result.stderr
    parts = json.loads(result.stdout)
    assert set(parts) == {"summary", "signals", "model", "calibration"}
    con = open_database(demo_db)
    try:
        expected = churn_drivers(con, as_of=AS_OF, lead_days=60)
    finally:
        con.close()
    summary = parts["summary"][0]
    assert summary["lead_days"] == 60
    assert summary["decisions"] == expected.decisions
    assert summary["renewal_rate"] == pytest.approx(expected.renewal_rate, abs=1e-6)
    assert len(parts["signals"]) == len(expected.rates)
    assert parts["signals"][0]["label"] == expected.rates.iloc[0]["label"]
    if expected.model is not None:
        assert summary["model_auc"] == pytest.approx(expected.model.auc, abs=1e-6)
        assert parts["model"][0]["feature"] == expected.model.coefficients.iloc[0]["feature"]


def test_report_backtest_csv_has_its_four_parts(demo_db: Path) -> None:
    result = cli("report", "backtest", "--db", str(demo_db), "--as-of", AS_OF.isoformat())
    assert result.returncode == 0, result.stderr
    for part in ("## summary", "## bands", "## calibration", "## weights"):
        assert part in result.stdout
    con = open_database(demo_db)
    try:
        expected = health_backtest(con, as_of=AS_OF)
    finally:
        con.close()
    weights = result.stdout.split("## weights")[1].strip().splitlines()
    assert weights[0] == "component,current,suggested,coverage,learned"
    assert len(weights) == 1 + len(expected.weights)


def test_bad_lead_time_is_a_clear_error(demo_db: Path) -> None:
    result = cli("report", "drivers", "--db", str(demo_db), "--lead-days", "-5")
    assert result.returncode == 1
    assert "--lead-days must be between 0 and 730" in result.stderr
