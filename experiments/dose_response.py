"""Dose-response, outcome-vs-spending (Pareto) and budget-use figures and tables.

From a results folder whose arms change levers against one reference (a one_at_a_time,
dose_response or fixed_budget sweep, or a cost-effectiveness batch), with series kept:

    effects = experiments.cost_effectiveness.effectiveness(out)     paired effects per arm
    plot_dose_response(effects, path)   final effect vs the lever's value, one line per lever,
                                        paired BCa intervals (the reference is the 0 point)
    plot_pareto(effects, path)          final effect vs cumulative funded spending, the
                                        non-dominated arms (no other arm gets more for less) joined
    budget_use(out)                     per arm and lever: requested, funded, paid, share funded,
                                        quarters funded below the request
    plot_budget(out, path)              requested vs funded per quarter (mean over replications)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.cost_effectiveness import SHARE_POINTS, SHARES, reference_and_changes
from experiments.panels import panel_grid, save_panels
from experiments.store import load_plan, load_results


def _scaled(t: pd.DataFrame, col: str, ind: str) -> np.ndarray:
    return t[col].to_numpy(float) * (100.0 if ind in SHARES else 1.0)


def _label(ind: str, unit: str) -> str:
    return f"Δ {ind} [{SHARE_POINTS if ind in SHARES else unit}]"


def plot_dose_response(effects: pd.DataFrame, path, outcomes=None) -> Path:
    """A panel per outcome: final paired effect vs lever value (units/quarter), one line per lever."""
    single = effects[~effects["lever"].str.contains(r"\+", regex=True) & effects["value"].notna()]
    outcomes = list(outcomes or dict.fromkeys(single["indicator"]))
    fig, axes = panel_grid(len(outcomes), 4.4, 3.4, cols=len(outcomes))
    for ax, ind in zip(axes, outcomes):
        t = single[single["indicator"] == ind]
        for lever, g in t.groupby("lever", sort=False):
            g = g.sort_values("value")
            x = np.r_[0.0, g["value"].to_numpy(float)]
            y = np.r_[0.0, _scaled(g, "final_effect", ind)]
            lo = np.r_[0.0, _scaled(g, "final_effect_low", ind)]
            hi = np.r_[0.0, _scaled(g, "final_effect_high", ind)]
            line, = ax.plot(x, y, marker="o", label=lever)
            ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlabel("lever value [units/quarter]")
        ax.set_ylabel(_label(ind, t["unit"].iloc[0] if len(t) else ""))
        ax.set_title(f"{ind} at quarter {int(t['quarters'].iloc[0]) if len(t) else '?'}")
    return save_panels(fig, axes, len(outcomes), path,
                       "Dose-response: paired effect vs the reference, 95% BCa band over seeds")


def pareto_front(spending: np.ndarray, effect: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated arms (no other arm has ≤ spending and > effect, or < spending
    and ≥ effect), ordered by spending."""
    order = np.argsort(spending, kind="stable")
    front, best = [], -np.inf
    for i in order:
        if effect[i] > best:
            front.append(i)
            best = effect[i]
    return np.array(front, dtype=int)


def plot_pareto(effects: pd.DataFrame, path, outcomes=None) -> Path:
    """A panel per outcome: final effect vs cumulative funded spending, the Pareto front joined."""
    outcomes = list(outcomes or dict.fromkeys(effects["indicator"]))
    fig, axes = panel_grid(len(outcomes), 4.4, 3.6, cols=len(outcomes))
    for ax, ind in zip(axes, outcomes):
        t = effects[effects["indicator"] == ind].reset_index(drop=True)
        s, y = t["spending"].to_numpy(float), _scaled(t, "final_effect", ind)
        err = np.vstack([y - _scaled(t, "final_effect_low", ind), _scaled(t, "final_effect_high", ind) - y])
        for lever, g in t.groupby("lever", sort=False):
            ax.errorbar(s[g.index], y[g.index], yerr=np.nan_to_num(err[:, g.index]), fmt="o", capsize=2,
                        label=lever)
        front = pareto_front(s, y)
        ax.plot(np.r_[0.0, s[front]], np.r_[0.0, y[front]], color="black", linewidth=0.8, linestyle="--",
                label="Pareto front")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlabel(f"cumulative funded spending over {int(t['quarters'].iloc[0])} quarters [units]")
        ax.set_ylabel(_label(ind, t["unit"].iloc[0]))
        ax.set_title(ind)
    return save_panels(fig, axes, len(outcomes), path, "Outcome vs spending (paired effects, 95% BCa intervals)",
                       legend="x-small")


def budget_use(out) -> pd.DataFrame:
    """Per arm and changed paid lever: requested, funded and paid totals (mean over replications),
    share funded, and the quarters in which some replication was funded below its request."""
    series = load_results(out, "series")
    _, arms = reference_and_changes(load_plan(out), series)
    rows = []
    for arm, changes in arms.items():
        s = series[(series["arm"] == arm) & (series["step"] > 0)]
        for lever in changes:
            cols = [f"requested_{lever}", f"funded_{lever}", f"spend_{lever}"]
            if not all(c in s.columns for c in cols):
                continue
            per_q = s.groupby("step")[cols].agg(["mean", "min"])
            short = s[s[cols[1]] < s[cols[0]] * (1 - 1e-9)]["step"].unique()
            total = s.groupby("rep")[cols].sum().mean()
            rows.append({"arm": arm, "lever": lever, "requested": total[cols[0]], "funded": total[cols[1]],
                         "paid": total[cols[2]],
                         "share_funded": total[cols[1]] / total[cols[0]] if total[cols[0]] > 0 else np.nan,
                         "quarters_short": len(short), "quarters": int(per_q.index.max()),
                         "first_short": int(short.min()) if len(short) else None})
    return pd.DataFrame(rows)


def plot_budget(out, path, max_panels: int = 12) -> Path | None:
    """Requested (dashed) vs funded (solid) per quarter, mean over replications; a panel per lever."""

    series = load_results(out, "series")
    _, arms = reference_and_changes(load_plan(out), series)
    pairs = [(arm, lever) for arm, ch in arms.items() for lever in ch if f"requested_{lever}" in series.columns]
    levers = list(dict.fromkeys(lever for _, lever in pairs))[:max_panels]
    if not levers:
        return None
    fig, axes = panel_grid(len(levers), 4.4, 3.2, cols=len(levers))
    for ax, lever in zip(axes, levers):
        for arm in [a for a, lv in pairs if lv == lever]:
            m = series[(series["arm"] == arm) & (series["step"] > 0)].groupby("step")[
                [f"requested_{lever}", f"funded_{lever}"]].mean()
            line, = ax.plot(m.index, m[f"funded_{lever}"], label=arm.split(":", 1)[-1])
            ax.plot(m.index, m[f"requested_{lever}"], color=line.get_color(), linestyle="--", linewidth=0.8)
        ax.set_title(lever)            # the long part once, over the figure: a panel's title was cut off
        ax.set_xlabel("quarter")
        ax.set_ylabel("units/quarter")
        ax.legend(fontsize="x-small")
    return save_panels(fig, axes, len(levers), path, legend=None,
                       title="spending per lever: funded (solid) vs requested (dashed), mean over seeds")
