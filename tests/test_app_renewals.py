"""Renewals pages with Streamlit's AppTest: the pipeline and the 90–120-day queue with work state.

Hand-typed database, as of 2024-06-15. Every account has one yearly contract billed at its
ARR (MRR = ARR / 12) that started 12 months before its term end, so it is in force on as-of:

=====  ===========  ==========  =====  ==========  ===============  ======  ====================
id     name         segment     owner  term end    days after as-of  ARR     where it shows
=====  ===========  ==========  =====  ==========  ===============  ======  ====================
M1     Maple        SMB         Cat    2024-07-20  35               3,600   overdue (no touch)
X89    Elm89        SMB         Ann    2024-09-12  89               2,400   overdue (< 90 days)
Q90    Oak90        SMB         Ann    2024-09-13  90               12,000  queue (edge included)
Q120   Pine120      Enterprise  Bob    2024-10-13  120              6,000   queue (edge included)
X121   Birch121     Enterprise  Bob    2024-10-14  121              1,200   neither (too far)
=====  ===========  ==========  =====  ==========  ===============  ======  ====================

Pipeline by month (docs/renewals.md: ARR due = 12 × MRR on as-of): Jul 2024 3,600; Sep 2024
12,000 + 2,400 = 14,400; Oct 2024 6,000 + 1,200 = 7,200; every other month from Jun 2024
to Jun 2025 is 0.
No renewal has been decided yet, so the likelihood is unknown and the KPIs say so.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.renewal_outcomes import shift_months
from store.db import open_database
from store.renewal_work import record_work
from tests.conftest import load_rows, mark_as_demo, sub

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT = 60
AS_OF = date(2024, 6, 15)
QUEUE_PAGE = "pages/renewal_queue.py"
PIPELINE_PAGE = "pages/renewals.py"

BOOK = [
    # id, name, segment, owner, term end, ARR
    ("M1", "Maple", "SMB", "Cat", date(2024, 7, 20), 3600),
    ("X89", "Elm89", "SMB", "Ann", date(2024, 9, 12), 2400),
    ("Q90", "Oak90", "SMB", "Ann", date(2024, 9, 13), 12000),
    ("Q120", "Pine120", "Enterprise", "Bob", date(2024, 10, 13), 6000),
    ("X121", "Birch121", "Enterprise", "Bob", date(2024, 10, 14), 1200),
]


pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def renewals_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "renewals.duckdb"
    con = open_database(path)
    try:
        load_rows(
            con,
            accounts=[(i, name, seg, "EU", owner) for i, name, seg, owner, _, _ in BOOK],
            subscriptions=[
                sub(f"S-{i}", i, shift_months(end, -12), amount=arr, period="year",
                    term_end=end)
                for i, _, _, _, end, arr in BOOK
            ],
        )
        mark_as_demo(con, as_of=AS_OF)
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _run(page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, column: str, value: str | None = None) -> pd.DataFrame:
    """The rendered dataframe that has ``column`` (and, if given, ``value`` in it)."""
    for frame in at.dataframe:
        data = frame.value
        if column in data.columns and (value is None or value in set(data[column])):
            return data
    raise AssertionError(f"no table with column {column!r}")


def _queue(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _overdue(at: AppTest) -> pd.DataFrame:
    return at.dataframe[1].value


def _pick(at: AppTest, account_id: str) -> None:
    box = at.selectbox(key="renewal_queue_work_account")
    index = next(i for i, label in enumerate(box.options) if f"({account_id})" in label)
    box.set_value(index).run()


def test_queue_holds_exactly_90_and_120_days_out_and_overdue_lists_the_untouched(
    renewals_db: Path,
) -> None:
    at = _run(QUEUE_PAGE)
    queue = _queue(at)
    assert set(queue["name"]) == {"Oak90", "Pine120"}
    assert dict(zip(queue["name"], queue["days_to_renewal"], strict=True)) == {
        "Oak90": 90, "Pine120": 120}
    # contact by = renewal date − 90: as-of itself for Oak90, so not overdue yet.
    assert dict(zip(queue["name"], queue["contact_by"], strict=True)) == {
        "Oak90": "2024-06-15", "Pine120": "2024-07-15"}
    overdue = _overdue(at)
    assert set(overdue["name"]) == {"Maple", "Elm89"}
    assert "Birch121" not in set(queue["name"]) | set(overdue["name"])


def test_pipeline_month_totals_are_the_hand_summed_arr_due(renewals_db: Path) -> None:
    at = _run(PIPELINE_PAGE)
    table = _table(at, "arr_due")
    totals = dict(zip(table["period"], table["arr_due"], strict=True))
    # 2024-06-15 … 2025-06-14 touches 13 calendar months, each shown (zeros included).
    assert list(totals)[0] == "Jun 2024" and list(totals)[-1] == "Jun 2025"
    assert len(totals) == 13
    assert totals["Jul 2024"] == pytest.approx(3600)
    assert totals["Sep 2024"] == pytest.approx(14400)
    assert totals["Oct 2024"] == pytest.approx(7200)
    assert sum(totals.values()) == pytest.approx(3600 + 14400 + 7200)
    cards = {m.label: m.value for m in at.metric}
    assert cards["Renewals due (12 months)"] == "5"
    assert cards["ARR due"] == "$25.2k"
    assert cards["Forecast ARR"] == "n/a"  # no decided renewal yet: likelihood unknown
    assert any("No renewal has an outcome yet" in i.value for i in at.info)


def test_pipeline_by_quarter_adds_up_the_months(renewals_db: Path) -> None:
    at = _run(PIPELINE_PAGE)
    at.segmented_control(key="renewals_period").set_value("quarter").run()
    assert not at.exception
    table = _table(at, "arr_due")
    totals = dict(zip(table["period"], table["arr_due"], strict=True))
    assert totals["2024 Q3"] == pytest.approx(3600 + 14400)
    assert totals["2024 Q4"] == pytest.approx(7200)


def test_saving_work_shows_status_note_and_touch_in_the_queue_and_survives_a_rerun(
    renewals_db: Path,
) -> None:
    at = _run(QUEUE_PAGE)
    at.text_input(key="renewal_queue_working_as").set_value("Ann").run()
    _pick(at, "Q90")
    suffix = "Q90_2024-09-13"
    at.selectbox(key=f"renewal_queue_work_status_{suffix}").set_value("contacted")
    at.text_area(key=f"renewal_queue_work_note_{suffix}").set_value("Called the CFO")
    at.text_input(key=f"renewal_queue_work_next_step_{suffix}").set_value("Send proposal")
    at.button(key="renewal_queue_work_save").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("contacted" in t.value for t in at.toast)
    for _ in range(2):  # right after the save, and after a plain rerun
        row = _queue(at).set_index("name").loc["Oak90"]
        assert row["status"] == "contacted"
        assert row["note"] == "Called the CFO"
        assert row["next_step"] == "Send proposal"
        assert row["last_touch"] != "–"
        assert row["last_change"].startswith("Ann, ")
        history = _table(at, "changed_by")
        assert list(history["note"]) == ["Called the CFO"]
        at.run()


def test_work_on_an_overdue_renewal_takes_it_off_the_overdue_list(renewals_db: Path) -> None:
    at = _run(QUEUE_PAGE)
    at.text_input(key="renewal_queue_working_as").set_value("Cat").run()
    _pick(at, "M1")
    at.selectbox(key="renewal_queue_work_status_M1_2024-07-20").set_value("contacted")
    at.button(key="renewal_queue_work_save").click().run()
    assert set(_overdue(at)["name"]) == {"Elm89"}


def test_saving_without_a_name_explains_who_must_be_chosen(renewals_db: Path) -> None:
    at = _run(QUEUE_PAGE)
    at.button(key="renewal_queue_work_save").click().run()
    assert any("who is working" in e.value for e in at.error)
    assert set(_queue(at)["status"]) == {"not contacted"}


def test_invalid_window_shows_a_message_and_no_queue(renewals_db: Path) -> None:
    at = _run(QUEUE_PAGE)
    at.number_input(key="renewal_queue_window_start").set_value(130).run()
    assert any("window is not valid" in w.value for w in at.warning)
    assert not at.dataframe


def test_a_wider_window_is_used_for_this_session_only(renewals_db: Path) -> None:
    at = _run(QUEUE_PAGE)
    at.number_input(key="renewal_queue_window_end").set_value(121).run()
    assert set(_queue(at)["name"]) == {"Oak90", "Pine120", "Birch121"}
    assert set(_run(QUEUE_PAGE).dataframe[0].value["name"]) == {"Oak90", "Pine120"}


def test_my_book_shows_only_the_chosen_csm_renewals(renewals_db: Path) -> None:
    at = _run(QUEUE_PAGE)
    at.selectbox(key="sidebar_my_book").set_value("Bob").run()
    at.toggle(key="renewal_queue_my_book").set_value(True).run()
    assert set(_queue(at)["name"]) == {"Pine120"}
    assert any("Working as **Bob**" in c.value for c in at.caption)


def test_a_change_replacing_someone_elses_within_a_minute_names_both(
    renewals_db: Path,
) -> None:
    con = open_database(renewals_db)
    try:
        for who, second in (("Ann", 0), ("Bob", 30)):
            record_work(con, account_id="Q120", renewal_date=date(2024, 10, 13),
                        status="contacted", note=f"{who} called", next_step="",
                        changed_by=who, changed_at=datetime(2024, 6, 14, 9, 0, second))
    finally:
        con.close()
    at = _run(QUEUE_PAGE)
    row = _queue(at).set_index("name").loc["Pine120"]
    assert row["last_change"] == "Bob, 2024-06-14 09:00 UTC (replaced Ann's change)"
    assert row["note"] == "Bob called"


def test_a_saved_note_shows_on_an_account_360_page_that_was_already_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Account 360 cache keys on the work version, so a new note is never hidden."""
    from store.renewal_work import record_work
    from tests.test_app_pages import _build
    from ui import data as ui_data

    path = _build(tmp_path / "notes.duckdb", accounts=[("A", "Acme", "SMB", "EU", "Ann")],
                  subscriptions=[sub("s", "A", date(2024, 1, 1), amount=100,
                                     term_end=date(2024, 9, 30))])
    monkeypatch.setenv("CSD_DB", str(path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.query_params["account"] = "A"
    at.switch_page("pages/account.py").run()
    assert not at.exception
    record_work(ui_data._database(str(path)).cursor(), account_id="A",
                renewal_date=date(2024, 9, 30), status="contacted", note="Called the CFO",
                next_step="Send proposal", changed_by="Ann", changed_at=date(2024, 6, 1))
    at.run()
    assert not at.exception
    shown = " ".join(str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel())
    assert "Called the CFO" in shown
