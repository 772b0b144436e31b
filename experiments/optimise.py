"""`clusterlab optimise FILE`: multi-objective search over lever levels and timing (pymoo NSGA-II/III).

A point of the search is a setting of the file's levers: a level in [low, high] (rounded to
`step`) and, for timed levers, a start quarter and a duration (the lever returns to the
scenario's value afterwards). Every point runs on the same `replications` seeds (common random
numbers); its objectives and constraints are the means over those seeds of the file's measures,
kept with their standard deviations. pymoo handles the constraints (g ≤ 0 feasible; feasibility
first, then rank and crowding — Deb et al. 2002, NSGA-II; Deb & Jain 2014, NSGA-III).

Side by side, in the same batches and on the same seeds, a random search draws as many points
uniformly in the same box: the hypervolume of both archives by generation says what the
optimiser bought (experiments/pareto.py).

Runs go through the batch machinery of `experiments.executors` into a Store under OUT/evals:
each run's id hashes its settings and seed, so the store is an evaluation cache. A killed
search resumes (`--resume`) by replaying the deterministic algorithm from its seed: every point
already evaluated is read back, and only the missing runs are computed. Same file, same seeds →
same front with 1 or N workers or Dask (results depend only on each run's spec).

    OUT/evals/        the runs (Parquet per run, manifest, plan: the cache)
    OUT/points.parquet  every evaluated point (arm, generation, settings, measures), each generation
    OUT/front.parquet, front.png, hypervolume.csv, hypervolume.png, summary.json  (pareto.write)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from experiments.decision_file import CHECK_OFFSET, OptimiseSpec  # out-of-sample seeds: seed + CHECK_OFFSET + k
from experiments.measures import Measure
from model.params import PARAMS

FAILED = 1e12                  # objective and violation given to a point whose runs failed


# --- the decision vector ------------------------------------------------------------------------
def variables(spec: OptimiseSpec) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names and bounds of the decision vector: per lever its level, then [start], [duration]."""
    names, low, high = [], [], []
    for lever in spec.levers:
        names.append(lever.name)
        low.append(lever.low)
        high.append(lever.high)
        for part in ("start", "duration"):
            if (rng := getattr(lever, part)) is not None:
                names.append(f"{lever.name}_{part}")
                low.append(rng[0] - 0.499)       # integers: each as likely as its neighbours
                high.append(rng[1] + 0.499)
    return names, np.array(low, float), np.array(high, float)


def decode(spec: OptimiseSpec, x) -> dict:
    """A decision vector as lever settings: levels rounded to their step, quarters to integers."""
    settings, i = {}, 0
    for lever in spec.levers:
        level = min(max(float(x[i]), lever.low), lever.high)
        if lever.step:
            level = lever.low + round((level - lever.low) / lever.step) * lever.step
            level = min(level, lever.high)
        settings[lever.name] = round(level, 10)
        i += 1
        for part in ("start", "duration"):
            if (rng := getattr(lever, part)) is not None:
                settings[f"{lever.name}_{part}"] = int(min(max(round(float(x[i])), rng[0]), rng[1]))
                i += 1
    return settings


def scenario_for(spec: OptimiseSpec, settings: dict):
    """The scenario a point runs: fixed overrides and untimed levels as parameters, timed levers as
    schedule entries (on at `start`; back to the scenario's value after `duration`, if within the run)."""
    overrides, schedule = dict(spec.fixed), []
    base = spec.scenario.with_overrides(**spec.fixed) if spec.fixed else spec.scenario
    for lever in spec.levers:
        level = settings[lever.name]
        if lever.start is None:
            overrides[lever.name] = level
            continue
        start = settings[f"{lever.name}_start"]
        schedule.append((start, lever.name, level))
        end = start + settings.get(f"{lever.name}_duration", spec.steps)
        if end <= spec.steps:
            schedule.append((end, lever.name, base.params.get(lever.name, PARAMS[lever.name].default)))
    return spec.scenario.with_overrides(**overrides).with_schedule(schedule)


def run_id(settings: dict, seed: int) -> str:
    """The cache key of one run: a hash of the point's settings and the seed."""
    text = json.dumps({"settings": settings, "seed": int(seed)}, sort_keys=True)
    return "e" + hashlib.sha256(text.encode()).hexdigest()[:20]


