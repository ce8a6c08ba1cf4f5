"""Data: what is loaded, where it came from, the import log, the import format and settings."""

import pandas as pd
import streamlit as st

from store.export import to_safe_csv
from store.schema import CANONICAL_TABLES
from ui import data, sidebar, widgets

SOURCES = {"demo": "Demo data", "imported": "Imported"}

db = data.open_current()
sidebar.database_panel(db)
loaded = data.inventory(db)
imports = data.import_log(db)
path = data.display_path(db)

st.title("Data")
st.caption(
    f"What is loaded in `{db.path.name}`. Counts cover the whole database; the sidebar filters "
    "of the other pages do not apply here."
)

source, version, as_of, created = st.columns(4)
source.metric("Source", SOURCES.get(db.source or "", "Nothing loaded yet"), border=True)
version.metric(
    "Data version", f"{db.version:,d}", border=True,
    help="Bumped by every successful import or settings change; pages recompute when it moves.",
)
as_of.metric(
    "Data as of", f"{db.data_as_of:%Y-%m-%d}" if db.data_as_of else "not recorded", border=True,
    help="The date the data describes; pages open on it.",
)
created.metric("Database created", (loaded.created_at or "unknown")[:10], border=True)

st.subheader("Tables")
st.table(widgets.table_inventory(loaded.counts))

st.subheader("Import log")
if imports.empty:
    st.info(
        "No imports yet"
        + (" (the demo data was generated, not imported)." if db.is_demo else ".")
        + f" Import with `python cli.py import --db {path} FILE…`.",
        icon="ℹ️",
    )
else:
    title, button = st.columns([4, 1], vertical_alignment="bottom")
    title.markdown(f"**{len(imports):,d} imports**, newest first")
    button.download_button(
        "Download CSV",
        data=to_safe_csv(imports),
        file_name="import_log.csv",
        mime="text/csv",
        key="data_import_log_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.dataframe(
        imports,
        hide_index=True,
        column_config={
            "started_at": st.column_config.DatetimeColumn("Started", format="YYYY-MM-DD HH:mm"),
            "finished_at": st.column_config.DatetimeColumn("Finished", format="YYYY-MM-DD HH:mm"),
            "who": "Who",
            "files": "Files",
            "row_counts": "Rows",
            "result": "Result",
            "message": st.column_config.TextColumn("Message", width="large"),
            "import_id": "Import id",
        },
    )

st.subheader("Import format")
st.markdown(
    "A CSV whose header matches one of these tables loads as that table. All files of one "
    "import load in one transaction: either everything lands, or nothing changes and every "
    "problem is listed with file, line and column."
)
st.code(
    f"python cli.py import --db {path} accounts.csv subscriptions.csv fx_rates.csv",
    language="bash",
)
for table in CANONICAL_TABLES:
    required = ", ".join(table.required_columns) or "none"
    with st.expander(f"`{table.name}` — {table.description}"):
        st.caption(
            f"Required columns: {required}."
            + (f" Unique key: {', '.join(table.key)}." if table.key else "")
        )
        st.dataframe(
            widgets.import_format(table),
            hide_index=True,
            column_config={
                "column": "Column",
                "type": "Type",
                "required": st.column_config.CheckboxColumn("Required"),
                "default": "Default when empty",
                "description": st.column_config.TextColumn("Description", width="large"),
            },
        )
        st.download_button(
            "Download an empty CSV with this header",
            data=to_safe_csv(pd.DataFrame(columns=list(table.column_names))),
            file_name=f"{table.name}.csv",
            mime="text/csv",
            key=f"data_template_{table.name}",
            icon=":material/download:",
            on_click="ignore",
        )

st.subheader("Metric settings")
st.caption(
    "Conventions that vendors disagree on (docs/metrics.md). Saving recomputes the month-end "
    "MRR history for every page; invalid input changes nothing."
)
widgets.metric_settings_form(db)
