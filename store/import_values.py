"""SQL that reads one field's raw text under its value rules: trimmed text and typed value.

With no rules (and a decimal point) the SQL is exactly the canonical text rule of
``store.import_stage`` (fast, and the messages of ``store.import_checks`` apply unchanged). With
rules, every accepted shape is spelled out as a regular expression that gates the conversion, so
a value in another shape is rejected, never guessed: with a decimal comma ``12.50`` is not a
number, with ``DD/MM/YYYY`` ``2024-01-31`` is not a date. Each builder also returns message
templates that say which format was expected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from store import contracts
from store.import_stage import integer_sql, trim_sql
from store.mapping import DATE_FORMATS, TIME_SUFFIX, InputField, ValueRules
from store.schema import Table

_SYMBOLS = "$€£¥₹"
_STRIP_CURRENCY = (
    r"^([+-]?)\s*(?:[" + _SYMBOLS + r"]|[A-Za-z]{3})\s*|\s*(?:[" + _SYMBOLS + r"]|[A-Za-z]{3})$"
)
TEXT_MARK = "\x00TEXT"
"""Stands for the trimmed text inside typed SQL."""
_OFFSET = r"([+-])([0-9]{2}):?([0-9]{2})$"
_TIME_FORMATS = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p",
                 "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f")  # fmt: skip


@dataclass(frozen=True)
class FieldSQL:
    """SQL expressions of one field and what they bind."""

    text: str
    """Trimmed text, NULL when empty."""
    typed: str
    """Typed value, NULL when absent or invalid."""
    params: Mapping[str, object] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    """Rule id -> message template overriding ``store.import_checks.MESSAGES``."""
    canonical: str | None = None
    """SQL type whose own text rendering ``typed`` accepts unchanged (the canonical rule: a
    text that reads back exactly as ``CAST(TRY_CAST(text AS type) AS VARCHAR)`` types to that
    value), so :func:`store.import_stage.staged_sql` types such values with the cast alone."""


def field_sql(
    item: InputField,
    raw: str,
    rules: ValueRules,
    *,
    decimal: str,
    prefix: str,
    table: Table | None = None,
) -> FieldSQL:
    """Text and typed SQL for ``item`` read from the raw expression ``raw``.

    The typed SQL refers to the text as :data:`TEXT_MARK` (the caller substitutes the column
    holding the text, so the trimming is computed once).

    ``prefix`` makes this field's parameter names unique; ``table`` (for fields that are the
    columns of a canonical table) adds the table's own typing (vocabularies in lower case,
    currencies in upper case).
    """
    built = _typed(item, TEXT_MARK, rules, rules.decimal or decimal, prefix, table)
    return FieldSQL(trim_sql(raw), built.typed, built.params, built.messages, built.canonical)


def _typed(
    item: InputField, text: str, rules: ValueRules, decimal: str, prefix: str, table: Table | None
) -> FieldSQL:
    kind = item.kind
    if kind == "VARCHAR":
        return _text_sql(item, text, rules, prefix, table)
    if kind in ("DATE", "TIMESTAMP"):
        if rules.date_format is None:
            return FieldSQL(text, _iso_sql(kind, text),
                            canonical="DATE" if kind == "DATE" else None)  # fmt: skip
        return _formatted_date_sql(kind, text, rules.date_format, prefix)
    if kind in ("INTEGER", "BIGINT"):
        if not rules.thousands:
            return FieldSQL(text, integer_sql(kind, text), canonical=kind)
        pattern = r"[+-]?([0-9]{1,3}(" + re.escape(rules.thousands) + r"[0-9]{3})+|[0-9]+)"
        params = {prefix + "re": pattern}
        cleaned = "replace(" + _spaces(text) + ", " + _literal(rules.thousands) + ", '')"
        typed = (
            "CASE WHEN regexp_full_match(" + _spaces(text) + ", $" + prefix + "re) THEN TRY_CAST("
            + cleaned + " AS " + kind + ") END"
        )  # fmt: skip
        what = "{value} is not a whole number (digits, thousands separated by "
        what += f"'{rules.thousands}', e.g. 1{rules.thousands}234)"
        return FieldSQL(text, typed, params, {"not_an_integer": what})
    if kind == "DOUBLE":
        return _number_sql(item, text, rules, decimal, prefix)
    return _bool_sql(text, rules, prefix)


def _literal(value: str) -> str:
    """A SQL string literal of one of the fixed separator characters (never user text)."""
    if value not in (",", ".", " ", "'", ""):
        raise ValueError(f"unsupported separator {value!r}")
    return "'" + value.replace("'", "''") + "'"


def _spaces(text: str) -> str:
    """Non-breaking spaces (French thousands separators) as plain spaces."""
    return "replace(replace(" + text + ", chr(160), ' '), chr(8239), ' ')"


def _iso_sql(kind: str, text: str) -> str:
    pattern = "$date_re" if kind == "DATE" else "$ts_re"
    return (
        "CASE WHEN regexp_full_match(" + text + ", " + pattern + ") AND NOT starts_with("
        + text + ", '0000') THEN TRY_CAST(" + text + " AS " + kind + ") END"
    )  # fmt: skip


def _int_sql(kind: str, text: str, pattern: str) -> str:
    return (
        "CASE WHEN regexp_full_match(" + text + ", " + pattern + ") THEN TRY_CAST(" + text
        + " AS " + kind + ") END"
    )  # fmt: skip


def _text_sql(
    item: InputField, text: str, rules: ValueRules, prefix: str, table: Table | None
) -> FieldSQL:
    params: dict[str, object] = {}
    messages: dict[str, str] = {}
    value = text
    if rules.values:
        keys = [k.strip().lower() for k in rules.values]
        params[prefix + "keys"] = keys
        params[prefix + "vals"] = list(rules.values.values())
        position = "list_position($" + prefix + "keys, lower(" + text + "))"
        value = (
            "CASE WHEN " + position + " > 0 THEN $" + prefix + "vals[" + position + "] ELSE "
            + text + " END"
        )  # fmt: skip
    if rules.currency and item.name == "currency":
        params[prefix + "cur"] = rules.currency
        value = "coalesce(" + value + ", $" + prefix + "cur)"
    if item.allowed_words:
        messages["allowed_values"] = (
            "{value} is not an allowed value; use one of: " + ", ".join(item.allowed_words)
        )
    if table is not None:
        from store.import_stage import typed_sql

        value = typed_sql(table, table.column(item.name), value)
    return FieldSQL(text, value, params, messages, canonical="VARCHAR")


def _formatted_date_sql(kind: str, text: str, name: str, prefix: str) -> FieldSQL:
    patterns, date_regex, example = DATE_FORMATS[name]
    what = "date" if kind == "DATE" else "date and time"
    rule = "not_a_date" if kind == "DATE" else "not_a_timestamp"
    message = (
        f"{{value}} is not a valid {what} in the format {name} (e.g. {example}); the day must "
        "exist in that month"
    )
    params: dict[str, object] = {prefix + "re": date_regex + TIME_SUFFIX}
    if name in ("unix", "unix_ms"):
        scale = 1_000_000 if name == "unix" else 1_000
        params[prefix + "scale"] = scale
        stamp = (
            "make_timestamp(CAST(round(TRY_CAST(" + text + " AS DOUBLE) * $" + prefix
            + "scale) AS BIGINT))"
        )  # fmt: skip
        gate = "regexp_full_match(" + text + ", $" + prefix + "re)"
        typed = "CASE WHEN " + gate + " THEN " + stamp + " END"
        if kind == "DATE":
            typed = "CAST(" + typed + " AS DATE)"
        message = f"{{value}} is not a Unix time in {'seconds' if name == 'unix' else 'ms'}"
        return FieldSQL(text, typed, params, {rule: message})
    params[prefix + "fmt"] = [p + t for p in patterns for t in _TIME_FORMATS]
    params[prefix + "off"] = _OFFSET
    params[prefix + "zone"] = r" ?(Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})$"
    local = "regexp_replace(" + text + ", $" + prefix + "zone, '')"
    stamp = "try_strptime(" + local + ", $" + prefix + "fmt)"
    if kind == "TIMESTAMP":
        # A UTC offset turns the written clock time into UTC.
        sign = "regexp_extract(" + text + ", $" + prefix + "off, 1)"
        minutes = (
            "(TRY_CAST(regexp_extract(" + text + ", $" + prefix + "off, 2) AS INTEGER) * 60 + "
            "TRY_CAST(regexp_extract(" + text + ", $" + prefix + "off, 3) AS INTEGER))"
        )  # fmt: skip
        stamp = (
            "CASE WHEN " + sign + " = '+' THEN " + stamp + " - to_minutes(" + minutes + ") "
            "WHEN " + sign + " = '-' THEN " + stamp + " + to_minutes(" + minutes + ") "
            "ELSE " + stamp + " END"
        )  # fmt: skip
    typed = "CASE WHEN regexp_full_match(" + text + ", $" + prefix + "re) THEN " + stamp + " END"
    if kind == "DATE":
        typed = "CAST(" + typed + " AS DATE)"
    return FieldSQL(text, typed, params, {rule: message})


def _number_sql(
    item: InputField, text: str, rules: ValueRules, decimal: str, prefix: str
) -> FieldSQL:
    thousands = rules.thousands or ""
    if rules.thousands is None and decimal == ",":
        thousands = "."  # with a decimal comma, a point can only group thousands (1.234,50)
    symbols = bool(rules.currency_symbols) and item.money
    cents = rules.amount_unit == "cents" and item.money
    if decimal == "." and not thousands and not symbols:
        typed = _int_sql("DOUBLE", text, "$num_re")
        if cents:
            return FieldSQL(text, "(" + typed + ") / 100.0")
        return FieldSQL(text, typed, canonical="DOUBLE")
    value = _spaces(text) if thousands == " " else text
    if symbols:
        value = "trim(regexp_replace(" + value + ", $" + prefix + "cs, '\\1', 'g'))"
    integer = "[0-9]+"
    if thousands:
        integer = "([0-9]{1,3}(" + re.escape(thousands) + "[0-9]{3})+|[0-9]+)"
    point = re.escape(decimal)
    pattern = r"[+-]?(" + integer + "(" + point + "[0-9]*)?|" + point + "[0-9]+)"
    params: dict[str, object] = {prefix + "re": pattern}
    if symbols:
        params[prefix + "cs"] = _STRIP_CURRENCY
    cleaned = value
    if thousands:
        cleaned = "replace(" + cleaned + ", " + _literal(thousands) + ", '')"
    if decimal != ".":
        cleaned = "replace(" + cleaned + ", " + _literal(decimal) + ", '.')"
    typed = (
        "CASE WHEN regexp_full_match(" + value + ", $" + prefix + "re) THEN TRY_CAST(" + cleaned
        + " AS DOUBLE) END"
    )  # fmt: skip
    if cents:
        typed = "(" + typed + ") / 100.0"
    example = _number_example(decimal, thousands, symbols)
    parts = [f"decimal {'comma' if decimal == ',' else 'point'}"]
    parts.append(f"thousands separated by '{thousands}'" if thousands else "no thousands separator")
    if symbols:
        parts.append("currency symbol allowed")
    what = (
        f"{{value}} is not a number as this file writes them ({', '.join(parts)}, "
        f"e.g. {example})"
    )
    return FieldSQL(text, typed, params, {"not_a_number": what})


def _number_example(decimal: str, thousands: str, symbols: bool) -> str:
    whole = "1" + thousands + "234" if thousands else "1234"
    text = whole + decimal + "50"
    return ("€" if decimal == "," else "$") + text if symbols else text


def _bool_sql(text: str, rules: ValueRules, prefix: str) -> FieldSQL:
    if rules.true_values is None and rules.false_values is None:
        return FieldSQL(
            text,
            "CASE WHEN list_contains($true_words, lower(" + text + ")) THEN true "
            "WHEN list_contains($false_words, lower(" + text + ")) THEN false END",
        )
    true_words = [w.strip().lower() for w in (rules.true_values or contracts.TRUE_WORDS)]
    false_words = [w.strip().lower() for w in (rules.false_values or contracts.FALSE_WORDS)]
    params = {prefix + "tw": true_words, prefix + "fw": false_words}
    typed = (
        "CASE WHEN list_contains($" + prefix + "tw, lower(" + text + ")) THEN true "
        "WHEN list_contains($" + prefix + "fw, lower(" + text + ")) THEN false END"
    )  # fmt: skip
    what = (
        "{value} is not true or false; use " + "/".join(rules.true_values or ("true",)) + " or "
        + "/".join(rules.false_values or ("false",))
    )  # fmt: skip
    return FieldSQL(text, typed, params, {"not_a_boolean": what})
