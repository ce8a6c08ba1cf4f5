"""The staging layout of an import: table names, and the SQL that trims and types raw text.

Every canonical table being imported gets a temporary staging table ``_import_in_<table>``
with ``_file`` (index of the file in the call), ``_line`` (physical line; for a file staged
straight from its CSV, written only when a problem listing needs it, see
``store.import_lines``), two text maps (:data:`RAW_TEXTS`: the raw text of each column where it
differs from the typed value, read through :func:`raw_sql`; :data:`TRIMMED_TEXTS`: the trimmed
text where trimming changed it, read through :func:`text_sql`), NULL on the usual row that
needs neither, and per canonical column ``c`` its typed value ``c__v`` (NULL when absent or
invalid). One map per row instead of two text columns per value keeps a staged export of
millions of clean rows small.
Trimming and typing happen once, while rows are staged; the checks and the writer only compare
these columns, which keeps validation of millions of rows fast. The typing rules are the text
rules of ``store.contracts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from store import contracts
from store.schema import Column, Table
from store.sql import identifier

_SQL_TYPES = {"VARCHAR", "DATE", "TIMESTAMP", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN"}

PATTERN_PARAMS: dict[str, object] = {
    "date_re": contracts.DATE_PATTERN,
    "ts_re": contracts.TIMESTAMP_PATTERN,
    "int_re": contracts.INTEGER_PATTERN,
    "num_re": contracts.NUMBER_PATTERN,
    "period_re": contracts.BILLING_PERIOD_PATTERN,
    "currency_re": contracts.CURRENCY_PATTERN,
    "non_finite": list(contracts.NON_FINITE_WORDS),
    "true_words": list(contracts.TRUE_WORDS),
    "false_words": list(contracts.FALSE_WORDS),
    "ws": contracts.WHITESPACE,
    "ws_edge": "^[" + contracts.WHITESPACE + "]|[" + contracts.WHITESPACE + "]$",
}
"""Bound parameters the generated SQL may use (pass through :func:`bind`)."""


def bind(sql: str, params: Mapping[str, object]) -> dict[str, object]:
    """The parameters ``sql`` actually uses (DuckDB rejects unused named parameters)."""
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in used}


@cache
def _names() -> frozenset[str]:
    """Allow-list of staged column names: every import target's columns and preset fields."""
    from store.import_targets import all_names
    from store.vendor_presets import PRESETS

    names = set(all_names())
    for recipe in PRESETS.values():
        names.update(recipe.field_names)
    return frozenset(names)


def stage_name(table: Table) -> str:
    """Quoted name of the temporary staging table for ``table``."""
    name = "_import_in_" + table.name
    return identifier(name, allowed=[name])


RAW_TEXTS = "_raw"
"""Staged column (a ``MAP(VARCHAR, VARCHAR)``): per column, the raw text as in the file where it
does not read exactly as the typed value; NULL for a row where every value does (``50``,
``2024-01-31``), the usual row of a large export. Read it through :func:`raw_sql`."""
TRIMMED_TEXTS = "_text"
"""Staged column (a ``MAP(VARCHAR, VARCHAR)``): per column, the trimmed text where trimming
changed the raw text; NULL for a row where it changed none. Read it through :func:`text_sql`."""


def _key(column: str) -> str:
    """SQL literal naming ``column`` in the text maps (only allow-listed names)."""
    if column not in _names() or not re.fullmatch(r"[A-Za-z0-9_]+", column):
        raise ValueError(f"unknown staged column {column!r}")
    return "'" + column + "'"


def stored_raw_sql(column: str, alias: str | None = None) -> str:
    """A staged column's stored raw text: NULL where it reads exactly as the typed value."""
    prefix = "" if alias is None else alias + "."
    return prefix + RAW_TEXTS + "[" + _key(column) + "]"


def stored_text_sql(column: str, alias: str | None = None) -> str:
    """A staged column's stored trimmed text: NULL where trimming changed nothing."""
    prefix = "" if alias is None else alias + "."
    return prefix + TRIMMED_TEXTS + "[" + _key(column) + "]"


def raw_sql(column: str, alias: str | None = None) -> str:
    """A staged column's raw text as in the file (see :data:`RAW_TEXTS`)."""
    prefix = "" if alias is None else alias + "."
    return (
        "coalesce(" + stored_raw_sql(column, alias) + ", CAST(" + prefix + typed_col(column)
        + " AS VARCHAR))"
    )  # fmt: skip


