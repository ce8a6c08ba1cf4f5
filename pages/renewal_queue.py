"""Renewal queue: renewals 90–120 days out (the window is a setting), worked by the CSMs.

The queue is ordered by ARR at risk; a CSM picks a renewal, sets its status, note and next
step, and saves: the change is logged in ``renewal_work`` with who made it, and shows here at
once. Renewals already past the contact deadline with no touch are listed under Overdue.
"""

import streamlit as st

from store.renewal_work import STATUSES
from ui import data, renewal_widgets, sidebar, widgets
from ui.health_charts import band_label

BANDS = ("red", "yellow", "green", "no data")

db = data.open_current()
view = sidebar.render(db)
me = sidebar.my_book(db)
stored = data.renewal_settings(db)
renewal_widgets.show_saved_toast()

st.title("Renewal queue")
st.caption(widgets.view_summary(view).replace("money in", "ARR in").replace(" per month",
                                                                           " per year"))

settings = renewal_widgets.window_settings(db, stored, key="renewal_queue_window")
if settings is None:
    st.stop()

book_column, segment_column, band_column, status_column = st.columns([1, 1, 1, 2])
only_mine = book_column.toggle(
    f"Only my book ({me})" if me else "Only my book", key="renewal_queue_my_book",
    disabled=me is None,
    help="Renewals of the CSM chosen under My book → I am (CSM) in the sidebar.",
)
segments = segment_column.multiselect(
    "Segment", options=data.filter_choices(db)["segments"], key="renewal_queue_segments",
    placeholder="All segments",
)
bands = band_column.multiselect("Band", options=BANDS, format_func=band_label,
                                key="renewal_queue_bands", placeholder="All bands")
statuses = status_column.multiselect("Status", options=STATUSES, key="renewal_queue_statuses",
                                     placeholder="All statuses")

work = data.queue(view, settings, owner=me if only_mine else None)
queue = renewal_widgets.narrow_queue(work.queue, segments=segments, bands=bands,
                                     statuses=statuses)
overdue = renewal_widgets.narrow_queue(work.overdue, segments=segments, bands=bands,
                                       statuses=statuses)

window = f"{settings.window_start_days}–{settings.window_end_days} days"
st.subheader(f"Renewing in {window}")
if queue.empty:
    st.info(
        f"**No renewal falls {window} after {view.as_of:%Y-%m-%d} for these filters.** Widen "
        "the window above, clear the segment, band and status filters, turn off Only my "
        "book, or widen the sidebar filters.",
        icon="ℹ️",
    )
else:
    title, button = st.columns([4, 1], vertical_alignment="bottom")
    title.markdown(
        f"**{len(queue):,d} renewals** · ordered by ARR at risk = ARR × (1 − likelihood) · "
        "click a row to open Account 360"
    )
    with button:
        renewal_widgets.download(
            "renewal_queue", renewal_widgets.queue_csv(queue), key="renewal_queue_csv",
            as_of=view.as_of,
            help="The renewals shown: the columns of `python cli.py report queue`, plus the "
            "latest note and who changed it.",
        )
    renewal_widgets.queue_table(queue, view.currency, key="renewal_queue_table")

st.subheader("Overdue: past the contact deadline, never touched")
if overdue.empty:
    st.success(
        f"Nobody is missed: every renewal less than {settings.window_start_days} days away "
        "has a logged touch (for these filters).", icon="✅",
    )
else:
    st.markdown(
        f"**{len(overdue):,d} renewals** due in under {settings.window_start_days} days with "
        "no logged touch · soonest first"
    )
    renewal_widgets.queue_table(overdue, view.currency, key="renewal_queue_overdue_table")

st.subheader("Work a renewal")
if me:
    st.caption(f"Working as **{me}** (change it under My book → I am (CSM) in the sidebar).")
    changed_by = me
else:
    changed_by = st.text_input(
        "Working as", key="renewal_queue_working_as", max_chars=200,
        placeholder="Your name, or choose it under My book in the sidebar",
        help="Stored with every change you save.",
    )
account_id = renewal_widgets.work_form(db, renewal_widgets.work_rows(queue, overdue),
                                       changed_by=changed_by, key="renewal_queue_work")
if account_id:
    st.markdown("**Work history of this account** (newest first)")
    renewal_widgets.history_table(data.account_work_history(db, account_id))
