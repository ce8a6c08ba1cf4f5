"""Churn drivers on the IBM Telco file imported through the snapshot preset.

Independent oracle: the CSV read with the csv module. With lead time 0 the decisions are the
customers in force at the end of May 2024 (the month end before the as-of date 2024-06-30,
docs/insights.md): churned customers (Churn = Yes) with tenure ≥ 1 and active ones with
tenure ≥ 2 (the snapshot convention, docs/import.md: an active customer with tenure T pays from
the 1st of the month T−1 months before June). Each churned customer is a churn on 2024-06-30,
each active one is retained there.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from metrics.drivers import churn_drivers
from metrics.snapshots import refresh_derived
from store.db import open_database
from store.importer import import_files
from tests.conftest import SHARED

TELCO = SHARED / "data" / "telco_customer_churn.csv"
AS_OF = date(2024, 6, 30)

pytestmark = pytest.mark.skipif(not TELCO.exists(), reason="../shared/data is not present")


def _decisions_from_the_file() -> list[dict[str, str]]:
    with TELCO.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r for r in rows if (r["Churn"] == "Yes" and int(r["tenure"]) >= 1)
            or (r["Churn"] == "No" and int(r["tenure"]) >= 2)]


def test_telco_drivers_match_the_file_and_reach_the_published_auc(tmp_path: Path) -> None:
    con = open_database(tmp_path / "telco.duckdb")
    import_files(con, [TELCO], preset="snapshot", as_of=AS_OF, on_loaded=refresh_derived)
    found = churn_drivers(con, as_of=AS_OF, lead_days=0, window_days=365)
    con.close()

    rows = _decisions_from_the_file()
    churned = [r for r in rows if r["Churn"] == "Yes"]
    assert found.decisions == len(rows)
    assert found.kinds == {"churn": len(churned), "retained": len(rows) - len(churned)}
    assert found.renewal_rate == pytest.approx(1 - len(churned) / len(rows))

    overall_churn = len(churned) / len(rows)
    contract = found.rates.loc[found.rates["signal"] == "attr: Contract"].set_index("group")
    for value in ("Month-to-month", "One year", "Two year"):
        group = [r for r in rows if r["Contract"] == value]
        group_churn = sum(r["Churn"] == "Yes" for r in group) / len(group)
        rest = [r for r in rows if r["Contract"] != value]
        rest_renewal = sum(r["Churn"] == "No" for r in rest) / len(rest)
        assert contract.loc[value, "decisions"] == len(group)
        assert contract.loc[value, "renewal_rate"] == pytest.approx(1 - group_churn)
        assert contract.loc[value, "renewal_rate_rest"] == pytest.approx(rest_renewal)
        assert contract.loc[value, "lift"] == pytest.approx(group_churn / overall_churn)
    # Month-to-month customers churn far more than the rest (published analyses agree).
    assert contract.loc["Month-to-month", "lift"] > 1.5

    model = found.model
    assert model is not None
    # Published logistic regressions on this file reach about 0.84 ROC AUC.
    assert 0.80 <= model.auc <= 0.90, model.auc
    top = set(model.coefficients["signal"].head(6))
    assert {"tenure_months", "attr: Contract"} & top
