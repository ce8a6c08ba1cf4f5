"""The filters every metric accepts: segment, plan, region, CSM owner, one custom attribute
and a month range.

Custom attributes are the extra columns of imported account files (``account_attributes``:
account_id, name, value; docs/import.md). The attribute filter keeps the accounts whose
attribute ``attribute`` has one of ``attribute_values`` (exact stored text); like every
account filter it selects accounts, never subscriptions (docs/metrics.md, Filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb


@dataclass(frozen=True)
class Filters:
    """Which accounts, plans and months a metric covers. Empty tuple = no restriction.

    Account attributes (segment, region, CSM owner, and the custom attribute ``attribute``
    with one of ``attribute_values``) select accounts; ``plans`` selects the subscriptions
    whose MRR is counted, so a plan filter sees an account moving to another plan as churn
    from the filtered plan. ``start_month``/``end_month`` (any day in the month) restrict the
    months reported; history before them is still used to classify movements. The attribute
    filter applies only when both a name and values are set.
    """

    segments: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    csm_owners: tuple[str, ...] = ()
    start_month: date | None = None
    end_month: date | None = None
    attribute: str | None = None
    attribute_values: tuple[str, ...] = ()

    @property
    def has_attribute(self) -> bool:
        """True when the custom-attribute filter applies (a name and at least one value)."""
        return bool(self.attribute and self.attribute_values)

    @property
    def selects_accounts(self) -> bool:
        """True when an account filter applies (segment, region, CSM owner or attribute)."""
        return bool(self.segments or self.regions or self.csm_owners or self.has_attribute)

    def sql_params(self) -> dict[str, Any]:
        """Bound parameters used by the filter clauses in the metrics SQL.

        Every SQL text bound with them holds the attribute clause (empty values: no filter)::

            AND (len($attribute_values) = 0 OR a.account_id IN (SELECT account_id
                 FROM account_attributes WHERE name = $attribute
                 AND list_contains($attribute_values, value)))
        """
        return {
            "segments": list(self.segments),
            "plans": list(self.plans),
            "regions": list(self.regions),
            "owners": list(self.csm_owners),
            "attribute": self.attribute if self.has_attribute else "",
            "attribute_values": list(self.attribute_values) if self.has_attribute else [],
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


def attribute_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Custom attribute names (sorted) with their distinct non-empty stored values (sorted):
    the choices of the attribute filter. Empty when no account file brought extra columns."""
    options: dict[str, list[str]] = {}
    rows = con.execute(
        """
        SELECT DISTINCT name, value FROM account_attributes
        WHERE coalesce(name, '') <> '' AND coalesce(value, '') <> ''
        ORDER BY name, value
        """
    ).fetchall()
    for name, value in rows:
        options.setdefault(name, []).append(value)
    return options
