"""Lifecycle KPIs report (Lifecycle KPIs page): ``report lifecycle``.

Calls the same function as the page with the CLI's filters (segment, region, owner, plan,
attribute; the month range is not used):

    python cli.py report lifecycle --db PATH [--as-of DATE] [--window-days N] [filters]

One row per KPI, acquisition to advocacy: the columns of
:func:`metrics.lifecycle.lifecycle_kpis` (docs/lifecycle.md).
"""

from __future__ import annotations

import argparse
from datetime import date

import duckdb
import pandas as pd

from commands import ReportCommand, ReportInputError
from metrics.filters import Filters
from metrics.lifecycle import lifecycle_kpis


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--window-days", type=int, default=365,
        help="days ending on the as-of date that the KPIs look back over (default 365)",
    )


def _lifecycle(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    if args.window_days < 1:
        raise ReportInputError("--window-days must be at least 1")
    return lifecycle_kpis(con, as_of=as_of, filters=filters, window_days=args.window_days)


COMMANDS = (
    ReportCommand(
        name="lifecycle",
        help="lifecycle KPIs from acquisition to advocacy: value, numerator, denominator, "
        "definition and the import that would enable a missing KPI",
        run=_lifecycle,
        add_arguments=_arguments,
    ),
)
