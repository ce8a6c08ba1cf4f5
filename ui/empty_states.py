"""The shared empty state of a page with nothing on the as-of date: what is missing, why, and
the next step (widen the sidebar filters when they narrow the view, else another date or an
import), with a **Clear filters** button when filters are set."""

from __future__ import annotations

import streamlit as st

from metrics.filters import Filters
from ui.data import View
from ui.sidebar import clear_filters

WIDEN_FILTERS = "Clear or widen the sidebar filters, or pick another as-of date."


def nothing_on_as_of(view: View, *, nothing: str, scope: str, next_step: str, key: str) -> None:
    """Say that there is ``nothing`` (e.g. "No customer") on the as-of date and why.

    Args:
        view: the page's view (as-of date, filters).
        nothing: what is missing, as the headline starts ("No revenue moment").
        scope: one sentence on what the page covers.
        next_step: what to do when no filter is set (another date, which import).
        key: widget key of the Clear filters button (carries the page name).
    """
    filtered = view.filters != Filters()
    st.info(
        f"**{nothing} on {view.as_of:%Y-%m-%d}"
        + (" for the sidebar filters" if filtered else "")
        + f".** {scope} "
        + (WIDEN_FILTERS if filtered else next_step),
        icon="ℹ️",
    )
    if filtered:
        st.button("Clear filters", key=key, on_click=clear_filters)
