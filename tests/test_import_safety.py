"""Import safety: all or nothing, readers see old or new, a killed import, imports that collide.

The kill test runs a real import in a subprocess and sends SIGKILL while its transaction holds
every write (after the rows are written, inside ``on_loaded``), then while it is still reading.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from store.db import data_version, open_database
from store.import_lock import (
    ImportInProgressError,
    import_lock,
    lock_holder,
    reading,
    recover_interrupted,
)
from store.importer import import_files
from tests.conftest import ROOT
from tests.test_import_support import BASE_FILES, loaded_db, snapshot, write

CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from store.db import open_database
from store.importer import import_files

def on_loaded(con):
    print("LOADED", flush=True)
    time.sleep(60)

def progress(fraction, text):
    print("PROGRESS", text, flush=True)
    if text.startswith({pause!r}):
        time.sleep(60)

con = open_database({db!r})
import_files(con, {files!r}, who="child", on_loaded=on_loaded, progress=progress)
print("COMMITTED", flush=True)
"""


def _usage_file(folder: Path, rows: int) -> Path:
    path = folder / "usage.csv"
    with duckdb.connect() as gen:
        gen.execute(
            "COPY (SELECT CASE WHEN i % 3 = 0 THEN 'A1' WHEN i % 3 = 1 THEN 'A2' ELSE 'A3' END "
            "AS account_id, DATE '2000-01-01' + CAST(i // 3 AS INTEGER) AS date, i % 40 AS "
            "active_users, i % 900 AS events, i % 9 AS features_used FROM range($n) t(i)) "
            "TO '" + str(path).replace("'", "''") + "' (HEADER)",
            {"n": rows},
        )
    return path


def _kill_at(db: Path, files: list[Path], marker: str, pause: str = "\x00") -> str:
    """Run an import in a child process, SIGKILL it when it prints ``marker``."""
    code = CHILD.format(root=str(ROOT), db=str(db), files=[str(f) for f in files], pause=pause)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    seen = []
    try:
        for line in child.stdout:
            seen.append(line.strip())
            if line.startswith(marker):
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL, seen
    assert "COMMITTED" not in seen
    return "\n".join(seen)


@pytest.mark.parametrize(
    ("marker", "pause"),
    [("LOADED", "\x00"), ("PROGRESS Checking usage_daily", "Checking usage_daily")],
    ids=["after_writing_before_commit", "while_checking"],
)
def test_killed_import_leaves_previous_data_and_logs_the_attempt(tmp_path, marker, pause):
    db_path = tmp_path / "kill.duckdb"
    con = loaded_db(db_path)
    before, version = snapshot(con), data_version(con)
    con.close()
    big = _usage_file(tmp_path, 2_000_000)
    extra = write(tmp_path, "acc.csv", "account_id,name\nK1,Killed Co\n")

    _kill_at(db_path, [extra, big], marker, pause)

    con = open_database(db_path)  # opens cleanly: the WAL replays only committed work
    assert snapshot(con) == before
    assert data_version(con) == version
    assert con.execute(
        "SELECT who, files, result FROM import_log WHERE who = 'child'"
    ).fetchall() == [("child", '["acc.csv", "usage.csv"]', "started")]
    assert lock_holder(db_path) is None  # the OS released the dead process's lock
    assert recover_interrupted(con) == 1
    assert con.execute(
        "SELECT result, message FROM import_log WHERE who = 'child'"
    ).fetchall() == [(
        "interrupted",
        "The import stopped before it finished (the program was closed or killed); nothing "
        "from it was saved.",
    )]  # fmt: skip
    # The next import works as usual.
    assert import_files(con, [extra]).row_counts == {"accounts": 1}
    con.close()


