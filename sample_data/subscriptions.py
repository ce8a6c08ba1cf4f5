"""Contracts over time: a vectorised simulation of every account's subscription rows.

Each account starts with a contract (plan, seats, billing period, discount), optionally after
a 14-day trial. Then, one step per row for all still-running accounts at once, the next event
is drawn from monthly hazards (``catalog``):

- month-to-month rows: expansion / upgrade / switch to annual (any day, prorated), and
  cancellation, contraction / downgrade and pause at the end of the paid month - or at once:
  a fifth of cancellations and pauses (current charge refunded) and a third of contractions
  and downgrades (unused part credited);
- term rows (quarter, half_year, year, 24months): expansion or upgrade mid-term, otherwise
  at the renewal date churn, contraction / downgrade, or renewal with a 0-7 % price uplift.
  Every term is its own row, so past renewals stay visible.

An ended row gets status ``cancelled`` (``paused`` for a pause) and, for a change or renewal,
a successor starting the same day. After a churn some accounts come back 45+ days later
(reactivation, often on a cheaper monthly plan); after a pause most resume 30-120 days later
on a new billing anchor. Add-ons (Premium Support recurring, Onboarding Package and Training
Workshop one-time) hang off the first stretch of paid life.

The simulation runs to a horizon after as_of; :func:`canonical_rows` cuts it at as_of.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample_data import catalog as cat
from sample_data import model as m
from sample_data.accounts import PAYMENT_FAILING, RENEWAL_DUE, SCRIPTED, Accounts
from sample_data.dates import add_months, next_period_boundary
from sample_data.lifecycle_account import lifecycle_rows

DAYS_PER_MONTH = 30.437
MAX_STEPS = 200
PERIOD_MONTHS = np.array(cat.PERIOD_MONTHS)
TERM_MONTHS = np.array(cat.TERM_MONTHS)
SEAT_LIMITS = np.array(cat.SEAT_LIMITS)
PRICE_BOOK = np.array(cat.PRICE_BOOK)
YEAR = cat.BILLING_PERIODS.index("year")


def simulate_rows(
    rng: np.random.Generator, accounts: Accounts, as_of_day: int, horizon_day: int
) -> pd.DataFrame:
    """All subscription rows up to ``horizon_day``, as a row frame sorted by account and start."""
    seg = accounts.segment
    n = accounts.count
    seats = _initial_seats(rng, seg)
    tier = _initial_tier(rng, seg, seats)
    billing = _initial_billing(rng, seg)
    billing[accounts.cohort == RENEWAL_DUE] = YEAR
    billing[accounts.cohort == PAYMENT_FAILING] = 0
    negotiated = _negotiated_discount(rng, seg, billing)
    scripted = accounts.cohort == SCRIPTED
    trial = (rng.random(n) < np.array(cat.TRIAL_SHARE)[seg]) & (accounts.cohort == 0)
    lapsed = trial & (rng.random(n) < cat.TRIAL_LAPSE_SHARE)
    paid_start = accounts.created + cat.TRIAL_DAYS * trial
    quiet = np.where(np.isin(accounts.cohort, (RENEWAL_DUE, PAYMENT_FAILING)), as_of_day + 1, 0)

    parts = [_trial_rows(accounts, np.flatnonzero(trial), tier, seats, lapsed)]
    chain = _chain(
        rng,
        accounts,
        np.flatnonzero(~lapsed & ~scripted),
        paid_start,
        ~trial,
        tier,
        seats,
        billing,
        negotiated,
        quiet,
        horizon_day,
    )
    parts.append(chain)
    parts.append(_addon_rows(rng, accounts, chain, horizon_day))
    parts.append(lifecycle_rows(int(np.flatnonzero(scripted)[0]), as_of_day))
    rows = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return rows.sort_values(["acc", "start", "kind"], kind="stable", ignore_index=True)


def _initial_seats(rng: np.random.Generator, seg: np.ndarray) -> np.ndarray:
    median = np.array(cat.SEAT_MEDIAN)[seg]
    sigma = np.array(cat.SEAT_SIGMA)[seg]
    lo, hi = np.array(cat.SEAT_RANGE)[seg].T
    raw = np.round(median * np.exp(sigma * rng.standard_normal(seg.size)))
    return np.clip(raw, lo, hi).astype(np.int64)


def _initial_tier(rng: np.random.Generator, seg: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Smallest plan that fits the seats, at least the segment's entry plan; some buy one up."""
    fits = np.searchsorted(SEAT_LIMITS, seats, side="left")
    tier = np.maximum(fits, np.array(cat.SEGMENT_MIN_TIER)[seg])
    bump = rng.random(seg.size) < np.array([0.2, 0.25, 0.4])[seg]
    return np.minimum(tier + bump, len(cat.PLANS) - 1).astype(np.int64)


