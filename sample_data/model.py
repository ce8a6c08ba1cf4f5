"""The generator's internal subscription-row frame: its columns and codes.

Rows are simulated up to a horizon *after* as_of, so that what is about to happen (a churn in
two months, an upgrade next quarter) can already shape usage, tickets and survey answers.
Only the part up to as_of becomes data (:func:`sample_data.subscriptions.canonical_rows`).

Columns of a row frame, one row per subscription row:

- ``acc``: account index; ``kind``: TRIAL, MAIN (the plan chain), ADDON (recurring add-on)
  or ONE_TIME.
- ``plan``; ``tier``: index into ``catalog.PLANS`` (-1 for add-ons).
- ``billing``: index into ``catalog.BILLING_PERIODS``; ``seats``: quantity.
- ``unit_amount``: price per billing period per seat, in the account's currency.
- ``discount``: percent.
- ``start``, ``end``: day numbers, ``end`` exclusive; ``OPEN`` = still running at the horizon.
- ``reason``: why the row ended (``ONGOING`` when it did not).
- ``immediate``: ended mid-period with the current charge refunded.
- ``involuntary``: ended because the last invoice failed and was never paid.
- ``life_start``: first row after signup, a pause or a churn (usage ramps up from low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRIAL, MAIN, ADDON, ONE_TIME = 0, 1, 2, 3
OPEN = -1

ONGOING = 0
CHURN = 1
PAUSE = 2
EXPANSION = 3
UPGRADE = 4
ANNUAL_SWITCH = 5
CONTRACTION = 6
DOWNGRADE = 7
RENEWAL = 8
CONVERTED = 9
LAPSED = 10
REASON_NAMES = (
    "ongoing",
    "churn",
    "pause",
    "expansion",
    "upgrade",
    "annual_switch",
    "contraction",
    "downgrade",
    "renewal",
    "converted",
    "lapsed",
)
GROWTH_REASONS = (EXPANSION, UPGRADE, ANNUAL_SWITCH)
SHRINK_REASONS = (CONTRACTION, DOWNGRADE)
RISK_REASONS = (CHURN, PAUSE, CONTRACTION, DOWNGRADE, LAPSED)
"""Row endings preceded by a visible at-risk period (declining usage, worse tickets/NPS)."""
CHANGE_REASONS = GROWTH_REASONS + SHRINK_REASONS
"""Row endings where a new row for the same account starts the same day."""

COLUMNS = (
    "acc",
    "kind",
    "plan",
    "tier",
    "billing",
    "seats",
    "unit_amount",
    "discount",
    "start",
    "end",
    "reason",
    "immediate",
    "involuntary",
    "life_start",
)


def row_frame(columns: dict[str, np.ndarray | list]) -> pd.DataFrame:
    """A row frame with every column of ``COLUMNS`` in order and fixed dtypes."""
    frame = pd.DataFrame({name: columns[name] for name in COLUMNS})
    ints = ("acc", "kind", "tier", "billing", "seats", "start", "end", "reason")
    for name in ints:
        frame[name] = frame[name].astype(np.int64)
    for name in ("unit_amount", "discount"):
        frame[name] = frame[name].astype(np.float64)
    for name in ("immediate", "involuntary", "life_start"):
        frame[name] = frame[name].astype(bool)
    frame["plan"] = frame["plan"].astype(object)
    return frame


def covering_rows(rows: pd.DataFrame, acc: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index into ``rows`` of the row of account ``acc`` in force on ``day``, or -1.

    ``rows`` must be sorted by (acc, start) and not overlap per account (plan rows only).
    """
    row_acc = rows["acc"].to_numpy()
    row_start = rows["start"].to_numpy()
    row_end = rows["end"].to_numpy()
    keys = row_acc * (1 << 20) + row_start
    idx = np.searchsorted(keys, acc * (1 << 20) + day, side="right") - 1
    safe = np.maximum(idx, 0)
    inside = (idx >= 0) & (row_acc[safe] == acc) & ((row_end[safe] == OPEN) | (day < row_end[safe]))
    return np.where(inside, idx, -1)
