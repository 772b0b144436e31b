"""Case figures as data: the targets a case scenario declares, and how each is measured.

A case scenario lists the figures of its source documents once, each with its tolerance, how it
is measured from the indicator table (one row per quarter, row 0 = the initial state), where the
figure comes from, and whether it is fitted (`calibration`) or kept back for validation
(`held_out`)::

    [calibration]
    scale = 5.0                      # one model enterprise stands for 5 real ones (counts × scale)
    seeds = [0, 1]                   # common random numbers for the ABC distance
    [[calibration.free]]             # at most 8: the parameters ABC-SMC may move
    param = "demand_elasticity"
    low = 1.5
    high = 6.0
    reason = "how hard the shift to quality hits the low-grade mills"

    [[targets]]
    name = "mills_peak_to_trough"
    value = -0.82                    # 1,670 -> 300 firms
    tolerance = 0.05                 # or rel_tolerance = 0.1 (share of |value|)
    bound = "both"                   # "both" (default), "at_least" or "at_most"
    measure = "peak_to_trough"       # one of KINDS
    column = "firms"                 # a column, "a+b", or "a+b/c" (numerator / denominator)
    peak = [1, 11]                   # quarters (inclusive); negative counts from the end
    trough = [12, 40]
    scaled = false                   # true: the measured value is multiplied by calibration.scale
    role = "calibration"             # or "held_out"
    source = "004_c4a6e7acb6afb95f.txt"  # a seed document of scenarios/sources.py
    quote = "到1994年，生产纺织品的企业只剩下了300多家"

Targets and `[calibration]` describe the file they are in only: like `[meta]`, a scenario that
`extends` this one does not inherit them. The measurement kinds (`KINDS`) are pure functions of
the indicator table; each is tested against a hand computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios import sources

ROLES = ("calibration", "held_out")
BOUNDS = ("both", "at_least", "at_most")
MAX_FREE = 8

# measurement kind -> (required keys, optional keys, meaning)
KINDS = {
    "value": (("column", "at"), (), "mean of the column over quarters `at`"),
    "ratio": (("column", "from", "to"), (), "mean over `to` / mean over `from`"),
    "change": (("column", "from", "to"), (), "mean over `to` / mean over `from` − 1"),
    "growth": (("column", "from", "to"), (),
               "annualised growth between the windows' centres: (to / from)^(4 / quarters apart) − 1"),
    "share": (("column", "columns", "at"), (), "the column's share of the sum of `columns`, mean over `at`"),
    "peak_to_trough": (("column", "peak", "trough"), (), "min over `trough` / max over `peak` − 1"),
    "ratio_to": (("column", "at", "against"), (),
                 "mean over `at` / the same mean in scenario `against` (same seeds, its own parameters)"),
}
WINDOW_KEYS = ("at", "from", "to", "peak", "trough")
COMMON = ("name", "value", "tolerance", "rel_tolerance", "bound", "measure", "role", "source", "quote",
          "scaled", "note")
ALL_KEYS = tuple(dict.fromkeys(COMMON + ("column", "columns", "against") + WINDOW_KEYS))
CALIBRATION_KEYS = ("scale", "seeds", "free")
FREE_KEYS = ("param", "low", "high", "reason")


@dataclass(frozen=True)
class Target:
    """One case figure: what it is, how close the model must come, how it is measured."""

    name: str
    value: float
    tolerance: float                 # absolute, in the figure's own units
    measure: str
    role: str
    source: str
    quote: str
    bound: str = "both"
    column: str = ""
    columns: tuple = ()
    windows: dict = field(default_factory=dict)   # "at"/"from"/... -> (first, last) quarter
    against: str = ""
    scaled: bool = False
    note: str = ""

    def passes(self, measured: float) -> bool:
        """Within tolerance: |m − v| ≤ tol (both), m ≥ v − tol (at_least), m ≤ v + tol (at_most)."""
        if measured is None or not math.isfinite(measured):
            return False
        return bool(self.error(measured) <= 1.0 + 1e-12)

    def error(self, measured: float) -> float:
        """The miss in tolerances: 0 inside the bound's side, |m − v| / tol otherwise (inf for nan)."""
        if measured is None or not math.isfinite(measured):
            return math.inf
        gap = measured - self.value
        if self.bound == "at_least":
            gap = min(gap, 0.0)
        elif self.bound == "at_most":
            gap = max(gap, 0.0)
        return abs(gap) / self.tolerance

    def describe(self) -> str:
        sign = {"both": "±", "at_least": "≥ −", "at_most": "≤ +"}[self.bound]
        return f"{self.value:g} ({sign}{self.tolerance:g})"


@dataclass(frozen=True)
class FreeParam:
    param: str
    low: float
    high: float
    reason: str


@dataclass(frozen=True)
class Calibration:
    scale: float = 1.0
    seeds: tuple = (0, 1)
    free: tuple = ()                 # FreeParam, ...


