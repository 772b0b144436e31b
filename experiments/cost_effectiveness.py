"""Cost-effectiveness of policy levers: change in an indicator per unit of government spending.

For each lever the base scenario (lever off: as the scenario sets it) is compared with the same
scenario with the lever on, replication by replication (common random numbers). With ΔY the
paired change in the final value of an indicator and ΔS the paired change in cumulative spending,
the cost-effectiveness is mean(ΔY) / mean(ΔS), with a paired bootstrap interval (scipy.stats).

Spending is the lever's own spending (`cost="lever"`: Σ spend_<lever>) or the government's net
fiscal cost (`cost="net"`: Σ (gov_spending − gov_revenue)), which also counts taxes the lever
brings in or forgoes — the only meaningful cost of tax levers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.compare import Arm, parse_assignments, run_arms, t_interval
from experiments.store import load_plan, load_results
from experiments.sweep import load_scenario_checked

#: The indicators the issue asks about: output, firms, knowledge, local sourcing.
OUTCOMES = ("output", "firms", "mean_knowledge", "local_sourcing_share")
COSTS = ("lever", "net")


def lever_arms(scenario, levers: dict, common: dict | None = None) -> list[Arm]:
    """The off arm (the scenario) and one on arm per lever."""
    sc = load_scenario_checked(scenario) if isinstance(scenario, str) else scenario
    common = dict(common or {})
    name = getattr(sc, "name", str(scenario))
    return [Arm(name, sc, common)] + [Arm(f"{name}:{lever}={value}", sc, {**common, lever: value})
                                      for lever, value in levers.items()]


def effectiveness(out, outcomes=OUTCOMES, cost: str = "lever", level: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """Per lever and outcome: ΔY, ΔS and ΔY/ΔS with `level` intervals, from a results folder."""
    if cost not in COSTS:
        raise ValueError(f"cost must be one of {COSTS}, got {cost!r}")
    plan = load_plan(out)
    arms = plan["arms"]
    series = load_results(out, "series")
    final = series[series["step"] == series.groupby("run_id")["step"].transform("max")].set_index(["arm", "rep"])
    spent = series[series["step"] > 0].groupby(["arm", "rep"])
    off = arms[0]["label"]
    rows = []
    for arm in arms[1:]:
        (lever, value), = (arm["overrides"].items() - arms[0]["overrides"].items())
        if cost == "lever":
            s = spent[f"spend_{lever}"].sum()
        else:
            s = spent["gov_spending"].sum() - spent["gov_revenue"].sum()
        reps = final.loc[arm["label"]].index.intersection(final.loc[off].index)
        dS = (s.loc[arm["label"]].reindex(reps) - s.loc[off].reindex(reps)).to_numpy(float)
        for ind in outcomes:
            dY = (final.loc[arm["label"], ind].reindex(reps) - final.loc[off, ind].reindex(reps)).to_numpy(float)
            rows.append({"lever": lever, "value": value, "indicator": ind, "n": len(reps),
                         **_mean_ci("effect", dY, level), **_mean_ci("spending", dS, level),
                         **_ratio_ci(dY, dS, level, seed)})
    return pd.DataFrame(rows)


def _mean_ci(name, x, level):
    low, high = t_interval(np.mean(x), np.std(x, ddof=1) if len(x) > 1 else np.nan, len(x), level)
    return {name: float(np.mean(x)), f"{name}_low": float(low), f"{name}_high": float(high)}


def _ratio_ci(dY, dS, level, seed):
    """mean(ΔY)/mean(ΔS) with a paired percentile bootstrap interval (NaN if nothing was spent)."""
    if len(dY) == 0 or np.isclose(np.mean(dS), 0.0):
        return {"per_unit": np.nan, "per_unit_low": np.nan, "per_unit_high": np.nan}
    ratio = float(np.mean(dY) / np.mean(dS))
    if len(dY) < 2 or (np.ptp(dY) == 0 and np.ptp(dS) == 0):
        return {"per_unit": ratio, "per_unit_low": ratio if len(dY) > 1 else np.nan,
                "per_unit_high": ratio if len(dY) > 1 else np.nan}
    res = stats.bootstrap((dY, dS), lambda y, s, axis=-1: np.mean(y, axis=axis) / np.mean(s, axis=axis),
                          paired=True, vectorized=True, confidence_level=level, n_resamples=2000,
                          method="percentile", rng=np.random.default_rng(seed))
    return {"per_unit": ratio, "per_unit_low": float(res.confidence_interval.low),
            "per_unit_high": float(res.confidence_interval.high)}


def cost_effectiveness(scenario, levers, reps: int = 10, steps: int | None = None, seed: int = 1, out=None, *,
                       common=None, outcomes=OUTCOMES, cost: str = "lever", level: float = 0.95, **run):
    """Run lever-off and lever-on arms with CRN and tabulate ΔY per unit of spending.

    `levers`: a dict {lever: value} or a string "tech_centre=20,rd_subsidy=0.3".
    Writes cost_effectiveness.csv into the results folder and returns the table.
    """
    if isinstance(levers, str):
        levers = parse_assignments(levers, "levers")
    out, report = run_arms(lever_arms(scenario, levers, common), reps, steps, seed, out,
                           kind="cost_effectiveness", **run)
    table = effectiveness(out, outcomes, cost, level, seed)
    table.to_csv(Path(out) / "cost_effectiveness.csv", index=False)
    table.attrs["report"] = report
    return table
