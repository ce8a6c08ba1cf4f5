"""Hand-computed fixtures for the revenue engine: every metric, every filter, every setting.

The shared fixture (month-end MRR worked out by hand, METRICS.md rules):

| account | segment | region | owner | subscriptions                                   |
|---------|---------|--------|-------|-------------------------------------------------|
| A1      | SMB     | EU     | Ann   | Basic 100/month from Jan 1; a Pro trial; a one-time 1000 |
| A2      | ENT     | US     | Bob   | Pro 2400/year from Jan 15; Basic 50/month from Mar 1     |
| A3      | SMB     | US     | Bob   | Basic 80/month Jan 1 – Mar 10                    |
| A4      | ENT     | EU     | Ann   | Pro 300/month, 10 % off, from Feb 1; parent A2  |

Month-end MRR: Jan 100+200+80 = 380; Feb +270 (A4 new) = 650; Mar A2 +50 expansion, A3 −80
churn = 620; Apr (as of Apr 15) 620. Trials and one-time charges never count.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from metrics.executive import executive_data
from metrics.filters import Filters, filter_options
from metrics.movements import mrr_movements
from metrics.reports import REPORTS, run_report
from metrics.retention import cohort_retention, trailing_retention
from metrics.snapshots import apply_metric_settings
from store.settings import MetricSettings
from tests.conftest import sub

AS_OF = date(2024, 4, 15)
JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))
BRIDGE = ["month", "mrr_start", "new", "expansion", "contraction", "churn", "reactivation",
          "mrr_end", "customers"]

ACCOUNTS = [
    ("A1", "Alpha", "SMB", "EU", "Ann"),
    ("A2", "Beta", "ENT", "US", "Bob"),
    ("A3", "Gamma", "SMB", "US", "Bob"),
    ("A4", "Delta", "ENT", "EU", "Ann", "A2"),
]
SUBSCRIPTIONS = [
    sub("A1-basic", "A1", JAN, amount=100, plan="Basic"),
    sub("A1-trial", "A1", FEB, amount=500, plan="Pro", status="trial"),
    sub("A1-training", "A1", date(2024, 3, 5), amount=1000, plan="Training",
        charge_type="one_time"),
    sub("A2-pro", "A2", date(2024, 1, 15), amount=2400, period="year", plan="Pro"),
    sub("A2-basic", "A2", MAR, amount=50, plan="Basic"),
    sub("A3-basic", "A3", JAN, date(2024, 3, 10), amount=80, plan="Basic"),
    sub("A4-pro", "A4", FEB, amount=300, plan="Pro", discount_pct=10),
]


@pytest.fixture
def con(make_db):
    return make_db(accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS)


def bridge(rows: list[tuple]) -> pd.DataFrame:
    """Expected bridge frame from literal rows in BRIDGE order."""
    frame = pd.DataFrame(rows, columns=BRIDGE)
    for column in BRIDGE[1:-1]:
        frame[column] = frame[column].astype(float)
    frame["customers"] = frame["customers"].astype("int64")
    return frame


def actual(con, filters: Filters | None = None, as_of: date = AS_OF, **kw) -> pd.DataFrame:
    frame = mrr_movements(con, as_of=as_of, filters=filters, **kw)[BRIDGE].copy()
    frame["customers"] = frame["customers"].astype("int64")
    return frame.round(6)


def test_unfiltered_bridge(con):
    expected = bridge([
        (JAN, 0, 380, 0, 0, 0, 0, 380, 3),
        (FEB, 380, 270, 0, 0, 0, 0, 650, 4),
        (MAR, 650, 0, 50, 0, 80, 0, 620, 3),
        (APR, 620, 0, 0, 0, 0, 0, 620, 3),
    ])
    assert_frame_equal(actual(con), expected)


def test_as_of_month_is_measured_on_the_as_of_date(con):
    # On Mar 5, A3 (ends Mar 10) still pays and A2's Basic add-on already runs: 100+250+80+270.
    frame = actual(con, as_of=date(2024, 3, 5))
    assert frame["month"].iloc[-1] == MAR
    assert frame["mrr_end"].iloc[-1] == 700
    assert frame["churn"].iloc[-1] == 0


@pytest.mark.parametrize(
    ("filters", "rows"),
    [
        (Filters(segments=("SMB",)), [  # A1 + A3
            (JAN, 0, 180, 0, 0, 0, 0, 180, 2), (FEB, 180, 0, 0, 0, 0, 0, 180, 2),
            (MAR, 180, 0, 0, 0, 80, 0, 100, 1), (APR, 100, 0, 0, 0, 0, 0, 100, 1)]),
        (Filters(segments=("ENT",)), [  # A2 + A4
            (JAN, 0, 200, 0, 0, 0, 0, 200, 1), (FEB, 200, 270, 0, 0, 0, 0, 470, 2),
            (MAR, 470, 0, 50, 0, 0, 0, 520, 2), (APR, 520, 0, 0, 0, 0, 0, 520, 2)]),
        (Filters(plans=("Basic",)), [  # A2 starts paying on Basic in March: new, not expansion
            (JAN, 0, 180, 0, 0, 0, 0, 180, 2), (FEB, 180, 0, 0, 0, 0, 0, 180, 2),
            (MAR, 180, 50, 0, 0, 80, 0, 150, 2), (APR, 150, 0, 0, 0, 0, 0, 150, 2)]),
        (Filters(plans=("Pro",)), [  # the trial never counts
            (JAN, 0, 200, 0, 0, 0, 0, 200, 1), (FEB, 200, 270, 0, 0, 0, 0, 470, 2),
            (MAR, 470, 0, 0, 0, 0, 0, 470, 2), (APR, 470, 0, 0, 0, 0, 0, 470, 2)]),
        (Filters(regions=("EU",)), [  # A1 + A4
            (JAN, 0, 100, 0, 0, 0, 0, 100, 1), (FEB, 100, 270, 0, 0, 0, 0, 370, 2),
            (MAR, 370, 0, 0, 0, 0, 0, 370, 2), (APR, 370, 0, 0, 0, 0, 0, 370, 2)]),
        (Filters(csm_owners=("Bob",)), [  # A2 + A3
            (JAN, 0, 280, 0, 0, 0, 0, 280, 2), (FEB, 280, 0, 0, 0, 0, 0, 280, 2),
            (MAR, 280, 0, 50, 0, 80, 0, 250, 1), (APR, 250, 0, 0, 0, 0, 0, 250, 1)]),
        (Filters(segments=("SMB",), csm_owners=("Bob",)), [  # A3 only
            (JAN, 0, 80, 0, 0, 0, 0, 80, 1), (FEB, 80, 0, 0, 0, 0, 0, 80, 1),
            (MAR, 80, 0, 0, 0, 80, 0, 0, 0), (APR, 0, 0, 0, 0, 0, 0, 0, 0)]),
        (Filters(start_month=FEB, end_month=date(2024, 3, 20)), [  # start MRR from January
            (FEB, 380, 270, 0, 0, 0, 0, 650, 4), (MAR, 650, 0, 50, 0, 80, 0, 620, 3)]),
    ],
    ids=["segment-smb", "segment-ent", "plan-basic", "plan-pro", "region-eu", "owner-bob",
         "segment-and-owner", "month-range"],
)
def test_filters(con, filters, rows):
    assert_frame_equal(actual(con, filters), bridge(rows))


def test_filter_with_no_match_is_empty(con):
    assert actual(con, Filters(segments=("Nonexistent",))).empty


def test_parent_level_rolls_children_into_their_parent(con):
    # A4 is a child of A2: at parent level its start is A2's expansion, not a new customer.
    settings = MetricSettings(view_level="parent")
    expected = bridge([
        (JAN, 0, 380, 0, 0, 0, 0, 380, 3),
        (FEB, 380, 0, 270, 0, 0, 0, 650, 3),
        (MAR, 650, 0, 50, 0, 80, 0, 620, 2),
        (APR, 620, 0, 0, 0, 0, 0, 620, 2),
    ])
    assert_frame_equal(actual(con, settings=settings), expected)


def test_list_price_setting_ignores_discounts(con):
    # Discounts deducted by default (A4 = 270); at list price A4 = 300.
    apply_metric_settings(con, MetricSettings(deduct_discounts=False))
    assert actual(con)["mrr_end"].tolist() == [380, 680, 650, 650]
    apply_metric_settings(con, MetricSettings(deduct_discounts=True))
    assert actual(con)["mrr_end"].tolist() == [380, 650, 620, 620]


def test_churn_rates_and_quick_ratio(con):
    churn = executive_data(con, as_of=AS_OF).churn.set_index("month")
    march = churn.loc[MAR]
    assert march["customers_start"] == 4
    assert march["churned_customers"] == 1
    assert march["logo_churn_rate"] == pytest.approx(1 / 4)
    assert march["gross_mrr_churn_rate"] == pytest.approx(80 / 650)
    assert march["net_mrr_churn_rate"] == pytest.approx((80 - 50) / 650)
    assert march["quick_ratio"] == pytest.approx(50 / 80)
    # January starts from nothing and February lost nothing: rates are n/a, not infinite.
    assert pd.isna(churn.loc[JAN, "logo_churn_rate"])
    assert pd.isna(churn.loc[FEB, "quick_ratio"])
    assert churn.loc[FEB, "logo_churn_rate"] == 0


def test_summary_and_kpis(con):
    data = executive_data(con, as_of=AS_OF)
    summary = data.summary.set_index("month")
    assert summary.loc[MAR, "arr"] == pytest.approx(12 * 620)
    assert summary.loc[MAR, "arpa"] == pytest.approx(620 / 3)
    kpis = {k.key: k for k in data.kpis}
    assert kpis["mrr"].value == pytest.approx(620)
    assert kpis["mrr"].previous == pytest.approx(620)
    assert kpis["customers"].value == 3
    assert kpis["logo_churn_rate"].value == 0
    assert kpis["logo_churn_rate"].previous == pytest.approx(0.25)
    # LTV: ARPA 620/3 over the mean logo churn of Jan–Mar that has a base (Feb 0, Mar 0.25).
    assert kpis["ltv"].value == pytest.approx((620 / 3) / 0.125)
    assert kpis["nrr"].value is None  # no customers 12 months before


def test_cohorts(con):
    cohorts = cohort_retention(con, as_of=AS_OF)
    expected = pd.DataFrame(
        {
            "cohort": [JAN] * 4 + [FEB] * 3,
            "months_since_start": [0, 1, 2, 3, 0, 1, 2],
            "cohort_customers": [3, 3, 3, 3, 1, 1, 1],
            "customers": [3, 3, 2, 2, 1, 1, 1],
            "logo_retention": [1, 1, 2 / 3, 2 / 3, 1, 1, 1],
            "mrr": [380.0, 380, 350, 350, 270, 270, 270],
            "revenue_retention": [1, 1, 350 / 380, 350 / 380, 1, 1, 1],
        }
    )
    assert_frame_equal(cohorts, expected, check_dtype=False)


def test_nrr_and_grr(make_db):
    # Customers in Jan 2024: X 100, Y 200, Z 50 (= 350). By Jan 2025: X expanded to 150,
    # Y churned, Z contracted to 30; W joined later and is outside the cohort.
    # NRR = (150 + 0 + 30) / 350; GRR caps X at 100: (100 + 0 + 30) / 350.
    con = make_db(
        accounts=[("X", "X"), ("Y", "Y"), ("Z", "Z"), ("W", "W")],
        subscriptions=[
            sub("x1", "X", JAN, date(2024, 7, 1), amount=100),
            sub("x2", "X", date(2024, 7, 1), amount=150),
            sub("y", "Y", JAN, date(2024, 6, 1), amount=200),
            sub("z1", "Z", JAN, date(2024, 9, 1), amount=50),
            sub("z2", "Z", date(2024, 9, 1), amount=30),
            sub("w", "W", date(2024, 6, 1), amount=500),
        ],
    )
    retention = trailing_retention(con, as_of=date(2025, 1, 31)).set_index("month")
    assert list(retention.index) == [date(2025, 1, 1)]
    assert retention.loc[date(2025, 1, 1), "nrr"] == pytest.approx(180 / 350)
    assert retention.loc[date(2025, 1, 1), "grr"] == pytest.approx(130 / 350)
    assert retention.loc[date(2025, 1, 1), "cohort_customers"] == 3


@pytest.mark.parametrize(
    ("window_days", "expected_new", "expected_reactivation"),
    [(None, 0, 100), (90, 0, 100), (89, 100, 0)],
    ids=["always-reactivation", "within-window", "outside-window-counts-as-new"],
)
def test_reactivation_window_setting(make_db, window_days, expected_new, expected_reactivation):
    # Paid at Jan 31, churned in February, pays again at Apr 30: 90 days after Jan 31.
    con = make_db(
        accounts=[("R", "R")],
        subscriptions=[
            sub("r1", "R", JAN, FEB, amount=100),
            sub("r2", "R", APR, amount=100),
        ],
    )
    settings = MetricSettings(reactivation_window_days=window_days)
    april = actual(con, as_of=date(2024, 4, 30), settings=settings).set_index("month").loc[APR]
    assert april["new"] == expected_new
    assert april["reactivation"] == expected_reactivation


def test_currency_converted_at_rate_on_first_day_of_service_period(make_db):
    # EUR rates: 1.10 from 2023-12-01, 1.20 from 2024-02-01, 1.30 from 2024-02-25.
    # Monthly 100 EUR from Jan 20: periods start Jan 20 (1.10), Feb 20 (1.20), Mar 20 (1.30).
    # Yearly 1200 EUR from Jan 20: one period from Jan 20, so 1.10 all year.
    con = make_db(
        accounts=[("E1", "E1"), ("E2", "E2")],
        subscriptions=[
            sub("m", "E1", date(2024, 1, 20), amount=100, currency="EUR"),
            sub("y", "E2", date(2024, 1, 20), amount=1200, period="year", currency="EUR"),
        ],
        fx_rates=[("EUR", date(2023, 12, 1), 1.10), ("EUR", FEB, 1.20),
                  ("EUR", date(2024, 2, 25), 1.30)],
    )
    monthly = actual(con, Filters(), as_of=date(2024, 3, 31))
    # E1: 110, 120, 130; E2: 110 each month.
    assert monthly["mrr_end"].tolist() == pytest.approx([220, 230, 240])
    assert monthly["expansion"].tolist() == pytest.approx([0, 10, 10])


def test_service_period_before_first_rate_uses_first_rate(make_db):
    con = make_db(
        accounts=[("E", "E")],
        subscriptions=[sub("m", "E", date(2023, 11, 5), amount=100, currency="EUR")],
        fx_rates=[("EUR", date(2023, 12, 1), 1.10)],
    )
    assert actual(con, as_of=date(2023, 11, 30))["mrr_end"].tolist() == pytest.approx([110])


@pytest.mark.parametrize(
    ("period", "amount", "expected"),
    [("quarter", 300, 100), ("half_year", 600, 100), ("24months", 2400, 100),
     ("36months", 3600, 100)],
)
def test_billing_periods_normalise_to_months(make_db, period, amount, expected):
    con = make_db(accounts=[("A", "A")],
                  subscriptions=[sub("s", "A", JAN, amount=amount, period=period)])
    assert actual(con, as_of=date(2024, 1, 31))["mrr_end"].tolist() == [expected]


def test_hundred_percent_discount_and_zero_amount_are_not_customers(make_db):
    con = make_db(
        accounts=[("A", "A"), ("B", "B"), ("C", "C")],
        subscriptions=[
            sub("a", "A", JAN, amount=100, discount_pct=100),
            sub("b", "B", JAN, amount=0),
            sub("c", "C", JAN, amount=10, quantity=3),
        ],
    )
    frame = actual(con, as_of=date(2024, 1, 31))
    assert frame["mrr_end"].tolist() == [30]
    assert frame["customers"].tolist() == [1]


def test_pause_is_an_end_date_and_a_new_row(make_db):
    # Paused from Feb 10 (status paused, end_date set), back on Apr 3 on a new anchor.
    con = make_db(
        accounts=[("P", "P")],
        subscriptions=[
            sub("p1", "P", JAN, date(2024, 2, 10), amount=100, status="paused"),
            sub("p2", "P", date(2024, 4, 3), amount=100),
        ],
    )
    frame = actual(con, as_of=date(2024, 4, 30))
    assert frame["churn"].tolist() == [0, 100, 0, 0]
    assert frame["reactivation"].tolist() == [0, 0, 0, 100]


def test_filter_options(con):
    assert filter_options(con) == {
        "csm_owners": ["Ann", "Bob"],
        "plans": ["Basic", "Pro", "Training"],
        "regions": ["EU", "US"],
        "segments": ["ENT", "SMB"],
    }


def test_reports_have_contract_columns_and_formats(con):
    movements = run_report(con, "movements", as_of=AS_OF)
    assert list(movements.columns) == list(REPORTS["movements"].columns)
    assert movements["month"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    churn = run_report(con, "churn", as_of=AS_OF)
    assert churn.loc[2, "logo_churn_rate"] == 0.25
    mrr = run_report(con, "mrr", as_of=AS_OF)
    assert mrr.loc[2, "arpa"] == 206.67  # 620 / 3 rounded to cents
    cohorts = run_report(con, "cohorts", as_of=AS_OF)
    assert cohorts["cohort"].iloc[0] == "2024-01"


def test_empty_database_gives_empty_frames(make_db):
    con = make_db()
    data = executive_data(con, as_of=AS_OF)
    assert data.is_empty
    assert data.kpis == ()


def test_revenue_months_run_from_first_mrr_to_the_as_of_month(con, make_db):
    from metrics.snapshots import revenue_months

    assert revenue_months(con, as_of=AS_OF) == [JAN, FEB, MAR, APR]
    assert revenue_months(con, as_of=date(2023, 12, 31)) == []
    assert revenue_months(make_db(), as_of=AS_OF) == []


PATH_CASES = [
    Filters(), Filters(segments=("SMB",)), Filters(regions=("EU",)),
    Filters(csm_owners=("Bob",)), Filters(start_month=FEB),
]


@pytest.mark.parametrize("as_of", [date(2024, 2, 10), date(2024, 3, 5), date(2024, 3, 31),
                                   AS_OF, date(2024, 5, 31), date(2025, 3, 15)])
@pytest.mark.parametrize("filters", PATH_CASES, ids=lambda f: repr(f)[:40])
def test_precomputed_path_equals_full_computation(con, as_of, filters):
    fast = mrr_movements(con, as_of=as_of, filters=filters)
    full = mrr_movements(con, as_of=as_of, filters=filters, use_precomputed=False)
    assert_frame_equal(fast, full)
    assert_frame_equal(
        trailing_retention(con, as_of=as_of, filters=filters),
        trailing_retention(con, as_of=as_of, filters=filters, use_precomputed=False),
    )


@pytest.mark.parametrize(
    "settings",
    [MetricSettings(view_level="parent"), MetricSettings(reactivation_window_days=30)],
    ids=["parent", "react-30"],
)
def test_precomputed_path_follows_stored_settings(con, settings):
    apply_metric_settings(con, settings)
    for as_of in (date(2024, 3, 20), AS_OF):
        assert_frame_equal(
            mrr_movements(con, as_of=as_of),
            mrr_movements(con, as_of=as_of, use_precomputed=False),
        )
