"""Validated settings stored in the database (``settings`` table), one pydantic model per area.

The metric conventions that ``METRICS.md`` leaves open are :class:`MetricSettings` fields; each
is documented in docs/metrics.md and tested on both sides.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, TypeVar

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class MetricSettings(BaseModel):
    """Revenue-metric conventions (METRICS.md: MRR, Movements)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reporting_currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    """Every amount is converted into this ISO 4217 currency."""
    deduct_discounts: bool = True
    """MRR after discounts (ChartMogul default); False = list price."""
    reactivation_window_days: int | None = Field(None, ge=0)
    """None: a returning account is always a reactivation. N: only within N days of its last
    paid month-end, otherwise it counts as new."""
    view_level: Literal["account", "parent"] = "account"
    """"parent" rolls child accounts up into their top-level parent."""


SettingsT = TypeVar("SettingsT", bound=BaseModel)


class SettingsError(ValueError):
    """Invalid settings, with a message naming each bad field."""


def load_settings(con: duckdb.DuckDBPyConnection, model: type[SettingsT]) -> SettingsT:
    """Read a settings model (defaults when nothing is stored)."""
    row = con.execute(
        "SELECT value FROM settings WHERE key = $key", {"key": model.__name__}
    ).fetchone()
    if row is None:
        return model()
    return model.model_validate_json(row[0])


def save_settings(con: duckdb.DuckDBPyConnection, settings: BaseModel) -> None:
    """Store a settings model, replacing the previous value, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM settings WHERE key = $key", {"key": type(settings).__name__})
        con.execute(
            "INSERT INTO settings VALUES ($key, $value, $at)",
            {
                "key": type(settings).__name__,
                "value": settings.model_dump_json(),
                "at": datetime.now(UTC).replace(tzinfo=None),
            },
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def validate_settings(model: type[SettingsT], values: dict) -> SettingsT:
    """Build a settings model from user values or raise :class:`SettingsError` in plain words."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"Settings not saved. {problems}") from exc
