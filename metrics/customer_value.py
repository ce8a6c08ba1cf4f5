"""Customer value beyond CLV: a 0–100 value score per customer (issue #7).

Rules: ``docs/customer-value.md`` (every input, scale and default) and ``../shared/METRICS.md``
(Rates: CLV as net present value; Health: the weighted score with missing components left out
and the weights renormalised). Higher is worth more.

Five components, each 0–100 or "no data" (NaN, never 0):

- ``clv``: percentile rank of the account's CLV among the customers shown. CLV is the NPV of
  the account's monthly margin with cash at period end, ``m·r / (1 + i − r)`` (METRICS.md), with
  m = MRR × ``margin_pct``, r = 1 − the trailing monthly logo churn used for LTV
  (:func:`metrics.lifetime_value.trailing_churn_for_ltv` over :func:`metrics.rates.churn_rates`)
  and i the monthly equivalent of ``annual_discount_rate_pct``.
- ``advocacy``: the latest NPS answer of the last 365 days (promoter 100, passive 50,
  detractor 0) mixed with the ``accounts.referenceable`` flag.
- ``influence``, ``feedback``: a count from a custom attribute (references given, tickets
  that led to fixes), 100 at ``*_full_at`` or more, linear below.
- ``strategic``: a custom attribute holding a level (low / medium / high by default) or a
  number on a 0–100 or 0–10 scale.

The value score is :func:`metrics.health_score.weighted_score` of the five. Raw inputs come
from ``sql/customer_value*.sql``; scoring is pandas (:func:`score_value`), so it can be tested
on hand-typed frames.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import duckdb
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from metrics.filters import Filters, month_start
from metrics.health_score import weighted_score
from metrics.lifetime_value import clv_npv_cash_at_end, trailing_churn_for_ltv
from metrics.movements import mrr_movements
from metrics.rates import churn_rates
from metrics.snapshots import subscription_mrr_cte
from store.settings import MetricSettings, load_settings
from store.sql import load_sql

COMPONENTS: tuple[str, ...] = ("clv", "advocacy", "influence", "feedback", "strategic")
"""Value components in display order; each has a ``<name>_score`` column."""
SCORE_COLUMNS: tuple[str, ...] = tuple(f"{name}_score" for name in COMPONENTS)

PROMOTER_MIN = 9
"""NPS answers 9–10 are promoters (the standard NPS definition)."""
DETRACTOR_MAX = 6
"""NPS answers 0–6 are detractors; 7–8 are passives."""
NPS_POINTS = {"promoter": 100.0, "passive": 50.0, "detractor": 0.0}

QUADRANTS: tuple[str, ...] = (
    "Worth more than revenue says",
    "High revenue, high value",
    "Worth less than revenue says",
    "Low on both",
)
"""Quadrant labels: value above the median with CLV not above it, both above, CLV above the
median with value not above it, neither above."""

VALUE_COLUMNS: tuple[str, ...] = (
    "account_id", "name", "segment", "csm_owner", "mrr", "arr", "clv", *SCORE_COLUMNS,
    "value_score", "value_rank", "clv_rank", "rank_gap", "missing_components", "quadrant",
    "latest_nps", "latest_nps_on", "referenceable", "influence_value", "feedback_value",
    "strategic_value",
)
"""Columns of :func:`customer_value`, in order."""


# --- settings ---------------------------------------------------------------------------------


class ValueWeights(BaseModel):
    """Weight of each component in the value score (relative, ≥ 0, not all 0).

    The defaults add up to 100 so they read as percentages; only their ratios matter.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    clv: float = Field(40.0, ge=0)
    advocacy: float = Field(20.0, ge=0)
    influence: float = Field(15.0, ge=0)
    feedback: float = Field(10.0, ge=0)
    strategic: float = Field(15.0, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> ValueWeights:
        if all(getattr(self, name) == 0 for name in COMPONENTS):
            raise ValueError("at least one component weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        """Weights keyed by component name, in :data:`COMPONENTS` order."""
        return {name: float(getattr(self, name)) for name in COMPONENTS}


DEFAULT_LEVELS: dict[str, float] = {"low": 0.0, "medium": 50.0, "high": 100.0}


class ValueSettings(BaseModel):
    """Weights, CLV inputs, attribute names and scales of the value score
    (docs/customer-value.md). Stored with ``store.settings.save_settings``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weights: ValueWeights = ValueWeights()
    margin_pct: float = Field(100.0, gt=0, le=100)
    """Margin as % of MRR; 100 when no margin is known (CLV is then revenue, not profit)."""
    annual_discount_rate_pct: float = Field(10.0, gt=0, le=100)
    """Yearly discount rate of the CLV; monthly i = (1 + annual)^(1/12) − 1. Above 0, so the CLV
    stays finite when nobody churned."""
    referenceable_pct: float = Field(25.0, ge=0, le=100)
    """Share of the advocacy score carried by the referenceable flag when an NPS answer exists."""
    influence_attribute: str = "references_given"
    """Custom attribute holding references given (a number ≥ 0)."""
    influence_full_at: float = Field(5.0, gt=0)
    """References given that score 100."""
    feedback_attribute: str = "feedback_fixes"
    """Custom attribute holding tickets that led to fixes (a number ≥ 0)."""
    feedback_full_at: float = Field(3.0, gt=0)
    """Fixes that score 100."""
    strategic_attribute: str = "strategic_fit"
    """Custom attribute holding the strategic fit: a level or a number."""
    strategic_levels: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_LEVELS))
    """Level (compared ignoring case and surrounding spaces) → score 0–100."""
    strategic_scale: Literal[10, 100] = 100
    """Numeric strategic values run 0–``strategic_scale`` (scaled to 0–100)."""

    @field_validator("influence_attribute", "feedback_attribute", "strategic_attribute")
    @classmethod
    def _attribute_name(cls, value: str) -> str:
        name = value.strip()
        if not name:
            raise ValueError("an attribute name cannot be empty")
        if len(name) > 200:
            raise ValueError("an attribute name must be at most 200 characters")
        return name

    @field_validator("strategic_levels")
    @classmethod
    def _levels(cls, value: dict[str, float]) -> dict[str, float]:
        levels: dict[str, float] = {}
        for raw, score in value.items():
            level = raw.strip().lower()
            if not level:
                raise ValueError("a strategic level name cannot be empty")
            if _number(level) is not None:
                raise ValueError(f"strategic level '{raw}' is a number: numbers are read on the "
                                 "0–100 or 0–10 scale, name levels with words")
            if level in levels:
                raise ValueError(f"strategic level '{level}' is given twice")
            if not 0 <= float(score) <= 100:
                raise ValueError(f"strategic level '{level}' scores {score:g}; scores run 0–100")
            levels[level] = float(score)
        if not levels:
            raise ValueError("give at least one strategic level, e.g. low=0, medium=50, high=100")
        return levels


