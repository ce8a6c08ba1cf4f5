"""Health: every account's score, band and trend, the portfolio by band, and the scorecard."""

import streamlit as st

from ui import data, health_charts, health_widgets, sidebar, widgets

PLOTLY_CONFIG = {"displaylogo": False}
BANDS = ("red", "yellow", "green")

db = data.open_current()
view = sidebar.render(db)
me = sidebar.my_book(db)
settings = data.health_settings(db)

st.title("Account health")
st.caption(
    widgets.view_summary(view)
    + f" · scores {health_widgets.HIGHER_IS_HEALTHIER} · red below {settings.red_below:g}, "
    f"green from {settings.green_from:g}"
)

band_column, book_column, trial_column = st.columns([2, 2, 2], vertical_alignment="bottom")
bands = band_column.pills(
    "Band",
    options=BANDS,
    selection_mode="multi",
    format_func=health_charts.band_label,
    key="health_bands",
    help="Show only these bands (none selected = all). Segment, plan, region and CSM owner "
    "are filtered in the sidebar.",
)
only_mine = book_column.toggle(
    f"Only my book ({me})" if me else "Only my book",
    key="health_my_book",
    disabled=me is None,
    help="Accounts owned by the CSM chosen under My book in the sidebar.",
)
trials = trial_column.toggle(
    "Include trials",
    key="health_include_trials",
    help="Accounts whose only subscriptions are trials: not paying yet, so no ARR at stake. "
    "Hidden by default so the red band lists paying customers first.",
)
card = data.scorecard(view, settings, bands=tuple(bands), owner=me if only_mine else None,
                      include_trials=trials)

if card.scored == 0:
    health_widgets.no_accounts_in_force(view, what="Health is scored",
                                        key="health_clear_filters")
    st.stop()
if card.accounts.empty:
    st.info(
        "**No account matches the band, My book and trial filters.** Select other bands "
        "above, turn off Only my book, or include trials.",
        icon="ℹ️",
    )
    st.stop()

health_widgets.band_cards(card.bands, view.currency)

st.subheader("Portfolio")
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(health_charts.band_chart(card.bands, view.currency),
                    key="health_band_chart", config=PLOTLY_CONFIG)
with right:
    st.plotly_chart(health_charts.migration_chart(card.migration),
                    key="health_migration_chart", config=PLOTLY_CONFIG)
    st.caption(health_widgets.migration_note(card.narrowed))
st.plotly_chart(
    health_charts.score_histogram(card.accounts["health_score"], card.accounts["band"],
                                  settings),
    key="health_histogram", config=PLOTLY_CONFIG,
)

st.subheader("Scorecard")
title, button = st.columns([4, 1], vertical_alignment="bottom")
title.markdown(
    f"**{len(card.accounts):,d} accounts** · scores {health_widgets.HIGHER_IS_HEALTHIER}, cut "
    "to one decimal · click a row to open Account 360 · click a header to sort"
)
with button:
    health_widgets.download(
        "health", health_widgets.scorecard_csv(card.accounts), key="health_csv",
        as_of=view.as_of,
        help="The accounts shown: the columns of `python cli.py report health` (every "
        "component score and raw input), plus last month's score and the change.",
    )
health_widgets.scorecard_table(card.accounts, settings, view.currency, key="health_table")
