"""A case scenario's target figures measured on model runs: the one path calibration, validation
and the tests share.

`case_spec(name)` gathers what a run needs (the scenario, its targets and calibration, the
quarters the targets need, and the runs of the scenarios a `ratio_to` target compares with);
`measure_runs(spec, params, seeds)` runs the scenario once per seed with parameters `params` and
returns one row per seed and one column per target; `summarise` turns that into mean ± sd and
PASS/MISS against each tolerance. Everything here is a plain picklable value, so a worker process
or a Dask worker computes exactly what this process would (same scenario + seed → same figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.scenario_outcomes import run
from model.params import PARAMS
from scenarios import Scenario, load_scenario
from scenarios.targets import Calibration, measure, targets_of


@dataclass(frozen=True)
class CaseSpec:
    """A case scenario with its targets, ready to be run anywhere."""

    scenario: Scenario
    targets: tuple                   # Target, ...
    calibration: Calibration | None
    steps: int                       # quarters the targets need (≤ the scenario's run length)
    references: dict = field(default_factory=dict)   # (scenario name, seed) -> indicator table

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def scale(self) -> float:
        return self.calibration.scale if self.calibration else 1.0

    def of_role(self, role: str) -> tuple:
        return tuple(t for t in self.targets if t.role == role)


def needed_steps(targets, run_length: int) -> int:
    """The last quarter any target reads (the whole run if a window counts from the end)."""
    last = 0
    for t in targets:
        for first, end in t.windows.values():
            if first < 0 or end < 0:
                return run_length
            last = max(last, end)
    return min(max(last, 1), run_length)


def case_spec(name, seeds=(), with_references: bool = True) -> CaseSpec:
    """The spec of case `name` (a scenario name, path or Scenario); the comparison runs of its
    `ratio_to` targets are made for `seeds` (their own scenario's parameters, quarters needed only)."""
    scenario = load_scenario(name)
    targets, calibration = targets_of(scenario)
    check_columns(scenario, targets)
    steps = needed_steps(targets, scenario.steps)
    spec = CaseSpec(scenario, targets, calibration, steps)
    return with_reference_runs(spec, seeds) if with_references else spec


def check_columns(scenario: Scenario, targets) -> None:
    """ValueError naming the file, the target and the allowed names for a target `column`/`columns`
    that no run records (was a KeyError traceback after the first simulations of a calibration).
    The case columns are those `scenario_outcomes` adds to this scenario's runs (read off a model
    built at quarter 0, only when some name is not an indicator)."""
    import re

    from experiments.scenario_outcomes import case_columns
    from model.indicator_registry import INDICATORS
    from model.param_spec import did_you_mean

    known: list[str] = list(INDICATORS)
    for i, t in enumerate(targets):
        for key, expr in [("column", t.column)] + [("columns", c) for c in t.columns]:
            for name in (n.strip() for n in re.split(r"[+/]", expr)):
                if name in known:
                    continue
                if len(known) == len(INDICATORS):
                    known += case_columns(scenario.build(seed=0))
                    if name in known:
                        continue
                raise ValueError(f"{scenario.path or scenario.name}: targets[{i}].{key}: unknown column "
                                 f"{name!r}{did_you_mean(name, known)} "
                                 f"(target {t.name!r}); allowed: an indicator of model/indicator_registry.py or one of "
                                 f"{', '.join(known[len(INDICATORS):])}, joined by + and at most one /; given: {expr!r}")


def check_target_columns(scenario: Scenario) -> None:
    """`check_columns` for the scenario's own targets (none: nothing to check); `clusterlab validate`."""
    targets, _ = targets_of(scenario)
    if targets:
        check_columns(scenario, targets)


def with_reference_runs(spec: CaseSpec, seeds) -> CaseSpec:
    """`spec` holding the comparison runs its `ratio_to` targets need for `seeds`."""
    refs = dict(spec.references)
    for t in spec.targets:
        if t.measure != "ratio_to":
            continue
        other = load_scenario(t.against)
        steps = needed_steps([t], other.steps)
        for seed in seeds:
            if (t.against, seed) not in refs or len(refs[(t.against, seed)]) <= steps:
                refs[(t.against, seed)] = run(other, seed, steps)[1]
    return CaseSpec(spec.scenario, spec.targets, spec.calibration, spec.steps, refs)


def typed(params: dict) -> dict:
    """Parameter values as the model wants them (integers rounded for integer parameters)."""
    return {k: int(round(float(v))) if PARAMS[k].kind is int else float(v) for k, v in params.items()}


def run_table(spec: CaseSpec, params: dict, seed: int) -> pd.DataFrame:
    """The indicator table (quarters 0..spec.steps, case columns included) of one run."""
    scenario = spec.scenario.with_overrides(**typed(params)) if params else spec.scenario
    return run(scenario, seed, spec.steps)[1]


def measure_table(spec: CaseSpec, table: pd.DataFrame, seed: int, targets=None) -> dict:
    """{target name: figure} of one run's table (nan where a figure is undefined)."""
    out = {}
    for t in spec.targets if targets is None else targets:
        reference = spec.references.get((t.against, seed)) if t.measure == "ratio_to" else None
        out[t.name] = measure(t, table, reference, spec.scale)
    return out


def measure_runs(spec: CaseSpec, params: dict, seeds, targets=None) -> pd.DataFrame:
    """One row per seed, one column per target: the figures of the runs at `params`."""
    rows = [measure_table(spec, run_table(spec, params, seed), seed, targets) for seed in seeds]
    return pd.DataFrame(rows, index=pd.Index(list(seeds), name="seed"))


def summarise(per_seed: pd.DataFrame, targets) -> pd.DataFrame:
    """Per target: value, tolerance, role, model mean and sd over seeds, error in tolerances, PASS/MISS.

    The figure compared is the mean over seeds (the expected value of the model at these parameters)."""
    rows = []
    for t in targets:
        values = per_seed[t.name].to_numpy(float)
        mean = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
        sd = float(np.nanstd(values, ddof=1)) if np.isfinite(values).sum() > 1 else float("nan")
        rows.append(dict(target=t.name, role=t.role, measure=t.measure, value=t.value, bound=t.bound,
                         tolerance=t.tolerance, model_mean=mean, model_sd=sd, seeds=len(values),
                         error=t.error(mean), result="PASS" if t.passes(mean) else "MISS",
                         source=t.source, quote=t.quote, note=t.note))
    return pd.DataFrame(rows)


def distance(figures: dict, targets) -> float:
    """ABC distance: root mean square over `targets` of Target.error (|model − figure| / tolerance;
    0 on the allowed side of a one-sided bound; nan → 1e6): ≤ 1 when every figure is inside its
    tolerance, 0 only when every two-sided figure is hit exactly. Figures not in `targets` are ignored."""
    errors = np.array([min(t.error(figures.get(t.name, float("nan"))), 1e6) for t in targets])
    return float(np.sqrt(np.mean(errors ** 2))) if len(errors) else 0.0

