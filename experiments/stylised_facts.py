"""The stylised facts of industrial location and firm dynamics, measured on the model.

Pure functions (arrays in, numbers out) and the experiments that feed them:

- **Ellison–Glaeser dartboard null.** EG's γ has expectation 0 when plants choose regions at
  random with probabilities equal to the regions' shares of aggregate activity (Ellison & Glaeser
  1997, JPE 105(5), Prop. 1). Two nulls are kept apart: the *pure dartboard* — the surviving
  plants re-thrown at random, so both location and survival are independent of place
  (`dartboard_gammas`) — and the *random-location scenario* (scenarios/dartboard.toml), where
  entrants land at random but whether they survive still depends on where they landed (wages,
  rent, labour pool, distance to the market gateway), so the survivors are not a random draw.
- **Lock-in** (Arthur 1990): a small early advantage of one of two symmetric sites decides
  where the cluster grows (`lock_in`).
- **Zipf-like sizes** (Axtell 2001: α ≈ 1.06), **Gibrat's law** (growth independent of size:
  slope ≈ 0), **volatility falling with size** (Stanley et al. 1996: σ ∝ S^−β, β ≈ 0.15–0.2):
  `model.size_distribution` (Hill α, volatility slope) and `gibrat_slope` here.
- **Spin-offs near their parents** (Klepper 2007): distance of spin-offs and of de novo entrants
  to the nearest incumbent of their own stage (`spinoff_distances`).
"""

from __future__ import annotations

import numpy as np

from model import metrics
from model.indicators import cell_regions
from model.size_distribution import growth_rates, hill_alpha, volatility_slope
from model.space import n_regions, region_index
from scenarios import load_scenario


# --- pure functions --------------------------------------------------------------------------
def dartboard_gammas(plant_emp, region_share, rng, draws: int = 200) -> np.ndarray:
    """EG γ of the same plants thrown at random: each plant lands in region r with probability
    region_share[r], independently (the pure dartboard of Ellison & Glaeser 1997). Shape (draws,)."""
    share = np.asarray(region_share, float)
    share = share / share.sum()
    emp = np.asarray(plant_emp, float)
    return np.array([metrics.ellison_glaeser(emp, rng.choice(len(share), size=len(emp), p=share), share)
                     for _ in range(draws)])