def measures(spec: OptimiseSpec) -> list[Measure]:
    return list(dict.fromkeys([o.measure for o in spec.objectives] + [c.measure for c in spec.constraints]))


def search_seeds(spec: OptimiseSpec) -> list[int]:
    return [spec.seed + k for k in range(spec.replications)]


def check_seeds(spec: OptimiseSpec) -> list[int]:
    return [spec.seed + CHECK_OFFSET + k for k in range(spec.check_replications)]


def store_plan(spec: OptimiseSpec) -> dict:
    """What determines a run besides its settings and seed, including the model's source hash: a
    search folder made with another version of the model is refused, not silently reused."""
    from experiments.design import plain as _plain
    from experiments.design import scenario_label
    from experiments.provenance import source_hash

    return {"kind": "optimise", "name": spec.name, "code": source_hash(), "scenario": scenario_label(spec.scenario),
            "scenario_params": _plain(spec.scenario.params), "scenario_schedule": _plain(spec.scenario.schedule),
            "steps": spec.steps, "fixed": _plain(spec.fixed), "series": list(kept_series(spec))}


def kept_series(spec: OptimiseSpec) -> tuple[str, ...]:
    """Every indicator, every quarter: the cache then serves any objective asked for later."""
    from experiments.design import indicator_names

    return indicator_names()


# --- evaluation through the batch machinery -------------------------------------------------------
@dataclass
class Evaluator:
    """Evaluates points on seeds through `run_batch`, with OUT/evals as the cache."""

    spec: OptimiseSpec
    out: Path
    executor: object
    cache: object = True          # the shared run cache (experiments.run_cache): True, False or a RunCache
    progress: bool = False        # a bar per batch (the runs of one generation)
    ran: int = 0                  # model runs computed by this process (not read from a cache)
    cached: int = 0               # runs taken from the shared run cache
    failed: int = 0
    _values: dict = field(default_factory=dict)

    def __call__(self, points: list[dict], seeds: list[int]) -> pd.DataFrame:
        """One row per point: mean and sd over `seeds` of every measure, and failed runs."""
        from experiments.design import RunSpec
        from experiments.executors import run_batch

        todo = {}
        for i, settings in enumerate(points):
            for k, seed in enumerate(seeds):
                rid = run_id(settings, seed)
                if rid not in self._values and rid not in todo:
                    todo[rid] = RunSpec(run_id=rid, point=i, rep=k, seed=seed, steps=self.spec.steps,
                                        scenario=scenario_for(self.spec, settings), overrides={},
                                        params=settings, series=kept_series(self.spec))
        if todo:
            report = run_batch(list(todo.values()), self.out / "evals", self.executor, store_plan(self.spec),
                               resume=True, progress=self.progress, cache=self.cache)
            self.ran += report.ok + report.failed
            self.cached += report.cached
            self.failed += report.failed
            for rid in todo:
                self._values[rid] = self._read(rid)
        return pd.DataFrame([self._row(settings, seeds) for settings in points])

    def _read(self, rid: str) -> dict | None:
        path = self.out / "evals" / "runs" / f"{rid}.parquet"
        if not path.exists():
            return None
        series = pq.read_table(path).to_pandas().set_index("step").sort_index()
        return {m.label: m.of(series) for m in measures(self.spec)}

    def runs(self, settings: dict, seeds: list[int]) -> pd.DataFrame:
        """One row per seed (already evaluated) with every measure; NaN for a failed run."""
        values = [self._values.get(run_id(settings, seed)) or {} for seed in seeds]
        return pd.DataFrame(values, index=pd.Index(seeds, name="seed"), columns=[m.label for m in measures(self.spec)])

    def _row(self, settings: dict, seeds: list[int]) -> dict:
        values = [self._values.get(run_id(settings, seed)) for seed in seeds]
        ok = [v for v in values if v is not None]
        row = {"failed_runs": len(values) - len(ok)}
        for m in measures(self.spec):
            x = np.array([v[m.label] for v in ok], float)
            row[m.label] = float(x.mean()) if len(x) and not row["failed_runs"] else math.nan
            row[f"{m.label}_sd"] = float(x.std(ddof=1)) if len(x) > 1 else math.nan
        return row


