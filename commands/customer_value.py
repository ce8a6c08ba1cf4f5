"""Customer value report (Customer value page): ``report value``.

Calls the same function as the page, with the stored :class:`metrics.customer_value.ValueSettings`
and the CLI's filters (segment, region, owner, plan; the month range is not used):

    python cli.py report value --db PATH [--as-of DATE] [filters]

One row per customer, best value first: the columns of
:func:`metrics.customer_value.customer_value` (docs/customer-value.md).
"""

from __future__ import annotations

import argparse
from datetime import date

import duckdb
import pandas as pd

from commands import ReportCommand
from metrics.customer_value import customer_value
from metrics.filters import Filters


def _value(
    con: duckdb.DuckDBPyConnection, args: argparse.Namespace, as_of: date, filters: Filters
) -> pd.DataFrame:
    return customer_value(con, as_of=as_of, filters=filters)


COMMANDS = (
    ReportCommand(
        name="value",
        help="customer value: every customer's CLV, advocacy, influence, feedback and "
        "strategic-fit scores, value score (0-100, higher is worth more) and ranks",
        run=_value,
    ),
)
