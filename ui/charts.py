"""Plotly figure builders: each takes the metric frames and returns a ready figure.

No Streamlit here and no metric logic: builders only reshape for display (pivot, sign flips
for bars below zero) and style. Colours are consistent across the app: growth movements are
greens and blue (above zero), losses are reds (below zero). Money in hover text is formatted
with :mod:`ui.formats`, so hover labels read exactly like the cards and tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ui import formats

MOVEMENT_COLORS: dict[str, str] = {
    "new": "#2E7D32",
    "expansion": "#66BB6A",
    "reactivation": "#1E88E5",
    "contraction": "#EF8A80",
    "churn": "#C62828",
}
MOVEMENT_LABELS: dict[str, str] = {
    "new": "New",
    "expansion": "Expansion",
    "reactivation": "Reactivation",
    "contraction": "Contraction",
    "churn": "Churn",
}
POSITIVE_MOVEMENTS = ("new", "expansion", "reactivation")
NEGATIVE_MOVEMENTS = ("contraction", "churn")

NET_COLOR = "#263238"
MRR_COLOR = "#1565C0"
CUSTOMERS_COLOR = "#8E24AA"
RATE_COLORS = {
    "logo_churn_rate": "#C62828",
    "gross_mrr_churn_rate": "#EF6C00",
    "net_mrr_churn_rate": "#6A1B9A",
}
RATE_LABELS = {
    "logo_churn_rate": "Logo churn",
    "gross_mrr_churn_rate": "Gross MRR churn",
    "net_mrr_churn_rate": "Net MRR churn",
}
RETENTION_COLORS = {"nrr": "#1565C0", "grr": "#2E7D32"}
RETENTION_LABELS = {"nrr": "NRR", "grr": "GRR"}

CHART_HEIGHT = 380
MONTH_TICKS = "%b %Y"
MONTH_HOVER = "%b %Y"


def _base_layout(fig: go.Figure, title: str, *, height: int = CHART_HEIGHT) -> go.Figure:
    """Title, legend above the plot, unified hover by month, compact margins."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hovermode="x unified",
        hoverlabel={"namelength": -1},
    )
    fig.update_xaxes(title_text="Month", tickformat=MONTH_TICKS, hoverformat=MONTH_HOVER)
    return fig


