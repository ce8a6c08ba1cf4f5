"""The seeded demo-data generator: determinism, schema rules, relative dates, the scripted story.

Expected numbers are worked out in the comments (prices from ``sample_data.catalog``, the
story from ``sample_data.lifecycle_account``).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sample_data import generator
from sample_data.generator import export_canonical_csvs, generate_demo_data, main
from store.db import get_meta, open_database, table_counts
from store.schema import (
    BILLING_EVENT_TYPES,
    BILLING_PERIODS,
    CANONICAL_TABLES,
    CHARGE_TYPES,
    SUBSCRIPTION_STATUSES,
)
from store.sql import identifier

AS_OF = date(2026, 6, 30)
EXPORTS = Path(__file__).resolve().parents[1] / "sample_data" / "exports"


def build(folder: Path, *, accounts: int, seed: int, as_of: date) -> duckdb.DuckDBPyConnection:
    con = open_database(folder / f"demo_{accounts}_{seed}_{as_of.isoformat()}.duckdb")
    generate_demo_data(con, accounts=accounts, seed=seed, as_of=as_of)
    return con


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = build(tmp_path_factory.mktemp("demo"), accounts=1500, seed=11, as_of=AS_OF)
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchone()[0]


def digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """md5 over each table's rows, sorted, so equal content gives equal digests."""
    out = {}
    for table in CANONICAL_TABLES:
        sql = (
            "SELECT md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) "
            "FROM " + identifier(table.name) + " AS t"
        )
        out[table.name] = scalar(con, sql)
    return out


def test_same_inputs_give_identical_tables_and_another_seed_differs(tmp_path):
    first = digests(build(tmp_path / "a", accounts=300, seed=3, as_of=AS_OF))
    again = digests(build(tmp_path / "b", accounts=300, seed=3, as_of=AS_OF))
    other = digests(build(tmp_path / "c", accounts=300, seed=4, as_of=AS_OF))
    assert first == again
    # The plan catalogue is fixed; every other table depends on the seed.
    assert other["plans"] == first["plans"]
    changed = {name for name in first if first[name] != other[name]}
    assert changed == {t.name for t in CANONICAL_TABLES} - {"plans"}


def test_every_table_is_filled_and_the_meta_keys_say_what_was_built(demo):
    counts = table_counts(demo)
    assert all(count > 0 for count in counts.values()), counts
    assert counts["accounts"] == 1500
    assert counts["plans"] == 7  # four plans and three add-ons
    # 365 days of usage for a year-old account is the most any account can have.
    assert (
        scalar(
            demo, "SELECT max(n) FROM (SELECT count(*) AS n FROM usage_daily GROUP BY account_id)"
        )
        == 365
    )
    assert counts["usage_daily"] > 1500 * 100
    assert get_meta(demo, "source") == "demo"
    assert get_meta(demo, "data_as_of") == "2026-06-30"
    assert get_meta(demo, "demo_seed") == "11"
    assert get_meta(demo, "demo_accounts") == "1500"


