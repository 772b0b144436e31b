"""Compare policy arms under common random numbers: bands over time, paired differences.

An arm is a scenario, optionally with parameters or levers changed::

    baseline
    baseline:tech_centre=20,rd_subsidy=0.3
    scenarios/xiqiao.toml:tech_centre=0,location_choice="random"

Values are TOML (numbers, true/false, "strings"; a bare word is read as a string). Replication
k of every arm runs with seed + k, so arms differ only by their settings and the difference of
a final indicator is paired per seed: its interval is the t interval of the paired differences,
given from MIN_INTERVAL_N (3) replications up (NaN below: experiments.conventions).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.conventions import DEFAULT_SEED, MIN_INTERVAL_N, arm_label, few_replications
from experiments.inputs import check_replication_seeds, probe_output_dir, split_top
from experiments.panels import panel_grid, save_panels
from experiments.sweep import (
    INDICATORS,
    Problem,
    RunSpec,
    SweepError,
    load_scenario_checked,
    scenario_label,
    warn_scheduled,
)
from experiments.sweep import plain as _plain
from model.indicator_registry import COMPARED, FLOWS
from model.indicator_registry import INDICATORS as REGISTRY
from model.params import PARAMS, check_value, did_you_mean, unknown_parameter

#: Indicators drawn in the comparison figure by default.
PLOTTED = COMPARED


@dataclass(frozen=True)
class Arm:
    """One arm of a comparison: a scenario and the overrides that make it this arm."""

    label: str
    scenario: Any
    overrides: dict
    stream_offset: int = 0      # > 0: a sham arm, its generator advanced by this many draws (RunSpec)


def parse_assignments(text: str, where: str) -> dict:
    """`name=value,name=value` → a dict of checked parameter values (SweepError on problems,
    among them a name given twice: one value would silently replace the other)."""
    values, problems = {}, []
    for part in filter(None, (p.strip() for p in split_top(text))):
        name, eq, raw = (s.strip() for s in part.partition("="))
        if not eq or not name:
            problems.append(Problem(where, part, "not a name=value pair", "name=value, e.g. tech_centre=20"))
            continue
        if name in values:
            problems.append(Problem(where, name, "given twice (one value would replace the other)",
                                    "each name once; for several values of a lever use a dose_response sweep",
                                    raw))
            continue
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw                          # a bare word such as random
        if name not in PARAMS:
            problems.append(Problem(where, name, unknown_parameter(name, PARAMS),
                                    "a parameter or lever of model/params.py", raw))
            continue
        try:
            values[name] = check_value(name, value)
        except ValueError:
            problems.append(Problem(where, name, f"value not allowed for {name!r}", PARAMS[name].allowed(), value))
    if problems:
        raise SweepError(problems)
    return values


def parse_arm(text: str, common: dict | None = None) -> Arm:
    """`scenario[:name=value,...]` → an Arm; `common` overrides (e.g. --set) apply under the arm's."""
    head, sep, tail = text.rpartition(":")
    if sep and head.strip() and "=" not in tail and not Path(text).exists():
        raise SweepError([change_without_value(text, head.strip(), tail.strip())])
    scenario_text, changes = (head, tail) if sep and "=" in tail else (text, "")
    if "=" in scenario_text and not Path(scenario_text).exists():   # ':' between changes, a ',' or ' ' after the scenario
        first, *rest = (p for p in re.split(r"[:, ]+", text) if p)
        if "=" in first:    # no scenario at all (cost-effectiveness's LEVER=VALUE arms): name one
            what, example = "a change without a scenario", f"baseline:{','.join([first, *rest])}"
        else:
            what, example = "a change inside the scenario's name", f"{first}:{','.join(rest)}"
        raise SweepError([Problem(f"arm {text!r}", "", what, "SCENARIO:KEY=VALUE[,KEY=VALUE...] (one ':' after "
                                  f"the scenario, ',' between changes), e.g. {example}", scenario_text)])
    scenario = load_scenario_checked(scenario_text, f"arm {text!r}")
    own = parse_assignments(changes, f"arm {text!r}")
    overrides = {**(common or {}), **own}
    warn_scheduled(scenario, overrides, f"arm {text!r}")
    return Arm(arm_label(scenario_text.strip(), own), scenario, overrides)


