"""The data model: canonical tables, app-owned tables and the schema version.

The canonical tables are also the native import format: a CSV whose header matches one of
them loads as that table. Column order here is the canonical column order.

No PRIMARY KEY / UNIQUE constraints are declared on data tables: keys are validated by the
import pipeline in SQL (which reports every duplicate with its line number), and DuckDB's
index constraints slow bulk loads and reject some delete-then-insert patterns inside one
transaction. Uniqueness is therefore a contract of the importer, tested there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 1
"""Bump when the layout changes, and add a migration in ``store.db``."""


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    sql_type: str
    required: bool = False
    default: str | None = None
    """SQL literal used when the column is absent or empty in an import."""
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, key and what it holds."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Columns restricted to a fixed vocabulary (validated on import)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BILLING_PERIODS = ("month", "quarter", "half_year", "year")
"""Named billing periods; ``Nmonths`` (e.g. ``24months``) is also accepted."""
SUBSCRIPTION_STATUSES = ("active", "paused", "cancelled", "trial")
CHARGE_TYPES = ("recurring", "one_time")
BILLING_EVENT_TYPES = (
    "invoice_paid",
    "payment_failed",
    "dunning_notice",
    "card_expiring",
    "card_updated",
    "refund",
    "credit",
    "proration",
    "reinstated",
)

ACCOUNTS = Table(
    "accounts",
    (
        Column("account_id", "VARCHAR", required=True, description="Unique account key."),
        Column("name", "VARCHAR", required=True, description="Display name."),
        Column("segment", "VARCHAR", description="E.g. SMB, Mid-Market, Enterprise."),
        Column("industry", "VARCHAR"),
        Column("region", "VARCHAR"),
        Column("csm_owner", "VARCHAR", description="Customer success manager who owns it."),
        Column("parent_account_id", "VARCHAR", description="Parent for roll-ups; empty = top."),
        Column("created_at", "DATE"),
        Column("seats_purchased", "INTEGER"),
        Column("referenceable", "BOOLEAN", default="false"),
    ),
    key=("account_id",),
    description="One row per customer account.",
)

SUBSCRIPTIONS = Table(
    "subscriptions",
    (
        Column("subscription_id", "VARCHAR", required=True, description="Unique key."),
        Column("account_id", "VARCHAR", required=True),
        Column("plan", "VARCHAR"),
        Column(
            "billing_period",
            "VARCHAR",
            required=True,
            description="month, quarter, half_year, year, or Nmonths (e.g. 24months).",
        ),
        Column(
            "amount", "DOUBLE", required=True, description="Price per billing period, ex tax, >= 0."
        ),
        Column("quantity", "INTEGER", default="1"),
        Column("discount_pct", "DOUBLE", default="0", description="0-100."),
        Column("currency", "VARCHAR", description="ISO 4217; empty = reporting currency."),
        Column("start_date", "DATE", required=True),
        Column("end_date", "DATE", description="Exclusive; empty = ongoing."),
        Column("term_end", "DATE", description="Contract renewal date; empty for month-to-month."),
        Column("status", "VARCHAR", default="'active'"),
        Column("charge_type", "VARCHAR", default="'recurring'"),
    ),
    key=("subscription_id",),
    description=(
        "Recurring and one-time charges. MRR history comes from the dates; trials and "
        "one-time charges never contribute. A pause is an end_date on the paused row plus a "
        "new row when the customer returns."
    ),
    allowed={"status": SUBSCRIPTION_STATUSES, "charge_type": CHARGE_TYPES},
)

USAGE_DAILY = Table(
    "usage_daily",
    (
        Column("account_id", "VARCHAR", required=True),
        Column("date", "DATE", required=True),
        Column("active_users", "INTEGER", default="0"),
        Column("events", "BIGINT", default="0"),
        Column("features_used", "INTEGER", default="0"),
    ),
    key=("account_id", "date"),
    description="Product usage per account and day.",
)

BILLING_EVENTS = Table(
    "billing_events",
    (
        Column("account_id", "VARCHAR", required=True),
        Column("occurred_at", "TIMESTAMP", required=True),
        Column("event_type", "VARCHAR", required=True),
        Column("amount", "DOUBLE", default="0"),
    ),
    description="Invoices, failed payments, dunning, card events, refunds, credits.",
    allowed={"event_type": BILLING_EVENT_TYPES},
)

SUPPORT_TICKETS = Table(
    "support_tickets",
    (
        Column("ticket_id", "VARCHAR", required=True),
        Column("account_id", "VARCHAR", required=True),
        Column("opened_at", "TIMESTAMP", required=True),
        Column("closed_at", "TIMESTAMP"),
        Column("priority", "VARCHAR", description="low, normal, high or urgent."),
        Column("sla_breached", "BOOLEAN", default="false"),
        Column("csat", "INTEGER", description="1-5, empty when not rated."),
    ),
    key=("ticket_id",),
    description="Support tickets with SLA and satisfaction.",
)

NPS_RESPONSES = Table(
    "nps_responses",
    (
        Column("account_id", "VARCHAR", required=True),
        Column("responded_at", "TIMESTAMP", required=True),
        Column("score", "INTEGER", required=True, description="0-10."),
        Column("comment", "VARCHAR"),
    ),
    description="Net Promoter Score survey answers.",
)

PLANS = Table(
    "plans",
    (
        Column("plan", "VARCHAR", required=True),
        Column("included_units", "BIGINT", description="Events included per month."),
        Column("seat_limit", "INTEGER"),
    ),
    key=("plan",),
    description="Plan limits, used for 'usage near plan limit'.",
)

FX_RATES = Table(
    "fx_rates",
    (
        Column("currency", "VARCHAR", required=True, description="ISO 4217 code."),
        Column("valid_from", "DATE", required=True),
        Column("rate", "DOUBLE", required=True, description="Reporting currency per 1 unit."),
    ),
    key=("currency", "valid_from"),
    description="Exchange rates into the reporting currency, in force from valid_from.",
)

CANONICAL_TABLES: tuple[Table, ...] = (
    ACCOUNTS,
    SUBSCRIPTIONS,
    USAGE_DAILY,
    BILLING_EVENTS,
    SUPPORT_TICKETS,
    NPS_RESPONSES,
    PLANS,
    FX_RATES,
)
TABLES_BY_NAME = {t.name: t for t in CANONICAL_TABLES}

APP_TABLES_DDL = (
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS settings (key VARCHAR, value VARCHAR, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS import_log (
        import_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, who VARCHAR,
        files VARCHAR, content_hash VARCHAR, row_counts VARCHAR, result VARCHAR,
        message VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS renewal_work (
        account_id VARCHAR, renewal_date DATE, status VARCHAR, note VARCHAR,
        next_step VARCHAR, changed_by VARCHAR, changed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS saved_scenarios (
        name VARCHAR, inputs VARCHAR, saved_by VARCHAR, saved_at TIMESTAMP)""",
    # Derived: month-end MRR per account and plan, rebuilt after every load (metrics.snapshots).
    """CREATE TABLE IF NOT EXISTS mrr_snapshot (
        account_id VARCHAR, plan VARCHAR, month DATE, mrr DOUBLE)""",
    # Derived: month-end movements per unit (account or top-level parent, per the settings),
    # with MRR 12 months later for NRR/GRR (metrics.snapshots.refresh_derived).
    """CREATE TABLE IF NOT EXISTS mrr_unit_events (
        unit_id VARCHAR, month DATE, cohort_month DATE, mrr_start DOUBLE, mrr_end DOUBLE,
        new DOUBLE, expansion DOUBLE, contraction DOUBLE, churn DOUBLE, reactivation DOUBLE,
        mrr_end_12m_later DOUBLE)""",
    # Derived: each account's top-level parent, for the parent-level view.
    """CREATE TABLE IF NOT EXISTS account_rollup (account_id VARCHAR, root_account_id VARCHAR)""",
    # Derived: the event-based health inputs (usage, support, NPS, billing) of every account in
    # force on the dates pages score by default (the data's as-of date, the month end before it,
    # the renewal likelihood's band date), so scoring them reads no raw events; other dates are
    # computed live (metrics.health.refresh_health_facts).
    """CREATE TABLE IF NOT EXISTS health_fact_snapshot (
        account_id VARCHAR, snap DATE, active_users_30d BIGINT, events_30d BIGINT,
        events_prev_30d BIGINT, usage_change_pct DOUBLE, features_used_30d BIGINT,
        days_since_activity BIGINT, last_active_on DATE, open_high_priority_tickets BIGINT,
        sla_breaches_90d BIGINT, csat_90d DOUBLE, latest_nps BIGINT, latest_nps_on DATE,
        failed_payments_30d BIGINT, dunning_active BOOLEAN, card_expiring_30d BOOLEAN,
        card_expires_on DATE, mrr DOUBLE, mrr_3m_ago DOUBLE, mrr_change_pct_3m DOUBLE,
        contraction_pct_3m DOUBLE)""",
    # Derived: the renewal likelihood table on the data's as-of date with the stored settings,
    # keyed by what it was built from (metrics.renewals.refresh_renewal_likelihood).
    """CREATE TABLE IF NOT EXISTS renewal_likelihood_snapshot (
        cache_key VARCHAR, position INTEGER, band VARCHAR, segment VARCHAR, renewals BIGINT,
        renewed BIGINT, likelihood DOUBLE, basis VARCHAR, basis_renewals BIGINT,
        basis_renewed BIGINT)""",
    # Import (store.import_targets keeps the column lists of the next three in step; a test
    # compares them): custom account attributes from extra columns of account files, renewal
    # opportunities from CRM exports, raw product events behind usage_daily.
    """CREATE TABLE IF NOT EXISTS account_attributes (
        account_id VARCHAR, name VARCHAR, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS opportunities (
        opportunity_id VARCHAR, account_id VARCHAR, name VARCHAR, type VARCHAR, stage VARCHAR,
        amount DOUBLE, currency VARCHAR, close_date DATE, probability DOUBLE,
        forecast_category VARCHAR, owner VARCHAR, is_renewal BOOLEAN, source VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS usage_events (
        account_id VARCHAR, user_id VARCHAR, occurred_at TIMESTAMP, event VARCHAR)""",
    # Saved column mappings, offered again for a file with the same header (store.mapping).
    """CREATE TABLE IF NOT EXISTS mapping_profiles (
        name VARCHAR, header_key VARCHAR, header VARCHAR, mapping VARCHAR,
        created_at TIMESTAMP, updated_at TIMESTAMP)""",
    # One row per file of every import attempt: content hash, target tables, mode (re-imports).
    """CREATE TABLE IF NOT EXISTS import_file_log (
        import_id VARCHAR, file VARCHAR, content_hash VARCHAR, tables VARCHAR, mode VARCHAR,
        rows BIGINT)""",
)


def create_table_sql(table: Table) -> str:
    """DDL for one canonical table (names come from this module, never from user input)."""
    cols = ", ".join(f"{c.name} {c.sql_type}" for c in table.columns)
    return f"CREATE TABLE IF NOT EXISTS {table.name} ({cols})"
