"""Every lever's effect per unit of spending, with paired intervals (common random numbers).

A thin layer over `experiments.cost_effectiveness`: one off arm (the scenario as written) and one
arm per lever at a comparable spending level, replications paired by seed, ΔY / ΔS with
bootstrap intervals from `cost_effectiveness.effectiveness`. Every lever is measured per unit of
its own funded spending (`cost="lever"`: the refunds of the R&D subsidy, the park's rent subsidy,
the IP enforcement cost, the money levers' payments), so the figures share one base; the rate and
level levers are also reported at the government's net fiscal cost (`cost="net"`: spending less
the change in tax revenue, which moves with the lever's own effect on profits).

    python -m experiments.lever_effects --steps 80 --reps 5 --out results/lever_effects
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from experiments.cost_effectiveness import OUTCOMES, cost_effectiveness, effectiveness

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

    Every lever is measured at its own funded spending (cost "lever"); the rate/level levers also at
    the net fiscal cost (cost "net", extra rows). Returns the concatenated `cost_effectiveness`
    tables with a `cost` column."""
    out = Path(out or "results/lever_effects")
    tables = []
    money = {k: v for k, v in (levers or MONEY_LEVERS).items() if k in MONEY_LEVERS}
    rates = {k: v for k, v in (levers or RATE_LEVERS).items() if k in RATE_LEVERS}
    for folder, chosen in (("lever", money), ("net", rates)):
        if chosen:
            t = cost_effectiveness(scenario, chosen, reps=reps, steps=steps, seed=0, out=out / folder,
                                   common=common, outcomes=outcomes, cost="lever", **run)
            tables.append(t.assign(cost="lever"))
            if folder == "net":
                tables.append(effectiveness(out / folder, outcomes, "net").assign(cost="net"))
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
