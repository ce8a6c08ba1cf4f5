"""Seeded demo data for every canonical table, relative to an ``as_of`` date.

``generate_demo_data(con, accounts=2000, seed=42, as_of=...)`` fills an empty database in one
transaction; the same (accounts, seed, as_of) always gives the same tables. The parts:

- :mod:`~sample_data.accounts`: segments SMB / Mid-Market / Enterprise (62 / 29 / 9 %), ten
  industries, four regions (EMEA billed in EUR, GBP or USD), eight named CSMs by segment,
  Enterprise parents with subsidiaries, signups over four years growing ~60 % a year.
- :mod:`~sample_data.subscriptions`: plans Starter / Growth / Pro / Enterprise at
  12 / 29 / 49 / 79 USD per seat and month (EUR 11 / 27 / 45 / 72, GBP 10 / 24 / 39 / 65),
  billed monthly, quarterly, half-yearly, yearly or every 24 months with prepay and
  negotiated discounts; trials, expansions, upgrades, downgrades, pauses, churn,
  reactivation, renewals with price uplifts, add-ons. Simulated past as_of so that what is
  coming shapes usage, tickets and NPS today.
- :mod:`~sample_data.usage` (+ ``usage.sql``): 365 days of daily usage per subscribed account,
  generated inside DuckDB from a few segments per account.
- :mod:`~sample_data.billing` (+ ``billing.sql``): invoices, failed payments and dunning,
  recoveries, prorations, refunds, card expiries, in USD.
- :mod:`~sample_data.engagement`: tickets with SLA and CSAT, NPS, SLA credits, references.
- :mod:`~sample_data.reference`: the plans table and monthly EUR/GBP rates.
- :mod:`~sample_data.lifecycle_account`: the scripted ``acct_lifecycle`` (Brightpath Studio):
  monthly signup at as_of - 235 days, a failed payment two months later (dunning, card
  updated, reinstated), a pause with refund at signup + 4 months + 10 days, the return 45 days
  later on a new billing anchor, an upgrade to annual Pro 5 days after that (negative
  proration) and a one-time Training Workshop 10 days later.

Whatever as_of is, the data holds renewals due 90-120 days later, payment failures in as_of's
month and cards expiring within 30 days (small forced cohorts guarantee it), declining and
growing accounts. Derived tables are not built here (``metrics.snapshots.refresh_derived``).

Reproducible for the same library versions: numpy's ``Generator`` streams and DuckDB's
``hash()`` may change between their major versions (the sample-export test then says so).

Command line::

    python -m sample_data.generator --db demo.duckdb --accounts 2000 --seed 42 --as-of 2026-06-30
    python -m sample_data.generator --export sample_data/exports --accounts 40 --seed 7 \\
        --as-of 2026-06-30 --usage-days 180
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sample_data import catalog as cat
from sample_data import model as m
from sample_data.accounts import HISTORY_DAYS, Accounts, draw_accounts
from sample_data.billing import billing_accounts, card_events, insert_billing
from sample_data.crm import insert_crm
from sample_data.dates import day_number
from sample_data.engagement import nps_responses, referenceable, tickets
from sample_data.export import export_canonical_csvs
from sample_data.reference import fx_frame, plans_frame
from sample_data.staging import insert_canonical, register, to_arrow, unregister_all
from sample_data.subscriptions import canonical_rows, simulate_rows
from sample_data.usage import insert_usage, usage_segments
from store.db import open_database, set_meta, table_counts
from store.schema import (
    ACCOUNTS,
    FX_RATES,
    NPS_RESPONSES,
    PLANS,
    SUBSCRIPTIONS,
    SUPPORT_TICKETS,
)

__all__ = ["export_canonical_csvs", "generate_demo_data"]

Progress = Callable[[float, str], None]
MIN_ACCOUNTS = 10
HORIZON_DAYS = 180
"""How far past as_of the lifecycle is simulated (so coming churn already shows)."""
STREAMS = {
    "accounts": 1,
    "subscriptions": 2,
    "usage": 3,
    "billing": 4,
    "tickets": 5,
    "fx": 6,
    "nps": 7,
    "references": 8,
}
"""Each part draws from its own seeded stream, so changing one part leaves the others alone."""


def generate_demo_data(
    con: duckdb.DuckDBPyConnection,
    *,
    accounts: int = 2000,
    seed: int = 42,
    as_of: date,
    progress: Progress | None = None,
) -> None:
    """Fill every canonical table of an (empty) database with demo data relative to as_of.

    Also sets the meta keys ``source`` ('demo'), ``data_as_of``, ``demo_seed`` and
    ``demo_accounts``. Runs in one transaction: on any error nothing is written.

    Raises:
        ValueError: fewer than 10 accounts, or a canonical table already holds rows.
    """
    if accounts < MIN_ACCOUNTS:
        raise ValueError(f"The demo needs at least {MIN_ACCOUNTS} accounts, not {accounts}.")
    filled = {name: n for name, n in table_counts(con).items() if n}
    if filled:
        names = ", ".join(sorted(filled))
        raise ValueError(f"The demo data needs an empty database, but {names} already hold rows.")
    report = progress or (lambda fraction, text: None)
    con.execute("BEGIN TRANSACTION")
    try:
        _fill(con, accounts=accounts, seed=seed, as_of=as_of, report=report)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        unregister_all(con)
    report(1.0, "Demo data written")


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[stream]])


def _fill(
    con: duckdb.DuckDBPyConnection, *, accounts: int, seed: int, as_of: date, report: Progress
) -> None:
    as_of_day = day_number(as_of)
    horizon = as_of_day + HORIZON_DAYS
    report(0.01, f"Drawing {accounts:,} accounts")
    accts = draw_accounts(_rng(seed, "accounts"), accounts, as_of_day)
    report(0.04, "Simulating subscriptions")
    rows = simulate_rows(_rng(seed, "subscriptions"), accts, as_of_day, horizon)
    subs = canonical_rows(rows, accts, as_of_day)
    register(con, "_demo_subs", to_arrow(subs, dates=("start_date", "end_date", "term_end")))
    insert_canonical(con, SUBSCRIPTIONS, "_demo_subs")

    report(0.10, "Writing plans and exchange rates")
    register(con, "_demo_plans", to_arrow(plans_frame()))
    insert_canonical(con, PLANS, "_demo_plans")
    fx = fx_frame(_rng(seed, "fx"), as_of_day - HISTORY_DAYS, as_of_day)
    register(con, "_demo_fx", to_arrow(fx, dates=("valid_from",)))
    insert_canonical(con, FX_RATES, "_demo_fx")

    report(0.14, "Writing support tickets and NPS answers")
    ticket_frame, credits = tickets(_rng(seed, "tickets"), rows, accts, as_of_day)
    register(con, "_demo_tickets", to_arrow(ticket_frame))
    insert_canonical(con, SUPPORT_TICKETS, "_demo_tickets")
    nps = nps_responses(_rng(seed, "nps"), rows, accts, as_of_day)
    register(con, "_demo_nps", to_arrow(nps))
    insert_canonical(con, NPS_RESPONSES, "_demo_nps")

    refs = referenceable(_rng(seed, "references"), rows, accts, nps, as_of_day)
    register(
        con,
        "_demo_accounts",
        to_arrow(_accounts_frame(accts, rows, refs, as_of_day), dates=("created_at",)),
    )
    insert_canonical(con, ACCOUNTS, "_demo_accounts")
    # CRM opportunities and custom attributes: read back what was written, own seed stream.
    insert_crm(con, seed=seed, as_of=as_of)

    report(0.22, "Writing invoices, payments and card events")
    billing_rng = _rng(seed, "billing")
    behaviour = billing_accounts(billing_rng, accts)
    extra = pd.concat(
        [card_events(billing_rng, rows, accts, as_of_day), credits], ignore_index=True
    )
    insert_billing(con, behaviour, extra, seed=seed, as_of_day=as_of_day)

    report(0.35, "Writing 365 days of product usage")
    segments = usage_segments(_rng(seed, "usage"), rows, accts, as_of_day, horizon)
    insert_usage(
        con,
        segments,
        seed=seed,
        as_of_day=as_of_day,
        on_chunk=lambda done, total: report(
            0.35 + 0.6 * done / total, f"Writing product usage ({done}/{total})"
        ),
    )

    report(0.97, "Recording what was generated")
    set_meta(con, "source", "demo")
    set_meta(con, "data_as_of", as_of.isoformat())
    set_meta(con, "demo_seed", str(seed))
    set_meta(con, "demo_accounts", str(accounts))


def _accounts_frame(
    accts: Accounts, rows: pd.DataFrame, refs: np.ndarray, as_of_day: int
) -> pd.DataFrame:
    """Rows of ``accounts``; seats_purchased = seats of the latest plan row up to as_of."""
    plan_rows = rows[rows["kind"].isin((m.TRIAL, m.MAIN)) & (rows["start"] <= as_of_day)]
    latest = plan_rows.sort_values(["acc", "start", "kind"], kind="stable").groupby("acc").last()
    seats = np.zeros(accts.count, dtype=np.int64)
    seats[latest.index] = latest["seats"].to_numpy()
    return pd.DataFrame(
        {
            "account_id": accts.account_id,
            "name": accts.name,
            "segment": np.array(cat.SEGMENTS, dtype=object)[accts.segment],
            "industry": accts.industry,
            "region": accts.region,
            "csm_owner": accts.csm_owner,
            "parent_account_id": accts.parent_account_id,
            "created_at": accts.created,
            "seats_purchased": seats.astype(np.int32),
            "referenceable": refs,
        }
    )


def _terminal_progress(fraction: float, text: str) -> None:
    sys.stderr.write(f"\r{fraction:5.0%}  {text:<50}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Command line: build a demo database (--db) or a folder of sample CSVs (--export)."""
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.generator", description=__doc__.split("\n")[0]
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--db", type=Path, help="new or empty DuckDB file to fill")
    target.add_argument("--export", type=Path, help="folder for <table>.csv files")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--usage-days",
        type=int,
        default=None,
        help="with --export: keep only the last N days of usage",
    )
    args = parser.parse_args(argv)
    as_of = args.as_of or date.today()
    started = time.perf_counter()
    if args.db is not None:
        con = open_database(args.db)
        try:
            generate_demo_data(
                con,
                accounts=args.accounts,
                seed=args.seed,
                as_of=as_of,
                progress=_terminal_progress,
            )
            counts = table_counts(con)
        finally:
            con.close()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            con = open_database(Path(tmp) / "export.duckdb")
            try:
                generate_demo_data(con, accounts=args.accounts, seed=args.seed, as_of=as_of)
                if args.usage_days is not None:
                    first_kept = as_of - timedelta(days=args.usage_days - 1)
                    con.execute(
                        "DELETE FROM usage_daily WHERE date < $first", {"first": first_kept}
                    )
                counts = table_counts(con)
                for path in export_canonical_csvs(con, args.export):
                    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
            finally:
                con.close()
    for table, count in counts.items():
        print(f"{table:<16} {count:>12,}")
    print(f"as_of {as_of.isoformat()}, seed {args.seed}: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
