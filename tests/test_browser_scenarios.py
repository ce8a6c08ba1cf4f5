"""Browser path for churn scenarios: load the brief's example, add a fourth churn rate, and see
four lines and the loss table (``streamlit run`` + Debian Chromium via Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    Server,
    build_hand_database,
    launch_chromium,
    retrying_expect,
    streamlit_server,
    wait_for_app_idle,
    wait_for_chart_traces,
    wait_for_grid_rows,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = retrying_expect()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does)")
    db = build_hand_database(tmp_path_factory.mktemp("scenarios") / "hand.duckdb")
    with streamlit_server(db) as running:
        yield running


def _lines(page, chart_index: int) -> int:  # type: ignore[no-untyped-def]
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').nth(chart_index)
    return chart.locator(".scatterlayer .trace").count()


def test_preset_then_a_fourth_churn_rate_shows_four_lines_and_the_loss_table(
    server: Server,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(server.url)
            page.get_by_role("heading", name="Executive overview").wait_for()
            page.get_by_role("link", name="Churn scenarios").click()
            page.get_by_role("heading", name="Churn scenarios").wait_for()
            wait_for_app_idle(page)

            rates = page.get_by_role("textbox", name="Annual churn rates to compare, %")
            rates.fill("5")
            rates.press("Enter")
            wait_for_app_idle(page)
            page.get_by_role("button", name="Load the brief's example").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('input')].some(i => i.value === '0, 10, 30')"
            )
            wait_for_app_idle(page)
            wait_for_chart_traces(page, 0, 3)  # no churn, 10 %, 30 %
            assert _lines(page, 0) == 3
            wait_for_grid_rows(page, 4)  # header + 3 churn rates

            rates.fill("0, 10, 30, 20")
            rates.press("Enter")
            wait_for_app_idle(page)
            wait_for_chart_traces(page, 0, 4)
            wait_for_chart_traces(page, 1, 4)  # each chart redraws on its own
            assert _lines(page, 0) == 4
            assert _lines(page, 1) == 4
            expect(page.locator('[data-testid="stPlotlyChart"]').first).to_contain_text(
                "20% churn")
            page.get_by_role("heading", name="After 3 years").wait_for()
            table = page.locator('[data-testid="stDataFrame"]').first
            table.wait_for()
            wait_for_grid_rows(page, 5)  # the loss table gained the 20 % row
            expect(page.get_by_role("button", name="Download scenario (CSV)")).to_be_visible()
            expect(page.locator('[data-testid="stAlert"]').first).to_contain_text(
                "Convention: Annual, additive")
            page.screenshot(path=str(ARTIFACTS / "browser_scenarios.png"), full_page=True)
        finally:
            browser.close()
