"""Revenue moments: each rule at its threshold and just past it (docs/health.md).

As of Saturday 2024-06-15. "At most N days ago" = on or after as-of − N: 30 days ago is
2024-05-16, 31 days ago 2024-05-15, 60 days ago 2024-04-16; 30 days ahead is 2024-07-15.
Usage windows: the last 30 days = 05-17 .. 06-15, the 30 before = 04-17 .. 05-16. Every
account has Basic 100/month (ARR 1,200) from 2023-01-01, quantity 1, unless its row says
otherwise; Basic is not in `plans`. Plans: Starter (10,000 events, 100 seats).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from pydantic import ValidationError

from metrics.filters import Filters
from metrics.health_settings import MomentSettings
from metrics.moments import MOMENT_TYPES, revenue_moments
from store.db import open_database
from tests.conftest import load_rows, sub

AS_OF = date(2024, 6, 15)
START = date(2023, 1, 1)
D = date


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


# --- extra insert helpers --------------------------------------------------------------------

def add_usage(con, rows):
    """rows: (account_id, day, active_users, events, features_used)."""
    con.executemany("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?)", list(rows))


def add_billing(con, rows):
    """rows: (account_id, occurred_at, event_type, amount)."""
    con.executemany("INSERT INTO billing_events VALUES (?, ?, ?, ?)", list(rows))


def add_nps(con, rows):
    """rows: (account_id, responded_at, score, comment)."""
    con.executemany("INSERT INTO nps_responses VALUES (?, ?, ?, ?)", list(rows))


# --- the fixture ---------------------------------------------------------------------------

PLAIN = [
    "C30", "C31", "CUPD",
    "P60", "P61", "PPAID", "PDUN",
    "R30", "R31", "RNOFAIL",
    "D30", "D29",
    "UU39", "UU40",
    "AN30", "AN31", "ANNEW",
    "N6", "N7", "N8", "N9", "N30", "N31",
]
SPECIAL_SUBS = [
    sub("UPE80-1", "UPE80", START, amount=100, plan="Starter"),
    sub("UPE79-1", "UPE79", START, amount=100, plan="Starter"),
    sub("UPS80-1", "UPS80", START, amount=100, plan="Starter"),
    sub("UPS79-1", "UPS79", START, amount=100, plan="Starter"),
    # seats 8 → 10 on June 1 (passes 10), 8 → 9, and a new account with 12 seats
    sub("SM10-1", "SM10", START, D(2024, 6, 1), amount=10, quantity=8),
    sub("SM10-2", "SM10", D(2024, 6, 1), amount=10, quantity=10),
    sub("SM9-1", "SM9", START, D(2024, 6, 1), amount=10, quantity=8),
    sub("SM9-2", "SM9", D(2024, 6, 1), amount=10, quantity=9),
    sub("SMNEW-1", "SMNEW", D(2024, 6, 1), amount=10, quantity=12),
    # renewal dates 120 / 121 / 90 / 89 days ahead
    sub("RW120-1", "RW120", START, amount=100, term_end=D(2024, 10, 13)),
    sub("RW121-1", "RW121", START, amount=100, term_end=D(2024, 10, 14)),
    sub("RW90-1", "RW90", START, amount=100, term_end=D(2024, 9, 13)),
    sub("RW89-1", "RW89", START, amount=100, term_end=D(2024, 9, 12)),
    # ENT for the filter test: a detractor
    sub("ENT1-1", "ENT1", START, amount=100),
]
SPECIAL = ["UPE80", "UPE79", "UPS80", "UPS79", "SM10", "SM9", "SMNEW",
           "RW120", "RW121", "RW90", "RW89", "ENT1"]


def build(con) -> None:
    accounts = [(a, f"Account {a}", "SMB", "EU", "Ann") for a in PLAIN + SPECIAL[:-1]]
    accounts.append(("ENT1", "Enterprise One", "ENT", "US", "Bob"))
    subs = [sub(f"{a}-1", a, START, amount=100) for a in PLAIN]
    load_rows(con, accounts=accounts, subscriptions=subs + SPECIAL_SUBS)
    con.execute("INSERT INTO plans VALUES ('Starter', 10000, 100)")
    con.executemany("UPDATE accounts SET seats_purchased = ? WHERE account_id = ?",
                    [(1000, "UU39"), (1000, "UU40")])
    add_billing(con, [
        # card_expiring is dated on the card's expiry day: in 30 days, in 31 days, and one
        # updated 29 days before its expiry
        ("C30", at(D(2024, 7, 15), 8), "card_expiring", 0),
        ("C31", at(D(2024, 7, 16), 8), "card_expiring", 0),
        ("CUPD", at(D(2024, 7, 1), 8), "card_expiring", 0),
        ("CUPD", at(D(2024, 6, 2)), "card_updated", 0),
        ("P60", at(D(2024, 4, 16), 0), "payment_failed", 100),
        ("P61", at(D(2024, 4, 15), 23), "payment_failed", 100),
        ("PPAID", at(D(2024, 6, 1)), "payment_failed", 100),
        ("PPAID", at(D(2024, 6, 3)), "invoice_paid", 100),
        ("PDUN", at(D(2024, 6, 10)), "dunning_notice", 0),
        ("R30", at(D(2024, 5, 10)), "payment_failed", 250),
        ("R30", at(D(2024, 5, 16)), "reinstated", 0),
        ("R31", at(D(2024, 5, 10)), "payment_failed", 250),
        ("R31", at(D(2024, 5, 15)), "reinstated", 0),
        ("RNOFAIL", at(D(2024, 6, 1)), "reinstated", 0),
        ("AN30", at(D(2023, 5, 16)), "invoice_paid", 100),
        ("AN31", at(D(2023, 5, 15)), "invoice_paid", 100),
        ("ANNEW", at(D(2023, 6, 20)), "invoice_paid", 100),
    ])
    add_usage(con, [
        ("UPE80", D(2024, 6, 1), 1, 5000, 1), ("UPE80", D(2024, 6, 10), 1, 3000, 1),
        ("UPE79", D(2024, 6, 1), 1, 4990, 1), ("UPE79", D(2024, 6, 10), 1, 3000, 1),
        ("UPS80", D(2024, 6, 1), 80, 10, 1),
        ("UPS79", D(2024, 6, 1), 79, 10, 1),
        ("D30", D(2024, 5, 1), 1, 1000, 1), ("D30", D(2024, 6, 1), 1, 700, 1),
        ("D29", D(2024, 5, 1), 1, 1000, 1), ("D29", D(2024, 6, 1), 1, 701, 1),
        ("UU39", D(2024, 6, 1), 399, 10, 1),
        ("UU40", D(2024, 6, 1), 400, 10, 1),
    ])
    add_nps(con, [
        ("N6", at(D(2024, 6, 1)), 6, "Too many outages lately."),
        ("N7", at(D(2024, 6, 1)), 7, None),
        ("N8", at(D(2024, 6, 1)), 8, None),
        ("N9", at(D(2024, 6, 1)), 9, "  "),
        ("N30", at(D(2024, 5, 16), 0), 2, None),
        ("N31", at(D(2024, 5, 15), 23), 2, None),
        ("ENT1", at(D(2024, 6, 2)), 3, "Missing integrations."),
    ])


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = open_database(tmp_path_factory.mktemp("moments") / "moments.duckdb")
    build(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def moments(con) -> pd.DataFrame:
    return revenue_moments(con, as_of=AS_OF, settings=MomentSettings())


def fired(moments: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(moments["account_id"], moments["moment_type"], strict=True))


EXPECTED = {
    ("C30", "card_expiring"),
    ("P60", "payment_failed"), ("PDUN", "payment_failed"),
    ("R30", "reinstated"),
    ("UPE80", "upsell"), ("UPS80", "upsell"),
    ("D30", "usage_drop"),
    ("UU39", "underutilised"),
    ("AN30", "anniversary"),
    ("SM10", "seat_milestone"), ("SM10", "seats_added"), ("SM9", "seats_added"),
    ("N6", "nps_detractor"), ("N30", "nps_detractor"), ("ENT1", "nps_detractor"),
    ("N9", "nps_promoter"),
    ("RW120", "renewal_window"), ("RW90", "renewal_window"),
}


def test_each_rule_fires_at_its_threshold_and_not_just_past_it(moments):
    # Just past each threshold, nothing fires: C31 (expires in 31 days), CUPD (card updated),
    # P61 (61 days), PPAID (paid after), R31 (31 days), RNOFAIL (no failure before),
    # UPE79 (7,990 events = 79.9 %), UPS79 (79 of 100 seats), D29 (−29.9 %), UU40 (exactly
    # 40 %), AN31 (31 days), ANNEW (under a year), SMNEW (no seats 30 days ago), N7, N8,
    # N31 (31 days), RW121 and RW89 (outside 90–120 days).
    assert fired(moments) == EXPECTED
    assert set(moments["moment_type"]) <= set(MOMENT_TYPES)


def row(moments: pd.DataFrame, account: str, moment_type: str) -> pd.Series:
    match = moments.loc[
        (moments["account_id"] == account) & (moments["moment_type"] == moment_type)
    ]
    assert len(match) == 1
    return match.iloc[0]


def test_moment_rows_carry_dates_evidence_amount_and_severity(moments):
    expected = {
        ("C30", "card_expiring"): (
            AS_OF, "Card on file expires on 2024-07-15 (in 30 days); no card update yet.",
            1200.0, "medium"),
        ("P60", "payment_failed"): (
            D(2024, 4, 16), "Payment of 100.00 failed on 2024-04-16 (60 days ago); no card "
            "update, reinstatement or paid invoice since.", 100.0, "high"),
        ("PDUN", "payment_failed"): (
            D(2024, 6, 10), "Dunning notice sent on 2024-06-10 (5 days ago); no card update, "
            "reinstatement or paid invoice since.", 1200.0, "high"),
        ("R30", "reinstated"): (
            D(2024, 5, 16), "Reinstated on 2024-05-16 after a payment of 250.00 failed on "
            "2024-05-10.", 250.0, "low"),
        ("UPE80", "upsell"): (
            AS_OF, "Last 30 days on Starter: 8,000 of 10,000 included events (80.0 %); peak "
            "active users 1 of 100 seats (1.0 %).", 1200.0, "medium"),
        ("UPS80", "upsell"): (
            AS_OF, "Last 30 days on Starter: 10 of 10,000 included events (0.1 %); peak active "
            "users 80 of 100 seats (80.0 %).", 1200.0, "medium"),
        ("D30", "usage_drop"): (
            AS_OF, "Events fell 30.0 %: 700 in the last 30 days vs 1,000 in the 30 days before.",
            1200.0, "high"),
        ("UU39", "underutilised"): (
            AS_OF, "Peak active users in the last 30 days: 399 of 1000 seats purchased (39.9 %).",
            1200.0, "medium"),
        ("AN30", "anniversary"): (
            D(2024, 5, 16), "1 year since the first payment (2023-05-16) on 2024-05-16.",
            1200.0, "low"),
        ("SM10", "seat_milestone"): (
            D(2024, 6, 1), "Seats grew from 8 to 10 in the last 30 days, passing 10.", 1200.0,
            "low"),
        ("SM10", "seats_added"): (
            D(2024, 6, 1), "Seats went from 8 to 10 in the last 30 days (+2).", 1200.0, "low"),
        ("N6", "nps_detractor"): (
            D(2024, 6, 1), 'NPS 6 on 2024-06-01. Comment: "Too many outages lately."', 1200.0,
            "high"),
        ("N9", "nps_promoter"): (D(2024, 6, 1), "NPS 9 on 2024-06-01.", 1200.0, "low"),
        ("RW120", "renewal_window"): (
            AS_OF, "Contract renews on 2024-10-13 (120 days away); it entered the 120-day "
            "renewal window on 2024-06-15.", 1200.0, "medium"),
        ("RW90", "renewal_window"): (
            D(2024, 5, 16), "Contract renews on 2024-09-13 (90 days away); it entered the "
            "120-day renewal window on 2024-05-16.", 1200.0, "medium"),
    }
    for (account, moment_type), (on, evidence, amount, severity) in expected.items():
        got = row(moments, account, moment_type)
        assert got["occurred_on"] == on, (account, moment_type)
        assert got["evidence"] == evidence, (account, moment_type)
        assert got["amount_at_stake"] == amount, (account, moment_type)
        assert got["severity"] == severity, (account, moment_type)
        assert got["suggested_next_step"]
    seats = row(moments, "SM10", "seats_added")
    assert (seats["account_name"], seats["csm_owner"], seats["segment"]) == (
        "Account SM10", "Ann", "SMB")
    # SM10 pays 10 × quantity 10 = 100 a month now.
    assert seats["amount_at_stake"] == 1200.0


def test_moments_are_ordered_by_date_then_account_then_type(moments):
    assert list(moments.columns) == [
        "account_id", "account_name", "csm_owner", "segment", "moment_type", "occurred_on",
        "evidence", "amount_at_stake", "suggested_next_step", "severity",
    ]
    keys = list(zip(moments["occurred_on"], moments["account_id"], moments["moment_type"],
                    strict=True))
    ordered = sorted(keys, key=lambda k: (-k[0].toordinal(), k[1], k[2]))
    assert keys == ordered
    assert keys[0] == (AS_OF, "C30", "card_expiring")
    assert keys[-1] == (D(2024, 4, 16), "P60", "payment_failed")


def test_thresholds_come_from_the_settings(con):
    settings = MomentSettings(upsell_usage_pct=79.9, usage_drop_pct=29.9, underutilised_pct=40.1,
                              nps_detractor_max=7, nps_promoter_min=8, card_expiring_days=31,
                              renewal_window_days=121, renewal_entered_days=32)
    got = fired(revenue_moments(con, as_of=AS_OF, settings=settings))
    added = {("UPE79", "upsell"), ("D29", "usage_drop"), ("UU40", "underutilised"),
             ("N7", "nps_detractor"), ("N8", "nps_promoter"), ("C31", "card_expiring"),
             ("RW121", "renewal_window"), ("RW89", "renewal_window")}
    assert got == EXPECTED | added


def test_filters_select_the_accounts(con):
    ent = revenue_moments(con, as_of=AS_OF, settings=MomentSettings(),
                          filters=Filters(segments=("ENT",)))
    assert fired(ent) == {("ENT1", "nps_detractor")}
    starter = revenue_moments(con, as_of=AS_OF, settings=MomentSettings(),
                              filters=Filters(plans=("Starter",), csm_owners=("Ann",)))
    assert fired(starter) == {("UPE80", "upsell"), ("UPS80", "upsell")}
    assert revenue_moments(con, as_of=AS_OF, settings=MomentSettings(),
                           filters=Filters(regions=("APAC",))).empty


def test_underutilised_counts_an_idle_account_whose_usage_rows_are_all_old(make_db):
    # Usage rows older than the 60-day windows still make an account "tracked": with no row
    # since, its peak is 0 of 10 seats. An account that never had a usage row is not judged.
    con = make_db(
        accounts=[("OLDUSE", "Old use", "SMB", "EU", "Ann"), ("NOUSE", "No use", "SMB", "EU",
                                                                "Ann")],
        subscriptions=[sub("OLDUSE-1", "OLDUSE", START, amount=100),
                       sub("NOUSE-1", "NOUSE", START, amount=100)],
    )
    con.execute("UPDATE accounts SET seats_purchased = 10")
    add_usage(con, [("OLDUSE", D(2024, 3, 1), 5, 50, 2)])
    got = revenue_moments(con, as_of=AS_OF, settings=MomentSettings())
    assert fired(got) == {("OLDUSE", "underutilised")}
    assert row(got, "OLDUSE", "underutilised")["evidence"] == (
        "Peak active users in the last 30 days: 0 of 10 seats purchased (0.0 %).")


def test_account_ids_restrict_the_feed(con):
    got = revenue_moments(con, as_of=AS_OF, settings=MomentSettings(), account_ids=["SM10", "N6"])
    assert fired(got) == {("SM10", "seat_milestone"), ("SM10", "seats_added"),
                          ("N6", "nps_detractor")}


def test_accounts_not_in_force_have_no_moments(con):
    # As of 2022 no subscription had started yet.
    assert revenue_moments(con, as_of=D(2022, 12, 31), settings=MomentSettings()).empty


def test_moment_settings_validation_names_the_field():
    with pytest.raises(ValidationError) as exc:
        MomentSettings(nps_detractor_max=9, nps_promoter_min=9)
    assert [tuple(e["loc"]) for e in exc.value.errors()] == [("nps_promoter_min",)]
    with pytest.raises(ValidationError) as exc:
        MomentSettings(renewal_entered_days=120)
    assert [tuple(e["loc"]) for e in exc.value.errors()] == [("renewal_entered_days",)]
    with pytest.raises(ValidationError) as exc:
        MomentSettings(seat_milestones=(10, 0))
    assert [tuple(e["loc"]) for e in exc.value.errors()] == [("seat_milestones",)]
    assert MomentSettings(seat_milestones=(50, 10, 10)).seat_milestones == (10, 50)
