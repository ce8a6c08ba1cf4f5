"""Customer value page pieces: cached data, the CLV-vs-value scatter, KPI cards, the ranked
table, the CSV download and the settings form (docs/customer-value.md).

Value settings are saved without bumping the data version (they change no stored data), so
they are read fresh on every rerun (one tiny query) and the cache entry is keyed on their JSON
as well as on the database, data version, as-of date and filters: a saved change is a new key,
hence fresh numbers (the health settings work the same way, ui/data.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.customer_value import (
    COMPONENTS,
    QUADRANTS,
    ClvAssumptions,
    ValueSettings,
    attribute_names,
    clv_assumptions,
    customer_value,
    format_strategic_levels,
    parse_strategic_levels,
)
from metrics.filters import Filters
from store.export import to_safe_csv
from store.settings import SettingsError, validate_settings
from ui import formats
from ui.data import Database, View, display_path, read_cursor, store_settings, stored_settings
from ui.empty_states import nothing_on_as_of
from ui.health_widgets import account_table, account_url, download, link_column, table_height

HIGHER_IS_MORE = "0–100, higher is worth more"

COMPONENT_LABELS: dict[str, str] = {
    "clv": "CLV",
    "advocacy": "Advocacy",
    "influence": "Influence",
    "feedback": "Feedback",
    "strategic": "Strategic fit",
}
COMPONENT_HELP: dict[str, str] = {
    "clv": "Percentile rank of the account's CLV among the customers shown: lowest 0, "
    "highest 100.",
    "advocacy": "Latest NPS answer of the last 365 days (promoter 100, passive 50, detractor "
    "0) mixed with the referenceable flag; referenceable without an answer scores 100.",
    "influence": "References given (custom attribute), 100 at the full-score count.",
    "feedback": "Tickets that led to fixes (custom attribute), 100 at the full-score count.",
    "strategic": "Strategic fit (custom attribute): a level such as low / medium / high, or a "
    "number on the 0–100 or 0–10 scale.",
}
ATTRIBUTE_COMPONENTS = ("influence", "feedback", "strategic")
"""The components read from custom attributes (their names are settings)."""

QUADRANT_COLORS: dict[str, str] = {
    QUADRANTS[0]: "#2E7D32",
    QUADRANTS[1]: "#1565C0",
    QUADRANTS[2]: "#EF6C00",
    QUADRANTS[3]: "#90A4AE",
}
QUADRANT_CORNERS: dict[str, tuple[float, float, str]] = {
    QUADRANTS[0]: (0.0, 109.0, "left"),
    QUADRANTS[1]: (1.0, 109.0, "right"),
    QUADRANTS[2]: (1.0, -9.0, "right"),
    QUADRANTS[3]: (0.0, -9.0, "left"),
}
"""Where each quadrant's label sits (x on the plot's width, y in score points): in bands above
100 and below 0, so a label never covers an account."""
SCORE_RANGE = (-14.0, 114.0)
SKEW_RATIO = 20.0
"""The CLV axis is logarithmic when every CLV is above 0 and the largest is at least this many
times the smallest (a few large accounts would otherwise squeeze everyone into one corner)."""
CHART_HEIGHT = 520


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueData:
    """What the Customer value page shows."""

    accounts: pd.DataFrame
    """:func:`metrics.customer_value.customer_value` rows, best value first."""
    assumptions: ClvAssumptions
    """Churn, discount rate and margin shared by every CLV."""
    attributes: pd.DataFrame
    """:func:`metrics.customer_value.attribute_names`: the attribute names stored."""


def value_settings(db: Database) -> ValueSettings:
    """The stored value settings (defaults when none are stored)."""
    return stored_settings(db, ValueSettings)


def save_value_settings(db: Database, settings: ValueSettings) -> None:
    """Store new value settings."""
    store_settings(db, settings)


@st.cache_data(max_entries=32, show_spinner="Scoring customer value…")
def _value(
    path: str, version: int, as_of: date, filters: Filters, settings_json: str
) -> ValueData:
    settings = ValueSettings.model_validate_json(settings_json)
    with read_cursor(path) as cur:
        assumptions = clv_assumptions(cur, as_of=as_of, settings=settings, filters=filters)
        return ValueData(
            accounts=customer_value(cur, as_of=as_of, settings=settings, filters=filters,
                                    assumptions=assumptions),
            assumptions=assumptions,
            attributes=attribute_names(cur),
        )


def value_data(view: View, settings: ValueSettings) -> ValueData:
    """Every customer's value for the sidebar filters (cached per database, data version,
    as-of date, filters and settings)."""
    return _value(view.db.key, view.db.version, view.as_of, view.filters,
                  settings.model_dump_json())


# --- empty states and notes -------------------------------------------------------------------


def no_customers(view: View, *, key: str) -> None:
    """Nobody to value: say why (date, filters, no data) and what to do next."""
    nothing_on_as_of(
        view, nothing="No customer", key=key,
        scope="Customer value covers accounts with MRR above 0 on the as-of date.",
        next_step="Pick a later as-of date, or import accounts and subscriptions: the Data page "
                  "lists the import format.",
    )


def components_without_data(accounts: pd.DataFrame) -> list[str]:
    """Attribute components (influence, feedback, strategic) no account shown has data for."""
    return [name for name in ATTRIBUTE_COMPONENTS if accounts[f"{name}_score"].isna().all()]


def _accounts(n: int) -> str:
    return f"{formats.count(n)} account{'' if n == 1 else 's'}"


def _attribute_name(settings: ValueSettings, component: str) -> str:
    return str(getattr(settings, f"{component}_attribute"))


def attributes_note(data: ValueData, settings: ValueSettings, db: Database) -> None:
    """Say which attribute components have no data and what to import (nothing when all do)."""
    empty = components_without_data(data.accounts)
    if not empty:
        return
    names = ", ".join(f"`{_attribute_name(settings, c)}` ({COMPONENT_LABELS[c].lower()})"
                      for c in empty)
    stored = data.attributes
    found = (
        " Attributes stored now: "
        + ", ".join(f"`{row.name}` ({_accounts(row.accounts)})"
                    for row in stored.head(8).itertuples(index=False))
        + (" …" if len(stored) > 8 else "")
        + ". If one of them holds this information, enter its name under **Value settings** "
        "at the bottom of the page."
        if not stored.empty else ""
    )
    if len(empty) == len(ATTRIBUTE_COMPONENTS):
        st.info(
            "**No custom attributes for influence, feedback or strategic fit yet**, so the "
            "value score uses CLV and advocacy only. Add columns "
            f"{names} to your accounts file (one row per account: references given and fixes "
            "as whole numbers; strategic fit as low, medium, high or a number 0–100) and "
            "import it keeping extra columns as attributes:\n\n"
            f"`python cli.py import --db {display_path(db)} --extra-columns attributes "
            "accounts.csv`" + ("\n\n" + found.strip() if found else ""),
            icon="ℹ️",
        )
        return
    st.caption(
        f"No account shown has a value for {names}: left out of every score (weights "
        f"renormalised).{found}"
    )


def clv_note(assumptions: ClvAssumptions, settings: ValueSettings) -> str:
    """How the CLV column is made, with the numbers used (METRICS.md, Rates)."""
    discount = (
        f"i = {formats.percent(assumptions.monthly_discount_rate, decimals=2)} a month "
        f"({settings.annual_discount_rate_pct:g}% a year)"
    )
    margin = f"margin {settings.margin_pct:g}% of MRR"
    if assumptions.monthly_logo_churn is None:
        return (
            "CLV has no data: no month of the six before the as-of month had customers at its "
            "start, so the churn is unknown and the value score leaves CLV out "
            f"({margin}, {discount})."
        )
    churn = formats.percent(assumptions.monthly_logo_churn)
    return (
        "CLV = net present value of the monthly margin with cash at month end, m·r / (1 + i − r): "
        f"{margin}, r = {formats.percent(assumptions.retention)} (1 − the mean monthly logo "
        f"churn of the six months before this one, {churn}, as for LTV), {discount}."
    )


# --- KPI cards --------------------------------------------------------------------------------


def value_cards(accounts: pd.DataFrame, currency: str) -> None:
    """Customers valued, median value score, worth more than revenue says, complete inputs."""
    total = len(accounts)
    worth_more = accounts.loc[accounts["quadrant"] == QUADRANTS[0]]
    complete = int((accounts["missing_components"] == "").sum())
    columns = st.columns(4)
    columns[0].metric(
        "Customers valued", formats.count(total),
        delta=f"{formats.money(accounts['arr'].sum(), currency, compact=True)} ARR",
        delta_color="off", delta_arrow="off", border=True,
        help="Accounts with MRR above 0 on the as-of date, after the sidebar filters.",
    )
    columns[1].metric(
        "Median value score", formats.score(accounts["value_score"].median()),
        border=True,
        help=f"Half the customers score above this ({HIGHER_IS_MORE}); the horizontal line "
        "of the chart.",
    )
    columns[2].metric(
        QUADRANTS[0], formats.count(len(worth_more)),
        delta=f"{formats.money(worth_more['arr'].sum(), currency, compact=True)} ARR",
        delta_color="off", delta_arrow="off", border=True,
        help="Value score above the median while CLV is not: the top-left of the chart.",
    )
    columns[3].metric(
        "Scored on all five", formats.count(complete),
        delta=f"of {formats.count(total)}", delta_color="off", delta_arrow="off",
        border=True,
        help="Customers with data for every component; the others are scored on the "
        "components they have (weights renormalised).",
    )


# --- scatter ----------------------------------------------------------------------------------


def use_log_scale(clv: pd.Series) -> bool:
    """True when every CLV is above 0 and the largest is ≥ :data:`SKEW_RATIO` × the smallest."""
    values = clv.dropna().astype(float)
    if values.empty or (values <= 0).any():
        return False
    return float(values.max()) >= SKEW_RATIO * float(values.min())


def value_scatter(accounts: pd.DataFrame, currency: str) -> go.Figure:
    """CLV (x, log scale when skewed) against value score (y), one colour per quadrant, with
    dashed lines at the medians and each quadrant's label in its corner."""
    plotted = accounts.loc[accounts["clv"].notna() & accounts["value_score"].notna()]
    log_x = use_log_scale(plotted["clv"])
    fig = go.Figure()
    for quadrant in QUADRANTS:
        rows = plotted.loc[plotted["quadrant"] == quadrant]
        if rows.empty:
            continue
        gap = rows["rank_gap"].map(
            lambda g: "n/a" if pd.isna(g) else (f"+{int(g)}" if g > 0 else f"{int(g)}"))
        fig.add_trace(go.Scatter(
            x=rows["clv"], y=rows["value_score"], mode="markers",
            name=f"{quadrant} ({len(rows):,d})",
            marker={"color": QUADRANT_COLORS[quadrant], "size": 9, "opacity": 0.8,
                    "line": {"width": 0.6, "color": "white"}},
            customdata=np.column_stack([
                rows["name"].astype(str), rows["account_id"].astype(str),
                rows["clv"].map(lambda v: formats.money(v, currency)),
                rows["value_score"].map(formats.score),
                rows["value_rank"].astype(str), rows["clv_rank"].astype(str), gap,
            ]),
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            "CLV %{customdata[2]} · value score %{customdata[3]}<br>"
            "value rank %{customdata[4]}, CLV rank %{customdata[5]} "
            "(gap %{customdata[6]})<extra></extra>",
        ))
    if not plotted.empty:
        x_median = float(plotted["clv"].median())
        y_median = float(plotted["value_score"].median())
        line = {"color": "#78909C", "width": 1, "dash": "dash"}
        fig.add_vline(x=x_median, line=line)
        fig.add_hline(y=y_median, line=line)
        for quadrant, (x, y, xanchor) in QUADRANT_CORNERS.items():
            fig.add_annotation(
                x=x, y=y, xref="paper", yref="y", xanchor=xanchor, yanchor="middle",
                text=f"<b>{quadrant}</b>", showarrow=False,
                font={"color": QUADRANT_COLORS[quadrant], "size": 13},
            )
    fig.update_layout(
        title={"text": "CLV against value score", "x": 0, "xanchor": "left",
               "font": {"size": 16}},
        height=CHART_HEIGHT,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hovermode="closest",
        plot_bgcolor="white",
    )
    ticks = log_ticks(plotted["clv"]) if log_x else []
    fig.update_xaxes(
        type="log" if log_x else "linear",
        title_text=f"CLV ({currency}{', log scale' if log_x else ''}) · dashed line: median",
        showgrid=True, gridcolor="#ECEFF1", zeroline=False,
        **({"tickvals": ticks, "ticktext": [formats.money_tick(t, currency) for t in ticks]}
           if ticks else {"tickprefix": formats.currency_prefix(currency), "tickformat": "~s"}),
    )
    fig.update_yaxes(
        title_text=f"Value score ({HIGHER_IS_MORE})", range=list(SCORE_RANGE),
        tickvals=[0, 20, 40, 60, 80, 100], showgrid=True, gridcolor="#ECEFF1",
        zeroline=False,
    )
    return fig


