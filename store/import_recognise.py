"""Recognising an uploaded file and suggesting its mapping, for the Import page.

:func:`recognise_file` reads a file's format, dialect, header and first rows, decides what it
is (a canonical table by its header, a saved profile for this header, a vendor preset, or
unknown) and returns a complete suggested :class:`~store.mapping.Mapping`: every field of the
target with the column matched to it (or None), suggested value rules (date formats guessed
from the first rows), and notes for what needs the user's eye (ambiguous dates, preamble).
The page shows it, lets the user correct it, and passes it to ``preview_import`` and
``import_files``. :func:`import_targets` lists what a file can be mapped onto.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from store.dialect import Dialect
from store.import_problems import Problem
from store.import_profiles import load_profile, profiles_for_header
from store.import_read import detect_table
from store.import_sources import new_workdir, prepare_source
from store.import_targets import USER_TARGETS
from store.mapping import (
    ColumnMatch,
    Mapping,
    Recipe,
    ValueRules,
    ambiguous_dates,
    canonical_recipe,
    guess_date_format,
    match_columns,
    recipe_for,
)
from store.vendor_presets import PRESETS, detect_preset

How = Literal["canonical", "profile", "preset", "unknown"]


@dataclass(frozen=True)
class FieldInfo:
    """One field of a target, for the mapping editor."""

    name: str
    label: str
    kind: str
    required: bool


@dataclass(frozen=True)
class TargetInfo:
    """Something a file can be imported as: a table or a vendor preset."""

    name: str
    title: str
    description: str
    kind: Literal["table", "preset"]
    fields: tuple[FieldInfo, ...]


@dataclass(frozen=True)
class FieldMatch:
    """A field of the target and the column suggested for it."""

    field: str
    label: str
    kind: str
    required: bool
    column: str | None
    how: str
    """chosen, name, synonym, similar or unmapped."""


@dataclass(frozen=True)
class Recognition:
    """What a file looks like and what it is taken to be."""

    name: str
    size: int
    kind: str | None
    """csv, xlsx or parquet; None when the file cannot be read."""
    dialect: Dialect | None
    """The detected dialect, complete (declare it back to read the file this way)."""
    header: list[str]
    sample: list[list[str]]
    how: How
    target: str | None
    title: str | None
    mapping: Mapping | None
    matches: list[FieldMatch] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    """Saved profiles made for this header."""
    problems: list[Problem] = field(default_factory=list)
    """What stops the file as it is (format, encoding, a preamble)."""
    notes: list[str] = field(default_factory=list)


def import_targets() -> list[TargetInfo]:
    """Every table a file can be mapped onto, then every vendor preset."""
    out = []
    for name in USER_TARGETS:
        out.append(_info(canonical_recipe(name), "table"))
    for recipe in PRESETS.values():
        out.append(_info(recipe, "preset"))
    return out


def _info(recipe: Recipe, kind: Literal["table", "preset"]) -> TargetInfo:
    fields = tuple(FieldInfo(f.name, f.label or f.name, f.kind, f.required) for f in recipe.fields)
    return TargetInfo(recipe.name, recipe.title, recipe.description, kind, fields)


def recognise_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    name: str | None = None,
    dialect: Dialect | None = None,
    target: str | None = None,
) -> Recognition:
    """Recognise a file and suggest how to import it (see the module doc).

    ``target`` asks for a suggestion for that table or preset instead of the detected one.
    """
    path = Path(path)
    name = name or path.name
    size = path.stat().st_size if path.exists() else 0
    with new_workdir() as folder:
        source, problems = prepare_source(path, name, dialect, hashlib.sha256(), Path(folder))
        notes: list[str] = []
        preamble = next((p for p in problems if p.rule == "preamble"), None)
        header_at = re.search(r"header line to ([0-9]+)", preamble.message) if preamble else None
        if header_at is not None:
            line = int(header_at.group(1))
            declared = (dialect or Dialect()).model_copy(update={"header_line": line})
            source, _ = prepare_source(path, name, declared, hashlib.sha256(), Path(folder))
            notes.append(f"The header seems to be on line {line}; the lines above it are left "
                         "out when you use this suggestion.")  # fmt: skip
    if source is None:
        return Recognition(name, size, None, None, [], [], "unknown", None, None, None,
                           problems=problems)  # fmt: skip
    header = source.header.names
    found = source.dialect.as_dialect() if source.kind == "csv" else None
    notes = list(source.notes) + notes
    profiles = profiles_for_header(con, header)
    how, chosen = _decide(con, header, target, profiles)
    if chosen is None:
        return Recognition(name, size, source.kind, found, header, source.sample, "unknown",
                           None, None, None, profiles=profiles, problems=problems,
                           notes=notes + ["Choose what this file holds, then map its columns."])
    if how == "profile":
        mapping = load_profile(con, profiles[0])
        recipe = recipe_for(mapping.target)
        matches, _ = match_columns(recipe, header, mapping.columns)
    else:
        recipe = recipe_for(chosen)
        matches, _ = match_columns(recipe, header)
        mapping = _suggest(recipe, header, source.sample, matches, notes)
    mapping = mapping.model_copy(update={"dialect": found if mapping.dialect is None else
                                         mapping.dialect})  # fmt: skip
    result = [
        FieldMatch(m.field, recipe.field(m.field).label or m.field, recipe.field(m.field).kind,
                   recipe.field(m.field).required,
                   header[m.column] if m.column is not None else None, m.how)
        for m in matches
    ]  # fmt: skip
    missing = [m.label for m in result if m.required and m.column is None]
    if missing:
        notes.append("Map a column to: " + ", ".join(missing) + ".")
    return Recognition(name, size, source.kind, found, header, source.sample, how, recipe.name,
                       recipe.title, mapping, result, profiles, problems, notes)  # fmt: skip


def _decide(
    con: duckdb.DuckDBPyConnection, header: list[str], target: str | None, profiles: list[str]
) -> tuple[How, str | None]:
    if target is not None:
        recipe_for(target)  # raises for an unknown target
        return ("preset" if target in PRESETS else "canonical"), target
    table = detect_table(header)
    if table is not None:
        return "canonical", table
    if len(profiles) == 1:
        return "profile", load_profile(con, profiles[0]).target
    preset = detect_preset(header)
    if preset is not None:
        return "preset", preset
    return "unknown", _best_target(header)


def _best_target(header: list[str]) -> str | None:
    """The table most of whose required fields (then fields) the header matches."""
    best, best_score = None, (0, 0)
    for name in USER_TARGETS:
        recipe = canonical_recipe(name)
        matches, _ = match_columns(recipe, header)
        hit = {m.field for m in matches if m.column is not None}
        required = {f.name for f in recipe.fields if f.required}
        score = (len(hit & required) - len(required), len(hit))
        if hit and (best is None or score > best_score):
            best, best_score = name, score
    return best


def _suggest(
    recipe: Recipe,
    header: list[str],
    sample: list[list[str]],
    matches: list[ColumnMatch],
    notes: list[str],
) -> Mapping:
    """A complete mapping: every field with its column, and date formats guessed from rows."""
    columns = {m.field: (header[m.column] if m.column is not None else None) for m in matches}
    column_rules: dict[str, ValueRules] = {}
    for match in matches:
        item = recipe.field(match.field)
        if match.column is None or item.kind not in ("DATE", "TIMESTAMP"):
            continue
        values = [r[match.column] for r in sample if match.column < len(r)]
        guess = guess_date_format(values)
        if guess is not None and guess != item.rules.date_format:
            column_rules[item.name] = ValueRules(date_format=guess)
        if guess in ("DD/MM/YYYY", "MM/DD/YYYY", "DD-MM-YYYY", "MM-DD-YYYY") and ambiguous_dates(
            values
        ):
            notes.append(
                f"Dates in {header[match.column].strip()!r} could be day-first or month-first; "
                f"{guess} is assumed, check it."
            )
    return Mapping(target=recipe.name, columns=columns, column_rules=column_rules)
