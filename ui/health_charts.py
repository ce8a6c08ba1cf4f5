"""Plotly figures of the Customers pages: health bands, migration, scores, one account's story.

Same rules as :mod:`ui.charts`: builders only reshape for display and style; numbers come from
``metrics``. Bands are always red, amber and green in that order (the "yellow" band is drawn
amber so it reads on white), "no data" is grey. Higher scores are healthier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.health_settings import HealthSettings
from ui import formats
from ui.charts import (
    MOVEMENT_COLORS,
    MOVEMENT_LABELS,
    MRR_COLOR,
    NEGATIVE_MOVEMENTS,
    POSITIVE_MOVEMENTS,
    _array_axis,
)

BAND_COLORS: dict[str, str] = {
    "red": "#C62828",
    "yellow": "#F9A825",
    "green": "#2E7D32",
    "no data": "#90A4AE",
}
BAND_LABELS: dict[str, str] = {
    "red": "Red",
    "yellow": "Yellow",
    "green": "Green",
    "no data": "No data",
    "new": "New",
    "left": "Left",
}
BAND_TINTS: dict[str, str] = {
    "red": "#FFCDD2",
    "yellow": "#FFECB3",
    "green": "#C8E6C9",
}
"""Cell backgrounds for scores in tables (light, so black text stays readable)."""

USERS_COLOR = "#6A1B9A"
LIMIT_COLOR = "#C62828"
SEATS_COLOR = "#546E7A"
EVENTS_COLOR = "#1565C0"
HEIGHT = 340


def _title(fig: go.Figure, text: str, *, height: int = HEIGHT, top: int = 60) -> go.Figure:
    fig.update_layout(
        title={"text": text, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 10, "r": 10, "t": top, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hoverlabel={"namelength": -1},
    )
    return fig


def band_label(band: str) -> str:
    """Display label of a band ('red' → 'Red'; 'no data', 'new', 'left' spelt out)."""
    return BAND_LABELS.get(band, str(band).capitalize())


def band_chart(bands: pd.DataFrame, currency: str) -> go.Figure:
    """Accounts and ARR per band, side by side, from :func:`metrics.health.band_counts`."""
    labels = [band_label(b) for b in bands["band"]]
    colours = [BAND_COLORS.get(b, "#90A4AE") for b in bands["band"]]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Accounts", f"ARR ({currency})"),
                        horizontal_spacing=0.12)
    total_accounts = float(bands["accounts"].sum()) or 1.0
    total_arr = float(bands["arr"].sum()) or 1.0
    fig.add_trace(
        go.Bar(
            x=labels, y=bands["accounts"], marker_color=colours, name="Accounts",
            text=[formats.count(v) for v in bands["accounts"]], textposition="outside",
            customdata=[formats.percent(v / total_accounts) for v in bands["accounts"]],
            hovertemplate="%{x}: %{text} accounts (%{customdata})<extra></extra>",
            cliponaxis=False,
        ),
        row=1, col=1,
    )
    fig.add_trace(
        go.Bar(
            x=labels, y=bands["arr"], marker_color=colours, name="ARR",
            text=[formats.money(v, currency, compact=True) for v in bands["arr"]],
            textposition="outside",
            customdata=[formats.percent(v / total_arr) for v in bands["arr"]],
            hovertemplate="%{x}: %{text} ARR (%{customdata})<extra></extra>",
            cliponaxis=False,
        ),
        row=1, col=2,
    )
    _title(fig, "Accounts and ARR by health band", top=80)
    fig.update_layout(showlegend=False, bargap=0.35)
    fig.update_yaxes(
        row=1, col=1, title_text="Accounts",
        **_array_axis(0.0, float(bands["accounts"].max() or 1) * 1.12, formats.count),
    )
    fig.update_yaxes(
        row=1, col=2, title_text=f"ARR ({currency} per year)",
        **_array_axis(0.0, float(bands["arr"].max() or 1) * 1.12,
                      lambda t: formats.money_tick(t, currency)),
    )
    fig.update_xaxes(title_text="Band (higher scores are healthier)")
    return fig


MIGRATION_FROM = ("red", "yellow", "green", "no data", "new")
MIGRATION_TO = ("red", "yellow", "green", "no data", "left")


def migration_chart(migration: pd.DataFrame) -> go.Figure:
    """Band last month (rows) × band now (columns), accounts in each cell.

    ``migration`` has the columns of :func:`metrics.health.band_migration`. The diagonal of
    red, yellow and green stayed; "New" rows were not in force last month, "Left" columns are
    no longer in force. Colours are log-scaled so a few movers show beside thousands.
    """
    rows = [b for b in MIGRATION_FROM if b in set(migration["from_band"])] or ["red"]
    cols = [b for b in MIGRATION_TO if b in set(migration["to_band"])] or ["red"]
    matrix = (
        migration.pivot(index="from_band", columns="to_band", values="accounts")
        .reindex(index=rows, columns=cols)
        .fillna(0)
        .astype(int)
    )
    z = matrix.to_numpy()
    text = [[formats.count(v) if v else "" for v in row] for row in z]
    hover = [
        [
            f"{formats.count(v)} accounts: {band_label(f)} last month → {band_label(t)} now"
            for t, v in zip(cols, row, strict=True)
        ]
        for f, row in zip(rows, z, strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=np.log1p(z),  # a few movers stay visible next to a big "stayed green" cell
            x=[band_label(c) for c in cols],
            y=[band_label(r) for r in rows],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    _title(fig, "Band migration since last month (accounts)")
    fig.update_xaxes(title_text="Band now", side="bottom", type="category", tickangle=0)
    fig.update_yaxes(title_text="Band at last month end", autorange="reversed",
                     type="category")
    return fig


def score_histogram(scores: pd.Series, bands: pd.Series, settings: HealthSettings) -> go.Figure:
    """How many accounts score in each 5-point bin, coloured by band, band edges dashed.

    ``scores`` and ``bands`` are the health_score and band columns of
    :func:`metrics.health.health_scores`; accounts without a score are left out.
    """
    edges = np.linspace(0.0, 100.0, 21)
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure()
    for band in ("red", "yellow", "green"):
        values = pd.to_numeric(scores[bands == band], errors="coerce").dropna().to_numpy()
        counts, _ = np.histogram(values, bins=edges)
        fig.add_trace(
            go.Bar(
                x=centres, y=counts, width=4.6, name=band_label(band),
                marker_color=BAND_COLORS[band],
                customdata=[f"{lo:g}–{hi:g}" for lo, hi in zip(edges[:-1], edges[1:],
                                                               strict=True)],
                hovertemplate="Score %{customdata}: %{y} accounts<extra>" + band_label(band)
                + "</extra>",
            )
        )
    for edge, label in ((settings.red_below, "red below"), (settings.green_from, "green from")):
        fig.add_vline(
            x=edge, line_dash="dash", line_color="#37474F", line_width=1.5,
            annotation_text=f"{label} {edge:g}", annotation_position="top",
            annotation_font_size=11,
        )
    _title(fig, "Score distribution (higher is healthier)", top=80)
    fig.update_layout(barmode="stack", bargap=0.05, legend_traceorder="normal")
    fig.update_xaxes(title_text="Health score (0–100)", range=[0, 100], dtick=10)
    fig.update_yaxes(title_text="Accounts")
    return fig


def account_mrr_chart(history: pd.DataFrame, currency: str) -> go.Figure:
    """One account's MRR (line, top) over its monthly movements (bars, losses below zero).

    ``history`` has the columns of ``metrics.account360.account_mrr_history``.
    """
    months = pd.to_datetime(history["month"])
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.58, 0.42],
                        vertical_spacing=0.06)
    fig.add_trace(
        go.Scatter(
            x=months, y=history["mrr"].astype(float), name="MRR", mode="lines+markers",
            line={"color": MRR_COLOR, "width": 2.5, "shape": "hv"}, marker={"size": 5},
            customdata=[formats.money(v, currency, cents=True) for v in history["mrr"]],
            hovertemplate="%{x|%b %Y}: MRR %{customdata}<extra></extra>",
        ),
        row=1, col=1,
    )
    for column in POSITIVE_MOVEMENTS + NEGATIVE_MOVEMENTS:
        if column not in history:
            continue
        sign = -1.0 if column in NEGATIVE_MOVEMENTS else 1.0
        values = sign * history[column].astype(float).fillna(0.0)
        if not values.any():
            continue  # the legend lists only movements this account had
        fig.add_trace(
            go.Bar(
                x=months, y=values, name=MOVEMENT_LABELS[column],
                marker_color=MOVEMENT_COLORS[column],
                customdata=[formats.money(v, currency, cents=True, signed=True) for v in values],
                hovertemplate="%{x|%b %Y}: %{customdata}<extra>" + MOVEMENT_LABELS[column]
                + "</extra>",
            ),
            row=2, col=1,
        )
    _title(fig, "MRR and its movements by month", height=420, top=80)
    fig.update_layout(barmode="relative", bargap=0.2)
    fig.update_yaxes(
        row=1, col=1, title_text=f"MRR ({currency})",
        **_array_axis(0.0, float(history["mrr"].max() or 1),
                      lambda t: formats.money_tick(t, currency)),
    )
    moves = history.reindex(columns=list(POSITIVE_MOVEMENTS + NEGATIVE_MOVEMENTS)).fillna(0.0)
    gains = moves[list(POSITIVE_MOVEMENTS)].astype(float).sum(axis=1)
    losses = moves[list(NEGATIVE_MOVEMENTS)].astype(float).sum(axis=1)
    fig.update_yaxes(
        row=2, col=1, title_text="Movement",
        zeroline=True, zerolinecolor="#90A4AE",
        **_array_axis(-float(losses.max() or 0), float(gains.max() or 1),
                      lambda t: formats.money_tick(t, currency)),
    )
    fig.update_xaxes(tickformat="%b %Y", row=2, col=1)
    return fig


def _limit_fits(data_max: float, limit: float | None) -> bool:
    """Whether a limit is close enough to the data to share its axis.

    A limit more than three times the peak would flatten the data into the floor, so it is
    left off the scale and its legend entry says so instead.
    """
    return limit is not None and np.isfinite(limit) and 0 < limit <= 3 * max(data_max, 1.0)


def _limit_axis(fig: go.Figure, data_max: float, limit: float | None) -> None:
    """Fit the y axis to the data, and to the limit when :func:`_limit_fits`."""
    data_max = max(float(data_max), 1.0)
    top = max(data_max, limit) * 1.12 if _limit_fits(data_max, limit) else data_max * 1.2
    fig.update_yaxes(range=[0, top])


def _limit_name(name: str, data_max: float, limit: float | None, unit: str) -> str:
    if limit is None or _limit_fits(data_max, limit):
        return name
    return f"{name}: {limit:,.0f} {unit}, above the chart"


def _last_value(values: pd.Series | None) -> float | None:
    if values is None:
        return None
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return float(numbers.iloc[-1]) if len(numbers) else None


def usage_chart(usage: pd.DataFrame) -> go.Figure:
    """Daily events against the plan's included units per day (dashed), from account_usage."""
    days = pd.to_datetime(usage["date"])
    events = pd.to_numeric(usage["events"], errors="coerce").fillna(0)
    fig = go.Figure(
        go.Scatter(
            x=days, y=events, name="Events per day", mode="lines",
            line={"color": EVENTS_COLOR, "width": 1.5},
            fill="tozeroy", fillcolor="rgba(21, 101, 192, 0.10)",
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} events<extra></extra>",
        )
    )
    limit = pd.to_numeric(usage.get("included_units_per_day"), errors="coerce")
    peak = float(events.max()) if len(events) else 0.0
    if limit is not None and limit.notna().any():
        name = _limit_name("Plan limit (included units per day)", peak, _last_value(limit),
                           "a day")
        fig.add_trace(
            go.Scatter(
                x=days, y=limit, name=name, mode="lines",
                line={"color": LIMIT_COLOR, "width": 2, "dash": "dash", "shape": "hv"},
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} included<extra></extra>",
            )
        )
    _title(fig, "Usage: events per day vs the plan limit", top=80)
    fig.update_layout(hovermode="x unified")
    fig.update_xaxes(title_text="Day", tickformat="%b %d")
    fig.update_yaxes(title_text="Events per day")
    _limit_axis(fig, peak, _last_value(limit))
    return fig


