"""Plotly figures of the Insights pages: top drivers, calibration, renewal rate by band/score.

Churn-raising drivers are red and churn-lowering ones green, as losses and growth are across
the app (:mod:`ui.charts`); bands use the health colours (:mod:`ui.health_charts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui.health_charts import BAND_COLORS, band_label

RAISES_COLOR = "#C62828"
LOWERS_COLOR = "#2E7D32"
NEUTRAL_COLOR = "#546E7A"
CURRENT_COLOR = "#90A4AE"
SUGGESTED_COLOR = "#1565C0"
HEIGHT = 380


def _layout(fig: go.Figure, title: str, *, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"namelength": -1},
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#ECEFF1", zerolinecolor="#B0BEC5")
    fig.update_yaxes(gridcolor="#ECEFF1", zerolinecolor="#B0BEC5")
    return fig


def drivers_chart(coefficients: pd.DataFrame, *, top: int = 12) -> go.Figure:
    """The ``top`` largest standardised coefficients as horizontal bars, largest on top."""
    shown = coefficients.head(top).iloc[::-1]
    colors = np.where(shown["coefficient"] > 0, RAISES_COLOR, LOWERS_COLOR)
    text = [f"odds ×{r:.2f}" for r in shown["odds_ratio"]]
    fig = go.Figure(go.Bar(
        x=shown["coefficient"], y=shown["feature"], orientation="h", marker_color=colors,
        text=text, textposition="auto", cliponaxis=False,
        customdata=np.column_stack([shown["effect"], shown["odds_ratio"]]),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]}<br>coefficient %{x:.2f} per SD"
                      "<br>odds of churn ×%{customdata[1]:.2f} per SD<extra></extra>",
    ))
    fig.update_xaxes(title="← lowers churn risk · change in log-odds of churn per standard "
                           "deviation · raises churn risk →", zeroline=True)
    fig.update_yaxes(automargin=True)
    return _layout(fig, f"Top {len(shown)} drivers of churn (model)",
                   height=max(HEIGHT, 32 * len(shown) + 120))


def calibration_chart(calibration: pd.DataFrame) -> go.Figure:
    """Predicted churn probability vs the churn rate seen, per bin (held-out decisions)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfect calibration",
                             line={"color": NEUTRAL_COLOR, "dash": "dot"}, hoverinfo="skip"))
    sizes = 8 + 22 * np.sqrt(calibration["decisions"] / max(calibration["decisions"].max(), 1))
    fig.add_trace(go.Scatter(
        x=calibration["mean_predicted"], y=calibration["observed_rate"], mode="lines+markers",
        name="Held-out decisions", marker={"size": sizes, "color": RAISES_COLOR},
        line={"color": RAISES_COLOR},
        customdata=calibration["decisions"],
        hovertemplate="predicted %{x:.0%} · churned %{y:.0%}<br>%{customdata:,} decisions"
                      "<extra></extra>",
    ))
    fig.update_xaxes(title="Predicted churn probability", range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title="Share that churned", range=[0, 1], tickformat=".0%")
    return _layout(fig, "Calibration: predicted vs actual churn")


def band_rates_chart(bands: pd.DataFrame) -> go.Figure:
    """Renewal rate per band with its 95 % interval and the number of decisions."""
    colors = [BAND_COLORS.get(b, NEUTRAL_COLOR) for b in bands["band"]]
    fig = go.Figure(go.Bar(
        x=[band_label(b) for b in bands["band"]], y=bands["renewal_rate"], marker_color=colors,
        error_y={"type": "data", "symmetric": False,
                 "array": bands["ci_high"] - bands["renewal_rate"],
                 "arrayminus": bands["renewal_rate"] - bands["ci_low"], "color": "#37474F"},
        text=[f"{r:.0%} of {n:,}" for r, n in zip(bands["renewal_rate"], bands["decisions"],
                                                 strict=True)],
        textposition="inside", insidetextanchor="middle",
        hovertemplate="%{x}: %{y:.1%} renewed<extra></extra>",
    ))
    fig.update_yaxes(title="Renewal rate", range=[0, 1.05], tickformat=".0%")
    return _layout(fig, "Renewal rate by band at the lead time")


def score_rates_chart(calibration: pd.DataFrame) -> go.Figure:
    """Renewal rate per 10-point score bin: a useful score rises from left to right."""
    labels = [f"{lo}–{hi}" for lo, hi in zip(calibration["score_low"], calibration["score_high"],
                                             strict=True)]
    fig = go.Figure(go.Bar(
        x=labels, y=calibration["renewal_rate"], marker_color=SUGGESTED_COLOR,
        customdata=calibration["decisions"],
        text=[f"{n:,}" for n in calibration["decisions"]], textposition="outside",
        hovertemplate="score %{x}: %{y:.1%} renewed<br>%{customdata:,} decisions<extra></extra>",
    ))
    fig.update_xaxes(title="Health score at the lead time (bar labels: decisions)")
    fig.update_yaxes(title="Renewal rate", range=[0, 1.1], tickformat=".0%")
    return _layout(fig, "Calibration: renewal rate by score")


def weights_chart(weights: pd.DataFrame) -> go.Figure:
    """Current and suggested weight per component, side by side."""
    names = [c.capitalize() for c in weights["component"]]
    fig = go.Figure([
        go.Bar(name="Current", x=names, y=weights["current"], marker_color=CURRENT_COLOR,
               hovertemplate="%{x}: current %{y:.1f}<extra></extra>"),
        go.Bar(name="Suggested", x=names, y=weights["suggested"], marker_color=SUGGESTED_COLOR,
               hovertemplate="%{x}: suggested %{y:.1f}<extra></extra>"),
    ])
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="Weight")
    return _layout(fig, "Component weights: current vs suggested")
