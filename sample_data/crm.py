"""Demo CRM data: opportunities and custom account attributes, drawn after the canonical tables.

Reads the demo's own ``accounts`` and ``subscriptions`` (already written in the same
transaction) and draws from its own seeded numpy stream (:data:`CRM_STREAM`), so no other
table changes when this module does. Rows, per demo account:

- **Won new business** (``New Business``, ``Closed Won``, probability 100) for every account
  that started paying on or before as-of: closed on its first paying day when it began with a
  trial (the sales cycle is then the trial), else 0–10 days after the account was created.
  Amount: the first paying subscription's yearly value (12 × its MRR in its own currency).
- **Lost new business** (``Closed Lost``, probability 0) for every trial that ended unpaid, on
  its end day, plus a few lost prospects among the other accounts.
- **Renewals** (``Renewal``, ``is_renewal``) for every contract term ending in the year before
  as-of (Closed Won when the account paid on the day after, else Closed Lost) or in the 120
  days after it (open: Qualification / Proposal / Negotiation at 20 / 50 / 75 %).
- **Upsells** (``Existing Customer - Upgrade``, Closed Won) for about 60 % of the paying
  subscriptions that started in the year before as-of and were not the account's first, and
  a few open upsells due within 90 days.

Attributes (``account_attributes``, the names the Customer value page reads):
``references_given`` (0–5, mostly 0, higher for referenceable accounts), ``strategic_fit``
(low / medium / high, Enterprise leaning high) and ``feedback_fixes`` (0–3, mostly 0).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

CRM_STREAM = 9
"""Seed stream of this module (sample_data.generator.STREAMS uses 1–8)."""
ACCOUNT_EXECUTIVES = ("Alex Morgan", "Priya Shah", "Tom Becker", "Lucia Ortiz")
OPEN_STAGES = (("Qualification", 20.0), ("Proposal", 50.0), ("Negotiation", 75.0))
FIT_LEVELS = ("low", "medium", "high")
FIT_WEIGHTS = {
    "SMB": (0.5, 0.4, 0.1),
    "Mid-Market": (0.3, 0.5, 0.2),
    "Enterprise": (0.1, 0.4, 0.5),
}
REFERENCES_IF_REFERENCEABLE = (0.1, 0.3, 0.25, 0.15, 0.1, 0.1)
REFERENCES_OTHERWISE = (0.9, 0.07, 0.03, 0.0, 0.0, 0.0)
FEEDBACK_FIXES = (0.7, 0.18, 0.08, 0.04)
ATTRIBUTE_NAMES = ("feedback_fixes", "references_given", "strategic_fit")
OPPORTUNITY_COLUMNS = (
    "opportunity_id", "account_id", "name", "type", "stage", "amount", "currency",
    "close_date", "probability", "forecast_category", "owner", "is_renewal", "source",
)

_RECURRING_SQL = """
    SELECT subscription_id, account_id, plan, start_date, end_date, term_end, status,
           amount * coalesce(quantity, 1) * (1 - coalesce(discount_pct, 0) / 100.0) AS price,
           CASE billing_period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3
                WHEN 'half_year' THEN 6 WHEN 'year' THEN 12
                ELSE TRY_CAST(regexp_extract(billing_period, '^([0-9]+)months$', 1) AS INTEGER)
           END AS period_months,
           coalesce(currency, 'USD') AS currency
    FROM subscriptions
    WHERE coalesce(charge_type, 'recurring') = 'recurring'
    ORDER BY account_id, start_date, subscription_id
