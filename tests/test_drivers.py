"""Renewal decisions, their signals and the churn drivers on hand-typed databases.

Rules: docs/insights.md (Decisions, Signals, Drivers); renewal outcomes per METRICS.md,
Renewals. Every expected value below is worked by hand from the rows in the test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from metrics.decisions import renewal_decisions
from metrics.driver_signals import decision_signals, signal_date
from metrics.drivers import churn_drivers, signal_groups
from tests.conftest import sub

AS_OF = date(2024, 12, 31)


def test_signal_date_is_the_month_end_before_decision_minus_lead() -> None:
    assert signal_date(date(2024, 12, 31), 90) == date(2024, 9, 30)  # 12-31 − 90 = 10-02
    assert signal_date(date(2024, 6, 30), 0) == date(2024, 5, 31)
    assert signal_date(date(2024, 7, 1), 0) == date(2024, 6, 30)


def test_decisions_of_each_kind(make_db: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    con = make_db(
        accounts=[(a, a, "SMB", "EU", "Ann") for a in ("C1", "C2", "M1", "M2", "M3", "T1")],
        subscriptions=[
            # C1: a yearly contract due 2024-07-01 and renewed → contract renewal, renewed.
            sub("c1a", "C1", date(2023, 7, 1), date(2024, 7, 1), amount=1200, period="year",
                term_end=date(2024, 7, 1)),
            sub("c1b", "C1", date(2024, 7, 1), amount=1200, period="year",
                term_end=date(2025, 7, 1)),
            # C2: due 2024-07-01 and not renewed → contract renewal, churned; its paying spell
            # also ends that day, which the renewal already records (no extra churn).
            sub("c2", "C2", date(2023, 7, 1), date(2024, 7, 1), amount=1200, period="year",
                term_end=date(2024, 7, 1)),
            # M1: monthly, stops paying 2024-05-01 → churn on 2024-05-01.
            sub("m1", "M1", date(2023, 1, 1), date(2024, 5, 1), amount=100),
            # M2: monthly, still paying on the as-of date → retained on 2024-12-31.
            sub("m2", "M2", date(2023, 1, 1), amount=100),
            # M3: stopped before the window (2024-01-01 .. 2024-12-31) → no decision.
            sub("m3", "M3", date(2022, 1, 1), date(2023, 3, 1), amount=100),
            # T1: a trial never pays → no decision.
            sub("t1", "T1", date(2024, 11, 1), amount=0, status="trial"),
        ],
    )
    got = renewal_decisions(con, as_of=AS_OF, window_days=365)
    expected = pd.DataFrame({
        "decision_id": [0, 1, 2, 3],
        "account_id": ["M1", "C1", "C2", "M2"],
        "decided_on": [date(2024, 5, 1), date(2024, 7, 1), date(2024, 7, 1), AS_OF],
        "kind": ["churn", "contract renewal", "contract renewal", "retained"],
        "renewed": [False, True, False, True],
    })
    assert_frame_equal(got, expected, check_dtype=False)


def _nps_decides_churn(
    make_db: Callable[..., duckdb.DuckDBPyConnection],
) -> duckdb.DuckDBPyConnection:
    """20 monthly accounts since 2023-01-01 at 100 a month. A01–A10 answered NPS 2 on
    2024-09-10 and stopped paying on 2024-12-31; A11–A20 answered 9 and still pay. Segments
    alternate SMB / Enterprise inside each half, so the segment says nothing."""
    ids = [f"A{i:02d}" for i in range(1, 21)]
    segments = ["SMB", "Enterprise"] * 10
    con = make_db(
        accounts=[(a, f"Account {a}", s, "EU", "Ann") for a, s in zip(ids, segments, strict=True)],
        subscriptions=[
            sub(f"s{a}", a, date(2023, 1, 1), AS_OF if i < 10 else None, amount=100)
            for i, a in enumerate(ids)
        ],
    )
    con.executemany(
        "INSERT INTO nps_responses VALUES (?, ?, ?, NULL)",
        [(a, datetime(2024, 9, 10, 12), 2 if i < 10 else 9) for i, a in enumerate(ids)],
    )
    return con


def test_the_signal_that_decides_churn_ranks_first_with_exact_lift(
    make_db: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    con = _nps_decides_churn(make_db)
    found = churn_drivers(con, as_of=AS_OF, lead_days=90, window_days=365)
    # Every decision is on 2024-12-31 (10 churns, 10 retained), read on 2024-09-30.
    assert found.decisions == 20
    assert found.kinds == {"churn": 10, "retained": 10}
    assert found.renewal_rate == 0.5
    top = found.rates.iloc[0]
    # NPS 2: 10 decisions, none renewed; the other 10 all renewed → difference −1.
    # Churn rate 1 in the group, 0.5 overall → lift 2.
    assert (top["signal"], top["group"]) == ("latest_nps", "2")
    assert (top["decisions"], top["renewed"]) == (10, 0)
    assert top["renewal_rate"] == 0.0
    assert top["renewal_rate_rest"] == 1.0
    assert top["difference"] == -1.0
    assert top["lift"] == 2.0
    assert top["ci_high"] < 0
    second = found.rates.iloc[1]
    assert (second["signal"], second["group"], second["lift"]) == ("latest_nps", "9", 0.0)
    # The segment splits both outcomes evenly: renewal rate 0.5 inside and outside, lift 1.
    segment = found.rates.loc[found.rates["signal"] == "segment"]
    assert set(segment["difference"]) == {0.0}
    assert set(segment["lift"]) == {1.0}

    model = found.model
    assert model is not None
    first = model.coefficients.iloc[0]
    assert first["signal"] == "latest_nps"
    assert first["effect"] == "lowers churn risk"
    assert model.auc == 1.0  # NPS separates the held-out decisions perfectly
    assert model.test_decisions == 6  # 30 % of 20


def test_signals_are_read_at_the_lead_time(
    make_db: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    con = _nps_decides_churn(make_db)
    decisions = renewal_decisions(con, as_of=AS_OF, window_days=365)
    # Lead 90 reads 2024-09-30: the NPS of 09-10 is there.
    late = decision_signals(con, decisions=decisions, lead_days=90).frame
    assert late["latest_nps"].notna().all()
    assert set(late["signal_on"]) == {date(2024, 9, 30)}
    # Lead 120 reads 2024-08-31 (12-31 − 120 = 09-02), before any answer: no NPS at all.
    early = decision_signals(con, decisions=decisions, lead_days=120).frame
    assert early["latest_nps"].isna().all()
    # Tenure on the signal date 2024-08-31 from the first payment 2023-01-01, in 30.4375-day months.
    assert early["tenure_months"].iloc[0] == pytest.approx(
        (date(2024, 8, 31) - date(2023, 1, 1)).days / 30.4375
    )


def test_accounts_not_yet_customers_at_the_lead_time_are_left_out(
    make_db: Callable[..., duckdb.DuckDBPyConnection],
) -> None:
    con = make_db(
        accounts=[("OLD", "Old", "SMB", "EU", "Ann"), ("NEW", "New", "SMB", "EU", "Ann")],
        subscriptions=[
            sub("o", "OLD", date(2023, 1, 1), amount=100),
            sub("n", "NEW", date(2024, 11, 1), amount=100),  # joined after 2024-09-30
        ],
    )
    decisions = renewal_decisions(con, as_of=AS_OF, window_days=365)
    found = decision_signals(con, decisions=decisions, lead_days=90)
    assert list(found.frame["account_id"]) == ["OLD"]
    assert found.excluded == 1


def test_signal_groups_by_kind() -> None:
    flags = pd.Series([True, False, None], dtype="boolean")
    assert list(signal_groups(flags, "boolean")) == ["yes", "no", "no data"]
    small = pd.Series([0.0, 1.0, 1.0, None])
    assert list(signal_groups(small, "numeric")) == ["0", "1", "1", "no data"]
    # Eight distinct values → quartiles with edges 1, 2.75, 4.5, 6.25, 8.
    many = pd.Series([1, 2, 3, 4, 5, 6, 7, 8], dtype=float)
    groups = signal_groups(many, "numeric")
    assert groups.nunique() == 4
    assert groups.iloc[0] == groups.iloc[1] != groups.iloc[2]


def test_attributes_become_signals(make_db: Callable[..., duckdb.DuckDBPyConnection]) -> None:
    con = _nps_decides_churn(make_db)
    con.executemany(
        "INSERT INTO account_attributes VALUES (?, ?, ?)",
        [(f"A{i:02d}", "Contract", "Monthly" if i <= 10 else "Yearly") for i in range(1, 21)]
        + [(f"A{i:02d}", "References", str(i % 3)) for i in range(1, 21)],
    )
    found = churn_drivers(con, as_of=AS_OF, lead_days=90, window_days=365)
    contract = found.rates.loc[found.rates["signal"] == "attr: Contract"].set_index("group")
    # Monthly = A01–A10 = the churners: renewal rate 0, lift 2.
    assert contract.loc["Monthly", "renewal_rate"] == 0.0
    assert contract.loc["Monthly", "lift"] == 2.0
    assert "attr: References" in set(found.rates["signal"])
