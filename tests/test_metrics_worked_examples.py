"""Every worked example in ../shared/METRICS.md ("Worked examples"), as a test oracle.

Each test quotes the example it checks; the expected numbers are the document's.
"""

from __future__ import annotations

from datetime import date

import pytest

from metrics.executive import executive_data
from metrics.health_score import weighted_score
from metrics.lifetime_value import ltv
from metrics.movements import mrr_movements
from metrics.rates import arpa, gross_mrr_churn_rate, net_mrr_churn_rate, quick_ratio
from metrics.renewal_rates import (
    RenewalOutcome,
    gross_renewal_rate,
    logo_renewal_rate,
    net_renewal_rate,
)
from metrics.scenarios import required_gross_acquisition
from tests.conftest import sub

AS_OF = date(2024, 6, 30)


def _mrr(con, as_of: date = AS_OF) -> float:
    return float(mrr_movements(con, as_of=as_of)["mrr_end"].iloc[-1])


def _accounts(n: int, prefix: str = "a") -> list[tuple]:
    return [(f"{prefix}{i}", f"Account {prefix}{i}") for i in range(n)]


def test_one_2000_payment_for_12_month_plan_is_mrr_166_67(make_db):
    # "One $2,000 payment for a 12-month plan → MRR 166.67."
    con = make_db(
        accounts=_accounts(1),
        subscriptions=[sub("s", "a0", date(2024, 1, 1), amount=2000, period="year")],
    )
    assert round(_mrr(con), 2) == 166.67


def test_five_at_5_then_two_at_30_is_mrr_85(make_db):
    # "Five customers at $5/month, then two more at $30/month → MRR 85."
    subs = [sub(f"s{i}", f"a{i}", date(2024, 1, 1), amount=5) for i in range(5)]
    subs += [sub(f"s{i}", f"a{i}", date(2024, 3, 1), amount=30) for i in (5, 6)]
    con = make_db(accounts=_accounts(7), subscriptions=subs)
    movements = mrr_movements(con, as_of=AS_OF)
    assert movements.loc[movements["month"] == date(2024, 2, 1), "mrr_end"].item() == 25
    assert _mrr(con) == 85


@pytest.mark.parametrize(
    ("amount", "period", "discount", "expected"),
    [
        (120, "year", 0, 10),  # "$120/year → 10 per month"
        (10, "month", 50, 5),  # "$10/month with a permanent 50% coupon → 5"
        (120, "year", 10, 9),  # "$120/year with 10% off → 9"
    ],
)
def test_normalisation_and_discounts(make_db, amount, period, discount, expected):
    con = make_db(
        accounts=_accounts(1),
        subscriptions=[
            sub("s", "a0", date(2024, 1, 1), amount=amount, period=period, discount_pct=discount)
        ],
    )
    assert _mrr(con) == pytest.approx(expected)


def test_100_monthly_at_100_and_50_yearly_at_600_is_12500(make_db):
    # "100 subscribers at $100/month and 50 at $600/year → MRR 12,500."
    subs = [sub(f"m{i}", f"a{i}", date(2024, 1, 1), amount=100) for i in range(100)]
    subs += [
        sub(f"y{i}", f"a{i}", date(2024, 1, 1), amount=600, period="year")
        for i in range(100, 150)
    ]
    con = make_db(accounts=_accounts(150), subscriptions=subs)
    assert _mrr(con) == pytest.approx(12_500)


def test_lifecycle_movements(make_db):
    # "4 × Gold yearly billed $2,000 → new 166.67; adds 2 × Silver monthly ($60 total) →
    # expansion 60; cancels Silver while Gold runs → contraction 60; Gold ends → churn 166.67;
    # returns on 3 × Gold monthly at $50 → reactivation 150."
    con = make_db(
        accounts=_accounts(1),
        subscriptions=[
            sub("gold", "a0", date(2024, 1, 10), date(2024, 5, 10), amount=500, quantity=4,
                period="year"),
            sub("silver", "a0", date(2024, 2, 5), date(2024, 3, 5), amount=30, quantity=2,
                plan="Silver"),
            sub("gold2", "a0", date(2024, 7, 1), amount=50, quantity=3),
        ],
    )
    m = mrr_movements(con, as_of=date(2024, 8, 15)).set_index("month").round(2)
    assert m.loc[date(2024, 1, 1), "new"] == 166.67
    assert m.loc[date(2024, 2, 1), "expansion"] == 60
    assert m.loc[date(2024, 3, 1), "contraction"] == 60
    assert m.loc[date(2024, 5, 1), "churn"] == 166.67
    assert m.loc[date(2024, 7, 1), "reactivation"] == 150
    assert m.loc[date(2024, 7, 1), "new"] == 0