def _initial_billing(rng: np.random.Generator, seg: np.ndarray) -> np.ndarray:
    u = rng.random(seg.size)
    cumulative = np.cumsum(np.array(cat.BILLING_MIX), axis=1)[seg]
    return np.minimum((u[:, None] >= cumulative).sum(axis=1), 4).astype(np.int64)


def _negotiated_discount(
    rng: np.random.Generator, seg: np.ndarray, billing: np.ndarray
) -> np.ndarray:
    """Per-account discount on top of the prepay discount (SMB: occasional coupon)."""
    lo, hi = np.array(cat.NEGOTIATED_DISCOUNT)[seg].T
    negotiated = rng.integers(0, 1 << 30, size=seg.size) % (hi - lo + 1) + lo
    coupon = np.array(cat.SMB_COUPONS)[rng.integers(0, len(cat.SMB_COUPONS), size=seg.size)]
    has_coupon = (seg == 0) & (billing == 0) & (rng.random(seg.size) < cat.SMB_COUPON_SHARE)
    return np.where(has_coupon, coupon, negotiated).astype(np.float64)


def _unit_amount(currency: np.ndarray, tier: np.ndarray, billing: np.ndarray, mult: np.ndarray):
    return np.round(PRICE_BOOK[currency, tier] * PERIOD_MONTHS[billing] * mult, 2)


def _trial_rows(
    accounts: Accounts, idx: np.ndarray, tier: np.ndarray, seats: np.ndarray, lapsed: np.ndarray
) -> pd.DataFrame:
    start = accounts.created[idx]
    t = tier[idx]
    return m.row_frame(
        {
            "acc": idx,
            "kind": np.full(idx.size, m.TRIAL),
            "plan": np.array(cat.PLANS, dtype=object)[t],
            "tier": t,
            "billing": np.zeros(idx.size),
            "seats": seats[idx],
            "unit_amount": PRICE_BOOK[accounts.currency[idx], t],
            "discount": np.zeros(idx.size),
            "start": start,
            "end": start + cat.TRIAL_DAYS,
            "reason": np.where(lapsed[idx], m.LAPSED, m.CONVERTED),
            "immediate": np.zeros(idx.size, dtype=bool),
            "involuntary": np.zeros(idx.size, dtype=bool),
            "life_start": np.ones(idx.size, dtype=bool),
        }
    )


