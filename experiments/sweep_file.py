"""Sweep files: reading and checking them (every problem reported at once, before any run).

A sweep file is TOML::

    name = "policy_mix"
    description = "…"            # the question, shown in the report
    scenario = "baseline"        # the base scenario (name or path)
    steps = 40                   # default: the scenario's steps
    replications = 5             # runs per design point
    seed = 0                     # replication k runs with seed + k in EVERY design point
                                 # (common random numbers), and seeds the sampler

    [design]
    method = "full_factorial"    # see experiments.design.DESIGNS
    samples = 64                 # N of the SALib sampler (sampled designs only)
    second_order = false         # sobol only
    levels = 4                   # morris: grid levels; fixed_budget: share steps + 1
    dummy = true                 # sobol/morris: add the noise-floor dummy factor (default true)
    budget = 40                  # fixed_budget: units/quarter split over `levers`
    levers = ["association", "tech_centre"]       # fixed_budget: the spending levers

    [set]                        # fixed overrides for every run
    width = 50

    [vary]                       # full_factorial, one_at_a_time, dose_response: lists or
    tech_centre = [0, 10, 20]    # {low, high, levels}; sampled designs: {low, high}
    rd_subsidy = { low = 0.0, high = 0.5, levels = 3 }

    [keep]                       # indicators kept per run
    final = "all"                # final values ("all" or a list)
    series = ["firms", "output"] # whole time series (default: none)

`load_sweep(path)` checks all of it against `model.params` and SALib's requirements and reports
every problem at once (file, key, what is allowed, what was given).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from experiments.conventions import DEFAULT_SEED
from experiments.design import ALONE, DESIGNS, SAMPLED, Factor, Sweep, design_points, indicator_names, scenario_label
from experiments.design_size import size_problem
from experiments.inputs import check_folder_name, replication_seeds_problem
from model.indicator_registry import allowed_text
from model.params import PARAMS, check_value, did_you_mean, unknown_parameter
from scenarios.loader import NOTHING as _NOTHING
from scenarios.loader import Problem, ScenarioError
from scenarios.schema import wrong_kind

_TOP_KEYS = ("name", "description", "scenario", "steps", "replications", "seed", "design", "set", "vary", "keep")
_DESIGN_KEYS = ("method", "samples", "second_order", "levels", "dummy", "budget", "levers")
_RANGE_KEYS = ("low", "high", "levels")
_LISTED = ("full_factorial", *ALONE)              # designs that take lists or ranges with levels


class SweepError(ScenarioError):
    """A sweep file (or comparison arm) that cannot be run; `problems` lists everything found, each a
    `scenarios.Problem` (file, key, message, allowed, given), written like the scenario loader's."""

    def __reduce__(self):
        return SweepError, (self.problems,)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise SweepError listing every problem."""
    from scenarios import read_toml

    path = Path(path)
    where = str(path)
    try:  # no such file, binary, BOM, malformed, too deep: each named with the file
        data = read_toml(path, "sweep")
    except ScenarioError as exc:
        raise SweepError(exc.problems) from None
    if wrong := wrong_kind(data, where, "sweep"):        # a scenario (optimise, discover) file
        raise SweepError([wrong])
    return parse_sweep(data, where, default_name=path.stem, referrer=path)


def parse_sweep(data: dict, where: str = "<sweep>", default_name: str = "sweep", referrer: Path | None = None) -> Sweep:
    """Validate a sweep given as a dict (the parsed TOML). referrer: the sweep file, from whose
    folder (or scenarios/) its `scenario` is read (`scenarios.resolve_reference`). The design's
    size is checked (experiments.design_size) before any design point is made."""
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
            scenario = load_scenario_checked(data["scenario"], where, referrer)
        except SweepError as exc:
            problems += exc.problems
    steps = _check_steps(scenario, _int(data, "steps", getattr(scenario, "steps", None), 1, bad), data, bad)
    reps = _int(data, "replications", 1, 1, bad)
    seed = _int(data, "seed", DEFAULT_SEED, 0, bad)
    if problem := replication_seeds_problem(seed, reps, f"replications = {reps}"):   # replication k: seed + k
        bad("seed", *problem, seed)
    design = _design(_table(data, "design", bad), bad)
    method = design["method"]

    fixed = {}
    for name, value in _table(data, "set", bad).items():
        checked = _check_param(f"set.{name}", name, value, bad)
        if checked is not _BAD:
            fixed[name] = checked
    factors = _factors(data, design, fixed, bad)
    if scenario is not None:
        warn_scheduled(scenario, [*fixed, *(f.name for f in factors)], where)

    keep = _table(data, "keep", bad)
    for key in keep:
        if key not in ("final", "series"):
            bad(f"keep.{key}", f"unknown key{did_you_mean(key, ('final', 'series'))}", "final, series", keep[key])
    before = len(problems)
    final = _indicators(keep, "final", "all", bad)
    series = _indicators(keep, "series", (), bad)
    if not final and not series and len(problems) == before:   # not when a bad entry was named already
        bad("keep", "keeps nothing", "indicators in keep.final and/or keep.series")
    name = _folder_name(data, default_name, bad)
    if problems:
        raise SweepError(problems)
    sw = Sweep(name=name, scenario=scenario, steps=steps, replications=reps,
               seed=seed, method=method, factors=tuple(factors), fixed=fixed, samples=design["samples"],
               second_order=design["second_order"], levels=design["levels"], final=final, series=series,
               source=where, dummy=design["dummy"], budget=design["budget"],
               description=str(data.get("description", "")))
    _check_size(sw, data, where)
    warn_infeasible(sw)
    return sw


def _design(design: dict, bad) -> dict:
    """The [design] table checked against SALib's requirements; defaults filled in."""
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
    dummy = design.get("dummy", method in ("sobol", "morris"))
    if not isinstance(dummy, bool):
        bad("design.dummy", "must be true or false", "true, false", dummy)
    elif dummy and method not in ("sobol", "morris"):
        bad("design.dummy", f"the noise-floor dummy is for sobol and morris, not {method}", "remove it", dummy)
    if method in SAMPLED and samples is None:
        bad("design.samples", f"required by the {method} design", "an integer >= 2 (the sampler's N)")
    if method in SAMPLED and samples == 1:
        bad("design.samples", f"the {method} design needs at least 2 samples (SALib cannot estimate "
            "anything from one)", "an integer >= 2", samples)
    if method == "sobol" and samples and samples & (samples - 1):
        bad("design.samples", "Sobol' sequences need a power of 2", "2, 4, 8, 16, 32, 64, ...", samples)
    if method not in SAMPLED and "samples" in design:
        bad("design.samples", f"not used by {method} (every point is run)", "remove it", samples)
    if method == "morris" and levels % 2:
        warnings.warn(f"design.levels = {levels}: Morris grids should have an even number of levels "
                      "(the jump p/(2(p − 1)) then visits every level equally; Saltelli et al. 2004)", stacklevel=4)
    budget, levers = design.get("budget"), design.get("levers")
    if method == "fixed_budget":
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0:
            bad("design.budget", "fixed_budget needs the total spending to split", "a number > 0 (units/quarter)",
                budget if budget is not None else _NOTHING)
            budget = None
        _check_levers(levers, bad)
    else:
        for key in ("budget", "levers"):
            if key in design:
                bad(f"design.{key}", "only used by the fixed_budget design", "remove it", design[key])
    return {"method": method, "samples": samples, "levels": levels, "second_order": second_order is True,
            "dummy": dummy is True, "budget": float(budget) if budget is not None else None,
            "levers": tuple(levers) if isinstance(levers, list) else ()}


