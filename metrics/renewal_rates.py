"""Renewal rates from renewal outcomes (METRICS.md, Renewals)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RenewalOutcome:
    """One contract that came up for renewal: ARR due and ARR it renewed at (0 = churned)."""

    account_id: str
    arr_due: float
    arr_renewed: float


def gross_renewal_rate(outcomes: Sequence[RenewalOutcome]) -> float | None:
    """Renewed ARR, each capped at its ARR due, / ARR due; None when nothing was due."""
    due = sum(o.arr_due for o in outcomes)
    return None if due == 0 else sum(min(o.arr_renewed, o.arr_due) for o in outcomes) / due


def net_renewal_rate(outcomes: Sequence[RenewalOutcome]) -> float | None:
    """Renewed ARR, uncapped, / ARR due; None when nothing was due."""
    due = sum(o.arr_due for o in outcomes)
    return None if due == 0 else sum(o.arr_renewed for o in outcomes) / due


def logo_renewal_rate(outcomes: Sequence[RenewalOutcome]) -> float | None:
    """Share of accounts due that renewed; None when none was due."""
    if not outcomes:
        return None
    return sum(1 for o in outcomes if o.arr_renewed > 0) / len(outcomes)