def change_without_value(text: str, head: str, tail: str) -> Problem:
    """The problem of an arm `scenario:change` whose change has no `=value` (`baseline:tech_centre`)."""
    form = "SCENARIO:KEY=VALUE[,KEY=VALUE...]"
    if tail in PARAMS:
        return Problem(f"arm {text!r}", tail, "no value given (a change is KEY=VALUE)",
                       f"{form}, e.g. {head}:{tail}=VALUE with VALUE {PARAMS[tail].allowed()}", tail)
    what = f"{tail!r} after ':' has no '=VALUE'{did_you_mean(tail, PARAMS)}" if tail else "nothing after ':'"
    return Problem(f"arm {text!r}", "", f"not a scenario, nor SCENARIO:KEY=VALUE ({what})",
                   f"a scenario name or .toml file, or {form}, e.g. {head}:tech_centre=20")


def base_value(scenario, name):
    """A parameter's value in a scenario (its file's, else the default)."""
    return scenario.params.get(name, PARAMS[name].default)


def arm_specs(arms: list[Arm], reps: int, steps: int, seed: int = DEFAULT_SEED) -> list[RunSpec]:
    """reps runs per arm; replication k uses seed + k in every arm (common random numbers).
    Every arm records the value of every parameter some arm changes (its own, not NaN)."""
    aw, rw = len(str(max(len(arms) - 1, 0))), len(str(max(reps - 1, 0)))
    changed = list(dict.fromkeys(name for arm in arms for name in arm.overrides))
    return [RunSpec(run_id=f"a{i:0{aw}d}-r{k:0{rw}d}", point=i, rep=k, seed=seed + k, steps=steps,
                    scenario=arm.scenario, overrides=arm.overrides,
                    params={n: arm.overrides.get(n, base_value(arm.scenario, n)) for n in changed},
                    final=INDICATORS, series=INDICATORS, arm=arm.label, stream_offset=arm.stream_offset)
            for i, arm in enumerate(arms) for k in range(reps)]


def unique_labels(arms: list[Arm]) -> list[Arm]:
    """Number repeated labels ('baseline', 'baseline #2') so every arm can be told apart."""
    seen: dict[str, int] = {}
    out = []
    for arm in arms:
        seen[arm.label] = seen.get(arm.label, 0) + 1
        label = arm.label if seen[arm.label] == 1 else f"{arm.label} #{seen[arm.label]}"
        out.append(Arm(label, arm.scenario, arm.overrides, arm.stream_offset))
    return out


def run_arms(arms, reps: int = 10, steps: int | None = None, seed: int = DEFAULT_SEED, out=None, *,
             kind="compare", executor="local", workers=None, address=None, resume=False, progress=True,
             cache=True, extra: dict | None = None, notes=()):
    """Run every arm `reps` times into `out`; return (out, batch report). `notes` are warned once the
    inputs are checked, before the runs (which can then still be stopped)."""
    from experiments.design_size import MAX_RUNS
    from experiments.executors import opened, run_batch
    from experiments.store import check_results_folder
    from scenarios import check_steps

    arms = unique_labels([a if isinstance(a, Arm) else parse_arm(a) for a in arms])
    if len(arms) * reps > MAX_RUNS:      # refused before a spec is built, as a sweep's (experiments.design_size)
        raise ValueError(f"--reps: {len(arms) * reps:.3g} runs ({len(arms)} arms × {reps} replications), more than "
                         f"{MAX_RUNS:,}; allowed: at most {MAX_RUNS // len(arms):,} replications; given: {reps}")
    check_replication_seeds(seed, reps, f"--reps {reps}")    # replication k runs with seed + k
    for arm in arms if steps else ():   # the run length's range and resource bounds, as `clusterlab run --steps`
        check_steps(arm.scenario, steps, "--steps")
    steps = steps or arms[0].scenario.steps
    plan = {"kind": kind, "name": kind, "reps": reps, "steps": steps, "seed": seed,
            "arms": [{"label": a.label, "scenario": scenario_label(a.scenario),
                      "scenario_params": _plain(a.scenario.params),
                      "scenario_schedule": _plain(a.scenario.schedule), "overrides": _plain(a.overrides),
                      **({"stream_offset": a.stream_offset} if a.stream_offset else {})}
                     for a in arms],
            "final": list(INDICATORS), "series": list(INDICATORS), **(extra or {})}
    if out is None:
        digest = hashlib.sha1(repr(plan).encode()).hexdigest()[:8]
        slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", "-vs-".join(a.label for a in arms))[:60]
        out = Path("runs") / f"{kind}-{slug}-{digest}"
    check_results_folder(out)                                # before a worker starts
    probe_output_dir(out, "results folder")                  # unwritable or full: before the warnings
    for note in notes:                                       # every input checked, no run started
        warnings.warn(note, stacklevel=3)
    with opened(executor, workers=workers, address=address) as ex:
        report = run_batch(arm_specs(arms, reps, steps, seed), out, ex, plan=plan, resume=resume,
                           progress=progress, cache=cache)
    return Path(out), report


