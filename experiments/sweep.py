"""Sweep files: which parameters to vary, how (the design), and the run specs they expand to.

A sweep file is TOML::

    scenario = "baseline"        # the base scenario (name or path)
    steps = 40                   # default: the scenario's steps
    replications = 5             # runs per design point
    seed = 1                     # replication k runs with seed + k in EVERY design point
                                 # (common random numbers), and seeds the sampler

    [design]
    method = "full_factorial"    # full_factorial | latin_hypercube | sobol | morris
    samples = 64                 # N of the SALib sampler (not for full_factorial)
    second_order = false         # sobol only
    levels = 4                   # morris only: grid levels

    [set]                        # fixed overrides for every run
    width = 50

    [vary]                       # full_factorial: lists, or {low, high, levels}
    tech_centre = [0, 10, 20]    # sampled designs: {low, high}
    rd_subsidy = { low = 0.0, high = 0.5, levels = 3 }

    [keep]                       # indicators kept per run
    final = "all"                # final values ("all" or a list)
    series = ["firms", "output"] # whole time series (default: none)

`load_sweep(path)` checks all of it against `model.params` and reports every problem at once
(file, key, what is allowed, what was given). `sweep(path, ...)` runs it into a results folder.
"""

from __future__ import annotations

import itertools
import json
import tomllib
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from model.params import PARAMS, check_value, did_you_mean
from scenarios.loader import _NOTHING, Problem, ScenarioError

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris")
SAMPLED = ("latin_hypercube", "sobol", "morris")


@cache
def indicator_names() -> tuple[str, ...]:
    """Columns of `ClusterModel.results()`: the model's indicators and spending per paid lever."""
    from model.indicator_registry import NAMES

    return NAMES


def __getattr__(name):  # INDICATORS is computed on first use: importing the model loads Mesa
    if name == "INDICATORS":
        return indicator_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_TOP_KEYS = ("name", "description", "scenario", "steps", "replications", "seed",
             "design", "set", "vary", "keep")
_DESIGN_KEYS = ("method", "samples", "second_order", "levels")
_RANGE_KEYS = ("low", "high", "levels")


# --- errors ---------------------------------------------------------------------------------
class SweepError(ScenarioError):
    """A sweep file (or comparison arm) that cannot be run; `problems` lists everything found,
    each a `scenarios.Problem` (file, key, message, allowed, given), written like the scenario
    loader's."""

    def __reduce__(self):
        return SweepError, (self.problems,)


