"""Saved mapping profiles: a named :class:`~store.mapping.Mapping`, offered again for a file
whose header has the same column names (any order, case and spacing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from store.mapping import Mapping, normalise_name, recipe_for
from store.sql import one_row


@dataclass(frozen=True)
class ProfileInfo:
    """One saved profile, for a list on the page."""

    name: str
    target: str
    header: list[str]
    updated_at: datetime | None


def header_key(header: Sequence[str]) -> str:
    """The header's identity for profiles: its normalised column names, sorted."""
    return json.dumps(sorted(normalise_name(h) for h in header if h.strip()))


def save_profile(
    con: duckdb.DuckDBPyConnection, name: str, mapping: Mapping, header: Sequence[str]
) -> None:
    """Save (or replace) a named profile for files with this header, in one transaction.

    Raises:
        ValueError: empty name, or a mapping whose target is unknown.
    """
    name = name.strip()
    if not name:
        raise ValueError("A profile needs a name.")
    recipe_for(mapping.target)  # raises for an unknown target
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        created = one_row(con.execute(
            "SELECT min(created_at) FROM mapping_profiles WHERE name = $name", {"name": name}
        ))[0]
        con.execute("DELETE FROM mapping_profiles WHERE name = $name", {"name": name})
        con.execute(
            "INSERT INTO mapping_profiles VALUES ($name, $key, $header, $mapping, $created, $now)",
            {"name": name, "key": header_key(header), "header": json.dumps(list(header)),
             "mapping": mapping.model_dump_json(), "created": created or now, "now": now},
        )  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_profile(con: duckdb.DuckDBPyConnection, name: str) -> Mapping:
    """The mapping saved under ``name``.

    Raises:
        ValueError: no such profile (the saved ones are listed).
    """
    row = con.execute(
        "SELECT mapping FROM mapping_profiles WHERE name = $name", {"name": name}
    ).fetchone()
    if row is None:
        known = [p.name for p in list_profiles(con)]
        listing = ", ".join(known) if known else "none saved yet"
        raise ValueError(f"No mapping profile named {name!r} (profiles: {listing}).")
    return Mapping.model_validate_json(row[0])


def delete_profile(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Remove a profile; True when one was removed."""
    found = one_row(con.execute(
        "SELECT count(*) FROM mapping_profiles WHERE name = $name", {"name": name}
    ))[0]
    con.execute("DELETE FROM mapping_profiles WHERE name = $name", {"name": name})
    return bool(found)


def list_profiles(con: duckdb.DuckDBPyConnection) -> list[ProfileInfo]:
    """Every saved profile, by name."""
    rows = con.execute(
        "SELECT name, mapping, header, updated_at FROM mapping_profiles ORDER BY name"
    ).fetchall()
    return [
        ProfileInfo(name, Mapping.model_validate_json(m).target, json.loads(h), at)
        for name, m, h, at in rows
    ]


def profiles_for_header(con: duckdb.DuckDBPyConnection, header: Sequence[str]) -> list[str]:
    """Names of the profiles saved for a header with these column names."""
    rows = con.execute(
        "SELECT name FROM mapping_profiles WHERE header_key = $key ORDER BY name",
        {"key": header_key(header)},
    ).fetchall()
    return [r[0] for r in rows]
