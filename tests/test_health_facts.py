"""Precomputed health inputs and renewal likelihood give the live answers (docs/health.md).

``metrics.snapshots.refresh_derived`` stores the health inputs of the dates pages score by
default (``health_fact_snapshot``, :func:`metrics.health.refresh_health_facts`) and the renewal
likelihood on the data's as-of date (``renewal_likelihood_snapshot``). Both are shortcuts:
every result must equal the live computation exactly, and rows written without a refresh
must never be answered from a stale snapshot.

The generated book is the seeded demo (300 accounts) as of 2026-06-15, a mid-month date, so
neither the as-of date nor the likelihood's band date is a month end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import metrics.health as health
import metrics.renewals as renewals
from metrics.filters import Filters
from metrics.health import (
    health_bands,
    health_history,
    health_scores,
    health_tables,
    precomputed_fact_dates,
)
from metrics.health_settings import HealthSettings, HealthWeights
from metrics.renewal_settings import RenewalSettings
from metrics.snapshots import refresh_derived
from sample_data.demo import build_demo_database
from store.db import open_database, set_meta
from tests.conftest import load_rows, sub

DEMO_AS_OF = date(2026, 6, 15)
# The dates refresh_health_facts stores for it: the as-of date, the month end before it, and
# the likelihood's band date = (as-of − 30 grace days = 2026-05-16) − 12 months.
DEMO_STORED = {date(2025, 5, 16), date(2026, 5, 31), date(2026, 6, 15)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("facts") / "demo.duckdb"
    build_demo_database(path, accounts=300, seed=11, as_of=DEMO_AS_OF)
    con = open_database(path)
    yield con
    con.close()


def _inputs(con, dates: list[date], *, use_precomputed: bool, **kwargs) -> pd.DataFrame:
    with health_tables(con, as_of=dates[-1], snap_dates=dates, use_precomputed=use_precomputed,
                       **kwargs) as cursor:
        return cursor.execute("SELECT * FROM health_inputs ORDER BY account_id, snap").df()


def _live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every health function compute every date live."""
    monkeypatch.setattr(health, "precomputed_fact_dates", lambda con: set())


def test_refresh_stores_the_as_of_date_the_month_end_before_and_the_band_date(demo):
    assert precomputed_fact_dates(demo) == DEMO_STORED
    stored = demo.execute(
        "SELECT snap, count(*) FROM health_fact_snapshot GROUP BY snap ORDER BY snap"
    ).fetchall()
    # One row per account in force on each date: the accounts health_scores scores then.
    assert stored == [
        (day, len(health_scores(demo, as_of=day))) for day in sorted(DEMO_STORED)
    ]


@pytest.mark.parametrize(
    "dates",
    [
        [date(2026, 6, 15)],  # the data's as-of date
        [date(2026, 5, 31), date(2026, 6, 15)],  # health_history(months=2)
        [date(2025, 5, 16)],  # the likelihood's band date
        [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 15)],  # one date live
        [date(2025, 5, 16), date(2026, 6, 15)],  # a stored mid-month date not as of: live
        [date(2026, 6, 20)],  # after the data: live
        [date(2025, 12, 31)],  # an older month end: live
    ],
)
def test_precomputed_inputs_equal_the_live_computation(demo, dates):
    precomputed = _inputs(demo, dates, use_precomputed=True)
    live = _inputs(demo, dates, use_precomputed=False)
    assert len(live) > 0
    assert_frame_equal(precomputed, live, check_exact=True)


def test_precomputed_inputs_equal_the_live_ones_for_a_few_accounts_and_a_filter(demo):
    ids = [row[0] for row in demo.execute(
        "SELECT account_id FROM accounts ORDER BY account_id LIMIT 40"
    ).fetchall()]
    dates = [date(2026, 5, 31), date(2026, 6, 15)]
    for kwargs in ({"account_ids": ids}, {"filters": Filters(segments=("SMB",))}):
        assert_frame_equal(
            _inputs(demo, dates, use_precomputed=True, **kwargs),
            _inputs(demo, dates, use_precomputed=False, **kwargs),
            check_exact=True,
        )


def test_scores_history_and_bands_are_the_same_live(demo, monkeypatch):
    precomputed = (
        health_scores(demo, as_of=DEMO_AS_OF),
        health_history(demo, as_of=DEMO_AS_OF, months=2),
        health_bands(demo, as_of=date(2025, 5, 16)),
    )
    _live(monkeypatch)
    live = (
        health_scores(demo, as_of=DEMO_AS_OF),
        health_history(demo, as_of=DEMO_AS_OF, months=2),
        health_bands(demo, as_of=date(2025, 5, 16)),
    )
    for a, b in zip(precomputed, live, strict=True):
        assert len(a) > 0
        assert_frame_equal(a, b, check_exact=True)


