"""MRR forecast and measured scenario inputs on hand-typed bridges."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.forecast import backtest, forecast_from_movements, last_complete_month, mrr_forecast
from metrics.movements import add_months
from metrics.scenario_from_data import measure_from_movements, measured_scenario_inputs
from tests.conftest import sub

COLUMNS = ["month", "mrr_start", "new", "expansion", "reactivation", "contraction", "churn",
           "mrr_end", "customers_start", "customers", "new_customers", "churned_customers"]


def bridge(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


# Jan starts from nothing; Feb–Apr each grow 10 % net: Feb (10 + 5 − 2 − 3) / 100.
STEADY = bridge([
    (date(2024, 1, 1), 0, 100, 0, 0, 0, 0, 100, 0, 10, 10, 0),
    (date(2024, 2, 1), 100, 10, 5, 0, 2, 3, 110, 10, 11, 2, 1),
    (date(2024, 3, 1), 110, 0, 11, 0, 0, 0, 121, 11, 11, 0, 0),
    (date(2024, 4, 1), 121, 0, 12.1, 0, 0, 0, 133.1, 11, 11, 0, 0),
])


def test_base_case_compounds_the_mean_net_rate():
    rates, forecast = forecast_from_movements(STEADY, origin=date(2024, 4, 1), horizon=2)
    net = rates.set_index("movement").loc["net"]
    assert net["mean_monthly_rate"] == pytest.approx(0.10)
    assert net["std_monthly_rate"] == pytest.approx(0.0)
    assert forecast["month"].tolist() == [date(2024, 5, 1), date(2024, 6, 1)]
    assert forecast["base_mrr"].tolist() == pytest.approx([146.41, 161.051])
    # No variability: the bands collapse onto the base case.
    assert forecast["upside_mrr"].tolist() == pytest.approx(forecast["base_mrr"].tolist())
    # New MRR: mean new rate (0.10 + 0 + 0) / 3 of the month's starting MRR 133.1.
    assert forecast["new"].iloc[0] == pytest.approx(0.10 / 3 * 133.1)


def test_bands_widen_with_the_square_root_of_months():
    # Net rates +10 % then −10 %: mean 0, log growth ln 1.1 and ln 0.9.
    moves = bridge([
        (date(2024, 1, 1), 0, 100, 0, 0, 0, 0, 100, 0, 1, 1, 0),
        (date(2024, 2, 1), 100, 0, 10, 0, 0, 0, 110, 1, 1, 0, 0),
        (date(2024, 3, 1), 110, 0, 0, 0, 11, 0, 99, 1, 1, 0, 0),
    ])
    _, forecast = forecast_from_movements(moves, origin=date(2024, 3, 1), horizon=4)
    sigma = np.std([math.log(1.1), math.log(0.9)])
    assert forecast["base_mrr"].tolist() == pytest.approx([99] * 4)
    assert forecast["upside_mrr"].iloc[0] == pytest.approx(99 * math.exp(sigma))
    assert forecast["downside_mrr"].iloc[3] == pytest.approx(99 * math.exp(-sigma * 2))


def test_backtest_on_steady_growth_has_no_error():
    rows, mrr = [], 100.0
    for k in range(24):
        month = add_months(date(2023, 1, 1), k)
        start = 0 if k == 0 else mrr
        end = 100.0 if k == 0 else mrr * 1.05
        rows.append((month, start, 100 if k == 0 else 0, end - start if k else 0, 0, 0, 0, end,
                     0, 1, 1, 0))
        mrr = end
    result = backtest(bridge(rows), last_complete=date(2024, 12, 1))
    assert sorted(result["origin"].unique()) == [date(2023, 12, 1), date(2024, 6, 1)]
    assert result.groupby("origin")["months_ahead"].max().tolist() == [12, 6]
    assert result["error_pct"].abs().max() == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2024, 4, 30), date(2024, 4, 1)), (date(2024, 4, 29), date(2024, 3, 1)),
    (date(2024, 2, 29), date(2024, 2, 1)),
])
def test_last_complete_month(as_of, expected):
    assert last_complete_month(as_of) == expected


def test_measured_inputs_from_a_bridge():
    measured = measure_from_movements(STEADY, as_of=date(2024, 4, 30), months=3)
    # Window Feb–Apr: 10 customers at its start, 2 new, 1 churned; MRR 100 at start,
    # expansion 5 + 11 + 12.1, contraction 2; scaled by 12 / 3.
    assert measured["window_start"] == date(2024, 2, 1)
    assert measured["acquisition_rate"] == pytest.approx(2 / 10 * 4)
    assert measured["churn_rate"] == pytest.approx(1 / 10 * 4)
    assert measured["expansion_rate"] == pytest.approx((28.1 - 2) / 100 * 4)
    assert measured["starting_customers"] == 11
    assert measured["arpa"] == pytest.approx(133.1 / 11)
    assert "2 new customers" in measured["explanation"]["acquisition_rate"]


def test_forecast_and_measurement_on_the_database(make_db):
    con = make_db(
        accounts=[("A", "A"), ("B", "B")],
        subscriptions=[sub("a", "A", date(2024, 1, 1), amount=100),
                       sub("b", "B", date(2024, 2, 1), date(2024, 4, 1), amount=50)],
    )
    result = mrr_forecast(con, as_of=date(2024, 5, 15), horizon=3)
    assert result.origin == date(2024, 4, 1)
    # Net rates: Feb +50 %, Mar 0 %, Apr −1/3: mean (0.5 + 0 − 1/3) / 3 on MRR 100.
    mean = (0.5 + 0 - 1 / 3) / 3
    assert result.forecast["base_mrr"].iloc[0] == pytest.approx(100 * (1 + mean))
    measured = measured_scenario_inputs(con, as_of=date(2024, 5, 15), months=3)
    # Window Feb–Apr: 1 customer at its start (A), 1 lost (B in April), × 12/3, capped at 100 %.
    assert measured["churn_rate"] == 1.0
    assert measured_scenario_inputs(make_db(), as_of=date(2024, 5, 15)) is None


def test_measurement_window_starts_with_the_data():
    # Asked for 12 months ending April; the data starts in January, so Feb–Apr is used.
    measured = measure_from_movements(STEADY, as_of=date(2024, 4, 30), months=12)
    assert measured["window_start"] == date(2024, 2, 1)
    assert measured["months"] == 3
    assert measured["acquisition_rate"] == pytest.approx(2 / 10 * 4)
    assert "Feb 2024–Apr 2024" in measured["explanation"]["churn_rate"]


def test_backtest_errors_summarise_each_start():
    from metrics.forecast import backtest_errors

    result = pd.DataFrame({
        "origin": [date(2024, 1, 1)] * 2 + [date(2024, 4, 1)],
        "month": [date(2024, 2, 1), date(2024, 3, 1), date(2024, 5, 1)],
        "months_ahead": [1, 2, 1],
        "forecast_mrr": [110, 90, 100], "actual_mrr": [100, 100, 100],
        "error_pct": [0.1, -0.1, 0.0],
    })
    errors = backtest_errors(result)
    assert errors["origin"].tolist() == [date(2024, 1, 1), date(2024, 4, 1)]
    assert errors["mean_abs_error_pct"].tolist() == pytest.approx([0.1, 0.0])
    assert errors["last_error_pct"].tolist() == pytest.approx([-0.1, 0.0])
    assert errors["months"].tolist() == [2, 1]
