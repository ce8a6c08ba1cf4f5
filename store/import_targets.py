"""Every table an import can write, with its key and default mode, in writing order.

The canonical tables come from ``store.schema``. Three app tables are import targets too (their
DDL is in ``store.schema.APP_TABLES_DDL``; a test keeps both in step):

- ``account_attributes``: extra columns of account files, one row per account and column name,
  usable as filters and segments.
- ``opportunities``: renewal and expansion opportunities from CRM exports (Salesforce, HubSpot).
- ``usage_events``: raw product-analytics events; ``usage_daily`` is recomputed from them for
  every account and day an events import touches.

``new_accounts`` is not a table: it stages accounts that billing exports name (Stripe customers)
and that are created only when missing, never overwriting an account already stored.

Modes: ``upsert`` replaces rows by key and adds new ones; ``append`` only adds (rows identical to
stored ones are skipped, a different row with a stored key is a problem); ``replace`` empties
the table first. Keyed tables default to upsert, event tables to append.
"""

from __future__ import annotations

from typing import Literal

from store.schema import ACCOUNTS, CANONICAL_TABLES, Column, Table

Mode = Literal["replace", "upsert", "append"]
MODES: tuple[str, ...] = ("replace", "upsert", "append")

ACCOUNT_ATTRIBUTES = Table(
    "account_attributes",
    (
        Column("account_id", "VARCHAR", required=True),
        Column("name", "VARCHAR", required=True, description="Column name as in the file."),
        Column("value", "VARCHAR", description="Text as in the file."),
    ),
    key=("account_id", "name"),
    description="Custom account attributes from extra columns of account files.",
)

OPPORTUNITIES = Table(
    "opportunities",
    (
        Column("opportunity_id", "VARCHAR", required=True),
        Column("account_id", "VARCHAR", required=True),
        Column("name", "VARCHAR"),
        Column("type", "VARCHAR", description="As in the CRM, e.g. Renewal, New Business."),
        Column("stage", "VARCHAR"),
        Column("amount", "DOUBLE", description="Opportunity amount, >= 0."),
        Column("currency", "VARCHAR", description="ISO 4217; empty = reporting currency."),
        Column("close_date", "DATE", required=True),
        Column("probability", "DOUBLE", description="0-100."),
        Column("forecast_category", "VARCHAR"),
        Column("owner", "VARCHAR"),
        Column("is_renewal", "BOOLEAN", default="false"),
        Column("source", "VARCHAR", description="salesforce, hubspot or file."),
    ),
    key=("opportunity_id",),
    description="Renewal and expansion opportunities from CRM exports.",
)

USAGE_EVENTS = Table(
    "usage_events",
    (
        Column("account_id", "VARCHAR", required=True),
        Column("user_id", "VARCHAR"),
        Column("occurred_at", "TIMESTAMP", required=True),
        Column("event", "VARCHAR", required=True),
    ),
    description="Raw product events; usage_daily is computed from them per account and day.",
)

NEW_ACCOUNTS = Table(
    "new_accounts",
    ACCOUNTS.columns,
    description="Accounts named by a billing or CRM export, created only when missing.",
)

APP_TARGETS: tuple[Table, ...] = (ACCOUNT_ATTRIBUTES, OPPORTUNITIES, USAGE_EVENTS)
"""App tables an import writes (their DDL lives in store.schema.APP_TABLES_DDL)."""

WRITE_ORDER: tuple[Table, ...] = (
    CANONICAL_TABLES[0],
    NEW_ACCOUNTS,
    ACCOUNT_ATTRIBUTES,
    *CANONICAL_TABLES[1:],
    OPPORTUNITIES,
    USAGE_EVENTS,
)
"""Staged tables in the order they are checked and written (accounts first)."""

TARGETS_BY_NAME: dict[str, Table] = {t.name: t for t in WRITE_ORDER}

USER_TARGETS: tuple[str, ...] = tuple(t.name for t in CANONICAL_TABLES) + ("opportunities",)
"""Tables a user may map a file onto (events and attributes come through presets)."""

ACCOUNT_REFERENCES: dict[str, str] = {
    **{t.name: "account_id" for t in WRITE_ORDER if "account_id" in t.column_names
       and t.name not in ("accounts", "new_accounts")},
    "accounts": "parent_account_id",
}  # fmt: skip
"""Per table, the column that must name a known account."""


def default_mode(table: Table) -> Mode:
    """upsert for keyed tables, append for event tables."""
    return "upsert" if table.key else "append"


def all_names() -> frozenset[str]:
    """Every table and column name of the import targets (the identifier allow-list)."""
    names: set[str] = set()
    for table in WRITE_ORDER:
        names.add(table.name)
        names.update(table.column_names)
    return frozenset(names)
