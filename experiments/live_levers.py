"""The policy levers as page controls: slider ranges, labels with units and meaning, and what each
lever asked for against what the government could fund this quarter.

Ranges come from each lever's declared range in `model/params.py` and its current value, so a
scenario's setting is never clamped by the page (issue 14: xiqiao's technology centre at 150 was
cut to a slider ceiling of 50). Spending levers are declared up to 10⁹ units a quarter, which no
slider can show: their slider ends at a round number at least twice the current value (and at
least 100), so it grows as the lever is moved up.
"""

from __future__ import annotations

import math

from model.indicator_registry import FUNDED_PREFIX, REQUESTED_PREFIX, SPEND_PREFIX
from model.params import LEVERS, PARAMS

SPENDING_FLOOR = 100.0  # units/quarter: the smallest top of a spending lever's slider
WIDE = 1_000.0          # a declared range wider than this is open-ended for a slider


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ x (x > 0)."""
    k = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * k >= x - 1e-12 * x:
            return m * k
    return 10 * k


def slider_range(name: str, value=None) -> dict:
    """{min, max, step} of the lever's slider: inside the declared range, containing `value`.

    Raises KeyError for a name that is not a lever.
    """
    if name not in LEVERS:
        raise KeyError(f"{name!r} is not a policy lever; levers: {', '.join(LEVERS)}")
    p = PARAMS[name]
    value = p.default if value is None else value
    low = float(p.low if p.low is not None else 0.0)
    high = float(p.high)
    if high - low > WIDE:
        high = min(high, _nice_ceiling(max(SPENDING_FLOOR, 2.0 * float(value))))
    if p.kind is int:
        return dict(min=int(low), max=int(high), step=1)
    step = 1.0 if high - low > 20 else 0.01
    return dict(min=low, max=high, step=step)


def short_unit(name: str) -> str:
    unit = PARAMS[name].unit
    return "" if unit in ("—", "0–1") else unit


def label(name: str, value) -> str:
    """`training = 5 units/quarter` (the control's label: name, value, unit)."""
    unit = short_unit(name)
    return f"{name} = {value:g}" + (f" {unit}" if unit else "")


def meaning(name: str) -> str:
    """What the lever does and its declared range, e.g. "labour training funding (≥ 0 units/quarter)"."""
    p = PARAMS[name]
    unit = short_unit(name)
    span = f"≥ {p.low:g}" if p.high - p.low > WIDE else f"{p.low:g}–{p.high:g}"
    return f"{p.meaning} ({span}{' ' + unit if unit else ''})"


def funding(indicators: dict) -> dict:
    """Per paid lever: what it asked for this quarter, what the budget granted and what was spent.

    {lever: {"requested", "granted", "spent"}} in units/quarter, read from the indicators
    requested_<lever>, funded_<lever> and spend_<lever> (model/indicator_registry.py; every
    request is cut by the same share when the requests exceed the budget).
    """
    out = {}
    for key, value in indicators.items():
        if key.startswith(REQUESTED_PREFIX):
            lever = key[len(REQUESTED_PREFIX):]
            out[lever] = {"requested": float(value), "granted": float(indicators.get(FUNDED_PREFIX + lever, 0.0)),
                          "spent": float(indicators.get(SPEND_PREFIX + lever, 0.0))}
    return out


def funding_note(name: str, row: dict | None, share: float) -> str:
    """One line under a lever: requested vs funded, or "" when the lever costs nothing now."""
    if not row or row["requested"] != row["requested"] or row["requested"] <= 1e-9:
        return ""
    note = f"asked {row['requested']:.3g}, funded {row['granted']:.3g}, spent {row['spent']:.3g} /quarter"
    if share < 0.999:
        note += f" — budget covers only {share:.0%} of all requests"
    return note
