"""Import page pieces: uploads on disk, recognition, mapping editor, problems, preview, confirm.

Everything after the upload takes file paths, so AppTest (which cannot drive
``st.file_uploader``) tests it directly and through the page's test hook
(:data:`TEST_FILES_KEY` in session state). The data layer does the work:
``store.import_recognise`` recognises and suggests, ``store.import_preview`` runs the import
and rolls it back, ``store.importer.import_files`` loads in one transaction with
``metrics.snapshots.refresh_derived`` as ``on_loaded``, which bumps the data version so every
page recomputes.

Previews are kept in session state keyed on the files' bytes, the choices and the data
version: a rerun that changes nothing (a click elsewhere) does not stage the files again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from metrics.snapshots import refresh_derived
from store.export import to_safe_csv
from store.import_limits import upload_limit_mb, upload_problem
from store.import_lock import ImportInProgressError, recover_interrupted
from store.import_preview import ImportPreview, preview_import
from store.import_problems import ImportValidationError, Problem, problem_count
from store.import_profiles import save_profile
from store.import_recognise import Recognition, import_targets, recognise_file
from store.import_targets import MODES, NEW_ACCOUNTS, TARGETS_BY_NAME, Mode, default_mode
from store.importer import ImportFile, ImportResult, import_files
from store.mapping import DATE_FORMATS, Mapping, ValueRules, recipe_for
from ui import data, formats, routes

TEST_FILES_KEY = "import_test_files"
"""Session-state hook: a list of file paths the page uses when nothing was uploaded (tests)."""
SHOWN_PROBLEMS = 100
NOT_IN_FILE = "— not in the file —"
HOW_LABELS = {
    "canonical": "canonical table",
    "preset": "vendor preset",
    "profile": "saved profile",
    "unknown": "needs mapping",
    "mapping": "your mapping",
}
PROBLEM_COLUMNS = ["file", "line", "column", "value", "rule", "message"]
_UPLOAD_DIR_KEY = "import_upload_dir"
UPLOAD_PREFIX = "csd-upload-"
"""Name prefix of the temporary upload folders (the import's own work folders use csd-import-)."""
STALE_UPLOAD_HOURS = 24.0
_PREVIEW_KEY = "import_preview_cache"
RESULT_KEY = "import_result"
_RECOVERED_KEY = "import_recovered"


class UploadedLike(Protocol):
    """What the page needs from an ``UploadedFile``."""

    name: str
    file_id: str

    def getvalue(self) -> bytes: ...


def page_link(page: str, route: str, label: str, *, icon: str) -> None:
    """``st.page_link`` inside the app; a plain link when the page runs on its own (AppTest
    runs single pages, where the navigation's pages are unknown)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"[{label}](./{route})")


# --- imports that never finished -----------------------------------------------------------------


def recover_interrupted_imports(db: data.Database) -> int:
    """Mark imports killed earlier (log rows still 'started') as 'interrupted'; returns how
    many this session has marked so far.

    :func:`store.import_lock.recover_interrupted` takes the import lock without waiting: while
    another import runs (its row is rightly 'started') it does nothing and returns at once.
    """
    with data.cursor(db.key) as cur:
        marked = recover_interrupted(cur)
    total = int(st.session_state.get(_RECOVERED_KEY, 0)) + marked
    st.session_state[_RECOVERED_KEY] = total
    return total


def show_recovered(count: int) -> None:
    """Say that earlier imports did not finish and nothing from them was saved."""
    if count:
        noun, it = ("import", "it") if count == 1 else ("imports", "them")
        st.warning(
            f"**{count:,} earlier {noun} did not finish** (the program was closed or killed); "
            f"nothing from {it} was saved. The import log on the Data page marks {it} "
            "'interrupted'. Import the files again.",
            icon=":material/history:",
        )


# --- files ------------------------------------------------------------------------------------


def save_uploads(uploads: Sequence[UploadedLike], folder: Path) -> list[Path]:
    """Write uploads under ``folder`` with their original names (one subfolder per upload, so
    two files with the same name do not collide); files no longer uploaded are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    keep = {hashlib.sha256(u.file_id.encode()).hexdigest()[:16] for u in uploads}
    for old in folder.iterdir():
        if old.is_dir() and old.name not in keep:
            for f in old.iterdir():
                f.unlink(missing_ok=True)
            old.rmdir()
    paths = []
    for upload in uploads:
        sub = folder / hashlib.sha256(upload.file_id.encode()).hexdigest()[:16]
        sub.mkdir(exist_ok=True)
        target = sub / Path(upload.name).name
        if not target.exists():
            target.write_bytes(upload.getvalue())
        paths.append(target)
    return paths


class UploadFolder:
    """A session's private temporary folder for its uploads.

    Removed by :meth:`remove` (the import ended, the uploads were removed), and otherwise when
    the object is collected: Streamlit drops a session's state when the session ends, so an
    abandoned upload goes with it (and at the latest when the server exits).
    """

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path),
                                           ignore_errors=True)  # fmt: skip

    def touch(self) -> None:
        """Mark the folder as in use (see :func:`remove_stale_uploads`)."""
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def remove(self) -> None:
        """Delete the folder and everything in it (once; later calls do nothing)."""
        self._finalizer()


