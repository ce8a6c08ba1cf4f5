"""Shared widgets of the Renewals pages: cards, tables, CSV exports, the window and the work form.

Every account table reuses :func:`ui.health_widgets.account_table` (a link column and a row
click that opens Account 360); every download goes through :func:`store.export.to_safe_csv`.
Work-state writes go through :func:`ui.data.save_work` (never cached) from a button callback,
which runs before the page reruns, so the queue drawn on that rerun already shows the change.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from metrics.renewal_settings import RenewalSettings
from store.export import to_safe_csv
from store.renewal_work import NOTE_MAX_CHARS, STATUSES
from ui import data, formats
from ui.health_charts import band_label
from ui.health_widgets import (
    HIGHER_IS_HEALTHIER,
    account_table,
    account_url,
    link_column,
    table_height,
)
from ui.renewal_charts import period_label

FLASH_KEY = "csd.renewal_work_saved"
"""Session key holding the confirmation of the last save, shown as a toast on the rerun."""

BASIS_TEXT: dict[str, str] = {
    "band+segment": "renewal rate of past renewals in this band and segment",
    "band": "too few in this segment: renewal rate of the whole band",
    "overall": "too few in this band: renewal rate of all past renewals",
    "no history": "no past renewals: unknown",
}


# --- pipeline ---------------------------------------------------------------------------------


def pipeline_cards(renewals: pd.DataFrame, currency: str) -> None:
    """Renewals due, ARR due, forecast and ARR at risk over the next 12 months."""
    arr_due = float(renewals["arr_due"].sum())
    # min_count: with no renewal history the likelihood is unknown, so the forecast is n/a.
    forecast = float(renewals["forecast_arr"].sum(min_count=1))
    at_risk = float(renewals["arr_at_risk"].sum(min_count=1))
    columns = st.columns(4)
    columns[0].metric("Renewals due (12 months)", formats.count(len(renewals)), border=True,
                      help="One per account and contract end date in the next 12 months.")
    columns[1].metric("ARR due", formats.money(arr_due, currency, compact=True), border=True,
                      help="12 × each renewing account's MRR on the as-of date.")
    columns[2].metric(
        "Forecast ARR", formats.money(forecast, currency, compact=True), border=True,
        delta=f"{formats.percent(forecast / arr_due if arr_due else None)} of ARR due",
        delta_color="off", delta_arrow="off",
        help="Σ ARR due × renewal likelihood (see How the likelihood is computed).",
    )
    columns[3].metric("ARR at risk", formats.money(at_risk, currency, compact=True),
                      border=True, help="Σ ARR due × (1 − likelihood).")


def period_table(by_period: pd.DataFrame, currency: str, *, period: str) -> None:
    """ARR due, forecast and at risk per period, with the number of renewals."""
    frame = pd.DataFrame({
        "period": [period_label(p, period) for p in by_period[period]],
        "renewals": by_period["renewals"],
        "arr_due": by_period["arr_due"].astype(float),
        "forecast_arr": by_period["forecast_arr"].astype(float),
        "arr_at_risk": by_period["arr_at_risk"].astype(float),
    })
    money = formats.money_column_format(currency)
    st.dataframe(frame, hide_index=True, key=f"renewals_period_table_{period}",
                 column_config={
                     "period": "Month" if period == "month" else "Quarter",
                     "renewals": st.column_config.NumberColumn("Renewals"),
                     "arr_due": st.column_config.NumberColumn("ARR due", format=money),
                     "forecast_arr": st.column_config.NumberColumn(
                         "Forecast ARR", format=money, help="ARR due × likelihood."),
                     "arr_at_risk": st.column_config.NumberColumn(
                         "ARR at risk", format=money, help="ARR due × (1 − likelihood)."),
                 })


def likelihood_explanation(settings: RenewalSettings) -> str:
    """How the likelihood is computed, in plain words (docs/renewals.md)."""
    return (
        "The likelihood of a renewal is the **share of similar past renewals that renewed**, "
        "counted in accounts. *Past renewals*: those decided in the 12 months before as-of − "
        f"{settings.grace_days} days (the grace period). *Similar*: same health band (scored "
        "at the start of that year) and the same segment. A band + segment needs at least "
        f"{settings.min_history_for_segment} past renewals to use its own rate; otherwise the "
        "band's rate is used, and if the band is also too small, the rate of all past "
        "renewals. Each upcoming renewal gets the rate of its **band today** and its segment. "
        "Forecast = ARR due × likelihood."
    )


def likelihood_table(likelihood: pd.DataFrame) -> None:
    """Every band × segment with its likelihood and the counts it came from."""
    frame = pd.DataFrame({
        "band": likelihood["band"].map(band_label),
        "segment": likelihood["segment"],
        "likelihood": [formats.percent(v) for v in likelihood["likelihood"]],
        "basis": [BASIS_TEXT.get(b, b) for b in likelihood["basis"]],
        "computed_from": [f"{int(r):,d} of {int(n):,d} renewed" for r, n in zip(
            likelihood["basis_renewed"], likelihood["basis_renewals"], strict=True)],
        "cell": [f"{int(r):,d} of {int(n):,d}" for r, n in zip(
            likelihood["renewed"], likelihood["renewals"], strict=True)],
    })
    st.dataframe(frame, hide_index=True, key="renewals_likelihood_table",
                 height=table_height(len(frame), limit=420),
                 column_config={
                     "band": "Health band", "segment": "Segment",
                     "likelihood": "Likelihood",
                     "basis": st.column_config.TextColumn("Basis", width="large"),
                     "computed_from": "Computed from",
                     "cell": st.column_config.TextColumn(
                         "This band + segment", help="Past renewals of this cell itself."),
                 })


KPI_LABELS: dict[str, str] = {
    "quarter": "Quarter",
    "renewals_due": "Due",
    "arr_due": "ARR due",
    "gross_renewal_rate": "Gross rate",
    "net_renewal_rate": "Net rate",
    "logo_renewal_rate": "Logo rate",
    "final_renewal_rate": "Final rate",
    "in_quarter_renewal_rate": "In-quarter rate",
    "renewed_before_expiration_share": "Before expiry",
    "avg_contact_days_in_advance": "Lead (days)",
    "count_renewal": "Renewed",
    "count_upsell": "Upsell",
    "count_downsell": "Downsell",
    "count_churn": "Churned",
}
RATE_COLUMNS = ("gross_renewal_rate", "net_renewal_rate", "logo_renewal_rate",
                "final_renewal_rate", "in_quarter_renewal_rate",
                "renewed_before_expiration_share")


def kpi_frame(kpis: pd.DataFrame) -> pd.DataFrame:
    """The KPI table as shown: newest quarter first, rates as text percents."""
    frame = kpis.iloc[::-1].reset_index(drop=True)
    shown = pd.DataFrame({
        "quarter": [period_label(q, "quarter") + ("" if done else " (partial)")
                    for q, done in zip(frame["quarter"], frame["complete"], strict=True)],
        "renewals_due": frame["renewals_due"],
        "arr_due": frame["arr_due"].astype(float),
        **{c: [formats.percent(v) for v in frame[c]] for c in RATE_COLUMNS},
        "avg_contact_days_in_advance": [
            formats.NOT_AVAILABLE if formats.is_missing(v) else f"{float(v):.0f}"
            for v in frame["avg_contact_days_in_advance"]],
        **{c: frame[c] for c in ("count_renewal", "count_upsell", "count_downsell",
                                 "count_churn")},
    })
    return shown


def kpi_table(kpis: pd.DataFrame, currency: str) -> None:
    """Renewal KPIs per quarter (METRICS.md, Renewals)."""
    config: dict[str, object] = {  # small columns: the whole table fits a 1600 px window
        c: st.column_config.Column(KPI_LABELS[c], width="small") for c in KPI_LABELS
    }
    config["quarter"] = KPI_LABELS["quarter"]
    config["renewals_due"] = st.column_config.Column(
        "Due", width="small", help="Renewals due in the quarter (accounts).")
    config["arr_due"] = st.column_config.NumberColumn(  # whole units: the table fits 1600 px
        "ARR due", format=formats.money_column_format(currency).replace(".2f", ".0f"))
    config["renewed_before_expiration_share"] = st.column_config.TextColumn(
        "Before expiry", help="Share of the renewals renewed on or before their due date.")
    config["final_renewal_rate"] = st.column_config.TextColumn(
        "Final rate", help="Share of the ARR due renewed at any time up to as-of.")
    config["in_quarter_renewal_rate"] = st.column_config.TextColumn(
        "In-quarter rate", help="Share of the ARR due renewed by the quarter's last day.")
    config["avg_contact_days_in_advance"] = st.column_config.TextColumn(
        "Lead (days)", width="small",
        help="Days between the first logged touch and the renewal date (touched renewals).")
    st.dataframe(kpi_frame(kpis), hide_index=True, key="renewals_kpi_table",
                 column_config=config, height=table_height(len(kpis), limit=420))


def kpi_csv(kpis: pd.DataFrame) -> bytes:
    """The KPI columns of ``python cli.py report renewal-kpis`` (quarters as ``2026-Q2``)."""
    frame = kpis.copy()
    frame["quarter"] = [period_label(q, "quarter").replace(" Q", "-Q") for q in frame["quarter"]]
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(6)
    return to_safe_csv(frame)


# --- queue ------------------------------------------------------------------------------------


def window_settings(
    db: data.Database, stored: RenewalSettings, *, key: str
) -> RenewalSettings | None:
    """Two number inputs for the queue window; the validated settings, or None (message shown).

    Changes apply to this session only; a "Save as default" button stores them.
    """
    first, last, save = st.columns([1, 1, 2], vertical_alignment="bottom")
    start = first.number_input(
        "Window from (days ahead)", min_value=0, max_value=3650, step=1,
        value=stored.window_start_days, key=f"{key}_start",
        help="The queue holds next renewals at least this many days after the as-of date. "
        "Also the contact deadline: contact by = renewal date − this.")
    end = last.number_input(
        "Window to (days ahead)", min_value=0, max_value=3650, step=1,
        value=stored.window_end_days, key=f"{key}_end",
        help="… and at most this many days after the as-of date (both ends included).")
    try:
        chosen = RenewalSettings(**{**stored.model_dump(), "window_start_days": int(start),
                                    "window_end_days": int(end)})
    except ValidationError:
        st.warning(
            f"**The window is not valid:** it ends on day {int(end)}, before it starts on day "
            f"{int(start)}. Make \"Window to\" at least \"Window from\".", icon="⚠️")
        return None
    changed = chosen != stored
    if save.button("Save as default window", key=f"{key}_save", disabled=not changed,
                   help="Store this window for everyone (the CLI reports use it too)."):
        st.session_state[FLASH_KEY] = (f"Default window saved: {chosen.window_start_days}–"
                                       f"{chosen.window_end_days} days.")
        data.save_renewal_settings(db, chosen)
    return chosen


def narrow_queue(
    frame: pd.DataFrame,
    *,
    segments: list[str] | tuple[str, ...] = (),
    bands: list[str] | tuple[str, ...] = (),
    statuses: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Queue rows of the chosen segments, bands ('no data' = no score) and statuses."""
    keep = pd.Series(True, index=frame.index)
    if segments:
        keep &= frame["segment"].isin(segments)
    if bands:
        band = frame["band"].astype(object).where(frame["band"].notna(), formats.NO_DATA)
        keep &= band.isin(bands)
    if statuses:
        keep &= frame["status"].isin(statuses)
    return frame.loc[keep].reset_index(drop=True)


