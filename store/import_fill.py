"""Staging one planned file: raw rows, then fields, then the rows of every output table.

Canonical files (and files mapped onto one table) stage their fields straight into the table's
staging layout. Preset files stage their fields into ``_import_fields`` first; the fields are
checked there (required values and types, with the file's own column names), and only rows
whose fields all parsed become output rows, so no problem is reported twice. Extra columns of
account files become rows of the ``account_attributes`` staging table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from store.import_checks import Hit, Words, check_values
from store.import_plan import FilePlan
from store.import_read import (
    FIELDS,
    RAW,
    RawRead,
    insert_rows,
    position,
    read_raw,
    stage_direct,
)
from store.import_stage import (
    PATTERN_PARAMS,
    bind,
    layout_ddl,
    raw_sql,
    stage_ddl,
    stage_name,
    staged_values,
    stored_text_sql,
    text_sql,
    trim_sql,
    typed_col,
    typed_sql,
)
from store.import_targets import ACCOUNT_ATTRIBUTES, NEW_ACCOUNTS
from store.import_values import FieldSQL, field_sql
from store.mapping import Derived, Output, effective_rules
from store.schema import Column, Table
from store.sql import identifier


@dataclass
class Filled:
    """What staging one file produced."""

    rows: int
    tables: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    """Structural and field problems, in file order."""
    total: int = 0
    """Problems found (``hits`` may hold only the first of them)."""
    notes: list[str] = field(default_factory=list)
    fatal: bool = False
    """Nothing was staged (the rows could not be read)."""


def fill(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    files: list[str],
    words: dict[str, Words],
    limit: int,
    as_of: date,
) -> Filled:
    """Stage ``plan``'s file; ``words`` collects per table how problems name its columns."""
    labels = [plan.labels.get(f, h.strip()) for f, h in _by_position(plan)]
    if plan.recipe.direct and plan.source.kind == "csv" and not plan.attributes:
        direct = _fill_direct(con, plan, words)
        if direct is not None:
            return direct
    read = read_raw(con, plan.source, labels, plan.recipe.footer)
    hits = [Hit(plan.index, p.line or 0, -1, p) for p in read.problems]
    result = Filled(read.rows, hits=hits, total=len(hits), notes=read.notes)
    if read.rows == 0:
        return result  # header only (the no_data_rows problem came with the read) or all bad
    if plan.recipe.direct:
        table = plan.recipe.outputs[0].table
        con.execute(stage_ddl(table))
        columns = [(name, raw, sql) for name, (raw, sql) in _field_sqls(plan, table).items()]
        insert_rows(con, stage_name(table), read, plan.index, columns)
        _remember(words, table.name, plan, {n: s for n, _, s in columns})
        result.tables.append(table.name)
    else:
        _fill_preset(con, plan, read, files, words, limit, as_of, result)
    if plan.attributes:
        _fill_attributes(con, plan)
        result.tables.append(ACCOUNT_ATTRIBUTES.name)
    for name in (RAW, FIELDS):  # staged: free the memory before the next file or the checks
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    return result


def _fill_direct(
    con: duckdb.DuckDBPyConnection, plan: FilePlan, words: dict[str, Words]
) -> Filled | None:
    """A plain CSV of one table, staged straight from the file (None: use the raw table)."""
    table = plan.recipe.outputs[0].table
    con.execute(stage_ddl(table))
    columns = [(name, raw, sql) for name, (raw, sql) in _field_sqls(plan, table).items()]
    read = stage_direct(con, plan.source, stage_name(table), plan.index, columns)
    if read is None:
        return None
    hits = [Hit(plan.index, p.line or 0, -1, p) for p in read.problems]
    result = Filled(read.rows, hits=hits, total=len(hits))
    if read.rows:
        _remember(words, table.name, plan, {n: s for n, _, s in columns})
        result.tables.append(table.name)
    return result


def _by_position(plan: FilePlan) -> list[tuple[str, str]]:
    fields_at = {p: f for f, p in plan.columns.items()}
    return [(fields_at.get(i, ""), h) for i, h in enumerate(plan.source.header.names)]


def _field_sqls(plan: FilePlan, table: Table | None) -> dict[str, tuple[str, FieldSQL]]:
    """(raw SQL, field SQL) of every mapped field, reading its header position.

    An unmapped currency field is read as empty when a value rule gives the file's currency.
    """
    out = {}
    for number, item in enumerate(plan.recipe.fields):
        rules = effective_rules(plan.recipe, plan.mapping, item.name)
        if item.name in plan.columns:
            raw = position(plan.columns[item.name])
        elif item.name == "currency" and rules.currency:
            raw = "CAST(NULL AS VARCHAR)"
        else:
            continue
        out[item.name] = (raw, field_sql(
            item, raw, rules, decimal=plan.source.dialect.decimal, prefix=f"f{number}_",
            table=table,
        ))  # fmt: skip
    return out


def _remember(words: dict[str, Words], table: str, plan: FilePlan, sqls: dict[str, FieldSQL]):
    book = words.setdefault(table, Words())
    for name, sql in sqls.items():
        if plan.mapping is not None:
            book.labels[(plan.index, name)] = plan.labels.get(name, name)
        if sql.messages:
            book.messages[(plan.index, name)] = dict(sql.messages)