# --- analysis -------------------------------------------------------------------------------
def t_interval(mean, std, n, level: float = 0.95):
    """Two-sided t interval of a mean from its sample std and size (exact when std is 0); NaN for
    n < MIN_INTERVAL_N, where it says nothing (experiments.conventions)."""
    mean, std, n = (np.asarray(x, dtype=float) for x in (mean, std, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + level) / 2, n - 1) * std / np.sqrt(n)
    half = np.where(n < MIN_INTERVAL_N, np.nan, np.where(std == 0, 0.0, half))
    return mean - half, mean + half


def measured(long: pd.DataFrame) -> pd.DataFrame:
    """A tidy table (columns indicator, step, ...) without row 0 of the flows: a flow is measured
    over a quarter, so step 0 (the state before any trade) holds 0, not a measurement
    (model.indicator_registry.FLOWS; the run's own figure skips it the same way)."""
    return long[~(long["indicator"].isin(FLOWS) & (long["step"] == 0))]


def bands(series: pd.DataFrame, indicators=PLOTTED, level: float = 0.95) -> pd.DataFrame:
    """Mean and `level` interval of each indicator per arm and step (tidy; a flow from step 1)."""
    long = measured(series.melt(id_vars=["arm", "step"], value_vars=list(indicators), var_name="indicator"))
    g = long.groupby(["arm", "indicator", "step"], sort=False)["value"].agg(["mean", "std", "count"]).reset_index()
    g["low"], g["high"] = t_interval(g["mean"], g["std"], g["count"], level)
    return g.rename(columns={"count": "n"})


def paired_bands(series: pd.DataFrame, indicators=PLOTTED, reference: str | None = None,
                 level: float = 0.95) -> pd.DataFrame:
    """Per arm, indicator and step: mean and t interval of the paired difference arm − reference
    (replication k of both ran with the same seed). Tidy, a flow from step 1; the reference arm is
    left out."""
    arms = list(dict.fromkeys(series["arm"]))
    reference = reference or arms[0]
    wide = series.set_index(["arm", "rep", "step"])[list(indicators)]
    ref = wide.loc[reference]
    parts = []
    for arm in arms:
        if arm == reference:
            continue
        d = measured((wide.loc[arm] - ref).dropna(how="all").reset_index().melt(id_vars=["rep", "step"],
                                                                                 var_name="indicator"))
        g = d.groupby(["indicator", "step"], sort=False)["value"].agg(["mean", "std", "count"]).reset_index()
        g.insert(0, "arm", arm)
        parts.append(g)
    if not parts:
        return pd.DataFrame(columns=["arm", "indicator", "step", "mean", "std", "n", "low", "high"])
    g = pd.concat(parts, ignore_index=True)
    g["low"], g["high"] = t_interval(g["mean"], g["std"], g["count"], level)
    return g.rename(columns={"count": "n"})


def differences(final: pd.DataFrame, indicators=INDICATORS, reference: str | None = None,
                level: float = 0.95) -> pd.DataFrame:
    """Final indicators of each arm minus the reference arm, paired by replication (CRN)."""
    arms = list(dict.fromkeys(final["arm"]))
    reference = reference or arms[0]
    indicators = [i for i in indicators if i in final.columns]
    wide = final.set_index(["rep", "arm"])[indicators].unstack("arm")
    rows = []
    for arm in arms:
        if arm == reference:
            continue
        for ind in indicators:
            pair = wide[ind][[reference, arm]].dropna()
            d = pair[arm] - pair[reference]
            low, high = t_interval(d.mean(), d.std(), len(d), level)
            rows.append({"arm": arm, "indicator": ind, "reference": pair[reference].mean(),
                         "value": pair[arm].mean(), "difference": d.mean(), "low": float(low),
                         "high": float(high), "n": len(d)})
    return pd.DataFrame(rows)


