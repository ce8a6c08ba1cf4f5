"""Customer value (docs/customer-value.md) on a hand-typed book, every number worked by hand.

As of 2024-07-15. Monthly subscriptions from 2023-12-01 unless stated:

=====  =======  ==========  ======  ====  =====  ============  =====================================
id     name     segment     owner   MRR   ref.   NPS (latest   attributes (references_given,
                                                 in 365 days)  feedback_fixes, strategic_fit)
=====  =======  ==========  ======  ====  =====  ============  =====================================
A      Alpha    SMB         Ann     1000  no     6 detractor   "0", "3", "low"
B      Beta     Enterprise  Bob     400   yes    9 promoter    "4", –, " High "
C      Gamma    Mid-Market  Ann     400   no     8 passive     –, "1", "medium"
D      Delta    SMB         Cat     100   yes    none          "7", –, "75"
E      Epsilon  SMB         Bob     50    no     none          "abc", "" (blank), "unknown"
=====  =======  ==========  ======  ====  =====  ============  =====================================

NPS window (docs/customer-value.md: the 365 days up to the as-of date, a date being a whole day):
2023-07-17 00:00 … 2024-07-15 23:59. A answered 6 at 2023-07-17 00:00 (first instant inside);
B answered 3 on 2024-01-10, then 9 on 2024-05-01 (latest counts); C 8 on 2024-06-20; D 10 at
2023-07-16 23:59:59 (outside by a second); E 7 on 2024-07-16 (after the as-of date).

Fillers for the churn (no segment, 100 a month): X1 ends 2024-03-05; N1 runs 2024-03-10 …
2024-05-05; X2 ends 2024-05-05; X3, X4, X5 end 2024-07-05 (X3 has strategic_fit "high").
T1 is a trial (MRR 0) with references_given "5". Monthly logo churn (METRICS.md, Rates):
Jan 0/10, Feb 0/10, Mar 1/10 (X1; N1 joins), Apr 0/10, May 2/10 (X2, N1), Jun 0/8; the LTV
churn is the mean of the six months before July = 0.3 / 6 = 0.05, so r = 0.95. July's churn
(X3–X5) is the current month and does not count. Customers on 2024-07-15: A, B, C, D, E.

Scores with the default settings:

- clv_score: CLV = m·r / (1 + i − r) grows with MRR (same r, i, margin), so the percentile rank
  of CLV is that of MRR: ascending ranks E 1, D 2, B 3.5, C 3.5 (tie), A 5 → 100 × (rank − 1)
  / 4 = E 0, D 25, B 62.5, C 62.5, A 100.
- advocacy (referenceable share 25 %): A detractor 0.75 × 0 = 0; B promoter + referenceable
  0.75 × 100 + 25 = 100; C passive 0.75 × 50 = 37.5; D no answer, referenceable → 100; E no
  answer, not referenceable → no data.
- influence (5 references = 100): A 0; B 4 → 80; C none; D 7 → capped 100; E "abc" no data.
- feedback (3 fixes = 100): A 3 → 100; C 1 → 33.33; B, D none; E blank → no data.
- strategic (low 0, medium 50, high 100, numbers 0–100): A low 0; B " High " → 100 (case and
  spaces ignored); C medium 50; D "75" → 75; E "unknown" → no data.

Value score, weights clv 40, advocacy 20, influence 15, feedback 10, strategic 15, over the
components with data (METRICS.md, Health):

- A: (40·100 + 20·0 + 15·0 + 10·100 + 15·0) / 100 = 50
- B: (40·62.5 + 20·100 + 15·80 + 15·100) / 90 = 7200 / 90 = 80 (no feedback)
- C: (40·62.5 + 20·37.5 + 10·33.33 + 15·50) / 85 = 4333.33 / 85 = 50.98 (no influence)
- D: (40·25 + 20·100 + 15·100 + 15·75) / 90 = 5625 / 90 = 62.5 (no feedback)
- E: (40·0) / 40 = 0 (only CLV has data)

value_rank: B 1, D 2, C 3, A 4, E 5. clv_rank (ties share the best): A 1, B 2, C 2, D 4, E 5.
rank_gap = clv_rank − value_rank: B +1, D +2, C −1, A −3, E 0.
Quadrants against the medians (CLV: B's and C's, value: C's 50.98; "above" = strictly above):
B and D value above, CLV not → "Worth more than revenue says"; A CLV above, value not →
"Worth less than revenue says"; C and E neither → "Low on both".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from metrics.customer_value import (
    QUADRANTS,
    VALUE_COLUMNS,
    ValueSettings,
    ValueWeights,
    attribute_names,
    clv_assumptions,
    customer_value,
    format_strategic_levels,
    monthly_discount_rate,
    parse_strategic_levels,
    percentile_score,
)
from metrics.filters import Filters
from store.db import open_database, set_meta
from store.settings import SettingsError, save_settings, validate_settings
from tests.conftest import load_rows, sub

AS_OF = date(2024, 7, 15)
START = date(2023, 12, 1)
ORDER = ["B", "D", "C", "A", "E"]
C_VALUE = (2500 + 750 + 1000 / 3 + 750) / 85  # 50.980…


def book(make_db: Callable[..., duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """The hand-typed book of the module docstring."""
    con = make_db(
        accounts=[
            ("A", "Alpha", "SMB", "EU", "Ann"),
            ("B", "Beta", "Enterprise", "US", "Bob"),
            ("C", "Gamma", "Mid-Market", "EU", "Ann"),
            ("D", "Delta", "SMB", "US", "Cat"),
            ("E", "Epsilon", "SMB", "EU", "Bob"),
            *[(i, f"Filler {i}", None, None, None)
              for i in ("X1", "X2", "X3", "X4", "X5", "N1", "T1")],
        ],
        subscriptions=[
            sub("SA", "A", START, amount=1000),
            sub("SB", "B", START, amount=400, plan="Silver"),
            sub("SC", "C", START, amount=400),
            sub("SD", "D", START, amount=100),
            sub("SE", "E", START, amount=50),
            sub("SX1", "X1", START, date(2024, 3, 5), amount=100),
            sub("SN1", "N1", date(2024, 3, 10), date(2024, 5, 5), amount=100),
            sub("SX2", "X2", START, date(2024, 5, 5), amount=100),
            *[sub(f"S{i}", i, START, date(2024, 7, 5), amount=100) for i in ("X3", "X4", "X5")],
            sub("ST1", "T1", date(2024, 7, 1), amount=100, status="trial"),
        ],
    )
    con.execute("UPDATE accounts SET referenceable = true WHERE account_id IN ('B', 'D')")
    con.executemany(
        "INSERT INTO nps_responses VALUES (?, ?, ?, NULL)",
        [
            ("A", datetime(2023, 7, 17, 0, 0, 0), 6),
            ("B", datetime(2024, 1, 10, 9), 3),
            ("B", datetime(2024, 5, 1, 9), 9),
            ("C", datetime(2024, 6, 20, 9), 8),
            ("D", datetime(2023, 7, 16, 23, 59, 59), 10),
            ("E", datetime(2024, 7, 16, 9), 7),
        ],
    )
    con.executemany(
        "INSERT INTO account_attributes VALUES (?, ?, ?)",
        [
            ("A", "references_given", "0"), ("A", "feedback_fixes", "3"),
            ("A", "strategic_fit", "low"),
            ("B", "references_given", "4"), ("B", "strategic_fit", " High "),
            ("C", "feedback_fixes", "1"), ("C", "strategic_fit", "medium"),
            ("D", "references_given", "7"), ("D", "strategic_fit", "75"),
            ("E", "references_given", "abc"), ("E", "feedback_fixes", ""),
            ("E", "strategic_fit", "unknown"),
            ("X3", "strategic_fit", "high"),
            ("T1", "references_given", "5"),
        ],
    )
    return con


def book_file(path: Path, settings: ValueSettings | None = None) -> Path:
    """The book in a closed database file (for the CLI and the pages, which open it
    themselves), with the data's as-of date recorded and ``settings`` stored if given."""

    def factory(**rows: Iterable[tuple]) -> duckdb.DuckDBPyConnection:
        con = open_database(path)
        load_rows(con, **rows)
        return con

    con = book(factory)
    try:
        if settings is not None:
            save_settings(con, settings)
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "data_as_of", AS_OF.isoformat())
        set_meta(con, "data_version", "1")
        con.execute("COMMIT")
    finally:
        con.close()
    return path


