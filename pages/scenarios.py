"""Churn scenarios: what 10 % vs 30 % churn does to three years of growth."""

import re

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from metrics.scenarios import (
    BRIEF_EXAMPLE,
    CONVENTION_FORMULAS,
    ScenarioInputs,
    churn_cut_value,
    rounded_for_report,
)
from store.export import to_safe_csv
from store.scenario_store import ScenarioNameError
from ui import data, formats, scenario_data, sidebar
from ui.scenario_charts import churn_label, scenario_chart

CONVENTION_NAMES = {
    "annual-additive": "Annual, additive",
    "annual-multiplicative": "Annual, multiplicative",
    "monthly": "Monthly (annual rates converted)",
}
FIELDS = {  # session-state key → (ScenarioInputs field, scale from the widget's unit)
    "scenarios_customers": ("starting_customers", 1),
    "scenarios_arpa": ("arpa", 1),
    "scenarios_acquisition": ("acquisition_rate", 100),
    "scenarios_expansion": ("expansion_rate", 100),
    "scenarios_years": ("years", 1),
    "scenarios_margin": ("gross_margin", 100),
    "scenarios_discount": ("discount_rate", 100),
    "scenarios_convention": ("convention", 1),
}


def load_inputs(inputs: ScenarioInputs) -> None:
    """Put a scenario's inputs into the widgets (a button callback, before widgets draw)."""
    for key, (name, scale) in FIELDS.items():
        value = getattr(inputs, name)
        st.session_state[key] = value * scale if scale != 1 else value
    st.session_state["scenarios_churn_rates"] = ", ".join(
        formats.percent(rate, decimals=1).replace("%", "").replace(".0", "").strip()
        for rate in inputs.churn_rates
    )


def load_measured(measured: dict) -> None:
    base = BRIEF_EXAMPLE.model_copy(update={
        "starting_customers": round(measured["starting_customers"]),
        "arpa": round(measured["arpa"], 2),
        "acquisition_rate": round(measured["acquisition_rate"], 4),
        "expansion_rate": round(measured["expansion_rate"], 4),
        "churn_rates": (round(measured["churn_rate"], 4),),
    })
    load_inputs(base)


