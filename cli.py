"""Command line: demo data, import, and every report the pages show, as CSV or JSON.

    python cli.py sample --db PATH [--accounts N] [--seed S] [--as-of DATE]
    python cli.py import --db PATH [--table NAME | --preset NAME | --profile NAME]
                         [--mode replace|upsert|append] [--as-of DATE] FILE...
    python cli.py check [--db PATH] [--table NAME | --preset NAME | --profile NAME] FILE...
    python cli.py report NAME --db PATH [--as-of DATE] [--format csv|json] [--out FILE]
                                        [--segment S ...] [--plan P ...] [--region R ...]
                                        [--owner O ...] [--from YYYY-MM] [--to YYYY-MM]
                                        [--attribute NAME=VALUE ...]

Reports call the same functions as the pages (metrics.reports), so the numbers agree.
Exit codes: 0 ok, 1 bad input (message printed), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from commands import ReportInputError, ReportOutput, report_commands
from metrics.filters import Filters
from metrics.snapshots import default_as_of
from store.db import DatabaseError, open_database
from store.export import neutralise_formulas


def _month(text: str) -> date:
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month like 2024-06") from exc


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-06-30") from exc


def _attribute(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not NAME=VALUE (a custom attribute and one of its values, e.g. "
            "Industry=Retail)"
        )
    return name.strip(), value


def attribute_filter(pairs: list[tuple[str, str]]) -> tuple[str | None, tuple[str, ...]]:
    """(attribute name, values) of repeated ``--attribute NAME=VALUE`` options.

    Raises:
        ReportInputError: the options name more than one attribute.
    """
    names = sorted({name for name, _ in pairs})
    if len(names) > 1:
        raise ReportInputError(
            "--attribute filters on one attribute at a time; got " + ", ".join(names)
            + ". Repeat it with the same name for several values."
        )
    values = tuple(dict.fromkeys(value for _, value in pairs))
    return (names[0] if names else None), values


def _terminal_progress(fraction: float, text: str) -> None:
    width = 30
    filled = int(round(width * max(0.0, min(1.0, fraction))))
    end = "\n" if fraction >= 1 else ""
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {text:<50}{end}")
    sys.stderr.flush()


def cmd_sample(args: argparse.Namespace) -> int:
    from sample_data.demo import build_demo_database

    counts = build_demo_database(
        args.db, accounts=args.accounts, seed=args.seed, as_of=args.as_of,
        progress=_terminal_progress,
    )
    for table, count in counts.items():
        print(f"{table:<16} {count:>12,}")
    return 0


def _import_choices(args: argparse.Namespace) -> dict:
    """Keyword arguments of import_files/check_files from the import and check options."""
    from store.dialect import Dialect

    declared = {
        "encoding": args.encoding, "header_line": args.header_line,
        "delimiter": "\t" if args.delimiter == "tab" else args.delimiter,
        "decimal": args.decimal,
    }  # fmt: skip
    return {
        "table": args.table, "preset": args.preset, "profile": args.profile, "mode": args.mode,
        "extra_columns": args.extra_columns, "as_of": args.as_of,
        "dialect": Dialect(**{k: v for k, v in declared.items() if v is not None}),
    }  # fmt: skip


def _print_problems(problems: list, limit: int, heading: str) -> None:
    from store.import_problems import problem_count

    total = problem_count(problems)
    print(heading.format(total=f"{total:,}", s="" if total == 1 else "s"), file=sys.stderr)
    listed = [p for p in problems if p.rule != "too_many_problems"]
    for problem in listed[:limit]:
        print("  " + problem.message, file=sys.stderr)
    if total > min(limit, len(listed)):
        print(f"  … and {total - min(limit, len(listed)):,} more", file=sys.stderr)


def _print_files(reports: tuple) -> None:
    for report in reports:
        what = f"{report.target} ({report.how})"
        rows = "skipped, imported before" if report.skipped else f"{report.rows:,} rows"
        print(f"{report.name}: {what}, {rows}; {report.dialect}")
        for note in report.notes:
            print("  " + note)


def _busy(args: argparse.Namespace, exc: Exception) -> int:
    """A database held by another process: say whether an import is running there."""
    from store.import_lock import busy_message, lock_holder

    holder = lock_holder(args.db)
    print(busy_message(holder) if holder is not None else str(exc), file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace) -> int:
    """Validate and load files in one transaction; progress on stderr, no size limit."""
    from metrics.snapshots import refresh_derived
    from store.db import DatabaseBusyError
    from store.import_lock import ImportInProgressError
    from store.importer import ImportValidationError, import_files

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print("File not found: " + ", ".join(missing), file=sys.stderr)
        return 1
    try:
        con = open_database(args.db)
    except DatabaseBusyError as exc:
        return _busy(args, exc)
    con.execute("SET memory_limit = $limit", {"limit": args.memory_limit})
    try:
        result = import_files(
            con, args.files, who=args.who, on_loaded=refresh_derived,
            progress=_terminal_progress, wait=args.wait, **_import_choices(args),
        )
    except ImportValidationError as exc:
        _print_problems(exc.problems, args.max_problems,
                        "Import failed: {total} problem{s}; nothing was changed.")
        return 1
    except (ImportInProgressError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        con.close()
    _print_files(result.files)
    for table, count in result.row_counts.items():
        print(f"{table:<20} {count:>12,} rows")
    print(f"Import {result.import_id} done; data version {result.data_version}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate files as an import would, without loading; exit 1 when there are problems.

    Without --db the files are checked on their own (references to stored accounts and
    exchange rates are not checked).
    """
    from store.db import DatabaseBusyError
    from store.importer import check_files

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print("File not found: " + ", ".join(missing), file=sys.stderr)
        return 1
    try:
        con = open_database(args.db if args.db else ":memory:", create=args.db is None)
    except DatabaseBusyError as exc:
        return _busy(args, exc)
    try:
        problems = check_files(con, args.files, references=args.db is not None,
                               **_import_choices(args))  # fmt: skip
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        con.close()
    if problems:
        _print_problems(problems, args.max_problems, "{total} problem{s} found.")
        return 1
    scope = "" if args.db else " (stored accounts and exchange rates not checked: no --db)"
    print(f"No problems found in {len(args.files)} file(s){scope}.")
    return 0