def value(con: duckdb.DuckDBPyConnection, **settings: object) -> pd.DataFrame:
    return customer_value(con, as_of=AS_OF, settings=ValueSettings(**settings))


def column(frame: pd.DataFrame, name: str) -> dict[str, object]:
    return dict(zip(frame["account_id"], frame[name], strict=True))


# --- the worked book --------------------------------------------------------------------------


def test_customers_are_accounts_paying_on_the_as_of_date_ranked_by_value(make_db) -> None:
    frame = value(book(make_db))
    assert list(frame.columns) == list(VALUE_COLUMNS)
    # Churned fillers (X3 has an attribute) and the trial T1 are not customers.
    assert frame["account_id"].tolist() == ORDER
    assert frame["value_rank"].tolist() == [1, 2, 3, 4, 5]
    assert column(frame, "mrr") == {"A": 1000.0, "B": 400.0, "C": 400.0, "D": 100.0, "E": 50.0}
    assert column(frame, "arr")["A"] == 12_000.0


def test_component_scores_follow_the_documented_rules(make_db) -> None:
    frame = value(book(make_db)).set_index("account_id")
    expected = pd.DataFrame(
        {
            "clv_score": [62.5, 25.0, 62.5, 100.0, 0.0],
            "advocacy_score": [100.0, 100.0, 37.5, 0.0, None],
            "influence_score": [80.0, 100.0, None, 0.0, None],
            "feedback_score": [None, None, 100 / 3, 100.0, None],
            "strategic_score": [100.0, 75.0, 50.0, 0.0, None],
        },
        index=pd.Index(ORDER, name="account_id"),
        dtype=float,
    )
    pd.testing.assert_frame_equal(frame[expected.columns], expected)


