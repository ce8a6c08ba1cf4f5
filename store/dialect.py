"""What a file is and how its text is written: format, encoding, delimiter, header line, decimal.

A dialect is either declared (by the user, a saved profile or a preset) or detected here from
the file's bytes, and then enforced strictly by the reader: a row with another number of values
is a problem, never skipped or merged, and a file is never split into one column.

Detection rules (``sniff_file``):

- Format by content, not by name: Excel workbooks (.xlsx), Parquet, images, PDFs, archives and
  UTF-16 text are recognised by their first bytes. A workbook or Parquet file named ``.csv`` is a
  problem that names what the file really is.
- Encoding: UTF-8 (with or without byte-order mark). Windows-1252 is detected only with
  unambiguous evidence: bytes 0x80-0x9F that Windows-1252 uses for € and typographic quotes and
  that never occur alone in UTF-8 text. Other invalid bytes are reported at their line (the file
  may be Latin-1 or damaged; declaring the encoding settles it).
- Delimiter: comma, semicolon, tab or pipe, whichever splits the header and the first rows into
  the same number (two or more) of values; ties go to the comma.
- Header line: the first line splitting like the rows below it. Lines above it (a report title,
  a blank line) are a problem until the header line is declared, so nothing is skipped unseen.
- Decimal comma: with a semicolon or tab delimiter, values like ``1.234,50`` or ``12,5`` (more
  of them than values like ``12.50``) mean the decimal separator is a comma.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Encoding = Literal["utf-8", "windows-1252", "latin-1", "utf-16"]
Delimiter = Literal[",", ";", "\t", "|"]
FileKind = Literal["csv", "xlsx", "parquet"]

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SAMPLE_BYTES = 256 * 1024
SAMPLE_RECORDS = 200

# Bytes Windows-1252 maps to printable characters (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š
# › œ ž Ÿ); in Latin-1 they are control characters, and UTF-8 never has them on their own.
_CP1252_EVIDENCE = frozenset(range(0x80, 0xA0)) - {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{3})*,[0-9]+|[+-]?[0-9]+,[0-9]+")
_DECIMAL_POINT = re.compile(r"[+-]?[0-9]+\.[0-9]+")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls) or another Office file"),
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a ZIP archive"),
)


class Dialect(BaseModel):
    """How a text file is written. Every field may be declared; unset ones are detected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    encoding: Encoding | None = None
    """Character encoding; None = detect (UTF-8, or Windows-1252 on clear evidence)."""
    delimiter: Delimiter | None = None
    """Value separator; None = detect."""
    header_line: int | None = Field(None, ge=1)
    """Physical line of the header (lines above it are skipped); None = line 1."""
    decimal: Literal[".", ","] | None = None
    """Decimal separator of numbers; None = detect (comma only for ; or tab files)."""


@dataclass(frozen=True)
class ResolvedDialect:
    """The dialect a file is read with: declared values, else detected ones."""

    encoding: Encoding = "utf-8"
    delimiter: str = ","
    header_line: int = 1
    decimal: str = "."

    def as_dialect(self) -> Dialect:
        """The same settings as a declarable :class:`Dialect` (for the page and profiles)."""
        return Dialect(
            encoding=self.encoding,
            delimiter=self.delimiter,  # type: ignore[arg-type]
            header_line=self.header_line,
            decimal=self.decimal,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class FileIssue:
    """Something about the whole file, found while sniffing."""

    rule: str
    message: str
    line: int | None = None
    value: str | None = None


@dataclass(frozen=True)
class Sniff:
    """What sniffing learned: the format, the dialect to read with, the header and some rows."""

    kind: FileKind | None
    """None when the file cannot be imported (see ``issues``)."""
    dialect: ResolvedDialect
    header: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)
    """The first data rows as text (up to 20), for previews and mapping suggestions."""
    issues: list[FileIssue] = field(default_factory=list)
    """Problems that stop the file from being read."""
    notes: list[str] = field(default_factory=list)
    """What was detected, in plain words (shown to the user, never a problem)."""
    suggested_header_line: int | None = None
    """Where the header seems to be when lines above it look like a preamble."""


