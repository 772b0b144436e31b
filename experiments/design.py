"""Experimental designs: the validated sweep, its design points and the runs they expand to.

Designs (`Sweep.method`):

    full_factorial    every combination of the factors' values
    one_at_a_time     a reference point (every factor at the scenario's value), then each factor
    dose_response     alone at each of its values — the same expansion under two names; with
                      levers as factors it is a dose-response design
    fixed_budget      a reference point (the levers at the scenario's values), then every split of
                      `budget` units/quarter over `levers` in shares of 1/(levels − 1)
    latin_hypercube   SALib samplers over {low, high} ranges (`samples` = N)
    sobol, morris

Common random numbers: replication k runs with seed `seed + k` at every design point, so points
differ only by their settings. With `dummy` (Sobol'/Morris) the design gets one extra factor,
the noise-floor dummy u ∈ [0, 1): it changes no parameter, only the seed (replication k at a
point with dummy value u runs with seed `noise_seed(seed + k, u)`). Points that differ only in a
real factor share u and so their seeds; the dummy's index is what seed noise alone produces —
the floor below which a factor's index means nothing.

Integer parameters are sampled as integers the same way in the design and the analysis: Sobol'
and Latin hypercube sample [low − ½, high + ½] and round (each integer equally likely); Morris
needs a grid whose levels fall on integers (checked when the file is read); the analysis uses the
values actually run (`run_values`).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from experiments.conventions import arm_label, plain
from model.params import PARAMS

DESIGNS = ("full_factorial", "one_at_a_time", "dose_response", "fixed_budget",
           "latin_hypercube", "sobol", "morris")
SAMPLED = ("latin_hypercube", "sobol", "morris")
ALONE = ("one_at_a_time", "dose_response")        # each factor alone, around a reference point
REFERENCED = (*ALONE, "fixed_budget")             # point 0 is the reference (no change)
#: Name of the noise-floor factor in SALib problems and sensitivity tables.
DUMMY = "dummy (seed noise)"


@cache
def indicator_names() -> tuple[str, ...]:
    """Columns of `ClusterModel.results()` (the indicator registry)."""
    from model.indicator_registry import NAMES

    return NAMES


def money_levers() -> tuple[str, ...]:
    """Levers whose value is money per quarter (what a fixed budget can be split over)."""
    from model.params import LEVER_SPECS

    return tuple(n for n, lv in LEVER_SPECS.items() if lv.kind == "money")


@dataclass(frozen=True)
class Factor:
    """A varied parameter: explicit values (full factorial) or a range (any design)."""

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None

    def grid(self) -> list:
        if self.values is not None:
            return list(self.values)
        return [cast(self.name, v) for v in np.linspace(self.low, self.high, self.levels)]


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file."""

    name: str
    scenario: Any                       # the loaded scenario object
    steps: int
    replications: int
    seed: int
    method: str
    factors: tuple[Factor, ...]
    fixed: dict = field(default_factory=dict)
    samples: int | None = None
    second_order: bool = False
    levels: int = 4
    final: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    source: str = ""
    dummy: bool = False
    budget: float | None = None
    description: str = ""

    @property
    def problem(self) -> dict:
        """The SALib problem: the varied factors (integers widened by ½), then the dummy if any."""
        names = [f.name for f in self.factors]
        bounds = [sample_bounds(f, self.method) for f in self.factors]
        if self.dummy:
            names, bounds = names + [DUMMY], bounds + [[0.0, 1.0]]
        return {"num_vars": len(names), "names": names, "bounds": bounds}

    def base(self, name: str):
        """A parameter's value at the reference point: [set], else the scenario's, else the default."""
        if name in self.fixed:
            return self.fixed[name]
        params = getattr(self.scenario, "params", None) or {}
        return params.get(name, PARAMS[name].default)

    def to_dict(self) -> dict:
        """Everything that determines the runs (stored with the results, checked on resume)."""
        return {
            "kind": "sweep", "name": self.name, "description": self.description,
            "scenario": scenario_label(self.scenario),
            "scenario_params": plain(self.scenario.params),
            "scenario_schedule": plain(self.scenario.schedule),
            "steps": self.steps, "replications": self.replications, "seed": self.seed,
            "method": self.method, "samples": self.samples, "second_order": self.second_order,
            "levels": self.levels, "dummy": self.dummy, "budget": self.budget, "fixed": plain(self.fixed),
            "factors": [plain(f.__dict__) for f in self.factors],
            "reference": {f.name: plain(self.base(f.name)) for f in self.factors},
            "final": list(self.final), "series": list(self.series),
        }


