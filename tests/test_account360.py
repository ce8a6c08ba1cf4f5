"""Account 360 on hand-typed fixtures and on the demo's lifecycle account (docs/health.md).

As of Saturday 2024-06-15 unless stated. Health windows as in tests/test_health.py: the last
30 days = 2024-05-17 .. 06-15, the 30 before = 04-17 .. 05-16; last month end = 2024-05-31
(last 30 days 05-02 .. 05-31, the 30 before 04-02 .. 05-01). Default settings: weights usage
30, sentiment 20, support 15, adoption 10, billing 10, engagement 10, commercial 5; seat
utilisation 30 → 80 %, usage change −25 → 0 %, features 1 → 5, days since activity 30 → 3.
Reporting currency USD. Plans listed in `plans`: Starter (10,000 events a month, 100 seats)
and Scale (60,000 events, 500 seats).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from metrics.account360 import (
    BREAKDOWN_COLUMNS,
    MRR_HISTORY_COLUMNS,
    SUBSCRIPTION_EVENTS,
    TIMELINE_COLUMNS,
    TIMELINE_KINDS,
    USAGE_COLUMNS,
    account_header,
    account_health_breakdown,
    account_mrr_history,
    account_timeline,
    account_usage,
)
from metrics.movements import account_movements
from sample_data.dates import day_number, to_date
from sample_data.demo import build_demo_database
from sample_data.lifecycle_account import LIFECYCLE_ACCOUNT_ID, lifecycle_dates
from store.db import open_database
from tests.conftest import load_rows, sub

AS_OF = date(2024, 6, 15)
START = date(2024, 1, 1)
D = date


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


# --- extra insert helpers (conftest's load_rows covers accounts and subscriptions) -------------

def add_usage(con, rows):
    """rows: (account_id, day, active_users, events, features_used)."""
    con.executemany("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?)", list(rows))


def add_billing(con, rows):
    """rows: (account_id, occurred_at, event_type, amount)."""
    con.executemany("INSERT INTO billing_events VALUES (?, ?, ?, ?)", list(rows))


def add_tickets(con, rows):
    """rows: (ticket_id, account_id, opened_at, closed_at, priority, sla_breached, csat)."""
    con.executemany("INSERT INTO support_tickets VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))


def add_nps(con, rows):
    """rows: (account_id, responded_at, score, comment)."""
    con.executemany("INSERT INTO nps_responses VALUES (?, ?, ?, ?)", list(rows))


def add_notes(con, rows):
    """rows: (account_id, renewal_date, status, note, next_step, changed_by, changed_at)."""
    con.executemany("INSERT INTO renewal_work VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))


# --- the fixture ---------------------------------------------------------------------------

ACCOUNTS = [
    ("HDR", "Header Co", "SMB", "EU", "Ann", "PARENT"),
    ("BRK", "Breakdown Co", "SMB", "EU", "Ann"),
    ("TNEW", "New Co", "SMB", "EU", "Bob"),
    ("TUP", "Up Co", "SMB", "EU", "Bob"),
    ("TDOWN", "Down Co", "SMB", "EU", "Bob"),
    ("TPAUSE", "Pause Co", "SMB", "EU", "Bob"),
    ("TCANCEL", "Cancel Co", "SMB", "EU", "Bob"),
    ("TADDON", "Add-on Co", "SMB", "EU", "Bob"),
    ("TTRIAL", "Trial Co", "SMB", "EU", "Bob"),
    ("TLAPSE", "Lapsed trial Co", "SMB", "EU", "Bob"),
    ("TRENEW", "Renew Co", "SMB", "EU", "Bob"),
    ("TADD", "Second sub Co", "SMB", "EU", "Bob"),
    ("TFUT", "Future Co", "SMB", "EU", "Bob"),
    ("TUSE", "Usage Co", "SMB", "EU", "Bob"),
    ("GONE", "Gone Co", "SMB", "EU", "Bob"),
]
SUBS = [
    # HDR: Basic 2 × 100 a month and Pro 1,200 a year (100 a month) renewing 2025-01-01.
    sub("HDR-1", "HDR", D(2023, 1, 1), amount=100, quantity=2, plan="Basic"),
    sub("HDR-2", "HDR", START, amount=1200, period="year", plan="Pro",
        term_end=D(2025, 1, 1)),
    sub("BRK-1", "BRK", D(2023, 1, 1), amount=100, plan="Basic"),
    sub("TNEW-1", "TNEW", D(2024, 2, 1), amount=100, plan="Basic"),
    # Basic → Pro on the day Basic ends.
    sub("TUP-1", "TUP", START, D(2024, 3, 1), amount=100, plan="Basic"),
    sub("TUP-2", "TUP", D(2024, 3, 1), amount=300, plan="Pro"),
    # Pro → Basic one day after Pro ends (still a replacement).
    sub("TDOWN-1", "TDOWN", START, D(2024, 4, 1), amount=300, plan="Pro"),
    sub("TDOWN-2", "TDOWN", D(2024, 4, 2), amount=100, plan="Basic"),
    # Paused on 03-10 with a refund, back on 04-20 (41 days later).
    sub("TPAUSE-1", "TPAUSE", START, D(2024, 3, 10), amount=100, plan="Basic", status="paused"),
    sub("TPAUSE-2", "TPAUSE", D(2024, 4, 20), amount=100, plan="Basic"),
    sub("TCANCEL-1", "TCANCEL", START, D(2024, 5, 1), amount=100, plan="Basic"),
    sub("TADDON-1", "TADDON", START, amount=100, plan="Basic"),
    sub("TADDON-2", "TADDON", D(2024, 5, 16), amount=900, plan="Workshop",
        charge_type="one_time"),
    # A Pro trial converting on 05-15, and one lapsing without converting.
    sub("TTRIAL-1", "TTRIAL", D(2024, 5, 1), D(2024, 5, 15), amount=500, plan="Pro",
        status="trial"),
    sub("TTRIAL-2", "TTRIAL", D(2024, 5, 15), amount=300, plan="Pro"),
    sub("TLAPSE-1", "TLAPSE", D(2024, 5, 1), D(2024, 5, 15), amount=500, plan="Pro",
        status="trial"),
    # A yearly term renewed at +5 %.
    sub("TRENEW-1", "TRENEW", D(2023, 6, 1), D(2024, 6, 1), amount=1200, period="year",
        plan="Pro", term_end=D(2024, 6, 1)),
    sub("TRENEW-2", "TRENEW", D(2024, 6, 1), amount=1260, period="year", plan="Pro",
        term_end=D(2025, 6, 1)),
    # A second subscription added next to Basic, then removed.
    sub("TADD-1", "TADD", START, amount=100, plan="Basic"),
    sub("TADD-2", "TADD", D(2024, 3, 1), D(2024, 5, 1), amount=50, plan="Support"),
    # Ends after as-of, and a row starting after as-of: neither shows yet.
    sub("TFUT-1", "TFUT", START, D(2024, 7, 1), amount=100, plan="Basic"),
    sub("TFUT-2", "TFUT", D(2024, 7, 1), amount=300, plan="Pro"),
    # Starter until 06-10, then Scale.
    sub("TUSE-1", "TUSE", START, D(2024, 6, 10), amount=100, plan="Starter"),
    sub("TUSE-2", "TUSE", D(2024, 6, 10), amount=300, plan="Scale"),
    sub("GONE-1", "GONE", START, D(2024, 3, 1), amount=100, plan="Basic"),
]


def build(con) -> None:
    load_rows(con, accounts=ACCOUNTS, subscriptions=SUBS)
    con.execute("INSERT INTO plans VALUES ('Starter', 10000, 100), ('Scale', 60000, 500)")
    con.execute(
        "UPDATE accounts SET industry = 'Retail', seats_purchased = 20, referenceable = true "
        "WHERE account_id = 'HDR'"
    )
    con.execute("UPDATE accounts SET seats_purchased = 30 WHERE account_id = 'TUSE'")
    add_usage(con, [
        # HDR: peak 8 users now (4 in early May), 100 events in each 30-day window, 3 features.
        ("HDR", D(2024, 6, 15), 8, 100, 3),
        ("HDR", D(2024, 5, 10), 4, 100, 3),
        ("TUSE", D(2024, 6, 14), 5, 300, 2),
        ("TUSE", D(2024, 5, 1), 9, 999, 4),  # before the 7-day window asked for
    ])
    add_tickets(con, [
        ("T1", "TNEW", at(D(2024, 6, 1), 10), at(D(2024, 6, 1), 15, 30), "high", False, 5),
        ("B1", "BRK", at(D(2024, 6, 10)), None, "high", False, None),
        ("B2", "BRK", at(D(2024, 5, 1)), at(D(2024, 5, 2)), "normal", True, 4),
    ])
    add_nps(con, [
        ("TNEW", at(D(2024, 6, 5), 9), 10, "Great"),
        ("BRK", at(D(2024, 6, 1)), 8, None),
    ])
    add_billing(con, [
        ("TPAUSE", at(D(2024, 3, 10), 11), "refund", -100.0),
        ("BRK", at(D(2024, 6, 5)), "payment_failed", 100.0),
        ("BRK", at(D(2024, 7, 1), 8), "card_expiring", 0.0),  # dated on the expiry day
        ("TUP", at(D(2024, 3, 1), 10), "proration", -40.0),
    ])
    add_notes(con, [
        ("TNEW", D(2024, 12, 1), "contacted", "Spoke to the CFO", "Send the proposal",
         "ann@example.com", at(D(2024, 6, 10), 9, 30)),
        ("TNEW", D(2024, 12, 1), "proposal sent", "After as-of", None, "ann@example.com",
         at(D(2024, 6, 20))),
    ])


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = open_database(tmp_path_factory.mktemp("account360") / "a360.duckdb")
    build(connection)
    yield connection
    connection.close()


# --- header --------------------------------------------------------------------------------

# HDR now: usage = mean(seats 8/20 = 40 % → 20, change 0 % → 100) = 60; adoption 3 features
# → 50; engagement active today → 100; commercial flat MRR → 100; no support, sentiment or
# billing data. Score = (30·60 + 10·50 + 10·100 + 5·100) / 55 = 3800/55 = 69.09 (yellow).
# On 2024-05-31: usage = seats 4/20 = 20 % → 0 (no events in the 30 days before: no change
# input); adoption 50; engagement 21 days → (21 − 30)/(3 − 30) = 33.33; commercial 100.
# Score = (0 + 500 + 333.33 + 500) / 55 = 4000/165 = 24.24. Change = 7400/165 = 44.85.
HDR_SCORE = 3800 / 55
HDR_SCORE_MAY = 4000 / 165


def test_header_gives_who_what_and_where_the_account_stands(con):
    header = account_header(con, account_id="HDR", as_of=AS_OF)
    expected = {
        "account_id": "HDR",
        "name": "Header Co",
        "segment": "SMB",
        "industry": "Retail",
        "region": "EU",
        "csm_owner": "Ann",
        "parent_account_id": "PARENT",
        "plan": "Basic",            # 2 × 100 beats Pro's 1,200 / 12
        "mrr": 300.0,
        "arr": 3600.0,
        "renewal_date": D(2025, 1, 1),
        "days_to_renewal": 200,     # 2024-06-15 → 2025-01-01
        "health_score": pytest.approx(HDR_SCORE),
        "band": "yellow",
        "health_change": pytest.approx(HDR_SCORE - HDR_SCORE_MAY),
        "seats_purchased": 20,
        "active_users_30d": 8,
        "referenceable": True,
        "missing_components": ["support", "sentiment", "billing"],
    }
    assert header == expected
    assert list(header) == list(expected)


def test_header_of_an_account_not_in_force_has_no_score_and_lists_every_component(con):
    header = account_header(con, account_id="GONE", as_of=AS_OF)
    assert (header["plan"], header["mrr"], header["renewal_date"], header["health_score"],
            header["band"], header["health_change"], header["active_users_30d"]) == (
        None, 0.0, None, None, None, None, None)
    assert header["missing_components"] == [
        "usage", "adoption", "engagement", "support", "sentiment", "billing", "commercial"]
    assert header["parent_account_id"] is None and header["referenceable"] is False


def test_header_renewal_date_counts_a_term_ending_on_the_as_of_date(con):
    # TRENEW-2 runs to term_end 2025-06-01; on that day it is still in force.
    header = account_header(con, account_id="TRENEW", as_of=D(2025, 5, 31))
    assert (header["renewal_date"], header["days_to_renewal"]) == (D(2025, 6, 1), 1)


def test_unknown_account_gives_none_and_empty_frames(con):
    assert account_header(con, account_id="NOPE", as_of=AS_OF) is None
    for function, columns in (
        (account_timeline, TIMELINE_COLUMNS),
        (account_mrr_history, MRR_HISTORY_COLUMNS),
        (account_usage, USAGE_COLUMNS),
        (account_health_breakdown, BREAKDOWN_COLUMNS),
    ):
        frame = function(con, account_id="NOPE", as_of=AS_OF)
        assert frame.empty and list(frame.columns) == list(columns), function.__name__


# --- timeline ------------------------------------------------------------------------------

def subscription_events(con, account_id: str) -> list[tuple]:
    frame = account_timeline(con, account_id=account_id, as_of=AS_OF)
    rows = frame.loc[frame["kind"] == "subscription"].iloc[::-1]  # oldest first
    return [(r.occurred_on, r.event, r.title, None if np.isnan(r.amount) else r.amount)
            for r in rows.itertuples()]


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        ("TNEW", [(D(2024, 2, 1), "new", "New customer on Basic monthly", 100.0)]),
        ("TUP", [(START, "new", "New customer on Basic monthly", 100.0),
                 (D(2024, 3, 1), "upgrade", "Upgraded Basic → Pro monthly", 200.0)]),
        ("TDOWN", [(START, "new", "New customer on Pro monthly", 300.0),
                   (D(2024, 4, 2), "downgrade", "Downgraded Pro → Basic monthly", -200.0)]),
        ("TPAUSE", [(START, "new", "New customer on Basic monthly", 100.0),
                    (D(2024, 3, 10), "pause", "Paused", -100.0),
                    (D(2024, 4, 20), "reactivation", "Reactivated on Basic monthly", 100.0)]),
        ("TCANCEL", [(START, "new", "New customer on Basic monthly", 100.0),
                     (D(2024, 5, 1), "cancellation", "Cancelled", -100.0)]),
        ("TADDON", [(START, "new", "New customer on Basic monthly", 100.0),
                    (D(2024, 5, 16), "add_on", "Bought Workshop (one-time)", 900.0)]),
        ("TTRIAL", [(D(2024, 5, 1), "trial", "Started a Pro trial", None),
                    (D(2024, 5, 15), "new", "New customer on Pro monthly", 300.0)]),
        ("TLAPSE", [(D(2024, 5, 1), "trial", "Started a Pro trial", None),
                    (D(2024, 5, 15), "trial", "Pro trial ended", None)]),
        ("TRENEW", [(D(2023, 6, 1), "new", "New customer on Pro annual", 100.0),
                    (D(2024, 6, 1), "renewal", "Renewed Pro annual", 5.0)]),
        ("TADD", [(START, "new", "New customer on Basic monthly", 100.0),
                  (D(2024, 3, 1), "upgrade", "Added Support monthly", 50.0),
                  (D(2024, 5, 1), "downgrade", "Removed Support monthly", -50.0)]),
        ("TFUT", [(START, "new", "New customer on Basic monthly", 100.0)]),
    ],
)
def test_timeline_classifies_each_subscription_change(con, account_id, expected):
    assert subscription_events(con, account_id) == expected


def test_timeline_details_carry_the_evidence(con):
    def detail(account_id: str, event: str) -> str:
        frame = account_timeline(con, account_id=account_id, as_of=AS_OF)
        return frame.loc[frame["event"] == event, "detail"].item()

    assert detail("TPAUSE", "pause") == (
        "Basic monthly, 1 seat, ended; MRR $100.00 → $0.00; subscription TPAUSE-1; "
        "refund of $100.00 the same day")
    assert detail("TPAUSE", "reactivation") == (
        "Back after 41 days; MRR $100.00; 1 seat; subscription TPAUSE-2")
    assert detail("TUP", "upgrade") == (
        "MRR $100.00 → $300.00; 1 seat; subscription TUP-2; prorated credit of $40.00 the "
        "same day")
    assert detail("TTRIAL", "new") == (
        "First paid subscription after a trial; MRR $300.00; 1 seat; subscription TTRIAL-2")
    lapsed = account_timeline(con, account_id="TLAPSE", as_of=AS_OF)
    assert lapsed["detail"].tolist() == [
        "Ended without converting to a paid plan; subscription TLAPSE-1",
        "1 seat; subscription TLAPSE-1",
    ]
    assert detail("TRENEW", "renewal") == (
        "MRR $100.00 → $105.00; 1 seat; subscription TRENEW-2")


def test_timeline_of_one_account_lists_every_kind_newest_first(con):
    got = account_timeline(con, account_id="TNEW", as_of=AS_OF)
    expected = pd.DataFrame(
        [
            (D(2024, 6, 10), "note", "contacted", "Renewal 2024-12-01: contacted",
             "Spoke to the CFO; Next step: Send the proposal; by ann@example.com", np.nan),
            (D(2024, 6, 5), "moment", "nps_promoter", "NPS promoter: ask for a reference",
             'NPS 10 on 2024-06-05. Comment: "Great" Next step: Ask for a reference, review '
             "or case study while the goodwill is fresh. (severity low)", 1200.0),
            (D(2024, 6, 5), "nps", "nps_response", "NPS 10 (promoter)", '"Great"', np.nan),
            (D(2024, 6, 1), "ticket", "ticket_closed", "High-priority ticket closed",
             "Ticket T1; open 5.5 hours; CSAT 5 of 5", np.nan),
            (D(2024, 6, 1), "ticket", "ticket_opened", "High-priority ticket opened",
             "Ticket T1", np.nan),
            (D(2024, 2, 1), "subscription", "new", "New customer on Basic monthly",
             "First paid subscription; MRR $100.00; 1 seat; subscription TNEW-1", 100.0),
        ],
        columns=list(TIMELINE_COLUMNS),
    )
    assert_frame_equal(got, expected, check_dtype=False)
    assert got["amount"].dtype == np.float64


def test_a_renewal_work_change_appears_as_a_note_only_once_it_happened(con):
    later = account_timeline(con, account_id="TNEW", as_of=D(2024, 6, 20))
    notes = later.loc[later["kind"] == "note", ["occurred_on", "event", "title", "detail"]]
    assert notes.values.tolist() == [
        [D(2024, 6, 20), "proposal sent", "Renewal 2024-12-01: proposal sent",
         "After as-of; by ann@example.com"],
        [D(2024, 6, 10), "contacted", "Renewal 2024-12-01: contacted",
         "Spoke to the CFO; Next step: Send the proposal; by ann@example.com"],
    ]


def test_timeline_billing_rows_keep_their_amounts_and_leave_out_future_card_expiries(con):
    got = account_timeline(con, account_id="BRK", as_of=AS_OF)
    billing = got.loc[got["kind"] == "billing", ["occurred_on", "event", "title", "amount"]]
    assert billing.values.tolist() == [[D(2024, 6, 5), "payment_failed", "Payment failed", 100.0]]
    refund = account_timeline(con, account_id="TPAUSE", as_of=AS_OF)
    assert refund.loc[refund["kind"] == "billing", ["title", "amount"]].values.tolist() == [
        ["Refund of $100.00", -100.0]]


def test_timeline_uses_only_the_documented_kinds_and_subscription_events(con):
    for account_id, *_ in ACCOUNTS:
        frame = account_timeline(con, account_id=account_id, as_of=AS_OF)
        assert set(frame["kind"]) <= set(TIMELINE_KINDS)
        subs = frame.loc[frame["kind"] == "subscription", "event"]
        assert set(subs) <= set(SUBSCRIPTION_EVENTS)
        assert (frame["occurred_on"] <= AS_OF).all()
        days = [d.toordinal() for d in frame["occurred_on"]]
        assert days == sorted(days, reverse=True), account_id


# --- MRR history ---------------------------------------------------------------------------

def test_mrr_history_is_the_accounts_own_bridge(con):
    got = account_mrr_history(con, account_id="TPAUSE", as_of=AS_OF)
    # Month ends: Jan 100, Feb 100, Mar 0 (paused on the 10th), Apr 100 (back on the 20th),
    # May 100, Jun 15 100.
    expected = pd.DataFrame(
        {
            "month": [D(2024, m, 1) for m in range(1, 7)],
            "mrr": [100.0, 100.0, 0.0, 100.0, 100.0, 100.0],
            "mrr_start": [0.0, 100.0, 100.0, 0.0, 100.0, 100.0],
            "new": [100.0, 0, 0, 0, 0, 0],
            "expansion": [0.0] * 6,
            "contraction": [0.0] * 6,
            "churn": [0.0, 0, 100.0, 0, 0, 0],
            "reactivation": [0.0, 0, 0, 100.0, 0, 0],
        }
    )
    assert_frame_equal(got, expected)
    up = account_mrr_history(con, account_id="TUP", as_of=AS_OF)
    assert up[["month", "mrr", "expansion"]].values.tolist()[:3] == [
        [D(2024, 1, 1), 100.0, 0.0], [D(2024, 2, 1), 100.0, 0.0], [D(2024, 3, 1), 300.0, 200.0]]


def test_mrr_history_of_a_trial_that_never_paid_is_empty(con):
    got = account_mrr_history(con, account_id="TLAPSE", as_of=AS_OF)
    assert got.empty and list(got.columns) == list(MRR_HISTORY_COLUMNS)


# --- usage ---------------------------------------------------------------------------------

def test_usage_gives_every_day_with_the_plan_limits_of_that_day(con):
    got = account_usage(con, account_id="TUSE", as_of=AS_OF, days=7)
    # Starter until 06-09 (10,000 a month / 30 days in June), Scale from 06-10 (60,000 / 30).
    days = [D(2024, 6, d) for d in range(9, 16)]
    expected = pd.DataFrame(
        {
            "date": days,
            "active_users": [0, 0, 0, 0, 0, 5, 0],
            "events": [0, 0, 0, 0, 0, 300, 0],
            "features_used": [0, 0, 0, 0, 0, 2, 0],
            "seats_purchased": [30] * 7,
            "seat_limit": [100, 500, 500, 500, 500, 500, 500],
            "included_units_per_day": [10000 / 30] + [2000.0] * 6,
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    assert list(got.columns) == list(USAGE_COLUMNS)


def test_usage_has_no_limit_on_days_without_a_listed_plan(con):
    got = account_usage(con, account_id="HDR", as_of=AS_OF, days=2)
    assert got["included_units_per_day"].isna().all() and got["seat_limit"].isna().all()
    assert got["active_users"].tolist() == [0, 8]
    assert len(account_usage(con, account_id="HDR", as_of=AS_OF)) == 180


# --- health breakdown ----------------------------------------------------------------------

def test_breakdown_gives_scores_weights_contributions_and_reasons(con):
    got = account_health_breakdown(con, account_id="HDR", as_of=AS_OF)
    expected = pd.DataFrame(
        [
            ("usage", 60.0, 30.0, 30 * 60 / 55,
             "8 of 20 seats active in the last 30 days (40 %); 100 events in the last 30 days "
             "vs 100 in the 30 before (0 %)"),
            ("sentiment", np.nan, 20.0, 0.0, "no NPS answer in the last 365 days"),
            ("support", np.nan, 15.0, 0.0, "no support tickets in the last 365 days"),
            ("adoption", 50.0, 10.0, 10 * 50 / 55,
             "up to 3 features used on one day in the last 30 days"),
            ("billing", np.nan, 10.0, 0.0, "no billing events in the last 400 days"),
            ("engagement", 100.0, 10.0, 10 * 100 / 55, "last active today (2024-06-15)"),
            ("commercial", 100.0, 5.0, 5 * 100 / 55,
             "MRR $300.00 now vs $300.00 three month ends ago (0 %); decreases over those "
             "months 0 % of that"),
        ],
        columns=list(BREAKDOWN_COLUMNS),
    )
    assert_frame_equal(got, expected)
    header = account_header(con, account_id="HDR", as_of=AS_OF)
    assert got["contribution"].sum() == pytest.approx(header["health_score"])


def test_breakdown_reasons_for_support_sentiment_and_billing(con):
    got = account_health_breakdown(con, account_id="BRK", as_of=AS_OF).set_index("component")
    # support: 1 open high ticket (3 → 0: 66.7), 1 breach (66.7), CSAT 4 (3 → 4.5: 66.7);
    # sentiment: NPS 8 (6 → 9: 66.7); billing: 1 failure (2 → 0: 50), dunning 0, card 0.
    assert got.loc["support", "reason"] == (
        "1 high-priority ticket open; 1 SLA breach in the last 90 days; CSAT 4.0 of 5 in the "
        "last 90 days")
    assert got.loc["sentiment", "reason"] == "latest NPS 8 on 2024-06-01"
    assert got.loc["billing", "reason"] == (
        "1 failed payment in the last 30 days; dunning active; card expires on 2024-07-01")
    assert got.loc["support", "score"] == pytest.approx(200 / 3)
    assert got.loc["sentiment", "score"] == pytest.approx(200 / 3)
    assert got.loc["billing", "score"] == pytest.approx(50 / 3)
    assert got.loc["usage", "reason"] == "no usage data in the last 60 days"
    header = account_header(con, account_id="BRK", as_of=AS_OF)
    assert got["contribution"].sum() == pytest.approx(header["health_score"])


def test_breakdown_of_an_account_not_in_force_says_why(con):
    got = account_health_breakdown(con, account_id="GONE", as_of=AS_OF)
    assert got["score"].isna().all() and (got["contribution"] == 0).all()
    assert set(got["reason"]) == {"not scored: no subscription in force on 2024-06-15"}


# --- the demo's lifecycle account ----------------------------------------------------------

DEMO_AS_OF = D(2026, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo360") / "demo.duckdb"
    build_demo_database(path, accounts=60, seed=3, as_of=DEMO_AS_OF)
    return path


STORY = [
    ("billing", "payment_failed"),
    ("billing", "dunning_notice"),
    ("billing", "card_updated"),
    ("billing", "reinstated"),
    ("subscription", "pause"),
    ("billing", "refund"),
    ("subscription", "reactivation"),
    ("subscription", "upgrade"),
    ("billing", "proration"),
    ("subscription", "add_on"),
]


def test_lifecycle_account_tells_its_story_in_order_on_the_timeline(demo):
    con = open_database(demo)
    try:
        timeline = account_timeline(con, account_id=LIFECYCLE_ACCOUNT_ID, as_of=DEMO_AS_OF)
    finally:
        con.close()
    oldest_first = timeline.iloc[::-1]
    story = oldest_first.loc[
        [(k, e) in STORY for k, e in zip(oldest_first["kind"], oldest_first["event"],
                                         strict=True)]
    ]
    assert list(zip(story["kind"], story["event"], strict=True)) == STORY
    on = dict(zip(story["event"], story["occurred_on"], strict=True))
    d = {k: to_date(v) for k, v in lifecycle_dates(day_number(DEMO_AS_OF)).items()}
    assert on["payment_failed"] == d["payment_failed"]
    assert on["pause"] == on["refund"] == d["paused"]
    assert on["reactivation"] == d["returned"]
    assert on["upgrade"] == on["proration"] == d["upgraded"]
    assert on["add_on"] == d["add_on"]
    row = story.set_index("event")
    assert row.loc["upgrade", "title"] == "Upgraded Growth → Pro annual"
    assert row.loc["pause", "title"] == "Paused"
    assert row.loc["refund", "title"] == "Refund of $232.00"
    assert row.loc["proration", "amount"] < 0
    assert "prorated credit of $" in row.loc["upgrade", "detail"]
    assert "refund of $232.00 the same day" in row.loc["pause", "detail"]
    assert row.loc["add_on", "title"] == "Bought Training Workshop (one-time)"
    assert oldest_first["event"].iloc[0] == "new"  # the signup comes first


def test_mrr_history_agrees_with_the_movement_engine_on_the_demo(demo):
    con = open_database(demo)
    try:
        engine = account_movements(con, as_of=DEMO_AS_OF)
        for account_id in sorted(engine["unit_id"].unique()):
            got = account_mrr_history(con, account_id=account_id, as_of=DEMO_AS_OF)
            mine = got.loc[(got["mrr"] > 0) | (got["mrr_start"] > 0)].reset_index(drop=True)
            theirs = engine.loc[engine["unit_id"] == account_id].reset_index(drop=True)
            assert mine["month"].tolist() == theirs["month"].tolist(), account_id
            for column in ("mrr_start", "new", "expansion", "contraction", "churn",
                           "reactivation"):
                assert mine[column].tolist() == pytest.approx(theirs[column].tolist()), column
            assert mine["mrr"].tolist() == pytest.approx(theirs["mrr_end"].tolist())
            bridge = (got["mrr_start"] + got["new"] + got["expansion"] + got["reactivation"]
                      - got["contraction"] - got["churn"])
            assert bridge.tolist() == pytest.approx(got["mrr"].tolist())
    finally:
        con.close()


def test_breakdown_adds_up_to_the_header_score_for_every_demo_account(demo):
    con = open_database(demo)
    try:
        ids = [r[0] for r in con.execute(
            "SELECT account_id FROM accounts ORDER BY account_id LIMIT 15").fetchall()]
        for account_id in [*ids, LIFECYCLE_ACCOUNT_ID]:
            header = account_header(con, account_id=account_id, as_of=DEMO_AS_OF)
            breakdown = account_health_breakdown(con, account_id=account_id, as_of=DEMO_AS_OF)
            if header["health_score"] is None:
                assert (breakdown["contribution"] == 0).all()
            else:
                assert breakdown["contribution"].sum() == pytest.approx(header["health_score"])
    finally:
        con.close()
