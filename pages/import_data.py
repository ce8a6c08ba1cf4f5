"""Import: upload exports, see how each is read, map, check every problem, preview, confirm.

Nothing is written before the confirm button: the preview runs the import and rolls it back.
The confirmed import lands in one transaction and bumps the data version, so every page shows
the new numbers; a failed one changes nothing. Uploads go to a private temporary folder under
their original names so every problem names the file; the folder is removed when the import
ends, the uploads are removed or the session ends. Opening the page marks imports that were
killed earlier as 'interrupted' in the import log.
"""

import streamlit as st

from ui import data, import_widgets, routes, sidebar

db = data.open_current()
sidebar.database_panel(db)
recovered = import_widgets.recover_interrupted_imports(db)

st.title("Import")
st.caption(
    "Load CSV, Excel or Parquet exports from billing systems, CRMs and product analytics. "
    "Nothing is written until you confirm; an import lands completely or not at all."
)
import_widgets.page_link(
    "pages/data.py", routes.DATA, "Import log and file formats on the Data page",
    icon=":material/database:",
)
import_widgets.show_recovered(recovered)

uploads = st.file_uploader(
    "Upload one or several files",
    type=["csv", "txt", "tsv", "xlsx", "parquet"],
    accept_multiple_files=True,
    key="import_upload",
    help="Each file is recognised by its header: a canonical table, a vendor export or a "
    "saved profile; anything else you map below.",
)
st.caption(import_widgets.upload_hint(db))
paths = import_widgets.session_files(uploads)
if not paths:
    st.info(
        "Upload exports to start: for example `subscriptions.csv` in the canonical layout, or a "
        "Stripe, Chargebee, Baremetrics, Salesforce or HubSpot export.",
        icon="ℹ️",
    )
    st.stop()

too_big = import_widgets.oversized(paths)
if too_big:
    for found in too_big:
        st.error(found.message, icon="⚠️")
    st.stop()

st.subheader("1. Files")
files_box = st.container()

st.subheader("2. Mapping")
st.caption("Open a file to correct how its columns are read, or to save the mapping as a profile.")
recognised = [import_widgets.mapping_editor(db, path, n) for n, path in enumerate(paths)]
recognitions = [rec for rec, _ in recognised]
files = [spec for _, spec in recognised]
tables = import_widgets.tables_written(recognitions, files)
modes = {}
if tables:
    st.markdown("**Mode per table**")
    modes = import_widgets.mode_choices(tables)

preview = import_widgets.preview(db, files, modes)
with files_box:
    import_widgets.show_files_table(import_widgets.files_table(recognitions, preview))

st.subheader("3. Check and preview")
if preview.problems:
    import_widgets.show_problems(preview.problems, key="import_problems_csv")
else:
    st.success("No problems found. This is what the import will change:",
               icon=":material/check_circle:")
    import_widgets.show_preview(preview, db.settings.reporting_currency)

st.subheader("4. Import")
outcome = import_widgets.confirm_and_import(db, files, modes, ok=preview.ok)
if outcome is not None:
    import_widgets.show_outcome(outcome)
elif not preview.ok:
    st.caption("The import is enabled once the files have no problems.")
