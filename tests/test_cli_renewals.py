"""Renewal reports run as a user runs them: ``python cli.py report …`` in a subprocess.

Each report must have its contract columns and agree with the functions the pages call.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from commands.renewals import PIPELINE_REPORT_COLUMNS
from metrics.renewal_outcomes import KPI_COLUMNS, renewal_kpis
from metrics.renewal_queue import QUEUE_COLUMNS, overdue_renewals, renewal_queue
from metrics.renewal_settings import RenewalSettings
from metrics.renewals import pipeline_by_period, renewal_pipeline
from sample_data.demo import build_demo_database
from store.db import open_database
from store.renewal_work import record_work
from tests.conftest import ROOT

AS_OF = "2026-06-30"
AS_OF_DATE = date.fromisoformat(AS_OF)


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
    path = tmp_path_factory.mktemp("cli_renewals") / "demo.duckdb"
    build_demo_database(path, accounts=300, seed=5, as_of=AS_OF_DATE)
    # One renewal in the queue gets a status, so the status column is exercised.
    con = open_database(path)
    try:
        queue = renewal_queue(con, as_of=AS_OF_DATE)
        first = queue.iloc[0]
        record_work(con, account_id=first["account_id"], renewal_date=first["renewal_date"],
                    status="proposal sent", note="=HYPERLINK(\"x\")", next_step="-call back",
                    changed_by="Ann", changed_at=datetime(2026, 6, 29, 9))
    finally:
        con.close()
    return path


def report(db: Path, *args: str, fmt: str = "csv") -> str:
    return cli("report", *args, "--db", str(db), "--as-of", AS_OF, "--format", fmt).stdout


def functions(db: Path, build):
    con = open_database(db)
    try:
        return build(con)
    finally:
        con.close()


def test_renewals_report_is_the_monthly_pipeline(demo_db):
    out = pd.read_csv(io.StringIO(report(demo_db, "renewals")))
    assert list(out.columns) == list(PIPELINE_REPORT_COLUMNS)
    months = functions(demo_db, lambda con: pipeline_by_period(
        renewal_pipeline(con, as_of=AS_OF_DATE), period="month", as_of=AS_OF_DATE))
    assert out["month"].tolist() == [m.strftime("%Y-%m") for m in months["month"]]
    assert out["month"].iloc[0] == "2026-06" and len(out) == 13
    assert out["renewals"].tolist() == months["renewals"].tolist()
    for column in ("arr_due", "forecast_arr", "arr_at_risk", "arr_band_green"):
        assert out[column].tolist() == pytest.approx(months[column].round(2).tolist()), column
    assert out["renewals"].sum() > 0
    band_total = out[[c for c in out.columns if c.startswith("arr_band_")]].sum(axis=1)
    assert band_total.tolist() == pytest.approx(out["arr_due"].tolist(), abs=0.05)


def test_queue_report_has_the_queue_columns_and_rows(demo_db):
    rows = json.loads(report(demo_db, "queue", fmt="json"))
    queue = functions(demo_db, lambda con: renewal_queue(con, as_of=AS_OF_DATE))
    assert len(rows) == len(queue) > 0
    assert list(rows[0]) == list(QUEUE_COLUMNS)
    assert [r["account_id"] for r in rows] == queue["account_id"].tolist()
    assert [r["renewal_date"] for r in rows] == [d.isoformat() for d in queue["renewal_date"]]
    assert [r["arr_at_risk"] for r in rows] == pytest.approx(
        queue["arr_at_risk"].round(2).tolist())
    assert all(90 <= r["days_to_renewal"] <= 120 for r in rows)
    first = rows[0]
    assert (first["status"], first["next_step"]) == ("proposal sent", "-call back")


def test_queue_csv_is_formula_safe(demo_db):
    out = report(demo_db, "queue")
    header = out.splitlines()[0].split(",")
    assert header == list(QUEUE_COLUMNS)
    # The next step "-call back" starts with a formula character: exported with a quote.
    assert "'-call back" in out


def test_queue_window_option_and_owner_filter(demo_db):
    window = RenewalSettings(window_start_days=60, window_end_days=75)
    everyone = functions(demo_db, lambda con: renewal_queue(con, as_of=AS_OF_DATE,
                                                            settings=window))
    owner = everyone["csm_owner"].iloc[0]
    rows = json.loads(report(demo_db, "queue", "--window", "60-75", "--owner", owner,
                             fmt="json"))
    mine = everyone.loc[everyone["csm_owner"] == owner]
    assert [r["account_id"] for r in rows] == mine["account_id"].tolist()
    assert 0 < len(rows) < len(everyone)
    assert all(60 <= r["days_to_renewal"] <= 75 for r in rows)


def test_queue_overdue_option_lists_the_overdue_renewals(demo_db):
    rows = json.loads(report(demo_db, "queue", "--overdue", fmt="json"))
    overdue = functions(demo_db, lambda con: overdue_renewals(con, as_of=AS_OF_DATE))
    assert [r["account_id"] for r in rows] == overdue["account_id"].tolist()
    assert all(r["overdue"] and r["days_to_renewal"] < 90 for r in rows)


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("abc", "--window 'abc' is not a window like 90-120"),
        ("90", "--window '90' is not a window like 90-120"),
        ("-5-10", "is not a window like 90-120"),
        ("120-90", "window_end_days (90) must not be before window_start_days (120)"),
        ("90-99999", "is not a window like 90-120"),
    ],
)
def test_queue_window_bad_input_gives_a_clear_error(demo_db, window, message):
    result = cli("report", "queue", "--db", str(demo_db), "--as-of", AS_OF,
                 f"--window={window}", check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_renewal_kpis_report_agrees_with_the_function(demo_db):
    out = pd.read_csv(io.StringIO(report(demo_db, "renewal-kpis")))
    assert list(out.columns) == list(KPI_COLUMNS)
    kpis = functions(demo_db, lambda con: renewal_kpis(con, as_of=AS_OF_DATE))
    assert out["quarter"].tolist() == [
        f"{q.year}-Q{(q.month - 1) // 3 + 1}" for q in kpis["quarter"]]
    assert out["quarter"].iloc[-1] == "2026-Q2" and not out["complete"].iloc[-1]
    assert out["renewals_due"].tolist() == kpis["renewals_due"].tolist()
    for column in ("arr_due", "gross_renewal_rate", "net_renewal_rate", "logo_renewal_rate",
                   "final_renewal_rate", "count_churn"):
        assert out[column].tolist() == pytest.approx(kpis[column].tolist(), abs=0.006), column
