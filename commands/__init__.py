"""Report commands of ``cli.py report NAME``: one module per area, each exporting COMMANDS.

A module listed in MODULES that does not exist yet is skipped, so areas can be added without
editing ``cli.py``.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from metrics.filters import Filters

MODULES = (
    "commands.revenue",
    "commands.health",
    "commands.renewals",
    "commands.scenarios",
    "commands.insights",
    "commands.lifecycle",
    "commands.customer_value",
)

ReportOutput = pd.DataFrame | dict[str, pd.DataFrame]


class ReportInputError(ValueError):
    """Bad report arguments (unknown account id, malformed window): printed, exit code 1."""


@dataclass(frozen=True)
class ReportCommand:
    """One ``cli.py report NAME``: extra arguments and the function producing its table(s).

    ``run(con, args, as_of, filters)`` returns a frame, or named frames for a multi-part report
    (JSON: an object of arrays; CSV: one section per part, each headed ``## name``).
    """

    name: str
    help: str
    run: Callable[[duckdb.DuckDBPyConnection, argparse.Namespace, date, Filters], ReportOutput]
    add_arguments: Callable[[argparse.ArgumentParser], None] = field(default=lambda parser: None)
    needs_db: bool = True
    """False for reports computed from their arguments alone (``con`` is then None)."""


def report_commands() -> dict[str, ReportCommand]:
    """Every available report command by name."""
    commands: dict[str, ReportCommand] = {}
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for command in module.COMMANDS:
            commands[command.name] = command
    return commands
