"""Who health covers: health_history's filters and the account list of the Account 360 picker.

Hand-typed book as of 2024-06-15 (docs/health.md, "Who is scored, and as of when": an account
is scored on a date when a recurring subscription is in force then, trials included; a plan
filter keeps accounts with an *active* subscription on the plan on that date):

=====  ==========  =======  ============================================  ================
id     name        segment  subscriptions                                 in force 06-15
=====  ==========  =======  ============================================  ================
A      Alder       SMB      Basic from 2024-01-01                         yes
B      Birch       ENT      Pro from 2024-01-01                           yes
C      Cedar       SMB      Basic until 2024-06-01, then Pro              yes (Pro)
D      Dogwood     SMB      Basic 2024-01-01 .. 2024-03-01 (churned)      no
E      Elm         ENT      Basic from 2024-07-01 (not started)           no
T      Tamarack    SMB      Pro trial from 2024-06-01                     yes (trial)
F      Fir         ENT      none                                          no
=====  ==========  =======  ============================================  ================
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from metrics.filters import Filters
from metrics.health import account_list, health_history
from metrics.health_settings import HealthSettings
from tests.conftest import sub

AS_OF = date(2024, 6, 15)
MAY, JUNE = date(2024, 5, 1), date(2024, 6, 1)


@pytest.fixture
def book(make_db):
    return make_db(
        accounts=[
            ("A", "Alder", "SMB", "EU", "Ann"),
            ("B", "Birch", "ENT", "US", "Bob"),
            ("C", "Cedar", "SMB", "US", "Bob"),
            ("D", "Dogwood", "SMB", "EU", "Ann"),
            ("E", "Elm", "ENT", "EU", "Ann"),
            ("T", "Tamarack", "SMB", "EU", "Cat"),
            ("F", "Fir", "ENT", "US", "Cat"),
        ],
        subscriptions=[
            sub("A-1", "A", date(2024, 1, 1), amount=100, plan="Basic"),
            sub("B-1", "B", date(2024, 1, 1), amount=300, plan="Pro"),
            sub("C-1", "C", date(2024, 1, 1), date(2024, 6, 1), amount=100, plan="Basic"),
            sub("C-2", "C", date(2024, 6, 1), amount=300, plan="Pro"),
            sub("D-1", "D", date(2024, 1, 1), date(2024, 3, 1), amount=100, plan="Basic"),
            sub("E-1", "E", date(2024, 7, 1), amount=100, plan="Basic"),
            sub("T-1", "T", date(2024, 6, 1), amount=300, plan="Pro", status="trial"),
        ],
    )


def _months(frame: pd.DataFrame) -> list[list]:
    return frame[["account_id", "month"]].values.tolist()


def test_history_without_filters_scores_every_account_in_force_each_month(book):
    frame = health_history(book, as_of=AS_OF, months=2, settings=HealthSettings())
    assert _months(frame) == [
        ["A", MAY], ["A", JUNE], ["B", MAY], ["B", JUNE], ["C", MAY], ["C", JUNE],
        ["T", JUNE],
    ]


def test_history_segment_filter_keeps_only_that_segments_accounts(book):
    everyone = health_history(book, as_of=AS_OF, months=2, settings=HealthSettings())
    frame = health_history(book, as_of=AS_OF, months=2, settings=HealthSettings(),
                           filters=Filters(segments=("SMB",)))
    assert _months(frame) == [
        ["A", MAY], ["A", JUNE], ["C", MAY], ["C", JUNE], ["T", JUNE],
    ]
    # A filter chooses rows; the scores themselves do not change.
    expected = everyone.loc[everyone["account_id"].isin(["A", "C", "T"])].reset_index(drop=True)
    assert_frame_equal(frame, expected)


def test_history_plan_filter_applies_on_each_date(book):
    frame = health_history(book, as_of=AS_OF, months=2, settings=HealthSettings(),
                           filters=Filters(plans=("Pro",)))
    # B is on Pro both months; C only from June 1; T's Pro subscription is a trial, not
    # active, so the plan filter leaves it out.
    assert _months(frame) == [["B", MAY], ["B", JUNE], ["C", JUNE]]


def test_history_filters_and_account_ids_combine(book):
    frame = health_history(book, as_of=AS_OF, months=2, settings=HealthSettings(),
                           filters=Filters(csm_owners=("Bob",)), account_ids=["C", "A"])
    assert _months(frame) == [["C", MAY], ["C", JUNE]]


def test_account_list_offers_every_account_and_flags_those_in_force(book):
    frame = account_list(book, as_of=AS_OF)
    assert frame.values.tolist() == [
        ["A", "Alder", "SMB", "Ann", True],
        ["B", "Birch", "ENT", "Bob", True],
        ["C", "Cedar", "SMB", "Bob", True],
        ["D", "Dogwood", "SMB", "Ann", False],
        ["E", "Elm", "ENT", "Ann", False],
        ["F", "Fir", "ENT", "Cat", False],
        ["T", "Tamarack", "SMB", "Cat", True],
    ]
    assert list(frame.columns) == ["account_id", "name", "segment", "csm_owner", "in_force"]


def test_account_list_filters_accounts_and_a_plan_keeps_only_accounts_on_it(book):
    smb = account_list(book, as_of=AS_OF, filters=Filters(segments=("SMB",)))
    assert smb["account_id"].tolist() == ["A", "C", "D", "T"]
    on_pro = account_list(book, as_of=AS_OF, filters=Filters(plans=("Pro",)))
    assert on_pro["account_id"].tolist() == ["B", "C"]
    # On 2024-03-01 D had just churned (end date exclusive) and C was still on Basic.
    march = account_list(book, as_of=date(2024, 3, 1))
    assert dict(zip(march["account_id"], march["in_force"], strict=True)) == {
        "A": True, "B": True, "C": True, "D": False, "E": False, "F": False, "T": False,
    }
