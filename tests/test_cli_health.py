"""``python cli.py report health | moments | account`` in a subprocess on a small demo.

The CLI calls the same functions as the pages, so its numbers equal theirs (JSON keeps six
decimals).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.account360 import (
    account_header,
    account_health_breakdown,
    account_mrr_history,
    account_timeline,
)
from metrics.filters import Filters
from metrics.health import health_scores
from metrics.moments import revenue_moments
from sample_data.demo import build_demo_database
from store.db import open_database
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
    path = tmp_path_factory.mktemp("cli_health") / "demo.duckdb"
    build_demo_database(path, accounts=120, seed=11, as_of=AS_OF_DATE)
    return path


def report(demo_db: Path, *args: str, fmt: str = "json"):
    out = cli("report", *args, "--db", str(demo_db), "--as-of", AS_OF, "--format", fmt).stdout
    return json.loads(out) if fmt == "json" else out


def with_metrics(demo_db: Path, function, **kwargs):
    con = open_database(demo_db)
    try:
        return function(con, as_of=AS_OF_DATE, **kwargs)
    finally:
        con.close()


def test_report_health_is_the_scorecard(demo_db):
    expected = with_metrics(demo_db, health_scores)
    header = report(demo_db, "health", fmt="csv").splitlines()[0].split(",")
    assert header == list(expected.columns)
    rows = pd.DataFrame(report(demo_db, "health"))
    assert rows["account_id"].tolist() == expected["account_id"].tolist()
    assert rows["band"].fillna("").tolist() == expected["band"].fillna("").tolist()
    for column in ("health_score", "usage_score", "arr"):
        assert rows[column].tolist() == pytest.approx(
            expected[column].round(6).tolist(), nan_ok=True), column


def test_report_health_uses_the_filters(demo_db):
    expected = with_metrics(demo_db, health_scores, filters=Filters(segments=("SMB",)))
    rows = report(demo_db, "health", "--segment", "SMB")
    assert [r["account_id"] for r in rows] == expected["account_id"].tolist()
    assert {r["segment"] for r in rows} == {"SMB"}
    assert 0 < len(rows) < len(report(demo_db, "health"))


def test_report_moments_is_the_feed_and_filters_by_type(demo_db):
    expected = with_metrics(demo_db, revenue_moments)
    csv_text = report(demo_db, "moments", fmt="csv")
    assert csv_text.splitlines()[0].split(",") == list(expected.columns)
    rows = report(demo_db, "moments")
    assert [(r["account_id"], r["moment_type"]) for r in rows] == list(
        zip(expected["account_id"], expected["moment_type"], strict=True))
    assert [r["amount_at_stake"] for r in rows] == pytest.approx(
        expected["amount_at_stake"].tolist())
    picked = report(demo_db, "moments", "--type", "upsell", "--type", "nps_promoter")
    wanted = expected.loc[expected["moment_type"].isin(["upsell", "nps_promoter"])]
    assert [(r["account_id"], r["moment_type"]) for r in picked] == list(
        zip(wanted["account_id"], wanted["moment_type"], strict=True))
    assert len(wanted) > 0


def test_report_account_gives_header_timeline_mrr_history_and_breakdown(demo_db):
    parts = report(demo_db, "account", "--id", "acct_lifecycle")
    assert list(parts) == ["header", "timeline", "mrr_history", "health_breakdown"]
    header = with_metrics(demo_db, account_header, account_id="acct_lifecycle")
    assert len(parts["header"]) == 1
    got = parts["header"][0]
    assert list(got) == list(header)
    assert got["renewal_date"].startswith(header["renewal_date"].isoformat())
    assert got["missing_components"] == ", ".join(header["missing_components"])
    for key in ("account_id", "name", "plan", "band", "days_to_renewal", "seats_purchased",
                "active_users_30d", "referenceable"):
        assert got[key] == header[key], key
    for key in ("mrr", "arr", "health_score", "health_change"):
        assert got[key] == pytest.approx(header[key]), key

    timeline = with_metrics(demo_db, account_timeline, account_id="acct_lifecycle")
    assert [(r["kind"], r["event"], r["title"]) for r in parts["timeline"]] == list(
        zip(timeline["kind"], timeline["event"], timeline["title"], strict=True))
    assert [r["occurred_on"][:10] for r in parts["timeline"]] == [
        d.isoformat() for d in timeline["occurred_on"]]

    history = with_metrics(demo_db, account_mrr_history, account_id="acct_lifecycle")
    assert [r["mrr"] for r in parts["mrr_history"]] == pytest.approx(history["mrr"].tolist())
    assert [r["reactivation"] for r in parts["mrr_history"]] == pytest.approx(
        history["reactivation"].tolist())

    breakdown = with_metrics(demo_db, account_health_breakdown, account_id="acct_lifecycle")
    assert [r["component"] for r in parts["health_breakdown"]] == breakdown["component"].tolist()
    assert sum(r["contribution"] for r in parts["health_breakdown"]) == pytest.approx(
        header["health_score"])


def test_report_account_csv_has_one_section_per_part(demo_db):
    text = report(demo_db, "account", "--id", "acct_lifecycle", fmt="csv")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == ["## header", "## timeline", "## mrr_history", "## health_breakdown"]
    header_csv = text.split("## timeline")[0].removeprefix("## header\n")
    header = pd.read_csv(io.StringIO(header_csv))
    assert header["account_id"].tolist() == ["acct_lifecycle"]
    assert header["name"].tolist() == ["Brightpath Studio"]


def test_unknown_account_id_is_a_plain_error(demo_db):
    result = cli("report", "account", "--db", str(demo_db), "--as-of", AS_OF, "--id",
                 "acct_nope", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("No account with id 'acct_nope'.")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unknown_moment_type_is_a_usage_error(demo_db):
    result = cli("report", "moments", "--db", str(demo_db), "--type", "lottery", check=False)
    assert result.returncode == 2
    assert "invalid choice: 'lottery'" in result.stderr
