"""Rates derived from the monthly bridge (METRICS.md, MRR and Rates).

Pure pandas on the frame from :func:`metrics.movements.mrr_movements`. A rate whose
denominator is 0 is missing (NaN), shown as "n/a", never infinity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0."""
    denominator = denominator.astype(float)
    return numerator.astype(float) / denominator.where(denominator != 0, np.nan)


def mrr_summary(movements: pd.DataFrame) -> pd.DataFrame:
    """MRR, ARR (= 12 x MRR), customers and ARPA (= MRR / customers) by month.

    Columns: month, mrr, arr, customers, arpa. Money per month in the reporting currency.
    """
    return pd.DataFrame(
        {
            "month": movements["month"],
            "mrr": movements["mrr_end"].astype(float),
            "arr": 12 * movements["mrr_end"].astype(float),
            "customers": movements["customers"].astype(int),
            "arpa": _ratio(movements["mrr_end"], movements["customers"]),
        }
    ).reset_index(drop=True)


def churn_rates(movements: pd.DataFrame) -> pd.DataFrame:
    """Monthly churn rates and quick ratios.

    Columns: month, customers_start, churned_customers, logo_churn_rate (churned /
    customers at start), gross_mrr_churn_rate ((churn + contraction) / MRR at start),
    net_mrr_churn_rate ((churn + contraction - expansion - reactivation) / MRR at start, may be
    negative), quick_ratio ((new + expansion) / (churn + contraction)),
    quick_ratio_with_reactivation (reactivation added to the numerator). Rates are fractions.
    """
    lost = movements["churn"] + movements["contraction"]
    return pd.DataFrame(
        {
            "month": movements["month"],
            "customers_start": movements["customers_start"].astype(int),
            "churned_customers": movements["churned_customers"].astype(int),
            "logo_churn_rate": _ratio(
                movements["churned_customers"], movements["customers_start"]
            ),
            "gross_mrr_churn_rate": _ratio(lost, movements["mrr_start"]),
            "net_mrr_churn_rate": _ratio(
                lost - movements["expansion"] - movements["reactivation"], movements["mrr_start"]
            ),
            "quick_ratio": _ratio(movements["new"] + movements["expansion"], lost),
            "quick_ratio_with_reactivation": _ratio(
                movements["new"] + movements["expansion"] + movements["reactivation"], lost
            ),
        }
    ).reset_index(drop=True)


def gross_mrr_churn_rate(*, mrr_start: float, churn: float, contraction: float) -> float | None:
    """(churn + contraction) / MRR at start; None when MRR at start is 0."""
    return None if mrr_start == 0 else (churn + contraction) / mrr_start


def net_mrr_churn_rate(
    *, mrr_start: float, churn: float, contraction: float, expansion: float,
    reactivation: float = 0.0,
) -> float | None:
    """(churn + contraction - expansion - reactivation) / MRR at start; None at MRR 0."""
    if mrr_start == 0:
        return None
    return (churn + contraction - expansion - reactivation) / mrr_start


def quick_ratio(
    *, new: float, expansion: float, churn: float, contraction: float, reactivation: float = 0.0
) -> float | None:
    """(new + expansion [+ reactivation]) / (churn + contraction); None when nothing was lost."""
    lost = churn + contraction
    return None if lost == 0 else (new + expansion + reactivation) / lost


def arpa(mrrs: list[float]) -> float | None:
    """Average MRR per paying account; None when there are none."""
    paying = [m for m in mrrs if m > 0]
    return None if not paying else sum(paying) / len(paying)