def test_value_score_renormalises_weights_over_components_with_data(make_db) -> None:
    frame = value(book(make_db))
    assert frame["value_score"].tolist() == pytest.approx([80.0, 62.5, C_VALUE, 50.0, 0.0])
    assert column(frame, "missing_components") == {
        "B": "feedback", "D": "feedback", "C": "influence", "A": "",
        "E": "advocacy, influence, feedback, strategic",
    }


def test_ranks_and_gap_say_who_is_worth_more_than_revenue(make_db) -> None:
    frame = value(book(make_db))
    assert column(frame, "clv_rank") == {"B": 2, "D": 4, "C": 2, "A": 1, "E": 5}
    assert column(frame, "rank_gap") == {"B": 1, "D": 2, "C": -1, "A": -3, "E": 0}
    assert column(frame, "quadrant") == {
        "B": QUADRANTS[0], "D": QUADRANTS[0], "A": QUADRANTS[2], "C": QUADRANTS[3],
        "E": QUADRANTS[3],
    }


def test_raw_inputs_are_returned_for_the_why(make_db) -> None:
    frame = value(book(make_db)).set_index("account_id")
    assert frame.loc["B", "latest_nps"] == 9  # the later of 3 and 9
    assert frame.loc["B", "latest_nps_on"] == date(2024, 5, 1)
    assert frame.loc["A", "latest_nps"] == 6  # 2023-07-17 00:00 is inside the window
    assert pd.isna(frame.loc["D", "latest_nps"])  # 2023-07-16 23:59:59 is outside
    assert pd.isna(frame.loc["E", "latest_nps"])  # answered after the as-of date
    assert frame.loc["B", "strategic_value"] == "High"  # trimmed
    assert frame.loc["E", "feedback_value"] is None  # blank is no data
    assert frame.loc["D", "referenceable"] and not frame.loc["A", "referenceable"]


def test_clv_is_the_npv_with_cash_at_period_end_using_the_ltv_churn(make_db) -> None:
    con = book(make_db)
    assumptions = clv_assumptions(con, as_of=AS_OF, settings=ValueSettings())
    # Six months before July: 0, 0, 0.1, 0, 0.2, 0 → 0.05.
    assert assumptions.monthly_logo_churn == pytest.approx(0.05)
    assert assumptions.retention == pytest.approx(0.95)
    i = 1.10 ** (1 / 12) - 1  # 10 % a year → 0.797 % a month
    assert assumptions.monthly_discount_rate == pytest.approx(i)
    frame = value(con)
    # A: m = 1000 × 100 %, CLV = 1000 × 0.95 / (1 + i − 0.95) = 950 / 0.0579741 = 16,386.62.
    assert column(frame, "clv")["A"] == pytest.approx(950 / (0.05 + i))
    assert column(frame, "clv")["A"] == pytest.approx(16_386.62, abs=0.005)
    assert column(frame, "clv")["E"] == pytest.approx(50 * 0.95 / (0.05 + i))


