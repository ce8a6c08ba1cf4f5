"""Browser path for the Customers pages: ``streamlit run`` + Debian Chromium (Playwright).

Opens the health scorecard, filters it to the red band, opens a red account by clicking its
row, and sees that account's Account 360 page with its timeline and component breakdown.
Tables are canvas grids; their cells are read from the grid's accessible table. Screenshots
go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    build_health_test_database,
    metric_locator,
    metric_value,
    open_app,
    require_chromium,
    retrying_expect,
    streamlit_server,
    wait_for_app_idle,
    wait_for_grid_rows,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = retrying_expect()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    db = build_health_test_database(tmp_path_factory.mktemp("browser_health") / "demo.duckdb")
    with streamlit_server(db) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    with browser_page() as opened:
        yield opened


def _grid(page, nth: int = -1):  # type: ignore[no-untyped-def]
    grids = page.locator('[data-testid="stDataFrame"]')
    return grids.last if nth == -1 else grids.nth(nth)


def _first_row_cells(grid) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts of the first data row, from the grid's (off-screen) accessible table."""
    row = grid.locator('[role="row"]:has([role="gridcell"])').first
    row.wait_for(state="attached")
    return [c.strip() for c in row.locator('[role="gridcell"]').all_text_contents()]


def test_scorecard_filtered_to_red_opens_an_account_with_timeline_and_breakdown(
    server: Server, page
) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.HEALTH)
    page.get_by_role("heading", name="Account health").wait_for()
    page.get_by_text("higher is healthier").first.wait_for()
    wait_for_app_idle(page)
    # The small demo's red accounts include brand-new trials, hidden by default.
    page.get_by_text("Include trials").click()
    page.wait_for_function(  # the rerun after the toggle redraws the band cards
        """() => {
            const label = [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
                .find(l => l.innerText.trim() === 'Red accounts');
            if (!label) return false;
            const card = label.closest('[data-testid="stMetric"]');
            return card.querySelector('[data-testid="stMetricValue"]').innerText.trim() !== '0';
        }"""
    )
    wait_for_app_idle(page)
    red = int(metric_value(page, "Red accounts").replace(",", ""))
    assert red > 0, "the test database should hold a red account"

    page.locator('[data-testid="stButtonGroup"]').get_by_role("button", name="Red").click()
    page.get_by_text(re.compile(rf"^{red:,d} accounts")).wait_for()
    wait_for_app_idle(page)
    expect(metric_locator(page, "Accounts scored")).to_have_text(f"{red:,d}")
    wait_for_grid_rows(page, red + 1, last=True)  # the grid redraws after the metrics
    grid = _grid(page)
    grid.scroll_into_view_if_needed()
    cells = _first_row_cells(grid)
    name = cells[0]
    assert "Red" in cells, cells
    page.screenshot(path=str(ARTIFACTS / "browser_health_red.png"))

    # Row selection is the grid's first column; a click there opens Account 360.
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_function(
        "() => location.pathname.endsWith('/account-360') && location.search.includes('account=')"
    )
    page.get_by_role("heading", name=name).wait_for()
    page.get_by_role("heading", name="Timeline").wait_for()
    wait_for_app_idle(page)
    expect(metric_locator(page, "Band")).to_have_text("Red")

    breakdown = page.locator('[data-testid="stDataFrame"]').filter(has_text="Component")
    breakdown.first.wait_for()
    breakdown.first.locator('[role="gridcell"]').first.wait_for(state="attached")
    components = breakdown.first.locator('[role="gridcell"]').all_text_contents()
    for component in ("Usage", "Sentiment", "Billing"):
        assert component in components, components
    timeline = page.locator('[data-testid="stDataFrame"]').filter(has_text="What happened")
    timeline.first.scroll_into_view_if_needed()
    kinds = {"Subscription", "Billing", "Ticket", "NPS", "Moment", "Note"}
    timeline.first.locator('[role="gridcell"]').first.wait_for(state="attached")
    assert kinds & set(timeline.first.locator('[role="gridcell"]').all_text_contents())
    page.screenshot(path=str(ARTIFACTS / "browser_account.png"), full_page=True)


def test_account_address_with_unknown_id_warns(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.ACCOUNT + "?account=no-such-account")
    page.get_by_role("heading", name="Account 360").wait_for()
    page.get_by_text("No account with id").wait_for()


def test_moments_feed_shows_moments_and_filters_by_severity(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.MOMENTS)
    page.get_by_role("heading", name="Revenue moments").wait_for()
    wait_for_app_idle(page)
    total = int(metric_value(page, "Moments").replace(",", ""))
    high = int(metric_value(page, "High severity").replace(",", ""))
    assert total > 0
    page.locator('[data-testid="stButtonGroup"]').get_by_role("button", name="High").click()
    page.get_by_text(re.compile(rf"^{high:,d} moments")).wait_for()
    wait_for_app_idle(page)
    expect(metric_locator(page, "Moments")).to_have_text(f"{high:,d}")
