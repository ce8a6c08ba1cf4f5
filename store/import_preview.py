"""What an import would change, computed by running it and rolling it back.

:func:`preview_import` takes the import lock, stages and checks the files exactly as
:func:`store.importer.import_files` does, and when there are no problems writes them and runs
``on_loaded`` (the derived MRR tables) inside a transaction that is always rolled back. DuckDB
isolates an uncommitted transaction, so other sessions never see the previewed data; nothing is
logged and the data version is unchanged.

The preview holds: every problem (capped like an import), what each file was recognised as,
rows written per table, rows per table before and after, new / changed / unchanged / removed
accounts, and MRR by month before and after (from ``mrr_snapshot``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from store.dialect import Dialect
from store.import_lock import import_lock
from store.import_plan import ExtraColumns
from store.import_problems import Problem, problem_count
from store.import_stage import stage_name, stored_sql, typed_col
from store.import_targets import ACCOUNT_ATTRIBUTES, NEW_ACCOUNTS, WRITE_ORDER, Mode
from store.importer import (
    FileReport,
    ImportFile,
    Session,
    as_specs,
    make_options,
    resolve_options,
    rollback,
)
from store.mapping import Mapping
from store.schema import ACCOUNTS
from store.sql import identifier, one_row

SHOWN_IDS = 50
"""Account ids listed per kind of change (the counts are exact)."""


@dataclass(frozen=True)
class AccountChanges:
    """Accounts the import adds, changes (any column or custom attribute), keeps or removes."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    new_ids: tuple[str, ...] = ()
    changed_ids: tuple[str, ...] = ()
    removed_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    """Everything the Import page shows before the user confirms."""

    problems: list[Problem]
    files: tuple[FileReport, ...] = ()
    row_counts: dict[str, int] = field(default_factory=dict)
    """Rows the import writes per table (as :attr:`ImportResult.row_counts`)."""
    table_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Rows per table touched: (before, after)."""
    accounts: AccountChanges = field(default_factory=AccountChanges)
    mrr: pd.DataFrame = field(default_factory=lambda: _empty_mrr())
    """Columns month (first day), mrr_before, mrr_after, change; reporting currency."""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No problems: the import would succeed."""
        return not self.problems

    @property
    def problem_count(self) -> int:
        """Problems found, including those beyond the listed cap."""
        return problem_count(self.problems)


def preview_import(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str | Path | ImportFile] | str | Path,
    *,
    table: str | None = None,
    preset: str | None = None,
    profile: str | None = None,
    mapping: Mapping | None = None,
    mode: Mode | None = None,
    modes: dict[str, Mode] | None = None,
    dialect: Dialect | None = None,
    extra_columns: ExtraColumns | None = None,
    as_of: date | None = None,
    on_loaded: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    wait: float = 0.0,
) -> ImportPreview:
    """What :func:`store.importer.import_files` with the same arguments would do.

    Pass ``on_loaded=metrics.snapshots.refresh_derived`` for the MRR change by month.

    Raises:
        ImportInProgressError: another import is running.
        ValueError: a bad choice (unknown table, preset, profile or mode).
    """
    options = make_options(table=table, preset=preset, profile=profile, mapping=mapping,
                           mode=mode, modes=modes, dialect=dialect, extra_columns=extra_columns,
                           as_of=as_of)  # fmt: skip
    specs = as_specs(files)
    options = resolve_options(con, options)
    with import_lock(con, files=[s.name or Path(s.path).name for s in specs], wait=wait):
        session = Session(con, specs, options, lambda _f, _t: None)
        con.execute("BEGIN TRANSACTION")
        try:
            problems = session.stage_and_check()
            notes = [n for r in session.reports for n in r.notes]
            if problems:
                return ImportPreview(problems, tuple(session.reports), notes=tuple(notes))
            touched = _touched(session)
            before = _row_counts(con, touched)
            accounts = _account_changes(con, session)
            mrr_before = _mrr(con)
            counts = session.write(lambda _f, _t: None)
            session.finish_meta()
            if on_loaded is not None:
                on_loaded(con)
            else:
                notes.append("MRR by month is shown once derived tables are rebuilt (on_loaded).")
            after = _row_counts(con, touched)
            mrr = _mrr_change(mrr_before, _mrr(con)) if on_loaded else _empty_mrr()
            tables = {t: (before[t], after[t]) for t in touched}
            return ImportPreview([], tuple(session.reports), counts, tables, accounts, mrr,
                                 tuple(notes))  # fmt: skip
        finally:
            rollback(con)
            session.close()


def _touched(session: Session) -> list[str]:
    names = {"accounts" if t == NEW_ACCOUNTS.name else t for t in session.staged}
    if "usage_events" in names:
        names.add("usage_daily")
    order = [t.name for t in WRITE_ORDER] + ["usage_daily"]
    return [n for n in dict.fromkeys(order) if n in names]