def _last_change(row: pd.Series) -> str:
    changed_by = row.get("changed_by")
    if pd.isna(row.get("changed_at")) or not isinstance(changed_by, str) or not changed_by:
        return ""
    text = f"{row['changed_by']}, {pd.Timestamp(row['changed_at']):%Y-%m-%d %H:%M} UTC"
    previous = row.get("previous_changed_by")
    if isinstance(previous, str) and previous:
        text += f" (replaced {previous}'s change)"
    return text


def queue_frame(queue: pd.DataFrame) -> pd.DataFrame:
    """The queue's display columns (raw values; the table formats them)."""
    return pd.DataFrame({
        "name": queue["name"],
        "link": queue["account_id"].map(account_url),
        "csm_owner": queue["csm_owner"],
        "renewal_date": [formats.day(d) for d in queue["renewal_date"]],
        "days_to_renewal": queue["days_to_renewal"],
        "contact_by": [formats.day(d) for d in queue["contact_by"]],
        "overdue": ["overdue" if o else "" for o in queue["overdue"]],
        "arr": queue["arr"].astype(float),
        "arr_at_risk": queue["arr_at_risk"].astype(float),
        "likelihood": [formats.percent(v, decimals=0) for v in queue["likelihood"]],
        "health_score": [formats.score(v) for v in queue["health_score"]],
        "health_change": [formats.score_change(v) for v in queue["health_change"]],
        "band": [band_label(b) if isinstance(b, str) else formats.NO_DATA
                 for b in queue["band"]],
        "open_moments": [f"{n} · {t}" if n else "0" for n, t in zip(
            queue["open_moments"], queue["open_moment_types"], strict=True)],
        "last_touch": [formats.day(d) for d in queue["last_touch"]],
        "status": queue["status"],
        "next_step": queue["next_step"].fillna(""),
        "note": queue["note"].fillna(""),
        "last_change": [_last_change(row) for _, row in queue.iterrows()],
    }).reset_index(drop=True)