def remove_stale_uploads(root: Path | None = None, *, hours: float = STALE_UPLOAD_HOURS) -> int:
    """Delete upload folders unused for ``hours`` (left behind by a server that was killed);
    returns how many. A live session whose folder went this way writes its uploads again on
    its next rerun."""
    cutoff = time.time() - hours * 3600
    removed = 0
    for folder in Path(root or tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
    return removed


def session_files(uploads: Sequence[UploadedLike] | None) -> list[Path]:
    """The files this session imports: the uploads written to a private temporary folder, or
    (tests) the paths in ``st.session_state[TEST_FILES_KEY]``. Without uploads the folder is
    removed."""
    if uploads:
        folder = st.session_state.get(_UPLOAD_DIR_KEY)
        if not isinstance(folder, UploadFolder) or not folder.path.is_dir():
            discard_uploads()
            remove_stale_uploads()
            folder = UploadFolder()
            st.session_state[_UPLOAD_DIR_KEY] = folder
        folder.touch()
        return save_uploads(uploads, folder.path)
    discard_uploads()
    return [Path(p) for p in st.session_state.get(TEST_FILES_KEY, [])]


def discard_uploads() -> None:
    """Remove this session's upload folder (the uploader still holds the files: a later rerun
    that needs them writes them again)."""
    folder = st.session_state.pop(_UPLOAD_DIR_KEY, None)
    if isinstance(folder, UploadFolder):
        folder.remove()


def oversized(paths: Sequence[Path]) -> list[Problem]:
    """A problem for every file over the upload limit (message names the limit and the CLI)."""
    found = (upload_problem(p.name, p.stat().st_size) for p in paths)
    return [p for p in found if p is not None]


def upload_hint(db: data.Database) -> str:
    """Under the uploader: the limit and the command-line alternative."""
    return (
        f"CSV, Excel (.xlsx) or Parquet, up to {upload_limit_mb():,} MB per file. Larger files: "
        f"`python cli.py import --db {data.display_path(db)} FILE…` (no size limit)."
    )


# --- recognition and mapping --------------------------------------------------------------------


def recognise(db: data.Database, path: Path, target: str | None = None) -> Recognition:
    """What ``path`` is taken to be (or the suggestion for ``target``)."""
    with data.cursor(db.key) as cur:
        return recognise_file(cur, path, name=path.name, target=target)


def recognition_label(rec: Recognition) -> str:
    """``Subscriptions (canonical table)`` or ``needs mapping``."""
    if rec.how == "unknown" or rec.title is None:
        return "needs mapping"
    return f"{rec.title} ({HOW_LABELS[rec.how]})"


def files_table(recognitions: Sequence[Recognition], preview: ImportPreview | None) -> pd.DataFrame:
    """One row per file: file, format, recognised as, dialect, rows (from the preview).

    Columns: file, format, recognised_as, dialect, rows (None before a preview could read it).
    """
    reports = {r.name: r for r in (preview.files if preview else ())}
    rows = []
    for rec in recognitions:
        report = reports.get(rec.name)
        dialect = report.dialect if report else _dialect_text(rec)
        rows.append({
            "file": rec.name,
            "format": (rec.kind or "unreadable").upper() if rec.kind != "xlsx" else "Excel",
            "recognised_as": recognition_label(rec),
            "dialect": dialect,
            "rows": report.rows if report else None,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["file", "format", "recognised_as", "dialect", "rows"])


def _dialect_text(rec: Recognition) -> str:
    if rec.dialect is None:
        return "" if rec.kind else "cannot be read"
    d = rec.dialect
    delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        d.delimiter or ",", repr(d.delimiter)
    )
    encoding = (d.encoding or "utf-8").upper()
    return f"{encoding}, {delimiter}-separated, header on line {d.header_line}"


def show_files_table(frame: pd.DataFrame) -> None:
    """The recognition summary."""
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "file": "File",
            "format": "Format",
            "recognised_as": st.column_config.TextColumn("Recognised as", width="large"),
            "dialect": st.column_config.TextColumn("Dialect and encoding", width="large"),
            "rows": st.column_config.NumberColumn("Rows", format="localized"),
        },
    )


