"""Renewal decisions: the outcomes the churn drivers and the health back-test learn from.

Rules (docs/insights.md, Decisions). For an as-of date A and a window of W days, a decision is
one of, dated in (A − W, A]:

- ``contract renewal``: a renewal due on a contract's term end D with a known outcome
  (:func:`metrics.renewal_outcomes.renewal_outcomes`, METRICS.md Renewals: churned when the MRR
  is 0 at D + grace days). Dated D.
- ``churn``: an account stopped paying (``sql/decision_churns.sql``), dated the day its last
  paying subscription ended, unless a contract renewal of the same account is due within the
  grace period of that day (the renewal already records it).
- ``retained``: an account paying on A with no decision of the two kinds above in the window
  counts as renewed on A (it was free to leave and stayed, as in a churn snapshot such as the
  IBM Telco file).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from metrics.renewal_outcomes import renewal_outcomes, resolve_settings
from metrics.renewal_settings import RenewalSettings
from store.sql import load_sql

DECISION_COLUMNS: tuple[str, ...] = ("decision_id", "account_id", "decided_on", "kind", "renewed")
KINDS: tuple[str, ...] = ("contract renewal", "churn", "retained")


def renewal_decisions(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    window_days: int = 365,
    settings: RenewalSettings | None = None,
) -> pd.DataFrame:
    """Every renewal decision in the ``window_days`` days up to ``as_of``.

    Returns:
        One row per decision, ordered by decided_on, account_id, kind. Columns: decision_id
        (0, 1, … in that order), account_id, decided_on (``datetime.date``), kind (one of
        :data:`KINDS`), renewed (bool; False = the account left).
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    settings = resolve_settings(con, settings)
    window_start = as_of - timedelta(days=window_days)
    renewals = renewal_outcomes(con, as_of=as_of, settings=settings, due_after=window_start)
    contract = pd.DataFrame({
        "account_id": renewals["account_id"].astype(str),
        "decided_on": renewals["renewal_date"],
        "kind": "contract renewal",
        "renewed": renewals["outcome"] != "churn",
    })
    churns = con.execute(
        load_sql(__file__, "sql/decision_churns.sql"),
        {"window_start": window_start, "as_of": as_of},
    ).df()
    churns["churned_on"] = pd.to_datetime(churns["churned_on"]).dt.date
    churns = churns.loc[~_covered_by_renewal(churns, contract, settings.grace_days)]
    churn = pd.DataFrame({
        "account_id": churns["account_id"].astype(str),
        "decided_on": churns["churned_on"],
        "kind": "churn",
        "renewed": False,
    })
    decided = set(contract["account_id"]) | set(churn["account_id"])
    customers = con.execute(load_sql(__file__, "sql/decision_customers.sql"), {"as_of": as_of}).df()
    stayed = customers.loc[~customers["account_id"].isin(decided), "account_id"].astype(str)
    retained = pd.DataFrame({
        "account_id": stayed, "decided_on": as_of, "kind": "retained", "renewed": True,
    })
    frames = [f for f in (contract, churn, retained) if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    decisions = pd.concat(frames, ignore_index=True)
    decisions["renewed"] = decisions["renewed"].astype(bool)
    decisions = decisions.sort_values(["decided_on", "account_id", "kind"], ignore_index=True)
    decisions.insert(0, "decision_id", range(len(decisions)))
    return decisions[list(DECISION_COLUMNS)]


def _covered_by_renewal(churns: pd.DataFrame, contract: pd.DataFrame, grace_days: int) -> pd.Series:
    """True for churns with a contract renewal of the same account due within ``grace_days``."""
    if churns.empty or contract.empty:
        return pd.Series(False, index=churns.index)
    pairs = churns.reset_index().merge(contract[["account_id", "decided_on"]], on="account_id")
    gap = (pd.to_datetime(pairs["churned_on"]) - pd.to_datetime(pairs["decided_on"])).dt.days
    covered = set(pairs.loc[gap.abs() <= grace_days, "index"])
    return pd.Series(churns.index.isin(covered), index=churns.index)
