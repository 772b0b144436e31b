"""A plant's productivity and unit labour cost at its site: what an incumbent plans at each
quarter (agents.enterprises `_plan_output`) and what a founder at its plant's optimum reads
(agents.founding), computed in one place so the two cannot drift apart.
"""

from __future__ import annotations

import numpy as np

from model import niche_demand, product_lines, production
from model.fields import at


def plant_at_site(ent, stage, knowledge, x, y, mass, log_demand):
    """(A, unit_labour, (wage, rent, park_rate, in_park)) for plants of `stage` with `knowledge` at
    cells (x, y), `mass` product lines (or line mass, `line_niche`) and niche demand shifter
    `log_demand` (arrays of one length n):
    A = tfp_s k m_agg(c)(1 + σ_H H) · n^(1−α−β) · e^((1−α−β) u) (model.production.productivity,
    model.product_lines.line_factor, model.niche_demand.scale) and c_L = w + ℓ r (1 − s_park park)
    (wage and rent fields at the cell, `land_per_worker` ℓ, the park subsidy's share of the rent in
    a park cell). Units: A output per input bundle, c_L units per worker and quarter."""
    m, p, f = ent.model, ent.model.params, ent.model.fields
    gov = m.government
    in_park = at(m.grid.park.data, x, y)
    A = production.productivity(m.stage_tfp[stage], knowledge, at(f["productivity"], x, y),
                                p["skill_premium"], gov.skill)
    A = A * product_lines.line_factor(np.asarray(mass, float), p["labour_share"], p["capital_share"]) \
        * niche_demand.scale(log_demand, p["labour_share"], p["capital_share"])
    wage, rent = at(f["wage"], x, y), at(f["rent"], x, y)
    park_rate = gov.effective("park_subsidy") * in_park
    unit_labour = wage + p["land_per_worker"] * rent * (1 - park_rate)
    return A, unit_labour, (wage, rent, park_rate, in_park)