def test_subscription_rows_follow_the_schema_rules(demo):
    named = "'" + "', '".join(BILLING_PERIODS) + "'"
    bad = {
        "negative amount": "amount < 0",
        "discount outside 0-100": "discount_pct NOT BETWEEN 0 AND 100",
        "end not after start": "end_date <= start_date",
        "unknown period": f"billing_period NOT IN ({named}) "
        "AND NOT regexp_full_match(billing_period, '[0-9]+months')",
        "unknown status": "status NOT IN ('" + "', '".join(SUBSCRIPTION_STATUSES) + "')",
        "unknown charge type": "charge_type NOT IN ('" + "', '".join(CHARGE_TYPES) + "')",
        "unknown account": "account_id NOT IN (SELECT account_id FROM accounts)",
        "unknown plan": "plan NOT IN (SELECT plan FROM plans)",
        "ended but active": "end_date IS NOT NULL AND status = 'active'",
        "running but cancelled": "end_date IS NULL AND status IN ('cancelled', 'paused')",
        "start after as_of": "start_date > DATE '2026-06-30'",
        "end after as_of": "end_date > DATE '2026-06-30'",
        "monthly with a term": "billing_period = 'month' AND term_end IS NOT NULL",
        "running term renews in the past": "charge_type = 'recurring' AND status = 'active' "
        "AND billing_period <> 'month' AND NOT term_end > DATE '2026-06-30'",
        "ended term renews later": "end_date IS NOT NULL AND term_end > DATE '2026-06-30'",
        "one-time not billed as month": "charge_type = 'one_time' AND billing_period <> 'month'",
    }
    found = {
        name: scalar(demo, "SELECT count(*) FROM subscriptions WHERE " + where)
        for name, where in bad.items()
    }
    assert found == dict.fromkeys(bad, 0)
    # The mix the dashboard is meant to show is really there.
    periods = {
        r[0] for r in demo.execute("SELECT DISTINCT billing_period FROM subscriptions").fetchall()
    }
    assert periods == {"month", "quarter", "half_year", "year", "24months"}
    statuses = {r[0] for r in demo.execute("SELECT DISTINCT status FROM subscriptions").fetchall()}
    assert statuses == set(SUBSCRIPTION_STATUSES)
    assert scalar(demo, "SELECT count(DISTINCT currency) FROM subscriptions") == 3
    assert scalar(demo, "SELECT count(*) FROM subscriptions WHERE discount_pct > 0") > 100


def test_events_tickets_surveys_and_usage_are_valid_and_belong_to_accounts(demo):
    types = "('" + "', '".join(BILLING_EVENT_TYPES) + "')"
    checks = {
        "unknown event type": "SELECT count(*) FROM billing_events WHERE event_type NOT IN "
        + types,
        "future event other than card expiry": "SELECT count(*) FROM billing_events "
        "WHERE occurred_at >= DATE '2026-07-01' AND event_type <> 'card_expiring'",
        "card expiry beyond 30 days": "SELECT count(*) FROM billing_events "
        "WHERE occurred_at > DATE '2026-07-31'",
        "unknown priority": "SELECT count(*) FROM support_tickets "
        "WHERE priority NOT IN ('low', 'normal', 'high', 'urgent')",
        "closed before opened": "SELECT count(*) FROM support_tickets WHERE closed_at < opened_at",
        "csat outside 1-5": "SELECT count(*) FROM support_tickets WHERE csat NOT BETWEEN 1 AND 5",
        "nps outside 0-10": "SELECT count(*) FROM nps_responses WHERE score NOT BETWEEN 0 AND 10",
        "negative usage": "SELECT count(*) FROM usage_daily "
        "WHERE active_users < 0 OR events < 0 OR features_used < 0",
        "usage after as_of": "SELECT count(*) FROM usage_daily WHERE date > DATE '2026-06-30'",
        "duplicate usage day": "SELECT count(*) - count(DISTINCT (account_id, date)) "
        "FROM usage_daily",
        "duplicate ticket id": "SELECT count(*) - count(DISTINCT ticket_id) FROM support_tickets",
        "orphan rows": "SELECT count(*) FROM (SELECT account_id FROM billing_events UNION ALL "
        "SELECT account_id FROM support_tickets UNION ALL SELECT account_id FROM nps_responses "
        "UNION ALL SELECT DISTINCT account_id FROM usage_daily) "
        "WHERE account_id NOT IN (SELECT account_id FROM accounts)",
        "parent unknown or not Enterprise": "SELECT count(*) FROM accounts c "
        "WHERE parent_account_id IS NOT NULL AND parent_account_id NOT IN "
        "(SELECT account_id FROM accounts WHERE segment = 'Enterprise')",
    }
    found = {name: scalar(demo, sql) for name, sql in checks.items()}
    assert found == dict.fromkeys(checks, 0)
    # Signed amounts: money in positive, money back negative.
    signs = dict(
        demo.execute(
            "SELECT event_type, CASE WHEN min(amount) >= 0 THEN '+' WHEN max(amount) <= 0 THEN '-' "
            "ELSE '+-' END FROM billing_events GROUP BY event_type"
        ).fetchall()
    )
    assert signs == {
        "invoice_paid": "+",
        "payment_failed": "+",
        "dunning_notice": "+",
        "card_expiring": "+",
        "card_updated": "+",
        "reinstated": "+",
        "refund": "-",
        "credit": "-",
        "proration": "-",
    }


