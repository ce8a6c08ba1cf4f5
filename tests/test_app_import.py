"""Import page with AppTest: recognition, problems, preview, confirm, limits, mapping, profiles.

AppTest cannot drive ``st.file_uploader``, so the page takes its files from the session-state
hook ``import_widgets.TEST_FILES_KEY`` (a real upload is covered by tests/test_browser_import.py).
The database is hand-typed: two accounts, one 100 / month subscription from 2024-01-01.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import store.import_limits
from metrics.snapshots import refresh_derived
from store.db import data_version, open_database, set_meta
from store.import_problems import Problem
from store.importer import ImportFile
from tests.conftest import load_rows, sub
from ui import data as ui_data
from ui import import_widgets

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "import_data.py")
VENDOR = ROOT / "sample_data" / "vendor_exports"
TIMEOUT = 60
AS_OF = date(2024, 6, 15)
HEADER = ("subscription_id,account_id,plan,billing_period,amount,quantity,discount_pct,currency,"
          "start_date,end_date,term_end,status,charge_type")  # fmt: skip
BAD = [
    "S2,A1,Gold,month,-20,1,0,USD,2024-02-30,,,active,recurring",
    "S3,A2,Gold,month,30,1,0,USD,2024-03-01,,,active,recurring",
]
# S2 20 / month from February and S3 30 / month from March: June MRR 100 -> 150.
GOOD = [
    "S2,A1,Gold,month,20,1,0,USD,2024-02-01,,,active,recurring",
    "S3,A2,Gold,month,30,1,0,USD,2024-03-01,,,active,recurring",
]


pytestmark = pytest.mark.usefixtures("isolated_app")


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hand.duckdb"
    con = open_database(path)
    try:
        load_rows(con, accounts=[("A1", "Acme", "SMB", "EU", "Ann"),
                                 ("A2", "Beta", "SMB", "US", "Bob")],
                  subscriptions=[sub("S1", "A1", date(2024, 1, 1), amount=100)])  # fmt: skip
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "source", "demo")
        set_meta(con, "data_as_of", AS_OF.isoformat())
        set_meta(con, "data_version", "1")
        refresh_derived(con)  # the MRR history up to the as-of date set just above
        con.execute("COMMIT")
    finally:
        con.close()
    monkeypatch.setenv("CSD_DB", str(path))
    return path


def _csv(folder: Path, rows: list[str], name: str = "subscriptions.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _page(*files: Path) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[import_widgets.TEST_FILES_KEY] = [str(f) for f in files]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _database(path: Path) -> ui_data.Database:
    return ui_data._describe(str(path))


def _stored(path: Path, sql: str) -> list[tuple]:
    st.cache_resource.clear()  # release the page's handle so this process can open the file
    con = open_database(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_page_without_files_asks_for_an_upload(db_path: Path) -> None:
    at = _page()
    assert at.title[0].value == "Import"
    assert "Upload exports to start" in at.info[0].value
    assert "200 MB" in at.caption[1].value and "python cli.py import --db" in at.caption[1].value


def test_files_table_names_canonical_preset_and_unknown_files(
    db_path: Path, tmp_path: Path
) -> None:
    unknown = tmp_path / "u" / "notes.csv"
    unknown.parent.mkdir()
    unknown.write_text("colour,mood\nred,happy\n", encoding="utf-8")
    paths = [_csv(tmp_path / "c", GOOD), VENDOR / "stripe_subscriptions.csv", unknown]
    db = _database(db_path)
    recognitions = [import_widgets.recognise(db, p) for p in paths]
    frame = import_widgets.files_table(recognitions, None)
    assert frame.columns.tolist() == ["file", "format", "recognised_as", "dialect", "rows"]
    assert frame["recognised_as"].tolist() == [
        "subscriptions (canonical table)",
        "Stripe subscriptions export (vendor preset)",
        "needs mapping",
    ]
    assert frame["dialect"].tolist()[0] == "UTF-8, comma-separated, header on line 1"


def test_problems_frame_lists_file_line_column_value_rule_message() -> None:
    problems = [
        Problem("a.csv", 3, "amount", "-1", "negative_amount", "a.csv line 3: negative"),
        Problem("", None, None, "7", "too_many_problems", "… and 7 more"),
    ]
    frame = import_widgets.problems_frame(problems)
    assert frame.to_dict("records") == [
        {"file": "a.csv", "line": 3, "column": "amount", "value": "-1",
         "rule": "negative_amount", "message": "a.csv line 3: negative"},
    ]  # fmt: skip


def test_file_with_errors_lists_every_problem_and_disables_confirm(
    db_path: Path, tmp_path: Path
) -> None:
    at = _page(_csv(tmp_path, BAD))
    assert "2 problems found" in at.error[0].value
    problems = at.dataframe[1].value
    assert problems[["file", "line", "column", "rule"]].values.tolist() == [
        ["subscriptions.csv", 2, "amount", "negative_amount"],
        ["subscriptions.csv", 2, "start_date", "not_a_date"],
    ]
    assert at.button(key="import_confirm").disabled
    assert at.dataframe[0].value["rows"].tolist() == [2]


def test_only_the_first_100_problems_are_shown_with_the_total(
    db_path: Path, tmp_path: Path
) -> None:
    rows = [f"X{i},A1,Gold,month,-{i + 1},1,0,USD,2024-01-01,,,active,recurring"
            for i in range(150)]  # fmt: skip
    at = _page(_csv(tmp_path, rows))
    assert "150 problems found" in at.error[0].value
    assert "first 100 are shown" in at.error[0].value
    assert len(at.dataframe[1].value) == 100


def test_good_file_previews_then_confirm_imports_and_bumps_the_data_version(
    db_path: Path, tmp_path: Path
) -> None:
    at = _page(_csv(tmp_path, GOOD))
    assert not at.error
    assert at.success[0].value.startswith("No problems found")
    counts = at.dataframe[1].value
    assert counts.values.tolist() == [["subscriptions", 2, 1, 3]]
    assert not at.button(key="import_confirm").disabled
    assert at.selectbox(key="import_mode_subscriptions").value == "upsert"

    at.button(key="import_confirm").click().run()
    assert not at.exception
    message = at.success[-1].value
    assert "**Imported.**" in message and "2 subscriptions" in message
    assert "data version 2" in message
    # June MRR: S1 100 + S2 20 + S3 30 (tests/conftest.sub rows are USD).
    assert _stored(db_path, "SELECT sum(mrr) FROM mrr_snapshot WHERE month = DATE '2024-06-01'") \
        == [(150.0,)]
    assert _stored(db_path, "SELECT who, result FROM import_log") == [("dashboard", "ok")]


def test_mrr_change_by_month_lists_the_months_the_import_moves(
    db_path: Path, tmp_path: Path
) -> None:
    db = _database(db_path)
    found = import_widgets.preview(db, [ImportFile(_csv(tmp_path, GOOD))], {})
    changes = import_widgets.mrr_changes(found)
    # February: +20 (S2); March onwards: +50 (S2 and S3).
    assert changes["change"].tolist()[:3] == [20.0, 50.0, 50.0]
    assert changes["month"].iloc[0] == date(2024, 2, 1)


def test_failed_import_says_nothing_changed_and_changes_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    db = _database(db_path)
    outcome = import_widgets.run_import(db, [ImportFile(_csv(tmp_path, BAD))], {})
    assert outcome.result is None
    assert [p.rule for p in outcome.problems] == ["negative_amount", "not_a_date"]
    assert _stored(db_path, "SELECT count(*) FROM subscriptions") == [(1,)]
    with open_database(db_path) as con:
        assert data_version(con) == 1


def test_file_over_the_upload_limit_names_the_limit_and_the_cli(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.import_limits, "upload_limit_mb", lambda: 0)
    at = _page(_csv(tmp_path, GOOD))
    assert len(at.error) == 1
    assert "0 MB upload limit" in at.error[0].value
    assert "python cli.py import --db" in at.error[0].value


def test_unknown_header_is_mapped_and_saved_as_a_profile_offered_next_time(
    db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "crm"
    folder.mkdir()
    path = folder / "crm_contracts.csv"
    path.write_text(
        "Contract,Client,Product,Cycle,Price,Began\n"
        "S9,A2,Gold,month,40,01/03/2024\n",
        encoding="utf-8",
    )
    at = _page(path)
    assert "needs mapping" in at.dataframe[0].value["recognised_as"].iloc[0]
    at.selectbox(key=next(s.key for s in at.selectbox if s.key.endswith("_target"))) \
        .set_value("subscriptions").run()
    by_label = {s.label.rstrip(" ★"): s for s in at.selectbox}
    by_label["subscription_id"].set_value("Contract")
    by_label["account_id"].set_value("Client")
    by_label["plan"].set_value("Product")
    by_label["billing_period"].set_value("Cycle")
    by_label["amount"].set_value("Price")
    by_label["start_date"].set_value("Began")
    by_label["Date format"].set_value("DD/MM/YYYY")
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("No problems found"), [e.value for e in at.error]

    at.text_input(key=next(t.key for t in at.text_input if t.key.endswith("_profile_name"))) \
        .input("CRM contracts").run()
    at.button(key=next(b.key for b in at.button if b.key.endswith("_profile_save"))).click().run()
    assert any("Saved profile" in s.value for s in at.success)

    again = _page(path)
    assert "saved profile" in again.dataframe[0].value["recognised_as"].iloc[0]
    assert again.success[0].value.startswith("No problems found")


def test_every_import_widget_key_carries_the_page_name(db_path: Path, tmp_path: Path) -> None:
    at = _page(_csv(tmp_path, BAD))
    keys = [w.key for kind in (at.selectbox, at.text_input, at.button, at.checkbox)
            for w in kind if w.key]  # fmt: skip
    assert keys and all(k.startswith("import_") for k in keys), keys
