"""Validating staged rows in SQL: per-value rules, duplicate keys and references.

The rules are those of ``store.contracts`` (patterns, bounds, vocabularies), applied to the
trimmed texts (``text_sql``) and typed values (``c__v``) of the staging tables
(``store.import_stage``).
Every query returns the offending rows in file/line order, at most ``limit`` of them, plus how
many there are in total, so a file with millions of bad rows is reported quickly and the count
stays exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from store import contracts
from store.import_lines import settle_lines
from store.import_problems import Problem, problem, quote
from store.import_stage import (
    PATTERN_PARAMS,
    bind,
    raw_sql,
    stage_name,
    text_sql,
    typed_col,
)
from store.import_targets import ACCOUNT_REFERENCES, NEW_ACCOUNTS, TARGETS_BY_NAME
from store.mapping import DATE_FORMATS
from store.schema import Table
from store.sql import identifier, one_row

ACCOUNT_TABLES = tuple(t for t, c in ACCOUNT_REFERENCES.items() if c == "account_id")
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


@dataclass
class Words:
    """How one staged table's problems name columns and word rules, per file.

    Files mapped from another layout name the column as written in their header and may
    replace the wording of a rule (a date format, a vendor's vocabulary).
    """

    labels: dict[tuple[int, str], str] = field(default_factory=dict)
    messages: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)

    def label(self, file_index: int, column: str) -> str:
        """The column as the file names it."""
        return self.labels.get((file_index, column), column)

    def template(self, file_index: int, column: str, rule: str) -> str:
        """The message template of ``rule`` for this file and column."""
        return self.messages.get((file_index, column), {}).get(rule, MESSAGES[rule])


@dataclass(frozen=True)
class _Check:
    column: str
    rule: str
    condition: str
    words: dict[str, str] = field(default_factory=dict)
    other: str = "NULL"
    """SQL for a second raw value quoted in the message."""


def value_checks(table: Table) -> tuple[list[_Check], dict[str, object]]:
    """The per-value checks of a table and the parameters they bind, in column order.

    ``table`` may be a pseudo-table of input fields (no contract: no bounds).
    """
    known = table.name in contracts.CONTRACTS or table.name in contracts.APP_CONTRACTS
    checks: list[_Check] = []
    params: dict[str, object] = {}
    for column in table.columns:
        name, kind = column.name, column.sql_type
        t, v = text_sql(name), typed_col(name)
        # A typed (non-text) value always has text, and a word such as NaN never types: testing
        # the stored typed value first spares rendering millions of clean values as text.
        untyped = "" if kind == "VARCHAR" else v + " IS NULL AND "
        if column.required:
            checks.append(_Check(name, "required", untyped + t + " IS NULL"))
        if kind == "DOUBLE":
            non_finite = "list_contains($non_finite, lower(" + t + "))"
            checks.append(_Check(
                name, "not_finite", "(" + untyped + non_finite + ") OR NOT isfinite(" + v + ")"
            ))  # fmt: skip
            checks.append(_Check(
                name, "not_a_number", untyped + t + " IS NOT NULL AND NOT " + non_finite
            ))  # fmt: skip
        elif kind in _TYPE_RULES:
            checks.append(_Check(name, _TYPE_RULES[kind], untyped + t + " IS NOT NULL"))
        bounds = contracts.column_bounds(table.name, name) if kind != "VARCHAR" and known else {}
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
        checks.append(_Check(end, "end_before_start", condition, words, raw_sql(start)))
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
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    limit: int,
    words: Words | None = None,
    *,
    stage: str | None = None,
) -> tuple[list[Hit], int]:
    """Per-value problems of a staged table: (first ``limit`` hits, total count).

    ``stage`` reads another staged layout with the same columns (input fields of a preset).
    """
    words = words or Words()
    checks, params = value_checks(table)
    if not checks:
        return [], 0
    source = stage or stage_name(table)
    # One pass settles the usual case (no problem at all) before one query per check.
    any_sql = (
        "SELECT count(*) FROM " + source + " WHERE "
        + " OR ".join("(" + check.condition + ")" for check in checks)
    )  # fmt: skip
    if not one_row(con.execute(any_sql, bind(any_sql, {**PATTERN_PARAMS, **params})))[0]:
        return [], 0
    settle_lines(con)
    selects = [
        "SELECT _file, _line, " + str(number) + " AS check_no, " + raw_sql(check.column)
        + " AS value, " + check.other + " AS other FROM " + (stage or stage_name(table)) + " WHERE "
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
        template = words.template(file_index, check.column, check.rule)
        what = template.format(
            value=quote(value), other=quote(other), column=check.column, **check.words
        )
        if check.rule in ("not_a_date", "not_a_timestamp"):
            what += _format_hint(value, template)
        label = words.label(file_index, check.column)
        found = problem(files[file_index], line, label, value, check.rule, what)
        hits.append(Hit(file_index, line, _order(table, check.column), found))
    return hits, (rows[0][5] if rows else 0)


def _format_hint(value: str | None, template: str) -> str:
    """For a date in another known format: say so (a column mixing formats, or a wrong rule)."""
    text = (value or "").strip()
    for name, (_, regex, _example) in DATE_FORMATS.items():
        if name in ("unix", "unix_ms") or name in template:
            continue
        if name == "YYYY-MM-DD" and "YYYY-MM-DD (e.g." in template:
            continue
        if re.fullmatch(regex + r"([ T].*)?", text):
            if name == "YYYY-MM-DD" and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                return ""  # ISO-shaped: the day or month does not exist
            other = "DD/MM/YYYY or MM/DD/YYYY" if name in ("DD/MM/YYYY", "MM/DD/YYYY") else name
            if name in ("DD-MM-YYYY", "MM-DD-YYYY"):
                other = "DD-MM-YYYY or MM-DD-YYYY"
            return (
                f" (it is written as {other}: if this column uses that format, set its date "
                "format; if the column mixes formats, write every date in one of them)"
            )
    return ""


def check_duplicates(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    limit: int,
    words: Words | None = None,
) -> tuple[list[Hit], int]:
    """Every staged row whose key also appears on another row of the import (any file)."""
    if not table.key or table.name == NEW_ACCOUNTS.name:
        return [], 0
    words = words or Words()
    keys = [typed_col(k) for k in table.key]
    key_list = ", ".join(keys)
    if _strictly_ordered(con, table, keys):
        return [], 0
    settle_lines(con)
    # Find repeated keys with a plain GROUP BY first; only their rows get the costlier listing.
    sql = (
        "WITH d AS (SELECT " + key_list + " FROM " + stage_name(table) + " WHERE "
        + " AND ".join(k + " IS NOT NULL" for k in keys) + " GROUP BY ALL HAVING count(*) > 1), "
        "k AS (SELECT _file, _line, concat_ws(', ', "
        + ", ".join(text_sql(k) for k in table.key) + ") AS value, " + key_list
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
        label = ",".join(words.label(file_index, k) for k in table.key)
        found = problem(files[file_index], line, label, value, "duplicate_key", what)
        hits.append(Hit(file_index, line, _order(table, table.key[0]), found))
    return hits, (rows[0][5] if rows else 0)


def known_accounts_sql(staged: set[str], *, replace_accounts: bool = False) -> str:
    """SQL listing the account ids known after this import (column ``id``)."""
    parts = [] if replace_accounts else ["SELECT account_id AS id FROM accounts"]
    for name in ("accounts", NEW_ACCOUNTS.name):
        if name in staged:
            parts.append(
                "SELECT " + typed_col("account_id") + " AS id FROM "
                + stage_name(TARGETS_BY_NAME[name])
            )  # fmt: skip
    if not parts:
        return "SELECT NULL AS id WHERE false"
    return " UNION ".join(parts)


def _strictly_ordered(con: duckdb.DuckDBPyConnection, table: Table, keys: list[str]) -> bool:
    """True when the staged keys strictly increase in file order (in the key's column order or
    reversed): then no key repeats, without the cost of grouping millions of rows.

    Exports are usually sorted by their key (or by date, then id), so one ordered pass usually
    settles it; otherwise the caller groups. The first two rows tell which orders can hold;
    only those are tested, in one pass over every row. Each row is compared with the next one
    by ``lead() OVER ()``, which takes the rows as scanned (file order) and costs no sort.

    A True answer never depends on that order: keys that strictly increase along any sequence
    of all the rows are distinct. Were the rows ever taken in another order, the test would
    only fail, and the caller would group.
    """
    present = " AND ".join(k + " IS NOT NULL" for k in keys)
    first = con.execute(
        "SELECT " + ", ".join(keys) + " FROM " + stage_name(table) + " WHERE " + present
        + " LIMIT 2"
    ).fetchall()  # fmt: skip
    if len(first) < 2:
        return True  # at most one complete key: nothing can repeat
    orders = [keys] if len(keys) == 1 else [keys, keys[::-1]]
    position = {k: i for i, k in enumerate(keys)}
    current = ", ".join(k + " AS _k" + str(i) for i, k in enumerate(keys))
    following = ", ".join("lead(" + k + ") OVER () AS _n" + str(i) for i, k in enumerate(keys))
    pairs = (
        "(SELECT " + current + ", " + following + " FROM " + stage_name(table) + " WHERE "
        + present + ") WHERE _n0 IS NOT NULL"
    )  # fmt: skip
    tests = []
    for order in orders:
        indexes = [position[k] for k in order]
        if tuple(first[1][i] for i in indexes) > tuple(first[0][i] for i in indexes):
            tests.append("count(*) FILTER (WHERE NOT (" + _greater(indexes) + "))")
    if not tests:
        return False
    out_of_order = one_row(con.execute("SELECT " + ", ".join(tests) + " FROM " + pairs))
    return any(n == 0 for n in out_of_order)


def _greater(indexes: list[int]) -> str:
    """SQL: the next row's key (``_n``) is greater than the current one's (``_k``), comparing
    the key columns in the order ``indexes`` (spelled out: faster than a row comparison)."""
    head, *rest = indexes
    greater = "_n" + str(head) + " > _k" + str(head)
    if not rest:
        return greater
    return greater + " OR (_n" + str(head) + " = _k" + str(head) + " AND (" + _greater(rest) + "))"


def check_accounts(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    limit: int,
    staged: set[str],
    words: Words | None = None,
    *,
    replace_accounts: bool = False,
) -> tuple[list[Hit], int]:
    """Rows naming an account that is neither in this import nor in the database."""
    column = ACCOUNT_REFERENCES.get(table.name)
    if column is None:
        return [], 0
    words = words or Words()
    known = known_accounts_sql(staged, replace_accounts=replace_accounts)
    v = typed_col(column)
    # The distinct ids first (a few thousand accounts behind millions of rows): when all are
    # known, no row needs listing.
    unknown = one_row(con.execute(
        "SELECT count(*) FROM (SELECT DISTINCT " + v + " AS v FROM " + stage_name(table)
        + " WHERE " + v + " IS NOT NULL) WHERE v NOT IN (SELECT id FROM (" + known
        + ") WHERE id IS NOT NULL)"
    ))[0]  # fmt: skip
    if not unknown:
        return [], 0
    settle_lines(con)
    sql = (
        "SELECT _file, _line, " + raw_sql(column) + ", count(*) OVER () FROM "
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
            files[f], line, words.label(f, column), value, "unknown_account",
            what.format(quote(value))
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
    words: Words | None = None,
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
        known += stage_name(TARGETS_BY_NAME["fx_rates"])
    v = typed_col("currency")
    sql = (
        "SELECT _file, _line, " + raw_sql("currency") + ", count(*) OVER () FROM "
        + stage_name(table) + " WHERE regexp_full_match(" + v + ", $currency_re) AND " + v
        + " <> $reporting AND " + v + " NOT IN (SELECT c FROM (" + known
        + ") WHERE c IS NOT NULL) ORDER BY _file, _line LIMIT $limit"
    )  # fmt: skip
    params = {**PATTERN_PARAMS, "reporting": reporting_currency, "limit": limit}
    settle_lines(con)
    rows = con.execute(sql, bind(sql, params)).fetchall()
    words = words or Words()
    hits = []
    for f, line, value, _total in rows:
        what = (
            f"{quote(value)} has no exchange rate; the reporting currency is "
            f"{reporting_currency}, so add fx_rates rows for {(value or '').strip().upper()} "
            "(in this import or before it)"
        )
        found = problem(files[f], line, words.label(f, "currency"), value, "no_fx_rate", what)
        hits.append(Hit(f, line, _order(table, "currency"), found))
    return hits, (rows[0][3] if rows else 0)


def _order(table: Table, column: str) -> int:
    return table.column_names.index(column)


def check_append_conflicts(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[str],
    limit: int,
    words: Words | None = None,
) -> tuple[list[Hit], int]:
    """In append mode: staged rows whose key is stored with other values (append only adds)."""
    if not table.key:
        return [], 0
    from store.import_stage import stored_sql

    words = words or Words()
    target = identifier(table.name, allowed=[table.name])
    join = " AND ".join(
        "t." + identifier(k, allowed=[k]) + " = s." + typed_col(k) for k in table.key
    )
    same = " AND ".join(
        stored_sql(c) + " IS NOT DISTINCT FROM t." + identifier(c.name, allowed=[c.name])
        for c in table.columns
    )
    sql = (
        "SELECT s._file, s._line, concat_ws(', ', "
        + ", ".join(text_sql(k, "s") for k in table.key) + "), count(*) OVER () FROM "
        + stage_name(table) + " AS s JOIN " + target + " AS t ON " + join + " WHERE NOT ("
        + same + ") ORDER BY s._file, s._line LIMIT $limit"
    )  # fmt: skip
    settle_lines(con)
    rows = con.execute(sql, {"limit": limit}).fetchall()
    hits = []
    for f, line, value, _total in rows:
        label = ",".join(words.label(f, k) for k in table.key)
        what = (
            f"{quote(value)} is already stored with other values, and append mode only adds new "
            f"rows; import in upsert mode to replace stored {table.name} rows"
        )
        hits.append(Hit(f, line, _order(table, table.key[0]),
                        problem(files[f], line, label, value, "key_exists", what)))  # fmt: skip
    return hits, (rows[0][3] if rows else 0)


def check_orphans(
    con: duckdb.DuckDBPyConnection,
    staged: set[str],
    replaced: set[str],
    file: str,
) -> list[Problem]:
    """Replacing accounts: stored rows of other tables whose account would disappear.

    Tables replaced in the same import are checked on their staged rows instead (by
    :func:`check_accounts`); custom attributes of removed accounts are removed with them.
    """
    known = known_accounts_sql(staged, replace_accounts=True)
    found = []
    for name, column in ACCOUNT_REFERENCES.items():
        if name in replaced or name in ("accounts", "account_attributes", NEW_ACCOUNTS.name):
            continue
        table = identifier(name, allowed=[name])
        col = identifier(column, allowed=[column])
        count, sample = one_row(con.execute(
            "SELECT count(*), list(DISTINCT " + col + " ORDER BY " + col + ")[1:5] FROM " + table
            + " WHERE " + col + " NOT IN (SELECT id FROM (" + known + ") WHERE id IS NOT NULL)"
        ))  # fmt: skip
        if count:
            found.append((name, count, sample))
    if not found:
        return []
    parts = [f"{n:,} {name} rows" for name, n, _ in found]
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    examples = sorted({a for _, _, sample in found for a in sample})[:5]
    what = (
        f"replacing accounts would leave {listing} whose account is not in this file (e.g. "
        + ", ".join(examples)
        + "); add those accounts to the file, replace those tables in the same import, or "
        "import accounts in upsert mode"
    )
    return [problem(file, None, None, None, "orphaned_rows", what)]
