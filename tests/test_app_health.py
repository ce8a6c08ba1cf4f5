"""Customers pages with Streamlit's AppTest: Health, Revenue moments, Health settings, Account 360.

The database is hand-typed so every expected value is known. As of 2024-06-15, four accounts
with a monthly subscription since 2024-01-01, and health settings that weigh sentiment only
(every other weight 0), so an account's score is its NPS sub-score (docs/health.md: latest NPS
of the last 365 days, 6 → 0, 9 → 100, linear between):

=====  ===========  ==========  =====  ==========================  =====  ======  ===========
id     name         segment     owner  NPS                         score  band    vs May 31
=====  ===========  ==========  =====  ==========================  =====  ======  ===========
R1     Redwood      SMB         Ann    9 on 05-01, then 5 on 06-01  0      red     −100 (green)
Y1     Yellowstone  Enterprise  Bob    8 on 06-01                  66.67  yellow  new score
G1     Greenfield   SMB         Bob    10 on 06-01                 100    green   new score
N1     Nodata Inc   SMB         Cat    none                        none   none    none
=====  ===========  ==========  =====  ==========================  =====  ======  ===========

Revenue moments on 2024-06-15 (docs/health.md): R1 NPS 5 ≤ 6 within 30 days → nps_detractor
(high); G1 NPS 10 ≥ 9 → nps_promoter (low); Y1's payment of 200 failed on 06-10 with nothing
after it → payment_failed (high, 200 at stake). Y1's NPS 8 is neither.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.health_settings import HealthSettings, HealthWeights
from store.db import open_database, set_meta
from store.settings import load_settings, save_settings
from tests.conftest import load_rows, mark_as_demo, sub
from ui import data as ui_data
from ui import formats, health_widgets

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
TIMEOUT = 60
AS_OF = date(2024, 6, 15)
SENTIMENT_ONLY = HealthSettings(
    weights=HealthWeights(usage=0, adoption=0, engagement=0, support=0, sentiment=1,
                          billing=0, commercial=0)
)
CUSTOMER_PAGES = ("pages/health.py", "pages/moments.py", "pages/health_settings.py",
                  "pages/account.py")


pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def health_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "health.duckdb"
    con = open_database(path)
    try:
        load_rows(
            con,
            accounts=[
                ("R1", "Redwood", "SMB", "EU", "Ann"),
                ("Y1", "Yellowstone", "Enterprise", "US", "Bob"),
                ("G1", "Greenfield", "SMB", "US", "Bob"),
                ("N1", "Nodata Inc", "SMB", "EU", "Cat"),
            ],
            subscriptions=[
                sub("SR1", "R1", date(2024, 1, 1), amount=100),
                sub("SY1", "Y1", date(2024, 1, 1), amount=200),
                sub("SG1", "G1", date(2024, 1, 1), amount=100),
                sub("SN1", "N1", date(2024, 1, 1), amount=50),
            ],
        )
        con.executemany(
            "INSERT INTO nps_responses VALUES (?, ?, ?, NULL)",
            [
                ("R1", datetime(2024, 5, 1, 12), 9),
                ("R1", datetime(2024, 6, 1, 12), 5),
                ("Y1", datetime(2024, 6, 1, 12), 8),
                ("G1", datetime(2024, 6, 1, 12), 10),
            ],
        )
        con.execute(
            "INSERT INTO billing_events VALUES ('Y1', TIMESTAMP '2024-06-10 09:00:00', "
            "'payment_failed', 200.0)"
        )
        save_settings(con, SENTIMENT_ONLY)
        mark_as_demo(con, as_of=AS_OF)
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _page(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def _table(at: AppTest, key: str) -> pd.DataFrame:
    """A selectable table by its widget key."""
    tables = [d for d in at.dataframe if d.key == key]
    assert tables, f"no table {key!r}; tables: {[d.key for d in at.dataframe]}"
    return tables[0].value


def _table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """A read-only table (AppTest knows no key for it) by the columns it has."""
    tables = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert tables, f"no table with {columns}; {[list(d.value.columns) for d in at.dataframe]}"
    return tables[0]


def _stored(path: Path) -> HealthSettings:
    con = ui_data._database(str(path))
    return load_settings(con, HealthSettings)


# --- every page -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", CUSTOMER_PAGES)
def test_customer_page_runs_with_a_title(health_db: Path, page: str) -> None:
    at = _page(page)
    assert at.title, f"{page} shows no title"


def test_health_page_says_higher_is_healthier(health_db: Path) -> None:
    at = _page("pages/health.py")
    assert at.title[0].value == "Account health"
    assert "higher is healthier" in at.caption[0].value


# --- Health scorecard -------------------------------------------------------------------------


def test_scorecard_lists_every_account_with_band_trend_and_no_data(health_db: Path) -> None:
    at = _page("pages/health.py")
    table = _table(at, "health_table").set_index("name")
    # Least healthy first, the account without a score last.
    assert list(table.index) == ["Redwood", "Yellowstone", "Greenfield", "Nodata Inc"]
    assert table.loc["Redwood", "band"] == "Red"
    assert table.loc["Redwood", "health_score"] == 0.0
    assert table.loc["Redwood", "change"] == -100.0  # green on May 31 (NPS 9), red now
    assert table.loc["Yellowstone", "band"] == "Yellow"
    assert table.loc["Yellowstone", "health_score"] == pytest.approx(200 / 3)
    assert table.loc["Nodata Inc", "band"] == formats.NO_DATA
    assert pd.isna(table.loc["Nodata Inc", "sentiment_score"])
    assert table.loc["Yellowstone", "arr"] == 2400.0
    assert _metric(at, "Accounts scored") == "4"
    assert _metric(at, "Red accounts") == "1"
    assert _metric(at, "Green accounts") == "1"


def test_scorecard_links_every_account_to_its_account_360_address(health_db: Path) -> None:
    at = _page("pages/health.py")
    table = _table(at, "health_table").set_index("name")
    assert table.loc["Redwood", "link"] == "account-360?account=R1"
    assert table.loc["Nodata Inc", "link"] == "account-360?account=N1"


def test_band_filter_to_red_shows_only_the_red_account(health_db: Path) -> None:
    at = _page("pages/health.py")
    at.button_group(key="health_bands").set_value(["red"]).run()
    _no_exception(at)
    table = _table(at, "health_table")
    assert list(table["name"]) == ["Redwood"]
    assert list(table["band"]) == ["Red"]
    assert _metric(at, "Accounts scored") == "1"


def test_band_filter_matching_nothing_says_what_to_do(health_db: Path) -> None:
    at = _page("pages/health.py")
    at.sidebar.multiselect(key="sidebar_segments").select("Enterprise").run()
    at.button_group(key="health_bands").set_value(["green"]).run()
    _no_exception(at)
    assert any("No account matches" in i.value for i in at.info)
    assert not [d for d in at.dataframe if d.key == "health_table"]


def test_my_book_shows_only_that_csms_accounts_and_is_kept_across_pages(
    health_db: Path,
) -> None:
    at = _page("pages/health.py")
    assert at.toggle(key="health_my_book").disabled  # nobody chosen yet
    at.sidebar.selectbox(key="sidebar_my_book").set_value("Bob").run()
    at.toggle(key="health_my_book").set_value(True).run()
    _no_exception(at)
    assert sorted(_table(at, "health_table")["name"]) == ["Greenfield", "Yellowstone"]
    assert at.session_state["csd.my_book"] == "Bob"  # the page-independent key
    at.switch_page("pages/moments.py").run()
    _no_exception(at)
    assert at.sidebar.selectbox(key="sidebar_my_book").value == "Bob"
    at.toggle(key="moments_my_book").set_value(True).run()
    assert sorted(_table(at, "moments_table")["account_name"]) == ["Greenfield", "Yellowstone"]


def test_sidebar_segment_filter_narrows_the_scorecard(health_db: Path) -> None:
    at = _page("pages/health.py")
    at.sidebar.multiselect(key="sidebar_segments").select("Enterprise").run()
    _no_exception(at)
    assert list(_table(at, "health_table")["name"]) == ["Yellowstone"]


def test_clicking_a_scorecard_row_opens_account_360_for_that_account(health_db: Path) -> None:
    at = _page("pages/health.py")
    table = _table(at, "health_table")
    row = int(table.index[table["name"] == "Redwood"][0])
    at.session_state["health_table"] = {"selection": {"rows": [row], "columns": [],
                                                      "cells": []}}
    at.run()
    _no_exception(at)
    assert at.query_params["account"] == "R1"
    assert at.title[0].value == "Account 360"


def test_scorecard_csv_cuts_scores_to_one_decimal_like_the_screen(health_db: Path) -> None:
    at = _page("pages/health.py")
    assert at.get("download_button")  # the page offers the download
    accounts = ui_data.scorecard(
        ui_data.View(db=ui_data.open_current(), as_of=AS_OF), SENTIMENT_ONLY
    ).accounts
    csv = pd.read_csv(io.BytesIO(health_widgets.scorecard_csv(accounts)), dtype=str)
    columns = list(csv.columns)
    assert columns[:5] == ["account_id", "name", "segment", "csm_owner", "region"]
    assert columns[-3:] == ["health_score_before", "band_before", "change_vs_last_month"]
    yellowstone = csv.set_index("account_id").loc["Y1"]
    assert yellowstone["health_score"] == "66.6"  # 66.67 cut, not rounded to 66.7
    assert yellowstone["band"] == "yellow"
    assert yellowstone["arr"] == "2400.0"
    assert csv.set_index("account_id").loc["R1", "change_vs_last_month"] == "-100.0"


@pytest.mark.parametrize(
    ("score", "shown"),
    [(69.99, "69.9"), (70.0, "70.0"), (39.999, "39.9"), (40.12, "40.1"), (float("nan"),
                                                                            "no data")],
)
def test_scores_are_cut_to_one_decimal_so_a_yellow_69_99_never_reads_70(
    score: float, shown: str
) -> None:
    assert formats.score(score) == shown


# --- Revenue moments --------------------------------------------------------------------------


def test_moments_feed_lists_each_moment_with_severity_and_amount(health_db: Path) -> None:
    at = _page("pages/moments.py")
    table = _table(at, "moments_table").set_index("account_name")
    assert sorted(table.index) == ["Greenfield", "Redwood", "Yellowstone"]
    assert table.loc["Yellowstone", "moment"] == "Payment failed / dunning"
    assert table.loc["Yellowstone", "severity"] == "High"
    assert table.loc["Yellowstone", "amount_at_stake"] == 200.0
    assert table.loc["Redwood", "link"] == "account-360?account=R1"
    assert _metric(at, "Moments") == "3"
    assert _metric(at, "High severity") == "2"


def test_moments_feed_filtered_by_type_shows_only_that_type(health_db: Path) -> None:
    at = _page("pages/moments.py")
    at.multiselect(key="moments_types").select("nps_promoter").run()
    _no_exception(at)
    table = _table(at, "moments_table")
    assert list(table["moment"]) == ["NPS promoter"]
    assert list(table["account_name"]) == ["Greenfield"]


def test_moments_feed_filtered_by_severity(health_db: Path) -> None:
    at = _page("pages/moments.py")
    at.button_group(key="moments_severities").set_value(["high"]).run()
    _no_exception(at)
    assert sorted(_table(at, "moments_table")["account_name"]) == ["Redwood", "Yellowstone"]


def test_moments_feed_without_moments_says_what_to_do(health_db: Path) -> None:
    at = _page("pages/moments.py")
    # Before any NPS answer or failed payment: nothing to act on.
    at.sidebar.date_input(key="sidebar_as_of").set_value(date(2024, 3, 15)).run()
    _no_exception(at)
    text = " ".join(i.value for i in at.info)
    assert "No revenue moment on 2024-03-15" in text
    assert "import" in text


def test_clicking_a_moment_opens_its_account(health_db: Path) -> None:
    at = _page("pages/moments.py")
    table = _table(at, "moments_table")
    row = int(table.index[table["account_name"] == "Yellowstone"][0])
    at.session_state["moments_table"] = {"selection": {"rows": [row], "columns": [],
                                                       "cells": []}}
    at.run()
    _no_exception(at)
    assert at.title[0].value == "Account 360"
    assert at.query_params["account"] == "Y1"


# --- Health settings --------------------------------------------------------------------------


def test_invalid_bands_show_the_field_and_change_nothing(health_db: Path) -> None:
    at = _page("pages/health_settings.py")
    at.number_input(key="health_settings_red_below").set_value(80.0).run()
    _no_exception(at)
    errors = " ".join(e.value for e in at.error)
    assert "green_from" in errors and "Nothing was changed" in errors
    assert at.button(key="health_settings_save").disabled
    assert _stored(health_db) == SENTIMENT_ONLY


def test_negative_weight_names_the_weight_and_changes_nothing(health_db: Path) -> None:
    at = _page("pages/health_settings.py")
    at.number_input(key="health_settings_weight_sentiment").set_value(-1.0).run()
    _no_exception(at)
    assert any("weights.sentiment" in e.value for e in at.error)
    assert at.button(key="health_settings_save").disabled
    assert _stored(health_db) == SENTIMENT_ONLY


def test_all_zero_weights_are_refused(health_db: Path) -> None:
    at = _page("pages/health_settings.py")
    at.number_input(key="health_settings_weight_sentiment").set_value(0.0).run()
    _no_exception(at)
    assert any("weights" in e.value and "above 0" in e.value for e in at.error)
    assert _stored(health_db) == SENTIMENT_ONLY


def test_preview_counts_band_changes_and_saving_moves_the_bands(health_db: Path) -> None:
    at = _page("pages/health_settings.py")
    # Green from 60: Yellowstone's 66.67 turns green; nobody else moves.
    at.number_input(key="health_settings_green_from").set_value(60.0).run()
    _no_exception(at)
    assert any("**1** of 4 accounts would change band" in m.value for m in at.markdown)
    preview = _table_with(at, "From", "To", "Accounts")
    assert preview.to_dict("records") == [{"From": "Yellow", "To": "Green", "Accounts": 1}]
    assert _stored(health_db) == SENTIMENT_ONLY  # previewing saves nothing

    at.button(key="health_settings_save").click().run()
    _no_exception(at)
    assert any("saved" in s.value for s in at.success)
    assert _stored(health_db).green_from == 60.0
    assert any("These are the settings in use" in i.value for i in at.info)

    at.switch_page("pages/health.py").run()
    _no_exception(at)
    table = _table(at, "health_table").set_index("name")
    assert table.loc["Yellowstone", "band"] == "Green"
    assert _metric(at, "Green accounts") == "2"


# --- Account 360 ------------------------------------------------------------------------------


def test_account_page_without_an_id_offers_a_picker(health_db: Path) -> None:
    at = _page("pages/account.py")
    assert any("Pick an account" in i.value for i in at.info)
    picker = at.selectbox(key="account_picker")
    assert sorted(picker.options) == sorted(
        ["Greenfield · G1 · SMB", "Nodata Inc · N1 · SMB", "Redwood · R1 · SMB",
         "Yellowstone · Y1 · Enterprise"]
    )
    picker.set_value("G1").run()
    _no_exception(at)
    assert [h.value for h in at.header] == ["Greenfield"]


def test_unknown_account_id_warns_with_what_to_do(health_db: Path) -> None:
    at = _page("pages/account.py", account="NOPE")
    warning = " ".join(w.value for w in at.warning)
    assert "No account with id `NOPE`" in warning
    assert "pick an account" in warning


def test_account_address_shows_name_timeline_and_breakdown(health_db: Path) -> None:
    at = _page("pages/account.py", account="R1")
    assert [h.value for h in at.header] == ["Redwood"]
    assert _metric(at, "Band") == "Red"
    assert _metric(at, "Health score") == "0.0"
    timeline = _table_with(at, "occurred_on", "kind", "title")
    assert "NPS" in set(timeline["kind"])
    assert (timeline["kind"] == "Moment").any()  # the NPS detractor moment
    breakdown = _table_with(at, "component", "score", "reason").set_index("component")
    assert breakdown.loc["Sentiment", "score"] == 0.0
    assert pd.isna(breakdown.loc["Usage", "score"])  # shown as "no data"


def test_trial_only_accounts_are_hidden_until_trials_are_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "trials.duckdb"
    con = open_database(path)
    try:
        # P pays; T only trials the product (scored, but no ARR at stake yet).
        load_rows(con, accounts=[("P", "Payer", "SMB", "EU", "Ann"),
                                 ("T", "Trialist", "SMB", "EU", "Ann")],
                  subscriptions=[sub("SP", "P", date(2024, 1, 1), amount=100),
                                 sub("ST", "T", date(2024, 6, 1), amount=80, status="trial")])
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "data_as_of", AS_OF.isoformat())
        set_meta(con, "data_version", "1")
        con.execute("COMMIT")
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    at = _page("pages/health.py")
    assert _metric(at, "Accounts scored") == "1"
    at.toggle(key="health_include_trials").set_value(True).run()
    _no_exception(at)
    assert _metric(at, "Accounts scored") == "2"
