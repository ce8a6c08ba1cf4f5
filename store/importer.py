"""Importing canonical CSV files: validate everything, then load all files in one transaction.

The CLI and the dashboard call :func:`import_files` (or :func:`check_files` to validate only).
Steps, all inside one transaction so existing data is untouched unless everything succeeds:

1. Each file's header picks its canonical table (or ``table=`` applies to every file); the
   rows are read by DuckDB into temporary staging tables (``store.import_read``).
2. The rules of ``store.contracts`` are checked in SQL over all staged rows, plus duplicate
   keys, unknown accounts and missing exchange rates across files and the database
   (``store.import_checks``). Any problem: ROLLBACK and :class:`ImportValidationError` listing
   all of them (up to ``MAX_PROBLEMS``).
3. Keyed tables are upserted, the others appended without repeating identical rows
   (``store.import_write``); ``on_loaded(con)`` rebuilds derived tables; the data version is
   bumped, ``meta.source`` set to ``imported``; COMMIT.

Every attempt leaves an ``import_log`` row: a successful one inside the loading transaction, a
failed one after the rollback in its own small transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import duckdb

from store.db import bump_data_version, get_meta, set_meta
from store.import_checks import (
    Hit,
    check_accounts,
    check_duplicates,
    check_fx_rates,
    check_values,
)
from store.import_problems import (
    MAX_PROBLEMS,
    ImportValidationError,
    Problem,
    capped,
    problem,
    summarise,
)
from store.import_read import (
    WORK_TABLES,
    detect_table,
    match_header,
    read_header,
    scan_bytes,
    stage_file,
)
from store.import_stage import stage_name
from store.import_write import log_attempt, write_table
from store.schema import CANONICAL_TABLES, TABLES_BY_NAME
from store.settings import MetricSettings, load_settings
from store.sql import identifier

__all__ = [
    "ImportResult",
    "ImportValidationError",
    "Problem",
    "check_files",
    "detect_table",
    "import_files",
]

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportResult:
    """A successful import."""

    import_id: str
    row_counts: dict[str, int]
    """Rows written per table (appended tables count only rows that were new)."""
    data_version: int


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str | Path],
    *,
    table: str | None = None,
    who: str = "cli",
    on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate and load canonical CSV files in one transaction.

    Args:
        con: Read-write connection (or cursor) of the dashboard database.
        files: CSV files; each file's header chooses its table unless ``table`` is given.
        table: Canonical table name applied to every file.
        who: Recorded in ``import_log``.
        on_loaded: Called inside the transaction after writing (rebuilds derived tables).
        progress: Called with (fraction done, what is happening) per file and stage.

    Raises:
        ImportValidationError: the files break the contract; nothing was changed.
        ValueError: no files, or ``table`` is not a canonical table.
    """
    paths = _paths(files, table)
    report = progress or _silent
    import_id = uuid4().hex
    started = _now()
    hasher = hashlib.sha256()
    counts: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        problems, staged = _stage_and_check(con, paths, table, hasher, report)
        if problems:
            raise ImportValidationError(problems)
        ordered = [t for t in CANONICAL_TABLES if t.name in staged]
        for number, target in enumerate(ordered):
            report(0.7 + 0.15 * number / len(ordered), f"Writing {target.name}")
            counts[target.name] = write_table(con, target)
        if on_loaded is not None:
            report(0.85, "Rebuilding derived tables")
            on_loaded(con)
        version = bump_data_version(con)
        set_meta(con, "source", "imported")
        if get_meta(con, "data_as_of") is None:
            set_meta(con, "data_as_of", date.today().isoformat())
        _drop_staging(con)
        log_attempt(
            con,
            import_id=import_id,
            started_at=started,
            finished_at=_now(),
            who=who,
            files=[p.name for p in paths],
            content_hash=hasher.hexdigest(),
            row_counts=counts,
            result="ok",
            message=_ok_message(counts),
        )
        report(0.95, "Saving")
        con.execute("COMMIT")
    except BaseException as exc:
        _rollback(con)
        message = (
            summarise(exc.problems)
            if isinstance(exc, ImportValidationError)
            else (f"{type(exc).__name__}: {exc}")
        )
        try:
            con.execute("BEGIN TRANSACTION")
            log_attempt(
                con,
                import_id=import_id,
                started_at=started,
                finished_at=_now(),
                who=who,
                files=[p.name for p in paths],
                content_hash=hasher.hexdigest(),
                row_counts={},
                result="failed",
                message=message,
            )
            con.execute("COMMIT")
        except duckdb.Error as log_error:
            _rollback(con)
            exc.add_note(f"The failed attempt could not be logged: {log_error}")
        raise
    report(1.0, "Done")
    return ImportResult(import_id=import_id, row_counts=counts, data_version=version)