def seats_chart(usage: pd.DataFrame) -> go.Figure:
    """Daily active users against seats purchased and the plan's seat limit (dashed)."""
    days = pd.to_datetime(usage["date"])
    users = pd.to_numeric(usage["active_users"], errors="coerce").fillna(0)
    fig = go.Figure(
        go.Scatter(
            x=days, y=users, name="Active users", mode="lines",
            line={"color": USERS_COLOR, "width": 1.5},
            hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f} active users<extra></extra>",
        )
    )
    seats = pd.to_numeric(usage.get("seats_purchased"), errors="coerce")
    limit = pd.to_numeric(usage.get("seat_limit"), errors="coerce")
    peak = max(float(users.max()) if len(users) else 0.0, _last_value(seats) or 0.0)
    for values, name, colour, dash in (
        (seats, "Seats purchased", SEATS_COLOR, "dot"),
        (limit, _limit_name("Plan seat limit", peak, _last_value(limit), "seats"),
         LIMIT_COLOR, "dash"),
    ):
        if values is None or not values.notna().any():
            continue
        fig.add_trace(
            go.Scatter(
                x=days, y=values, name=name, mode="lines",
                line={"color": colour, "width": 2, "dash": dash, "shape": "hv"},
                hovertemplate="%{x|%Y-%m-%d}: %{y:,.0f}<extra>" + name + "</extra>",
            )
        )
    _title(fig, "Active users vs seats", top=80)
    fig.update_layout(hovermode="x unified")
    fig.update_xaxes(title_text="Day", tickformat="%b %d")
    fig.update_yaxes(title_text="Users / seats")
    _limit_axis(fig, peak, _last_value(limit))
    return fig


