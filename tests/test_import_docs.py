"""docs/import.md stays true: every rule id, preset, value rule and mode is documented, and every
rule id the code can emit is declared in store.import_problems.RULES."""

from __future__ import annotations

import ast
from pathlib import Path

from store.import_problems import RULES
from store.import_targets import MODES
from store.mapping import DATE_FORMATS, ValueRules
from store.vendor_presets import PRESETS
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
RULE_POSITION = {"problem": 4, "_file_problem": 1, "FileIssue": 0, "Problem": 4}


def _emitted_rules() -> set[str]:
    """Rule ids written as literals in the import code."""
    found: set[str] = set()
    files = [*(ROOT / "store").glob("import*.py"), ROOT / "store" / "dialect.py"]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                index = RULE_POSITION.get(name)
                if index is not None and len(node.args) > index:
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.add(arg.value)
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") in ("MESSAGES", "_REJECT_RULES", "_TYPE_RULES")
                for t in node.targets
            ):
                values = node.value.keys if getattr(node.targets[0], "id", "") == "MESSAGES" \
                    else node.value.values  # fmt: skip
                found.update(v.value for v in values if isinstance(v, ast.Constant))
    return found


def test_every_emitted_rule_is_declared():
    emitted = _emitted_rules()
    assert emitted <= RULES, sorted(emitted - RULES)
    assert len(emitted) > 30  # the scan sees the code


def test_every_rule_preset_value_rule_and_mode_is_documented():
    for name in sorted(RULES) + sorted(PRESETS) + list(MODES) + list(ValueRules.model_fields):
        assert f"`{name}`" in DOC, f"{name} is not documented in docs/import.md"
    for name in DATE_FORMATS:
        assert name in DOC, name


def test_docs_name_only_files_that_exist():
    for path in ("sample_data/vendor_exports/", "benchmarks/import_timings.py",
                 "tests/test_import_telco.py", "tests/test_import_safety.py"):  # fmt: skip
        assert path in DOC and (ROOT / path).exists(), path
    assert Path(ROOT / "docs" / "import.md").exists()
