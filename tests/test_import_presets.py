"""Vendor presets: each sample export in sample_data/vendor_exports is recognised by its header
and lands as the rows written out here by hand from the file and the preset's conventions
(store/vendor_presets.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.snapshots import refresh_derived
from store.db import get_meta, open_database
from store.import_recognise import recognise_file
from store.importer import import_files
from store.mapping import Mapping, ValueRules
from store.vendor_presets import PRESETS, detect_preset
from tests.conftest import ROOT
from tests.test_import_support import brief, failing, write

VENDOR = ROOT / "sample_data" / "vendor_exports"
EXPORTS = ROOT / "sample_data" / "exports"
D = date


@pytest.fixture
def con(tmp_path: Path):
    connection = open_database(tmp_path / "presets.duckdb")
    yield connection
    connection.close()


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


SAMPLES = {
    "stripe": "stripe_subscriptions.csv",
    "chargebee": "chargebee_subscriptions.csv",
    "baremetrics": "baremetrics_subscriptions.csv",
    "salesforce": "salesforce_opportunities.csv",
    "hubspot": "hubspot_deals.csv",
    "events": "product_events.csv",
    "snapshot": "customer_snapshot.csv",
}


def test_every_preset_has_a_sample_file():
    assert set(SAMPLES) == set(PRESETS)
    assert {p.name for p in VENDOR.glob("*.csv")} == set(SAMPLES.values())


@pytest.mark.parametrize(("preset", "file"), sorted(SAMPLES.items()))
def test_every_sample_export_is_recognised_as_its_preset(con, preset, file):
    recognition = recognise_file(con, VENDOR / file)
    assert (recognition.how, recognition.target) == ("preset", preset)
    assert recognition.problems == []
    assert all(m.column is not None for m in recognition.matches if m.required)


def test_canonical_headers_are_never_a_preset():
    assert detect_preset(["account_id", "occurred_at", "event_type", "amount"]) is None
    assert detect_preset(["account_id", "user_id", "timestamp", "event"]) == "events"


def test_stripe_export_lands_subscriptions_and_creates_named_customers(con):
    result = import_files(con, [VENDOR / "stripe_subscriptions.csv"])
    assert result.row_counts == {"accounts": 7, "subscriptions": 8}
    assert result.files[0].ignored == (
        "Product", "Created (UTC)", "Current Period Start (UTC)", "Trial Start (UTC)",
        "Trial End (UTC)", "tier (metadata)", "crm_id (metadata)",
    )  # fmt: skip
    assert rows(con, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("cus_OkT3mVb1001", "Northwind Traders"),
        ("cus_OkT3mVb1002", "Blue Harbor Logistics"),
        ("cus_OkT3mVb1003", "Crescent Dental Group"),
        ("cus_OkT3mVb1004", "Alder & Finch LLP"),
        ("cus_OkT3mVb1005", "Pinecrest Schools"),
        ("cus_OkT3mVb1006", "hello@quillandink.example"),  # no name: the email
        ("cus_OkT3mVb1007", "Meridian Health"),
    ]
    assert rows(
        con,
        "SELECT right(subscription_id, 2), billing_period, amount, quantity, currency, "
        "start_date, end_date, term_end, status FROM subscriptions ORDER BY 1",
    ) == [
        ("01", "month", 49.0, 12, "USD", D(2023, 3, 14), None, None, "active"),
        ("02", "year", 4200.0, 40, "USD", D(2022, 11, 2), None, D(2024, 11, 2), "active"),
        ("03", "month", 19.0, 3, "USD", D(2024, 1, 20), None, None, "active"),  # past_due
        ("04", "month", 49.0, 8, "USD", D(2023, 6, 1), D(2024, 3, 1), None, "cancelled"),
        # Interval Count 3 = quarter; Cancel At Period End ends it at Current Period End.
        ("05", "quarter", 135.0, 25, "USD", D(2023, 9, 10), D(2024, 9, 10), D(2024, 9, 10),
         "active"),
        ("06", "month", 19.0, 1, "USD", D(2024, 6, 5), None, None, "trial"),
        # incomplete_expired ended on its start day: kept as a one-day subscription.
        ("07", "year", 4200.0, 1, "USD", D(2024, 4, 18), D(2024, 4, 19), D(2025, 4, 18),
         "cancelled"),
        ("08", "month", 49.0, 5, "USD", D(2024, 2, 14), None, None, "active"),
    ]  # fmt: skip


def test_stripe_import_keeps_stored_accounts_as_they_are(con, tmp_path):
    con.execute("INSERT INTO accounts (account_id, name, segment) VALUES "
                "('cus_OkT3mVb1001', 'Northwind (CRM name)', 'Enterprise')")  # fmt: skip
    result = import_files(con, [VENDOR / "stripe_subscriptions.csv"])
    assert result.row_counts["accounts"] == 6
    assert rows(con, "SELECT name, segment FROM accounts WHERE account_id = 'cus_OkT3mVb1001'") == [
        ("Northwind (CRM name)", "Enterprise")
    ]


def test_stripe_without_creating_accounts_reports_unknown_customers(con):
    problems = failing(
        con, [VENDOR / "stripe_subscriptions.csv"],
        mapping=Mapping(target="stripe", create_missing_accounts=False),
    )  # fmt: skip
    assert brief(problems)[0] == ("unknown_account", 2, "Customer ID", "cus_OkT3mVb1001")
    assert len(problems) == 8


def test_stripe_weekly_plan_and_unknown_status_are_named_in_stripe_words(con, tmp_path):
    text = (VENDOR / "stripe_subscriptions.csv").read_text(encoding="utf-8").splitlines()
    bad = text[1].replace(",month,1,49.00,active,", ",week,1,49.00,active,")
    bad2 = text[3].replace(",past_due,", ",on_hold,")
    path = write(tmp_path, "stripe.csv", "\n".join([text[0], bad, text[2], bad2]) + "\n")
    problems = failing(con, [path])
    assert brief(problems) == [
        ("bad_billing_period", 2, "Interval", "week"),
        ("allowed_values", 4, "Status", "on_hold"),
    ]
    assert problems[0].message == (
        "stripe.csv line 2, column Interval: 'week' is not a billing period this dashboard can "
        "turn into MRR; plans must bill by the month or the year (a number of months or years)"
    )
    assert problems[1].message == (
        "stripe.csv line 4, column Status: 'on_hold' is not an allowed value; use one of: "
        "active, past_due, unpaid, trialing, incomplete, incomplete_expired, canceled, paused"
    )


def test_stripe_bad_dates_name_the_stripe_column_and_format(con, tmp_path):
    text = (VENDOR / "stripe_subscriptions.csv").read_text(encoding="utf-8").splitlines()
    bad = text[1].replace(",2023-03-14 09:12,2023-03-14 09:12,", ",2023-03-14 09:12,14/03/2023,")
    problems = failing(con, [write(tmp_path, "stripe.csv", text[0] + "\n" + bad + "\n")])
    assert brief(problems) == [("not_a_date", 2, "Start (UTC)", "14/03/2023")]
    assert problems[0].message.startswith(
        "stripe.csv line 2, column Start (UTC): '14/03/2023' is not a valid date in the format "
        "YYYY-MM-DD (e.g. 2024-01-31); the day must exist in that month (it is written as "
        "DD/MM/YYYY or MM/DD/YYYY"
    )


def test_stripe_amounts_in_cents_by_value_rule(con):
    mapping = Mapping(target="stripe", rules=ValueRules(amount_unit="cents"))
    import_files(con, [VENDOR / "stripe_subscriptions.csv"], mapping=mapping)
    assert rows(con, "SELECT amount FROM subscriptions WHERE subscription_id LIKE '%01'") == [
        (0.49,)
    ]


def test_chargebee_export(con):
    result = import_files(con, [VENDOR / "chargebee_subscriptions.csv"])
    assert result.row_counts == {"accounts": 4, "subscriptions": 5}
    assert result.files[0].ignored == (
        "subscriptions.current_term_start", "subscriptions.mrr", "customers.id"
    )  # fmt: skip
    assert rows(con, "SELECT account_id, name FROM accounts ORDER BY 1") == [
        ("AzZjT1Sb1kC01", "Fieldnotes Media"),
        ("AzZjT1Sb1kC02", "Harborline Freight"),
        ("AzZjT1Sb1kC03", "Li Wei"),  # no company: first and last name
        ("AzZjT1Sb1kC04", "Lind Architects"),
    ]
    assert rows(
        con,
        "SELECT subscription_id, plan, billing_period, amount, quantity, start_date, end_date, "
        "term_end, status FROM subscriptions ORDER BY 1",
    ) == [
        ("AzZjT1Sb1kQ01", "pro-monthly-usd", "month", 29.0, 10, D(2023, 2, 6), None, None,
         "active"),
        # non_renewing: active until the current term ends.
        ("AzZjT1Sb1kQ02", "business-yearly-usd", "year", 960.0, 25, D(2022, 9, 19),
         D(2024, 9, 19), D(2024, 9, 19), "active"),
        ("AzZjT1Sb1kQ03", "pro-monthly-usd", "month", 29.0, 4, D(2023, 5, 30), D(2024, 2, 29),
         None, "cancelled"),
        # in_trial without started_at: starts when created.
        ("AzZjT1Sb1kQ04", "pro-quarterly-usd", "quarter", 81.0, 6, D(2024, 6, 20), None, None,
         "trial"),
        ("AzZjT1Sb1kQ05", "addon-seats-usd", "month", 12.0, 5, D(2023, 11, 1), None, None,
         "paused"),
    ]  # fmt: skip


def test_baremetrics_template_amounts_are_cents(con):
    assert import_files(con, [VENDOR / "baremetrics_subscriptions.csv"]).row_counts == {
        "accounts": 4, "subscriptions": 5,
    }  # fmt: skip
    assert rows(
        con,
        "SELECT subscription_id, account_id, plan, billing_period, amount, quantity, start_date, "
        "end_date, status FROM subscriptions ORDER BY 1",
    ) == [
        ("sub_9001", "cust_1001", "Basic", "month", 29.0, 1, D(2023, 1, 15), None, "active"),
        ("sub_9002", "cust_1002", "Team", "month", 99.0, 3, D(2022, 8, 1), D(2024, 3, 1),
         "cancelled"),
        ("sub_9003", "cust_1003", "Team (annual)", "year", 990.0, 2, D(2023, 10, 10), None,
         "active"),
        ("sub_9004", "cust_1004", "Basic", "month", 29.0, 1, D(2024, 5, 20), None, "active"),
        ("sub_9005", "cust_1002", "Team (quarterly)", "quarter", 270.0, 3, D(2024, 3, 1), None,
         "active"),
    ]  # fmt: skip


def test_salesforce_report_becomes_renewal_opportunities_without_its_footer(con):
    result = import_files(con, [VENDOR / "salesforce_opportunities.csv"])
    assert result.row_counts == {"accounts": 4, "opportunities": 5}
    assert result.files[0].notes[-1] == (
        "Left out the export's footer (Confidential Information - Do Not Distribute; Copyright "
        "(c) 2000-2024 salesforce.com, inc. All rights reserved.)."
    )
    assert rows(
        con,
        "SELECT opportunity_id, account_id, type, amount, close_date, probability, "
        "forecast_category, owner, is_renewal, source FROM opportunities ORDER BY 1",
    ) == [
        ("0065g00000New005", "0015g00000AbC06", "New Customer", 2280.0, D(2024, 8, 31), 10.0,
         "Pipeline", "Priya Natarajan", False, "salesforce"),
        ("0065g00000Ren001", "0015g00000AbC01", "Existing Customer - Renewal", 7056.0,
         D(2024, 7, 14), 90.0, "Commit", "Dana Whitfield", True, "salesforce"),
        ("0065g00000Ren002", "0015g00000AbC02", "Existing Customer - Renewal", 168000.0,
         D(2024, 11, 2), 70.0, "Best Case", "Dana Whitfield", True, "salesforce"),
        ("0065g00000Ren004", "0015g00000AbC03", "Existing Customer - Renewal", 684.0,
         D(2024, 1, 20), 100.0, "Closed", "Marcus Lee", True, "salesforce"),
        ("0065g00000Ups003", "0015g00000AbC02", "Existing Customer - Upgrade", 21000.0,
         D(2024, 9, 30), 20.0, "Pipeline", "Marcus Lee", False, "salesforce"),
    ]  # fmt: skip


def test_hubspot_deals(con):
    assert import_files(con, [VENDOR / "hubspot_deals.csv"]).row_counts == {
        "accounts": 3, "opportunities": 4,
    }  # fmt: skip
    assert rows(
        con,
        "SELECT opportunity_id, account_id, stage, amount, close_date, probability, is_renewal "
        "FROM opportunities ORDER BY 1",
    ) == [
        ("18204417001", "8817350101", "Contract sent", 3480.0, D(2024, 7, 6), 80.0, True),
        ("18204417002", "8817350102", "Decision maker bought-in", 24000.0, D(2024, 9, 19), 60.0,
         True),
        ("18204417003", "8817350104", "Appointment scheduled", 1944.0, D(2024, 7, 31), 20.0,
         False),
        ("18204417004", "8817350101", "Closed won", 720.0, D(2024, 3, 1), 100.0, True),
    ]  # fmt: skip


def test_events_aggregate_into_usage_daily_and_append_across_files(con, tmp_path):
    import_files(con, [EXPORTS / "accounts.csv"])
    result = import_files(con, [VENDOR / "product_events.csv"])
    assert result.row_counts == {"usage_events": 10, "usage_daily": 4}
    day = "SELECT account_id, date, active_users, events, features_used FROM usage_daily "
    expected = [
        ("acct_000001", D(2026, 6, 1), 2, 4, 3),
        ("acct_000001", D(2026, 6, 2), 1, 1, 1),
        ("acct_000002", D(2026, 6, 1), 2, 4, 2),  # 23:59:59Z is still June 1st
        ("acct_000003", D(2026, 6, 2), 1, 1, 1),
    ]
    assert rows(con, day + "ORDER BY 1, 2") == expected
    # The same file again: recognised by its bytes and skipped, nothing added.
    again = import_files(con, [VENDOR / "product_events.csv"])
    assert again.files[0].skipped and again.row_counts == {"usage_events": 0}
    assert rows(con, day + "ORDER BY 1, 2") == expected
    # More events for a day already loaded: distinct users count across both files.
    more = write(tmp_path, "more.csv", "account_id,user_id,timestamp,event\n"
                 "acct_000001,u_0103,2026-06-01T18:00:00Z,login\n"
                 "acct_000001,u_0101,2026-06-01T18:30:00Z,report_viewed\n")  # fmt: skip
    assert import_files(con, [more]).row_counts == {"usage_events": 2, "usage_daily": 1}
    assert rows(con, day + "WHERE account_id = 'acct_000001' ORDER BY 2") == [
        ("acct_000001", D(2026, 6, 1), 3, 6, 3),
        ("acct_000001", D(2026, 6, 2), 1, 1, 1),
    ]


def test_events_for_unknown_accounts_are_problems(con, tmp_path):
    path = write(tmp_path, "ev.csv", "group_id,distinct_id,time,event_name\n"
                 "nobody,u1,1717228800,login\n")  # fmt: skip
    problems = failing(con, [path], mapping=Mapping(
        target="events", column_rules={"occurred_at": ValueRules(date_format="unix")}))
    assert brief(problems) == [("unknown_account", 2, "group_id", "nobody")]


def test_snapshot_dates_follow_the_tenure_convention(con):
    as_of = D(2024, 6, 30)
    result = import_files(con, [VENDOR / "customer_snapshot.csv"], as_of=as_of,
                          on_loaded=refresh_derived)  # fmt: skip
    assert result.row_counts == {"accounts": 8, "account_attributes": 71, "subscriptions": 8}
    assert get_meta(con, "data_as_of") == "2024-06-30"
    assert rows(
        con,
        "SELECT account_id, amount, start_date, end_date, term_end, status FROM subscriptions "
        "ORDER BY 1",
    ) == [
        # tenure 14, active: paying since the 1st of the month 13 months before June 2024.
        ("0101-KQWHS", 45.2, D(2023, 5, 1), None, None, "active"),
        # tenure 1, churned: paid May 2024, ends on the as-of date.
        ("0102-XMPLE", 74.35, D(2024, 5, 1), D(2024, 6, 30), None, "cancelled"),
        # One year contract renews on the next anniversary of the start after the as-of date.
        ("0103-RTFBN", 39.9, D(2021, 5, 1), None, D(2025, 5, 1), "active"),
        # tenure 0: starts on the as-of date.
        ("0104-LPQAZ", 99.65, D(2024, 6, 30), None, D(2026, 6, 30), "active"),
        ("0105-HGTRD", 105.5, D(2019, 6, 1), None, D(2025, 6, 1), "active"),
        ("0106-BVCXZ", 88.1, D(2023, 9, 1), D(2024, 6, 30), None, "cancelled"),
        ("0107-NMJUY", 20.05, D(2022, 8, 1), None, D(2024, 8, 1), "active"),
        ("0108-WEDCV", 50.45, D(2024, 5, 1), None, None, "active"),
    ]
    assert rows(con, "SELECT name, value FROM account_attributes WHERE account_id = '0104-LPQAZ' "
                "ORDER BY 1") == [  # TotalCharges ' ' is empty: no attribute
        ("Contract", "Two year"), ("InternetService", "Fiber optic"),
        ("PaperlessBilling", "No"), ("Partner", "Yes"),
        ("PaymentMethod", "Credit card (automatic)"), ("PhoneService", "Yes"),
        ("SeniorCitizen", "0"), ("gender", "Male"),
    ]  # fmt: skip
    assert rows(con, "SELECT month, round(sum(mrr), 2) FROM mrr_snapshot WHERE month >= "
                "'2024-05-01' GROUP BY 1 ORDER BY 1") == [  # fmt: skip
        # May: everyone with a start on or before May 31 (0101, 0102, 0103, 0105, 0106, 0107,
        # 0108); June: the active ones, including tenure 0 starting on June 30.
        (D(2024, 5, 1), round(45.2 + 74.35 + 39.9 + 105.5 + 88.1 + 20.05 + 50.45, 2)),
        (D(2024, 6, 1), round(45.2 + 39.9 + 99.65 + 105.5 + 20.05 + 50.45, 2)),
    ]
