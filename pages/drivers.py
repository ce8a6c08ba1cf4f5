"""Churn drivers: which signals, a lead time before a renewal decision, went with churn.

Covers every account (the sidebar's segment/plan/region/owner filters do not apply): the
model needs every decision it can get. Rules: docs/insights.md.
"""

import streamlit as st

from ui import data, insight_charts, insight_widgets, insights_data, sidebar

PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render_as_of(db)

st.title("Churn drivers")
st.caption(
    f"As of {view.as_of:%Y-%m-%d} · every account · what accounts looked like a lead time "
    "before each renewal decision, and which of those signals went with churn · "
    "rules in docs/insights.md"
)

lead_days, window_days = insight_widgets.decision_controls(key="drivers")

with st.spinner("Reading every decision's signals and fitting the model…"):
    found = insights_data.drivers(view, lead_days=lead_days, window_days=window_days)

if found.decisions == 0:
    insight_widgets.no_decisions(found.excluded, found.before_history)
    st.stop()

insight_widgets.drivers_kpis(found)

chart_column, calibration_column = st.columns([3, 2])
with chart_column:
    if found.model is not None:
        st.plotly_chart(insight_charts.drivers_chart(found.model.coefficients),
                        config=PLOTLY_CONFIG, key="drivers_chart")
    else:
        st.info(f"**No model for these decisions.** {found.model_note} Try a longer window or "
                "a shorter lead time.", icon="ℹ️")
with calibration_column:
    if found.model is not None:
        st.plotly_chart(insight_charts.calibration_chart(found.model.calibration),
                        config=PLOTLY_CONFIG, key="drivers_calibration")
        st.caption(insight_widgets.model_note(found.model))

st.subheader("Renewal rate with and without each signal")
insight_widgets.signal_rates_table(found.rates)
insight_widgets.download_frame(
    "churn_drivers_signals", found.rates, as_of=view.as_of, key="drivers_download_signals",
    help="Every signal group with its renewal rate, interval and lift.",
)
if found.model is not None:
    with st.expander("Model coefficients (all)"):
        insight_widgets.coefficients_table(found.model.coefficients)
        insight_widgets.download_frame(
            "churn_drivers_model", found.model.coefficients, as_of=view.as_of,
            key="drivers_download_model", help="Standardised coefficients of the churn model.",
        )
with st.expander("How this is computed"):
    st.markdown(insight_widgets.DRIVERS_METHOD)
