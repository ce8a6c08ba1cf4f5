"""Insight reports (Churn drivers and Health back-test pages): drivers, backtest.

    python cli.py report drivers  --db PATH [--as-of DATE] [--lead-days 90] [--window-days 365]
    python cli.py report backtest --db PATH [--as-of DATE] [--lead-days 90] [--window-days 365]

``drivers`` prints four parts: summary (one row: decisions, renewal rate, model AUC …),
signals (renewal rate per signal group with its interval and lift), model (standardised
coefficients) and calibration. ``backtest`` prints summary, bands, calibration and weights
(current and suggested). Both call the functions their pages call (docs/insights.md). They
cover every account: the segment, plan, region and owner filters do not apply.
"""

from __future__ import annotations

import argparse
from datetime import date

import duckdb
import pandas as pd

from commands import ReportCommand, ReportInputError
from metrics.backtest import health_backtest
from metrics.drivers import churn_drivers
from metrics.filters import Filters


def _check(args: argparse.Namespace) -> None:
    if args.lead_days < 0 or args.lead_days > 730:
        raise ReportInputError(f"--lead-days must be between 0 and 730, not {args.lead_days}.")
    if args.window_days < 30 or args.window_days > 3650:
        raise ReportInputError(
            f"--window-days must be between 30 and 3650, not {args.window_days}."
        )


def _drivers(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> dict[str, pd.DataFrame]:
    _check(args)
    found = churn_drivers(con, as_of=as_of, lead_days=args.lead_days,
                          window_days=args.window_days)
    empty = pd.DataFrame()
    return {
        "summary": found.summary(),
        "signals": found.rates,
        "model": found.model.coefficients if found.model else empty,
        "calibration": found.model.calibration if found.model else empty,
    }


def _backtest(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> dict[str, pd.DataFrame]:
    _check(args)
    found = health_backtest(con, as_of=as_of, lead_days=args.lead_days,
                            window_days=args.window_days)
    return {
        "summary": found.summary(),
        "bands": found.bands,
        "calibration": found.calibration,
        "weights": found.weights,
    }


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lead-days", type=int, default=90,
                        help="read each account's signals this many days before its renewal "
                        "decision (default 90)")
    parser.add_argument("--window-days", type=int, default=365,
                        help="decisions made in this many days up to the as-of date "
                        "(default 365)")


COMMANDS = (
    ReportCommand(
        name="drivers",
        help="churn drivers: renewal rate with and without each signal, read --lead-days "
        "before each renewal decision, and a logistic model's top drivers and AUC",
        run=_drivers,
        add_arguments=_arguments,
    ),
    ReportCommand(
        name="backtest",
        help="health back-test: how well the health score --lead-days before each decision "
        "separated renewals from churns (AUC, bands, calibration) and suggested weights",
        run=_backtest,
        add_arguments=_arguments,
    ),
)
