"""Churn drivers and Health back-test pages with Streamlit's AppTest on a small seeded demo.

The oracle is the metric functions themselves (tested on hand-worked fixtures in
tests/test_drivers.py and tests/test_backtest.py): the pages must show their numbers, follow
the lead-time control, and save suggested weights only after the user confirms.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.backtest import health_backtest
from metrics.drivers import churn_drivers
from metrics.health_settings import HealthSettings
from sample_data.demo import build_demo_database
from store.db import open_database
from store.settings import load_settings
from tests.conftest import ROOT

AS_OF = date(2026, 6, 30)
TIMEOUT = 120


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("app_insights") / "demo.duckdb"
    build_demo_database(path, accounts=400, seed=3, as_of=AS_OF)
    return path


@pytest.fixture
def app_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("CSD_DB", str(copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield copy
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT).run()
    at.switch_page(path).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _expected_drivers(path: Path, lead_days: int):  # type: ignore[no-untyped-def]
    con = open_database(path)
    try:
        return churn_drivers(con, as_of=AS_OF, lead_days=lead_days)
    finally:
        con.close()


def test_drivers_page_shows_the_metric_numbers_and_follows_the_lead_time(app_db: Path) -> None:
    at = _page("pages/drivers.py")
    st.cache_resource.clear()  # release the app's handle so the test can open the file
    expected = _expected_drivers(app_db, 90)
    assert _metric(at, "Decisions analysed") == f"{expected.decisions:,}"
    assert _metric(at, "Renewal rate") == f"{expected.renewal_rate:.1%}"
    if expected.model is not None:
        assert _metric(at, "Model AUC (held out)") == f"{expected.model.auc:.3f}"
    table = at.dataframe[0].value
    assert list(table["label"].head(3)) == list(expected.rates["label"].head(3))

    at.select_slider(key="drivers_lead_days").set_value(30).run()
    assert not at.exception
    st.cache_resource.clear()
    sooner = _expected_drivers(app_db, 30)
    assert _metric(at, "Decisions analysed") == f"{sooner.decisions:,}"
    assert sooner.decisions != expected.decisions  # the lead time changes who is analysed


def test_backtest_applies_suggested_weights_only_after_confirming(app_db: Path) -> None:
    at = _page("pages/backtest.py")
    st.cache_resource.clear()
    con = open_database(app_db)
    try:
        before = load_settings(con, HealthSettings)
        expected = health_backtest(con, as_of=AS_OF)
    finally:
        con.close()
    assert _metric(at, "Health score AUC") == f"{expected.auc:.3f}"
    suggested = expected.suggested_weights()
    assert suggested is not None, "the demo should yield a suggestion"

    at.button(key="backtest_apply").click().run()
    assert not at.exception
    st.cache_resource.clear()
    con = open_database(app_db)
    try:
        assert load_settings(con, HealthSettings) == before  # asked, not yet saved
    finally:
        con.close()

    at.button(key="backtest_confirm_apply").click().run()
    assert not at.exception, [e.message for e in at.exception]
    st.cache_resource.clear()
    con = open_database(app_db)
    try:
        stored = load_settings(con, HealthSettings)
    finally:
        con.close()
    assert stored.weights == suggested
    assert stored.model_copy(update={"weights": before.weights}) == before  # nothing else
    assert any("Suggested weights applied" in s.value for s in at.success)


def test_empty_database_says_what_to_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "empty.duckdb"
    open_database(path).close()
    monkeypatch.setenv("CSD_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    for page, who in (("pages/drivers.py", "Churn drivers need"),
                      ("pages/backtest.py", "The back-test and its weights need")):
        at = _page(page)
        text = " ".join(i.value for i in at.info)
        assert "No renewal decisions to learn from yet" in text
        assert who in text
        assert "import subscriptions with end dates" in text
        assert not at.metric  # no numbers without decisions
    st.cache_resource.clear()
