"""Health scores on hand-computed fixtures (METRICS.md, Health; docs/health.md).

As of Saturday 2024-06-15. Windows: the last 30 days = 2024-05-17 .. 06-15, the 30 before =
04-17 .. 05-16; usage is read back to 04-17 (60 days); SLA breaches and CSAT back to 03-18
(90 days); NPS back to 2023-06-17 (365 days, 2024 is a leap year); billing data back to
2023-05-13 (400 days); a card_expiring row is dated on the expiry day, up to 07-15 (30 days
ahead). Default thresholds (bad → 0, good → 100, linear between):
seat utilisation 30 → 80 %, usage change −25 → 0 %, features 1 → 5, days since activity
30 → 3, open high-priority tickets 3 → 0, SLA breaches 3 → 0, CSAT 3 → 4.5, NPS 6 → 9,
failed payments 2 → 0, dunning / card expiring 1 → 0, MRR change −20 → 0 %, contraction 20 → 0 %.
Every account has Basic 100/month from 2023-01-01 unless its row says otherwise, so its
commercial score is 100 (MRR flat for three months).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from pydantic import ValidationError

from metrics.filters import Filters
from metrics.health import (
    band_counts,
    band_migration,
    health_band,
    health_history,
    health_scores,
    preview_band_changes,
    score_change_explanation,
    score_trend,
)
from metrics.health_score import weighted_score
from metrics.health_settings import (
    COMPONENTS,
    RULE_COMPONENT,
    HealthSettings,
    HealthWeights,
    MomentSettings,
    Ramp,
)
from store.db import open_database
from store.settings import load_settings, save_settings
from tests.conftest import load_rows, sub

AS_OF = date(2024, 6, 15)
START = date(2023, 1, 1)
ONLY = {name: 0.0 for name in COMPONENTS}


def settings_with(**changes) -> HealthSettings:
    return HealthSettings.model_validate({**HealthSettings().model_dump(), **changes})


# --- extra insert helpers (conftest's load_rows covers accounts and subscriptions) -------------

def add_usage(con, rows):
    """rows: (account_id, day, active_users, events, features_used)."""
    con.executemany("INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?)", list(rows))


def add_tickets(con, rows):
    """rows: (ticket_id, account_id, opened_at, closed_at, priority, sla_breached, csat)."""
    con.executemany("INSERT INTO support_tickets VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))


def add_nps(con, rows):
    """rows: (account_id, responded_at, score)."""
    con.executemany(
        "INSERT INTO nps_responses VALUES (?, ?, ?, NULL)", [tuple(r) for r in rows]
    )


def add_billing(con, rows):
    """rows: (account_id, occurred_at, event_type, amount)."""
    con.executemany("INSERT INTO billing_events VALUES (?, ?, ?, ?)", list(rows))


def set_seats(con, seats: dict[str, int]):
    con.executemany(
        "UPDATE accounts SET seats_purchased = ? WHERE account_id = ?",
        [(n, a) for a, n in seats.items()],
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


# --- the fixture ---------------------------------------------------------------------------

PLAIN = [
    "U0", "U50", "U100", "UCLAMP", "UT0", "UT50", "UT100", "UBOTH", "UNONE", "UOLD", "UEDGE",
    "E3", "E12", "E30", "EIDLE",
    "S100", "S0", "SMID", "SOLD", "SEDGE",
    "N6", "N8", "N9", "NLATEST", "NEDGE", "NOLD",
    "B100", "BFAIL1", "BDUN", "BCARD", "BCARD31", "BCARDUPD", "BOLD", "BEDGE",
    "C100", "RNW", "FTRIAL",
]
SPECIAL_SUBS = [
    # CDOWN: 100 until May, then 90 → month ends Mar 100, Apr 100, May 90, Jun 15 90.
    sub("CDOWN-1", "CDOWN", START, date(2024, 5, 1), amount=100, plan="Basic"),
    sub("CDOWN-2", "CDOWN", date(2024, 5, 1), amount=90, plan="Basic"),
    # CUP: 100 until May, then 150.
    sub("CUP-1", "CUP", START, date(2024, 5, 1), amount=100, plan="Basic"),
    sub("CUP-2", "CUP", date(2024, 5, 1), amount=150, plan="Basic"),
    # CZIG: Mar 100, Apr 80, May and Jun 120.
    sub("CZIG-1", "CZIG", START, date(2024, 4, 1), amount=100, plan="Basic"),
    sub("CZIG-2", "CZIG", date(2024, 4, 1), date(2024, 5, 1), amount=80, plan="Basic"),
    sub("CZIG-3", "CZIG", date(2024, 5, 1), amount=120, plan="Basic"),
    # CNEW: first paid in April → no MRR three month ends ago → commercial has no data.
    sub("CNEW-1", "CNEW", date(2024, 4, 1), amount=100, plan="Basic"),
    # FPRO: a Pro customer (plan filter); FTRIAL also has a Pro trial; FGONE ended June 1.
    sub("FPRO-1", "FPRO", START, amount=300, plan="Pro"),
    sub("FTRIAL-2", "FTRIAL", date(2024, 6, 1), amount=500, plan="Pro", status="trial"),
    sub("FGONE-1", "FGONE", START, date(2024, 6, 1), amount=100, plan="Basic"),
    # RNW: two contracts; the earlier term end after as-of is the renewal date.
    sub("RNW-2", "RNW", START, amount=50, plan="Basic", term_end=date(2025, 3, 1)),
    sub("RNW-3", "RNW", START, amount=50, plan="Basic", term_end=date(2024, 12, 31)),
    sub("RNW-4", "RNW", START, date(2024, 6, 1), amount=50, plan="Basic",
        term_end=date(2024, 9, 1)),
]
SEGMENTS = {"C100": ("ENT", "US", "Bob"), "CDOWN": ("ENT", "EU", "Bob"),
            "FPRO": ("ENT", "US", "Cy")}


def build(con) -> None:
    ids = PLAIN + ["CDOWN", "CUP", "CZIG", "CNEW", "FPRO", "FGONE"]
    accounts = [(a, f"Account {a}", *SEGMENTS.get(a, ("SMB", "EU", "Ann"))) for a in ids]
    subs = [sub(f"{a}-1", a, START, amount=100, plan="Basic") for a in PLAIN]
    load_rows(con, accounts=accounts, subscriptions=subs + SPECIAL_SUBS)
    set_seats(con, {"U0": 20, "U50": 20, "U100": 20, "UCLAMP": 20, "UBOTH": 20})
    d = date
    add_usage(con, [
        # utilisation: peak active users / 20 seats; features: most used on one day
        ("U0", d(2024, 6, 10), 6, 10, 1),
        ("U50", d(2024, 6, 10), 11, 10, 3),
        ("U100", d(2024, 6, 10), 16, 10, 5),
        ("UCLAMP", d(2024, 6, 10), 24, 10, 9),
        # usage change: events in the last 30 days vs the 30 before (no seats purchased)
        ("UT0", d(2024, 5, 1), 1, 1000, 1), ("UT0", d(2024, 6, 10), 1, 750, 1),
        ("UT50", d(2024, 5, 1), 1, 1000, 1), ("UT50", d(2024, 6, 10), 1, 875, 1),
        ("UT100", d(2024, 5, 1), 1, 1000, 1), ("UT100", d(2024, 6, 10), 1, 1000, 1),
        ("UBOTH", d(2024, 5, 1), 11, 1000, 1), ("UBOTH", d(2024, 6, 10), 11, 750, 1),
        # the 60-day look-back: 04-16 is outside, 04-17 inside
        ("UOLD", d(2024, 4, 16), 3, 100, 2),
        ("UEDGE", d(2024, 4, 17), 3, 100, 2),
        # engagement: days since the last active day
        ("E3", d(2024, 6, 12), 1, 1, 1),
        ("E12", d(2024, 6, 3), 1, 1, 1),
        ("E30", d(2024, 5, 16), 1, 1, 1),
        ("EIDLE", d(2024, 6, 1), 0, 0, 0),
    ])
    add_tickets(con, [
        ("t1", "S100", at(d(2024, 6, 1)), at(d(2024, 6, 2)), "normal", False, None),
        ("t2", "S0", at(d(2024, 6, 1)), None, "high", True, None),
        ("t3", "S0", at(d(2024, 6, 2)), None, "urgent", True, None),
        ("t4", "S0", at(d(2024, 6, 3)), None, "high", True, None),
        # SMID: one urgent ticket open since 2023 (counts: still open), CSAT 3, 4, 4, 4 = 3.75
        ("t5", "SMID", at(d(2023, 1, 10)), None, "urgent", False, None),
        ("t6", "SMID", at(d(2024, 5, 1)), at(d(2024, 5, 2)), "low", False, 3),
        ("t7", "SMID", at(d(2024, 5, 3)), at(d(2024, 5, 4)), "low", False, 4),
        ("t8", "SMID", at(d(2024, 5, 5)), at(d(2024, 5, 6)), "low", False, 4),
        ("t9", "SMID", at(d(2024, 5, 7)), at(d(2024, 5, 8)), "low", False, 4),
        # SOLD: closed long ago → no support data
        ("t10", "SOLD", at(d(2023, 1, 10)), at(d(2023, 1, 12)), "high", True, 1),
        # SEDGE: SLA breaches opened on 03-18 (in the 90 days) and 03-17 (out)
        ("t11", "SEDGE", at(d(2024, 3, 18), 0), at(d(2024, 3, 19)), "low", True, None),
        ("t12", "SEDGE", at(d(2024, 3, 17), 23), at(d(2024, 3, 19)), "low", True, None),
    ])
    add_nps(con, [
        ("N6", at(d(2024, 6, 1)), 6),
        ("N8", at(d(2024, 6, 1)), 8),
        ("N9", at(d(2024, 6, 1)), 9),
        ("NLATEST", at(d(2024, 1, 1)), 9), ("NLATEST", at(d(2024, 6, 1)), 6),
        ("NEDGE", at(d(2023, 6, 17), 0), 9),
        ("NOLD", at(d(2023, 6, 16), 23), 9),
    ])
    add_billing(con, [
        ("B100", at(d(2024, 6, 1)), "invoice_paid", 100),
        ("BFAIL1", at(d(2024, 5, 20)), "payment_failed", 100),
        ("BFAIL1", at(d(2024, 5, 25)), "invoice_paid", 100),
        ("BDUN", at(d(2024, 6, 1)), "payment_failed", 100),
        ("BDUN", at(d(2024, 6, 8)), "payment_failed", 100),
        ("BCARD", at(d(2024, 6, 1)), "invoice_paid", 100),
        # card_expiring is dated on the expiry day: 30 days ahead, 31 days ahead, and one
        # whose card was updated 29 days before its expiry
        ("BCARD", at(d(2024, 7, 15), 8), "card_expiring", 0),
        ("BCARD31", at(d(2024, 7, 16), 8), "card_expiring", 0),
        ("BCARD31", at(d(2024, 6, 1)), "invoice_paid", 100),
        ("BCARDUPD", at(d(2024, 7, 1), 8), "card_expiring", 0),
        ("BCARDUPD", at(d(2024, 6, 2)), "card_updated", 0),
        ("BOLD", at(d(2023, 5, 12)), "invoice_paid", 100),
        ("BEDGE", at(d(2024, 5, 16), 23), "payment_failed", 100),
        ("BEDGE", at(d(2024, 5, 17), 0), "payment_failed", 100),
        ("BEDGE", at(d(2024, 5, 18)), "invoice_paid", 100),
    ])


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = open_database(tmp_path_factory.mktemp("health") / "health.duckdb")
    build(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def scores(con) -> pd.DataFrame:
    return health_scores(con, as_of=AS_OF, settings=HealthSettings()).set_index("account_id")


def value(scores: pd.DataFrame, account: str, column: str) -> float:
    raw = scores.loc[account, column]
    return float("nan") if pd.isna(raw) else float(raw)


def assert_scores(scores, column, expected: dict[str, float | None]):
    for account, want in expected.items():
        got = value(scores, account, column)
        if want is None:
            assert math.isnan(got), f"{account}.{column}: expected no data, got {got}"
        else:
            assert got == pytest.approx(want), f"{account}.{column}"


# --- components ------------------------------------------------------------------------------

def test_usage_scores_seat_utilisation_and_change_between_thresholds(scores):
    assert_scores(scores, "usage_score", {
        "U0": 0,             # 6 of 20 seats = 30 % (bad)
        "U50": 50,           # 55 %: half way from 30 to 80
        "U100": 100,         # 80 % (good)
        "UCLAMP": 100,       # 120 % clamps at 100
        "UT0": 0,            # 1000 → 750 = −25 % (bad); no seats purchased → change only
        "UT50": 50,          # −12.5 %
        "UT100": 100,        # 0 %
        "UBOTH": 25,         # mean of 50 (utilisation) and 0 (change)
        "UNONE": None,       # no usage rows
        "UOLD": None,        # only a row 60 days ago: outside the look-back
        "UEDGE": 0,          # a row 59 days ago: data; its 100 events → 0 = −100 %
    })
    assert scores.loc["U50", "active_users_30d"] == 11
    assert scores.loc["U50", "seat_utilisation_pct"] == 55
    assert scores.loc["UT50", "usage_change_pct"] == -12.5
    assert (scores.loc["UT50", "events_30d"], scores.loc["UT50", "events_prev_30d"]) == (875, 1000)
    assert scores.loc["UEDGE", "usage_change_pct"] == -100


def test_adoption_scores_features_used_between_thresholds(scores):
    assert_scores(scores, "adoption_score", {
        "U0": 0, "U50": 50, "U100": 100, "UCLAMP": 100, "UNONE": None,
        "UEDGE": 0,  # usage data but no row in the last 30 days → 0 features
    })


def test_engagement_scores_days_since_last_activity(scores):
    assert_scores(scores, "engagement_score", {
        "E3": 100,                     # 3 days (good)
        "E12": 100 * (30 - 12) / 27,   # 66.67
        "E30": 0,                      # 30 days (bad)
        "EIDLE": 0,                    # rows but no active day in 60 days: capped at 60
        "UEDGE": 0,                    # 59 days
        "UNONE": None,
    })
    assert scores.loc["E12", "days_since_activity"] == 12
    assert scores.loc["E12", "last_active_on"] == pd.Timestamp("2024-06-03")
    assert scores.loc["EIDLE", "days_since_activity"] == 60


def test_support_scores_open_tickets_sla_breaches_and_csat(scores):
    assert_scores(scores, "support_score", {
        "S100": 100,                              # 0 open, 0 breaches, no CSAT
        "S0": 0,                                  # 3 open high/urgent, 3 breaches
        "SMID": (100 * 2 / 3 + 100 + 50) / 3,     # 1 open (66.67), 0 breaches, CSAT 3.75 (50)
        "SOLD": None,                             # last ticket closed in 2023
        "SEDGE": (100 + 100 * 2 / 3) / 2,         # 1 breach in the 90 days (03-18), not 03-17
        "UNONE": None,
    })
    assert scores.loc["SMID", "open_high_priority_tickets"] == 1
    assert scores.loc["SMID", "csat_90d"] == 3.75
    assert scores.loc["SEDGE", "sla_breaches_90d"] == 1


def test_sentiment_scores_latest_nps_of_the_last_365_days(scores):
    assert_scores(scores, "sentiment_score", {
        "N6": 0, "N8": 100 * 2 / 3, "N9": 100,   # detractor (bad), passive, promoter (good)
        "NLATEST": 0,     # 9 in January, then 6 in June: the latest counts
        "NEDGE": 100,     # 2023-06-17: the 365th day back
        "NOLD": None,     # 2023-06-16: too old
    })
    assert scores.loc["NLATEST", "latest_nps"] == 6
    assert scores.loc["NLATEST", "latest_nps_on"] == pd.Timestamp("2024-06-01")


def test_billing_scores_failed_payments_dunning_and_expiring_card(scores):
    assert_scores(scores, "billing_score", {
        "B100": 100,
        "BFAIL1": (50 + 100 + 100) / 3,   # 1 failure, resolved by the paid invoice after it
        "BDUN": (0 + 0 + 100) / 3,        # 2 failures, unresolved → dunning
        "BCARD": (100 + 100 + 0) / 3,     # card expires in 30 days, no card update
        "BCARD31": 100,                   # expires in 31 days
        "BCARDUPD": 100,                  # card updated 29 days before its expiry
        "BOLD": None,                     # last event 400+ days ago
        "BEDGE": (50 + 100 + 100) / 3,    # failures on 05-16 (out) and 05-17 (in)
        "UNONE": None,
    })
    assert bool(scores.loc["BDUN", "dunning_active"]) is True
    assert bool(scores.loc["BCARD", "card_expiring_30d"]) is True
    assert scores.loc["BCARD", "card_expires_on"] == pd.Timestamp("2024-07-15")
    assert bool(scores.loc["BCARD31", "card_expiring_30d"]) is False
    assert scores.loc["BEDGE", "failed_payments_30d"] == 1


def test_commercial_scores_mrr_trend_and_contraction(scores):
    assert_scores(scores, "commercial_score", {
        "C100": 100,
        "CDOWN": 50,    # −10 % (50) and 10 % contraction (50)
        "CUP": 100,     # +50 %
        "CZIG": 50,     # +20 % (100) but 20 % contraction in April (0)
        "CNEW": None,   # no MRR at the end of March
    })
    assert scores.loc["CZIG", "mrr_change_pct_3m"] == pytest.approx(20)
    assert scores.loc["CZIG", "contraction_pct_3m"] == pytest.approx(20)
    assert scores.loc["CDOWN", "mrr"] == 90
    assert scores.loc["CDOWN", "arr"] == 1080
    assert scores.loc["CDOWN", "mrr_3m_ago"] == 100


def test_missing_components_are_listed_and_left_out_of_the_score(scores):
    # UNONE has only commercial data: the score is the commercial score alone.
    assert scores.loc["UNONE", "missing_components"] == (
        "usage, adoption, engagement, support, sentiment, billing"
    )
    assert value(scores, "UNONE", "health_score") == 100
    # UBOTH: usage 25, adoption 0, engagement (5 days) 92.59, commercial 100.
    parts = {"usage": 25, "adoption": 0, "engagement": 100 * 25 / 27, "commercial": 100}
    weights = HealthSettings().weights.as_dict()
    expected = sum(weights[k] * v for k, v in parts.items()) / sum(weights[k] for k in parts)
    assert value(scores, "UBOTH", "health_score") == pytest.approx(expected)
    assert value(scores, "UBOTH", "health_score") == pytest.approx(
        weighted_score(parts, weights)[0]
    )


def test_population_mrr_renewal_date_and_columns(scores):
    assert "FGONE" not in scores.index          # ended before as-of
    assert "FTRIAL" in scores.index             # a trial still counts as in force
    assert scores.loc["FTRIAL", "mrr"] == 100   # trials contribute no MRR
    assert scores.loc["RNW", "renewal_date"] == pd.Timestamp("2024-12-31")
    assert pd.isna(scores.loc["C100", "renewal_date"])
    assert list(scores.reset_index().columns[:19]) == [
        "account_id", "name", "segment", "csm_owner", "region", "usage_score",
        "adoption_score", "engagement_score", "support_score", "sentiment_score",
        "billing_score", "commercial_score", "health_score", "band", "missing_components",
        "mrr", "arr", "renewal_date", "on_trial",
    ]
    assert list(scores.index) == sorted(scores.index)
    assert not scores.loc["FTRIAL", "on_trial"]  # it also pays for another subscription


def test_trial_only_account_is_flagged_on_trial(make_db):
    from metrics.health import health_scores

    con = make_db(
        accounts=[("T", "Trial only"), ("P", "Paying")],
        subscriptions=[sub("t", "T", date(2024, 6, 1), amount=500, status="trial"),
                       sub("p", "P", date(2024, 1, 1), amount=100)],
    )
    flags = health_scores(con, as_of=date(2024, 6, 15)).set_index("account_id")["on_trial"]
    assert flags.to_dict() == {"P": False, "T": True}


# --- overall score and bands ---------------------------------------------------------------

def test_metrics_md_weighted_example_through_sql(make_db):
    # "Weighted score with weights 20, 15, 22 and scores 47, 59, 21 → 40.12 (shown as 40)."
    # usage 47: 47 of 100 seats (ramp 0 → 100); commercial 59: MRR 100 → 59 in May, i.e.
    # −41 % (ramp −100 → 0) and 41 % contraction (ramp 100 → 0); sentiment 21: NPS 0 on a ramp
    # from −21 to 79. Other weights 0.
    con = make_db(
        accounts=[("X", "Example", "SMB", "EU", "Ann"), ("Y", "Missing", "SMB", "EU", "Ann")],
        subscriptions=[
            sub("X-1", "X", START, date(2024, 5, 1), amount=100),
            sub("X-2", "X", date(2024, 5, 1), amount=59),
            sub("Y-1", "Y", date(2024, 5, 1), amount=59),
        ],
    )
    set_seats(con, {"X": 100, "Y": 100})
    add_usage(con, [("X", date(2024, 6, 10), 47, 0, 0), ("Y", date(2024, 6, 10), 47, 0, 0)])
    add_nps(con, [("X", at(date(2024, 6, 1)), 0), ("Y", at(date(2024, 6, 1)), 0)])
    settings = settings_with(
        weights={**ONLY, "usage": 20, "commercial": 15, "sentiment": 22},
        seat_utilisation_pct={"bad": 0, "good": 100},
        mrr_change_pct_3m={"bad": -100, "good": 0},
        contraction_pct_3m={"bad": 100, "good": 0},
        latest_nps={"bad": -21, "good": 79},
    )
    frame = health_scores(con, as_of=AS_OF, settings=settings).set_index("account_id")
    assert frame.loc["X", ["usage_score", "commercial_score", "sentiment_score"]].tolist() == (
        pytest.approx([47, 59, 21])
    )
    assert round(frame.loc["X", "health_score"], 2) == 40.12
    assert round(frame.loc["X", "health_score"]) == 40
    assert frame.loc["X", "band"] == "yellow"
    # Y started in May: commercial has no data, so (20·47 + 22·21) / 42 = 33.38 → red.
    assert frame.loc["Y", "missing_components"] == "support, billing, commercial"
    assert frame.loc["Y", "health_score"] == pytest.approx((20 * 47 + 22 * 21) / 42)
    assert frame.loc["Y", "band"] == "red"


def test_bands_at_their_exact_edges():
    scores = pd.Series([39.99, 40.0, 69.99, 70.0, 0.0, 100.0, np.nan])
    bands = health_band(scores, HealthSettings())
    assert bands.iloc[:6].tolist() == ["red", "yellow", "yellow", "green", "red", "green"]
    assert pd.isna(bands.iloc[6])
    custom = health_band(pd.Series([49.9, 50.0, 89.9, 90.0]),
                         settings_with(red_below=50, green_from=90))
    assert custom.tolist() == ["red", "yellow", "yellow", "green"]


def test_scores_of_exactly_40_and_70_are_yellow_and_green_through_sql(make_db):
    # Sentiment only, NPS ramp 0 → 10: NPS 4 → 40.0 and NPS 7 → 70.0.
    con = make_db(
        accounts=[("A", "A", "SMB", "EU", "Ann"), ("B", "B", "SMB", "EU", "Ann")],
        subscriptions=[sub("A-1", "A", START, amount=10), sub("B-1", "B", START, amount=10)],
    )
    add_nps(con, [("A", at(date(2024, 6, 1)), 4), ("B", at(date(2024, 6, 1)), 7)])
    settings = settings_with(weights={**ONLY, "sentiment": 1},
                             latest_nps={"bad": 0, "good": 10})
    frame = health_scores(con, as_of=AS_OF, settings=settings)
    assert frame["health_score"].tolist() == [40.0, 70.0]
    assert frame["band"].tolist() == ["yellow", "green"]


def test_account_with_no_weighted_data_has_no_score_and_no_band(make_db):
    con = make_db(accounts=[("A", "A", "SMB", "EU", "Ann")],
                  subscriptions=[sub("A-1", "A", date(2024, 5, 1), amount=10)])
    frame = health_scores(con, as_of=AS_OF, settings=HealthSettings())
    assert pd.isna(frame.loc[0, "health_score"]) and pd.isna(frame.loc[0, "band"])
    assert frame.loc[0, "missing_components"] == ", ".join(COMPONENTS)


# --- settings ------------------------------------------------------------------------------

def locations(exc: ValidationError) -> list[tuple]:
    return [tuple(e["loc"]) for e in exc.errors()]


def test_settings_reject_a_negative_weight_naming_it():
    with pytest.raises(ValidationError) as exc:
        HealthSettings(weights={"usage": -1})
    assert locations(exc.value) == [("weights", "usage")]


def test_settings_reject_all_zero_weights():
    with pytest.raises(ValidationError) as exc:
        HealthSettings(weights=ONLY)
    assert locations(exc.value) == [("weights",)]
    assert "at least one component weight" in str(exc.value)


def test_settings_reject_unordered_or_out_of_range_bands():
    with pytest.raises(ValidationError) as exc:
        HealthSettings(red_below=70, green_from=70)
    assert locations(exc.value) == [("green_from",)]
    with pytest.raises(ValidationError) as exc:
        HealthSettings(red_below=-1)
    assert locations(exc.value) == [("red_below",)]
    with pytest.raises(ValidationError) as exc:
        HealthSettings(green_from=101)
    assert locations(exc.value) == [("green_from",)]


def test_settings_reject_a_ramp_without_a_slope():
    with pytest.raises(ValidationError) as exc:
        HealthSettings(latest_nps={"bad": 7, "good": 7})
    assert locations(exc.value) == [("latest_nps",)]


def test_settings_round_trip_through_the_settings_table(con):
    changed = settings_with(red_below=35, weights={**HealthWeights().as_dict(), "billing": 30})
    save_settings(con, changed)
    try:
        assert load_settings(con, HealthSettings) == changed
    finally:
        con.execute("DELETE FROM settings WHERE key = 'HealthSettings'")
    assert load_settings(con, HealthSettings) == HealthSettings()


def test_every_threshold_is_a_ramp_of_a_known_component():
    assert set(RULE_COMPONENT.values()) == set(COMPONENTS)
    ramps = HealthSettings().ramps()
    assert all(isinstance(r, Ramp) for r in ramps.values()) and len(ramps) == 13


# --- filters -------------------------------------------------------------------------------

def test_filters_select_accounts_by_segment_region_owner_and_active_plan(con):
    def ids(**kwargs) -> list[str]:
        frame = health_scores(con, as_of=AS_OF, settings=HealthSettings(),
                              filters=Filters(**kwargs))
        return frame["account_id"].tolist()

    assert ids(segments=("ENT",)) == ["C100", "CDOWN", "FPRO"]
    assert ids(segments=("ENT",), regions=("US",)) == ["C100", "FPRO"]
    assert ids(csm_owners=("Cy",)) == ["FPRO"]
    # FTRIAL's Pro subscription is a trial, not an active subscription on Pro.
    assert ids(plans=("Pro",)) == ["FPRO"]


# --- history, explanation, counts, migration, preview ----------------------------------------

def test_history_scores_each_month_end_and_the_as_of_date(con):
    frame = health_history(con, as_of=AS_OF, months=3, settings=HealthSettings(),
                           account_ids=["NLATEST", "CDOWN"])
    assert frame[["account_id", "month"]].values.tolist() == [
        ["CDOWN", date(2024, 4, 1)], ["CDOWN", date(2024, 5, 1)], ["CDOWN", date(2024, 6, 1)],
        ["NLATEST", date(2024, 4, 1)], ["NLATEST", date(2024, 5, 1)],
        ["NLATEST", date(2024, 6, 1)],
    ]
    # NLATEST answered 9 in January and 6 on June 1: sentiment 100, 100, then 0.
    assert frame["sentiment_score"].iloc[3:].tolist() == [100, 100, 0]
    # CDOWN as of Apr 30: Jan..Apr all 100 → 100; May 31: Feb 100 → 90 = −10 % → 50; June: 50.
    assert frame["commercial_score"].iloc[:3].tolist() == [100, 50, 50]
    assert list(frame.columns) == [
        "account_id", "month", *[f"{c}_score" for c in COMPONENTS], "health_score", "band",
        "missing_components",
    ]
    now = frame.iloc[5]
    assert now["health_score"] == pytest.approx(
        health_scores(con, as_of=AS_OF, settings=HealthSettings())
        .set_index("account_id").loc["NLATEST", "health_score"]
    )


def test_history_leaves_out_months_an_account_was_not_in_force(con):
    frame = health_history(con, as_of=AS_OF, months=4, settings=HealthSettings(),
                           account_ids=["CNEW", "FGONE"])
    assert frame[["account_id", "month"]].values.tolist() == [
        ["CNEW", date(2024, 4, 1)], ["CNEW", date(2024, 5, 1)], ["CNEW", date(2024, 6, 1)],
        ["FGONE", date(2024, 3, 1)], ["FGONE", date(2024, 4, 1)], ["FGONE", date(2024, 5, 1)],
    ]


def test_trend_compares_this_month_with_last_month():
    may, june = date(2024, 5, 1), date(2024, 6, 1)
    history = pd.DataFrame({
        "account_id": ["B", "B", "A", "A", "C"],
        "month": [may, june, may, june, june],
        "health_score": [80.0, 65.5, 30.0, np.nan, 50.0],
        "band": pd.Series(["green", "yellow", "red", None, "yellow"], dtype="str"),
    })
    frame = score_trend(history, as_of=AS_OF)
    assert frame["account_id"].tolist() == ["A", "B", "C"]
    assert frame["change"].tolist()[1] == -14.5          # 65.5 − 80
    assert frame["change"].isna().tolist() == [True, False, True]
    assert frame["band_before"].tolist()[:2] == ["red", "green"]
    assert pd.isna(frame.loc[2, "health_score_before"])   # C was not scored in May


WEIGHTS_20_15_22 = settings_with(weights={**ONLY, "usage": 20, "commercial": 15, "sentiment": 22})


def test_explanation_splits_the_change_into_contributions_sorted_by_size():
    now = {"usage_score": 47, "commercial_score": 59, "sentiment_score": 21}
    before = {"usage_score": 47, "commercial_score": 59, "sentiment_score": None}
    frame = score_change_explanation(now, before, WEIGHTS_20_15_22)
    # Now Σw = 57: 940/57, 885/57, 462/57. Before (no sentiment) Σw = 35: 940/35, 885/35.
    expected = pd.DataFrame({
        "component": ["usage", "commercial", "sentiment", "adoption", "billing", "engagement",
                      "support"],
        "weight": [20.0, 15.0, 22.0, 0.0, 0.0, 0.0, 0.0],
        "score_now": [47.0, 59.0, 21.0, np.nan, np.nan, np.nan, np.nan],
        "score_before": [47.0, 59.0, np.nan, np.nan, np.nan, np.nan, np.nan],
        "contribution_now": [940 / 57, 885 / 57, 462 / 57, 0.0, 0.0, 0.0, 0.0],
        "contribution_before": [940 / 35, 885 / 35, 0.0, 0.0, 0.0, 0.0, 0.0],
    })
    expected["contribution_change"] = expected["contribution_now"] - expected["contribution_before"]
    assert_frame_equal(frame, expected)
    assert frame["contribution_now"].sum() == pytest.approx(2287 / 57)  # 40.12
    assert frame["contribution_before"].sum() == pytest.approx(1825 / 35)


def test_explanation_accepts_history_rows(con):
    history = health_history(con, as_of=AS_OF, months=2, settings=HealthSettings(),
                             account_ids=["NLATEST"])
    frame = score_change_explanation(history.iloc[1], history.iloc[0], HealthSettings())
    change = history.iloc[1]["health_score"] - history.iloc[0]["health_score"]
    assert frame["contribution_change"].sum() == pytest.approx(change)
    assert frame.loc[0, "component"] == "sentiment"


def test_band_counts_give_every_band_with_accounts_and_arr():
    scores = pd.DataFrame({
        "band": pd.Series(["green", "red", "green", None], dtype="str"),
        "arr": [1200.0, 600.0, 300.0, 50.0],
    })
    expected = pd.DataFrame({
        "band": ["red", "yellow", "green", "no data"],
        "accounts": pd.Series([1, 0, 2, 1], dtype="int64"),
        "arr": [600.0, 0.0, 1500.0, 50.0],
    })
    assert_frame_equal(band_counts(scores), expected, check_dtype=False)
    assert band_counts(scores.iloc[:3])["band"].tolist() == ["red", "yellow", "green"]


def test_band_migration_counts_moves_between_last_month_and_this_month():
    may, june = date(2024, 5, 1), date(2024, 6, 1)
    history = pd.DataFrame({
        "account_id": ["A", "A", "B", "B", "C", "D", "E", "E"],
        "month": [may, june, may, june, june, may, may, june],
        "band": pd.Series(["red", "yellow", "green", "green", "red", "yellow", None, None],
                          dtype="str"),
    })
    expected = pd.DataFrame({
        "from_band": ["red", "yellow", "green", "no data", "new"],
        "to_band": ["yellow", "left", "green", "no data", "red"],
        "accounts": pd.Series([1, 1, 1, 1, 1], dtype="int64"),
    })
    assert_frame_equal(band_migration(history, as_of=AS_OF), expected, check_dtype=False)


def test_preview_counts_accounts_whose_band_would_change(make_db):
    # Sentiment only, NPS ramp 0 → 10: A = 40 (yellow), B = 70 (green), C = 90 (green),
    # D has no data. With red < 45 and green ≥ 75: A red, B yellow, C green, D no data.
    con = make_db(
        accounts=[(a, a, "SMB", "EU", "Ann") for a in "ABCD"],
        subscriptions=[sub(f"{a}-1", a, START, amount=10) for a in "ABCD"],
    )
    add_nps(con, [("A", at(date(2024, 6, 1)), 4), ("B", at(date(2024, 6, 1)), 7),
                  ("C", at(date(2024, 6, 1)), 9)])
    current = settings_with(weights={**ONLY, "sentiment": 1}, latest_nps={"bad": 0, "good": 10})
    proposed = current.model_copy(update={"red_below": 45.0, "green_from": 75.0})
    assert preview_band_changes(con, as_of=AS_OF, current=current, proposed=proposed) == {
        "accounts": 4,
        "changed": 2,
        "by_change": {"yellow→red": 1, "green→yellow": 1},
    }
    # Weights matter too: giving usage (no data anywhere) all the weight leaves no score.
    no_data = current.model_copy(update={"weights": HealthWeights(**{**ONLY, "usage": 1})})
    assert preview_band_changes(con, as_of=AS_OF, current=current, proposed=no_data) == {
        "accounts": 4,
        "changed": 3,
        "by_change": {"yellow→no data": 1, "green→no data": 2},
    }
    assert preview_band_changes(con, as_of=AS_OF, current=current, proposed=current) == {
        "accounts": 4, "changed": 0, "by_change": {},
    }


def test_every_health_and_moment_setting_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "health.md").read_text(encoding="utf-8")
    for model in (HealthSettings, MomentSettings):
        for name in model.model_fields:
            assert f"`{name}`" in doc, f"{model.__name__}.{name} is not documented"
