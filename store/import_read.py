"""Reading canonical CSV files into staging tables, with physical line numbers.

Each file is read by DuckDB's ``read_csv`` with every value as text and strict options; rows
that break the CSV structure (too few or too many values, a quote never closed, bytes that are
not UTF-8) are captured with ``store_rejects`` and reported, never skipped silently. The rows
read are appended to the staging table of their canonical table (layout: ``store.import_stage``).

Physical line numbers. DuckDB numbers records, not lines, so a quoted value holding a newline
shifts every later line. The fast path computes ``header lines + 1 + row index + newlines in
the quoted values of earlier rows`` in SQL (the row index comes from the row ids of the raw
table, which follow insertion order, i.e. file order). DuckDB also skips blank lines without a
trace; when a file has a blank line inside, or rows were rejected, a Python ``csv`` pass maps
each record to its first physical line instead (slower, but only for such files).

DuckDB accepts one trailing empty value (``a,b,c,``) as if the delimiter were not there; no
data is lost, so this leniency is left in place.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from store.import_problems import Problem, problem
from store.import_stage import (
    PATTERN_PARAMS,
    bind,
    raw_col,
    stage_ddl,
    stage_name,
    text_col,
    trim_sql,
    typed_col,
    typed_sql,
)
from store.schema import CANONICAL_TABLES, TABLES_BY_NAME, Table
from store.sql import identifier

csv.field_size_limit(2**31 - 1)

RAW = "_import_raw"
LINES = "_import_lines"
REJECTS = "_import_rejects"
REJECT_SCANS = "_import_reject_scans"
WORK_TABLES = (RAW, LINES, REJECTS, REJECT_SCANS)
"""Temporary tables reused for every file."""
_CHUNK = 1 << 20
_BLANK_LINE_INSIDE = re.compile(rb"\n\r?\n(?=[^\r\n])")

_READ_SQL = (
    "CREATE TEMP TABLE " + RAW + " AS SELECT * FROM read_csv($path, columns = $columns, "
    "header = true, all_varchar = true, auto_detect = false, delim = ',', quote = '\"', "
    "escape = '\"', strict_mode = true, null_padding = false, parallel = true, "
    "store_rejects = true, rejects_table = '" + REJECTS + "', "
    "rejects_scan = '" + REJECT_SCANS + "')"
)


@dataclass(frozen=True)
class FileBytes:
    """What a byte scan learned about a file."""

    size: int
    has_text: bool
    """Anything besides whitespace."""
    blank_line_inside: bool
    """A blank line followed by more content (DuckDB skips those, shifting line numbers)."""
    utf16: bool


@dataclass(frozen=True)
class Header:
    """The header record as written, and how many physical lines it spans."""

    names: list[str]
    lines: int


def scan_bytes(path: Path, hasher: hashlib._Hash) -> FileBytes:
    """Hash the file into ``hasher`` and look for blank lines, in one pass over its bytes."""
    size = 0
    has_text = False
    blank_inside = False
    utf16 = False
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
            if size == 0:
                utf16 = chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4096]
            size += len(chunk)
            has_text = has_text or bool(chunk.strip())
            if not blank_inside:
                blank_inside = bool(_BLANK_LINE_INSIDE.search(tail + chunk))
            tail = chunk[-3:]
    return FileBytes(size, has_text, blank_inside, utf16)


def read_header(path: Path) -> Header | None:
    """The first CSV record (None when the first line is blank)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        first = next(reader, None)
        if not first:
            return None
        return Header(first, reader.line_num)


def normalise(name: str) -> str:
    """Header name as compared with canonical names: trimmed, lower case."""
    return name.strip().lower()


def detect_table(header: list[str]) -> str | None:
    """The canonical table whose columns a header uses, or None when none or several fit.

    A header fits a table when every name (ignoring case and surrounding spaces) is one of its
    columns, no name repeats, and all its required columns are present; order does not matter.
    """
    names = [normalise(n) for n in header]
    if len(set(names)) != len(names):
        return None
    fits = [
        t.name
        for t in CANONICAL_TABLES
        if set(names) <= set(t.column_names) and set(t.required_columns) <= set(names)
    ]
    return fits[0] if len(fits) == 1 else None


