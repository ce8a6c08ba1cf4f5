"""The import's fast paths give exactly the answers of the rules they shortcut.

- Typing: a value that is its typed value's own rendering is typed by a cast alone
  (``store.import_stage.staged_sql`` with ``canonical``); every other text goes through the
  canonical text rule of ``store.contracts`` (the oracle here: the same SQL without the fast
  path). DuckDB's cast accepts more than the rule (``1_000``, ``5.5`` as a whole number,
  ``2024-1-5``, ``10000-01-01``), so those must still be refused.
- Duplicate keys: a file whose keys strictly increase (either key order) has none; the
  positional comparison of each staged row with the next finds any other order.
- Line numbers: without a line-feed scan of the values, a quoted line break or a blank line
  still moves the file off the direct path, so problems keep naming physical lines.
"""

from __future__ import annotations

import duckdb
import pytest

from store.import_checks import _strictly_ordered
from store.import_stage import PATTERN_PARAMS, bind, layout_ddl, stage_name, staged_sql
from store.import_targets import TARGETS_BY_NAME
from store.import_values import TEXT_MARK
from store.importer import ImportValidationError, import_files
from tests.test_import_support import brief, loaded_db, write

INTEGER_RULE = ("CASE WHEN regexp_full_match(" + TEXT_MARK + ", $int_re) THEN TRY_CAST("
                + TEXT_MARK + " AS INTEGER) END")  # fmt: skip
DATE_RULE = ("CASE WHEN regexp_full_match(" + TEXT_MARK + ", $date_re) AND NOT starts_with("
             + TEXT_MARK + ", '0000') THEN TRY_CAST(" + TEXT_MARK + " AS DATE) END")  # fmt: skip
DOUBLE_RULE = ("CASE WHEN regexp_full_match(" + TEXT_MARK + ", $num_re) THEN TRY_CAST("
               + TEXT_MARK + " AS DOUBLE) END")  # fmt: skip
TEXTS = {
    "INTEGER": ["0", "7", "-3", "+4", "-0", "007", " 7 ", "\t7", "5.5", "1.0", "1e2", "1_000",
                "0x10", "99999999999", "2147483647", "-2147483648", "", "abc"],
    "DATE": ["2024-01-31", "2024-02-29", "2023-02-29", "2024-1-5", "2024-01-05 10:00",
             " 2024-03-01 ", "0000-01-01", "0999-12-31", "10000-01-01", "20240105",
             "01/02/2024", "2024-13-01", ""],
    "VARCHAR": ["A1", " A1", "A1 ", "\tA1", "A1\r\n", "a b", "", " ", "\u00a0A1", "A1\u00a0",
                "x\u0001", "\u0001x", "Month", "e\u0301", "\u00e9t\u00e9", "\U0001F600",
                "A1\r", "\r\nA1", "A1 \u0301", "!x", "x!", "\u007fA", "A\u001f", "\u00a0"],
    "DOUBLE": ["0", "1.5", "100", "100.0", "-0.0", ".5", "1.", "1e3", "1e+20", "1e-07", "0.1",
               "1e999", "inf", "nan", "NaN", "-Infinity", "1,5", "1_000", " 2.5 ", "+3", ""],
}  # fmt: skip
RULES = [
    ("INTEGER", INTEGER_RULE),
    ("DATE", DATE_RULE),
    ("DOUBLE", DOUBLE_RULE),
    ("VARCHAR", "lower(" + TEXT_MARK + ")"),  # a vocabulary column (billing_period)
    ("VARCHAR", TEXT_MARK),  # plain text (account_id)
]


@pytest.mark.parametrize(("kind", "rule"), RULES)
def test_canonical_fast_path_stores_and_types_exactly_as_the_text_rule(kind, rule) -> None:
    con = duckdb.connect()
    values = [*TEXTS[kind], None]
    fast = staged_sql("raw", rule, TEXT_MARK, kind)
    slow = staged_sql("raw", rule, TEXT_MARK)

    def run(parts: tuple[str, str, str]) -> list[tuple]:
        sql = ("SELECT raw, " + ", ".join(parts) + " FROM (SELECT unnest($values) AS raw) "
               "ORDER BY ALL")  # fmt: skip
        return con.execute(sql, bind(sql, {**PATTERN_PARAMS, "values": values})).fetchall()

    expected = run(slow)
    assert run(fast) == expected
    typed = {raw: value for raw, _kept, _text, value in expected}
    # Spot checks of the rule itself (store.contracts): DuckDB's cast alone would differ.
    if kind == "INTEGER":
        assert (typed["1_000"], typed["5.5"], typed[" 7 "], typed["+4"]) == (None, None, 7, 4)
    if kind == "DATE":
        assert (typed["2024-1-5"], typed["10000-01-01"], typed["0000-01-01"]) == (None,) * 3
        assert str(typed["0999-12-31"]) == "0999-12-31"
    if kind == "VARCHAR" and rule != TEXT_MARK:
        assert (typed[" A1"], typed["Month"], typed[" "], typed["\u00a0A1"]) == (
            "a1",
            "month",
            None,
            "\u00a0a1",
        )
    if kind == "DOUBLE":
        assert (typed["inf"], typed["nan"], typed["1_000"], typed["100"]) == (
            None,
            None,
            None,
            100.0,
        )


