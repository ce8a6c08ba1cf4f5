"""Account 360: one account's header, timeline, MRR history, usage and health breakdown.

Everything here is about one account and reuses the population-wide machinery rather than
restating its rules:

- prices come from the shared ``subscription_mrr.sql`` (METRICS.md, MRR), narrowed to the
  account by a CTE named ``subscriptions`` that shadows the table (``sql/account_rows_head.sql``);
- the MRR bridge is classified by the movement engine's own ``unit_rows.sql`` and
  ``classify.sql`` with the account as the unit (``sql/account_mrr_history*.sql``);
- health scores and inputs come from :func:`metrics.health.health_tables` and
  :func:`metrics.health.score_inputs` restricted to the account, scored on the last month end
  and on the as-of date (as :func:`metrics.health.health_history` does);
- moments come from :func:`metrics.moments.revenue_moments` restricted to the account.

The subscription changes of the timeline are classified from the rows in
``sql/account_subscription_events.sql`` (docs/health.md, Account 360). The account is always
the unit here, whatever the revenue view level. Higher health is healthier.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import month_start
from metrics.health import _snapshot_dates, health_band, health_tables, score_inputs
from metrics.health_settings import COMPONENTS, HealthSettings, MomentSettings
from metrics.moments import revenue_moments
from metrics.movements import _live_snapshots, add_months
from metrics.snapshots import data_horizon, subscription_mrr_cte
from store.settings import MetricSettings, load_settings
from store.sql import load_sql

TIMELINE_KINDS: tuple[str, ...] = ("subscription", "billing", "ticket", "nps", "moment", "note")
"""Timeline kinds, in the order things usually follow each other on one day (a subscription
change, then its invoice, a ticket about it, ...). Newest first, so on one day the later kinds
are listed first."""
SUBSCRIPTION_EVENTS: tuple[str, ...] = (
    "new",
    "upgrade",
    "downgrade",
    "renewal",
    "pause",
    "cancellation",
    "reactivation",
    "add_on",
    "trial",
)
TIMELINE_COLUMNS: tuple[str, ...] = ("occurred_on", "kind", "event", "title", "detail", "amount")
MRR_HISTORY_COLUMNS: tuple[str, ...] = (
    "month", "mrr", "mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
)
USAGE_COLUMNS: tuple[str, ...] = (
    "date", "active_users", "events", "features_used", "seats_purchased", "seat_limit",
    "included_units_per_day",
)
BREAKDOWN_COLUMNS: tuple[str, ...] = ("component", "score", "weight", "contribution", "reason")

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
PERIOD_WORDS = {
    "month": "monthly",
    "quarter": "quarterly",
    "half_year": "half-yearly",
    "year": "annual",
}
BILLING_TITLES = {
    "invoice_paid": "Invoice paid",
    "payment_failed": "Payment failed",
    "dunning_notice": "Dunning notice sent",
    "card_expiring": "Card expiring",
    "card_updated": "Card updated",
    "reinstated": "Reinstated after a failed payment",
}
MOMENT_TITLES = {
    "card_expiring": "Card expiring soon",
    "payment_failed": "Payment problem open",
    "reinstated": "Reinstated: follow up",
    "upsell": "Upsell: usage near the plan limit",
    "usage_drop": "At risk: usage dropped",
    "underutilised": "Underutilised seats",
    "anniversary": "Customer anniversary",
    "seat_milestone": "Seat milestone reached",
    "nps_detractor": "NPS detractor",
    "nps_promoter": "NPS promoter: ask for a reference",
    "renewal_window": "Renewal window opened",
    "seats_added": "Seats added",
}


# --- header ----------------------------------------------------------------------------------


def account_header(
    con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date
) -> dict[str, Any] | None:
    """Who the account is and where it stands on ``as_of``; None for an unknown account.

    Returns:
        A dict with account_id, name, segment, industry, region, csm_owner,
        parent_account_id (None at the top), plan (plan of the recurring subscription in
        force with the largest MRR on ``as_of``, then the latest started; None when nothing is
        in force), mrr (reporting currency per month on ``as_of``, as in
        :func:`metrics.health.health_scores`), arr (12 × mrr), renewal_date (the earliest
        ``term_end`` on or after ``as_of`` of an active recurring subscription in force, a
        ``date`` or None), days_to_renewal (days, or None), health_score (0–100, higher is
        healthier; None when not scored), band ('red' | 'yellow' | 'green' | None),
        health_change (score points vs the last month end; None when either score is
        unknown), seats_purchased (int or None), active_users_30d (peak daily active users in
        the last 30 days; None without usage data), referenceable (bool), missing_components
        (list of component names without data; every component when the account is not
        scored, i.e. has no recurring subscription in force).
    """
    account = _account(con, account_id)
    if account is None:
        return None
    rows = _priced_rows(con, account_id=account_id, as_of=as_of)
    in_force = rows.loc[rows["in_force"]]
    plan = None
    if not in_force.empty:
        top = in_force.sort_values(
            ["mrr_as_of", "start_date", "subscription_id"], ascending=[False, False, True]
        )
        plan = str(top["plan"].iloc[0])
    renewals = in_force.loc[
        (in_force["status"] == "active")
        & in_force["term_end"].notna()
        & (pd.to_datetime(in_force["term_end"]) >= pd.Timestamp(as_of))
    ]
    renewal_date = None
    if not renewals.empty:
        renewal_date = pd.Timestamp(pd.to_datetime(renewals["term_end"]).min()).date()

    settings = load_settings(con, HealthSettings)
    health = _health_rows(con, account_id=account_id, as_of=as_of, settings=settings)
    now = _row_on(health, month_start(as_of))
    before = _row_on(health, add_months(month_start(as_of), -1))
    score = _maybe(now, "health_score")
    score_before = _maybe(before, "health_score")
    mrr = _maybe(now, "mrr") or 0.0
    return {
        "account_id": account["account_id"],
        "name": account["name"],
        "segment": account["segment"],
        "industry": account["industry"],
        "region": account["region"],
        "csm_owner": account["csm_owner"],
        "parent_account_id": account["parent_account_id"] or None,
        "plan": plan,
        "mrr": float(mrr),
        "arr": 12 * float(mrr),
        "renewal_date": renewal_date,
        "days_to_renewal": None if renewal_date is None else (renewal_date - as_of).days,
        "health_score": score,
        "band": None if score is None else str(health_band(pd.Series([score]), settings)[0]),
        "health_change": (
            None if score is None or score_before is None else score - score_before
        ),
        "seats_purchased": _int_or_none(account["seats_purchased"]),
        "active_users_30d": _int_or_none(_maybe(now, "active_users_30d")),
        "referenceable": bool(account["referenceable"] or False),
        "missing_components": (
            list(COMPONENTS) if now is None else _split(now.get("missing_components"))
        ),
    }


def _account(con: duckdb.DuckDBPyConnection, account_id: str) -> dict[str, Any] | None:
    cursor = con.execute(
        "SELECT account_id, name, segment, industry, region, csm_owner, parent_account_id, "
        "seats_purchased, referenceable FROM accounts WHERE account_id = $id",
        {"id": account_id},
    )
    row = cursor.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row, strict=True))


def _priced_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    account_id: str,
    as_of: date,
    final: str = "sql/account_rows_select.sql",
) -> pd.DataFrame:
    """The account's rows priced by the shared SQL (``account_rows``), then ``final``: the rows
    themselves, or ``sql/account_subscription_events.sql`` for the classified changes."""
    settings = load_settings(con, MetricSettings)
    sql = (
        load_sql(__file__, "sql/account_rows_head.sql")
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/account_rows.sql")
        + load_sql(__file__, final)
    )
    return con.execute(
        sql,
        {
            "account_id": account_id,
            "as_of": as_of,
            "reporting_currency": settings.reporting_currency,
            "deduct_discounts": settings.deduct_discounts,
        },
    ).df()


def _health_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    account_id: str,
    as_of: date,
    settings: HealthSettings,
) -> pd.DataFrame:
    """Scores and raw inputs on the last month end and on ``as_of`` (months it was scored)."""
    dates = _snapshot_dates(as_of, 2)
    with health_tables(con, as_of=as_of, snap_dates=dates, account_ids=[account_id]) as cursor:
        score_inputs(cursor, settings)
        frame = cursor.execute(load_sql(__file__, "sql/account_health.sql")).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def _row_on(frame: pd.DataFrame, month: date) -> dict[str, Any] | None:
    rows = frame.loc[frame["month"] == month]
    return None if rows.empty else rows.iloc[0].to_dict()


def _maybe(row: Mapping[str, Any] | None, key: str) -> Any:
    """A value of ``row`` as a plain Python value, None for missing (NaN, NA, NaT)."""
    if row is None:
        return None
    value = row.get(key)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _int_or_none(value: Any) -> int | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else int(number)


def _split(text: Any) -> list[str]:
    if not isinstance(text, str) or not text:
        return []
    return [part.strip() for part in text.split(",") if part.strip()]


# --- timeline --------------------------------------------------------------------------------


def account_timeline(
    con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date
) -> pd.DataFrame:
    """Everything that happened to the account up to ``as_of``, newest first.

    Kinds and events:

    - subscription (``sql/account_subscription_events.sql``): new, upgrade, downgrade,
      renewal (a replacing row on the same plan, seats and billing period, or at the same
      MRR), pause, cancellation, reactivation, add_on (a one-time charge), trial (a trial
      starting, or ending without converting);
    - billing: the ``billing_events.event_type`` (card_expiring rows are dated on the card's
      expiry day, so only expiries up to ``as_of`` appear);
    - ticket: ticket_opened, ticket_closed;
    - nps: nps_response;
    - moment: the moment_type of :func:`metrics.moments.revenue_moments` on ``as_of`` (the
      moments detected on that date, each on its own date);
    - note: the status of a ``renewal_work`` change (the renewals work queue).

    Returns:
        Columns: occurred_on (``datetime.date``), kind, event, title (short plain words),
        detail (evidence, note text, next step, who changed it), amount (reporting currency:
        subscription = change in MRR per month, + up / − down, add_on = the one-time price;
        billing = the recorded amount, negative for refunds and credits; moment = amount at
        stake; NaN otherwise). Ordered by occurred_on descending; on one day by kind, the
        later of :data:`TIMELINE_KINDS` first; then by time (newest first) where the source
        has one, event, title and detail. Empty (with these columns) for an unknown account.
    """
    if _account(con, account_id) is None:
        return _empty(TIMELINE_COLUMNS)
    currency = load_settings(con, MetricSettings).reporting_currency
    billing = _billing_rows(con, account_id=account_id, as_of=as_of)
    parts = [
        _subscription_part(con, account_id=account_id, as_of=as_of, billing=billing,
                           currency=currency),
        _billing_part(billing, currency),
        _ticket_part(con, account_id=account_id, as_of=as_of),
        _nps_part(con, account_id=account_id, as_of=as_of),
        _moment_part(con, account_id=account_id, as_of=as_of),
        _note_part(con, account_id=account_id, as_of=as_of),
    ]
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    if frame.empty:
        return _empty(TIMELINE_COLUMNS)
    frame["_kind"] = frame["kind"].map({k: i for i, k in enumerate(TIMELINE_KINDS)})
    frame["_at"] = pd.to_datetime(frame["_at"])
    frame = frame.sort_values(
        ["occurred_on", "_kind", "_at", "event", "title", "detail"],
        ascending=[False, False, False, True, True, True],
        kind="mergesort",
        na_position="last",
    )
    frame = frame.loc[frame["occurred_on"] <= as_of, list(TIMELINE_COLUMNS)]
    frame["amount"] = frame["amount"].astype(float)
    return frame.reset_index(drop=True)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


def _part(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*TIMELINE_COLUMNS, "_at"])
    if not frame.empty:
        frame["occurred_on"] = [_as_date(v) for v in frame["occurred_on"]]
    return frame


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def money(value: float | None, currency: str) -> str:
    """``$1,234.50`` (reporting-currency symbol, or its code), ``-$232.00`` when negative."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    prefix = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if value < 0 and round(abs(value), 2) > 0 else ""
    return f"{sign}{prefix}{abs(value):,.2f}"


