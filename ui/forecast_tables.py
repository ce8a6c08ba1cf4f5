"""Display frames for the forecast section (rename and format only)."""

from __future__ import annotations

import pandas as pd

from ui import formats

MOVEMENT_NAMES = {"new": "New", "expansion": "Expansion", "reactivation": "Reactivation",
                  "contraction": "Contraction", "churn": "Churn", "net": "Net growth"}


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """Movement, mean and spread of the monthly rates as percentages."""
    return pd.DataFrame({
        "Movement": rates["movement"].map(MOVEMENT_NAMES),
        "Mean per month": [formats.percent(v, decimals=2) for v in rates["mean_monthly_rate"]],
        "Std. deviation": [formats.percent(v, decimals=2) for v in rates["std_monthly_rate"]],
        "Months": rates["months"],
    })


def backtest_table(backtest: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Forecast vs actual by month for each backtest start."""
    return pd.DataFrame({
        "Started": [formats.month_label(m) for m in backtest["origin"]],
        "Month": [formats.month_label(m) for m in backtest["month"]],
        "Forecast": [formats.money(v, currency) for v in backtest["forecast_mrr"]],
        "Actual": [formats.money(v, currency) for v in backtest["actual_mrr"]],
        "Error": [formats.percent(v, signed=True) for v in backtest["error_pct"]],
    })
