"""metrics.stats against published worked examples and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from metrics.stats import (
    brier_score,
    calibration_table,
    difference_interval,
    roc_auc,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        # Newcombe (1998), single proportion, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(
    successes: int, total: int, low: float, high: float
) -> None:
    got_low, got_high = wilson_interval(successes, total)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(
    ("a", "n", "b", "m", "low", "high"),
    [
        # Newcombe (1998), difference of independent proportions, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_difference_interval_matches_newcombe(
    a: int, n: int, b: int, m: int, low: float, high: float
) -> None:
    got_low, got_high = difference_interval(a, n, b, m)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_intervals_of_empty_groups_are_nan() -> None:
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    assert all(math.isnan(v) for v in difference_interval(1, 2, 0, 0))


def test_roc_auc_by_hand_with_a_tie() -> None:
    # Positives score 0.9, 0.4, 0.8; negatives 0.4, 0.1, 0.5. Of the 9 pairs: 0.9 and 0.8 beat
    # all three negatives (6), 0.4 beats 0.1 (1), ties 0.4 (½), loses to 0.5 → 7.5 / 9.
    labels = [True, True, False, True, False, False]
    scores = [0.9, 0.4, 0.4, 0.8, 0.1, 0.5]
    assert roc_auc(labels, scores) == pytest.approx(7.5 / 9)


def test_roc_auc_extremes_and_missing() -> None:
    assert roc_auc([True, True, False], [3, 2, 1]) == 1.0
    assert roc_auc([True, True, False], [1, 2, 3]) == 0.0
    assert roc_auc([True, False], [5, 5]) == 0.5
    assert math.isnan(roc_auc([True, True], [1, 2]))
    # A NaN score is left out: only (2 vs 1) remains.
    assert roc_auc([True, False, False], [2, 1, float("nan")]) == 1.0


def test_roc_auc_agrees_with_scikit_learn_on_random_data() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    labels = rng.random(500) < 0.3
    scores = np.round(rng.normal(size=500) + labels, 1)  # rounded: many ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_calibration_table_bins_by_hand() -> None:
    # 0.05 and 0.15 fall in bins 0 and 1; 0.95 and 1.0 both in the last bin (1.0 is clipped in).
    table = calibration_table([0.05, 0.15, 0.95, 1.0], [False, True, True, False], bins=10)
    expected = pd.DataFrame({
        "bin_low": [0.0, 0.1, 0.9],
        "bin_high": [0.1, 0.2, 1.0],
        "decisions": [1, 1, 2],
        "mean_predicted": [0.05, 0.15, 0.975],
        "observed_rate": [0.0, 1.0, 0.5],
    })
    assert_frame_equal(table, expected, check_dtype=False)


def test_brier_score_by_hand() -> None:
    # (0.8 − 1)² + (0.3 − 0)² = 0.04 + 0.09 → mean 0.065
    assert brier_score([0.8, 0.3], [True, False]) == pytest.approx(0.065)
