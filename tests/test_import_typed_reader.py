"""Why the import types values in SQL and not in DuckDB's typed CSV reader (docs/import.md).

A ``read_csv`` with typed columns and ``store_rejects`` would type a file in one scan and list
every line it refuses (line, column, raw line), which is what the problem messages need. But
the reader accepts, without a reject, values that the text rule of ``store.contracts`` refuses:
``1_000`` and ``0x10`` as whole numbers, ``2024-1-31`` and ``2024/01/31`` as dates (also with
``dateformat = '%Y-%m-%d'``), ``0000-01-01`` as a date before the year 1. A typed read would
therefore need the raw text of every value anyway. When this test fails after a DuckDB upgrade,
the reader may have become as strict as the rule: measure the one-scan import again
(``python benchmarks/bench.py --only import``).
"""

from __future__ import annotations

import duckdb
import pytest

from store.importer import ImportValidationError, import_files
from tests.test_import_support import brief, loaded_db, write

HEADER = "account_id,date,active_users,events,features_used\n"
# Rows of fixture accounts (tests/fixtures/import) that the text rule refuses, one value each.
LENIENT = {
    2: ("A1,2024-01-31,1,1_000,1\n", "not_an_integer", "events", "1_000"),
    3: ("A1,2024-02-01,1,0x10,1\n", "not_an_integer", "events", "0x10"),
    4: ("A1,2024-2-02,1,1,1\n", "not_a_date", "date", "2024-2-02"),
    5: ("A2,0000-01-01,1,1,1\n", "not_a_date", "date", "0000-01-01"),
}
TYPES = {
    "account_id": "VARCHAR",
    "date": "DATE",
    "active_users": "INTEGER",
    "events": "BIGINT",
    "features_used": "INTEGER",
}


@pytest.mark.parametrize("dateformat", [None, "%Y-%m-%d"])
def test_duckdb_typed_csv_reader_accepts_values_the_text_rule_refuses(
    tmp_path, dateformat: str | None
) -> None:
    path = write(tmp_path, "usage.csv", HEADER + "".join(row for row, *_ in LENIENT.values()))
    con = duckdb.connect()
    options = {"path": str(path), "columns": TYPES}
    sql = (
        "SELECT * FROM read_csv($path, columns = $columns, header = true, auto_detect = false, "
        "strict_mode = true, store_rejects = true, rejects_table = 'rejects', "
        "rejects_scan = 'scans'"
    )
    if dateformat is not None:
        sql += ", dateformat = $dateformat"
        options["dateformat"] = dateformat
    rows = con.execute(sql + ")", options).fetchall()
    rejected = con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    assert (len(rows), rejected) == (4, 0)
    assert [r[3] for r in rows[:2]] == [1000, 16]  # 1_000 and 0x10 typed silently
    con.close()


def test_import_refuses_at_their_lines_the_values_the_typed_reader_accepts(tmp_path) -> None:
    con = loaded_db(tmp_path / "typed.duckdb")
    path = write(tmp_path, "usage.csv", HEADER + "".join(row for row, *_ in LENIENT.values()))
    with pytest.raises(ImportValidationError) as caught:
        import_files(con, [path])
    expected = [(rule, line, column, value) for line, (_, rule, column, value) in LENIENT.items()]
    assert brief(caught.value.problems) == expected
    con.close()
