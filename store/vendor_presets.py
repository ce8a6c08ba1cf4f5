"""Vendor presets: recipes for real export layouts, recognised by their header.

Each preset lists its input fields (with the header names the vendor uses) and the tables it
fills. Output columns are copied from a field or computed by the SQL below, which is part of
the code, never user text. Conventions a preset applies are stated here and in docs/import.md:

- ``stripe`` (Stripe Billing subscriptions export): ``Amount`` in currency units (set the value
  rule ``amount_unit: cents`` for exports in cents); ``Interval`` × ``Interval Count`` gives the
  billing period (day and week plans cannot be MRR and are reported); status ``past_due`` and
  ``unpaid`` count as active, ``trialing`` and ``incomplete`` as trial (no MRR),
  ``incomplete_expired`` and ``canceled`` as cancelled; the end date is ``Ended At``, or
  ``Current Period End`` when ``Cancel At Period End`` is true; ``Current Period End`` is the
  renewal date of non-monthly plans. Customers not yet stored become accounts named by
  ``Customer Name``, ``Customer Email`` or their id. ``… (metadata)`` columns are ignored.
- ``chargebee`` (subscriptions export, ``subscriptions.*`` and ``customers.*`` headers):
  ``plan_unit_price`` in currency units; start is ``started_at`` (else ``activated_at``, else
  ``created_at``); ``non_renewing`` ends at ``current_term_end``; ``in_trial`` and ``future``
  map to trial and active (a future start date gives no MRR until it comes).
- ``baremetrics`` (manual subscription template): ``plan_amount`` in cents.
- ``salesforce`` (opportunity report) and ``hubspot`` (deals export) fill ``opportunities``;
  an opportunity is a renewal when its type says so (``Renewal``, ``Existing Business``).
  Salesforce's report footer lines are left out. HubSpot probabilities (0-1) become percent.
- ``events`` (raw product analytics: account, user, timestamp, event) fill ``usage_events``;
  ``usage_daily`` is recomputed for every account and day the file touches: active_users =
  distinct users, events = events, features_used = distinct event names.
- ``snapshot`` (one row per customer, e.g. the IBM Telco churn file): see :data:`SNAPSHOT`.

In every preset a subscription that ended on its start day (Stripe's ``incomplete_expired``)
is kept as a one-day subscription, which no month-end counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from store.import_targets import NEW_ACCOUNTS, OPPORTUNITIES, USAGE_EVENTS
from store.mapping import (
    Derived,
    InputField,
    Output,
    Recipe,
    ValueRules,
    match_columns,
    normalise_name,
)
from store.schema import ACCOUNTS, SUBSCRIPTIONS

DATETIME = ValueRules(date_format="YYYY-MM-DD")
"""ISO dates with an optional time after them (vendor timestamps such as 2024-01-31 10:15)."""

_PERIOD_MESSAGE = (
    "{value} is not a billing period this dashboard can turn into MRR; plans must bill by "
    "the month or the year (a number of months or years)"
)


def _period(unit: str, count: str) -> str:
    """Billing period from a unit field (day/week/month/year) and an optional count field."""
    n = "coalesce({" + count + "}, 1)"
    u = "lower({" + unit + "})"
    return (
        "CASE WHEN " + u + " IN ('month', 'months', 'monthly') THEN CASE " + n + " WHEN 1 THEN "
        "'month' WHEN 3 THEN 'quarter' WHEN 6 THEN 'half_year' WHEN 12 THEN 'year' ELSE "
        + n + " || 'months' END "
        "WHEN " + u + " IN ('year', 'years', 'yearly', 'annual') THEN CASE " + n + " WHEN 1 "
        "THEN 'year' ELSE (" + n + " * 12) || 'months' END ELSE {" + unit + "} END"
    )  # fmt: skip


def _end(end: str, start: str) -> str:
    """An end date no earlier than the day after the start (see the module doc)."""
    return (
        "CASE WHEN " + end + " IS NOT NULL THEN greatest(" + end + ", CAST({" + start
        + "} + INTERVAL 1 DAY AS DATE)) END"
    )  # fmt: skip


def _account_fields(id_synonyms: Sequence[str], name_synonyms: Sequence[str]) -> list[InputField]:
    return [
        InputField("customer_id", "VARCHAR", True, tuple(id_synonyms), "Customer ID"),
        InputField("customer_name", "VARCHAR", False, tuple(name_synonyms), "Customer name"),
    ]


STRIPE_STATUSES = {
    "active": "active", "past_due": "active", "unpaid": "active", "trialing": "trial",
    "incomplete": "trial", "incomplete_expired": "cancelled", "canceled": "cancelled",
    "paused": "paused",
}  # fmt: skip

STRIPE = Recipe(
    name="stripe",
    title="Stripe subscriptions export",
    description="Stripe Billing → Subscriptions → Export (one row per subscription).",
    fields=(
        InputField("subscription_id", "VARCHAR", True, ("id", "subscription_id"), "id"),
        *_account_fields(("customer_id", "customer"), ("customer_name", "customer_description")),
        InputField("customer_email", "VARCHAR", False, ("customer_email", "email"),
                   "Customer Email"),  # fmt: skip
        InputField("plan", "VARCHAR", False, ("plan", "plan_name", "product", "price"), "Plan"),
        InputField("quantity", "INTEGER", False, ("quantity",), "Quantity"),
        InputField("currency", "VARCHAR", False, ("currency",), "Currency"),
        InputField("interval", "VARCHAR", True, ("interval", "plan_interval"), "Interval"),
        InputField("interval_count", "INTEGER", False, ("interval_count",), "Interval Count"),
        InputField("amount", "DOUBLE", True, ("amount", "plan_amount"), "Amount", money=True),
        InputField("status", "VARCHAR", False, ("status",), "Status",
                   rules=ValueRules(values=STRIPE_STATUSES),
                   allowed_words=tuple(STRIPE_STATUSES)),  # fmt: skip
        InputField("start", "DATE", True, ("start_utc", "start_date_utc", "start", "start_date"),
                   "Start (UTC)", rules=DATETIME),  # fmt: skip
        InputField("current_period_end", "DATE", False, ("current_period_end_utc",
                   "current_period_end"), "Current Period End (UTC)", rules=DATETIME),  # fmt: skip
        InputField("canceled_at", "DATE", False, ("canceled_at_utc", "canceled_at"),
                   "Canceled At (UTC)", rules=DATETIME),  # fmt: skip
        InputField("ended_at", "DATE", False, ("ended_at_utc", "ended_at"), "Ended At (UTC)",
                   rules=DATETIME),  # fmt: skip
        InputField("cancel_at_period_end", "BOOLEAN", False, ("cancel_at_period_end",),
                   "Cancel At Period End"),  # fmt: skip
    ),
    outputs=(
        Output(NEW_ACCOUNTS, {
            "account_id": "customer_id",
            "name": Derived("coalesce({customer_name}, {customer_email}, {customer_id})"),
            "created_at": "start",
        }),
        Output(SUBSCRIPTIONS, {
            "subscription_id": "subscription_id",
            "account_id": "customer_id",
            "plan": "plan",
            "billing_period": Derived(_period("interval", "interval_count"), "interval"),
            "amount": "amount",
            "quantity": "quantity",
            "currency": "currency",
            "start_date": "start",
            "end_date": Derived(_end(
                "coalesce({ended_at}, CASE WHEN {cancel_at_period_end} THEN "
                "{current_period_end} END)", "start"), "ended_at"),
            "term_end": Derived(
                "CASE WHEN lower({interval}) LIKE 'year%' OR coalesce({interval_count}, 1) > 1 "
                "THEN {current_period_end} END", "current_period_end"),
            "status": "status",
        }, messages={"billing_period": {"bad_billing_period": _PERIOD_MESSAGE}}),
    ),  # fmt: skip
    signature=("id", "customer_id", "interval", "amount", "status", "cancel_at_period_end"),
    creates_accounts=True,
)

CHARGEBEE_STATUSES = {
    "active": "active", "non_renewing": "active", "in_trial": "trial", "future": "active",
    "paused": "paused", "cancelled": "cancelled",
}  # fmt: skip

CHARGEBEE = Recipe(
    name="chargebee",
    title="Chargebee subscriptions export",
    description="Chargebee → Subscriptions → Export (subscriptions.* and customers.* columns).",
    fields=(
        InputField("subscription_id", "VARCHAR", True, ("subscriptions_id",), "subscriptions.id"),
        InputField("customer_id", "VARCHAR", True, ("subscriptions_customer_id", "customers_id"),
                   "subscriptions.customer_id"),  # fmt: skip
        InputField("company", "VARCHAR", False, ("customers_company",), "customers.company"),
        InputField("first_name", "VARCHAR", False, ("customers_first_name",),
                   "customers.first_name"),  # fmt: skip
        InputField("last_name", "VARCHAR", False, ("customers_last_name",), "customers.last_name"),
        InputField("email", "VARCHAR", False, ("customers_email",), "customers.email"),
        InputField("plan", "VARCHAR", False, ("subscriptions_plan_id",), "subscriptions.plan_id"),
        InputField("quantity", "INTEGER", False, ("subscriptions_plan_quantity",),
                   "subscriptions.plan_quantity"),  # fmt: skip
        InputField("amount", "DOUBLE", True, ("subscriptions_plan_unit_price",),
                   "subscriptions.plan_unit_price", money=True),  # fmt: skip
        InputField("currency", "VARCHAR", False, ("subscriptions_currency_code",),
                   "subscriptions.currency_code"),  # fmt: skip
        InputField("period", "INTEGER", False, ("subscriptions_billing_period",),
                   "subscriptions.billing_period"),  # fmt: skip
        InputField("period_unit", "VARCHAR", True, ("subscriptions_billing_period_unit",),
                   "subscriptions.billing_period_unit"),  # fmt: skip
        InputField("status", "VARCHAR", True, ("subscriptions_status",), "subscriptions.status",
                   rules=ValueRules(values=CHARGEBEE_STATUSES),
                   allowed_words=tuple(CHARGEBEE_STATUSES)),  # fmt: skip
        InputField("started_at", "DATE", False, ("subscriptions_started_at",
                   "subscriptions_start_date"), "subscriptions.started_at", rules=DATETIME),
        InputField("activated_at", "DATE", False, ("subscriptions_activated_at",),
                   "subscriptions.activated_at", rules=DATETIME),  # fmt: skip
        InputField("created_at", "DATE", False, ("subscriptions_created_at",),
                   "subscriptions.created_at", rules=DATETIME),  # fmt: skip
        InputField("current_term_end", "DATE", False, ("subscriptions_current_term_end",),
                   "subscriptions.current_term_end", rules=DATETIME),  # fmt: skip
        InputField("cancelled_at", "DATE", False, ("subscriptions_cancelled_at",),
                   "subscriptions.cancelled_at", rules=DATETIME),  # fmt: skip
    ),
    outputs=(
        Output(NEW_ACCOUNTS, {
            "account_id": "customer_id",
            "name": Derived("coalesce({company}, nullif(trim(concat_ws(' ', {first_name}, "
                            "{last_name})), ''), {email}, {customer_id})"),
        }),
        Output(SUBSCRIPTIONS, {
            "subscription_id": "subscription_id",
            "account_id": "customer_id",
            "plan": "plan",
            "billing_period": Derived(_period("period_unit", "period"), "period_unit"),
            "amount": "amount",
            "quantity": "quantity",
            "currency": "currency",
            "start_date": Derived("coalesce({started_at}, {activated_at}, {created_at})",
                                  "started_at"),
            "end_date": Derived(_end(
                "coalesce({cancelled_at}, CASE WHEN lower({status_text}) = 'non_renewing' THEN "
                "{current_term_end} END)", "started_at"), "cancelled_at"),
            "term_end": Derived("CASE WHEN lower({period_unit}) LIKE 'year%' THEN "
                                "{current_term_end} END", "current_term_end"),
            "status": "status",
        }, messages={"billing_period": {"bad_billing_period": _PERIOD_MESSAGE}}),
    ),  # fmt: skip
    signature=("subscriptions_id", "subscriptions_customer_id", "subscriptions_status"),
    creates_accounts=True,
)

BAREMETRICS = Recipe(
    name="baremetrics",
    title="Baremetrics subscription template",
    description="The manual subscription CSV template of Baremetrics (plan_amount in cents).",
    fields=(
        InputField("plan_oid", "VARCHAR", False, ("plan_oid",), "plan_oid"),
        InputField("plan_name", "VARCHAR", False, ("plan_name",), "plan_name"),
        InputField("currency", "VARCHAR", False, ("plan_currency",), "plan_currency"),
        InputField("amount", "DOUBLE", True, ("plan_amount",), "plan_amount", money=True,
                   rules=ValueRules(amount_unit="cents")),  # fmt: skip
        InputField("interval", "VARCHAR", True, ("plan_interval",), "plan_interval"),
        InputField("interval_count", "INTEGER", False, ("plan_interval_count",),
                   "plan_interval_count"),  # fmt: skip
        InputField("customer_id", "VARCHAR", True, ("customer_oid",), "customer_oid"),
        InputField("customer_name", "VARCHAR", False, ("customer_name",), "customer_name"),
        InputField("customer_email", "VARCHAR", False, ("customer_email",), "customer_email"),
        InputField("subscription_id", "VARCHAR", True, ("subscription_oid",), "subscription_oid"),
        InputField("start", "DATE", True, ("subscription_started_at",),
                   "subscription_started_at", rules=DATETIME),  # fmt: skip
        InputField("canceled_at", "DATE", False, ("subscription_canceled_at",),
                   "subscription_canceled_at", rules=DATETIME),  # fmt: skip
        InputField("quantity", "INTEGER", False, ("subscription_quantity",),
                   "subscription_quantity"),  # fmt: skip
    ),
    outputs=(
        Output(NEW_ACCOUNTS, {
            "account_id": "customer_id",
            "name": Derived("coalesce({customer_name}, {customer_email}, {customer_id})"),
            "created_at": "start",
        }),
        Output(SUBSCRIPTIONS, {
            "subscription_id": "subscription_id",
            "account_id": "customer_id",
            "plan": Derived("coalesce({plan_name}, {plan_oid})"),
            "billing_period": Derived(_period("interval", "interval_count"), "interval"),
            "amount": "amount",
            "quantity": "quantity",
            "currency": "currency",
            "start_date": "start",
            "end_date": Derived(_end("{canceled_at}", "start"), "canceled_at"),
            "status": Derived("CASE WHEN {canceled_at} IS NULL THEN 'active' ELSE 'cancelled' END"),
        }, messages={"billing_period": {"bad_billing_period": _PERIOD_MESSAGE}}),
    ),  # fmt: skip
    signature=("plan_oid", "plan_amount", "customer_oid", "subscription_oid",
               "subscription_started_at"),  # fmt: skip
    creates_accounts=True,
)

_RENEWAL = "(lower({type}) LIKE '%renewal%' OR lower({type}) IN ('existing business', " \
    "'existingbusiness', 'existing customer'))"
_CRM_AMOUNT = ValueRules(thousands=",", currency_symbols=True)

SALESFORCE = Recipe(
    name="salesforce",
    title="Salesforce opportunity report",
    description="A Salesforce opportunities report exported as CSV (Details Only).",
    fields=(
        InputField("opportunity_id", "VARCHAR", False, ("opportunity_id", "opportunity_id_18"),
                   "Opportunity ID"),  # fmt: skip
        InputField("name", "VARCHAR", False, ("opportunity_name",), "Opportunity Name"),
        *_account_fields(("account_id", "account_id_18"), ("account_name",)),
        InputField("amount", "DOUBLE", False, ("amount",), "Amount", money=True,
                   rules=_CRM_AMOUNT),  # fmt: skip
        InputField("currency", "VARCHAR", False, ("opportunity_currency", "currency",
                   "amount_currency"), "Opportunity Currency"),  # fmt: skip
        InputField("close_date", "DATE", True, ("close_date",), "Close Date",
                   rules=ValueRules(date_format="MM/DD/YYYY")),  # fmt: skip
        InputField("stage", "VARCHAR", False, ("stage",), "Stage"),
        InputField("type", "VARCHAR", False, ("type",), "Type"),
        InputField("forecast_category", "VARCHAR", False, ("forecast_category",),
                   "Forecast Category"),  # fmt: skip
        InputField("probability", "DOUBLE", False, ("probability", "probability_pct"),
                   "Probability (%)"),  # fmt: skip
        InputField("owner", "VARCHAR", False, ("owner", "opportunity_owner"), "Owner"),
    ),
    outputs=(
        Output(NEW_ACCOUNTS, {
            "account_id": "customer_id",
            "name": Derived("coalesce({customer_name}, {customer_id})"),
        }),
        Output(OPPORTUNITIES, {
            "opportunity_id": Derived(
                "coalesce({opportunity_id}, 'sf-' || left(md5(concat_ws('|', {customer_id}, "
                "{close_date}, {name}, {type}, {amount}, {stage})), 16))", "opportunity_id"),
            "account_id": "customer_id",
            "name": "name",
            "type": "type",
            "stage": "stage",
            "amount": "amount",
            "currency": "currency",
            "close_date": "close_date",
            "probability": "probability",
            "forecast_category": "forecast_category",
            "owner": "owner",
            "is_renewal": Derived("coalesce(" + _RENEWAL + ", false)"),
            "source": Derived("'salesforce'"),
        }),
    ),  # fmt: skip
    signature=("account_id", "close_date", "stage", "forecast_category"),
    footer=(r'"?Confidential Information - Do Not Distribute"?',
            r'"?Copyright \(c\) [0-9]{4}-[0-9]{4} salesforce\.com.*'),  # fmt: skip
    creates_accounts=True,
)

HUBSPOT = Recipe(
    name="hubspot",
    title="HubSpot deals export",
    description="HubSpot CRM → Deals → Export (with the associated company ID column).",
    fields=(
        InputField("deal_id", "VARCHAR", True, ("record_id", "deal_id"), "Record ID"),
        InputField("name", "VARCHAR", False, ("deal_name",), "Deal Name"),
        InputField("stage", "VARCHAR", False, ("deal_stage",), "Deal Stage"),
        InputField("pipeline", "VARCHAR", False, ("pipeline",), "Pipeline"),
        InputField("amount", "DOUBLE", False, ("amount", "amount_in_company_currency"), "Amount",
                   money=True, rules=_CRM_AMOUNT),  # fmt: skip
        InputField("currency", "VARCHAR", False, ("currency",), "Currency"),
        InputField("close_date", "DATE", True, ("close_date",), "Close Date", rules=DATETIME),
        InputField("owner", "VARCHAR", False, ("deal_owner",), "Deal owner"),
        InputField("type", "VARCHAR", False, ("deal_type",), "Deal Type"),
        InputField("probability", "DOUBLE", False, ("deal_probability",), "Deal probability"),
        InputField("forecast_category", "VARCHAR", False, ("forecast_category",),
                   "Forecast category"),  # fmt: skip
        *_account_fields(("associated_company_ids_primary", "associated_company_ids",
                          "associated_company_id", "company_id"),
                         ("associated_company_primary", "associated_company", "company_name")),
    ),  # fmt: skip
    outputs=(
        Output(NEW_ACCOUNTS, {
            "account_id": Derived("trim(split_part({customer_id}, ';', 1))", "customer_id"),
            "name": Derived("coalesce(trim(split_part({customer_name}, ';', 1)), "
                            "trim(split_part({customer_id}, ';', 1)))"),
        }),
        Output(OPPORTUNITIES, {
            "opportunity_id": "deal_id",
            "account_id": Derived("trim(split_part({customer_id}, ';', 1))", "customer_id"),
            "name": "name",
            "type": "type",
            "stage": "stage",
            "amount": "amount",
            "currency": "currency",
            "close_date": "close_date",
            "probability": Derived("CASE WHEN {probability} <= 1 THEN {probability} * 100 "
                                   "ELSE {probability} END", "probability"),
            "forecast_category": "forecast_category",
            "owner": "owner",
            "is_renewal": Derived("coalesce(" + _RENEWAL + ", false)"),
            "source": Derived("'hubspot'"),
        }),
    ),  # fmt: skip
    signature=("record_id", "deal_name", "deal_stage", "close_date"),
    creates_accounts=True,
)

EVENTS = Recipe(
    name="events",
    title="Product analytics events",
    description="Raw events (account, user, timestamp, event name), aggregated into usage_daily.",
    fields=(
        InputField("account_id", "VARCHAR", True, ("account_id", "group_id", "company_id",
                   "organization_id", "org_id", "workspace_id", "tenant_id", "customer_id",
                   "account"), "account id"),  # fmt: skip
        InputField("user_id", "VARCHAR", False, ("user_id", "distinct_id", "userid", "user",
                   "anonymous_id"), "user id"),  # fmt: skip
        InputField("occurred_at", "TIMESTAMP", True, ("timestamp", "time", "event_time",
                   "received_at", "occurred_at", "sent_at", "event_timestamp", "created_at"),
                   "timestamp", rules=DATETIME),  # fmt: skip
        InputField("event", "VARCHAR", True, ("event", "event_name", "event_type", "action"),
                   "event name"),  # fmt: skip
    ),
    outputs=(Output(USAGE_EVENTS, {c: c for c in USAGE_EVENTS.column_names}),),
    after_write="usage_from_events",
)

SNAPSHOT = Recipe(
    name="snapshot",
    title="Customer snapshot (one row per customer)",
    description=(
        "Customer id, monthly charge, tenure in months, churned flag and contract type, as of "
        "one date (e.g. the IBM Telco churn file). Convention, with as-of date A and tenure T: "
        "an active customer pays from the 1st of the month T-1 months before A's month (T = 0: "
        "from A); a churned customer paid the T months before A's month and ends on A; the "
        "charge is the same for the whole tenure; One/Two year contracts renew on the next "
        "12/24-month anniversary of the start after A. Extra columns become account attributes."
    ),
    fields=(
        InputField("customer_id", "VARCHAR", True, ("customerid", "customer_id", "customer",
                   "account_id", "id"), "customer id"),  # fmt: skip
        InputField("name", "VARCHAR", False, ("customer_name", "name", "company"), "name"),
        InputField("monthly_charge", "DOUBLE", True, ("monthlycharges", "monthly_charges",
                   "monthly_charge", "mrr", "monthly_fee"), "monthly charge", money=True),
        InputField("tenure", "INTEGER", True, ("tenure", "tenure_months", "months_active",
                   "tenure_in_months"), "tenure (months)"),  # fmt: skip
        InputField("churned", "BOOLEAN", True, ("churn", "churned", "is_churned", "churn_flag",
                   "exited"), "churned flag"),  # fmt: skip
        InputField("contract", "VARCHAR", False, ("contract", "contract_type", "term"),
                   "contract type", attribute=True),  # fmt: skip
    ),
    outputs=(
        Output(ACCOUNTS, {
            "account_id": "customer_id",
            "name": Derived("coalesce({name}, {customer_id})"),
            "created_at": Derived("__START__"),
        }),
        Output(SUBSCRIPTIONS, {
            "subscription_id": Derived("{customer_id} || '-snapshot'", "customer_id"),
            "account_id": "customer_id",
            "billing_period": Derived("'month'"),
            "amount": "monthly_charge",
            "start_date": Derived("__START__", "tenure"),
            "end_date": Derived("CASE WHEN {churned} THEN CAST($as_of AS DATE) END", "churned"),
            "term_end": Derived(
                "CASE WHEN NOT {churned} AND __TERM__ IS NOT NULL THEN CAST(__START__ + "
                "to_months(__TERM__ * (datediff('month', __START__, CAST($as_of AS DATE)) "
                "// __TERM__ + 1)) AS DATE) END", "contract"),
            "status": Derived("CASE WHEN {churned} THEN 'cancelled' ELSE 'active' END"),
        }),
    ),  # fmt: skip
    attributes_key="customer_id",
    default_extra="attributes",
    needs_as_of=True,
)

_START = (
    "CAST(CASE WHEN {churned} THEN CASE WHEN {tenure} = 0 THEN CAST($as_of AS DATE) - 1 "
    "ELSE date_trunc('month', CAST($as_of AS DATE)) - to_months({tenure}) END "
    "WHEN {tenure} = 0 THEN CAST($as_of AS DATE) "
    "ELSE date_trunc('month', CAST($as_of AS DATE)) - to_months({tenure} - 1) END AS DATE)"
)
_TERM = (
    "(CASE WHEN regexp_matches(lower({contract}), 'two|2') THEN 24 "
    "WHEN regexp_matches(lower({contract}), 'one|1|year|annual') THEN 12 END)"
)


def _expand(recipe: Recipe) -> Recipe:
    """Replace the __START__/__TERM__ shorthands of the snapshot preset."""
    outputs = []
    for output in recipe.outputs:
        columns: dict[str, str | Derived] = {}
        for column, source in output.columns.items():
            if isinstance(source, Derived):
                sql = source.sql.replace("__START__", _START).replace("__TERM__", _TERM)
                source = Derived(sql, source.field)
            columns[column] = source
        outputs.append(Output(output.table, columns, output.messages))
    return Recipe(**{**recipe.__dict__, "outputs": tuple(outputs)})


SNAPSHOT = _expand(SNAPSHOT)

PRESETS: dict[str, Recipe] = {
    r.name: r for r in (STRIPE, CHARGEBEE, BAREMETRICS, SALESFORCE, HUBSPOT, EVENTS, SNAPSHOT)
}
"""Every vendor preset by name."""


def detect_preset(header: Sequence[str]) -> str | None:
    """The preset whose layout a header has, or None.

    A header that is exactly a canonical table's is never a preset. Vendor presets are
    recognised by their signature columns (all present, any case and spacing); the events and
    snapshot presets, which have no vendor layout, when every required field matches a column
    by name or synonym.
    """
    from store.import_read import detect_table

    names = {normalise_name(h) for h in header}
    if detect_table(list(header)) is not None:
        return None
    for recipe in PRESETS.values():
        if recipe.signature and set(recipe.signature) <= names:
            return recipe.name
    for recipe in (EVENTS, SNAPSHOT):
        matches, _ = match_columns(recipe, header)
        found = {m.field for m in matches if m.column is not None and m.how != "similar"}
        if {f.name for f in recipe.fields if f.required} <= found:
            return recipe.name
    return None
