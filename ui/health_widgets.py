"""Shared pieces of the Customers pages: account tables that open Account 360, band and
severity colours, KPI cards, the health-settings editor and the CSV downloads.

Every table that lists accounts goes through :func:`account_table`: a click on a row opens
Account 360 in the same tab (``st.switch_page`` with ``?account=ID``), and the ID column is a
link to the same URL (to share it, or to open it in a new tab). Scores are cut to one decimal
(:func:`ui.formats.floor_score`) so a yellow 69.99 never reads "70.0". Every download goes
through :func:`store.export.to_safe_csv`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from metrics.health_settings import COMPONENTS, RULE_COMPONENT, HealthSettings
from store.export import to_safe_csv
from store.settings import SettingsError, validate_settings
from ui import formats, routes
from ui.data import Database, View, preview_settings, save_health_settings
from ui.empty_states import nothing_on_as_of
from ui.health_charts import BAND_TINTS, band_label

ACCOUNT_PAGE = "pages/account.py"
ACCOUNT_PARAM = "account"
HIGHER_IS_HEALTHIER = "0–100, higher is healthier"

COMPONENT_LABELS: dict[str, str] = {
    "usage": "Usage",
    "adoption": "Adoption",
    "engagement": "Engagement",
    "support": "Support",
    "sentiment": "Sentiment",
    "billing": "Billing",
    "commercial": "Commercial",
}
COMPONENT_HELP: dict[str, str] = {
    "usage": "Peak active users vs seats purchased, and events in the last 30 days vs the 30 "
    "before.",
    "adoption": "Most features used on one day in the last 30 days.",
    "engagement": "Days since the last day with activity.",
    "support": "Open high-priority tickets, SLA breaches and CSAT of the last 90 days.",
    "sentiment": "Latest NPS answer of the last 365 days.",
    "billing": "Failed payments, active dunning, card expiring.",
    "commercial": "MRR now vs three month ends ago, and contraction in between.",
}

MOMENT_LABELS: dict[str, str] = {
    "card_expiring": "Card expiring",
    "payment_failed": "Payment failed / dunning",
    "reinstated": "Reinstated after failed payment",
    "upsell": "Upsell: near plan limit",
    "usage_drop": "At risk: usage down",
    "underutilised": "Underutilised seats",
    "anniversary": "Anniversary",
    "seat_milestone": "Seat milestone",
    "nps_detractor": "NPS detractor",
    "nps_promoter": "NPS promoter",
    "renewal_window": "Renewal window",
    "seats_added": "Seats added",
}
SEVERITY_COLORS: dict[str, tuple[str, str]] = {
    "high": ("#FFCDD2", "#B71C1C"),
    "medium": ("#FFECB3", "#8D6E00"),
    "low": ("#E3F2FD", "#0D47A1"),
}
"""Severity → (cell background, text colour)."""

KIND_COLORS: dict[str, tuple[str, str]] = {
    "subscription": ("#E3F2FD", "#0D47A1"),
    "billing": ("#FFF3E0", "#E65100"),
    "ticket": ("#F3E5F5", "#6A1B9A"),
    "nps": ("#E0F2F1", "#00695C"),
    "moment": ("#FFEBEE", "#B71C1C"),
    "note": ("#ECEFF1", "#37474F"),
}
KIND_LABELS: dict[str, str] = {
    "subscription": "Subscription",
    "billing": "Billing",
    "ticket": "Ticket",
    "nps": "NPS",
    "moment": "Moment",
    "note": "Note",
}

STYLE_ROW_LIMIT = 20_000
"""Above this many rows tables skip cell colours (pandas Styler cost grows with cells)."""


# --- links to Account 360 ---------------------------------------------------------------------


def account_url(account_id: str) -> str:
    """Relative URL of an account's Account 360 page: ``account-360?account=ID``."""
    return routes.ACCOUNT + "?" + urlencode({ACCOUNT_PARAM: account_id})


def link_column(label: str = "ID") -> st.column_config.LinkColumn:
    """A column of :func:`account_url` values that shows the account id as a link."""
    return st.column_config.LinkColumn(
        label,
        display_text=rf"{ACCOUNT_PARAM}=(.*)$",
        help="Opens Account 360 in a new tab; the link can be shared.",
    )


