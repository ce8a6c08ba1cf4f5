"""Saved churn scenarios: named sets of simulator inputs, kept in the database."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from metrics.scenarios import ScenarioInputs

MAX_NAME = 80


class ScenarioNameError(ValueError):
    """A scenario name that cannot be saved, with a message for the user."""


def save_scenario(
    con: duckdb.DuckDBPyConnection, *, name: str, inputs: ScenarioInputs, saved_by: str = ""
) -> None:
    """Save (or replace) a scenario under ``name`` in one transaction."""
    name = name.strip()
    if not name:
        raise ScenarioNameError("Give the scenario a name before saving it.")
    if len(name) > MAX_NAME:
        raise ScenarioNameError(f"Scenario names are at most {MAX_NAME} characters.")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM saved_scenarios WHERE name = $name", {"name": name})
        con.execute(
            "INSERT INTO saved_scenarios VALUES ($name, $inputs, $by, $at)",
            {"name": name, "inputs": inputs.model_dump_json(), "by": saved_by,
             "at": datetime.now(UTC).replace(tzinfo=None)},
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def saved_scenarios(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Saved scenarios, newest first. Columns: name, saved_by, saved_at."""
    return con.execute(
        "SELECT name, saved_by, saved_at FROM saved_scenarios ORDER BY saved_at DESC, name"
    ).df()


def load_scenario(con: duckdb.DuckDBPyConnection, name: str) -> ScenarioInputs | None:
    """The inputs saved under ``name``, or None."""
    row = con.execute(
        "SELECT inputs FROM saved_scenarios WHERE name = $name", {"name": name}
    ).fetchone()
    return None if row is None else ScenarioInputs.model_validate_json(row[0])


def delete_scenario(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove a saved scenario (no error when it does not exist)."""
    con.execute("DELETE FROM saved_scenarios WHERE name = $name", {"name": name})
