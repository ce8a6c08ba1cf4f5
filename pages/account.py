"""Account 360: one account's header, health and why, timeline, MRR and usage.

Opened by ``?account=ID`` (shareable), by a click in any account table, or with the picker.
"""

import streamlit as st

from ui import data, health_charts, health_widgets, sidebar

PLOTLY_CONFIG = {"displaylogo": False}

db = data.open_current()
view = sidebar.render(db)
settings = data.health_settings(db)

st.title("Account 360")
choices = data.account_choices(view, settings)
account_id = health_widgets.account_picker(choices, key="account_picker")
if account_id is None:
    st.info(
        "**Pick an account** above (type to search by name or id), or click an account on the "
        "Health or Revenue moments page. The address of this page then names the account, "
        "so it can be shared.",
        icon="ℹ️",
    )
    st.stop()

found = data.account_360(db, account_id, view.as_of, settings)
if found is None:
    st.warning(
        f"**No account with id `{account_id}` in `{db.path.name}`.** Check the link (ids are "
        "case-sensitive), or pick an account above.",
        icon="⚠️",
    )
    st.stop()

health_widgets.account_header(found.header, currency=view.currency, as_of=view.as_of,
                              settings=settings)
if (~choices.loc[choices["account_id"] == account_id, "in_force"]).any():
    st.info(
        f"**No active subscription on {view.as_of:%Y-%m-%d}**: health is scored only for "
        "accounts with a recurring subscription in force on the as-of date, so there is no "
        "score today. The timeline, revenue and usage below still show its history.",
        icon="ℹ️",
    )

st.subheader("Health")
st.caption(f"Component scores {health_widgets.HIGHER_IS_HEALTHIER}; points = each component's "
           "share of the overall score.")
left, right = st.columns(2)
with left:
    st.markdown("**Component breakdown**")
    health_widgets.breakdown_table(found.breakdown, settings, key="account_breakdown")
with right:
    st.markdown("**Why did it change?** This month vs last month end, largest movers first")
    if found.explanation is None:
        st.info("No score last month (or none now), so there is nothing to compare.",
                icon="ℹ️")
    else:
        health_widgets.explanation_table(found.explanation, key="account_explanation")

st.subheader("Timeline")
if found.timeline.empty:
    st.info("Nothing recorded for this account up to the as-of date.", icon="ℹ️")
else:
    st.caption(f"{len(found.timeline):,d} events up to {view.as_of:%Y-%m-%d}, newest first.")
    health_widgets.timeline_table(found.timeline, view.currency, key="account_timeline")

st.subheader("Revenue")
if found.mrr_history.empty:
    st.info("No MRR history: this account has never paid a recurring subscription.", icon="ℹ️")
else:
    st.plotly_chart(health_charts.account_mrr_chart(found.mrr_history, view.currency),
                    key="account_mrr_chart", config=PLOTLY_CONFIG)

st.subheader("Usage")
if found.usage.empty:
    st.info("No usage recorded in the last 180 days.", icon="ℹ️")
else:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(health_charts.usage_chart(found.usage), key="account_usage_chart",
                        config=PLOTLY_CONFIG)
    with right:
        st.plotly_chart(health_charts.seats_chart(found.usage), key="account_seats_chart",
                        config=PLOTLY_CONFIG)
