"""Every lever's effect per unit of spending, with paired intervals against a pooled control and sham arms.

One batch over seeds 0 … reps−1 (common random numbers: replication k of every arm runs with
seed k): the reference arm (the scenario as written), `shams` sham arms and one arm per lever at a
comparable spending level. A sham arm is the reference with its random generator advanced by j
draws (j = 1 … shams) before quarter 1: the same start, no lever, no money, only the random stream
moved, as a lever moves it from its first quarter. It is a placebo (sham) control in the sense of
simulation experiments with common random numbers (Law 2015, *Simulation Modeling and Analysis*,
ch. 11.2: CRN pair arms only while their draws stay synchronised; here any lever desynchronises
them within a quarter or two, so what remains paired is the start).

For replication k, lever arm L and outcome Y summed over the quarters (as
`experiments.cost_effectiveness`):

    ΔB_k(ref)    = ΣY_L,k − ΣY_ref,k                          against the reference alone
    ΔB_k(pooled) = ΣY_L,k − mean_c ΣY_c,k,  c ∈ {ref, sham 1 … sham m}   against the pooled control
    per unit     = mean ΔB / mean ΔS      (ΔS: the lever's own funded spending; the net fiscal cost too for
                                           the rate/level levers)

with paired BCa intervals over the replications (Efron 1987; `cost_effectiveness.paired_bca`, the
same code path for every row, the sham rows included). Against the reference alone every lever
shares that one stream's noise; the pooled control averages it over m + 1 streams (variance of the
control's part ÷ (m + 1)). The sham arms are also reported as arms of their own against the
reference (a placebo test: their interval should hold 0 in 95% of cases).

**Stream-noise floor** (`noise`, `noise_per_unit`): the half-width of a 95% t interval of the mean of
n paired differences between two no-lever arms, with the standard deviation of those differences
estimated from the shams: sham − reference for the reference control, sham − mean of the other
no-lever arms for the pooled control (a pool one arm smaller than the one a lever meets, so
slightly conservative). A lever whose effect is inside ± noise is not told from stream
divergence; per unit it is divided by the row's spending.

**Multiple testing** (`adjusted`; `experiments.multiple_testing` gives the sources): p_value is the
paired sign-flip permutation test of mean ΔB = 0 (Fisher 1935; Romano 1990 for the pooled control,
whose differences need not be symmetric), the H0 of the per-unit figure too. The levers of one
outcome against one control are read together, so they form one family: the rows of cost "lever"
that spent something (a lever with nothing to spend on has no per-unit figure to test: m = 13 of
the 14 default levers in the baseline, which has no park to subsidise). p_holm is Holm's step-down
adjustment (family-wise error at 1 − level under any dependence: the levers share their control),
p_bh the Benjamini–Hochberg one (false discovery rate; guaranteed under independence or positive
dependence only); told_holm = p_holm < 1 − level.
A net-cost row tests the same ΔB as its lever row and takes its figures; the shams keep their raw
p_value (a placebo: uniform on (0, 1] under no effect) and are in no family.

    python -m experiments.lever_effects --steps 80 --reps 50 --shams 4 --workers 1 --out results/lever_effects
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from experiments.compare import Arm, run_arms
from experiments.conventions import DEFAULT_SEED
from experiments.cost_effectiveness import OUTCOMES, arm_matrix, arm_rows, check_levers, lever_arms, underfunding
from experiments.multiple_testing import adjust
from experiments.store import load_plan, load_results

#: Money levers at 20 units a quarter (≈ 1,600 over 80 quarters: the issue's comparison level).
MONEY_LEVERS = {
    "infrastructure": 20.0, "tech_centre": 20.0, "university_links": 20.0, "credit_guarantee": 20.0,
    "training": 20.0, "entrepreneurship": 20.0, "investment_attraction": 20.0, "brand_promotion": 20.0,
    "market_building": 20.0, "association": 20.0, "environmental_enforcement": 20.0,
}
#: Rate and level levers, at the value the issue's scenarios use.
RATE_LEVERS = {"rd_subsidy": 0.3, "park_subsidy": 0.5, "ip_protection": 0.5}
#: Paired replications by default (80 quarters take 1–2 s a run: 19 arms × 50 ≈ 20 minutes on one core; the
#: stream noise of a paired difference, ±1.1–1.5 per unit of 1,600 over 10 seeds, is ±0.4–0.5 over 50).
REPS = 50
#: Sham arms by default (the pooled control is the reference and these: 5 streams).
SHAMS = 4
#: The pooled control's arm label (a synthetic arm: the mean of the no-lever arms, replication by replication).
POOLED = "(pooled control)"
#: The sham arms' "change" in the table's lever column (no spend_ column: their spending is 0).
SHAM = "stream_offset"


def sham_arms(reference: Arm, shams: int) -> list[Arm]:
    """`shams` copies of the reference arm, the j-th with its generator advanced by j draws."""
    if isinstance(shams, bool) or not isinstance(shams, (int, np.integer)) or shams < 1:
        raise ValueError(f"--shams: allowed: a whole number >= 1 (the pooled control needs one); given: {shams!r}")
    return [Arm(f"{reference.label} (sham {j})", reference.scenario, reference.overrides, j)
            for j in range(1, shams + 1)]


def pooled_control(series: pd.DataFrame, controls: list[str]) -> pd.DataFrame:
    """`series` with one more arm, POOLED: per replication and step the mean of every numeric column over
    the `controls` arms (only replications every control completed)."""
    s = series[series["arm"].isin(controls)]
    cols = [c for c in s.select_dtypes("number").columns if c not in ("rep", "step", "point", "seed")]
    groups = s.groupby(["rep", "step"])
    pool = groups[cols].mean()[groups.size() == len(controls)]
    return pd.concat([series, pool.reset_index().assign(arm=POOLED)], ignore_index=True)


def stream_noise(series: pd.DataFrame, reference: str, shams: list[str], outcome: str,
                 level: float = 0.95) -> dict:
    """{"reference": h, "pooled": h}: half-width of a `level` t interval of a mean of n paired differences
    between no-lever arms of Σ_t outcome (see the module docstring); NaN without 2 replications."""
    totals = pd.concat([arm_matrix(series, arm, outcome).sum(axis=1) for arm in [reference, *shams]], axis=1)
    totals = totals.dropna().T.to_numpy()           # arms × replications (those every arm completed)
    n = totals.shape[1]
    if n < 2 or not shams:
        return {"reference": np.nan, "pooled": np.nan}
    vs_ref = (totals[1:] - totals[0]).ravel()
    vs_pool = np.concatenate([totals[j] - np.delete(totals, j, axis=0).mean(axis=0) for j in range(1, len(totals))])
    t = stats.t.ppf((1 + level) / 2, n - 1) / np.sqrt(n)
    return {"reference": float(t * vs_ref.std(ddof=1)), "pooled": float(t * vs_pool.std(ddof=1))}


def effects_table(out, outcomes=OUTCOMES, net=(), level: float = 0.95, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The table of a lever_effects batch folder: every lever against the reference and against the pooled
    control (cost "lever"; also cost "net" for the levers in `net`), every sham against the reference,
    with the stream-noise floor and the adjusted p-values. Columns of `cost_effectiveness` (p_value
    included) plus control, noise, noise_per_unit, p_holm, p_bh, told_holm (`adjusted`)."""
    arms = load_plan(out)["arms"]
    ref = arms[0]["label"]
    shams = [a["label"] for a in arms if a.get("stream_offset")]
    levers = {a["label"]: {k: v for k, v in a["overrides"].items() if arms[0]["overrides"].get(k) != v}
              for a in arms[1:] if not a.get("stream_offset")}
    series = pooled_control(load_results(out, "series"), [ref, *shams])
    noise = {ind: stream_noise(series, ref, shams, ind, level) for ind in outcomes}
    rows, notes = [], []
    for arm, changes in levers.items():
        notes += underfunding(series, arm, changes)
        rows += lever_rows(series, ref, arm, changes, outcomes, bool(set(changes) & set(net)), level, seed)
    for j, arm in enumerate(shams, 1):
        rows += [{**r, "control": "reference"} for r in
                 arm_rows(series, ref, arm, {SHAM: j}, outcomes, "lever", level, seed, 0.0)]
    table = pd.DataFrame(rows)
    table["noise"] = [noise[i][c] for i, c in zip(table["indicator"], table["control"])]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["noise_per_unit"] = np.where(np.isclose(table["spending"], 0.0), np.nan,
                                           table["noise"] / np.abs(table["spending"]))
    table = adjusted(table, level)
    for note in notes:                   # the budget cut a request: per unit uses what was paid
        warnings.warn(note, stacklevel=2)
    table.attrs["warnings"] = notes
    return table


