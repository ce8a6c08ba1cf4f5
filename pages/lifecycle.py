"""Lifecycle KPIs: acquisition to advocacy, one card per KPI with its definition on hover."""

import streamlit as st

from ui import data, lifecycle_widgets, sidebar, widgets

db = data.open_current()
view = sidebar.render(db)

st.title("Lifecycle KPIs")
head, window_box, button = st.columns([6, 2, 1.4], vertical_alignment="bottom")
window_days = window_box.selectbox(
    "Window", lifecycle_widgets.WINDOWS, index=len(lifecycle_widgets.WINDOWS) - 1,
    format_func=lambda days: f"Last {days} days", key="lifecycle_window",
    help="Days ending on the as-of date that the KPIs look back over (expansion KPIs use the "
    "same span in whole months; usage frequency and breadth always use the last 30 days).",
)
head.caption(
    widgets.view_summary(view)
    + " · contract value and ACV per year · hover a card for its definition (docs/lifecycle.md)"
)

kpis = lifecycle_widgets.lifecycle_data(view, window_days)
with button:
    lifecycle_widgets.lifecycle_download(kpis, key="lifecycle_csv", as_of=view.as_of)
note = lifecycle_widgets.missing_summary(kpis)
if note:
    st.info(note, icon="ℹ️")
lifecycle_widgets.stage_rows(kpis, view.currency)
