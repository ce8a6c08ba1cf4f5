"""Churn scenarios: what churn does to customers, MRR and revenue over a few years.

Pure Python: no database, no UI. The conventions (the answers differ, so the UI states the one
in use beside every result), with g = annual gross acquisition (new customers as a share of the
base), c = annual churn, e = annual expansion of ARPA:

- ``annual-additive``: each year N ← N·(1 + g − c).
- ``annual-multiplicative``: each year N ← N·(1 + g)·(1 − c) (new customers of the year are
  exposed to that year's churn).
- ``monthly``: each month N ← N·(1 + gₘ − cₘ) with gₘ = (1 + g)^(1/12) − 1 and
  cₘ = 1 − (1 − c)^(1/12), so that with no churn the base grows by exactly g a year and with no
  acquisition it keeps exactly (1 − c) a year.

MRR = customers × ARPA, ARPA growing by e a year (monthly: (1 + e)^(1/12) per month).
Revenue of a period = MRR at its start × months in it (a step function; stated in the UI).
Worked examples (tests): 1,000 customers, g = 50 %, three years: additive with 10 % churn ends
at 2,744; multiplicative with 30 % churn at 1,157.6. Growth target 50 % with 20 % churn needs
70 % gross acquisition (additive).
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from metrics.lifetime_value import clv_npv_cash_at_end, clv_npv_cash_at_start, clv_simple

Convention = Literal["annual-additive", "annual-multiplicative", "monthly"]
CONVENTION_FORMULAS: dict[str, str] = {
    "annual-additive": "each year N × (1 + g − c)",
    "annual-multiplicative": "each year N × (1 + g) × (1 − c)",
    "monthly": "each month N × (1 + gₘ − cₘ), annual rates converted to monthly",
}


class ScenarioInputs(BaseModel):
    """Inputs of the simulator (rates as fractions: 0.1 = 10 %)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    starting_customers: float = Field(1000, ge=0)
    arpa: float = Field(100, ge=0, description="Average MRR per customer at the start.")
    acquisition_rate: float = Field(0.5, ge=0, description="Annual new customers / base.")
    churn_rates: tuple[float, ...] = Field((0.0, 0.1, 0.3), min_length=1)
    expansion_rate: float = Field(0.0, ge=-1, description="Annual growth of ARPA.")
    years: int = Field(3, ge=0, le=30)
    gross_margin: float = Field(0.8, ge=0, le=1)
    discount_rate: float = Field(0.1, ge=0, le=1, description="Annual, for NPV.")
    convention: Convention = "annual-additive"

    @field_validator("churn_rates")
    @classmethod
    def _churn_between_0_and_1(cls, rates: tuple[float, ...]) -> tuple[float, ...]:
        for rate in rates:
            if not 0 <= rate <= 1:
                raise ValueError(f"churn rate {rate} must be between 0 and 1 (0 % to 100 %)")
        return tuple(rates)


BRIEF_EXAMPLE = ScenarioInputs(
    starting_customers=1000, arpa=100, acquisition_rate=0.5, churn_rates=(0.0, 0.1, 0.3),
    years=3, convention="annual-additive",
)
"""The product brief's example: 1,000 customers at $100/month growing 50 % a year, 3 years."""


def monthly_rate(annual: float) -> float:
    """Monthly growth rate compounding to ``annual`` over 12 months."""
    return (1 + annual) ** (1 / 12) - 1


def monthly_churn(annual: float) -> float:
    """Monthly churn that keeps (1 − annual) of a base after 12 months."""
    return 1 - (1 - annual) ** (1 / 12)


def _steps(inputs: ScenarioInputs) -> tuple[int, int]:
    """(number of periods, months per period) for the convention."""
    if inputs.convention == "monthly":
        return inputs.years * 12, 1
    return inputs.years, 12


