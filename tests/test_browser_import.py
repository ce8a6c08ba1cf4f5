"""Browser path for the Import page: ``streamlit run`` + Debian Chromium (Playwright).

Upload a subscriptions file with a negative amount and an impossible date, read the problem
table (file, line, column), download the full problem list, replace the upload with the
corrected file, see the preview, confirm, and see the Executive page's MRR grow by the new
subscriptions. Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    build_test_database,
    metric_value,
    open_app,
    require_chromium,
    retrying_expect,
    streamlit_server,
    wait_for_app_idle,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = retrying_expect()

HEADER = ("subscription_id,account_id,plan,billing_period,amount,quantity,discount_pct,currency,"
          "start_date,end_date,term_end,status,charge_type")  # fmt: skip
# Two new monthly USD subscriptions starting 2026-01-01, ongoing on the demo's as-of date
# (2026-10-31): they add 5,000 + 500 = 5,500 to MRR. The bad file has a negative amount and
# month 13.
BAD_ROWS = [
    "sub_new_1,acct_000001,Pro,month,-5000,1,0,USD,2026-13-01,,,active,recurring",
    "sub_new_2,acct_000002,Pro,month,500,1,0,USD,2026-01-01,,,active,recurring",
]
GOOD_ROWS = [
    "sub_new_1,acct_000001,Pro,month,5000,1,0,USD,2026-01-01,,,active,recurring",
    "sub_new_2,acct_000002,Pro,month,500,1,0,USD,2026-01-01,,,active,recurring",
]
ADDED_MRR = 5_500


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    db = build_test_database(tmp_path_factory.mktemp("browser_import") / "demo.duckdb",
                             accounts=60)  # fmt: skip
    with streamlit_server(db) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    with browser_page(accept_downloads=True) as opened:
        yield opened


def _write(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "subscriptions.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _money(text: str) -> float:
    """``$113k`` -> 113000.0 (KPI cards show three significant digits above 10,000)."""
    number = float(re.sub(r"[^0-9.\-]", "", text))
    return number * {"k": 1e3, "M": 1e6}.get(text.strip()[-1], 1)


def _executive_mrr(page, server: Server) -> float:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.EXECUTIVE)
    page.get_by_role("heading", name="Executive overview").wait_for()
    page.locator('[data-testid="stMetric"]').first.wait_for()
    wait_for_app_idle(page)
    return _money(metric_value(page, "MRR"))


def test_upload_with_problems_then_corrected_file_imports_and_moves_executive_mrr(
    server: Server, page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = _executive_mrr(page, server)
    bad = _write(tmp_path / "bad", BAD_ROWS)
    good = _write(tmp_path / "good", GOOD_ROWS)

    open_app(page, server, routes.IMPORT)
    page.get_by_role("heading", name="Import", exact=True).wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    page.get_by_text("2 problems found").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    expect(page.get_by_role("button", name="Confirm import")).to_be_disabled()

    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text="Message")
    grid.first.locator('[role="gridcell"]').first.wait_for(state="attached")
    cells = [c.strip() for c in grid.first.locator('[role="gridcell"]').all_text_contents()]
    assert "subscriptions.csv" in cells
    assert "2" in cells  # the physical line (1 = header)
    assert {"amount", "start_date"} <= set(cells), cells
    page.screenshot(path=str(ARTIFACTS / "browser_import_problems.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download all problems (CSV)").click()
    download = info.value
    assert download.suggested_filename == "import_problems.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert [(r["file"], r["line"], r["column"], r["rule"]) for r in rows] == [
        ("subscriptions.csv", "2", "amount", "negative_amount"),
        ("subscriptions.csv", "2", "start_date", "not_a_date"),
    ]
    assert rows[0]["value"] == "'-5000"  # formula-like text is neutralised in every export

    # Replace the upload with the corrected file.
    page.get_by_role("button", name="Remove subscriptions.csv").click()
    page.get_by_text("Upload exports to start").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(good))
    page.get_by_text("No problems found").wait_for(timeout=60_000)
    wait_for_app_idle(page)
    page.get_by_text("MRR this import adds or removes").wait_for()
    counts = page.locator('[data-testid="stDataFrame"]').filter(has_text="Written")
    counts.first.locator('[role="gridcell"]').first.wait_for(state="attached")
    cells = [c.strip() for c in counts.first.locator('[role="gridcell"]').all_text_contents()]
    assert "subscriptions" in cells and "2" in cells, cells
    page.screenshot(path=str(ARTIFACTS / "browser_import_preview.png"), full_page=True)

    page.get_by_role("button", name="Confirm import").click()
    page.get_by_text("Imported.").wait_for(timeout=60_000)
    expect(page.get_by_text("2 subscriptions").first).to_be_visible()

    after = _executive_mrr(page, server)
    # Each card shows three significant digits ($113k is within 500 of the true value).
    assert after == pytest.approx(before + ADDED_MRR, abs=1_000), (before, after)
