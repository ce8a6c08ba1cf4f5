"""Health back-test pieces on hand-typed frames (docs/insights.md, Health back-test)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics.backtest import (
    backtest_from_signals,
    rates_by_band,
    score_calibration,
    weighted_scores,
)
from metrics.driver_signals import BUILT_IN_SIGNALS, DecisionSignals
from metrics.health_settings import COMPONENTS, HealthSettings
from metrics.stats import wilson_interval

SETTINGS = HealthSettings()  # bands: red below 40, green from 70


def _frame(
    scores: list[float | None], renewed: list[bool], **components: list[float]
) -> pd.DataFrame:
    frame = pd.DataFrame({
        "decision_id": range(len(scores)),
        "renewed": renewed,
        "kind": "retained",
        "health_score": pd.array(scores, dtype="Float64").astype(float),
    })
    for name in COMPONENTS:
        frame[f"{name}_score"] = components.get(name, [math.nan] * len(scores))
    return frame


def test_weighted_scores_follow_the_metrics_md_example() -> None:
    # METRICS.md, worked examples: weights 20, 15, 22 and scores 47, 59, 21 → 40.12.
    frame = _frame([None], [True], usage=[47.0], adoption=[59.0], engagement=[21.0])
    got = weighted_scores(frame, {"usage": 20, "adoption": 15, "engagement": 22})
    assert got.iloc[0] == pytest.approx((20 * 47 + 15 * 59 + 22 * 21) / 57)
    assert round(got.iloc[0], 2) == 40.12
    # A missing component is left out and the weights renormalised: (20·47) / 20.
    frame.loc[0, "adoption_score"] = math.nan
    frame.loc[0, "engagement_score"] = math.nan
    assert weighted_scores(frame, {"usage": 20, "adoption": 15, "engagement": 22}).iloc[0] == 47


def test_rates_by_band_and_calibration_by_hand() -> None:
    # Scores 80 (renewed), 30 (churned), 45 (renewed), 50 (churned), none (renewed).
    frame = _frame([80, 30, 45, 50, None], [True, False, True, False, True])
    bands = rates_by_band(frame, SETTINGS).set_index("band")
    assert list(bands.index) == ["red", "yellow", "green", "no data"]
    assert list(bands["decisions"]) == [1, 2, 1, 1]
    assert list(bands["renewal_rate"]) == [0.0, 0.5, 1.0, 1.0]
    assert (bands.loc["yellow", "ci_low"], bands.loc["yellow", "ci_high"]) == wilson_interval(1, 2)
    calibration = score_calibration(frame)
    assert list(calibration["score_low"]) == [30, 40, 50, 80]
    assert list(calibration["renewal_rate"]) == [0.0, 1.0, 0.0, 1.0]


def test_backtest_auc_by_hand() -> None:
    # Renewals scored 80 and 45, churns 30 and 50: pairs 80>30, 80>50, 45>30 win, 45<50 loses
    # → AUC 3/4. The unscored decision is counted but not in the AUC.
    frame = _frame([80, 30, 45, 50, None], [True, False, True, False, True])
    signals = DecisionSignals(frame, BUILT_IN_SIGNALS, excluded=0)
    found = backtest_from_signals(signals, settings=SETTINGS, as_of=date(2024, 12, 31),
                                  lead_days=90, window_days=365)
    assert found.auc == 0.75
    assert (found.decisions, found.scored) == (5, 4)
    assert found.renewal_rate == 0.6
    assert found.suggested_weights() is None  # too few decisions to learn from
    assert "at least 10 renewals" in found.note


def test_suggested_weights_favour_the_component_that_predicts() -> None:
    # 60 decisions: billing is 90 for every renewal and 20 for every churn; usage is noise
    # that does not differ between them. Current weights favour usage (30 vs 10).
    rng = np.random.default_rng(0)
    renewed = [i % 2 == 0 for i in range(60)]
    billing = [90.0 if r else 20.0 for r in renewed]
    usage = list(rng.uniform(0, 100, 60))
    current = HealthSettings().weights.as_dict()
    frame = _frame([None] * 60, renewed, billing=billing, usage=usage)
    frame["health_score"] = weighted_scores(frame, current)
    found = backtest_from_signals(DecisionSignals(frame, BUILT_IN_SIGNALS, excluded=0),
                                  settings=SETTINGS, as_of=date(2024, 12, 31), lead_days=90,
                                  window_days=365)
    weights = found.weights.set_index("component")
    assert weights.loc["billing", "suggested"] > weights.loc["usage", "suggested"]
    # The learned components (usage, billing) share their current total 30 + 10 = 40;
    # the others keep their weights.
    assert weights.loc[["usage", "billing"], "suggested"].sum() == pytest.approx(40, abs=0.1)
    for name in ("adoption", "engagement", "support", "sentiment", "commercial"):
        assert weights.loc[name, "suggested"] == weights.loc[name, "current"]
        assert not weights.loc[name, "learned"]
    assert found.suggested_auc_test == 1.0
    assert found.suggested_auc_test >= found.current_auc_test
    assert found.suggested_weights() is not None