def test_accounts_have_the_described_firmographics(demo):
    segments = dict(demo.execute("SELECT segment, count(*) FROM accounts GROUP BY 1").fetchall())
    assert set(segments) == {"SMB", "Mid-Market", "Enterprise"}
    assert segments["SMB"] > segments["Mid-Market"] > segments["Enterprise"]
    assert scalar(demo, "SELECT count(DISTINCT csm_owner) FROM accounts") == 8
    assert scalar(demo, "SELECT count(DISTINCT region) FROM accounts") == 4
    assert scalar(demo, "SELECT count(DISTINCT industry) FROM accounts") == 10
    assert scalar(demo, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL") > 20
    assert scalar(demo, "SELECT count(DISTINCT name) FROM accounts") == 1500
    span = scalar(demo, "SELECT DATE '2026-06-30' - min(created_at) FROM accounts")
    assert 1300 <= span <= 1461  # about four years of signups
    assert scalar(demo, "SELECT min(seats_purchased) FROM accounts") >= 1
    # Average MRR per customer rises with the segment (prices x seats, see catalog).
    arpa = dict(
        demo.execute(
            """SELECT a.segment, sum(s.amount * s.quantity * (1 - s.discount_pct / 100)
                / CASE s.billing_period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3
                  WHEN 'half_year' THEN 6 WHEN 'year' THEN 12 ELSE 24 END)
               / count(DISTINCT s.account_id)
           FROM subscriptions s JOIN accounts a USING (account_id)
           WHERE s.status = 'active' AND s.charge_type = 'recurring' GROUP BY 1"""
        ).fetchall()
    )
    assert arpa["SMB"] < arpa["Mid-Market"] < arpa["Enterprise"]
    # Referenceable accounts are subscribed customers whose latest NPS is 9 or 10.
    unhappy_refs = scalar(
        demo,
        """
        SELECT count(*) FROM accounts a WHERE referenceable AND (
            NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = a.account_id
                        AND s.status = 'active' AND s.charge_type = 'recurring')
            OR (SELECT arg_max(score, responded_at) FROM nps_responses n
                WHERE n.account_id = a.account_id) < 9)""",
    )
    assert unhappy_refs == 0
    assert scalar(demo, "SELECT count(*) FROM accounts WHERE referenceable") > 30


def test_fx_rates_cover_every_foreign_currency_from_its_first_start(demo):
    rows = demo.execute("""
        SELECT s.currency, min(s.start_date), (SELECT min(valid_from) FROM fx_rates f
                                               WHERE f.currency = s.currency)
        FROM subscriptions s WHERE s.currency <> 'USD' GROUP BY s.currency ORDER BY 1""").fetchall()
    assert [r[0] for r in rows] == ["EUR", "GBP"]
    for _, first_start, first_rate in rows:
        assert first_rate is not None and first_rate <= first_start
    # One rate per month, without gaps, up to as_of's month; values near today's levels.
    for currency, low, high in (("EUR", 0.85, 1.35), ("GBP", 1.0, 1.6)):
        months, first, last, lo, hi = demo.execute(
            "SELECT count(*), min(valid_from), max(valid_from), min(rate), max(rate) "
            "FROM fx_rates WHERE currency = $c",
            {"c": currency},
        ).fetchone()
        assert last == date(2026, 6, 1)
        assert months == (last.year - first.year) * 12 + last.month - first.month + 1
        assert low < lo and hi < high


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), date(2025, 3, 1), date(2024, 12, 31)])
def test_relative_dates_hold_for_any_as_of(tmp_path, as_of):
    con = build(tmp_path, accounts=400, seed=21, as_of=as_of)
    params = {"as_of": as_of}
    renewals = scalar(
        con,
        """
        SELECT count(DISTINCT account_id) FROM subscriptions
        WHERE status = 'active' AND charge_type = 'recurring'
          AND term_end BETWEEN $as_of + 90 AND $as_of + 120""",
        params,
    )
    failed = scalar(
        con,
        """
        SELECT count(DISTINCT account_id) FROM billing_events WHERE event_type = 'payment_failed'
          AND occurred_at >= date_trunc('month', $as_of) AND occurred_at < $as_of + 1""",
        params,
    )
    expiring = scalar(
        con,
        """
        SELECT count(DISTINCT account_id) FROM billing_events WHERE event_type = 'card_expiring'
          AND occurred_at > $as_of AND occurred_at < $as_of + 31""",
        params,
    )
    # Forced cohorts guarantee max(2, 0.6 % / 0.4 % / 0.4 % of accounts) = 3 / 2 / 2.
    assert renewals >= 3
    assert failed >= 2
    assert expiring >= 2
    assert get_meta(con, "data_as_of") == as_of.isoformat()
    con.close()


