"""Lifecycle KPIs (docs/lifecycle.md) on a hand-typed book, every number worked by hand.

As of 2024-07-15, window 365 days: 2023-07-17 … 2024-07-15 (whole days). Expansion window:
the 12 months Aug 2023 … Jul 2024, base day 2023-07-31. Monthly subscriptions on plan Gold
unless stated (sub() in tests/conftest.py); amounts in USD, the reporting currency.

=====  ==========  =====  =====  ==========  =============================================
id     segment     seats  ref.   created     subscriptions
=====  ==========  =====  =====  ==========  =============================================
A      SMB         10     yes    2023-08-20  trial 2023-09-01…09-15; 100 from 2023-09-15;
                                             Silver 50 from 2024-03-01
B      Enterprise  4      no     –           300 from 2023-01-01; 100 more from 2024-04-05
C      SMB         5      no     –           200 from 2022-01-01; Silver 30 from 2024-02-10;
                                             an old trial 2021-12-15…12-29 (before the window)
D      SMB         –      yes    –           trial 2024-03-01…03-15, never paid
E      SMB         –      no     2024-05-02  trial from 2024-07-01, still running
F      SMB         –      yes    –           yearly 1200 2023-01-01…2024-01-01 (term_end
                                             2024-01-01), renewed yearly 1200 from 2024-01-01
G      SMB         –      no     –           yearly 2400 2023-02-01…2024-02-01 (term_end
                                             2024-02-01), back on yearly 2400 from 2024-04-10
K      SMB         2      no     –           50 from 2024-05-01
=====  ==========  =====  =====  ==========  =============================================

MRR on the as-of date: A 150, B 400, C 230, F 100, G 200, K 50 (6 customers, 1,130).
Customers on the base day 2023-07-31: B 300, C 200, F 100, G 200 (all on Gold).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from metrics.filters import Filters
from metrics.lifecycle import COLUMNS, KPIS, STAGES, expansion_months, lifecycle_kpis
from tests.conftest import sub

AS_OF = date(2024, 7, 15)


def book(make_db: Callable[..., duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """The hand-typed book of the module docstring."""
    con = make_db(
        accounts=[
            ("A", "Alpha", "SMB", "EU", "Ann"),
            ("B", "Beta", "Enterprise", "US", "Bob"),
            ("C", "Gamma", "SMB", "EU", "Ann"),
            ("D", "Delta", "SMB", "US", "Cat"),
            ("E", "Epsilon", "SMB", "EU", "Bob"),
            ("F", "Phi", "SMB", "US", "Cat"),
            ("G", "Gamma2", "SMB", "US", "Cat"),
            ("K", "Kappa", "SMB", "EU", "Ann"),
        ],
        subscriptions=[
            sub("At", "A", date(2023, 9, 1), date(2023, 9, 15), amount=0, status="trial"),
            sub("A1", "A", date(2023, 9, 15), amount=100),
            sub("A2", "A", date(2024, 3, 1), amount=50, plan="Silver"),
            sub("B1", "B", date(2023, 1, 1), amount=300),
            sub("B2", "B", date(2024, 4, 5), amount=100),
            sub("Ct", "C", date(2021, 12, 15), date(2021, 12, 29), amount=0, status="trial"),
            sub("C1", "C", date(2022, 1, 1), amount=200),
            sub("C2", "C", date(2024, 2, 10), amount=30, plan="Silver"),
            sub("Dt", "D", date(2024, 3, 1), date(2024, 3, 15), amount=0, status="trial"),
            sub("Et", "E", date(2024, 7, 1), amount=0, status="trial"),
            sub("F1", "F", date(2023, 1, 1), date(2024, 1, 1), amount=1200, period="year",
                term_end=date(2024, 1, 1)),
            sub("F2", "F", date(2024, 1, 1), amount=1200, period="year",
                term_end=date(2025, 1, 1)),
            sub("G1", "G", date(2023, 2, 1), date(2024, 2, 1), amount=2400, period="year",
                term_end=date(2024, 2, 1)),
            sub("G2", "G", date(2024, 4, 10), amount=2400, period="year",
                term_end=date(2025, 4, 10)),
            sub("K1", "K", date(2024, 5, 1), amount=50),
        ],
        fx_rates=[("EUR", date(2024, 1, 1), 1.1), ("EUR", date(2024, 6, 2), 1.2)],
    )
    con.execute("UPDATE accounts SET referenceable = account_id IN ('A', 'D', 'F')")
    con.execute("UPDATE accounts SET seats_purchased = CASE account_id WHEN 'A' THEN 10 "
                "WHEN 'B' THEN 4 WHEN 'C' THEN 5 WHEN 'K' THEN 2 END")
    con.execute("UPDATE accounts SET created_at = CASE account_id WHEN 'A' THEN DATE '2023-08-20' "
                "WHEN 'E' THEN DATE '2024-05-02' END")
    con.executemany(
        "INSERT INTO opportunities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, 'test')",
        [
            ("o1", "A", "A new", "New Business", "Closed Won", 1200, "USD", date(2023, 9, 14),
             100, False),
            ("o2", "B", "B new", "New Business", "Closed Won", 3600, None, date(2023, 1, 1),
             100, False),
            ("o3", "D", "D new", "New Business", "Closed Lost", 500, None, date(2024, 3, 15),
             0, False),
            ("o4", "C", "C up", "Existing Customer - Upgrade", "Closed Won", 360, None,
             date(2024, 2, 10), 100, False),
            ("o5", "E", "E new", "newbusiness", "closedwon", 1000, "EUR", date(2024, 6, 1),
             100, False),
            ("o6", "F", "F ren", "Renewal", "Closed Won", 1200, None, date(2024, 1, 1), 100,
             True),
        ],
    )
    con.executemany(
        "INSERT INTO usage_daily VALUES (?, ?, ?, 0, ?)",
        [
            ("A", date(2023, 9, 20), 1, 1),  # the first usage day of the book
            ("A", date(2023, 10, 10), 4, 2),
            ("A", date(2023, 10, 12), 6, 2),
            ("A", date(2023, 11, 7), 10, 2),
            ("A", date(2023, 11, 14), 12, 2),
            ("K", date(2024, 5, 25), 1, 1),
            ("K", date(2024, 6, 30), 1, 3),
            ("A", date(2024, 6, 15), 5, 9),
            ("A", date(2024, 7, 1), 2, 3),
            ("A", date(2024, 7, 10), 0, 0),
            ("A", date(2024, 7, 15), 3, 5),
            ("B", date(2024, 7, 14), 1, 2),
        ],
    )
    con.executemany(
        "INSERT INTO support_tickets VALUES (?, ?, ?, NULL, 'normal', ?, ?)",
        [
            ("t1", "A", datetime(2023, 10, 1, 9), False, 5),
            ("t2", "B", datetime(2024, 1, 5, 9), True, 2),
            ("t3", "C", datetime(2024, 7, 15, 23), False, None),
            ("t4", "C", datetime(2023, 7, 16, 10), True, 1),
            ("t5", "G", datetime(2024, 3, 3, 9), False, 4),
        ],
    )
    con.executemany(
        "INSERT INTO nps_responses VALUES (?, ?, ?, NULL)",
        [
            ("A", datetime(2023, 8, 1, 9), 3),
            ("A", datetime(2024, 5, 1, 9), 10),
            ("B", datetime(2024, 6, 1, 9), 8),
            ("C", datetime(2024, 2, 1, 9), 6),
            ("F", datetime(2023, 7, 16, 23, 59, 59), 0),
            ("G", datetime(2024, 7, 16, 9), 9),
            ("K", datetime(2024, 7, 15, 12), 9),
        ],
    )
    con.execute("INSERT INTO account_attributes VALUES ('C', 'tier', 'gold'), "
                "('B', 'tier', 'silver')")
    return con


def by_kpi(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["kpi"]: row for _, row in frame.iterrows()}


# Expected (value, numerator, denominator), each worked by hand from the book:
EXPECTED: dict[str, tuple[float, float, float]] = {
    # Trials started 2023-07-17…2024-07-15: At (A paid from 09-15, on the trial's end:
    # converted), Dt (ended 03-15, never paid), Et (running, unconverted: left out); Ct started
    # in 2021. 1 / 2.
    "trial_conversion": (50.0, 1, 2),
    # Won new business closed in the window: o1 (A, created 2023-08-20 → 2023-09-14: 25 days)
    # and o5 (E, 'closedwon'/'newbusiness', 2024-05-02 → 2024-06-01: 30 days); o2 closed
    # before the window, o3 lost, o4 an upgrade, o6 a renewal. (25 + 30) / 2.
    "sales_cycle_days": (27.5, 55, 2),
    # o1 1,200 USD; o5 1,000 EUR at the rate in force on 2024-06-01 (1.1 from 2024-01-01;
    # 1.2 starts 06-02) = 1,100. (1,200 + 1,100) / 2.
    "avg_contract_value": (1150.0, 2300, 2),
    # First paying days in the window: A 2023-09-15 (10 seats), K 2024-05-01 (2 seats).
    # Day 30: A's week 2023-10-09…10-15 peaks at 6 → 0.6; K's 2024-05-25…05-31 peaks at 1 →
    # 0.5. (0.6 + 0.5) / 2 = 55 %.
    "active_30d": (55.0, 1.1, 2),
    # Day 60: A 2023-11-08…11-14 peaks at 12 > 10 seats → capped 1.0 (11-07's 10 is outside);
    # K 2024-06-24…06-30 peaks at 1 → 0.5. (1.0 + 0.5) / 2 = 75 %.
    "active_60d": (75.0, 1.5, 2),
    # Day 90: A 2023-12-08…12-14 has no usage → 0; K's day 90 (2024-07-30) is after as-of.
    "active_90d": (0.0, 0, 1),
    # Last 30 days 2024-06-16…07-15, active days: A 2 (07-01, 07-15; 07-10 had 0 users,
    # 06-15 is outside), B 1, K 1, C, F, G 0. 4 / 6 customers.
    "usage_frequency": (4 / 6, 4, 6),
    # Features per active day: A (3 + 5) / 2 = 4, B 2, K 3; (4 + 2 + 3) / 3 = 3.
    "usage_breadth": (3.0, 9, 3),
    # Tickets opened in the window: t1, t2 (breached), t3 (23:00 on the as-of day), t5; t4
    # was opened on 2023-07-16. 1 − 1/4.
    "sla_attainment": (75.0, 3, 4),
    # Rated: t1 5, t2 2, t5 4 (t3 unrated). 11 / 3.
    "csat": (11 / 3, 11, 3),
    # Base B, C, F, G. Expansion months: B Apr 2024 (300 → 400), C Feb 2024 (200 → 230);
    # F renewed at the same price, G churned in Feb and reactivated in Apr. 2 / 4.
    "upsell_conversion": (50.0, 2, 4),
    # Only C started paying for a plan it did not hold on 2023-07-31 (Silver, 2024-02-10);
    # B2, F2, G2 are Gold again. 1 / 4.
    "cross_sell_conversion": (25.0, 1, 4),
    # ARR 12 × 1,130 = 13,560 over 6 customers.
    "acv_per_customer": (2260.0, 13560, 6),
    # Q1 2024 (complete: 03-31 + 30 days grace ≤ as-of; Q2 is not). Due: F on 2024-01-01,
    # ARR 1,200, renewed that day; G on 2024-02-01, ARR 2,400, back on 2024-04-10.
    # Final: (1,200 + 2,400) / 3,600. In-quarter (by 03-31): 1,200 / 3,600.
    "final_renewal_rate": (100.0, 3600, 3600),
    "in_quarter_renewal_rate": (100 / 3, 1200, 3600),
    # Referenceable customers: A and F (D is not a customer). 2 / 6.
    "referenceable_share": (100 / 3, 2, 6),
    # Latest answers in the window: A 10 (its 3 is older), B 8, C 6, K 9; F answered a second
    # before the window, G after the as-of date. Promoters A, K; passive B; detractor C.
    "promoters": (50.0, 2, 4),
    "passives": (25.0, 1, 4),
    "detractors": (25.0, 1, 4),
    # NPS = 50 − 25.
    "nps": (25.0, 1, 4),
}


def test_every_lifecycle_kpi_matches_the_hand_worked_book(make_db):
    con = book(make_db)
    frame = lifecycle_kpis(con, as_of=AS_OF)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["kpi"]) == [k.kpi for k in KPIS] == list(EXPECTED)
    assert set(frame["stage"]) == set(STAGES)
    rows = by_kpi(frame)
    for kpi, (value, numerator, denominator) in EXPECTED.items():
        row = rows[kpi]
        assert row["value"] == pytest.approx(value), kpi
        assert row["numerator"] == pytest.approx(numerator), kpi
        assert row["denominator"] == pytest.approx(denominator), kpi
        assert row["missing_data"] == "", kpi
        assert row["definition"].endswith("."), kpi
    assert rows["avg_contract_value"]["unit"] == "USD"
    assert rows["acv_per_customer"]["unit"] == "USD"
    assert rows["final_renewal_rate"]["label"] == "Final renewal rate (Q1 2024)"
    assert "365 days" in rows["sla_attainment"]["definition"]


def test_lifecycle_kpis_respect_segment_and_attribute_filters(make_db):
    con = book(make_db)
    # Enterprise = B only: its one ticket breached (0 %), its latest answer is a passive 8
    # (NPS 0), in the base and expanded in April (100 %), no cross-sell (0 %).
    rows = by_kpi(lifecycle_kpis(con, as_of=AS_OF, filters=Filters(segments=("Enterprise",))))
    assert rows["sla_attainment"]["value"] == 0.0
    assert rows["nps"]["value"] == 0.0
    assert rows["upsell_conversion"]["value"] == 100.0
    assert rows["cross_sell_conversion"]["value"] == 0.0
    assert rows["acv_per_customer"]["value"] == pytest.approx(12 * 400)
    # tier = gold is C only: customer since 2022 and cross-sold Silver in the window (100 %);
    # no trial in the window: none decided, so no value and a reason.
    rows = by_kpi(lifecycle_kpis(con, as_of=AS_OF,
                                 filters=Filters(attribute="tier", attribute_values=("gold",))))
    assert rows["cross_sell_conversion"]["value"] == 100.0
    assert rows["referenceable_share"]["value"] == 0.0
    assert math.isnan(rows["trial_conversion"]["value"])
    assert "No trial started in the last 365 days" in rows["trial_conversion"]["missing_data"]


def test_missing_imports_are_named_on_a_book_without_opportunities_usage_tickets_or_nps(make_db):
    # One paying account and nothing else: only the revenue-based KPIs have data
    # (ACV per customer 12 × 100 = 1,200, referenceable 0 / 1).
    con = make_db(accounts=[("A", "Alpha", "SMB", "EU", "Ann")],
                  subscriptions=[sub("A1", "A", date(2024, 1, 1), amount=100)])
    rows = by_kpi(lifecycle_kpis(con, as_of=AS_OF))
    assert rows["acv_per_customer"]["value"] == pytest.approx(1200.0)
    assert rows["referenceable_share"]["value"] == 0.0
    expected_missing = {
        "trial_conversion": "Import subscriptions with status 'trial'",
        "sales_cycle_days": "Import opportunities (Salesforce or HubSpot preset) and accounts "
                            "with created_at to see sales-cycle length",
        "avg_contract_value": "Import opportunities (Salesforce or HubSpot preset) to see "
                              "average contract value",
        "active_30d": "Import product usage",
        "usage_frequency": "Import product usage",
        "usage_breadth": "Import product usage",
        "sla_attainment": "Import support tickets to see SLA attainment",
        "csat": "Import support tickets with CSAT ratings",
        "final_renewal_rate": "import subscriptions with term_end",
        "promoters": "Import NPS responses to see NPS",
        "nps": "Import NPS responses to see NPS",
    }
    for kpi, text in expected_missing.items():
        assert math.isnan(rows[kpi]["value"]), kpi
        assert text in rows[kpi]["missing_data"], kpi


def test_expansion_window_is_window_days_in_months():
    # 365 days → 12 months; 90 → 3 (90 × 12 / 365 = 2.96); 10 → at least 1.
    assert [expansion_months(d) for d in (365, 90, 10)] == [12, 3, 1]
