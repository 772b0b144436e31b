"""How much of a shift of a firm's niche demand reaches its size (docs/economics.md, issue 10 item 7).

model.niche_demand scales a firm's TFP by e^((1−α−β) u), so at a given net value per unit v its
profit-maximising size is ∝ e^u: an elasticity of one. This experiment measures the elasticity the
model delivers: at quarter `start` of a run a random quarter of the live SMEs get a permanent
Δu = +d, another quarter Δu = −d (the rest untouched; σ as in the scenario, 0 by default), and the
elasticity after h quarters is

    e_h(X) = (mean Δ ln X over the + group − mean Δ ln X over the − group) / (2 d)

over the enterprises of each group alive at both dates (X: workers, capital), and the same with
the groups' medians at h for the net value per unit v the firms plan at (the adaptive expectation of
revenue less inputs and freight per unit of output, `unit_value`), whose elasticity says whether a
firm's value per unit falls as it grows: the optimum is ∝ e^u v^((α+β)/(1−α−β)) = e^u v^4. Both groups are in one
run, so the market they meet is the same; the assignment draws from its own generator (seed + 1000),
not the model's.

    python -m experiments.niche_elasticity [--seeds 0 1 2] [--horizons 4 12 20 40] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from experiments.behaviour_report import LARGE


def _assign(pop, live, seed: int, d: float) -> np.ndarray:
    """+1 / −1 / 0 per live row: a quarter of the SMEs each way (lead firms untouched)."""
    r = np.random.default_rng(1000 + seed).random(len(live))
    sme = ~pop.is_lead[live]
    return np.where(sme & (r < 0.25), 1, np.where(sme & (r > 0.75), -1, 0))


def size_elasticity(seed: int, shift: float = 0.3, start: int = 40, horizons=(4, 12, 20, 40),
                    large: bool = True, **overrides) -> dict:
    """{h: {"workers", "capital", "unit_value", "survivors"}} for each horizon h (quarters after the
    shift; increasing): the elasticities e_h defined in the module docstring and the share of the
    shifted SMEs still alive. `large`: the baseline with behaviour_report.LARGE (9 × the area and
    the initial enterprises); overrides: parameters of the baseline. Raises ValueError for shift ≤ 0."""
    from scenarios import build

    if not shift > 0:
        raise ValueError(f"shift must be > 0, got {shift!r}")
    m = build("baseline", seed=seed, **({**LARGE, **overrides} if large else overrides))
    m.run(start)
    pop = m.population
    live = pop.live
    group = _assign(pop, live, seed, shift)
    pop.niche_demand[live] = pop.niche_demand[live] + shift * group
    uid = pop.uid[live].copy()
    before = {"workers": pop.workers[live].copy(), "capital": pop.capital[live].copy()}
    out, done = {}, 0
    for h in horizons:
        m.run(h - done)
        done = h
        now = {u: i for i, u in enumerate(pop.uid[pop.live])}
        at = np.array([now.get(u, -1) for u in uid])
        alive = at >= 0
        rows = pop.live[at[alive]]
        g = group[alive]
        res = {}
        for key, col in (("workers", pop.workers), ("capital", pop.capital)):
            dl = np.log(col[rows]) - np.log(before[key][alive])
            res[key] = float((dl[g == 1].mean() - dl[g == -1].mean()) / (2 * shift))
        v = pop.unit_value[rows]   # medians: v is a thin margin that can be near zero
        res["unit_value"] = float(np.log(max(np.median(v[g == 1]), 1e-12) / max(np.median(v[g == -1]), 1e-12))
                                  / (2 * shift))
        res["survivors"] = float(alive[group != 0].mean())
        out[h] = res
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--horizons", type=int, nargs="+", default=[4, 12, 20, 40])
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="baseline parameters (JSON values)")
    a = ap.parse_args(argv)
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in a.set)}
    runs = {s: size_elasticity(s, horizons=tuple(a.horizons), **overrides) for s in a.seeds}
    for h in a.horizons:
        cells = " ".join(f"{s}: L {r[h]['workers']:.2f} K {r[h]['capital']:.2f} v {r[h]['unit_value']:+.2f}"
                         for s, r in runs.items())
        print(f"h={h:3d}  {cells}")


if __name__ == "__main__":
    main()
