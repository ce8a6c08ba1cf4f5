"""Streamlit pieces of the Insights pages: controls' options, KPI rows, tables, downloads.

Tables are shaped for reading here (percent columns, labels); the numbers come unchanged from
:mod:`metrics.drivers` and :mod:`metrics.backtest`. Downloads go through
:func:`store.export.to_safe_csv` (formula-injection safe).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import streamlit as st

from metrics.backtest import HealthBacktest
from metrics.drivers import ChurnDrivers, DriverModel
from metrics.health_settings import HealthSettings
from store.export import to_safe_csv
from ui.data import Database, save_health_settings

LEAD_OPTIONS: tuple[int, ...] = (0, 30, 60, 90, 120, 180)
WINDOW_OPTIONS: tuple[int, ...] = (180, 365, 730)

DRIVERS_METHOD = """
- **Decisions**: every contract renewal due in the window with a known outcome (churned when
  the MRR is 0 at the grace period's end, METRICS.md), every account that stopped paying
  without a contract renewal, and every account still paying on the as-of date with no other
  decision in the window (retained).
- **Signals** are read at the last month end before *decision date − lead time*: health
  inputs (usage, adoption, engagement, support, NPS, billing, MRR trend), plan, billing
  period, segment, industry, region, tenure, discount and every custom account attribute.
  Decisions whose account was not yet a customer then, or that come before the usage history
  reaches, are left out.
- **Renewal rate with and without**: each signal group against every other decision; the
  difference has a 95 % interval (Newcombe's hybrid score method); lift = churn rate in the
  group ÷ churn rate of all decisions (above 1 = more churn).
- **Model**: logistic regression of churn on every signal with data for 10 % of decisions
  (scikit-learn, L2, C = 1), all inputs standardised so coefficients compare; fitted on 70 %
  of the decisions and judged on the other 30 % (ROC AUC: 0.5 is a coin toss, 1 perfect).
  It shows association, not cause.
"""

BACKTEST_METHOD = """
- **Decisions** are those of the Churn drivers page (contract renewals, accounts that stopped
  paying, accounts still paying on the as-of date), each with the health score it had at the
  last month end before *decision date − lead time*, scored with the current settings.
- **AUC**: the probability that a renewal's score was above a churn's (ties count half).
  0.5 is a coin toss; 0.7 useful; 0.8 strong.
- **Renewal rate by band** uses the current band thresholds; bars show 95 % Wilson intervals.
  A score that works shows red renewing least and green most, and renewal rising with score.
- **Suggested weights**: a logistic regression of renewal on the component scores (fitted on
  70 % of the decisions) gives weights in proportion to each component's positive effect,
  refined by a search that maximises the AUC of the score as it is really computed (missing
  components left out). Components with data for under 10 % of the decisions keep their
  weight. Both weight sets are compared on the other 30 %. Nothing changes until you apply
  them, and you can change them back on the Health settings page.
"""


def decision_controls(*, key: str) -> tuple[int, int]:
    """Lead time and decision window pickers; (lead_days, window_days)."""
    lead_column, window_column, _ = st.columns([3, 2, 3], vertical_alignment="bottom")
    lead_days = lead_column.select_slider(
        "Lead time (days before the decision)",
        options=LEAD_OPTIONS,
        value=90,
        key=f"{key}_lead_days",
        help="Signals and scores are read at the last month end before the decision date minus "
        "this many days: how early you would have seen them.",
    )
    window_days = window_column.selectbox(
        "Decisions made in the last",
        options=WINDOW_OPTIONS,
        index=WINDOW_OPTIONS.index(365),
        format_func=window_label,
        key=f"{key}_window_days",
    )
    return int(lead_days), int(window_days)


def window_label(days: int) -> str:
    return {180: "6 months", 365: "12 months", 730: "24 months"}.get(days, f"{days} days")


def _pct(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}%}"


def _auc(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def no_decisions(excluded: int, before_history: int, *, what: str = "Churn drivers") -> None:
    """Empty state: no renewal decision with signals in the window."""
    reasons = []
    if excluded:
        reasons.append(f"{excluded:,} decisions were of accounts not yet customers at the lead "
                       "time")
    if before_history:
        reasons.append(f"{before_history:,} came before the usage history reaches")
    detail = (" (" + "; ".join(reasons) + ")") if reasons else ""
    st.info(
        "**No renewal decisions to learn from yet**" + detail + f". {what} need past renewals "
        "or churns: import subscriptions with end dates and contract term ends (Import page), "
        "pick a later as-of date, a longer window or a shorter lead time.",
        icon="ℹ️",
    )


def drivers_kpis(found: ChurnDrivers) -> None:
    """Decisions, renewal rate, churns and the model's held-out AUC."""
    columns = st.columns(5)
    columns[0].metric("Decisions analysed", f"{found.decisions:,}",
                      help="Renewal decisions in the window whose signals could be read.")
    columns[1].metric("Renewal rate", _pct(found.renewal_rate))
    churns = found.decisions - round(found.decisions * found.renewal_rate)
    columns[2].metric("Churns", f"{churns:,}", help="Decisions where the account left.")
    columns[3].metric(
        "Model AUC (held out)", _auc(found.model.auc) if found.model else "n/a",
        help="How well the model ranks churners above renewals on decisions it did not see: "
        "0.5 is a coin toss, 1.0 perfect.",
    )
    columns[4].metric(
        "Left out", f"{found.excluded + found.before_history:,}",
        help=f"{found.excluded:,} decisions of accounts not yet customers at the lead time; "
        f"{found.before_history:,} before the usage history reaches.",
    )


def model_note(model: DriverModel) -> str:
    return (f"Fitted on {model.train_decisions:,} decisions, judged on {model.test_decisions:,}"
            f" held out · Brier score {model.brier:.3f} (lower is better) · a point on the "
            "dotted line means the predicted churn came true as often as predicted.")


def signal_rates_table(rates: pd.DataFrame) -> None:
    """The per-signal table, strongest evidence first."""
    shown = rates[["label", "group", "decisions", "coverage", "renewal_rate",
                   "renewal_rate_rest", "difference", "ci_low", "ci_high", "lift"]].copy()
    for column in ("coverage", "renewal_rate", "renewal_rate_rest", "difference", "ci_low",
                   "ci_high"):
        shown[column] = shown[column] * 100
    percent = "%.1f%%"
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            "label": st.column_config.TextColumn("Signal", width="medium"),
            "group": st.column_config.TextColumn("Group", width="medium"),
            "decisions": st.column_config.NumberColumn("Decisions", format="localized"),
            "coverage": st.column_config.NumberColumn("Share", format=percent,
                                                      help="Share of all decisions in the group"),
            "renewal_rate": st.column_config.NumberColumn("Renewal rate", format=percent),
            "renewal_rate_rest": st.column_config.NumberColumn(
                "Without", format=percent, help="Renewal rate of every other decision"),
            "difference": st.column_config.NumberColumn("Difference (pts)", format="%+.1f"),
            "ci_low": st.column_config.NumberColumn("95 % CI low", format="%+.1f"),
            "ci_high": st.column_config.NumberColumn("95 % CI high", format="%+.1f"),
            "lift": st.column_config.NumberColumn(
                "Churn lift", format="%.2f×",
                help="Churn rate in the group ÷ churn rate of all decisions"),
        },
        key="drivers_signal_table",
    )