def test_renewal_window_is_populated_at_a_realistic_rate(demo):
    # About one in twelve annual contracts renews in any 31-day window: far above the
    # "several per thousand accounts" the renewal page needs.
    renewals = scalar(
        demo,
        """
        SELECT count(DISTINCT account_id) FROM subscriptions
        WHERE status = 'active' AND term_end BETWEEN DATE '2026-06-30' + 90
                                                 AND DATE '2026-06-30' + 120""",
    )
    assert renewals >= 0.01 * 1500


def test_lifecycle_account_tells_its_story_in_order(demo):
    subs = demo.execute("""
        SELECT plan, billing_period, amount, quantity, discount_pct, start_date, end_date,
               term_end, status, charge_type
        FROM subscriptions WHERE account_id = 'acct_lifecycle' ORDER BY start_date""").fetchall()
    assert scalar(demo, "SELECT name FROM accounts WHERE account_id = 'acct_lifecycle'") == (
        "Brightpath Studio"
    )
    assert len(subs) == 4
    monthly, returned, annual, add_on = subs
    signup = AS_OF - timedelta(days=235)  # 2025-11-07
    paused, resumed, upgraded = monthly[6], returned[5], annual[5]
    assert monthly[:2] + monthly[5:6] == ("Growth", "month", signup)
    assert monthly[8:] == ("paused", "recurring")
    assert paused == date(2026, 3, 17)  # signup + 4 months + 10 days
    assert returned[:2] == ("Growth", "month")
    assert resumed.day != signup.day  # new billing anchor
    assert resumed - paused == timedelta(days=45)
    assert returned[6] == upgraded == resumed + timedelta(days=5)
    assert returned[8] == "cancelled"
    assert annual[:2] == ("Pro", "year") and annual[6] is None and annual[8] == "active"
    assert annual[7] == date(upgraded.year + 1, upgraded.month, upgraded.day)
    assert add_on[0] == "Training Workshop"
    assert add_on[1] == "month" and add_on[9] == "one_time" and add_on[5] > upgraded

    events = demo.execute("""
        SELECT event_type, CAST(occurred_at AS DATE), amount FROM billing_events
        WHERE account_id = 'acct_lifecycle' AND event_type <> 'invoice_paid'
        ORDER BY occurred_at""").fetchall()
    kinds = [e[0] for e in events]
    assert kinds == [
        "payment_failed",
        "dunning_notice",
        "card_updated",
        "reinstated",
        "refund",
        "proration",
    ]
    failed_on = events[0][1]
    assert failed_on == date(2026, 1, 7)  # third monthly charge: signup + 2 months
    # Monthly charge: Growth 29 USD x 8 seats = 232.
    assert events[4][1:] == (paused, -232.0)
    # Unused part of the month R..R+1m after the upgrade on R+5: 232 x 26/31 (May 2026).
    next_anchor = date(resumed.year + (resumed.month == 12), resumed.month % 12 + 1, resumed.day)
    unused = (next_anchor - upgraded).days / (next_anchor - resumed).days
    assert events[5][1] == upgraded
    assert events[5][2] == pytest.approx(-round(232 * unused, 2))
    assert events[5][2] < 0
    # The annual invoice: Pro 49 x 12 months x 10 seats less 12 % = 5,174.40.
    assert scalar(
        demo,
        "SELECT amount FROM billing_events WHERE account_id = 'acct_lifecycle' "
        "AND event_type = 'invoice_paid' AND CAST(occurred_at AS DATE) = $d",
        {"d": upgraded},
    ) == pytest.approx(5174.40)
    # Inactive while paused: no usage between the pause and the return.
    during, before, after = demo.execute(
        """
        SELECT count(*) FILTER (WHERE date >= $p AND date < $r),
               count(*) FILTER (WHERE date < $p), count(*) FILTER (WHERE date >= $r)
        FROM usage_daily WHERE account_id = 'acct_lifecycle'""",
        {"p": paused, "r": resumed},
    ).fetchone()
    assert during == 0 and before > 100 and after == (AS_OF - resumed).days + 1


