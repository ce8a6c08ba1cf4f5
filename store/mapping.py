"""Mapping a file's columns onto an import target: value rules, recipes and automatic matching.

A *recipe* says what a target needs: input fields (with their type and the header names that
usually carry them) and the tables those fields fill. Every canonical table (and
``opportunities``) has a plain recipe whose fields are its columns; vendor presets
(``store.vendor_presets``) add recipes whose outputs are computed from several fields.

A :class:`Mapping` is what the user (or a saved profile) decides for one file: the target, which
source column feeds which field (anything not named is matched automatically by
:func:`match_columns`: case, spacing and common synonyms), value rules for the whole file and per
field, the dialect, and what happens to extra columns.

Value rules (:class:`ValueRules`; every field optional so rules overlay: preset defaults, then
the file's rules, then the field's):

- ``date_format``: one of :data:`DATE_FORMATS` (day-first ``DD/MM/YYYY`` or month-first
  ``MM/DD/YYYY``, Unix seconds, ...). Unset = the canonical ISO rule. With a format, a time after
  the date is accepted (and dropped for date fields); a UTC offset converts timestamps to UTC.
- ``decimal`` / ``thousands``: separators of numbers (``1.234,50``); thousands groups must be
  well formed (``1,23,4`` is not a number).
- ``currency_symbols``: accept ``$``, ``€``, ``£``, ``¥``, ``₹`` or a three-letter code before or
  after amounts.
- ``amount_unit``: ``cents`` divides money fields by 100 (Baremetrics, Stripe API exports).
- ``true_values`` / ``false_values``: boolean tokens, e.g. ``("Yes",)`` / ``("No",)``.
- ``values``: a value map, e.g. ``{"canceled": "cancelled", "trialing": "trial"}`` (matched
  without case; unmapped values pass through and are validated).
- ``currency``: the currency of amounts when the file has no currency column or leaves it empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from store.dialect import Dialect
from store.import_targets import TARGETS_BY_NAME, USER_TARGETS
from store.schema import Table

DATE_FORMATS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "YYYY-MM-DD": (("%Y-%m-%d",), r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", "2024-01-31"),
    "YYYY/MM/DD": (("%Y/%m/%d",), r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}", "2024/01/31"),
    "DD/MM/YYYY": (("%d/%m/%Y",), r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "31/01/2024"),
    "MM/DD/YYYY": (("%m/%d/%Y",), r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", "01/31/2024"),
    "DD.MM.YYYY": (("%d.%m.%Y",), r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}", "31.01.2024"),
    "DD-MM-YYYY": (("%d-%m-%Y",), r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", "31-01-2024"),
    "MM-DD-YYYY": (("%m-%d-%Y",), r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", "01-31-2024"),
    "DD-Mon-YYYY": (("%d-%b-%Y",), r"[0-9]{1,2}-[A-Za-z]{3}-[0-9]{4}", "31-Jan-2024"),
    "Mon DD, YYYY": (("%b %d, %Y",), r"[A-Za-z]{3} [0-9]{1,2}, [0-9]{4}", "Jan 31, 2024"),
    "unix": ((), r"[0-9]{9,11}(\.[0-9]+)?", "1706659200"),
    "unix_ms": ((), r"[0-9]{12,14}", "1706659200000"),
}
"""Date formats: name -> (strptime patterns of the date part, its regex, an example)."""

TIME_SUFFIX = (
    r"([ T]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?( ?[AaPp][Mm])?)?"
    r" ?(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?"
)
"""Optional time after a formatted date: ``14:05``, ``2:05 PM``, ``T14:05:09.5Z``, ``+02:00``."""


class ValueRules(BaseModel):
    """How values are written (module doc); unset fields fall back to the next layer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date_format: str | None = None
    decimal: Literal[".", ","] | None = None
    thousands: Literal["", ",", ".", " ", "'"] | None = None
    currency_symbols: bool | None = None
    amount_unit: Literal["units", "cents"] | None = None
    true_values: tuple[str, ...] | None = None
    false_values: tuple[str, ...] | None = None
    values: dict[str, str] | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")

    def over(self, base: ValueRules) -> ValueRules:
        """These rules on top of ``base`` (fields set here win)."""
        merged = base.model_dump()
        merged.update({k: v for k, v in self.model_dump().items() if v is not None})
        return ValueRules.model_validate(merged)

    def is_plain(self) -> bool:
        """No rule set at all (canonical text rules apply)."""
        return all(v is None for v in self.model_dump().values())