def _period_word(period: Any) -> str:
    text = str(period or "")
    if text in PERIOD_WORDS:
        return PERIOD_WORDS[text]
    months = text.removesuffix("months")
    return f"every {months} months" if months.isdigit() else text


def _seats(quantity: Any) -> str:
    n = _int_or_none(quantity) or 0
    return f"{n} seat" + ("" if n == 1 else "s")


def _subscription_part(
    con: duckdb.DuckDBPyConnection,
    *,
    account_id: str,
    as_of: date,
    billing: pd.DataFrame,
    currency: str,
) -> pd.DataFrame:
    events = _priced_rows(
        con, account_id=account_id, as_of=as_of, final="sql/account_subscription_events.sql"
    )
    same_day_billing = {
        (row.day, row.event_type): float(row.amount)
        for row in billing.itertuples()
        if row.event_type in ("refund", "proration", "credit")
    }
    rows = []
    for e in events.itertuples():
        day = _as_date(e.occurred_on)
        title, detail = _subscription_words(e, currency)
        extras = []
        proration = same_day_billing.get((day, "proration"))
        if e.event in ("upgrade", "downgrade", "renewal") and proration is not None:
            kind = "prorated credit" if proration < 0 else "prorated charge"
            extras.append(f"{kind} of {money(abs(proration), currency)} the same day")
        refund = same_day_billing.get((day, "refund"))
        if e.event in ("pause", "cancellation") and refund is not None:
            extras.append(f"refund of {money(abs(refund), currency)} the same day")
        if extras:
            detail = f"{detail}; {'; '.join(extras)}"
        rows.append({
            "occurred_on": day,
            "kind": "subscription",
            "event": e.event,
            "title": title,
            "detail": detail,
            "amount": np.nan if pd.isna(e.amount) else round(float(e.amount), 2),
            "_at": pd.Timestamp(day),
        })
    return _part(rows)


