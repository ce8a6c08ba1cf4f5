"""Cached data for the scenario page and the forecast section (keyed like ui.data)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from metrics.filters import Filters
from metrics.forecast import MrrForecast, mrr_forecast
from metrics.scenario_from_data import measured_scenario_inputs
from metrics.scenarios import ScenarioInputs, scenario_summary, simulate
from store.scenario_store import (
    delete_scenario,
    load_scenario,
    save_scenario,
    saved_scenarios,
)
from store.settings import MetricSettings
from ui.data import View, cursor, read_cursor


@st.cache_data(max_entries=32, show_spinner=False)
def _forecast(path: str, version: int, as_of: date, filters: Filters, settings: str) -> MrrForecast:
    with read_cursor(path) as cur:
        return mrr_forecast(cur, as_of=as_of, filters=filters,
                            settings=MetricSettings.model_validate_json(settings))


def forecast(view: View) -> MrrForecast:
    """The MRR forecast for the page's view (cached per data version)."""
    return _forecast(view.db.key, view.db.version, view.as_of, view.filters,
                     view.db.settings.model_dump_json())


@st.cache_data(max_entries=32, show_spinner=False)
def _measured(path: str, version: int, as_of: date, months: int, filters: Filters,
              settings: str) -> dict | None:
    with read_cursor(path) as cur:
        return measured_scenario_inputs(cur, as_of=as_of, months=months, filters=filters,
                                        settings=MetricSettings.model_validate_json(settings))


def measured_inputs(view: View, months: int) -> dict | None:
    """Starting point and rates measured from the open database."""
    return _measured(view.db.key, view.db.version, view.as_of, months, view.filters,
                     view.db.settings.model_dump_json())


@st.cache_data(max_entries=64, show_spinner=False)
def scenario(inputs: ScenarioInputs, growth_target: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(path, summary) of a scenario; pure, cached on the inputs."""
    return simulate(inputs), scenario_summary(inputs, growth_target=growth_target)


def list_saved(view: View) -> pd.DataFrame:
    with read_cursor(view.db.key) as cur:
        return saved_scenarios(cur)


def load_saved(view: View, name: str) -> ScenarioInputs | None:
    with read_cursor(view.db.key) as cur:
        return load_scenario(cur, name)


def save(view: View, name: str, inputs: ScenarioInputs, saved_by: str) -> None:
    with cursor(view.db.key) as cur:
        save_scenario(cur, name=name, inputs=inputs, saved_by=saved_by)


def delete(view: View, name: str) -> None:
    with cursor(view.db.key) as cur:
        delete_scenario(cur, name)
