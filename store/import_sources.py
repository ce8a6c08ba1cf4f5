"""Turning an uploaded file into something DuckDB reads strictly: UTF-8 CSV or Parquet.

:func:`prepare_source` hashes and scans the bytes once, sniffs the format and dialect
(``store.dialect``), and when needed writes a temporary UTF-8 copy: Windows-1252, Latin-1 and
UTF-16 text is transcoded line for line (so physical line numbers stay true), and an Excel
sheet is written as CSV with the sheet row number of every record kept aside. Parquet is read
by DuckDB directly. Problems that stop a file (empty, binary, NUL bytes, undecodable bytes, a
preamble above the header) come back as :class:`~store.import_problems.Problem`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import shutil
import tempfile
import time as time_module
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Protocol

import numpy as np

from store.dialect import NOT_UTF8, Dialect, FileKind, ResolvedDialect, sniff_file
from store.import_problems import Problem, problem, quote

csv.field_size_limit(2**31 - 1)

_CHUNK = 4 << 20
MAX_NUL_LINES = 10
_PYTHON_CODECS = {"utf-8": "utf-8", "windows-1252": "cp1252", "latin-1": "latin-1",
                  "utf-16": "utf-16"}  # fmt: skip


class Hasher(Protocol):
    """What the byte scan feeds: ``hashlib``'s hashes, or a tee into two of them."""

    def update(self, data: bytes, /) -> None:
        """Add ``data`` to the hash."""


@dataclass(frozen=True)
class FileBytes:
    """What one pass over a file's bytes learned."""

    size: int
    has_text: bool
    """Anything besides whitespace."""
    utf16: bool
    nul_lines: list[int]
    """Physical lines holding a NUL byte (the first few)."""
    newlines: int = 0
    """Line feeds in the file (to tell whether DuckDB skipped blank lines)."""
    ends_with_newline: bool = True


@dataclass(frozen=True)
class Header:
    """The header record as written, and how many physical lines it spans."""

    names: list[str]
    lines: int


@dataclass
class PreparedSource:
    """A file ready for DuckDB: what to read, how, and where each record came from."""

    name: str
    kind: FileKind
    read_path: Path
    """The file DuckDB reads: the original, or a temporary UTF-8 CSV copy."""
    dialect: ResolvedDialect
    header: Header
    scan: FileBytes
    record_lines: list[int] | None = None
    """Physical line (or sheet row) of every data record when it cannot be computed in SQL."""
    notes: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)


def scan_bytes(path: Path, hasher: Hasher) -> FileBytes:
    """Hash the file into ``hasher``, count its line feeds and find NUL bytes, in one pass.

    Hashing runs in a second thread (hashlib releases the GIL) while this one counts, so a
    large file costs about one of the two rather than both.
    """
    size = 0
    has_text = False
    utf16 = False
    nul_lines: list[int] = []
    newlines = 0
    last = b""
    with path.open("rb") as handle, ThreadPoolExecutor(max_workers=1) as hashing:
        hashed: Future[None] | None = None
        while chunk := handle.read(_CHUNK):
            if hashed is not None:
                hashed.result()  # one chunk in flight: memory stays bounded, order kept
            hashed = hashing.submit(hasher.update, chunk)
            if size == 0:
                head = chunk[:4096]
                utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
                    len(head) > 8 and head.count(0) > len(head) // 4
                )
            size += len(chunk)
            has_text = has_text or bool(chunk.strip())
            if len(nul_lines) < MAX_NUL_LINES and b"\x00" in chunk:
                position = chunk.find(b"\x00")
                while position >= 0 and len(nul_lines) < MAX_NUL_LINES:
                    line = newlines + chunk.count(b"\n", 0, position) + 1
                    if not nul_lines or nul_lines[-1] != line:
                        nul_lines.append(line)
                    position = chunk.find(b"\x00", position + 1)
            newlines += _line_feeds(chunk)
            last = chunk[-1:]
        if hashed is not None:
            hashed.result()
    return FileBytes(size, has_text, utf16, nul_lines, newlines, last == b"\n")


