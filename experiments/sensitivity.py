"""Sobol' or Morris sensitivity indices of indicators with respect to a sweep's varied levers,
with the diagnostics that say whether they mean anything.

The sweep file chooses the design (`method = "sobol"` or `"morris"`, `samples` = N); its runs
go into a results folder as any sweep. Each design point is averaged over its replications
(common random numbers: the same seeds at every point) and SALib computes the indices:
Sobol' S1 and ST with bootstrap intervals, or Morris μ* (mean absolute elementary effect) and σ.

Diagnostics (table.attrs["diagnostics"], and warnings with advice):
- the noise-floor dummy (experiments.design.DUMMY): a factor that changes only the seed; a
  parameter whose index does not exceed the dummy's (lower end above the dummy's upper end) is
  not told apart from seed noise (`above_noise` False);
- the share of the variance between design points that is seed noise: mean within-point variance
  over replications / R, divided by the variance of the point means (needs R ≥ 2);
- S1 below zero beyond its interval, ΣS1 > 1, too few samples or replications;
- NaN outputs are refused, naming the design points (SALib would return 0 ± 0 silently).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.cost_effectiveness import default_outcomes
from experiments.design import DUMMY, Factor, Sweep, run_values
from experiments.panels import panel_grid, save_panels
from experiments.store import load_plan, load_results
from experiments.sweep import INDICATORS, load_sweep

#: Indicators analysed when the sweep keeps all of them (the registry's: value added once it exists).
DEFAULT_INDICATORS = (*default_outcomes(), "gov_spending")
#: Below these the indices are rough (Saltelli et al. 2010: Sobol' N of several hundred;
#: Campolongo et al. 2007: 10–20 Morris trajectories).
MIN_SOBOL_SAMPLES, MIN_MORRIS_TRAJECTORIES, MIN_REPLICATIONS = 64, 10, 2
NOISE_SHARE_WARN = 0.25


def sweep_from_plan(plan: dict) -> Sweep:
    """The design part of a stored sweep (enough to rebuild its sample matrix)."""
    factors = tuple(Factor(**{**f, "values": tuple(f["values"]) if f.get("values") else None})
                    for f in plan["factors"])
    return Sweep(name=plan["name"], scenario=None, steps=plan["steps"], replications=plan["replications"],
                 seed=plan["seed"], method=plan["method"], factors=factors, samples=plan["samples"],
                 second_order=plan["second_order"], levels=plan["levels"], final=tuple(plan["final"]),
                 dummy=plan.get("dummy", False))


def point_means(out, sw: Sweep, indicators) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per design point: mean and variance over replications; refuses missing points and NaN."""
    n_points = len(run_values(sw))
    final = load_results(out, "final")
    missing = sorted(set(range(n_points)) - set(final["point"]) if len(final) else range(n_points))
    if missing:
        raise ValueError(f"{out}: {len(missing)} of {n_points} design points have no successful run "
                         f"(e.g. points {missing[:5]}); see manifest.jsonl, then rerun the same command (it runs only what is missing)")
    for ind in indicators:
        bad = sorted(set(final.loc[final[ind].isna(), "point"]))
        if bad:
            raise ValueError(f"{out}: {ind} is NaN (undefined) at {len(bad)} of {n_points} design points "
                             f"(points {bad[:10]}{' ...' if len(bad) > 10 else ''}); its indices would be "
                             "meaningless: analyse other indicators (--indicators) or change the design")
    g = final.groupby("point")[list(indicators)]
    return g.mean().sort_index(), g.var(ddof=1).sort_index()


