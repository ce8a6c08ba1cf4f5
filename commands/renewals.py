"""Renewal reports: `report renewals`, `report queue [--window 90-120]`, `report renewal-kpis`.

They call the functions the renewal pages use (``metrics.renewals``, ``metrics.renewal_queue``,
``metrics.renewal_outcomes``) with the stored :class:`RenewalSettings`; only the output is
formatted here: months as YYYY-MM, quarters as YYYY-Qn, dates as YYYY-MM-DD, money rounded to
cents, rates and likelihoods as fractions rounded to 6 places.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

import duckdb
import pandas as pd
from pydantic import ValidationError

from commands import ReportCommand, ReportInputError
from metrics.filters import Filters
from metrics.renewal_outcomes import KPI_COLUMNS, renewal_kpis
from metrics.renewal_queue import QUEUE_COLUMNS, overdue_renewals, renewal_queue
from metrics.renewal_settings import RenewalSettings
from metrics.renewals import BAND_ARR_COLUMNS, pipeline_by_period, renewal_pipeline
from metrics.reports import MONEY_DECIMALS, RATE_DECIMALS
from store.settings import load_settings

PIPELINE_REPORT_COLUMNS: tuple[str, ...] = (
    "month", "renewals", "arr_due", "forecast_arr", "arr_at_risk", *BAND_ARR_COLUMNS,
)
WINDOW_PATTERN = re.compile(r"^\s*(\d{1,4})\s*-\s*(\d{1,4})\s*$")


def parse_window(text: str, settings: RenewalSettings) -> RenewalSettings:
    """``settings`` with the queue window from text like ``90-120`` (days, both included).

    Raises:
        ReportInputError: the text is not two whole numbers of days, or not in order.
    """
    match = WINDOW_PATTERN.match(text)
    if not match:
        raise ReportInputError(
            f"--window '{text}' is not a window like 90-120 (days before renewal, first-last)."
        )
    start, end = int(match.group(1)), int(match.group(2))
    values = {**settings.model_dump(), "window_start_days": start, "window_end_days": end}
    try:
        return RenewalSettings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ReportInputError(f"--window '{text}' is not a valid window: {problems}.") from None


def _money(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        frame[column] = frame[column].astype(float).round(MONEY_DECIMALS)


def _rates(frame: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        frame[column] = frame[column].astype(float).round(RATE_DECIMALS)


def _iso(values: pd.Series) -> pd.Series:
    return pd.Series([None if v is None else v.isoformat() for v in values], index=values.index,
                     dtype=object)


def _renewals(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    pipeline = renewal_pipeline(con, as_of=as_of, filters=filters)
    frame = pipeline_by_period(pipeline, period="month", as_of=as_of)
    out = frame.loc[:, list(PIPELINE_REPORT_COLUMNS)].copy()
    out["month"] = [m.strftime("%Y-%m") for m in out["month"]]
    _money(out, [c for c in PIPELINE_REPORT_COLUMNS if c not in ("month", "renewals")])
    return out


def _queue_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--window", help="days before renewal, first-last, both included (default: the stored "
        "setting, 90-120)",
    )
    parser.add_argument(
        "--overdue", action="store_true",
        help="list the accounts past the window's near edge with no touch instead",
    )


def _queue(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    settings = load_settings(con, RenewalSettings)
    if args.window is not None:
        settings = parse_window(args.window, settings)
    build = overdue_renewals if args.overdue else renewal_queue
    frame = build(con, as_of=as_of, settings=settings, filters=filters)
    out = frame.loc[:, list(QUEUE_COLUMNS)].copy()
    for column in ("renewal_date", "contact_by"):
        out[column] = _iso(out[column])
    out["last_touch"] = [
        None if pd.isna(t) else t.isoformat(timespec="seconds") for t in out["last_touch"]
    ]
    _money(out, ["arr", "arr_at_risk"])
    _rates(out, ["likelihood"])
    out["health_score"] = out["health_score"].astype(float).round(2)
    out["health_change"] = out["health_change"].astype(float).round(2)
    return out


def _renewal_kpis(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    frame = renewal_kpis(con, as_of=as_of, filters=filters)
    out = frame.loc[:, list(KPI_COLUMNS)].copy()
    out["quarter"] = [f"{q.year}-Q{(q.month - 1) // 3 + 1}" for q in out["quarter"]]
    _money(out, [c for c in KPI_COLUMNS if c.startswith("arr_")])
    _rates(out, [c for c in KPI_COLUMNS if c.endswith(("_rate", "_share"))])
    out["avg_contact_days_in_advance"] = out["avg_contact_days_in_advance"].round(2)
    return out


COMMANDS = (
    ReportCommand(
        "renewals",
        "Renewal pipeline by month for the next 12 months: ARR due, forecast, at risk, by band",
        _renewals,
    ),
    ReportCommand(
        "queue",
        "Renewal queue: accounts whose next renewal is 90-120 days away (--window), by ARR at "
        "risk; --overdue for those past the window with no touch",
        _queue,
        _queue_arguments,
    ),
    ReportCommand(
        "renewal-kpis",
        "Renewal KPIs per quarter: renewal rates, timing, contact days and outcome split",
        _renewal_kpis,
    ),
)