def check_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[str | Path], *, table: str | None = None
) -> list[Problem]:
    """Validate files exactly as :func:`import_files` would, without loading or logging."""
    paths = _paths(files, table)
    con.execute("BEGIN TRANSACTION")
    try:
        problems, _ = _stage_and_check(con, paths, table, hashlib.sha256(), _silent)
    finally:
        _rollback(con)
    return problems


def _stage_and_check(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    table_name: str | None,
    hasher: hashlib._Hash,
    report: Progress,
) -> tuple[list[Problem], set[str]]:
    """Stage every file, then run all checks; returns (problems, staged table names)."""
    names = [p.name for p in paths]
    hits: list[Hit] = []
    total = 0
    staged: set[str] = set()
    for index, path in enumerate(paths):
        report(0.5 * index / len(paths), f"Reading {path.name}")
        found = _stage_one(con, path, index, table_name, hasher, staged)
        total += len(found)
        hits.extend(Hit(index, p.line or 0, -1, p) for p in found)
        if any(p.rule == "unreadable" for p in found):
            # A DuckDB error aborts the transaction: report what is known and stop.
            return capped(h.problem for h in hits), staged
    settings = load_settings(con, MetricSettings)
    for number, name in enumerate(sorted(staged, key=list(TABLES_BY_NAME).index)):
        report(0.5 + 0.2 * number / len(staged), f"Checking {name}")
        target = TABLES_BY_NAME[name]
        for found, count in (
            check_values(con, target, names, MAX_PROBLEMS),
            check_duplicates(con, target, names, MAX_PROBLEMS),
            check_accounts(con, target, names, MAX_PROBLEMS, staged),
            check_fx_rates(con, target, names, MAX_PROBLEMS, staged, settings.reporting_currency),
        ):
            hits.extend(found)
            total += count
    hits.sort(key=lambda h: (h.file_index, h.line, h.order))  # stable: keeps check order
    return capped((h.problem for h in hits), total), staged


def _stage_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    index: int,
    table_name: str | None,
    hasher: hashlib._Hash,
    staged: set[str],
) -> list[Problem]:
    """Read one file into staging; returns its file-level, header and structural problems."""
    name = path.name
    try:
        scan = scan_bytes(path, hasher)
    except FileNotFoundError:
        return [_file_problem(name, "file_not_found", "the file does not exist; check the name")]
    except OSError as exc:
        return [_file_problem(name, "not_a_file", f"the file cannot be read ({exc.strerror})")]
    if not scan.has_text:
        return [_file_problem(name, "empty_file", "the file is empty")]
    if scan.utf16:
        return [_file_problem(name, "not_utf8", _NOT_UTF8)]
    header = read_header(path)
    if header is None:
        what = "the first line is empty; it must be the header with the column names"
        return [problem(name, 1, None, "", "no_header", what)]
    target, found = match_header(name, header, table_name)
    if found or target is None:
        return found
    try:
        found = stage_file(con, path, index, target, header, scan)
    except duckdb.Error as exc:
        what = f"the file cannot be read as CSV ({str(exc).splitlines()[0]})"
        return [_file_problem(name, "unreadable", what)]
    if not any(p.rule == "no_data_rows" for p in found):
        staged.add(target.name)
    return found


_NOT_UTF8 = (
    "the file is not UTF-8 text (it looks like UTF-16 or a spreadsheet such as .xlsx); save it "
    "as 'CSV UTF-8' and try again"
)


def _file_problem(file: str, rule: str, what: str) -> Problem:
    return problem(file, None, None, None, rule, what)


def _paths(files: Sequence[str | Path], table: str | None) -> list[Path]:
    if isinstance(files, str | Path):
        files = [files]
    if not files:
        raise ValueError("No files to import.")
    if table is not None and table not in TABLES_BY_NAME:
        raise ValueError(
            f"{table!r} is not a canonical table; choose one of: " + ", ".join(TABLES_BY_NAME)
        )
    return [Path(f) for f in files]


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for name in WORK_TABLES:
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    for target in CANONICAL_TABLES:
        con.execute("DROP TABLE IF EXISTS " + stage_name(target))


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # no transaction open (it already ended)
        con.execute("ROLLBACK")


def _ok_message(counts: dict[str, int]) -> str:
    return "Imported " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + "."


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _silent(_fraction: float, _text: str) -> None:
    return None