def coefficients_table(coefficients: pd.DataFrame) -> None:
    st.dataframe(
        coefficients[["feature", "coefficient", "odds_ratio", "effect"]],
        hide_index=True,
        width="stretch",
        column_config={
            "feature": st.column_config.TextColumn("Signal"),
            "coefficient": st.column_config.NumberColumn("Coefficient (per SD)", format="%+.3f"),
            "odds_ratio": st.column_config.NumberColumn("Odds of churn ×", format="%.2f"),
            "effect": st.column_config.TextColumn("Effect"),
        },
        key="drivers_coefficients_table",
    )


def download_frame(name: str, frame: pd.DataFrame, *, as_of: date, key: str, help: str) -> None:
    st.download_button(
        "Download CSV", data=to_safe_csv(frame), file_name=f"{name}_{as_of.isoformat()}.csv",
        mime="text/csv", key=key, icon=":material/download:", help=help, on_click="ignore",
    )


def backtest_kpis(found: HealthBacktest) -> None:
    columns = st.columns(4)
    columns[0].metric("Decisions analysed", f"{found.decisions:,}",
                      help=f"{found.scored:,} of them had a health score at the lead time.")
    columns[1].metric("Renewal rate", _pct(found.renewal_rate))
    columns[2].metric(
        "Health score AUC", _auc(found.auc),
        help="Probability that a renewal's score was above a churn's: 0.5 is a coin toss, "
        "1.0 a perfect separation.",
    )
    verdict = auc_verdict(found.auc)
    columns[3].metric("Verdict", verdict)


