"""Opening database files: schema version, bad files, a busy file, settings and safe export."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import date

import pandas as pd
import pytest

from metrics.snapshots import apply_metric_settings
from store.db import (
    DatabaseBusyError,
    DatabaseError,
    SchemaVersionError,
    data_version,
    open_database,
    set_meta,
    table_counts,
)
from store.export import neutralise_formulas, to_safe_csv
from store.schema import CANONICAL_TABLES, SCHEMA_VERSION
from store.settings import MetricSettings, SettingsError, load_settings, validate_settings
from tests.conftest import ROOT, sub


def test_new_file_gets_every_table_and_the_schema_version(tmp_path):
    con = open_database(tmp_path / "new.duckdb")
    assert table_counts(con) == {t.name: 0 for t in CANONICAL_TABLES}
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)
    assert data_version(con) == 0
    con.close()


def test_unknown_schema_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "future.duckdb"
    con = open_database(path)
    set_meta(con, "schema_version", "99")
    con.close()
    with pytest.raises(SchemaVersionError) as error:
        open_database(path)
    message = str(error.value)
    assert "future.duckdb uses data schema version 99" in message
    assert f"this app reads version {SCHEMA_VERSION}" in message


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are not the bytes of a database\n" * 200)
    with pytest.raises(DatabaseError, match="notes.duckdb is not a database this app can open"):
        open_database(path)


def test_missing_file_without_create_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="missing.duckdb does not exist"):
        open_database(tmp_path / "missing.duckdb", create=False)


def test_file_held_by_another_process_gives_a_plain_busy_message(tmp_path):
    path = tmp_path / "busy.duckdb"
    open_database(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            sys.path.insert(0, {str(ROOT)!r})
            from store.db import open_database
            con = open_database({str(path)!r})
            print("ready", flush=True)
            time.sleep(30)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseBusyError, match="busy.duckdb is open in another program"):
            open_database(path)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    open_database(path).close()  # usable again once the other process is gone


def test_settings_validation_names_each_bad_field():
    with pytest.raises(SettingsError) as error:
        validate_settings(
            MetricSettings, {"reporting_currency": "dollars", "reactivation_window_days": -3}
        )
    message = str(error.value)
    assert message.startswith("Settings not saved.")
    assert "reporting_currency" in message
    assert "reactivation_window_days" in message


def test_applying_settings_rebuilds_and_bumps_the_data_version(make_db):
    con = make_db(accounts=[("A", "A")],
                  subscriptions=[sub("s", "A", date(2024, 1, 1), amount=100, discount_pct=50)])
    before = data_version(con)
    assert con.execute("SELECT sum(mrr) FROM mrr_snapshot").fetchone()[0] > 0
    version = apply_metric_settings(con, MetricSettings(deduct_discounts=False))
    assert version == before + 1
    assert load_settings(con, MetricSettings).deduct_discounts is False
    january = con.execute(
        "SELECT mrr FROM mrr_snapshot WHERE month = DATE '2024-01-01'"
    ).fetchone()[0]
    assert january == 100


def test_failed_settings_apply_changes_nothing(make_db, monkeypatch):
    con = make_db(accounts=[("A", "A")],
                  subscriptions=[sub("s", "A", date(2024, 1, 1), amount=100, discount_pct=50)])
    before = (data_version(con), con.execute("SELECT sum(mrr) FROM mrr_snapshot").fetchone())

    def broken(_con):
        _con.execute("DELETE FROM mrr_snapshot")
        raise RuntimeError("disk full")

    monkeypatch.setattr("metrics.snapshots.refresh_derived", broken)
    with pytest.raises(RuntimeError):
        apply_metric_settings(con, MetricSettings(deduct_discounts=False))
    assert (data_version(con), con.execute("SELECT sum(mrr) FROM mrr_snapshot").fetchone()) \
        == before
    assert load_settings(con, MetricSettings).deduct_discounts is True


def test_safe_export_neutralises_formulas_but_keeps_numbers():
    frame = pd.DataFrame({
        "name": ["=HYPERLINK(\"http://x\")", "+cmd", "@SUM(1)", "-2+3", "Acme", "\tTab"],
        "mrr": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    })
    safe = neutralise_formulas(frame)
    assert safe["name"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+cmd", "'@SUM(1)", "'-2+3", "Acme", "'\tTab",
    ]
    assert safe["mrr"].tolist() == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert frame["name"].iloc[0].startswith("=")  # the original is untouched
    text = to_safe_csv(frame).decode("utf-8")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_parent_rollup_follows_the_chain_to_the_top(make_db):
    con = make_db(accounts=[("top", "Top"), ("mid", "Mid", None, None, None, "top"),
                            ("leaf", "Leaf", None, None, None, "mid"),
                            ("loop1", "L1", None, None, None, "loop2"),
                            ("loop2", "L2", None, None, None, "loop1")])
    roots = dict(con.execute("SELECT account_id, root_account_id FROM account_rollup").fetchall())
    assert roots["leaf"] == "top"
    assert roots["mid"] == "top"
    assert roots["top"] == "top"
    assert roots["loop1"] in {"loop1", "loop2"}  # a cycle terminates instead of hanging


def test_import_history_lists_newest_first(tmp_path):
    from store.import_log import import_history

    con = open_database(tmp_path / "log.duckdb")
    con.executemany(
        "INSERT INTO import_log (import_id, started_at, result) VALUES (?, ?, ?)",
        [("a", "2026-01-01 10:00:00", "ok"), ("b", "2026-01-02 09:00:00", "failed")],
    )
    history = import_history(con)
    assert history["import_id"].tolist() == ["b", "a"]
    assert history["result"].tolist() == ["failed", "ok"]
    assert import_history(con, limit=1)["import_id"].tolist() == ["b"]
    con.close()