def _add_import_options(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--table", help="canonical table of every file (default: from the header)")
    what.add_argument("--preset", help="vendor preset: stripe, chargebee, baremetrics, "
                      "salesforce, hubspot, events, snapshot")  # fmt: skip
    what.add_argument("--profile", help="saved mapping profile")
    parser.add_argument("--mode", choices=("replace", "upsert", "append"),
                        help="for every table (default: upsert keyed tables, append events)")
    parser.add_argument("--as-of", dest="as_of", type=_day,
                        help="the data's as-of date (snapshot preset; default the stored one)")
    parser.add_argument("--extra-columns", dest="extra_columns",
                        choices=("attributes", "ignore", "error"),
                        help="unknown columns of canonical files (default: error)")
    parser.add_argument("--encoding", choices=("utf-8", "windows-1252", "latin-1", "utf-16"))
    parser.add_argument("--delimiter", choices=(",", ";", "tab", "|"), metavar="{,|;|tab||}",
                        help="value separator (default: detected)")
    parser.add_argument("--header-line", dest="header_line", type=int,
                        help="physical line of the header (lines above it are skipped)")
    parser.add_argument("--decimal", choices=(".", ","))
    parser.add_argument("--max-problems", dest="max_problems", type=int, default=50)
    parser.add_argument("files", nargs="+")


def cmd_report(args: argparse.Namespace) -> int:
    attribute, attribute_values = attribute_filter(args.attribute)
    filters = Filters(
        segments=tuple(args.segment), plans=tuple(args.plan), regions=tuple(args.region),
        csm_owners=tuple(args.owner), start_month=args.start, end_month=args.end,
        attribute=attribute, attribute_values=attribute_values,
    )
    if not args.command_spec.needs_db:
        output = args.command_spec.run(None, args, args.as_of or date.today(), filters)
    else:
        if args.db is None:
            print(f"report {args.name} needs --db PATH", file=sys.stderr)
            return 2
        con = open_database(args.db, create=False)
        try:
            as_of = args.as_of or default_as_of(con, date.today())
            output = args.command_spec.run(con, args, as_of, filters)
        finally:
            con.close()
    text = render_output(output, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def render_output(output: ReportOutput, fmt: str) -> str:
    """CSV (formula-safe) or JSON text of one frame or of named frames."""
    if isinstance(output, pd.DataFrame):
        if fmt == "json":
            return output.to_json(orient="records", indent=2, double_precision=6,
                                  date_format="iso") + "\n"
        return neutralise_formulas(output).to_csv(index=False)
    if fmt == "json":
        parts = {
            name: json.loads(frame.to_json(orient="records", double_precision=6,
                                           date_format="iso"))
            for name, frame in output.items()
        }
        return json.dumps(parts, indent=2) + "\n"
    sections = [f"## {name}\n" + neutralise_formulas(frame).to_csv(index=False)
                for name, frame in output.items()]
    return "\n".join(sections)


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="database file (required by data reports)")
    parser.add_argument("--as-of", dest="as_of", type=_day)
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--segment", action="append", default=[])
    parser.add_argument("--plan", action="append", default=[])
    parser.add_argument("--region", action="append", default=[])
    parser.add_argument("--owner", action="append", default=[])
    parser.add_argument("--from", dest="start", type=_month)
    parser.add_argument("--to", dest="end", type=_month)
    parser.add_argument("--attribute", action="append", default=[], type=_attribute,
                        metavar="NAME=VALUE",
                        help="accounts whose custom attribute NAME has the value VALUE "
                        "(repeat for more values of the same attribute)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    sample = sub.add_parser("sample", help="build a seeded demo database")
    sample.add_argument("--db", required=True, type=Path)
    sample.add_argument("--accounts", type=int, default=2000)
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--as-of", dest="as_of", type=_day, default=date.today())
    sample.set_defaults(run=cmd_sample)

    imp = sub.add_parser("import", help="validate and load files (CSV, .xlsx, Parquet) in one "
                         "transaction")  # fmt: skip
    imp.add_argument("--db", required=True, type=Path)
    imp.add_argument("--who", default="cli", help="name recorded in the import log")
    imp.add_argument("--wait", type=float, default=0.0,
                     help="seconds to wait for another import of this database to finish")
    imp.add_argument("--memory-limit", dest="memory_limit", default="1GB",
                     help="DuckDB memory limit; larger imports spill to disk (default 1GB)")
    _add_import_options(imp)
    imp.set_defaults(run=cmd_import)

    check = sub.add_parser("check", help="validate files without loading them (exit 1 on "
                           "problems)")  # fmt: skip
    check.add_argument("--db", type=Path, help="also check against this database's data")
    _add_import_options(check)
    check.set_defaults(run=cmd_check)

    report = sub.add_parser("report", help="print a report as CSV or JSON")
    names = report.add_subparsers(dest="name", required=True, metavar="NAME")
    for command in report_commands().values():
        one = names.add_parser(command.name, help=command.help, description=command.help)
        _add_report_options(one)
        command.add_arguments(one)
        one.set_defaults(run=cmd_report, command_spec=command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (DatabaseError, ReportInputError) as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