def _line_feeds(chunk: bytes) -> int:
    """Line feeds in ``chunk`` (a vectorised compare: several times faster than bytes.count)."""
    return int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))


def read_header(path: Path, delimiter: str = ",", header_line: int = 1) -> Header | None:
    """The header record of a UTF-8 CSV file (None when that line is blank)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for _ in range(header_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter)
        first = next(reader, None)
        if not first:
            return None
        return Header(first, reader.line_num)


def prepare_source(
    path: Path,
    name: str,
    declared: Dialect | None,
    hasher: Hasher,
    workdir: Path,
) -> tuple[PreparedSource | None, list[Problem]]:
    """Scan, sniff and if needed convert one file; returns the source or the problems."""
    try:
        scan = scan_bytes(path, hasher)
    except FileNotFoundError:
        what = "the file does not exist; check the name"
        return None, [_file_problem(name, "file_not_found", what)]
    except (IsADirectoryError, PermissionError, OSError) as exc:
        what = f"the file cannot be read ({exc.strerror or exc})"
        return None, [_file_problem(name, "not_a_file", what)]
    if not scan.has_text:
        return None, [_file_problem(name, "empty_file", "the file is empty")]
    declared = declared or Dialect()
    sniff = sniff_file(path, name, declared)
    if sniff.issues:
        return None, [problem(name, i.line, None, i.value, i.rule, i.message) for i in sniff.issues]
    if sniff.kind == "csv" and scan.utf16 and declared.encoding != "utf-16":
        return None, [_file_problem(name, "not_utf8", NOT_UTF8)]
    if sniff.kind == "csv" and scan.nul_lines:
        return None, [_nul_problem(name, line) for line in scan.nul_lines]
    dialect = sniff.dialect
    if sniff.kind == "parquet":
        return PreparedSource(name, "parquet", path, dialect, Header(sniff.header, 1), scan,
                              sample=sniff.sample), []  # fmt: skip
    if sniff.kind == "xlsx":
        return _prepare_xlsx(path, name, dialect, scan, workdir, declared.header_line)
    read_path = path
    if dialect.encoding != "utf-8":
        read_path = workdir / (f"{len(list(workdir.iterdir()))}.csv")
        bad_line = transcode(path, read_path, dialect.encoding)
        if bad_line is not None:
            what = (
                f"the line cannot be read as {dialect.encoding} text; check the file's encoding "
                "or save it as 'CSV UTF-8'"
            )
            return None, [problem(name, bad_line, None, None, "bad_encoding", what)]
    header = read_header(read_path, dialect.delimiter, dialect.header_line)
    if header is None:
        what = "the first line is empty; it must be the header with the column names"
        line = dialect.header_line
        if line > 1:
            what = f"line {line} is empty; it must be the header with the column names"
        return None, [problem(name, line, None, "", "no_header", what)]
    if sniff.suggested_header_line is not None:
        return None, [_preamble_problem(name, header, sniff.suggested_header_line)]
    return PreparedSource(name, "csv", read_path, dialect, header, scan, notes=sniff.notes,
                          sample=sniff.sample), []  # fmt: skip


def _file_problem(file: str, rule: str, what: str) -> Problem:
    return problem(file, None, None, None, rule, what)


def _nul_problem(name: str, line: int) -> Problem:
    what = (
        "the line contains a NUL byte (character code 0), which CSV text never holds; the file "
        "is damaged or was not exported as text"
    )
    return problem(name, line, None, None, "nul_byte", what)


def _preamble_problem(name: str, header: Header, found: int) -> Problem:
    first = ",".join(header.names)
    above = "line 1 is" if found == 2 else f"lines 1-{found - 1} are"
    them = "it" if found == 2 else "them"
    what = (
        f"{quote(first)} is not a header row: the column names seem to be on line {found}, and "
        f"{above} a title or notes above them. Delete {them}, or set the header line to "
        f"{found} (cli.py import --header-line {found})"
    )
    return problem(name, 1, None, first, "preamble", what)


def transcode(source: Path, target: Path, encoding: str) -> int | None:
    """Write ``source`` as UTF-8 to ``target``; returns the first undecodable line, or None.

    Line breaks are copied as they are, so line numbers in the copy are those of the original.
    """
    decoder = codecs.getincrementaldecoder(_PYTHON_CODECS[encoding])(errors="strict")
    newlines = 0
    with source.open("rb") as src, target.open("wb") as out:
        while chunk := src.read(_CHUNK):
            try:
                out.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as exc:
                return newlines + chunk.count(b"\n", 0, exc.start) + 1
            newlines += chunk.count(b"\n")
        try:
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            return newlines + 1
    return None


# -- Excel and Parquet -------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold (ISO dates, plain numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


def _sheet_rows(path: Path):
    """(sheet row number, cell texts) of the first sheet's rows, empty rows left out."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if any(c.strip() for c in cells):
                yield number, cells
    finally:
        book.close()