def _subscription_words(e: Any, currency: str) -> tuple[str, str]:
    """Title and detail of one subscription event row."""
    plan, period = str(e.plan), _period_word(e.billing_period)
    mrr = money(float(e.mrr), currency)
    ref = f"subscription {e.subscription_id}"
    if e.event == "add_on":
        return (f"Bought {plan} (one-time)",
                f"One-time charge of {money(float(e.amount), currency)}; {ref}")
    if e.event == "trial":
        if e.edge == "start":
            return f"Started a {plan} trial", f"{_seats(e.quantity)}; {ref}"
        return f"{plan} trial ended", f"Ended without converting to a paid plan; {ref}"
    if e.edge == "end":
        words = {
            "pause": "Paused",
            "cancellation": "Cancelled",
            "downgrade": f"Removed {plan} {period}",
        }
        ended = f"{plan} {period}, {_seats(e.quantity)}, ended"
        return words[str(e.event)], f"{ended}; MRR {mrr} → {money(0.0, currency)}; {ref}"
    before = money(float(e.prev_mrr), currency) if not pd.isna(e.prev_mrr) else None
    change = f"MRR {before} → {mrr}" if before else f"MRR {mrr}"
    seats = _seats(e.quantity)
    if not pd.isna(e.prev_quantity) and _int_or_none(e.prev_quantity) != _int_or_none(e.quantity):
        seats = f"{_int_or_none(e.prev_quantity)} → {seats}"
    detail = f"{change}; {seats}; {ref}"
    if e.event == "new":
        trial = " after a trial" if e.after_trial else ""
        return f"New customer on {plan} {period}", f"First paid subscription{trial}; {detail}"
    if e.event == "reactivation":
        gap = "" if pd.isna(e.gap_days) else f"Back after {int(e.gap_days)} days; "
        return f"Reactivated on {plan} {period}", gap + detail
    if pd.isna(e.prev_plan):  # started next to other subscriptions
        return f"Added {plan} {period}", detail
    prev_plan, prev_period = str(e.prev_plan), _period_word(e.prev_period)
    if e.event == "renewal":
        if plan == prev_plan and period == prev_period:
            return f"Renewed {plan} {period}", detail
        return f"Changed {prev_plan} {prev_period} → {plan} {period}", detail
    verb = "Upgraded" if e.event == "upgrade" else "Downgraded"
    if plan != prev_plan:
        return f"{verb} {prev_plan} → {plan} {period}", detail
    if _int_or_none(e.quantity) != _int_or_none(e.prev_quantity):
        return (f"{verb} {plan} {period}: {_int_or_none(e.prev_quantity)} → "
                f"{_seats(e.quantity)}", detail)
    return f"Switched {plan} {prev_period} → {period}", detail


