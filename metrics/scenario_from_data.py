"""Scenario inputs measured from the open database over a trailing window (issue: scenarios).

How each is measured (shown beside the inputs in the UI), over the ``months`` completed months
ending at the last complete month before as-of, from the monthly bridge:
- starting customers, ARPA: at the as-of date;
- the window starts later when the data does (at the first month with customers at its
  start), and the explanation names the months used;
- acquisition rate: new customers in the window / customers at the window's start, scaled
  to a year (× 12 / months);
- churn rate: churned customers in the window / customers at the window's start, scaled to a
  year — a simple annualisation, stated as such;
- expansion rate: (expansion − contraction MRR) in the window / MRR at the window's start,
  scaled to a year.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics.filters import Filters
from metrics.forecast import last_complete_month
from metrics.movements import add_months, mrr_movements
from store.settings import MetricSettings


def measured_scenario_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    months: int = 12,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> dict[str, object] | None:
    """Measured starting point and annual rates; None when the window has no customers.

    Keys: starting_customers, arpa, acquisition_rate, churn_rate, expansion_rate,
    window_start (first month), window_end (last month), months, explanation (dict of plain
    sentences per input).
    """
    filters = filters or Filters()
    movements = mrr_movements(con, as_of=as_of, filters=filters, settings=settings)
    return measure_from_movements(movements, as_of=as_of, months=months)


def measure_from_movements(
    movements: pd.DataFrame, *, as_of: date, months: int = 12
) -> dict[str, object] | None:
    """The measurement of :func:`measured_scenario_inputs` on a bridge frame."""
    if movements.empty:
        return None
    end = last_complete_month(as_of)
    start = add_months(end, -(months - 1))
    window = movements[(movements["month"] >= start) & (movements["month"] <= end)]
    # A window reaching back before the first customer starts at the first month with some.
    window = window[window["customers_start"].cumsum() > 0]
    if window.empty:
        return None
    base_customers = float(window["customers_start"].iloc[0])
    base_mrr = float(window["mrr_start"].iloc[0])
    span = len(window)
    scale = 12 / span
    current = movements.iloc[-1]
    customers = float(current["customers"])
    acquisition = window["new_customers"].sum() / base_customers * scale
    churn = min(window["churned_customers"].sum() / base_customers * scale, 1.0)
    expansion = (
        (window["expansion"].sum() - window["contraction"].sum()) / base_mrr * scale
        if base_mrr else 0.0
    )
    period = f"{window['month'].iloc[0]:%b %Y}–{window['month'].iloc[-1]:%b %Y}"
    return {
        "starting_customers": customers,
        "arpa": float(current["mrr_end"]) / customers if customers else 0.0,
        "acquisition_rate": float(acquisition),
        "churn_rate": float(churn),
        "expansion_rate": float(expansion),
        "window_start": window["month"].iloc[0],
        "window_end": window["month"].iloc[-1],
        "months": span,
        "explanation": {
            "acquisition_rate": f"{int(window['new_customers'].sum())} new customers in "
            f"{period} / {int(base_customers)} customers at its start, × 12/{span}.",
            "churn_rate": f"{int(window['churned_customers'].sum())} customers lost in {period}"
            f" / {int(base_customers)} at its start, × 12/{span}.",
            "expansion_rate": f"Expansion − contraction MRR in {period} / MRR at its start, "
            f"× 12/{span}.",
            "starting_customers": f"Customers with MRR > 0 on {as_of:%d %b %Y}.",
            "arpa": f"MRR / customers on {as_of:%d %b %Y}.",
        },
    }
