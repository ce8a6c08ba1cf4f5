"""Cached data access for the Insights pages (Churn drivers, Health back-test).

Entries are keyed like :mod:`ui.data`'s: database path and data version, the as-of date, the
page's own inputs and the settings JSON, so a new import, a new lead time or saved health
weights recompute and nothing else does. Reads run in :func:`ui.data.read_cursor` (one
transaction no import commit overlaps).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics.backtest import HealthBacktest, health_backtest
from metrics.drivers import ChurnDrivers, churn_drivers
from metrics.health_settings import HealthSettings
from metrics.renewal_settings import RenewalSettings
from ui.data import View, health_settings, read_cursor, renewal_settings


@st.cache_data(max_entries=16, show_spinner=False)
def _drivers(path: str, version: int, as_of: date, lead_days: int, window_days: int,
             health_json: str, renewal_json: str) -> ChurnDrivers:
    with read_cursor(path) as cur:
        return churn_drivers(
            cur, as_of=as_of, lead_days=lead_days, window_days=window_days,
            health_settings=HealthSettings.model_validate_json(health_json),
            renewal_settings=RenewalSettings.model_validate_json(renewal_json),
        )


def drivers(view: View, *, lead_days: int, window_days: int) -> ChurnDrivers:
    """:func:`metrics.drivers.churn_drivers` for this view (every account)."""
    return _drivers(view.db.key, view.db.version, view.as_of, lead_days, window_days,
                    health_settings(view.db).model_dump_json(),
                    renewal_settings(view.db).model_dump_json())


@st.cache_data(max_entries=16, show_spinner=False)
def _backtest(path: str, version: int, as_of: date, lead_days: int, window_days: int,
              health_json: str, renewal_json: str) -> HealthBacktest:
    with read_cursor(path) as cur:
        return health_backtest(
            cur, as_of=as_of, lead_days=lead_days, window_days=window_days,
            health_settings=HealthSettings.model_validate_json(health_json),
            renewal_settings=RenewalSettings.model_validate_json(renewal_json),
        )


def backtest(view: View, settings: HealthSettings, *, lead_days: int,
             window_days: int) -> HealthBacktest:
    """:func:`metrics.backtest.health_backtest` of ``settings`` for this view."""
    return _backtest(view.db.key, view.db.version, view.as_of, lead_days, window_days,
                     settings.model_dump_json(), renewal_settings(view.db).model_dump_json())