"""


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, CRM_STREAM])


def _day(value: object) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def crm_frames(
    con: duckdb.DuckDBPyConnection, *, seed: int, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(opportunities, account_attributes) for the demo accounts in ``con``; the same tables,
    seed and as_of always give the same frames."""
    rng = _rng(seed)
    accounts = con.execute(
        "SELECT account_id, name, segment, created_at, coalesce(referenceable, false) AS ref "
        "FROM accounts ORDER BY account_id"
    ).df()
    subs = con.execute(_RECURRING_SQL).df()
    for column in ("start_date", "end_date", "term_end"):
        subs[column] = subs[column].map(_day).astype(object)
    subs["mrr"] = subs["price"] / subs["period_months"].clip(lower=1)
    paying = subs[(subs["status"] != "trial") & (subs["price"] > 0)]
    trials = subs[subs["status"] == "trial"]
    names = dict(zip(accounts["account_id"], accounts["name"], strict=True))
    created = dict(zip(accounts["account_id"], accounts["created_at"].map(_day), strict=True))
    rows: list[tuple] = []

    def add(account: str, kind: str, stage: str, amount: float, currency: str, close: date,
            probability: float, renewal: bool = False) -> None:
        category = ("Closed" if stage == "Closed Won" else "Omitted" if stage == "Closed Lost"
                    else "Commit" if probability >= 75 else "Pipeline")
        owner = ACCOUNT_EXECUTIVES[int(rng.integers(len(ACCOUNT_EXECUTIVES)))]
        rows.append((f"opp_{len(rows) + 1:06d}", account, f"{names.get(account, account)} - "
                     f"{kind}", kind, stage, round(float(amount), 2), currency, close,
                     probability, category, owner, renewal, "demo"))

    # New business: won on the first paying day (after a trial) or soon after creation.
    first = paying.groupby("account_id", sort=True).head(1)
    first_trial = trials.groupby("account_id", sort=True)["start_date"].min()
    for sub in first.itertuples(index=False):
        if sub.start_date > as_of:
            continue
        if sub.account_id in first_trial.index and first_trial[sub.account_id] <= sub.start_date:
            close = sub.start_date
        else:
            start = created.get(sub.account_id) or sub.start_date
            close = min(as_of, start + timedelta(days=int(rng.integers(0, 11))))
        add(sub.account_id, "New Business", "Closed Won", 12 * sub.mrr, sub.currency, close,
            100.0)
    # Lost new business: trials that ended unpaid, and some prospects that never signed.
    payers = set(paying["account_id"])
    for sub in trials.itertuples(index=False):
        if sub.account_id in payers or sub.end_date is None or sub.end_date > as_of:
            continue
        add(sub.account_id, "New Business", "Closed Lost", float(rng.integers(5, 60)) * 120,
            sub.currency, sub.end_date, 0.0)
    for account in accounts["account_id"]:
        if rng.random() < 0.08:
            close = as_of - timedelta(days=int(rng.integers(1, 365)))
            add(account, "New Business", "Closed Lost", float(rng.integers(5, 60)) * 120,
                "USD", close, 0.0)
    # Renewals: terms ending in the last year (decided) or the next 120 days (open).
    spans = {
        account: list(zip(group["start_date"], group["end_date"], strict=True))
        for account, group in paying.groupby("account_id", sort=True)
    }

    def paid_on(account: str, day: date) -> bool:
        return any(s <= day and (e is None or day < e) for s, e in spans.get(account, []))

    for sub in paying[paying["term_end"].notna()].itertuples(index=False):
        due = sub.term_end
        if as_of - timedelta(days=365) < due <= as_of:
            won = paid_on(sub.account_id, due + timedelta(days=1))
            add(sub.account_id, "Renewal", "Closed Won" if won else "Closed Lost",
                12 * sub.mrr, sub.currency, due, 100.0 if won else 0.0, renewal=True)
        elif as_of < due <= as_of + timedelta(days=120) and (
                sub.end_date is None or sub.end_date >= due):
            stage, probability = OPEN_STAGES[int(rng.integers(len(OPEN_STAGES)))]
            add(sub.account_id, "Renewal", stage, 12 * sub.mrr, sub.currency, due,
                probability, renewal=True)
    # Upsells: most later paying subscriptions of the last year, and a few open ones.
    later = paying[~paying["subscription_id"].isin(first["subscription_id"])]
    recent = later[later["start_date"].map(lambda d: as_of - timedelta(days=365) < d <= as_of)]
    for sub in recent.itertuples(index=False):
        if rng.random() < 0.6:
            close = sub.start_date - timedelta(days=int(rng.integers(0, 8)))
            add(sub.account_id, "Existing Customer - Upgrade", "Closed Won", 12 * sub.mrr,
                sub.currency, close, 100.0)
    for account in sorted(a for a in payers if paid_on(a, as_of)):
        if rng.random() < 0.05:
            stage, probability = OPEN_STAGES[int(rng.integers(len(OPEN_STAGES)))]
            close = as_of + timedelta(days=int(rng.integers(10, 91)))
            add(account, "Existing Customer - Upgrade", stage,
                float(rng.integers(2, 40)) * 120, "USD", close, probability)
    opportunities = pd.DataFrame.from_records(rows, columns=list(OPPORTUNITY_COLUMNS))
    return opportunities, _attributes(rng, accounts)


def _attributes(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """Three attribute rows per account (values stored as text, as imports store them)."""
    n = len(accounts)
    ref = accounts["ref"].to_numpy(dtype=bool)
    references = np.where(ref, rng.choice(6, size=n, p=REFERENCES_IF_REFERENCEABLE),
                          rng.choice(6, size=n, p=REFERENCES_OTHERWISE))
    fit = []
    for segment, u in zip(accounts["segment"], rng.random(n), strict=True):
        low, medium, _ = FIT_WEIGHTS.get(segment, FIT_WEIGHTS["SMB"])
        fit.append(FIT_LEVELS[0] if u < low else FIT_LEVELS[1] if u < low + medium
                   else FIT_LEVELS[2])
    fixes = rng.choice(4, size=n, p=FEEDBACK_FIXES)
    ids = accounts["account_id"].tolist()
    frame = pd.DataFrame({
        "account_id": ids * 3,
        "name": ["references_given"] * n + ["strategic_fit"] * n + ["feedback_fixes"] * n,
        "value": [str(v) for v in references] + fit + [str(v) for v in fixes],
    })
    return frame.sort_values(["account_id", "name"], kind="stable").reset_index(drop=True)


def insert_crm(con: duckdb.DuckDBPyConnection, *, seed: int, as_of: date) -> None:
    """Draw and insert the demo opportunities and account attributes (caller's transaction)."""
    opportunities, attributes = crm_frames(con, seed=seed, as_of=as_of)
    con.register("_crm_opportunities", opportunities)
    con.register("_crm_attributes", attributes)
    try:
        con.execute(
            "INSERT INTO opportunities SELECT opportunity_id, account_id, name, type, stage, "
            "amount, currency, CAST(close_date AS DATE), probability, forecast_category, owner, "
            "is_renewal, source FROM _crm_opportunities"
        )
        con.execute("INSERT INTO account_attributes SELECT account_id, name, value "
                    "FROM _crm_attributes")
    finally:
        con.unregister("_crm_opportunities")
        con.unregister("_crm_attributes")
