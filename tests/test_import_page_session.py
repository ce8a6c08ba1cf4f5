"""Import page housekeeping: imports killed earlier are marked on open, upload folders go away.

AppTest runs the page (``pages/import_data.py``); the upload helpers of ``ui.import_widgets``
are called directly with objects shaped like ``st.file_uploader``'s files, because AppTest
cannot drive the uploader. The database is hand-typed: two accounts, one 100 / month
subscription from 2024-01-01 (as tests/test_app_import.py).
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store.db import open_database
from store.import_lock import import_lock
from store.import_sources import WORKDIR_PREFIX
from store.import_write import log_started
from store.importer import ImportFile, import_files
from tests.conftest import load_rows, sub
from ui import data as ui_data
from ui import import_widgets

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "import_data.py")
TIMEOUT = 60
KILLED = "The import stopped before it finished (the program was closed or killed); nothing from "


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CSD_DB", str(tmp_path / "unset.duckdb"))
    # Upload folders of this test go under tmp_path, never into the machine's shared temp dir.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    st.cache_data.clear()
    st.cache_resource.clear()
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    yield
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hand.duckdb"
    con = open_database(path)
    try:
        load_rows(con, accounts=[("A1", "Acme", "SMB", "EU", "Ann"),
                                 ("A2", "Beta", "SMB", "US", "Bob")],
                  subscriptions=[sub("S1", "A1", date(2024, 1, 1), amount=100)])  # fmt: skip
        # What a killed import leaves behind: its log row committed as 'started'.
        log_started(con, import_id="killed1", started_at=datetime(2024, 6, 1, 9, 30),
                    who="dashboard", files=["usage.csv"])  # fmt: skip
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _log(path: Path) -> list[tuple]:
    with ui_data.cursor(str(path)) as cur:  # the page's own handle
        return cur.execute(
            "SELECT import_id, result, message FROM import_log WHERE import_id = 'killed1'"
        ).fetchall()


def test_opening_the_import_page_marks_an_import_killed_earlier_as_interrupted(
    db_path: Path,
) -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    [(import_id, result, message)] = _log(db_path)
    assert (import_id, result) == ("killed1", "interrupted")
    assert message.startswith(KILLED)
    assert at.warning[0].value.startswith("**1 earlier import did not finish**")
    assert "marks it 'interrupted'" in at.warning[0].value
    at.run()  # later reruns keep saying so; nothing is marked twice
    assert at.warning[0].value.startswith("**1 earlier import did not finish**")


def test_import_page_opens_at_once_and_marks_nothing_while_another_import_runs(
    db_path: Path,
) -> None:
    con = ui_data._database(str(db_path))
    with import_lock(con, files=["usage.csv"]):  # an import in progress: its row is 'started'
        started = time.monotonic()
        at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
        elapsed = time.monotonic() - started
        assert not at.exception, [e.value for e in at.exception]
        assert _log(db_path) == [("killed1", "started", "Import started.")]
        assert not at.warning
    assert elapsed < 30  # did not wait for the lock (AppTest's own start-up takes a few seconds)
    assert at.title[0].value == "Import"


@dataclass
class FakeUpload:
    """What the page uses of ``st.file_uploader``'s UploadedFile."""

    name: str
    file_id: str
    body: bytes

    def getvalue(self) -> bytes:
        return self.body


def _upload_folders() -> list[Path]:
    return sorted(Path(tempfile.gettempdir()).glob(import_widgets.UPLOAD_PREFIX + "*"))


def test_upload_folder_follows_the_uploads_and_goes_when_they_are_removed() -> None:
    first = FakeUpload("accounts.csv", "id-1", b"account_id,name\nA1,Acme\n")
    second = FakeUpload("accounts.csv", "id-2", b"account_id,name\nA2,Beta\n")
    [path] = import_widgets.session_files([first])
    [folder] = _upload_folders()
    assert path.read_bytes() == first.body and path.is_relative_to(folder)
    [replaced] = import_widgets.session_files([second])  # the upload replaced: old copy gone
    assert replaced.read_bytes() == second.body and not path.exists()
    assert [p.name for p in folder.rglob("*.csv")] == ["accounts.csv"]
    assert import_widgets.session_files([]) == []  # uploads removed: the folder goes
    assert _upload_folders() == []


def test_upload_folder_is_removed_when_the_import_ends(db_path: Path) -> None:
    good = FakeUpload("accounts.csv", "id-ok", b"account_id,name\nN1,New Co\n")
    bad = FakeUpload("accounts.csv", "id-bad", b"account_id,name\n,No Id\n")
    db = ui_data._describe(str(db_path))
    for upload, succeeded in ((bad, False), (good, True)):
        paths = import_widgets.session_files([upload])
        assert len(_upload_folders()) == 1
        outcome = import_widgets.run_import(db, [ImportFile(p, name=p.name) for p in paths], {})
        assert (outcome.result is not None) == succeeded
        assert _upload_folders() == []
    with ui_data.cursor(str(db_path)) as cur:
        assert cur.execute("SELECT name FROM accounts WHERE account_id = 'N1'").fetchall() == [
            ("New Co",)
        ]


def test_abandoned_upload_folders_are_removed() -> None:
    upload = FakeUpload("accounts.csv", "id-1", b"account_id,name\nA1,Acme\n")
    import_widgets.session_files([upload])
    assert len(_upload_folders()) == 1
    # The session ends: Streamlit drops its state, and the folder goes with it.
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    gc.collect()
    assert _upload_folders() == []
    # A folder left by a server that was killed: removed once unused for a day, when another
    # session uploads; a recent one (another live session) is kept.
    old = Path(tempfile.mkdtemp(prefix=import_widgets.UPLOAD_PREFIX))
    recent = Path(tempfile.mkdtemp(prefix=import_widgets.UPLOAD_PREFIX))
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    import_widgets.session_files([upload])
    folders = _upload_folders()
    assert old not in folders and recent in folders and len(folders) == 2


def test_work_folders_of_killed_imports_are_removed_by_the_next_import(db_path: Path) -> None:
    # A killed import (SIGKILL) cannot remove its folder of converted copies; the next import
    # removes it once a day old, and leaves a recent one (an import running now) alone.
    old = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    (old / "0.csv").write_text("copy\n", encoding="utf-8")
    recent = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    accounts = Path(tempfile.gettempdir()) / "accounts.csv"
    accounts.write_text("account_id,name\nW1,Work Co\n", encoding="utf-8")
    with ui_data.cursor(str(db_path)) as cur:
        assert import_files(cur, [accounts]).row_counts == {"accounts": 1}
    # The import's own folder is gone too: only the recent one is left.
    assert sorted(Path(tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*")) == [recent]
