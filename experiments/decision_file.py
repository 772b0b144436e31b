"""The files of `clusterlab optimise` and `clusterlab discover` (TOML), checked before anything runs.

An optimisation file (example: experiments/examples/hunan_cheapest_mix.toml) names a scenario,
`steps`, `replications` (common random numbers: seeds seed..seed+R−1 for every point), `seed`
(also of the search), `check_replications` (fresh seeds for the out-of-sample check), [search]
(algorithm nsga2|nsga3, population, generations, random_search), [set] (fixed overrides),
[levers] (name = { low, high, step, start = [a, b], duration = [a, b] }: a level rounded to
`step`, optionally switched on at a quarter in `start` and off after `duration` quarters),
[[objectives]] (indicator, how, quarter, sense = max|min), [[constraints]] (indicator, how,
quarter, op = ">="|"<=", bound) and `choose` (the objective on which the reported mix is best).

A discovery file (example: experiments/examples/hunan_discovery.toml) names a `store` (a sweep's
results folder), optionally the `sweep` file that fills it, [[success]] conditions (all must
hold), [prim] (threshold, peel_alpha, paste_alpha, mass_min, boxes) and [scoring] (outcomes: a
list of measures scored against every varied input; seed).

Every problem is reported at once (file, key, what is allowed, what was given) as a DecisionFileError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.inputs import SEED_MAX, replication_seeds_problem
from experiments.measures import HOWS, OPS, Condition, Measure
from model.indicator_registry import allowed_text
from model.params import LEVERS, PARAMS, check_value, did_you_mean
from scenarios import Problem, ScenarioError, read_toml
from scenarios.schema import wrong_kind

ALGORITHMS = ("nsga2", "nsga3")
CHECK_OFFSET = 10_000          # out-of-sample seeds: seed + CHECK_OFFSET + k, never used by the search
SENSES = ("max", "min")
_OPT_KEYS = ("name", "description", "scenario", "steps", "replications", "seed", "check_replications",
             "search", "set", "levers", "objectives", "constraints", "choose")
_DISC_KEYS = ("name", "description", "store", "sweep", "success", "prim", "scoring")
_LEVER_KEYS = ("low", "high", "step", "start", "duration")
_MEASURE_KEYS = ("indicator", "how", "quarter")


class DecisionFileError(ScenarioError):
    """An optimisation or discovery file that cannot be used; `problems` lists everything found."""

    def __reduce__(self):
        return DecisionFileError, (self.problems,)


@dataclass(frozen=True)
class Lever:
    """A decision variable: a lever's level and, optionally, when it starts and how long it lasts."""

    name: str
    low: float
    high: float
    step: float | None = None
    start: tuple[int, int] | None = None
    duration: tuple[int, int] | None = None


@dataclass(frozen=True)
class Objective:
    measure: Measure
    sense: str                                   # "max" or "min"

    @property
    def label(self) -> str:
        return self.measure.label


@dataclass(frozen=True)
class OptimiseSpec:
    name: str
    scenario: Any
    steps: int
    replications: int
    seed: int
    check_replications: int
    algorithm: str
    population: int
    generations: int
    random_search: bool
    fixed: dict
    levers: tuple[Lever, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Condition, ...]
    choose: str | None
    source: str = ""


@dataclass(frozen=True)
class DiscoverSpec:
    name: str
    store: Path
    sweep: Path | None
    success: tuple[Condition, ...]
    threshold: float
    peel_alpha: float
    paste_alpha: float
    mass_min: float
    boxes: int
    outcomes: tuple[Measure, ...]
    seed: int
    source: str = ""


class _Checker:
    def __init__(self, where: str):
        self.where, self.problems = where, []

    def bad(self, key, message, allowed="", *given):
        self.problems.append(Problem(self.where, key, message, allowed, *given))

    def unknown(self, table: dict, allowed, prefix=""):
        for key in table:
            if key not in allowed:
                self.bad(prefix + key, f"unknown key{did_you_mean(key, allowed)}", ", ".join(allowed), table[key])

    def integer(self, table, key, default, low, high=None, prefix=""):
        value = table.get(key, default)
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)
        if not ok:
            why = "out of range" if isinstance(value, int) and not isinstance(value, bool) else "not a whole number"
            self.bad(prefix + key, why, f"an integer in [{low}, {high if high else '…'}]", value)
            return default if isinstance(default, int) else low
        return value

    def number(self, table, key, default, low, high, prefix=""):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.bad(prefix + key, "must be a number", f"a number in [{low:g}, {high:g}]", value)
            return default
        return float(value)

    def table(self, data, key) -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.bad(key, "must be a table", f"[{key}] with key = value lines", value)
            return {}
        return value

    def tables(self, data, key) -> list:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.bad(key, "must be a list of tables", f"[[{key}]] entries", value)
            return []
        return value

    def raise_if_any(self):
        if self.problems:
            raise DecisionFileError(self.problems)