def test_churned_accounts_use_less_in_their_last_60_days_than_in_their_first(demo):
    first, last, accounts = demo.execute("""
        WITH ended AS (
            SELECT account_id, max(coalesce(end_date, DATE '9999-12-31')) AS last_end
            FROM subscriptions WHERE charge_type = 'recurring' AND status <> 'trial'
            GROUP BY account_id),
        churned AS (SELECT * FROM ended WHERE last_end <= DATE '2026-06-30'),
        usage AS (
            SELECT u.account_id, u.date, u.events, c.last_end,
                   min(u.date) OVER (PARTITION BY u.account_id) AS first_day
            FROM usage_daily u JOIN churned c USING (account_id))
        SELECT avg(events) FILTER (WHERE date < first_day + 60),
               avg(events) FILTER (WHERE date >= last_end - 60),
               count(DISTINCT account_id)
        FROM usage WHERE last_end - first_day >= 150""").fetchone()
    assert accounts >= 30
    assert last < 0.7 * first


def test_usage_nears_the_plan_limit_before_an_upgrade(demo):
    median_share = scalar(
        demo,
        """
        WITH plan_rows AS (
            SELECT s.*, p.included_units FROM subscriptions s JOIN plans p USING (plan)
            WHERE s.charge_type = 'recurring' AND s.status <> 'trial'),
        upgrades AS (
            SELECT a.account_id, a.end_date, a.included_units FROM plan_rows a
            JOIN plan_rows b ON b.account_id = a.account_id AND b.start_date = a.end_date
                            AND b.included_units > a.included_units)
        SELECT median(share) FROM (
            SELECT sum(u.events) / any_value(g.included_units) AS share
            FROM upgrades g JOIN usage_daily u ON u.account_id = g.account_id
             AND u.date >= g.end_date - 30 AND u.date < g.end_date
            GROUP BY g.account_id, g.end_date HAVING count(*) = 30)""",
    )
    typical = scalar(
        demo,
        """
        SELECT median(share) FROM (
            SELECT sum(u.events) / any_value(p.included_units) AS share
            FROM subscriptions s JOIN plans p USING (plan)
            JOIN usage_daily u ON u.account_id = s.account_id AND u.date > DATE '2026-05-31'
            WHERE s.status = 'active' AND p.included_units IS NOT NULL
            GROUP BY s.subscription_id)""",
    )
    assert median_share > 0.7
    assert typical < 0.5


def test_declining_and_growing_accounts_both_exist(demo):
    declining, growing, total = demo.execute("""
        WITH r AS (
            SELECT account_id,
                   avg(events) FILTER (WHERE date > DATE '2026-06-30' - 30) AS recent,
                   avg(events) FILTER (WHERE date BETWEEN DATE '2026-06-30' - 119
                                                      AND DATE '2026-06-30' - 60) AS before
            FROM usage_daily GROUP BY account_id
            HAVING min(date) <= DATE '2026-06-30' - 119 AND max(date) = DATE '2026-06-30')
        SELECT count(*) FILTER (WHERE recent < 0.75 * before),
               count(*) FILTER (WHERE recent > 1.15 * before), count(*) FROM r""").fetchone()
    assert declining >= 0.02 * total
    assert growing >= 0.02 * total


