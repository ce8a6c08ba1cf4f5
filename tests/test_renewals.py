"""Renewals: outcomes, KPIs, likelihood, pipeline, forecast and the 90–120-day queue.

Hand fixtures with literal expected values; where each number comes from is written beside
it. Rules: ../shared/METRICS.md (Renewals) and docs/renewals.md.

Fixture "book" (as-of 2024-06-30, grace 30 days, so renewals due up to 2024-05-31 count).
Every contract is a yearly subscription billed at its ARR (MRR = ARR / 12) whose term_end is
its end date; a renewal is a successor starting on the due date D:

| account | D          | ARR due → ARR on D + 30  | outcome  | renewed_on  |
| FLAT    | 2024-01-01 | 1,200 → 1,200            | renewal  | D           |
| UP      | 2024-01-15 | 1,200 → 1,800            | upsell   | D           |
| MULTI   | 2024-01-20 | 600 + 600 → 1,200        | renewal  | D (two subscriptions, one renewal) |
| DOWN    | 2024-02-01 | 2,400 → 1,200            | downsell | D           |
| GONE    | 2024-02-10 | 600 → 0                  | churn    | never       |
| TOUCHED | 2024-02-15 | 1,200 → 1,200            | renewal  | 02-10 ('renewed' logged before D) |
| LATE    | 2024-03-01 | 1,200 → 1,200 (back on D + 30 = 03-31) | renewal | 2024-03-31 |
| LATER   | 2024-03-05 | 1,200 → 0 (back on D + 31 = 04-05)     | churn   | 2024-04-05 |
| EDGE    | 2024-05-31 | 1,200 → 1,200 (D = as-of − 30: counted) | renewal | D     |
| PENDING | 2024-06-01 | (D = as-of − 29: grace not over, left out) |        |       |
| MONTHLY | —          | month-to-month, no term_end: never a renewal |    |       |
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from pydantic import ValidationError

from metrics.filters import Filters
from metrics.health import health_history, score_trend
from metrics.moments import revenue_moments
from metrics.renewal_outcomes import (
    KPI_COLUMNS,
    kpis_from_outcomes,
    price_points,
    quarter_end,
    renewal_history,
    renewal_kpis,
    renewal_outcomes,
    shift_months,
)
from metrics.renewal_queue import QUEUE_COLUMNS, overdue_renewals, renewal_queue
from metrics.renewal_settings import RenewalSettings
from metrics.renewals import (
    LIKELIHOOD_COLUMNS,
    PIPELINE_COLUMNS,
    likelihood_basis_dates,
    likelihood_table,
    pipeline_by_period,
    renewal_likelihood,
    renewal_pipeline,
)
from sample_data.demo import build_demo_database
from store.db import open_database
from store.renewal_work import record_work
from store.settings import save_settings
from tests.conftest import ROOT, load_rows, sub

AS_OF = date(2024, 6, 30)
d = date


def with_none(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``columns`` as object columns with None for missing (as the renewal frames give them)."""
    for column in columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def contract(key: str, account: str, start: date, end: date | None, arr: float,
             *, term_end: date | None = None) -> tuple:
    """A yearly subscription billed at ``arr``; term_end = end date (or a year on if open)."""
    return sub(key, account, start, end, amount=arr, period="year",
               term_end=term_end or end or shift_months(start, 12))


