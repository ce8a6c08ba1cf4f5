"""CSM work state on renewals: an append-only log in the app table ``renewal_work``.

Every change a CSM makes to a renewal (status, note, next step) is one new row with who made
it and when; nothing is ever updated or deleted, so two sessions editing the same renewal at
the same time lose neither change. The current state of a renewal (account_id + renewal_date)
is its latest row by ``changed_at``; :func:`current_work` also names the writer it replaced when
that happened within :data:`OVERWRITE_NOTICE_SECONDS` ("last writer shown, history kept").

Connection policy (``store.db``): one read-write handle per process, a cursor per thread. Each
write takes its own cursor of the handle it is given and commits one INSERT on it, so a write
never joins or ends a transaction the caller has open, and retries when DuckDB reports a
transaction conflict.

Ties: ``changed_at`` is stored to the microsecond. Rows of one renewal stamped with the same
microsecond are ordered by changed_by, status, note and next_step, so the outcome is
deterministic (rows equal in all of these are interchangeable).
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Literal, get_args

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from store.sql import one_row

WorkStatus = Literal[
    "not contacted",
    "contacted",
    "proposal sent",
    "verbally committed",
    "at risk",
    "renewed",
    "churned",
]
STATUSES: tuple[str, ...] = get_args(WorkStatus)
"""Work statuses in the order a renewal usually moves through them."""
NOT_CONTACTED = "not contacted"
"""The status of a renewal nobody has logged anything for; it is not a touch."""
NOTE_MAX_CHARS = 5000
NEXT_STEP_MAX_CHARS = 1000
NAME_MAX_CHARS = 200
OVERWRITE_NOTICE_SECONDS = 60
"""A change that replaces someone else's change at most this old names the replaced writer."""
WRITE_ATTEMPTS = 5
"""Attempts of one write when DuckDB reports a transaction conflict."""

WORK_COLUMNS = (
    "account_id", "renewal_date", "status", "note", "next_step", "changed_by", "changed_at",
)
_CURRENT_WORK_SQL = """
WITH ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY account_id, renewal_date
            ORDER BY changed_at DESC, changed_by DESC, status DESC, note DESC, next_step DESC
        ) AS position,
        min(changed_at) FILTER (WHERE status <> $not_contacted)
            OVER (PARTITION BY account_id, renewal_date) AS first_touch_at,
        max(changed_at) FILTER (WHERE status <> $not_contacted)
            OVER (PARTITION BY account_id, renewal_date) AS last_touch_at,
        count(*) OVER (PARTITION BY account_id, renewal_date) AS changes
    FROM renewal_work
),
latest AS (
    SELECT
        l.*,
        coalesce(
            p.changed_by <> l.changed_by AND l.changed_at - p.changed_at <= to_seconds($window),
            false
        ) AS replaced,
        p.changed_by AS p_changed_by,
        p.changed_at AS p_changed_at,
        p.status AS p_status
    FROM ranked l
    LEFT JOIN ranked p
      ON p.account_id = l.account_id AND p.renewal_date = l.renewal_date AND p.position = 2
    WHERE l.position = 1
)
SELECT
    account_id, renewal_date, status, note, next_step, changed_by, changed_at,
    CASE WHEN replaced THEN p_changed_by END AS previous_changed_by,
    CASE WHEN replaced THEN p_changed_at END AS previous_changed_at,
    CASE WHEN replaced THEN p_status END AS previous_status,
    first_touch_at, last_touch_at, changes
FROM latest
ORDER BY account_id, renewal_date
"""


