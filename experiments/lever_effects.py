"""Every lever's effect per unit of spending, with paired intervals (common random numbers).

A thin layer over `experiments.cost_effectiveness`: one off arm (the scenario as written) and one
arm per lever at a comparable spending level, replications paired by seed, ΔY / ΔS with
bootstrap intervals from `cost_effectiveness.effectiveness`. Spending is the lever's own
(`cost="lever"`) for money levers; levers that cost nothing themselves are paired with the
money that makes them act (the emission standard with its enforcement) and reported at the
government's net fiscal cost (`cost="net"`).

    python -m experiments.lever_effects --steps 80 --reps 5 --out results/lever_effects
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from experiments.cost_effectiveness import OUTCOMES, cost_effectiveness

#: Money levers at 20 units a quarter (≈ 1,600 over 80 quarters: the issue's comparison level).
MONEY_LEVERS = {
    "infrastructure": 20.0, "tech_centre": 20.0, "university_links": 20.0, "credit_guarantee": 20.0,
    "training": 20.0, "entrepreneurship": 20.0, "investment_attraction": 20.0, "brand_promotion": 20.0,
    "market_building": 20.0, "association": 20.0, "environmental_enforcement": 20.0,
}
#: Rate and level levers, at the value the issue's scenarios use.
RATE_LEVERS = {"rd_subsidy": 0.3, "park_subsidy": 0.5, "ip_protection": 0.5}


def lever_effects(scenario: str = "baseline", reps: int = 5, steps: int | None = 80, out=None,
                  outcomes=OUTCOMES, levers: dict | None = None, common: dict | None = None, **run) -> pd.DataFrame:
    """ΔY per unit of spending for every lever (seeds 0 … reps−1 paired), one table.

    Money levers are measured at their own spending, rate/level levers at the net fiscal cost.
    Returns the concatenated `cost_effectiveness` tables with a `cost` column."""
    out = Path(out or "results/lever_effects")
    tables = []
    money = {k: v for k, v in (levers or MONEY_LEVERS).items() if k in MONEY_LEVERS}
    rates = {k: v for k, v in (levers or RATE_LEVERS).items() if k in RATE_LEVERS}
    for cost, chosen in (("lever", money), ("net", rates)):
        if chosen:
            t = cost_effectiveness(scenario, chosen, reps=reps, steps=steps, seed=0, out=out / cost,
                                   common=common, outcomes=outcomes, cost=cost, **run)
            tables.append(t.assign(cost=cost))
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(out / "lever_effects.csv", index=False)
    return table


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default="results/lever_effects")
    a = ap.parse_args(argv)
    table = lever_effects(a.scenario, a.reps, a.steps, a.out)
    cols = ["lever", "indicator", "n", "effect", "spending", "per_unit", "per_unit_low", "per_unit_high", "cost"]
    print(table[cols].to_string(index=False))


if __name__ == "__main__":
    main()
