"""Browser path: ``streamlit run`` + Debian Chromium (Playwright) on a small demo database.

Sees the MRR card and a Plotly chart, picks a segment in the sidebar and sees MRR change,
then opens the Data page. Screenshots go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    build_test_database,
    metric_value,
    require_chromium,
    retrying_expect,
    streamlit_server,
    wait_for_app_idle,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = retrying_expect()

MONEY = re.compile(r"^-?[$€£¥]?[\d,.]+[kMB]?$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    db = build_test_database(tmp_path_factory.mktemp("browser") / "demo.duckdb")
    with streamlit_server(db) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    with browser_page() as opened:
        yield opened


def test_executive_shows_mrr_and_chart_and_segment_filter_changes_mrr(
    server: Server, page
) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url)
    page.get_by_role("heading", name="Executive overview").wait_for()
    page.locator('[data-testid="stMetric"]').first.wait_for()
    wait_for_app_idle(page)
    all_accounts = metric_value(page, "MRR")
    assert MONEY.match(all_accounts), all_accounts
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for()
    bars = page.locator(".js-plotly-plot .barlayer .point")
    bars.first.wait_for()  # Plotly draws after the element appears
    assert bars.count() > 0
    page.screenshot(path=str(ARTIFACTS / "browser_executive.png"))

    segment = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Segment")
    options = page.locator('[role="option"]').filter(has_not_text="Select all")
    for attempt in range(3):  # a rerun that redraws the box can close the list: try again
        wait_for_app_idle(page)
        segment.click()
        try:
            options.first.wait_for(timeout=5_000)
            chosen = options.first.inner_text().strip()
            options.first.click(timeout=5_000)
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_function(
        """([before]) => {
            const labels = [...document.querySelectorAll('[data-testid="stMetricLabel"]')];
            const label = labels.find(l => l.innerText.trim() === 'MRR');
            if (!label) return false;
            const card = label.closest('[data-testid="stMetric"]');
            const value = card.querySelector('[data-testid="stMetricValue"]').innerText.trim();
            return value !== before;
        }""",
        arg=[all_accounts],
    )
    wait_for_app_idle(page)
    one_segment = metric_value(page, "MRR")
    assert one_segment != all_accounts, (chosen, one_segment)
    assert MONEY.match(one_segment), one_segment
    summary = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    expect(summary).to_contain_text(f"Segment: {chosen}")
    page.screenshot(path=str(ARTIFACTS / "browser_executive_segment.png"))


def test_data_page_shows_counts_and_import_format(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/{routes.DATA}")
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    page.get_by_text("Import format").wait_for()
    wait_for_app_idle(page)
    page.locator('[data-testid="stTable"]').get_by_text("subscriptions", exact=True).wait_for()
    page.locator('[data-testid="stCode"]').get_by_text("python cli.py import").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_data.png"), full_page=True)
