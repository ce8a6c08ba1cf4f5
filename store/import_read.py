"""Reading a prepared file into the raw table, and staging its fields with physical line numbers.

Each file is read by DuckDB with every value as text and strict options into ``_import_raw``,
whose columns are named by position (``c1``, ``c2``, …; headers may repeat or hold any text).
Rows that break the CSV structure (too few or too many values, a quote never closed, bytes that
are not UTF-8) are captured with ``store_rejects`` and reported, never skipped silently. Parquet
files are read with ``read_parquet`` and every column cast to text.

Physical line numbers. DuckDB numbers records, not lines, so a quoted value holding a newline
shifts every later line. The fast path computes ``header line + 1 + row index + newlines in
the quoted values of earlier rows`` in SQL (the row index comes from the row ids of the raw
table, which follow insertion order, i.e. file order). DuckDB also skips blank lines without a
trace; when a file has a blank line inside, or rows were rejected, a Python ``csv`` pass maps
each record to its first physical line instead (slower, but only for such files). Excel sheets
carry the sheet row of every record; Parquet rows are numbered from 2 (as if line 1 were a
header).

DuckDB accepts one trailing empty value (``a,b,c,``) as if the delimiter were not there; no
data is lost, so this leniency is left in place.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb

from store.import_lines import defer_lines
from store.import_problems import Problem, problem
from store.import_sources import Header, PreparedSource
from store.import_stage import PATTERN_PARAMS, bind, staged_sql, staged_values
from store.import_targets import TARGETS_BY_NAME, USER_TARGETS
from store.import_values import TEXT_MARK, FieldSQL
from store.schema import TABLES_BY_NAME, Table
from store.sql import identifier, one_row

csv.field_size_limit(2**31 - 1)

RAW = "_import_raw"
LINES = "_import_lines"
REJECTS = "_import_rejects"
REJECT_SCANS = "_import_reject_scans"
FIELDS = "_import_fields"
WORK_TABLES = (RAW, LINES, REJECTS, REJECT_SCANS, FIELDS)
"""Temporary tables reused for every file."""

_READ_CSV = (
    "read_csv($path, columns = $columns, "
    "header = true, skip = $skip, all_varchar = true, auto_detect = false, delim = $delim, "
    "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, parallel = true, "
    "store_rejects = true, rejects_table = '" + REJECTS + "', "
    "rejects_scan = '" + REJECT_SCANS + "')"
)
_READ_SQL = "CREATE TEMP TABLE " + RAW + " AS SELECT * FROM " + _READ_CSV
DETECTABLE = tuple(TARGETS_BY_NAME[n] for n in USER_TARGETS)
"""Tables a header alone can select (the canonical tables and opportunities)."""


def position(index: int) -> str:
    """Quoted name of the raw table's column for header position ``index`` (0-based)."""
    name = f"c{index + 1}"
    return identifier(name, allowed=[name])