def test_filters_select_accounts_and_the_churn_follows_them(make_db) -> None:
    con = book(make_db)
    smb = customer_value(con, as_of=AS_OF, filters=Filters(segments=("SMB",)))
    # SMB: D (62.5 → with CLV among A, D, E: ranks E 0, D 50, A 100).
    assert smb["account_id"].tolist() == ["D", "A", "E"]
    # No SMB account churned in January–June, so r = 1 and CLV = m / i.
    i = monthly_discount_rate(10.0)
    assert column(smb, "clv")["D"] == pytest.approx(100 / i)
    assert column(smb, "clv_score") == {"D": 50.0, "A": 100.0, "E": 0.0}
    # D: (40·50 + 20·100 + 15·100 + 15·75) / 90 = 6625 / 90; A: (4000 + 1000) / 100 = 50.
    assert column(smb, "value_score") == pytest.approx({"D": 6625 / 90, "A": 50.0, "E": 0.0})
    silver = customer_value(con, as_of=AS_OF, filters=Filters(plans=("Silver",)))
    assert silver["account_id"].tolist() == ["B"]
    # Month range is not used: the same answer with one.
    ranged = customer_value(con, as_of=AS_OF, filters=Filters(start_month=date(2024, 6, 1)))
    assert ranged["value_score"].tolist() == pytest.approx(value(con)["value_score"].tolist())


def test_stored_settings_are_used_when_none_are_given(make_db) -> None:
    con = book(make_db)
    save_settings(con, ValueSettings(weights=ValueWeights(clv=0, advocacy=1, influence=0,
                                                          feedback=0, strategic=0)))
    frame = customer_value(con, as_of=AS_OF)
    # Advocacy only: B 100, D 100 (tie, rank 1), C 37.5, A 0; E has no score and comes last.
    assert frame["account_id"].tolist() == ["B", "D", "C", "A", "E"]
    assert frame["value_rank"].tolist()[:4] == [1, 1, 3, 4]
    assert pd.isna(frame["value_rank"].iloc[4]) and pd.isna(frame["value_score"].iloc[4])
    assert pd.isna(frame["rank_gap"].iloc[4])


def test_unknown_churn_leaves_clv_out_as_no_data(make_db) -> None:
    # One account since June: no month before July had customers at its start.
    con = make_db(accounts=[("A", "Alpha", "SMB", "EU", "Ann")],
                  subscriptions=[sub("SA", "A", date(2024, 7, 1), amount=100)])
    con.execute("INSERT INTO account_attributes VALUES ('A', 'strategic_fit', 'medium')")
    frame = value(con)
    assert clv_assumptions(con, as_of=AS_OF).monthly_logo_churn is None
    row = frame.iloc[0]
    assert pd.isna(row["clv"]) and pd.isna(row["clv_score"]) and pd.isna(row["clv_rank"])
    assert row["value_score"] == 50.0  # strategic alone
    assert row["missing_components"] == "clv, advocacy, influence, feedback"
    assert pd.isna(row["quadrant"])


def test_attribute_names_lists_what_is_stored_most_common_first(make_db) -> None:
    names = attribute_names(book(make_db))
    # strategic_fit: A, B, C, D, E, X3 = 6; references_given: A, B, D, E, T1 = 5;
    # feedback_fixes: A, C = 2 (E's is blank).
    assert names.to_dict("records") == [
        {"name": "strategic_fit", "accounts": 6},
        {"name": "references_given", "accounts": 5},
        {"name": "feedback_fixes", "accounts": 2},
    ]


def test_no_customers_gives_an_empty_frame_with_every_column(make_db) -> None:
    con = make_db()
    frame = value(con)
    assert frame.empty and list(frame.columns) == list(VALUE_COLUMNS)


# --- settings: both sides of every convention -------------------------------------------------