def _growth_factor(inputs: ScenarioInputs, churn: float) -> float:
    """Factor applied to the customer base each period."""
    g, c = inputs.acquisition_rate, churn
    if inputs.convention == "annual-additive":
        return 1 + g - c
    if inputs.convention == "annual-multiplicative":
        return (1 + g) * (1 - c)
    return 1 + monthly_rate(g) - monthly_churn(c)


def _arpa_factor(inputs: ScenarioInputs) -> float:
    if inputs.convention == "monthly":
        return 1 + monthly_rate(inputs.expansion_rate)
    return 1 + inputs.expansion_rate


def simulate(inputs: ScenarioInputs) -> pd.DataFrame:
    """Customers, MRR and revenue over time for every churn rate (plus 0 % as the baseline).

    Columns: churn_rate (annual fraction), period (0 = start; years or months per the
    convention), years (elapsed, fractional for monthly), customers, arpa (per month),
    mrr (per month), revenue (in the period just ended; 0 at period 0), cumulative_revenue.
    Ordered by churn_rate, period. A negative base is floored at 0 customers.
    """
    periods, months_per_period = _steps(inputs)
    rows = []
    for churn in _rates_with_baseline(inputs):
        factor = _growth_factor(inputs, churn)
        customers, arpa, cumulative = float(inputs.starting_customers), float(inputs.arpa), 0.0
        rows.append((churn, 0, 0.0, customers, arpa, customers * arpa, 0.0, 0.0))
        for period in range(1, periods + 1):
            revenue = customers * arpa * months_per_period
            cumulative += revenue
            customers = max(customers * factor, 0.0)
            arpa *= _arpa_factor(inputs)
            rows.append((churn, period, period * months_per_period / 12, customers, arpa,
                         customers * arpa, revenue, cumulative))
    return pd.DataFrame(
        rows,
        columns=["churn_rate", "period", "years", "customers", "arpa", "mrr", "revenue",
                 "cumulative_revenue"],
    )


def _rates_with_baseline(inputs: ScenarioInputs) -> list[float]:
    return sorted(set(inputs.churn_rates) | {0.0})


def required_gross_acquisition(
    *, growth_target: float, churn_rate: float, convention: Convention = "annual-additive"
) -> float:
    """Annual gross acquisition (share of the starting base) that grows the base by the target.

    Additive: g = T + c (METRICS.md: 50 % target with 20 % churn → 70 %). Multiplicative:
    (1 + g)(1 − c) = 1 + T. Monthly: (1 + gₘ − cₘ)¹² = 1 + T, gₘ converted back to annual.
    Infinite when churn is 100 % under the multiplicative convention.
    """
    if convention == "annual-additive":
        return growth_target + churn_rate
    if convention == "annual-multiplicative":
        if churn_rate >= 1:
            return math.inf
        return (1 + growth_target) / (1 - churn_rate) - 1
    monthly_needed = (1 + growth_target) ** (1 / 12) - 1 + monthly_churn(churn_rate)
    return (1 + monthly_needed) ** 12 - 1


def clv_per_customer(
    *, arpa: float, gross_margin: float, churn_rate: float, discount_rate: float
) -> dict[str, float | None]:
    """CLV of one customer on annual periods (METRICS.md, Rates).

    Margin per year m = 12 × ARPA × gross margin; retention r = 1 − annual churn; annual
    discount rate i. Keys: simple (m / churn, None at 0 churn), npv_cash_at_end
    (m·r / (1 + i − r)), npv_cash_at_start (m·(1 + i) / (1 + i − r)).
    """
    margin = 12 * arpa * gross_margin
    retention = 1 - churn_rate
    return {
        "simple": clv_simple(margin_per_period=margin, churn_rate=churn_rate),
        "npv_cash_at_end": clv_npv_cash_at_end(
            margin=margin, retention=retention, discount_rate=discount_rate
        ),
        "npv_cash_at_start": clv_npv_cash_at_start(
            margin=margin, retention=retention, discount_rate=discount_rate
        ),
    }


