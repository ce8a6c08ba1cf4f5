"""The Lifecycle KPIs page with Streamlit's AppTest, on the hand-typed book of
tests/test_lifecycle.py (its docstring and EXPECTED work every KPI by hand): trial conversion
50 %, NPS 25, CSAT 11 / 3, final renewal rate of Q1 2024 100 %, avg ACV per customer 2,260."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.lifecycle import COLUMNS, lifecycle_kpis
from store.db import open_database, set_meta
from tests.conftest import load_rows, sub
from tests.test_lifecycle import AS_OF, book
from ui import lifecycle_widgets

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
PAGE = "pages/lifecycle.py"
TIMEOUT = 60


pytestmark = pytest.mark.usefixtures("isolated_app")


def _file(path: Path, build) -> Path:
    """A closed database built by ``build(factory)``, with the data's as-of date recorded."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def factory(**rows: object) -> duckdb.DuckDBPyConnection:
        con = open_database(path)
        opened.append(con)
        load_rows(con, **rows)
        return con

    con = build(factory)
    con.execute("BEGIN TRANSACTION")
    set_meta(con, "data_as_of", AS_OF.isoformat())
    set_meta(con, "data_version", "1")
    con.execute("COMMIT")
    con.close()
    return path


def _page(path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CSD_DB", str(path))
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return found[0]


def test_cards_show_the_hand_worked_kpis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = _file(tmp_path / "book.duckdb", book)
    at = _page(path, monkeypatch)
    assert at.title[0].value == "Lifecycle KPIs"
    assert "As of 2024-07-15" in at.caption[0].value
    # Hand-worked in tests/test_lifecycle.py: 1 of 2 trials; NPS 50 − 25; CSAT (5 + 2 + 4) / 3;
    # Q1 2024 renewed ARR 3,600 / 3,600; ARR 13,560 / 6 customers; 2 of 4 base customers.
    assert _metric(at, "Trial conversion") == "50.0%"
    assert _metric(at, "NPS") == "+25"
    assert _metric(at, "CSAT") == "3.67 / 5"
    assert _metric(at, "Final renewal rate") == "100.0%"
    assert _metric(at, "In-quarter renewal") == "33.3%"
    assert any(c.value == "Q1 2024 · of $3,600 ARR due" for c in at.caption)
    assert _metric(at, "ACV per customer") == "$2,260"
    assert _metric(at, "Upsell conversion") == "50.0%"
    assert any(c.value == "2 of 4 base customers" for c in at.caption)
    # Every card equals the metric function, and carries its definition as help.
    with open_database(path) as con:
        expected = lifecycle_kpis(con, as_of=AS_OF)
    shown = {m.label: (m.value, m.help) for m in at.metric}
    assert len(shown) == len(expected) == 20
    for _, row in expected.iterrows():
        label, _ = lifecycle_widgets.card_label(row)
        assert shown[label] == (lifecycle_widgets.kpi_text(row), row["definition"])


def test_window_choice_recomputes_the_kpis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    at = _page(_file(tmp_path / "book.duckdb", book), monkeypatch)
    at.selectbox(key="lifecycle_window").set_value(90).run()
    assert not at.exception
    # 90 days = 2024-04-17…07-15: latest answers A 10, B 8, K 9 → 2 promoters, 0 detractors
    # of 3 → NPS 66.7 → "+67".
    assert _metric(at, "NPS") == "+67"


def test_missing_data_says_which_import_enables_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    def bare(factory):
        return factory(accounts=[("A", "Alpha", "SMB", "EU", "Ann")],
                       subscriptions=[sub("A1", "A", AS_OF.replace(month=1, day=1), amount=100)])

    at = _page(_file(tmp_path / "bare.duckdb", bare), monkeypatch)
    assert _metric(at, "NPS") == "—"
    assert _metric(at, "Avg sales cycle") == "—"
    # One customer at 100 a month → ARR 1,200.
    assert _metric(at, "ACV per customer") == "$1,200"
    captions = " ".join(c.value for c in at.caption)
    assert "Import NPS responses to see NPS" in captions
    assert "Import opportunities (Salesforce or HubSpot preset)" in captions
    assert any("KPIs have no data" in i.value for i in at.info)


def test_csv_download_holds_every_kpi_column(tmp_path: Path):
    path = _file(tmp_path / "book.duckdb", book)
    with open_database(path) as con:
        kpis = lifecycle_kpis(con, as_of=AS_OF)
    frame = pd.read_csv(io.BytesIO(lifecycle_widgets.lifecycle_csv(kpis)))
    assert list(frame.columns) == list(COLUMNS)
    # NPS 25 and CSAT 11 / 3 = 3.6667 (four decimals), tests/test_lifecycle.py.
    assert frame.loc[frame["kpi"] == "nps", "value"].item() == 25.0
    assert frame.loc[frame["kpi"] == "csat", "value"].item() == 3.6667
