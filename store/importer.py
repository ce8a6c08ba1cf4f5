"""Importing files: recognise, map, validate everything, then load all files in one transaction.

The CLI and the dashboard call :func:`import_files` (:func:`check_files` validates only,
:func:`store.import_preview.preview_import` shows what an import would change). Steps:

1. Each file is prepared (``store.import_sources``: format, encoding, dialect, header), planned
   (``store.import_plan``: canonical table by header, saved profile, vendor preset or the
   caller's mapping) and staged into temporary tables (``store.import_fill``).
2. The rules of ``store.contracts`` are checked in SQL over all staged rows, plus duplicate
   keys, unknown accounts, missing exchange rates, append conflicts and (when accounts are
   replaced) rows left without their account (``store.import_checks``). Any problem: ROLLBACK
   and :class:`ImportValidationError` listing all of them (up to ``MAX_PROBLEMS``).
3. Every staged table is written in its mode (``store.import_write``); ``on_loaded(con)``
   rebuilds derived tables; the data version is bumped; COMMIT.

Safety: one import at a time per database (``store.import_lock``, which also gates the COMMIT
against readers using ``store.import_lock.reading``); the import's ``import_log``
row is committed as 'started' before the loading transaction begins, completed as 'ok' inside
it, or as 'failed' after the rollback; a killed import leaves it 'started' until the next
import marks it 'interrupted'. Other sessions read the previous data until the COMMIT.
A file whose bytes were imported before is skipped when all its tables are appended to (its
rows are there already), and noted otherwise.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import duckdb

from store.db import bump_data_version, get_meta, set_meta
from store.dialect import Dialect, describe
from store.import_checks import (
    Hit,
    Words,
    check_accounts,
    check_append_conflicts,
    check_duplicates,
    check_fx_rates,
    check_orphans,
    check_values,
)
from store.import_fill import fill
from store.import_lines import PENDING_LINES
from store.import_lock import commit_gate, import_lock, recover_interrupted
from store.import_plan import Choice, ExtraColumns, FilePlan, plan_file, resolve_choice
from store.import_problems import (
    MAX_PROBLEMS,
    ImportValidationError,
    Problem,
    capped,
    problem,
    summarise,
)
from store.import_read import WORK_TABLES, detect_table
from store.import_sources import new_workdir, prepare_source
from store.import_stage import stage_name
from store.import_targets import (
    ACCOUNT_ATTRIBUTES,
    MODES,
    NEW_ACCOUNTS,
    TARGETS_BY_NAME,
    USAGE_EVENTS,
    USER_TARGETS,
    WRITE_ORDER,
    Mode,
    default_mode,
)
from store.import_write import (
    DAYS,
    event_days,
    log_finished,
    log_started,
    previous_imports,
    usage_from_events,
    write_table,
)
from store.mapping import Mapping
from store.settings import MetricSettings, load_settings
from store.sql import identifier
from store.vendor_presets import PRESETS

__all__ = [
    "FileReport",
    "ImportFile",
    "ImportResult",
    "ImportValidationError",
    "Problem",
    "check_files",
    "detect_table",
    "import_files",
]

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportFile:
    """One file and how to read it; unset choices fall back to the call's, then to detection."""

    path: str | Path
    name: str | None = None
    """Name shown in problems (an upload's original name); default: the file's name."""
    mapping: Mapping | None = None
    profile: str | None = None
    preset: str | None = None
    table: str | None = None
    dialect: Dialect | None = None


@dataclass(frozen=True)
class FileReport:
    """What happened to one file."""

    name: str
    target: str
    """Table or preset name."""
    how: str
    """canonical, profile, preset or mapping."""
    rows: int
    """Data rows read."""
    dialect: str
    content_hash: str
    tables: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    """Field -> source column, as matched."""
    attributes: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    skipped: bool = False
    """Imported before with the same bytes and only appended to: left out."""


@dataclass(frozen=True)
class ImportResult:
    """A successful import."""

    import_id: str
    row_counts: dict[str, int]
    """Rows written per table (appended tables count only rows that were new)."""
    data_version: int
    files: tuple[FileReport, ...] = ()


@dataclass(frozen=True)
class Options:
    """Choices that apply to every file of a call (see :func:`import_files`)."""

    choice: Choice = field(default_factory=Choice)
    modes: dict[str, Mode] = field(default_factory=dict)
    dialect: Dialect | None = None
    as_of: date | None = None
    references: bool = True


