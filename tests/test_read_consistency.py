"""The dashboard's reads during an import: each accessor sees the old data or the new, never a mix.

``store.import_lock.reading`` is the reader side of the commit gate (an import holds the
exclusive side only for its COMMIT). ``ui.data.read_cursor`` wraps every read accessor in it.
These tests use the page accessors on the process-wide handle, as the dashboard does, while an
import runs on a cursor of that same handle in another thread (as the Import page does).
"""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

import ui.data as ui_data
from metrics.snapshots import refresh_derived
from store.import_lock import commit_gate
from store.importer import import_files
from tests.test_import_safety import _usage_file
from tests.test_import_support import loaded_db, write

ROOT = Path(__file__).resolve().parents[1]
USAGE_ROWS = 300_000


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_data_page_reads_old_or_new_counts_while_an_import_commits(tmp_path: Path) -> None:
    path = tmp_path / "read.duckdb"
    loaded_db(path).close()  # fixture files: 3 accounts, no usage (tests/fixtures/import)
    big = _usage_file(tmp_path, USAGE_ROWS)
    accounts = write(tmp_path, "acc.csv", "account_id,name\nR1,Reader One\nR2,Reader Two\n")
    key = str(path)
    seen: set[tuple[int, int]] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        # A new version number per call is a cache miss: every call reads the database.
        calls = 0
        try:
            while not done.is_set():
                calls += 1
                counts = ui_data._inventory(key, 10_000 + calls).counts
                seen.add((counts["accounts"], counts["usage_daily"]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.05)
        with ui_data.cursor(key) as cur:  # the Import page's path (ui.import_widgets.run_import)
            result = import_files(cur, [accounts, big], who="dashboard",
                                  on_loaded=refresh_derived)  # fmt: skip
        time.sleep(0.05)
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert result.row_counts["usage_daily"] == USAGE_ROWS
    # Before: the 3 fixture accounts and no usage; after: 3 + R1 + R2 and every usage row.
    assert seen <= {(3, 0), (5, USAGE_ROWS)}
    assert (3, 0) in seen and (5, USAGE_ROWS) in seen


def test_an_import_commit_waits_for_a_read_accessor_in_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "gate.duckdb"
    loaded_db(path).close()
    key = str(path)
    inside, release = threading.Event(), threading.Event()
    real_counts = ui_data.table_counts

    def slow_counts(con):  # the Data page's read, held open until released
        inside.set()
        release.wait(30)
        return real_counts(con)

    monkeypatch.setattr(ui_data, "table_counts", slow_counts)
    reader = threading.Thread(target=lambda: ui_data._inventory(key, 1))
    reader.start()
    assert inside.wait(30)
    committed = threading.Event()

    def commit() -> None:
        with ui_data.cursor(key) as cur, commit_gate(cur):
            committed.set()

    committer = threading.Thread(target=commit)
    committer.start()
    time.sleep(0.3)
    assert not committed.is_set()  # the commit waits while the read is open
    release.set()
    reader.join(30)
    committer.join(30)
    assert committed.is_set()


def test_a_read_nested_in_a_read_does_not_wait_for_a_waiting_commit(tmp_path: Path) -> None:
    path = tmp_path / "nested.duckdb"
    loaded_db(path).close()
    key = str(path)
    outer_open, committer_waiting, finished = threading.Event(), threading.Event(), []

    def reader() -> None:
        with ui_data.read_cursor(key):
            outer_open.set()
            committer_waiting.wait(30)
            time.sleep(0.2)  # the committer now waits for this read to end
            with ui_data.read_cursor(key) as inner:  # e.g. a cached accessor computing another
                finished.append(inner.execute("SELECT count(*) FROM accounts").fetchone()[0])

    def commit() -> None:
        outer_open.wait(30)
        with ui_data.cursor(key) as cur:
            committer_waiting.set()
            with commit_gate(cur):
                pass

    threads = [threading.Thread(target=reader), threading.Thread(target=commit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)
    assert finished == [3]  # the 3 fixture accounts


def _cached_functions_reading_without_the_gate(path: Path) -> list[str]:
    """Names of ``st.cache_data`` functions in ``path`` that open a plain ``cursor(...)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        cached = any("cache_data" in ast.unparse(d) for d in node.decorator_list)
        calls = {ast.unparse(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
        if cached and calls & {"cursor", "data.cursor", "ui_data.cursor"}:
            found.append(f"{path.name}:{node.name}")
    return found


def test_every_cached_accessor_in_ui_reads_through_the_commit_gate(tmp_path: Path) -> None:
    offenders = [
        name for module in sorted((ROOT / "ui").glob("*.py"))
        for name in _cached_functions_reading_without_the_gate(module)
    ]  # fmt: skip
    assert offenders == []
    # The checker itself finds a plain cursor in a cached function.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "@st.cache_data\ndef f(path):\n    with cursor(path) as cur:\n        return 1\n",
        encoding="utf-8",
    )
    assert _cached_functions_reading_without_the_gate(sample) == ["sample.py:f"]