def check_date_format(name: str | None) -> None:
    """Raise ValueError for an unknown date format name."""
    if name is not None and name not in DATE_FORMATS:
        raise ValueError(
            f"unknown date format {name!r}; use one of: " + ", ".join(DATE_FORMATS)
        )


@dataclass(frozen=True)
class InputField:
    """One value a recipe reads from a source column."""

    name: str
    kind: str
    """SQL type: VARCHAR, DATE, TIMESTAMP, INTEGER, BIGINT, DOUBLE or BOOLEAN."""
    required: bool = False
    synonyms: tuple[str, ...] = ()
    """Header names (any case and spacing) that carry this field."""
    label: str = ""
    rules: ValueRules = field(default_factory=ValueRules)
    """The recipe's default value rules for this field."""
    money: bool = False
    """Amount-like: ``amount_unit`` and ``currency_symbols`` apply."""
    allowed_words: tuple[str, ...] = ()
    """Source vocabulary named in messages when a value is not allowed."""
    attribute: bool = False
    """Also kept as a custom account attribute (e.g. a snapshot's contract type)."""


@dataclass(frozen=True)
class Derived:
    """An output column computed by trusted SQL from typed fields (``{field}`` placeholders).

    ``field`` names the input whose column and raw text a problem with this value quotes.
    The SQL may use the bound parameter ``$as_of`` (the import's as-of date).
    """

    sql: str
    field: str | None = None


@dataclass(frozen=True)
class Output:
    """A table a recipe fills: per column, a field name (copied) or a :class:`Derived`."""

    table: Table
    columns: MappingABC[str, str | Derived]
    messages: MappingABC[str, MappingABC[str, str]] = field(default_factory=dict)
    """Column -> rule id -> message template replacing the canonical wording."""


@dataclass(frozen=True)
class Recipe:
    """What an import target reads and writes."""

    name: str
    title: str
    description: str
    fields: tuple[InputField, ...]
    outputs: tuple[Output, ...]
    direct: bool = False
    """Fields are the columns of the one output table and are staged straight into it."""
    attributes_key: str | None = None
    """Field holding the account id when extra columns become account attributes."""
    signature: tuple[str, ...] = ()
    """Normalised header names whose presence identifies a vendor preset."""
    needs_as_of: bool = False
    after_write: str | None = None
    """Name of a step run after writing (``usage_from_events``)."""
    default_extra: Literal["attributes", "ignore"] = "ignore"
    footer: tuple[str, ...] = ()
    """Regular expressions of lines a vendor appends after the data (a report footer); such
    lines at the very end are left out and reported as a note."""
    creates_accounts: bool = False
    """Outputs ``new_accounts`` (switched off by ``Mapping.create_missing_accounts``)."""

    def field(self, name: str) -> InputField:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


class Mapping(BaseModel):
    """One file's mapping onto a target, as the page edits it and a profile saves it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str
    """A table of :data:`store.import_targets.USER_TARGETS` or a preset name."""
    columns: dict[str, str | None] = Field(default_factory=dict)
    """Field -> source column name as in the header; None leaves the field unmapped. Fields
    not listed are matched automatically."""
    rules: ValueRules = Field(default_factory=ValueRules)
    column_rules: dict[str, ValueRules] = Field(default_factory=dict)
    dialect: Dialect | None = None
    extra_columns: Literal["attributes", "ignore", "error"] | None = None
    """Unmapped columns: custom account attributes, ignored (and listed), or a problem. None =
    the target's default (attributes for account files, ignore otherwise)."""
    create_missing_accounts: bool = True
    """Presets naming customers (Stripe, CRM exports) create accounts that do not exist yet."""


