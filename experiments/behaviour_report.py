"""The behaviour report of issue 10: knowledge / frontier, firm-size dynamics and the dyeing
stage's emissions and compliance, over seeds (lever effects per unit of spending:
experiments/lever_effects.py).

    python -m experiments.behaviour_report                    # seeds 0–4
    python -m experiments.behaviour_report --seeds 0 1 --json behaviour.json

- knowledge: mean knowledge / frontier of the baseline at quarters 80 and 160, and the change;
- firm sizes: at quarter 160 of a large run (the baseline with `LARGE`: 9 × the area and the
  initial enterprises, the same density), the Hill tail index of the top 5% of enterprise sizes
  (workers) and the slope of ln sd(growth) on ln size (growth over quarters 156–160 of the
  enterprises alive at both; those at the one-worker floor in quarter 156 are left out: their
  size is censored) — model.size_distribution;
- dyeing: the dirty stage's shares of enterprises and emissions before the standard (quarters
  1–39) and, with the standard enforced, compliance and the emission cut against the same seeds
  without it (quarters 44–80).
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model.size_distribution import growth_rates, hill_alpha, volatility_slope

LARGE = {"width": 300, "height": 300, "n_firms": 1350, "n_suppliers": 2700}
LAG = 4


def knowledge(seed: int, steps: int = 160) -> dict:
    from scenarios import build

    df = build("baseline", seed=seed).run(steps).results()
    r = df.mean_knowledge / df.frontier
    return {"k_over_F_80": float(r[80]), "k_over_F_160": float(r[steps]), "change": float(r[steps] - r[80])}


def firm_sizes(seed: int, steps: int = 160, **overrides) -> dict:
    from scenarios import build

    m = build("baseline", seed=seed, **{**LARGE, **overrides})
    m.run(steps - LAG)
    pop = m.population
    u0, s0 = pop.uid[pop.live].copy(), pop.workers[pop.live].copy()
    m.run(LAG)
    u1, s1 = pop.uid[pop.live].copy(), pop.workers[pop.live].copy()
    above = s0 > 1.0 + 1e-9
    return {"enterprises": len(s1), "hill_alpha_top5": hill_alpha(s1, 0.05),
            "volatility_slope": volatility_slope(*growth_rates(u0[above], s0[above], u1, s1))}


def dyeing(seed: int) -> dict:
    from model import ClusterModel
    from scenarios import load_scenario

    sc = load_scenario("dyeing_regulation")
    runs = {}
    for arm, schedule in (("free", []), ("regulated", list(sc.schedule))):
        m = ClusterModel(seed=seed, policy_schedule=schedule, **sc.params)
        rows = []
        for _ in range(sc.steps):
            m.step()
            pop = m.population
            live = pop.live
            dirty, e = pop.stage[live] == sc.params["dirty_stage"], pop.emissions[live]
            rows.append((dirty.mean(), e[dirty].sum() / max(e.sum(), 1e-12), e.sum(), m.compliance))
        runs[arm] = np.array(rows)
    free, reg = runs["free"], runs["regulated"]
    return {"dyeing_share_of_firms": float(free[:39, 0].mean()), "dyeing_share_of_emissions": float(free[:39, 1].mean()),
            "compliance": float(reg[43:, 3].mean()), "emission_cut": float(1 - reg[43:, 2].mean() / free[43:, 2].mean())}


def report(seeds=(0, 1, 2, 3, 4), workers: int = 2) -> dict:
    with ProcessPoolExecutor(workers) as ex:
        k = list(ex.map(knowledge, seeds))
        s = list(ex.map(firm_sizes, seeds))
        d = list(ex.map(dyeing, seeds))
    return {"seeds": list(seeds), "knowledge": k, "firm_sizes": s, "dyeing": d}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    out = report(tuple(a.seeds), a.workers)
    for part in ("knowledge", "firm_sizes", "dyeing"):
        print(part)
        for seed, row in zip(out["seeds"], out[part]):
            print(f"  seed {seed}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                                for k, v in row.items()))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
