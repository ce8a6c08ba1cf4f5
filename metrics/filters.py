"""The filters every metric accepts: segment, plan, region, CSM owner and a month range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb


@dataclass(frozen=True)
class Filters:
    """Which accounts, plans and months a metric covers. Empty tuple = no restriction.

    Account attributes (segment, region, CSM owner) select accounts; ``plans`` selects the
    subscriptions whose MRR is counted, so a plan filter sees an account moving to another plan
    as churn from the filtered plan. ``start_month``/``end_month`` (any day in the month)
    restrict the months reported; history before them is still used to classify movements.
    """

    segments: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    csm_owners: tuple[str, ...] = ()
    start_month: date | None = None
    end_month: date | None = None

    def sql_params(self) -> dict[str, Any]:
        """Bound parameters used by the filter clauses in the metrics SQL."""
        return {
            "segments": list(self.segments),
            "plans": list(self.plans),
            "regions": list(self.regions),
            "owners": list(self.csm_owners),
        }

    def month_bounds(self, as_of: date) -> tuple[date | None, date]:
        """First and last month (first days) to report, the last never after ``as_of``."""
        last = month_start(as_of)
        if self.end_month is not None:
            last = min(last, month_start(self.end_month))
        first = month_start(self.start_month) if self.start_month else None
        return first, last


def month_start(day: date) -> date:
    """First day of ``day``'s month."""
    return day.replace(day=1)


FILTER_COLUMNS = {"segments": "segment", "regions": "region", "csm_owners": "csm_owner"}


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct non-empty values for each filter, sorted, keyed like :class:`Filters` fields."""
    options: dict[str, list[str]] = {}
    rows = con.execute(
        """
        SELECT 'segments' AS k, segment AS v FROM accounts WHERE coalesce(segment, '') <> ''
        UNION SELECT 'regions', region FROM accounts WHERE coalesce(region, '') <> ''
        UNION SELECT 'csm_owners', csm_owner FROM accounts WHERE coalesce(csm_owner, '') <> ''
        UNION SELECT 'plans', plan FROM subscriptions WHERE coalesce(plan, '') <> ''
        ORDER BY k, v
        """
    ).fetchall()
    for key in ("segments", "plans", "regions", "csm_owners"):
        options[key] = []
    for key, value in rows:
        options[key].append(value)
    return options
