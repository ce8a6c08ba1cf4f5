"""The linters STYLE.md names pass on the whole tree: ruff everywhere, mypy on the non-UI
packages (``[tool.mypy]`` in pyproject.toml: metrics and store, with the pydantic plugin)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_mypy_finds_no_type_errors_in_metrics_and_store() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_no_lint_errors() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