def xlsx_header_and_sample(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of the first sheet (for sniffing)."""
    rows: list[list[str]] = []
    for _, cells in _sheet_rows(path):
        rows.append(cells)
        if len(rows) > 20:
            break
    if not rows:
        return [], []
    width = _width(rows[0])
    return rows[0][:width], [r[:width] for r in rows[1:]]


def _width(header: list[str]) -> int:
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def _prepare_xlsx(
    path: Path,
    name: str,
    dialect: ResolvedDialect,
    scan: FileBytes,
    workdir: Path,
    header_row: int | None,
) -> tuple[PreparedSource | None, list[Problem]]:
    """Write the first sheet as UTF-8 CSV; records keep their sheet row numbers."""
    target = workdir / f"{len(list(workdir.iterdir()))}.csv"
    header: list[str] | None = None
    lines: list[int] = []
    problems: list[Problem] = []
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for number, cells in _sheet_rows(path):
            if header is None:
                if header_row is not None and number < header_row:
                    continue
                width = _width(cells)
                header = cells[:width]
                writer.writerow(header)
                continue
            extra = [c for c in cells[width:] if c.strip()]
            if extra and len(problems) < 100:
                what = (
                    f"the row has values beyond the {width} named columns of the header; name "
                    "those columns or delete the values"
                )
                problems.append(problem(name, number, None, quote(extra[0]), "too_many_values",
                                        what))  # fmt: skip
            writer.writerow((cells + [""] * width)[:width])
            lines.append(number)
    if header is None:
        return None, [_file_problem(name, "empty_file", "the first sheet of the workbook is empty")]
    if problems:
        return None, problems
    note = "Read from the first sheet of the workbook; line numbers are sheet row numbers."
    source = PreparedSource(name, "xlsx", target, dialect, Header(header, 1), scan,
                            record_lines=lines, notes=[note])  # fmt: skip
    return source, []


def parquet_header_and_sample(path: Path) -> tuple[list[str], list[list[str]]]:
    """Column names and first rows of a Parquet file, as text."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    names = list(handle.schema_arrow.names)
    sample: list[list[str]] = []
    for batch in handle.iter_batches(batch_size=20):
        for row in batch.to_pylist():
            sample.append([_cell_text(row[n]) for n in names])
        break
    return names, sample


WORKDIR_PREFIX = "csd-import-"
STALE_WORKDIR_HOURS = 24.0


def new_workdir() -> tempfile.TemporaryDirectory[str]:
    """A private temporary folder for converted copies (removed when the import ends).

    Folders of imports whose process was killed (nothing removed them) are deleted first once
    a day old: no import runs that long.
    """
    remove_stale_workdirs()
    return tempfile.TemporaryDirectory(prefix=WORKDIR_PREFIX)


def remove_stale_workdirs(root: Path | None = None, *, hours: float = STALE_WORKDIR_HOURS) -> int:
    """Delete import work folders older than ``hours`` under ``root`` (default: the temporary
    directory); returns how many."""
    cutoff = time_module.time() - hours * 3600
    removed = 0
    for folder in Path(root or tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
    return removed
