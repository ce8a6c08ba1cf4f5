"""Helpers for the browser tests: a ``streamlit run`` server on a free port and Debian Chromium.

Also a small command to refresh the README screenshots from a demo database::

    python -m tests.browser_support --screenshots docs/screenshots --accounts 2000
    python -m tests.browser_support --screenshots docs/screenshots --pages health,account

Playwright's own browser download is not used: the tests drive Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_AS_OF = date(2026, 10, 31)
"""A month end, so the last bar of the screenshots is a whole month."""

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui import routes  # noqa: E402


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running dashboard."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    """True once a browser has seen the entry script's navigation (see :func:`open_app`)."""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def streamlit_server(db_path: Path, *, timeout: float = 45.0) -> Iterator[Server]:
    """Run the dashboard (``run_dashboard.py``) on a free port against ``db_path``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CSD_DB": str(db_path), "PYTHONUNBUFFERED": "1"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"streamlit-{port}.log"
    command = [
        sys.executable, "run_dashboard.py",  # what scripts/run starts
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    passed = False
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit not healthy after {timeout}s; see {log}")
            time.sleep(0.2)
        yield Server(url=url, process=process, log=log)
        passed = True
    finally:
        _stop(process)
        if passed:  # keep the server log only when something went wrong
            log.unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (its own process group only)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, PermissionError):
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    """Headless Debian Chromium through Playwright."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )


def require_chromium() -> None:
    """Fail (not skip) when Debian's Chromium is missing: CI must have it (scripts/test)."""
    import pytest

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test does)")


@contextmanager
def browser_page(*, timeout_ms: int = 30_000, accept_downloads: bool = False) -> Iterator[object]:
    """A fresh 1600 × 1000 page in headless Chromium, closed afterwards (screenshots go to
    :data:`ARTIFACTS`, created here)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000},
                                          accept_downloads=accept_downloads)
            context.set_default_timeout(timeout_ms)
            yield context.new_page()
        finally:
            browser.close()


def build_test_database(path: Path, *, accounts: int = 120, seed: int = 7) -> Path:
    """A seeded demo database for browser runs."""
    from sample_data.demo import build_demo_database

    build_demo_database(path, accounts=accounts, seed=seed, as_of=DEMO_AS_OF)
    return path


def build_hand_database(path: Path) -> Path:
    """Twelve accounts in two segments with a year of history (known, small numbers)."""
    from store.db import bump_data_version, open_database, set_meta
    from tests.conftest import load_rows, sub

    accounts = []
    subscriptions = []
    for i in range(12):
        segment = "SMB" if i % 3 else "Enterprise"
        accounts.append((f"A{i}", f"Account {i}", segment, "EMEA" if i % 2 else "NA", "Ann"))
        start = date(2025, 1 + i % 9, 1)
        amount = 100.0 if segment == "SMB" else 1000.0
        end = date(2026, 3, 1) if i % 5 == 4 else None
        subscriptions.append(sub(f"S{i}", f"A{i}", start, end, amount=amount))
    con = open_database(path)
    try:
        load_rows(con, accounts=accounts, subscriptions=subscriptions)
        con.execute("BEGIN TRANSACTION")
        set_meta(con, "source", "demo")
        set_meta(con, "data_as_of", DEMO_AS_OF.isoformat())
        bump_data_version(con)
        con.execute("COMMIT")
    finally:
        con.close()
    return path


def wait_for_app_idle(page, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished the current run (no running indicator)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout_ms,
    )


def wait_for_grid_rows(page, rows: int, *, last: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Wait until a data grid reports ``rows`` rows, header included.

    The grid is drawn on a canvas; its accessible table's ``aria-rowcount`` updates only after
    the rerun has redrawn it, so reading cells before this can see the previous run's rows.
    ``last`` picks the page's last grid instead of its first.
    """
    page.wait_for_function(
        """([rows, last]) => {
            const grids = document.querySelectorAll('[data-testid="stDataFrame"] table');
            const grid = last ? grids[grids.length - 1] : grids[0];
            return grid && Number(grid.getAttribute('aria-rowcount')) === rows;
        }""",
        arg=[rows, last],
    )


def wait_for_chart_traces(page, chart_index: int, traces: int) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's ``chart_index``-th Plotly chart draws ``traces`` line traces.

    Plotly redraws each chart on its own after a rerun, so one chart showing the new traces
    says nothing about the next one yet.
    """
    page.wait_for_function(
        """([index, traces]) => {
            const charts = document.querySelectorAll(
                '[data-testid="stPlotlyChart"] .js-plotly-plot');
            const chart = charts[index];
            return chart && chart.querySelectorAll('.scatterlayer .trace').length === traces;
        }""",
        arg=[chart_index, traces],
    )


def open_app(page, server: Server, path: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` (an address from ``ui.routes``, e.g. ``account-360?account=ID``)."""
    page.goto(f"{server.url}/{path}")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Customers").wait_for(
        timeout=60_000
    )
    wait_for_app_idle(page)