def normalise(name: str) -> str:
    """Header name as compared with canonical names: trimmed, lower case, spaces as ``_``."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def detect_table(header: list[str]) -> str | None:
    """The canonical table whose columns a header uses, or None when none or several fit.

    A header fits a table when every name (ignoring case and surrounding spaces; inner spaces
    count as underscores) is one of its columns, no name repeats, and all its required
    columns are present; order does not matter.
    """
    names = [normalise(n) for n in header]
    if len(set(names)) != len(names):
        return None
    fits = [
        t.name
        for t in DETECTABLE
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
        tables = ", ".join(t.name for t in DETECTABLE)
        what = (
            f"cannot tell which table this file holds from its header ({listed}); use the "
            f"column names of one canonical table ({tables}), choose the table or a preset, "
            "or map the columns"
        )
        return None, [problem(file, 1, None, ",".join(header.names), "unknown_table", what)]
    table = TARGETS_BY_NAME[table_name]
    problems = []
    seen: set[str] = set()
    for number, (raw, name) in enumerate(zip(header.names, names, strict=True), start=1):
        if not name:
            what = f"column {number} of the header has no name; name it or remove that column"
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
    overlap = {t.name: len(set(names) & set(t.column_names)) for t in DETECTABLE}
    best = max(overlap.values())
    winners = [name for name, n in overlap.items() if n == best]
    if len(winners) > 1:  # a canonical table wins a tie with an app table
        winners = [w for w in winners if w in TABLES_BY_NAME]
    return winners[0] if best > 0 and len(winners) == 1 else None


@dataclass
class RawRead:
    """One file in ``_import_raw``: how many rows, how to number them, what went wrong."""

    rows: int
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    accepted: list[int] | None = None
    """Physical line of every raw row, when it comes from a Python pass or the sheet."""
    base: int = 2
    """Physical line of the first data row (when ``accepted`` is None)."""
    count_newlines: bool = True
    embedded: int = 0
    """Line feeds inside quoted values (0: each row is one line)."""


def read_raw(
    con: duckdb.DuckDBPyConnection,
    source: PreparedSource,
    labels: Sequence[str],
    footer: Sequence[str] = (),
) -> RawRead:
    """Read ``source`` into ``_import_raw`` (dropping the previous file's work tables).

    ``labels`` names each header position in problems; ``footer`` lists patterns of a vendor's
    trailing lines to leave out.
    """
    for name in WORK_TABLES:
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    width = len(source.header.names)
    if source.kind == "parquet":
        names = ", ".join(position(i) for i in range(width))
        con.execute(
            "CREATE TEMP TABLE " + RAW + " AS SELECT * FROM (SELECT COLUMNS(*)::VARCHAR FROM "
            "read_parquet($path)) AS t(" + names + ")",
            {"path": str(source.read_path)},
        )
        rows = one_row(con.execute("SELECT count(*) FROM " + RAW))[0]
        return RawRead(rows, [], base=2, count_newlines=False)
    dialect = source.dialect
    con.execute(_READ_SQL, _read_params(source))
    rejects = _rejects(con)
    rows = one_row(con.execute("SELECT count(*) FROM " + RAW))[0]
    notes: list[str] = []
    if rejects and footer:
        rejects, dropped = _drop_footer(rejects, footer, rows)
        if dropped:
            notes.append(f"Left out the export's footer ({dropped}).")
    if rows == 0 and not rejects:
        what = "the file has a header but no data rows"
        return RawRead(0, [problem(source.name, None, None, None, "no_data_rows", what)], notes)
    if source.record_lines is not None:
        return RawRead(rows, [], notes, accepted=source.record_lines)
    base = dialect.header_line + source.header.lines
    embedded = 0 if rejects else _embedded_newlines(con, width)
    mapping = None
    if rejects or _skipped_lines(source, rows, embedded):
        mapping = _record_lines(source)
    accepted = None
    if mapping is not None:
        rejected = {line for line, *_ in rejects}
        footer_lines = _footer_duck_lines(mapping, rows, rejected) if notes else set()
        accepted = [p for duck, p in mapping if duck not in rejected and duck not in footer_lines]
        if len(accepted) != rows:
            accepted = None  # Python and DuckDB disagree on this broken file; approximate.
    lines = dict(mapping or [])
    found = _reject_problems(source.name, width, dialect.delimiter, rejects, lines, labels)
    return RawRead(rows, found, notes, accepted=accepted, base=base, embedded=embedded)


def _read_params(source: PreparedSource) -> dict[str, object]:
    width = len(source.header.names)
    return {
        "path": str(source.read_path),
        "columns": {f"c{i + 1}": "VARCHAR" for i in range(width)},
        "skip": source.dialect.header_line - 1,
        "delim": source.dialect.delimiter,
    }


def _rejects(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT line, column_name, error_type, csv_line, error_message FROM "
        + REJECTS
        + " ORDER BY line, column_idx"
    ).fetchall()


def stage_direct(
    con: duckdb.DuckDBPyConnection,
    source: PreparedSource,
    target: str,
    file_index: int,
    columns: Sequence[tuple[str, str, FieldSQL]],
) -> RawRead | None:
    """Read a CSV file straight into a staging layout, without the raw table (large files).

    Only for a file whose rows map one to one onto physical lines: when DuckDB rejected rows,
    or the file has more line feeds than header and rows (a quoted value holds a line break, or
    blank lines were skipped), the staged rows are removed again and None returned (the caller
    reads through the raw table instead).
    """
    for name in WORK_TABLES:
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    params: dict[str, object] = {"file": file_index, **PATTERN_PARAMS, **_read_params(source)}
    values, targets = _staged_columns(columns, params)
    sql_text = (
        "INSERT INTO " + target + " (" + ", ".join(targets) + ") SELECT $file, NULL, "
        + ", ".join(values) + " FROM " + _READ_CSV
    )  # fmt: skip
    rows = one_row(con.execute(sql_text, bind(sql_text, params)))[0]
    mine = " WHERE _file = " + str(int(file_index))
    if rows == 0 and not _rejects(con):
        what = "the file has a header but no data rows"
        return RawRead(0, [problem(source.name, None, None, None, "no_data_rows", what)])
    # A line feed inside a quoted value, like a blank line DuckDB skipped, leaves the file with
    # more line feeds than its records account for: the byte scan's count settles both
    # without reading the values again.
    if _rejects(con) or _skipped_lines(source, rows, 0):
        con.execute("DELETE FROM " + target + mine)
        return None
    base = source.dialect.header_line + source.header.lines
    first = one_row(con.execute("SELECT min(rowid) FROM " + target + mine))[0]
    defer_lines(con, target, file_index, base, first)
    return RawRead(rows, [], base=base)


def _embedded_newlines(con: duckdb.DuckDBPyConnection, width: int) -> int:
    """Line feeds inside quoted values of the raw table (a cheap test first)."""
    raws = [position(i) for i in range(width)]
    any_sql = " OR ".join("contains(" + r + ", chr(10))" for r in raws)
    if not one_row(con.execute("SELECT count(*) FROM " + RAW + " WHERE " + any_sql))[0]:
        return 0
    total = " + ".join(
        "coalesce(length(" + r + ") - length(replace(" + r + ", chr(10), '')), 0)" for r in raws
    )
    return int(one_row(con.execute("SELECT coalesce(sum(" + total + "), 0) FROM " + RAW))[0])


def _skipped_lines(source: PreparedSource, rows: int, embedded: int) -> bool:
    """True when the file has more line feeds than its records account for: DuckDB skipped
    blank lines (which shift later line numbers unless counted by the Python pass)."""
    expected = source.dialect.header_line - 1 + source.header.lines + rows + embedded
    if not source.scan.ends_with_newline:
        expected -= 1
    return source.scan.newlines > expected


def _drop_footer(
    rejects: list[tuple], footer: Sequence[str], rows: int
) -> tuple[list[tuple], str]:
    """Remove rejected lines at the end that are a known report footer."""
    patterns = [re.compile(p) for p in footer]
    kept = list(rejects)
    dropped: list[str] = []
    while kept:
        line, text = kept[-1][0], (kept[-1][3] or "").strip()
        if text in ("", '""') or any(p.fullmatch(text) for p in patterns):
            if not dropped or dropped[-1] != text:
                dropped.append(text)
            while kept and kept[-1][0] == line:  # DuckDB may reject a line more than once
                kept.pop()
        else:
            break
    if not any(t not in ("", '""') for t in dropped):
        return rejects, ""
    shown = "; ".join(t.strip('"') for t in reversed(dropped) if t not in ("", '""'))
    return kept, shown


def _footer_duck_lines(mapping: list[tuple[int, int]], rows: int, rejected: set[int]) -> set[int]:
    """Duck lines of records after the last accepted one (the dropped footer)."""
    accepted_ducks = [d for d, _ in mapping if d not in rejected]
    if len(accepted_ducks) <= rows:
        return set()
    last = accepted_ducks[rows - 1]
    return {d for d, _ in mapping if d > last}


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    target: str,
    read: RawRead,
    file_index: int,
    columns: Sequence[tuple[str, str, FieldSQL]],
) -> None:
    """Append the raw rows to a staging layout: ``_file``, ``_line`` and per column its raw,
    trimmed and typed value.

    ``target`` is a quoted table name with that layout; ``columns`` lists (name, raw SQL over
    ``_import_raw``, field SQL).
    """
    first = one_row(con.execute("SELECT coalesce(min(rowid), 0) FROM " + RAW))[0]
    params: dict[str, object] = {"file": file_index, "first": first, **PATTERN_PARAMS}
    source = RAW
    if read.accepted is not None:
        con.execute("DROP TABLE IF EXISTS " + LINES)
        con.execute(
            "CREATE TEMP TABLE " + LINES + " AS SELECT unnest($lines) AS _physical",
            {"lines": read.accepted},
        )
        line = "_physical"
        source = RAW + " POSITIONAL JOIN " + LINES  # both tables are in file order
    else:
        params["base"] = read.base
        line = "$base + rowid - $first"
        if read.count_newlines and read.embedded:
            line = _newline_line(con)
    values, targets = _staged_columns(columns, params)
    body = "SELECT $file, " + line + ", " + ", ".join(values) + " FROM " + source
    sql_text = "INSERT INTO " + target + " (" + ", ".join(targets) + ") " + body
    con.execute(sql_text, bind(sql_text, params))


def _staged_columns(
    columns: Sequence[tuple[str, str, FieldSQL]], params: dict[str, object]
) -> tuple[list[str], list[str]]:
    """SELECT expressions and target columns of a staging insert (after _file and _line)."""
    staged = []
    for name, raw, sql in columns:
        staged.append((name, *staged_sql(raw, sql.typed, TEXT_MARK, sql.canonical)))
        params.update(sql.params)
    targets, values = staged_values(staged)
    return values, ["_file", "_line", *targets]


def _newline_line(con: duckdb.DuckDBPyConnection) -> str:
    """Line SQL counting the newlines inside earlier rows' values (none: a plain offset)."""
    names = [r[0] for r in con.execute(
        "SELECT column_name FROM (DESCRIBE " + RAW + ")"
    ).fetchall()]  # fmt: skip
    raws = [identifier(n, allowed=[n]) for n in names]
    newlines = " + ".join(
        "coalesce(length(" + r + ") - length(replace(" + r + ", chr(10), '')), 0)" for r in raws
    )
    return (
        "$base + rowid - $first + coalesce(sum(" + newlines + ") OVER (ORDER BY rowid "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    )


def _record_lines(source: PreparedSource) -> list[tuple[int, int]] | None:
    """(DuckDB line, physical first line) of every data record, from a Python csv pass.

    DuckDB counts a record's line as its physical line minus the newlines inside quoted
    values of earlier records; blank lines are counted but yield no record.
    """
    out: list[tuple[int, int]] = []
    skip = source.dialect.header_line - 1
    try:
        with source.read_path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            for _ in range(skip):
                handle.readline()
            reader = csv.reader(handle, delimiter=source.dialect.delimiter)
            next(reader, None)
            previous_end = reader.line_num
            embedded = 0
            for record in reader:
                start, end = previous_end + 1, reader.line_num
                previous_end = end
                if record:
                    out.append((start + skip - embedded, start + skip))
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
    file: str,
    width: int,
    delimiter: str,
    rejects: Sequence[tuple],
    lines: dict[int, int],
    labels: Sequence[str],
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    separator = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}[delimiter]
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
            example = delimiter.join(["a", "", "c"])
            what = (
                f"the row has {count} values but the header has {width} columns; give every "
                f"column a value, leaving missing ones empty ({example})"
            )
        elif rule == "too_many_values":
            what = (
                f"the row has {count} values but the header has {width} columns; put values "
                f"that contain {separator} in double quotes"
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
        col = _column_name(column, labels) if rule == "unterminated_quote" else None
        problems.append(problem(file, line, col, raw[:500], rule, what))
    return problems


def _column_name(column: str | None, labels: Sequence[str]) -> str | None:
    """The header label of a positional raw column name (``c3`` -> third label)."""
    found = re.fullmatch(r"c([0-9]+)", column or "")
    if found is None or int(found.group(1)) > len(labels):
        return column
    return labels[int(found.group(1)) - 1]
