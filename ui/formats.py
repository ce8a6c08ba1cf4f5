"""Number and date formats shared by every page: money, percent, counts, ratios, months.

Pure functions (no Streamlit) so they are easy to test and reuse in tables, cards and hover
text. Missing values (None or NaN) always read "n/a", never "nan" or "inf"
(METRICS.md, Rates: undefined ratios are shown as "n/a").

Conventions:
- Money carries the reporting currency's symbol (or its ISO code when there is no common
  symbol). Cards use the compact form (``$12.3k``, ``$1.23M``); tables show cents.
- Rates are stored as fractions and shown as percent with one decimal; a change of a rate is
  shown in percentage points (``+0.4 pp``).
- Negative numbers start with an ASCII minus, so ``st.metric`` colours deltas correctly.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

NOT_AVAILABLE = "n/a"

CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
}
"""Symbols written before the amount; other currencies show their code (``CHF 1,200``)."""

_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})


def is_missing(value: object) -> bool:
    """True for None, NaN and infinities (all shown as "n/a")."""
    if value is None:
        return True
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isnan(number) or math.isinf(number)


def currency_prefix(currency: str) -> str:
    """What goes before an amount: ``$`` for USD, ``CHF `` for a currency without a symbol."""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def money(
    value: float | None,
    currency: str = "USD",
    *,
    compact: bool = False,
    cents: bool = False,
    signed: bool = False,
) -> str:
    """Format an amount: ``$1,234,567``; ``cents`` → ``$1,234,567.89``; ``compact`` → ``$1.23M``.

    Compact keeps amounts under 10,000 whole (``$9,876``) and shortens larger ones to three
    significant digits (``$12.3k``, ``$123k``, ``$1.23M``). ``signed`` adds ``+`` to positive
    values (for changes).
    """
    if is_missing(value):
        return NOT_AVAILABLE
    number = float(value)  # type: ignore[arg-type]
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    number = abs(number)
    prefix = currency_prefix(currency)
    if compact and number >= 10_000:
        return f"{sign}{prefix}{_compact(number)}"
    decimals = 2 if cents and currency not in _ZERO_DECIMAL_CURRENCIES else 0
    text = f"{number:,.{decimals}f}"
    if text.strip("0.,") == "":
        sign = ""
    return f"{sign}{prefix}{text}"


def money_tick(value: float, currency: str = "USD") -> str:
    """An axis label: compact money without trailing zeros (``$20k``, ``-$1.5M``, ``$0``)."""
    if is_missing(value):
        return ""
    number = float(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    text = _compact(number) if number >= 1000 else f"{number:,.0f}"
    digits = text.rstrip("kMBT")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    text = digits + text[len(text.rstrip("kMBT")):]
    if text == "0":
        sign = ""
    return f"{sign}{currency_prefix(currency)}{text}"


def _compact(number: float) -> str:
    """3 significant digits with a k/M/B suffix, for numbers >= 1,000."""
    suffixes = ("", "k", "M", "B", "T")
    tier = 0
    while number >= 1000 and tier < len(suffixes) - 1:
        number /= 1000
        tier += 1
    decimals = 2 if round(number, 2) < 10 else (1 if round(number, 1) < 100 else 0)
    if round(number, decimals) >= 1000 and tier < len(suffixes) - 1:
        number /= 1000
        tier += 1
        decimals = 2
    return f"{number:.{decimals}f}{suffixes[tier]}"


def percent(value: float | None, *, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as percent: 0.1234 → ``12.3%`` (``signed`` → ``+12.3%``)."""
    if is_missing(value):
        return NOT_AVAILABLE
    number = 100 * float(value)  # type: ignore[arg-type]
    text = f"{number:{'+' if signed else ''}.{decimals}f}%"
    return _drop_negative_zero(text)


def percentage_points(value: float | None, *, decimals: int = 1) -> str:
    """A change between two fractions in percentage points: 0.004 → ``+0.4 pp``."""
    if is_missing(value):
        return NOT_AVAILABLE
    text = f"{100 * float(value):+.{decimals}f} pp"  # type: ignore[arg-type]
    return _drop_negative_zero(text)


