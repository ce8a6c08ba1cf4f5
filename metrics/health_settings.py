"""Health-score and revenue-moment settings (pydantic models stored with ``store.settings``).

Every threshold of ``docs/health.md`` is a field here, with its default. Component sub-scores
are piecewise linear between a *bad* value (score 0) and a *good* value (score 100); a
:class:`Ramp` holds that pair, and ``good`` may be below ``bad`` when lower is better (days
since the last activity, open tickets). Validation errors name the field, e.g.
``weights.usage`` or ``green_from``, so a settings page can point at the bad input.

Store and load with ``store.settings.save_settings`` / ``load_settings``, which take any model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

COMPONENTS: tuple[str, ...] = (
    "usage",
    "adoption",
    "engagement",
    "support",
    "sentiment",
    "billing",
    "commercial",
)
"""Health components in display order; each has a ``<name>_score`` column."""


class Ramp(BaseModel):
    """A piecewise-linear sub-score: 0 at ``bad`` or worse, 100 at ``good`` or better."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bad: float
    good: float

    @model_validator(mode="after")
    def _distinct(self) -> Ramp:
        if self.bad == self.good:
            raise ValueError(f"bad and good must differ (both are {self.bad:g})")
        return self


class HealthWeights(BaseModel):
    """Weight of each component in the overall score (METRICS.md, Health). Relative, ≥ 0.

    The defaults add up to 100 so they read as percentages; only their ratios matter.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    usage: float = Field(30.0, ge=0)
    adoption: float = Field(10.0, ge=0)
    engagement: float = Field(10.0, ge=0)
    support: float = Field(15.0, ge=0)
    sentiment: float = Field(20.0, ge=0)
    billing: float = Field(10.0, ge=0)
    commercial: float = Field(5.0, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> HealthWeights:
        if all(getattr(self, name) == 0 for name in COMPONENTS):
            raise ValueError("at least one component weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        """Weights keyed by component name, in :data:`COMPONENTS` order."""
        return {name: float(getattr(self, name)) for name in COMPONENTS}


class HealthSettings(BaseModel):
    """Thresholds, weights and bands of the account health score (docs/health.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: HealthWeights = HealthWeights()
    red_below: float = Field(40.0, ge=0, le=100)
    """Scores below this are red."""
    green_from: float = Field(70.0, ge=0, le=100)
    """Scores at or above this are green; between the two, yellow."""

    # usage
    seat_utilisation_pct: Ramp = Ramp(bad=30, good=80)
    """Peak daily active users in the last 30 days as % of seats purchased."""
    usage_change_pct: Ramp = Ramp(bad=-25, good=0)
    """Events in the last 30 days vs the 30 before, % change."""
    # adoption
    features_used_30d: Ramp = Ramp(bad=1, good=5)
    """Most features used on one day in the last 30 days."""
    # engagement
    days_since_activity: Ramp = Ramp(bad=30, good=3)
    """Days since the last day with active users or events."""
    # support
    open_high_priority_tickets: Ramp = Ramp(bad=3, good=0)
    """High or urgent tickets open at the date."""
    sla_breaches_90d: Ramp = Ramp(bad=3, good=0)
    """Tickets opened in the last 90 days that breached their SLA."""
    csat_90d: Ramp = Ramp(bad=3, good=4.5)
    """Mean CSAT (1–5) of tickets closed in the last 90 days."""
    # sentiment
    latest_nps: Ramp = Ramp(bad=6, good=9)
    """Latest NPS answer (0–10) of the last 365 days: detractors 0, promoters 100."""
    # billing
    failed_payments_30d: Ramp = Ramp(bad=2, good=0)
    """Failed payments in the last 30 days."""
    dunning_active: Ramp = Ramp(bad=1, good=0)
    """1 when a failed payment or dunning notice is unresolved, else 0."""
    card_expiring_30d: Ramp = Ramp(bad=1, good=0)
    """1 when the card on file expires within 30 days, else 0."""
    # commercial
    mrr_change_pct_3m: Ramp = Ramp(bad=-20, good=0)
    """MRR now vs the month-end three months earlier, % change."""
    contraction_pct_3m: Ramp = Ramp(bad=20, good=0)
    """Month-over-month MRR decreases over the last three months, % of MRR then."""

    @field_validator("green_from")
    @classmethod
    def _bands_ordered(cls, value: float, info: ValidationInfo) -> float:
        red_below = info.data.get("red_below")
        if red_below is not None and not red_below < value:
            raise ValueError(f"green_from ({value:g}) must be above red_below ({red_below:g})")
        return value

    def ramps(self) -> dict[str, Ramp]:
        """Every sub-score input (a ``health_inputs`` column) with its ramp."""
        return {name: getattr(self, name) for name in RULE_COMPONENT}


RULE_COMPONENT: dict[str, str] = {
    "seat_utilisation_pct": "usage",
    "usage_change_pct": "usage",
    "features_used_30d": "adoption",
    "days_since_activity": "engagement",
    "open_high_priority_tickets": "support",
    "sla_breaches_90d": "support",
    "csat_90d": "support",
    "latest_nps": "sentiment",
    "failed_payments_30d": "billing",
    "dunning_active": "billing",
    "card_expiring_30d": "billing",
    "mrr_change_pct_3m": "commercial",
    "contraction_pct_3m": "commercial",
}
"""Which component each sub-score input belongs to; a component is the mean of its inputs."""


class MomentSettings(BaseModel):
    """Thresholds of the revenue-moment rules (docs/health.md, Revenue moments)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    card_expiring_days: int = Field(30, ge=0)
    """A card expiring within this many days (card_expiring is dated on the expiry day), with
    no card update from this many days before the expiry."""
    payment_issue_days: int = Field(60, ge=1)
    """An unresolved failed payment or dunning notice at most this many days old."""
    reinstated_days: int = Field(30, ge=0)
    """A reinstatement at most this many days old, after a failed payment."""
    upsell_usage_pct: float = Field(80.0, gt=0)
    """Events or active users at or above this % of the plan's included units or seats."""
    usage_drop_pct: float = Field(30.0, gt=0, le=100)
    """Events in the last 30 days down by at least this % vs the 30 days before."""
    underutilised_pct: float = Field(40.0, gt=0)
    """Peak active users below this % of seats purchased."""
    anniversary_days: int = Field(30, ge=0)
    """Anniversary of the first payment at most this many days ago."""
    seat_milestones: tuple[int, ...] = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
    """Seat counts worth celebrating when crossed in the last 30 days."""
    nps_days: int = Field(30, ge=0)
    """NPS answers at most this many days old."""
    nps_detractor_max: int = Field(6, ge=0, le=10)
    """Answers at or below this are detractors (save play)."""
    nps_promoter_min: int = Field(9, ge=0, le=10)
    """Answers at or above this are promoters (ask for a reference)."""
    renewal_window_days: int = Field(120, ge=1)
    """The renewal window a contract enters this many days before its term end."""
    renewal_entered_days: int = Field(30, ge=0)
    """Report renewals that entered the window at most this many days ago."""
    seats_added_min: int = Field(1, ge=1)
    """Seats added in the last 30 days (subscription quantity) to report."""

    @field_validator("nps_promoter_min")
    @classmethod
    def _promoter_above_detractor(cls, value: int, info: ValidationInfo) -> int:
        detractor = info.data.get("nps_detractor_max")
        if detractor is not None and not detractor < value:
            raise ValueError(
                f"nps_promoter_min ({value}) must be above nps_detractor_max ({detractor})"
            )
        return value

    @field_validator("seat_milestones")
    @classmethod
    def _milestones_positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(m <= 0 for m in value):
            raise ValueError("seat milestones must be above 0")
        return tuple(sorted(set(value)))

    @field_validator("renewal_entered_days")
    @classmethod
    def _entered_inside_window(cls, value: int, info: ValidationInfo) -> int:
        window = info.data.get("renewal_window_days")
        if window is not None and value >= window:
            raise ValueError(
                f"renewal_entered_days ({value}) must be below renewal_window_days ({window})"
            )
        return value
