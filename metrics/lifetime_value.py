"""LTV and customer lifetime value (METRICS.md, Rates)."""

from __future__ import annotations

import math

import pandas as pd


def ltv(*, arpa: float | None, monthly_logo_churn: float | None) -> float | None:
    """LTV = ARPA / monthly logo churn rate; None ("n/a") when churn is 0 or unknown."""
    if arpa is None or monthly_logo_churn is None or monthly_logo_churn == 0:
        return None
    if math.isnan(arpa) or math.isnan(monthly_logo_churn):
        return None
    return arpa / monthly_logo_churn


def trailing_churn_for_ltv(churn: pd.DataFrame, *, months: int = 6) -> float | None:
    """Average monthly logo churn of the ``months`` months before the last row (the current).

    ``churn`` is the frame from :func:`metrics.rates.churn_rates`, ordered by month. Months
    with no customers at their start are skipped; None when none is left.
    """
    previous = churn.iloc[:-1].tail(months)["logo_churn_rate"].dropna()
    return None if previous.empty else float(previous.mean())


def clv_simple(*, margin_per_period: float, churn_rate: float) -> float | None:
    """Undiscounted CLV = margin / churn; None when churn is 0."""
    return None if churn_rate == 0 else margin_per_period / churn_rate


def clv_npv_cash_at_end(*, margin: float, retention: float, discount_rate: float) -> float:
    """NPV of a customer paying ``margin`` at the end of each period it stays: m·r / (1 + i − r)."""
    return margin * retention / (1 + discount_rate - retention)


def clv_npv_cash_at_start(*, margin: float, retention: float, discount_rate: float) -> float:
    """NPV with cash at the start of each period: m·(1 + i) / (1 + i − r)."""
    return margin * (1 + discount_rate) / (1 + discount_rate - retention)