def _file_key(index: int, path: Path) -> str:
    return f"import_f{index}_" + hashlib.sha256(path.name.encode()).hexdigest()[:8]


def mapping_editor(db: data.Database, path: Path, index: int) -> tuple[Recognition, ImportFile]:
    """One file's expander: target, column matches, value rules, profile; returns what to
    import (the layer's own detection when the user changed nothing)."""
    key = _file_key(index, path)
    detected = recognise(db, path)
    targets = {t.name: t for t in import_targets()}
    names = list(targets)
    with st.expander(f"**{path.name}** — {recognition_label(detected)}",
                     expanded=detected.how == "unknown"):  # fmt: skip
        for note in detected.notes:
            st.caption(note)
        profile = None
        if detected.profiles:
            options = ["(none)", *detected.profiles]
            start = 1 if detected.how == "profile" else 0
            picked = st.selectbox("Saved profile for this header", options, index=start,
                                  key=f"{key}_profile")  # fmt: skip
            profile = None if picked == "(none)" else picked
        if profile is not None:
            return detected, ImportFile(path, name=path.name, profile=profile)
        default = names.index(detected.target) if detected.target in targets else None
        target = st.selectbox(
            "This file holds", names, index=default, key=f"{key}_target",
            format_func=lambda n: f"{targets[n].title} ({targets[n].kind})",
            placeholder="Choose a table or vendor format",
        )
        if target is None:
            st.info("Choose what this file holds to map its columns.", icon="ℹ️")
            return detected, ImportFile(path, name=path.name)
        rec = detected if target == detected.target else recognise(db, path, target)
        mapping = _columns_and_rules(rec, f"{key}_{target}")
        _profile_form(db, rec, mapping, key)
    if rec.how in ("canonical", "preset") and rec.mapping == mapping:
        return rec, ImportFile(path, name=path.name)
    return rec, ImportFile(path, name=path.name, mapping=mapping)