def parse_strategic_levels(text: str) -> dict[str, float]:
    """``"low=0, medium=50, high=100"`` → ``{"low": 0.0, ...}``.

    Raises:
        ValueError: a part is not ``name=number``, in plain words.
    """
    levels: dict[str, float] = {}
    for part in re.split(r"[,;\n]", text):
        if not part.strip():
            continue
        name, sep, score = part.partition("=")
        number = _number(score.strip())
        if not sep or not name.strip() or number is None:
            raise ValueError(f"'{part.strip()}' is not name=score (for example high=100)")
        levels[name.strip()] = number
    return levels


def format_strategic_levels(levels: dict[str, float]) -> str:
    """The inverse of :func:`parse_strategic_levels`: ``"low=0, medium=50, high=100"``."""
    return ", ".join(f"{name}={score:g}" for name, score in levels.items())


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# --- CLV inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClvAssumptions:
    """The inputs every account's CLV shares (METRICS.md, Rates)."""

    monthly_logo_churn: float | None
    """Mean monthly logo churn of the six months before the as-of month (as for LTV); None
    when no such month had customers at its start."""
    monthly_discount_rate: float
    """i = (1 + annual rate)^(1/12) − 1."""
    margin: float
    """Margin as a fraction of MRR."""

    @property
    def retention(self) -> float | None:
        """r = 1 − monthly logo churn; None when churn is unknown."""
        return None if self.monthly_logo_churn is None else 1 - self.monthly_logo_churn


