"""Row contracts of the canonical tables: one pydantic model per table.

The models state, in one place, what a valid canonical CSV row is. They validate small inputs
(a row typed into a form, a test case) with :func:`parse_row`; the bulk importer
(``store.import_stage`` and ``store.import_checks``) applies the same rules in SQL, built from
the constants and field bounds declared here, so the two cannot drift apart (a property test
compares them row by row).

Text rules, shared by both sides:

- Surrounding spaces, tabs and line breaks are ignored; an empty value means "absent" (the
  column default applies).
- Dates are ISO ``YYYY-MM-DD`` and must exist in the calendar (2023-02-29 is rejected).
- Timestamps are ``YYYY-MM-DD`` optionally followed by ``HH:MM[:SS[.ffffff]]`` (space or ``T``),
  without a time zone.
- Whole numbers are digits with an optional sign; numbers use ``.`` as decimal point, no
  thousands separators, and must be finite (NaN and infinity are rejected).
- Booleans are true/false, t/f, yes/no, y/n, on/off or 1/0, in any case.
- Fixed vocabularies (``Table.allowed`` in ``store.schema``) and billing periods are matched
  case-insensitively and stored in lower case; currencies are three letters, stored upper case.

Rules across rows, checked only by the importer: keys are unique within an import; every
``account_id`` (and ``parent_account_id``) exists in the import or the database; a subscription
currency other than the reporting currency has a row in ``fx_rates``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from store.schema import (
    BILLING_EVENT_TYPES,
    BILLING_PERIODS,
    CHARGE_TYPES,
    SUBSCRIPTION_STATUSES,
    TABLES_BY_NAME,
)

DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIMESTAMP_PATTERN = (
    DATE_PATTERN + r"([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?"
)
INTEGER_PATTERN = r"[+-]?[0-9]+"
NUMBER_PATTERN = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
NON_FINITE_WORDS = (
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "infinity",
    "+infinity",
    "-infinity",
)
TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
BILLING_PERIOD_PATTERN = "(" + "|".join(BILLING_PERIODS) + r"|[1-9][0-9]*months)"
CURRENCY_PATTERN = r"[A-Za-z]{3}"
"""Patterns match the whole (trimmed) value; SQL uses ``regexp_full_match``, Python fullmatch.
Year 0000 is not a date on either side."""
WHITESPACE = " \t\r\n"
"""Characters trimmed from both ends of every value."""

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _text(value: Any) -> Any:
    return value.strip(WHITESPACE) if isinstance(value, str) else value


def _parse_date(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if not re.fullmatch(DATE_PATTERN, value):
            raise ValueError("not a date; write YYYY-MM-DD")
        return date.fromisoformat(value)  # raises for impossible dates such as 2023-02-29
    return value


def _parse_timestamp(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if not re.fullmatch(TIMESTAMP_PATTERN, value):
            raise ValueError("not a timestamp; write YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]")
        return datetime.fromisoformat(value)
    return value


def _parse_int(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if not re.fullmatch(INTEGER_PATTERN, value):
            raise ValueError("not a whole number")
        return int(value)
    return value


def _parse_number(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if value.lower() in NON_FINITE_WORDS:
            raise ValueError("not a finite number")
        if not re.fullmatch(NUMBER_PATTERN, value):
            raise ValueError("not a number")
        return float(value)
    return value


def _parse_bool(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, str):
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ValueError("not a boolean")
    return value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


CsvDate = Annotated[date, BeforeValidator(_parse_date)]
CsvTimestamp = Annotated[datetime, BeforeValidator(_parse_timestamp)]
CsvInt = Annotated[int, BeforeValidator(_parse_int), Field(le=INT32_MAX, ge=-INT32_MAX - 1)]
CsvBigInt = Annotated[int, BeforeValidator(_parse_int), Field(le=INT64_MAX, ge=-INT64_MAX - 1)]
CsvNumber = Annotated[float, BeforeValidator(_parse_number), Field(allow_inf_nan=False)]
CsvBool = Annotated[bool, BeforeValidator(_parse_bool)]
Text = Annotated[str, Field(min_length=1)]
Currency = Annotated[str, BeforeValidator(_upper), Field(pattern="^" + CURRENCY_PATTERN + "$")]
BillingPeriod = Annotated[
    str, BeforeValidator(_lower), Field(pattern="^" + BILLING_PERIOD_PATTERN + "$")
]


class CanonicalRow(BaseModel):
    """Common behaviour: trimmed text, empty values treated as absent, no unknown columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _trim_and_drop_empty(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            trimmed = {k: _text(v) for k, v in data.items()}
            return {k: v for k, v in trimmed.items() if v is not None and v != ""}
        return data


class AccountRow(CanonicalRow):
    """accounts: one row per customer account."""

    account_id: Text
    name: Text
    segment: str | None = None
    industry: str | None = None
    region: str | None = None
    csm_owner: str | None = None
    parent_account_id: str | None = None
    created_at: CsvDate | None = None
    seats_purchased: Annotated[CsvInt, Field(ge=0)] | None = None
    referenceable: CsvBool = False


class SubscriptionRow(CanonicalRow):
    """subscriptions: recurring and one-time charges (``end_date`` exclusive)."""

    subscription_id: Text
    account_id: Text
    plan: str | None = None
    billing_period: BillingPeriod
    amount: Annotated[CsvNumber, Field(ge=0)]
    quantity: Annotated[CsvInt, Field(ge=1)] = 1
    discount_pct: Annotated[CsvNumber, Field(ge=0, le=100)] = 0.0
    currency: Currency | None = None
    start_date: CsvDate
    end_date: CsvDate | None = None
    term_end: CsvDate | None = None
    # Literal[tuple] spells Literal["active", ...] at run time, with the values declared once
    # in store.schema; a static checker cannot expand it, hence the ignores.
    status: Annotated[Literal[SUBSCRIPTION_STATUSES], BeforeValidator(_lower)] = "active"  # type: ignore[valid-type]
    charge_type: Annotated[Literal[CHARGE_TYPES], BeforeValidator(_lower)] = "recurring"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _end_after_start(self) -> SubscriptionRow:
        if self.end_date is not None and self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class UsageDailyRow(CanonicalRow):
    """usage_daily: product usage per account and day."""

    account_id: Text
    date: CsvDate
    active_users: Annotated[CsvInt, Field(ge=0)] = 0
    events: Annotated[CsvBigInt, Field(ge=0)] = 0
    features_used: Annotated[CsvInt, Field(ge=0)] = 0


class BillingEventRow(CanonicalRow):
    """billing_events: invoices, failed payments, dunning, refunds (amount may be negative)."""

    account_id: Text
    occurred_at: CsvTimestamp
    event_type: Annotated[Literal[BILLING_EVENT_TYPES], BeforeValidator(_lower)]  # type: ignore[valid-type]
    amount: CsvNumber = 0.0


class SupportTicketRow(CanonicalRow):
    """support_tickets: tickets with SLA and satisfaction."""

    ticket_id: Text
    account_id: Text
    opened_at: CsvTimestamp
    closed_at: CsvTimestamp | None = None
    priority: str | None = None
    sla_breached: CsvBool = False
    csat: Annotated[CsvInt, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _closed_after_opened(self) -> SupportTicketRow:
        if self.closed_at is not None and self.closed_at < self.opened_at:
            raise ValueError("closed_at must not be before opened_at")
        return self


class NpsResponseRow(CanonicalRow):
    """nps_responses: Net Promoter Score answers."""

    account_id: Text
    responded_at: CsvTimestamp
    score: Annotated[CsvInt, Field(ge=0, le=10)]
    comment: str | None = None


class PlanRow(CanonicalRow):
    """plans: plan limits."""

    plan: Text
    included_units: Annotated[CsvBigInt, Field(ge=0)] | None = None
    seat_limit: Annotated[CsvInt, Field(ge=0)] | None = None


class FxRateRow(CanonicalRow):
    """fx_rates: reporting currency per one unit of ``currency``, in force from valid_from."""

    currency: Currency
    valid_from: CsvDate
    rate: Annotated[CsvNumber, Field(gt=0)]


class OpportunityRow(CanonicalRow):
    """opportunities: CRM opportunities (store.import_targets)."""

    opportunity_id: Text
    account_id: Text
    name: str | None = None
    type: str | None = None
    stage: str | None = None
    amount: Annotated[CsvNumber, Field(ge=0)] | None = None
    currency: Currency | None = None
    close_date: CsvDate
    probability: Annotated[CsvNumber, Field(ge=0, le=100)] | None = None
    forecast_category: str | None = None
    owner: str | None = None
    is_renewal: CsvBool = False
    source: str | None = None


class UsageEventRow(CanonicalRow):
    """usage_events: one raw product event (store.import_targets)."""

    account_id: Text
    user_id: str | None = None
    occurred_at: CsvTimestamp
    event: Text


class AccountAttributeRow(CanonicalRow):
    """account_attributes: one custom attribute of an account (store.import_targets)."""

    account_id: Text
    name: Text
    value: str | None = None


CONTRACTS: dict[str, type[CanonicalRow]] = {
    "accounts": AccountRow,
    "subscriptions": SubscriptionRow,
    "usage_daily": UsageDailyRow,
    "billing_events": BillingEventRow,
    "support_tickets": SupportTicketRow,
    "nps_responses": NpsResponseRow,
    "plans": PlanRow,
    "fx_rates": FxRateRow,
}
"""Row model per canonical table name."""

APP_CONTRACTS: dict[str, type[CanonicalRow]] = {
    "opportunities": OpportunityRow,
    "usage_events": UsageEventRow,
    "account_attributes": AccountAttributeRow,
    "new_accounts": AccountRow,
}
"""Row models of the app tables an import writes (store.import_targets)."""

END_AFTER_START: dict[str, tuple[str, str, bool]] = {
    "subscriptions": ("start_date", "end_date", True),
    "support_tickets": ("opened_at", "closed_at", False),
}
"""Date pairs checked per row: table -> (start column, end column, end must be strictly later)."""


def parse_row(table: str, values: Mapping[str, Any]) -> CanonicalRow:
    """Validate one row of ``table`` given as raw text (or already typed) values.

    Raises:
        KeyError: ``table`` is not a canonical table.
        pydantic.ValidationError: the row breaks the contract.
    """
    return {**CONTRACTS, **APP_CONTRACTS}[table].model_validate(dict(values))


def column_bounds(table: str, column: str) -> dict[str, float]:
    """Numeric bounds declared on a contract field: keys among ``ge``, ``gt``, ``le``, ``lt``.

    The integer storage limits carried by ``CsvInt``/``CsvBigInt`` are left out (the SQL cast
    enforces them); only business bounds are returned.
    """
    field = {**CONTRACTS, **APP_CONTRACTS}[table].model_fields[column]
    bounds: dict[str, float] = {}
    for meta in _metadata(field.annotation) + list(field.metadata):
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(meta, name, None)
            if value is not None and abs(value) < INT32_MAX:
                bounds[name] = value
    return bounds


def _metadata(annotation: Any) -> list[Any]:
    """Constraint metadata nested in ``Annotated[...] | None`` annotations."""
    found: list[Any] = []
    for arg in getattr(annotation, "__args__", ()):
        found.extend(_metadata(arg))
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, annotated_types.BaseMetadata):
            found.append(meta)
        found.extend(getattr(meta, "metadata", []) or [])
    return found


def _check_contracts_match_schema() -> None:
    for name, model in CONTRACTS.items():
        if tuple(model.model_fields) != TABLES_BY_NAME[name].column_names:
            raise RuntimeError(f"contract {model.__name__} does not match table {name}")


_check_contracts_match_schema()
