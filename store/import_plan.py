"""Deciding how one prepared file is imported: its recipe, mapping, columns and labels.

Order of decisions for a file: an explicit mapping (or a saved profile by name), else an explicit
preset, else an explicit table; with none of these, a header that is exactly a canonical table's
loads as that table, then a saved profile for this header, then a recognised vendor preset;
anything else goes through the canonical header check, whose problems say what is wrong.

A canonical file read without a mapping keeps the canonical contract exactly: every column must
be a column of the table (``extra_columns="error"``). With a mapping, unmapped columns of an
account file become custom attributes and are otherwise ignored (both listed in the notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import duckdb

from store.import_problems import Problem, problem
from store.import_profiles import load_profile, profiles_for_header
from store.import_read import detect_table, match_header, normalise
from store.import_sources import PreparedSource
from store.mapping import Mapping, Recipe, canonical_recipe, match_columns, recipe_for
from store.vendor_presets import PRESETS, detect_preset

ExtraColumns = Literal["attributes", "ignore", "error"]


@dataclass
class FilePlan:
    """One file, decided: what it fills and which header position feeds each field."""

    index: int
    source: PreparedSource
    recipe: Recipe
    mapping: Mapping | None
    columns: dict[str, int]
    """Field -> 0-based header position."""
    labels: dict[str, str]
    """Field -> the name problems give its column (as written in a mapped file)."""
    attributes: list[int] = field(default_factory=list)
    """Header positions kept as custom account attributes."""
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    how: str = "canonical"
    """canonical, profile, preset or mapping: how the target was chosen."""

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def create_accounts(self) -> bool:
        return self.recipe.creates_accounts and (
            self.mapping is None or self.mapping.create_missing_accounts
        )


@dataclass(frozen=True)
class Choice:
    """What the caller chose for a file (any of these may be None)."""

    mapping: Mapping | None = None
    profile: str | None = None
    preset: str | None = None
    table: str | None = None
    extra_columns: ExtraColumns | None = None


def resolve_choice(con: duckdb.DuckDBPyConnection, choice: Choice) -> Choice:
    """A named profile replaced by its mapping.

    Raises:
        ValueError: unknown profile or preset.
    """
    if choice.profile is not None and choice.mapping is None:
        return Choice(load_profile(con, choice.profile), None, None, None, choice.extra_columns)
    if choice.preset is not None and choice.preset not in PRESETS:
        raise ValueError(
            f"{choice.preset!r} is not a preset; choose one of: " + ", ".join(PRESETS)
        )
    return choice


def plan_file(
    con: duckdb.DuckDBPyConnection, index: int, source: PreparedSource, choice: Choice
) -> tuple[FilePlan | None, list[Problem]]:
    """Decide the recipe and columns of a prepared file (see the module doc)."""
    header = source.header.names
    mapping, how = choice.mapping, "mapping"
    if mapping is None and choice.preset is not None:
        mapping, how = Mapping(target=choice.preset), "preset"
    if mapping is None and choice.table is not None:
        if choice.extra_columns in (None, "error"):
            return _canonical(index, source, choice.table)
        mapping = Mapping(target=choice.table, extra_columns=choice.extra_columns)
    if mapping is None:
        table = detect_table(header)
        if table is not None:
            return _canonical(index, source, table)
        profiles = profiles_for_header(con, header)
        preset = detect_preset(header)
        if len(profiles) == 1:
            mapping, how = load_profile(con, profiles[0]), "profile"
        elif preset is not None:
            mapping, how = Mapping(target=preset), "preset"
        elif choice.extra_columns in ("attributes", "ignore"):
            guess, _ = match_header(source.name, source.header, None)
            if guess is None:
                return _canonical(index, source, None)
            mapping = Mapping(target=guess.name, extra_columns=choice.extra_columns)
        else:
            return _canonical(index, source, None)
    plan, problems = _mapped(index, source, recipe_for(mapping.target), mapping)
    if plan is not None:
        plan.how = how
        if how == "profile":
            plan.notes.insert(0, "Read with the saved mapping profile for this header.")
        elif how == "preset" and choice.preset is None:
            plan.notes.insert(0, f"Recognised as: {plan.recipe.title}.")
    return plan, problems


def _canonical(
    index: int, source: PreparedSource, table_name: str | None
) -> tuple[FilePlan | None, list[Problem]]:
    """A canonical file: header names are the table's columns (strict)."""
    table, problems = match_header(source.name, source.header, table_name)
    if problems or table is None:
        return None, problems
    recipe = canonical_recipe(table.name)
    names = [normalise(n) for n in source.header.names]
    columns = {name: i for i, name in enumerate(names)}
    plan = FilePlan(index, source, recipe, None, columns, {n: n for n in names},
                    notes=list(source.notes))  # fmt: skip
    return plan, []