def queue_table(queue: pd.DataFrame, currency: str, *, key: str) -> None:
    """The queue: who, when, how much, how healthy, what was done; a row click opens
    Account 360."""
    money = formats.money_column_format(currency)
    config: dict[str, object] = {
        "name": st.column_config.TextColumn("Account", pinned=True, width=170),
        "link": link_column(),
        "csm_owner": "CSM owner",
        "renewal_date": "Renewal date",
        "days_to_renewal": st.column_config.NumberColumn(
            "Days", width=60, help="Days from the as-of date to the renewal date."),
        "contact_by": st.column_config.TextColumn(
            "Contact by", help="Renewal date − the window start: the last day to reach out."),
        "overdue": st.column_config.TextColumn(
            "Overdue", width=70, help="Contact-by date passed and no touch logged."),
        "arr": st.column_config.NumberColumn("ARR", format=money),
        "arr_at_risk": st.column_config.NumberColumn(
            "ARR at risk", format=money, help="ARR × (1 − likelihood); the queue's order."),
        "likelihood": st.column_config.TextColumn("Likelihood", width=70),
        "health_score": st.column_config.TextColumn(
            "Health", width=64, help=f"Health score on the as-of date ({HIGHER_IS_HEALTHIER})."),
        "health_change": st.column_config.TextColumn(
            "Trend", width=70, help="Score points since last month end."),
        "band": st.column_config.TextColumn("Band", width=64),
        "open_moments": st.column_config.TextColumn(
            "Open moments", help="Revenue moments open on the as-of date (renewal window "
            "left out: every queued account has it)."),
        "last_touch": st.column_config.TextColumn(
            "Last touch", help="Latest logged change with a status other than not contacted."),
        "status": "Status",
        "next_step": st.column_config.TextColumn("Next step", width="medium"),
        "note": st.column_config.TextColumn("Note", width="medium"),
        "last_change": st.column_config.TextColumn("Last changed by", width="medium"),
    }
    frame = queue_frame(queue)
    account_table(frame, queue["account_id"].reset_index(drop=True), key=key,
                  column_config=config, column_order=list(QUEUE_ORDER),
                  height=table_height(len(frame)))