def test_readers_see_the_old_or_the_new_data_never_a_mix(tmp_path):
    con = loaded_db(tmp_path / "read.duckdb")
    big = _usage_file(tmp_path, 300_000)
    accounts = write(tmp_path, "acc.csv", "account_id,name\nR1,Reader One\nR2,Reader Two\n")
    seen: set[tuple] = set()
    done = threading.Event()

    def read() -> None:
        with con.cursor() as cursor:
            while not done.is_set():
                # Three statements in one reading transaction: one snapshot across them.
                with reading(cursor):
                    accounts = cursor.execute("SELECT count(*) FROM accounts").fetchone()[0]
                    usage = cursor.execute("SELECT count(*) FROM usage_daily").fetchone()[0]
                    version = cursor.execute(
                        "SELECT value FROM meta WHERE key = 'data_version'"
                    ).fetchone()[0]
                seen.add((accounts, usage, version))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.05)
        import_files(con, [accounts, big])
        time.sleep(0.05)
    finally:
        done.set()
        reader.join()
    con.close()
    assert seen <= {(3, 0, "1"), (5, 300_000, "2")}
    assert (3, 0, "1") in seen and (5, 300_000, "2") in seen


def test_two_imports_at_once_the_second_gets_a_clear_message_or_waits(tmp_path):
    con = loaded_db(tmp_path / "two.duckdb")
    big = _usage_file(tmp_path, 300_000)
    small = write(tmp_path, "acc.csv", "account_id,name\nT1,Two\n")
    started = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with con.cursor() as cursor:
                import_files(cursor, [big], progress=lambda f, t: started.set())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(10)
    with con.cursor() as cursor, pytest.raises(ImportInProgressError) as caught:
        import_files(cursor, [small])
    assert str(caught.value).startswith(
        "An import into this database is in progress (usage.csv, started "
    )
    with con.cursor() as cursor:  # waiting instead: runs once the first one is done
        assert import_files(cursor, [small], wait=60).row_counts == {"accounts": 1}
    thread.join()
    assert errors == []
    results = con.execute("SELECT result FROM import_log ORDER BY started_at").fetchall()
    con.close()
    assert results == [("ok",), ("ok",), ("ok",)]  # fixture, first, waited: no failed attempt


def test_cli_import_while_another_process_holds_the_database(tmp_path):
    db_path = tmp_path / "held.duckdb"
    open_database(db_path).close()
    result = _cli_import_while_held(HOLD.format(root=str(ROOT), db=str(db_path)), db_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "An import into this database is in progress (accounts.csv, started "
    )
    assert "wait for it to finish, then try again." in result.stderr


def _cli_import_while_held(holder_code: str, db_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """Run ``cli.py import`` into ``db_path`` while another process runs ``holder_code`` (which
    prints HOLDING once it holds the database or its import lock)."""
    holder = subprocess.Popen([sys.executable, "-c", holder_code], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "HOLDING"
        return subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), "import", "--db", str(db_path),
             str(BASE_FILES[0])],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()


HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from store.db import open_database
from store.import_lock import import_lock
con = open_database({db!r})
with import_lock(con, files=["accounts.csv"]):
    print("HOLDING", flush=True)
    time.sleep(60)
"""


def test_a_plain_lock_error_is_translated(tmp_path):
    db_path = tmp_path / "busy.duckdb"
    open_database(db_path).close()
    code = (
        "import sys, time; sys.path.insert(0, " + repr(str(ROOT)) + "); "
        "from store.db import open_database; con = open_database(" + repr(str(db_path)) + "); "
        "print('HOLDING', flush=True); time.sleep(60)"
    )
    result = _cli_import_while_held(code, db_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "busy.duckdb is open in another program (probably the dashboard or an import). Close "
        "it, or import through the dashboard's Import page, then try again."
    )


def test_lock_is_per_database_and_released_after_use(tmp_path):
    one = open_database(tmp_path / "one.duckdb")
    two = open_database(tmp_path / "two.duckdb")
    with import_lock(one, files=["a.csv"]):
        with import_lock(two):
            pass
        holder = lock_holder(tmp_path / "one.duckdb")
        assert holder["files"] == ["a.csv"] and holder["pid"] == os.getpid()
    assert lock_holder(tmp_path / "one.duckdb") is None
    assert not (tmp_path / "one.duckdb.import-lock").exists()
    one.close()
    two.close()