def test_stored_likelihood_equals_the_computed_one_and_other_settings_compute(demo, monkeypatch):
    stored = renewals.renewal_likelihood(demo, as_of=DEMO_AS_OF)
    other = HealthSettings(weights=HealthWeights(usage=0, adoption=0, engagement=0, support=0,
                                                 sentiment=1, billing=0, commercial=0))
    other_stored = renewals.renewal_likelihood(demo, as_of=DEMO_AS_OF, health_settings=other)
    other_grace = renewals.renewal_likelihood(
        demo, as_of=DEMO_AS_OF, settings=RenewalSettings(grace_days=10)
    )
    assert demo.execute("SELECT count(*) FROM renewal_likelihood_snapshot").fetchone()[0] == len(
        stored
    )
    monkeypatch.setattr(renewals, "_stored_likelihood", lambda con, key: None)
    _live(monkeypatch)
    assert_frame_equal(stored, renewals.renewal_likelihood(demo, as_of=DEMO_AS_OF),
                       check_exact=True)
    assert_frame_equal(
        other_stored,
        renewals.renewal_likelihood(demo, as_of=DEMO_AS_OF, health_settings=other),
        check_exact=True,
    )
    assert_frame_equal(
        other_grace,
        renewals.renewal_likelihood(demo, as_of=DEMO_AS_OF,
                                    settings=RenewalSettings(grace_days=10)),
        check_exact=True,
    )


# --- a hand-typed book: what is stored, read live, and when the snapshot is not used ----------

AS_OF = date(2024, 6, 15)
# Stored dates: 06-15, 05-31, and the band date (06-15 − 30 days = 05-16) − 12 months.
STORED = {date(2023, 5, 16), date(2024, 5, 31), date(2024, 6, 15)}


@pytest.fixture
def book(tmp_path: Path):
    con = open_database(tmp_path / "book.duckdb")
    con.execute("BEGIN TRANSACTION")
    set_meta(con, "data_as_of", AS_OF.isoformat())
    con.execute("COMMIT")
    con.executemany(
        "INSERT INTO usage_daily VALUES (?, ?, ?, ?, ?)",
        [("U", date(2024, 6, 10), 16, 10, 3), ("U", date(2024, 5, 1), 4, 40, 1)],
    )
    load_rows(  # rebuilds the derived tables, health_fact_snapshot included
        con,
        accounts=[("U", "Usage Co", "SMB", "EU", "Ann")],
        subscriptions=[sub("U-1", "U", date(2024, 1, 1), amount=100)],
    )
    con.execute("UPDATE accounts SET seats_purchased = 20")
    yield con
    con.close()


def test_stored_inputs_match_hand_worked_values_and_seats_are_read_live(book):
    assert precomputed_fact_dates(book) == STORED
    row = health_scores(book, as_of=AS_OF, settings=HealthSettings()).iloc[0]
    # Last 30 days = 05-17 .. 06-15: only 06-10 (16 users, 10 events, 3 features); the 30
    # before = 04-17 .. 05-16: 05-01 (40 events) → change (10 − 40) / 40 = −75 %.
    assert row["active_users_30d"] == 16
    assert row["events_30d"] == 10
    assert row["events_prev_30d"] == 40
    assert row["usage_change_pct"] == pytest.approx(-75.0)
    assert row["features_used_30d"] == 3
    assert row["days_since_activity"] == 5  # 06-10 → 06-15
    # Seats were set after the refresh and still count: 16 / 20 = 80 %.
    assert row["seat_utilisation_pct"] == pytest.approx(80.0)
    assert row["mrr"] == pytest.approx(100.0)


def test_rows_written_without_a_refresh_are_read_live(book):
    assert precomputed_fact_dates(book) == STORED
    book.execute("INSERT INTO usage_daily VALUES ('U', DATE '2024-06-14', 2, 7, 1)")
    assert precomputed_fact_dates(book) == set()
    row = health_scores(book, as_of=AS_OF, settings=HealthSettings()).iloc[0]
    assert row["events_30d"] == 17  # 10 on 06-10 + 7 on 06-14
    assert row["days_since_activity"] == 1


def test_stored_likelihood_is_not_used_once_the_data_changes(book):
    refresh_derived(book)  # after the seats update of the fixture, which changed the key
    settings = renewals.resolve_settings(book, None)
    key = renewals._likelihood_key(book, as_of=AS_OF, settings=settings,
                                   health_settings=HealthSettings())
    assert renewals._stored_likelihood(book, key) is not None
    book.execute("UPDATE accounts SET segment = 'ENT'")
    changed = renewals._likelihood_key(book, as_of=AS_OF, settings=settings,
                                       health_settings=HealthSettings())
    assert changed != key
    assert renewals._stored_likelihood(book, changed) is None