def _mapped(
    index: int, source: PreparedSource, recipe: Recipe, mapping: Mapping
) -> tuple[FilePlan | None, list[Problem]]:
    """A file read through a mapping: matched columns, extras, and the problems with them."""
    header = source.header.names
    name = source.name
    matches, choice_problems = match_columns(recipe, header, mapping.columns)
    problems = [problem(name, 1, None, None, "bad_mapping", p) for p in choice_problems]
    columns = {m.field: m.column for m in matches if m.column is not None}
    normal = [normalise(h) for h in header]
    for item in recipe.fields:
        position = columns.get(item.name)
        if position is None:
            if item.required:
                what = (
                    f"no column holds {item.label or item.name}, which {recipe.title} needs; "
                    "map a column to it"
                )
                problems.append(problem(name, 1, item.label or item.name, None, "missing_column",
                                        what))  # fmt: skip
            continue
        repeats = [i + 1 for i, n in enumerate(normal) if n == normal[position]]
        if len(repeats) > 1:
            shown = header[position].strip()
            what = (
                f"column {shown!r} appears {len(repeats)} times in the header (columns "
                + ", ".join(map(str, repeats))
                + "); rename the copies so it is clear which one to read"
            )
            problems.append(problem(name, 1, shown, header[position], "duplicate_column", what))
    used = set(columns.values())
    extra = mapping.extra_columns or recipe.default_extra
    if extra == "attributes" and recipe.attributes_key is None:
        extra = "ignore"
    attributes: list[int] = []
    ignored: list[str] = []
    for position, raw in enumerate(header):
        if position in used:
            continue
        if not raw.strip():
            if any(v for v in _column_values(source, position)):
                what = f"column {position + 1} of the header has no name; name it or remove it"
                problems.append(problem(name, 1, None, raw, "unknown_column", what))
            continue
        if extra == "attributes":
            attributes.append(position)
        elif extra == "ignore":
            ignored.append(raw.strip())
        else:
            what = f"'{raw.strip()}' is not a field of {recipe.title}; remove it or map it"
            problems.append(problem(name, 1, raw.strip(), raw, "unknown_column", what))
    for item in recipe.fields:
        if item.attribute and item.name in columns and recipe.attributes_key is not None:
            attributes.append(columns[item.name])
    if problems:
        return None, problems
    labels = {f: header[p].strip() for f, p in columns.items()}
    notes = list(source.notes)
    if attributes:
        notes.append("Kept as custom account attributes: "
                     + ", ".join(header[p].strip() for p in sorted(attributes)) + ".")  # fmt: skip
    if ignored:
        notes.append("Ignored columns (not imported): " + ", ".join(ignored) + ".")
    plan = FilePlan(index, source, recipe, mapping, columns, labels, sorted(attributes), ignored,
                    notes)  # fmt: skip
    return plan, []


def _column_values(source: PreparedSource, position: int) -> list[str]:
    return [r[position].strip() for r in source.sample if position < len(r)]