def t_statistic(values) -> float:
    """Mean / standard error (nan for fewer than 2 values or no spread)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if len(v) < 2 or v.std(ddof=1) == 0:
        return float("nan")
    return float(v.mean() / (v.std(ddof=1) / np.sqrt(len(v))))


def gibrat_slope(log_size, growth) -> tuple[float, float]:
    """(slope, standard error) of the OLS regression of growth on log size: Gibrat's law says 0."""
    x, g = np.asarray(log_size, float), np.asarray(growth, float)
    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    slope, intercept = np.polyfit(x, g, 1)
    resid = g - (slope * x + intercept)
    se = np.sqrt(resid @ resid / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    return float(slope), float(se)


def nearest_distance(px, py, qx, qy) -> np.ndarray:
    """For each point p, the distance to the nearest point q (inf when there is no q). Shape (len(px),)."""
    px, py, qx, qy = (np.asarray(a, float) for a in (px, py, qx, qy))
    if len(qx) == 0:
        return np.full(len(px), np.inf)
    return np.hypot(px[:, None] - qx[None, :], py[:, None] - qy[None, :]).min(axis=1)


# --- reading the model -----------------------------------------------------------------------
def plants_and_regions(model):
    """(plant employment, plant region, region share of the labour supply) of the live enterprises."""
    p, pop = model.params, model.population
    live = pop.live
    shape, rs = (p["width"], p["height"]), p["region_size"]
    labour = np.bincount(cell_regions(shape, rs), model.labour_supply.ravel(), n_regions(*shape, rs))
    return pop.workers[live], region_index(pop.x[live], pop.y[live], rs, p["height"]), labour / labour.sum()


def _births(model, phase: str, log: list) -> None:
    """Wrap one demography phase of the model's enterprises (`spin_off` or `enter`, called with the
    quarter) so it logs each newborn's distance to the nearest incumbent of its own stage."""
    pop = model.population
    original = getattr(pop, phase)

    def wrapped(q):
        before = pop.live.copy()
        original(q)
        new = np.setdiff1d(pop.live, before)
        for s in np.unique(pop.stage[new]):
            kids, olds = new[pop.stage[new] == s], before[pop.stage[before] == s]
            d = nearest_distance(pop.x[kids], pop.y[kids], pop.x[olds], pop.y[olds])
            log.extend(d[np.isfinite(d)])

    setattr(pop, phase, wrapped)


# --- experiments -----------------------------------------------------------------------------
def baseline_facts(seeds, steps: int | None = None, scenario: str = "baseline", lag: int = 4, draws: int = 100):
    """Run `scenario` once per seed; return the per-seed EG γ and its pure-dartboard draws, the final
    sizes (Hill α), growth of survivors over the last `lag` quarters, and birth distances."""
    s = load_scenario(scenario)
    steps = steps or s.steps
    out = dict(gamma=[], null_mean=[], null_draws=[], alpha=[], sizes=[], log_size=[], growth=[],
               spinoff_distance=[], entrant_distance=[])
    for seed in seeds:
        model = s.build(seed=seed)
        _births(model, "spin_off", out["spinoff_distance"])
        _births(model, "enter", out["entrant_distance"])
        for _ in range(steps - lag):
            model.step()
        pop = model.population
        uid0, size0 = pop.uid[pop.live].copy(), pop.workers[pop.live].copy()
        for _ in range(lag):
            model.step()
        emp, region, share = plants_and_regions(model)
        out["gamma"].append(metrics.ellison_glaeser(emp, region, share))
        null = dartboard_gammas(emp, share, np.random.default_rng(10_000 + seed), draws)
        out["null_draws"].extend(null)
        out["null_mean"].append(float(null.mean()))
        sizes = emp[emp > 0]
        out["sizes"].append(sizes)
        out["alpha"].append(hill_alpha(sizes))
        keep0, keep1 = size0 > 0, pop.workers[pop.live] > 0
        ls, g = growth_rates(uid0[keep0], size0[keep0], pop.uid[pop.live][keep1], pop.workers[pop.live][keep1])
        out["log_size"].extend(ls)
        out["growth"].extend(g)
    out["gibrat"] = gibrat_slope(out["log_size"], out["growth"])
    out["volatility_slope"] = volatility_slope(out["log_size"], out["growth"])
    return out


def final_gammas(scenario: str, seeds, steps: int | None = None) -> np.ndarray:
    """EG γ at the end of `scenario`, one per seed."""
    s = load_scenario(scenario)
    out = []
    for seed in seeds:
        model = s.build(seed=seed)
        model.run(steps or s.steps)
        out.append(metrics.ellison_glaeser(*plants_and_regions(model)))
    return np.array(out)


def lock_in(seeds, pushed=(0, 10, 20), steps: int = 40, scenario: str = "baseline") -> dict:
    """Arthur's experiment. Sites A and B lie on the grid's mid-line, a quarter of the width left
    and right of the centre (where the market gateway sits), so without a push they are symmetric.
    At the start `k` randomly chosen enterprises move next to A (within 2 cells). A "wins" a run when,
    after `steps` quarters, more employment lies within an eighth of the width of A than of B.
    Returns {"wins": {k: share of seeds A wins}, "shares": {k: [A / (A + B) per seed]}, ...}."""
    s = load_scenario(scenario)
    wins, shares = {}, {}
    for k in pushed:
        shares[k] = []
        for seed in seeds:
            model = s.build(seed=seed)
            pop, (W, H) = model.population, model.shape
            a, b, r = (W // 2 - W // 4, H // 2), (W // 2 + W // 4, H // 2), W / 8
            rng = np.random.default_rng(20_000 + seed)
            for row in rng.choice(pop.live, size=min(k, len(pop.live)), replace=False):
                x, y = (int(np.clip(c + rng.integers(-2, 3), 0, n - 1)) for c, n in zip(a, (W, H)))
                pop.agent[row].move_to(model.grid[(x, y)])
            model.run(steps)
            live = pop.live
            near = [pop.workers[live][np.hypot(pop.x[live] - c[0], pop.y[live] - c[1]) <= r].sum() for c in (a, b)]
            shares[k].append(float(near[0] / max(near[0] + near[1], 1e-9)))
        wins[k] = float(np.mean(np.array(shares[k]) > 0.5))
    return dict(wins=wins, shares=shares, steps=steps, seeds=list(seeds))
