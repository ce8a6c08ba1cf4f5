"""Start the dashboard server: ``python run_dashboard.py [streamlit options]``.

Same as ``streamlit run dashboard.py``, with one difference that matters for shared links.
Streamlit (1.67) decides once per process, when the first browser session starts, whether the
app uses the legacy ``pages/`` folder mode; it switches to ``st.navigation`` mode only after
the first session has run ``dashboard.py``. Until then a first-load deep link (for example
``account-360?account=ID`` from a colleague) opens behind a "Page not found" dialog. This
launcher declares the navigation mode before the server starts, so every link works from the
first request (tests/test_browser_deep_links.py). ``scripts/run`` uses it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parent / "dashboard.py"


def declare_navigation_mode() -> None:
    """Tell Streamlit up front that dashboard.py uses st.navigation, not the pages/ folder."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without this class: it has no legacy mode to avoid
        return
    PagesManager.uses_pages_directory = False


def main(argv: list[str]) -> None:
    from streamlit.web import cli

    declare_navigation_mode()
    sys.argv = ["streamlit", "run", str(ENTRY), *argv]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