def _row_counts(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    return {
        t: one_row(con.execute("SELECT count(*) FROM " + identifier(t, allowed=[t])))[0]
        for t in tables
    }


def _account_changes(con: duckdb.DuckDBPyConnection, session: Session) -> AccountChanges:
    """Compare staged accounts (and new accounts, attributes) with the stored ones.

    An account only named by a billing export and already stored counts as unchanged (it is
    left as it is); a changed custom attribute makes an account changed.
    """
    parts = []
    if "accounts" in session.staged:
        columns = ", ".join(stored_sql(c) + " AS " + identifier(c.name, allowed=[c.name])
                            for c in ACCOUNTS.columns)  # fmt: skip
        parts.append("SELECT " + columns + ", false AS only_new FROM " + stage_name(ACCOUNTS))
    if NEW_ACCOUNTS.name in session.staged:
        columns = ", ".join(stored_sql(c) + " AS " + identifier(c.name, allowed=[c.name])
                            for c in NEW_ACCOUNTS.columns)  # fmt: skip
        parts.append("SELECT " + columns + ", true AS only_new FROM " + stage_name(NEW_ACCOUNTS))
    attribute_sql = "SELECT NULL::VARCHAR AS account_id WHERE false"
    if ACCOUNT_ATTRIBUTES.name in session.staged:
        attribute_sql = (
            "SELECT DISTINCT s." + typed_col("account_id") + " AS account_id FROM "
            + stage_name(ACCOUNT_ATTRIBUTES) + " AS s LEFT JOIN account_attributes AS a ON "
            "a.account_id = s." + typed_col("account_id") + " AND a.name = s."
            + typed_col("name") + " WHERE s." + typed_col("value")
            + " IS DISTINCT FROM a.value"
        )  # fmt: skip
    if not parts:
        return AccountChanges()
    incoming = " UNION ALL ".join(parts)
    differs = " OR ".join(
        "i." + identifier(c, allowed=[c]) + " IS DISTINCT FROM s." + identifier(c, allowed=[c])
        for c in ACCOUNTS.column_names
    )
    replace = session.mode("accounts") == "replace" and "accounts" in session.staged
    rows = con.execute(
        "WITH incoming AS (" + incoming + "), "
        "attrs AS (" + attribute_sql + "), "
        "ids AS (SELECT account_id FROM incoming UNION SELECT account_id FROM attrs), "
        "judged AS (SELECT ids.account_id, CASE "
        "WHEN s.account_id IS NULL THEN 'new' "
        "WHEN bool_or(NOT i.only_new AND (" + differs + ")) OR ids.account_id IN "
        "(SELECT account_id FROM attrs) THEN 'changed' ELSE 'unchanged' END AS kind "
        "FROM ids LEFT JOIN accounts AS s USING (account_id) "
        "LEFT JOIN incoming AS i USING (account_id) GROUP BY ids.account_id, s.account_id) "
        "SELECT kind, count(*), list(account_id ORDER BY account_id)[1:$shown] FROM judged "
        "WHERE account_id IS NOT NULL GROUP BY kind",
        {"shown": SHOWN_IDS},
    ).fetchall()  # fmt: skip
    found = {kind: (n, tuple(ids)) for kind, n, ids in rows}
    removed = (0, ())
    if replace:
        n, ids = one_row(con.execute(
            "SELECT count(*), list(account_id ORDER BY account_id)[1:$shown] FROM accounts "
            "WHERE account_id NOT IN (SELECT " + typed_col("account_id") + " FROM "
            + stage_name(ACCOUNTS) + " WHERE " + typed_col("account_id") + " IS NOT NULL)",
            {"shown": SHOWN_IDS},
        ))  # fmt: skip
        removed = (n, tuple(ids or ()))
    new, changed, unchanged = (found.get(k, (0, ())) for k in ("new", "changed", "unchanged"))
    return AccountChanges(
        new=new[0], changed=changed[0], unchanged=unchanged[0], removed=removed[0],
        new_ids=new[1], changed_ids=changed[1], removed_ids=removed[1],
    )  # fmt: skip


def _mrr(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT month, sum(mrr) AS mrr FROM mrr_snapshot GROUP BY month ORDER BY month"
    ).df()


def _mrr_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """MRR by month before and after, with the change (months with no MRR count as 0)."""
    merged = before.merge(after, on="month", how="outer", suffixes=("_before", "_after"))
    merged = merged.sort_values("month").reset_index(drop=True)
    merged[["mrr_before", "mrr_after"]] = merged[["mrr_before", "mrr_after"]].fillna(0.0)
    merged["change"] = merged["mrr_after"] - merged["mrr_before"]
    merged["month"] = pd.to_datetime(merged["month"]).dt.date
    return merged[["month", "mrr_before", "mrr_after", "change"]]


def _empty_mrr() -> pd.DataFrame:
    return pd.DataFrame({"month": [], "mrr_before": [], "mrr_after": [], "change": []})