def make_options(
    *,
    table: str | None = None,
    preset: str | None = None,
    profile: str | None = None,
    mapping: Mapping | None = None,
    mode: Mode | None = None,
    modes: dict[str, Mode] | None = None,
    dialect: Dialect | None = None,
    extra_columns: ExtraColumns | None = None,
    as_of: date | None = None,
    references: bool = True,
) -> Options:
    """Validate the call's choices.

    Raises:
        ValueError: an unknown table, preset or mode, or more than one of table, preset,
            profile and mapping.
    """
    if table is not None and table not in USER_TARGETS:
        raise ValueError(
            f"{table!r} is not a canonical table; choose one of: " + ", ".join(USER_TARGETS)
        )
    if sum(x is not None for x in (table, preset, profile, mapping)) > 1:
        raise ValueError("Choose at most one of a table, a preset, a profile and a mapping.")
    per_table: dict[str, Mode] = {}
    for name, value in (modes or {}).items():
        if name not in TARGETS_BY_NAME:
            raise ValueError(f"{name!r} is not a table an import writes")
        per_table[name] = value
    for chosen in [mode, *per_table.values()]:
        if chosen is not None and chosen not in MODES:
            raise ValueError(f"{chosen!r} is not a mode; use one of: " + ", ".join(MODES))
    if mode is not None:
        for target in WRITE_ORDER:
            per_table.setdefault(target.name, mode)
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"{preset!r} is not a preset; choose one of: " + ", ".join(PRESETS))
    choice = Choice(mapping, profile, preset, table, extra_columns)
    return Options(choice, per_table, dialect, as_of, references)


def resolve_options(con: duckdb.DuckDBPyConnection, options: Options) -> Options:
    """Options with a named profile loaded (so an unknown one fails before anything starts)."""
    return replace(options, choice=resolve_choice(con, options.choice))


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str | Path | ImportFile] | str | Path,
    *,
    table: str | None = None,
    preset: str | None = None,
    profile: str | None = None,
    mapping: Mapping | None = None,
    mode: Mode | None = None,
    modes: dict[str, Mode] | None = None,
    dialect: Dialect | None = None,
    extra_columns: ExtraColumns | None = None,
    as_of: date | None = None,
    who: str = "cli",
    on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    progress: Progress | None = None,
    wait: float = 0.0,
) -> ImportResult:
    """Validate and load files in one transaction.

    Args:
        con: Read-write connection (or cursor) of the dashboard database.
        files: Paths, or :class:`ImportFile` with per-file choices.
        table: Canonical table (or ``opportunities``) for every file, header checked strictly.
        preset: Vendor preset for every file (``store.vendor_presets.PRESETS``).
        profile: Saved mapping profile for every file.
        mapping: Mapping for every file.
        mode: replace, upsert or append for every table written (default: upsert for keyed
            tables, append for event tables); ``modes`` sets it per table.
        dialect: Declared encoding, delimiter, header line or decimal separator.
        extra_columns: What unknown columns of a canonical file become (default: a problem).
        as_of: The data's as-of date (snapshot preset); default the stored one, else today.
        who: Recorded in ``import_log``.
        on_loaded: Called inside the transaction after writing (rebuilds derived tables).
        progress: Called with (fraction done, what is happening).
        wait: Seconds to wait for another import of the same database to finish.

    Raises:
        ImportValidationError: the files break the contract; nothing was changed.
        ImportInProgressError: another import is running (nothing was changed).
        ValueError: no files, or a bad choice (unknown table, preset, profile or mode).
    """
    options = make_options(table=table, preset=preset, profile=profile, mapping=mapping,
                           mode=mode, modes=modes, dialect=dialect, extra_columns=extra_columns,
                           as_of=as_of)  # fmt: skip
    specs = as_specs(files)
    options = resolve_options(con, options)
    report = progress or _silent
    names = [s.name or Path(s.path).name for s in specs]
    with import_lock(con, files=names, wait=wait):
        recover_interrupted(con, holding_lock=True)
        session = Session(con, specs, options, report)
        import_id = uuid4().hex
        log_started(con, import_id=import_id, started_at=_now(), who=who, files=names)
        con.execute("BEGIN TRANSACTION")
        try:
            problems = session.stage_and_check()
            if problems:
                raise ImportValidationError(problems)
            counts = session.write(report)
            session.finish_meta()  # before on_loaded: the as-of date sets the MRR horizon
            if on_loaded is not None:
                report(0.85, "Rebuilding derived tables")
                on_loaded(con)
            version = bump_data_version(con)
            drop_staging(con)
            report(0.95, "Saving")
            log_finished(con, import_id=import_id, finished_at=_now(),
                         content_hash=session.content_hash, row_counts=counts, result="ok",
                         message=_ok_message(counts, session), file_rows=session.file_rows())
            with commit_gate(con):
                con.execute("COMMIT")  # fmt: skip
        except BaseException as exc:
            rollback(con)
            _log_failure(con, import_id, session, exc)
            raise
        finally:
            session.close()
    report(1.0, "Done")
    return ImportResult(import_id, counts, version, tuple(session.reports))


