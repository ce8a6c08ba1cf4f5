"""CSV export that spreadsheets cannot execute (CWE-1236, OWASP "CSV injection").

Text cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are prefixed with a
single quote, so Excel, LibreOffice and Google Sheets show them as text. Numbers are left
alone (a negative number is a number, not a formula). Stored data is never changed: only the
exported copy is neutralised.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a formula-like string with a quote; return anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    return safe


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of ``frame`` with formula-like text neutralised."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")