def text_sql(column: str, alias: str | None = None) -> str:
    """A staged column's trimmed text, NULL when empty (see :data:`TRIMMED_TEXTS`)."""
    stored = stored_text_sql(column, alias)
    return (
        "CASE WHEN " + stored + " IS NOT NULL THEN NULLIF(" + stored + ", '') ELSE NULLIF("
        + raw_sql(column, alias) + ", '') END"
    )  # fmt: skip


def typed_col(column: str) -> str:
    """Quoted name of a staged column's typed value (NULL when absent or invalid)."""
    return identifier(column + "__v", allowed={n + "__v" for n in _names()})


def _texts_sql(texts: Sequence[tuple[str, str]]) -> str:
    """A text map of (column, text expression) pairs; NULL when every text is NULL."""
    none = " AND ".join("(" + text + ") IS NULL" for _, text in texts)
    pairs = ", ".join(_key(column) + ": " + text for column, text in texts)
    return "CASE WHEN " + none + " THEN NULL ELSE MAP {" + pairs + "} END"


def staged_values(
    columns: Sequence[tuple[str, str, str, str]],
) -> tuple[list[str], list[str]]:
    """Target columns and SELECT expressions that stage (name, raw, text, typed) per column:
    each typed value, then the two text maps (``_file`` and ``_line`` are the caller's)."""
    if not columns:
        return [], []
    # The typed values come first: DuckDB evaluated the same SELECT about 40 % slower with the
    # maps first (the fast path's shared tests were then not reused), on a 10-million-row file.
    targets = [typed_col(name) for name, *_ in columns] + [RAW_TEXTS, TRIMMED_TEXTS]
    values = [typed for *_, typed in columns] + [
        _texts_sql([(name, raw) for name, raw, _, _ in columns]),
        _texts_sql([(name, text) for name, _, text, _ in columns]),
    ]
    return targets, values


def layout_ddl(quoted_name: str, columns: Iterable[tuple[str, str]]) -> str:
    """CREATE statement of a staging layout: _file, _line, the two text maps and the typed
    value of each column."""
    parts = [
        "_file INTEGER",
        "_line BIGINT",
        RAW_TEXTS + " MAP(VARCHAR, VARCHAR)",
        TRIMMED_TEXTS + " MAP(VARCHAR, VARCHAR)",
    ]
    for name, sql_type in columns:
        if sql_type not in _SQL_TYPES:
            raise ValueError(f"unsupported column type {sql_type}")
        parts.append(typed_col(name) + " " + sql_type)
    return "CREATE TEMP TABLE IF NOT EXISTS " + quoted_name + " (" + ", ".join(parts) + ")"


def stage_ddl(table: Table) -> str:
    """CREATE statement of the staging table of ``table``."""
    return layout_ddl(stage_name(table), ((c.name, c.sql_type) for c in table.columns))


def _edge_gate(raw: str) -> str:
    """True when the raw text starts or ends with whitespace (it needs trimming)."""
    return "regexp_matches(" + raw + ", $ws_edge)"


def staged_sql(
    raw: str, typed_template: str, mark: str, canonical: str | None = None
) -> tuple[str, str, str]:
    """(stored raw, stored text, typed value) SQL of one staged column, reading only ``raw``.

    ``typed_template`` types a trimmed text written as ``mark``. Every expression refers to the
    raw column, never to another computed expression: DuckDB inlines nested projections, so a
    typed value built on a computed text would trim the value once per reference.

    ``canonical`` (an SQL type, :attr:`store.import_values.FieldSQL.canonical`) adds a fast
    path for the usual value: a text that is exactly its typed value's own rendering (``12``,
    ``2024-01-31``) has nothing to trim and passes the template's pattern, so the cast alone
    types it and nothing else is stored; any other text (``+12``, ``2024-1-31``, `` 12``, which
    DuckDB's cast would accept too) takes the template, so the rule stays the template's.
    ``canonical="VARCHAR"`` (text fields): a value without whitespace at its ends is typed by
    the template as written, skipping the costlier trimming test.
    """
    trimmed = "NULLIF(trim(" + raw + ", $ws), '')"
    plain = "NULLIF(" + raw + ", '')"
    gate = _edge_gate(raw)
    stored = "CASE WHEN " + gate + " THEN coalesce(" + trimmed + ", '') END"
    typed = (
        "CASE WHEN " + gate + " THEN " + typed_template.replace(mark, trimmed) + " ELSE "
        + typed_template.replace(mark, plain) + " END"
    )  # fmt: skip
    kept = "CASE WHEN " + raw + " IS DISTINCT FROM CAST(" + typed + " AS VARCHAR) THEN " + raw
    kept += " END"
    if canonical is None:
        return kept, stored, typed
    if canonical == "VARCHAR":
        # Text: a value with no whitespace (or control character) at either end and not empty
        # needs no trimming, and the template applies to it as written. Strings compare by
        # bytes, so ``>= '!'`` tests the first byte (above the space; any byte of a multi-byte
        # character is), and the reversed text's first byte is the last one's: about 40 %
        # cheaper than ascii() of the first and last characters.
        clean = raw + " >= '!' AND reverse(" + raw + ") >= '!'"
        as_is = typed_template.replace(mark, raw)
        differs = (
            "NULL" if typed_template == mark
            else "CASE WHEN " + raw + " IS DISTINCT FROM CAST(" + as_is + " AS VARCHAR) THEN "
            + raw + " END"
        )  # fmt: skip
        return (
            "CASE WHEN " + clean + " THEN " + differs + " ELSE " + kept + " END",
            "CASE WHEN " + clean + " THEN NULL ELSE " + stored + " END",
            "CASE WHEN " + clean + " THEN " + as_is + " ELSE " + typed + " END",
        )
    if canonical not in _CANONICAL_GUARDS:
        raise ValueError(f"no canonical fast path for {canonical}")
    cast = "TRY_CAST(" + raw + " AS " + canonical + ")"
    same = _CANONICAL_GUARDS[canonical].format(raw=raw, cast=cast)
    same += "CAST(" + cast + " AS VARCHAR) = " + raw
    return (
        "CASE WHEN " + same + " THEN NULL ELSE " + kept + " END",
        "CASE WHEN " + same + " THEN NULL ELSE " + stored + " END",
        "CASE WHEN " + same + " THEN " + cast + " ELSE " + typed + " END",
    )


