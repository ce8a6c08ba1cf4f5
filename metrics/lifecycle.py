"""Lifecycle KPIs, acquisition to advocacy (issue #7; definitions in docs/lifecycle.md).

One row per KPI. Counts and sums come from raw tables in one query
(``sql/lifecycle_head.sql`` + the shared subscription pricing + ``sql/lifecycle_kpis.sql``);
three groups reuse existing metrics instead of re-deriving them:

- upsell conversion and average ACV per customer read the per-unit monthly movements of
  :func:`metrics.movements.account_movements` (METRICS.md, Movements; ARR = 12 × MRR,
  customers = MRR > 0, as on the Executive page);
- final and in-quarter renewal rates are :func:`metrics.renewal_outcomes.renewal_kpis` of the
  latest complete quarter (METRICS.md, Renewals);
- NPS buckets use the standard cut-offs of :mod:`metrics.customer_value` (9–10 promoter,
  7–8 passive, 0–6 detractor).

Windows: "the window" is the ``window_days`` days ending on ``as_of`` (both whole days
included). Expansion KPIs work on months: the ``round(window_days × 12 / 365)`` months ending
with the as-of month, whose base is the customers on the last day before them.

A KPI that cannot be computed has value NaN and a ``missing_data`` text saying which import
would enable it (or why the window holds nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics.customer_value import DETRACTOR_MAX, PROMOTER_MIN
from metrics.filters import Filters, month_start
from metrics.movements import account_movements, add_months
from metrics.renewal_outcomes import renewal_kpis
from metrics.snapshots import subscription_mrr_cte
from store.settings import MetricSettings, load_settings
from store.sql import load_sql, one_row

STAGES: tuple[str, ...] = (
    "acquisition", "onboarding", "adoption", "support", "expansion", "renewal", "advocacy",
)
"""Lifecycle stages in display order."""
COLUMNS: tuple[str, ...] = (
    "stage", "kpi", "label", "value", "unit", "numerator", "denominator", "definition",
    "missing_data",
)
"""Columns of :func:`lifecycle_kpis`, in order."""

IMPORT_OPPORTUNITIES = "Import opportunities (Salesforce or HubSpot preset)"
IMPORT_USAGE = "Import product usage (usage_daily, or raw events)"
IMPORT_TICKETS = "Import support tickets"
IMPORT_NPS = "Import NPS responses"


@dataclass(frozen=True)
class Kpi:
    """Static description of one KPI; ``{window}`` in the definition is the window in days."""

    stage: str
    kpi: str
    label: str
    unit: str
    definition: str


KPIS: tuple[Kpi, ...] = (
    Kpi("acquisition", "trial_conversion", "Trial conversion", "%",
        "Trials (recurring subscriptions with status 'trial') started in the last {window} days "
        "that became paying (a paying subscription of the same account started on or after the "
        "trial start), over those trials that converted or ended; trials still running "
        "unconverted are left out."),
    Kpi("acquisition", "sales_cycle_days", "Avg sales cycle", "days",
        "Mean days from the account's created date to the close date of its won new-business "
        "opportunities closed in the last {window} days (opportunities carry no created date)."),
    Kpi("acquisition", "avg_contract_value", "Avg contract value", "currency",
        "Mean amount of won new-business opportunities closed in the last {window} days, in "
        "the reporting currency at the rate in force on the close date."),
    Kpi("onboarding", "active_30d", "Users active at day 30", "%",
        "For accounts that started paying in the last {window} days and at least 30 days ago: "
        "peak active users in the 7 days ending 30 days after the first paying day, over seats "
        "purchased (capped at 100%), averaged over accounts."),
    Kpi("onboarding", "active_60d", "Users active at day 60", "%",
        "As at day 30, for the 7 days ending 60 days after the first paying day."),
    Kpi("onboarding", "active_90d", "Users active at day 90", "%",
        "As at day 30, for the 7 days ending 90 days after the first paying day."),
    Kpi("adoption", "usage_frequency", "Usage frequency", "days",
        "Mean, over customers on the as-of date, of the days with at least one active user in "
        "the 30 days ending on the as-of date (0–30)."),
    Kpi("adoption", "usage_breadth", "Usage breadth", "count",
        "Mean, over customers with an active day in the last 30 days, of their mean "
        "features_used on active days."),
    Kpi("support", "sla_attainment", "SLA attainment", "%",
        "1 − tickets that breached their SLA / tickets opened in the last {window} days."),
    Kpi("support", "csat", "CSAT", "score",
        "Mean satisfaction rating (1–5) of tickets opened in the last {window} days."),
    Kpi("expansion", "upsell_conversion", "Upsell conversion", "%",
        "Share of the customers at the start of the last {months} months that had an expansion "
        "movement (MRR up month-end to month-end, METRICS.md) in one of those months."),
    Kpi("expansion", "cross_sell_conversion", "Cross-sell conversion", "%",
        "Share of the customers at the start of the last {months} months that started paying "
        "for a plan they did not hold then."),
    Kpi("expansion", "acv_per_customer", "ACV per customer", "currency",
        "ARR (12 × MRR) on the as-of date / customers (MRR > 0) on the as-of date."),
    Kpi("renewal", "final_renewal_rate", "Final renewal rate", "%",
        "Of the ARR due for renewal in the latest complete quarter, the share renewed at any "
        "time (METRICS.md, Renewals)."),
    Kpi("renewal", "in_quarter_renewal_rate", "In-quarter renewal", "%",
        "Of the ARR due for renewal in the latest complete quarter, the share renewed before "
        "that quarter ended (METRICS.md, Renewals)."),
    Kpi("advocacy", "referenceable_share", "Referenceable", "%",
        "Customers on the as-of date flagged referenceable / customers."),
    Kpi("advocacy", "promoters", "Promoters", "%",
        "Accounts whose latest NPS answer of the last {window} days is 9–10 / accounts that "
        "answered."),
    Kpi("advocacy", "passives", "Passives", "%",
        "Accounts whose latest NPS answer of the last {window} days is 7–8 / accounts that "
        "answered."),
    Kpi("advocacy", "detractors", "Detractors", "%",
        "Accounts whose latest NPS answer of the last {window} days is 0–6 / accounts that "
        "answered."),
    Kpi("advocacy", "nps", "NPS", "score",
        "% promoters − % detractors over each account's latest answer of the last {window} "
        "days (−100 to 100)."),
)
"""Every KPI in display order."""


def expansion_months(window_days: int) -> int:
    """Months of the expansion window: ``round(window_days × 12 / 365)``, at least 1."""
    return max(1, round(window_days * 12 / 365))


def _num(value: Any) -> float:
    """A SQL aggregate as float (NULL → 0)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    return float(value)


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    return scale * numerator / denominator if denominator else np.nan


