"""Support tickets, NPS answers, SLA credits and the referenceable flag.

All of them lean on the simulated future: in the 150 days before a churn, pause, contraction
or downgrade (including ones due after as_of) an account is *at risk*. At-risk accounts open
extra tickets (2.5x the rate) that are more often high/urgent, take 60 % longer to resolve, so
breach their SLA more often, and get lower CSAT; their NPS answers average about 3.5 points
lower. Accounts heading for an expansion answer slightly higher.

Tickets: rate per segment (``catalog.TICKETS_PER_MONTH``) scaled by seats^0.3, opened in
business hours (most weekend tickets wait for Monday); SLA hours by priority
(low 120, normal 72, high 24, urgent 8) decide ``sla_breached`` from the actual resolution
time (or the age of a still-open ticket at as_of); 55 % of closed tickets are rated.
Breached high/urgent tickets of Mid-Market and Enterprise accounts earn a service credit
(5 % of monthly fee, at least 25) a quarter of the time.

NPS: a relationship survey 75 days after the first paid day and every 26 weeks after; SMB
sends one contact, larger accounts more; about 30-50 % answer, some with a comment.
Referenceable: subscribed, not at risk, a customer for a year or more, last NPS 9-10, and
said yes (65 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import catalog as cat
from sample_data import model as m
from sample_data.accounts import SCRIPTED, Accounts
from sample_data.lifecycle_account import lifecycle_nps, lifecycle_tickets

SECONDS_PER_DAY = 86_400
PERIOD_MONTHS = np.array(cat.PERIOD_MONTHS)


def _at_risk(rows: pd.DataFrame, idx: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether ``day`` lies in the at-risk window before the ending of row ``idx`` (-1: no)."""
    safe = np.maximum(idx, 0)
    reason = rows["reason"].to_numpy()[safe]
    end = rows["end"].to_numpy()[safe]
    return (idx >= 0) & np.isin(reason, m.RISK_REASONS) & (day >= end - cat.RISK_DAYS)


