"""One import at a time per database, and the log of imports that never finished.

DuckDB lets one process open a file for writing; inside that process (the dashboard serves many
sessions) two imports would still collide. :func:`import_lock` takes a lock per database file:
a thread lock inside the process and an ``flock`` on ``<database>.import-lock`` next to the file,
which holds the holder's pid, start time and files, and is removed when the import ends. The
operating system releases an ``flock`` when its process dies, so a killed import never leaves
the database locked. A second import waits up to ``wait`` seconds, then gets
:class:`ImportInProgressError` with a plain message.

Commit gate. DuckDB 2.0 was seen (tests/test_import_safety.py and a standalone repro in
docs/import.md) to show a reader whose transaction overlaps a large commit part of the committing
rows while the other tables of that commit still look old. :func:`reading` closes that gap: a
reader holds the shared side of a per-database gate for its whole transaction, and an import
holds the exclusive side only for its COMMIT, so every reading transaction lies wholly before or
wholly after a commit. Sessions that read without :func:`reading` see each statement consistent
on its own.

An import writes its ``import_log`` row as 'started' in its own committed transaction before it
begins. A row still 'started' while no import holds the lock belongs to an import that was
killed: :func:`recover_interrupted` marks it 'interrupted' (every import does this first).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from store.db import DatabaseBusyError
from store.sql import one_row

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock and DuckDB's own file lock
    fcntl = None  # type: ignore[assignment]

_THREAD_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()
_POLL_SECONDS = 0.05


class ImportInProgressError(DatabaseBusyError):
    """Another import is running on this database."""


class _Gate:
    """Many readers or one committer (the committer waits for readers to finish, and new
    readers wait while it waits: a steady stream of readers cannot starve it).

    The shared side is re-entrant per thread: a thread already reading passes straight in, so a
    read nested in another (one cached accessor computing a second one) cannot wait for a
    committer that waits for the outer read.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._committing = False
        self._held = threading.local()

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        with self._cond:
            self._cond.wait_for(lambda: not self._committing)
            self._readers += 1
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._committing)
            self._committing = True
            self._cond.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._cond:
                self._committing = False
                self._cond.notify_all()


_GATES: dict[str, _Gate] = {}


def _gate(con: duckdb.DuckDBPyConnection) -> _Gate:
    database = database_path(con)
    key = str(database.resolve()) if database else "memory"
    with _GUARD:
        return _GATES.setdefault(key, _Gate())


@contextlib.contextmanager
def reading(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One consistent read: a transaction that no import commit overlaps (see module doc).

    Use a cursor of its own per thread; the transaction is committed (read-only) at the end.
    """
    with _gate(con).shared():
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("COMMIT")


@contextlib.contextmanager
def commit_gate(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Hold off :func:`reading` transactions while an import commits."""
    with _gate(con).exclusive():
        yield


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file behind a connection, or None for an in-memory database."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]) if row and row[0] else None


def lock_path(database: Path) -> Path:
    """The lock file of a database file."""
    return database.with_name(database.name + ".import-lock")


def lock_holder(database: Path) -> dict | None:
    """Who holds the import lock of a database file (pid, started, files), or None."""
    path = lock_path(database)
    if fcntl is None or not path.exists():
        return None
    try:
        with path.open("a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                try:
                    return json.loads(handle.read() or "{}")
                except json.JSONDecodeError:
                    return {}
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        return None
    return None


def busy_message(holder: dict | None) -> str:
    """Plain words for an import in progress."""
    if not holder:
        return "An import into this database is in progress; wait for it to finish, then try again."
    files = ", ".join(holder.get("files", [])) or "files"
    return (
        f"An import into this database is in progress ({files}, started {holder.get('started')} "
        f"by process {holder.get('pid')}); wait for it to finish, then try again."
    )


@contextlib.contextmanager
def import_lock(
    con: duckdb.DuckDBPyConnection, *, files: Sequence[str] = (), wait: float = 0.0
) -> Iterator[None]:
    """Hold the database's import lock for the duration of the block.

    Raises:
        ImportInProgressError: another import holds it for longer than ``wait`` seconds.
    """
    database = database_path(con)
    key = str(database.resolve()) if database else f"memory:{id(con)}"
    with _GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    deadline = time.monotonic() + max(wait, 0.0)
    acquired = thread_lock.acquire(timeout=wait) if wait > 0 else thread_lock.acquire(False)
    if not acquired:
        raise ImportInProgressError(busy_message(lock_holder(database) if database else None))
    handle = None
    try:
        if database is not None and fcntl is not None:
            handle = _take_file_lock(lock_path(database), deadline, files)
        yield
    finally:
        if handle is not None:
            with contextlib.suppress(OSError):
                os.unlink(handle.name)
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        thread_lock.release()


def _take_file_lock(path: Path, deadline: float, files: Sequence[str]):
    """Open and flock the lock file (retrying until the deadline); write who holds it."""
    while True:
        try:
            handle = path.open("a+", encoding="utf-8")
        except OSError:
            return None  # a read-only folder: the thread lock and DuckDB's file lock remain
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read()
            handle.close()
            if time.monotonic() >= deadline:
                try:
                    holder = json.loads(text or "{}")
                except json.JSONDecodeError:
                    holder = {}
                raise ImportInProgressError(busy_message(holder)) from None
            time.sleep(_POLL_SECONDS)
            continue
        # The previous holder may have removed the file after we opened it: lock the live one.
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
            continue
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).replace(microsecond=0).isoformat()
        handle.write(json.dumps({"pid": os.getpid(), "started": started, "files": list(files)}))
        handle.flush()
        return handle


def recover_interrupted(con: duckdb.DuckDBPyConnection, *, holding_lock: bool = False) -> int:
    """Mark 'started' import log rows of imports no longer running as 'interrupted'.

    Call it while holding the import lock (``holding_lock=True``), or let it take the lock
    without waiting (it does nothing while an import runs). Returns the rows marked.
    """
    if not holding_lock:
        try:
            with import_lock(con):
                return recover_interrupted(con, holding_lock=True)
        except ImportInProgressError:
            return 0
    stale = one_row(con.execute("SELECT count(*) FROM import_log WHERE result = 'started'"))[0]
    if stale:
        con.execute(
            "UPDATE import_log SET result = 'interrupted', message = 'The import stopped before "
            "it finished (the program was closed or killed); nothing from it was saved.' "
            "WHERE result = 'started'"
        )
    return int(stale)
