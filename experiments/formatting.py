"""Numbers as people read them, with undefined values shown as "n/a" everywhere.

An indicator that is undefined for a run (the Ellison–Glaeser index of a grid with a single
region, for instance) flows through the results as NaN; the tables, figures and the page show
it as `NA` ("n/a"), and `model.indicator_registry` says why (`Indicator.undefined`).

    fmt(1234.0) -> "1,234"     fmt(0.01234) -> "0.0123"    fmt(float("nan")) -> "n/a"
    fmt_change(2.0, 3.0) -> "+50%"     fmt_change(0.1, 0.15, index=True) -> "+0.05"
    count(1, "quarter") -> "1 quarter"   count(80, "quarter") -> "80 quarters"
"""

from __future__ import annotations

import math

NA = "n/a"


def defined(value) -> bool:
    """True for a finite number (numpy scalars included); False for None, NaN, ±inf, non-numbers."""
    try:
        return value is not None and not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def fmt(value, digits: int = 3) -> str:
    """A number for a table: whole numbers with thousands separators, others to `digits`
    significant figures (one decimal from 100 up); "n/a" when undefined."""
    if not defined(value):
        return NA
    x = float(value)
    if x == int(x) and abs(x) < 1e9:
        return f"{int(x):,}"
    return f"{x:,.1f}" if 100 <= abs(x) < 1e9 else f"{x:.{digits}g}"


def fmt_float(value, digits: int = 4) -> str:
    """`digits` significant figures, "n/a" when undefined (a pandas `float_format`)."""
    return f"{float(value):.{digits}g}" if defined(value) else NA


def fmt_change(start, end, index: bool = False) -> str:
    """The change from `start` to `end`: a difference for an index or share, else a percentage
    ("" when the start is 0); "n/a" when either end is undefined. A percentage across a change of
    sign, or of a negative start, would mislead (value added 368.8 → −8.4e10 read "−22788614841%"):
    "turned negative" / "turned positive", or "n/a" when both are negative."""
    if not (defined(start) and defined(end)):
        return NA
    start, end = float(start), float(end)
    if index:
        return f"{end - start:+.3g}"
    if abs(start) <= 1e-12:
        return ""
    if start < 0 or end < 0:
        return "turned negative" if start > 0 else "turned positive" if end > 0 else NA
    return f"{(end / start - 1) * 100:+.0f}%"


def count(n, noun: str) -> str:
    """"1 quarter", "80 quarters": a count with its noun in the right number (English plural in -s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
