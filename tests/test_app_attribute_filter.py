"""Sidebar attribute filter with AppTest: offered when accounts have custom attributes, applied
to the page's numbers, kept across pages, cleared with the other filters.

The database is the hand-typed book of tests/test_attribute_filter.py (as of 2024-06-30):
MRR 800 over four customers; Industry=Retail selects A1 (100) and A3 (100): MRR 200, two
customers; Industry in (Retail, Software) adds A2 (200): 400, three customers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.db import open_database, set_meta
from tests.conftest import load_rows
from tests.test_attribute_filter import BOOK_ACCOUNTS, BOOK_SUBSCRIPTIONS, finish_book
from ui import sidebar

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT = 60


pytestmark = pytest.mark.usefixtures("isolated_app")


def _book(path: Path, *, attributes: bool) -> Path:
    con = open_database(path)
    try:
        load_rows(con, accounts=BOOK_ACCOUNTS, subscriptions=BOOK_SUBSCRIPTIONS)
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "source", "imported")
        set_meta(con, "data_version", "1")
        con.execute("COMMIT")
        finish_book(con, attributes=attributes)
    finally:
        con.close()
    return path


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_sidebar_offers_the_attribute_filter_and_applies_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSD_DB", str(_book(tmp_path / "book.duckdb", attributes=True)))
    at = _ok(AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run())
    assert (_metric(at, "MRR"), _metric(at, "Customers")) == ("$800", "4")
    name = at.selectbox(key=sidebar.ATTRIBUTE_KEY)
    assert name.label == "Attribute" and name.options == ["Industry", "Tier"]
    assert at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY).disabled  # no attribute yet
    _ok(name.set_value("Industry").run())
    values = at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY)
    assert values.options == ["Retail", "Software"]
    assert (_metric(at, "MRR"), _metric(at, "Customers")) == ("$800", "4")  # no value yet
    _ok(values.set_value(["Retail"]).run())
    assert (_metric(at, "MRR"), _metric(at, "Customers")) == ("$200", "2")
    _ok(at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY).set_value(["Retail", "Software"]).run())
    assert (_metric(at, "MRR"), _metric(at, "Customers")) == ("$400", "3")
    # Kept on another page that draws the sidebar.
    _ok(at.switch_page("pages/renewal_queue.py").run())
    assert at.selectbox(key=sidebar.ATTRIBUTE_KEY).value == "Industry"
    assert at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY).value == ["Retail", "Software"]
    _ok(at.switch_page("pages/executive.py").run())
    assert _metric(at, "MRR") == "$400"
    # Another attribute drops the values chosen for the first one.
    _ok(at.selectbox(key=sidebar.ATTRIBUTE_KEY).set_value("Tier").run())
    assert at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY).value == []
    assert _metric(at, "MRR") == "$800"
    _ok(at.multiselect(key=sidebar.ATTRIBUTE_VALUES_KEY).set_value(["Gold"]).run())
    assert (_metric(at, "MRR"), _metric(at, "Customers")) == ("$100", "1")  # A1 only
    _ok(at.button(key="sidebar_clear").click().run())
    assert at.selectbox(key=sidebar.ATTRIBUTE_KEY).value is None
    assert _metric(at, "MRR") == "$800"


def test_sidebar_has_no_attribute_filter_without_custom_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSD_DB", str(_book(tmp_path / "plain.duckdb", attributes=False)))
    at = _ok(AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT).run())
    assert [s.label for s in at.sidebar.selectbox if s.label == "Attribute"] == []
    assert _metric(at, "MRR") == "$800"