def test_no_fast_path_for_a_type_without_a_guard() -> None:
    with pytest.raises(ValueError, match="no canonical fast path for TIMESTAMP"):
        staged_sql("raw", DATE_RULE, TEXT_MARK, "TIMESTAMP")


@pytest.mark.parametrize(
    ("keys", "ordered"),
    [
        ([("A1", "2024-01-01"), ("A1", "2024-01-02"), ("A2", "2024-01-01")], True),  # id, date
        ([("A2", "2024-01-01"), ("A1", "2024-01-02"), ("A3", "2024-01-02")], True),  # date, id
        ([("A1", "2024-01-01"), ("A2", "2024-01-01"), ("A1", "2024-01-01")], False),  # repeat
        ([("A2", "2024-01-02"), ("A1", "2024-01-01"), ("A3", "2024-01-03")], False),  # unsorted
        # The first pair fits both orders; only date-then-id holds for every row.
        ([("A1", "2024-01-01"), ("A2", "2024-01-02"), ("A1", "2024-01-03")], True),
        ([("A1", "2024-01-01"), ("A1", "2024-01-02"), ("A1", "2024-01-02")], False),  # last
        ([("A1", "2024-01-01"), ("A2", "2024-01-02"), ("A1", "2024-01-02")], False),  # neither
        ([("A1", "2024-01-01")], True),
        ([], True),
    ],
)
def test_strictly_ordered_keys_compare_each_row_with_the_next(keys, ordered) -> None:
    con = duckdb.connect()
    table = TARGETS_BY_NAME["usage_daily"]
    con.execute(layout_ddl(stage_name(table), ((c.name, c.sql_type) for c in table.columns)))
    for number, (account, day) in enumerate(keys):
        con.execute(
            "INSERT INTO " + stage_name(table) + " (_file, _line, account_id__v, date__v) "
            "VALUES (0, $line, $account, CAST($day AS DATE))",
            {"line": number + 2, "account": account, "day": day},
        )
    keyed = ['"account_id__v"', '"date__v"']
    assert _strictly_ordered(con, table, keyed) is ordered


@pytest.mark.parametrize(
    ("body", "line"),
    [
        # A quoted value holding a line break (lines 3-4): the bad date is on physical line 5.
        ('A1,2024-01-01,1,1,1\n"A\n1",2024-01-02,1,1,1\nA1,2024-02-30,1,1,1\n', 5),
        # A blank line (DuckDB skips it without a trace): the bad date is on line 4.
        ("A1,2024-01-01,1,1,1\n\nA1,2024-02-30,1,1,1\n", 4),
    ],
    ids=["quoted_line_break", "blank_line"],
)
def test_problems_keep_physical_lines_when_the_file_has_extra_line_feeds(
    tmp_path, body: str, line: int
) -> None:
    con = loaded_db(tmp_path / "lines.duckdb")  # fixture accounts A1-A3 (tests/fixtures/import)
    usage = write(tmp_path, "usage.csv",
                  "account_id,date,active_users,events,features_used\n" + body)  # fmt: skip
    with pytest.raises(ImportValidationError) as caught:
        import_files(con, [usage])
    assert ("not_a_date", line, "date", "2024-02-30") in brief(caught.value.problems)
    con.close()


def test_deferred_line_numbers_are_physical_in_every_file(tmp_path) -> None:
    """Files staged straight from CSV get their line numbers only when a listing needs them;
    each file's rows are numbered from its own header (the second file's rows follow the
    first's in the staging table)."""
    con = loaded_db(tmp_path / "deferred.duckdb")  # fixture accounts A1-A3
    header = "account_id,date,active_users,events,features_used\n"
    one = write(tmp_path, "one.csv", header + "A1,2024-01-01,1,1,1\nA1,2024-01-02,1,1,1\n"
                "A2,2024-01-03,1,1,1\n")  # fmt: skip
    two = write(tmp_path, "two.csv", header + "A3,2024-01-01,1,1,1\nA2,2024-01-03,2,2,2\n"
                "A3,2024-02-30,1,1,1\n")  # fmt: skip
    with pytest.raises(ImportValidationError) as caught:
        import_files(con, [one, two])
    found = [(p.file, p.line, p.rule) for p in caught.value.problems]
    assert found == [
        ("one.csv", 4, "duplicate_key"),
        ("two.csv", 3, "duplicate_key"),
        ("two.csv", 4, "not_a_date"),
    ]
    assert "also on two.csv line 3" in caught.value.problems[0].message
    con.close()