def _fill_preset(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    read: RawRead,
    files: list[str],
    words: dict[str, Words],
    limit: int,
    as_of: date,
    result: Filled,
) -> None:
    recipe = plan.recipe
    pseudo = Table("fields", tuple(Column(f.name, f.kind, f.required) for f in recipe.fields))
    con.execute(layout_ddl(FIELDS, ((f.name, f.kind) for f in recipe.fields)))
    found = _field_sqls(plan, None)
    sqls = {name: sql for name, (_, sql) in found.items()}
    columns = [(name, raw, sql) for name, (raw, sql) in found.items()]
    insert_rows(con, FIELDS, read, plan.index, columns)
    field_words = Words(
        {(plan.index, n): plan.labels.get(n, n) for n in recipe.field_names},
        {(plan.index, n): dict(s.messages) for n, s in sqls.items() if s.messages},
    )
    hits, total = check_values(con, pseudo, files, limit, field_words, stage=FIELDS)
    result.hits.extend(hits)
    result.total += total
    parsed = " AND ".join(
        "NOT (" + text_sql(f.name) + " IS NOT NULL AND " + typed_col(f.name) + " IS NULL)"
        + (" AND " + text_sql(f.name) + " IS NOT NULL" if f.required else "")
        for f in recipe.fields
    )
    for output in recipe.outputs:
        if output.table.name == NEW_ACCOUNTS.name and not plan.create_accounts:
            continue
        _fill_output(con, plan, output, sqls, parsed, as_of, words)
        result.tables.append(output.table.name)


def _fill_output(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    output: Output,
    sqls: dict[str, FieldSQL],
    parsed: str,
    as_of: date,
    words: dict[str, Words],
) -> None:
    """Insert the output rows of every parsed field row into the output's staging table."""
    table = output.table
    con.execute(stage_ddl(table))
    refs: dict[str, str] = {}
    for item in plan.recipe.fields:
        refs[item.name] = typed_col(item.name)
        refs[item.name + "_text"] = text_sql(item.name)
    staged: list[tuple[str, str, str, str]] = []
    book = words.setdefault(table.name, Words())
    for name, source in output.columns.items():
        column = table.column(name)
        if isinstance(source, Derived):
            expr = "(" + source.sql.format(**refs) + ")"
            typed = typed_sql(table, column, expr) if column.sql_type == "VARCHAR" else expr
            value = "CAST(" + expr + " AS VARCHAR)"
            text = "coalesce(" + value + ", '')"  # stored text: '' when there is no value
            raw = raw_sql(source.field) if source.field in plan.columns else value
            label_field = source.field
        else:
            typed = typed_col(source)
            if column.sql_type == "VARCHAR":
                typed = typed_sql(table, column, typed)
            raw, text, label_field = raw_sql(source), stored_text_sql(source), source
            if source in sqls and sqls[source].messages:
                book.messages[(plan.index, name)] = dict(sqls[source].messages)
        if label_field is not None and label_field in plan.labels:
            book.labels[(plan.index, name)] = plan.labels[label_field]
        if name in output.messages:
            book.messages.setdefault((plan.index, name), {}).update(output.messages[name])
        staged.append((name, raw, text, "CAST(" + typed + " AS " + column.sql_type + ")"))
    targets, values = staged_values(staged)
    targets, values = ["_file", "_line", *targets], ["_file", "_line", *values]
    sql = (
        "INSERT INTO " + stage_name(table) + " (" + ", ".join(targets) + ") SELECT "
        + ", ".join(values) + " FROM " + FIELDS + " WHERE " + parsed + " ORDER BY _line"
    )  # fmt: skip
    con.execute(sql, bind(sql, {**PATTERN_PARAMS, "as_of": as_of}))


def _fill_attributes(con: duckdb.DuckDBPyConnection, plan: FilePlan) -> None:
    """One staged attribute per extra column and row: (account id, column name, value)."""
    con.execute(stage_ddl(ACCOUNT_ATTRIBUTES))
    key = plan.columns[plan.recipe.attributes_key or "account_id"]
    header = plan.source.header.names
    names = [header[p].strip() for p in plan.attributes]
    account = trim_sql(position(key))
    value = "NULLIF(trim(_v, $ws), '')"
    cols = ", ".join(position(p) for p in plan.attributes)
    texts = [("account_id", "_a"), ("name", "_n"), ("value", value)]
    targets, values = staged_values([(n, text, text, text) for n, text in texts])
    sql = (
        "INSERT INTO " + stage_name(ACCOUNT_ATTRIBUTES) + " (_file, _line, " + ", ".join(targets)
        + ") SELECT $file, 0, " + ", ".join(values) + " FROM (SELECT " + account + " AS _a, "
        "unnest($names) AS _n, unnest([" + cols + "]) AS _v FROM " + RAW + ") WHERE _a IS NOT NULL"
    )  # fmt: skip
    params = {**PATTERN_PARAMS, "file": plan.index, "names": names}
    con.execute(sql, bind(sql, params))
