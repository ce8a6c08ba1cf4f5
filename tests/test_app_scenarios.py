"""Churn scenarios page: inputs change the outputs a person reads (AppTest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import ACCOUNTS, SUBSCRIPTIONS, _build

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "scenarios.py")


@pytest.fixture(autouse=True)
def _db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    path = _build(tmp_path / "hand.duckdb", accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)
    monkeypatch.setenv("CSD_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _summary(at: AppTest):
    return at.dataframe[0].value  # the first table on the page is the summary


def test_opens_on_the_brief_with_the_convention_stated():
    at = _page()
    summary = _summary(at)
    # Additive, 3 years: no churn 3,375; 10 % → 1,000 × 1.4³ = 2,744; 30 % → 1,000 × 1.2³.
    assert summary["Churn"].tolist() == ["No churn", "10% churn", "30% churn"]
    assert summary["Customers"].tolist() == pytest.approx([3375, 2744, 1728])
    assert any("Convention: Annual, additive" in i.value for i in at.info)


def test_adding_a_churn_rate_and_switching_convention_changes_the_results():
    at = _page()
    at.text_input(key="scenarios_churn_rates").set_value("0, 10, 20, 30").run()
    at.radio(key="scenarios_convention").set_value("annual-multiplicative").run()
    assert not at.exception
    summary = _summary(at)
    assert len(summary) == 4
    # Multiplicative, 30 %: 1,000 × (1.5 × 0.7)³ = 1,157.6.
    assert summary.loc[summary["Churn"] == "30% churn", "Customers"].item() == pytest.approx(
        1157.6)
    assert any("Annual, multiplicative" in i.value for i in at.info)


def test_bad_churn_text_is_explained_and_nothing_is_simulated():
    at = _page()
    at.text_input(key="scenarios_churn_rates").set_value("10, lots").run()
    assert any("'lots' is not a number" in e.value for e in at.error)
    assert not at.dataframe


def test_start_from_my_data_loads_measured_customers_and_arpa():
    at = _page()
    at.button(key="scenarios_from_data").click().run()
    assert not at.exception
    # Hand database on 2024-06-15: 3 customers, MRR 470 → ARPA 156.67.
    assert at.number_input(key="scenarios_customers").value == 3
    assert at.number_input(key="scenarios_arpa").value == pytest.approx(156.67)


def test_save_and_compare_a_scenario():
    at = _page()
    at.text_input(key="scenarios_name").set_value("Board plan").run()
    at.button(key="scenarios_save").click().run()
    assert any("Saved “Board plan”" in s.value for s in at.success)
    at.multiselect(key="scenarios_compare").set_value(["Board plan"]).run()
    compare = at.dataframe[-1].value  # the comparison is the last table
    assert compare["Board plan"].tolist() == pytest.approx([337_500, 274_400, 172_800])
