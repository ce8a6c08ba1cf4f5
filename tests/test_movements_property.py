"""Property test: random subscription histories against an independent pandas implementation.

For each generated history the SQL engine must (1) satisfy the MRR bridge every month —
start + new + expansion + reactivation − contraction − churn = end, start = last month's end —
and (2) agree with a reference written directly from METRICS.md in pandas: MRR on each
month-end (the as-of date for the last month), then a wide accounts × months table whose
column-to-column changes are classified by the movement table.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.movements import mrr_movements
from store.db import open_database
from tests.conftest import load_rows, sub

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
FIRST_DAY = date(2023, 1, 1)


def reference_movements(subs: list[tuple], as_of: date) -> pd.DataFrame:
    """Monthly bridge computed without SQL. ``subs`` rows: (account, start, end, mrr)."""
    months = pd.period_range(FIRST_DAY, as_of, freq="M")
    snaps = [
        min(date(p.year, p.month, calendar.monthrange(p.year, p.month)[1]), as_of)
        for p in months
    ]
    accounts = sorted({s[0] for s in subs})
    wide = pd.DataFrame(0.0, index=accounts, columns=range(len(months)))
    for account, start, end, mrr in subs:
        for i, snap in enumerate(snaps):
            if start <= snap and (end is None or snap < end):
                wide.loc[account, i] += mrr
    wide = wide.round(6)
    previous = wide.shift(1, axis=1).fillna(0.0)
    paid_before = (wide > 0).cumsum(axis=1).shift(1, axis=1).fillna(0) > 0
    rows = []
    for i, period in enumerate(months):
        prev, cur, seen = previous[i], wide[i], paid_before[i]
        rows.append({
            "month": date(period.year, period.month, 1),
            "mrr_start": prev.sum(),
            "new": cur[(prev == 0) & (cur > 0) & ~seen].sum(),
            "reactivation": cur[(prev == 0) & (cur > 0) & seen].sum(),
            "expansion": (cur - prev)[(prev > 0) & (cur > prev)].sum(),
            "contraction": (prev - cur)[(prev > 0) & (cur > 0) & (cur < prev)].sum(),
            "churn": prev[(prev > 0) & (cur == 0)].sum(),
            "mrr_end": cur.sum(),
            "customers": int((cur > 0).sum()),
        })
    frame = pd.DataFrame(rows)
    # The engine starts at the first month with MRR.
    active = frame.index[frame["mrr_end"] > 0]
    return frame.iloc[active.min():].reset_index(drop=True) if len(active) else frame.iloc[0:0]


subscription_strategy = st.tuples(
    st.integers(0, 5),  # account
    st.integers(0, 700),  # start day offset
    st.one_of(st.none(), st.integers(1, 500)),  # duration in days
    st.sampled_from(sorted(PERIOD_MONTHS)),
    st.integers(0, 40).map(lambda x: x * 25),  # amount per period
    st.integers(1, 3),  # quantity
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.lists(subscription_strategy, min_size=1, max_size=14),
    as_of_offset=st.integers(30, 760),
)
def test_bridge_holds_and_matches_pandas_reference(tmp_path_factory, raw, as_of_offset):
    as_of = FIRST_DAY + timedelta(days=as_of_offset)
    rows, reference_input = [], []
    for i, (account, start_off, duration, period, amount, quantity) in enumerate(raw):
        start = FIRST_DAY + timedelta(days=start_off)
        end = None if duration is None else start + timedelta(days=duration)
        rows.append(sub(f"s{i}", f"acct{account}", start, end, amount=amount, period=period,
                        quantity=quantity))
        reference_input.append(
            (f"acct{account}", start, end, amount * quantity / PERIOD_MONTHS[period])
        )
    con = open_database(tmp_path_factory.mktemp("prop") / "p.duckdb")
    try:
        load_rows(con, accounts=[(f"acct{a}", f"Account {a}") for a in range(6)],
                  subscriptions=rows)
        engine = mrr_movements(con, as_of=as_of)
        full = mrr_movements(con, as_of=as_of, use_precomputed=False)
    finally:
        con.close()

    bridge_end = (engine["mrr_start"] + engine["new"] + engine["expansion"]
                  + engine["reactivation"] - engine["contraction"] - engine["churn"])
    np.testing.assert_allclose(bridge_end, engine["mrr_end"], atol=1e-6)
    np.testing.assert_allclose(engine["mrr_start"].iloc[1:], engine["mrr_end"].iloc[:-1],
                               atol=1e-6)
    assert (engine[["new", "expansion", "contraction", "churn", "reactivation"]] >= 0).all().all()

    pd.testing.assert_frame_equal(engine, full)  # precomputed path = full computation
    expected = reference_movements(reference_input, as_of)
    columns = ["month", "mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
               "mrr_end", "customers"]
    got = engine[columns].reset_index(drop=True)
    if expected.empty:
        assert got.empty or float(got["mrr_end"].abs().sum()) == 0
        return
    assert got["month"].tolist() == expected["month"].tolist()
    for column in columns[1:]:
        np.testing.assert_allclose(
            got[column].astype(float), expected[column].astype(float), atol=1e-6,
            err_msg=column,
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_bridge_on_generated_demo(tmp_path, seed):
    """The bridge also holds on the realistic demo data, under filters."""
    from metrics.filters import Filters
    from sample_data.demo import build_demo_database

    path = tmp_path / "demo.duckdb"
    build_demo_database(path, accounts=300, seed=seed, as_of=date(2026, 6, 30))
    con = open_database(path)
    try:
        for filters in (Filters(), Filters(segments=("SMB",)), Filters(plans=("Growth",))):
            m = mrr_movements(con, as_of=date(2026, 6, 30), filters=filters)
            full = mrr_movements(con, as_of=date(2026, 6, 30), filters=filters,
                                 use_precomputed=False)
            pd.testing.assert_frame_equal(m, full, check_exact=False, atol=1e-6)
            end = (m["mrr_start"] + m["new"] + m["expansion"] + m["reactivation"]
                   - m["contraction"] - m["churn"])
            np.testing.assert_allclose(end, m["mrr_end"], atol=1e-4)
            np.testing.assert_allclose(m["mrr_start"].iloc[1:], m["mrr_end"].iloc[:-1],
                                       atol=1e-4)
    finally:
        con.close()
