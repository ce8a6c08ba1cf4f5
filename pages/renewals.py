"""Renewal pipeline: ARR up for renewal in the next 12 months, forecast, KPIs and history."""

import streamlit as st

from ui import data, renewal_charts, renewal_widgets, sidebar, widgets

PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render(db)
settings = data.renewal_settings(db)

st.title("Renewal pipeline")
st.caption(
    widgets.view_summary(view).replace("money in", "ARR in").replace(" per month", " per year")
    + f" · grace period {settings.grace_days} days"
)

pipe = data.pipeline(view, settings)
if pipe.renewals.empty and pipe.kpis.empty:
    st.info(
        f"**No renewals to show for {view.as_of:%Y-%m-%d}"
        + (" and the sidebar filters" if view.filters != data.Filters() else "")
        + ".** A renewal is the term end (`term_end`) of a recurring, non-trial "
        "subscription. Import subscriptions with their term ends (the Data page lists the "
        "format), widen the sidebar filters, or pick another as-of date.",
        icon="ℹ️",
    )
    st.stop()

renewal_widgets.pipeline_cards(pipe.renewals, view.currency)

st.subheader("Pipeline")
period_column, split_column = st.columns(2)
period = period_column.segmented_control(
    "Period", options=["month", "quarter"], default="month", key="renewals_period",
    format_func=lambda p: "By month" if p == "month" else "By quarter",
) or "month"
split = split_column.segmented_control(
    "Split by", options=["band", "status"], default="band", key="renewals_split",
    format_func=lambda s: "Health band" if s == "band" else "Work status",
) or "band"
by_period = pipe.by_month if period == "month" else pipe.by_quarter
st.plotly_chart(
    renewal_charts.pipeline_chart(by_period, view.currency, period=period, split=split),
    key="renewals_pipeline_chart", config=PLOTLY_CONFIG,
)
with st.expander("Pipeline by period (table)"):
    renewal_widgets.period_table(by_period, view.currency, period=period)

st.subheader("Forecast: how the likelihood is computed")
st.markdown(renewal_widgets.likelihood_explanation(settings))
renewal_widgets.likelihood_table(pipe.likelihood)

st.subheader("Renewal KPIs by quarter")
if pipe.kpis.empty:
    st.info(
        f"**No renewal has an outcome yet.** A renewal is decided {settings.grace_days} days "
        "after its due date; import older subscriptions or pick a later as-of date.",
        icon="ℹ️",
    )
else:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(renewal_charts.rate_trend_chart(pipe.kpis), key="renewals_rate_chart",
                        config=PLOTLY_CONFIG)
    with right:
        st.plotly_chart(renewal_charts.history_chart(pipe.history, view.currency),
                        key="renewals_history_chart", config=PLOTLY_CONFIG)
    title, button = st.columns([4, 1], vertical_alignment="bottom")
    title.markdown(
        "Rates from `../shared/METRICS.md`: **gross** caps each renewal at its ARR due, "
        "**net** counts upsell, **logo** counts accounts; *(partial)* = some renewals of the "
        "quarter are still in their grace period. Newest quarter first."
    )
    with button:
        renewal_widgets.download(
            "renewal_kpis", renewal_widgets.kpi_csv(pipe.kpis), key="renewals_kpi_csv",
            as_of=view.as_of,
            help="Every KPI column of `python cli.py report renewal-kpis`.",
        )
    renewal_widgets.kpi_table(pipe.kpis, view.currency)