def _read(path) -> tuple[dict, str]:
    """The file through the one hardened TOML reader (no such file, binary, byte-order mark,
    size, nesting depth, malformed: each named with the file), as the sweep files are read."""
    path = Path(path)
    try:
        return read_toml(path, "decision"), str(path)
    except ScenarioError as exc:
        raise DecisionFileError(exc.problems) from None


def _measure(check: _Checker, entry: dict, key: str, steps: int | None, names) -> Measure | None:
    indicator, how, quarter = entry.get("indicator"), entry.get("how", "value"), entry.get("quarter")
    ok = True
    if indicator not in names:
        check.bad(f"{key}.indicator", f"unknown indicator {indicator!r}{did_you_mean(str(indicator), names)}",
                  allowed_text(names), indicator)
        ok = False
    if how not in HOWS:
        check.bad(f"{key}.how", "unknown summary", ", ".join(HOWS), how)
        ok = False
    if quarter is not None:
        limit = steps if steps else 10**6
        if isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= limit:
            check.bad(f"{key}.quarter", "must be a quarter of the run", f"an integer in [1, {limit}]", quarter)
            ok = False
    return Measure(indicator, how, quarter) if ok else None


def _condition(check: _Checker, entry: dict, key: str, steps, names) -> Condition | None:
    check.unknown(entry, (*_MEASURE_KEYS, "op", "bound"), key + ".")
    measure = _measure(check, entry, key, steps, names)
    op, bound = entry.get("op"), entry.get("bound")
    if op not in OPS:
        check.bad(f"{key}.op", "unknown comparison", '">=" or "<="', op)
    if isinstance(bound, bool) or not isinstance(bound, (int, float)):
        check.bad(f"{key}.bound", "must be a number", "a number", bound)
        return None
    return Condition(measure, op, float(bound)) if measure and op in OPS else None


def _indicator_names():
    from experiments.design import indicator_names

    return indicator_names()


# --- optimise ---------------------------------------------------------------------------------
def load_optimise(path) -> OptimiseSpec:
    """Read and check an optimisation file; raise DecisionFileError listing every problem."""
    data, where = _read(path)
    if wrong := wrong_kind(data, where, "optimise"):     # a sweep (scenario, discover) file
        raise DecisionFileError([wrong])
    return parse_optimise(data, where, Path(path).stem)


