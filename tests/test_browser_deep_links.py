"""A shared link opens the full app on a freshly started server (first load, no warm-up).

Guards the reason behind ui/routes.py: an address that matched a file in pages/ would be
served as a bare legacy page without the entry script, its navigation or its layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import (
    CHROMIUM,
    build_test_database,
    launch_chromium,
    streamlit_server,
    wait_for_app_idle,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

sync_api = pytest.importorskip("playwright.sync_api")


def test_first_load_deep_link_to_account_360_runs_the_whole_app(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does)")
    db = build_test_database(tmp_path / "demo.duckdb", accounts=60)
    with streamlit_server(db) as server, sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{server.url}/{routes.ACCOUNT}?account=acct_lifecycle")
            nav = page.locator('[data-testid="stSidebarNav"]')
            nav.get_by_text("Customers").wait_for()  # the sections of dashboard.py
            wait_for_app_idle(page)
            page.get_by_role("heading", name="Brightpath Studio").first.wait_for()
            page.wait_for_timeout(1000)
            dialogs = page.locator('[role="dialog"]')
            assert dialogs.count() == 0, dialogs.all_inner_texts()  # no "Page not found"
            assert "acct_lifecycle" in page.url
            links = nav.locator("a").all_inner_texts()
            assert any(text.endswith("Executive") for text in links), links
            assert not any(text.strip() == "account" for text in links), links
        finally:
            browser.close()
