"""Named reports: the exact tables ``cli.py report NAME`` prints and the pages download.

Each report is a function of (connection, as_of, filters, settings) returning a frame whose
columns are the report's contract. :func:`format_report` applies the output conventions:
months as YYYY-MM, money rounded to cents, rates as fractions rounded to 6 places.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from metrics.executive import ExecutiveData, executive_data
from metrics.filters import Filters
from store.settings import MetricSettings

MONEY_DECIMALS = 2
RATE_DECIMALS = 6


@dataclass(frozen=True)
class Report:
    """A named table: where its rows come from and how its columns are formatted."""

    name: str
    description: str
    columns: tuple[str, ...]
    build: Callable[[ExecutiveData], pd.DataFrame]
    money: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    months: tuple[str, ...] = ("month",)


def _movements(data: ExecutiveData) -> pd.DataFrame:
    return data.movements


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "mrr",
            "MRR, ARR, customers and ARPA by month",
            ("month", "mrr", "arr", "customers", "arpa"),
            lambda d: d.summary,
            money=("mrr", "arr", "arpa"),
        ),
        Report(
            "movements",
            "MRR bridge by month: start, new, expansion, contraction, churn, reactivation, end",
            ("month", "mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
             "mrr_end"),
            _movements,
            money=("mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
                   "mrr_end"),
        ),
        Report(
            "churn",
            "Logo, gross and net MRR churn rates and quick ratio by month",
            ("month", "logo_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate",
             "quick_ratio", "quick_ratio_with_reactivation"),
            lambda d: d.churn,
            rates=("logo_churn_rate", "gross_mrr_churn_rate", "net_mrr_churn_rate",
                   "quick_ratio", "quick_ratio_with_reactivation"),
        ),
        Report(
            "retention",
            "Trailing-12-month net and gross revenue retention by month",
            ("month", "nrr", "grr"),
            lambda d: d.retention,
            rates=("nrr", "grr"),
        ),
        Report(
            "cohorts",
            "Logo and revenue retention by cohort and months since start",
            ("cohort", "months_since_start", "cohort_customers", "customers", "logo_retention",
             "mrr", "revenue_retention"),
            lambda d: d.cohorts,
            money=("mrr",),
            rates=("logo_retention", "revenue_retention"),
            months=("cohort",),
        ),
    )
}


def format_report(report: Report, frame: pd.DataFrame) -> pd.DataFrame:
    """Select the report's columns in order and apply the output conventions."""
    out = frame.loc[:, list(report.columns)].copy()
    for column in report.months:
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m")
    for column in report.money:
        out[column] = out[column].astype(float).round(MONEY_DECIMALS)
    for column in report.rates:
        out[column] = out[column].astype(float).round(RATE_DECIMALS)
    return out.reset_index(drop=True)


def run_report(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    as_of: date,
    filters: Filters | None = None,
    settings: MetricSettings | None = None,
) -> pd.DataFrame:
    """Compute and format one named report (KeyError for an unknown name)."""
    report = REPORTS[name]
    data = executive_data(con, as_of=as_of, filters=filters, settings=settings)
    return format_report(report, report.build(data))
