"""CSM work state on renewals: validation, current state, history, restarts, concurrent edits."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import duckdb
import pandas as pd
import pytest

from store.db import open_database
from store.renewal_work import (
    STATUSES,
    WRITE_ATTEMPTS,
    current_work,
    record_work,
    work_history,
)
from tests.conftest import load_rows, sub

RENEWAL = date(2024, 6, 28)
T0 = datetime(2024, 3, 1, 10, 0, 0)


def change(con, **values) -> None:
    args = {"account_id": "A", "renewal_date": RENEWAL, "status": "contacted", "note": "",
            "next_step": "", "changed_by": "Ann", "changed_at": T0}
    record_work(con, **{**args, **values})


@pytest.fixture
def con(tmp_path):
    connection = open_database(tmp_path / "work.duckdb")
    load_rows(connection, accounts=[("A", "Account A", "SMB", "EU", "Ann"),
                                    ("B", "Account B", "SMB", "EU", "Bob")],
              subscriptions=[sub("A-1", "A", date(2023, 6, 28), amount=1200, period="year",
                                 term_end=RENEWAL)])
    yield connection
    connection.close()


def rows(con) -> int:
    return con.execute("SELECT count(*) FROM renewal_work").fetchone()[0]


def test_a_change_becomes_the_current_state_and_a_history_row(con):
    change(con, status="proposal sent", note="Quote for 2024-25", next_step="Call Friday")
    current = current_work(con)
    assert current.loc[0, ["account_id", "renewal_date", "status", "note", "next_step",
                           "changed_by", "changed_at", "changes"]].tolist() == [
        "A", RENEWAL, "proposal sent", "Quote for 2024-25", "Call Friday", "Ann",
        pd.Timestamp(T0), 1]
    assert current.loc[0, "first_touch_at"] == pd.Timestamp(T0)
    history = work_history(con, account_id="A")
    assert history["status"].tolist() == ["proposal sent"]
    assert work_history(con, account_id="B").empty


def test_the_latest_change_wins_and_history_lists_every_change_newest_first(con):
    change(con, status="contacted", changed_at=T0)
    change(con, status="at risk", note="Budget cut", changed_by="Bob",
           changed_at=T0 + timedelta(days=2))
    change(con, status="verbally committed", changed_at=T0 + timedelta(days=1))
    current = current_work(con)
    assert current.loc[0, ["status", "changed_by", "changes"]].tolist() == [
        "at risk", "Bob", 3]
    assert current.loc[0, "last_touch_at"] == pd.Timestamp(T0 + timedelta(days=2))
    history = work_history(con, account_id="A")
    assert history["status"].tolist() == ["at risk", "verbally committed", "contacted"]


def test_not_contacted_is_logged_but_is_not_a_touch(con):
    change(con, status="not contacted", note="Left a voicemail")
    current = current_work(con)
    assert current.loc[0, "note"] == "Left a voicemail"
    assert pd.isna(current.loc[0, "first_touch_at"]) and pd.isna(current.loc[0, "last_touch_at"])


@pytest.mark.parametrize(
    ("seconds", "writer", "shown"),
    [(30, "Bob", "Ann"), (60, "Bob", "Ann"), (61, "Bob", None), (30, "Ann", None)],
)
def test_a_change_replacing_someone_elses_within_a_minute_names_them(con, seconds, writer,
                                                                     shown):
    change(con, status="contacted", changed_by="Ann", changed_at=T0)
    change(con, status="at risk", changed_by=writer, changed_at=T0 + timedelta(seconds=seconds))
    current = current_work(con).iloc[0]
    assert current["changed_by"] == writer
    if shown is None:
        assert current[["previous_changed_by", "previous_status"]].isna().all()
    else:
        assert current["previous_changed_by"] == shown
        assert current["previous_status"] == "contacted"
        assert current["previous_changed_at"] == pd.Timestamp(T0)


def test_renewals_of_one_account_are_kept_apart(con):
    change(con, renewal_date=RENEWAL, status="renewed")
    change(con, renewal_date=date(2025, 6, 28), status="contacted")
    current = current_work(con)
    assert current[["renewal_date", "status"]].values.tolist() == [
        [RENEWAL, "renewed"], [date(2025, 6, 28), "contacted"]]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"status": "maybe"}, "status must be one of: not contacted, contacted, proposal sent"),
        ({"changed_by": ""}, "who made the change is required"),
        ({"changed_by": "   "}, "who made the change is required"),
        ({"note": "x" * 5001}, "note is longer than 5,000 characters (5,001)"),
        ({"next_step": "x" * 1001}, "next step is longer than 1,000 characters"),
        ({"account_id": ""}, "account is required"),
        ({"account_id": "NOPE"}, "there is no account 'NOPE'"),
        ({"renewal_date": "soon"}, "renewal date is not a valid date"),
    ],
)
def test_bad_input_is_refused_in_plain_words_and_nothing_is_written(con, values, message):
    with pytest.raises(ValueError, match="Work not saved") as error:
        change(con, **values)
    assert message in str(error.value)
    assert rows(con) == 0


def test_limits_are_inclusive_and_text_is_trimmed(con):
    change(con, note="x" * 5000, next_step=None, changed_by="  Ann  ")
    current = current_work(con).iloc[0]
    assert len(current["note"]) == 5000
    assert current["next_step"] == "" and current["changed_by"] == "Ann"


def test_every_status_is_accepted():
    assert STATUSES == ("not contacted", "contacted", "proposal sent", "verbally committed",
                        "at risk", "renewed", "churned")


def test_time_defaults_to_now_and_aware_times_are_stored_in_utc(con):
    before = datetime.now(UTC).replace(tzinfo=None)
    change(con, changed_at=None, status="contacted")
    after = datetime.now(UTC).replace(tzinfo=None)
    stored = current_work(con).loc[0, "changed_at"]
    assert before <= stored.to_pydatetime() <= after
    change(con, status="renewed",
           changed_at=datetime(2030, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    assert current_work(con).loc[0, "changed_at"] == pd.Timestamp("2030-01-01 10:00")


def test_work_survives_closing_and_reopening_the_database(tmp_path):
    path = tmp_path / "restart.duckdb"
    first = open_database(path)
    load_rows(first, accounts=[("A", "Account A", "SMB", "EU", "Ann")])
    change(first, status="contacted", note="Kick-off call", next_step="Send the quote")
    first.close()
    second = open_database(path)
    try:
        current = current_work(second)
        assert current.loc[0, ["status", "note", "next_step", "changed_by"]].tolist() == [
            "contacted", "Kick-off call", "Send the quote", "Ann"]
        change(second, status="proposal sent", changed_at=T0 + timedelta(hours=1))
        assert work_history(second, account_id="A")["status"].tolist() == [
            "proposal sent", "contacted"]
    finally:
        second.close()


def test_two_sessions_editing_the_same_renewal_at_once_lose_neither_change(con):
    # The dashboard's policy: one connection per process, a cursor per session thread.
    # Both sessions write many changes to the same renewal at the same moment.
    per_session = 25
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def session(name: str, offset: int) -> None:
        cursor = con.cursor()
        try:
            barrier.wait()
            for i in range(per_session):
                change(cursor, status="contacted" if name == "Ann" else "at risk",
                       note=f"{name} {i}", changed_by=name,
                       changed_at=T0 + timedelta(milliseconds=2 * i + offset))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            cursor.close()

    threads = [threading.Thread(target=session, args=("Ann", 0)),
               threading.Thread(target=session, args=("Bob", 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    history = work_history(con, account_id="A")
    assert len(history) == 2 * per_session
    assert sorted(history["note"]) == sorted(
        [f"Ann {i}" for i in range(per_session)] + [f"Bob {i}" for i in range(per_session)])
    # The latest change by changed_at wins: Bob's last, 2 × 24 + 1 ms after T0; Ann's last
    # change (48 ms) is the one it replaced, within a minute, so she is named.
    current = current_work(con).iloc[0]
    assert current[["changed_by", "note", "changes", "previous_changed_by"]].tolist() == [
        "Bob", "Bob 24", 50, "Ann"]
    assert history.iloc[0]["note"] == "Bob 24" and history.iloc[1]["note"] == "Ann 24"


class ConflictOnce:
    """A connection whose cursors fail their first INSERT with a transaction conflict."""

    def __init__(self, con: duckdb.DuckDBPyConnection, failures: int) -> None:
        self.con, self.failures = con, failures

    def cursor(self):
        outer = self
        inner = self.con.cursor()

        class Cursor:
            def execute(self, sql, params=None):
                if sql.startswith("INSERT") and outer.failures > 0:
                    outer.failures -= 1
                    raise duckdb.TransactionException("Catalog write-write conflict")
                return inner.execute(sql, params)

            def close(self):
                inner.close()

        return Cursor()


def test_a_transaction_conflict_is_retried(con):
    record_work(ConflictOnce(con, failures=2), account_id="A", renewal_date=RENEWAL,
                status="contacted", note="", next_step="", changed_by="Ann", changed_at=T0)
    assert rows(con) == 1


def test_a_conflict_that_does_not_clear_is_raised_and_nothing_is_written(con):
    with pytest.raises(duckdb.TransactionException):
        record_work(ConflictOnce(con, failures=WRITE_ATTEMPTS), account_id="A",
                    renewal_date=RENEWAL, status="contacted", note="", next_step="",
                    changed_by="Ann", changed_at=T0)
    assert rows(con) == 0
