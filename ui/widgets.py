"""Shared page pieces: KPI cards, formatted tables with CSV downloads, empty states, settings.

Pages call these so that every screen formats money, rates and months the same way and every
download goes through :func:`store.export.to_safe_csv` (formula-injection safe) with the same
columns ``cli.py report`` prints (:mod:`metrics.reports`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from metrics.executive import ExecutiveData, Kpi
from metrics.filters import Filters
from metrics.reports import REPORTS, format_report
from store.export import to_safe_csv
from store.schema import TABLES_BY_NAME, Table
from store.settings import MetricSettings, SettingsError, validate_settings
from ui import charts, formats
from ui.data import Database, View, display_path, save_metric_settings
from ui.sidebar import clear_filters

LOWER_IS_BETTER = frozenset({"logo_churn_rate"})
"""KPIs whose increase is bad news: their change is coloured inversely."""

_SAVED_KEY = "data_settings_saved_version"


def kpi_card(kpi: Kpi, *, currency: str, previous_label: str | None, note: str = "") -> None:
    """One ``st.metric`` card: formatted value, change vs last month, help = the definition."""
    change = formats.kpi_change(kpi.unit, kpi.change, currency)
    help_text = kpi.help + note
    if formats.is_missing(kpi.value):
        help_text += " Shown as n/a when there is not enough history or nothing to divide by."
    st.metric(
        kpi.label,
        formats.kpi_value(kpi.unit, kpi.value, currency),
        delta=change,
        delta_color="inverse" if kpi.key in LOWER_IS_BETTER else "normal",
        delta_description=f"vs {previous_label}" if change and previous_label else None,
        help=help_text,
        border=True,
    )


def kpi_rows(data: ExecutiveData, rows: Sequence[tuple[str, Sequence[str]]], currency: str) -> None:
    """KPI cards in titled rows, e.g. ``[("Revenue", ("mrr", "arr")), ...]``."""
    by_key = {k.key: k for k in data.kpis}
    months = list(data.summary["month"])
    previous_label = formats.month_label(months[-2]) if len(months) > 1 else None
    notes = {}
    if not data.churn.empty:
        # METRICS.md: show the quick ratio also with reactivation in the numerator.
        with_reactivation = data.churn["quick_ratio_with_reactivation"].iloc[-1]
        notes["quick_ratio"] = (
            f" With reactivation in the numerator: {formats.ratio(with_reactivation)}."
        )
    for title, keys in rows:
        st.markdown(f"**{title}**")
        columns = st.columns(len(keys))
        for column, key in zip(columns, keys, strict=True):
            if key in by_key:
                with column:
                    kpi_card(by_key[key], currency=currency, previous_label=previous_label,
                             note=notes.get(key, ""))


def download_report(name: str, data: ExecutiveData, *, key: str, as_of: date) -> None:
    """A CSV download of the named report (same columns and rounding as ``cli.py report``)."""
    report = REPORTS[name]
    frame = format_report(report, report.build(data))
    st.download_button(
        "Download CSV",
        data=to_safe_csv(frame),
        file_name=f"{name}_{as_of.isoformat()}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        help=report.description + ". Same table as `python cli.py report " + name + "`.",
        on_click="ignore",
    )


def _money(label: str, currency: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format=formats.money_column_format(currency))


def movements_table(movements: pd.DataFrame, currency: str) -> None:
    """The MRR bridge by month, newest first, money with cents."""
    display = movements.sort_values("month", ascending=False).copy()
    display["month"] = pd.to_datetime(display["month"])
    st.dataframe(
        display,
        hide_index=True,
        height=min(420, 38 + 35 * len(display)),
        column_order=(
            "month", "mrr_start", "new", "expansion", "reactivation", "contraction", "churn",
            "mrr_end", "customers", "new_customers", "churned_customers",
        ),
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "mrr_start": _money(f"MRR start ({currency})", currency),
            "new": _money("+ New", currency),
            "expansion": _money("+ Expansion", currency),
            "reactivation": _money("+ Reactivation", currency),
            "contraction": _money("− Contraction", currency),
            "churn": _money("− Churn", currency),
            "mrr_end": _money(f"= MRR end ({currency})", currency),
            "customers": st.column_config.NumberColumn("Customers", format="%,d"),
            "new_customers": st.column_config.NumberColumn("New customers", format="%,d"),
            "churned_customers": st.column_config.NumberColumn("Churned customers", format="%,d"),
        },
    )


def cohort_table(cohorts: pd.DataFrame, measure: str) -> None:
    """Cohort retention as a matrix (cohort × months since start), percent with 1 decimal."""
    matrix = charts.cohort_matrix(cohorts, measure) * 100
    matrix = matrix.sort_index(ascending=False)
    sizes = cohorts.drop_duplicates("cohort").set_index("cohort")["cohort_customers"]
    display = pd.DataFrame(
        {
            "Cohort": [formats.month_label(pd.Timestamp(c).date()) for c in matrix.index],
            "Customers": [int(sizes[c]) for c in matrix.index],
        }
    )
    month_columns = {}
    for k in matrix.columns:
        label = f"M{int(k)}"
        display[label] = matrix[k].to_numpy()
        month_columns[label] = st.column_config.NumberColumn(label, format="%.1f%%")
    st.dataframe(
        display,
        hide_index=True,
        height=min(420, 38 + 35 * len(display)),
        placeholder="",  # months a young cohort has not reached yet
        column_config={
            "Cohort": st.column_config.TextColumn("Cohort", pinned=True),
            "Customers": st.column_config.NumberColumn(
                "Customers", format="%,d", help="Customers in the cohort's first month."
            ),
            **month_columns,
        },
    )


def view_summary(view: View) -> str:
    """One line saying what the numbers cover: date, currency, filters."""
    parts = [f"As of {view.as_of:%Y-%m-%d}", f"money in {view.currency} per month"]
    f = view.filters
    for label, values in (
        ("Segment", f.segments), ("Plan", f.plans), ("Region", f.regions),
        ("CSM owner", f.csm_owners),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    if f.has_attribute:
        parts.append(f"{f.attribute}: {', '.join(f.attribute_values)}")
    if f.start_month or f.end_month:
        start = formats.month_label(f.start_month) if f.start_month else "first month"
        end = formats.month_label(f.end_month) if f.end_month else "as-of month"
        parts.append(f"Months: {start} – {end}")
    if not any((f.segments, f.plans, f.regions, f.csm_owners, f.start_month, f.end_month,
                f.has_attribute)):
        parts.append("all accounts")
    if view.db.settings.view_level == "parent":
        parts.append("parent-level view")
    return " · ".join(parts)


def empty_state(view: View) -> None:
    """Explain why there is nothing to show and what to do next."""
    if view.filters != Filters():
        st.info(
            "**No revenue data for these filters.** No account matching the sidebar filters "
            "had MRR in the selected months. Clear or widen the filters.",
            icon="ℹ️",
        )
        st.button("Clear filters", key="executive_clear_filters", on_click=clear_filters)
        return
    path = display_path(view.db)
    st.info(
        f"**No revenue data in `{view.db.path.name}` up to {view.as_of:%Y-%m-%d}.** "
        "Import your billing and CRM exports:\n\n"
        f"`python cli.py import --db {path} accounts.csv subscriptions.csv …`\n\n"
        f"or build the demo database with `python cli.py sample --db {path}`, then reload "
        "this page. The Data page lists the import format of every table.",
        icon="ℹ️",
    )


def metric_settings_form(db: Database) -> None:
    """Edit the metric conventions; on save, validate, store and recompute in one transaction.

    Invalid input shows why and changes nothing.
    """
    current = db.settings
    saved = st.session_state.pop(_SAVED_KEY, None)
    if saved is not None:
        st.success(f"Settings saved; data version is now {saved}. Every page uses them.",
                   icon="✅")
    with st.form("data_metric_settings", border=True):
        left, right = st.columns(2)
        with left:
            currency = st.text_input(
                "Reporting currency (ISO 4217)",
                value=current.reporting_currency,
                max_chars=3,
                help="Every amount is converted into this currency using fx_rates, which must "
                "be quoted as reporting currency per 1 unit of the other currency.",
            )
            deduct = st.toggle(
                "Deduct discounts from MRR",
                value=current.deduct_discounts,
                help="On (ChartMogul default): MRR after discounts. Off: list price.",
            )
            parent = st.toggle(
                "Roll child accounts up into their parent",
                value=current.view_level == "parent",
                help="Parent-level view: movements and customers are counted per top-level "
                "parent account.",
            )
        with right:
            limited = st.toggle(
                "Limit reactivation to a window",
                value=current.reactivation_window_days is not None,
                help="Off: a returning account is always a reactivation. On: only within the "
                "window after its last paid month-end, otherwise it counts as new.",
            )
            window = st.number_input(
                "Reactivation window (days)",
                min_value=0,
                max_value=3650,
                step=1,
                value=current.reactivation_window_days or 90,
                help="Used only when the window is on.",
            )
        submitted = st.form_submit_button("Save and recompute", type="primary")
    if not submitted:
        return
    values = {
        "reporting_currency": currency.strip().upper(),
        "deduct_discounts": deduct,
        "reactivation_window_days": int(window) if limited else None,
        "view_level": "parent" if parent else "account",
    }
    try:
        settings = validate_settings(MetricSettings, values)
    except SettingsError as exc:
        st.error(f"{exc} Nothing was changed.", icon="⚠️")
        return
    if settings == current:
        st.info("These are the settings in use already; nothing to recompute.", icon="ℹ️")
        return
    try:
        with st.spinner("Recomputing month-end MRR history…"):
            version = save_metric_settings(db, settings)
    except duckdb.Error as exc:
        st.error(f"Settings not saved: {exc}. Nothing was changed; try again.", icon="⚠️")
        return
    st.session_state[_SAVED_KEY] = version
    st.rerun()


def import_format(table: Table) -> pd.DataFrame:
    """A canonical table's import format: column, type, required, default, meaning."""
    rows = []
    for column in table.columns:
        meaning = column.description
        if column.name in table.allowed:
            meaning = (meaning + " One of: " + ", ".join(table.allowed[column.name]) + ".").strip()
        rows.append(
            {
                "column": column.name,
                "type": column.sql_type,
                "required": column.required,
                "default": column.default or "",
                "description": meaning,
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "required", "default", "description"])


def table_inventory(counts: dict[str, int]) -> pd.DataFrame:
    """Rows loaded per canonical table, with what each table holds (display labels).

    Counts are preformatted text (``1,234``) because ``st.table`` shows raw numbers.
    """
    return pd.DataFrame(
        {
            "Table": list(counts),
            "Rows": [formats.count(n) for n in counts.values()],
            "What it holds": [TABLES_BY_NAME[name].description for name in counts],
        }
    ).set_index("Table")