def match_header(
    file: str, header: Header, table_name: str | None
) -> tuple[Table | None, list[Problem]]:
    """Choose the table for a header and check its columns.

    Returns the table and no problems, or the best-guess table (or None) and one problem per
    missing, unknown or repeated column.
    """
    names = [normalise(n) for n in header.names]
    listed = ", ".join(header.names)
    if any("\ufffd" in n for n in names):
        what = "the header is not UTF-8 text; save the file as 'CSV UTF-8' and try again"
        return None, [problem(file, 1, None, listed, "not_utf8", what)]
    if table_name is None:
        table_name = detect_table(header.names) or _best_guess(names)
    if table_name is None:
        tables = ", ".join(t.name for t in CANONICAL_TABLES)
        what = (
            f"cannot tell which table this file holds from its header ({listed}); use the "
            f"column names of one canonical table ({tables}) or choose the table explicitly"
        )
        return None, [problem(file, 1, None, ",".join(header.names), "unknown_table", what)]
    table = TABLES_BY_NAME[table_name]
    problems = []
    seen: set[str] = set()
    for position, (raw, name) in enumerate(zip(header.names, names, strict=True), start=1):
        if not name:
            what = f"column {position} of the header has no name; name it or remove that column"
            problems.append(problem(file, 1, None, raw, "unknown_column", what))
        elif name not in table.column_names:
            what = (
                f"'{raw.strip()}' is not a column of {table.name}; remove it or use one of: "
                + ", ".join(table.column_names)
            )
            problems.append(problem(file, 1, raw.strip(), raw, "unknown_column", what))
        elif name in seen:
            what = f"column {name} appears more than once in the header; keep one"
            problems.append(problem(file, 1, name, raw, "duplicate_column", what))
        seen.add(name)
    for name in table.required_columns:
        if name not in seen:
            what = f"required column {name} is missing; {table.name} files need " + ", ".join(
                table.required_columns
            )
            problems.append(problem(file, 1, name, None, "missing_column", what))
    return table, problems


def _best_guess(names: list[str]) -> str | None:
    overlap = {t.name: len(set(names) & set(t.column_names)) for t in CANONICAL_TABLES}
    best = max(overlap.values())
    winners = [name for name, n in overlap.items() if n == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_index: int,
    table: Table,
    header: Header,
    scan: FileBytes,
) -> list[Problem]:
    """Read one file (header already matched) into the table's staging table.

    Returns structural problems (rejected rows, no data rows).
    """
    columns = [normalise(n) for n in header.names]
    for name in WORK_TABLES:
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    con.execute(_READ_SQL, {"path": str(path), "columns": dict.fromkeys(columns, "VARCHAR")})
    rejects = con.execute(
        "SELECT line, column_name, error_type, csv_line, error_message FROM "
        + REJECTS
        + " ORDER BY line, column_idx"
    ).fetchall()
    row_count = con.execute("SELECT count(*) FROM " + RAW).fetchone()[0]
    if row_count == 0 and not rejects:
        what = "the file has a header but no data rows"
        return [problem(path.name, None, None, None, "no_data_rows", what)]

    mapping = None
    if rejects or scan.blank_line_inside:
        mapping = _record_lines(path)
    accepted = None
    if mapping is not None:
        rejected = {line for line, *_ in rejects}
        accepted = [physical for duck, physical in mapping if duck not in rejected]
        if len(accepted) != row_count:
            accepted = None  # Python and DuckDB disagree on this broken file; approximate.
    _insert_staged(con, table, columns, file_index, header.lines, accepted)
    lines = dict(mapping or [])
    return _reject_problems(path.name, len(columns), rejects, lines)