def account_table(
    data: pd.DataFrame | Styler,
    account_ids: pd.Series,
    *,
    key: str,
    column_config: Mapping[str, object],
    column_order: list[str] | None = None,
    height: int | str = "auto",
    placeholder: str = "–",
) -> None:
    """An ``st.dataframe`` whose row selection opens that account's Account 360 page.

    ``account_ids`` holds the id of each row of ``data`` in the same order; ``placeholder``
    is what a missing value reads.
    """
    event = st.dataframe(
        data,
        key=key,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        column_config=column_config,
        column_order=column_order,
        height=height,
        placeholder=placeholder,
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        st.switch_page(ACCOUNT_PAGE,
                       query_params={ACCOUNT_PARAM: str(account_ids.iloc[rows[0]])})


def table_height(rows: int, *, limit: int = 560) -> int:
    """Pixel height that shows every row of a short table and scrolls a long one."""
    return min(limit, 38 + 35 * max(rows, 1))


# --- colours ----------------------------------------------------------------------------------


def score_band(value: object, settings: HealthSettings) -> str | None:
    """Band of one score with the stored edges (None when missing)."""
    if formats.is_missing(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    if number < settings.red_below:
        return "red"
    if number >= settings.green_from:
        return "green"
    return "yellow"


def _score_css(settings: HealthSettings) -> Callable[[object], str]:
    def css(value: object) -> str:
        band = score_band(value, settings)
        if band is None:
            return "color: #78909C; font-style: italic"
        return f"background-color: {BAND_TINTS[band]}"

    return css


def _band_css(value: object) -> str:
    band = str(value).lower()
    if band in BAND_TINTS:
        return f"background-color: {BAND_TINTS[band]}; color: {_dark(band)}; font-weight: 600"
    return "color: #78909C; font-style: italic"


def _dark(band: str) -> str:
    return {"red": "#B71C1C", "yellow": "#7A5B00", "green": "#1B5E20"}.get(band, "#37474F")


def _change_css(value: object) -> str:
    if formats.is_missing(value) or round(float(value), 1) == 0:  # type: ignore[arg-type]
        return "color: #607D8B"
    return "color: #2E7D32" if float(value) > 0 else "color: #C62828"  # type: ignore[arg-type]


def _pair_css(colours: Mapping[str, tuple[str, str]]) -> Callable[[object], str]:
    def css(value: object) -> str:
        pair = colours.get(str(value))
        if pair is None:
            return ""
        return f"background-color: {pair[0]}; color: {pair[1]}; font-weight: 600"

    return css


def _styled(frame: pd.DataFrame) -> bool:
    return len(frame) <= STYLE_ROW_LIMIT


# --- empty states -----------------------------------------------------------------------------


def no_accounts_in_force(view: View, *, what: str, key: str) -> None:
    """Nobody to show: say why (date, filters, no data) and what to do next."""
    nothing_on_as_of(
        view, nothing="No account is in force", key=key,
        scope=f"{what} for accounts with a recurring subscription on the as-of date.",
        next_step="Pick a later as-of date, or import accounts and subscriptions: the Data page "
                  "lists the import format.",
    )


# --- KPI cards --------------------------------------------------------------------------------


def band_cards(bands: pd.DataFrame, currency: str) -> None:
    """One card per band: accounts, ARR and its share (from ``band_counts``)."""
    total_arr = float(bands["arr"].sum())
    columns = st.columns(1 + len(bands))
    columns[0].metric(
        "Accounts scored", formats.count(bands["accounts"].sum()),
        delta=f"{formats.money(total_arr, currency, compact=True)} ARR",
        delta_color="off", delta_arrow="off", border=True,
        help="Accounts with a recurring subscription in force on the as-of date (trials "
        "included), after the filters.",
    )
    for column, row in zip(columns[1:], bands.itertuples(index=False), strict=True):
        column.metric(
            f"{band_label(row.band)} accounts",
            formats.count(row.accounts),
            delta=f"{formats.money(row.arr, currency, compact=True)} ARR · "
            f"{_share(row.arr, total_arr)}",
            delta_color="off",
            delta_arrow="off",
            border=True,
            help=_band_help(row.band),
        )


def _share(part: float, total: float) -> str:
    """Share of a total; a sliver reads "<0.1%", not "0.0%"."""
    if not total:
        return formats.NOT_AVAILABLE
    share = part / total
    return "<0.1%" if 0 < share < 0.0005 else formats.percent(share)


def _band_help(band: str) -> str:
    return {
        "red": "Score below the red edge: act now.",
        "yellow": "Between the red and green edges: watch.",
        "green": "Score at or above the green edge: healthy.",
    }.get(band, "No component had data, so there is no score.")


# --- scorecard --------------------------------------------------------------------------------


def scorecard_frame(accounts: pd.DataFrame) -> pd.DataFrame:
    """The scorecard's display columns (raw values; the table formats them)."""
    frame = pd.DataFrame(
        {
            "name": accounts["name"],
            "link": accounts["account_id"].map(account_url),
            "segment": accounts["segment"],
            "csm_owner": accounts["csm_owner"],
            "health_score": accounts["health_score"].astype(float),
            "band": accounts["band"].map(
                lambda b: band_label(b) if isinstance(b, str) else formats.NO_DATA
            ),
            "change": accounts["change"].astype(float),
            **{f"{c}_score": accounts[f"{c}_score"].astype(float) for c in COMPONENTS},
            "arr": accounts["arr"].astype(float),
            # Text, so "none" (month-to-month) never reads "no data"; ISO dates sort right.
            "renewal_date": pd.to_datetime(accounts["renewal_date"]).dt.strftime("%Y-%m-%d")
            .fillna("none"),
            "missing_components": accounts["missing_components"].fillna(""),
        }
    )
    return frame.reset_index(drop=True)


def scorecard_table(
    accounts: pd.DataFrame, settings: HealthSettings, currency: str, *, key: str
) -> None:
    """Every account with score, band, trend, coloured component cells, ARR, owner, renewal.

    Sortable by any column (click its header); a click on a row opens Account 360.
    """
    frame = scorecard_frame(accounts)
    scores = ["health_score", *(f"{c}_score" for c in COMPONENTS)]
    money = formats.money_column_format(currency)
    config: dict[str, object] = {
        "name": st.column_config.TextColumn("Account", pinned=True, width=180),
        "link": link_column(),
        "segment": "Segment",
        "csm_owner": "CSM owner",
        "health_score": st.column_config.NumberColumn(
            "Health score", width=92, help=f"Weighted mean of the components with data ("
            f"{HIGHER_IS_HEALTHIER}), cut to one decimal.",
        ),
        "band": st.column_config.TextColumn(
            "Band", width=62, help=f"Red below {settings.red_below:g}, green from "
            f"{settings.green_from:g}, yellow between (unrounded score).",
        ),
        "change": st.column_config.NumberColumn(
            "vs last month", width=96,
            help="Score now minus the score at last month end (points).",
        ),
        **{
            f"{c}_score": st.column_config.NumberColumn(
                COMPONENT_LABELS[c], width=84,
                help=f"{COMPONENT_HELP[c]} {HIGHER_IS_HEALTHIER}.",
            )
            for c in COMPONENTS
        },
        "arr": st.column_config.NumberColumn(f"ARR ({currency})", format=money),
        "renewal_date": st.column_config.TextColumn(
            "Renewal date",
            help="Next term end of an active contract; none for month-to-month.",
        ),
        "missing_components": st.column_config.TextColumn(
            "No data for", help="Components left out of the score because they have no data.",
        ),
    }
    data: pd.DataFrame | Styler = frame
    if _styled(frame):
        data = (
            frame.style.format(formats.score, subset=scores)
            .format(formats.score_change, subset=["change"])
            .map(_score_css(settings), subset=scores)
            .map(_band_css, subset=["band"])
            .map(_change_css, subset=["change"])
        )
    account_table(data, accounts["account_id"].reset_index(drop=True), key=key,
                  column_config=config, column_order=SCORECARD_COLUMNS,
                  height=table_height(len(frame)), placeholder=formats.NO_DATA)


SCORECARD_COLUMNS = [
    "name", "link", "health_score", "band", "change", *(f"{c}_score" for c in COMPONENTS),
    "arr", "csm_owner", "renewal_date", "segment", "missing_components",
]
"""Left to right: who, how healthy, why (components), then money, owner and dates."""


def scorecard_csv(accounts: pd.DataFrame) -> bytes:
    """The scorecard as CSV: the columns of ``python cli.py report health`` (every column of
    :func:`metrics.health.health_scores`, raw inputs included), then health_score_before,
    band_before and change_vs_last_month.

    Scores are cut to one decimal like the screen (a yellow 69.99 reads 69.9, never 70), money
    is rounded to cents and dates are ISO.
    """
    frame = accounts.rename(columns={"change": "change_vs_last_month"}).copy()
    for column in ["health_score", "health_score_before",
                   *(f"{c}_score" for c in COMPONENTS)]:
        frame[column] = frame[column].map(formats.floor_score)
    frame["change_vs_last_month"] = frame["change_vs_last_month"].astype(float).round(1)
    for column in ("mrr", "arr", "mrr_3m_ago"):
        if column in frame:
            frame[column] = frame[column].astype(float).round(2)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return to_safe_csv(frame)


def download(label_name: str, payload: bytes, *, key: str, as_of: date, help: str) -> None:
    """A "Download CSV" button (payload already made by :func:`store.export.to_safe_csv`)."""
    st.download_button(
        "Download CSV",
        data=payload,
        file_name=f"{label_name}_{as_of.isoformat()}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        help=help,
        on_click="ignore",
    )


# --- band migration and preview tables --------------------------------------------------------


def migration_note(narrowed: bool) -> str:
    """What the migration matrix counts."""
    note = (
        "Band at last month end (rows) against the band now (columns); the diagonal stayed. "
        "New = not in force last month."
    )
    if narrowed:
        return note + " With filters, accounts that left since last month are not shown."
    return note + " Left = no longer in force now."


def preview_table(by_change: Mapping[str, int]) -> pd.DataFrame:
    """``preview_band_changes()['by_change']`` as a From / To / Accounts table."""
    rows = []
    for pair, count in by_change.items():
        before, after = pair.split("→")
        rows.append({"From": band_label(before), "To": band_label(after), "Accounts": count})
    return pd.DataFrame(rows, columns=["From", "To", "Accounts"])


# --- health settings --------------------------------------------------------------------------

_SETTINGS_SAVED = "health_settings_saved"
_WEIGHT_KEY = "health_settings_weight_{}"
_RED_KEY = "health_settings_red_below"
_GREEN_KEY = "health_settings_green_from"


def _set_inputs(settings: HealthSettings) -> None:
    for name, weight in settings.weights.as_dict().items():
        st.session_state[_WEIGHT_KEY.format(name)] = float(weight)
    st.session_state[_RED_KEY] = float(settings.red_below)
    st.session_state[_GREEN_KEY] = float(settings.green_from)


def _init_inputs(settings: HealthSettings) -> None:
    keys = [_WEIGHT_KEY.format(n) for n in COMPONENTS] + [_RED_KEY, _GREEN_KEY]
    if any(k not in st.session_state for k in keys):
        _set_inputs(settings)


def health_settings_editor(db: Database, as_of: date, current: HealthSettings) -> None:
    """Weights and band edges with a live preview of band changes; save when valid.

    Invalid values show the validation message (naming the field) and disable saving, so
    nothing is stored. Saving writes :class:`HealthSettings` with ``save_settings``; the
    health caches are keyed on the settings JSON, so every page recomputes.
    """
    saved = st.session_state.pop(_SETTINGS_SAVED, None)
    if saved:
        st.success(saved, icon="✅")
    _init_inputs(current)

    st.markdown("**Weights** (relative: only their ratios matter)")
    columns = st.columns(len(COMPONENTS))
    weights = {}
    for column, name in zip(columns, COMPONENTS, strict=True):
        weights[name] = column.number_input(
            COMPONENT_LABELS[name], step=1.0, format="%g", key=_WEIGHT_KEY.format(name),
            help=f"{COMPONENT_HELP[name]} Must be 0 or more; 0 leaves it out.",
        )
    st.markdown(f"**Bands** (scores {HIGHER_IS_HEALTHIER})")
    left, right, _ = st.columns([1, 1, 3])
    red_below = left.number_input(
        "Red below", step=1.0, format="%g", key=_RED_KEY,
        help="Scores below this are red (0–100).",
    )
    green_from = right.number_input(
        "Green from", step=1.0, format="%g", key=_GREEN_KEY,
        help="Scores at or above this are green; must be above the red edge.",
    )

    values = {
        **current.model_dump(),
        "weights": weights,
        "red_below": red_below,
        "green_from": green_from,
    }
    try:
        proposed = validate_settings(HealthSettings, values)
    except SettingsError as exc:
        st.error(f"{exc}. Nothing was changed: fix the value above.", icon="⚠️")
        proposed = None

    if proposed is not None:
        total = sum(proposed.weights.as_dict().values())
        shares = ", ".join(
            f"{COMPONENT_LABELS[n].lower()} {formats.percent(w / total, decimals=0)}"
            for n, w in proposed.weights.as_dict().items()
        )
        st.caption(f"Share of the score when every component has data: {shares}.")
        st.markdown("**Preview on the as-of date**")
        if proposed == current:
            st.info("These are the settings in use. Change a weight or an edge to see how "
                    "many accounts would change band.", icon="ℹ️")
        else:
            preview = preview_settings(db, as_of, current, proposed)
            st.markdown(
                f"**{formats.count(preview['changed'])}** of "
                f"{formats.count(preview['accounts'])} accounts would change band."
            )
            if preview["by_change"]:
                st.dataframe(preview_table(preview["by_change"]), hide_index=True,
                             key="health_settings_preview",
                             column_config={"Accounts": st.column_config.NumberColumn(
                                 "Accounts", format="%,d")})

    save, reset, defaults, _ = st.columns([1, 1, 1, 3])
    clicked = save.button(
        "Save settings", type="primary", key="health_settings_save",
        disabled=proposed is None or proposed == current,
        help="Store these weights and bands; every page uses them from now on.",
    )
    reset.button("Discard changes", key="health_settings_discard", on_click=_set_inputs,
                 args=(current,), disabled=proposed == current)
    defaults.button("Back to defaults", key="health_settings_defaults", on_click=_set_inputs,
                    args=(HealthSettings(),))
    if clicked and proposed is not None:
        save_health_settings(db, proposed)
        st.session_state[_SETTINGS_SAVED] = (
            "Health settings saved. Every page now scores with these weights and bands."
        )
        st.rerun()


def thresholds_table(settings: HealthSettings) -> pd.DataFrame:
    """Every sub-score input with its component and bad/good thresholds (display labels)."""
    rows = [
        {
            "Component": COMPONENT_LABELS[RULE_COMPONENT[name]],
            "Input": name,
            "Bad (score 0)": ramp.bad,
            "Good (score 100)": ramp.good,
        }
        for name, ramp in settings.ramps().items()
    ]
    return pd.DataFrame(rows, columns=["Component", "Input", "Bad (score 0)",
                                       "Good (score 100)"])


# --- revenue moments --------------------------------------------------------------------------


def no_moments(view: View, *, key: str) -> None:
    """No moment on the as-of date: say why and what to do next."""
    nothing_on_as_of(
        view, nothing="No revenue moment", key=key,
        scope="Moments come from billing events, usage, NPS answers and contract dates of "
              "accounts in force on the as-of date.",
        next_step="Pick another as-of date, or import billing events, usage and NPS responses "
                  "(the Data page lists the import format).",
    )


def moment_type_options(moments: pd.DataFrame) -> list[str]:
    """The moment types present, in the order of ``MOMENT_LABELS`` (then any other)."""
    present = set(moments["moment_type"])
    known = [t for t in MOMENT_LABELS if t in present]
    return known + sorted(present - set(known))


def moment_cards(moments: pd.DataFrame) -> None:
    """Moments, high-severity moments and accounts concerned."""
    high = int((moments["severity"] == "high").sum())
    first, second, third = st.columns(3)
    first.metric("Moments", formats.count(len(moments)), border=True,
                 help="At most one per account and moment type.")
    second.metric("High severity", formats.count(high), border=True,
                  help="Revenue at risk now: failed payments, usage drops, NPS detractors.")
    third.metric("Accounts", formats.count(moments["account_id"].nunique()), border=True,
                 help="Accounts with at least one of these moments.")


def moment_label(moment_type: str) -> str:
    """Display label of a moment type."""
    return MOMENT_LABELS.get(moment_type, moment_type.replace("_", " ").capitalize())


def moments_table(moments: pd.DataFrame, currency: str, *, key: str) -> None:
    """Moments newest first, severity coloured, amounts as money; a row click opens the account."""
    frame = pd.DataFrame(
        {
            "occurred_on": pd.to_datetime(moments["occurred_on"]),
            "severity": moments["severity"].str.capitalize(),
            "moment": moments["moment_type"].map(moment_label),
            "account_name": moments["account_name"],
            "link": moments["account_id"].map(account_url),
            "csm_owner": moments["csm_owner"],
            "segment": moments["segment"],
            "amount_at_stake": moments["amount_at_stake"].astype(float),
            "evidence": moments["evidence"],
            "suggested_next_step": moments["suggested_next_step"],
        }
    ).reset_index(drop=True)
    config = {
        "occurred_on": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "severity": st.column_config.TextColumn(
            "Severity", help="High: revenue at risk now. Medium: act this month. Low: a "
            "chance to build the relationship.",
        ),
        "moment": "Moment",
        "account_name": st.column_config.TextColumn("Account", width="medium"),
        "link": link_column(),
        "csm_owner": "CSM owner",
        "segment": "Segment",
        "amount_at_stake": st.column_config.NumberColumn(
            f"At stake ({currency})", format=formats.money_column_format(currency),
            help="The failed amount for payment moments, else the account's ARR.",
        ),
        "evidence": st.column_config.TextColumn("Evidence", width="large"),
        "suggested_next_step": st.column_config.TextColumn("Next step", width="large"),
    }
    data: pd.DataFrame | Styler = frame
    if _styled(frame):
        colours = {k.capitalize(): v for k, v in SEVERITY_COLORS.items()}
        data = frame.style.map(_pair_css(colours), subset=["severity"])
    account_table(data, moments["account_id"].reset_index(drop=True), key=key,
                  column_config=config, column_order=MOMENT_COLUMNS,
                  height=table_height(len(frame), limit=640))


MOMENT_COLUMNS = [
    "occurred_on", "severity", "moment", "account_name", "amount_at_stake", "evidence",
    "suggested_next_step", "link", "csm_owner", "segment",
]
"""What happened to whom and what to do first; owner and segment last."""


def moments_csv(moments: pd.DataFrame) -> bytes:
    """The moments as CSV (the columns of ``revenue_moments``, dates ISO, money to cents)."""
    frame = moments.copy()
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"]).dt.strftime("%Y-%m-%d")
    frame["amount_at_stake"] = frame["amount_at_stake"].astype(float).round(2)
    return to_safe_csv(frame)


# --- Account 360 ------------------------------------------------------------------------------


def timeline_table(timeline: pd.DataFrame, currency: str, *, key: str) -> None:
    """Everything that happened, newest first, with coloured kind labels and money amounts."""
    frame = pd.DataFrame(
        {
            "occurred_on": pd.to_datetime(timeline["occurred_on"]),
            "kind": timeline["kind"].map(lambda k: KIND_LABELS.get(k, str(k).capitalize())),
            "title": timeline["title"],
            "detail": timeline["detail"],
            "amount": pd.to_numeric(timeline["amount"], errors="coerce"),
        }
    ).reset_index(drop=True)
    labelled = {KIND_LABELS.get(k, k): v for k, v in KIND_COLORS.items()}
    styler = (
        frame.style.map(_pair_css(labelled), subset=["kind"])
        .format(lambda v: "" if formats.is_missing(v)
                else formats.money(v, currency, cents=True), subset=["amount"])
    )
    st.dataframe(
        styler,
        key=key,
        hide_index=True,
        placeholder="",
        height=table_height(len(frame), limit=600),
        column_config={
            "occurred_on": st.column_config.DateColumn("Date", format="ddd YYYY-MM-DD"),
            "kind": st.column_config.TextColumn("Kind"),
            "title": st.column_config.TextColumn("What happened", width="medium"),
            "detail": st.column_config.TextColumn("Detail", width="large"),
            "amount": st.column_config.NumberColumn(f"Amount ({currency})"),
        },
    )


def breakdown_table(breakdown: pd.DataFrame, settings: HealthSettings, *, key: str) -> None:
    """Each component's score, weight, contribution and reason; "no data" where missing."""
    frame = pd.DataFrame(
        {
            "component": breakdown["component"].map(
                lambda c: COMPONENT_LABELS.get(c, str(c).capitalize())
            ),
            "score": pd.to_numeric(breakdown["score"], errors="coerce"),
            "weight": pd.to_numeric(breakdown["weight"], errors="coerce"),
            "contribution": pd.to_numeric(breakdown["contribution"], errors="coerce"),
            "reason": breakdown["reason"].fillna(formats.NO_DATA),
        }
    ).reset_index(drop=True)
    styler = (
        frame.style.format(formats.score, subset=["score"])
        .format(lambda v: "–" if formats.is_missing(v) else f"{v:.1f}",
                subset=["contribution"])
        .format(lambda v: "–" if formats.is_missing(v) else f"{v:g}", subset=["weight"])
        .map(_score_css(settings), subset=["score"])
    )
    st.dataframe(
        styler,
        key=key,
        hide_index=True,
        placeholder=formats.NO_DATA,
        height=table_height(len(frame)),
        column_config={
            "component": "Component",
            "score": st.column_config.NumberColumn(
                "Score", help=f"Component score ({HIGHER_IS_HEALTHIER}); no data = left out "
                "of the overall score."),
            "weight": st.column_config.NumberColumn("Weight"),
            "contribution": st.column_config.NumberColumn(
                "Points of the score",
                help="weight × score / sum of the weights with data: the rows add up to the "
                "health score."),
            "reason": st.column_config.TextColumn("Why", width="large"),
        },
    )


def explanation_table(explanation: pd.DataFrame, *, key: str) -> None:
    """``score_change_explanation``: each component's points last month and now, largest first."""
    frame = pd.DataFrame(
        {
            "component": explanation["component"].map(
                lambda c: COMPONENT_LABELS.get(c, str(c).capitalize())
            ),
            "contribution_change": explanation["contribution_change"].astype(float),
            "contribution_before": explanation["contribution_before"].astype(float),
            "contribution_now": explanation["contribution_now"].astype(float),
            "score_before": explanation["score_before"].astype(float),
            "score_now": explanation["score_now"].astype(float),
        }
    ).reset_index(drop=True)
    points = ["contribution_before", "contribution_now"]
    styler = (
        frame.style.format(formats.score_change, subset=["contribution_change"])
        .format(lambda v: f"{v:.1f}", subset=points)
        .format(formats.score, subset=["score_before", "score_now"])
        .map(_change_css, subset=["contribution_change"])
    )
    st.dataframe(
        styler,
        key=key,
        hide_index=True,
        placeholder=formats.NO_DATA,
        height=table_height(len(frame)),
        column_config={
            "component": "Component",
            "contribution_change": st.column_config.NumberColumn(
                "Change", width=80, help="Points now minus points last month."),
            "contribution_before": st.column_config.NumberColumn(
                "Points before", width=90, help="Points of the score at last month end."),
            "contribution_now": st.column_config.NumberColumn("Points now", width=80),
            "score_before": st.column_config.NumberColumn(
                "Score before", width=90,
                help=f"Component score at last month end ({HIGHER_IS_HEALTHIER})."),
            "score_now": st.column_config.NumberColumn(
                "Score now", width=80, help=f"Component score now ({HIGHER_IS_HEALTHIER})."),
        },
    )


def band_badge(band: object) -> str:
    """Markdown badge of a band in its colour (``:red-badge[Red]``), or "no data"."""
    colour = {"red": "red", "yellow": "orange", "green": "green"}.get(str(band))
    if colour is None:
        return f":gray-badge[{formats.NO_DATA}]"
    return f":{colour}-badge[{band_label(str(band))}]"



def account_picker(choices: pd.DataFrame, *, key: str) -> str | None:
    """A searchable account selectbox kept in sync with ``?account=ID``; returns the id.

    ``choices`` has account_id, name, segment, csm_owner, band (ui.data.account_choices). An
    id from the address that is not among them (an account no longer in force, a typo) is
    offered as is, so the page can show it or say it is unknown.
    """
    requested = st.query_params.get(ACCOUNT_PARAM) or None
    options = list(choices["account_id"])
    labels = {
        row.account_id: f"{row.name} · {row.account_id}"
        + (f" · {row.segment}" if isinstance(row.segment, str) and row.segment else "")
        for row in choices.itertuples(index=False)
    }
    if requested is not None and requested not in labels:
        options.insert(0, requested)
    if requested is not None and st.session_state.get(key) != requested:
        st.session_state[key] = requested
    elif requested is None and st.session_state.get(key) not in (None, *options):
        st.session_state[key] = None
    picked = st.selectbox(
        "Account",
        options=options,
        index=None,  # nothing picked until the address or the user names an account
        key=key,
        format_func=lambda a: labels.get(a, a),
        placeholder="Type a name or id",
        on_change=_address_follows,
        args=(key,),
        help="Accounts in force on the as-of date for the sidebar filters. Any account opens "
        "with ?account=ID in the address.",
    )
    return picked


def _address_follows(key: str) -> None:
    picked = st.session_state.get(key)
    if picked is None:
        st.query_params.pop(ACCOUNT_PARAM, None)
    else:
        st.query_params[ACCOUNT_PARAM] = picked


def account_header(
    header: Mapping[str, object], *, currency: str, as_of: date, settings: HealthSettings
) -> None:
    """Name, who owns it and what it buys, then MRR/ARR, renewal, health and seats cards."""
    st.header(str(header.get("name") or header.get("account_id")), anchor=False)
    facts = [f"`{header.get('account_id')}`"]
    for label, field in (("Segment", "segment"), ("Industry", "industry"),
                         ("Region", "region"), ("CSM owner", "csm_owner"), ("Plan", "plan")):
        value = header.get(field)
        if isinstance(value, str) and value:
            facts.append(f"{label}: **{value}**")
    parent = header.get("parent_account_id")
    if isinstance(parent, str) and parent:
        facts.append(f"Parent: [{parent}]({account_url(parent)})")
    if header.get("referenceable") is True:
        facts.append(":green-badge[Referenceable]")
    st.markdown(" · ".join(facts))

    mrr, renewal, health, band, seats = st.columns(5)
    mrr.metric(
        "MRR", formats.money(_num(header.get("mrr")), currency),
        delta=f"ARR {formats.money(_num(header.get('arr')), currency, compact=True)}",
        delta_color="off", delta_arrow="off", border=True,
        help=f"On {as_of:%Y-%m-%d}, {currency} per month; ARR = 12 × MRR.",
    )
    days = header.get("days_to_renewal")
    renewal.metric(
        "Renewal date", formats.day(header.get("renewal_date")),
        delta="no term end" if formats.is_missing(days) else _days_text(int(days)),  # type: ignore[arg-type]
        delta_color="off", delta_arrow="off", border=True,
        help="Next term end of an active contract; none for month-to-month.",
    )
    change = _num(header.get("health_change"))
    still = change is not None and round(change, 1) == 0
    health.metric(
        "Health score", formats.score(_num(header.get("health_score"))),
        delta=("no score last month" if header.get("health_score") is not None
               else "not scored") if change is None else
        ("unchanged vs last month" if still else
         formats.score_change(change)[2:] + " vs last month"),
        delta_color="off" if still or change is None else "normal",
        delta_arrow="off" if still or change is None else "auto",
        border=True,
        help=f"Weighted mean of the components with data ({HIGHER_IS_HEALTHIER}), cut to "
        "one decimal.",
    )
    band.metric(
        "Band", band_label(str(header["band"])) if header.get("band") else formats.NO_DATA,
        delta=f"red < {settings.red_below:g} · green ≥ {settings.green_from:g}",
        delta_color="off", delta_arrow="off", border=True,
        help="Red, yellow or green from the unrounded score.",
    )
    active, bought = _num(header.get("active_users_30d")), _num(header.get("seats_purchased"))
    seats.metric(
        "Active users / seats",
        f"{formats.count(active)} / {formats.count(bought)}",
        delta=None if active is None or not bought else
        f"{formats.percent(active / bought, decimals=0)} of seats used",
        delta_color="off", delta_arrow="off",
        border=True, help="Peak daily active users in the last 30 days vs seats purchased.",
    )
    missing = header.get("missing_components")
    if isinstance(missing, str):
        missing = [m.strip() for m in missing.split(",") if m.strip()]
    if missing and header.get("health_score") is not None:
        names = ", ".join(COMPONENT_LABELS.get(m, m).lower() for m in missing)  # type: ignore[union-attr]
        st.caption(f"No data for: {names} — left out of the score, the other weights "
                   "renormalised.")
    elif header.get("health_score") is None:
        st.caption(f"Not scored on {as_of:%Y-%m-%d}: no recurring subscription in force, or "
                   "no component with data.")


def _num(value: object) -> float | None:
    if value is None or formats.is_missing(value):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _days_text(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days:,d} days"
    return f"{-days:,d} days ago"