def _billing_rows(con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date) -> pd.DataFrame:
    frame = con.execute(
        "SELECT occurred_at, event_type, amount FROM billing_events "
        "WHERE account_id = $id AND occurred_at < $end "
        "ORDER BY occurred_at, event_type, amount",
        {"id": account_id, "end": datetime.combine(as_of + timedelta(days=1), datetime.min.time())},
    ).df()
    frame["day"] = [_as_date(v) for v in frame["occurred_at"]]
    return frame


def _billing_part(billing: pd.DataFrame, currency: str) -> pd.DataFrame:
    rows = []
    for b in billing.itertuples():
        amount = None if pd.isna(b.amount) else float(b.amount)
        kind = str(b.event_type)
        if kind in ("refund", "credit"):
            title = f"{kind.capitalize()} of {money(abs(amount or 0.0), currency)}"
        elif kind == "proration":
            word = "Prorated credit" if (amount or 0.0) < 0 else "Proration charge"
            title = f"{word} of {money(abs(amount or 0.0), currency)}"
        else:
            title = BILLING_TITLES.get(kind, kind.replace("_", " ").capitalize())
        if kind in ("invoice_paid", "payment_failed", "dunning_notice") and amount:
            detail = f"Amount {money(amount, currency)}"
        else:
            detail = ""
        stamp = pd.Timestamp(b.occurred_at)
        detail = (detail + "; " if detail else "") + f"recorded {stamp:%Y-%m-%d %H:%M}"
        no_money = kind in ("card_expiring", "card_updated", "reinstated") or not amount
        rows.append({
            "occurred_on": b.day,
            "kind": "billing",
            "event": kind,
            "title": title,
            "detail": detail,
            "amount": np.nan if no_money else amount,
            "_at": stamp,
        })
    return _part(rows)


