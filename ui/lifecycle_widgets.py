"""Lifecycle KPIs page pieces: cached data, value formats, the stage rows of KPI cards and the
CSV download (docs/lifecycle.md)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import streamlit as st

from metrics.filters import Filters
from metrics.lifecycle import STAGES, lifecycle_kpis
from store.export import to_safe_csv
from ui import formats
from ui.data import View, read_cursor
from ui.health_widgets import download

NO_VALUE = "—"
WINDOWS: tuple[int, ...] = (90, 180, 365)
"""Look-back windows offered on the page, in days."""
STAGE_LABELS: dict[str, str] = {
    "acquisition": "Acquisition",
    "onboarding": "Onboarding",
    "adoption": "Adoption",
    "support": "Support",
    "expansion": "Expansion",
    "renewal": "Renewal",
    "advocacy": "Advocacy",
}
BASIS: dict[str, str] = {
    "trial_conversion": "trials",
    "sales_cycle_days": "won deals",
    "avg_contract_value": "won deals",
    "active_30d": "accounts",
    "active_60d": "accounts",
    "active_90d": "accounts",
    "usage_frequency": "customers",
    "usage_breadth": "active customers (features per active day)",
    "sla_attainment": "tickets",
    "csat": "rated tickets",
    "upsell_conversion": "base customers",
    "cross_sell_conversion": "base customers",
    "acv_per_customer": "customers",
    "referenceable_share": "customers",
    "promoters": "respondents",
    "passives": "respondents",
    "detractors": "respondents",
    "nps": "respondents",
}
"""What each KPI's denominator counts (renewal rates are over ARR due)."""
COUNTED_SHARES = frozenset({
    "trial_conversion", "sla_attainment", "upsell_conversion", "cross_sell_conversion",
    "referenceable_share", "promoters", "passives", "detractors",
})
"""Percent KPIs whose numerator is a count ("55 of 59 trials")."""


@st.cache_data(max_entries=32, show_spinner="Computing lifecycle KPIs…")
def _kpis(path: str, version: int, as_of: date, filters: Filters, window_days: int
          ) -> pd.DataFrame:
    with read_cursor(path) as cur:
        return lifecycle_kpis(cur, as_of=as_of, filters=filters, window_days=window_days)


def lifecycle_data(view: View, window_days: int) -> pd.DataFrame:
    """:func:`metrics.lifecycle.lifecycle_kpis` for the view (cached per database, data
    version, as-of date, filters and window)."""
    return _kpis(view.db.key, view.db.version, view.as_of, view.filters, window_days)


def kpi_text(row: pd.Series) -> str:
    """The card value: ``93.2%``, ``27.5 days``, ``$1,150``, ``4.00 / 5``, ``+20``; "—" when
    the KPI has no value."""
    value = row["value"]
    if formats.is_missing(value):
        return NO_VALUE
    unit, kpi = row["unit"], row["kpi"]
    if kpi == "nps":
        return f"{value:+.0f}" if round(value) != 0 else "0"
    if kpi == "csat":
        return f"{value:.2f} / 5"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "days":
        return f"{value:.1f} days"
    if unit in ("count", "score"):
        return f"{value:.1f}"
    return formats.money(value, unit)


def card_label(row: pd.Series) -> tuple[str, str]:
    """(label, period) of a card: a label ending in ``(Q1 2024)`` shows the quarter beneath
    the card, so the label fits."""
    label = str(row["label"])
    match = re.fullmatch(r"(.*) \((Q[1-4] \d{4})\)", label)
    return (match.group(1), match.group(2)) if match else (label, "")


def basis_text(row: pd.Series, currency: str) -> str:
    """What the value is computed over: ``55 of 59 trials``, ``over 229 customers``,
    ``Q1 2024 · of $2.92M ARR due``; empty when there is nothing."""
    denominator = row["denominator"]
    if formats.is_missing(denominator) or denominator == 0:
        return ""
    kpi = row["kpi"]
    if row["stage"] == "renewal":
        _, period = card_label(row)
        due = f"of {formats.money(denominator, currency, compact=True)} ARR due"
        return f"{period} · {due}" if period else due
    noun = BASIS.get(kpi, "")
    if kpi in COUNTED_SHARES:
        return f"{formats.count(row['numerator'])} of {formats.count(denominator)} {noun}"
    return f"over {formats.count(denominator)} {noun}"


def stage_rows(kpis: pd.DataFrame, currency: str) -> None:
    """One row per stage: its name, then a bordered card per KPI (definition on hover, the
    basis or the missing-data text beneath)."""
    widest = int(kpis.groupby("stage", sort=False).size().max())
    for stage in STAGES:
        rows = kpis[kpis["stage"] == stage]
        if rows.empty:
            continue
        columns = st.columns([0.7] + [1.0] * widest, vertical_alignment="top")
        columns[0].markdown(f"**{STAGE_LABELS[stage]}**")
        for column, (_, row) in zip(columns[1:], rows.iterrows(), strict=False):
            with column:
                label, _ = card_label(row)
                st.metric(label, kpi_text(row), help=row["definition"], border=True)
                if row["missing_data"]:
                    st.caption(f":material/info: {row['missing_data']}")
                else:
                    st.caption(basis_text(row, currency))


def lifecycle_csv(kpis: pd.DataFrame) -> bytes:
    """The KPI table as CSV: the columns of ``python cli.py report lifecycle``, values,
    numerators and denominators rounded to four decimals, formula-like text neutralised."""
    frame = kpis.copy()
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype(float).round(4)
    return to_safe_csv(frame)


def lifecycle_download(kpis: pd.DataFrame, *, key: str, as_of: date) -> None:
    """The "Download CSV" button of the KPI table."""
    download(
        "lifecycle_kpis", lifecycle_csv(kpis), key=key, as_of=as_of,
        help="Every KPI shown: the columns of `python cli.py report lifecycle` (value, "
        "numerator, denominator, definition, missing data).",
    )


def missing_summary(kpis: pd.DataFrame) -> str:
    """``3 of 20 KPIs have no data`` (empty when all have data)."""
    missing = int(kpis["value"].isna().sum())
    if not missing:
        return ""
    return f"{missing} of {len(kpis)} KPIs have no data: each says which import would enable it."