QUEUE_ORDER = (
    "name", "link", "csm_owner", "renewal_date", "days_to_renewal", "contact_by", "arr",
    "arr_at_risk", "status", "last_touch", "next_step", "note", "health_score", "health_change",
    "band", "likelihood", "open_moments", "overdue", "last_change",
)
"""Left to right: who, when, how much, what was done, then health and the evidence: the work
state stays on screen at 1600 px without scrolling sideways."""


def queue_csv(queue: pd.DataFrame) -> bytes:
    """The queue columns of ``python cli.py report queue`` plus the latest note and writer."""
    frame = queue.copy()
    for column in ("arr", "arr_at_risk"):
        frame[column] = frame[column].astype(float).round(2)
    frame["likelihood"] = frame["likelihood"].astype(float).round(6)
    frame["health_score"] = frame["health_score"].map(formats.floor_score)
    frame["health_change"] = frame["health_change"].astype(float).round(1)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S")
    return to_safe_csv(frame)


def download(name: str, payload: bytes, *, key: str, as_of: date, help: str) -> None:
    """A "Download CSV" button for a payload made by :func:`store.export.to_safe_csv`."""
    st.download_button("Download CSV", data=payload, file_name=f"{name}_{as_of.isoformat()}.csv",
                       mime="text/csv", key=key, icon=":material/download:", help=help,
                       on_click="ignore")


# --- work form --------------------------------------------------------------------------------