BOOK_SEGMENTS = {
    "FLAT": "SMB", "UP": "SMB", "MULTI": "SMB", "DOWN": "Enterprise", "GONE": "Enterprise",
    "TOUCHED": "Enterprise", "LATE": "SMB", "LATER": "SMB", "EDGE": "SMB", "PENDING": "SMB",
    "MONTHLY": "SMB",
}
BOOK_SUBS = [
    contract("FLAT-1", "FLAT", d(2023, 1, 1), d(2024, 1, 1), 1200),
    contract("FLAT-2", "FLAT", d(2024, 1, 1), None, 1200),
    contract("UP-1", "UP", d(2023, 1, 15), d(2024, 1, 15), 1200),
    contract("UP-2", "UP", d(2024, 1, 15), None, 1800),
    contract("MULTI-1", "MULTI", d(2023, 1, 20), d(2024, 1, 20), 600),
    contract("MULTI-2", "MULTI", d(2023, 1, 20), d(2024, 1, 20), 600),
    contract("MULTI-3", "MULTI", d(2024, 1, 20), None, 1200),
    contract("DOWN-1", "DOWN", d(2023, 2, 1), d(2024, 2, 1), 2400),
    contract("DOWN-2", "DOWN", d(2024, 2, 1), None, 1200),
    contract("GONE-1", "GONE", d(2023, 2, 10), d(2024, 2, 10), 600),
    contract("TOUCHED-1", "TOUCHED", d(2023, 2, 15), d(2024, 2, 15), 1200),
    contract("TOUCHED-2", "TOUCHED", d(2024, 2, 15), None, 1200),
    contract("LATE-1", "LATE", d(2023, 3, 1), d(2024, 3, 1), 1200),
    contract("LATE-2", "LATE", d(2024, 3, 31), None, 1200),
    contract("LATER-1", "LATER", d(2023, 3, 5), d(2024, 3, 5), 1200),
    contract("LATER-2", "LATER", d(2024, 4, 5), None, 1200),
    contract("EDGE-1", "EDGE", d(2023, 5, 31), d(2024, 5, 31), 1200),
    contract("EDGE-2", "EDGE", d(2024, 5, 31), None, 1200),
    contract("PENDING-1", "PENDING", d(2023, 6, 1), d(2024, 6, 1), 1200),
    contract("PENDING-2", "PENDING", d(2024, 6, 1), None, 1200),
    sub("MONTHLY-1", "MONTHLY", d(2023, 1, 1), amount=100),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    con = open_database(tmp_path_factory.mktemp("renewals") / "book.duckdb")
    load_rows(
        con,
        accounts=[(a, f"Account {a}", seg, "EU", "Ann" if seg == "SMB" else "Bob")
                  for a, seg in BOOK_SEGMENTS.items()],
        subscriptions=BOOK_SUBS,
    )
    # TOUCHED: a 'not contacted' row (not a touch), the first touch 45 days before D
    # (2024-01-01 → 2024-02-15), and 'renewed' logged on 02-10, before the due date.
    for status, when in (("not contacted", datetime(2023, 12, 1, 9)),
                         ("contacted", datetime(2024, 1, 1, 9)),
                         ("renewed", datetime(2024, 2, 10, 9))):
        record_work(con, account_id="TOUCHED", renewal_date=d(2024, 2, 15), status=status,
                    note="", next_step="", changed_by="Bob", changed_at=when)
    yield con
    con.close()


@pytest.fixture(scope="module")
def outcomes(book) -> pd.DataFrame:
    return renewal_outcomes(book, as_of=AS_OF)


# --- outcomes ---------------------------------------------------------------------------


def test_outcomes_classify_every_renewal_of_the_book(outcomes):
    got = outcomes[["account_id", "renewal_date", "arr_due", "arr_renewed", "outcome",
                    "renewed", "renewed_on", "renewed_before_expiration"]]
    expected = pd.DataFrame(
        [
            ("FLAT", d(2024, 1, 1), 1200.0, 1200.0, "renewal", True, d(2024, 1, 1), True),
            ("UP", d(2024, 1, 15), 1200.0, 1800.0, "renewal with upsell", True,
             d(2024, 1, 15), True),
            ("MULTI", d(2024, 1, 20), 1200.0, 1200.0, "renewal", True, d(2024, 1, 20), True),
            ("DOWN", d(2024, 2, 1), 2400.0, 1200.0, "renewal with downsell", True,
             d(2024, 2, 1), True),
            ("GONE", d(2024, 2, 10), 600.0, 0.0, "churn", False, None, False),
            ("TOUCHED", d(2024, 2, 15), 1200.0, 1200.0, "renewal", True, d(2024, 2, 10), True),
            ("LATE", d(2024, 3, 1), 1200.0, 1200.0, "renewal", True, d(2024, 3, 31), False),
            ("LATER", d(2024, 3, 5), 1200.0, 0.0, "churn", False, d(2024, 4, 5), False),
            ("EDGE", d(2024, 5, 31), 1200.0, 1200.0, "renewal", True, d(2024, 5, 31), True),
        ],
        columns=got.columns,
    )
    assert_frame_equal(got, expected, check_dtype=False)


def test_outcomes_grace_period_edges(outcomes):
    # Back on D + 30 (LATE) is a renewal; back on D + 31 (LATER) is a churn at the grace
    # date, though the final renewal rate later counts it.
    rows = outcomes.set_index("account_id")
    assert rows.loc["LATE", "outcome"] == "renewal"
    assert rows.loc["LATER", "outcome"] == "churn"
    assert rows.loc["LATER", "renewed_on"] == d(2024, 4, 5)


def test_outcomes_wait_for_the_grace_period_to_end(book):
    # EDGE (D 05-31) needs as-of 06-30 = D + 30; one day earlier it has no outcome yet.
    ids = renewal_outcomes(book, as_of=d(2024, 6, 29))["account_id"].tolist()
    assert "EDGE" not in ids and "PENDING" not in ids
    assert "EDGE" in renewal_outcomes(book, as_of=AS_OF)["account_id"].tolist()
    assert "PENDING" in renewal_outcomes(book, as_of=d(2024, 7, 1))["account_id"].tolist()


def test_outcomes_follow_the_grace_setting(book):
    # With 40 days of grace LATER's comeback on D + 31 is in time; EDGE now waits.
    rows = renewal_outcomes(book, as_of=AS_OF, settings=RenewalSettings(grace_days=40))
    rows = rows.set_index("account_id")
    assert rows.loc["LATER", "outcome"] == "renewal"
    assert rows.loc["LATER", "arr_renewed"] == 1200.0
    assert "EDGE" not in rows.index


def test_outcomes_contact_days_count_the_first_touch_before_the_due_date(outcomes):
    rows = outcomes.set_index("account_id")
    assert rows.loc["TOUCHED", "first_touch_at"] == pd.Timestamp("2024-01-01 09:00")
    assert rows.loc["TOUCHED", "contact_days_in_advance"] == 45.0  # 2024-01-01 → 02-15
    assert rows["contact_days_in_advance"].drop("TOUCHED").isna().all()


def test_outcomes_filters_select_accounts_and_months(book):
    enterprise = renewal_outcomes(book, as_of=AS_OF, filters=Filters(segments=("Enterprise",)))
    assert enterprise["account_id"].tolist() == ["DOWN", "GONE", "TOUCHED"]
    february = renewal_outcomes(
        book, as_of=AS_OF, filters=Filters(start_month=d(2024, 2, 1), end_month=d(2024, 2, 1))
    )
    assert february["account_id"].tolist() == ["DOWN", "GONE", "TOUCHED"]


# --- KPIs --------------------------------------------------------------------------------


def test_kpis_of_the_first_quarter_by_hand(book):
    kpis = renewal_kpis(book, as_of=AS_OF)
    assert list(kpis.columns) == list(KPI_COLUMNS)
    assert kpis["quarter"].tolist() == [d(2024, 1, 1), d(2024, 4, 1)]
    q1 = kpis.iloc[0]
    # Q1: FLAT, UP, MULTI, DOWN, GONE, TOUCHED, LATE, LATER.
    assert q1["complete"]  # 03-31 + 30 days = 04-30 <= as-of
    assert q1["renewals_due"] == 8
    assert q1["arr_due"] == pytest.approx(10_200)  # 1200×6 + 2400 + 600
    assert q1["arr_renewed"] == pytest.approx(7_800)  # 1200×5 + 1800
    # Gross: each renewal capped at its ARR due: 1200×5 + 1200 (UP capped) = 7200.
    assert q1["gross_renewal_rate"] == pytest.approx(7_200 / 10_200)
    assert q1["net_renewal_rate"] == pytest.approx(7_800 / 10_200)
    assert q1["logo_renewal_rate"] == pytest.approx(6 / 8)  # GONE and LATER churned
    # Final: every renewal but GONE came back by as-of (LATER on 04-05): 10200 − 600.
    assert q1["final_renewal_rate"] == pytest.approx(9_600 / 10_200)
    # In-quarter: by 03-31 — LATE (back 03-31) counts, LATER (04-05) does not.
    assert q1["in_quarter_renewal_rate"] == pytest.approx(8_400 / 10_200)
    # Before expiration: FLAT, UP, MULTI, DOWN (no gap) and TOUCHED (logged 02-10) = 5 of 8.
    assert q1["renewed_before_expiration_share"] == pytest.approx(5 / 8)
    assert q1["renewals_contacted"] == 1
    assert q1["avg_contact_days_in_advance"] == pytest.approx(45)
    assert (q1["count_renewal"], q1["count_upsell"], q1["count_downsell"],
            q1["count_churn"]) == (4, 1, 1, 2)
    assert (q1["arr_due_renewal"], q1["arr_due_upsell"], q1["arr_due_downsell"],
            q1["arr_due_churn"]) == pytest.approx((4_800, 1_200, 2_400, 1_800))
    q2 = kpis.iloc[1]
    assert not q2["complete"]  # 06-30 + 30 > as-of: renewals due in June still pending
    assert q2["renewals_due"] == 1 and q2["logo_renewal_rate"] == 1.0


def test_kpis_reproduce_the_metrics_md_renewal_example(make_db):
    # METRICS.md: "50 accounts with 4.0M ARR due; 45 renew, 3 of them downgrading by 0.3M in
    # total, 2 churn (0.5M) → logo renewal rate 90%, gross dollar renewal rate 80%."
    # As in tests/test_metrics_worked_examples.py::test_renewal_example, the rates hold only
    # when the 5 accounts that do not renew hold 0.5M: 5 churn at 0.1M, 3 downgrade from
    # 0.2M to 0.1M, and 42 renew flat holding the other 2.9M (40 × 69,000 + 2 × 70,000).
    due = d(2024, 1, 31)
    start = shift_months(due, -12)
    plan = ([("LOST", i, 100_000, None) for i in range(5)]
            + [("DOWN", i, 200_000, 100_000) for i in range(3)]
            + [("FLAT", i, 69_000, 69_000) for i in range(40)]
            + [("FLAT", 40 + i, 70_000, 70_000) for i in range(2)])
    accounts, subs = [], []
    for kind, i, arr, renewed in plan:
        account = f"{kind}{i:02d}"
        accounts.append((account, account, "ENT", "EU", "Ann"))
        subs.append(contract(f"{account}-1", account, start, due, arr))
        if renewed:
            subs.append(contract(f"{account}-2", account, due, None, renewed))
    con = make_db(accounts=accounts, subscriptions=subs)
    kpis = renewal_kpis(con, as_of=AS_OF)
    row = kpis.iloc[0]
    assert len(kpis) == 1 and row["quarter"] == d(2024, 1, 1)
    assert row["renewals_due"] == 50
    assert row["arr_due"] == pytest.approx(4_000_000)
    assert row["logo_renewal_rate"] == pytest.approx(0.90)
    assert row["gross_renewal_rate"] == pytest.approx(0.80)
    assert row["net_renewal_rate"] == pytest.approx(0.80)  # no upsell, so net = gross
    assert (row["count_renewal"], row["count_downsell"], row["count_churn"]) == (42, 3, 5)
    assert row["arr_due_churn"] == pytest.approx(500_000)


def test_history_gives_the_last_four_quarters_with_zero_rows(outcomes):
    history = renewal_history(outcomes, as_of=AS_OF)
    assert history["quarter"].tolist() == [d(2023, 7, 1), d(2023, 10, 1), d(2024, 1, 1),
                                           d(2024, 4, 1)]
    assert history["renewals_due"].tolist() == [0, 0, 8, 1]
    assert history["arr_due"].tolist() == pytest.approx([0, 0, 10_200, 1_200])
    assert math.isnan(history.loc[0, "gross_renewal_rate"])  # nothing due: n/a, not 0
    assert history["complete"].tolist() == [True, True, True, False]


def test_kpis_of_no_renewals_is_an_empty_frame_with_the_columns(make_db):
    con = make_db(accounts=[("M", "M", "SMB", "EU", "Ann")],
                  subscriptions=[sub("M-1", "M", d(2023, 1, 1), amount=100)])
    kpis = renewal_kpis(con, as_of=AS_OF)
    assert kpis.empty and list(kpis.columns) == list(KPI_COLUMNS)


def test_quarter_helpers_handle_leap_years_and_month_ends():
    assert quarter_end(d(2024, 2, 29)) == d(2024, 3, 31)
    assert quarter_end(d(2024, 12, 31)) == d(2024, 12, 31)
    assert shift_months(d(2024, 2, 29), -12) == d(2023, 2, 28)
    assert shift_months(d(2024, 1, 31), 1) == d(2024, 2, 29)


# --- likelihood --------------------------------------------------------------------------


def history_rows(rows: list[tuple[str | None, str | None, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["band", "segment", "renewed"])


def test_likelihood_falls_back_from_band_segment_to_band_to_overall():
    history = history_rows(
        [("green", "SMB", True)] * 3 + [("green", "SMB", False)]  # cell 4 → own rate 3/4
        + [("green", "Enterprise", True)]  # cell 1 < 3 → band green: 4 of 5
        + [("red", "SMB", False)] * 2  # red 2 < 3 → overall
        + [(None, "SMB", True)]  # no band: counts in the overall basis only
    )
    table = likelihood_table(history, segments=["SMB", "Enterprise"], min_history=3)
    # Overall: 8 renewals, 5 renewed.
    rows = [
        ("red", "Enterprise", 0, 0, 5 / 8, "overall", 8, 5),
        ("red", "SMB", 2, 0, 5 / 8, "overall", 8, 5),
        ("yellow", "Enterprise", 0, 0, 5 / 8, "overall", 8, 5),
        ("yellow", "SMB", 0, 0, 5 / 8, "overall", 8, 5),
        ("green", "Enterprise", 1, 1, 4 / 5, "band", 5, 4),
        ("green", "SMB", 4, 3, 3 / 4, "band+segment", 4, 3),
        ("no data", "Enterprise", 0, 0, 5 / 8, "overall", 8, 5),
        ("no data", "SMB", 1, 1, 5 / 8, "overall", 8, 5),
    ]
    expected = pd.DataFrame(rows, columns=list(LIKELIHOOD_COLUMNS))
    assert_frame_equal(table, expected, check_dtype=False)


def test_likelihood_without_history_is_unknown_not_zero():
    table = likelihood_table(history_rows([]), segments=["SMB", None], min_history=3)
    assert table["likelihood"].isna().all()
    assert set(table["basis"]) == {"no history"}
    assert sorted(set(table["segment"])) == ["(none)", "SMB"]


def test_likelihood_of_the_book_uses_bands_at_the_start_of_the_year(book):
    # Basis: renewals due 2023-05-31 < D <= 2024-05-31, labelled with the band on 2023-05-31.
    assert likelihood_basis_dates(AS_OF, RenewalSettings()) == (d(2023, 5, 31), d(2024, 5, 31))
    # With only subscriptions loaded, health has one component: commercial (MRR now vs three
    # month ends earlier, docs/health.md). Accounts paying since Feb 2023 have flat MRR → 100,
    # green; LATE, LATER and EDGE paid nothing on 2023-02-28 → no score (band 'no data').
    table = renewal_likelihood(book, as_of=AS_OF, settings=RenewalSettings(
        min_history_for_segment=3)).set_index(["band", "segment"])
    # green SMB: FLAT, UP, MULTI all renewed → 3/3; green Enterprise: DOWN, TOUCHED renewed,
    # GONE churned → 2/3. Others: overall = 7 renewed of 9 (LATER, GONE churned).
    assert table.loc[("green", "SMB"), ["renewals", "renewed", "likelihood", "basis"]].tolist() \
        == [3, 3, 1.0, "band+segment"]
    assert table.loc[("green", "Enterprise"), "likelihood"] == pytest.approx(2 / 3)
    assert table.loc[("no data", "SMB"), ["renewals", "renewed"]].tolist() == [3, 2]
    assert table.loc[("red", "SMB"), "likelihood"] == pytest.approx(7 / 9)
    assert table.loc[("red", "SMB"), "basis"] == "overall"


# --- pipeline and forecast ---------------------------------------------------------------


def hand_likelihood() -> pd.DataFrame:
    """A literal likelihood table: green SMB 0.9, green Enterprise 0.8, everything else 0.5."""
    rows = []
    for band in ("red", "yellow", "green", "no data"):
        for segment in ("Enterprise", "SMB"):
            value, basis = 0.5, "overall"
            if band == "green":
                value, basis = (0.9 if segment == "SMB" else 0.8), "band+segment"
            rows.append((band, segment, 10, int(10 * value), value, basis, 10, int(10 * value)))
    return pd.DataFrame(rows, columns=list(LIKELIHOOD_COLUMNS))


@pytest.fixture(scope="module")
def pipeline(book) -> pd.DataFrame:
    record_work(book, account_id="FLAT", renewal_date=d(2025, 1, 1), status="proposal sent",
                note="Sent the 2025 quote", next_step="Call on Monday", changed_by="Ann",
                changed_at=datetime(2024, 6, 20, 10))
    return renewal_pipeline(book, as_of=AS_OF, likelihood=hand_likelihood())


def test_pipeline_forecast_arithmetic(pipeline):
    # Next renewals of the successor contracts (a year after each start), ARR on as-of.
    # Bands on as-of (commercial only, see above): LATER paid nothing on 2024-03-31 → none.
    assert list(pipeline.columns) == list(PIPELINE_COLUMNS)
    got = pipeline[["account_id", "renewal_date", "arr_due", "band", "status", "likelihood",
                    "likelihood_basis", "forecast_arr", "arr_at_risk"]]
    expected = pd.DataFrame(
        [
            ("FLAT", d(2025, 1, 1), 1200.0, "green", "proposal sent", 0.9, "band+segment",
             1080.0, 120.0),
            ("UP", d(2025, 1, 15), 1800.0, "green", "not contacted", 0.9, "band+segment",
             1620.0, 180.0),
            ("MULTI", d(2025, 1, 20), 1200.0, "green", "not contacted", 0.9, "band+segment",
             1080.0, 120.0),
            ("DOWN", d(2025, 2, 1), 1200.0, "green", "not contacted", 0.8, "band+segment",
             960.0, 240.0),
            ("TOUCHED", d(2025, 2, 15), 1200.0, "green", "not contacted", 0.8, "band+segment",
             960.0, 240.0),
            ("LATE", d(2025, 3, 31), 1200.0, "green", "not contacted", 0.9, "band+segment",
             1080.0, 120.0),
            ("LATER", d(2025, 4, 5), 1200.0, None, "not contacted", 0.5, "overall",
             600.0, 600.0),
            ("EDGE", d(2025, 5, 31), 1200.0, "green", "not contacted", 0.9, "band+segment",
             1080.0, 120.0),
            ("PENDING", d(2025, 6, 1), 1200.0, "green", "not contacted", 0.9, "band+segment",
             1080.0, 120.0),
        ],
        columns=got.columns,
    )
    assert_frame_equal(got, with_none(expected, "band"), check_dtype=False)
    assert pipeline.loc[0, "month"] == d(2025, 1, 1) and pipeline.loc[0, "quarter"] == d(2025, 1, 1)
    assert (pipeline["forecast_arr"] + pipeline["arr_at_risk"]).tolist() == pytest.approx(
        pipeline["arr_due"].tolist())


def test_pipeline_by_month_adds_up_by_band_and_status(pipeline):
    months = pipeline_by_period(pipeline, period="month", as_of=AS_OF)
    # Every month from 2024-06 to 2025-06 (the horizon ends 2025-06-29), zeros included.
    assert months["month"].tolist() == [shift_months(d(2024, 6, 1), k) for k in range(13)]
    january = months.set_index("month").loc[d(2025, 1, 1)]
    assert january["renewals"] == 3  # FLAT, UP, MULTI
    assert january[["arr_due", "forecast_arr", "arr_at_risk"]].tolist() == pytest.approx(
        [4200, 3780, 420])
    assert january["arr_band_green"] == 4200 and january["arr_status_proposal_sent"] == 1200
    april = months.set_index("month").loc[d(2025, 4, 1)]
    assert april["arr_band_no_data"] == 1200  # LATER has no band
    band_cols = [c for c in months.columns if c.startswith("arr_band_")]
    status_cols = [c for c in months.columns if c.startswith("arr_status_")]
    assert months[band_cols].sum(axis=1).tolist() == pytest.approx(months["arr_due"].tolist())
    assert months[status_cols].sum(axis=1).tolist() == pytest.approx(months["arr_due"].tolist())
    assert months["renewals"].sum() == len(pipeline)
    assert months.loc[months["month"] == d(2024, 6, 1), "arr_due"].item() == 0


def test_pipeline_by_quarter(pipeline):
    quarters = pipeline_by_period(pipeline, period="quarter", as_of=AS_OF)
    assert quarters["quarter"].tolist() == [d(2024, 4, 1), d(2024, 7, 1), d(2024, 10, 1),
                                            d(2025, 1, 1), d(2025, 4, 1)]
    # Q1 2025: January 4,200 + February 2,400 + LATE 1,200; Q2: LATER, EDGE, PENDING.
    assert quarters["arr_due"].tolist() == pytest.approx([0, 0, 0, 7_800, 3_600])
    assert quarters["forecast_arr"].tolist() == pytest.approx([0, 0, 0, 6_780, 2_760])
    with pytest.raises(ValueError, match="period must be"):
        pipeline_by_period(pipeline, period="week")


def test_pipeline_horizon_is_twelve_months_from_as_of(book):
    # As-of 2024-06-01: the horizon ends 2025-05-31, EDGE-2's term end; PENDING-2 (2025-06-01)
    # is one day too far. PENDING-1 ended on 2024-06-01 itself, so it is no longer in force:
    # that renewal has happened (PENDING-2 started the same day).
    rows = renewal_pipeline(book, as_of=d(2024, 6, 1), likelihood=hand_likelihood())
    assert rows["renewal_date"].min() == d(2025, 1, 1)
    assert rows["renewal_date"].max() == d(2025, 5, 31)
    assert "PENDING" not in rows["account_id"].tolist()
    later = renewal_pipeline(book, as_of=d(2024, 6, 2), likelihood=hand_likelihood())
    assert later["renewal_date"].max() == d(2025, 6, 1)


# --- queue -------------------------------------------------------------------------------


def queue_book(as_of: date, days: dict[str, int]) -> tuple[list, list]:
    """Accounts with one yearly contract whose term ends ``days`` after ``as_of``."""
    accounts, subs = [], []
    for i, (account, n) in enumerate(days.items()):
        term_end = as_of + timedelta(days=n)
        accounts.append((account, f"Account {account}", "SMB", "EU", "Ann" if i % 2 else "Bob"))
        subs.append(sub(f"{account}-1", account, shift_months(term_end, -12), amount=1200 + i,
                        period="year", term_end=term_end))
    return accounts, subs


@pytest.mark.parametrize(
    ("as_of", "inside", "outside"),
    [
        # Leap day: 2024-02-29 + 90 = 2024-05-29, + 120 = 2024-06-28.
        (d(2024, 2, 29), {"D90": d(2024, 5, 29), "D120": d(2024, 6, 28)},
         {"D89": d(2024, 5, 28), "D121": d(2024, 6, 29)}),
        # Month end: 2024-01-31 + 90 = 2024-04-30 (Feb has 29 days), + 120 = 2024-05-30.
        (d(2024, 1, 31), {"D90": d(2024, 4, 30), "D120": d(2024, 5, 30)},
         {"D89": d(2024, 4, 29), "D121": d(2024, 5, 31)}),
        # Year end: 2023-12-31 + 90 = 2024-03-30, + 120 = 2024-04-29.
        (d(2023, 12, 31), {"D90": d(2024, 3, 30), "D120": d(2024, 4, 29)},
         {"D89": d(2024, 3, 29), "D121": d(2024, 4, 30)}),
    ],
)
def test_queue_window_includes_90_and_120_days_and_excludes_89_and_121(
    make_db, as_of, inside, outside
):
    accounts, subs = [], []
    for account, term_end in {**inside, **outside}.items():
        accounts.append((account, account, "SMB", "EU", "Ann"))
        subs.append(sub(f"{account}-1", account, shift_months(term_end, -12), amount=1200,
                        period="year", term_end=term_end))
    con = make_db(accounts=accounts, subscriptions=subs)
    queue = renewal_queue(con, as_of=as_of, likelihood=hand_likelihood())
    got = dict(zip(queue["account_id"], queue["renewal_date"], strict=True))
    assert got == inside
    assert dict(zip(queue["account_id"], queue["days_to_renewal"], strict=True)) == {
        "D90": 90, "D120": 120}
    # contact_by = renewal date − 90: the as-of date itself for D90 (not yet overdue).
    by = dict(zip(queue["account_id"], queue["contact_by"], strict=True))
    assert by == {"D90": as_of, "D120": inside["D120"] - timedelta(days=90)}
    assert not queue["overdue"].any()


QUEUE_AS_OF = d(2024, 2, 29)


@pytest.fixture(scope="module")
def queue_con(tmp_path_factory):
    con = open_database(tmp_path_factory.mktemp("queue") / "queue.duckdb")
    accounts, subs = queue_book(QUEUE_AS_OF, {
        "Q90": 90, "Q100": 100, "Q120": 120, "QTIE1": 110, "QTIE2": 110,
        "Q89": 89, "QTODAY": 0, "QTOUCHED": 45, "Q121": 121,
    })
    # QTIE1 and QTIE2: the same ARR, so account_id breaks the tie.
    subs = [s if s[1] != "QTIE2" else sub("QTIE2-1", "QTIE2", s[8], amount=s[4] - 1,
                                          period="year", term_end=s[10]) for s in subs]
    # QNEXT: a contract ending in 32 days and one in the window; its next renewal is the first.
    accounts.append(("QNEXT", "Account QNEXT", "SMB", "EU", "Bob"))
    subs += [sub("QNEXT-1", "QNEXT", d(2023, 4, 1), amount=600, period="year",
                 term_end=d(2024, 4, 1)),
             sub("QNEXT-2", "QNEXT", d(2023, 6, 1), amount=600, period="year",
                 term_end=d(2024, 6, 1))]
    accounts.append(("QMONTHLY", "Account QMONTHLY", "SMB", "EU", "Bob"))
    subs.append(sub("QMONTHLY-1", "QMONTHLY", d(2023, 1, 1), amount=100))
    load_rows(con, accounts=accounts, subscriptions=subs)
    # Q120 answered NPS 3 five days ago: a detractor moment, and a sentiment score of 0.
    con.execute("INSERT INTO nps_responses VALUES ('Q120', TIMESTAMP '2024-02-24 10:00', 3, '')")
    record_work(con, account_id="QTOUCHED", renewal_date=QUEUE_AS_OF + timedelta(days=45),
                status="contacted", note="Kick-off call", next_step="Send quote",
                changed_by="Ann", changed_at=datetime(2024, 2, 1, 9))
    record_work(con, account_id="Q100", renewal_date=QUEUE_AS_OF + timedelta(days=100),
                status="not contacted", note="Left a voicemail", next_step="Try again",
                changed_by="Bob", changed_at=datetime(2024, 2, 20, 9))
    yield con
    con.close()


def test_queue_rows_columns_and_order(queue_con):
    queue = renewal_queue(queue_con, as_of=QUEUE_AS_OF, likelihood=hand_likelihood())
    assert list(queue.columns) == list(QUEUE_COLUMNS)
    # ARR = 12 × MRR = the yearly amount: Q90 1200, Q100 1201, Q120 1202, QTIE1 1203,
    # QTIE2 1203 (1204 − 1); ordered by arr_at_risk = arr × (1 − likelihood), then id.
    got = queue[["account_id", "days_to_renewal", "arr", "band", "likelihood",
                 "arr_at_risk"]]
    expected = pd.DataFrame(
        [
            ("Q120", 120, 1202.0, "red", 0.5, 601.0),
            ("QTIE1", 110, 1203.0, "green", 0.9, 120.3),
            ("QTIE2", 110, 1203.0, "green", 0.9, 120.3),
            ("Q100", 100, 1201.0, "green", 0.9, 120.1),
            ("Q90", 90, 1200.0, "green", 0.9, 120.0),
        ],
        columns=got.columns,
    )
    assert_frame_equal(got, expected, check_dtype=False, atol=1e-9)


def test_queue_health_moments_and_work_state(queue_con):
    queue = renewal_queue(queue_con, as_of=QUEUE_AS_OF, likelihood=hand_likelihood())
    rows = queue.set_index("account_id")
    # Q120: sentiment 0 (NPS 3 ≤ 6) weight 20 and commercial 100 weight 5 → (0 + 500) / 25 =
    # 20, red; at the last month end it had no NPS answer yet → 100, so the change is −80.
    assert rows.loc["Q120", ["health_score", "band", "health_change"]].tolist() == [
        pytest.approx(20.0), "red", pytest.approx(-80.0)]
    # Moments: the NPS detractor; the renewal-window moment every queued account has is left
    # out.
    assert rows.loc["Q120", ["open_moments", "open_moment_types"]].tolist() == [
        1, "nps_detractor"]
    assert rows.loc["Q90", ["open_moments", "open_moment_types"]].tolist() == [0, ""]
    # Q100's only change is 'not contacted' with a note: shown, but not a touch.
    assert rows.loc["Q100", ["status", "next_step"]].tolist() == ["not contacted", "Try again"]
    assert pd.isna(rows.loc["Q100", "last_touch"])
    assert rows.loc["Q90", ["status", "next_step"]].tolist() == ["not contacted", ""]
    # The same health as the health engine gives these accounts.
    trend = score_trend(health_history(queue_con, as_of=QUEUE_AS_OF, months=2,
                                       account_ids=list(rows.index)), as_of=QUEUE_AS_OF)
    trend = trend.set_index("account_id").loc[rows.index]
    assert rows["health_score"].tolist() == pytest.approx(trend["health_score"].tolist())


def test_queue_filters_by_owner_and_segment(queue_con):
    bob = renewal_queue(queue_con, as_of=QUEUE_AS_OF, owner="Bob", likelihood=hand_likelihood())
    # Owners alternate Bob, Ann, Bob … in the order Q90, Q100, Q120, QTIE1, QTIE2.
    assert sorted(bob["account_id"]) == ["Q120", "Q90", "QTIE2"]
    assert set(bob["csm_owner"]) == {"Bob"}
    none = renewal_queue(queue_con, as_of=QUEUE_AS_OF, filters=Filters(segments=("ENT",)),
                         likelihood=hand_likelihood())
    assert none.empty and list(none.columns) == list(QUEUE_COLUMNS)


def test_queue_follows_the_window_setting(queue_con):
    queue = renewal_queue(queue_con, as_of=QUEUE_AS_OF, likelihood=hand_likelihood(),
                          settings=RenewalSettings(window_start_days=100, window_end_days=110))
    assert sorted(queue["account_id"]) == ["Q100", "QTIE1", "QTIE2"]
    assert queue.set_index("account_id").loc["Q100", "contact_by"] == QUEUE_AS_OF


def test_overdue_lists_untouched_renewals_closer_than_the_window(queue_con):
    overdue = overdue_renewals(queue_con, as_of=QUEUE_AS_OF, likelihood=hand_likelihood())
    assert list(overdue.columns) == list(QUEUE_COLUMNS)
    # QTODAY (due today), QNEXT (next renewal 2024-04-01: 32 days) and Q89, soonest first;
    # QTOUCHED (45 days) was contacted, Q90 … are still inside the queue window.
    assert overdue[["account_id", "days_to_renewal", "contact_by"]].values.tolist() == [
        ["QTODAY", 0, d(2023, 12, 1)],  # 2024-02-29 − 90 days
        ["QNEXT", 32, d(2024, 1, 2)],
        ["Q89", 89, d(2024, 2, 28)],
    ]
    assert overdue["overdue"].all()


def test_queue_without_likelihood_history_leaves_risk_unknown(queue_con):
    queue = renewal_queue(queue_con, as_of=QUEUE_AS_OF)
    assert set(queue["likelihood_basis"]) == {"no history"}
    assert queue["arr_at_risk"].isna().all()
    assert sorted(queue["account_id"]) == ["Q100", "Q120", "Q90", "QTIE1", "QTIE2"]


# --- settings, pricing oracle and documentation ------------------------------------------


def test_settings_validate_the_window_order_and_ranges():
    with pytest.raises(ValidationError, match="window_end_days .90. must not be before"):
        RenewalSettings(window_start_days=120, window_end_days=90)
    with pytest.raises(ValidationError, match="grace_days"):
        RenewalSettings(grace_days=-1)
    with pytest.raises(ValidationError, match="min_history_for_segment"):
        RenewalSettings(min_history_for_segment=0)
    assert RenewalSettings(window_start_days=100, window_end_days=100).window_end_days == 100


def test_stored_settings_are_used_when_none_are_given(book):
    save_settings(book, RenewalSettings(grace_days=40))
    try:
        rows = renewal_outcomes(book, as_of=AS_OF).set_index("account_id")
        assert rows.loc["LATER", "outcome"] == "renewal"
    finally:
        save_settings(book, RenewalSettings())


def test_every_renewal_setting_is_documented():
    doc = (ROOT / "docs" / "renewals.md").read_text(encoding="utf-8")
    for name in RenewalSettings.model_fields:
        assert f"`{name}`" in doc, f"RenewalSettings.{name} is not documented in docs/renewals.md"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("renewal_demo") / "demo.duckdb"
    build_demo_database(path, accounts=300, seed=11, as_of=d(2026, 6, 30))
    con = open_database(path)
    yield con
    con.close()


def test_point_pricing_equals_the_month_end_snapshot(demo):
    # renewal_point_mrr.sql re-applies the MRR rules per account and day (FX, discounts,
    # billing periods); on month ends it must give the precomputed mrr_snapshot.
    months = [d(2025, 1, 31), d(2025, 9, 30), d(2026, 5, 31)]
    cursor = demo.cursor()
    cursor.execute(
        "CREATE TEMP TABLE renewal_points AS SELECT a.account_id, CAST(m AS DATE) AS on_date"
        " FROM accounts a, (SELECT unnest($months) AS m)", {"months": months})
    price_points(cursor, demo)
    got = cursor.execute(
        "SELECT account_id, date_trunc('month', on_date) AS month, mrr FROM renewal_point_mrr"
        " WHERE mrr > 0 ORDER BY account_id, month").df()
    expected = cursor.execute(
        "SELECT account_id, month, sum(mrr) AS mrr FROM mrr_snapshot"
        " WHERE list_contains($firsts, month) GROUP BY ALL ORDER BY account_id, month",
        {"firsts": [m.replace(day=1) for m in months]}).df()
    cursor.close()
    assert len(got) > 300
    got["month"] = pd.to_datetime(got["month"])
    expected["month"] = pd.to_datetime(expected["month"])
    assert_frame_equal(got, expected, check_dtype=False, rtol=1e-8)


def test_demo_queue_is_never_empty_and_kpis_agree_with_outcomes(demo):
    # sample_data guarantees renewals 90–120 days out for any as-of.
    as_of = d(2026, 6, 30)
    queue = renewal_queue(demo, as_of=as_of)
    assert len(queue) > 0
    assert queue["days_to_renewal"].between(90, 120).all()
    assert (queue["arr_at_risk"].diff().dropna() <= 1e-9).all()
    outcomes = renewal_outcomes(demo, as_of=as_of)
    kpis = kpis_from_outcomes(outcomes, as_of=as_of, grace_days=30)
    assert kpis["renewals_due"].sum() == len(outcomes)
    assert kpis["arr_due"].sum() == pytest.approx(outcomes["arr_due"].sum())
    split = kpis[[f"arr_due_{k}" for k in ("renewal", "upsell", "downsell", "churn")]]
    assert split.sum(axis=1).tolist() == pytest.approx(kpis["arr_due"].tolist())
    assert ((kpis["gross_renewal_rate"] <= kpis["net_renewal_rate"] + 1e-12)
            | kpis["gross_renewal_rate"].isna()).all()
    assert (kpis["final_renewal_rate"] + 1e-12 >= kpis["in_quarter_renewal_rate"]).all()
    assert np.isfinite(kpis["logo_renewal_rate"]).all()


def test_an_empty_database_gives_empty_frames_with_their_columns(make_db):
    con = make_db()
    assert renewal_likelihood(con, as_of=AS_OF).empty
    pipeline = renewal_pipeline(con, as_of=AS_OF)
    assert pipeline.empty and list(pipeline.columns) == list(PIPELINE_COLUMNS)
    months = pipeline_by_period(pipeline, period="month", as_of=AS_OF)
    assert len(months) == 13 and months["arr_due"].sum() == 0
    for frame in (renewal_queue(con, as_of=AS_OF), overdue_renewals(con, as_of=AS_OF)):
        assert frame.empty and list(frame.columns) == list(QUEUE_COLUMNS)
    assert renewal_kpis(con, as_of=AS_OF).empty


def test_passing_the_shared_inputs_gives_the_same_pipeline_and_queue(demo):
    # The dashboard keeps likelihood, two months of health for every account and the moments
    # feed per data version; passing them must not change a number.
    as_of = d(2026, 6, 30)
    likelihood = renewal_likelihood(demo, as_of=as_of)
    health = health_history(demo, as_of=as_of, months=2)
    moments = revenue_moments(demo, as_of=as_of)
    for build in (renewal_queue, overdue_renewals):
        alone = build(demo, as_of=as_of)
        shared = build(demo, as_of=as_of, likelihood=likelihood, health=health, moments=moments)
        assert_frame_equal(alone, shared)
    assert_frame_equal(renewal_pipeline(demo, as_of=as_of),
                       renewal_pipeline(demo, as_of=as_of, likelihood=likelihood, health=health))


def test_open_moments_are_counted_and_listed_briefly():
    from metrics.renewal_queue import _moment_summary

    moments = pd.DataFrame({
        "account_id": ["A", "A", "A", "A", "A", "B", "C"],
        "moment_type": ["usage_drop", "anniversary", "upsell", "nps_promoter", "renewal_window",
                        "card_expiring", "renewal_window"],
    })
    summary = _moment_summary(moments)
    # renewal_window is left out (C has nothing else); A has four types: three shown.
    assert summary.values.tolist() == [
        ["A", 4, "anniversary, nps_promoter, upsell +1 more"],
        ["B", 1, "card_expiring"],
    ]