def parse_optimise(data: dict, where: str = "<optimise>", default_name: str = "optimise") -> OptimiseSpec:
    from experiments.sweep import SweepError, load_scenario_checked

    check = _Checker(where)
    check.unknown(data, _OPT_KEYS)
    scenario = None
    if "scenario" not in data:
        check.bad("scenario", "missing", "a scenario name (see scenarios/) or a path to a scenario file")
    else:
        try:
            scenario = load_scenario_checked(data["scenario"], where)
        except SweepError as exc:
            check.problems += exc.problems
    steps = check.integer(data, "steps", getattr(scenario, "steps", 1), 1, getattr(scenario, "steps", None))
    search = check.table(data, "search")
    check.unknown(search, ("algorithm", "population", "generations", "random_search"), "search.")
    algorithm = search.get("algorithm", "nsga2")
    if algorithm not in ALGORITHMS:
        check.bad("search.algorithm", f"unknown algorithm{did_you_mean(str(algorithm), ALGORITHMS)}",
                  ", ".join(ALGORITHMS), algorithm)
    random_search = search.get("random_search", True)
    if not isinstance(random_search, bool):
        check.bad("search.random_search", "must be true or false", "true, false", random_search)
    names = _indicator_names()
    fixed = _fixed(check, check.table(data, "set"))
    levers = _levers(check, check.table(data, "levers"), scenario, fixed, steps)
    given = check.tables(data, "objectives")
    objectives = _objectives(check, given, steps, names)
    constraints = tuple(c for i, e in enumerate(check.tables(data, "constraints"))
                        if (c := _condition(check, e, f"constraints[{i}]", steps, names)))
    choose = data.get("choose")
    labels = [o.label for o in objectives]
    if choose is not None and choose not in labels and len(labels) == len(given):   # else: said above
        check.bad("choose", "not one of the objectives", ", ".join(labels), choose)
    reps, fresh = check.integer(data, "replications", 3, 1, 1000), check.integer(data, "check_replications", 10, 0, 1000)
    seed = check.integer(data, "seed", 1, 0)
    for count, offset, per in ((reps, 0, f"replications = {reps}"), (fresh, CHECK_OFFSET, f"check_replications = {fresh}")):
        if problem := replication_seeds_problem(seed, count, per, offset):   # search seed + k, check seed + 10000 + k
            check.bad("seed", *problem, seed)
            break
    spec = OptimiseSpec(
        name=str(data.get("name", default_name)), scenario=scenario, steps=steps, replications=reps,
        seed=seed, check_replications=fresh,
        algorithm=algorithm, population=check.integer(search, "population", 16, 4, 10_000, "search."),
        generations=check.integer(search, "generations", 8, 1, 10_000, "search."), random_search=random_search,
        fixed=fixed, levers=levers, objectives=objectives, constraints=constraints, choose=choose, source=where)
    check.raise_if_any()
    return spec


def _fixed(check: _Checker, table: dict) -> dict:
    fixed = {}
    for name, value in table.items():
        try:
            fixed[name] = check_value(name, value)
        except ValueError as exc:
            check.bad(f"set.{name}", str(exc), "a parameter of model/params.py within its range", value)
    return fixed


def _levers(check: _Checker, table: dict, scenario, fixed: dict, steps: int) -> tuple[Lever, ...]:
    if not table:
        check.bad("levers", "missing or empty", "a [levers] table: lever = { low = …, high = … }")
    scheduled = {lever for _, lever, _ in getattr(scenario, "schedule", ())}
    out = []
    for name, spec in table.items():
        key = f"levers.{name}"
        if name not in LEVERS:
            check.bad(key, f"not a policy lever{did_you_mean(name, LEVERS)}", ", ".join(LEVERS))
            continue
        if name in scheduled or name in fixed:
            where = "the scenario's policy schedule" if name in scheduled else "[set]"
            check.bad(key, f"also set by {where}: a lever is either fixed or a decision", "one of the two")
            continue
        if not isinstance(spec, dict):
            check.bad(key, "must be a table", "{ low = …, high = …, step = …, start = [a, b], duration = [a, b] }", spec)
            continue
        check.unknown(spec, _LEVER_KEYS, key + ".")
        p = PARAMS[name]
        low = check.number(spec, "low", p.low, p.low, p.high, key + ".")
        high = check.number(spec, "high", p.high, p.low, p.high, key + ".")
        if "high" not in spec and p.high > 1e6:
            check.bad(f"{key}.high", "missing (the lever has no natural upper end)", "a number, e.g. 50")
        if low is not None and high is not None and not low < high:
            check.bad(key, "low must be below high", "low < high", [low, high])
        step = spec.get("step")
        if step is not None and (isinstance(step, bool) or not isinstance(step, (int, float)) or step <= 0):
            check.bad(f"{key}.step", "must be a positive number", "a number > 0", step)
            step = None
        start = _quarters(check, spec, "start", key, 1, steps)
        duration = _quarters(check, spec, "duration", key, 1, steps)
        if duration and not start:
            check.bad(f"{key}.duration", "needs a start", "start = [a, b] as well")
        out.append(Lever(name, low, high, float(step) if step else None, start, duration))
    return tuple(out)


def _quarters(check: _Checker, spec: dict, name: str, key: str, low: int, high: int):
    value = spec.get(name)
    if value is None:
        return None
    ok = (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                              for v in value))
    if not ok or not low <= value[0] <= value[1] <= high:
        check.bad(f"{key}.{name}", "must be a range of quarters", f"[a, b] with {low} <= a <= b <= {high}", value)
        return None
    return (value[0], value[1])


