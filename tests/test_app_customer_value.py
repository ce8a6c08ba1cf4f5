"""The Customer value page with Streamlit's AppTest, on the hand-typed book of
tests/test_customer_value.py (its docstring works every number by hand):

value scores B Beta 80, D Delta 62.5, C Gamma 50.98, A Alpha 50, E Epsilon 0; clv ranks A 1,
B 2, C 2, D 4, E 5; rank gaps B +1, D +2, C −1, A −3, E 0; B and D are "Worth more than
revenue says". MRR 1000 + 400 + 400 + 100 + 50 = 1950 → ARR 23,400; B and D: ARR 6,000.
With CLV as the only weight the ranking is the CLV order A, B, C, D, E.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.customer_value import QUADRANTS, VALUE_COLUMNS, ValueSettings, customer_value
from store.db import open_database, set_meta
from store.settings import load_settings
from tests.conftest import load_rows, sub
from tests.test_customer_value import AS_OF, C_VALUE, book_file
from ui import data as ui_data
from ui import value_widgets

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = str(ROOT / "dashboard.py")
PAGE = "pages/customer_value.py"
TIMEOUT = 60
NAMES = ["Beta", "Delta", "Gamma", "Alpha", "Epsilon"]


pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def value_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = book_file(tmp_path / "value.duckdb")
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _page() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE).run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _table(at: AppTest) -> pd.DataFrame:
    tables = [d for d in at.dataframe if d.key == "value_table"]
    assert tables, f"no ranked table; tables: {[d.key for d in at.dataframe]}"
    return tables[0].value


def _metric(at: AppTest, label: str) -> tuple[str, str | None]:
    found = [(m.value, m.delta) for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return found[0]


def _stored(path: Path) -> ValueSettings:
    return load_settings(ui_data._database(str(path)), ValueSettings)


def _save(at: AppTest) -> None:
    at.button(key="value_settings_save").click().run()
    _no_exception(at)


def test_page_has_title_caption_and_kpis(value_db: Path) -> None:
    at = _page()
    assert at.title[0].value == "Customer value"
    assert "higher is worth more" in at.caption[0].value
    assert _metric(at, "Customers valued") == ("5", "$23.4k ARR")
    # Median of 80, 62.5, 50.98, 50, 0 is 50.98, cut to one decimal.
    assert _metric(at, "Median value score")[0] == "50.9"
    assert _metric(at, QUADRANTS[0]) == ("2", "$6,000 ARR")  # B 4,800 + D 1,200
    assert _metric(at, "Scored on all five") == ("1", "of 5")  # A only
    # The CLV note gives the churn used: (0.1 + 0.2) / 6 = 5.0 %, r = 95.0 %.
    assert any("r = 95.0%" in c.value and "5.0%" in c.value for c in at.caption)


def test_ranked_table_lists_customers_by_value_with_links(value_db: Path) -> None:
    table = _table(_page())
    assert table["name"].tolist() == NAMES
    assert table["value_rank"].tolist() == [1, 2, 3, 4, 5]
    assert table["value_score"].tolist() == pytest.approx([80.0, 62.5, C_VALUE, 50.0, 0.0])
    assert table["rank_gap"].tolist() == [1, 2, -1, -3, 0]
    assert table["clv_rank"].tolist() == [2, 4, 2, 1, 5]
    rows = table.set_index("name")
    assert rows.loc["Beta", "link"] == "account-360?account=B"
    assert rows.loc["Beta", "quadrant"] == QUADRANTS[0]
    assert rows.loc["Alpha", "arr"] == 12_000.0
    assert pd.isna(rows.loc["Epsilon", "advocacy_score"])
    assert rows.loc["Epsilon", "missing_components"] == "advocacy, influence, feedback, strategic"


def test_scatter_is_drawn(value_db: Path) -> None:
    at = _page()
    assert at.get("plotly_chart"), "no chart"
    assert at.get("download_button"), "no download"


def test_invalid_weights_show_an_error_and_change_nothing(value_db: Path) -> None:
    at = _page()
    at.number_input(key="value_settings_weight_clv").set_value(-5.0)
    _save(at)
    errors = [e.value for e in at.error]
    assert any("CLV weight: Input should be greater than or equal to 0" in e for e in errors), \
        errors
    assert any("Nothing was changed" in e for e in errors)
    assert _table(at)["name"].tolist() == NAMES
    stored = ui_data._database(str(value_db)).execute(
        "SELECT count(*) FROM settings WHERE key = 'ValueSettings'").fetchone()[0]
    assert stored == 0
    # All weights 0 is refused too.
    for name in ("clv", "advocacy", "influence", "feedback", "strategic"):
        at.number_input(key=f"value_settings_weight_{name}").set_value(0.0)
    _save(at)
    assert any("at least one component weight must be above 0" in e.value for e in at.error)
    assert _stored(value_db) == ValueSettings()


def test_bad_strategic_levels_show_an_error_and_change_nothing(value_db: Path) -> None:
    at = _page()
    at.text_input(key="value_settings_levels").set_value("low=0, high")
    _save(at)
    assert any("'high' is not name=score" in e.value for e in at.error)
    assert _stored(value_db) == ValueSettings()


def test_saving_valid_weights_changes_the_ranking(value_db: Path) -> None:
    at = _page()
    for name in ("advocacy", "influence", "feedback", "strategic"):
        at.number_input(key=f"value_settings_weight_{name}").set_value(0.0)
    at.number_input(key="value_settings_weight_clv").set_value(1.0)
    # Nothing is stored before Save.
    assert _stored(value_db) == ValueSettings()
    _save(at)
    assert _stored(value_db).weights.as_dict() == {
        "clv": 1.0, "advocacy": 0.0, "influence": 0.0, "feedback": 0.0, "strategic": 0.0}
    assert any("Value settings saved" in s.value for s in at.success)
    table = _table(at)
    # CLV alone: A 100, B and C 62.5 (tie), D 25, E 0.
    assert table["name"].tolist() == ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]
    assert table["value_score"].tolist() == pytest.approx([100.0, 62.5, 62.5, 25.0, 0.0])
    assert table["rank_gap"].tolist() == [0, 0, 0, 0, 0]


def test_renamed_attribute_is_read_after_saving_its_name(value_db: Path) -> None:
    at = _page()
    at.text_input(key="value_settings_strategic_attribute").set_value("tier")
    _save(at)
    assert _stored(value_db).strategic_attribute == "tier"
    # No account has 'tier': strategic is no data for all, and the page says so.
    assert _table(at)["strategic_score"].isna().all()
    notes = " ".join(c.value for c in at.caption)
    assert "`tier` (strategic fit)" in notes


def test_no_attributes_says_what_to_import(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "plain.duckdb"
    con = open_database(path)
    load_rows(con, accounts=[("A", "Alpha", "SMB", "EU", "Ann")],
              subscriptions=[sub("SA", "A", date(2024, 1, 1), amount=100)])
    con.execute("INSERT INTO account_attributes VALUES ('A', 'Tier', 'gold')")
    con.execute("BEGIN TRANSACTION")
    set_meta(con, "data_as_of", AS_OF.isoformat())
    set_meta(con, "data_version", "1")
    con.execute("COMMIT")
    con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    at = _page()
    info = " ".join(i.value for i in at.info)
    assert "No custom attributes for influence, feedback or strategic fit" in info
    assert "`references_given`" in info and "`strategic_fit`" in info
    assert "--extra-columns attributes" in info
    assert "`Tier` (1 account)" in info  # what is stored, to pick from
    # The page still ranks on CLV and advocacy.
    assert _table(at)["name"].tolist() == ["Alpha"]


def test_no_customers_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "empty.duckdb"
    open_database(path).close()
    monkeypatch.setenv("CSD_DB", str(path))
    at = _page()
    assert any("Customer value covers accounts with MRR above 0" in i.value for i in at.info)
    assert not [d for d in at.dataframe if d.key == "value_table"]


# --- figure builders (no app needed) ----------------------------------------------------------


def test_clv_axis_is_logarithmic_only_when_skewed() -> None:
    # SKEW_RATIO = 20: 1000 / 50 = 20 → log; 1000 / 60 < 20 → linear; a 0 cannot be logged.
    assert value_widgets.use_log_scale(pd.Series([50.0, 400.0, 1000.0]))
    assert not value_widgets.use_log_scale(pd.Series([60.0, 1000.0]))
    assert not value_widgets.use_log_scale(pd.Series([0.0, 5000.0]))
    # 819 … 16,387 spans 10^2 … 10^5 (three decades): 1, 2, 5 × 10^k within [819 / 1.5,
    # 16,387 × 1.5] = [546, 24,580].
    assert value_widgets.log_ticks(pd.Series([819.0, 16_387.0])) == [
        1000.0, 2000.0, 5000.0, 10_000.0, 20_000.0]
    # 300 … 5,000,000 spans more than three decades: powers of ten only.
    assert value_widgets.log_ticks(pd.Series([300.0, 5e6])) == [
        1000.0, 10_000.0, 100_000.0, 1e6]


def test_scatter_has_a_trace_per_quadrant_median_lines_and_labels(value_db: Path) -> None:
    con = open_database(value_db)
    try:
        accounts = customer_value(con, as_of=AS_OF)
    finally:
        con.close()
    fig = value_widgets.value_scatter(accounts, "USD")
    # B, D worth more; A worth less; C, E low on both; nobody high on both.
    assert [t.name for t in fig.data] == [f"{QUADRANTS[0]} (2)", f"{QUADRANTS[2]} (1)",
                                          f"{QUADRANTS[3]} (2)"]
    assert sum(len(t.x) for t in fig.data) == 5
    assert fig.layout.xaxis.type == "log"  # 16,387 / 819 ≥ 20
    assert [a.text for a in fig.layout.annotations] == [f"<b>{q}</b>" for q in QUADRANTS]
    lines = {(s.type, round(s.x0, 6) if s.x0 is not None else None) for s in fig.layout.shapes}
    # Medians: CLV of B and C (400 a month), value score of C.
    median_clv = accounts["clv"].median()
    assert ("line", round(median_clv, 6)) in lines
    assert any(s.y0 == pytest.approx(C_VALUE) for s in fig.layout.shapes)
    hover = fig.data[0].customdata[0]
    # B's CLV: 400 × 0.95 / (0.05 + 1.1^(1/12) − 1) = 380 / 0.0579741 = 6,554.7 → "$6,555".
    assert hover[0] == "Beta" and hover[2] == "$6,555" and hover[3] == "80.0"


def test_download_csv_has_the_cli_columns_rounded(value_db: Path) -> None:
    con = open_database(value_db)
    try:
        accounts = customer_value(con, as_of=AS_OF)
    finally:
        con.close()
    frame = pd.read_csv(io.BytesIO(value_widgets.value_csv(accounts)))
    assert list(frame.columns) == list(VALUE_COLUMNS)
    rows = frame.set_index("account_id")
    # Scores and money to two decimals: C 4333.33 / 85 = 50.98; A: 950 / 0.0579741 = 16,386.62.
    assert rows.loc["C", "value_score"] == 50.98
    assert rows.loc["A", "clv"] == 16_386.62
    assert rows.loc["B", "latest_nps_on"] == "2024-05-01"
    assert pd.isna(rows.loc["D", "latest_nps_on"])