def log_ticks(values: pd.Series) -> list[float]:
    """Round tick values for a log axis over ``values`` (> 0): 1, 2 and 5 × 10^k over up to
    three decades, only 10^k beyond, so labels stay few and read as money."""
    positive = values.dropna().astype(float)
    positive = positive.loc[positive > 0]
    if positive.empty:
        return []
    low, high = float(positive.min()), float(positive.max())
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 3 else (1,)
    ticks = [m * 10.0**k for k in range(first, last + 1) for m in steps]
    return [t for t in ticks if low / 1.5 <= t <= high * 1.5]


# --- ranked table and CSV ---------------------------------------------------------------------


RANKED_COLUMNS = [
    "value_rank", "name", "link", "value_score", "rank_gap", "clv_rank", "clv",
    *(f"{c}_score" for c in COMPONENTS), "arr", "csm_owner", "segment", "quadrant",
    "missing_components",
]
"""Left to right: rank and who, the value and how it compares with revenue, why (components),
then money, owner and the rest."""


def ranked_frame(accounts: pd.DataFrame) -> pd.DataFrame:
    """The ranked table's display columns (raw values; the table formats them)."""
    frame = pd.DataFrame(
        {
            "value_rank": accounts["value_rank"],
            "name": accounts["name"],
            "link": accounts["account_id"].map(account_url),
            "value_score": accounts["value_score"].astype(float),
            "rank_gap": accounts["rank_gap"],
            "clv_rank": accounts["clv_rank"],
            "clv": accounts["clv"].astype(float),
            **{f"{c}_score": accounts[f"{c}_score"].astype(float) for c in COMPONENTS},
            "arr": accounts["arr"].astype(float),
            "csm_owner": accounts["csm_owner"],
            "segment": accounts["segment"],
            "quadrant": accounts["quadrant"],
            "missing_components": accounts["missing_components"].fillna(""),
        }
    )
    return frame.reset_index(drop=True)


