"""What an optimisation found: Pareto fronts, hypervolume by generation, the out-of-sample check
of the front, the chosen mix, figures and files (the second half of `clusterlab optimise`).

- Front of an arm: the feasible, non-dominated points among everything that arm evaluated (its
  archive), on the means over the search seeds. The decision's front: the same over every point
  either arm evaluated (a mix the random search found is as good a candidate as the optimiser's);
  each of its points is on its own arm's front too.
- Hypervolume (Zitzler & Thiele 1998; pymoo.indicators.hv): objectives turned into minimisation,
  normalised to [0, 1] between the best and worst feasible values found by either arm, reference
  point 1.1 in every objective; the same normalisation for both arms and every generation, so
  the two curves compare. Infeasible points add nothing.
- Out-of-sample check: every point of the decision's front is rerun on `check_replications`
  fresh seeds; each measure is reported as a mean with a 95% t interval (mean ± t·sd/√n; n/a from
  fewer than MIN_INTERVAL_N = 3 seeds, experiments.conventions), and
  each constraint with the share of fresh seeds on which it holds.
- Chosen mix: among front points whose fresh-seed means meet every constraint, the best on
  `choose` (default: the first objective); if none does, the in-sample best, flagged.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.conventions import MIN_INTERVAL_N, few_replications, plain
from experiments.formatting import fmt_float
from experiments.optimise import arms, check_seeds, feasible, measures, objective_matrix, variables

LEVEL = 0.95


@dataclass
class Outcome:
    spec: object
    out: Path
    points: pd.DataFrame
    front: pd.DataFrame
    hypervolume: pd.DataFrame
    chosen: dict | None
    note: str = ""
    ran: int = 0
    cached: int = 0
    failed_runs: int = 0
    files: list = field(default_factory=list)

    def report(self) -> str:
        spec, hv = self.spec, self.hypervolume.iloc[-1]
        lines = [f"{spec.name}: {len(self.points)} points evaluated on {spec.replications} seeds "
                 f"({self.ran} model runs computed now, {self.cached} from the run cache, the rest read from "
                 f"{self.out / 'evals'}; "
                 f"{self.failed_runs} failed)"]
        lines += [f"hypervolume after {int(hv['generation'])} generations: "
                  + ", ".join(f"{arm} {hv[f'hv_{arm}']:.4f}" for arm in arms(spec))]
        pool = self.front[self.front["front"] == "all"]
        missed = "nearest_miss" in pool and pool["nearest_miss"].fillna(False).astype(bool).any()
        sizes = {arm: int((self.front["front"] == arm).sum()) for arm in arms(spec)}
        found = {arm: 0 if missed else int((pool["arm"] == arm).sum()) for arm in arms(spec)}
        lines.append(f"front of {spec.algorithm}: {sizes[spec.algorithm]} points (feasible, non-dominated)"
                     + "".join(f"; of {arm}: {sizes[arm]}" for arm in arms(spec)[1:]))
        lines.append(f"front of every point evaluated: {0 if missed else len(pool)} points ("
                     + ", ".join(f"{found[arm]} found by {arm}" for arm in arms(spec))
                     + "); the chosen mix comes from it")
        if self.chosen:
            lines.append(f"chosen ({self.note}): " + ", ".join(f"{k} = {v:g}" for k, v in self.chosen["settings"].items()))
            titled = {m.label: m.titled for m in measures(spec)}
            for label, entry in self.chosen["out_of_sample"].items():
                lines.append(f"  {titled.get(label, label)}: {fmt_float(entry['mean'])} [{fmt_float(entry['low'])}, {fmt_float(entry['high'])}] "
                             f"on {spec.check_replications} fresh seeds (search seeds: {entry['in_sample']:.4g})")
            if note := few_replications(spec.check_replications, "fresh seed", "", "check_replications ="):
                lines.append(f"  warning: {note}")
        else:
            lines.append(f"no mix meets the constraints ({self.note})")
        lines.append(f"wrote {self.out}/: " + ", ".join(self.files))
        return "\n".join(lines)


# --- fronts and hypervolume -----------------------------------------------------------------------
def front(spec, points: pd.DataFrame, arm: str | None, upto: int | None = None) -> pd.DataFrame:
    """Feasible non-dominated points of `arm` (None: of every arm together; generations ≤ upto),
    one per setting."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    names = variables(spec)[0]
    mine = points if arm is None else points[points["arm"] == arm]
    if upto is not None:
        mine = mine[mine["generation"] <= upto]
    mine = mine[feasible(spec, mine)].drop_duplicates(subset=names)
    if mine.empty:
        return mine
    F, _ = objective_matrix(spec, mine)
    keep = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return mine.iloc[np.sort(keep)].reset_index(drop=True)


