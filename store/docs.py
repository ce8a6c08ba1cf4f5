"""Render the data-model page (docs/data-model.md) from ``store.schema``.

Run ``python -m store.docs`` after changing the schema; a test fails when the page is stale.
"""

from __future__ import annotations

from pathlib import Path

from store.schema import CANONICAL_TABLES, SCHEMA_VERSION

PAGE = Path(__file__).resolve().parents[1] / "docs" / "data-model.md"
MARKER = "<!-- tables: generated from store/schema.py by `python -m store.docs` -->"


def render_tables() -> str:
    """Markdown for every canonical table: columns, types, required, default, meaning."""
    parts = [f"Schema version: {SCHEMA_VERSION}.", ""]
    for table in CANONICAL_TABLES:
        parts.append(f"## `{table.name}`")
        parts.append(table.description)
        if table.key:
            parts.append(f"Key: {', '.join(f'`{k}`' for k in table.key)} (unique per import).")
        parts.append("")
        parts.append("| column | type | required | default | meaning |")
        parts.append("| --- | --- | --- | --- | --- |")
        for column in table.columns:
            meaning = column.description
            if column.name in table.allowed:
                meaning = (meaning + " One of: " + ", ".join(table.allowed[column.name])).strip()
            parts.append(
                f"| `{column.name}` | {column.sql_type} | {'yes' if column.required else ''} "
                f"| {column.default or ''} | {meaning} |"
            )
        parts.append("")
    return "\n".join(parts)


def render_page(current: str) -> str:
    """The page with everything after the marker regenerated."""
    head = current.split(MARKER)[0]
    return head + MARKER + "\n\n" + render_tables()


if __name__ == "__main__":
    PAGE.write_text(render_page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {PAGE.name}")