def test_margin_scales_the_clv(make_db) -> None:
    con = book(make_db)
    i = monthly_discount_rate(10.0)
    full = column(value(con), "clv")["A"]
    half = column(value(con, margin_pct=50), "clv")["A"]
    assert full == pytest.approx(1000 * 0.95 / (0.05 + i))
    assert half == pytest.approx(500 * 0.95 / (0.05 + i))


def test_discount_rate_is_annual_converted_to_monthly(make_db) -> None:
    con = book(make_db)
    i20 = 1.20 ** (1 / 12) - 1  # 20 % a year → 1.531 % a month
    assert column(value(con, annual_discount_rate_pct=20), "clv")["A"] == pytest.approx(
        950 / (0.05 + i20))
    assert column(value(con), "clv")["A"] > column(value(con, annual_discount_rate_pct=20),
                                                   "clv")["A"]


def test_referenceable_share_of_advocacy(make_db) -> None:
    con = book(make_db)
    default = column(value(con), "advocacy_score")
    none = column(value(con, referenceable_pct=0), "advocacy_score")
    everything = column(value(con, referenceable_pct=100), "advocacy_score")
    # 25 %: passive C 0.75 × 50 = 37.5; 0 %: the NPS points alone, C 50, B 100, A 0.
    assert (default["C"], none["C"], none["B"], none["A"]) == (37.5, 50.0, 100.0, 0.0)
    # 100 %: only the flag counts when there is an answer: B 100, C 0.
    assert (everything["B"], everything["C"]) == (100.0, 0.0)
    # Without an answer the flag alone decides, whatever the share: D 100, E no data.
    assert none["D"] == everything["D"] == 100.0
    assert pd.isna(none["E"])


def test_counts_reach_100_at_the_full_at_setting(make_db) -> None:
    con = book(make_db)
    assert column(value(con, influence_full_at=4), "influence_score")["B"] == 100.0
    assert column(value(con, influence_full_at=8), "influence_score")["B"] == 50.0
    assert column(value(con, feedback_full_at=1), "feedback_score")["C"] == 100.0
    assert column(value(con, feedback_full_at=2), "feedback_score")["C"] == 50.0


def test_attribute_names_are_settings_matched_ignoring_case_and_spaces(make_db) -> None:
    con = book(make_db)
    con.executemany(
        "INSERT INTO account_attributes VALUES (?, ?, ?)",
        [("A", "Customer References ", "2"), ("C", "Fixes Shipped", "2"),
         ("C", "Tier", "high")],
    )
    renamed = value(con, influence_attribute="customer references",
                    feedback_attribute="FIXES SHIPPED", strategic_attribute="tier")
    assert column(renamed, "influence_score")["A"] == 40.0  # 2 of 5
    assert pd.isna(column(renamed, "influence_score")["B"])  # B has only references_given
    assert column(renamed, "feedback_score")["C"] == pytest.approx(200 / 3)  # 2 of 3
    assert column(renamed, "strategic_score")["C"] == 100.0
    assert column(value(con), "influence_score")["A"] == 0.0  # default name: "0"


def test_exact_spelling_wins_when_two_stored_names_match(make_db) -> None:
    con = book(make_db)
    con.execute("INSERT INTO account_attributes VALUES ('A', 'Strategic_Fit', 'high')")
    assert column(value(con), "strategic_score")["A"] == 0.0  # 'strategic_fit' = low
    assert column(value(con, strategic_attribute="Strategic_Fit"),
                  "strategic_score")["A"] == 100.0


def test_strategic_levels_are_a_setting(make_db) -> None:
    con = book(make_db)
    con.execute("UPDATE account_attributes SET value = 'Tier 1' "
                "WHERE account_id = 'C' AND name = 'strategic_fit'")
    default = column(value(con), "strategic_score")
    tiers = column(value(con, strategic_levels={"Tier 1": 90, "tier 2": 40}), "strategic_score")
    assert pd.isna(default["C"]) and tiers["C"] == 90.0
    assert pd.isna(tiers["A"])  # "low" is no longer a level
    assert tiers["D"] == 75.0  # numbers still read on the scale