def count(value: float | None, *, signed: bool = False) -> str:
    """A whole number with thousands separators: ``1,234`` (``signed`` → ``+1,234``)."""
    if is_missing(value):
        return NOT_AVAILABLE
    number = round(float(value))  # type: ignore[arg-type]
    return f"{number:{'+' if signed and number != 0 else ''},d}"


def ratio(value: float | None, *, signed: bool = False) -> str:
    """A ratio with two decimals: ``3.50`` (``signed`` → ``+0.25``)."""
    if is_missing(value):
        return NOT_AVAILABLE
    return _drop_negative_zero(f"{float(value):{'+' if signed else ''}.2f}")  # type: ignore[arg-type]


def _drop_negative_zero(text: str) -> str:
    """``-0.0%`` reads as a loss; show ``0.0%`` instead."""
    if text.startswith(("-", "+")) and text[1:].replace("pp", "").strip(" 0.%") == "":
        return text[1:]
    return text


def month_label(month: date) -> str:
    """``Jun 2024``."""
    return month.strftime("%b %Y")


def money_column_format(currency: str) -> str:
    """printf-style format for ``st.column_config.NumberColumn``: ``$%,.2f`` (cents)."""
    prefix = currency_prefix(currency).replace("%", "%%")
    if currency in _ZERO_DECIMAL_CURRENCIES:
        return f"{prefix}%,.0f"
    return f"{prefix}%,.2f"


def kpi_value(unit: str, value: float | None, currency: str) -> str:
    """A KPI card's number in its unit (money compact, percent 1 decimal, count, ratio)."""
    if unit == "money":
        return money(value, currency, compact=True)
    if unit == "percent":
        return percent(value)
    if unit == "count":
        return count(value)
    return ratio(value)


def kpi_change(unit: str, change: float | None, currency: str) -> str | None:
    """The card's change vs the previous month, signed; None when it cannot be computed.

    Percent KPIs change in percentage points. A change that rounds to zero at display
    precision returns ``"0"``, which ``st.metric`` shows grey with no arrow.
    """
    if is_missing(change):
        return None
    if unit == "money":
        text = money(change, currency, compact=True, signed=True)
    elif unit == "percent":
        text = percentage_points(change)
    elif unit == "count":
        text = count(change, signed=True)
    else:
        text = ratio(change, signed=True)
    if not text.startswith(("+", "-")):
        return "0"
    return text


NO_DATA = "no data"
"""How a missing health score or component reads (METRICS.md, Health: "no data", never 0)."""


def floor_score(value: float | None) -> float | None:
    """A 0–100 score cut (not rounded) to one decimal: 69.99 → 69.9.

    Bands use the unrounded score, so rounding 69.99 up to 70.0 next to a yellow band would
    contradict it; cutting never crosses a band edge given to one decimal.
    """
    if is_missing(value):
        return None
    return math.floor(float(value) * 10 + 1e-9) / 10  # type: ignore[arg-type]


def score(value: float | None) -> str:
    """A health score for display: ``69.9`` (cut to one decimal), ``no data`` when missing."""
    cut = floor_score(value)
    return NO_DATA if cut is None else f"{cut:.1f}"


def score_change(value: float | None) -> str:
    """A score change vs last month with an arrow: ``▲ +5.2``, ``▼ -3.1``, ``► 0.0``.

    Rounded to one decimal (a change carries no band, so rounding is fine); missing → ``–``.
    """
    if is_missing(value):
        return "–"
    number = round(float(value), 1)  # type: ignore[arg-type]
    if number > 0:
        return f"▲ +{number:.1f}"
    if number < 0:
        return f"▼ -{abs(number):.1f}"
    return "► 0.0"


def day(value: object) -> str:
    """A date as ``2024-06-15``; missing → ``–``."""
    if value is None or (not isinstance(value, date) and is_missing(value)):
        return "–"
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return "–"
    return f"{stamp:%Y-%m-%d}"
