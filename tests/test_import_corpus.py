"""The import corpus: every awkward input named in the import issue, one parametrised case each.

A rejected input asserts its problems (rule, physical line, column, raw value), the exact
wording of the first message, and that no table changed (``failing``: data, app, derived and
meta tables digested before and after; ``check_files`` returns the same problems). An accepted
input asserts that checking changes nothing, then that the stored values are exactly the ones
in the file (decoded, not mojibake; verbatim, not neutralised).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from store.dialect import Dialect
from store.export import to_safe_csv
from store.import_limits import upload_limit_mb, upload_problem
from store.importer import check_files, import_files
from store.mapping import Mapping, ValueRules
from tests.test_import_support import (
    SUB_HEADER,
    brief,
    failing,
    loaded_db,
    snapshot,
    write,
)

WIN_TEXT = "Café “Zürich” – 5 €"


@dataclass(frozen=True)
class Case:
    """One corpus input: bytes (or a builder), what is expected, and how it is imported."""

    id: str
    data: bytes | str | Callable[[Path], Path]
    problems: list[tuple] = field(default_factory=list)
    message: str | None = None
    """Exact text of the first problem's message."""
    options: dict = field(default_factory=dict)
    stored: tuple[str, list] | None = None
    """(SQL, rows) after a successful import."""
    name: str = "in.csv"


def _xlsx(folder: Path, name: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["account_id", "name", "created_at"])
    sheet.append(["X1", "Excel Co", None])
    sheet.append([])
    sheet.append(["X2", "Sheet Ltd", __import__("datetime").date(2024, 2, 29)])
    path = folder / name
    book.save(path)
    return path


def _xlsx_renamed(folder: Path) -> Path:
    return shutil.copy(_xlsx(folder, "book.xlsx"), folder / "in.csv")


