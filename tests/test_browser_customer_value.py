"""Browser path for the Customer value page: ``streamlit run`` + Debian Chromium (Playwright).

On the hand-typed book of tests/test_customer_value.py (its docstring works every number):
five customers, Beta first with value score 80, two worth more than revenue says; the scatter
draws the five; a click on the first row opens Beta's Account 360. The screenshot goes to
tests/artifacts/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    full_page_screenshot,
    metric_value,
    open_app,
    require_chromium,
    streamlit_server,
    wait_for_app_idle,
    wait_for_grid_rows,
)
from tests.test_customer_value import book_file
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    db = book_file(tmp_path_factory.mktemp("browser_value") / "book.duckdb")
    with streamlit_server(db) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    with browser_page() as opened:
        yield opened


def test_value_page_ranks_plots_and_opens_account_360(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.VALUE)
    page.get_by_role("heading", name="Customer value").wait_for()
    page.get_by_text("5 customers").wait_for()
    wait_for_app_idle(page)
    assert metric_value(page, "Customers valued") == "5"
    assert metric_value(page, "Worth more than revenue says") == "2"
    wait_for_grid_rows(page, 6)  # five customers and the header
    grid = page.locator('[data-testid="stDataFrame"]').first
    row = grid.locator('[role="row"]:has([role="gridcell"])').first
    row.wait_for(state="attached")
    cells = [c.strip() for c in row.locator('[role="gridcell"]').all_text_contents()]
    # Raw values of the accessible table: rank, account, link, value score, rank gap, CLV rank.
    assert cells[:6] == ["1", "Beta", "account-360?account=B", "80", "1", "2"], cells
    points = page.locator(".js-plotly-plot .scatterlayer .point")
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot .scatterlayer .point').length === 5")
    assert points.count() == 5
    full_page_screenshot(page, ARTIFACTS / "browser_customer_value.png", width=1600)

    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection cell
    page.wait_for_function(
        "() => location.pathname.endsWith('/account-360') && location.search.includes('account=B')"
    )
    page.get_by_role("heading", name="Beta").wait_for()
