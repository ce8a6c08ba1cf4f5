"""The sidebar the pages share: open database, demo badge, as-of date and global filters
(segment, plan, region, CSM owner, a custom attribute with its values, and the month range).

Persistence across pages: Streamlit ties a widget's state to the page that drew it, so a
filter picked on one page would be forgotten on the next. The chosen values therefore live
in page-independent session-state keys (``csd.*``); before each widget is drawn its key is
set from that store, and its ``on_change`` callback writes the new value back. Every page
that calls :func:`render` shows the same choices.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics.filters import Filters, month_start
from metrics.movements import month_end
from ui import formats
from ui.data import Database, View, attribute_choices, filter_choices, reporting_months

STORE = "csd."
"""Prefix of the page-independent keys holding the user's choices."""

FILTER_FIELDS: tuple[tuple[str, str], ...] = (
    ("segments", "Segment"),
    ("plans", "Plan"),
    ("regions", "Region"),
    ("csm_owners", "CSM owner"),
)
"""(Filters field, label) for the multiselects, in display order."""
_ALL = {
    "segments": "All segments",
    "plans": "All plans",
    "regions": "All regions",
    "csm_owners": "All CSM owners",
}

ATTRIBUTE_KEY = "sidebar_attribute"
ATTRIBUTE_VALUES_KEY = "sidebar_attribute_values"
AS_OF_KEY = "sidebar_as_of"
START_KEY = "sidebar_start_month"
END_KEY = "sidebar_end_month"
EARLIEST_AS_OF = date(2000, 1, 1)


def widget_key(name: str) -> str:
    """The widget key of a filter (``sidebar_segments``), for tests and pages."""
    return f"sidebar_{name}"


def _store(name: str) -> str:
    return STORE + name


def _save(name: str, key: str) -> None:
    st.session_state[_store(name)] = st.session_state[key]


def _save_month(bound: str, key: str, extreme: date) -> None:
    # The first or last month is stored as None ("not restricted"), so the range follows
    # a later as-of date instead of sticking to the month that happened to be last.
    value = st.session_state[key]
    st.session_state[_store(bound)] = None if value == extreme else value


def clear_filters() -> None:
    """Drop every filter (not the as-of date); used by the button and the empty state."""
    for name, _ in FILTER_FIELDS:
        st.session_state[_store(name)] = []
    st.session_state[_store("attribute")] = None
    st.session_state[_store("attribute_values")] = []
    st.session_state[_store("start_month")] = None
    st.session_state[_store("end_month")] = None


def database_panel(db: Database) -> None:
    """Which file is open, and a badge when it holds demo data."""
    with st.sidebar:
        st.markdown(f"**Database** `{db.path.name}`")
        if db.is_demo:
            st.badge("Showing demo data", icon=":material/science:", color="orange")
            st.caption("Import your own with `python cli.py import`.")


def render(db: Database, *, today: date | None = None) -> View:
    """Draw the database panel, as-of date and filters; return what the page should show."""
    today = today or date.today()
    database_panel(db)
    with st.sidebar:
        as_of = _as_of_input(db, today)
        st.markdown("**Filters**")
        months = reporting_months(db, as_of)
        start_month, end_month = _month_range(months)
        choices = filter_choices(db)
        selected = {name: _multiselect(name, label, choices[name]) for name, label in FILTER_FIELDS}
        attribute, attribute_values = _attribute_filter(attribute_choices(db))
        active = (any(selected.values()) or bool(attribute) or start_month is not None
                  or end_month is not None)  # fmt: skip
        st.button(
            "Clear filters", key="sidebar_clear", on_click=clear_filters, disabled=not active,
            icon=":material/filter_alt_off:",
        )
    filters = Filters(
        segments=tuple(selected["segments"]),
        plans=tuple(selected["plans"]),
        regions=tuple(selected["regions"]),
        csm_owners=tuple(selected["csm_owners"]),
        start_month=start_month,
        end_month=end_month,
        attribute=attribute if attribute_values else None,
        attribute_values=tuple(attribute_values) if attribute else (),
    )
    return View(db=db, as_of=as_of, filters=filters)


def render_as_of(db: Database, *, today: date | None = None) -> View:
    """Database panel and as-of date only, for pages that cover every account (no filters)."""
    today = today or date.today()
    database_panel(db)
    with st.sidebar:
        as_of = _as_of_input(db, today)
    return View(db=db, as_of=as_of)


def _as_of_input(db: Database, today: date) -> date:
    latest = max(month_end(db.horizon), today) if db.horizon else today
    stored = st.session_state.get(_store("as_of"))
    value = stored or db.default_as_of(today)
    st.session_state[AS_OF_KEY] = min(max(value, EARLIEST_AS_OF), latest)
    chosen = st.date_input(
        "As of",
        min_value=EARLIEST_AS_OF,
        max_value=latest,
        key=AS_OF_KEY,
        on_change=_save,
        args=("as_of", AS_OF_KEY),
        help="Numbers are measured at this date; the current month is a partial month "
        "measured on this day, earlier months at month end.",
    )
    return chosen or db.default_as_of(today)


