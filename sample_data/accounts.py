"""Who the customers are: firmographics, owners, signup dates and account families.

Everything is drawn vectorised from one seeded generator, in a fixed order, so the same seed
gives the same accounts. Signups grow about 60 % a year over the four years before ``as_of``.

Besides ordinary accounts there are small *forced cohorts* (a few per thousand accounts, at
least two each) that make the relative-date features of the dashboard show up for any
``as_of``: accounts whose annual contract renews 92-118 days after ``as_of`` and card-paying
monthly accounts whose invoice in ``as_of``'s month fails. Their lifecycle is otherwise drawn
like everyone else's from ``as_of`` onwards. The last account is the scripted
``acct_lifecycle`` (see :mod:`sample_data.lifecycle_account`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sample_data import catalog as cat
from sample_data.dates import add_months, day_of_month, month_start
from sample_data.lifecycle_account import LIFECYCLE_ACCOUNT_ID, LIFECYCLE_NAME, lifecycle_dates

NORMAL, RENEWAL_DUE, PAYMENT_FAILING, SCRIPTED = 0, 1, 2, 3
HISTORY_DAYS = 1461
"""Accounts are created over the four years before as_of."""
SIGNUP_GROWTH = np.log(1.6) / 365.0


@dataclass(frozen=True)
class Accounts:
    """Per-account arrays, all of the same length (index = account number)."""

    account_id: np.ndarray
    name: np.ndarray
    segment: np.ndarray
    """Index into ``catalog.SEGMENTS``."""
    industry: np.ndarray
    region: np.ndarray
    csm_owner: np.ndarray
    parent_account_id: np.ndarray
    created: np.ndarray
    """Day number of signup (trial start or first paid day)."""
    currency: np.ndarray
    """Index into ``catalog.CURRENCIES``."""
    card_payer: np.ndarray
    cohort: np.ndarray
    fail_day: np.ndarray
    """Day of the forced failed invoice (``PAYMENT_FAILING`` cohort), else -1."""

    @property
    def count(self) -> int:
        """Number of accounts."""
        return int(self.account_id.size)


def draw_accounts(rng: np.random.Generator, count: int, as_of_day: int) -> Accounts:
    """Draw ``count`` accounts (the last one is the scripted lifecycle account)."""
    n = count - 1
    segment = rng.choice(3, size=n, p=cat.SEGMENT_WEIGHTS).astype(np.int64)
    region = rng.choice(len(cat.REGIONS), size=n, p=cat.REGION_WEIGHTS)
    emea_currency = rng.choice(3, size=n, p=cat.EMEA_CURRENCY_WEIGHTS)
    industry = rng.choice(len(cat.INDUSTRIES), size=n, p=cat.INDUSTRY_WEIGHTS)
    created = _signup_days(rng, n, as_of_day)

    cohort = np.zeros(n, dtype=np.int64)
    fail_day = np.full(n, -1, dtype=np.int64)
    n_renew = max(2, int(np.ceil(n * 0.006)))
    n_fail = max(2, int(np.ceil(n * 0.004)))
    forced = rng.choice(n, size=n_renew + n_fail, replace=False)
    renew, fail = forced[:n_renew], forced[n_renew:]
    cohort[renew], cohort[fail] = RENEWAL_DUE, PAYMENT_FAILING
    segment[renew] = rng.choice([1, 2], size=n_renew, p=[0.7, 0.3])
    segment[fail] = rng.choice([0, 1], size=n_fail, p=[0.7, 0.3])
    created[renew] = _renewal_due_starts(rng, n_renew, as_of_day)
    fail_day[fail] = _days_in_as_of_month(rng, n_fail, as_of_day)
    created[fail] = add_months(fail_day[fail], -rng.integers(2, 31, size=n_fail))

    card_payer = (segment == 0) | ((segment == 1) & (rng.random(n) < 0.6))
    card_payer[fail] = True
    csm = _csm_owners(rng, segment)
    names = _names(rng, n)
    parent = np.full(n, None, dtype=object)
    _link_families(rng, segment, cohort, created, as_of_day, names, parent, industry, csm, region)
    currency = np.where(region == cat.REGIONS.index("EMEA"), emea_currency, 0)

    life = lifecycle_dates(as_of_day)
    ids = np.array([f"acct_{i + 1:06d}" for i in range(n)] + [LIFECYCLE_ACCOUNT_ID], dtype=object)
    return Accounts(
        account_id=ids,
        name=np.append(names, LIFECYCLE_NAME).astype(object),
        segment=np.append(segment, 0),
        industry=np.append(
            np.array(cat.INDUSTRIES, dtype=object)[industry], "Media & Entertainment"
        ),
        region=np.append(np.array(cat.REGIONS, dtype=object)[region], "North America"),
        csm_owner=np.append(csm, cat.CSM_POOLS[0][0]).astype(object),
        parent_account_id=np.append(parent, None),
        created=np.append(created, life["signup"]),
        currency=np.append(currency, 0),
        card_payer=np.append(card_payer, True),
        cohort=np.append(cohort, SCRIPTED),
        fail_day=np.append(fail_day, life["payment_failed"]),
    )


def _signup_days(rng: np.random.Generator, n: int, as_of_day: int) -> np.ndarray:
    """Signup days with density growing exponentially towards as_of (inverse-CDF sampling)."""
    lo, hi = np.exp(-SIGNUP_GROWTH * HISTORY_DAYS), 1.0
    offset = np.log(lo + rng.random(n) * (hi - lo)) / SIGNUP_GROWTH
    return as_of_day + np.floor(offset).astype(np.int64)


def _renewal_due_starts(rng: np.random.Generator, n: int, as_of_day: int) -> np.ndarray:
    """Contract starts whose 1-3 year anniversary falls 92-118 days after as_of.

    Only days 1-28 of a month are used, so going back whole years and forward again lands
    on the same day (no 29 February clipping).
    """
    candidates = as_of_day + np.arange(92, 119)
    candidates = candidates[day_of_month(candidates) <= 28]
    target = rng.choice(candidates, size=n)
    return add_months(target, -12 * rng.integers(1, 4, size=n))


def _days_in_as_of_month(rng: np.random.Generator, n: int, as_of_day: int) -> np.ndarray:
    """Days from the first of as_of's month to as_of, restricted to days 1-28."""
    first = int(month_start(np.array([as_of_day]))[0])
    last = min(as_of_day, first + 27)
    return rng.integers(first, last + 1, size=n)