# -- synonyms and matching --------------------------------------------------------------------

_ACCOUNT_ID = ("account", "customer_id", "customer", "customerid", "account_number", "client_id",
               "company_id", "organization_id", "org_id")  # fmt: skip
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "accounts": {
        "account_id": _ACCOUNT_ID,
        "name": ("account_name", "customer_name", "company", "company_name", "organization",
                 "client_name", "name_of_account"),  # fmt: skip
        "segment": ("tier", "customer_segment", "account_segment"),
        "industry": ("sector", "vertical"),
        "region": ("territory", "geo", "sales_region"),
        "csm_owner": ("csm", "account_owner", "owner", "customer_success_manager", "csm_name"),
        "parent_account_id": ("parent_id", "parent_account", "parent"),
        "created_at": ("created", "created_date", "customer_since", "signup_date", "created_on"),
        "seats_purchased": ("seats", "licenses", "licences", "purchased_seats"),
        "referenceable": ("reference", "is_reference", "reference_customer"),
    },
    "subscriptions": {
        "subscription_id": ("subscription", "sub_id", "contract_id", "subscription_number"),
        "account_id": _ACCOUNT_ID,
        "plan": ("plan_name", "product", "plan_id", "product_name"),
        "billing_period": ("interval", "billing_interval", "billing_frequency", "period",
                           "billing_cycle", "frequency"),  # fmt: skip
        "amount": ("price", "unit_price", "plan_amount", "amount_per_period", "list_price"),
        "quantity": ("qty", "units", "seats"),
        "discount_pct": ("discount", "discount_percent", "discount_percentage"),
        "currency": ("currency_code", "curr"),
        "start_date": ("start", "started_at", "start_at", "subscription_start", "begin_date",
                       "start_date_utc", "start_utc"),  # fmt: skip
        "end_date": ("end", "ended_at", "end_at", "churn_date", "end_date_utc", "ended_at_utc"),
        "term_end": ("renewal_date", "contract_end", "term_end_date", "current_term_end",
                     "contract_end_date"),  # fmt: skip
        "status": ("state", "subscription_status"),
        "charge_type": ("charge", "billing_type", "recurrence"),
    },
    "usage_daily": {
        "account_id": _ACCOUNT_ID,
        "date": ("day", "usage_date", "activity_date"),
        "active_users": ("users", "dau", "daily_active_users", "active_user_count"),
        "events": ("event_count", "events_count", "actions"),
        "features_used": ("features", "feature_count", "distinct_features"),
    },
    "billing_events": {
        "account_id": _ACCOUNT_ID,
        "occurred_at": ("date", "timestamp", "time", "created", "event_time", "created_at"),
        "event_type": ("type", "event"),
        "amount": ("value", "total"),
    },
    "support_tickets": {
        "ticket_id": ("ticket", "id", "ticket_number"),
        "account_id": _ACCOUNT_ID,
        "opened_at": ("created", "opened", "created_at", "created_date", "opened_date"),
        "closed_at": ("closed", "resolved_at", "solved_at", "closed_date"),
        "priority": ("urgency", "severity"),
        "sla_breached": ("sla_breach", "breached", "sla_missed"),
        "csat": ("satisfaction", "csat_score", "rating"),
    },
    "nps_responses": {
        "account_id": _ACCOUNT_ID,
        "responded_at": ("date", "submitted_at", "response_date", "timestamp"),
        "score": ("nps", "nps_score", "rating"),
        "comment": ("feedback", "text", "reason", "comments"),
    },
    "plans": {
        "plan": ("plan_name", "name", "plan_id"),
        "included_units": ("included_events", "quota", "limit", "included"),
        "seat_limit": ("seats", "max_seats"),
    },
    "fx_rates": {
        "currency": ("currency_code", "curr"),
        "valid_from": ("date", "from", "effective_date", "valid_from_date"),
        "rate": ("exchange_rate", "fx_rate", "usd_rate"),
    },
    "opportunities": {
        "opportunity_id": ("opportunity", "id", "record_id", "deal_id", "opportunity_id_18"),
        "account_id": _ACCOUNT_ID + ("account_id_18",),
        "name": ("opportunity_name", "deal_name", "title"),
        "type": ("opportunity_type", "deal_type"),
        "stage": ("deal_stage", "opportunity_stage"),
        "amount": ("value", "deal_amount", "opportunity_amount"),
        "currency": ("currency_code", "opportunity_currency"),
        "close_date": ("closed_date", "expected_close", "close", "expected_close_date"),
        "probability": ("deal_probability", "win_probability", "probability_pct"),
        "forecast_category": ("forecast", "forecast_category_name"),
        "owner": ("opportunity_owner", "deal_owner", "sales_rep"),
        "is_renewal": ("renewal",),
        "source": (),
    },
}
"""Header names (normalised) that mean a column, per target table."""