def test_numeric_strategic_values_on_a_0_to_10_or_0_to_100_scale(make_db) -> None:
    con = book(make_db)
    con.execute("UPDATE account_attributes SET value = '7.5' "
                "WHERE account_id = 'C' AND name = 'strategic_fit'")
    hundred = column(value(con), "strategic_score")
    ten = column(value(con, strategic_scale=10), "strategic_score")
    assert (hundred["C"], ten["C"]) == (7.5, 75.0)
    assert hundred["D"] == 75.0 and pd.isna(ten["D"])  # 75 is off a 0–10 scale: no data


def test_weights_change_the_ranking(make_db) -> None:
    con = book(make_db)
    clv_only = value(con, weights=ValueWeights(clv=1, advocacy=0, influence=0, feedback=0,
                                               strategic=0))
    # CLV alone: A 100, B and C 62.5 (tie, rank 2), D 25, E 0; every rank gap 0.
    assert clv_only["account_id"].tolist() == ["A", "B", "C", "D", "E"]
    assert clv_only["value_rank"].tolist() == [1, 2, 2, 4, 5]
    assert clv_only["rank_gap"].tolist() == [0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"weights": {"clv": -1}}, "weights.clv: Input should be greater than or equal to 0"),
        ({"weights": {"clv": 0, "advocacy": 0, "influence": 0, "feedback": 0, "strategic": 0}},
         "at least one component weight must be above 0"),
        ({"margin_pct": 0}, "margin_pct: Input should be greater than 0"),
        ({"margin_pct": 120}, "margin_pct: Input should be less than or equal to 100"),
        ({"annual_discount_rate_pct": 0}, "annual_discount_rate_pct: Input should be greater"),
        ({"influence_attribute": "  "}, "an attribute name cannot be empty"),
        ({"influence_full_at": 0}, "influence_full_at: Input should be greater than 0"),
        ({"strategic_levels": {"high": 120}}, "strategic level 'high' scores 120"),
        ({"strategic_levels": {"7": 70}}, "strategic level '7' is a number"),
        ({"strategic_levels": {"High": 100, " high": 90}}, "'high' is given twice"),
        ({"strategic_levels": {}}, "give at least one strategic level"),
        ({"strategic_scale": 5}, "strategic_scale: Input should be 10 or 100"),
    ],
)
def test_invalid_settings_are_rejected_with_a_clear_message(values: dict, message: str) -> None:
    with pytest.raises(SettingsError, match="Settings not saved") as caught:
        validate_settings(ValueSettings, values)
    assert message in str(caught.value)


def test_valid_settings_normalise_names_and_levels() -> None:
    settings = validate_settings(ValueSettings, {"influence_attribute": " Refs ",
                                                 "strategic_levels": {" Gold ": 100}})
    assert settings.influence_attribute == "Refs"
    assert settings.strategic_levels == {"gold": 100.0}
    assert ValueSettings().weights.as_dict() == {"clv": 40.0, "advocacy": 20.0,
                                                 "influence": 15.0, "feedback": 10.0,
                                                 "strategic": 15.0}


def test_strategic_levels_text_round_trips_and_rejects_bad_parts() -> None:
    assert parse_strategic_levels("low=0, medium=50; high = 100") == {
        "low": 0.0, "medium": 50.0, "high": 100.0}
    assert format_strategic_levels({"low": 0.0, "medium": 50.0}) == "low=0, medium=50"
    with pytest.raises(ValueError, match="'high' is not name=score"):
        parse_strategic_levels("low=0, high")
    with pytest.raises(ValueError, match="'high=lots' is not name=score"):
        parse_strategic_levels("high=lots")


def test_percentile_score_shares_ties_and_keeps_missing() -> None:
    values = pd.Series([10.0, 20.0, 20.0, 40.0, None])
    # Ascending ranks 1, 2.5, 2.5, 4 of n = 4 → 0, 50, 50, 100.
    assert percentile_score(values).tolist()[:4] == [0.0, 50.0, 50.0, 100.0]
    assert pd.isna(percentile_score(values).iloc[4])
    assert percentile_score(pd.Series([5.0])).tolist() == [100.0]


def test_every_value_setting_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "customer-value.md").read_text(
        encoding="utf-8")
    for name in ValueSettings.model_fields:
        assert f"`{name}`" in doc, f"setting {name} is not documented in docs/customer-value.md"
    for name in ValueWeights.model_fields:
        assert f"`weights.{name}`" in doc, f"weight {name} is not documented"