def _objectives(check: _Checker, entries: list, steps: int, names) -> tuple[Objective, ...]:
    if len(entries) < 2:
        check.bad("objectives", "a multi-objective search needs at least two objectives",
                  "[[objectives]] entries with indicator, how, quarter, sense", len(entries))
    out = []
    for i, entry in enumerate(entries):
        key = f"objectives[{i}]"
        check.unknown(entry, (*_MEASURE_KEYS, "sense"), key + ".")
        sense = entry.get("sense")
        if sense not in SENSES:
            check.bad(f"{key}.sense", "must say whether to maximise or minimise", '"max" or "min"', sense)
        measure = _measure(check, entry, key, steps, names)
        if measure and sense in SENSES:
            out.append(Objective(measure, sense))
    labels = [o.label for o in out]
    for label in {x for x in labels if labels.count(x) > 1}:
        check.bad("objectives", f"{label} is given twice", "each objective once")
    return tuple(out)


# --- discover ---------------------------------------------------------------------------------
def load_discover(path) -> DiscoverSpec:
    """Read and check a discovery file; raise DecisionFileError listing every problem."""
    data, where = _read(path)
    if wrong := wrong_kind(data, where, "discover"):     # a sweep (scenario, optimise) file
        raise DecisionFileError([wrong])
    return parse_discover(data, where, Path(path).stem, referrer=Path(path))


def parse_discover(data: dict, where: str = "<discover>", default_name: str = "discover",
                   referrer: Path | None = None) -> DiscoverSpec:
    """referrer: the discovery file, from whose folder a relative `sweep` is read first (then from
    where you run), as a sweep's `scenario` is read from the sweep's folder."""
    check = _Checker(where)
    check.unknown(data, _DISC_KEYS)
    store, sweep = data.get("store"), data.get("sweep")
    if not isinstance(store, str) or not store:
        check.bad("store", "missing", "the results folder of a sweep, e.g. \"runs/my_sweep\"", store)
    if isinstance(sweep, str) and sweep and referrer is not None and (referrer.parent / sweep).is_file():
        sweep = str(referrer.parent / sweep)
    if sweep is not None and (not isinstance(sweep, str) or not sweep or not Path(sweep).is_file()):
        check.bad("sweep", "no such sweep file", "a path to a sweep file, relative to this file's folder "
                  "(or to where you run)", sweep)
    names = _indicator_names()
    entries = check.tables(data, "success")
    if not entries:
        check.bad("success", "missing", "[[success]] conditions: indicator, how, quarter, op, bound")
    success = tuple(c for i, e in enumerate(entries) if (c := _condition(check, e, f"success[{i}]", None, names)))
    prim = check.table(data, "prim")
    check.unknown(prim, ("threshold", "peel_alpha", "paste_alpha", "mass_min", "boxes"), "prim.")
    scoring = check.table(data, "scoring")
    check.unknown(scoring, ("outcomes", "seed"), "scoring.")
    outcomes = scoring.get("outcomes", [])
    if not isinstance(outcomes, list) or not all(isinstance(o, dict) for o in outcomes):
        check.bad("scoring.outcomes", "must be a list of measures", "[{ indicator = …, how = …, quarter = … }]", outcomes)
        outcomes = []
    measures = []
    for i, entry in enumerate(outcomes):
        check.unknown(entry, _MEASURE_KEYS, f"scoring.outcomes[{i}].")
        if m := _measure(check, entry, f"scoring.outcomes[{i}]", None, names):
            measures.append(m)
    spec = DiscoverSpec(
        name=str(data.get("name", default_name)), store=Path(store) if isinstance(store, str) else Path("."),
        sweep=Path(sweep) if isinstance(sweep, str) else None, success=success,
        threshold=check.number(prim, "threshold", 0.6, 0.0, 1.0, "prim."),
        peel_alpha=check.number(prim, "peel_alpha", 0.05, 0.001, 0.5, "prim."),
        paste_alpha=check.number(prim, "paste_alpha", 0.05, 0.001, 0.5, "prim."),
        mass_min=check.number(prim, "mass_min", 0.05, 0.0, 1.0, "prim."),
        boxes=check.integer(prim, "boxes", 1, 1, 10, "prim."), outcomes=tuple(measures),
        seed=check.integer(scoring, "seed", 1, 0, SEED_MAX, prefix="scoring."), source=where)   # scikit-learn's range
    check.raise_if_any()
    return spec
