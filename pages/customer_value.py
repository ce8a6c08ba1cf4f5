"""Customer value: which customers are worth more (or less) than their revenue says."""

import streamlit as st

from ui import data, sidebar, value_widgets, widgets

PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render(db)
settings = value_widgets.value_settings(db)

st.title("Customer value")
st.caption(
    widgets.view_summary(view)
    + f" · value score {value_widgets.HIGHER_IS_MORE}: CLV plus advocacy, influence, feedback "
    f"and strategic fit ({value_widgets.weight_shares(settings)}); missing components are left "
    "out and the weights renormalised"
)

result = value_widgets.value_data(view, settings)
if result.accounts.empty:
    value_widgets.no_customers(view, key="value_clear_filters")
else:
    value_widgets.attributes_note(result, settings, db)
    value_widgets.value_cards(result.accounts, view.currency)
    st.caption(value_widgets.clv_note(result.assumptions, settings))

    st.plotly_chart(value_widgets.value_scatter(result.accounts, view.currency),
                    key="value_scatter", config=PLOTLY_CONFIG)

    st.subheader("Ranked by value")
    title, button = st.columns([4, 1], vertical_alignment="bottom")
    title.markdown(
        f"**{len(result.accounts):,d} customers** · rank gap = CLV rank − value rank, positive "
        "= worth more than revenue says · click a row to open Account 360 · click a header to "
        "sort"
    )
    with button:
        value_widgets.value_download(result.accounts, key="value_csv", as_of=view.as_of)
    value_widgets.ranked_table(result.accounts, view.currency, key="value_table")

with st.expander("Value settings", icon=":material/tune:"):
    value_widgets.settings_form(db, settings)