def nice_ticks(low: float, high: float, *, target: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 x 10^k apart) covering [low, high], including 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [0.0]
    raw = span / max(target - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 10)]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def padded_range(low: float, high: float, pad: float = 0.06) -> tuple[float, float]:
    """Axis range around the data with a little room, always including 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        return (low - 1, high + 1)
    room = pad * (high - low)
    return (low - room if low < 0 else 0.0, high + room if high > 0 else 0.0)


def _array_axis(low: float, high: float, label: Callable[[float], str]) -> dict[str, object]:
    """Plotly axis settings with round ticks labelled by ``label`` inside a padded range."""
    bottom, top = padded_range(low, high)
    ticks = [t for t in nice_ticks(low, high) if bottom <= t <= top]
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [label(t) for t in ticks],
        "range": [bottom, top],
    }


def _money_axis(
    fig: go.Figure, currency: str, title: str, low: float, high: float, **kwargs: object
) -> None:
    """A money axis whose labels read like the cards (``-$20k``, ``$1.5M``).

    Plotly's own prefix would print ``$-20k``, so ticks are placed and labelled here.
    """
    fig.update_yaxes(
        title_text=title,
        **_array_axis(low, high, lambda t: formats.money_tick(t, currency)),
        **kwargs,
    )


def _months(frame: pd.DataFrame, column: str = "month") -> pd.Series:
    return pd.to_datetime(frame[column])


def movements_chart(movements: pd.DataFrame, currency: str) -> go.Figure:
    """MRR movements by month as stacked bars (losses below zero) with a net-change line.

    ``movements`` has the columns of :func:`metrics.movements.monthly_movements_from`.
    """
    fig = go.Figure()
    months = _months(movements)
    for column in POSITIVE_MOVEMENTS + NEGATIVE_MOVEMENTS:
        sign = -1.0 if column in NEGATIVE_MOVEMENTS else 1.0
        values = sign * movements[column].astype(float)
        fig.add_trace(
            go.Bar(
                x=months,
                y=values,
                name=MOVEMENT_LABELS[column],
                marker_color=MOVEMENT_COLORS[column],
                customdata=[formats.money(v, currency) for v in values],
                hovertemplate="%{customdata}<extra>" + MOVEMENT_LABELS[column] + "</extra>",
            )
        )
    net = (movements["mrr_end"] - movements["mrr_start"]).astype(float)
    fig.add_trace(
        go.Scatter(
            x=months,
            y=net,
            name="Net change",
            mode="lines+markers",
            line={"color": NET_COLOR, "width": 2},
            marker={"size": 5},
            customdata=[formats.money(v, currency, signed=True) for v in net],
            hovertemplate="%{customdata}<extra>Net change</extra>",
        )
    )
    fig.update_layout(barmode="relative", bargap=0.15)
    _base_layout(fig, "MRR movements by month")
    gains = movements[list(POSITIVE_MOVEMENTS)].astype(float).sum(axis=1)
    losses = movements[list(NEGATIVE_MOVEMENTS)].astype(float).sum(axis=1)
    _money_axis(
        fig, currency, f"MRR change ({currency} per month)",
        low=float(min(-losses.max(), net.min(), 0.0)),
        high=float(max(gains.max(), net.max(), 0.0)),
        zeroline=True, zerolinecolor="#90A4AE", zerolinewidth=1.5,
    )
    return fig


def mrr_trend_chart(summary: pd.DataFrame, currency: str) -> go.Figure:
    """MRR by month as an area, with ARR in the hover.

    ``summary`` has the columns of :func:`metrics.rates.mrr_summary`.
    """
    fig = go.Figure(
        go.Scatter(
            x=_months(summary),
            y=summary["mrr"],
            name="MRR",
            mode="lines",
            fill="tozeroy",
            line={"color": MRR_COLOR, "width": 2},
            fillcolor="rgba(21, 101, 192, 0.12)",
            customdata=[
                [formats.money(m, currency), formats.money(a, currency, compact=True)]
                for m, a in zip(summary["mrr"], summary["arr"], strict=True)
            ],
            hovertemplate="MRR %{customdata[0]} (ARR %{customdata[1]})<extra></extra>",
        )
    )
    _base_layout(fig, "MRR")
    fig.update_layout(showlegend=False, margin={"t": 50})
    fig.update_yaxes(
        title_text=f"MRR ({currency} per month)",
        **_array_axis(0.0, float(summary["mrr"].max()),
                      lambda t: formats.money_tick(t, currency)),
    )
    return fig


def customers_chart(summary: pd.DataFrame) -> go.Figure:
    """Paying customers at each month end (the as-of date for the current month).

    ``summary`` has the columns of :func:`metrics.rates.mrr_summary`.
    """
    fig = go.Figure(
        go.Scatter(
            x=_months(summary),
            y=summary["customers"],
            name="Customers",
            mode="lines",
            line={"color": CUSTOMERS_COLOR, "width": 2},
            customdata=[formats.count(v) for v in summary["customers"]],
            hovertemplate="%{customdata} customers<extra></extra>",
        )
    )
    _base_layout(fig, "Customers")
    fig.update_layout(showlegend=False, margin={"t": 50})
    fig.update_yaxes(
        title_text="Customers (accounts with MRR > 0)",
        **_array_axis(0.0, float(summary["customers"].max()), formats.count),
    )
    return fig


def churn_rates_chart(churn: pd.DataFrame) -> go.Figure:
    """Logo, gross MRR and net MRR churn rates by month, in percent.

    ``churn`` has the columns of :func:`metrics.rates.churn_rates` (fractions; NaN = n/a).
    """
    fig = go.Figure()
    months = _months(churn)
    for column, label in RATE_LABELS.items():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=churn[column],
                name=label,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": RATE_COLORS[column], "width": 2},
                customdata=[formats.percent(v) for v in churn[column]],
                hovertemplate="%{customdata}<extra>" + label + "</extra>",
            )
        )
    _base_layout(fig, "Monthly churn rates")
    fig.update_yaxes(
        title_text="Share of start-of-month base (%)", tickformat=".1%",
        zeroline=True, zerolinecolor="#90A4AE",
    )
    return fig


def retention_chart(retention: pd.DataFrame) -> go.Figure:
    """Trailing-12-month NRR and GRR by month, with the 100% line for reference.

    ``retention`` has the columns of :func:`metrics.retention.trailing_retention_from`.
    """
    fig = go.Figure()
    months = _months(retention)
    for column, label in RETENTION_LABELS.items():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=retention[column],
                name=label,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": RETENTION_COLORS[column], "width": 2},
                customdata=[formats.percent(v) for v in retention[column]],
                hovertemplate="%{customdata}<extra>" + label + "</extra>",
            )
        )
    fig.add_hline(y=1.0, line_dash="dash", line_color="#90A4AE", line_width=1)
    _base_layout(fig, "Net and gross revenue retention (trailing 12 months)")
    fig.update_yaxes(title_text="MRR retained vs 12 months earlier (%)", tickformat=".0%")
    return fig


def cohort_matrix(cohorts: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Cohorts as rows, months since start as columns, retention fractions as values.

    ``measure`` is ``"logo"`` or ``"revenue"``; ``cohorts`` has the columns of
    :func:`metrics.retention.cohorts_from`. The index is the cohort month (first day).
    """
    column = {"logo": "logo_retention", "revenue": "revenue_retention"}[measure]
    matrix = cohorts.pivot(index="cohort", columns="months_since_start", values=column)
    return matrix.sort_index()