def indices(out, indicators=None, level: float = 0.95) -> pd.DataFrame:
    """Tidy table of sensitivity indices: one row per indicator and factor (the dummy included)."""
    from SALib.analyze import morris, sobol

    plan = load_plan(out)
    if plan.get("kind") != "sweep" or plan.get("method") not in ("sobol", "morris"):
        raise ValueError(f"{out}: sensitivity needs a sweep with design.method = \"sobol\" or \"morris\"")
    sw = sweep_from_plan(plan)
    X = run_values(sw)
    indicators = list(indicators or (DEFAULT_INDICATORS if len(sw.final) == len(INDICATORS) else sw.final))
    means, variances = point_means(out, sw, indicators)
    rows = []
    for ind in indicators:
        Y = means[ind].to_numpy(dtype=float)
        if sw.method == "sobol":
            res = sobol.analyze(sw.problem, Y, calc_second_order=sw.second_order, conf_level=level, seed=sw.seed)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            res = morris.analyze(sw.problem, X, Y, conf_level=level, num_levels=sw.levels, seed=sw.seed)
            keys = ("mu", "mu_star", "mu_star_conf", "sigma")
        noise = noise_share(Y, variances[ind].to_numpy(dtype=float), sw.replications)
        for j, name in enumerate(sw.problem["names"]):
            rows.append({"indicator": ind, "parameter": name, **{k: float(np.asarray(res[k])[j]) for k in keys},
                         "seed_noise_share": noise})
    table = pd.DataFrame(rows)
    table["above_noise"] = above_noise(table, sw.method) if sw.dummy else np.nan
    notes = diagnose(table, sw)
    for note in notes:
        warnings.warn(note, stacklevel=2)
    table.attrs["diagnostics"] = notes
    return table


def noise_share(means: np.ndarray, variances: np.ndarray, reps: int) -> float:
    """Share of the variance of the point means that is seed noise: mean(s²_within)/R ÷ var(means)."""
    if reps < 2 or not np.all(np.isfinite(variances)):
        return np.nan
    total = np.var(means, ddof=1)
    return float(np.mean(variances) / reps / total) if total > 0 else np.nan


def above_noise(table: pd.DataFrame, method: str) -> pd.Series:
    """True where a factor's index (lower end) exceeds the dummy's (upper end), per indicator."""
    value, conf = ("ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf")
    dummy = table[table["parameter"] == DUMMY].set_index("indicator")
    floor = (dummy[value] + dummy[conf]).reindex(table["indicator"]).to_numpy()
    flags = (table[value] - table[conf]).to_numpy() > floor
    return pd.Series(np.where(table["parameter"] == DUMMY, np.nan, flags), index=table.index, dtype=object)


def diagnose(table: pd.DataFrame, sw: Sweep) -> list[str]:
    """Warnings, each with advice, about indices that should not be read as they are."""
    notes = []
    if sw.method == "sobol" and sw.samples < MIN_SOBOL_SAMPLES:
        notes.append(f"Sobol' N = {sw.samples} is small: indices are rough (intervals of ±0.2 or more); "
                     f"use samples ≥ {MIN_SOBOL_SAMPLES * 2}")
    if sw.method == "morris" and sw.samples < MIN_MORRIS_TRAJECTORIES:
        notes.append(f"Morris with {sw.samples} trajectories is rough: use samples (trajectories) ≥ "
                     f"{MIN_MORRIS_TRAJECTORIES}")
    if sw.replications < MIN_REPLICATIONS:
        notes.append(f"{sw.replications} replication per point: seed noise cannot be separated from the "
                     f"factors' effects; use replications ≥ {MIN_REPLICATIONS}" +
                     (" (the dummy's index is the only noise estimate)" if sw.dummy else ""))
    for ind, t in table.groupby("indicator", sort=False):
        real = t[t["parameter"] != DUMMY]
        share = t["seed_noise_share"].iloc[0]
        if np.isfinite(share) and share > NOISE_SHARE_WARN:
            notes.append(f"{ind}: seed noise is {share:.0%} of the variance between design points: raise "
                         f"replications (noise variance falls as 1/R; now {sw.replications})")
        if sw.method == "sobol":
            for _, r in real[real["S1"] + real["S1_conf"] < 0].iterrows():
                notes.append(f"{ind}: S1 of {r['parameter']} = {r['S1']:.3f} ± {r['S1_conf']:.3f} is below "
                             "zero beyond its interval: noise dominates; raise samples and replications")
            if real["S1"].sum() > 1:
                notes.append(f"{ind}: ΣS1 = {real['S1'].sum():.2f} > 1, impossible for a variance decomposition: "
                             "too few samples or too much seed noise; raise samples and replications")
        if sw.dummy:
            lost = real.loc[real["above_noise"] == False, "parameter"].tolist()  # noqa: E712
            if lost:
                notes.append(f"{ind}: not told apart from seed noise (index ≤ the dummy's): {', '.join(lost)}")
    return notes