def magic_kind(head: bytes) -> str | None:
    """What binary format the first bytes show ('xlsx', 'parquet' or a description), or None."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return "parquet" if magic == b"PAR1" else what
    return None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return "a damaged ZIP archive"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "a Word document (.docx)"
    return "a ZIP archive"


def file_kind(path: Path, display_name: str) -> tuple[FileKind | None, FileIssue | None]:
    """The importable kind of a file by its content, or the issue saying what it really is."""
    with path.open("rb") as handle:
        head = handle.read(8)
    found = magic_kind(head)
    suffix = Path(display_name).suffix.lower()
    if found == "zip":
        found = _zip_kind(path)
    if found == "xlsx":
        if suffix in (".xlsx", ".xlsm"):
            return "xlsx", None
        stem = Path(display_name).stem
        return None, FileIssue(
            "wrong_format",
            f"the file is an Excel workbook (.xlsx), not CSV text; rename it to {stem}.xlsx to "
            "import its first sheet, or save it from Excel as 'CSV UTF-8'",
        )
    if found == "parquet":
        if suffix in (".parquet", ".pq"):
            return "parquet", None
        stem = Path(display_name).stem
        return None, FileIssue(
            "wrong_format",
            f"the file is a Parquet file, not CSV text; rename it to {stem}.parquet to import it",
        )
    if found is not None:
        return None, FileIssue(
            "wrong_format",
            f"the file is {found}, not CSV text; export the data as CSV (UTF-8) and try again",
        )
    if suffix in (".xlsx", ".xlsm", ".parquet", ".pq"):
        return None, FileIssue(
            "wrong_format",
            f"the file is named {suffix} but is not one; it looks like text, so rename it to .csv",
        )
    return "csv", None


def sniff_file(path: Path, display_name: str, declared: Dialect | None = None) -> Sniff:
    """Detect format and dialect of a file (declared settings win) and read its header.

    Never raises for bad content: what stops the file is in ``Sniff.issues``.
    """
    declared = declared or Dialect()
    kind, issue = file_kind(path, display_name)
    if issue is not None:
        return Sniff(None, ResolvedDialect(), issues=[issue])
    if kind == "xlsx":
        from store.import_sources import xlsx_header_and_sample

        header, sample = xlsx_header_and_sample(path)
        return Sniff("xlsx", ResolvedDialect(), header, sample)
    if kind == "parquet":
        from store.import_sources import parquet_header_and_sample

        header, sample = parquet_header_and_sample(path)
        return Sniff("parquet", ResolvedDialect(), header, sample)
    with path.open("rb") as handle:
        raw = handle.read(SAMPLE_BYTES)
    return _sniff_text(raw, declared, complete=len(raw) < SAMPLE_BYTES)


def _sniff_text(raw: bytes, declared: Dialect, *, complete: bool) -> Sniff:
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and declared.encoding != "utf-16":
        return Sniff(None, ResolvedDialect(), issues=[FileIssue("not_utf8", NOT_UTF8)])
    encoding = declared.encoding or detect_encoding(raw, complete=complete)
    if declared.encoding is None and encoding == "windows-1252":
        notes.append(
            "The file is not UTF-8; its € signs and typographic quotes show it was saved as "
            "Windows-1252 ('CSV' from Excel on Windows), so it is read that way."
        )
    text = _decode_sample(raw, encoding, complete=complete)
    lines = text.splitlines(keepends=True)
    if not complete and lines:
        lines = lines[:-1]  # the last line may be cut
    delimiter = declared.delimiter or detect_delimiter(lines)
    if declared.delimiter is None and delimiter != ",":
        notes.append(f"Values are separated by a {DELIMITER_NAMES[delimiter]} (detected).")
    header_line = declared.header_line or 1
    suggested = None
    if declared.header_line is None:
        found = detect_header_line(lines, delimiter)
        if found is not None and found > 1:
            suggested = found
    records = _records(lines[header_line - 1 :], delimiter, limit=SAMPLE_RECORDS + 1)
    header = records[0] if records else []
    if len(header) == 1 and declared.delimiter is not None:
        other = detect_delimiter(lines[header_line - 1 :])
        if other != delimiter and len(_records(lines[header_line - 1 :], other, limit=1)[0]) > 1:
            what = (
                f"read with the {DELIMITER_NAMES[delimiter]} as separator, the header is one "
                f"column, but the file is {DELIMITER_NAMES[other]}-separated; choose that "
                "separator"
            )
            return Sniff(None, ResolvedDialect(), issues=[FileIssue("one_column", what, 1)])
    sample = [r for r in records[1:21] if r]
    decimal = declared.decimal or detect_decimal(records[1:], delimiter)
    if declared.decimal is None and decimal == ",":
        notes.append("Numbers use a decimal comma, as in 1.234,50 (detected).")
    resolved = ResolvedDialect(encoding, delimiter, header_line, decimal)
    return Sniff("csv", resolved, header, sample, notes=notes, suggested_header_line=suggested)


NOT_UTF8 = (
    "the file is not UTF-8 text (it looks like UTF-16 or a spreadsheet such as .xlsx); save it "
    "as 'CSV UTF-8' and try again"
)


def detect_encoding(raw: bytes, *, complete: bool = True) -> Encoding:
    """UTF-8 unless the bytes are invalid UTF-8 and clearly Windows-1252 (see module doc)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(raw, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return "windows-1252" if looks_like_cp1252(raw) else "utf-8"


def looks_like_cp1252(raw: bytes) -> bool:
    """True when the non-ASCII bytes are Windows-1252 text, not UTF-8 or Latin-1."""
    if _has_utf8_sequence(raw):
        return False
    high = {b for b in raw if b >= 0x80}
    return bool(high & _CP1252_EVIDENCE) and not (high & {0x81, 0x8D, 0x8F, 0x90, 0x9D})


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _has_utf8_sequence(raw: bytes) -> bool:
    return _UTF8_SEQUENCE.search(raw) is not None


def _decode_sample(raw: bytes, encoding: str, *, complete: bool) -> str:
    if raw.startswith(codecs.BOM_UTF8) and encoding == "utf-8":
        raw = raw[len(codecs.BOM_UTF8) :]
    python_name = {"windows-1252": "cp1252"}.get(encoding, encoding)
    decoder = codecs.getincrementaldecoder(python_name)(errors="replace")
    return decoder.decode(raw, final=complete)


def _records(lines: list[str], delimiter: str, *, limit: int) -> list[list[str]]:
    """CSV records from whole lines (a record may span lines); stops at ``limit`` records."""
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, strict=False)
    out: list[list[str]] = []
    try:
        for record in reader:
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter splitting the header and the rows below it alike (see module doc).

    Candidates are ranked by the share of rows with as many values as the header, then by a
    header on line 1 (no preamble), then by the number of columns, then comma first.
    """
    ranked = []
    for rank, delimiter in enumerate(DELIMITERS):
        for start in {1, detect_header_line(lines, delimiter) or 1}:
            records = [r for r in _records(lines[start - 1 :], delimiter, limit=51) if r]
            if not records or len(records[0]) < 2:
                continue
            width = len(records[0])
            rows = records[1:]
            same = sum(1 for r in rows if len(r) == width) / len(rows) if rows else 0.5
            ranked.append((round(same, 3), start == 1, width, -rank, delimiter))
    return max(ranked)[-1] if ranked else ","


def detect_header_line(lines: list[str], delimiter: str) -> int | None:
    """Physical line of the first record that splits like most records below it (>= 2 values).

    Returns None when no line qualifies.
    """
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO("".join(lines[:400])), delimiter=delimiter, strict=False)
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
            if len(records) > 60:
                break
    except csv.Error:
        return None
    widths = [len(r) for _, r in records if r and any(v.strip() for v in r)]
    if not widths:
        return None
    common = max(set(widths), key=lambda w: (widths.count(w), w))
    if common < 2:
        return None
    for line, record in records:
        if len(record) == common and all(v.strip() for v in record):
            return line
        if sum(1 for v in record if v.strip()) > 1:
            return 1  # a data-like line above: not a preamble, the header is line 1
    return None


def detect_decimal(rows: list[list[str]], delimiter: str) -> str:
    """',' when a ; or tab file writes more numbers with a decimal comma than with a point."""
    if delimiter == "," or not rows:
        return "."
    comma = point = 0
    for row in rows:
        for value in row:
            text = value.strip()
            if _DECIMAL_COMMA.fullmatch(text):
                comma += 1
            elif _DECIMAL_POINT.fullmatch(text):
                point += 1
    return "," if comma > point else "."


def describe(dialect: ResolvedDialect) -> str:
    """One line for notes and logs, e.g. 'UTF-8, semicolon-separated, header on line 1'."""
    return (
        f"{dialect.encoding.upper() if dialect.encoding != 'windows-1252' else 'Windows-1252'}, "
        f"{DELIMITER_NAMES[dialect.delimiter]}-separated, header on line {dialect.header_line}, "
        f"decimal {'comma' if dialect.decimal == ',' else 'point'}"
    )