def normalise_name(name: str) -> str:
    """A header name for matching: lower case, runs of other characters as one underscore."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _squash(name: str) -> str:
    return name.replace("_", "")


def canonical_recipe(table_name: str) -> Recipe:
    """The plain recipe of a user target table: one field per column, copied as is."""
    table = TARGETS_BY_NAME[table_name]
    synonyms = SYNONYMS.get(table_name, {})
    fields = tuple(
        InputField(c.name, c.sql_type, c.required, synonyms.get(c.name, ()), c.name,
                   money=c.name == "amount")  # fmt: skip
        for c in table.columns
    )
    return Recipe(
        name=table_name,
        title=table_name,
        description=table.description,
        fields=fields,
        outputs=(Output(table, {c: c for c in table.column_names}),),
        direct=True,
        attributes_key="account_id" if table_name == "accounts" else None,
        default_extra="attributes" if table_name == "accounts" else "ignore",
    )


@dataclass(frozen=True)
class ColumnMatch:
    """Which source column feeds a field, and how it was found."""

    field: str
    column: int | None
    """0-based index in the header, None when unmapped."""
    how: Literal["chosen", "name", "synonym", "similar", "unmapped"]


def match_columns(
    recipe: Recipe, header: Sequence[str], chosen: MappingABC[str, str | None] | None = None
) -> tuple[list[ColumnMatch], list[str]]:
    """Match fields to header columns: the user's choices, then names, synonyms, similar names.

    Returns one match per field (recipe order) and the problems with the choices (a chosen
    column that is not in the header, or one header name that appears twice).
    """
    chosen = dict(chosen or {})
    normal = [normalise_name(h) for h in header]
    problems: list[str] = []
    taken: set[int] = set()
    found: dict[str, ColumnMatch] = {}
    for name, source in chosen.items():
        if name not in recipe.field_names:
            problems.append(
                f"{name!r} is not a field of {recipe.title}; fields: "
                + ", ".join(recipe.field_names)
            )
            continue
        if source is None:
            found[name] = ColumnMatch(name, None, "unmapped")
            continue
        exact = [i for i, h in enumerate(header) if h == source]
        loose = [i for i, n in enumerate(normal) if n == normalise_name(source)]
        hits = exact or loose
        if not hits:
            problems.append(f"column {source!r} chosen for {name} is not in the header")
            continue
        if len(hits) > 1:
            columns = ", ".join(str(i + 1) for i in hits)
            problems.append(
                f"column {source!r} appears {len(hits)} times in the header (columns {columns}); "
                "rename one so the mapping is clear"
            )
            continue
        found[name] = ColumnMatch(name, hits[0], "chosen")
        taken.add(hits[0])
    for how in ("name", "synonym", "similar"):
        for item in recipe.fields:
            if item.name in found:
                continue
            targets = _targets(item, how)
            hits = [
                i for i, n in enumerate(normal)
                if i not in taken and (n in targets or (how == "similar" and _squash(n) in targets))
            ]  # fmt: skip
            if hits:
                found[item.name] = ColumnMatch(item.name, hits[0], how)  # type: ignore[arg-type]
                taken.update(i for i in hits if normal[i] == normal[hits[0]])
    matches = [found.get(f.name, ColumnMatch(f.name, None, "unmapped")) for f in recipe.fields]
    return matches, problems


def _targets(item: InputField, how: str) -> set[str]:
    if how == "name":
        return {item.name}
    names = {normalise_name(s) for s in item.synonyms}
    if how == "synonym":
        return names
    return {_squash(n) for n in names | {item.name}}


def guess_date_format(values: Sequence[str]) -> str | None:
    """The date format the sample values use, or None when ISO or unclear.

    Slash dates decide day-first vs month-first by a part above 12; when no value decides it,
    month-first is returned and :func:`ambiguous_dates` says so (the page should ask).
    """
    texts = [v.strip() for v in values if v and v.strip()]
    if not texts:
        return None
    for name in ("YYYY-MM-DD", "DD-Mon-YYYY", "Mon DD, YYYY", "YYYY/MM/DD", "DD.MM.YYYY"):
        regex = DATE_FORMATS[name][1] + TIME_SUFFIX
        if all(re.fullmatch(regex, t) for t in texts):
            if name == "YYYY-MM-DD" and all(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", t)
                                            for t in texts):  # fmt: skip
                return None
            return name
    for separator, day_first, month_first in (("/", "DD/MM/YYYY", "MM/DD/YYYY"),
                                              ("-", "DD-MM-YYYY", "MM-DD-YYYY")):  # fmt: skip
        regex = DATE_FORMATS[day_first][1] + TIME_SUFFIX
        if not all(re.fullmatch(regex, t) for t in texts):
            continue
        firsts = [int(t.split(separator)[0]) for t in texts]
        if any(f > 12 for f in firsts):
            return day_first
        return month_first  # a second part above 12 proves it; otherwise ambiguous
    if all(re.fullmatch(DATE_FORMATS["unix"][1], t) for t in texts):
        return "unix"
    if all(re.fullmatch(DATE_FORMATS["unix_ms"][1], t) for t in texts):
        return "unix_ms"
    return None


def ambiguous_dates(values: Sequence[str]) -> bool:
    """True when every day/month pair could be read either way (no part above 12)."""
    pairs = [re.match(r"\s*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-][0-9]{4}", v or "") for v in values]
    found = [m for m in pairs if m]
    return bool(found) and all(int(m.group(1)) <= 12 and int(m.group(2)) <= 12 for m in found)


def recipe_for(target: str) -> Recipe:
    """The recipe of a user target table or a vendor preset.

    Raises:
        ValueError: unknown target, with the known ones listed.
    """
    from store.vendor_presets import PRESETS

    if target in PRESETS:
        return PRESETS[target]
    if target in USER_TARGETS:
        return canonical_recipe(target)
    raise ValueError(
        f"{target!r} is not an import target; use a table ({', '.join(USER_TARGETS)}) or a "
        f"preset ({', '.join(PRESETS)})"
    )


def effective_rules(recipe: Recipe, mapping: Mapping | None, field_name: str) -> ValueRules:
    """The field's rules: recipe defaults, then the mapping's file rules, then its field rules."""
    rules = recipe.field(field_name).rules
    if mapping is not None:
        rules = mapping.rules.over(rules)
        if field_name in mapping.column_rules:
            rules = mapping.column_rules[field_name].over(rules)
    return rules
