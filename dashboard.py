"""Entry point: page config, the demo database on first start, and the navigation.

Run with ``streamlit run dashboard.py``. The database is ``$CSD_DB`` or ``data/demo.duckdb``;
when that file does not exist yet the seeded demo database is built first. Pages live in
``pages/``; adding one is one ``st.Page`` line in its section below, with an address from
``ui/routes.py`` (addresses differ from file names so deep links work on a fresh server).
"""

from datetime import date

import streamlit as st

from store.db import default_db_path
from ui import routes
from ui.data import ensure_demo_database

st.set_page_config(
    page_title="Customer Success Dashboard",
    page_icon=":material/monitoring:",
    layout="wide",
)

navigation = st.navigation(
    {
        "Revenue": [
            st.Page("pages/executive.py", title="Executive", icon=":material/monitoring:",
                    default=True),
            st.Page("pages/scenarios.py", title="Churn scenarios", icon=":material/query_stats:",
                    url_path=routes.SCENARIOS),
        ],
        "Customers": [
            st.Page("pages/health.py", title="Health", icon=":material/health_and_safety:",
                    url_path=routes.HEALTH),
            st.Page("pages/account.py", title="Accounts (Account 360)",
                    icon=":material/person_search:", url_path=routes.ACCOUNT),
            st.Page("pages/moments.py", title="Revenue moments", icon=":material/bolt:",
                    url_path=routes.MOMENTS),
            st.Page("pages/health_settings.py", title="Health settings",
                    icon=":material/tune:", url_path=routes.HEALTH_SETTINGS),
        ],
        "Renewals": [
            st.Page("pages/renewals.py", title="Renewal pipeline", icon=":material/event_repeat:",
                    url_path=routes.RENEWALS),
            st.Page("pages/renewal_queue.py", title="Renewal queue", icon=":material/checklist:",
                    url_path=routes.QUEUE),
        ],
        "Insights": [
            st.Page("pages/drivers.py", title="Churn drivers", icon=":material/insights:",
                    url_path=routes.DRIVERS),
            st.Page("pages/backtest.py", title="Health back-test", icon=":material/rule:",
                    url_path=routes.BACKTEST),
            st.Page("pages/lifecycle.py", title="Lifecycle KPIs", icon=":material/route:",
                    url_path=routes.LIFECYCLE),
            st.Page("pages/customer_value.py", title="Customer value", icon=":material/diamond:",
                    url_path=routes.VALUE),
        ],
        "Data": [
            st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:",
                    url_path=routes.IMPORT),
            st.Page("pages/data.py", title="Data", icon=":material/database:",
                    url_path=routes.DATA),
        ],
    }
)
# After st.navigation, so the sidebar shows the real sections while the demo builds.
ensure_demo_database(default_db_path(), today=date.today())
navigation.run()
