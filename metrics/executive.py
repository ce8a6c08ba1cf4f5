"""Everything the Executive page (and ``cli.py report``) shows, computed in one pass."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb
import pandas as pd

from metrics.filters import Filters
from metrics.lifetime_value import ltv, trailing_churn_for_ltv
from metrics.movements import monthly_movements_from, unit_events
from metrics.rates import churn_rates, mrr_summary
from metrics.retention import cohorts_from, trailing_retention_from
from store.settings import MetricSettings

Unit = Literal["money", "count", "percent", "ratio"]


@dataclass(frozen=True)
class Kpi:
    """One headline number with last month's value for the change."""

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: Unit
    help: str

    @property
    def change(self) -> float | None:
        """value − previous, None when either is missing."""
        if _missing(self.value) or _missing(self.previous):
            return None
        return float(self.value) - float(self.previous)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ExecutiveData:
    """Frames behind the Executive page; see each producer for the columns."""

    as_of: date
    movements: pd.DataFrame
    summary: pd.DataFrame
    churn: pd.DataFrame
    retention: pd.DataFrame
    cohorts: pd.DataFrame
    kpis: tuple[Kpi, ...]

    @property
    def is_empty(self) -> bool:
        return self.movements.empty or float(self.movements["mrr_end"].abs().sum()) == 0


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value_at(frame: pd.DataFrame, column: str, month: date) -> float | None:
    rows = frame.loc[frame["month"] == month, column]
    if rows.empty or pd.isna(rows.iloc[0]):
        return None
    return float(rows.iloc[0])


def executive_data(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> ExecutiveData:
    """Movements, MRR summary, churn rates, NRR/GRR, cohorts and KPI cards for ``as_of``."""
    filters = filters or Filters()
    with unit_events(con, as_of=as_of, filters=filters, settings=settings) as cursor:
        movements = monthly_movements_from(cursor, as_of=as_of, filters=filters)
        retention = trailing_retention_from(cursor, as_of=as_of, filters=filters)
        cohorts = cohorts_from(cursor, as_of=as_of, filters=filters)
    summary = mrr_summary(movements)
    churn = churn_rates(movements)
    return ExecutiveData(
        as_of=as_of,
        movements=movements,
        summary=summary,
        churn=churn,
        retention=retention,
        cohorts=cohorts,
        kpis=kpi_cards(summary, churn, retention),
    )


def kpi_cards(
    summary: pd.DataFrame, churn: pd.DataFrame, retention: pd.DataFrame
) -> tuple[Kpi, ...]:
    """Headline KPIs for the last month of ``summary``, each with the month before."""
    if summary.empty:
        return ()
    current = summary["month"].iloc[-1]
    previous = summary["month"].iloc[-2] if len(summary) > 1 else None

    def pair(frame: pd.DataFrame, column: str) -> tuple[float | None, float | None]:
        now = _value_at(frame, column, current)
        before = _value_at(frame, column, previous) if previous is not None else None
        return now, before

    ltv_now = ltv(
        arpa=_value_at(summary, "arpa", current), monthly_logo_churn=trailing_churn_for_ltv(churn)
    )
    ltv_before = (
        ltv(
            arpa=_value_at(summary, "arpa", previous),
            monthly_logo_churn=trailing_churn_for_ltv(churn.iloc[:-1]),
        )
        if previous is not None
        else None
    )
    return (
        Kpi("mrr", "MRR", *pair(summary, "mrr"), "money",
            "Monthly recurring revenue at the as-of date, after discounts, excluding one-time "
            "charges and trials."),
        Kpi("arr", "ARR", *pair(summary, "arr"), "money", "Annual run rate: 12 × MRR."),
        Kpi("customers", "Customers", *pair(summary, "customers"), "count",
            "Accounts with MRR above 0."),
        Kpi("arpa", "ARPA", *pair(summary, "arpa"), "money",
            "Average MRR per customer: MRR / customers."),
        Kpi("nrr", "NRR (12 mo)", *pair(retention, "nrr"), "percent",
            "Today's MRR of the accounts that were customers 12 months ago / their MRR then."),
        Kpi("grr", "GRR (12 mo)", *pair(retention, "grr"), "percent",
            "As NRR, with each account's MRR capped at its value 12 months ago."),
        Kpi("logo_churn_rate", "Logo churn", *pair(churn, "logo_churn_rate"), "percent",
            "Accounts lost this month / customers at the start of the month."),
        Kpi("quick_ratio", "Quick ratio", *pair(churn, "quick_ratio"), "ratio",
            "(New + expansion MRR) / (churn + contraction MRR); n/a when nothing was lost."),
        Kpi("ltv", "LTV", ltv_now, ltv_before, "money",
            "ARPA / average monthly logo churn of the six months before this one."),
    )