def _parquet(folder: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "in.parquet"
    table = pa.table({"currency": ["CHF", "GBP"], "valid_from": ["2024-01-01", "2024-01-01"],
                      "rate": [1.12, 1.27]})  # fmt: skip
    pq.write_table(table, path)
    return path


ROW = "S7,A1,month,10,2024-01-01\n"
CASES = [
    Case("empty_file", "", [("empty_file", None, None, None)], "in.csv: the file is empty"),
    Case("header_only", SUB_HEADER + "\n", [("no_data_rows", None, None, None)],
         "in.csv: the file has a header but no data rows"),
    Case(
        "preamble_before_header",
        "Subscriptions export\nGenerated 2024-06-30\n\n" + SUB_HEADER + "\n" + ROW,
        [("preamble", 1, None, "Subscriptions export")],
        "in.csv line 1: 'Subscriptions export' is not a header row: the column names seem to be "
        "on line 4, and lines 1-3 are a title or notes above them. Delete them, or set the "
        "header line to 4 (cli.py import --header-line 4)",
    ),
    Case(
        "preamble_with_declared_header_line",
        "Subscriptions export\nGenerated 2024-06-30\n\n" + SUB_HEADER + "\n" + ROW
        + "S8,A1,month,-1,2024-01-01\n",
        [("negative_amount", 6, "amount", "-1")],
        "in.csv line 6, column amount: '-1' is negative; amounts must be 0 or more",
        {"dialect": Dialect(header_line=4)},
    ),
    Case(
        "preamble_declared_loads",
        "Subscriptions export\n\n" + SUB_HEADER + "\n" + ROW,
        options={"dialect": Dialect(header_line=3)},
        stored=("SELECT subscription_id, amount FROM subscriptions WHERE subscription_id = 'S7'",
                [("S7", 10.0)]),
    ),
    Case(
        "utf8_with_bom",
        "\ufeffaccount_id,name\r\nB1,Ærø\r\n".encode(),
        stored=("SELECT account_id, name FROM accounts WHERE account_id = 'B1'", [("B1", "Ærø")]),
    ),
    Case(
        "windows_1252_detected",
        f"account_id,name\nW1,{WIN_TEXT}\n".encode("cp1252"),
        stored=("SELECT name FROM accounts WHERE account_id = 'W1'", [(WIN_TEXT,)]),
    ),
    Case(
        "windows_1252_chosen",
        "account_id,name\nW2,Crème brûlée\n".encode("cp1252"),
        options={"dialect": Dialect(encoding="windows-1252")},
        stored=("SELECT name FROM accounts WHERE account_id = 'W2'", [("Crème brûlée",)]),
    ),
    Case(
        "invalid_utf8_at_line_3",
        ("account_id,name\nA8,Plain\nA9,Caf\xe9\n").encode("latin-1"),
        [("not_utf8", 3, None, "A9,Caf?")],
        "in.csv line 3: the line is not UTF-8 text; save the file as 'CSV UTF-8' and try again",
    ),
    Case(
        "nul_byte",
        b"account_id,name\nA8,ok\nA9,b\x00d\n",
        [("nul_byte", 3, None, None)],
        "in.csv line 3: the line contains a NUL byte (character code 0), which CSV text never "
        "holds; the file is damaged or was not exported as text",
    ),
    Case(
        "utf16_file",
        "account_id,name\nA8,Acme\n".encode("utf-16"),
        [("not_utf8", None, None, None)],
        "in.csv: the file is not UTF-8 text (it looks like UTF-16 or a spreadsheet such as "
        ".xlsx); save it as 'CSV UTF-8' and try again",
    ),
    Case(
        "semicolon_delimited_with_decimal_comma",
        "subscription_id;account_id;billing_period;amount;start_date\n"
        "S7;A1;month;1.234,50;2024-01-01\nS8;A1;month;12,5;2024-01-01\n",
        stored=("SELECT subscription_id, amount FROM subscriptions WHERE subscription_id IN "
                "('S7', 'S8') ORDER BY 1", [("S7", 1234.5), ("S8", 12.5)]),
    ),
    Case(
        "decimal_comma_file_with_a_point",
        "subscription_id;account_id;billing_period;amount;start_date\n"
        "S7;A1;month;12,50;2024-01-01\nS8;A1;month;12.50;2024-01-01\nS9;A1;month;7,5;2024-01-01\n",
        [("not_a_number", 3, "amount", "12.50")],
        "in.csv line 3, column amount: '12.50' is not a number as this file writes them "
        "(decimal comma, thousands separated by '.', e.g. 1.234,50)",
    ),
    Case(
        "declared_delimiter_would_make_one_column",
        SUB_HEADER + "\n" + ROW,
        [("one_column", 1, None, None)],
        "in.csv line 1: read with the semicolon as separator, the header is one column, but the "
        "file is comma-separated; choose that separator",
        {"dialect": Dialect(delimiter=";")},
    ),
    Case(
        "quoted_delimiters_doubled_quotes_newlines",
        'account_id,name,industry\nQ1,"Smith, Jones & ""Partners""\nLtd",Law\n'
        'Q2,"a;b",\n',
        stored=("SELECT account_id, name, industry FROM accounts WHERE account_id LIKE 'Q%' "
                "ORDER BY 1", [("Q1", 'Smith, Jones & "Partners"\nLtd', "Law"),
                               ("Q2", "a;b", None)]),
    ),
    Case(
        "quoted_newlines_keep_physical_lines",
        'account_id,name,created_at\nQ1,"Smith, Jones & ""Partners""\nLtd",2024-01-01\n'
        'Q2,"two\r\nmore\nlines",2024-01-01\nQ3,Bad,2024-02-30\n',
        [("not_a_date", 7, "created_at", "2024-02-30")],
        "in.csv line 7, column created_at: '2024-02-30' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month",
    ),
    Case(
        "unterminated_quote_at_end_of_file",
        SUB_HEADER + "\n" + ROW + 'S8,"A1,month,10,2024-01-01',
        [("unterminated_quote", 3, "account_id", 'S8,"A1,month,10,2024-01-01')],
        "in.csv line 3, column account_id: a quoted value is not closed properly: a value that "
        'starts with " must end with " just before the next comma or line end, and a quote '
        'inside it is written "" (an unclosed quote swallows the lines after it)',
    ),
    Case(
        "short_row",
        SUB_HEADER + "\n" + ROW + "S8,A1,month,10\n",
        [("too_few_values", 3, None, "S8,A1,month,10")],
        "in.csv line 3: the row has 4 values but the header has 5 columns; give every column a "
        "value, leaving missing ones empty (a,,c)",
    ),
    Case(
        "long_row",
        SUB_HEADER + "\n" + ROW + "S8,A1,month,10,2024-01-01,extra\n",
        [("too_many_values", 3, None, "S8,A1,month,10,2024-01-01,extra")],
        "in.csv line 3: the row has 6 values but the header has 5 columns; put values that "
        "contain commas in double quotes",
    ),
    Case(
        "duplicate_column_names",
        "account_id,name,Name\nD1,a,b\n",
        [("duplicate_column", 1, "name", "Name")],
        "in.csv line 1, column name: column name appears more than once in the header; keep one",
    ),
    Case(
        "missing_required_columns_all_listed",
        "subscription_id,account_id,plan\nS9,A1,Gold\n",
        [("missing_column", 1, "billing_period", None), ("missing_column", 1, "amount", None),
         ("missing_column", 1, "start_date", None)],
        "in.csv line 1, column billing_period: required column billing_period is missing; "
        "subscriptions files need subscription_id, account_id, billing_period, amount, "
        "start_date",
    ),
    Case(
        "header_case_and_spaces",
        " Subscription ID ,ACCOUNT_ID,Billing Period, amount ,Start-Date\n" + ROW,
        stored=("SELECT subscription_id, billing_period FROM subscriptions WHERE "
                "subscription_id = 'S7'", [("S7", "month")]),
    ),
    Case(
        "reordered_columns",
        "start_date,amount,account_id,billing_period,subscription_id\n"
        "2024-01-01,10,A1,month,S7\n",
        stored=("SELECT subscription_id, account_id, amount, start_date::VARCHAR FROM "
                "subscriptions WHERE subscription_id = 'S7'", [("S7", "A1", 10.0, "2024-01-01")]),
    ),
    Case(
        "currency_symbols_and_thousands_without_rules",
        SUB_HEADER + '\nS7,A1,month,"$1,234.50",2024-01-01\n',
        [("not_a_number", 2, "amount", "$1,234.50")],
        "in.csv line 2, column amount: '$1,234.50' is not a number; use digits with a . as "
        "decimal point and no thousands separators (e.g. 1234.50)",
    ),
    Case(
        "currency_symbols_and_thousands_with_rules",
        SUB_HEADER + '\nS7,A1,month,"$1,234.50",2024-01-01\nS8,A1,month,"1,234",2024-01-01\n'
        'S9,A1,month,"EUR 99",2024-01-01\n',
        options={"mapping": Mapping(target="subscriptions",
                                    rules=ValueRules(thousands=",", currency_symbols=True))},
        stored=("SELECT subscription_id, amount FROM subscriptions WHERE subscription_id IN "
                "('S7', 'S8', 'S9') ORDER BY 1", [("S7", 1234.5), ("S8", 1234.0), ("S9", 99.0)]),
    ),
    Case(
        "malformed_thousands_groups_with_rules",
        SUB_HEADER + '\nS7,A1,month,"1,23,4",2024-01-01\n',
        [("not_a_number", 2, "amount", "1,23,4")],
        "in.csv line 2, column amount: '1,23,4' is not a number as this file writes them "
        "(decimal point, thousands separated by ',', currency symbol allowed, e.g. $1,234.50)",
        {"mapping": Mapping(target="subscriptions",
                            rules=ValueRules(thousands=",", currency_symbols=True))},
    ),
    Case(
        "negative_amount",
        SUB_HEADER + "\n" + ROW + "S8,A1,month,-5,2024-01-01\n",
        [("negative_amount", 3, "amount", "-5")],
        "in.csv line 3, column amount: '-5' is negative; amounts must be 0 or more",
    ),
    Case(
        "nan_and_infinity",
        SUB_HEADER + "\nS7,A1,month,NaN,2024-01-01\nS8,A1,month,-Infinity,2024-01-01\n",
        [("not_finite", 2, "amount", "NaN"), ("not_finite", 3, "amount", "-Infinity")],
        "in.csv line 2, column amount: 'NaN' is not a finite number; NaN and infinity are not "
        "allowed",
    ),
    Case(
        "impossible_dates",
        SUB_HEADER + "\nS7,A1,month,10,2023-02-29\nS8,A1,month,10,2024-13-01\n",
        [("not_a_date", 2, "start_date", "2023-02-29"), ("not_a_date", 3, "start_date",
                                                          "2024-13-01")],
        "in.csv line 2, column start_date: '2023-02-29' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month",
    ),
    Case(
        "mixed_date_formats_in_one_column",
        SUB_HEADER + "\nS7,A1,month,10,2024-01-05\nS8,A1,month,10,05/01/2024\n",
        [("not_a_date", 3, "start_date", "05/01/2024")],
        "in.csv line 3, column start_date: '05/01/2024' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month (it is written as "
        "DD/MM/YYYY or MM/DD/YYYY: if this column uses that format, set its date format; if "
        "the column mixes formats, write every date in one of them)",
    ),
    Case(
        "day_first_date_format_rule",
        SUB_HEADER + "\nS7,A1,month,10,31/01/2024\nS8,A1,month,10,2024-01-31\n",
        [("not_a_date", 3, "start_date", "2024-01-31")],
        "in.csv line 3, column start_date: '2024-01-31' is not a valid date in the format "
        "DD/MM/YYYY (e.g. 31/01/2024); the day must exist in that month",
        {"mapping": Mapping(target="subscriptions", rules=ValueRules(date_format="DD/MM/YYYY"))},
    ),
    Case(
        "end_date_before_start_date",
        SUB_HEADER + ",end_date\nS7,A1,month,10,2024-03-01,2024-02-01\n",
        [("end_before_start", 2, "end_date", "2024-02-01")],
        "in.csv line 2, column end_date: end_date '2024-02-01' is not after start_date "
        "'2024-03-01'; end_date must be after start_date (leave it empty if there is no end)",
    ),
    Case(
        "duplicate_keys_list_every_line",
        SUB_HEADER + "\n" + ROW + "S8,A1,month,10,2024-01-01\n" + ROW + ROW,
        [("duplicate_key", 2, "subscription_id", "S7"), ("duplicate_key", 4, "subscription_id",
         "S7"), ("duplicate_key", 5, "subscription_id", "S7")],
        "in.csv line 2, column subscription_id: 'S7' appears 3 times (also on line 4, line 5); "
        "subscription_id must be unique",
    ),
    Case(
        "subscription_for_unknown_account",
        SUB_HEADER + "\nS7,A404,month,10,2024-01-01\n",
        [("unknown_account", 2, "account_id", "A404")],
        "in.csv line 2, column account_id: 'A404' is not a known account; add it to an accounts "
        "file in this import, or import it first",
    ),
    Case(
        "unknown_interval_and_status",
        SUB_HEADER + ",status\nS7,A1,weekly,10,2024-01-01,active\nS8,A1,month,10,2024-01-01,gone\n",
        [("bad_billing_period", 2, "billing_period", "weekly"), ("allowed_values", 3, "status",
         "gone")],
        "in.csv line 2, column billing_period: 'weekly' is not a billing period; use month, "
        "quarter, half_year, year or a number of months such as 24months",
    ),
    Case(
        "name_of_ten_thousand_characters",
        "account_id,name\nL1," + "é" * 10_000 + "\n",
        stored=("SELECT length(name) FROM accounts WHERE account_id = 'L1'", [(10_000,)]),
    ),
    Case(
        "formulas_stored_verbatim",
        'account_id,name,industry,region\nF1,"=HYPERLINK(""http://x.example"",""click"")",+cmd,'
        "@SUM(1)\n",
        stored=("SELECT name, industry, region FROM accounts WHERE account_id = 'F1'",
                [('=HYPERLINK("http://x.example","click")', "+cmd", "@SUM(1)")]),
    ),
    Case(
        "xlsx_renamed_to_csv",
        _xlsx_renamed,
        [("wrong_format", None, None, None)],
        "in.csv: the file is an Excel workbook (.xlsx), not CSV text; rename it to in.xlsx to "
        "import its first sheet, or save it from Excel as 'CSV UTF-8'",
    ),
    Case(
        "png_renamed_to_csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        [("wrong_format", None, None, None)],
        "in.csv: the file is a PNG image, not CSV text; export the data as CSV (UTF-8) and try "
        "again",
    ),
    Case(
        "xlsx_workbook_loads_first_sheet_with_sheet_rows",
        lambda folder: _xlsx(folder, "in.xlsx"),
        stored=("SELECT account_id, name, created_at::VARCHAR FROM accounts WHERE account_id "
                "LIKE 'X%' ORDER BY 1", [("X1", "Excel Co", None), ("X2", "Sheet Ltd",
                                                                     "2024-02-29")]),
        name="in.xlsx",
    ),
    Case(
        "parquet_file",
        _parquet,
        stored=("SELECT currency, rate FROM fx_rates WHERE currency IN ('CHF', 'GBP') ORDER BY 1",
                [("CHF", 1.12), ("GBP", 1.27)]),
        name="in.parquet",
    ),
]  # fmt: skip


def _file(case: Case, folder: Path) -> Path:
    if callable(case.data):
        return case.data(folder)
    return write(folder, case.name, case.data)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_input(case: Case, tmp_path: Path) -> None:
    con = loaded_db(tmp_path / "corpus.duckdb")
    try:
        path = _file(case, tmp_path)
        if case.problems:
            problems = failing(con, [path], **case.options)
            assert brief(problems) == case.problems
            assert problems[0].message == case.message
            return
        before = snapshot(con)
        assert check_files(con, [path], **case.options) == []
        assert snapshot(con) == before
        import_files(con, [path], **case.options)
        sql, rows = case.stored
        assert con.execute(sql).fetchall() == rows
    finally:
        con.close()


def test_formulas_are_neutralised_on_export(tmp_path: Path) -> None:
    con = loaded_db(tmp_path / "f.duckdb")
    path = write(tmp_path, "f.csv", "account_id,name,industry\nF1,=1+2,@SUM(1)\nF2,+cmd,-1\n")
    import_files(con, [path])
    frame = con.execute(
        "SELECT name, industry FROM accounts WHERE account_id LIKE 'F%' ORDER BY account_id"
    ).df()
    con.close()
    assert frame.values.tolist() == [["=1+2", "@SUM(1)"], ["+cmd", "-1"]]
    assert to_safe_csv(frame).decode() == "name,industry\n'=1+2,'@SUM(1)\n'+cmd,'-1\n"


def test_file_over_the_upload_limit_names_the_limit_and_the_cli(tmp_path: Path) -> None:
    limit = upload_limit_mb()
    assert limit == 200  # .streamlit/config.toml server.maxUploadSize
    assert upload_problem("big.csv", limit * 1024 * 1024) is None
    found = upload_problem("big.csv", 250 * 1024 * 1024 + 1)
    assert (found.rule, found.file, found.line) == ("file_too_large", "big.csv", None)
    assert found.message == (
        "big.csv: the file is 250.0 MB, over the 200 MB upload limit of the Import page; import "
        "it from the command line, which has no size limit: python cli.py import --db "
        "<database file> big.csv"
    )
    con = loaded_db(tmp_path / "u.duckdb")
    before = snapshot(con)  # the page stops before importing: nothing is read or written
    assert snapshot(con) == before
    con.close()


def test_one_bad_row_at_the_end_of_a_million_rows(tmp_path: Path) -> None:
    """1,000,000 valid usage rows and one bad date on the last line: one problem, no change."""
    import duckdb

    path = tmp_path / "usage.csv"
    with duckdb.connect() as gen:
        gen.execute(
            "COPY (SELECT CASE WHEN i % 3 = 0 THEN 'A1' WHEN i % 3 = 1 THEN 'A2' ELSE 'A3' END "
            "AS account_id, DATE '2020-01-01' + CAST(i // 3 AS INTEGER) AS date, i % 40 AS "
            "active_users, i % 900 AS events, i % 9 AS features_used FROM range(1000000) t(i)) "
            "TO '" + str(path).replace("'", "''") + "' (HEADER)"
        )
    with path.open("a", encoding="utf-8") as handle:
        handle.write("A1,2999-02-30,1,1,1\n")
    con = loaded_db(tmp_path / "m.duckdb")
    problems = failing(con, [path])
    con.close()
    assert brief(problems) == [("not_a_date", 1_000_002, "date", "2999-02-30")]
    assert problems[0].message == (
        "usage.csv line 1000002, column date: '2999-02-30' is not a valid date; write dates as "
        "YYYY-MM-DD (e.g. 2024-01-31), and the day must exist in that month"
    )