def _ticket_part(con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date) -> pd.DataFrame:
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    tickets = con.execute(
        "SELECT ticket_id, opened_at, closed_at, priority, sla_breached, csat "
        "FROM support_tickets WHERE account_id = $id AND opened_at < $end ORDER BY ticket_id",
        {"id": account_id, "end": end},
    ).df()
    rows = []
    for t in tickets.itertuples():
        priority = str(t.priority) if isinstance(t.priority, str) and t.priority else "normal"
        label = f"{priority.capitalize()}-priority ticket"
        opened = pd.Timestamp(t.opened_at)
        rows.append({
            "occurred_on": opened.date(), "kind": "ticket", "event": "ticket_opened",
            "title": f"{label} opened", "detail": f"Ticket {t.ticket_id}",
            "amount": np.nan, "_at": opened,
        })
        if pd.isna(t.closed_at) or pd.Timestamp(t.closed_at) >= pd.Timestamp(end):
            continue
        closed = pd.Timestamp(t.closed_at)
        hours = (closed - opened).total_seconds() / 3600
        facts = [f"Ticket {t.ticket_id}", f"open {_duration(hours)}"]
        if t.sla_breached is True:
            facts.append("SLA breached")
        if not pd.isna(t.csat):
            facts.append(f"CSAT {int(t.csat)} of 5")
        rows.append({
            "occurred_on": closed.date(), "kind": "ticket", "event": "ticket_closed",
            "title": f"{label} closed", "detail": "; ".join(facts),
            "amount": np.nan, "_at": closed,
        })
    return _part(rows)


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def _nps_part(con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date) -> pd.DataFrame:
    answers = con.execute(
        "SELECT responded_at, score, comment FROM nps_responses "
        "WHERE account_id = $id AND responded_at < $end ORDER BY responded_at, score, comment",
        {"id": account_id,
         "end": datetime.combine(as_of + timedelta(days=1), datetime.min.time())},
    ).df()
    settings = load_settings(con, MomentSettings)
    rows = []
    for n in answers.itertuples():
        score = int(n.score)
        group = (
            "detractor" if score <= settings.nps_detractor_max
            else "promoter" if score >= settings.nps_promoter_min else "passive"
        )
        comment = n.comment.strip() if isinstance(n.comment, str) else ""
        stamp = pd.Timestamp(n.responded_at)
        rows.append({
            "occurred_on": stamp.date(), "kind": "nps", "event": "nps_response",
            "title": f"NPS {score} ({group})",
            "detail": f'"{comment}"' if comment else "No comment",
            "amount": np.nan, "_at": stamp,
        })
    return _part(rows)