def ranked_table(accounts: pd.DataFrame, currency: str, *, key: str) -> None:
    """Every customer by value rank; a click on a row opens Account 360."""
    frame = ranked_frame(accounts)
    money = formats.money_column_format(currency)
    whole = formats.currency_prefix(currency).replace("%", "%%") + "%,.0f"
    config: dict[str, object] = {
        "value_rank": st.column_config.NumberColumn(
            "Rank", width=56, format="%d", pinned=True,
            help="1 = highest value score; ties share the best rank.",
        ),
        "name": st.column_config.TextColumn("Account", pinned=True, width=180),
        "link": link_column(),
        "value_score": st.column_config.NumberColumn(
            "Value score", width=90, format="%.1f",
            help=f"Weighted mean of the components with data ({HIGHER_IS_MORE}).",
        ),
        "rank_gap": st.column_config.NumberColumn(
            "Rank gap", width=84, format="%+d",
            help="CLV rank − value rank: positive = worth more than revenue says (ranks "
            "higher on value than on CLV).",
        ),
        "clv_rank": st.column_config.NumberColumn(
            "CLV rank", width=76, format="%d", help="1 = highest CLV; ties share the best rank.",
        ),
        "clv": st.column_config.NumberColumn(
            f"CLV ({currency})", format=whole, width=120,
            help="Net present value of the account's monthly margin (see the note above), "
            "rounded to whole units.",
        ),
        **{
            f"{c}_score": st.column_config.NumberColumn(
                COMPONENT_LABELS[c] + (" score" if c == "clv" else ""), width=84,
                format="%.1f", help=f"{COMPONENT_HELP[c]} {HIGHER_IS_MORE}.",
            )
            for c in COMPONENTS
        },
        "arr": st.column_config.NumberColumn(f"ARR ({currency})", format=money),
        "csm_owner": "CSM owner",
        "segment": "Segment",
        "quadrant": st.column_config.TextColumn(
            "Quadrant", help="Against the medians of CLV and value score (the chart's lines)."),
        "missing_components": st.column_config.TextColumn(
            "No data for",
            help="Components left out of the score because they have no data.",
        ),
    }
    account_table(frame, accounts["account_id"].reset_index(drop=True), key=key,
                  column_config=config, column_order=RANKED_COLUMNS,
                  height=table_height(len(frame)), placeholder=formats.NO_DATA)


