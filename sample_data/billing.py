"""Billing events: invoices and dunning in SQL, card expiries in numpy.

``billing.sql`` (see its header) turns every subscription row into one invoice per billing
period, with failed payments, dunning, recoveries, prorations (upgrades), credits
(immediate downgrades) and refunds (immediate cancellations and pauses), all decided by
``hash(seed, subscription_id, period)`` so DuckDB streams it. Python adds what does not follow
from invoices: card expiries and card updates, and the SLA credits from
:mod:`sample_data.engagement`.

Amount convention (billing_events has no currency column, so amounts are in the reporting
currency, USD, converted at the rate in force on the event's day): money received is
positive (invoice_paid), money given back is negative (refund, credit, proration credit);
payment_failed and dunning_notice carry the amount due (positive, informational); card
events and reinstated carry 0. ``card_expiring`` is dated on the card's expiry day, so for
accounts whose card expires within 30 days after as_of it lies in the future.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from sample_data import model as m
from sample_data.accounts import PAYMENT_FAILING, SCRIPTED, Accounts
from sample_data.dates import to_date
from sample_data.staging import register, to_arrow
from store.sql import load_sql

CARD_LIFE_DAYS = 1096
"""Cards are replaced about every three years."""
UPDATED_IN_TIME = 0.7


def billing_accounts(rng: np.random.Generator, accounts: Accounts) -> pd.DataFrame:
    """Per-account billing behaviour for ``billing.sql``.

    Columns: account_id, card_payer, fail_day (day number, -1 = none), fail_recovers (half
    of the forced failures are fixed, the scripted one always), random_failures.
    """
    scripted = accounts.cohort == SCRIPTED
    recovers = (rng.random(accounts.count) < 0.5) | scripted
    return pd.DataFrame(
        {
            "account_id": accounts.account_id,
            "card_payer": accounts.card_payer,
            "fail_day": accounts.fail_day,
            "fail_recovers": recovers & (accounts.fail_day >= 0),
            "random_failures": ~scripted & (accounts.cohort != PAYMENT_FAILING),
        }
    )


def card_events(
    rng: np.random.Generator, rows: pd.DataFrame, accounts: Accounts, as_of_day: int
) -> pd.DataFrame:
    """card_expiring on each expiry day of card payers while subscribed, plus card_updated.

    Past expiries: 70 % of customers update 1-20 days before, the rest 1-12 days after.
    Expiries in the 30 days after as_of are written without an update yet. At least
    ``max(2, 0.4 %)`` subscribed card payers get an expiry in that window.

    Columns: account_id, occurred_at, event_type, amount, currency.
    """
    plan_rows = rows[rows["kind"] == m.MAIN].reset_index(drop=True)
    n = accounts.count
    first = np.full(n, -1, dtype=np.int64)
    firsts = plan_rows.groupby("acc")["start"].min()
    first[firsts.index] = firsts.to_numpy()
    eligible = accounts.card_payer & (first >= 0) & (accounts.cohort != SCRIPTED)
    active_now = m.covering_rows(plan_rows, np.arange(n), np.full(n, as_of_day)) >= 0
    anchor = first + 60 + np.floor(rng.random(n) * (CARD_LIFE_DAYS - 60)).astype(np.int64)
    candidates = np.flatnonzero(eligible & active_now)
    forced_count = min(candidates.size, max(2, int(np.ceil(n * 0.004))))
    forced = rng.choice(candidates, size=forced_count, replace=False)
    anchor[forced] = as_of_day + 1 + rng.integers(0, 30, size=forced_count)

    acc = np.repeat(np.flatnonzero(eligible), 7)
    expiry = anchor[acc] + CARD_LIFE_DAYS * np.tile(np.arange(-3, 4), int(eligible.sum()))
    in_life = m.covering_rows(plan_rows, acc, np.minimum(expiry, as_of_day)) >= 0
    keep = (expiry > first[acc]) & (expiry <= as_of_day + 30) & in_life
    keep &= (expiry <= as_of_day) | active_now[acc]
    acc, expiry = acc[keep], expiry[keep]
    u = rng.random(size=(3, acc.size))
    updated = np.where(
        u[0] < UPDATED_IN_TIME,
        expiry - 1 - np.floor(u[1] * 20).astype(np.int64),
        expiry + 1 + np.floor(u[1] * 12).astype(np.int64),
    )
    has_update = (expiry <= as_of_day) & (updated <= as_of_day)
    minutes = 600 + np.floor(u[2] * 480).astype(np.int64)
    frames = [
        _events(accounts, acc, expiry, np.full(acc.size, 480), "card_expiring"),
        _events(
            accounts, acc[has_update], updated[has_update], minutes[has_update], "card_updated"
        ),
    ]
    return pd.concat(frames, ignore_index=True)


def _events(
    accounts: Accounts, acc: np.ndarray, day: np.ndarray, minute: np.ndarray, event_type: str
) -> pd.DataFrame:
    stamp = (day * 1440 + minute).astype("datetime64[m]").astype("datetime64[s]")
    return pd.DataFrame(
        {
            "account_id": accounts.account_id[acc],
            "occurred_at": stamp,
            "event_type": event_type,
            "amount": 0.0,
            "currency": "USD",
        }
    )


def insert_billing(
    con: duckdb.DuckDBPyConnection,
    billing_accounts_frame: pd.DataFrame,
    extra: pd.DataFrame,
    *,
    seed: int,
    as_of_day: int,
) -> None:
    """Write ``billing_events`` (needs ``_demo_subs`` registered and ``fx_rates`` filled)."""
    register(con, "_demo_billing_accounts", to_arrow(billing_accounts_frame, dates=("fail_day",)))
    register(con, "_demo_billing_extra", to_arrow(extra))
    as_of = to_date(as_of_day)
    con.execute(
        load_sql(__file__, "billing.sql"),
        {
            "seed": seed,
            "as_of": as_of,
            "cutoff": datetime.combine(as_of + timedelta(days=1), datetime.min.time()),
        },
    )
