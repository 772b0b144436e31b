"""Sobol' or Morris sensitivity indices of indicators with respect to a sweep's varied levers.

The sweep file chooses the design (`method = "sobol"` or `"morris"`, `samples` = N); its runs
go into a results folder as any sweep. Each design point is averaged over its replications
(common random numbers: the same seeds at every point) and SALib computes the indices:
Sobol' S1 and ST with bootstrap intervals, or Morris μ* (mean absolute elementary effect) and σ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.store import load_plan, load_results
from experiments.sweep import INDICATORS, Factor, Sweep, design_matrix, load_sweep

#: Indicators analysed when the sweep keeps all of them.
DEFAULT_INDICATORS = ("firms", "output", "mean_knowledge", "local_sourcing_share")


def sweep_from_plan(plan: dict) -> Sweep:
    """The design part of a stored sweep (enough to rebuild its sample matrix)."""
    factors = tuple(Factor(**{**f, "values": tuple(f["values"]) if f.get("values") else None})
                    for f in plan["factors"])
    return Sweep(name=plan["name"], scenario=None, steps=plan["steps"], replications=plan["replications"],
                 seed=plan["seed"], method=plan["method"], factors=factors, samples=plan["samples"],
                 second_order=plan["second_order"], levels=plan["levels"], final=tuple(plan["final"]))


def indices(out, indicators=None, level: float = 0.95) -> pd.DataFrame:
    """Tidy table of sensitivity indices: one row per indicator and varied parameter."""
    from SALib.analyze import morris, sobol

    plan = load_plan(out)
    if plan.get("kind") != "sweep" or plan.get("method") not in ("sobol", "morris"):
        raise ValueError(f"{out}: sensitivity needs a sweep with design.method = \"sobol\" or \"morris\"")
    sw = sweep_from_plan(plan)
    X = design_matrix(sw)
    indicators = list(indicators or (DEFAULT_INDICATORS if len(sw.final) == len(INDICATORS) else sw.final))
    final = load_results(out, "final")
    missing = sorted(set(range(len(X))) - set(final["point"]) if len(final) else range(len(X)))
    if missing:
        raise ValueError(f"{out}: {len(missing)} of {len(X)} design points have no successful run "
                         f"(e.g. points {missing[:5]}); see manifest.jsonl, then rerun with --resume")
    means = final.groupby("point")[indicators].mean().sort_index()
    rows = []
    for ind in indicators:
        Y = means[ind].to_numpy(dtype=float)
        if sw.method == "sobol":
            res = sobol.analyze(sw.problem, Y, calc_second_order=sw.second_order, conf_level=level, seed=sw.seed)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            res = morris.analyze(sw.problem, X, Y, conf_level=level, num_levels=sw.levels, seed=sw.seed)
            keys = ("mu", "mu_star", "mu_star_conf", "sigma")
        for j, name in enumerate(sw.problem["names"]):
            rows.append({"indicator": ind, "parameter": name, **{k: float(np.asarray(res[k])[j]) for k in keys}})
    return pd.DataFrame(rows)


def plot_indices(table: pd.DataFrame, path) -> Path:
    """Bar chart: a panel per indicator; Sobol' S1 and ST (or Morris μ*) per parameter, with intervals."""
    from matplotlib.figure import Figure

    sobol = "ST" in table.columns
    bars = (("S1", "S1_conf"), ("ST", "ST_conf")) if sobol else (("mu_star", "mu_star_conf"),)
    indicators = list(dict.fromkeys(table["indicator"]))
    cols = min(3, len(indicators))
    rows = -(-len(indicators) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    width = 0.8 / len(bars)
    for ax, ind in zip(axes, indicators):
        t = table[table["indicator"] == ind]
        x = np.arange(len(t))
        for i, (value, conf) in enumerate(bars):
            ax.bar(x + (i - (len(bars) - 1) / 2) * width, t[value], width, yerr=t[conf], capsize=2,
                   label=value.replace("mu_star", "μ*"))
        ax.set_xticks(x, t["parameter"], rotation=30, ha="right", fontsize="small")
        ax.set_title(ind)
        ax.axhline(0, color="black", linewidth=0.5)
    for ax in axes[len(indicators):]:
        ax.set_visible(False)
    axes[0].legend(fontsize="small")
    fig.suptitle("Sobol' indices" if sobol else "Morris elementary effects")
    fig.savefig(path, dpi=110)
    return Path(path)


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


def sensitivity(path_or_sweep, out=None, indicators=None, *, resume=True, **run) -> Sensitivity:
    """Run (or finish) a Sobol'/Morris sweep, then analyse it."""
    from experiments.sweep import sweep

    sw = path_or_sweep if isinstance(path_or_sweep, Sweep) else load_sweep(path_or_sweep)
    if sw.method not in ("sobol", "morris"):
        raise ValueError(f"{sw.source}: design.method is {sw.method!r}; sensitivity needs \"sobol\" or \"morris\"")
    report = sweep(sw, out, resume=resume, **run)
    result = analyse(report.out, indicators)
    result.report = report
    return result