def lifecycle_kpis(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    filters: Filters | None = None,
    window_days: int = 365,
) -> pd.DataFrame:
    """Every lifecycle KPI on ``as_of`` for the filters (docs/lifecycle.md).

    Filters: segment, region, CSM owner and custom attribute select accounts; plan keeps
    accounts that had a recurring subscription on one of the plans (customers: MRR on one of
    them on the day); the month range is not used.

    Returns:
        One row per KPI in :data:`KPIS` order, columns :data:`COLUMNS`: stage (one of
        :data:`STAGES`), kpi (stable key), label, value (float, NaN when not computable; '%'
        values are percentages 0–100), unit ('%', 'days', the reporting currency code,
        'score' or 'count'), numerator and denominator (value = numerator / denominator, × 100
        for '%'; NaN where not meaningful), definition (one sentence), missing_data ('' or
        what would enable the KPI).
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    filters = replace(filters or Filters(), start_month=None, end_month=None)
    settings = load_settings(con, MetricSettings)
    currency = settings.reporting_currency
    months = expansion_months(window_days)
    first_month = add_months(month_start(as_of), -(months - 1))
    base_day = first_month - timedelta(days=1)
    window_start = as_of - timedelta(days=window_days - 1)

    sql = (
        load_sql(__file__, "sql/lifecycle_head.sql")
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/lifecycle_kpis.sql")
    )
    cur = con.execute(
        sql,
        {
            **filters.sql_params(),
            "month": month_start(as_of),
            "as_of": as_of,
            "base_month": month_start(base_day),
            "base_day": base_day,
            "window_start": window_start,
            "reporting_currency": currency,
            "deduct_discounts": settings.deduct_discounts,
        },
    )
    names = [d[0] for d in cur.description]
    raw = dict(zip(names, one_row(cur), strict=True))
    r = {k: _num(v) for k, v in raw.items()}

    rows: dict[str, tuple[float, float, float, str]] = {}
    """kpi → (value, numerator, denominator, missing_data)."""

    def pct(kpi: str, num: float, den: float, missing: str) -> None:
        rows[kpi] = (_ratio(num, den, 100.0), num, den, "" if den else missing)

    def mean(kpi: str, total: float, count: float, missing: str) -> None:
        rows[kpi] = (_ratio(total, count), total, count, "" if count else missing)

    window = f"the last {window_days} days"
    # Acquisition
    pct("trial_conversion", r["trials_converted"], r["trials_decided"],
        "Import subscriptions with status 'trial' (trial or freemium sign-ups) to see trial "
        "conversion" if not r["trials_stored"]
        else f"No trial started in {window} has converted or ended yet")
    no_opps = not r["opportunities_stored"]
    mean("sales_cycle_days", r["cycle_days_sum"], r["cycle_count"],
         f"{IMPORT_OPPORTUNITIES} and accounts with created_at to see sales-cycle length"
         if no_opps else f"No won new-business opportunity closed in {window} on an account "
         "with a created date")
    mean("avg_contract_value", r["won_amount_sum"], r["won_count"],
         f"{IMPORT_OPPORTUNITIES} to see average contract value" if no_opps
         else f"No won new-business opportunity closed in {window}")
    # Onboarding
    for n in (30, 60, 90):
        if not r["usage_stored"]:
            missing = f"{IMPORT_USAGE} to see users active at day {n}"
        elif not r["seats_stored"]:
            missing = f"Import accounts with seats_purchased to see users active at day {n}"
        else:
            missing = (f"No account started paying in {window} at least {n} days before the "
                       "as-of date (inside the usage history)")
        rows[f"active_{n}d"] = (
            _ratio(r[f"onboard{n}_sum"], r[f"onboard{n}_count"], 100.0),
            r[f"onboard{n}_sum"], r[f"onboard{n}_count"],
            "" if r[f"onboard{n}_count"] else missing,
        )
    # Adoption
    if r["usage_stored"]:
        mean("usage_frequency", r["active_days_sum"], r["usage_customers"],
             "No customers on the as-of date")
        mean("usage_breadth", r["breadth_sum"], r["breadth_count"],
             "No customer was active in the last 30 days")
    else:
        for kpi, what in (("usage_frequency", "usage frequency"), ("usage_breadth", "breadth")):
            rows[kpi] = (np.nan, np.nan, np.nan, f"{IMPORT_USAGE} to see {what}")
    # Support
    no_tickets = not r["tickets_stored"]
    pct("sla_attainment", r["tickets_in_sla"], r["tickets_opened"],
        f"{IMPORT_TICKETS} to see SLA attainment" if no_tickets
        else f"No ticket opened in {window}")
    mean("csat", r["csat_sum"], r["csat_count"],
         f"{IMPORT_TICKETS} with CSAT ratings to see CSAT" if no_tickets or not r["tickets_opened"]
         else f"No ticket opened in {window} has a CSAT rating")
    # Expansion
    _expansion(con, rows, as_of=as_of, filters=filters, first_month=first_month,
               cross_sold=r["cross_sold"], base_customers=r["base_customers"])
    # Renewal
    quarter = _renewals(con, rows, as_of=as_of, filters=filters)
    # Advocacy
    pct("referenceable_share", r["referenceable"], r["customers"], "No customers on the as-of "
        "date")
    nps_missing = (f"{IMPORT_NPS} to see NPS and the promoter / passive / detractor split"
                   if not r["nps_stored"] else f"No NPS answer in {window}")
    answered = r["nps_accounts"]
    for kpi in ("promoters", "passives", "detractors"):
        pct(kpi, r[kpi], answered, nps_missing)
    rows["nps"] = (
        _ratio(r["promoters"] - r["detractors"], answered, 100.0),
        r["promoters"] - r["detractors"], answered, "" if answered else nps_missing,
    )

    records = []
    for spec in KPIS:
        value, numerator, denominator, missing = rows[spec.kpi]
        label = spec.label
        if spec.stage == "renewal" and quarter is not None:
            label = f"{spec.label} ({quarter})"
        records.append({
            "stage": spec.stage,
            "kpi": spec.kpi,
            "label": label,
            "value": float(value),
            "unit": currency if spec.unit == "currency" else spec.unit,
            "numerator": float(numerator),
            "denominator": float(denominator),
            "definition": spec.definition.format(window=window_days, months=months),
            "missing_data": missing,
        })
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _expansion(
    con: duckdb.DuckDBPyConnection,
    rows: dict[str, tuple[float, float, float, str]],
    *,
    as_of: date,
    filters: Filters,
    first_month: date,
    cross_sold: float,
    base_customers: float,
) -> None:
    """Upsell conversion and ACV per customer from the unit movements; cross-sell from SQL."""
    moves = account_movements(con, as_of=as_of, filters=filters)
    window = moves[moves["month"] >= first_month]
    base = set(window.loc[(window["month"] == first_month) & (window["mrr_start"] > 0),
                          "unit_id"])
    expanded = set(window.loc[window["expansion"] > 0, "unit_id"]) & base
    missing = "No customers at the start of the expansion window"
    rows["upsell_conversion"] = (
        _ratio(len(expanded), len(base), 100.0), float(len(expanded)), float(len(base)),
        "" if base else missing,
    )
    rows["cross_sell_conversion"] = (
        _ratio(cross_sold, base_customers, 100.0), cross_sold, base_customers,
        "" if base_customers else missing,
    )
    now = moves[(moves["month"] == month_start(as_of)) & (moves["mrr_end"] > 0)]
    arr = 12 * float(now["mrr_end"].sum())
    rows["acv_per_customer"] = (
        _ratio(arr, len(now)), arr, float(len(now)), "" if len(now) else
        "No customers on the as-of date",
    )


def _renewals(
    con: duckdb.DuckDBPyConnection,
    rows: dict[str, tuple[float, float, float, str]],
    *,
    as_of: date,
    filters: Filters,
) -> str | None:
    """Final and in-quarter renewal rates of the latest complete quarter; its name or None."""
    kpis = renewal_kpis(con, as_of=as_of, filters=filters)
    done = kpis[kpis["complete"] & (kpis["arr_due"] > 0)]
    if done.empty:
        missing = ("No renewal quarter is complete yet: import subscriptions with term_end "
                   "(contract renewal dates)")
        for kpi in ("final_renewal_rate", "in_quarter_renewal_rate"):
            rows[kpi] = (np.nan, np.nan, np.nan, missing)
        return None
    last = done.iloc[-1]
    due = float(last["arr_due"])
    for kpi in ("final_renewal_rate", "in_quarter_renewal_rate"):
        rate = float(last[kpi])
        rows[kpi] = (100 * rate, rate * due, due, "")
    quarter: date = last["quarter"]
    return f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"


__all__ = [
    "COLUMNS", "DETRACTOR_MAX", "KPIS", "PROMOTER_MIN", "STAGES", "Kpi", "expansion_months",
    "lifecycle_kpis",
]