def _columns_and_rules(rec: Recognition, key: str) -> Mapping:
    suggested = rec.mapping or Mapping(target=rec.target or "")
    st.markdown("**Columns** — source column for each field (★ required)")
    choices = [NOT_IN_FILE, *rec.header]
    columns: dict[str, str | None] = {}
    left, right = st.columns(2)
    for number, match in enumerate(rec.matches):
        box = left if number % 2 == 0 else right
        current = suggested.columns.get(match.field)
        picked = box.selectbox(
            f"{match.label}{' ★' if match.required else ''}",
            choices,
            index=choices.index(current) if current in choices else 0,
            key=f"{key}_col_{match.field}",
            help=f"{match.kind}; matched by {match.how}",
        )
        columns[match.field] = None if picked == NOT_IN_FILE else picked
    st.markdown("**Value rules**")
    rules = suggested.rules
    a, b, c, d = st.columns(4)
    unit = a.selectbox("Amounts are in", ["units", "cents"],
                       index=1 if rules.amount_unit == "cents" else 0, key=f"{key}_unit")
    formats_ = ["(as detected)", *DATE_FORMATS]
    date_format = b.selectbox(
        "Date format", formats_, key=f"{key}_date",
        index=formats_.index(rules.date_format) if rules.date_format in formats_ else 0,
        help="DD/MM/YYYY is day-first, MM/DD/YYYY month-first.",
    )
    decimal = c.selectbox("Decimal separator", [".", ","],
                          index=1 if rules.decimal == "," else 0, key=f"{key}_decimal")
    currency = d.text_input("Currency when the file has none", value=rules.currency or "",
                            max_chars=3, key=f"{key}_currency", placeholder="e.g. USD")
    e, f, g = st.columns([2, 2, 1])
    true_text = e.text_input("True values", value=", ".join(rules.true_values or ()),
                             key=f"{key}_true", placeholder="e.g. Yes, Y")
    false_text = f.text_input("False values", value=", ".join(rules.false_values or ()),
                              key=f"{key}_false", placeholder="e.g. No, N")
    symbols = g.checkbox("Currency symbols", value=bool(rules.currency_symbols),
                         key=f"{key}_symbols", help="Accept $, €, £ and codes around amounts.")
    # A widget left on its neutral choice keeps the suggestion (often "not set").
    new_rules = rules.model_copy(update={
        "amount_unit": "cents" if unit == "cents" else (rules.amount_unit and "units"),
        "date_format": None if date_format == "(as detected)" else date_format,
        "decimal": "," if decimal == "," else (rules.decimal and "."),
        "currency": currency.strip().upper() or None,
        "true_values": _tokens(true_text),
        "false_values": _tokens(false_text),
        "currency_symbols": True if symbols else (rules.currency_symbols and False),
    })  # fmt: skip
    column_rules = dict(suggested.column_rules)
    if new_rules.date_format is not None and new_rules.date_format != rules.date_format:
        # A file-wide choice replaces the per-column guesses.
        column_rules = {k: v.model_copy(update={"date_format": None}) for k, v in
                        column_rules.items()}  # fmt: skip
        column_rules = {k: v for k, v in column_rules.items() if not v.is_plain()}
    try:
        ValueRules.model_validate(new_rules.model_dump())
    except ValueError:
        st.warning("Currency must be a three-letter code such as USD; it is left out.", icon="⚠️")
        new_rules = new_rules.model_copy(update={"currency": None})
    return suggested.model_copy(update={"columns": columns, "rules": new_rules,
                                        "column_rules": column_rules})  # fmt: skip


def _tokens(text: str) -> tuple[str, ...] | None:
    found = tuple(t.strip() for t in text.split(",") if t.strip())
    return found or None


def _profile_form(db: data.Database, rec: Recognition, mapping: Mapping, key: str) -> None:
    name_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    name = name_col.text_input("Save this mapping as a profile", key=f"{key}_profile_name",
                               placeholder="e.g. Our Stripe export")  # fmt: skip
    if button_col.button("Save profile", key=f"{key}_profile_save", disabled=not name.strip()):
        with data.cursor(db.key) as cur:
            save_profile(cur, name, mapping, rec.header)
        st.success(f"Saved profile **{name.strip()}**; it is offered when this header "
                   "arrives again.", icon=":material/check_circle:")  # fmt: skip


def tables_written(recognitions: Sequence[Recognition], files: Sequence[ImportFile]) -> list[str]:
    """Tables whose mode the user can choose, in write order."""
    names: set[str] = set()
    for rec, spec in zip(recognitions, files, strict=True):
        target = spec.mapping.target if spec.mapping else rec.target
        if spec.profile is not None and rec.mapping is not None:
            target = rec.mapping.target
        if target is None:
            continue
        names.update(o.table.name for o in recipe_for(target).outputs)
    names -= {NEW_ACCOUNTS.name, "account_attributes"}
    return [n for n in TARGETS_BY_NAME if n in names]


