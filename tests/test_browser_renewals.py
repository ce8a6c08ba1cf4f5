"""Browser path for the renewal queue: ``streamlit run`` + Debian Chromium (Playwright).

Issue 4's path: open the queue, filter it to one CSM (My book), mark an account contacted with
a note, reload the page and see the note kept, then open the account (Account 360) and see the
note on its timeline (``metrics.account360`` reads ``renewal_work``).

The demo database is built with as-of = today (UTC): work changes are stamped with the real
time, and the timeline shows changes up to the as-of date. Screenshots go to tests/artifacts/
(gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tests.browser_support import (
    ARTIFACTS,
    Server,
    browser_page,
    open_app,
    require_chromium,
    streamlit_server,
    wait_for_app_idle,
)
from ui import routes

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

sync_api = pytest.importorskip("playwright.sync_api")

NOTE = "Called the CFO, renewal budget approved"


@dataclass(frozen=True)
class Target:
    server: Server
    owner: str
    account_id: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    require_chromium()
    from metrics.renewal_queue import renewal_queue
    from sample_data.demo import build_demo_database
    from store.db import open_database

    today = datetime.now(UTC).date()
    db = tmp_path_factory.mktemp("browser_renewals") / "demo.duckdb"
    build_demo_database(db, accounts=120, seed=7, as_of=today)
    con = open_database(db)
    try:
        queue = renewal_queue(con, as_of=today)
    finally:
        con.close()
    owned = queue.loc[queue["csm_owner"].notna()]
    assert not owned.empty, "the demo should have a renewal in the 90–120-day window"
    first = owned.iloc[0]
    with streamlit_server(db) as running:
        yield Target(running, str(first["csm_owner"]), str(first["account_id"]))


@pytest.fixture
def page(target: Target) -> Iterator[object]:
    with browser_page() as opened:
        yield opened


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Let the rerun a widget change starts begin, then wait for it to end."""
    page.wait_for_timeout(400)
    wait_for_app_idle(page)


def _choose(page, container, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` (text) in the selectbox labelled ``label`` inside ``container``.

    The option list is virtualised, so the text is typed to search it first. A rerun that
    redraws the box can close the list under the click: then the pick is tried again.
    """
    box = container.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    for attempt in range(3):
        wait_for_app_idle(page)
        field = box.locator("input").first
        field.click()
        field.fill(option.strip("()"))
        choice = page.get_by_role("option").filter(has_text=option).first
        try:
            choice.wait_for(timeout=5_000)
            choice.click(timeout=5_000)
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    _settle(page)


def test_queue_my_book_contacted_with_note_is_kept_and_on_the_account_timeline(
    target: Target, page
) -> None:  # type: ignore[no-untyped-def]
    open_app(page, target.server, routes.QUEUE)
    page.get_by_role("heading", name="Renewal queue").wait_for()
    sidebar = page.locator('[data-testid="stSidebar"]')
    main = page.locator('[data-testid="stMain"]')

    # My book: I am this CSM, and only my renewals.
    _choose(page, sidebar, "I am (CSM)", target.owner)
    main.get_by_text(f"Only my book ({target.owner})").click()
    _settle(page)
    main.get_by_text(f"Working as {target.owner}").wait_for()

    # Mark the account contacted with a note and save.
    _choose(page, main, "Renewal", f"({target.account_id})")
    _choose(page, main, "Status", "contacted")
    note = main.get_by_label("Note")
    note.fill(NOTE)
    note.press("Control+Enter")
    _settle(page)
    try:
        main.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("is now “contacted”").wait_for()
    finally:
        page.screenshot(path=str(ARTIFACTS / "renewal_queue_saved.png"), full_page=True)
    wait_for_app_idle(page)

    # A reload starts a new session: the change comes back from the database.
    page.reload()
    page.get_by_role("heading", name="Renewal queue").wait_for()
    wait_for_app_idle(page)
    _choose(page, main, "Renewal", f"({target.account_id})")
    main.get_by_text(f"Current note: {NOTE}").wait_for()
    main.get_by_text(f"Last changed by {target.owner}").wait_for()

    # Account 360 shows the note on the timeline.
    open_app(page, target.server, f"{routes.ACCOUNT}?account={target.account_id}")
    grid = page.locator('[data-testid="stDataFrame"]').filter(has_text=NOTE)
    grid.first.wait_for(state="attached")
    assert grid.count() >= 1
