"""The declarations behind model/params.py: a parameter (`Param`), how a policy lever acts
(`Lever`), the source labels, and the "did you mean" helper of every error message."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

SOURCE_SEEDS = "seeds"          # a figure or relation taken from the source documents
SOURCE_LIT = "literature"       # a conventional value from the economics literature
SOURCE_CAL = "calibration"      # chosen so the baseline runs in a plausible regime


LEVER_KINDS = ("tax", "rate", "money", "programme", "setting")


@dataclass(frozen=True)
class Lever:
    """How a policy parameter acts: what it costs the government, and the mechanism it feeds.

    kind       "tax": shapes revenue, costs nothing (tax_rate, tax_holiday);
               "rate": the government pays value × `base`, an account of last quarter
                       (`grossed`: the base itself rises to base / (1 − value), as R&D does
                       when it gets cheaper);
               "money": the government pays the value, in units per quarter;
               "programme": a level 0–1 whose running cost is value × params[`cost`];
               "setting": steers another lever's money, costs nothing.
    mechanism  dotted name of the function through which the lever acts (tested to resolve).
    """

    kind: str
    mechanism: str
    base: str | None = None
    cost: str | None = None
    grossed: bool = False

    def __post_init__(self):
        if self.kind not in LEVER_KINDS:
            raise ValueError(f"lever kind must be one of {LEVER_KINDS}, got {self.kind!r}")
        if (self.kind == "rate") != (self.base is not None) or (self.kind == "programme") != (self.cost is not None):
            raise ValueError(f"a {self.kind} lever needs {'a base' if self.kind == 'rate' else 'a cost'}")

    @property
    def paid(self) -> bool:
        """True if the government pays for this lever out of its budget."""
        return self.kind in ("rate", "money", "programme")

    def ask(self, value: float, bases: dict, params: dict) -> float:
        """Money (units) this lever asks for this quarter at `value`, before any budget cut.

        `bases`: last quarter's cost bases (units), keyed by `base`. Raises KeyError for a
        rate lever whose base is not among them."""
        if self.kind == "money":
            return value
        if self.kind == "rate":
            if self.grossed:
                return value / (1.0 - value) * bases[self.base]
            return value * bases[self.base]
        if self.kind == "programme":
            return value * params[self.cost]
        return 0.0


@dataclass(frozen=True)
class Param:
    """One parameter: name, default, unit, allowed range or choices, meaning, section, source of
    the default, and — for a policy lever — its `Lever` declaration. `least_on`: for a mechanism
    that is off at `low` = 0 and has no finite model just above it, the least value that switches it
    on; values in the open gap (0, least_on) are refused (the allowed set is {0} ∪ [least_on, high])."""
    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    meaning: str
    section: str
    source: str = SOURCE_CAL
    choices: tuple | None = None
    lever: Lever | None = None
    least_on: float | None = None

    @property
    def kind(self) -> type:
        """The Python type a value must have: str (choices), bool, list, int or float."""
        if self.choices is not None:
            return str
        if isinstance(self.default, bool):
            return bool
        if isinstance(self.default, (list, tuple)):
            return list
        return type(self.default)

    def allowed(self) -> str:
        """What values are allowed, in words (for error messages)."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is list:
            return "a list (see docs/ODD.md)"
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        if self.least_on is not None:
            return f"{self.low:g} (off) or {kind} in [{self.least_on:g}, {self.high}]"
        return f"{kind} in [{self.low}, {self.high}]"

    def admits(self, value: float) -> bool:
        """Whether a number within [low, high] is allowed: False only inside the gap (low, least_on)."""
        return self.least_on is None or not self.low < value < self.least_on

    def admits_range(self, low: float, high: float) -> bool:
        """Whether every value of [low, high] is allowed (a sweep's or a prior's range): within
        [self.low, self.high] and not reaching into the gap (low, least_on)."""
        inside = (self.low is None or low >= self.low) and (self.high is None or high <= self.high)
        return inside and (self.least_on is None or high <= self.low or low >= self.least_on)

    def range_problem(self, low: float, high: float, levels=None) -> str | None:
        """Why a design over [low, high] (within [self.low, self.high]) could ask for a refused value,
        or None: one of its `levels` evenly spaced values (numpy.linspace, as experiments.design makes
        them) in the gap (low, least_on), or, sampled (levels None), a range reaching into it."""
        if self.least_on is None:
            return None
        gap = f"the refused gap ({self.low:g}, {self.least_on:g}), where {self.name} is on but has no model"
        if isinstance(levels, int) and not isinstance(levels, bool) and levels >= 2:
            import numpy as np

            inside = [float(v) for v in np.linspace(low, high, levels) if not self.admits(float(v))]
            return f"level {inside[0]:g} falls in {gap}" if inside else None
        return None if self.admits_range(low, high) else f"a sampled range reaching into {gap}"


def did_you_mean(name: str, options) -> str:
    """' (did you mean …?)' with the closest of `options` to `name`, or '' if none is close; case
    is ignored (`BASELINE` → 'baseline', `Tech_Centre` → 'tech_centre'). A name of 3 or more
    characters that begins exactly one option is taken as its abbreviation ('brand' →
    'brand_promotion' among the levers, 'entre' → 'entrepreneurship'), before difflib's closest."""
    lowered = {str(o).lower(): o for o in options}
    begun = [o for o in lowered if o.startswith(str(name).lower()) and o != str(name).lower()]
    close = begun if len(begun) == 1 and len(str(name)) >= 3 else \
        difflib.get_close_matches(str(name).lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


#: names taken for parameters that are settings of a run, not of the model: name -> where they go
RUN_SETTINGS = {"steps": "the run length: --steps N, `steps` in a sweep file, [run] steps in a scenario",
                "seed": "the random seed: --seed S, `seed` in a sweep file",
                "reps": "replications: --reps R, `replications` in a sweep file",
                "replications": "replications: --reps R, `replications` in a sweep file"}


def unknown_parameter(name: str, params) -> str:
    """"unknown parameter" with a hint: the closest of `params`, or where a run setting goes."""
    if name in RUN_SETTINGS:
        return f"not a parameter ({name} is {RUN_SETTINGS[name]})"
    return f"unknown parameter{did_you_mean(name, params)}"


def declare(section, name, default, unit, low, high, meaning, source=SOURCE_CAL, choices=None, least_on=None):
    """A `Param` of `section` (the one-line form of the tables in model/params.py)."""
    return Param(name, default, unit, low, high, meaning, section, source, choices, least_on=least_on)


def declare_lever(name, default, unit, low, high, meaning, lever: Lever, source=SOURCE_CAL):
    """A policy parameter with its `Lever` declaration (section "policy")."""
    return Param(name, default, unit, low, high, meaning, "policy", source, lever=lever)


def declare_money(name, meaning, mechanism: str, source=SOURCE_CAL):
    """A money lever: units per quarter, default 0, up to 1e9, acting through `mechanism`."""
    return declare_lever(name, 0.0, "units/quarter", 0.0, 1e9, meaning, Lever("money", mechanism), source)