class WorkChange(BaseModel):
    """One change to a renewal's work state, as validated before it is stored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    account_id: str = Field(min_length=1)
    renewal_date: date
    status: WorkStatus
    note: str = Field("", max_length=NOTE_MAX_CHARS)
    next_step: str = Field("", max_length=NEXT_STEP_MAX_CHARS)
    changed_by: str = Field(min_length=1, max_length=NAME_MAX_CHARS)
    changed_at: datetime

    @field_validator("note", "next_step", mode="before")
    @classmethod
    def _empty_text(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("changed_at")
    @classmethod
    def _naive_utc(cls, value: datetime) -> datetime:
        # Stored as a naive UTC TIMESTAMP, like import_log and settings.
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value


_FIELD_WORDS = {
    "account_id": "account",
    "renewal_date": "renewal date",
    "status": "status",
    "note": "note",
    "next_step": "next step",
    "changed_by": "who made the change",
    "changed_at": "time of the change",
}


def _plain_problem(error: ErrorDetails) -> str:
    field = str(error["loc"][0]) if error["loc"] else "change"
    words = _FIELD_WORDS.get(field, field)
    kind = error["type"]
    if field == "status" and kind == "literal_error":
        return f"status must be one of: {', '.join(STATUSES)} (got {error['input']!r})"
    if kind in ("missing", "string_too_short") or (kind == "string_type" and not error["input"]):
        return f"{words} is required"
    if kind == "string_too_long":
        limit = error["ctx"]["max_length"]
        return f"{words} is longer than {limit:,} characters ({len(error['input']):,})"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{words} is not a valid date ({error['input']!r})"
    return f"{words}: {error['msg']}"


def validate_change(**values: object) -> WorkChange:
    """Build a :class:`WorkChange` or raise ValueError naming every problem in plain words."""
    try:
        return WorkChange.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(_plain_problem(err) for err in exc.errors())
        raise ValueError(f"Work not saved: {problems}.") from None


def record_work(
    con: duckdb.DuckDBPyConnection,
    *,
    account_id: str,
    renewal_date: date,
    status: str,
    note: str | None,
    next_step: str | None,
    changed_by: str,
    changed_at: datetime | None = None,
) -> None:
    """Append one change to a renewal's work state (its own short transaction).

    ``changed_at`` defaults to now (UTC). The change is validated first: ``status`` must be
    one of :data:`STATUSES`, ``changed_by`` is required, ``note`` is at most 5,000 characters
    and ``next_step`` at most 1,000; text is stripped, empty note / next step are stored as ''.
    The account must exist.

    Raises:
        ValueError: bad input, with a plain message; nothing is written.
        duckdb.TransactionException: the write still conflicted after
            :data:`WRITE_ATTEMPTS` attempts.
    """
    change = validate_change(
        account_id=account_id, renewal_date=renewal_date, status=status, note=note,
        next_step=next_step, changed_by=changed_by,
        changed_at=changed_at or datetime.now(UTC),
    )
    cursor = con.cursor()
    try:
        known = one_row(cursor.execute(
            "SELECT count(*) FROM accounts WHERE account_id = $account_id",
            {"account_id": change.account_id},
        ))[0]
        if not known:
            raise ValueError(f"Work not saved: there is no account {change.account_id!r}.")
        params = change.model_dump()
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                cursor.execute(
                    "INSERT INTO renewal_work (" + ", ".join(WORK_COLUMNS) + ") VALUES ("
                    "$account_id, $renewal_date, $status, $note, $next_step, $changed_by, "
                    "$changed_at)",
                    params,
                )
                return
            except duckdb.TransactionException:
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(0.01 * 2**attempt)
    finally:
        cursor.close()


def current_work(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The current work state of every renewal with at least one logged change.

    Returns:
        One row per account_id + renewal_date, ordered by account_id, renewal_date. Columns:
        account_id, renewal_date (``datetime.date``), status, note, next_step, changed_by,
        changed_at (naive UTC timestamp) of the latest change; previous_changed_by,
        previous_changed_at, previous_status: the change it replaced, only when that was made
        by someone else at most :data:`OVERWRITE_NOTICE_SECONDS` seconds earlier (else
        missing); first_touch_at and last_touch_at: the first and latest change with a
        status other than 'not contacted' (missing when none); changes (count).
    """
    frame = con.execute(
        _CURRENT_WORK_SQL,
        {"not_contacted": NOT_CONTACTED, "window": OVERWRITE_NOTICE_SECONDS},
    ).df()
    return _with_dates(frame)


def work_history(con: duckdb.DuckDBPyConnection, *, account_id: str) -> pd.DataFrame:
    """Every logged change of one account's renewals, newest first (for its timeline).

    Returns:
        Columns: account_id, renewal_date (``datetime.date``), status, note, next_step,
        changed_by, changed_at (naive UTC timestamp). Ordered by changed_at descending, then
        renewal_date descending and the remaining columns, so ties are deterministic.
    """
    frame = con.execute(
        "SELECT " + ", ".join(WORK_COLUMNS) + " FROM renewal_work"
        " WHERE account_id = $account_id ORDER BY changed_at DESC, renewal_date DESC,"
        " changed_by DESC, status DESC, note DESC, next_step DESC",
        {"account_id": account_id},
    ).df()
    return _with_dates(frame)


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date.astype(object)
    return frame


def work_version(con: duckdb.DuckDBPyConnection) -> str:
    """A token that changes with every logged change (count and latest time), for cache keys.

    Work changes do not bump the data version (they change no imported data), so caches of
    anything that shows work state key on this as well.
    """
    count, latest = one_row(con.execute(
        "SELECT count(*), max(changed_at) FROM renewal_work"
    ))
    return f"{count}:{latest}"
