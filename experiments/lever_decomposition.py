"""Where a lever's effect on value added comes from: a paired-seed decomposition by cohort and by flow.

For each arm (a set of parameter overrides) and the reference run with the same seed (common random
numbers), over quarters t = 1..T:

    ΔVA = Σ_t (VA_arm,t − VA_ref,t) = Δ final sales + Δ intermediate exports − Δ imports − Δ services,

(the expenditure side of `model.accounts`; services = freight, overhead and abatement bought
outside), and the enterprises' own value added before freight, sales − inputs − overhead, split by
how each enterprise came (`agents.population.ORIGINS`: the initial population, local entrants,
spin-offs, outside SMEs, outside lead firms, founders with a grant). Also per arm: the share of the
buyers' inputs bought along supply ties and locally (ties plus the spot market), mean knowledge /
frontier, and enterprises at the end. Means over seeds with paired BCa intervals
(`experiments.cost_effectiveness.paired_bca`).

    python -m experiments.lever_decomposition --steps 80 --reps 10 --out results/lever_decomposition
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from agents.population import ORIGINS
from experiments.cost_effectiveness import paired_bca
from scenarios import load_scenario

#: The arms docs/economics.md decomposes: the two levers with a negative effect, and the channels
#: that separate them (the same entry flow without money; IP protection's novelty channel alone).
ARMS = {
    "investment_attraction": {"investment_attraction": 20.0},
    "outside_prospects_no_money": {"outside_prospects": 6.8},
    "ip_protection": {"ip_protection": 0.5},
    "ip_novelty_only": {"ip_protection": 0.5, "ip_leak_cut": 0.0},
}
FLOWS = ("value_added", "final_sales", "intermediate_exports", "imports", "services")


def run_one(scenario: str, seed: int, steps: int, overrides: dict) -> dict:
    """One run's cumulative flows (units × quarters), value added by origin, tie and local input
    shares (input-weighted over the run), mean knowledge / frontier (mean over quarters),
    enterprises and final firms at the end, and enterprises by origin at the end."""
    m = load_scenario(scenario).with_overrides(**overrides).build(seed=seed)
    e, p = m.population, m.params
    out = dict.fromkeys((*FLOWS, *(f"va_{o}" for o in ORIGINS)), 0.0)
    need = tied = local = knowledge = 0.0
    for _ in range(steps):
        m.step()
        live = e.live
        r = m.results().iloc[-1]
        exports_i = float(r["exports"] - r["final_sales"])
        out["value_added"] += float(r["value_added"])
        out["final_sales"] += float(r["final_sales"])
        out["intermediate_exports"] += exports_i
        out["imports"] += float(r["imports"])
        out["services"] += float(r["final_sales"] + exports_i - r["imports"] - r["value_added"])
        stage = e.stage[live].astype(np.int64)
        va = e.revenue[live] - e.input_cost[live] - p["fixed_cost"] * m.stage_scale[stage]
        by_origin = np.bincount(e.origin[live], va, len(ORIGINS))
        for o, v in zip(ORIGINS, by_origin):
            out[f"va_{o}"] += float(v)
        buyers = live[stage >= 1]
        need += float(e.total_input[buyers].sum())
        local += float(e.local_input[buyers].sum())
        tied += float(m.network.volume.sum()) if len(m.network) else 0.0
        knowledge += float(r["mean_knowledge"]) / m.frontier / steps
    out.update(tie_share=tied / max(need, 1e-12), local_share=local / max(need, 1e-12),
               knowledge=knowledge, enterprises=len(e.live),
               final_firms=int((e.stage[e.live] == p["n_stages"]).sum()))
    out.update({f"n_{o}": int(n) for o, n in zip(ORIGINS, np.bincount(e.origin[e.live], minlength=len(ORIGINS)))})
    return out


def decompose(scenario: str = "baseline", reps: int = 10, steps: int = 80, arms: dict | None = None,
              out=None) -> pd.DataFrame:
    """Paired differences arm − reference for every measure: one row per (arm, measure) with the
    mean, its paired BCa interval, the reference mean and the per-seed differences."""
    arms = ARMS if arms is None else arms
    seeds = range(reps)
    ref = [run_one(scenario, s, steps, {}) for s in seeds]
    rows = []
    for name, overrides in arms.items():
        runs = [run_one(scenario, s, steps, overrides) for s in seeds]
        for key in ref[0]:
            d = np.array([a[key] - b[key] for a, b in zip(runs, ref)], float)
            est, low, high = paired_bca(d)
            rows.append({"arm": name, "measure": key, "reference": float(np.mean([b[key] for b in ref])),
                         "difference": est, "low": low, "high": high, "per_seed": json.dumps(np.round(d, 4).tolist())})
    table = pd.DataFrame(rows)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        table.to_csv(Path(out) / "lever_decomposition.csv", index=False)
    return table


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--out", default="results/lever_decomposition")
    a = ap.parse_args(argv)
    table = decompose(a.scenario, a.reps, a.steps, out=a.out)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.drop(columns="per_seed").to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
