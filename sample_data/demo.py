"""Build the demo database: generated data plus the derived tables, in one step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from metrics.snapshots import refresh_derived
from store.db import bump_data_version, open_database, table_counts

Progress = Callable[[float, str], None]


def build_demo_database(
    path: str | Path,
    *,
    accounts: int = 2000,
    seed: int = 42,
    as_of: date,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Create (or refill) ``path`` with seeded demo data and return row counts per table.

    An existing file is replaced, so a half-built demo never survives an interruption.
    """
    from sample_data.generator import generate_demo_data

    path = Path(path)
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    con = open_database(partial)
    try:
        generate_demo_data(
            con,
            accounts=accounts,
            seed=seed,
            as_of=as_of,
            progress=(lambda f, text: progress(0.9 * f, text)) if progress else None,
        )
        if progress:
            progress(0.92, "Computing month-end MRR history")
        con.execute("BEGIN TRANSACTION")
        refresh_derived(con)
        bump_data_version(con)
        con.execute("COMMIT")
        counts = table_counts(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    path.unlink(missing_ok=True)
    Path(str(path) + ".wal").unlink(missing_ok=True)
    partial.replace(path)
    if progress:
        progress(1.0, "Demo database ready")
    return counts