def _chain(
    rng: np.random.Generator,
    accounts: Accounts,
    acc: np.ndarray,
    paid_start: np.ndarray,
    fresh: np.ndarray,
    tier0: np.ndarray,
    seats0: np.ndarray,
    billing0: np.ndarray,
    negotiated: np.ndarray,
    quiet: np.ndarray,
    horizon: int,
) -> pd.DataFrame:
    """Step all running accounts from row to row until each ends or passes the horizon."""
    seg_all = accounts.segment
    start = paid_start[acc]
    tier, seats, billing = tier0[acc], seats0[acc], billing0[acc]
    discount = np.array(cat.PREPAY_DISCOUNT)[billing] + negotiated[acc]
    mult = np.ones(acc.size)
    life_start = fresh[acc]
    out: list[dict[str, np.ndarray]] = []
    for _ in range(MAX_STEPS):
        if acc.size == 0:
            break
        k = acc.size
        seg = seg_all[acc]
        currency = accounts.currency[acc]
        monthly = TERM_MONTHS[billing] == 0
        base = np.maximum(start, quiet[acc]).astype(np.float64)
        expo = rng.exponential(size=(5, k))
        u = rng.random(size=(9, k))
        exp_h = np.array(cat.EXPANSION_HAZARD)[seg]
        upg_h = np.array(cat.UPGRADE_HAZARD)[seg]
        sw_h = np.where(monthly, np.array(cat.ANNUAL_SWITCH_HAZARD)[seg], 0.0)
        up_total = exp_h + upg_h + sw_h
        t_up = _after(base + 14, up_total, expo[0], horizon)
        up_kind = np.where(
            u[0] * up_total < exp_h,
            m.EXPANSION,
            np.where(u[0] * up_total < exp_h + upg_h, m.UPGRADE, m.ANNUAL_SWITCH),
        )
        shrink_kind = np.where((u[1] < 0.4) & (tier > 0), m.DOWNGRADE, m.CONTRACTION)

        # Month-to-month: cancellations, shrinkage and pauses take effect at period end,
        # or at once (cancellations and pauses refunded, shrinkage credited).
        immediate = u[2] < cat.IMMEDIATE_END_SHARE
        pm = PERIOD_MONTHS[billing]
        raw_churn = _after(base + 7, np.array(cat.CHURN_HAZARD)[seg], expo[1], horizon)
        raw_down = _after(base + 14, np.array(cat.DOWN_HAZARD)[seg], expo[2], horizon)
        raw_pause = _after(base + 14, np.array(cat.PAUSE_HAZARD)[seg], expo[3], horizon)
        t_churn = np.where(immediate, raw_churn, next_period_boundary(start, raw_churn, pm))
        shrink_now = u[8] < cat.IMMEDIATE_SHRINK_SHARE
        t_down = np.where(shrink_now, raw_down, next_period_boundary(start, raw_down, pm))
        t_pause = np.where(immediate, raw_pause, next_period_boundary(start, raw_pause, pm))
        candidates = np.stack([t_up, t_churn, t_down, t_pause])
        pick = np.argmin(candidates, axis=0)
        t_month = candidates[pick, np.arange(k)]
        reason_month = np.choose(
            pick, [up_kind, np.full(k, m.CHURN), shrink_kind, np.full(k, m.PAUSE)]
        )

        # Term contracts: growth mid-term, everything else at the renewal date.
        term_end = add_months(start, TERM_MONTHS[billing])
        renew_outcome = np.where(
            u[3] < np.array(cat.RENEWAL_CHURN)[seg],
            m.CHURN,
            np.where(
                u[3] < np.array(cat.RENEWAL_CHURN)[seg] + np.array(cat.RENEWAL_DOWN)[seg],
                shrink_kind,
                m.RENEWAL,
            ),
        )
        renew_outcome = np.where(term_end <= quiet[acc], m.RENEWAL, renew_outcome)
        mid_term = t_up < term_end
        t_term = np.where(mid_term, t_up, term_end)
        reason_term = np.where(mid_term, up_kind, renew_outcome)

        t_end = np.where(monthly, t_month, t_term)
        reason = np.where(monthly, reason_month, reason_term)
        running = t_end > horizon
        reason = np.where(running, m.ONGOING, reason)
        is_quick = monthly & ~running & np.isin(reason, (m.CHURN, m.PAUSE)) & immediate
        involuntary = (
            monthly
            & ~running
            & ~is_quick
            & (reason == m.CHURN)
            & accounts.card_payer[acc]
            & (u[4] < cat.INVOLUNTARY_SHARE)
        )
        out.append(
            {
                "acc": acc,
                "kind": np.full(k, m.MAIN),
                "plan": np.array(cat.PLANS, dtype=object)[tier],
                "tier": tier,
                "billing": billing,
                "seats": seats,
                "unit_amount": _unit_amount(currency, tier, billing, mult),
                "discount": discount,
                "start": start,
                "end": np.where(running, m.OPEN, t_end),
                "reason": reason,
                "immediate": is_quick,
                "involuntary": involuntary,
                "life_start": life_start,
            }
        )

        # Successor rows.
        tier, seats, billing, discount, mult = _apply_change(
            reason, u[5], tier, seats, billing, discount, mult, negotiated[acc]
        )
        churned = reason == m.CHURN
        paused = reason == m.PAUSE
        comes_back = np.where(
            churned,
            u[6] < np.array(cat.REACTIVATION_SHARE)[seg],
            np.where(paused, u[6] < cat.RESUME_SHARE, True),
        )
        gap = np.where(
            churned,
            45 + np.round(200 * expo[4]),
            np.where(paused, 30 + np.floor(u[7] * 91), 0),
        ).astype(np.int64)
        react_billing = np.where(u[7] < 0.7, 0, billing)
        react_tier = np.maximum(tier - (u[5] < 0.4), 0)
        react_seats = np.maximum(1, np.round(seats * (0.5 + 0.5 * u[4]))).astype(np.int64)
        tier = np.where(churned, react_tier, tier)
        seats = np.where(churned, np.minimum(react_seats, SEAT_LIMITS[tier]), seats)
        billing = np.where(churned, react_billing, billing)
        discount = np.where(
            churned, np.array(cat.PREPAY_DISCOUNT)[billing] + negotiated[acc], discount
        )
        mult = np.where(churned, 1.0, mult)
        next_start = t_end + gap
        keep = ~running & comes_back & (next_start <= horizon)
        life_start = (churned | paused)[keep]
        acc, start = acc[keep], next_start[keep]
        tier, seats, billing = tier[keep], seats[keep], billing[keep]
        discount, mult = discount[keep], mult[keep]
    if not out:
        return m.row_frame({name: [] for name in m.COLUMNS})
    return m.row_frame({name: np.concatenate([step[name] for step in out]) for name in m.COLUMNS})