def monthly_discount_rate(annual_pct: float) -> float:
    """Monthly rate equivalent to ``annual_pct`` % a year: (1 + annual)^(1/12) − 1."""
    return (1 + annual_pct / 100) ** (1 / 12) - 1


def clv_assumptions(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: ValueSettings | None = None,
    filters: Filters | None = None,
) -> ClvAssumptions:
    """Churn, discount rate and margin of the CLV on ``as_of`` for the filters.

    The churn is the one the Executive page's LTV uses for the same filters (the month range of
    the filters is not used: the six months before the as-of month always count).
    """
    settings = settings if settings is not None else load_settings(con, ValueSettings)
    movements = mrr_movements(con, as_of=as_of, filters=_account_filters(filters))
    churn = None if movements.empty else trailing_churn_for_ltv(churn_rates(movements))
    return ClvAssumptions(
        monthly_logo_churn=churn,
        monthly_discount_rate=monthly_discount_rate(settings.annual_discount_rate_pct),
        margin=settings.margin_pct / 100,
    )


def _account_filters(filters: Filters | None) -> Filters:
    return replace(filters or Filters(), start_month=None, end_month=None)


# --- inputs and scores ------------------------------------------------------------------------

NO_ATTRIBUTE_FILTER: dict[str, object] = {"attribute": "", "attribute_values": []}
"""Parameters of the custom-attribute filter clause when :class:`Filters` does not set them."""