def scenario_summary(inputs: ScenarioInputs, *, growth_target: float = 0.5) -> pd.DataFrame:
    """One row per churn rate (baseline 0 % included).

    Columns: churn_rate, ending_customers, ending_mrr, cumulative_revenue,
    mrr_loss_vs_no_churn, mrr_loss_pct, revenue_loss_vs_no_churn, revenue_loss_pct,
    required_acquisition (for ``growth_target`` under the same convention),
    clv_simple, clv_npv_cash_at_end, clv_npv_cash_at_start. Losses are money; pct fractions.
    """
    path = simulate(inputs)
    last = path.loc[path.groupby("churn_rate")["period"].idxmax()].set_index("churn_rate")
    baseline = last.loc[0.0]
    rows = []
    for churn, row in last.iterrows():
        clv = clv_per_customer(arpa=inputs.arpa, gross_margin=inputs.gross_margin,
                               churn_rate=float(churn), discount_rate=inputs.discount_rate)
        mrr_loss = baseline["mrr"] - row["mrr"]
        revenue_loss = baseline["cumulative_revenue"] - row["cumulative_revenue"]
        rows.append({
            "churn_rate": float(churn),
            "ending_customers": row["customers"],
            "ending_mrr": row["mrr"],
            "cumulative_revenue": row["cumulative_revenue"],
            "mrr_loss_vs_no_churn": mrr_loss,
            "mrr_loss_pct": _share(mrr_loss, baseline["mrr"]),
            "revenue_loss_vs_no_churn": revenue_loss,
            "revenue_loss_pct": _share(revenue_loss, baseline["cumulative_revenue"]),
            "required_acquisition": required_gross_acquisition(
                growth_target=growth_target, churn_rate=float(churn),
                convention=inputs.convention,
            ),
            "clv_simple": clv["simple"],
            "clv_npv_cash_at_end": clv["npv_cash_at_end"],
            "clv_npv_cash_at_start": clv["npv_cash_at_start"],
        })
    return pd.DataFrame(rows)


def churn_cut_value(inputs: ScenarioInputs, *, churn_rate: float, points: float) -> dict:
    """What cutting ``churn_rate`` by ``points`` (0.05 = 5 points) is worth over the horizon.

    Keys: churn_before, churn_after, ending_mrr_gain, cumulative_revenue_gain,
    ending_customers_gain, clv_npv_cash_at_end_gain (per customer). Churn never goes below 0.
    """
    after = max(churn_rate - points, 0.0)
    compared = inputs.model_copy(update={"churn_rates": (churn_rate, after)})
    summary = scenario_summary(compared).set_index("churn_rate")
    before_row, after_row = summary.loc[churn_rate], summary.loc[after]
    return {
        "churn_before": churn_rate,
        "churn_after": after,
        "ending_mrr_gain": after_row["ending_mrr"] - before_row["ending_mrr"],
        "cumulative_revenue_gain": after_row["cumulative_revenue"]
        - before_row["cumulative_revenue"],
        "ending_customers_gain": after_row["ending_customers"] - before_row["ending_customers"],
        "clv_npv_cash_at_end_gain": after_row["clv_npv_cash_at_end"]
        - before_row["clv_npv_cash_at_end"],
    }


def _share(part: float, whole: float) -> float | None:
    return None if whole == 0 else part / whole


_MONEY_COLUMNS = frozenset({
    "arpa", "mrr", "revenue", "ending_mrr", "cumulative_revenue", "mrr_loss_vs_no_churn",
    "revenue_loss_vs_no_churn", "clv_simple", "clv_npv_cash_at_end", "clv_npv_cash_at_start",
})


def rounded_for_report(frame: pd.DataFrame) -> pd.DataFrame:
    """A scenario table as reports show it: money to cents, every other number to 6 decimals
    (2,744 customers, not 2743.9999999999995). The CLI and the page's download share it."""
    out = frame.copy()
    for column in out.select_dtypes("number").columns:
        out[column] = out[column].round(2 if column in _MONEY_COLUMNS else 6)
    return out
