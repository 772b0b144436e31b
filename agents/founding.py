"""A founder's workforce (`founding_at_optimum`): the staff its plant would choose on the
incumbents' own rule (model.production.founding_workers), at its stage's typical net value per
unit, its knowledge, its site and the capital it brings. Used by the local entrants, the
founders with a grant and the spin-offs (agents.life_cycle); outside and lead firms bring a
plant of an established firm elsewhere and keep the founding staff initial_workers × plant.
"""

from __future__ import annotations

import numpy as np

from agents.plant_site import plant_at_site
from model import production


def founding_staff(ent, stage, knowledge, x, y, capital, lines, typical) -> np.ndarray:
    """Workers of founders of `stage` with `knowledge` at cells (x, y), bringing `capital` and
    `lines` product lines (arrays of one length n), at the stages' `typical` net value per unit
    ((n_stages + 1,)): production.founding_workers with the productivity and unit labour cost of
    agents.plant_site.plant_at_site, as incumbents plan (a new row's niche shifter is 0). Returns (n,)."""
    p = ent.model.params
    stage = np.asarray(stage, np.int64)
    if len(stage) == 0:
        return np.zeros(0)
    A, unit_labour, _ = plant_at_site(ent, stage, knowledge, x, y, lines, np.zeros(len(stage)))
    return production.founding_workers(np.asarray(typical)[stage], A, np.asarray(capital, float),
                                       p["labour_share"], p["capital_share"], unit_labour, ent.crew(stage))


def founders_staff(ent, new: dict, typical) -> np.ndarray:
    """Founding workers of the new enterprises described by `new` (agents.life_cycle enter's arrays
    over them: stage, knowledge, size, x, y, lines, origin): initial_workers × plant, or with
    `founding_at_optimum` the start-ups' (origin local or founder) `founding_staff` at the capital
    they bring, initial_capital × plant. Returns (n,) workers."""
    p = ent.model.params
    staff = p["initial_workers"] * new["size"]
    start_up = np.isin(new["origin"], ("local", "founder"))
    if p["founding_at_optimum"] and start_up.any():
        r = np.flatnonzero(start_up)
        staff = np.array(staff, float)
        staff[r] = founding_staff(ent, new["stage"][r], new["knowledge"][r], new["x"][r], new["y"][r],
                                  p["initial_capital"] * new["size"][r], new["lines"][r], typical)
    return staff
