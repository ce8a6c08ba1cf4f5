"""The custom-attribute filter: extra account columns select accounts in every metric.

Rules: ../shared/METRICS.md (MRR, Renewals, Health) and docs/metrics.md (Filters): an account
filter selects accounts; the attribute filter keeps accounts whose attribute has one of the
chosen values (docs/import.md: extra columns become ``account_attributes``).

Hand-typed book, as of 2024-06-30 (MRR = amount per month; a yearly 1,200 is 100 / month):

- A1 (SMB; Industry=Retail, Tier=Gold): S0 yearly 1,200 from 2023-01-01 to 2024-01-01 (renewal
  due 2024-01-01), then S1 100 / month from 2024-01-01, term_end 2024-10-15.
- A2 (SMB, parent A1; Industry=Software): S2 200 / month from 2024-01-01, term_end 2024-10-10.
- A3 (ENT; Industry=Retail): S3 yearly 1,200 from 2024-03-01 (MRR 100), term_end 2024-10-20.
- A4 (ENT; no attributes): S5 yearly 4,800 from 2023-01-01 to 2024-01-01 (renewal due
  2024-01-01), then S4 400 / month from 2024-01-01, term_end 2024-10-05.

MRR on 2024-06-30: all 100 + 200 + 100 + 400 = 800; Industry=Retail: A1 + A3 = 200 (2
customers); Industry in (Retail, Software): 400 (3); Tier=Gold: 100 (1).
Renewal queue window: as-of + 90 … + 120 days = 2024-09-28 … 2024-10-28, so every account's
next renewal is in it; under Industry=Retail: A1 and A3, each ARR 12 × 100 = 1,200.
Past renewals (due by as-of − 30 days): A1 and A4 on 2024-01-01; under Retail: A1 only.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from metrics.executive import executive_data
from metrics.filters import Filters, attribute_options, filter_options
from metrics.health import health_scores
from metrics.movements import _can_use_precomputed, mrr_movements
from metrics.renewal_outcomes import renewal_outcomes
from metrics.renewal_queue import renewal_queue
from metrics.snapshots import data_horizon, refresh_derived
from store.db import set_meta
from store.settings import MetricSettings
from tests.conftest import sub

AS_OF = date(2024, 6, 30)
JAN23, JAN24 = date(2023, 1, 1), date(2024, 1, 1)
RETAIL = Filters(attribute="Industry", attribute_values=("Retail",))
RETAIL_OR_SOFTWARE = Filters(attribute="Industry", attribute_values=("Retail", "Software"))
GOLD = Filters(attribute="Tier", attribute_values=("Gold",))
ATTRIBUTES = [
    ("A1", "Industry", "Retail"),
    ("A1", "Tier", "Gold"),
    ("A2", "Industry", "Software"),
    ("A3", "Industry", "Retail"),
]


BOOK_ACCOUNTS = [
    ("A1", "Acme", "SMB", "EU", "Ann"),
    ("A2", "Beta", "SMB", "US", "Bob", "A1"),
    ("A3", "Cyan", "ENT", "EU", "Ann"),
    ("A4", "Delta", "ENT", "US", "Bob"),
]
BOOK_SUBSCRIPTIONS = [
    sub("S0", "A1", JAN23, JAN24, amount=1200, period="year", term_end=JAN24),
    sub("S1", "A1", JAN24, amount=100, term_end=date(2024, 10, 15)),
    sub("S2", "A2", JAN24, amount=200, term_end=date(2024, 10, 10)),
    sub("S3", "A3", date(2024, 3, 1), amount=1200, period="year", term_end=date(2024, 10, 20)),
    sub("S5", "A4", JAN23, JAN24, amount=4800, period="year", term_end=JAN24),
    sub("S4", "A4", JAN24, amount=400, term_end=date(2024, 10, 5)),
]


def finish_book(con: duckdb.DuckDBPyConnection, *, attributes: bool = True) -> None:
    """Add the custom attributes and the as-of date to a database loaded with the book."""
    if attributes:
        con.executemany("INSERT INTO account_attributes VALUES (?, ?, ?)", ATTRIBUTES)
    con.execute("BEGIN TRANSACTION")
    set_meta(con, "data_as_of", AS_OF.isoformat())
    refresh_derived(con)  # month-end history precomputed up to June (the fast path)
    con.execute("COMMIT")


@pytest.fixture
def book(make_db) -> duckdb.DuckDBPyConnection:
    con = make_db(accounts=BOOK_ACCOUNTS, subscriptions=BOOK_SUBSCRIPTIONS)
    finish_book(con)
    return con


def _mrr(con: duckdb.DuckDBPyConnection, filters: Filters, **options) -> tuple[float, int]:
    kpis = {k.key: k.value for k in executive_data(con, as_of=AS_OF, filters=filters,
                                                   **options).kpis}  # fmt: skip
    return round(kpis["mrr"], 2), int(kpis["customers"])


def test_executive_mrr_counts_only_accounts_with_the_attribute_value(book) -> None:
    assert _mrr(book, Filters()) == (800.0, 4)
    assert _mrr(book, RETAIL) == (200.0, 2)
    assert _mrr(book, RETAIL_OR_SOFTWARE) == (400.0, 3)
    assert _mrr(book, GOLD) == (100.0, 1)
    # A name without values, or values without a name, restricts nothing.
    assert _mrr(book, Filters(attribute="Industry")) == (800.0, 4)
    assert _mrr(book, Filters(attribute_values=("Retail",))) == (800.0, 4)
    # Combined with a segment filter: Retail and ENT = A3 only.
    assert _mrr(book, Filters(segments=("ENT",), attribute="Industry",
                              attribute_values=("Retail",))) == (100.0, 1)  # fmt: skip


def test_precomputed_and_full_movements_agree_under_an_attribute_filter(book) -> None:
    settings = MetricSettings()
    assert data_horizon(book) == date(2024, 6, 1)
    assert _can_use_precomputed(book, as_of=AS_OF, filters=RETAIL, settings=settings,
                                horizon=data_horizon(book))  # fmt: skip
    fast = mrr_movements(book, as_of=AS_OF, filters=RETAIL)
    full = mrr_movements(book, as_of=AS_OF, filters=RETAIL, use_precomputed=False)
    assert fast.equals(full)
    # January 2024: A1's yearly 100 continues as 100 / month; A3 starts in March: new 100.
    assert fast.set_index("month").loc[date(2024, 3, 1), "new"] == 100
    assert fast["mrr_end"].iloc[-1] == 200


def test_parent_level_attribute_filter_rolls_up_only_the_chosen_children(book) -> None:
    # Parent level: A2 rolls up into A1. Industry=Software selects A2 alone, so unit A1 holds
    # A2's 200 only (A1's own 100 is Retail); the fast path would take the whole unit.
    parent = MetricSettings(view_level="parent")
    software = Filters(attribute="Industry", attribute_values=("Software",))
    assert not _can_use_precomputed(book, as_of=AS_OF, filters=software, settings=parent,
                                    horizon=data_horizon(book))  # fmt: skip
    assert _mrr(book, software, settings=parent) == (200.0, 1)
    assert _mrr(book, RETAIL, settings=parent) == (200.0, 2)  # units A1 (own 100) and A3


def test_health_scorecard_scores_only_accounts_with_the_attribute_value(book) -> None:
    assert health_scores(book, as_of=AS_OF)["account_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert health_scores(book, as_of=AS_OF, filters=RETAIL)["account_id"].tolist() == ["A1", "A3"]
    scored = health_scores(book, as_of=AS_OF, filters=RETAIL_OR_SOFTWARE)
    assert scored["account_id"].tolist() == ["A1", "A2", "A3"]
    assert scored["mrr"].tolist() == [100.0, 200.0, 100.0]


def test_renewal_queue_and_outcomes_under_an_attribute_filter(book) -> None:
    everyone = renewal_queue(book, as_of=AS_OF)
    assert sorted(everyone["account_id"]) == ["A1", "A2", "A3", "A4"]
    queue = renewal_queue(book, as_of=AS_OF, filters=RETAIL)
    assert sorted(queue["account_id"]) == ["A1", "A3"]
    assert dict(zip(queue["account_id"], queue["arr"], strict=True)) == {"A1": 1200.0, "A3": 1200.0}
    assert {r: str(d) for r, d in zip(queue["account_id"], queue["renewal_date"], strict=True)} == {
        "A1": "2024-10-15",
        "A3": "2024-10-20",
    }
    outcomes = renewal_outcomes(book, as_of=AS_OF)
    assert outcomes["account_id"].tolist() == ["A1", "A4"]
    retail = renewal_outcomes(book, as_of=AS_OF, filters=RETAIL)
    assert retail["account_id"].tolist() == ["A1"]
    assert retail["arr_due"].tolist() == [1200.0]  # S0: yearly 1,200


def test_attribute_options_list_names_and_values(book) -> None:
    assert attribute_options(book) == {"Industry": ["Retail", "Software"], "Tier": ["Gold"]}
    # The other filters keep their shape.
    assert filter_options(book)["segments"] == ["ENT", "SMB"]


def test_attribute_parameters_are_bound_never_formatted() -> None:
    params = Filters(attribute="x'); DROP TABLE accounts; --", attribute_values=("v",)).sql_params()
    assert params["attribute"] == "x'); DROP TABLE accounts; --"
    assert params["attribute_values"] == ["v"]
    assert Filters(attribute="Industry").sql_params()["attribute_values"] == []
    assert Filters(attribute="Industry", attribute_values=("Retail",)).selects_accounts


def test_forecast_follows_the_attribute_filter(book) -> None:
    # The forecast starts from the filtered MRR history: its inputs under Industry=Retail are
    # the movements of A1 + A3 only, so its starting point (the last complete month's MRR,
    # June 2024) is 100 + 100 = 200, not the book's 800.
    from metrics.forecast import forecast_from_movements, mrr_forecast

    retail = Filters(attribute="Industry", attribute_values=("Retail",))
    got = mrr_forecast(book, as_of=date(2024, 6, 30), filters=retail)
    movements = mrr_movements(book, as_of=date(2024, 6, 30), filters=retail)
    _, expected = forecast_from_movements(movements, origin=got.origin)
    assert got.origin == date(2024, 6, 1)  # as-of is June's last day: June is complete
    assert float(movements.loc[movements["month"] == got.origin, "mrr_end"].iloc[0]) == 200
    assert got.forecast.equals(expected)
    unfiltered = mrr_forecast(book, as_of=date(2024, 6, 30))
    assert not got.forecast.equals(unfiltered.forecast)
