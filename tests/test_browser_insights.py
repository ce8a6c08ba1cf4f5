"""Browser path for the Insights pages: ``streamlit run`` + Debian Chromium (Playwright).

Churn drivers: change the lead time and see the drivers chart redraw with other bars.
Health back-test: apply the suggested weights after confirming in the dialog, and see the
page recompute with them as the current weights. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from sample_data.demo import build_demo_database
from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    full_page_screenshot,
    metric_value,
    open_app,
    require_chromium,
    retrying_expect,
    streamlit_server,
    wait_for_app_idle,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

sync_api = pytest.importorskip("playwright.sync_api")
expect = retrying_expect()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    db = tmp_path_factory.mktemp("browser_insights") / "demo.duckdb"
    build_demo_database(db, accounts=400, seed=3, as_of=date(2026, 6, 30))
    with streamlit_server(db) as running:
        yield running


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    with browser_page(timeout_ms=90_000) as opened:
        yield opened


def _bar_labels(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The drivers chart's y-axis labels (one per bar)."""
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.locator(".ytick text").first.wait_for()
    return chart.locator(".ytick text").all_text_contents()


def test_changing_the_lead_time_redraws_the_drivers_chart(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.DRIVERS)
    page.get_by_role("heading", name="Churn drivers").wait_for()
    wait_for_app_idle(page, 120_000)
    before_labels = _bar_labels(page)
    before_decisions = metric_value(page, "Decisions analysed")
    assert before_labels

    slider = page.get_by_role("slider")
    slider.focus()
    slider.press("ArrowLeft")  # 90 → 60 days
    slider.press("ArrowLeft")  # 60 → 30 days
    page.wait_for_function(
        """(before) => {
            const cards = [...document.querySelectorAll('[data-testid="stMetric"]')];
            const card = cards.find(c => c.innerText.startsWith('Decisions analysed'));
            const value = card && card.querySelector('[data-testid="stMetricValue"]');
            return value && value.innerText.trim() !== before;
        }""",
        arg=before_decisions,
    )
    wait_for_app_idle(page, 120_000)
    expect(page.locator('[data-testid="stSliderThumbValue"]')).to_have_text("30")
    page.wait_for_function(
        """(before) => {
            const chart = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            if (!chart) return false;
            const labels = [...chart.querySelectorAll('.ytick text')].map(t => t.textContent);
            return labels.length > 0 && labels.join('|') !== before;
        }""",
        arg="|".join(before_labels),
    )
    assert _bar_labels(page) != before_labels
    full_page_screenshot(page, ARTIFACTS / "browser_drivers.png", width=1600)


def test_suggested_weights_are_applied_after_confirming(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_app(page, server, routes.BACKTEST)
    page.get_by_role("heading", name="Health back-test").wait_for()
    wait_for_app_idle(page, 120_000)
    page.get_by_role("button", name="Apply suggested weights…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Every account's health score and band will be recomputed").wait_for()
    changes = dialog.locator("li").all_text_contents()
    assert changes, "the dialog lists the weight changes"
    first = re.match(r"(\w+): ([\d.]+) → ([\d.]+)", changes[0])
    assert first, changes
    component, new = first.group(1).lower(), first.group(3)
    page.screenshot(path=str(ARTIFACTS / "browser_backtest_confirm.png"))
    dialog.get_by_role("button", name="Apply").click()

    success = page.get_by_text("Suggested weights applied.")
    success.wait_for()
    wait_for_app_idle(page, 120_000)
    expect(page.get_by_text("Weights now:")).to_contain_text(f"{component} {float(new):g}")
    expect(page.get_by_role("dialog")).to_have_count(0)
    full_page_screenshot(page, ARTIFACTS / "browser_backtest_applied.png", width=1600)