def value_inputs(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: ValueSettings | None = None,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Raw inputs of every customer (MRR > 0 on ``as_of``) for the filters.

    Filters: segment, region, CSM owner (and a custom attribute, when :class:`Filters` sets
    one) select accounts; plan keeps accounts with MRR on one of the plans on ``as_of``; the
    month range is not used.

    Returns:
        One row per customer, ordered by account_id: account_id, name, segment, csm_owner,
        mrr (the account's whole MRR on ``as_of``, reporting currency per month), latest_nps
        (0–10, the latest answer of the last 365 days; NA when none), latest_nps_on (date),
        referenceable (bool), influence_value, feedback_value, strategic_value (the attribute's
        text, trimmed; None when the account has none or it is blank).
    """
    settings = settings if settings is not None else load_settings(con, ValueSettings)
    metric = load_settings(con, MetricSettings)
    filters = filters or Filters()
    sql = (
        load_sql(__file__, "sql/customer_value_head.sql")
        + subscription_mrr_cte()
        + load_sql(__file__, "sql/customer_value.sql")
    )
    frame = con.execute(
        sql,
        {
            **NO_ATTRIBUTE_FILTER,
            **filters.sql_params(),
            "month": month_start(as_of),
            "as_of": as_of,
            "reporting_currency": metric.reporting_currency,
            "deduct_discounts": metric.deduct_discounts,
            "influence_attribute": settings.influence_attribute,
            "feedback_attribute": settings.feedback_attribute,
            "strategic_attribute": settings.strategic_attribute,
        },
    ).df()
    frame["mrr"] = frame["mrr"].astype(float)
    frame["latest_nps"] = frame["latest_nps"].astype("Int64")
    frame["latest_nps_on"] = pd.to_datetime(frame["latest_nps_on"]).dt.date
    frame["referenceable"] = frame["referenceable"].astype(bool)
    for column in ("influence_value", "feedback_value", "strategic_value"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def attribute_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Custom attribute names stored in ``account_attributes``.

    Returns:
        Columns: name (as stored), accounts (accounts with a non-blank value); most accounts
        first, then name.
    """
    frame = con.execute(load_sql(__file__, "sql/attribute_names.sql")).df()
    frame["accounts"] = frame["accounts"].astype("int64")
    return frame


def percentile_score(values: pd.Series) -> pd.Series:
    """100 × (rank − 1) / (n − 1) over the values present, ranks ascending, ties sharing their
    mean rank: the lowest scores 0, the highest 100; a single value scores 100; NaN stays NaN."""
    present = values.astype(float).dropna()
    scores = pd.Series(np.nan, index=values.index, dtype=float)
    if len(present) == 1:
        scores[present.index] = 100.0
    elif len(present) > 1:
        ranks = present.round(6).rank(method="average", ascending=True)
        scores[present.index] = 100 * (ranks - 1) / (len(present) - 1)
    return scores


def advocacy_score(
    latest_nps: pd.Series, referenceable: pd.Series, *, referenceable_pct: float
) -> pd.Series:
    """Advocacy 0–100 from the latest NPS answer and the referenceable flag.

    With an answer: (1 − ρ) × NPS points + ρ × (100 if referenceable else 0), ρ =
    ``referenceable_pct`` / 100, NPS points: promoter (9–10) 100, passive (7–8) 50, detractor
    (0–6) 0. Without an answer: 100 when referenceable, else no data (NaN): the flag defaults
    to false, so false alone says nothing.
    """
    nps = pd.to_numeric(latest_nps, errors="coerce").astype(float).to_numpy()
    ref = referenceable.fillna(False).astype(bool).to_numpy()
    points = np.select(
        [nps >= PROMOTER_MIN, nps > DETRACTOR_MAX],
        [NPS_POINTS["promoter"], NPS_POINTS["passive"]],
        default=NPS_POINTS["detractor"],
    )
    share = referenceable_pct / 100
    answered = (1 - share) * points + share * 100 * ref
    scores = np.where(np.isnan(nps), np.where(ref, 100.0, np.nan), answered)
    return pd.Series(scores, index=latest_nps.index, dtype=float)


def _numbers(texts: pd.Series) -> pd.Series:
    """Each text as a finite number, NaN when it is not one."""
    numbers = texts.map(lambda t: _number(t.strip()) if isinstance(t, str) else None)
    return pd.to_numeric(numbers, errors="coerce").astype(float)


def count_score(texts: pd.Series, *, full_at: float) -> pd.Series:
    """100 × min(n, ``full_at``) / ``full_at`` for a count n ≥ 0 given as text; a missing,
    non-numeric or negative value is no data (NaN)."""
    numbers = _numbers(texts)
    numbers = numbers.where(numbers >= 0)
    return 100 * numbers.clip(upper=full_at) / full_at


def strategic_score(texts: pd.Series, *, levels: dict[str, float], scale: int) -> pd.Series:
    """A level's score (name compared ignoring case and surrounding spaces), else a number on
    0–``scale`` times 100 / ``scale``; anything else (unknown word, out-of-range number) is no
    data (NaN)."""
    keys = texts.map(lambda t: t.strip().lower() if isinstance(t, str) else None)
    by_level = pd.to_numeric(keys.map(levels), errors="coerce").astype(float)
    numbers = _numbers(texts)
    by_number = (numbers.where((numbers >= 0) & (numbers <= scale)) * 100 / scale)
    return by_level.fillna(by_number)


def _ranks(values: pd.Series) -> pd.Series:
    """1 = highest; ties share the best rank (1, 2, 2, 4); NA stays NA."""
    return values.astype(float).round(6).rank(method="min", ascending=False).astype("Int64")


def _quadrants(clv: pd.Series, value: pd.Series) -> pd.Series:
    """Quadrant label of each account; "above" is strictly above the median of those shown."""
    both = clv.notna() & value.notna()
    labels = pd.Series(None, index=clv.index, dtype=object)
    if not both.any():
        return labels
    high_clv = clv > clv[both].median()
    high_value = value > value[both].median()
    choices = np.select(
        [high_value & ~high_clv, high_value & high_clv, ~high_value & high_clv],
        list(QUADRANTS[:3]), default=QUADRANTS[3],
    )
    labels[both] = choices[both.to_numpy()]
    return labels


def score_value(
    inputs: pd.DataFrame, *, settings: ValueSettings, assumptions: ClvAssumptions
) -> pd.DataFrame:
    """Scores, value score and ranks from :func:`value_inputs` rows; see :func:`customer_value`."""
    frame = inputs.copy()
    frame["arr"] = 12 * frame["mrr"]
    retention = assumptions.retention
    if retention is None:
        frame["clv"] = np.nan
    else:
        frame["clv"] = [
            clv_npv_cash_at_end(margin=mrr * assumptions.margin, retention=retention,
                                discount_rate=assumptions.monthly_discount_rate)
            for mrr in frame["mrr"]
        ]
    frame["clv"] = frame["clv"].astype(float)
    frame["clv_score"] = percentile_score(frame["clv"])
    frame["advocacy_score"] = advocacy_score(
        frame["latest_nps"], frame["referenceable"], referenceable_pct=settings.referenceable_pct
    )
    frame["influence_score"] = count_score(frame["influence_value"],
                                           full_at=settings.influence_full_at)
    frame["feedback_score"] = count_score(frame["feedback_value"],
                                          full_at=settings.feedback_full_at)
    frame["strategic_score"] = strategic_score(
        frame["strategic_value"], levels=settings.strategic_levels,
        scale=settings.strategic_scale,
    )
    weights = settings.weights.as_dict()
    combined = [
        weighted_score({name: row[f"{name}_score"] for name in COMPONENTS}, weights)
        for _, row in frame[list(SCORE_COLUMNS)].iterrows()
    ]
    frame["value_score"] = pd.Series(
        [np.nan if score is None else score for score, _ in combined],
        index=frame.index, dtype=float,
    )
    frame["missing_components"] = [", ".join(missing) for _, missing in combined]
    frame["value_rank"] = _ranks(frame["value_score"])
    frame["clv_rank"] = _ranks(frame["clv"])
    frame["rank_gap"] = (frame["clv_rank"] - frame["value_rank"]).astype("Int64")
    frame["quadrant"] = _quadrants(frame["clv"], frame["value_score"])
    frame = frame.sort_values(["value_rank", "account_id"], na_position="last", kind="stable")
    return frame[list(VALUE_COLUMNS)].reset_index(drop=True)


def customer_value(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: ValueSettings | None = None,
    filters: Filters | None = None,
    assumptions: ClvAssumptions | None = None,
) -> pd.DataFrame:
    """The value score of every customer (MRR > 0 on ``as_of``), best first.

    ``settings`` default to the stored :class:`ValueSettings`; ``assumptions`` to
    :func:`clv_assumptions` for the same date, settings and filters (pass them to reuse them).
    Filters as in :func:`value_inputs`.

    Returns:
        One row per customer, ordered by value_rank (accounts without a value score last),
        then account_id. Columns: account_id, name, segment, csm_owner; mrr (reporting currency
        per month, on ``as_of``), arr (12 × mrr); clv (NPV of the margin, reporting currency;
        NaN when the churn is unknown); clv_score, advocacy_score, influence_score,
        feedback_score, strategic_score (0–100, NaN = no data); value_score (0–100, weighted
        mean of the components with data, NaN when none has data); value_rank, clv_rank (1 =
        highest, ties share the best rank; Int64, NA when missing); rank_gap (clv_rank −
        value_rank: positive = worth more than revenue says); missing_components
        (comma-separated component names, '' when none); quadrant (one of :data:`QUADRANTS`
        against the medians of clv and value_score, None without both); then the raw inputs
        of :func:`value_inputs` from latest_nps on.
    """
    settings = settings if settings is not None else load_settings(con, ValueSettings)
    if assumptions is None:
        assumptions = clv_assumptions(con, as_of=as_of, settings=settings, filters=filters)
    inputs = value_inputs(con, as_of=as_of, settings=settings, filters=filters)
    return score_value(inputs, settings=settings, assumptions=assumptions)
