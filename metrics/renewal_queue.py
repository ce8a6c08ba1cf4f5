"""The 90–120-day renewal queue and the overdue list (METRICS.md, Renewals; docs/renewals.md).

An account's next renewal date is the earliest term_end on or after as-of of a recurring,
non-trial subscription in force on as-of. The queue holds the accounts whose next renewal
date lies in [as-of + window_start_days, as-of + window_end_days], both ends included (day
arithmetic, so leap days and month ends need no special case). The contact deadline is the
window's far edge: contact_by = renewal date − window_start_days, the last day to reach out
window_start_days ahead. A touch is a logged change with a status other than 'not contacted'
(``store.renewal_work``); overdue = contact_by before as-of and no touch for that renewal.

Accounts whose next renewal is closer than window_start_days without any touch are listed by
:func:`overdue_renewals`, so nobody is silently missed once the queue has moved past them.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from metrics.filters import Filters
from metrics.health import health_history, score_trend
from metrics.moments import revenue_moments
from metrics.renewal_outcomes import resolve_settings
from metrics.renewal_settings import RenewalSettings
from metrics.renewals import (
    apply_likelihood,
    current_status,
    renewal_likelihood,
    upcoming_renewals,
)
from store.renewal_work import current_work

QUEUE_COLUMNS: tuple[str, ...] = (
    "account_id", "name", "csm_owner", "segment", "renewal_date", "days_to_renewal",
    "contact_by", "overdue", "arr", "health_score", "band", "health_change", "open_moments",
    "open_moment_types", "last_touch", "status", "next_step", "likelihood", "likelihood_basis",
    "arr_at_risk",
)
LEFT_OUT_MOMENTS = ("renewal_window",)
"""Moment types not counted as open moments in the queue: every queued account has the
renewal-window moment, so it would only add noise."""
MOMENT_LIST_MAX = 3
"""open_moment_types names at most this many moment types, then '+N more'."""


def _moment_summary(moments: pd.DataFrame) -> pd.DataFrame:
    """Count and short list (alphabetical moment types) of open moments per account."""
    kept = moments.loc[~moments["moment_type"].isin(LEFT_OUT_MOMENTS),
                       ["account_id", "moment_type"]]
    counts = kept.groupby("account_id", sort=True).size()
    types = (kept.drop_duplicates().sort_values(["account_id", "moment_type"])
             .groupby("account_id", sort=True)["moment_type"].agg(list))

    def shown(names: list[str]) -> str:
        text = ", ".join(names[:MOMENT_LIST_MAX])
        extra = len(names) - MOMENT_LIST_MAX
        return text + (f" +{extra} more" if extra > 0 else "")

    return pd.DataFrame({
        "account_id": counts.index.to_numpy(dtype=object),
        "open_moments": counts.to_numpy(dtype="int64"),
        "open_moment_types": [shown(types[a]) for a in counts.index],
    })


def _renewal_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings,
    filters: Filters | None,
    owner: str | None,
    likelihood: pd.DataFrame | None,
    health: pd.DataFrame | None,
    moments: pd.DataFrame | None,
    first_day: int,
    last_day: int,
    untouched_only: bool = False,
) -> pd.DataFrame:
    """Queue rows for accounts whose next renewal is first_day..last_day days after as_of."""
    if likelihood is None:
        likelihood = renewal_likelihood(con, as_of=as_of, settings=settings)
    frame = upcoming_renewals(
        con, as_of=as_of, due_from=as_of + timedelta(days=first_day),
        due_to=as_of + timedelta(days=last_day), next_only=True, filters=filters, owner=owner,
    )
    frame = current_status(current_work(con), frame).rename(columns={"last_touch_at": "last_touch"})
    if untouched_only:
        frame = frame.loc[frame["last_touch"].isna()].reset_index(drop=True)
    ids = frame["account_id"].tolist()
    if health is None:
        health = health_history(con, as_of=as_of, months=2, account_ids=ids)
    trend = score_trend(health.loc[health["account_id"].isin(ids)], as_of=as_of)
    if moments is None:
        moments = revenue_moments(con, as_of=as_of, account_ids=ids)
    moments = moments.loc[moments["account_id"].isin(ids)]
    frame = frame.merge(
        trend[["account_id", "health_score", "band", "change"]].rename(
            columns={"change": "health_change"}),
        on="account_id", how="left",
    )
    frame["band"] = frame["band"].astype(object).where(frame["band"].notna(), None)
    frame = frame.merge(_moment_summary(moments), on="account_id", how="left")
    frame["open_moments"] = frame["open_moments"].fillna(0).astype("int64")
    frame["open_moment_types"] = (
        frame["open_moment_types"].astype(object).where(frame["open_moment_types"].notna(), "")
    )
    frame = apply_likelihood(frame, likelihood)
    frame["days_to_renewal"] = np.array(
        [(d - as_of).days for d in frame["renewal_date"]], dtype="int64"
    )
    frame["contact_by"] = pd.Series(
        [d - timedelta(days=settings.window_start_days) for d in frame["renewal_date"]],
        index=frame.index, dtype=object,
    )
    frame["overdue"] = np.array(
        [c < as_of for c in frame["contact_by"]], dtype=bool
    ) & frame["last_touch"].isna().to_numpy()
    frame["arr_at_risk"] = frame["arr"] * (1 - frame["likelihood"])
    frame["health_score"] = frame["health_score"].astype(float)
    frame["health_change"] = frame["health_change"].astype(float)
    frame["last_touch"] = pd.to_datetime(frame["last_touch"])
    return frame[list(QUEUE_COLUMNS)]


def renewal_queue(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    filters: Filters | None = None,
    owner: str | None = None,
    likelihood: pd.DataFrame | None = None,
    health: pd.DataFrame | None = None,
    moments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Accounts whose next renewal is window_start_days…window_end_days after ``as_of``.

    Filters: segment, region and CSM owner select accounts, ``owner`` (a CSM, "my book") too;
    plan keeps accounts whose next renewal includes a subscription on the plan; the month
    range is not used.

    The costly inputs can be passed in when the caller already has them (the dashboard keeps
    them per data version), else they are computed for the queued accounts only:
    ``likelihood``, a :func:`metrics.renewals.renewal_likelihood` table; ``health``, a
    :func:`metrics.health.health_history` frame covering ``as_of``'s month and the month
    before; ``moments``, a :func:`metrics.moments.revenue_moments` frame on ``as_of``.

    Returns:
        One row per account, ordered by arr_at_risk descending, then account_id; columns
        :data:`QUEUE_COLUMNS`: account_id, name, csm_owner, segment; renewal_date
        (``datetime.date``); days_to_renewal (days); contact_by (renewal_date −
        window_start_days); overdue (bool, contact_by before as-of and no touch; inside the
        default window always False); arr (12 × MRR on as-of, reporting currency per year);
        health_score (0–100 on as-of, higher is healthier, NaN = none), band (None = none),
        health_change (score points since last month's end, NaN when either is missing);
        open_moments (count of revenue moments on as-of, renewal_window left out) and
        open_moment_types (up to three types, comma-separated, '' when none); last_touch
        (latest touch, naive UTC timestamp, NaT = none); status (latest work status, 'not
        contacted' when none); next_step ('' when none); likelihood (fraction) and
        likelihood_basis; arr_at_risk (arr × (1 − likelihood)).
    """
    settings = resolve_settings(con, settings)
    frame = _renewal_rows(
        con, as_of=as_of, settings=settings, filters=filters, owner=owner,
        likelihood=likelihood, health=health, moments=moments,
        first_day=settings.window_start_days,
        last_day=settings.window_end_days,
    )
    return frame.sort_values(
        ["arr_at_risk", "account_id"], ascending=[False, True], kind="stable",
        na_position="last",
    ).reset_index(drop=True)


def overdue_renewals(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    settings: RenewalSettings | None = None,
    filters: Filters | None = None,
    owner: str | None = None,
    likelihood: pd.DataFrame | None = None,
    health: pd.DataFrame | None = None,
    moments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Accounts past their contact deadline with no touch: the "nobody is silently missed" list.

    Accounts whose next renewal is 0 … window_start_days − 1 days after ``as_of`` (so
    contact_by is already past) and whose renewal has no logged touch. Filters and inputs as in
    :func:`renewal_queue`.

    Returns:
        The columns of :func:`renewal_queue` (overdue is always True), ordered by
        days_to_renewal (soonest first), then arr_at_risk descending, then account_id.
    """
    settings = resolve_settings(con, settings)
    frame = _renewal_rows(
        con, as_of=as_of, settings=settings, filters=filters, owner=owner,
        likelihood=likelihood, health=health, moments=moments,
        first_day=0, last_day=settings.window_start_days - 1,
        untouched_only=True,
    )
    return frame.sort_values(
        ["days_to_renewal", "arr_at_risk", "account_id"], ascending=[True, False, True],
        kind="stable", na_position="last",
    ).reset_index(drop=True)
