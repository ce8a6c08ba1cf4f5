"""Plotly builders for churn scenarios and the MRR forecast (no Streamlit, no metric logic)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui import formats
from ui.charts import CHART_HEIGHT, MRR_COLOR

SCENARIO_COLORS = ("#2E7D32", "#1565C0", "#EF6C00", "#C62828", "#6A1B9A", "#00838F",
                   "#5D4037", "#AD1457")


def churn_label(rate: float) -> str:
    """Legend name of a churn rate: "No churn" or "10 % churn"."""
    return "No churn" if rate == 0 else f"{formats.percent(rate, decimals=0)} churn"


def scenario_chart(path: pd.DataFrame, *, measure: str, currency: str, title: str) -> go.Figure:
    """One line per churn rate of ``measure`` ('customers' or 'mrr') against years elapsed."""
    fig = go.Figure()
    for index, (rate, rows) in enumerate(path.groupby("churn_rate", sort=True)):
        if measure == "mrr":
            text = [formats.money(v, currency) for v in rows["mrr"]]
        else:
            text = [formats.count(v) for v in rows["customers"]]
        fig.add_trace(go.Scatter(
            x=rows["years"], y=rows[measure], name=churn_label(float(rate)), mode="lines+markers",
            line={"color": SCENARIO_COLORS[index % len(SCENARIO_COLORS)], "width": 2.5,
                  "dash": "dot" if rate == 0 else "solid"},
            text=text, hovertemplate="%{text}<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}}, height=CHART_HEIGHT,
        margin={"l": 10, "r": 10, "t": 80, "b": 10}, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(title_text="Years from today", rangemode="tozero")
    if measure == "mrr":
        fig.update_yaxes(title_text=f"MRR ({currency} per month)", rangemode="tozero",
                         tickprefix=formats.currency_prefix(currency).strip(), tickformat="~s")
    else:
        fig.update_yaxes(title_text="Customers", rangemode="tozero", tickformat="~s")
    return fig


def forecast_chart(history: pd.DataFrame, forecast: pd.DataFrame, currency: str) -> go.Figure:
    """Actual MRR, then the base forecast with its upside/downside band shaded."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(history["month"]), y=history["mrr"], name="Actual MRR",
        line={"color": MRR_COLOR, "width": 2.5},
        text=[formats.money(v, currency) for v in history["mrr"]],
        hovertemplate="%{text}<extra>Actual</extra>",
    ))
    months = pd.to_datetime(forecast["month"])
    fig.add_trace(go.Scatter(
        x=list(months) + list(months[::-1]),
        y=list(forecast["upside_mrr"]) + list(forecast["downside_mrr"][::-1]),
        fill="toself", fillcolor="rgba(21,101,192,0.15)", line={"width": 0},
        name="Upside–downside band", hoverinfo="skip",
    ))
    fig.add_trace(go.Scatter(
        x=months, y=forecast["base_mrr"], name="Base forecast",
        line={"color": MRR_COLOR, "width": 2.5, "dash": "dash"},
        text=[f"{formats.money(b, currency)} (band {formats.money(d, currency)}–"
              f"{formats.money(u, currency)})"
              for b, d, u in zip(forecast["base_mrr"], forecast["downside_mrr"],
                                 forecast["upside_mrr"], strict=True)],
        hovertemplate="%{text}<extra>Forecast</extra>",
    ))
    fig.update_layout(
        title={"text": "MRR forecast, next 12 months", "x": 0, "font": {"size": 16}},
        height=CHART_HEIGHT, margin={"l": 10, "r": 10, "t": 80, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(title_text="Month", tickformat="%b %Y")
    fig.update_yaxes(title_text=f"MRR ({currency} per month)", tickformat="~s",
                     tickprefix=formats.currency_prefix(currency).strip())
    return fig
