"""The IBM Telco churn file through the snapshot preset, against figures computed from the file.

Convention (store/vendor_presets.py, SNAPSHOT; docs/import.md), as-of date A = 2024-06-30:
an active customer (Churn = No) with tenure T >= 1 pays its MonthlyCharges every month from the
1st of the month T-1 months before June 2024, so it is a customer at June's month-end and, when
T >= 2, at May's; tenure 0 starts on A (a customer at A, not in May). A churned customer
(Churn = Yes) paid for the T months before June and ends on A: a customer in May, churned in
June. Charges are constant over the tenure, so June has no expansion or contraction.

Hence, independently from the CSV (module csv, no project code):
- customers at A = rows with Churn = No; MRR at A = their MonthlyCharges summed;
- customers at the start of June = (No and tenure >= 2) + (Yes and tenure >= 1);
- churned in June = Yes rows; churned MRR = their MonthlyCharges;
- logo churn = churned / customers at start; revenue (gross MRR) churn = churned MRR / MRR at
  the start of June.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from metrics.executive import executive_data
from metrics.snapshots import refresh_derived
from store.db import open_database, table_counts
from store.importer import import_files
from tests.conftest import SHARED

TELCO = SHARED / "data" / "telco_customer_churn.csv"
AS_OF = date(2024, 6, 30)

pytestmark = pytest.mark.skipif(not TELCO.exists(), reason="../shared/data is not present")


def _expected() -> dict[str, float]:
    with TELCO.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    active = [r for r in rows if r["Churn"] == "No"]
    churned = [r for r in rows if r["Churn"] == "Yes"]
    at_start = [r for r in active if int(r["tenure"]) >= 2] + [
        r for r in churned if int(r["tenure"]) >= 1
    ]
    churned_mrr = sum(float(r["MonthlyCharges"]) for r in churned)
    start_mrr = sum(float(r["MonthlyCharges"]) for r in at_start)
    return {
        "rows": len(rows),
        "customers": len(active),
        "mrr": sum(float(r["MonthlyCharges"]) for r in active),
        "customers_start": len(at_start),
        "mrr_start": start_mrr,
        "churned": len(churned),
        "churned_mrr": churned_mrr,
        "logo_churn": len(churned) / len(at_start),
        "revenue_churn": churned_mrr / start_mrr,
    }


def test_telco_snapshot_matches_figures_computed_from_the_file(tmp_path: Path) -> None:
    expected = _expected()
    # The figures this test pins (so a change in the file or the convention is visible).
    assert (expected["rows"], expected["customers"], expected["churned"]) == (7043, 5174, 1869)
    assert round(expected["mrr"], 2) == 316985.75
    assert expected["customers_start"] == 5174 - 11 - 233 + 1869  # 11 tenure-0, 233 tenure-1

    con = open_database(tmp_path / "telco.duckdb")
    result = import_files(con, [TELCO], preset="snapshot", as_of=AS_OF, on_loaded=refresh_derived)
    assert result.row_counts["accounts"] == 7043
    assert result.row_counts["subscriptions"] == 7043
    assert table_counts(con)["accounts"] == 7043
    attributes = con.execute(
        "SELECT value, count(*) FROM account_attributes WHERE name = 'Contract' GROUP BY 1 "
        "ORDER BY 1"
    ).fetchall()
    assert attributes == [("Month-to-month", 3875), ("One year", 1473), ("Two year", 1695)]

    data = executive_data(con, as_of=AS_OF)
    con.close()
    june = data.movements.iloc[-1]
    rates = data.churn.iloc[-1]
    assert june["month"] == date(2024, 6, 1)
    assert int(june["customers"]) == expected["customers"]
    assert float(june["mrr_end"]) == pytest.approx(expected["mrr"], abs=0.005)
    assert int(june["customers_start"]) == expected["customers_start"]
    assert float(june["mrr_start"]) == pytest.approx(expected["mrr_start"], abs=0.005)
    assert int(june["churned_customers"]) == expected["churned"]
    assert float(june["churn"]) == pytest.approx(expected["churned_mrr"], abs=0.005)
    assert (float(june["expansion"]), float(june["contraction"])) == (0.0, 0.0)
    assert float(rates["logo_churn_rate"]) == pytest.approx(expected["logo_churn"], rel=1e-12)
    assert float(rates["gross_mrr_churn_rate"]) == pytest.approx(
        expected["revenue_churn"], rel=1e-9
    )
