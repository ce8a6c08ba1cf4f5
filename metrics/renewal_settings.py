"""Renewal settings: the queue window, the grace period and the likelihood history threshold.

METRICS.md (Renewals) makes the queue window and the grace period settings; docs/renewals.md
documents every field (a test fails when one is missing). Store and load with
``store.settings.save_settings`` / ``load_settings``; validation errors name the field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class RenewalSettings(BaseModel):
    """Renewal queue window, grace period and likelihood basis (docs/renewals.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_start_days: int = Field(90, ge=0, le=3650)
    """The queue holds renewals at least this many days after the as-of date (included).
    It is also the contact deadline: contact by renewal date − window_start_days."""
    window_end_days: int = Field(120, ge=0, le=3650)
    """…and at most this many days after the as-of date (included)."""
    grace_days: int = Field(30, ge=0, le=365)
    """A renewal due on D is churned when the account's MRR is 0 on D + grace_days; renewals
    due after as-of − grace_days have no outcome yet."""
    min_history_for_segment: int = Field(30, ge=1)
    """Past renewals a band+segment cell (and a band) needs before its own renewal rate is used
    as the likelihood; smaller cells fall back to the band, then to the overall rate."""

    @field_validator("window_end_days")
    @classmethod
    def _window_ordered(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("window_start_days")
        if start is not None and value < start:
            raise ValueError(
                f"window_end_days ({value}) must not be before window_start_days ({start})"
            )
        return value
