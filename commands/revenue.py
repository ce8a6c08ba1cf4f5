"""Revenue reports (Executive page): mrr, movements, churn, retention, cohorts."""

from __future__ import annotations

from commands import ReportCommand
from metrics.reports import REPORTS, run_report


def _runner(name: str):
    def run(con, args, as_of, filters):
        return run_report(con, name, as_of=as_of, filters=filters)

    return run


COMMANDS = tuple(
    ReportCommand(name=report.name, help=report.description, run=_runner(report.name))
    for report in REPORTS.values()
)