def _moment_part(con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date) -> pd.DataFrame:
    moments = revenue_moments(con, as_of=as_of, account_ids=[account_id])
    rows = [
        {
            "occurred_on": m.occurred_on,
            "kind": "moment",
            "event": m.moment_type,
            "title": MOMENT_TITLES.get(m.moment_type, m.moment_type.replace("_", " ")),
            "detail": f"{m.evidence} Next step: {m.suggested_next_step} "
                      f"(severity {m.severity})",
            "amount": float(m.amount_at_stake),
            "_at": pd.Timestamp(m.occurred_on),
        }
        for m in moments.itertuples()
    ]
    return _part(rows)


def _note_part(con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date) -> pd.DataFrame:
    notes = con.execute(
        "SELECT renewal_date, status, note, next_step, changed_by, changed_at "
        "FROM renewal_work WHERE account_id = $id AND changed_at < $end "
        "ORDER BY changed_at, changed_by, status, note, next_step, renewal_date",
        {"id": account_id,
         "end": datetime.combine(as_of + timedelta(days=1), datetime.min.time())},
    ).df()
    rows = []
    for n in notes.itertuples():
        status = str(n.status) if isinstance(n.status, str) and n.status else "note"
        renewal = "" if pd.isna(n.renewal_date) else f" {pd.Timestamp(n.renewal_date):%Y-%m-%d}"
        parts = []
        if isinstance(n.note, str) and n.note.strip():
            parts.append(n.note.strip())
        if isinstance(n.next_step, str) and n.next_step.strip():
            parts.append(f"Next step: {n.next_step.strip()}")
        if isinstance(n.changed_by, str) and n.changed_by.strip():
            parts.append(f"by {n.changed_by.strip()}")
        stamp = pd.Timestamp(n.changed_at)
        rows.append({
            "occurred_on": stamp.date(), "kind": "note", "event": status,
            "title": f"Renewal{renewal}: {status.replace('_', ' ')}",
            "detail": "; ".join(parts), "amount": np.nan, "_at": stamp,
        })
    return _part(rows)


# --- MRR history and usage -------------------------------------------------------------------