def build_health_test_database(path: Path, *, accounts: int = 120, seed: int = 7) -> Path:
    """The browser demo database, with at least one red account for the red-band path.

    If the seeded demo happens to have no red account, the red edge is raised just above the
    lowest score (a stored HealthSettings change, as the settings page would make).
    """
    build_test_database(path, accounts=accounts, seed=seed)
    from metrics.health import health_scores
    from metrics.health_settings import HealthSettings
    from store.db import open_database
    from store.settings import load_settings, save_settings

    con = open_database(path)
    try:
        scores = health_scores(con, as_of=DEMO_AS_OF)
        if not (scores["band"] == "red").any() and scores["health_score"].notna().any():
            current = load_settings(con, HealthSettings)
            lowest = float(scores["health_score"].min())
            red_below = min(lowest + 1.0, current.green_from - 1.0)
            save_settings(con, current.model_copy(update={"red_below": red_below}))
    finally:
        con.close()
    return path


def metric_locator(page, label: str):  # type: ignore[no-untyped-def]
    """The value element of the ``st.metric`` card whose label is exactly ``label``.

    After a widget change, assert on it with ``expect(...).to_have_text(...)``, which retries
    until the rerun has redrawn the card, rather than reading it once.
    """
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True)
    )
    return card.locator('[data-testid="stMetricValue"]').first


def metric_value(page, label: str) -> str:  # type: ignore[no-untyped-def]
    """The displayed value of the ``st.metric`` card whose label is exactly ``label``."""
    return metric_locator(page, label).inner_text().strip()


def retrying_expect():  # type: ignore[no-untyped-def]
    """Playwright's ``expect`` (assertions that retry until they hold), waiting up to 30 s:
    a rerun on a busy CI machine can take longer than its 5 s default."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    return expect


def full_page_screenshot(page, target: Path, *, width: int) -> None:  # type: ignore[no-untyped-def]
    """Screenshot the whole page: Streamlit scrolls inside its main area, not the document,
    so the viewport is first grown to the content's height."""
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
            '[data-testid="stMain"], [data-testid="stAppViewContainer"], section')]
            .map(e => e.scrollHeight), document.body.scrollHeight)"""
    )
    page.set_viewport_size({"width": width, "height": int(height) + 40})
    page.wait_for_timeout(1500)  # Plotly re-lays out after the resize
    wait_for_app_idle(page)
    page.screenshot(path=str(target), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


SCREENSHOT_PAGES: dict[str, str] = {
    "executive": "",
    "data": routes.DATA,
    "health": routes.HEALTH,
    "account": routes.ACCOUNT + "?account=acct_lifecycle",
    "moments": routes.MOMENTS,
    "health_settings": routes.HEALTH_SETTINGS,
    "scenarios": routes.SCENARIOS,
    "drivers": routes.DRIVERS,
    "backtest": routes.BACKTEST,
}
"""Screenshot name → address (the account page shows the demo's scripted lifecycle account)."""


def take_screenshots(
    out_dir: Path,
    *,
    accounts: int,
    width: int = 1600,
    db: Path | None = None,
    pages: tuple[str, ...] = ("executive", "data"),
) -> list[Path]:
    """Full-page screenshots of ``pages`` (names of :data:`SCREENSHOT_PAGES`).

    A fresh demo is built unless ``db`` is given.
    """
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    # Inside the project (data/ is gitignored) so the pages show the relative path
    # data/screenshots/demo.duckdb, never a temporary folder of this machine.
    folder = ROOT / "data" / "screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        if db is None:
            db = build_test_database(folder / "demo.duckdb", accounts=accounts, seed=42)
        with streamlit_server(db) as server, sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page(viewport={"width": width, "height": 1000})
                for name in pages:
                    open_app(page, server, SCREENSHOT_PAGES[name])
                    page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(
                        timeout=60_000
                    )
                    wait_for_app_idle(page)
                    if name in ("executive", "health", "account", "moments", "drivers", "backtest"):
                        page.locator(".js-plotly-plot").last.wait_for(timeout=120_000)
                    target = out_dir / f"{name}.png"
                    full_page_screenshot(page, target, width=width)
                    shots.append(target)
            finally:
                browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return shots


def shrink_png(path: Path) -> None:
    """Re-save a screenshot with a 256-colour palette (UI colours are flat; ~3x smaller)."""
    from PIL import Image

    with Image.open(path) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    palette.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screenshots", type=Path, default=ARTIFACTS)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--db", type=Path, help="an existing database instead of a fresh demo")
    parser.add_argument(
        "--pages", default="executive,data",
        help="comma-separated screenshot names: " + ", ".join(SCREENSHOT_PAGES),
    )
    args = parser.parse_args()
    pages = tuple(name.strip() for name in args.pages.split(",") if name.strip())
    unknown = [name for name in pages if name not in SCREENSHOT_PAGES]
    if unknown:
        parser.error(f"unknown page(s) {unknown}; choose from {', '.join(SCREENSHOT_PAGES)}")
    shots = take_screenshots(args.screenshots, accounts=args.accounts, width=args.width,
                             db=args.db, pages=pages)
    for shot in shots:
        shrink_png(shot)
        print(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)


if __name__ == "__main__":
    main()
