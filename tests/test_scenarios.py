"""Churn scenarios, worked by hand (the product brief's example and METRICS.md's 70 % rule)."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from metrics.scenarios import (
    BRIEF_EXAMPLE,
    ScenarioInputs,
    churn_cut_value,
    clv_per_customer,
    required_gross_acquisition,
    scenario_summary,
    simulate,
)


def ending(inputs: ScenarioInputs, churn: float, column: str = "customers") -> float:
    path = simulate(inputs)
    rows = path[path["churn_rate"] == churn]
    return float(rows.loc[rows["period"].idxmax(), column])


def test_annual_additive_10_percent_churn_ends_year_3_at_2744():
    # 1,000 × (1 + 0.5 − 0.1)³ = 1,000 × 1.4³ = 2,744.
    assert ending(BRIEF_EXAMPLE, 0.1) == pytest.approx(2744)


def test_annual_multiplicative_30_percent_churn_ends_year_3_at_1157_6():
    # 1,000 × (1.5 × 0.7)³ = 1,000 × 1.05³ = 1,157.625.
    inputs = BRIEF_EXAMPLE.model_copy(update={"convention": "annual-multiplicative"})
    assert round(ending(inputs, 0.3), 1) == 1157.6


@pytest.mark.parametrize(
    ("acquisition", "churn", "expected"),
    [(0.5, 0.0, 1000 * 1.5**3),  # no churn: exactly 50 % a year
     (0.0, 0.3, 1000 * 0.7**3)],  # no acquisition: keeps exactly 70 % a year
)
def test_monthly_convention_converts_annual_rates_exactly(acquisition, churn, expected):
    inputs = BRIEF_EXAMPLE.model_copy(update={
        "convention": "monthly", "acquisition_rate": acquisition, "churn_rates": (churn,),
    })
    assert ending(inputs, churn) == pytest.approx(expected)
    assert simulate(inputs)["period"].max() == 36


def test_mrr_revenue_and_loss_vs_no_churn_for_the_brief():
    # Customers by year at 10 % churn: 1,000, 1,400, 1,960, 2,744; no churn: 1,000, 1,500,
    # 2,250, 3,375. Revenue of a year = customers at its start × $100 × 12.
    summary = scenario_summary(BRIEF_EXAMPLE).set_index("churn_rate")
    ten = summary.loc[0.1]
    assert ten["ending_mrr"] == pytest.approx(274_400)
    assert ten["cumulative_revenue"] == pytest.approx(1_200_000 + 1_680_000 + 2_352_000)
    assert summary.loc[0.0, "cumulative_revenue"] == pytest.approx(5_700_000)
    assert ten["mrr_loss_vs_no_churn"] == pytest.approx(337_500 - 274_400)
    assert ten["mrr_loss_pct"] == pytest.approx(63_100 / 337_500)
    assert ten["revenue_loss_vs_no_churn"] == pytest.approx(468_000)
    assert ten["revenue_loss_pct"] == pytest.approx(468_000 / 5_700_000)
    assert summary.loc[0.0, "mrr_loss_vs_no_churn"] == 0
    assert list(summary.index) == [0.0, 0.1, 0.3]


def test_expansion_grows_arpa():
    # 20 % expansion: ARPA 100 → 120 → 144; additive 10 % churn, 2 years: 1,960 × 144.
    inputs = BRIEF_EXAMPLE.model_copy(update={"expansion_rate": 0.2, "years": 2})
    assert ending(inputs, 0.1, "mrr") == pytest.approx(1960 * 144)


@pytest.mark.parametrize(
    ("convention", "expected"),
    [("annual-additive", 0.70),  # METRICS.md: 50 % + 20 %
     ("annual-multiplicative", 1.5 / 0.8 - 1)],  # (1 + g)(1 − 0.2) = 1.5
)
def test_required_acquisition_for_50_percent_growth_at_20_percent_churn(convention, expected):
    got = required_gross_acquisition(growth_target=0.5, churn_rate=0.2, convention=convention)
    assert got == pytest.approx(expected)


def test_required_acquisition_under_monthly_convention_reaches_the_target():
    needed = required_gross_acquisition(growth_target=0.5, churn_rate=0.2, convention="monthly")
    inputs = ScenarioInputs(starting_customers=1000, acquisition_rate=needed,
                            churn_rates=(0.2,), years=1, convention="monthly")
    assert ending(inputs, 0.2) == pytest.approx(1500)


def test_clv_formulas_at_10_percent_discount():
    # m = 12 × 100 × 0.8 = 960 a year; churn 20 % → r = 0.8; i = 10 %.
    clv = clv_per_customer(arpa=100, gross_margin=0.8, churn_rate=0.2, discount_rate=0.1)
    assert clv["simple"] == pytest.approx(960 / 0.2)  # 4,800
    assert clv["npv_cash_at_end"] == pytest.approx(960 * 0.8 / 0.3)  # 2,560
    assert clv["npv_cash_at_start"] == pytest.approx(960 * 1.1 / 0.3)  # 3,520


def test_zero_churn_has_no_simple_clv_but_a_finite_npv():
    clv = clv_per_customer(arpa=100, gross_margin=0.8, churn_rate=0.0, discount_rate=0.1)
    assert clv["simple"] is None
    assert clv["npv_cash_at_end"] == pytest.approx(960 / 0.1)


def test_churn_above_growth_shrinks_the_base():
    inputs = BRIEF_EXAMPLE.model_copy(update={"churn_rates": (0.7,)})
    assert ending(inputs, 0.7) == pytest.approx(1000 * 0.8**3)


def test_hundred_percent_churn():
    additive = BRIEF_EXAMPLE.model_copy(update={"churn_rates": (1.0,), "years": 1})
    assert ending(additive, 1.0) == pytest.approx(500)  # only the year's new customers remain
    multiplicative = additive.model_copy(update={"convention": "annual-multiplicative"})
    assert ending(multiplicative, 1.0) == 0
    assert math.isinf(required_gross_acquisition(
        growth_target=0.5, churn_rate=1.0, convention="annual-multiplicative"))
    clv = clv_per_customer(arpa=100, gross_margin=0.8, churn_rate=1.0, discount_rate=0.1)
    assert clv["npv_cash_at_end"] == 0


def test_zero_years_is_just_the_starting_point():
    inputs = BRIEF_EXAMPLE.model_copy(update={"years": 0})
    path = simulate(inputs)
    assert path["period"].unique().tolist() == [0]
    summary = scenario_summary(inputs)
    assert summary["ending_customers"].tolist() == [1000, 1000, 1000]
    assert summary["cumulative_revenue"].tolist() == [0, 0, 0]
    assert summary["revenue_loss_pct"].isna().all()


def test_value_of_cutting_churn_by_ten_points():
    # 30 % → 20 % churn, additive: 1,000 × 1.2³ = 1,728 vs 1,000 × 1.3³ = 2,197 customers.
    value = churn_cut_value(BRIEF_EXAMPLE, churn_rate=0.3, points=0.1)
    assert value["churn_after"] == pytest.approx(0.2)
    assert value["ending_customers_gain"] == pytest.approx(2197 - 1728)
    assert value["ending_mrr_gain"] == pytest.approx((2197 - 1728) * 100)
    # Revenue: (1,000 + 1,300 + 1,690) vs (1,000 + 1,200 + 1,440) customer-years × $1,200.
    assert value["cumulative_revenue_gain"] == pytest.approx((3990 - 3640) * 1200)
    assert value["clv_npv_cash_at_end_gain"] == pytest.approx(960 * 0.8 / 0.3 - 960 * 0.7 / 0.4)


@pytest.mark.parametrize("bad", [
    {"churn_rates": (1.5,)}, {"churn_rates": ()}, {"years": -1}, {"starting_customers": -5},
    {"convention": "weekly"},
])
def test_invalid_inputs_are_rejected(bad):
    with pytest.raises(ValidationError):
        ScenarioInputs(**bad)


def test_saved_scenarios_round_trip_and_replace(tmp_path):
    from store.db import open_database
    from store.scenario_store import (
        ScenarioNameError,
        delete_scenario,
        load_scenario,
        save_scenario,
        saved_scenarios,
    )

    con = open_database(tmp_path / "s.duckdb")
    save_scenario(con, name="Brief", inputs=BRIEF_EXAMPLE, saved_by="Ann")
    changed = BRIEF_EXAMPLE.model_copy(update={"years": 5})
    save_scenario(con, name="Brief", inputs=changed, saved_by="Bob")
    save_scenario(con, name="Cautious", inputs=BRIEF_EXAMPLE)
    assert sorted(saved_scenarios(con)["name"]) == ["Brief", "Cautious"]
    assert load_scenario(con, "Brief") == changed
    assert load_scenario(con, "Nope") is None
    delete_scenario(con, "Cautious")
    assert saved_scenarios(con)["name"].tolist() == ["Brief"]
    with pytest.raises(ScenarioNameError, match="Give the scenario a name"):
        save_scenario(con, name="  ", inputs=BRIEF_EXAMPLE)
    con.close()
    con = open_database(tmp_path / "s.duckdb")  # survives a restart
    assert load_scenario(con, "Brief").years == 5
    con.close()