def plot_indices(table: pd.DataFrame, path) -> Path:
    """Bar chart: a panel per indicator; Sobol' S1 and ST (or Morris μ*) per factor, with intervals;
    the dummy's upper end drawn as the noise floor."""
    sobol = "ST" in table.columns
    bars = (("S1", "S1_conf"), ("ST", "ST_conf")) if sobol else (("mu_star", "mu_star_conf"),)
    indicators = list(dict.fromkeys(table["indicator"]))
    fig, axes = panel_grid(len(indicators), 4.2, 3.4)
    width = 0.8 / len(bars)
    for ax, ind in zip(axes, indicators):
        t = table[table["indicator"] == ind]
        x = np.arange(len(t))
        for i, (value, conf) in enumerate(bars):
            ax.bar(x + (i - (len(bars) - 1) / 2) * width, t[value], width, yerr=t[conf], capsize=2,
                   label=value.replace("mu_star", "μ*"))
        dummy = t[t["parameter"] == DUMMY]
        if len(dummy):
            value, conf = bars[-1]
            ax.axhline(float(dummy[value].iloc[0] + dummy[conf].iloc[0]), color="grey", linestyle="--",
                       linewidth=1, label="noise floor")
        ax.set_xticks(x, t["parameter"], rotation=30, ha="right", fontsize="small")
        ax.set_title(ind)
        ax.axhline(0, color="black", linewidth=0.5)
    return save_panels(fig, axes, len(indicators), path,
                       "Sobol' indices" if sobol else "Morris elementary effects (μ*: change over the range)")


@dataclass
class Sensitivity:
    out: Path
    table: pd.DataFrame
    figure: Path
    report: object = None


def analyse(out, indicators=None, level: float = 0.95) -> Sensitivity:
    """Indices table (sensitivity.csv) and bar chart (sensitivity.png) of a results folder."""
    out = Path(out)
    table = indices(out, indicators, level)
    table.to_csv(out / "sensitivity.csv", index=False)
    return Sensitivity(out, table, plot_indices(table, out / "sensitivity.png"))


def check_indicators(sw: Sweep, indicators) -> list[str] | None:
    """`indicators` (None: the defaults) if the sweep keeps each of them; else ValueError naming
    --indicators, the name and the allowed ones — before any run, not after the whole sweep."""
    if indicators is None:
        return None
    from model.param_spec import did_you_mean

    names = [name.strip() for name in indicators]
    for name in [n for n in names if n not in sw.final] or ([] if names else [""]):
        raise ValueError(f"--indicators: {name!r} is not an indicator the sweep keeps{did_you_mean(name, sw.final)}; allowed: "
                         f"{', '.join(sw.final)} (the sweep file's keep.final); given: {','.join(names)!r}")
    return names


def sensitivity(path_or_sweep, out=None, indicators=None, *, resume=True, **run) -> Sensitivity:
    """Run (or finish) a Sobol'/Morris sweep, then analyse it. A sweep of another design or
    `indicators` it does not keep are refused before any run (ValueError)."""
    from experiments.sweep import sweep

    sw = path_or_sweep if isinstance(path_or_sweep, Sweep) else load_sweep(path_or_sweep)
    if sw.method not in ("sobol", "morris"):
        raise ValueError(f"{sw.source}: design.method is {sw.method!r}; sensitivity needs \"sobol\" or \"morris\"")
    indicators = check_indicators(sw, indicators)
    report = sweep(sw, out, resume=resume, **run)
    result = analyse(report.out, indicators)
    result.report = report
    return result
