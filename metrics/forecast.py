"""MRR forecast from measured movement rates, with bands and a backtest.

Method (stated in the UI):
- Each completed month's movements are taken as rates of that month's starting MRR:
  rᵢ = movementᵢ / MRR at start, for new, expansion, reactivation (+) and contraction,
  churn (−); the net rate is their signed sum.
- Base case: MRR grows each month by the mean net rate of the trailing ``window`` completed
  months; the movement amounts are each mean rate × the month's starting MRR.
- Bands: ±1 standard deviation of the monthly log growth ln(1 + net rate), widening with the
  square root of the months ahead (a random walk; about a 68 % band if months are independent).
- Backtest: the same method started 6 and 12 months earlier, using only the data before it,
  compared with what happened; error = forecast / actual − 1.
The as-of month counts as completed only when the as-of date is its last day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import Filters
from metrics.movements import add_months, month_end, mrr_movements
from store.settings import MetricSettings

POSITIVE = ("new", "expansion", "reactivation")
NEGATIVE = ("contraction", "churn")


@dataclass(frozen=True)
class MrrForecast:
    """Frames behind the forecast chart; see :func:`forecast_from_movements` for columns."""

    rates: pd.DataFrame
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    origin: date | None


def movement_rates(movements: pd.DataFrame) -> pd.DataFrame:
    """Per month: each movement / MRR at start, and the net rate. Months with no MRR dropped.

    Columns: month, new, expansion, reactivation, contraction, churn, net (fractions).
    """
    usable = movements[movements["mrr_start"] > 0]
    rates = pd.DataFrame({"month": usable["month"]})
    for column in POSITIVE + NEGATIVE:
        rates[column] = usable[column] / usable["mrr_start"]
    rates["net"] = (rates[list(POSITIVE)].sum(axis=1) - rates[list(NEGATIVE)].sum(axis=1))
    return rates.reset_index(drop=True)


def forecast_from_movements(
    movements: pd.DataFrame, *, origin: date, horizon: int = 12, window: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast ``horizon`` months after ``origin`` from the ``window`` months up to it.

    Returns (rates, forecast). rates: movement, mean_monthly_rate, std_monthly_rate, months.
    forecast: month, base_mrr, upside_mrr, downside_mrr, new, expansion, reactivation,
    contraction, churn (base-case amounts). Empty frames when there is no usable history.
    """
    history = movements[movements["month"] <= origin]
    rates = movement_rates(history).tail(window)
    if rates.empty or history.empty:
        return _empty_rates(), _empty_forecast()
    start_mrr = float(history["mrr_end"].iloc[-1])
    summary = pd.DataFrame({
        "movement": list(POSITIVE + NEGATIVE) + ["net"],
        "mean_monthly_rate": [rates[c].mean() for c in POSITIVE + NEGATIVE + ("net",)],
        "std_monthly_rate": [rates[c].std(ddof=0) for c in POSITIVE + NEGATIVE + ("net",)],
        "months": len(rates),
    })
    mean = summary.set_index("movement")["mean_monthly_rate"]
    log_growth = np.log1p(rates["net"].clip(lower=-0.999999))
    sigma = float(log_growth.std(ddof=0)) if len(log_growth) > 1 else 0.0
    rows = []
    mrr = start_mrr
    for k in range(1, horizon + 1):
        amounts = {c: mean[c] * mrr for c in POSITIVE + NEGATIVE}
        mrr = max(mrr * (1 + mean["net"]), 0.0)
        spread = sigma * math.sqrt(k)
        rows.append({
            "month": add_months(origin, k),
            "base_mrr": mrr,
            "upside_mrr": mrr * math.exp(spread),
            "downside_mrr": mrr * math.exp(-spread),
            **amounts,
        })
    return summary, pd.DataFrame(rows)


def backtest(
    movements: pd.DataFrame, *, last_complete: date, lookbacks: tuple[int, ...] = (6, 12),
    window: int = 12,
) -> pd.DataFrame:
    """The method started ``lookbacks`` months before ``last_complete`` vs what happened.

    Columns: origin, month, months_ahead, forecast_mrr, actual_mrr, error_pct (forecast /
    actual − 1; NaN when actual is 0). Ordered by origin, month.
    """
    actual = movements.set_index("month")["mrr_end"]
    rows = []
    for lookback in lookbacks:
        origin = add_months(last_complete, -lookback)
        if origin not in actual.index:
            continue
        _, forecast = forecast_from_movements(
            movements, origin=origin, horizon=lookback, window=window
        )
        for k, row in enumerate(forecast.itertuples(index=False), start=1):
            real = float(actual.get(row.month, np.nan))
            rows.append({
                "origin": origin,
                "month": row.month,
                "months_ahead": k,
                "forecast_mrr": row.base_mrr,
                "actual_mrr": real,
                "error_pct": row.base_mrr / real - 1 if real else np.nan,
            })
    columns = ["origin", "month", "months_ahead", "forecast_mrr", "actual_mrr", "error_pct"]
    return pd.DataFrame(rows, columns=columns)


def last_complete_month(as_of: date) -> date:
    """The as-of month when as-of is its last day, else the month before (first days)."""
    current = as_of.replace(day=1)
    return current if as_of == month_end(current) else add_months(current, -1)


def mrr_forecast(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
    horizon: int = 12,
    window: int = 12,
) -> MrrForecast:
    """Forecast the next ``horizon`` months of MRR from the data, with its backtest."""
    # Every account filter applies (custom attributes too); the month range does not: the
    # method needs the trailing history.
    filters = replace(filters or Filters(), start_month=None, end_month=None)
    movements = mrr_movements(con, as_of=as_of, filters=filters, settings=settings)
    origin = last_complete_month(as_of)
    complete = movements[movements["month"] <= origin]
    if complete.empty:
        return MrrForecast(_empty_rates(), _empty_forecast(), backtest(complete,
                           last_complete=origin), None)
    rates, forecast = forecast_from_movements(
        complete, origin=origin, horizon=horizon, window=window
    )
    return MrrForecast(rates, forecast, backtest(complete, last_complete=origin,
                                                 window=window), origin)


def _empty_rates() -> pd.DataFrame:
    return pd.DataFrame(columns=["movement", "mean_monthly_rate", "std_monthly_rate", "months"])


def _empty_forecast() -> pd.DataFrame:
    return pd.DataFrame(columns=["month", "base_mrr", "upside_mrr", "downside_mrr",
                                 *POSITIVE, *NEGATIVE])


def backtest_errors(result: pd.DataFrame) -> pd.DataFrame:
    """Per backtest origin: months compared, mean absolute error and the last month's error.

    Columns: origin, months, mean_abs_error_pct, last_error_pct (fractions). Ordered by origin.
    """
    columns = ["origin", "months", "mean_abs_error_pct", "last_error_pct"]
    if result.empty:
        return pd.DataFrame(columns=columns)
    ordered = result.sort_values(["origin", "months_ahead"])
    summary = ordered.groupby("origin", sort=True).agg(
        months=("months_ahead", "max"),
        mean_abs_error_pct=("error_pct", lambda e: e.abs().mean()),
        last_error_pct=("error_pct", "last"),
    )
    return summary.reset_index()[columns]