def _month_range(months: list[date]) -> tuple[date | None, date | None]:
    """From/To month pickers; returns (start_month, end_month), None = not restricted."""
    if len(months) < 2:
        return None, None
    first, last = months[0], months[-1]
    start = st.session_state.get(_store("start_month"))
    end = st.session_state.get(_store("end_month"))
    start = start if start in months else first
    end = end if end in months else last
    if start > end:
        end = last
    st.session_state[START_KEY] = start
    st.session_state[END_KEY] = end
    left, right = st.columns(2)
    start = left.selectbox(
        "From month",
        options=months,
        key=START_KEY,
        format_func=formats.month_label,
        on_change=_save_month,
        args=("start_month", START_KEY, first),
        help="Months shown in charts and tables. Earlier history still classifies movements.",
    )
    end = right.selectbox(
        "To month",
        options=[m for m in months if m >= start],
        key=END_KEY,
        format_func=formats.month_label,
        on_change=_save_month,
        args=("end_month", END_KEY, last),
        help="The last month shown; it is measured on the as-of date when it is the as-of month.",
    )
    return (
        None if start == first else month_start(start),
        None if end == last else month_start(end),
    )


def _multiselect(name: str, label: str, options: list[str]) -> list[str]:
    key = widget_key(name)
    stored = st.session_state.get(_store(name), [])
    st.session_state[key] = [v for v in stored if v in options]
    return st.multiselect(
        label,
        options,
        key=key,
        on_change=_save,
        args=(name, key),
        placeholder=_ALL[name],
        select_all=False,  # selecting every value is the same as no filter
        disabled=not options,
    )


def _save_attribute() -> None:
    # Another attribute has other values: the chosen ones no longer apply.
    st.session_state[_store("attribute")] = st.session_state[ATTRIBUTE_KEY]
    st.session_state[_store("attribute_values")] = []


def _attribute_filter(options: dict[str, list[str]]) -> tuple[str | None, list[str]]:
    """Custom-attribute picker and its values, drawn only when the data has custom attributes
    (extra columns of imported account files); returns (name or None, chosen values)."""
    if not options:
        return None, []
    stored = st.session_state.get(_store("attribute"))
    name = stored if stored in options else None
    st.session_state[ATTRIBUTE_KEY] = name
    name = st.selectbox(
        "Attribute",
        list(options),
        index=None,
        key=ATTRIBUTE_KEY,
        on_change=_save_attribute,
        placeholder="Any custom attribute",
        help="Custom attributes are the extra columns of imported account files. Choose one, "
        "then the values whose accounts to show.",
    )
    values = options.get(name, []) if name else []
    stored_values = st.session_state.get(_store("attribute_values"), [])
    st.session_state[ATTRIBUTE_VALUES_KEY] = [v for v in stored_values if v in values]
    chosen = st.multiselect(
        "Attribute values",
        values,
        key=ATTRIBUTE_VALUES_KEY,
        on_change=_save,
        args=("attribute_values", ATTRIBUTE_VALUES_KEY),
        placeholder="All values" if name else "Choose an attribute first",
        select_all=False,
        disabled=not values,
    )
    return name, chosen


MY_BOOK_KEY = "sidebar_my_book"
MY_BOOK_STORE = STORE + "my_book"
"""Page-independent key of "my book": the CSM whose accounts "my book" filters show."""


def my_book(db: Database) -> str | None:
    """Draw the "My book" picker in the sidebar; return the chosen CSM name (None = not set).

    The choice lives in ``st.session_state["csd.my_book"]`` so every page (health, moments,
    later the renewals queue) reads the same person without drawing the widget first:
    :func:`current_my_book`.
    """
    owners = filter_choices(db)["csm_owners"]
    stored = st.session_state.get(MY_BOOK_STORE)
    st.session_state[MY_BOOK_KEY] = stored if stored in owners else None
    with st.sidebar:
        st.markdown("**My book**")
        return st.selectbox(
            "I am (CSM)",
            options=owners,
            index=None,
            key=MY_BOOK_KEY,
            on_change=_save,
            args=("my_book", MY_BOOK_KEY),
            placeholder="Choose your name",
            disabled=not owners,
            help="Your name as CSM owner. \"Only my book\" on the Customers pages then shows "
            "your accounts; the choice is kept across pages.",
        )


def current_my_book() -> str | None:
    """The CSM chosen as "my book" on any page, without drawing a widget."""
    return st.session_state.get(MY_BOOK_STORE)
