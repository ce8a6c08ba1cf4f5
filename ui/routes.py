"""Page addresses. Each differs from its file name on purpose.

Streamlit (1.67) serves a first-load deep link whose path matches a file in ``pages/`` as a
plain legacy page: the entry script, and so the navigation, layout and sidebar, never runs.
An address that matches no file name always goes through ``dashboard.py``, so shared links
such as ``account-360?account=ID`` open the full app on a fresh server
(tests/test_browser_deep_links.py).
"""

from __future__ import annotations

EXECUTIVE = ""  # the default page lives at the root
SCENARIOS = "churn-scenarios"
HEALTH = "health-scorecard"
ACCOUNT = "account-360"
MOMENTS = "revenue-moments"
HEALTH_SETTINGS = "health-settings"
DATA = "data-status"
RENEWALS = "renewal-pipeline"
QUEUE = "renewal-queue"
IMPORT = "import-data"
DRIVERS = "churn-drivers"
BACKTEST = "health-backtest"
LIFECYCLE = "lifecycle-kpis"
VALUE = "customer-value"
