"""Overall health score from component scores (METRICS.md, Health).

Higher is healthier. Component scoring and bands are configured elsewhere; this module holds
the combination rule every screen uses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping


def weighted_score(
    scores: Mapping[str, float | None], weights: Mapping[str, float]
) -> tuple[float | None, list[str]]:
    """Σ wᵢ·sᵢ / Σ wᵢ over components that have a score; also the names of those missing.

    Missing components (None or NaN) are left out and the remaining weights renormalised.
    Returns (None, missing) when no weighted component has data.
    """
    total = 0.0
    weight_sum = 0.0
    missing: list[str] = []
    for name, weight in weights.items():
        score = scores.get(name)
        if score is None or (isinstance(score, float) and math.isnan(score)):
            missing.append(name)
            continue
        total += weight * score
        weight_sum += weight
    return (None if weight_sum == 0 else total / weight_sum), missing