# --- the sweep and its run specs ------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """A varied parameter: explicit values (full factorial) or a range (any design)."""

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None

    def grid(self) -> list:
        import numpy as np

        if self.values is not None:
            return list(self.values)
        return [_cast(self.name, v) for v in np.linspace(self.low, self.high, self.levels)]


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

    @property
    def problem(self) -> dict:
        """The SALib problem of the varied factors."""
        return {"num_vars": len(self.factors), "names": [f.name for f in self.factors],
                "bounds": [[f.low, f.high] for f in self.factors]}

    def to_dict(self) -> dict:
        """Everything that determines the runs (stored with the results, checked on resume)."""
        return {
            "kind": "sweep", "name": self.name, "scenario": scenario_label(self.scenario),
            "scenario_params": _plain(self.scenario.params),
            "scenario_schedule": _plain(self.scenario.schedule),
            "steps": self.steps, "replications": self.replications, "seed": self.seed,
            "method": self.method, "samples": self.samples, "second_order": self.second_order,
            "levels": self.levels, "fixed": _plain(self.fixed),
            "factors": [_plain(f.__dict__) for f in self.factors],
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

    def record(self) -> dict:
        """JSON-able identity of the run, as written to the manifest."""
        rec = {"run_id": self.run_id, "point": self.point, "rep": self.rep, "seed": self.seed,
               "steps": self.steps, "scenario": scenario_label(self.scenario),
               "params": _plain(self.params)}
        if self.arm is not None:
            rec["arm"] = self.arm
        return rec


def design_matrix(sw: Sweep):
    """The sampler's raw matrix X (one row per design point) for a sampled design."""
    from SALib.sample import latin, morris, sobol

    if sw.method == "sobol":
        return sobol.sample(sw.problem, sw.samples, calc_second_order=sw.second_order, seed=sw.seed)
    if sw.method == "morris":
        return morris.sample(sw.problem, sw.samples, num_levels=sw.levels, seed=sw.seed)
    if sw.method == "latin_hypercube":
        return latin.sample(sw.problem, sw.samples, seed=sw.seed)
    raise ValueError(f"{sw.method!r} is not a sampled design")


def design_points(sw: Sweep) -> list[dict]:
    """The design: one dict of varied parameter values per point."""
    names = [f.name for f in sw.factors]
    if sw.method == "full_factorial":
        return [dict(zip(names, combo)) for combo in itertools.product(*(f.grid() for f in sw.factors))]
    return [{n: _cast(n, x) for n, x in zip(names, row)} for row in design_matrix(sw)]


def run_specs(sw: Sweep) -> list[RunSpec]:
    """Every run of the sweep; replication k has seed `seed + k` at every point (CRN)."""
    points = design_points(sw)
    pw, rw = len(str(max(len(points) - 1, 0))), len(str(max(sw.replications - 1, 0)))
    return [
        RunSpec(run_id=f"p{i:0{pw}d}-r{k:0{rw}d}", point=i, rep=k, seed=sw.seed + k, steps=sw.steps,
                scenario=sw.scenario, overrides={**sw.fixed, **point}, params=point,
                final=sw.final, series=sw.series)
        for i, point in enumerate(points) for k in range(sw.replications)
    ]


# --- loading and validation -----------------------------------------------------------------
def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise SweepError listing every problem."""
    path = Path(path)
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError([Problem(where, "(file)", "no such file")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SweepError([Problem(where, "(file)", f"not valid TOML: {exc}")]) from None
    return parse_sweep(data, where, default_name=path.stem)


def parse_sweep(data: dict, where: str = "<sweep>", default_name: str = "sweep") -> Sweep:
    """Validate a sweep given as a dict (the parsed TOML)."""
    problems: list[Problem] = []

    def bad(key, message, allowed="", given=_NOTHING):
        problems.append(Problem(where, key, message, allowed, given))

    for key in data:
        if key not in _TOP_KEYS:
            bad(key, f"unknown key{did_you_mean(key, _TOP_KEYS)}", ", ".join(_TOP_KEYS), data[key])

    scenario = None
    if "scenario" not in data:
        bad("scenario", "missing", "a scenario name (see scenarios/) or a path to a scenario file")
    else:
        try:
            scenario = load_scenario_checked(data["scenario"], where)
        except SweepError as exc:
            problems += exc.problems

    steps = _int(data, "steps", getattr(scenario, "steps", None), 1, bad)
    reps = _int(data, "replications", 1, 1, bad)
    seed = _int(data, "seed", 1, 0, bad)

    design = _table(data, "design", bad)
    for key in design:
        if key not in _DESIGN_KEYS:
            bad(f"design.{key}", f"unknown key{did_you_mean(key, _DESIGN_KEYS)}", ", ".join(_DESIGN_KEYS), design[key])
    method = design.get("method", "full_factorial")
    if method not in DESIGNS:
        bad("design.method", f"unknown design{did_you_mean(str(method), DESIGNS)}", ", ".join(DESIGNS), method)
    samples = _int(design, "samples", None, 1, bad, prefix="design.")
    levels = _int(design, "levels", 4, 2, bad, prefix="design.")
    second_order = design.get("second_order", False)
    if not isinstance(second_order, bool):
        bad("design.second_order", "must be true or false", "true, false", second_order)
    if method in SAMPLED and samples is None:
        bad("design.samples", f"required by the {method} design", "an integer >= 1 (the sampler's N)")
    if method == "sobol" and samples and samples & (samples - 1):
        bad("design.samples", "Sobol' sequences need a power of 2", "2, 4, 8, 16, 32, 64, ...", samples)
    if method == "full_factorial" and "samples" in design:
        bad("design.samples", "not used by full_factorial (every combination is run)", "remove it", samples)

    fixed = {}
    for name, value in _table(data, "set", bad).items():
        checked = _check_param(f"set.{name}", name, value, bad)
        if checked is not _BAD:
            fixed[name] = checked

    factors = []
    for name, spec in _table(data, "vary", bad).items():
        key = f"vary.{name}"
        if name in fixed:
            bad(key, "also given in [set]: a parameter is either fixed or varied", "one of the two", spec)
        factor = _factor(key, name, spec, method, bad)
        if factor is not None:
            factors.append(factor)
    if method in SAMPLED and not factors and "vary" in data:
        bad("vary", f"the {method} design needs at least one varied parameter", "a [vary] table")
    if method in SAMPLED and "vary" not in data:
        bad("vary", "missing", "a [vary] table of parameters with {low, high}")

    if scenario is not None:
        warn_scheduled(scenario, [*fixed, *(f.name for f in factors)], where)

    keep = _table(data, "keep", bad)
    for key in keep:
        if key not in ("final", "series"):
            bad(f"keep.{key}", f"unknown key{did_you_mean(key, ('final', 'series'))}", "final, series", keep[key])
    final = _indicators(keep, "final", "all", bad)
    series = _indicators(keep, "series", (), bad)
    if not final and not series:
        bad("keep", "keeps nothing", "indicators in keep.final and/or keep.series")

    if problems:
        raise SweepError(problems)
    sw = Sweep(
        name=str(data.get("name", default_name)), scenario=scenario, steps=steps, replications=reps,
        seed=seed, method=method, factors=tuple(factors), fixed=fixed, samples=samples,
        second_order=second_order, levels=levels, final=final, series=series, source=where,
    )
    warn_infeasible(sw)
    return sw


def warn_infeasible(sw: Sweep) -> None:
    """Warn about design points that break a joint rule of the model (e.g. labour_share +
    capital_share < 1). Each value is allowed on its own, so the sweep runs; those runs fail
    when the model is built and are recorded as failed."""
    from model.params import resolve_params

    bad = {}
    for i, point in enumerate(design_points(sw)):
        try:
            resolve_params({**sw.scenario.params, **sw.fixed, **point})
        except ValueError as exc:
            bad.setdefault(str(exc), []).append(i)
    for reason, points in bad.items():
        warnings.warn(f"{sw.source}: {len(points)} design point(s) (e.g. {points[:3]}) will fail: {reason}",
                      stacklevel=3)


def load_scenario_checked(name_or_path, where: str = "scenario"):
    """`scenarios.load_scenario`, its problems reported as a SweepError (a missing scenario at `where`)."""
    from scenarios import load_scenario

    try:
        return load_scenario(name_or_path)
    except ScenarioError as exc:
        problems = []
        for p in exc.problems:
            if p.file == str(name_or_path) and not p.key:                  # no such scenario
                problems.append(Problem(where, "scenario", p.message, p.allowed, name_or_path))
            else:
                problems.append(p)
        raise SweepError(problems) from None


def warn_scheduled(scenario, names, where: str) -> None:
    """Warn when a set or varied lever is also changed by the scenario's policy schedule."""
    for name in names:
        steps = [int(step) for step, lever, _ in scenario.schedule if lever == name]
        if steps:
            warnings.warn(f"{where}: {name} sets only the initial value; scenario {scenario_label(scenario)!r} "
                          f"changes it at step(s) {', '.join(map(str, steps))}", stacklevel=3)


def scenario_label(scenario) -> str:
    return str(getattr(scenario, "name", scenario))


# --- helpers --------------------------------------------------------------------------------
_BAD = object()


def _check_param(key, name, value, bad):
    """`value` checked against model.params, or _BAD after reporting why."""
    try:
        return check_value(name, value)
    except ValueError:
        if name in PARAMS:
            bad(key, f"value not allowed for {name!r}", PARAMS[name].allowed(), value)
        else:
            bad(key, f"unknown parameter{did_you_mean(name, PARAMS)}", "a parameter of model/params.py", value)
        return _BAD


def _factor(key, name, spec, method, bad) -> Factor | None:
    if name not in PARAMS:
        bad(key, f"unknown parameter{did_you_mean(name, PARAMS)}", "a parameter of model/params.py", spec)
        return None
    p = PARAMS[name]
    if isinstance(spec, list):
        if method in SAMPLED:
            bad(key, f"the {method} design samples a range, not a list", "{ low = ..., high = ... }", spec)
            return None
        if not spec:
            bad(key, "an empty list", "a non-empty list of values", spec)
            return None
        values = [_check_param(f"{key}[{i}]", name, v, bad) for i, v in enumerate(spec)]
        return None if _BAD in values else Factor(name, values=tuple(values))
    if not isinstance(spec, dict):
        bad(key, "must be a list of values or a range", "[v1, v2, ...] or { low = ..., high = ... }", spec)
        return None
    for k in spec:
        if k not in _RANGE_KEYS:
            bad(f"{key}.{k}", f"unknown key{did_you_mean(k, _RANGE_KEYS)}", ", ".join(_RANGE_KEYS), spec[k])
    if p.kind not in (int, float):
        bad(key, "a range needs a numeric parameter", "a list of values", spec)
        return None
    if "low" not in spec or "high" not in spec:
        bad(key, "a range needs both low and high", p.allowed(), spec)
        return None
    low = _check_param(f"{key}.low", name, spec["low"], bad)
    high = _check_param(f"{key}.high", name, spec["high"], bad)
    if _BAD in (low, high):
        return None
    if not low < high:
        bad(key, "low must be below high", "low < high", spec)
        return None
    levels = spec.get("levels")
    if method == "full_factorial":
        if not isinstance(levels, int) or isinstance(levels, bool) or levels < 2:
            bad(f"{key}.levels", "full_factorial needs the number of evenly spaced levels of a range",
                "an integer >= 2", levels)
            return None
    elif levels is not None:
        bad(f"{key}.levels", f"not used by the {method} design", "remove it (use design.levels for morris)", levels)
    return Factor(name, low=float(low), high=float(high), levels=levels)


def _indicators(keep, key, default, bad) -> tuple[str, ...]:
    value = keep.get(key, default)
    names = indicator_names()
    if value == "all":
        return names
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        bad(f"keep.{key}", "must be \"all\" or a list of indicator names", "\"all\", or names like "
            "\"firms\", \"output\"", value)
        return ()
    for name in value:
        if name not in names:
            bad(f"keep.{key}", f"unknown indicator {name!r}{did_you_mean(str(name), names)}",
                ", ".join(names), name)
    return tuple(dict.fromkeys(value))


def _int(table, key, default, minimum, bad, prefix=""):
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        bad(prefix + key, "must be a whole number", f"an integer >= {minimum}", value)
        return default if isinstance(default, int) else minimum
    return value


def _table(data, key, bad) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        bad(key, "must be a table", f"[{key}] with key = value lines", value)
        return {}
    return value


def _cast(name, x):
    """A sampled number as the parameter's type (integers rounded), kept inside its range."""
    p = PARAMS[name]
    x = min(max(float(x), p.low), p.high)
    return int(round(x)) if p.kind is int else x


def _plain(obj):
    """JSON round-trip: tuples → lists, numpy scalars → numbers (for storing and comparing)."""
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def sweep(path_or_sweep, out=None, *, workers=None, executor="local", address=None, resume=False,
          progress=True):
    """Run a sweep file into a results folder (default `runs/<name>`); return the BatchReport.

    executor: "local" (process pool of `workers`, default all cores), "serial", "dask" (the
    scheduler at `address`, or a LocalCluster of `workers`), or an executor object.
    resume: run only the runs the folder does not hold yet.
    """
    from experiments.executors import opened, run_batch

    sw = path_or_sweep if isinstance(path_or_sweep, Sweep) else load_sweep(path_or_sweep)
    out = Path(out) if out else Path("runs") / sw.name
    with opened(executor, workers=workers, address=address) as ex:
        return run_batch(run_specs(sw), out, ex, plan=sw.to_dict(), resume=resume, progress=progress)