def parse_churn_rates(text: str) -> tuple[float, ...]:
    """"0, 10, 30" (percent) → (0.0, 0.1, 0.3); ValueError in plain words."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if not parts:
        raise ValueError("Enter at least one churn rate, for example 10, 30.")
    rates = []
    for part in parts:
        try:
            value = float(part.rstrip("%"))
        except ValueError:
            raise ValueError(f"'{part}' is not a number; write churn rates as percentages, "
                             "separated by commas (10, 30).") from None
        if not 0 <= value <= 100:
            raise ValueError(f"Churn rate {part} % is outside 0–100 %.")
        rates.append(value / 100)
    return tuple(sorted(set(rates)))


if "scenarios_customers" not in st.session_state:
    load_inputs(BRIEF_EXAMPLE)

db = data.open_current()
view = sidebar.render(db)

st.title("Churn scenarios")
st.caption(
    "What churn does to growth: compare churn rates over a few years, see what it costs against "
    "no churn, what you must sell to hit a growth target, and what cutting churn is worth. "
    "The sidebar's as-of date and filters apply to **Start from my data** only."
)

preset, mine, window = st.columns([1.2, 1.2, 1], vertical_alignment="bottom")
preset.button("Load the brief's example", key="scenarios_preset", on_click=load_inputs,
              args=(BRIEF_EXAMPLE,), help="1,000 customers at $100/month, 50 % annual "
              "acquisition, 0 %, 10 % and 30 % churn, three years, additive.")
months = window.selectbox("Trailing window", [6, 12, 24], index=1, key="scenarios_window",
                          format_func=lambda m: f"last {m} months")
measured = scenario_data.measured_inputs(view, months)
mine.button("Start from my data", key="scenarios_from_data", disabled=measured is None,
            on_click=load_measured, args=(measured,) if measured else (),
            help="Today's customers and ARPA, with acquisition, expansion and churn measured "
            "over the trailing window.")
if measured is None:
    st.caption("Start from my data needs at least one complete month with customers at its "
               "start before the as-of date.")
else:
    with st.expander("How the rates from my data are measured"):
        for name, sentence in measured["explanation"].items():
            st.markdown(f"- **{name.replace('_', ' ')}**: {sentence}")
        st.caption(
            f"Measured: acquisition {formats.percent(measured['acquisition_rate'])}, churn "
            f"{formats.percent(measured['churn_rate'])}, expansion "
            f"{formats.percent(measured['expansion_rate'])} a year."
        )

with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    c1.number_input("Starting customers", min_value=0.0, step=100.0, format="%.0f",
                    key="scenarios_customers")
    c1.number_input("ARPA (per month)", min_value=0.0, step=10.0, key="scenarios_arpa")
    c2.number_input("Gross acquisition, % of base a year", min_value=0.0, step=5.0,
                    key="scenarios_acquisition")
    c2.number_input("ARPA expansion, % a year", min_value=-100.0, step=1.0,
                    key="scenarios_expansion")
    c3.text_input("Annual churn rates to compare, %", key="scenarios_churn_rates",
                  help="Comma-separated percentages, e.g. 10, 20, 30. No churn is always shown.")
    c3.slider("Horizon, years", 0, 10, key="scenarios_years")
    c4.number_input("Gross margin, %", min_value=0.0, max_value=100.0, step=5.0,
                    key="scenarios_margin")
    c4.number_input("Discount rate, % a year", min_value=0.0, max_value=100.0, step=1.0,
                    key="scenarios_discount")
    left, right = st.columns([2, 1])
    left.radio("Compounding convention", list(CONVENTION_NAMES), horizontal=True,
               format_func=CONVENTION_NAMES.get, key="scenarios_convention",
               help="The answers differ by convention; the one in use is stated with the results.")
    target = right.number_input("Growth target, % a year", min_value=0.0, value=50.0, step=5.0,
                                key="scenarios_target") / 100

try:
    churn_rates = parse_churn_rates(st.session_state["scenarios_churn_rates"])
    inputs = ScenarioInputs(
        **{name: st.session_state[key] / scale if scale != 1 else st.session_state[key]
           for key, (name, scale) in FIELDS.items()},
        churn_rates=churn_rates,
    )
except ValueError as exc:
    message = exc if not isinstance(exc, ValidationError) else "; ".join(
        e["msg"] for e in exc.errors())
    st.error(f"These inputs cannot be simulated: {message}")
    st.stop()

path, summary = scenario_data.scenario(inputs, target)
currency = view.currency
st.info(
    f"**Convention: {CONVENTION_NAMES[inputs.convention]}** — "
    f"{CONVENTION_FORMULAS[inputs.convention]} (g = acquisition, c = churn). Revenue of each "
    f"{'month' if inputs.convention == 'monthly' else 'year'} = MRR at its start × its months.",
    icon="ℹ️",
)

left, right = st.columns(2)
with left:
    st.plotly_chart(
        scenario_chart(path, measure="customers", currency=currency,
                       title="Customers by churn rate"),
        key="scenarios_customers_chart",
    )
with right:
    st.plotly_chart(scenario_chart(path, measure="mrr", currency=currency,
                                   title="MRR by churn rate"), key="scenarios_mrr_chart")

st.subheader(f"After {inputs.years} years")
table = pd.DataFrame({
    "Churn": [churn_label(r) for r in summary["churn_rate"]],
    "Customers": summary["ending_customers"].round(1),
    f"MRR ({currency})": summary["ending_mrr"],
    f"Revenue, cumulative ({currency})": summary["cumulative_revenue"],
    f"MRR lost vs no churn ({currency})": summary["mrr_loss_vs_no_churn"],
    "MRR lost, %": summary["mrr_loss_pct"] * 100,
    f"Revenue lost vs no churn ({currency})": summary["revenue_loss_vs_no_churn"],
    "Revenue lost, %": summary["revenue_loss_pct"] * 100,
    f"Acquisition needed for {formats.percent(target, decimals=0)} growth, %":
        summary["required_acquisition"] * 100,
    f"CLV, margin ÷ churn ({currency})": summary["clv_simple"],
    f"CLV, NPV cash at year end ({currency})": summary["clv_npv_cash_at_end"],
    f"CLV, NPV cash at year start ({currency})": summary["clv_npv_cash_at_start"],
})
money = formats.money_column_format(currency)
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={
        column: st.column_config.NumberColumn(format=money if currency in column else "%.1f")
        for column in table.columns if column != "Churn"
    },
    key="scenarios_summary_table",
)
st.caption("CLV per customer on annual periods: margin = 12 × ARPA × gross margin, retention = "
           "1 − churn; n/a at 0 % churn for margin ÷ churn.")
st.download_button(
    "Download scenario (CSV)",
    to_safe_csv(rounded_for_report(summary.assign(convention=inputs.convention))),
    file_name="churn_scenario.csv", mime="text/csv", key="scenarios_download",
)

st.subheader("What cutting churn is worth")
pick, points_col, *metrics_cols = st.columns([1, 1, 1, 1, 1])
positive_rates = [r for r in inputs.churn_rates if r > 0] or [0.0]
chosen = pick.selectbox("From churn", positive_rates, format_func=churn_label,
                        key="scenarios_cut_from")
points = points_col.number_input("Cut by, points", min_value=0.0, max_value=100.0, value=5.0,
                                 step=1.0, key="scenarios_cut_points") / 100
value = churn_cut_value(inputs, churn_rate=chosen, points=points)
metrics_cols[0].metric("Extra MRR", formats.money(value["ending_mrr_gain"], currency,
                                                  compact=True),
                       help=f"MRR gained at the end of the {inputs.years}-year horizon.")
metrics_cols[1].metric("Extra revenue", formats.money(value["cumulative_revenue_gain"], currency,
                                                      compact=True),
                       help="Revenue gained over the whole horizon.")
metrics_cols[2].metric("Extra CLV per customer", formats.money(
    value["clv_npv_cash_at_end_gain"], currency, compact=True),
    help="Gain in lifetime value per customer (NPV, cash at year end).")

st.subheader("Saved scenarios")
name_col, save_col = st.columns([3, 1], vertical_alignment="bottom")
name = name_col.text_input("Name", key="scenarios_name", placeholder="e.g. Board plan, 20 % churn")
if save_col.button("Save these inputs", key="scenarios_save"):
    try:
        scenario_data.save(view, name, inputs, sidebar.current_my_book() or "")
        st.success(f"Saved “{name.strip()}”.")
    except ScenarioNameError as exc:
        st.warning(str(exc))
saved = scenario_data.list_saved(view)
if saved.empty:
    st.caption("No saved scenarios yet: name the inputs above and save them to compare later.")
else:
    compare = st.multiselect("Compare side by side", saved["name"].tolist(),
                             key="scenarios_compare")
    frames = []
    for scenario_name in compare:
        stored = scenario_data.load_saved(view, scenario_name)
        if stored is not None:
            _, stored_summary = scenario_data.scenario(stored, target)
            frames.append(stored_summary.assign(scenario=scenario_name,
                                                convention=stored.convention,
                                                years=stored.years))
    if frames:
        combined = pd.concat(frames, ignore_index=True)
        wide = combined.pivot_table(index="churn_rate", columns="scenario",
                                    values="ending_mrr").reset_index()
        wide.insert(0, "Churn", [churn_label(r) for r in wide.pop("churn_rate")])
        st.dataframe(wide, hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format=money)
                                    for c in wide.columns if c != "Churn"},
                     key="scenarios_compare_table")
        st.caption("Ending MRR by churn rate for each saved scenario.")
        st.download_button("Download comparison (CSV)", to_safe_csv(rounded_for_report(combined)),
                           file_name="scenario_comparison.csv", mime="text/csv",
                           key="scenarios_compare_download")
