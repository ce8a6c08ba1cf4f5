"""Health settings: weights and band edges, previewed on every account before saving."""

import streamlit as st

from ui import data, health_widgets, sidebar

db = data.open_current()
view = sidebar.render_as_of(db)
current = data.health_settings(db)

st.title("Health settings")
st.caption(
    f"Scores run {health_widgets.HIGHER_IS_HEALTHIER}. The overall score is the weighted mean "
    "of the components that have data (missing ones are left out). The preview covers every "
    f"account in force on {view.as_of:%Y-%m-%d} (the as-of date in the sidebar)."
)
health_widgets.health_settings_editor(db, view.as_of, current)

st.subheader("Component thresholds")
st.caption("Each input scores 0 at *bad* and 100 at *good*, linearly between; a component is "
           "the mean of its inputs with data. Documented in docs/health.md; read-only here.")
thresholds = health_widgets.thresholds_table(current)
st.dataframe(thresholds, hide_index=True, key="health_settings_thresholds",
             height=health_widgets.table_height(len(thresholds), limit=1000))
