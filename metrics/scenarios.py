"""Churn-scenario arithmetic (METRICS.md, worked examples; issue 'Churn scenarios')."""

from __future__ import annotations


def required_gross_acquisition(*, growth_target: float, churn_rate: float) -> float:
    """New sales needed, as a share of the starting base, to grow by ``growth_target``.

    Under the annual additive convention N·(1 + g − c): g = growth target + churn.
    Example (METRICS.md): growth 50 % with 20 % churn → 70 % of the starting base.
    """
    return growth_target + churn_rate
