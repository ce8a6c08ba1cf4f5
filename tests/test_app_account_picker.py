"""The Account 360 picker offers every account, marking those not in force (AppTest).

Hand-typed book as of 2024-06-15: Redwood (R1) pays monthly since 2024-01-01; Oldco (O1)
churned on 2024-03-01 (end date exclusive); Newco (W1) starts on 2024-07-01. Only Redwood has
a recurring subscription in force on the as-of date (docs/health.md), so the other two are
offered with "(no active subscription)" after their name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.db import open_database, set_meta
from tests.conftest import load_rows, sub
from ui.data import NOT_IN_FORCE

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT = 60
AS_OF = date(2024, 6, 15)


pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "picker.duckdb"
    con = open_database(path)
    try:
        load_rows(
            con,
            accounts=[
                ("R1", "Redwood", "SMB", "EU", "Ann"),
                ("O1", "Oldco", "SMB", "EU", "Ann"),
                ("W1", "Newco", "Enterprise", "US", "Bob"),
            ],
            subscriptions=[
                sub("SR1", "R1", date(2024, 1, 1), amount=100),
                sub("SO1", "O1", date(2024, 1, 1), date(2024, 3, 1), amount=100),
                sub("SW1", "W1", date(2024, 7, 1), amount=100),
            ],
        )
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "data_as_of", AS_OF.isoformat())
        set_meta(con, "data_version", "1")
        con.execute("COMMIT")
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _account_page() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/account.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_picker_offers_accounts_not_in_force_marked(book: Path) -> None:
    at = _account_page()
    picker = at.selectbox(key="account_picker")
    assert NOT_IN_FORCE == "(no active subscription)"
    assert picker.options == [
        "Newco (no active subscription) · W1 · Enterprise",
        "Oldco (no active subscription) · O1 · SMB",
        "Redwood · R1 · SMB",
    ]


def test_picking_a_churned_account_opens_its_page(book: Path) -> None:
    at = _account_page()
    at.selectbox(key="account_picker").set_value("O1").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [h.value for h in at.header] == ["Oldco"]
    assert any("No active subscription on 2024-06-15" in i.value for i in at.info)


def test_an_account_in_force_gets_no_such_note(book: Path) -> None:
    at = _account_page()
    at.selectbox(key="account_picker").set_value("R1").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [h.value for h in at.header] == ["Redwood"]
    assert not any("No active subscription" in i.value for i in at.info)


def test_segment_filter_narrows_the_picker_to_that_segment(book: Path) -> None:
    at = _account_page()
    segment = next(m for m in at.multiselect if "segment" in (m.key or "").lower())
    segment.set_value(["Enterprise"]).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="account_picker").options == [
        "Newco (no active subscription) · W1 · Enterprise",
    ]
