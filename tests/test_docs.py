"""Documentation stays true: the data-model page matches the schema, every setting is documented."""

from __future__ import annotations

from pathlib import Path

from store.docs import MARKER, PAGE, render_tables
from store.settings import MetricSettings

ROOT = Path(__file__).resolve().parents[1]


def test_data_model_page_matches_schema():
    text = PAGE.read_text(encoding="utf-8")
    generated = text.split(MARKER)[1]
    assert render_tables() in generated, "docs/data-model.md is stale: run python -m store.docs"


def test_every_metric_setting_is_documented():
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name in MetricSettings.model_fields:
        assert f"`{name}`" in doc, f"setting {name} is not documented in docs/metrics.md"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(
        line.strip() for line in readme.splitlines() if line.strip().startswith("bash scripts/test")
    )
    assert test_command in ci
    assert "bash scripts/run" in readme
