"""Health reports (Health, Revenue moments and Account 360 pages): health, moments, account.

Each calls the same function as its page, with the CLI's filters (segment, region, owner,
plan; the month range is not used by health):

    python cli.py report health  --db PATH [--as-of DATE] [filters]
    python cli.py report moments --db PATH [--type card_expiring ...] [filters]
    python cli.py report account --db PATH --id ACCOUNT_ID

``report account`` prints four named parts: header (one row), timeline, mrr_history and
health_breakdown. An unknown id is a :class:`commands.ReportInputError` (exit code 1).
"""

from __future__ import annotations

import argparse
from datetime import date

import duckdb
import pandas as pd

from commands import ReportCommand, ReportInputError
from metrics.account360 import (
    account_header,
    account_health_breakdown,
    account_mrr_history,
    account_timeline,
)
from metrics.filters import Filters
from metrics.health import health_scores
from metrics.moments import MOMENT_TYPES, revenue_moments


def _health(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    return health_scores(con, as_of=as_of, filters=filters)


def _moments(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    frame = revenue_moments(con, as_of=as_of, filters=filters)
    if args.moment_types:
        frame = frame.loc[frame["moment_type"].isin(args.moment_types)].reset_index(drop=True)
    return frame


def _moment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type", dest="moment_types", action="append", default=[], choices=MOMENT_TYPES,
        metavar="TYPE",
        help="only these moment types (repeat for several): " + ", ".join(MOMENT_TYPES),
    )


def _account(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> dict[str, pd.DataFrame]:
    header = account_header(con, account_id=args.account_id, as_of=as_of)
    if header is None:
        raise ReportInputError(
            f"No account with id '{args.account_id}'. Account ids are in the account_id column "
            "of 'report health' (accounts in force) or of the accounts table."
        )
    row = {**header, "missing_components": ", ".join(header["missing_components"])}
    return {
        "header": pd.DataFrame([row]),
        "timeline": account_timeline(con, account_id=args.account_id, as_of=as_of),
        "mrr_history": account_mrr_history(con, account_id=args.account_id, as_of=as_of),
        "health_breakdown": account_health_breakdown(
            con, account_id=args.account_id, as_of=as_of
        ),
    }


def _account_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", dest="account_id", required=True, help="the account's id")


COMMANDS = (
    ReportCommand(
        name="health",
        help="health scorecard: every account in force with its component scores, score, "
        "band (higher is healthier), ARR, owner and renewal date",
        run=_health,
    ),
    ReportCommand(
        name="moments",
        help="revenue moments on the as-of date: evidence, amount at stake, next step",
        run=_moments,
        add_arguments=_moment_arguments,
    ),
    ReportCommand(
        name="account",
        help="Account 360 of one account: header, timeline, MRR history, health breakdown",
        run=_account,
        add_arguments=_account_arguments,
    ),
)