SEVERITY_ORDER = ("high", "medium", "low")
SEVERITY_BAR_COLORS = {"high": "#C62828", "medium": "#F9A825", "low": "#1E88E5"}


def moments_by_type_chart(moments: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Moments per type (horizontal bars, most frequent on top), stacked by severity.

    ``moments`` has the columns of :func:`metrics.moments.revenue_moments`; ``labels`` maps
    moment types to display names.
    """
    counts = (
        moments.groupby(["moment_type", "severity"]).size().rename("moments").reset_index()
    )
    order = (
        counts.groupby("moment_type")["moments"].sum().sort_values(kind="stable").index.tolist()
    )
    fig = go.Figure()
    for severity in SEVERITY_ORDER:
        part = counts.loc[counts["severity"] == severity].set_index("moment_type")["moments"]
        part = part.reindex(order).fillna(0).astype(int)
        if not part.any():
            continue
        fig.add_trace(
            go.Bar(
                y=[labels.get(t, t) for t in order], x=part.to_numpy(), orientation="h",
                name=f"{severity.capitalize()} severity",
                marker_color=SEVERITY_BAR_COLORS[severity],
                hovertemplate="%{y}: %{x} moments<extra>" + severity + "</extra>",
            )
        )
    height = max(260, 110 + 26 * len(order))
    _title(fig, "Moments by type", height=height, top=70)
    fig.update_layout(barmode="stack", bargap=0.25, legend_traceorder="normal")
    fig.update_xaxes(title_text="Moments")
    fig.update_yaxes(type="category")
    return fig