def hypervolume(spec, points: pd.DataFrame) -> pd.DataFrame:
    """Hypervolume of each arm's archive front after each generation, on one common normalisation."""
    from pymoo.indicators.hv import HV

    ok = points[feasible(spec, points)]
    rows = []
    if ok.empty:
        scale_low, scale = None, None
    else:
        F, _ = objective_matrix(spec, ok)
        scale_low, scale = F.min(axis=0), np.where(np.ptp(F, axis=0) > 0, np.ptp(F, axis=0), 1.0)
    indicator = HV(ref_point=np.full(len(spec.objectives), 1.1))
    for generation in range(1, int(points["generation"].max()) + 1):
        row = {"generation": generation}
        for arm in arms(spec):
            row[f"evaluations_{arm}"] = int(((points["arm"] == arm) & (points["generation"] <= generation)).sum())
            f = front(spec, points, arm, generation)
            value = 0.0
            if not f.empty and scale is not None:
                value = float(indicator.do((objective_matrix(spec, f)[0] - scale_low) / scale))
            row[f"hv_{arm}"] = value
        rows.append(row)
    return pd.DataFrame(rows)


# --- out-of-sample check ----------------------------------------------------------------------------
def check(spec, table: pd.DataFrame, evaluate) -> pd.DataFrame:
    """`table` with, per measure, the fresh-seed mean and 95% interval, and per constraint the share
    of fresh seeds on which it holds; `oos_feasible` where the fresh-seed means meet every constraint."""
    names, seeds = variables(spec)[0], check_seeds(spec)
    if table.empty or not seeds:
        return table.assign(oos_feasible=pd.Series(dtype=bool))
    settings = [{n: plain(row[n]) for n in names} for _, row in table.iterrows()]
    evaluate(settings, seeds)
    rows = []
    for s in settings:
        runs = evaluate.runs(s, seeds)
        row = {}
        for m in measures(spec):
            row.update(_interval(f"oos_{m.label}", runs[m.label].to_numpy(float)))
        ok = True
        for c in spec.constraints:
            x = runs[c.measure.label].to_numpy(float)
            row[f"oos_share_{c.measure.label}"] = float(np.mean(c.holds(x)))
            ok &= bool(c.holds(np.nanmean(x))) if np.isfinite(x).any() else False
        row["oos_feasible"] = ok
        rows.append(row)
    return pd.concat([table.reset_index(drop=True), pd.DataFrame(rows)], axis=1)


def _interval(name: str, x: np.ndarray) -> dict:
    x = x[np.isfinite(x)]
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1) * x.std(ddof=1) / math.sqrt(n)) if n >= MIN_INTERVAL_N else math.nan
    return {name: mean, f"{name}_low": mean - half, f"{name}_high": mean + half, f"{name}_n": n}


def nearest(spec, points: pd.DataFrame, arm: str | None) -> pd.DataFrame:
    """The point of `arm` (None: of every arm) with the least constraint violation, each violation
    relative to its bound."""
    mine = (points if arm is None else points[points["arm"] == arm]).reset_index(drop=True)
    _, G = objective_matrix(spec, mine)
    scale = np.array([abs(c.bound) or 1.0 for c in spec.constraints])
    violation = (np.clip(G, 0, None) / scale).sum(axis=1)
    return mine.iloc[[int(violation.argmin())]].reset_index(drop=True)


def choose(spec, checked: pd.DataFrame) -> tuple[dict | None, str]:
    """The reported mix: best on `choose` among points meeting the constraints on fresh seeds."""
    if checked.empty:
        return None, "the search found no feasible point"
    objective = next(o for o in spec.objectives if o.label == (spec.choose or spec.objectives[0].label))
    pool, note = checked, f"best {objective.label} on the search seeds; no front point passed the fresh-seed check"
    if "oos_feasible" in checked and checked["oos_feasible"].fillna(False).astype(bool).any():
        pool = checked[checked["oos_feasible"].fillna(False).astype(bool)]
        note = f"best {objective.label} among the front's points meeting every constraint on fresh seeds"
    elif not spec.check_replications:
        note = f"best {objective.label} on the search seeds (no fresh-seed check asked for)"
    best = pool[objective.label].idxmax() if objective.sense == "max" else pool[objective.label].idxmin()
    row = pool.loc[best]
    names = variables(spec)[0]
    chosen = {"settings": {n: plain(row[n]) for n in names}, "in_sample": {}, "out_of_sample": {}}
    for m in measures(spec):
        chosen["in_sample"][m.label] = float(row[m.label])
        if f"oos_{m.label}" in row:
            chosen["out_of_sample"][m.label] = {
                "mean": float(row[f"oos_{m.label}"]), "low": float(row[f"oos_{m.label}_low"]),
                "high": float(row[f"oos_{m.label}_high"]), "n": int(row[f"oos_{m.label}_n"]),
                "in_sample": float(row[m.label])}
    for c in spec.constraints:
        if f"oos_share_{c.measure.label}" in row:
            chosen.setdefault("share_of_fresh_seeds_meeting", {})[c.label] = float(row[f"oos_share_{c.measure.label}"])
    return chosen, note


