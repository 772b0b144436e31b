"""Do dyeing works move into a park when site choice reads the compliance cost? (issue 10 item 6)

    python -m experiments.dyeing_parks                 # seeds 0-2, one process
    python -m experiments.dyeing_parks --seeds 0 --park 40 30 4

The `dyeing_regulation` scenario (standard 0.8 and 40 inspections a quarter from quarter 40) with
one park with shared treatment (`PARK`: x, y, radius; the scenario has none), run twice on the same
seed: `site_compliance_cost` 0 and 1. Before quarter 40 the standard is 0, the compliance cost nil,
and both arms are the same run. Reported per seed and arm: the share of the live dyeing works
(`dirty_stage`) on park cells in quarter 39 (before) and 80 (after), their mean share over
quarters 44-80, and how many dyeing works are alive in quarter 80.
"""

from __future__ import annotations

import argparse

import numpy as np

PARK = (40, 30, 4)   # a park at the cluster's edge (the market gateway and the cluster's centre: 30, 30)


def dyeing_in_park(m) -> tuple[float, int]:
    """(share of the live dirty-stage enterprises on park cells, their number)."""
    pop, live = m.population, m.population.live
    dirty = live[pop.stage[live] == m.params["dirty_stage"]]
    if len(dirty) == 0:
        return 0.0, 0
    return float(m.grid.park.data[pop.x[dirty], pop.y[dirty]].mean()), len(dirty)


def arm(seed: int, option: int, park=PARK) -> dict:
    """One run of `dyeing_regulation` with the park and `site_compliance_cost` = option."""
    from scenarios import build

    m = build("dyeing_regulation", seed=seed, parks=[list(park)], site_compliance_cost=option)
    shares = []
    for _ in range(80):
        m.step()
        shares.append(dyeing_in_park(m))
    s = np.array([x for x, _ in shares])
    return {"before_q39": float(s[38]), "after_q80": float(s[79]), "mean_q44_80": float(s[43:].mean()),
            "dyeing_works_q80": shares[79][1]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--park", type=int, nargs=3, default=list(PARK))
    a = ap.parse_args(argv)
    for seed in a.seeds:
        for option in (0, 1):
            row = arm(seed, option, a.park)
            print(f"seed {seed} site_compliance_cost {option}: "
                  + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
                  flush=True)


if __name__ == "__main__":
    main()