def _check_levers(levers, bad) -> None:
    from experiments.design import money_levers

    SPENDING_LEVERS = money_levers()
    if not isinstance(levers, list) or len(levers) < 2:
        bad("design.levers", "fixed_budget splits the budget over at least two spending levers",
            f"a list of: {', '.join(SPENDING_LEVERS)}", levers if levers is not None else _NOTHING)
        return
    for lever in levers:
        if lever not in SPENDING_LEVERS:
            bad("design.levers", f"{lever!r} is not a spending lever (units/quarter){did_you_mean(str(lever), SPENDING_LEVERS)}",
                ", ".join(SPENDING_LEVERS), lever)
    if len(set(levers)) < len(levers):
        bad("design.levers", "a lever is named twice", "each lever once", levers)


def _factors(data, design, fixed, bad) -> list[Factor]:
    method = design["method"]
    if method == "fixed_budget":
        if "vary" in data:
            bad("vary", "fixed_budget varies the split of design.budget over design.levers", "remove [vary]")
        return [Factor(lever, values=(0.0, design["budget"] or 0.0)) for lever in design["levers"]
                if lever not in fixed]
    factors = []
    for name, spec in _table(data, "vary", bad).items():
        key = f"vary.{name}"
        if name in fixed:
            bad(key, "also given in [set]: a parameter is either fixed or varied", "one of the two", spec)
        factor = _factor(key, name, spec, method, bad)
        if factor is not None and method == "morris" and PARAMS[name].kind is int \
                and (factor.high - factor.low) % (design["levels"] - 1):
            bad(key, f"an integer parameter needs a Morris grid on integers: (high − low) = {factor.high - factor.low:g} "
                f"is not a multiple of design.levels − 1 = {design['levels'] - 1}",
                "low, high and levels with (high − low) divisible by levels − 1", spec)
        elif factor is not None:
            factors.append(factor)
    if method in SAMPLED and not factors and "vary" in data and not data["vary"]:   # else each bad one was named
        bad("vary", f"the {method} design needs at least one varied parameter", "a [vary] table")
    if method != "full_factorial" and "vary" not in data:
        bad("vary", "missing", "a [vary] table of parameters with {low, high}")
    return factors


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