def _stamp(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return (day * SECONDS_PER_DAY + seconds).astype("datetime64[s]")


def tickets(
    rng: np.random.Generator, rows: pd.DataFrame, accounts: Accounts, as_of_day: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Support tickets and the service credits they earn.

    Returns (tickets, credits). tickets columns: ticket_id, account_id, opened_at, closed_at,
    priority, sla_breached, csat. credits columns: account_id, occurred_at, event_type,
    amount (local currency, negative), currency.
    """
    plan_rows = rows[rows["kind"].isin((m.TRIAL, m.MAIN))].reset_index(drop=True)
    plan_rows = plan_rows[accounts.cohort[plan_rows["acc"]] != SCRIPTED].reset_index(drop=True)
    acc = plan_rows["acc"].to_numpy()
    seg = accounts.segment[acc]
    start = plan_rows["start"].to_numpy()
    end = np.where(plan_rows["end"] == m.OPEN, as_of_day + 1, plan_rows["end"])
    stop = np.minimum(end, as_of_day + 1)
    active_days = np.maximum(0, stop - start)
    risky = np.isin(plan_rows["reason"].to_numpy(), m.RISK_REASONS)
    risk_from = np.maximum(start, end - cat.RISK_DAYS)
    risk_days = np.where(risky, np.maximum(0, stop - risk_from), 0)
    size = (plan_rows["seats"].to_numpy() / np.array(cat.SEAT_MEDIAN)[seg]) ** 0.3
    trial = plan_rows["kind"].to_numpy() == m.TRIAL
    rate = np.array(cat.TICKETS_PER_MONTH)[seg] * size * np.where(trial, 1.5, 1.0) / 30.437

    n_normal = rng.poisson(rate * active_days)
    n_risk = rng.poisson(rate * 1.5 * risk_days)
    row = np.concatenate(
        [
            np.repeat(np.arange(len(plan_rows)), n_normal),
            np.repeat(np.arange(len(plan_rows)), n_risk),
        ]
    )
    risk = np.concatenate([np.zeros(n_normal.sum(), bool), np.ones(n_risk.sum(), bool)])
    t = row.size
    u = rng.random(size=(8, t))
    first = np.where(risk, risk_from[row], start[row])
    span = np.where(risk, risk_days[row], active_days[row])
    day = first + np.floor(u[0] * span).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day = np.where((weekday >= 5) & (u[1] < 0.7), day + 7 - weekday, day)
    opened = day * SECONDS_PER_DAY + 8 * 3600 + np.floor(u[2] * 10 * 3600).astype(np.int64)

    mix = np.cumsum(np.array(cat.PRIORITY_MIX), axis=1)[risk.astype(int)]
    priority = np.minimum((u[3][:, None] >= mix).sum(axis=1), 3)
    median = np.array(cat.RESOLUTION_MEDIAN_HOURS)[priority] * np.where(risk, 1.6, 1.0)
    hours = median * np.exp(0.8 * rng.standard_normal(t))
    closed = opened + np.round(hours * 3600).astype(np.int64)
    cutoff = (as_of_day + 1) * SECONDS_PER_DAY
    is_closed = closed < cutoff
    sla = np.array(cat.SLA_HOURS)[priority] * 3600
    breached = np.where(is_closed, closed - opened, cutoff - opened) > sla
    rated = is_closed & (u[4] < 0.55)
    latent = 4.5 - 1.4 * breached - 0.9 * risk + 0.7 * rng.standard_normal(t)
    csat = np.where(rated, np.clip(np.round(latent), 1, 5), -1).astype(np.int64)
    keep = opened < cutoff

    frame = pd.DataFrame(
        {
            "account_id": accounts.account_id[acc[row]],
            "opened_at": opened.astype("datetime64[s]"),
            "closed_at": pd.Series(closed.astype("datetime64[s]")).where(is_closed),
            "priority": np.array(cat.PRIORITIES, dtype=object)[priority],
            "sla_breached": breached,
            "csat": pd.Series(csat, dtype="Int64").where(csat > 0),
        }
    )
    frame = frame[keep]
    credits = _sla_credits(
        u[5][keep], u[6][keep], frame, plan_rows, acc[row][keep], accounts, as_of_day
    )
    frame = pd.concat([frame, lifecycle_tickets(as_of_day)], ignore_index=True)
    frame = frame.sort_values(["opened_at", "account_id"], kind="stable", ignore_index=True)
    frame.insert(0, "ticket_id", [f"tkt_{i + 1:07d}" for i in range(len(frame))])
    frame["csat"] = frame["csat"].astype("Int64")
    return frame, credits


def _sla_credits(
    draw: np.ndarray,
    hour: np.ndarray,
    tickets_frame: pd.DataFrame,
    plan_rows: pd.DataFrame,
    acc: np.ndarray,
    accounts: Accounts,
    as_of_day: int,
) -> pd.DataFrame:
    closed = tickets_frame["closed_at"].to_numpy()
    has_closed = ~pd.isna(closed)
    serious = tickets_frame["priority"].isin(("high", "urgent")).to_numpy()
    pick = (
        has_closed
        & serious
        & tickets_frame["sla_breached"].to_numpy()
        & (accounts.segment[acc] > 0)
        & (draw < 0.25)
    )
    closed_day = np.where(has_closed, closed.astype("datetime64[D]").astype(np.int64), 0)
    day = closed_day + 1
    pick &= day <= as_of_day
    opened_day = tickets_frame["opened_at"].to_numpy().astype("datetime64[D]").astype(np.int64)
    idx = m.covering_rows(plan_rows, acc, opened_day)
    pick &= idx >= 0
    safe = np.maximum(idx, 0)
    monthly = (
        plan_rows["unit_amount"].to_numpy()[safe]
        * plan_rows["seats"].to_numpy()[safe]
        * (1 - plan_rows["discount"].to_numpy()[safe] / 100)
        / PERIOD_MONTHS[plan_rows["billing"].to_numpy()[safe]]
    )
    amount = -np.round(np.maximum(25.0, 0.05 * monthly), 2)
    seconds = 9 * 3600 + np.floor(hour * 8 * 3600).astype(np.int64)
    return pd.DataFrame(
        {
            "account_id": accounts.account_id[acc[pick]],
            "occurred_at": _stamp(day[pick], seconds[pick]),
            "event_type": "credit",
            "amount": amount[pick],
            "currency": np.array(cat.CURRENCIES, dtype=object)[accounts.currency[acc[pick]]],
        }
    )


def nps_responses(
    rng: np.random.Generator, rows: pd.DataFrame, accounts: Accounts, as_of_day: int
) -> pd.DataFrame:
    """Survey answers. Columns: account_id, responded_at, score, comment."""
    plan_rows = rows[rows["kind"] == m.MAIN].reset_index(drop=True)
    n = accounts.count
    first = np.full(n, -1, dtype=np.int64)
    firsts = plan_rows.groupby("acc")["start"].min()
    first[firsts.index] = firsts.to_numpy()
    sentiment = rng.normal(0.0, 1.0, n)
    eligible = np.flatnonzero((first >= 0) & (accounts.cohort != SCRIPTED))
    waves = 10
    acc = np.repeat(eligible, waves)
    wave_day = first[acc] + 75 + 182 * np.tile(np.arange(waves), eligible.size)
    seg = accounts.segment[acc]
    contacts = np.where(
        seg == 0,
        1,
        np.where(
            seg == 1,
            1 + (rng.random(acc.size) < 0.4),
            np.minimum(4, 1 + rng.poisson(1.2, acc.size)),
        ),
    )
    acc = np.repeat(acc, contacts)
    wave_day = np.repeat(wave_day, contacts)
    seg = accounts.segment[acc]
    u = rng.random(size=(5, acc.size))
    day = wave_day + np.floor(u[0] * 10).astype(np.int64)
    idx = m.covering_rows(plan_rows, acc, day)
    answered = (u[1] < np.array([0.3, 0.45, 0.5])[seg]) & (idx >= 0) & (day <= as_of_day)
    acc, day, idx, u = acc[answered], day[answered], idx[answered], u[:, answered]
    risk = _at_risk(plan_rows, idx, day)
    growing = np.isin(plan_rows["reason"].to_numpy()[idx], m.GROWTH_REASONS)
    latent = (
        8.4
        - 3.6 * risk
        + 0.6 * growing
        - 0.3 * (accounts.segment[acc] == 2)
        + sentiment[acc]
        + 1.2 * rng.standard_normal(acc.size)
    )
    score = np.clip(np.round(latent), 0, 10).astype(np.int64)
    comment = _comments(score, u[2], u[3])
    seconds = 9 * 3600 + np.floor(u[4] * 11 * 3600).astype(np.int64)
    frame = pd.DataFrame(
        {
            "account_id": accounts.account_id[acc],
            "responded_at": _stamp(day, seconds),
            "score": score,
            "comment": comment,
        }
    )
    frame = pd.concat([frame, lifecycle_nps(as_of_day)], ignore_index=True)
    return frame.sort_values(["responded_at", "account_id"], kind="stable", ignore_index=True)


def _comments(score: np.ndarray, has: np.ndarray, which: np.ndarray) -> np.ndarray:
    out = np.full(score.size, None, dtype=object)
    for lo, hi, texts in (
        (9, 10, cat.PROMOTER_COMMENTS),
        (7, 8, cat.PASSIVE_COMMENTS),
        (0, 6, cat.DETRACTOR_COMMENTS),
    ):
        mask = (score >= lo) & (score <= hi) & (has < 0.45)
        pick = np.floor(which[mask] * len(texts)).astype(int)
        out[mask] = np.array(texts, dtype=object)[pick]
    return out


def referenceable(
    rng: np.random.Generator,
    rows: pd.DataFrame,
    accounts: Accounts,
    nps: pd.DataFrame,
    as_of_day: int,
) -> np.ndarray:
    """Happy long-standing customers who agreed to be references (bool per account)."""
    plan_rows = rows[rows["kind"] == m.MAIN].reset_index(drop=True)
    n = accounts.count
    everyone = np.arange(n)
    idx = m.covering_rows(plan_rows, everyone, np.full(n, as_of_day))
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    firsts = plan_rows.groupby("acc")["start"].min()
    first[firsts.index] = firsts.to_numpy()
    last_score = (
        nps.sort_values(["account_id", "responded_at"], kind="stable")
        .groupby("account_id")["score"]
        .last()
    )
    score = pd.Series(accounts.account_id).map(last_score).fillna(-1).to_numpy()
    happy = (
        (idx >= 0)
        & ~_at_risk(plan_rows, idx, np.full(n, as_of_day))
        & (first <= as_of_day - 365)
        & (score >= 9)
    )
    return happy & (rng.random(n) < 0.65)