def cohort_heatmap(
    cohorts: pd.DataFrame, *, measure: str = "logo", last_cohorts: int | None = 24
) -> go.Figure:
    """Retention heatmap: cohort (rows, oldest on top) by months since start, with % labels.

    ``last_cohorts`` keeps only the most recent cohorts (None keeps all) so labels stay legible.
    """
    matrix = cohort_matrix(cohorts, measure)
    sizes = cohorts.drop_duplicates("cohort").set_index("cohort")["cohort_customers"]
    if last_cohorts is not None:
        matrix = matrix.tail(last_cohorts)
        matrix = matrix.loc[:, [c for c in matrix.columns if c < last_cohorts]]
    labels = [
        f"{formats.month_label(pd.Timestamp(c).date())} ({formats.count(sizes.get(c))})"
        for c in matrix.index
    ]
    z = matrix.to_numpy(dtype=float)
    text = [[("" if pd.isna(v) else f"{100 * v:.0f}") for v in row] for row in z]
    hover = [[formats.percent(v) for v in row] for row in z]
    # Colour range from the data, so 70% and 95% do not both read as "dark blue".
    finite = np.isfinite(z).any()
    lowest = float(np.nanmin(z)) if finite else 0.0
    zmin = min(0.9, math.floor(lowest * 10) / 10)
    if measure == "logo":
        colours: dict[str, object] = {"colorscale": "Blues", "zmin": zmin, "zmax": 1.0}
    else:
        # Revenue can exceed 100%: red below (lost), blue above (grew), white at 100%.
        highest = float(np.nanmax(z)) if finite else 1.0
        spread = max(1.0 - zmin, min(0.5, math.ceil((highest - 1.0) * 10) / 10), 0.1)
        colours = {"colorscale": "RdBu", "zmid": 1.0, "zmin": 1.0 - spread,
                   "zmax": 1.0 + spread}
    name = "Logo retention" if measure == "logo" else "Revenue retention"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[int(c) for c in matrix.columns],
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=hover,
            hovertemplate=(
                "Cohort %{y}<br>Month %{x} since start<br>" + name
                + ": %{customdata}<extra></extra>"
            ),
            **colours,
            xgap=1,
            ygap=1,
            colorbar={"tickformat": ".0%", "thickness": 12},
        )
    )
    height = max(260, 90 + 22 * len(labels))
    fig.update_layout(
        title={
            "text": f"{name} by cohort (% of the cohort's first month)",
            "x": 0,
            "xanchor": "left",
            "font": {"size": 16},
        },
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    fig.update_xaxes(title_text="Months since first payment", dtick=1)
    fig.update_yaxes(title_text="Cohort (first paying month, customers)", autorange="reversed",
                     type="category")
    return fig
