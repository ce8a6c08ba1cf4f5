"""Mapping a file the user brings: automatic matching, corrections, value rules, saved profiles,
and custom attributes from extra columns of account files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from store.db import open_database
from store.import_profiles import delete_profile, list_profiles, load_profile, save_profile
from store.import_recognise import import_targets, recognise_file
from store.importer import import_files
from store.mapping import Mapping, ValueRules, canonical_recipe, guess_date_format, match_columns
from tests.test_import_support import brief, failing, loaded_db, write

CRM_ACCOUNTS = (
    "Customer,Company Name,Tier,Territory,CSM,Customer Since,Health Notes,NPS Owner\n"
    "A1,Acme Corp,Enterprise,EMEA,Dana,03/01/2022,watch renewal,Kim\n"
    "C9,Crane Ltd,SMB,APAC,Lee,15/07/2023,,\n"
)


@pytest.fixture
def db(tmp_path: Path):
    con = loaded_db(tmp_path / "m.duckdb")
    yield con
    con.close()


def test_columns_match_by_name_synonym_and_spacing():
    header = ["Customer", "Company Name", "Tier", "Territory", "CSM", "Customer Since", "x"]
    matches, problems = match_columns(canonical_recipe("accounts"), header)
    found = {m.field: (m.column, m.how) for m in matches if m.column is not None}
    assert problems == []
    assert found == {
        "account_id": (0, "synonym"),
        "name": (1, "synonym"),
        "segment": (2, "synonym"),
        "region": (3, "synonym"),
        "csm_owner": (4, "synonym"),
        "created_at": (5, "synonym"),
    }
    matches, _ = match_columns(canonical_recipe("subscriptions"), ["Sub ID", "Account-ID",
                               "BILLING PERIOD", "Amount", "Start Date"])  # fmt: skip
    assert [m.how for m in matches if m.column is not None] == [
        "synonym", "name", "name", "name", "name",
    ]  # fmt: skip


def test_user_corrections_override_the_automatic_match():
    header = ["Customer", "Company Name", "Legal Name"]
    matches, problems = match_columns(
        canonical_recipe("accounts"), header, {"name": "Legal Name", "segment": None}
    )
    assert problems == []
    assert [(m.field, m.column, m.how) for m in matches[:3]] == [
        ("account_id", 0, "synonym"), ("name", 2, "chosen"), ("segment", None, "unmapped"),
    ]  # fmt: skip
    _, problems = match_columns(canonical_recipe("accounts"), header, {"name": "Nope"})
    assert problems == ["column 'Nope' chosen for name is not in the header"]


def test_recognition_suggests_a_complete_mapping_with_date_format(db, tmp_path):
    path = write(tmp_path, "crm.csv", CRM_ACCOUNTS)
    found = recognise_file(db, path)
    assert (found.how, found.target, found.kind) == ("unknown", "accounts", "csv")
    assert found.mapping.columns == {
        "account_id": "Customer", "name": "Company Name", "segment": "Tier", "industry": None,
        "region": "Territory", "csm_owner": "CSM", "parent_account_id": None,
        "created_at": "Customer Since", "seats_purchased": None, "referenceable": None,
    }  # fmt: skip
    assert found.mapping.column_rules == {"created_at": ValueRules(date_format="DD/MM/YYYY")}
    assert found.sample[1] == ["C9", "Crane Ltd", "SMB", "APAC", "Lee", "15/07/2023", "", ""]


def test_ambiguous_slash_dates_are_flagged(db, tmp_path):
    text = "account_id,name,created_at\nA7,Seven,03/04/2024\nA8,Eight,05/06/2024\n"
    found = recognise_file(db, write(tmp_path, "a.csv", text), target="accounts")
    assert found.mapping.column_rules == {"created_at": ValueRules(date_format="MM/DD/YYYY")}
    assert (
        "Dates in 'created_at' could be day-first or month-first; MM/DD/YYYY is assumed, "
        "check it." in found.notes
    )
    assert guess_date_format(["13/04/2024"]) == "DD/MM/YYYY"
    assert guess_date_format(["04/13/2024"]) == "MM/DD/YYYY"
    assert guess_date_format(["2024-04-13 10:00"]) == "YYYY-MM-DD"
    assert guess_date_format(["2024-04-13"]) is None  # the canonical rule already reads it


def test_mapped_account_file_keeps_extra_columns_as_custom_attributes(db, tmp_path):
    path = write(tmp_path, "crm.csv", CRM_ACCOUNTS)
    mapping = recognise_file(db, path).mapping
    result = import_files(db, [path], mapping=mapping)
    assert result.row_counts == {"accounts": 2, "account_attributes": 2}
    assert result.files[0].attributes == ("Health Notes", "NPS Owner")
    assert db.execute(
        "SELECT account_id, name, segment, region, csm_owner, created_at FROM accounts "
        "WHERE account_id IN ('A1', 'C9') ORDER BY 1"
    ).fetchall() == [
        ("A1", "Acme Corp", "Enterprise", "EMEA", "Dana", date(2022, 1, 3)),
        ("C9", "Crane Ltd", "SMB", "APAC", "Lee", date(2023, 7, 15)),
    ]
    assert db.execute("SELECT * FROM account_attributes ORDER BY ALL").fetchall() == [
        ("A1", "Health Notes", "watch renewal"), ("A1", "NPS Owner", "Kim"),
    ]  # fmt: skip
    # Clearing a value later removes that attribute; others stay.
    cleared = write(tmp_path, "crm2.csv", "Customer,Company Name,Health Notes\nA1,Acme Corp,\n")
    import_files(db, [cleared], mapping=Mapping(target="accounts"))
    assert db.execute("SELECT * FROM account_attributes ORDER BY ALL").fetchall() == [
        ("A1", "NPS Owner", "Kim"),
    ]


def test_extra_columns_of_other_files_are_listed_as_ignored(db, tmp_path):
    path = write(tmp_path, "s.csv", "Subscription,Customer,Interval,Price,Start,Sales Rep\n"
                 "S7,A1,month,10,2024-01-01,Ann\n")  # fmt: skip
    result = import_files(db, [path], mapping=Mapping(target="subscriptions"))
    assert result.files[0].ignored == ("Sales Rep",)
    assert "Ignored columns (not imported): Sales Rep." in result.files[0].notes


def test_missing_required_fields_are_all_listed_with_the_target(db, tmp_path):
    path = write(tmp_path, "s.csv", "Customer,Notes\nA1,hello\n")
    problems = failing(db, [path], mapping=Mapping(target="subscriptions"))
    assert brief(problems) == [
        ("missing_column", 1, "subscription_id", None),
        ("missing_column", 1, "billing_period", None),
        ("missing_column", 1, "amount", None),
        ("missing_column", 1, "start_date", None),
    ]
    assert problems[0].message == (
        "s.csv line 1, column subscription_id: no column holds subscription_id, which "
        "subscriptions needs; map a column to it"
    )


def test_a_repeated_header_name_that_is_mapped_is_a_problem(db, tmp_path):
    path = write(tmp_path, "a.csv", "Customer,Name,name\nA9,x,y\n")
    problems = failing(db, [path], mapping=Mapping(target="accounts"))
    assert brief(problems) == [("duplicate_column", 1, "Name", "Name")]
    assert problems[0].message == (
        "a.csv line 1, column Name: column 'Name' appears 2 times in the header (columns 2, 3); "
        "rename the copies so it is clear which one to read"
    )


def test_value_rules_cents_day_first_booleans_value_map_and_currency(db, tmp_path):
    path = write(tmp_path, "billing.csv",
                 "ref;cust;every;price;since;state;ref_ok\n"
                 "S7;A1;Monthly;1.990;31.01.2024;Live;J\n"
                 "S8;A1;Yearly;12.000;01.02.2024;Ended;N\n")  # fmt: skip
    mapping = Mapping(
        target="subscriptions",
        columns={"subscription_id": "ref", "account_id": "cust", "billing_period": "every",
                 "amount": "price", "start_date": "since", "status": "state"},
        rules=ValueRules(amount_unit="cents", currency="EUR", thousands="."),
        column_rules={
            "start_date": ValueRules(date_format="DD.MM.YYYY"),
            "billing_period": ValueRules(values={"monthly": "month", "yearly": "year"}),
            "status": ValueRules(values={"live": "active", "ended": "cancelled"}),
        },
        extra_columns="ignore",
    )  # fmt: skip
    result = import_files(db, [path], mapping=mapping)
    assert result.files[0].ignored == ("ref_ok",)
    assert db.execute(
        "SELECT subscription_id, billing_period, amount, currency, start_date, status FROM "
        "subscriptions WHERE subscription_id IN ('S7', 'S8') ORDER BY 1"
    ).fetchall() == [
        ("S7", "month", 19.9, "EUR", date(2024, 1, 31), "active"),
        ("S8", "year", 120.0, "EUR", date(2024, 2, 1), "cancelled"),
    ]


def test_boolean_tokens_and_timestamps_with_offsets(db, tmp_path):
    path = write(tmp_path, "t.csv", "Ticket,Customer,Opened,Breached\n"
                 "T1,A1,2024-03-01T10:00:00+02:00,Oui\nT2,A1,03/01/2024 4:30 PM,Non\n"
                 "T3,A1,2024-03-01 09:00,peut-être\n")  # fmt: skip
    rules = {"sla_breached": ValueRules(true_values=("Oui",), false_values=("Non",)),
             "opened_at": ValueRules(date_format="YYYY-MM-DD")}  # fmt: skip
    problems = failing(db, [path], mapping=Mapping(target="support_tickets", columns={
        "ticket_id": "Ticket", "sla_breached": "Breached"}, column_rules=rules))  # fmt: skip
    assert brief(problems) == [
        ("not_a_timestamp", 3, "Opened", "03/01/2024 4:30 PM"),
        ("not_a_boolean", 4, "Breached", "peut-être"),
    ]
    assert problems[1].message == (
        "t.csv line 4, column Breached: 'peut-être' is not true or false; use Oui or Non"
    )
    fixed = write(tmp_path, "t2.csv", "Ticket,Customer,Opened,Breached\n"
                  "T1,A1,2024-03-01T10:00:00+02:00,Oui\nT2,A1,2024-03-01 16:30,Non\n")  # fmt: skip
    import_files(db, [fixed], mapping=Mapping(target="support_tickets", columns={
        "ticket_id": "Ticket", "sla_breached": "Breached"}, column_rules=rules))  # fmt: skip
    assert db.execute(
        "SELECT ticket_id, opened_at, sla_breached FROM support_tickets ORDER BY 1"
    ).fetchall() == [
        ("T1", datetime(2024, 3, 1, 8, 0), True),  # +02:00 converted to UTC
        ("T2", datetime(2024, 3, 1, 16, 30), False),
    ]


def test_saved_profile_is_offered_for_the_same_header_and_used(db, tmp_path):
    first = write(tmp_path, "crm-june.csv", CRM_ACCOUNTS)
    mapping = recognise_file(db, first).mapping
    save_profile(db, "CRM accounts", mapping, ["Customer", "Company Name", "Tier", "Territory",
                 "CSM", "Customer Since", "Health Notes", "NPS Owner"])  # fmt: skip
    assert [(p.name, p.target) for p in list_profiles(db)] == [("CRM accounts", "accounts")]
    # Next month's export: same columns in another order and case.
    later = write(tmp_path, "crm-july.csv",
                  "customer since,Customer,Company Name,Tier,Territory,CSM,Health Notes,NPS Owner\n"
                  "20/08/2023,C10,Delta Co,SMB,NA,Lee,,\n")  # fmt: skip
    found = recognise_file(db, later)
    assert (found.how, found.profiles, found.target) == ("profile", ["CRM accounts"], "accounts")
    result = import_files(db, [later])  # offered automatically: one profile fits this header
    assert result.files[0].how == "profile"
    assert db.execute("SELECT created_at FROM accounts WHERE account_id = 'C10'").fetchall() == [
        (date(2023, 8, 20),)
    ]
    assert import_files(db, [later], profile="CRM accounts").row_counts == {
        "accounts": 1, "account_attributes": 0,
    }  # fmt: skip
    assert load_profile(db, "CRM accounts") == mapping
    assert delete_profile(db, "CRM accounts") and list_profiles(db) == []
    with pytest.raises(ValueError, match="No mapping profile named 'CRM accounts'"):
        import_files(db, [later], profile="CRM accounts")


def test_targets_list_tables_then_presets():
    targets = import_targets()
    assert [t.name for t in targets[:9]] == [
        "accounts", "subscriptions", "usage_daily", "billing_events", "support_tickets",
        "nps_responses", "plans", "fx_rates", "opportunities",
    ]  # fmt: skip
    assert {t.name for t in targets if t.kind == "preset"} == {
        "stripe", "chargebee", "baremetrics", "salesforce", "hubspot", "events", "snapshot",
    }  # fmt: skip
    stripe = next(t for t in targets if t.name == "stripe")
    assert [f.label for f in stripe.fields if f.required] == [
        "id", "Customer ID", "Interval", "Amount", "Start (UTC)",
    ]  # fmt: skip


def test_recognition_of_a_preamble_suggests_the_header_line(tmp_path):
    con = open_database(tmp_path / "r.duckdb")
    path = write(tmp_path, "r.csv", "Opportunity report\nAs of 30 June\n\n"
                 "account_id,name\nA1,Acme\n")  # fmt: skip
    found = recognise_file(con, path)
    con.close()
    assert [p.rule for p in found.problems] == ["preamble"]
    assert found.dialect.header_line == 4
    assert found.mapping.dialect.header_line == 4
    assert (found.how, found.target, found.header) == ("canonical", "accounts",
                                                       ["account_id", "name"])