def auc_verdict(auc: float) -> str:
    """Plain words for an AUC (rule of thumb of Hosmer and Lemeshow)."""
    if auc is None or math.isnan(auc):
        return "n/a"
    if auc >= 0.8:
        return "Strong"
    if auc >= 0.7:
        return "Useful"
    if auc >= 0.6:
        return "Weak"
    return "No better than chance"


def weights_table(found: HealthBacktest) -> None:
    shown = found.weights.assign(
        component=found.weights["component"].str.capitalize(),
        coverage=found.weights["coverage"] * 100,
        learned=found.weights["learned"].map(
            {True: "learned", False: "kept"}),
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "component": st.column_config.TextColumn("Component"),
            "current": st.column_config.NumberColumn("Current", format="%.1f", width="small"),
            "suggested": st.column_config.NumberColumn("Suggested", format="%.1f",
                                                       width="small"),
            "coverage": st.column_config.NumberColumn("With data", format="%.0f%%",
                                                      width="small",
                                                      help="Share of decisions with data"),
            "learned": st.column_config.TextColumn(
                "Weight", width="small",
                help="learned from the decisions, or kept: too little data or no variation"),
        },
        key="backtest_weights_table",
    )


def suggestion_summary(found: HealthBacktest) -> str:
    """One sentence comparing current and suggested weights on the held-out decisions."""
    if found.note:
        return found.note
    current, suggested = found.current_auc_test, found.suggested_auc_test
    if (found.weights["suggested"] == found.weights["current"]).all():
        return (f"No better weights found: the current ones did best on the validation "
                f"decisions (held-out AUC {_auc(current)}), so there is nothing to apply.")
    base = (f"On {found.test_decisions:,} held-out decisions the current weights reach AUC "
            f"{_auc(current)} and the suggested ones {_auc(suggested)}.")
    if suggested > current:
        return base + " The suggested weights separate renewals from churns better."
    return base + " They do not predict better than the current weights: keep the current ones."


CONFIRMING = "backtest_confirming"
"""Session flag: the confirmation dialog is open (kept across its own reruns)."""


def _stop_confirming() -> None:
    st.session_state.pop(CONFIRMING, None)


@st.dialog("Apply the suggested weights?", on_dismiss=_stop_confirming)
def confirm_weights(db: Database, settings: HealthSettings, found: HealthBacktest) -> None:
    """Ask before saving the suggested weights as the health settings.

    Open while :data:`CONFIRMING` is set; Apply, Cancel or closing the dialog clear it.
    """
    suggested = found.suggested_weights()
    if suggested is None:
        st.warning("There is no suggestion to apply.")
        return
    changes = [
        f"- **{name.capitalize()}**: {old:g} → {new:g}"
        for (name, old), new in zip(settings.weights.as_dict().items(),
                                    suggested.as_dict().values(), strict=True)
        if old != new
    ]
    st.markdown("Every account's health score and band will be recomputed with these weights:")
    st.markdown("\n".join(changes) or "No weight changes.")
    st.caption(suggestion_summary(found))
    left, right = st.columns(2)
    if left.button("Apply", type="primary", key="backtest_confirm_apply"):
        _stop_confirming()
        save_health_settings(db, settings.model_copy(update={"weights": suggested}))
        st.session_state["backtest_applied"] = (
            f"Weights now: {', '.join(f'{k} {v:g}' for k, v in suggested.as_dict().items())}."
        )
        st.rerun()
    if right.button("Cancel", key="backtest_confirm_cancel"):
        _stop_confirming()
        st.rerun()