def check_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str | Path | ImportFile] | str | Path,
    *,
    table: str | None = None,
    preset: str | None = None,
    profile: str | None = None,
    mapping: Mapping | None = None,
    mode: Mode | None = None,
    modes: dict[str, Mode] | None = None,
    dialect: Dialect | None = None,
    extra_columns: ExtraColumns | None = None,
    as_of: date | None = None,
    references: bool = True,
) -> list[Problem]:
    """Validate files exactly as :func:`import_files` would, without loading or logging.

    ``references=False`` leaves out the checks against stored data (unknown accounts,
    exchange rates, append conflicts), e.g. when checking without a database.
    """
    options = make_options(table=table, preset=preset, profile=profile, mapping=mapping,
                           mode=mode, modes=modes, dialect=dialect, extra_columns=extra_columns,
                           as_of=as_of, references=references)  # fmt: skip
    session = Session(con, as_specs(files), resolve_options(con, options), _silent)
    con.execute("BEGIN TRANSACTION")
    try:
        return session.stage_and_check()
    finally:
        rollback(con)
        session.close()


class Session:
    """One import attempt inside the caller's transaction: staging, checks and writing."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        specs: list[ImportFile],
        options: Options,
        report: Progress,
    ) -> None:
        self.con = con
        self.specs = specs
        self.options = options
        self.report = report
        self.names = [s.name or Path(s.path).name for s in specs]
        self._hasher = hashlib.sha256()
        self._workdir = new_workdir()
        self.words: dict[str, Words] = {}
        self.staged: set[str] = set()
        self.plans: list[FilePlan] = []
        self.reports: list[FileReport] = []
        self._file_hashes: dict[int, str] = {}
        self._file_tables: dict[int, list[str]] = {}
        self.as_of = options.as_of or _stored_as_of(con) or date.today()
        self.counts: dict[str, int] = {}
        self._skipped_tables: set[str] = set()

    @property
    def content_hash(self) -> str:
        """SHA-256 of all files' bytes, in call order."""
        return self._hasher.hexdigest()

    def close(self) -> None:
        """Remove temporary copies of converted files."""
        self._workdir.cleanup()

    def mode(self, table_name: str) -> Mode:
        """The mode a staged table is written in."""
        target = TARGETS_BY_NAME[table_name]
        chosen = self.options.modes.get(table_name) or default_mode(target)
        return "append" if chosen == "upsert" and not target.key else chosen

    def stage_and_check(self) -> list[Problem]:
        """Stage every file, then run all checks; returns the problems (capped)."""
        hits: list[Hit] = []
        total = 0
        for index, spec in enumerate(self.specs):
            self.report(0.5 * index / len(self.specs), f"Reading {self.names[index]}")
            found, count, fatal = self._stage_one(index, spec)
            hits.extend(found)
            total += count
            if fatal:
                # A DuckDB error aborts the transaction: report what is known and stop.
                return capped((h.problem for h in hits), total)
        found, count = self._check_all()
        hits.extend(found)
        total += count
        hits.sort(key=lambda h: (h.file_index, h.line, h.order))  # stable: keeps check order
        return capped((h.problem for h in hits), total)

    def _stage_one(self, index: int, spec: ImportFile) -> tuple[list[Hit], int, bool]:
        name = self.names[index]
        # One file: its own hash is the import's hash, so its bytes are hashed once.
        file_hasher = _Tee(self._hasher) if len(self.specs) > 1 else self._hasher
        choice = resolve_choice(self.con, _choice(spec, self.options.choice))
        declared = spec.dialect or self.options.dialect
        if declared is None and choice.mapping is not None:
            declared = choice.mapping.dialect
        source, problems = prepare_source(Path(spec.path), name, declared, file_hasher,
                                          Path(self._workdir.name))  # fmt: skip
        self._file_hashes[index] = file_hasher.hexdigest()
        if source is None:
            return [Hit(index, p.line or 0, -1, p) for p in problems], len(problems), False
        plan, problems = plan_file(self.con, index, source, choice)
        if plan is None:
            return [Hit(index, p.line or 0, -1, p) for p in problems], len(problems), False
        self.plans.append(plan)
        if self._already_imported(plan):
            return [], 0, False
        try:
            filled = fill(self.con, plan, self.names, self.words, MAX_PROBLEMS, self.as_of)
        except duckdb.Error as exc:
            what = f"the file cannot be read ({str(exc).splitlines()[0]})"
            found = problem(name, None, None, None, "unreadable", what)
            return [Hit(index, 0, -1, found)], 1, True
        self.staged.update(filled.tables)
        self._file_tables[index] = filled.tables
        plan.notes.extend(filled.notes)
        self.reports.append(self._file_report(plan, filled.rows))
        self.report(0.5 * (index + 1) / len(self.specs), f"Read {name}: {filled.rows:,} rows")
        return filled.hits, filled.total, False

    def _already_imported(self, plan: FilePlan) -> bool:
        """Note a file imported before; skip it when every table it fills is appended to."""
        earlier = previous_imports(self.con, self._file_hashes[plan.index])
        if not earlier:
            return False
        when = earlier[0][1].strftime("%Y-%m-%d %H:%M") if earlier[0][1] else "earlier"
        tables = [o.table.name for o in plan.recipe.outputs
                  if o.table.name not in (NEW_ACCOUNTS.name, ACCOUNT_ATTRIBUTES.name)]
        if all(self.mode(t) == "append" for t in tables):
            plan.notes.append(
                f"This file was imported before ({when} UTC) and its rows are only appended, so "
                "it is skipped; nothing from it is added twice."
            )  # fmt: skip
            self.reports.append(self._file_report(plan, 0, skipped=True))
            self._skipped_tables.update(tables)
            return True
        plan.notes.append(
            f"This file was imported before ({when} UTC); its rows replace the stored ones, so "
            "nothing is duplicated."
        )
        return False

    def _file_report(self, plan: FilePlan, rows: int, *, skipped: bool = False) -> FileReport:
        header = plan.source.header.names
        return FileReport(
            name=plan.name,
            target=plan.recipe.name,
            how=plan.how,
            rows=rows,
            dialect=(
                describe(plan.source.dialect) if plan.source.kind == "csv" else plan.source.kind
            ),
            content_hash=self._file_hashes.get(plan.index, ""),
            tables=tuple(self._file_tables.get(plan.index, [])),
            columns={f: header[p].strip() for f, p in plan.columns.items()},
            attributes=tuple(header[p].strip() for p in plan.attributes),
            ignored=tuple(plan.ignored),
            notes=tuple(plan.notes),
            skipped=skipped,
        )

    def _check_all(self) -> tuple[list[Hit], int]:
        hits: list[Hit] = []
        total = 0
        settings = load_settings(self.con, MetricSettings)
        order = [t for t in WRITE_ORDER if t.name in self.staged]
        replace_accounts = "accounts" in self.staged and self.mode("accounts") == "replace"
        for number, target in enumerate(order):
            self.report(0.5 + 0.2 * number / len(order), f"Checking {target.name}")
            if target.name in (NEW_ACCOUNTS.name, ACCOUNT_ATTRIBUTES.name):
                continue
            words = self.words.get(target.name)
            checks = [
                check_values(self.con, target, self.names, MAX_PROBLEMS, words),
                check_duplicates(self.con, target, self.names, MAX_PROBLEMS, words),
            ]
            if self.options.references:
                checks.append(check_accounts(self.con, target, self.names, MAX_PROBLEMS,
                                             self.staged, words,
                                             replace_accounts=replace_accounts))  # fmt: skip
                checks.append(check_fx_rates(self.con, target, self.names, MAX_PROBLEMS,
                                             self.staged, settings.reporting_currency, words))
                if self.mode(target.name) == "append" and target.key:
                    checks.append(check_append_conflicts(self.con, target, self.names,
                                                         MAX_PROBLEMS, words))  # fmt: skip
            for found, count in checks:
                hits.extend(found)
                total += count
        if self.options.references and replace_accounts:
            replaced = {t for t in self.staged if self.mode(t) == "replace"}
            first = next(p for p in self.plans if "accounts" in self._file_tables.get(p.index, []))
            for orphan in check_orphans(self.con, self.staged, replaced, first.name):
                hits.append(Hit(first.index, 0, -1, orphan))
                total += 1
        return hits, total

    def write(self, report: Progress) -> dict[str, int]:
        """Write every staged table in its mode; returns rows written per table."""
        counts: dict[str, int] = {}
        order = [t for t in WRITE_ORDER if t.name in self.staged]
        for number, target in enumerate(order):
            report(0.7 + 0.15 * number / len(order), f"Writing {target.name}")
            mode = self.mode(target.name)
            if target.name == USAGE_EVENTS.name:
                event_days(self.con, replacing=mode == "replace")
            written = write_table(self.con, target, mode)
            if target.name == NEW_ACCOUNTS.name:
                if written:
                    counts["accounts"] = counts.get("accounts", 0) + written
                continue
            counts[target.name] = counts.get(target.name, 0) + written
            if target.name == USAGE_EVENTS.name:
                counts["usage_daily"] = usage_from_events(self.con)
        for name in sorted(self._skipped_tables):
            counts.setdefault(name, 0)  # a skipped re-import wrote nothing there
        self.counts = counts
        return counts

    def finish_meta(self) -> None:
        """Mark the data as imported and record its as-of date."""
        set_meta(self.con, "source", "imported")
        if any(p.recipe.needs_as_of for p in self.plans):
            set_meta(self.con, "data_as_of", self.as_of.isoformat())
        elif get_meta(self.con, "data_as_of") is None:
            set_meta(self.con, "data_as_of", date.today().isoformat())

    def file_rows(self) -> list[tuple[str, str, str, str, int]]:
        """Rows of ``import_file_log``: (file, hash, tables JSON, mode, rows read)."""
        import json

        rows = []
        reports = {r.name: r for r in self.reports}
        for index, name in enumerate(self.names):
            tables = self._file_tables.get(index, [])
            modes = sorted({self.mode(t) for t in tables
                            if t not in (NEW_ACCOUNTS.name, ACCOUNT_ATTRIBUTES.name)})
            found = reports.get(name)
            rows.append((name, self._file_hashes.get(index, ""), json.dumps(tables),
                         ",".join(modes), found.rows if found else 0))  # fmt: skip
        return rows