def value_csv(accounts: pd.DataFrame) -> bytes:
    """The ranked customers as CSV: the columns of ``python cli.py report value``, scores and
    money rounded to two decimals, dates ISO, formula-like text neutralised."""
    frame = accounts.copy()
    for column in ("mrr", "arr", "clv", "value_score", *(f"{c}_score" for c in COMPONENTS)):
        frame[column] = frame[column].astype(float).round(2)
    frame["latest_nps_on"] = frame["latest_nps_on"].map(formats.day).replace("–", "")
    return to_safe_csv(frame)


def value_download(accounts: pd.DataFrame, *, key: str, as_of: date) -> None:
    """The "Download CSV" button of the ranked table."""
    download(
        "customer_value", value_csv(accounts), key=key, as_of=as_of,
        help="The customers shown: the columns of `python cli.py report value` (every score, "
        "rank and raw input).",
    )


# --- settings ---------------------------------------------------------------------------------

_SAVED = "value_settings_saved"
_WEIGHT_KEY = "value_settings_weight_{}"
_KEYS = {
    "margin_pct": "value_settings_margin",
    "annual_discount_rate_pct": "value_settings_discount",
    "referenceable_pct": "value_settings_referenceable",
    "influence_attribute": "value_settings_influence_attribute",
    "influence_full_at": "value_settings_influence_full_at",
    "feedback_attribute": "value_settings_feedback_attribute",
    "feedback_full_at": "value_settings_feedback_full_at",
    "strategic_attribute": "value_settings_strategic_attribute",
    "strategic_levels": "value_settings_levels",
    "strategic_scale": "value_settings_scale",
}
FIELD_LABELS: dict[str, str] = {
    **{f"weights.{c}": f"{COMPONENT_LABELS[c]} weight" for c in COMPONENTS},
    "weights": "Weights",
    "margin_pct": "Margin (% of MRR)",
    "annual_discount_rate_pct": "Discount rate (% a year)",
    "referenceable_pct": "Referenceable share of advocacy (%)",
    "influence_attribute": "Influence attribute",
    "influence_full_at": "References for a full score",
    "feedback_attribute": "Feedback attribute",
    "feedback_full_at": "Fixes for a full score",
    "strategic_attribute": "Strategic-fit attribute",
    "strategic_levels": "Strategic levels",
    "strategic_scale": "Numeric scale",
}
"""Settings field → the label of its input, so a validation message names what to fix."""


