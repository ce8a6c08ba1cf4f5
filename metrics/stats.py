"""Small statistics for the insight pages: proportions, their intervals, ROC AUC, calibration.

Written out rather than imported so that each formula is visible and tested against published
worked examples (tests/test_insight_stats.py):

- Wilson score interval for one proportion (Newcombe 1998, "Two-sided confidence intervals for
  the single proportion", method 3).
- Newcombe's hybrid score interval for a difference of two independent proportions (Newcombe
  1998, "Interval estimation for the difference between independent proportions", method 10).
- ROC AUC as the Mann-Whitney probability that a random positive scores above a random
  negative, ties counting one half.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054
"""Two-sided 95 % normal quantile."""


def wilson_interval(successes: int, total: int, *, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``successes / total``; (nan, nan) when ``total`` is 0."""
    if total <= 0:
        return math.nan, math.nan
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(
    successes_a: int, total_a: int, successes_b: int, total_b: int, *, z: float = Z_95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_a − p_b; (nan, nan) when a group is empty."""
    if total_a <= 0 or total_b <= 0:
        return math.nan, math.nan
    p_a, p_b = successes_a / total_a, successes_b / total_b
    low_a, high_a = wilson_interval(successes_a, total_a, z=z)
    low_b, high_b = wilson_interval(successes_b, total_b, z=z)
    difference = p_a - p_b
    low = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return low, high


def roc_auc(labels: Sequence[bool] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float:
    """P(score of a random positive > score of a random negative), ties counting ½.

    ``labels`` are True for the positive class. NaN scores are left out. NaN when either class
    is empty. Computed from mid-ranks (the Mann-Whitney U statistic), O(n log n).
    """
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=float)
    keep = ~np.isnan(s)
    y, s = y[keep], s[keep]
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    ranks = pd.Series(s).rank(method="average").to_numpy()
    u = ranks[y].sum() - positives * (positives + 1) / 2
    return float(u / (positives * negatives))


def calibration_table(
    predicted: Sequence[float] | np.ndarray,
    observed: Sequence[bool] | np.ndarray,
    *,
    bins: int = 10,
) -> pd.DataFrame:
    """Predicted probability vs observed rate in ``bins`` equal-width bins of [0, 1].

    Returns:
        One row per non-empty bin, in order. Columns: bin_low, bin_high (probability bounds),
        decisions (count), mean_predicted, observed_rate (share of ``observed`` True).
    """
    p = np.clip(np.asarray(predicted, dtype=float), 0.0, 1.0)
    y = np.asarray(observed, dtype=bool)
    index = np.minimum((p * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": index, "p": p, "y": y.astype(float)})
    grouped = frame.groupby("bin", sort=True).agg(
        decisions=("p", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean")
    )
    grouped.insert(0, "bin_high", (grouped.index + 1) / bins)
    grouped.insert(0, "bin_low", grouped.index / bins)
    return grouped.reset_index(drop=True)


def brier_score(
    predicted: Sequence[float] | np.ndarray, observed: Sequence[bool] | np.ndarray
) -> float:
    """Mean squared difference between predicted probability and the 0/1 outcome."""
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(observed, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(p) else math.nan