_CANONICAL_GUARDS = {
    "INTEGER": "",
    "BIGINT": "",
    # Dates of years 1-9999 render as YYYY-MM-DD (10 characters), the date pattern; years
    # from 10000 render longer and years before 1 with ' (BC)', which the pattern refuses.
    "DATE": "length({raw}) = 10 AND ",
    # inf and nan render as themselves, but the number pattern refuses them (not_finite).
    "DOUBLE": "isfinite({cast}) AND ",
}
"""Conditions under which a type's rendering always fits the canonical text pattern."""


def trim_sql(raw: str) -> str:
    """Trimmed text of a raw value expression, NULL when empty.

    ``trim`` with explicit characters is slow in DuckDB; the regex gate skips it for the
    usual value that has nothing to trim.
    """
    return (
        "NULLIF(CASE WHEN " + _edge_gate(raw) + " THEN trim(" + raw + ", $ws) ELSE " + raw
        + " END, '')"
    )  # fmt: skip


def integer_sql(kind: str, text: str) -> str:
    """Typed whole number of a trimmed text (:data:`store.contracts.INTEGER_PATTERN`)."""
    return (
        "CASE WHEN regexp_full_match(" + text + ", $int_re) THEN TRY_CAST(" + text + " AS "
        + kind + ") END"
    )  # fmt: skip


def typed_sql(table: Table, column: Column, text: str) -> str:
    """Typed value of ``column`` from its trimmed text expression; NULL when invalid.

    Text columns with a vocabulary (``Table.allowed``, billing_period) are lower-cased and
    currencies upper-cased. A DOUBLE keeps infinity (``1e999``) so the check can name it.
    """
    kind = column.sql_type
    if kind == "VARCHAR":
        if column.name in table.allowed or column.name == "billing_period":
            return "lower(" + text + ")"
        if column.name == "currency":
            return "upper(" + text + ")"
        return text
    if kind in ("DATE", "TIMESTAMP"):
        pattern = "$date_re" if kind == "DATE" else "$ts_re"
        return (
            "CASE WHEN regexp_full_match(" + text + ", " + pattern + ") AND NOT starts_with("
            + text + ", '0000') THEN TRY_CAST(" + text + " AS " + kind + ") END"
        )  # fmt: skip
    if kind in ("INTEGER", "BIGINT"):
        return integer_sql(kind, text)
    if kind == "DOUBLE":
        return (
            "CASE WHEN regexp_full_match(" + text + ", $num_re) THEN TRY_CAST(" + text
            + " AS DOUBLE) END"
        )  # fmt: skip
    return (
        "CASE WHEN list_contains($true_words, lower(" + text + ")) THEN true "
        "WHEN list_contains($false_words, lower(" + text + ")) THEN false END"
    )


def stored_sql(column: Column) -> str:
    """The staged typed value, or the column default when the value is absent."""
    if column.default is None:
        return typed_col(column.name)
    return (
        "COALESCE(" + typed_col(column.name) + ", CAST(" + column.default + " AS "
        + column.sql_type + "))"
    )  # fmt: skip