def mode_choices(tables: Sequence[str]) -> dict[str, Mode]:
    """A replace / upsert / append choice per table (upsert only for keyed tables)."""
    if not tables:
        return {}
    modes: dict[str, Mode] = {}
    boxes = st.columns(4)
    for number, name in enumerate(tables):
        target = TARGETS_BY_NAME[name]
        options = [m for m in MODES if target.key or m != "upsert"]
        default = default_mode(target)
        modes[name] = boxes[number % len(boxes)].selectbox(
            f"`{name}`", options, index=options.index(default), key=f"import_mode_{name}",
            help="replace: the file becomes the whole table; upsert: rows with the same key "
            "are updated, others added; append: rows are added (re-imports are detected).",
        )
    return modes


# --- preview and problems -----------------------------------------------------------------------


def _signature(db: data.Database, files: Sequence[ImportFile], modes: dict[str, Mode]) -> str:
    parts: list[Any] = [db.key, db.version, modes]
    for spec in files:
        path = Path(spec.path)
        parts.append([spec.name, hashlib.sha256(path.read_bytes()).hexdigest(),
                      spec.mapping.model_dump_json() if spec.mapping else None, spec.profile])
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def preview(
    db: data.Database, files: Sequence[ImportFile], modes: dict[str, Mode]
) -> ImportPreview:
    """What importing ``files`` would change (nothing is written), reusing this session's last
    preview when neither the files, the choices nor the data changed."""
    signature = _signature(db, files, modes)
    cached = st.session_state.get(_PREVIEW_KEY)
    if cached is not None and cached[0] == signature:
        return cached[1]
    with data.cursor(db.key) as cur:
        found = preview_import(cur, list(files), modes=modes or None, on_loaded=refresh_derived)
    st.session_state[_PREVIEW_KEY] = (signature, found)
    return found


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """Problems as a table: file, line, column, value, rule, message (the cap note left out)."""
    rows = [{c: getattr(p, c) for c in PROBLEM_COLUMNS} for p in problems
            if p.rule != "too_many_problems"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    frame["line"] = frame["line"].astype("Int64")
    return frame


def show_problems(problems: Sequence[Problem], *, key: str) -> None:
    """The first 100 problems, the total, and every listed problem as a safe CSV download."""
    total = problem_count(list(problems))
    frame = problems_frame(problems)
    noun = "problem" if total == 1 else "problems"
    head, button = st.columns([4, 1], vertical_alignment="bottom")
    shown = min(len(frame), SHOWN_PROBLEMS)
    head.error(
        f"**{total:,} {noun} found** — fix the file and upload it again; nothing can be "
        f"imported until there are none."
        + (f" The first {shown:,} are shown." if total > shown else ""),
        icon="⚠️",
    )
    button.download_button(
        "Download all problems (CSV)", data=to_safe_csv(frame), file_name="import_problems.csv",
        mime="text/csv", key=key, icon=":material/download:", on_click="ignore",
    )
    st.dataframe(
        frame.head(SHOWN_PROBLEMS),
        hide_index=True,
        column_config={
            "file": "File",
            "line": st.column_config.NumberColumn("Line", format="%d"),
            "column": "Column",
            "value": "Value",
            "rule": "Rule",
            "message": st.column_config.TextColumn("Message", width="large"),
        },
    )
    extra = [p.message for p in problems if p.rule == "too_many_problems"]
    if extra:
        st.caption(extra[0])


def mrr_changes(preview_: ImportPreview) -> pd.DataFrame:
    """Months whose MRR the import changes: month, mrr_before, mrr_after, change."""
    frame = preview_.mrr
    return frame[frame["change"].abs() > 0.005].reset_index(drop=True)


def show_preview(preview_: ImportPreview, currency: str) -> None:
    """Rows per table, accounts new / changed / unchanged / removed, MRR change by month."""
    counts = pd.DataFrame(
        [{"table": t, "rows_written": preview_.row_counts.get(t, 0), "rows_before": before,
          "rows_after": after} for t, (before, after) in preview_.table_rows.items()],
        columns=["table", "rows_written", "rows_before", "rows_after"],
    )  # fmt: skip
    accounts = preview_.accounts
    new, changed, unchanged, removed = st.columns(4)
    new.metric("New accounts", formats.count(accounts.new), border=True,
               help=_ids(accounts.new_ids, accounts.new))
    changed.metric("Changed accounts", formats.count(accounts.changed), border=True,
                   help=_ids(accounts.changed_ids, accounts.changed))
    unchanged.metric("Unchanged accounts", formats.count(accounts.unchanged), border=True,
                     help="Accounts the files name whose stored details stay as they are.")
    removed.metric("Removed accounts", formats.count(accounts.removed), border=True,
                   help=_ids(accounts.removed_ids, accounts.removed))
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Rows per table**")
        st.dataframe(counts, hide_index=True, column_config={
            "table": "Table",
            "rows_written": st.column_config.NumberColumn("Written", format="localized"),
            "rows_before": st.column_config.NumberColumn("Before", format="localized"),
            "rows_after": st.column_config.NumberColumn("After", format="localized"),
        })  # fmt: skip
    with right:
        changes = mrr_changes(preview_)
        st.markdown(f"**MRR this import adds or removes, by month** ({currency})")
        if changes.empty:
            st.caption("No change to MRR in any month.")
        else:
            chart = changes.assign(month=pd.to_datetime(changes["month"]))
            st.bar_chart(chart, x="month", y="change", height=220, x_label="",
                         y_label=f"MRR change ({currency})")  # fmt: skip
            last = changes.iloc[-1]
            st.caption(
                f"Latest month changed ({last['month']:%b %Y}): "
                f"{formats.money(last['mrr_before'], currency)} → "
                f"{formats.money(last['mrr_after'], currency)} "
                f"({formats.money(last['change'], currency, signed=True)})."
            )
    for note in preview_.notes:
        st.caption(note)


def _ids(ids: Sequence[str], total: int) -> str | None:
    if not ids:
        return None
    more = f" and {total - len(ids):,} more" if total > len(ids) else ""
    return ", ".join(ids) + more


# --- import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the confirm button did: a result, or the message and problems of a failure."""

    result: ImportResult | None = None
    error: str | None = None
    problems: tuple[Problem, ...] = ()


def run_import(
    db: data.Database,
    files: Sequence[ImportFile],
    modes: dict[str, Mode],
    progress: Callable[[float, str], None] | None = None,
) -> Outcome:
    """Import in one transaction; any failure leaves the database as it was. When it ends,
    the uploads' temporary copies are removed."""
    try:
        with data.cursor(db.key) as cur:
            result = import_files(cur, list(files), modes=modes or None, who="dashboard",
                                  on_loaded=refresh_derived, progress=progress)  # fmt: skip
    except ImportValidationError as exc:
        return Outcome(error="The files have problems.", problems=tuple(exc.problems))
    except ImportInProgressError as exc:
        return Outcome(error=f"Another import is running ({exc}). Try again when it finishes.")
    except (duckdb.Error, ValueError, OSError) as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}")
    finally:
        discard_uploads()
    st.session_state.pop(_PREVIEW_KEY, None)
    return Outcome(result=result)