def show_saved_toast() -> None:
    """The confirmation of the save made in the callback before this rerun, once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.toast(message, icon="✅")


def _choice_label(row: pd.Series) -> str:
    return (f"{row['name']} ({row['account_id']}) · renews {formats.day(row['renewal_date'])}"
            f" · {row['status']}")


def work_form(db: data.Database, rows: pd.DataFrame, *, changed_by: str | None,
              key: str) -> str | None:
    """Pick a renewal from ``rows`` (queue and overdue), set status, note and next step, Save.

    Returns the picked account id (None when ``rows`` is empty).
    """
    if rows.empty:
        st.info("Nothing to work on: the queue and the overdue list are empty for these "
                "filters.", icon="ℹ️")
        return None
    rows = rows.reset_index(drop=True)
    labels = [_choice_label(row) for _, row in rows.iterrows()]
    position = st.selectbox("Renewal", options=range(len(rows)), format_func=labels.__getitem__,
                            key=f"{key}_account",
                            help="The queue and the overdue list, in their order.")
    row = rows.iloc[position]
    account_id, renewal_date = str(row["account_id"]), row["renewal_date"]
    suffix = f"{account_id}_{renewal_date}"
    status_key, note_key, step_key = (f"{key}_status_{suffix}", f"{key}_note_{suffix}",
                                      f"{key}_next_step_{suffix}")
    current = str(row["status"])
    left, right = st.columns([1, 2])
    left.selectbox("Status", options=STATUSES, index=STATUSES.index(current)
                   if current in STATUSES else 0, key=status_key)
    right.text_input("Next step", value=str(row["next_step"] or ""), key=step_key,
                     max_chars=1000)
    st.text_area("Note", key=note_key, max_chars=NOTE_MAX_CHARS, height=90,
                 placeholder="What happened, what the customer said")
    last = _last_change(row)
    if last:
        st.caption(f"Last changed by {last}. Current note: {row['note'] or '–'}")
    st.button("Save", key=f"{key}_save", type="primary", on_click=_save,
              args=(db, account_id, renewal_date, changed_by, status_key, note_key, step_key,
                    str(row["name"])))
    problem = st.session_state.pop(f"{FLASH_KEY}.error", None)
    if problem:
        st.error(problem, icon="⚠️")
    return account_id


def _save(db: data.Database, account_id: str, renewal_date: date, changed_by: str | None,
          status_key: str, note_key: str, step_key: str, name: str) -> None:
    if not changed_by or not changed_by.strip():
        st.session_state[f"{FLASH_KEY}.error"] = (
            "**Work not saved: who is working?** Choose your name under **My book → I am "
            "(CSM)** in the sidebar, or type it in **Working as** above, then save again.")
        return
    status = st.session_state[status_key]
    try:
        data.save_work(db, account_id=account_id, renewal_date=renewal_date, status=status,
                       note=st.session_state.get(note_key, ""),
                       next_step=st.session_state.get(step_key, ""),
                       changed_by=changed_by.strip())
    except ValueError as exc:
        st.session_state[f"{FLASH_KEY}.error"] = str(exc)
        return
    st.session_state[note_key] = ""
    st.session_state[FLASH_KEY] = f"Saved: {name} is now “{status}”."


def history_table(history: pd.DataFrame) -> None:
    """One account's work changes, newest first."""
    if history.empty:
        st.caption("No work logged for this account yet.")
        return
    frame = pd.DataFrame({
        "changed_at": [f"{pd.Timestamp(t):%Y-%m-%d %H:%M:%S}" for t in history["changed_at"]],
        "changed_by": history["changed_by"],
        "renewal_date": [formats.day(d) for d in history["renewal_date"]],
        "status": history["status"],
        "note": history["note"],
        "next_step": history["next_step"],
    })
    st.dataframe(frame, hide_index=True, key="renewal_queue_history_table",
                 height=table_height(len(frame), limit=320),
                 column_config={
                     "changed_at": "Changed at (UTC)", "changed_by": "By",
                     "renewal_date": "Renewal date", "status": "Status",
                     "note": st.column_config.TextColumn("Note", width="large"),
                     "next_step": "Next step",
                 })


def work_rows(queue: pd.DataFrame, overdue: pd.DataFrame) -> pd.DataFrame:
    """The renewals the work form offers: the queue, then the overdue list."""
    return pd.concat([queue, overdue], ignore_index=True)