def label_and_unit(indicator: str) -> tuple[str, str]:
    """An indicator's label and unit from the registry ('output (value added)', 'units/quarter');
    its column name and no unit for a column the registry does not declare."""
    known = REGISTRY.get(indicator)
    return (known.label, known.unit) if known else (indicator, "")


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a tidy table for reading: each indicator named by its label, its unit beside it
    (the CSV files keep the column names)."""
    out = table.copy()
    out.insert(out.columns.get_loc("indicator") + 1, "unit", [label_and_unit(i)[1] for i in out["indicator"]])
    out["indicator"] = [label_and_unit(i)[0] for i in out["indicator"]]
    return out


def plot_bands(band: pd.DataFrame, path, title: str = "", zero: bool = False) -> Path:
    """One figure: a panel per indicator, titled with its label and its unit on the y axis (Δ and
    the unit for differences), a line and shaded band per arm (`zero`: a line at 0)."""
    indicators = list(dict.fromkeys(band["indicator"]))
    fig, axes = panel_grid(len(indicators), 4.2, 3.0)
    for ax, ind in zip(axes, indicators):
        for arm, g in band[band["indicator"] == ind].groupby("arm", sort=False):
            line, = ax.plot(g["step"], g["mean"], label=arm)
            ax.fill_between(g["step"], g["low"], g["high"], color=line.get_color(), alpha=0.2, linewidth=0)
        label, unit = label_and_unit(ind)
        ax.set_title(f"Δ {label} vs reference" if zero else label)
        ax.set_ylabel(f"Δ {unit}" if zero and unit else unit)
        ax.set_xlabel("step (quarter)")
        ax.set_xlim(band["step"].min(), band["step"].max())   # flows start at 1: the same quarters in every panel
        if zero:
            ax.axhline(0, color="black", linewidth=0.6)
    return save_panels(fig, axes, len(indicators), path, title)


@dataclass
class Comparison:
    out: Path
    bands: pd.DataFrame
    differences: pd.DataFrame
    figure: Path
    report: Any = None


def analyse(out, indicators=PLOTTED, level: float = 0.95) -> Comparison:
    """Bands, paired differences and the figure from a comparison's results folder."""
    from experiments.store import load_results

    out = Path(out)
    series = load_results(out, "series")
    band = bands(series, indicators, level)
    diff = differences(load_results(out, "final"), INDICATORS, level=level)
    band.to_csv(out / "bands.csv", index=False)
    diff.to_csv(out / "differences.csv", index=False)
    n = int(band["n"].min()) if len(band) else 0
    spread = f"{level:.0%} interval" if n >= MIN_INTERVAL_N else f"no interval from {n} (fewer than {MIN_INTERVAL_N})"
    figure = plot_bands(band, out / "compare.png", title=f"mean and {spread} over replications "
                        "(unpaired: for effects see differences.png)")
    paired = paired_bands(series, indicators, level=level)
    if len(paired):
        paired.to_csv(out / "paired_bands.csv", index=False)
        plot_bands(paired, out / "differences.png", zero=True,
                   title=f"paired difference from {series['arm'].iloc[0]!r} (same seed), mean and {spread}")
    return Comparison(out, band, diff, figure)


def compare(arms, reps: int = 10, steps: int | None = None, seed: int = DEFAULT_SEED, out=None, *, common=None,
            indicators=PLOTTED, level: float = 0.95, **run) -> Comparison:
    """Run the arms (`scenario[:name=value,...]` strings or Arms) and analyse them."""
    arms = [a if isinstance(a, Arm) else parse_arm(a, common) for a in arms]
    notes = [note] if (note := few_replications(reps)) else []    # said before the runs
    out, report = run_arms(arms, reps, steps, seed, out, notes=notes, **run)
    result = analyse(out, indicators, level)
    result.report = report
    return result
