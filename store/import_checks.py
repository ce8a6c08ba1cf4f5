"""Validating staged rows in SQL: per-value rules, duplicate keys and references.

The rules are those of ``store.contracts`` (patterns, bounds, vocabularies), applied to the
trimmed (``c__t``) and typed (``c__v``) columns of the staging tables (``store.import_stage``).
Every query returns the offending rows in file/line order, at most ``limit`` of them, plus how
many there are in total, so a file with millions of bad rows is reported quickly and the count
stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from store import contracts
from store.import_problems import Problem, problem, quote
from store.import_stage import (
    PATTERN_PARAMS,
    bind,
    raw_col,
    stage_name,
    text_col,
    typed_col,
)
from store.schema import CANONICAL_TABLES, TABLES_BY_NAME, Table

ACCOUNT_TABLES = tuple(
    t.name for t in CANONICAL_TABLES if "account_id" in t.column_names and t.name != "accounts"
)
"""Tables whose ``account_id`` must name a known account."""

MESSAGES = {
    "required": "a value is required",
    "not_a_date": "{value} is not a valid date; write dates as YYYY-MM-DD (e.g. 2024-01-31), "
    "and the day must exist in that month",
    "not_a_timestamp": "{value} is not a valid date and time; write YYYY-MM-DD or "
    "YYYY-MM-DD HH:MM[:SS] without a time zone",
    "not_an_integer": "{value} is not a whole number (digits only, e.g. 12)",
    "not_a_boolean": "{value} is not true or false; use true/false, yes/no or 1/0",
    "not_finite": "{value} is not a finite number; NaN and infinity are not allowed",
    "not_a_number": "{value} is not a number; use digits with a . as decimal point and no "
    "thousands separators (e.g. 1234.50)",
    "negative_amount": "{value} is negative; amounts must be 0 or more",
    "out_of_range": "{value} is out of range; {column} must be {range}",
    "allowed_values": "{value} is not an allowed value; use one of: {allowed}",
    "bad_billing_period": "{value} is not a billing period; use month, quarter, half_year, "
    "year or a number of months such as 24months",
    "not_a_currency": "{value} is not a currency code; use the three-letter ISO 4217 code "
    "(e.g. EUR)",
    "end_before_start": "{column} {value} is not {later} {start} {other}; {column} must be "
    "{later} {start} (leave it empty if there is no end)",
}
"""Wording of the per-value rules (``{value}`` and ``{other}`` are quoted raw values)."""

_TYPE_RULES = {
    "DATE": "not_a_date",
    "TIMESTAMP": "not_a_timestamp",
    "INTEGER": "not_an_integer",
    "BIGINT": "not_an_integer",
    "BOOLEAN": "not_a_boolean",
    "DOUBLE": "not_a_number",
}


@dataclass(frozen=True)
class Hit:
    """One offending row, ready to become a :class:`Problem`, with its sort position."""

    file_index: int
    line: int
    order: int
    problem: Problem


@dataclass(frozen=True)
class _Check:
    column: str
    rule: str
    condition: str
    words: dict[str, str] = field(default_factory=dict)
    other: str = "NULL"
    """SQL for a second raw value quoted in the message."""


def value_checks(table: Table) -> tuple[list[_Check], dict[str, object]]:
    """The per-value checks of a table and the parameters they bind, in column order."""
    checks: list[_Check] = []
    params: dict[str, object] = {}
    for column in table.columns:
        name, kind = column.name, column.sql_type
        t, v = text_col(name), typed_col(name)
        if column.required:
            checks.append(_Check(name, "required", t + " IS NULL"))
        if kind == "DOUBLE":
            non_finite = "list_contains($non_finite, lower(" + t + "))"
            checks.append(_Check(name, "not_finite", non_finite + " OR NOT isfinite(" + v + ")"))
            checks.append(_Check(
                name, "not_a_number", t + " IS NOT NULL AND " + v + " IS NULL AND NOT " + non_finite
            ))  # fmt: skip
        elif kind in _TYPE_RULES:
            checks.append(_Check(name, _TYPE_RULES[kind], t + " IS NOT NULL AND " + v + " IS NULL"))
        bounds = contracts.column_bounds(table.name, name) if kind != "VARCHAR" else {}
        if bounds:
            checks.append(_bounds_check(name, kind, bounds, params))
        if name in table.allowed:
            params["allowed_" + name] = list(table.allowed[name])
            condition = t + " IS NOT NULL AND NOT list_contains($allowed_" + name + ", " + v + ")"
            words = {"allowed": ", ".join(table.allowed[name])}
            checks.append(_Check(name, "allowed_values", condition, words))
        if name == "billing_period":
            condition = t + " IS NOT NULL AND NOT regexp_full_match(" + v + ", $period_re)"
            checks.append(_Check(name, "bad_billing_period", condition))
        if name == "currency":
            condition = t + " IS NOT NULL AND NOT regexp_full_match(" + t + ", $currency_re)"
            checks.append(_Check(name, "not_a_currency", condition))
    if table.name in contracts.END_AFTER_START:
        start, end, strict = contracts.END_AFTER_START[table.name]
        condition = typed_col(end) + (" <= " if strict else " < ") + typed_col(start)
        words = {"start": start, "later": "after" if strict else "on or after"}
        checks.append(_Check(end, "end_before_start", condition, words, raw_col(start)))
    return checks, params


def _bounds_check(
    name: str, kind: str, bounds: dict[str, float], params: dict[str, object]
) -> _Check:
    v = typed_col(name)
    parts = []
    for op, sql_op in (("ge", " >= "), ("gt", " > "), ("le", " <= "), ("lt", " < ")):
        if op in bounds:
            params[op + "_" + name] = bounds[op]
            parts.append(v + sql_op + "$" + op + "_" + name)
    present = "isfinite(" + v + ")" if kind == "DOUBLE" else v + " IS NOT NULL"
    condition = present + " AND NOT (" + " AND ".join(parts) + ")"
    if name == "amount" and bounds == {"ge": 0}:
        return _Check(name, "negative_amount", condition)
    return _Check(name, "out_of_range", condition, {"range": _range_words(bounds)})


def _range_words(bounds: dict[str, float]) -> str:
    def num(key: str) -> str:
        return f"{bounds[key]:g}"

    if "ge" in bounds and "le" in bounds:
        return f"between {num('ge')} and {num('le')}"
    words = {"ge": "{} or more", "gt": "more than {}", "le": "{} or less", "lt": "less than {}"}
    return " and ".join(words[k].format(num(k)) for k in words if k in bounds)


def check_values(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[str], limit: int
) -> tuple[list[Hit], int]:
    """Per-value problems of a staged table: (first ``limit`` hits, total count)."""
    checks, params = value_checks(table)
    selects = [
        "SELECT _file, _line, " + str(number) + " AS check_no, " + raw_col(check.column)
        + " AS value, " + check.other + " AS other FROM " + stage_name(table) + " WHERE "
        + check.condition
        for number, check in enumerate(checks)
    ]  # fmt: skip
    sql = (
        "SELECT _file, _line, check_no, value, other, count(*) OVER () AS total FROM ("
        + " UNION ALL ".join(selects)
        + ") ORDER BY _file, _line, check_no LIMIT $limit"
    )
    rows = con.execute(sql, bind(sql, {**PATTERN_PARAMS, **params, "limit": limit})).fetchall()
    hits = []
    for file_index, line, check_no, value, other, _total in rows:
        check = checks[check_no]
        what = MESSAGES[check.rule].format(
            value=quote(value), other=quote(other), column=check.column, **check.words
        )
        found = problem(files[file_index], line, check.column, value, check.rule, what)
        hits.append(Hit(file_index, line, _order(table, check.column), found))
    return hits, (rows[0][5] if rows else 0)


def check_duplicates(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[str], limit: int
) -> tuple[list[Hit], int]:
    """Every staged row whose key also appears on another row of the import (any file)."""
    if not table.key:
        return [], 0
    keys = [typed_col(k) for k in table.key]
    key_list = ", ".join(keys)
    # Find repeated keys with a plain GROUP BY first; only their rows get the costlier listing.
    sql = (
        "WITH d AS (SELECT " + key_list + " FROM " + stage_name(table) + " WHERE "
        + " AND ".join(k + " IS NOT NULL" for k in keys) + " GROUP BY ALL HAVING count(*) > 1), "
        "k AS (SELECT _file, _line, concat_ws(', ', "
        + ", ".join(text_col(k) for k in table.key) + ") AS value, " + key_list
        + " FROM " + stage_name(table) + " SEMI JOIN d USING (" + key_list + ")), "
        "g AS (SELECT " + key_list + ", count(*) AS n, "
        "list([_file, _line] ORDER BY _file, _line)[1:6] AS firsts FROM k GROUP BY ALL) "
        "SELECT k._file, k._line, k.value, g.n, g.firsts, count(*) OVER () AS total "
        "FROM k JOIN g USING (" + key_list + ") ORDER BY k._file, k._line LIMIT $limit"
    )  # fmt: skip
    rows = con.execute(sql, {"limit": limit}).fetchall()
    column = ",".join(table.key)
    together = " together" if len(table.key) > 1 else ""
    hits = []
    for file_index, line, value, count, firsts, _total in rows:
        others = [
            ("line " if f == file_index else files[f] + " line ") + str(n)
            for f, n in firsts
            if (f, n) != (file_index, line)
        ][: count - 1]
        more = count - 1 - len(others)
        listing = ", ".join(others) + (f" and {more} more" if more > 0 else "")
        what = (
            f"{quote(value)} appears {count} times (also on {listing}); {column} must be "
            f"unique{together}"
        )
        found = problem(files[file_index], line, column, value, "duplicate_key", what)
        hits.append(Hit(file_index, line, _order(table, table.key[0]), found))
    return hits, (rows[0][5] if rows else 0)


def check_accounts(
    con: duckdb.DuckDBPyConnection, table: Table, files: list[str], limit: int, staged: set[str]
) -> tuple[list[Hit], int]:
    """Rows naming an account that is neither in this import nor in the database."""
    if table.name in ACCOUNT_TABLES:
        column = "account_id"
    elif table.name == "accounts":
        column = "parent_account_id"
    else:
        return [], 0
    known = "SELECT account_id AS id FROM accounts"
    if "accounts" in staged:
        known += (
            " UNION SELECT " + typed_col("account_id") + " FROM "
            + stage_name(TABLES_BY_NAME["accounts"])
        )  # fmt: skip
    v = typed_col(column)
    sql = (
        "SELECT _file, _line, " + raw_col(column) + ", count(*) OVER () FROM "
        + stage_name(table) + " WHERE " + v + " IS NOT NULL AND " + v
        + " NOT IN (SELECT id FROM (" + known + ") WHERE id IS NOT NULL) "
        "ORDER BY _file, _line LIMIT $limit"
    )  # fmt: skip
    rows = con.execute(sql, {"limit": limit}).fetchall()
    what = (
        "{} is not a known account; add it to an accounts file in this import, or import it first"
    )
    hits = [
        Hit(f, line, _order(table, column), problem(
            files[f], line, column, value, "unknown_account", what.format(quote(value))
        ))
        for f, line, value, _total in rows
    ]  # fmt: skip
    return hits, (rows[0][3] if rows else 0)


def check_fx_rates(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    limit: int,
    staged: set[str],
    reporting_currency: str,
) -> tuple[list[Hit], int]:
    """Subscriptions in a foreign currency that has no exchange rate anywhere.

    Any ``fx_rates`` row for the currency satisfies the check; whether a rate is in force on
    each service period's first day is the metric's concern.
    """
    if table.name != "subscriptions":
        return [], 0
    known = "SELECT upper(currency) AS c FROM fx_rates"
    if "fx_rates" in staged:
        known += " UNION SELECT " + typed_col("currency") + " FROM "
        known += stage_name(TABLES_BY_NAME["fx_rates"])
    v = typed_col("currency")
    sql = (
        "SELECT _file, _line, " + raw_col("currency") + ", count(*) OVER () FROM "
        + stage_name(table) + " WHERE regexp_full_match(" + v + ", $currency_re) AND " + v
        + " <> $reporting AND " + v + " NOT IN (SELECT c FROM (" + known
        + ") WHERE c IS NOT NULL) ORDER BY _file, _line LIMIT $limit"
    )  # fmt: skip
    params = {**PATTERN_PARAMS, "reporting": reporting_currency, "limit": limit}
    rows = con.execute(sql, bind(sql, params)).fetchall()
    hits = []
    for f, line, value, _total in rows:
        what = (
            f"{quote(value)} has no exchange rate; the reporting currency is "
            f"{reporting_currency}, so add fx_rates rows for {(value or '').strip().upper()} "
            "(in this import or before it)"
        )
        found = problem(files[f], line, "currency", value, "no_fx_rate", what)
        hits.append(Hit(f, line, _order(table, "currency"), found))
    return hits, (rows[0][3] if rows else 0)


def _order(table: Table, column: str) -> int:
    return table.column_names.index(column)