def objective_matrix(spec: OptimiseSpec, table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """pymoo's F (minimised: maximised objectives negated) and G (g ≤ 0 feasible) of evaluated points."""
    F = np.column_stack([table[o.label] * (-1.0 if o.sense == "max" else 1.0) for o in spec.objectives])
    G = (np.column_stack([c.violation(table[c.measure.label]) for c in spec.constraints])
         if spec.constraints else np.zeros((len(table), 0)))
    return np.nan_to_num(F, nan=FAILED), np.nan_to_num(G, nan=FAILED)


# --- the search -------------------------------------------------------------------------------------
def make_algorithm(spec: OptimiseSpec):
    """NSGA-II, or NSGA-III with Das–Dennis reference directions (as many as fit the population)."""
    if spec.algorithm == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        m, p = len(spec.objectives), 1
        while math.comb(p + 1 + m - 1, m - 1) <= spec.population:
            p += 1
        return NSGA3(ref_dirs=get_reference_directions("das-dennis", m, n_partitions=p), pop_size=spec.population)
    from pymoo.algorithms.moo.nsga2 import NSGA2

    return NSGA2(pop_size=spec.population)


def arms(spec: OptimiseSpec) -> list[str]:
    return [spec.algorithm] + (["random"] if spec.random_search else [])


def search(spec: OptimiseSpec, evaluate: Evaluator, bar=None, on_generation=None) -> pd.DataFrame:
    """Run the optimiser (and the random search) generation by generation; every evaluated point."""
    from pymoo.core.evaluator import Evaluator as PymooEvaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    names, low, high = variables(spec)
    problem = Problem(n_var=len(names), n_obj=len(spec.objectives), n_ieq_constr=len(spec.constraints),
                      xl=low, xu=high)
    algorithm = make_algorithm(spec)
    algorithm.setup(problem, termination=("n_gen", spec.generations), seed=spec.seed, verbose=False)
    rng = np.random.default_rng([spec.seed, 1])
    seeds, tables = search_seeds(spec), []
    for generation in range(1, spec.generations + 1):
        pop = algorithm.ask()
        X = pop.get("X")
        batches = {spec.algorithm: X}
        if spec.random_search:
            batches["random"] = rng.uniform(low, high, size=X.shape)
        points = {arm: [decode(spec, x) for x in batch] for arm, batch in batches.items()}
        table = evaluate([p for arm in points for p in points[arm]], seeds)
        ours = table.iloc[:len(X)].reset_index(drop=True)
        F, G = objective_matrix(spec, ours)
        PymooEvaluator().eval(StaticProblem(problem, F=F, G=G) if spec.constraints else StaticProblem(problem, F=F), pop)
        algorithm.tell(infills=pop)
        rows = pd.DataFrame([{"arm": arm, "generation": generation, **p} for arm in points for p in points[arm]])
        tables.append(pd.concat([rows, table], axis=1))
        evaluated = pd.concat(tables, ignore_index=True)
        checkpoint(spec, evaluate.out, evaluated)
        if bar is not None:
            bar.update(len(table) * len(seeds))
            bar.set_postfix(generation=generation, feasible=int(feasible(spec, evaluated).sum()))
        if on_generation is not None:
            on_generation(generation, evaluated)
    return evaluated


def feasible(spec: OptimiseSpec, table: pd.DataFrame) -> pd.Series:
    """True where every constraint holds on the point's means (and no run failed)."""
    ok = table["failed_runs"] == 0
    for c in spec.constraints:
        ok &= c.holds(table[c.measure.label])
    return ok


def checkpoint(spec: OptimiseSpec, out: Path, evaluated: pd.DataFrame) -> None:
    """OUT/points.parquet: every point evaluated so far (temp file, then os.replace)."""
    table = evaluated.assign(feasible=feasible(spec, evaluated))
    tmp = out / ".points.parquet.tmp"
    table.to_parquet(tmp, index=False)
    os.replace(tmp, out / "points.parquet")