def load_scenario_checked(name_or_path, where: str = "scenario", referrer: Path | None = None):
    """`scenarios.load_scenario`, its problems reported as a SweepError (a missing scenario at `where`).
    With `referrer` (the sweep file) the reference is confined like an `extends`."""
    from scenarios import load_scenario, resolve_reference

    try:
        if referrer is not None and not hasattr(name_or_path, "params"):
            name_or_path = resolve_reference(name_or_path, referrer, where, "scenario")
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
            bad(key, unknown_parameter(name, PARAMS), "a parameter of model/params.py", value)
        return _BAD


def _factor(key, name, spec, method, bad) -> Factor | None:
    if name not in PARAMS:
        bad(key, unknown_parameter(name, PARAMS), "a parameter of model/params.py", spec)
        return None
    p = PARAMS[name]
    if isinstance(spec, list):
        if method in SAMPLED:
            bad(key, f"the {method} design samples a range, not a list", "{ low = ..., high = ... }", spec)
            return None
        if not spec:
            return bad(key, "an empty list", "a non-empty list of values", spec)
        values = [_check_param(f"{key}[{i}]", name, v, bad) for i, v in enumerate(spec)]
        return None if _BAD in values else Factor(name, values=tuple(values))
    if not isinstance(spec, dict):
        return bad(key, "must be a list of values or a range", "[v1, v2, ...] or { low = ..., high = ... }", spec)
    for k in spec:
        if k not in _RANGE_KEYS:
            bad(f"{key}.{k}", f"unknown key{did_you_mean(k, _RANGE_KEYS)}", ", ".join(_RANGE_KEYS), spec[k])
    if p.kind not in (int, float):
        bad(key, "a range needs a numeric parameter", "a list of values", spec)
        return None
    if "low" not in spec or "high" not in spec:
        levels, listed = (", levels = N (a count)", ", or a list [v1, v2, ...]") if method in _LISTED else ("", "")
        bad(key, "a range needs both low and high", f"{{ low = ..., high = ...{levels} }}, low and high {p.allowed()}"
            f"{listed}", spec)
        return None
    low = _check_param(f"{key}.low", name, spec["low"], bad)
    high = _check_param(f"{key}.high", name, spec["high"], bad)
    if _BAD in (low, high):
        return None
    if not low < high:
        bad(key, "low must be below high", "low < high", spec)
        return None
    levels = spec.get("levels")
    if method in _LISTED:
        if not isinstance(levels, int) or isinstance(levels, bool) or levels < 2:
            bad(f"{key}.levels", f"{method} needs the number of evenly spaced levels of a range",
                "an integer >= 2", levels)
            return None
    elif levels is not None:
        bad(f"{key}.levels", f"not used by the {method} design", "remove it (use design.levels for morris)", levels)
    if why := p.range_problem(low, high, levels if method in _LISTED else None):    # start_age_hazard's gap
        bad(key, why, f"{p.allowed()}: a range on one side of the gap, or a list of values", spec)
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
            bad(f"keep.{key}", f"unknown indicator {name!r}{did_you_mean(str(name), names)}", allowed_text(names), name)
    return tuple(dict.fromkeys(value))


def _int(table, key, default, minimum, bad, prefix=""):
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        why = "out of range" if isinstance(value, int) and not isinstance(value, bool) else "not a whole number"
        bad(prefix + key, why, f"an integer >= {minimum}", value)
        return default if isinstance(default, int) else minimum
    return value


def _check_steps(scenario, steps, data: dict, bad):
    """`steps` checked against the largest run and the resource bounds (scenarios.check_steps)."""
    from scenarios import check_steps

    if scenario is not None and "steps" in data and isinstance(steps, int):
        try:
            check_steps(scenario, steps, "steps")
        except ScenarioError as exc:
            for p in exc.problems:
                bad("steps", p.message, p.allowed, steps)
    return steps


def _folder_name(data: dict, default_name: str, bad) -> str:
    name = str(data.get("name", default_name))
    try:
        check_folder_name(name, "name")
    except ValueError:
        bad("name", "not a safe folder name (the results go to runs/<name>)",
            "letters, digits, '.', '_', '-', not starting with '.'", data.get("name"))
    return name


def _check_size(sw: Sweep, data: dict, where: str) -> None:
    """SweepError if the design is too big to hold (experiments.design_size), before sampling."""
    too_big = size_problem(sw)
    if too_big:
        key = too_big[0]
        given = {"design.samples": sw.samples, "design.levels": sw.levels}.get(key, data.get(key))
        raise SweepError([Problem(where, key, too_big[1], "a design of fewer runs: fewer levels, samples or "
                                  "replications", given)])


def _table(data, key, bad) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        bad(key, "must be a table", f"[{key}] with key = value lines", value)
        return {}
    return value