def _insert_staged(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    columns: list[str],
    file_index: int,
    header_lines: int,
    accepted: list[int] | None,
) -> None:
    """Append the raw rows to the staging table with their lines, trimmed and typed values."""
    con.execute(stage_ddl(table))
    # Rows of a table created inside a transaction carry transaction-local row ids that start
    # far above zero but stay dense and in insertion order.
    first = con.execute("SELECT coalesce(min(rowid), 0) FROM " + RAW).fetchone()[0]
    params: dict[str, object] = {"file": file_index, "first": first}
    source = RAW
    if accepted is not None:
        con.execute(
            "CREATE TEMP TABLE " + LINES + " AS SELECT unnest($lines) AS _physical",
            {"lines": accepted},
        )
        line = "_physical"
        source = RAW + " POSITIONAL JOIN " + LINES  # both tables are in file order
    else:
        params["base"] = header_lines + 1
        newlines = " + ".join(
            "coalesce(length(" + raw_col(c) + ") - length(replace(" + raw_col(c)
            + ", chr(10), '')), 0)"
            for c in columns
        )  # fmt: skip
        total = con.execute("SELECT coalesce(sum(" + newlines + "), 0) FROM " + RAW).fetchone()
        if total[0] == 0:
            line = "$base + rowid - $first"
        else:
            line = (
                "$base + rowid - $first + coalesce(sum(" + newlines + ") OVER (ORDER BY rowid "
                "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
            )  # fmt: skip
    inner = ["$file AS _file", line + " AS _line"]
    outer = ["_file", "_line"]
    targets = ["_file", "_line"]
    for name in columns:
        column = table.column(name)
        inner += [raw_col(name), trim_sql(raw_col(name)) + " AS " + text_col(name)]
        outer += [raw_col(name), text_col(name), typed_sql(table, column, text_col(name))]
        targets += [raw_col(name), text_col(name), typed_col(name)]
    sql = (
        "INSERT INTO " + stage_name(table) + " (" + ", ".join(targets) + ") SELECT "
        + ", ".join(outer) + " FROM (SELECT " + ", ".join(inner) + " FROM " + source + ")"
    )  # fmt: skip
    con.execute(sql, bind(sql, {**PATTERN_PARAMS, **params}))


def _record_lines(path: Path) -> list[tuple[int, int]] | None:
    """(DuckDB line, physical first line) of every data record, from a Python csv pass.

    DuckDB counts a record's line as its physical line minus the newlines inside quoted
    values of earlier records; blank lines are counted but yield no record.
    """
    out: list[tuple[int, int]] = []
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            previous_end = reader.line_num
            embedded = 0
            for record in reader:
                start, end = previous_end + 1, reader.line_num
                previous_end = end
                if record:
                    out.append((start - embedded, start))
                    embedded += end - start
    except csv.Error:
        return None
    return out


_REJECT_RULES = {
    "MISSING COLUMNS": "too_few_values",
    "TOO MANY COLUMNS": "too_many_values",
    "INVALID ENCODING": "not_utf8",
    "UNQUOTED VALUE": "unterminated_quote",
    "LINE SIZE OVER MAXIMUM": "line_too_long",
}


def _reject_problems(
    file: str, width: int, rejects: Sequence[tuple], lines: dict[int, int]
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    for duck_line, column, error_type, csv_line, message in rejects:
        rule = _REJECT_RULES.get(error_type, "malformed_row")
        line = lines.get(duck_line, duck_line)
        if (line, rule) in seen:
            continue
        seen.add((line, rule))
        found = re.search(r"Found: (\d+)", message or "")
        count = found.group(1) if found else "a different number of"
        raw = (csv_line or "").rstrip("\r\n")
        if rule == "too_few_values":
            what = (
                f"the row has {count} values but the header has {width} columns; give every "
                "column a value, leaving missing ones empty (a,,c)"
            )
        elif rule == "too_many_values":
            what = (
                f"the row has {count} values but the header has {width} columns; put values "
                "that contain commas in double quotes"
            )
        elif rule == "unterminated_quote":
            what = (
                'a quoted value is not closed properly: a value that starts with " must end '
                'with " just before the next comma or line end, and a quote inside it is '
                'written "" (an unclosed quote swallows the lines after it)'
            )
        elif rule == "not_utf8":
            what = "the line is not UTF-8 text; save the file as 'CSV UTF-8' and try again"
        elif rule == "line_too_long":
            what = "the line is too long to read; check for a missing line break or quote"
        else:
            what = "the row cannot be read as CSV (" + (message or error_type) + ")"
        col = column if rule == "unterminated_quote" else None
        problems.append(problem(file, line, col, raw[:500], rule, what))
    return problems