def account_mrr_history(
    con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date
) -> pd.DataFrame:
    """The account's monthly MRR bridge (METRICS.md, Movements), the account as the unit.

    Classified by the movement engine's own SQL (``unit_rows.sql``, ``classify.sql``) with the
    stored settings (reactivation window), so it agrees with
    :func:`metrics.movements.account_movements` at account level.

    Returns:
        One row per month from the account's first month with MRR to ``as_of``'s month,
        oldest first: month (first day, ``datetime.date``), mrr (at the month end; the as-of
        month on ``as_of``), mrr_start (previous month's mrr), new, expansion, contraction,
        churn, reactivation (all reporting currency per month, ≥ 0;
        mrr_start + new + expansion + reactivation − contraction − churn = mrr). Empty for an
        unknown account or one that never paid.
    """
    settings = load_settings(con, MetricSettings)
    horizon = data_horizon(con)
    current = month_start(as_of)
    live_months, live_snaps = _live_snapshots(as_of, horizon)
    sql = (
        load_sql(__file__, "sql/account_mrr_history_head.sql")
        + load_sql(__file__, "sql/live_snaps.sql")
        + ",\n"
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/account_mrr_history.sql")
        + load_sql(__file__, "sql/unit_rows.sql")
        + ",\n"
        + load_sql(__file__, "sql/classify.sql")
        + load_sql(__file__, "sql/account_mrr_history_tail.sql")
    )
    frame = con.execute(
        sql,
        {
            "account_id": account_id,
            "as_of": as_of,
            "cur_month": current,
            "last_month": current,
            "horizon": horizon or date.min,
            "live_months": live_months,
            "live_snaps": live_snaps,
            "react_days": settings.reactivation_window_days,
            "reporting_currency": settings.reporting_currency,
            "deduct_discounts": settings.deduct_discounts,
        },
    ).df()
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    for column in MRR_HISTORY_COLUMNS[1:]:
        frame[column] = frame[column].astype(float)
    return frame