def _csm_owners(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    owners = np.empty(segment.size, dtype=object)
    draws = rng.random(segment.size)
    for seg, pool in enumerate(cat.CSM_POOLS):
        mask = segment == seg
        owners[mask] = np.array(pool, dtype=object)[(draws[mask] * len(pool)).astype(int)]
    return owners


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique three-word company names (a numeral is appended past 92,800 accounts)."""
    n2, n3 = len(cat.NAME_SECOND), len(cat.NAME_KIND)
    space = len(cat.NAME_FIRST) * n2 * n3
    combo = rng.permutation(space)[np.arange(n) % space]
    first = np.array(cat.NAME_FIRST, dtype=object)[combo // (n2 * n3)]
    second = np.array(cat.NAME_SECOND, dtype=object)[(combo // n3) % n2]
    kind = np.array(cat.NAME_KIND, dtype=object)[combo % n3]
    names = first + " " + second + " " + kind
    repeat = np.arange(n) // space
    if repeat.max(initial=0) > 0:
        names = np.where(repeat > 0, names + " " + (repeat + 1).astype(str).astype(object), names)
    return names


def _link_families(
    rng: np.random.Generator,
    segment: np.ndarray,
    cohort: np.ndarray,
    created: np.ndarray,
    as_of_day: int,
    names: np.ndarray,
    parent: np.ndarray,
    industry: np.ndarray,
    csm: np.ndarray,
    region: np.ndarray,
) -> None:
    """Give some Enterprise accounts 1-3 subsidiaries, mostly Mid-Market (in place).

    A child is named after its parent ("Blue Fox Europe" for "Blue Fox Analytics"), shares
    its industry and CSM, signs up at least 30 days after the parent, and a child named after
    a place is in that region.
    """
    parents = np.flatnonzero((segment == 2) & (cohort == NORMAL))
    parents = parents[rng.random(parents.size) < cat.PARENT_SHARE]
    pool = np.flatnonzero((segment < 2) & (cohort == NORMAL))
    weight = np.where(segment[pool] == 1, 3.0, 1.0)
    sizes = rng.integers(1, cat.MAX_CHILDREN + 1, size=parents.size)
    total = min(int(sizes.sum()), pool.size)
    children = rng.choice(pool, size=total, replace=False, p=weight / weight.sum())
    owner = np.repeat(parents, sizes)[:total]
    # Siblings get distinct units: a random start per family, then consecutive units.
    first_unit = np.repeat(rng.integers(0, len(cat.CHILD_UNITS), size=parents.size), sizes)
    rank = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    units = ((first_unit + rank) % len(cat.CHILD_UNITS))[:total]
    base = np.array([" ".join(str(nm).split(" ")[:2]) for nm in names[owner]], dtype=object)
    unit_names = np.array(cat.CHILD_UNITS, dtype=object)[units]
    names[children] = base + " " + unit_names
    for unit, unit_region in cat.CHILD_UNIT_REGION.items():
        region[children[unit_names == unit]] = cat.REGIONS.index(unit_region)
    parent[children] = np.array([f"acct_{i + 1:06d}" for i in owner], dtype=object)
    industry[children] = industry[owner]
    csm[children] = csm[owner]
    created[children] = np.minimum(np.maximum(created[children], created[owner] + 30), as_of_day)
