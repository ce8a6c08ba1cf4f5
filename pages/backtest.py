"""Health back-test: did the health score a lead time before each decision predict it?

Covers every account. Suggested weights are applied only after the user confirms; they then
become the stored health settings (the Health settings page shows and edits them).
Rules: docs/insights.md.
"""

import streamlit as st

from ui import data, insight_charts, insight_widgets, insights_data, sidebar

PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render_as_of(db)
settings = data.health_settings(db)

st.title("Health back-test")
st.caption(
    f"As of {view.as_of:%Y-%m-%d} · every account · the health score (higher is healthier) "
    "each account had a lead time before its renewal decision, against what it decided · "
    "rules in docs/insights.md"
)

applied = st.session_state.pop("backtest_applied", None)
if applied:
    st.success(f"**Suggested weights applied.** {applied} Review or change them on the "
               "Health settings page.", icon="✅")
    st.page_link("pages/health_settings.py", label="Open Health settings", icon=":material/tune:")

lead_days, window_days = insight_widgets.decision_controls(key="backtest")

with st.spinner("Scoring every decision at its lead time…"):
    found = insights_data.backtest(view, settings, lead_days=lead_days, window_days=window_days)

if found.decisions == 0:
    insight_widgets.no_decisions(0, 0, what="The back-test and its weights")
    st.stop()

insight_widgets.backtest_kpis(found)

band_column, score_column = st.columns(2)
if not found.bands.empty:
    band_column.plotly_chart(insight_charts.band_rates_chart(found.bands), config=PLOTLY_CONFIG,
                             key="backtest_bands")
if not found.calibration.empty:
    score_column.plotly_chart(insight_charts.score_rates_chart(found.calibration),
                              config=PLOTLY_CONFIG, key="backtest_scores")

st.subheader("Suggested weights")
weights_column, chart_column = st.columns(2)
with weights_column:
    insight_widgets.weights_table(found)
    st.markdown(insight_widgets.suggestion_summary(found))
    suggested = found.suggested_weights()
    better = suggested is not None and found.suggested_auc_test > found.current_auc_test
    if st.button("Apply suggested weights…", key="backtest_apply", disabled=suggested is None,
                 type="primary" if better else "secondary",
                 help="Asks first; then saves them as the health settings."):
        st.session_state[insight_widgets.CONFIRMING] = True
    if st.session_state.get(insight_widgets.CONFIRMING):
        insight_widgets.confirm_weights(db, settings, found)
with chart_column:
    if suggested is not None:
        st.plotly_chart(insight_charts.weights_chart(found.weights), config=PLOTLY_CONFIG,
                        key="backtest_weights_chart")

insight_widgets.download_frame(
    "health_backtest_bands", found.bands, as_of=view.as_of, key="backtest_download_bands",
    help="Renewal rate per band at the lead time, with 95 % intervals.",
)
with st.expander("How this is computed"):
    st.markdown(insight_widgets.BACKTEST_METHOD)
st.page_link("pages/drivers.py", label="See the churn drivers behind these decisions",
             icon=":material/insights:")