def account_usage(
    con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date, days: int = 180
) -> pd.DataFrame:
    """Daily usage of the account for the ``days`` days up to ``as_of``, with plan limits.

    Returns:
        One row per day, oldest first: date (``datetime.date``), active_users (people),
        events (count), features_used (count) — 0 on days without a usage row —,
        seats_purchased (today's ``accounts.seats_purchased``), seat_limit (seats of that
        day's plan), included_units_per_day (the plan's monthly included events / days in
        that month; NaN when no plan with limits was in force). The day's plan follows the
        upsell rule (docs/health.md). Empty for an unknown account.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if _account(con, account_id) is None:
        return _empty(USAGE_COLUMNS)
    frame = con.execute(
        load_sql(__file__, "sql/account_usage.sql"),
        {"account_id": account_id, "first_day": as_of - timedelta(days=days - 1),
         "as_of": as_of},
    ).df()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame["included_units_per_day"] = frame["included_units_per_day"].astype(float)
    return frame


# --- health breakdown ------------------------------------------------------------------------


def account_health_breakdown(
    con: duckdb.DuckDBPyConnection, *, account_id: str, as_of: date
) -> pd.DataFrame:
    """Each health component of the account on ``as_of``: score, weight, share and why.

    Contribution = wᵢ·sᵢ / Σ w over the components with data (METRICS.md, Health), 0 for a
    component without data, so the contributions add up to the health score (higher is
    healthier).

    Returns:
        One row per component, ordered by weight descending then component: component,
        score (0–100, NaN = no data), weight (the stored setting), contribution (score
        points), reason (plain words from the raw inputs, e.g. "12 of 40 seats active in the
        last 30 days (30 %)" or "no usage data in the last 60 days"). When the account is
        not scored (no recurring subscription in force) every score is NaN and the reason
        says so. Empty for an unknown account.
    """
    if _account(con, account_id) is None:
        return _empty(BREAKDOWN_COLUMNS)
    settings = load_settings(con, HealthSettings)
    currency = load_settings(con, MetricSettings).reporting_currency
    health = _health_rows(con, account_id=account_id, as_of=as_of, settings=settings)
    row = _row_on(health, month_start(as_of))
    weights = settings.weights.as_dict()
    scores = {name: _maybe(row, f"{name}_score") for name in COMPONENTS}
    with_data = [name for name in COMPONENTS if scores[name] is not None]
    weight_sum = sum(weights[name] for name in with_data)
    frame = pd.DataFrame(
        {
            "component": list(COMPONENTS),
            "score": [np.nan if scores[n] is None else float(scores[n]) for n in COMPONENTS],
            "weight": [weights[n] for n in COMPONENTS],
            "contribution": [
                weights[n] * scores[n] / weight_sum
                if scores[n] is not None and weight_sum > 0 else 0.0
                for n in COMPONENTS
            ],
            "reason": [
                _reason(n, row, as_of=as_of, currency=currency) for n in COMPONENTS
            ],
        }
    )
    frame = frame.sort_values(["weight", "component"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def _reason(name: str, row: Mapping[str, Any] | None, *, as_of: date, currency: str) -> str:
    """Plain words for one component, from the raw health inputs (docs/health.md)."""
    if row is None:
        return f"not scored: no subscription in force on {as_of:%Y-%m-%d}"

    def get(key: str) -> Any:
        return _maybe(row, key)

    if name in ("usage", "adoption", "engagement") and get("active_users_30d") is None:
        return "no usage data in the last 60 days"
    if name == "usage":
        seats = get("seats_purchased")
        users = int(get("active_users_30d"))
        if seats:
            parts = [f"{users} of {int(seats)} seats active in the last 30 days "
                     f"({_pct(100.0 * users / seats)})"]
        else:
            parts = [f"{users} active users at peak in the last 30 days; no seats purchased "
                     "on record"]
        now, before = int(get("events_30d")), int(get("events_prev_30d"))
        if get("usage_change_pct") is None:
            parts.append(f"{now:,} events in the last 30 days, none in the 30 before")
        else:
            parts.append(f"{now:,} events in the last 30 days vs {before:,} in the 30 before "
                         f"({_pct(get('usage_change_pct'), signed=True)})")
        return "; ".join(parts)
    if name == "adoption":
        most = int(get("features_used_30d"))
        return f"up to {most} feature{'' if most == 1 else 's'} used on one day in the last 30 days"
    if name == "engagement":
        last = get("last_active_on")
        if last is None:
            return "no active day in the last 60 days"
        days = int(get("days_since_activity"))
        when = "today" if days == 0 else "1 day ago" if days == 1 else f"{days} days ago"
        return f"last active {when} ({_as_date(last):%Y-%m-%d})"
    if name == "support":
        if get("open_high_priority_tickets") is None:
            return "no support tickets in the last 365 days"
        open_high = int(get("open_high_priority_tickets"))
        breaches = int(get("sla_breaches_90d"))
        csat = get("csat_90d")
        return "; ".join([
            f"{open_high} high-priority ticket{'' if open_high == 1 else 's'} open",
            f"{breaches} SLA breach{'' if breaches == 1 else 'es'} in the last 90 days",
            "no rated ticket in the last 90 days" if csat is None
            else f"CSAT {float(csat):.1f} of 5 in the last 90 days",
        ])
    if name == "sentiment":
        if get("latest_nps") is None:
            return "no NPS answer in the last 365 days"
        return f"latest NPS {int(get('latest_nps'))} on {_as_date(get('latest_nps_on')):%Y-%m-%d}"
    if name == "billing":
        if get("failed_payments_30d") is None:
            return "no billing events in the last 400 days"
        failed = int(get("failed_payments_30d"))
        card = get("card_expires_on")
        return "; ".join([
            f"{failed} failed payment{'' if failed == 1 else 's'} in the last 30 days",
            "dunning active" if get("dunning_active") else "no dunning active",
            f"card expires on {_as_date(card):%Y-%m-%d}" if get("card_expiring_30d") and card
            else "card not expiring within 30 days",
        ])
    # commercial
    if get("mrr_change_pct_3m") is None:
        return "no MRR three month ends ago"
    return (
        f"MRR {money(float(get('mrr') or 0.0), currency)} now vs "
        f"{money(float(get('mrr_3m_ago')), currency)} three month ends ago "
        f"({_pct(get('mrr_change_pct_3m'), signed=True)}); decreases over those months "
        f"{_pct(get('contraction_pct_3m'))} of that"
    )


def _pct(value: Any, *, signed: bool = False) -> str:
    """``30 %``, ``12.5 %``; ``signed`` adds ``+`` to a rise (a fall has its minus)."""
    number = round(float(value), 1)
    sign = "+" if signed and number > 0 else ""
    text = f"{number:.0f}" if number == int(number) else f"{number:.1f}"
    return f"{sign}{text} %"
