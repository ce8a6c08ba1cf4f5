"""Import benchmark section: a 10-million-row usage_daily CSV against DuckDB's own reader.

    python benchmarks/import_timings.py [--db benchmarks/out/bench.duckdb] [--rows 10000000]

Also a section of ``benchmarks/bench.py`` (``measure``). Files are written to benchmarks/out/:
the CSV is exported with COPY from the bench database's usage_daily (unique keys, accounts that
exist), the bad copy gets one impossible date on its last line. Every timing is a fresh Python
process (cold, as the CLI runs), best of ``runs``:

- import: ``store.importer.import_files`` into a database holding the bench accounts, with an
  empty usage_daily (every check runs: types, duplicate keys, unknown accounts), with the CLI's
  default DuckDB memory limit of 1 GB;
- read_csv: ``CREATE TABLE ... AS SELECT * FROM read_csv(file)`` in the same kind of database;
- failed import: the bad file, which must fail (one problem) and change nothing.

Targets (issue "Import"): import <= 2 x read_csv; failed import <= successful import; peak RSS
of the import process bounded: <= 1.5 GB with the 1 GB DuckDB limit, whatever the file size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
ROWS = 10_000_000
RSS_LIMIT_MB = 1536

PREPARE = """
import sys
sys.path.insert(0, {root!r})
from store.db import open_database
con = open_database({target!r})
con.execute("ATTACH " + repr({source!r}) + " AS src (READ_ONLY)")
con.execute("DELETE FROM usage_daily")
con.execute("DELETE FROM accounts")
con.execute("INSERT INTO accounts SELECT * FROM src.accounts")
con.execute("DETACH src")
con.execute("DROP TABLE IF EXISTS bench_read_csv")
con.execute("CHECKPOINT")
con.close()
"""

IMPORT = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from store.db import open_database
from store.importer import ImportValidationError, import_files
con = open_database({target!r})
con.execute("SET memory_limit = '1GB'")  # as cli.py import does by default
t0 = time.perf_counter()
try:
    result = import_files(con, [{csv!r}], who="benchmark")
    outcome = {{"rows": result.row_counts.get("usage_daily", 0), "problems": 0}}
except ImportValidationError as exc:
    outcome = {{"rows": 0, "problems": len(exc.problems), "first": exc.problems[0].message}}
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, **outcome,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

READ_CSV = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from store.db import open_database
con = open_database({target!r})
t0 = time.perf_counter()
con.execute("CREATE TABLE bench_read_csv AS SELECT * FROM read_csv($path)", {{"path": {csv!r}}})
seconds = time.perf_counter() - t0
rows = con.execute("SELECT count(*) FROM bench_read_csv").fetchone()[0]
print(json.dumps({{"seconds": seconds, "rows": rows,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def _run(template: str, **fields: object) -> dict:
    code = template.format(root=str(ROOT), **fields)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def write_files(db_path: Path, rows: int) -> tuple[Path, Path]:
    """The usage CSV (``rows`` rows of the bench database) and its copy with a bad last line."""
    import duckdb

    OUT.mkdir(parents=True, exist_ok=True)
    good = OUT / f"usage_{rows}.csv"
    bad = OUT / f"usage_{rows}_bad_last_line.csv"
    if not good.exists():
        with duckdb.connect(str(db_path), read_only=True) as con:
            con.execute(
                "COPY (SELECT account_id, date, active_users, events, features_used FROM "
                "usage_daily ORDER BY date, account_id LIMIT " + str(int(rows)) + ") TO "
                + "'" + str(good).replace("'", "''") + "' (HEADER)"
            )
    if not bad.exists():
        shutil.copyfile(good, bad)
        with bad.open("a", encoding="utf-8") as handle:
            handle.write("acct_000001,2026-02-30,1,1,1\n")
    return good, bad


def measure(db_path: Path, as_of: date, *, runs: int = 3) -> tuple[dict, dict]:
    """Timings and targets of importing the usage CSV (see the module doc)."""
    del as_of  # the import does not depend on it
    rows = ROWS
    good, bad = write_files(Path(db_path), rows)
    target = OUT / "import_bench.duckdb"
    fields = {"target": str(target), "source": str(db_path)}
    imports, reads, failures = [], [], []
    for _ in range(runs):
        _run(PREPARE, **fields)
        imports.append(_run(IMPORT, csv=str(good), **fields))
        _run(PREPARE, **fields)
        reads.append(_run(READ_CSV, csv=str(good), **fields))
        _run(PREPARE, **fields)
        failures.append(_run(IMPORT, csv=str(bad), **fields))
    best_import = min(imports, key=lambda r: r["seconds"])
    best_read = min(reads, key=lambda r: r["seconds"])
    best_fail = min(failures, key=lambda r: r["seconds"])
    assert best_import["rows"] == rows, best_import
    assert best_read["rows"] == rows, best_read
    assert best_fail["problems"] == 1, best_fail
    peak = max(r["peak_rss_mb"] for r in imports + failures)
    timings = {
        "import_rows": rows,
        "import_csv_mb": round(good.stat().st_size / 1e6, 1),
        "import_seconds": round(best_import["seconds"], 2),
        "import_read_csv_seconds": round(best_read["seconds"], 2),
        "import_failed_seconds": round(best_fail["seconds"], 2),
        "ratio_import_vs_read_csv": round(best_import["seconds"] / best_read["seconds"], 2),
        "ratio_failed_vs_import": round(best_fail["seconds"] / best_import["seconds"], 2),
        "import_peak_rss_mb": round(peak, 0),
        "read_csv_peak_rss_mb": round(max(r["peak_rss_mb"] for r in reads), 0),
    }
    targets = {
        "ratio_import_vs_read_csv <= 2": best_import["seconds"] <= 2 * best_read["seconds"],
        "ratio_failed_vs_import <= 1": best_fail["seconds"] <= best_import["seconds"],
        f"import_peak_rss_mb <= {RSS_LIMIT_MB}": peak <= RSS_LIMIT_MB,
    }
    return timings, targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=OUT / "bench.duckdb")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db} does not exist: build it with python benchmarks/bench.py first")
    started = time.perf_counter()
    timings, targets = measure(args.db, date.today(), runs=args.runs)
    for key, value in timings.items():
        print(f"{key:<32} {value}")
    for name, ok in targets.items():
        print(f"target {name:<40} {'met' if ok else 'MISSED'}")
    print(f"(measured in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
