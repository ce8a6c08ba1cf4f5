"""Reference tables: the plan catalogue and the monthly exchange rates.

Rates are a seeded, mean-reverting monthly random walk around today's levels (EUR ~1.09,
GBP ~1.27 USD), one row per currency and month from the first month of the demo's history
through as_of's month, so every subscription start has a rate in force.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import catalog as cat
from sample_data.dates import add_months, month_start


def plans_frame() -> pd.DataFrame:
    """Rows of ``plans``: the four plans with limits, then the add-ons (no limits).

    Columns: plan, included_units (events per month), seat_limit.
    """
    names = list(cat.PLANS) + list(cat.ADDON_PLANS)
    extra = len(cat.ADDON_PLANS)
    return pd.DataFrame(
        {
            "plan": names,
            "included_units": pd.array(list(cat.INCLUDED_UNITS) + [None] * extra, "Int64"),
            "seat_limit": pd.array(list(cat.SEAT_LIMITS) + [None] * extra, "Int32"),
        }
    )


def fx_frame(rng: np.random.Generator, first_day: int, as_of_day: int) -> pd.DataFrame:
    """Monthly rates (USD per unit) for EUR and GBP, valid from the first of each month.

    Columns: currency, valid_from (day number), rate.
    """
    first = int(month_start(np.array([first_day]))[0])
    last = int(month_start(np.array([as_of_day]))[0])
    months = add_months(np.full(400, first), np.arange(400))
    months = months[months <= last]
    frames = []
    for currency in ("EUR", "GBP"):
        level = np.log(cat.FX_START[currency])
        shocks = rng.normal(0.0, cat.FX_MONTHLY_SIGMA[currency], size=months.size)
        logs = np.empty(months.size)
        current = level
        for i, shock in enumerate(shocks):
            current = current + 0.15 * (level - current) + shock
            logs[i] = current
        frames.append(
            pd.DataFrame(
                {"currency": currency, "valid_from": months, "rate": np.round(np.exp(logs), 4)}
            )
        )
    return pd.concat(frames, ignore_index=True)