def _after(
    earliest: np.ndarray, monthly_hazard: np.ndarray, draw: np.ndarray, horizon: int
) -> np.ndarray:
    """Day of an exponentially distributed event (capped at horizon + 1 = "not before it")."""
    rate = monthly_hazard / DAYS_PER_MONTH
    wait = np.where(rate > 0, draw / np.where(rate > 0, rate, 1.0), np.inf)
    return np.ceil(np.minimum(earliest + wait, float(horizon + 1))).astype(np.int64)


def _apply_change(
    reason: np.ndarray,
    u: np.ndarray,
    tier: np.ndarray,
    seats: np.ndarray,
    billing: np.ndarray,
    discount: np.ndarray,
    mult: np.ndarray,
    negotiated: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Contract of the successor row after a change or renewal (others keep their contract)."""
    top = len(cat.PLANS) - 1
    grown = np.ceil(seats * (1.1 + 0.4 * u)).astype(np.int64)
    outgrows = grown > SEAT_LIMITS[tier]
    upgrade = (reason == m.UPGRADE) | ((reason == m.EXPANSION) & outgrows)
    new_tier = np.where(upgrade, np.minimum(tier + 1, top), tier)
    upgraded_seats = np.maximum(seats, np.ceil(seats * (1.0 + 0.25 * u))).astype(np.int64)
    new_seats = np.where(reason == m.EXPANSION, grown, seats)
    new_seats = np.where(reason == m.UPGRADE, upgraded_seats, new_seats)
    shrunk = np.maximum(1, np.floor(seats * (0.6 + 0.3 * u))).astype(np.int64)
    new_seats = np.where(reason == m.CONTRACTION, shrunk, new_seats)
    downgrade = (reason == m.DOWNGRADE) & (tier > 0)
    new_tier = np.where(downgrade, tier - 1, new_tier)
    new_seats = np.minimum(new_seats, SEAT_LIMITS[new_tier])
    new_seats = np.where((reason == m.DOWNGRADE) & ~downgrade, shrunk, new_seats)

    switch = reason == m.ANNUAL_SWITCH
    new_billing = np.where(switch, YEAR, billing)
    new_discount = np.where(switch, cat.PREPAY_DISCOUNT[YEAR] + negotiated, discount)
    uplift = np.floor(u * (cat.RENEWAL_UPLIFT_MAX_PCT + 1)) / 100.0
    new_mult = np.where(reason == m.RENEWAL, np.round(mult * (1 + uplift), 4), mult)
    return new_tier, new_seats, new_billing, new_discount, new_mult


def _addon_rows(
    rng: np.random.Generator, accounts: Accounts, chain: pd.DataFrame, horizon: int
) -> pd.DataFrame:
    """Premium Support (monthly) and one-time packages within the first stretch of paid life."""
    n = accounts.count
    first_start = np.full(n, -1, dtype=np.int64)
    life_end = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    by_acc = chain.groupby("acc")
    first_start[by_acc["start"].min().index] = by_acc["start"].min().to_numpy()
    stops = chain[chain["reason"].isin((m.CHURN, m.PAUSE))].groupby("acc")["end"].min()
    life_end[stops.index] = stops.to_numpy()
    seg, cur = accounts.segment, accounts.currency
    has_life = first_start >= 0
    u = rng.random(size=(6, n))
    frames = []

    support_start = first_start + 20 + np.floor(u[1] * 281).astype(np.int64)
    support = (
        has_life
        & (u[0] < np.array(cat.PREMIUM_SUPPORT_SHARE)[seg])
        & (support_start < np.minimum(life_end, horizon + 1))
    )
    idx = np.flatnonzero(support)
    price = np.array(cat.PREMIUM_SUPPORT_PRICE)[np.maximum(seg[idx] - 1, 0), cur[idx]]
    ends = np.where(life_end[idx] > horizon, m.OPEN, life_end[idx])
    frames.append(
        _addon_frame(
            idx,
            m.ADDON,
            cat.PREMIUM_SUPPORT,
            price,
            support_start[idx],
            ends,
            np.where(ends == m.OPEN, m.ONGOING, m.CHURN),
        )
    )

    onboarding = has_life & (u[2] < np.array(cat.ONBOARDING_SHARE)[seg])
    idx = np.flatnonzero(onboarding)
    price = np.array(cat.ONBOARDING_PRICE)[np.maximum(seg[idx] - 1, 0), cur[idx]]
    day = first_start[idx] + np.floor(u[3][idx] * 21).astype(np.int64)
    frames.append(_one_time(idx, cat.ONBOARDING, price, day, horizon))

    day_all = first_start + 30 + np.floor(u[5] * 471).astype(np.int64)
    training = has_life & (u[4] < np.array(cat.TRAINING_SHARE)[seg]) & (day_all < life_end)
    idx = np.flatnonzero(training)
    price = np.array(cat.TRAINING_PRICE)[cur[idx]]
    frames.append(_one_time(idx, cat.TRAINING, price, day_all[idx], horizon))
    return pd.concat(frames, ignore_index=True)


def _one_time(idx: np.ndarray, plan: str, price: np.ndarray, day: np.ndarray, horizon: int):
    keep = day <= horizon
    idx, price, day = idx[keep], price[keep], day[keep]
    ends = np.full(idx.size, m.OPEN)
    return _addon_frame(idx, m.ONE_TIME, plan, price, day, ends, np.full(idx.size, m.ONGOING))


def _addon_frame(idx, kind, plan, price, start, end, reason) -> pd.DataFrame:
    size = idx.size
    return m.row_frame(
        {
            "acc": idx,
            "kind": np.full(size, kind),
            "plan": np.full(size, plan, dtype=object),
            "tier": np.full(size, -1),
            "billing": np.zeros(size),
            "seats": np.ones(size),
            "unit_amount": price,
            "discount": np.zeros(size),
            "start": start,
            "end": end,
            "reason": reason,
            "immediate": np.zeros(size, dtype=bool),
            "involuntary": np.zeros(size, dtype=bool),
            "life_start": np.zeros(size, dtype=bool),
        }
    )


def canonical_rows(rows: pd.DataFrame, accounts: Accounts, as_of_day: int) -> pd.DataFrame:
    """The rows as of ``as_of_day``: canonical subscription columns plus billing helpers.

    Rows starting after as_of are dropped; rows ending after it are ongoing (``active``).
    Term rows get ``term_end``: the next renewal date when ongoing, the end date when ended.

    Columns: the canonical subscription columns with day numbers for dates (-1 = empty), then
    ``end_reason`` (empty when ongoing), ``immediate``, ``involuntary``, ``period_months``,
    ``acc``.
    """
    rows = rows[rows["start"] <= as_of_day].reset_index(drop=True)
    kind = rows["kind"].to_numpy()
    start = rows["start"].to_numpy()
    end = rows["end"].to_numpy()
    billing = rows["billing"].to_numpy()
    reason = rows["reason"].to_numpy()
    ended = (end != m.OPEN) & (end <= as_of_day)
    term = TERM_MONTHS[billing]
    has_term = (kind == m.MAIN) & (term > 0)
    term_end = np.where(ended, end, add_months(start, term))
    status = np.where(ended, np.where(reason == m.PAUSE, "paused", "cancelled"), "active").astype(
        object
    )
    status[kind == m.ONE_TIME] = "active"
    status[kind == m.TRIAL] = "trial"
    acc = rows["acc"].to_numpy()
    return pd.DataFrame(
        {
            "subscription_id": [f"sub_{i + 1:07d}" for i in range(len(rows))],
            "account_id": accounts.account_id[acc],
            "plan": rows["plan"].to_numpy(),
            "billing_period": np.array(cat.BILLING_PERIODS, dtype=object)[billing],
            "amount": rows["unit_amount"].to_numpy(),
            "quantity": rows["seats"].to_numpy(),
            "discount_pct": rows["discount"].to_numpy(),
            "currency": np.array(cat.CURRENCIES, dtype=object)[accounts.currency[acc]],
            "start_date": start,
            "end_date": np.where(ended, end, -1),
            "term_end": np.where(has_term, term_end, -1),
            "status": status,
            "charge_type": np.where(kind == m.ONE_TIME, "one_time", "recurring").astype(object),
            "end_reason": np.where(
                ended & (kind != m.ONE_TIME), np.array(m.REASON_NAMES, dtype=object)[reason], None
            ),
            "immediate": ended & rows["immediate"].to_numpy(),
            "involuntary": ended & rows["involuntary"].to_numpy(),
            "period_months": np.where(kind == m.ONE_TIME, 0, PERIOD_MONTHS[billing]),
            "acc": acc,
        }
    )
