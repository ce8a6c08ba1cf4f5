"""Page tests with Streamlit's AppTest: every page runs, and the numbers on screen are right.

The database is a small hand-typed file (``CSD_DB``) so every expected number is written out
below with where it comes from. Caches are cleared around each test because ``st.cache_data``
and ``st.cache_resource`` are process-wide.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store.db import open_database
from tests.conftest import load_rows, mark_as_demo, sub
from ui import data as ui_data
from ui import formats

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
TIMEOUT = 60
AS_OF = date(2024, 6, 15)

ACCOUNTS = [
    ("A1", "Acme", "SMB", "EU", "Ann"),
    ("A2", "Beta", "Enterprise", "US", "Bob"),
    ("A3", "Corp", "SMB", "US", "Ann"),
    ("A4", "Delta", "Enterprise", "EU", "Cat"),
]
SUBSCRIPTIONS = [
    # 100 / month from January, ongoing.
    sub("S1", "A1", date(2024, 1, 1), amount=100),
    # 1,200 / year from February -> 100 / month.
    sub("S2", "A2", date(2024, 2, 1), amount=1200, period="year", plan="Silver"),
    # 50 / month, January to March: churned at the end of March (end date exclusive).
    sub("S3", "A3", date(2024, 1, 1), date(2024, 4, 1), amount=50),
    # 900 / quarter with 10% off from 10 March -> 900 * 0.9 / 3 = 270 / month.
    sub("S4", "A4", date(2024, 3, 10), amount=900, period="quarter", discount_pct=10),
]
# MRR on 2024-06-15: A1 100 + A2 100 + A4 270 = 470 (A3 churned in April).
EXPECTED_MRR = "$470"
# ARR = 12 x 470.
EXPECTED_ARR = "$5,640"
# Segment SMB: A1 100 (A3 churned).
EXPECTED_SMB_MRR = "$100"
# List price (discounts not deducted): 100 + 100 + 900 / 3 = 500.
EXPECTED_LIST_PRICE_MRR = "$500"
# On 2024-03-15: A1 100 + A2 100 + A3 50 + A4 270 = 520.
EXPECTED_MARCH_MRR = "$520"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Never open the project's own data/demo.duckdb from a test, whatever a test forgets.
    monkeypatch.setenv("CSD_DB", str(tmp_path / "unset.duckdb"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _build(path: Path, **rows: list[tuple]) -> Path:
    con = open_database(path)
    try:
        load_rows(con, **rows)
        mark_as_demo(con, as_of=AS_OF)
    finally:
        con.close()
    return path


@pytest.fixture
def hand_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = _build(tmp_path / "hand.duckdb", accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _app() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.run()
    return at


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def _bridge(at: AppTest):
    """The MRR bridge table, found by its columns rather than its position on the page."""
    tables = [d.value for d in at.dataframe if "mrr_start" in d.value.columns]
    assert tables, "no MRR bridge table on the page"
    return tables[0]


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_dashboard_and_every_page_run_without_exception(hand_db: Path) -> None:
    at = _app()
    _no_exception(at)
    assert PAGES, "no pages found"
    for page in PAGES:
        at.switch_page(page).run()
        _no_exception(at)
        assert at.title, f"{page} shows no title"


def test_executive_cards_show_hand_computed_mrr_and_arr(hand_db: Path) -> None:
    at = _app()
    _no_exception(at)
    assert at.title[0].value == "Executive overview"
    assert _metric(at, "MRR") == EXPECTED_MRR
    assert _metric(at, "ARR") == EXPECTED_ARR
    assert _metric(at, "Customers") == "3"


def test_sidebar_shows_database_file_and_demo_badge(hand_db: Path) -> None:
    at = _app()
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown)
    assert "hand.duckdb" in sidebar_text
    assert "Showing demo data" in sidebar_text  # st.badge renders as Markdown


def test_cohort_view_switches_to_revenue_retention_and_all_cohorts(hand_db: Path) -> None:
    at = _app()
    at.segmented_control(key="executive_cohort_measure").set_value("revenue").run()
    _no_exception(at)
    at.segmented_control(key="executive_cohorts_shown").set_value(0).run()
    _no_exception(at)
    assert any("Cohort retention" in m.value and "revenue" in m.value for m in at.markdown)


def test_segment_filter_changes_mrr_to_the_segment_total(hand_db: Path) -> None:
    at = _app()
    at.sidebar.multiselect(key="sidebar_segments").select("SMB").run()
    _no_exception(at)
    assert _metric(at, "MRR") == EXPECTED_SMB_MRR


def test_filters_persist_across_pages(hand_db: Path) -> None:
    at = _app()
    at.sidebar.multiselect(key="sidebar_segments").select("SMB").run()
    at.switch_page("pages/data.py").run()
    _no_exception(at)
    at.switch_page("pages/executive.py").run()
    _no_exception(at)
    assert at.sidebar.multiselect(key="sidebar_segments").value == ["SMB"]
    assert _metric(at, "MRR") == EXPECTED_SMB_MRR


def test_month_range_limits_the_bridge_table(hand_db: Path) -> None:
    at = _app()
    assert len(_bridge(at)) == 6  # January to June 2024
    at.sidebar.selectbox(key="sidebar_start_month").set_value(date(2024, 5, 1)).run()
    _no_exception(at)
    assert len(_bridge(at)) == 2  # May and June
    assert _metric(at, "MRR") == EXPECTED_MRR  # the as-of month is still the last one


def test_as_of_date_changes_the_snapshot(hand_db: Path) -> None:
    at = _app()
    at.sidebar.date_input(key="sidebar_as_of").set_value(date(2024, 3, 15)).run()
    _no_exception(at)
    assert _metric(at, "MRR") == EXPECTED_MARCH_MRR


def test_filters_matching_nothing_explain_and_offer_to_clear(hand_db: Path) -> None:
    at = _app()
    at.sidebar.multiselect(key="sidebar_segments").select("SMB").run()
    # No SMB account is on the Silver plan.
    at.sidebar.multiselect(key="sidebar_plans").select("Silver").run()
    _no_exception(at)
    assert any("No revenue data for these filters" in i.value for i in at.info)
    assert not at.metric
    at.button(key="executive_clear_filters").click().run()
    _no_exception(at)
    assert _metric(at, "MRR") == EXPECTED_MRR


def test_empty_database_shows_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.duckdb"
    open_database(path).close()
    monkeypatch.setenv("CSD_DB", str(path))
    at = _app()
    _no_exception(at)
    text = " ".join(i.value for i in at.info)
    assert "No revenue data" in text
    assert "python cli.py import" in text
    assert "python cli.py sample" in text
    assert not at.metric
    at.switch_page("pages/data.py").run()
    _no_exception(at)


def test_first_start_builds_the_demo_database_at_the_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "data" / "demo.duckdb"
    monkeypatch.delenv("CSD_DB", raising=False)
    # dashboard.py and ui/data.py both ask for the default path.
    monkeypatch.setattr("store.db.default_db_path", lambda: default)
    monkeypatch.setattr(ui_data, "default_db_path", lambda: default)
    at = _app()
    _no_exception(at)
    assert default.exists()
    assert _metric(at, "MRR") != "n/a"
    at.switch_page("pages/data.py").run()
    assert _metric(at, "Source") == "Demo data"
    assert at.table[0].value.loc["accounts", "Rows"] == "2,000"


def test_missing_file_named_by_csd_db_stays_empty_for_an_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.duckdb"
    monkeypatch.setenv("CSD_DB", str(path))
    at = _app()
    _no_exception(at)
    assert any("No revenue data" in i.value for i in at.info)
    at.switch_page("pages/data.py").run()
    assert _metric(at, "Source") == "Nothing loaded yet"


def test_database_with_unknown_schema_version_shows_error_not_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "future.duckdb"
    con = open_database(path)
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    at = _app()
    _no_exception(at)
    assert at.error, "expected an error message"
    message = at.error[0].value
    assert "schema version 999" in message
    assert "CSD_DB" in message
    at.switch_page("pages/data.py").run()
    _no_exception(at)
    assert at.error


def test_file_that_is_not_a_database_shows_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database\n" * 100, encoding="utf-8")
    monkeypatch.setenv("CSD_DB", str(path))
    at = _app()
    _no_exception(at)
    assert at.error and "notes.duckdb" in at.error[0].value


def test_data_page_lists_row_counts_and_import_format(hand_db: Path) -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    _no_exception(at)
    assert _metric(at, "Source") == "Demo data"
    assert _metric(at, "Data version") == "1"
    counts = at.table[0].value
    assert counts.loc["subscriptions", "Rows"] == "4"
    assert counts.loc["accounts", "Rows"] == "4"
    assert any("python cli.py import" in c.value for c in at.code)


def test_data_page_shows_a_failed_import_without_a_new_data_version(hand_db: Path) -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    assert any("No imports yet" in i.value for i in at.info)
    # A failed import logs its attempt but leaves the data version alone (store.importer).
    con = ui_data._database(str(hand_db))
    con.execute(
        "INSERT INTO import_log (import_id, started_at, who, files, result, message) "
        "VALUES ('i1', TIMESTAMP '2024-06-20 10:00:00', 'cli', '[\"bad.csv\"]', 'failed', "
        "'=HYPERLINK(\"x\")')"
    )
    at.run()
    _no_exception(at)
    assert _metric(at, "Data version") == "1"
    log = at.dataframe[0].value
    assert list(log["result"]) == ["failed"]


def test_invalid_metric_setting_shows_error_and_changes_nothing(hand_db: Path) -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    at.text_input[0].set_value("U$D")
    at.button[-1].click().run()  # the form's submit button
    _no_exception(at)
    assert any("Nothing was changed" in e.value for e in at.error)
    assert _metric(at, "Data version") == "1"


def test_saving_list_price_setting_recomputes_mrr(hand_db: Path) -> None:
    at = _app()
    at.switch_page("pages/data.py").run()
    at.toggle[0].set_value(False)  # "Deduct discounts from MRR"
    at.button[-1].click().run()
    _no_exception(at)
    assert any("Settings saved" in s.value for s in at.success)
    assert _metric(at, "Data version") == "2"
    at.switch_page("pages/executive.py").run()
    _no_exception(at)
    assert _metric(at, "MRR") == EXPECTED_LIST_PRICE_MRR


# Formats the cards and tables rely on (ui/formats.py), checked here with the pages.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (formats.money(1234567, "USD"), "$1,234,567"),
        (formats.money(1234567.891, "USD", cents=True), "$1,234,567.89"),
        (formats.money(12345, "USD", compact=True), "$12.3k"),
        (formats.money(999999, "USD", compact=True), "$1.00M"),
        (formats.money(9876, "EUR", compact=True), "€9,876"),
        (formats.money(-50, "CHF"), "-CHF 50"),
        (formats.money(float("nan"), "USD"), "n/a"),
        (formats.money(None, "USD"), "n/a"),
        (formats.percent(0.1234), "12.3%"),
        (formats.percent(float("inf")), "n/a"),
        (formats.percentage_points(0.004), "+0.4 pp"),
        (formats.ratio(3.5), "3.50"),
        (formats.kpi_change("money", -1500.0, "USD"), "-$1,500"),
        (formats.kpi_change("count", 0.0, "USD"), "0"),
        (formats.kpi_change("percent", -0.00001, "USD"), "0"),
        (formats.money_tick(-20000, "USD"), "-$20k"),
        (formats.money_tick(1_500_000, "USD"), "$1.5M"),
    ],
)
def test_formats_read_like_the_cards(text: str, expected: str) -> None:
    assert text == expected


def test_missing_change_shows_no_delta() -> None:
    assert formats.kpi_change("ratio", None, "USD") is None