def adjusted(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """`table` with p_holm, p_bh and told_holm: Holm and Benjamini–Hochberg over each family of lever rows
    of cost "lever" with a defined per_unit, per (indicator, control); net-cost rows copy their lever row's
    (the same ΔB, the same test); sham rows and rows outside a family get NaN / NA (module docstring)."""
    lever_row = (table["lever"] != SHAM) & (table["cost"] == "lever") & np.isfinite(table["per_unit"])
    t = adjust(table, ["indicator", "control"], lever_row, level)
    key = ["arm", "indicator", "control"]
    cols = ["p_holm", "p_bh", "told_holm"]
    own = t[lever_row].set_index(key)[cols]
    net = t["cost"] == "net"
    if net.any():
        t.loc[net, cols] = own.reindex(pd.MultiIndex.from_frame(t.loc[net, key])).to_numpy()
    return t


def lever_rows(series, ref, arm, changes, outcomes, net: bool, level, seed) -> list[dict]:
    """One lever arm's rows against the reference and against POOLED, at its own spending and, if `net`
    and it spent anything (against the reference), at the net fiscal cost: a lever with nothing to act on
    runs as the reference does, and its "net cost" against the pool would be the pool's noise."""
    rows = []
    for cost in ("lever", "net"):
        for control, against in (("reference", ref), ("pooled", POOLED)):
            rows += [{**r, "control": control} for r in
                     arm_rows(series, against, arm, changes, outcomes, cost, level, seed, 0.0)]
        if not net or np.isclose(rows[0]["spending"], 0.0):
            break
    return rows


def lever_effects(scenario: str = "baseline", reps: int = REPS, steps: int | None = 80, out=None,
                  outcomes=OUTCOMES, levers: dict | None = None, common: dict | None = None,
                  shams: int = SHAMS, **run) -> pd.DataFrame:
    """ΔY per unit of spending for every lever (seeds 0 … reps−1 paired), one table (`effects_table`).

    Runs the reference, `shams` sham arms and the levers in one batch in `out`/runs; writes
    `out`/lever_effects.csv. Every lever is measured at its own funded spending (cost "lever"); the
    rate/level levers also at the net fiscal cost (cost "net", extra rows)."""
    out = Path(out or "results/lever_effects")
    chosen = {k: v for k, v in (levers or {**MONEY_LEVERS, **RATE_LEVERS}).items()
              if k in MONEY_LEVERS or k in RATE_LEVERS}
    if not chosen:
        raise ValueError(f"levers: allowed: some of {', '.join([*MONEY_LEVERS, *RATE_LEVERS])}; given: {levers!r}")
    check_levers(chosen)
    reference, *arms = lever_arms(scenario, chosen, common)
    folder, _ = run_arms([reference, *sham_arms(reference, shams), *arms], reps, steps, 0, out / "runs",
                         kind="lever_effects", **run)
    table = effects_table(folder, outcomes, net=[k for k in chosen if k in RATE_LEVERS])
    table.to_csv(out / "lever_effects.csv", index=False)
    return table


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--reps", type=int, default=REPS)
    ap.add_argument("--shams", type=int, default=SHAMS)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: the executor's)")
    ap.add_argument("--out", default="results/lever_effects")
    a = ap.parse_args(argv)
    try:
        table = lever_effects(a.scenario, a.reps, a.steps, a.out, shams=a.shams, workers=a.workers)
    except ValueError as exc:          # bad input (e.g. --shams 0, --reps beyond the limit): no traceback
        raise SystemExit(f"lever_effects: {exc}") from None
    cols = ["lever", "indicator", "control", "n", "effect", "spending", "per_unit", "per_unit_low", "per_unit_high",
            "noise_per_unit", "cost", "p_value", "p_holm", "p_bh", "told_holm"]
    print(table[cols].to_string(index=False))


if __name__ == "__main__":
    main()
