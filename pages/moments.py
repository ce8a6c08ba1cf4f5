"""Revenue moments: what just happened that calls for a CSM, with evidence and a next step.

Segment, plan, region and CSM owner are the sidebar filters (shared by every page, kept
across pages); this page adds moment type, severity and "my book" instead of repeating them.
"""

import streamlit as st

from ui import data, health_charts, health_widgets, sidebar, widgets

PLOTLY_CONFIG = {"displaylogo": False}
SEVERITIES = ("high", "medium", "low")

db = data.open_current()
view = sidebar.render(db)
me = sidebar.my_book(db)
settings = data.moment_settings(db)

st.title("Revenue moments")
st.caption(
    widgets.view_summary(view)
    + " · moments detected on the as-of date, newest first · thresholds in docs/health.md"
)

found = data.moments(view, settings)
if found.empty:
    health_widgets.no_moments(view, key="moments_clear_filters")
    st.stop()

type_column, severity_column, book_column = st.columns([3, 2, 2], vertical_alignment="bottom")
types = type_column.multiselect(
    "Moment type",
    options=health_widgets.moment_type_options(found),
    format_func=health_widgets.moment_label,
    key="moments_types",
    placeholder="All types",
    help="Segment, plan, region and CSM owner are filtered in the sidebar.",
)
severities = severity_column.pills(
    "Severity",
    options=SEVERITIES,
    selection_mode="multi",
    format_func=str.capitalize,
    key="moments_severities",
)
only_mine = book_column.toggle(
    f"Only my book ({me})" if me else "Only my book",
    key="moments_my_book",
    disabled=me is None,
    help="Moments of accounts owned by the CSM chosen under My book in the sidebar.",
)
shown = data.narrow_moments(
    found, types=tuple(types), severities=tuple(severities), owner=me if only_mine else None
)
if shown.empty:
    st.info("**No moment matches these choices.** Pick other types or severities, or turn off "
            "Only my book.", icon="ℹ️")
    st.stop()

health_widgets.moment_cards(shown)
st.plotly_chart(
    health_charts.moments_by_type_chart(shown, health_widgets.MOMENT_LABELS),
    key="moments_type_chart", config=PLOTLY_CONFIG,
)

title, button = st.columns([4, 1], vertical_alignment="bottom")
title.markdown(
    f"**{len(shown):,d} moments** · click a row to open the account · the ID opens it in a "
    "new tab"
)
with button:
    health_widgets.download(
        "moments", health_widgets.moments_csv(shown), key="moments_csv", as_of=view.as_of,
        help="The moments shown: the columns of `python cli.py report moments`.",
    )
health_widgets.moments_table(shown, view.currency, key="moments_table")
