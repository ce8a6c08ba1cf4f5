"""Imports point one way (pages -> ui -> metrics/store) and pages hold no SQL (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("metrics", "store")
UI_LIBRARIES = ("streamlit", "plotly")


def _python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _is_ui_library(module: str) -> bool:
    return module.split(".")[0] in UI_LIBRARIES


@pytest.mark.parametrize(
    "path", _python_files(*CORE_PACKAGES), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_core_packages_never_import_streamlit_or_plotly(path: Path) -> None:
    offending = [f"line {line}: {module}" for line, module in _imported_modules(path)
                 if _is_ui_library(module)]
    assert not offending, f"{path.relative_to(ROOT)} imports a UI library: {offending}"


def test_core_packages_are_checked() -> None:
    files = _python_files(*CORE_PACKAGES)
    assert any(p.parent.name == "metrics" for p in files)
    assert any(p.parent.name == "store" for p in files)


def test_core_packages_never_import_the_ui_layers() -> None:
    offending = [
        f"{path.relative_to(ROOT)} line {line}: {module}"
        for path in _python_files(*CORE_PACKAGES)
        for line, module in _imported_modules(path)
        if module.split(".")[0] in ("ui", "pages", "dashboard")
    ]
    assert not offending, offending


def test_ui_never_imports_pages() -> None:
    offending = [
        f"{path.relative_to(ROOT)} line {line}: {module}"
        for path in _python_files("ui")
        for line, module in _imported_modules(path)
        if module.split(".")[0] in ("pages", "dashboard")
    ]
    assert not offending, offending


def test_pages_contain_no_sql() -> None:
    offending = []
    for path in _python_files("pages"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Case-sensitive: "Select a segment" in a label is not SQL.
                if "SELECT " in node.value:
                    offending.append(f"{path.relative_to(ROOT)} line {node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "sql"):
                offending.append(f"{path.relative_to(ROOT)} line {node.lineno}: .{node.attr}(")
    assert not offending, f"SQL belongs in metrics/ or store/, not in pages: {offending}"


def test_pages_exist() -> None:
    assert _python_files("pages"), "no pages found"
