"""``cli.py report scenario`` and ``report forecast`` as a user runs them."""

from __future__ import annotations

import json
from datetime import date

import pytest

from metrics.forecast import mrr_forecast
from sample_data.demo import build_demo_database
from store.db import open_database
from tests.test_cli import cli


def test_scenario_report_reproduces_the_brief_without_a_database():
    out = cli("report", "scenario", "--customers", "1000", "--arpa", "100", "--growth", "0.5",
              "--churn", "0.1", "--churn", "0.3", "--years", "3",
              "--convention", "annual-multiplicative", "--format", "json").stdout
    summary = {row["churn_rate"]: row for row in json.loads(out)["summary"]}
    assert set(summary) == {0.0, 0.1, 0.3}
    assert round(summary[0.3]["ending_customers"], 1) == 1157.6  # 1,000 × 1.05³
    assert summary[0.3]["convention"] == "annual-multiplicative"


def test_scenario_csv_shows_money_in_cents_without_float_noise():
    # Annual additive, 50 % acquisition, 10 % churn: 1,000 x 1.4^3 = 2,744 customers paying
    # $100 = $274,400 MRR in year 3 (the floats alone would print 2743.9999999999995).
    out = cli("report", "scenario", "--customers", "1000", "--arpa", "100", "--growth", "0.5",
              "--churn", "0.1", "--years", "3", "--convention", "annual-additive").stdout
    path = out.split("## path")[1]
    assert "\n0.1,3,3.0,2744.0,100.0,274400.0," in path
    assert "9999" not in out


def test_scenario_report_rejects_a_churn_above_100_percent():
    result = cli("report", "scenario", "--churn", "1.5", check=False)
    assert result.returncode == 1
    assert "Invalid scenario" in result.stderr and "between 0 and 1" in result.stderr


def test_data_report_without_db_says_so():
    result = cli("report", "mrr", check=False)
    assert result.returncode == 2
    assert "report mrr needs --db PATH" in result.stderr


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("forecast") / "demo.duckdb"
    build_demo_database(path, accounts=200, seed=3, as_of=date(2026, 6, 30))
    return path


def test_forecast_report_equals_the_function(small_demo):
    out = json.loads(cli("report", "forecast", "--db", str(small_demo), "--as-of", "2026-06-30",
                         "--format", "json").stdout)
    con = open_database(small_demo)
    expected = mrr_forecast(con, as_of=date(2026, 6, 30))
    con.close()
    assert [row["month"] for row in out["forecast"]][:2] == ["2026-07", "2026-08"]
    assert out["forecast"][0]["base_mrr"] == round(expected.forecast["base_mrr"].iloc[0], 2)
    assert len(out["backtest"]) == len(expected.backtest) == 18  # 12 + 6 months compared