# --- measuring -------------------------------------------------------------------------------
def column_values(df: pd.DataFrame, expr: str) -> np.ndarray:
    """The per-quarter values of `expr`: a column, a sum "a+b", or a ratio "a+b/c+d"."""
    num, _, den = expr.partition("/")
    top = sum(df[c.strip()].to_numpy(float) for c in num.split("+"))
    if not den:
        return np.asarray(top, float)
    bottom = sum(df[c.strip()].to_numpy(float) for c in den.split("+"))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(top / bottom, float)
    out[~np.isfinite(out)] = np.nan
    return out


def window(values: np.ndarray, span: tuple) -> np.ndarray:
    """values[first..last] (inclusive); negative quarters count from the end (−1 = last row)."""
    n = len(values)
    first, last = (q if q >= 0 else n + q for q in span)
    if not 0 <= first <= last < n:
        raise ValueError(f"quarters {span} outside a run of {n - 1} quarters")
    return values[first:last + 1]


def _centre(span: tuple, n: int) -> float:
    first, last = (q if q >= 0 else n + q for q in span)
    return (first + last) / 2


def measure(target: Target, df: pd.DataFrame, reference: pd.DataFrame | None = None,
            scale: float = 1.0) -> float:
    """The target's figure in one run's indicator table `df` (rows = quarters 0..T).

    `reference` is the run of scenario `target.against` with the same seed (kind "ratio_to" only).
    Counts of `scaled` targets are multiplied by `scale`. Returns nan where the figure is undefined
    (division by zero)."""
    w, kind = target.windows, target.measure
    v = column_values(df, target.column)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "value":
            out = np.nanmean(window(v, w["at"]))
        elif kind in ("ratio", "change", "growth"):
            a, b = np.nanmean(window(v, w["from"])), np.nanmean(window(v, w["to"]))
            out = b / a
            if kind == "change":
                out -= 1
            elif kind == "growth":
                years = (_centre(w["to"], len(v)) - _centre(w["from"], len(v))) / 4
                out = out ** (1 / years) - 1 if out > 0 and years > 0 else float("nan")
        elif kind == "share":
            total = sum(column_values(df, c) for c in target.columns)
            out = np.nanmean(window(v / total, w["at"]))
        elif kind == "peak_to_trough":
            out = np.nanmin(window(v, w["trough"])) / np.nanmax(window(v, w["peak"])) - 1
        elif kind == "ratio_to":
            if reference is None:
                raise ValueError(f"target {target.name}: needs the run of {target.against!r}")
            out = np.nanmean(window(v, w["at"])) / np.nanmean(window(column_values(reference, target.column), w["at"]))
        else:
            raise ValueError(f"unknown measurement kind {kind!r}")
    out = float(out) if np.isfinite(out) else float("nan")
    return out * scale if target.scaled else out


# --- parsing (called by the scenario loader; problems go through its `bad`) --------------------
def parse(data: dict, bad, params: dict) -> tuple[tuple, Calibration | None]:
    """(targets, calibration) from a scenario's merged TOML; every problem is reported with
    `bad(key, message, allowed, given)`. `params` maps parameter names to model.params.Param."""
    targets, names = [], set()
    raw = data.get("targets", [])
    if not isinstance(raw, list):
        bad("targets", "wrong type", "[[targets]] tables (see scenarios/targets.py)", raw)
        raw = []
    for i, entry in enumerate(raw):
        t = _target(f"targets[{i}]", entry, bad)
        if t is None:
            continue
        if t.name in names:
            bad(f"targets[{i}].name", "given twice", "a name unique in this file", t.name)
        names.add(t.name)
        targets.append(t)
    calibration = _calibration(data["calibration"], bad, params) if "calibration" in data else None
    return tuple(targets), calibration


def _number(key, value, bad, low=None, positive=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return bad(key, "not a finite number", "a number", value) and None
    if positive and value <= 0 or low is not None and value < low:
        return bad(key, "out of range", "a number > 0" if positive else f"a number >= {low}", value) and None
    return float(value)


def _window(key, value, bad):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(q, int) and not isinstance(q, bool)
                                                             for q in value)
            and (value[0] <= value[1] or value[0] >= 0 > value[1])):
        return tuple(value)
    bad(key, "not a quarter or window", "a quarter (integer) or [first, last]; negative counts from the end", value)
    return None


def _text(key, value, bad, required=True):
    if isinstance(value, str) and (value.strip() or not required):
        return value.strip()
    bad(key, "missing or empty" if value is None else "wrong type", "a non-empty string", value)
    return None