def _set_inputs(settings: ValueSettings) -> None:
    for name, weight in settings.weights.as_dict().items():
        st.session_state[_WEIGHT_KEY.format(name)] = float(weight)
    for field, key in _KEYS.items():
        value = getattr(settings, field)
        if field == "strategic_levels":
            value = format_strategic_levels(value)
        elif isinstance(value, float):
            value = float(value)
        st.session_state[key] = value


def _init_inputs(settings: ValueSettings) -> None:
    keys = [_WEIGHT_KEY.format(c) for c in COMPONENTS] + list(_KEYS.values())
    if any(k not in st.session_state for k in keys):
        _set_inputs(settings)


def readable_error(message: str) -> str:
    """A settings error with each field named by its input label."""
    for field in sorted(FIELD_LABELS, key=len, reverse=True):
        message = message.replace(f"{field}:", f"{FIELD_LABELS[field]}:")
    return message


def weight_shares(settings: ValueSettings) -> str:
    """Each component's share of the score when every component has data."""
    weights = settings.weights.as_dict()
    total = sum(weights.values())
    return ", ".join(f"{COMPONENT_LABELS[n]} {formats.percent(w / total, decimals=0)}"
                     for n, w in weights.items())


def settings_form(db: Database, current: ValueSettings) -> None:
    """Weights, CLV inputs and attribute names; validated and saved only on **Save settings**.

    Invalid values show the message (naming the input) and change nothing. Saving writes
    :class:`ValueSettings` with :func:`save_value_settings`; the value cache is keyed on their JSON.
    """
    saved = st.session_state.pop(_SAVED, None)
    if saved:
        st.success(saved, icon="✅")
    _init_inputs(current)
    st.caption(f"In use: {weight_shares(current)} of the score when every component has data.")
    with st.form("value_settings_form", border=False):
        st.markdown("**Weights** (relative: only their ratios matter; 0 leaves a component out)")
        weights = {}
        for column, name in zip(st.columns(len(COMPONENTS)), COMPONENTS, strict=True):
            weights[name] = column.number_input(
                COMPONENT_LABELS[name], step=1.0, format="%g", key=_WEIGHT_KEY.format(name),
                help=f"{COMPONENT_HELP[name]} Must be 0 or more.",
            )
        st.markdown("**CLV and advocacy**")
        margin, discount, referenceable, _ = st.columns(4)
        margin.number_input(
            FIELD_LABELS["margin_pct"], step=1.0, format="%g", key=_KEYS["margin_pct"],
            help="Gross margin as % of MRR (above 0, at most 100). 100 when no margin is "
            "known: CLV is then lifetime revenue.",
        )
        discount.number_input(
            FIELD_LABELS["annual_discount_rate_pct"], step=1.0, format="%g",
            key=_KEYS["annual_discount_rate_pct"],
            help="Yearly rate (above 0, at most 100), applied monthly as (1 + rate)^(1/12) − 1.",
        )
        referenceable.number_input(
            FIELD_LABELS["referenceable_pct"], step=5.0, format="%g",
            key=_KEYS["referenceable_pct"],
            help="0–100. With an NPS answer: advocacy = (100 − share) % of the NPS points + "
            "share % × 100 when referenceable.",
        )
        st.markdown("**Custom attributes** (names as imported; case and spaces are ignored)")
        influence, influence_full, feedback, feedback_full = st.columns(4)
        influence.text_input(FIELD_LABELS["influence_attribute"],
                             key=_KEYS["influence_attribute"],
                             help="Holds references given: a number 0 or more.")
        influence_full.number_input(FIELD_LABELS["influence_full_at"], step=1.0, format="%g",
                                    key=_KEYS["influence_full_at"],
                                    help="This many references or more score 100.")
        feedback.text_input(FIELD_LABELS["feedback_attribute"], key=_KEYS["feedback_attribute"],
                            help="Holds tickets that led to fixes: a number 0 or more.")
        feedback_full.number_input(FIELD_LABELS["feedback_full_at"], step=1.0, format="%g",
                                   key=_KEYS["feedback_full_at"],
                                   help="This many fixes or more score 100.")
        strategic, levels, scale, _ = st.columns(4)
        strategic.text_input(FIELD_LABELS["strategic_attribute"],
                             key=_KEYS["strategic_attribute"],
                             help="Holds the strategic fit: a level or a number.")
        levels.text_input(FIELD_LABELS["strategic_levels"], key=_KEYS["strategic_levels"],
                          help="name=score pairs, scores 0–100, e.g. low=0, medium=50, "
                          "high=100 (case and spaces ignored).")
        scale.selectbox(FIELD_LABELS["strategic_scale"], options=[100, 10],
                        format_func=lambda s: f"0–{s}", key=_KEYS["strategic_scale"],
                        help="Numeric strategic values run 0–100 or 0–10 (scaled to 0–100); "
                        "values off the scale are no data.")
        submitted = st.form_submit_button("Save settings", type="primary",
                                          key="value_settings_save")
    st.button("Back to defaults", key="value_settings_defaults", on_click=_set_inputs,
              args=(ValueSettings(),),
              help="Put the default values in the form; Save settings stores them.")
    if not submitted:
        return
    state = st.session_state
    try:
        levels_value = parse_strategic_levels(state[_KEYS["strategic_levels"]])
    except ValueError as exc:
        st.error(f"Settings not saved. Strategic levels: {exc}. Nothing was changed: fix the "
                 "value above.", icon="⚠️")
        return
    values = {
        "weights": weights,
        **{field: state[key] for field, key in _KEYS.items()},
        "strategic_levels": levels_value,
    }
    try:
        proposed = validate_settings(ValueSettings, values)
    except SettingsError as exc:
        st.error(f"{readable_error(str(exc))}. Nothing was changed: fix the value above.",
                 icon="⚠️")
        return
    if proposed == current:
        st.info("These are the settings in use already; nothing to save.", icon="ℹ️")
        return
    save_value_settings(db, proposed)
    st.session_state[_SAVED] = "Value settings saved. The scores and ranking now use them."
    st.rerun()
