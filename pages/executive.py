"""Executive: where MRR stands, why it moved, and how well customers and revenue are kept."""

import streamlit as st

from metrics.forecast import backtest_errors
from ui import charts, data, forecast_tables, formats, scenario_data, sidebar, widgets
from ui.scenario_charts import forecast_chart

KPI_ROWS = (
    ("Revenue", ("mrr", "arr", "customers", "arpa", "ltv")),
    ("Retention and churn", ("nrr", "grr", "logo_churn_rate", "quick_ratio")),
)
PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render(db)

st.title("Executive overview")
st.caption(widgets.view_summary(view))

result = data.executive(view)
if result.is_empty:
    widgets.empty_state(view)
    st.stop()

widgets.kpi_rows(result, KPI_ROWS, view.currency)

st.subheader("Growth")
st.plotly_chart(
    charts.movements_chart(result.movements, view.currency),
    key="executive_movements_chart", config=PLOTLY_CONFIG,
)
st.caption(
    "Month-end snapshots: an account that joins and churns within one month is not visible. "
    "The current month is measured on the as-of date."
)
left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.mrr_trend_chart(result.summary, view.currency),
        key="executive_mrr_chart", config=PLOTLY_CONFIG,
    )
with right:
    st.plotly_chart(
        charts.customers_chart(result.summary), key="executive_customers_chart",
        config=PLOTLY_CONFIG,
    )

st.subheader("Forecast")
outlook = scenario_data.forecast(view)
if outlook.forecast.empty:
    st.info("The forecast needs at least one complete month with MRR at its start.", icon="ℹ️")
else:
    st.plotly_chart(
        forecast_chart(result.summary[result.summary["month"] <= outlook.origin],
                       outlook.forecast, view.currency),
        key="executive_forecast_chart", config=PLOTLY_CONFIG,
    )
    st.caption(
        f"From {formats.month_label(outlook.origin)}: each month grows by the mean net movement "
        "rate (new + expansion + reactivation − contraction − churn, as a share of starting MRR) "
        "of the trailing 12 complete months. The band is ±1 standard deviation of that monthly "
        "growth, widening with the square root of the months ahead."
    )
    rates_col, backtest_col = st.columns(2)
    with rates_col.expander("Measured monthly rates"):
        st.dataframe(forecast_tables.rates_table(outlook.rates), hide_index=True,
                     width="stretch")
    with backtest_col.expander("Backtest: the same method 6 and 12 months ago"):
        if outlook.backtest.empty:
            st.caption("Needs 6 more months of history before the last complete month.")
        else:
            st.dataframe(forecast_tables.backtest_table(outlook.backtest, view.currency),
                         hide_index=True, width="stretch")
            errors = backtest_errors(outlook.backtest)
            st.caption("Mean absolute error: " + "; ".join(
                f"started {formats.month_label(row.origin)}, "
                f"{formats.percent(row.mean_abs_error_pct)} over {row.months} months"
                for row in errors.itertuples()))

st.subheader("Churn and retention")
left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.churn_rates_chart(result.churn), key="executive_churn_chart", config=PLOTLY_CONFIG
    )
with right:
    if result.retention.empty:
        st.info(
            "NRR and GRR compare today's MRR with the same accounts 12 months earlier: they "
            "appear once the data (and the month range) covers more than 12 months.",
            icon="ℹ️",
        )
    else:
        st.plotly_chart(
            charts.retention_chart(result.retention),
            key="executive_retention_chart", config=PLOTLY_CONFIG,
        )

st.subheader("Cohorts")
measure_column, size_column = st.columns([1, 1])
with measure_column:
    measure = st.segmented_control(
        "Retention measure",
        options=["logo", "revenue"],
        format_func={"logo": "Logo (customers)", "revenue": "Revenue (MRR)"}.get,
        default="logo",
        required=True,
        key="executive_cohort_measure",
    )
with size_column:
    shown = st.segmented_control(
        "Cohorts shown",
        options=[12, 24, 0],
        format_func=lambda n: f"Last {n}" if n else "All",
        default=24,
        required=True,
        key="executive_cohorts_shown",
    )
st.plotly_chart(
    charts.cohort_heatmap(result.cohorts, measure=measure, last_cohorts=shown or None),
    key="executive_cohort_chart", config=PLOTLY_CONFIG,
)

st.subheader("Tables")
title, button = st.columns([4, 1], vertical_alignment="bottom")
title.markdown(f"**MRR bridge by month** ({view.currency}): start + new + expansion + "
               "reactivation − contraction − churn = end")
with button:
    widgets.download_report("movements", result, key="executive_movements_csv", as_of=view.as_of)
widgets.movements_table(result.movements, view.currency)

title, button = st.columns([4, 1], vertical_alignment="bottom")
title.markdown(
    f"**Cohort retention** ({'logo' if measure == 'logo' else 'revenue'}, % of the cohort's "
    "first month; M0 = first paying month)"
)
with button:
    widgets.download_report("cohorts", result, key="executive_cohorts_csv", as_of=view.as_of)
widgets.cohort_table(result.cohorts, measure)
