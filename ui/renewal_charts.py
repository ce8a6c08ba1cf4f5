"""Plotly figures of the Renewals pages: the pipeline by period and the renewal-rate trend.

Builders only reshape for display and style; numbers come from ``metrics.renewals`` and
``metrics.renewal_outcomes``. Bands use the health colours (red, amber, green, grey for no
data); work statuses run from grey (not contacted) through blues to green (renewed) and red
(churned), in the order a renewal moves through them.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go

from metrics.renewals import BAND_ARR_COLUMNS, STATUS_ARR_COLUMNS
from store.renewal_work import STATUSES
from ui import formats
from ui.charts import _array_axis
from ui.health_charts import BAND_COLORS

HEIGHT = 360
BAND_NAMES = ("red", "yellow", "green", "no data")
STATUS_COLORS: dict[str, str] = {
    "not contacted": "#B0BEC5",
    "contacted": "#90CAF9",
    "proposal sent": "#42A5F5",
    "verbally committed": "#1565C0",
    "at risk": "#F9A825",
    "renewed": "#2E7D32",
    "churned": "#C62828",
}
OUTCOME_COLORS: dict[str, tuple[str, str]] = {
    "renewal": ("Renewed", "#66BB6A"),
    "upsell": ("Renewed with upsell", "#2E7D32"),
    "downsell": ("Renewed with downsell", "#F9A825"),
    "churn": ("Churned", "#C62828"),
}
RATE_LINES: dict[str, tuple[str, str, str]] = {
    "gross_renewal_rate": ("Gross renewal rate", "#1565C0", "solid"),
    "net_renewal_rate": ("Net renewal rate", "#2E7D32", "solid"),
    "logo_renewal_rate": ("Logo renewal rate", "#6A1B9A", "dot"),
    "in_quarter_renewal_rate": ("In-quarter renewal rate", "#EF6C00", "dash"),
}


def period_label(day: object, period: str) -> str:
    """``Jan 2027`` for a month, ``2027 Q1`` for a quarter (first days)."""
    stamp = pd.Timestamp(day)  # type: ignore[arg-type]
    if period == "quarter":
        return f"{stamp.year} Q{(stamp.month - 1) // 3 + 1}"
    return stamp.strftime("%b %Y")


def _layout(
    fig: go.Figure, title: str, *, height: int = HEIGHT, legend_below: bool = False
) -> go.Figure:
    # Half-width charts put the legend under the plot: two legend rows above it would run
    # into the title.
    legend = ({"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0}
              if legend_below else
              {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0})
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height + (60 if legend_below else 0),
        margin={"l": 10, "r": 10, "t": 50 if legend_below else 80, "b": 10},
        legend=legend,
        hovermode="x unified",
        hoverlabel={"namelength": -1},
        barmode="stack",
        bargap=0.25,
    )
    return fig


def pipeline_chart(
    by_period: pd.DataFrame,
    currency: str,
    *,
    period: Literal["month", "quarter"],
    split: Literal["band", "status"],
) -> go.Figure:
    """ARR due per period as bars stacked by health band or work status, with the forecast
    (ARR due × likelihood) as a line of diamonds beside it.

    ``by_period`` has the columns of :func:`metrics.renewals.pipeline_by_period`.
    """
    labels = [period_label(p, period) for p in by_period[period]]
    fig = go.Figure()
    if split == "band":
        series = [(band, column, BAND_COLORS[band])
                  for band, column in zip(BAND_NAMES, BAND_ARR_COLUMNS, strict=True)]
    else:
        series = [(status, column, STATUS_COLORS[status])
                  for status, column in zip(STATUSES, STATUS_ARR_COLUMNS, strict=True)]
    for name, column, colour in series:
        values = by_period[column].astype(float)
        if not values.any():
            continue  # an empty band or status only crowds the legend
        fig.add_trace(go.Bar(
            x=labels, y=values, name=name.capitalize(), marker_color=colour,
            hovertemplate="%{y:,.0f}",
        ))
    fig.add_trace(go.Scatter(
        x=labels, y=by_period["forecast_arr"].astype(float), name="Forecast (ARR × likelihood)",
        mode="lines+markers", line={"color": "#263238", "width": 2, "dash": "dot"},
        marker={"symbol": "diamond", "size": 9}, hovertemplate="%{y:,.0f}",
    ))
    high = float(by_period["arr_due"].max()) if len(by_period) else 0.0
    fig.update_yaxes(title_text=f"ARR due ({currency})",
                     **_array_axis(0.0, high, lambda t: formats.money_tick(t, currency)))
    fig.update_xaxes(type="category")
    what = "health band" if split == "band" else "work status"
    unit = "month" if period == "month" else "quarter"
    return _layout(fig, f"ARR up for renewal by {unit}, next 12 months, by {what}")


def history_chart(history: pd.DataFrame, currency: str) -> go.Figure:
    """The last four quarters: ARR that was due, stacked by outcome.

    ``history`` has the columns of :func:`metrics.renewal_outcomes.renewal_history`.
    """
    labels = [period_label(q, "quarter") + ("" if done else " (partial)")
              for q, done in zip(history["quarter"], history["complete"], strict=True)]
    fig = go.Figure()
    for key, (name, colour) in OUTCOME_COLORS.items():
        fig.add_trace(go.Bar(x=labels, y=history[f"arr_due_{key}"].astype(float), name=name,
                             marker_color=colour, hovertemplate="%{y:,.0f}"))
    high = float(history["arr_due"].max()) if len(history) else 0.0
    fig.update_yaxes(title_text=f"ARR due ({currency})",
                     **_array_axis(0.0, high, lambda t: formats.money_tick(t, currency)))
    fig.update_xaxes(type="category")
    return _layout(fig, "History: ARR due in the last 4 quarters, by outcome",
                   legend_below=True)


def rate_trend_chart(kpis: pd.DataFrame) -> go.Figure:
    """Gross, net, logo and in-quarter renewal rates by quarter (percent).

    ``kpis`` has the columns of :func:`metrics.renewal_outcomes.renewal_kpis`; quarters whose
    grace period has not ended for every renewal are marked "(partial)".
    """
    labels = [period_label(q, "quarter") + ("" if done else " (partial)")
              for q, done in zip(kpis["quarter"], kpis["complete"], strict=True)]
    fig = go.Figure()
    high = 1.0
    for column, (name, colour, dash) in RATE_LINES.items():
        values = kpis[column].astype(float)
        if values.notna().any():
            high = max(high, float(values.max()))
        fig.add_trace(go.Scatter(
            x=labels, y=values, name=name, mode="lines+markers",
            line={"color": colour, "dash": dash, "width": 2}, hovertemplate="%{y:.1%}",
        ))
    fig.update_yaxes(title_text="Rate", **_array_axis(0.0, high, formats.percent))
    fig.update_xaxes(type="category")
    return _layout(fig, "Renewal rates by quarter of the due date", legend_below=True)