def test_gross_and_net_mrr_churn_example():
    # "Start MRR 100 with churn 10, contraction 10 and expansion 10 → gross MRR churn 20%,
    # net 10%."
    assert gross_mrr_churn_rate(mrr_start=100, churn=10, contraction=10) == pytest.approx(0.20)
    assert net_mrr_churn_rate(
        mrr_start=100, churn=10, contraction=10, expansion=10
    ) == pytest.approx(0.10)


def test_gross_and_net_mrr_churn_example_through_the_engine(make_db):
    # Same example on data, start MRR 25 + 10 + 25 + 40 = 100 in January; in February
    # a0 25 → 15 (contraction 10), a1 10 → 0 (churn 10), a2 25 → 35 (expansion 10), a3 flat.
    # Logo churn: 1 of 4 customers = 25 %.
    con = make_db(
        accounts=_accounts(4),
        subscriptions=[
            sub("a0-1", "a0", date(2024, 1, 1), date(2024, 2, 1), amount=25),
            sub("a0-2", "a0", date(2024, 2, 1), amount=15),
            sub("a1", "a1", date(2024, 1, 1), date(2024, 2, 1), amount=10),
            sub("a2-1", "a2", date(2024, 1, 1), date(2024, 2, 1), amount=25),
            sub("a2-2", "a2", date(2024, 2, 1), amount=35),
            sub("a3", "a3", date(2024, 1, 1), amount=40),
        ],
    )
    churn = executive_data(con, as_of=date(2024, 2, 29)).churn.set_index("month")
    assert churn.loc[date(2024, 2, 1), "gross_mrr_churn_rate"] == pytest.approx(0.20)
    assert churn.loc[date(2024, 2, 1), "net_mrr_churn_rate"] == pytest.approx(0.10)
    assert churn.loc[date(2024, 2, 1), "logo_churn_rate"] == pytest.approx(0.25)


def test_arpa_and_ltv_examples():
    # "ARPA over MRRs 100, 100, 300, 500, 500 → 300. ARPA 100 with 5% monthly churn → LTV 2,000."
    assert arpa([100, 100, 300, 500, 500]) == 300
    assert ltv(arpa=100, monthly_logo_churn=0.05) == pytest.approx(2000)
    assert ltv(arpa=100, monthly_logo_churn=0) is None  # "n/a when that churn is 0"


def test_quick_ratio_example():
    # "New 20k, expansion 8k, churn 5k, contraction 3k → quick ratio 3.5."
    assert quick_ratio(new=20_000, expansion=8_000, churn=5_000, contraction=3_000) == 3.5
    assert quick_ratio(new=1, expansion=0, churn=0, contraction=0) is None  # "n/a"


def test_weighted_health_score_example():
    # "Weighted score with weights 20, 15, 22 and scores 47, 59, 21 → 40.12 (shown as 40)."
    score, missing = weighted_score(
        {"a": 47, "b": 59, "c": 21}, {"a": 20, "b": 15, "c": 22}
    )
    assert round(score, 2) == 40.12
    assert round(score) == 40
    assert missing == []


def test_weighted_health_score_leaves_missing_components_out():
    # Missing components are left out and weights renormalised: (20·47 + 22·21) / 42.
    score, missing = weighted_score({"a": 47, "b": None, "c": 21}, {"a": 20, "b": 15, "c": 22})
    assert score == pytest.approx((20 * 47 + 22 * 21) / 42)
    assert missing == ["b"]


def test_renewal_example():
    # "50 accounts with 4.0M ARR due; 45 renew, 3 of them downgrading by 0.3M in total, 2 churn
    # (0.5M) → logo renewal rate 90%, gross dollar renewal rate 80%."
    # The example counts 45 + 2 = 47 of 50 accounts; both stated rates hold only when the 5
    # accounts that do not renew hold 0.5M between them (logo 45/50 = 90 %; dollars
    # (4.0 − 0.5 − 0.3) / 4.0 = 80 %), so that is the fixture: 5 non-renewals at 0.1M,
    # 3 downgrades from 0.2M to 0.1M, 42 flat renewals sharing the remaining 2.9M.
    outcomes = [RenewalOutcome(f"lost{i}", 100_000, 0) for i in range(5)]
    outcomes += [RenewalOutcome(f"down{i}", 200_000, 100_000) for i in range(3)]
    outcomes += [RenewalOutcome(f"flat{i}", 2_900_000 / 42, 2_900_000 / 42) for i in range(42)]
    assert len(outcomes) == 50
    assert sum(o.arr_due for o in outcomes) == pytest.approx(4_000_000)
    assert logo_renewal_rate(outcomes) == pytest.approx(0.90)
    assert gross_renewal_rate(outcomes) == pytest.approx(0.80)
    assert net_renewal_rate(outcomes) == pytest.approx(0.80)  # no upsell, so net = gross


def test_growth_target_rule():
    # "Growth target 50% with 20% annual churn → gross new sales must reach 70% of the base."
    assert required_gross_acquisition(growth_target=0.50, churn_rate=0.20) == pytest.approx(0.70)