class _Tee:
    """A hasher feeding the combined import hash and its own per-file hash."""

    def __init__(self, combined: hashlib._Hash) -> None:
        self._combined = combined
        self._own = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._combined.update(data)
        self._own.update(data)

    def hexdigest(self) -> str:
        return self._own.hexdigest()


def _choice(spec: ImportFile, default: Choice) -> Choice:
    if any(x is not None for x in (spec.mapping, spec.profile, spec.preset, spec.table)):
        return Choice(spec.mapping, spec.profile, spec.preset, spec.table, default.extra_columns)
    return default


def as_specs(files: Sequence[str | Path | ImportFile] | str | Path) -> list[ImportFile]:
    """Files as :class:`ImportFile` (a bare path gets every choice from the call).

    Raises:
        ValueError: no files.
    """
    if isinstance(files, str | Path):
        files = [files]
    if not files:
        raise ValueError("No files to import.")
    return [f if isinstance(f, ImportFile) else ImportFile(f) for f in files]


def _stored_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    text = get_meta(con, "data_as_of")
    return date.fromisoformat(text) if text else None


def _log_failure(
    con: duckdb.DuckDBPyConnection, import_id: str, session: Session, exc: BaseException
) -> None:
    message = (
        summarise(exc.problems)
        if isinstance(exc, ImportValidationError)
        else f"{type(exc).__name__}: {exc}"
    )
    try:
        con.execute("BEGIN TRANSACTION")
        log_finished(con, import_id=import_id, finished_at=_now(),
                     content_hash=session.content_hash, row_counts={}, result="failed",
                     message=message, file_rows=session.file_rows())  # fmt: skip
        con.execute("COMMIT")
    except duckdb.Error as log_error:
        rollback(con)
        exc.add_note(f"The failed attempt could not be logged: {log_error}")


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temporary table an import creates."""
    for name in (*WORK_TABLES, DAYS):
        con.execute("DROP TABLE IF EXISTS " + identifier(name, allowed=[name]))
    for target in WRITE_ORDER:
        con.execute("DROP TABLE IF EXISTS " + stage_name(target))
    con.execute("DROP TABLE IF EXISTS " + PENDING_LINES)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is open."""
    with contextlib.suppress(duckdb.Error):  # no transaction open (it already ended)
        con.execute("ROLLBACK")


def _ok_message(counts: dict[str, int], session: Session) -> str:
    text = "Imported " + ", ".join(f"{n:,} {t}" for t, n in counts.items()) + "."
    skipped = [r.name for r in session.reports if r.skipped]
    if skipped:
        text += " Skipped (imported before): " + ", ".join(skipped) + "."
    return text


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _silent(_fraction: float, _text: str) -> None:
    return None