def test_churners_have_worse_tickets_and_nps_than_customers(demo):
    rows = demo.execute("""
        WITH ended AS (
            SELECT account_id, max(coalesce(end_date, DATE '9999-12-31')) <= DATE '2026-06-30'
                AS churned
            FROM subscriptions WHERE charge_type = 'recurring' AND status <> 'trial'
            GROUP BY account_id)
        SELECT e.churned,
               (SELECT avg(n.score) FROM nps_responses n JOIN ended x USING (account_id)
                WHERE x.churned = e.churned),
               (SELECT avg(t.sla_breached::INT) FROM support_tickets t JOIN ended x
                USING (account_id) WHERE x.churned = e.churned),
               (SELECT avg(t.csat) FROM support_tickets t JOIN ended x USING (account_id)
                WHERE x.churned = e.churned)
        FROM ended e GROUP BY e.churned""").fetchall()
    by_group = {r[0]: r[1:] for r in rows}
    churn_nps, churn_breach, churn_csat = by_group[True]
    stay_nps, stay_breach, stay_csat = by_group[False]
    assert churn_nps < stay_nps - 0.8
    assert churn_breach > stay_breach
    assert churn_csat < stay_csat - 0.15


def test_a_filled_database_is_refused_and_left_unchanged(demo):
    before = table_counts(demo)
    with pytest.raises(ValueError, match="empty database"):
        generate_demo_data(demo, accounts=50, seed=1, as_of=AS_OF)
    assert table_counts(demo) == before
    with pytest.raises(ValueError, match="at least 10 accounts"):
        generate_demo_data(demo, accounts=5, seed=1, as_of=AS_OF)


def test_a_failure_midway_rolls_everything_back(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(generator, "insert_usage", broken)
    con = open_database(tmp_path / "broken.duckdb")
    with pytest.raises(RuntimeError, match="disk full"):
        generate_demo_data(con, accounts=50, seed=1, as_of=AS_OF)
    assert set(table_counts(con).values()) == {0}
    assert get_meta(con, "source") is None
    monkeypatch.undo()
    generate_demo_data(con, accounts=50, seed=1, as_of=AS_OF)  # the connection still works
    assert table_counts(con)["accounts"] == 50


def test_progress_runs_from_start_to_one(tmp_path):
    seen: list[tuple[float, str]] = []
    con = open_database(tmp_path / "p.duckdb")
    generate_demo_data(
        con, accounts=30, seed=2, as_of=AS_OF, progress=lambda f, text: seen.append((f, text))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert 0 <= fractions[0] < 0.1 and fractions[-1] == 1.0
    assert all(text for _, text in seen) and len(seen) >= 5


def test_export_writes_every_table_with_the_canonical_header(demo, tmp_path):
    paths = export_canonical_csvs(demo, tmp_path / "out")
    assert [p.name for p in paths] == [f"{t.name}.csv" for t in CANONICAL_TABLES]
    counts = table_counts(demo)
    for table, path in zip(CANONICAL_TABLES, paths, strict=True):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert tuple(next(reader)) == table.column_names
            assert sum(1 for _ in reader) == counts[table.name]


def test_committed_sample_exports_are_reproducible_and_small(tmp_path):
    # Regenerate exactly as the README of the folder says and compare byte for byte.
    main(f"--export {tmp_path} --accounts 40 --seed 7 --as-of 2026-06-30 --usage-days 180".split())
    committed = sorted(p.name for p in EXPORTS.glob("*.csv"))
    assert committed == sorted(f"{t.name}.csv" for t in CANONICAL_TABLES)
    for name in committed:
        assert (tmp_path / name).read_bytes() == (EXPORTS / name).read_bytes(), (
            f"{name} is stale: regenerate with python -m sample_data.generator --export "
            "sample_data/exports --accounts 40 --seed 7 --as-of 2026-06-30 --usage-days 180"
        )
    assert sum(p.stat().st_size for p in EXPORTS.glob("*.csv")) < 1_000_000
    assert "acct_lifecycle" in (EXPORTS / "subscriptions.csv").read_text(encoding="utf-8")


def test_five_thousand_accounts_build(tmp_path):
    con = build(tmp_path, accounts=5000, seed=42, as_of=AS_OF)
    counts = table_counts(con)
    assert counts["accounts"] == 5000
    assert counts["usage_daily"] > 5000 * 150
    assert counts["subscriptions"] > 5000
    con.close()