@dataclass(frozen=True)
class RunSpec:
    """One run: a scenario with overrides, a seed and a length. Picklable; built in the parent."""

    run_id: str
    point: int
    rep: int
    seed: int
    steps: int
    scenario: Any
    overrides: dict
    params: dict                        # what distinguishes this design point (for tables)
    final: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    arm: str | None = None
    stream_offset: int = 0              # draws discarded from the model's generator before quarter 1 (sham arm)

    def record(self) -> dict:
        """JSON-able identity of the run, as written to the manifest."""
        rec = {"run_id": self.run_id, "point": self.point, "rep": self.rep, "seed": self.seed,
               "steps": self.steps, "scenario": scenario_label(self.scenario),
               "params": plain(self.params)}
        if self.arm is not None:
            rec["arm"] = self.arm
        if self.stream_offset:
            rec["stream_offset"] = self.stream_offset
        return rec

    def columns(self) -> dict:
        """Per-run columns of the stored Parquet file: arm, point, rep, seed and the point's parameters
        (lists and tables as JSON text)."""
        cols = {"point": self.point, "rep": self.rep, "seed": self.seed}
        if self.arm is not None:
            cols["arm"] = self.arm
        for name, value in plain(self.params).items():
            cols[name] = value if isinstance(value, (bool, int, float, str)) else json.dumps(value)
        return cols


# --- the design -----------------------------------------------------------------------------
def sample_bounds(f: Factor, method: str) -> list[float]:
    """Sampler bounds of a factor: integers get [low − ½, high + ½] (rounded to uniform integers)."""
    if PARAMS[f.name].kind is int and method in ("sobol", "latin_hypercube"):
        return [f.low - 0.5, f.high + 0.5]
    return [f.low, f.high]


def design_matrix(sw: Sweep) -> np.ndarray:
    """The sampler's raw matrix X (one row per design point; the dummy is the last column)."""
    from SALib.sample import latin, morris, sobol

    if sw.method == "sobol":
        return sobol.sample(sw.problem, sw.samples, calc_second_order=sw.second_order, seed=sw.seed)
    if sw.method == "morris":
        return morris.sample(sw.problem, sw.samples, num_levels=sw.levels, seed=sw.seed)
    if sw.method == "latin_hypercube":
        return latin.sample(sw.problem, sw.samples, seed=sw.seed)
    raise ValueError(f"{sw.method!r} is not a sampled design")


def run_values(sw: Sweep) -> np.ndarray:
    """X as run: integers rounded, values clipped to the parameter's range (dummy unchanged)."""
    X = np.array(design_matrix(sw), dtype=float)
    for j, f in enumerate(sw.factors):
        X[:, j] = [cast(f.name, x) for x in X[:, j]]
    return X


def design_points(sw: Sweep) -> list[dict]:
    """The design: one dict of varied parameter values per point (the dummy is not a parameter)."""
    names = [f.name for f in sw.factors]
    if sw.method == "full_factorial":
        return [dict(zip(names, combo)) for combo in itertools.product(*(f.grid() for f in sw.factors))]
    if sw.method in ALONE:
        reference = {n: sw.base(n) for n in names}
        return [reference] + [{**reference, f.name: v} for f in sw.factors for v in f.grid()
                              if v != reference[f.name]]
    if sw.method == "fixed_budget":
        return [{n: sw.base(n) for n in names}] + allocations(names, sw.budget, sw.levels)
    return [{n: cast(n, x) for n, x in zip(names, row)} for row in design_matrix(sw)]


def allocations(levers: list[str], budget: float, levels: int) -> list[dict]:
    """Every split of `budget` over `levers` in shares k/(levels − 1) (Σ shares = 1)."""
    steps = levels - 1
    splits = [c for c in itertools.product(range(steps + 1), repeat=len(levers)) if sum(c) == steps]
    return [{lever: budget * k / steps for lever, k in zip(levers, split)} for split in sorted(splits, reverse=True)]


def noise_seed(seed: int, u: float) -> int:
    """The seed of a run whose noise-floor dummy is u ∈ [0, 1) (a 31-bit integer from both)."""
    state = np.random.SeedSequence([int(seed), int(round(float(u) * 2**32))]).generate_state(1)[0]
    return int(state) >> 1


def run_specs(sw: Sweep) -> list[RunSpec]:
    """Every run of the sweep; replication k has seed `seed + k` at every point (CRN)."""
    points = design_points(sw)
    dummies = design_matrix(sw)[:, -1] if sw.dummy else None
    name = scenario_label(sw.scenario)
    pw, rw = len(str(max(len(points) - 1, 0))), len(str(max(sw.replications - 1, 0)))
    specs = []
    for i, point in enumerate(points):
        changes = ({k: v for k, v in point.items() if v != sw.base(k)} if sw.method in REFERENCED else point)
        for k in range(sw.replications):
            seed = sw.seed + k if dummies is None else noise_seed(sw.seed + k, dummies[i])
            specs.append(RunSpec(run_id=f"p{i:0{pw}d}-r{k:0{rw}d}", point=i, rep=k, seed=seed, steps=sw.steps,
                                 scenario=sw.scenario, overrides={**sw.fixed, **point}, params=point,
                                 final=sw.final, series=sw.series, arm=arm_label(name, changes)))
    return specs


# --- helpers --------------------------------------------------------------------------------
def scenario_label(scenario) -> str:
    return str(getattr(scenario, "name", scenario))


def cast(name, x):
    """A sampled number as the parameter's type (integers rounded), kept inside its range."""
    p = PARAMS[name]
    if p.kind is int:
        return int(min(max(round(float(x)), p.low), p.high))
    return min(max(float(x), p.low), p.high)