def confirm_and_import(
    db: data.Database, files: Sequence[ImportFile], modes: dict[str, Mode], *, ok: bool
) -> Outcome | None:
    """The confirm button (disabled while there are problems) and its progress bar."""
    clicked = st.button("Confirm import", type="primary", disabled=not ok,
                        key="import_confirm", icon=":material/upload:")  # fmt: skip
    if not clicked:
        return None
    bar = st.progress(0.0, text="Starting the import…")

    def report(fraction: float, text: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=text)

    outcome = run_import(db, files, modes, report)
    bar.empty()
    return outcome


def show_outcome(outcome: Outcome) -> None:
    """Success with row counts, or the failure and that nothing was changed."""
    if outcome.result is not None:
        counts = ", ".join(f"{n:,} {t}" for t, n in outcome.result.row_counts.items())
        st.success(f"**Imported.** Rows written: {counts or 'none'}. Every page now shows the "
                   f"new data (data version {outcome.result.data_version:,}).",
                   icon=":material/check_circle:")  # fmt: skip
        page_link("pages/executive.py", routes.EXECUTIVE, "Open the Executive page",
                  icon=":material/monitoring:")  # fmt: skip
        return
    st.error(f"**Import failed; nothing was changed.** {outcome.error}", icon="⚠️")
    if outcome.problems:
        show_problems(outcome.problems, key="import_failed_problems_csv")
