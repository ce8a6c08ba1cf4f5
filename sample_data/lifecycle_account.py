"""The scripted demo account ``acct_lifecycle`` ("Brightpath Studio") and its story.

Every date is relative to ``as_of`` (A), so the story always sits in the last eight months:

=====================  ==========================================  ===========================
when                   what happens                                data
=====================  ==========================================  ===========================
S = A - 235 days       signs up: Growth, monthly, 8 seats, USD     subscription 1 starts,
                       (232.00 a month)                            invoice_paid each month
F = S + 2 months       third monthly charge fails; dunning e-mail  payment_failed (F),
                       two days later; customer updates the card   dunning_notice (F+2),
                       3-6 days after F; account reinstated and     card_updated, reinstated,
                       the invoice paid minutes later               invoice_paid (same day)
P = S + 4 months + 10  pauses mid-period: subscription 1 ends,     end_date P, status
                       the current month's charge is refunded;     'paused'; refund -232.00
                       no subscription and no usage until R        at P
R = P + 45 days        returns on a new billing anchor (moved one  subscription 2: Growth
                       more day if R fell on S's day of month)      monthly from R
U = R + 5 days         upgrades to Pro, annual, 10 seats           subscription 2 ends U,
                       (12 % prepay discount), term_end U + 1 year  'cancelled'; subscription
                                                                   3 starts U; proration =
                                                                   -232 x unused share of the
                                                                   month R..R+1m; invoice_paid
                                                                   for the year
T = U + 10 days        buys the one-time Training Workshop (900)   subscription 4, one_time,
                                                                   billing_period 'month'
=====================  ==========================================  ===========================

With A = 2026-06-30: S = 2025-11-07, F = 2026-01-07, P = 2026-03-17, R = 2026-05-01,
U = 2026-05-06, T = 2026-05-16. Its billing events are produced by the same SQL as every other
account's (:mod:`sample_data.billing`), from the rows below plus its forced failed invoice;
only its support tickets and survey answers are written out here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import catalog as cat
from sample_data import model as m
from sample_data.dates import add_months, day_of_month, to_date

LIFECYCLE_ACCOUNT_ID = "acct_lifecycle"
LIFECYCLE_NAME = "Brightpath Studio"
SEATS_MONTHLY = 8
SEATS_ANNUAL = 10


def lifecycle_dates(as_of_day: int) -> dict[str, int]:
    """The story's day numbers (see the module docstring)."""
    signup = as_of_day - 235
    failed = int(add_months(np.array([signup]), 2)[0])
    paused = int(add_months(np.array([signup]), 4)[0]) + 10
    returned = paused + 45
    if day_of_month(np.array([returned]))[0] == day_of_month(np.array([signup]))[0]:
        returned += 1
    upgraded = returned + 5
    return {
        "signup": signup,
        "payment_failed": failed,
        "paused": paused,
        "returned": returned,
        "upgraded": upgraded,
        "add_on": upgraded + 10,
    }


def lifecycle_rows(acc: int, as_of_day: int) -> pd.DataFrame:
    """The account's four subscription rows in the generator's row frame."""
    d = lifecycle_dates(as_of_day)
    growth, pro = cat.PLANS.index("Growth"), cat.PLANS.index("Pro")
    year = cat.BILLING_PERIODS.index("year")
    usd = cat.PRICE_BOOK[0]
    return m.row_frame(
        {
            "acc": [acc] * 4,
            "kind": [m.MAIN, m.MAIN, m.MAIN, m.ONE_TIME],
            "plan": ["Growth", "Growth", "Pro", cat.TRAINING],
            "tier": [growth, growth, pro, -1],
            "billing": [0, 0, year, 0],
            "seats": [SEATS_MONTHLY, SEATS_MONTHLY, SEATS_ANNUAL, 1],
            "unit_amount": [usd[growth], usd[growth], usd[pro] * 12, cat.TRAINING_PRICE[0]],
            "discount": [0.0, 0.0, cat.PREPAY_DISCOUNT[year], 0.0],
            "start": [d["signup"], d["returned"], d["upgraded"], d["add_on"]],
            "end": [d["paused"], d["upgraded"], m.OPEN, m.OPEN],
            "reason": [m.PAUSE, m.UPGRADE, m.ONGOING, m.ONGOING],
            "immediate": [True, False, False, False],
            "involuntary": [False] * 4,
            "life_start": [True, True, False, False],
        }
    )


def _at(day: int, hour: int, minute: int) -> pd.Timestamp:
    return pd.Timestamp(to_date(day)) + pd.Timedelta(hours=hour, minutes=minute)


def lifecycle_tickets(as_of_day: int) -> pd.DataFrame:
    """Support tickets: the failed payment, the pause request, a question after the upgrade.

    Columns: account_id, opened_at, closed_at, priority, sla_breached, csat.
    """
    d = lifecycle_dates(as_of_day)
    rows = [
        (_at(d["payment_failed"] + 1, 10, 15), _at(d["payment_failed"] + 1, 14, 40), "high", 4),
        (_at(d["paused"] - 2, 16, 5), _at(d["paused"] - 1, 9, 30), "low", 5),
        (_at(d["upgraded"] + 2, 11, 0), _at(d["upgraded"] + 3, 10, 0), "normal", 5),
    ]
    return pd.DataFrame(
        {
            "account_id": LIFECYCLE_ACCOUNT_ID,
            "opened_at": [r[0] for r in rows],
            "closed_at": [r[1] for r in rows],
            "priority": [r[2] for r in rows],
            "sla_breached": False,
            "csat": [r[3] for r in rows],
        }
    )


def lifecycle_nps(as_of_day: int) -> pd.DataFrame:
    """Two survey answers: lukewarm before the pause, a promoter after the return.

    Columns: account_id, responded_at, score, comment.
    """
    d = lifecycle_dates(as_of_day)
    return pd.DataFrame(
        {
            "account_id": LIFECYCLE_ACCOUNT_ID,
            "responded_at": [_at(d["signup"] + 60, 12, 30), _at(d["returned"] + 30, 9, 45)],
            "score": [7, 9],
            "comment": [
                "Good product, pricing is getting steep.",
                "Coming back after the break was painless; the annual plan makes sense now.",
            ],
        }
    )