# --- files and figures ------------------------------------------------------------------------------
def write(spec, out: Path, points: pd.DataFrame, evaluate) -> Outcome:
    """front.parquet, hypervolume.csv, summary.json and the two figures. front.parquet holds the
    decision's front (column `front` = "all", with the fresh-seed check) and each arm's front
    (`front` = the arm); `arm` says which arm evaluated a point."""
    fronts = {arm: front(spec, points, arm) for arm in arms(spec)}
    pool = front(spec, points, None)
    if pool.empty:                      # nothing feasible: report (and check) the nearest miss instead
        pool = nearest(spec, points, None).assign(nearest_miss=True)
    checked = check(spec, pool, evaluate)
    table = pd.concat([checked.assign(front="all"), *(fronts[a].assign(front=a) for a in arms(spec))],
                      ignore_index=True)
    hv = hypervolume(spec, points)
    chosen, note = choose(spec, checked)
    if "nearest_miss" in checked:
        note = ("NO point met the constraints on the search seeds; shown: the nearest miss (least "
                "violation relative to each bound)")
    _atomic_parquet(table, out / "front.parquet")
    hv.to_csv(out / "hypervolume.csv", index=False)
    summary = {"name": spec.name, "source": spec.source, "scenario": spec.scenario.name, "steps": spec.steps,
               "search_seeds": [spec.seed + k for k in range(spec.replications)], "check_seeds": check_seeds(spec),
               "algorithm": spec.algorithm, "population": spec.population, "generations": spec.generations,
               "evaluations": {arm: int((points["arm"] == arm).sum()) for arm in arms(spec)},
               "hypervolume": {arm: float(hv[f"hv_{arm}"].iloc[-1]) for arm in arms(spec)},
               "front_size": {"all": 0 if "nearest_miss" in checked else len(checked),
                              **{arm: len(f) for arm, f in fronts.items()}}, "chosen": chosen, "note": note,
               "runs_computed": evaluate.ran, "runs_from_cache": getattr(evaluate, "cached", 0),
               "runs_failed": evaluate.failed}
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=plain) + "\n", encoding="utf-8")
    files = ["points.parquet", "front.parquet", "hypervolume.csv", "summary.json"]
    try:
        plot_front(spec, points, table, chosen, out / "front.png")
        plot_hypervolume(spec, hv, out / "hypervolume.png")
        files += ["front.png", "hypervolume.png"]
    except Exception as exc:  # noqa: BLE001 - the data are on disk; say so
        warnings.warn(f"the figures failed ({type(exc).__name__}: {exc}); the tables are written", stacklevel=2)
    return Outcome(spec, out, points, table, hv, chosen, note, evaluate.ran, getattr(evaluate, "cached", 0),
                   evaluate.failed, files)


def _atomic_parquet(table: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def plot_front(spec, points, table, chosen, path) -> None:
    """First two objectives: every feasible point, each arm's front, the chosen mix with its interval."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a, b = spec.objectives[0].label, spec.objectives[1].label
    fig, ax = plt.subplots(figsize=(7, 5))
    ok = points[feasible(spec, points)]
    ax.scatter(points[a], points[b], s=8, c="0.85", label="infeasible or dominated")
    ax.scatter(ok[a], ok[b], s=10, c="0.6", label="feasible")
    for arm, marker, colour in zip(arms(spec), ("o", "s"), ("C0", "C1")):
        f = table[table["front"] == arm].sort_values(a)
        ax.plot(f[a], f[b], marker=marker, color=colour, lw=1, label=f"front: {arm}")
    pool = table[table["front"] == "all"]
    if "nearest_miss" in pool and pool["nearest_miss"].fillna(False).astype(bool).any():
        ax.scatter(pool[a], pool[b], marker="x", s=60, color="C3", label="nearest miss (nothing feasible)")
    if chosen and chosen["out_of_sample"]:
        oa, ob = chosen["out_of_sample"][a], chosen["out_of_sample"][b]
        ax.errorbar([oa["mean"]], [ob["mean"]], xerr=[[oa["mean"] - oa["low"]], [oa["high"] - oa["mean"]]],
                    yerr=[[ob["mean"] - ob["low"]], [ob["high"] - ob["mean"]]], fmt="*", ms=14, color="C3",
                    label="chosen: fresh seeds, 95% interval")
    ax.set_xlabel(f"{spec.objectives[0].measure.titled} ({spec.objectives[0].sense})")
    ax.set_ylabel(f"{spec.objectives[1].measure.titled} ({spec.objectives[1].sense})")
    ax.set_title(f"{spec.name}: Pareto front (means over {spec.replications} seeds)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_hypervolume(spec, hv: pd.DataFrame, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for arm in arms(spec):
        ax.plot(hv[f"evaluations_{arm}"], hv[f"hv_{arm}"], marker="o", label=arm)
    ax.set_xlabel("points evaluated (each on the same seeds)")
    ax.set_ylabel("hypervolume (normalised objectives, ref 1.1)")
    ax.set_title(f"{spec.name}: hypervolume by generation")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