def _target(where: str, entry, bad) -> Target | None:
    if not isinstance(entry, dict):
        bad(where, "wrong type", "a table with " + ", ".join(COMMON[:8]), entry)
        return None
    ok = True
    for k in entry:
        if k not in ALL_KEYS:
            ok = bad(f"{where}.{k}", "unknown key", ", ".join(ALL_KEYS), entry[k]) and False
    kind = entry.get("measure")
    if kind not in KINDS:
        bad(f"{where}.measure", "missing" if kind is None else "unknown measurement kind", ", ".join(KINDS),
            *(() if kind is None else (kind,)))
        return None
    required, _, _ = KINDS[kind]
    for k in ("name", "value", "role", "source", "quote", *required):
        if k not in entry:
            ok = bad(f"{where}.{k}", "missing", f"measure {kind!r} needs " + ", ".join(required)) and False
    if not ok:
        return None
    name = _text(f"{where}.name", entry["name"], bad)
    value = _number(f"{where}.value", entry["value"], bad)
    if ("tolerance" in entry) == ("rel_tolerance" in entry):
        bad(f"{where}.tolerance", "give exactly one of tolerance, rel_tolerance", "a number > 0")
        return None
    if "tolerance" in entry:
        tol = _number(f"{where}.tolerance", entry["tolerance"], bad, positive=True)
    else:
        rel = _number(f"{where}.rel_tolerance", entry["rel_tolerance"], bad, positive=True)
        tol = None if rel is None or value is None else rel * abs(value)
    role, bound = entry["role"], entry.get("bound", "both")
    if role not in ROLES:
        role = bad(f"{where}.role", "not a role", ", ".join(ROLES), role) and None
    if bound not in BOUNDS:
        bound = bad(f"{where}.bound", "not a bound", ", ".join(BOUNDS), bound) and None
    windows = {k: _window(f"{where}.{k}", entry[k], bad) for k in WINDOW_KEYS if k in entry}
    columns = entry.get("columns", ())
    if kind == "share" and not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
        columns = bad(f"{where}.columns", "wrong type", "a list of column names", columns) and None
    scaled = entry.get("scaled", False)
    if not isinstance(scaled, bool):
        scaled = bad(f"{where}.scaled", "wrong type", "true or false", scaled) and None
    source = _text(f"{where}.source", entry["source"], bad)
    if source is not None and (why := sources.check_source(source)):
        source = bad(f"{where}.source", why, sources.allowed(), source) and None
    fields = [name, value, tol, role, bound, columns, scaled,
              _text(f"{where}.column", entry["column"], bad), source,
              _text(f"{where}.quote", entry["quote"], bad), *windows.values()]
    if any(f is None for f in fields):
        return None
    return Target(name=name, value=value, tolerance=tol, measure=kind, role=role, source=fields[8],
                  quote=fields[9], bound=bound, column=fields[7], columns=tuple(columns), windows=windows,
                  against=str(entry.get("against", "")), scaled=scaled, note=str(entry.get("note", "")))


def _calibration(raw, bad, params: dict) -> Calibration | None:
    if not isinstance(raw, dict):
        bad("calibration", "wrong type", "a table [calibration] with " + ", ".join(CALIBRATION_KEYS), raw)
        return None
    for k in raw:
        if k not in CALIBRATION_KEYS:
            bad(f"calibration.{k}", "unknown key", ", ".join(CALIBRATION_KEYS), raw[k])
    scale = _number("calibration.scale", raw.get("scale", 1.0), bad, positive=True)
    seeds = raw.get("seeds", [0, 1])
    if not (isinstance(seeds, list) and seeds and all(isinstance(s, int) and not isinstance(s, bool)
                                                      and 0 <= s < 2**32 for s in seeds)):
        seeds = bad("calibration.seeds", "wrong type or out of range",
                    "a non-empty list of integer seeds in [0, 4294967295]", seeds) and None
    free = raw.get("free", [])
    if not isinstance(free, list) or len(free) > MAX_FREE:
        bad("calibration.free", "wrong type or too many", f"at most {MAX_FREE} [[calibration.free]] tables", free)
        free = []
    out = [_free(f"calibration.free[{i}]", entry, bad, params) for i, entry in enumerate(free)]
    if scale is None or seeds is None or None in out:
        return None
    return Calibration(scale=scale, seeds=tuple(seeds), free=tuple(out))


def _free(where, entry, bad, params) -> FreeParam | None:
    if not isinstance(entry, dict) or set(entry) != set(FREE_KEYS):
        bad(where, "wrong keys", "a table with exactly " + ", ".join(FREE_KEYS), entry)
        return None
    name = entry["param"]
    if name not in params:
        bad(f"{where}.param", "unknown parameter", "a numeric parameter of model/params.py", name)
        return None
    p = params[name]
    low, high = (_number(f"{where}.{k}", entry[k], bad) for k in ("low", "high"))
    reason = _text(f"{where}.reason", entry["reason"], bad)
    if low is None or high is None or reason is None:
        return None
    if p.kind not in (int, float) or not low < high or (p.low is not None and low < p.low) \
            or (p.high is not None and high > p.high):
        bad(where, "range outside the parameter's", f"low < high within {p.allowed()}", [low, high])
        return None
    if why := p.range_problem(low, high):                # a prior over start_age_hazard's gap
        bad(where, why, f"a range on one side of the gap, within {p.allowed()}", [low, high])
        return None
    return FreeParam(name, low, high, reason)


def targets_of(scenario) -> tuple[tuple, Calibration | None]:
    """The (targets, calibration) a loaded `Scenario` declares (already checked by the loader)."""
    from model.params import PARAMS

    def fail(key, message, allowed="", given=None):
        raise ValueError(f"{scenario.name}: {key}: {message}")

    return parse(scenario._data, fail, PARAMS)
