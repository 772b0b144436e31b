"""Market conduct of the final firms: the net value per unit that guides their hiring and investment.

Price takers (the default) plan at their net value per unit v. With `market_power` = 1 a final
firm plans at its marginal net value v − P a s / ε, taking its own effect on the final market's
clearing price into account (Cournot conduct; model.market.market_power_markdown): a firm with a
small share of the market is a price taker, a lead firm that supplies a large share of it is
bounded by that market."""

from __future__ import annotations

import numpy as np

from agents.population import KIND_FIRM
from model import market


def planning_value(ent, live, v, Q) -> np.ndarray:
    """The net value per unit each live enterprise plans at: v, less the Cournot markdown for final
    firms when `market_power` is on (Q: the output the shares are read from; 1-d arrays over live)."""
    m, p = ent.model, ent.model.params
    if not p["market_power"]:
        return v
    quality = market.appeal(ent.knowledge[live], m.quality_standard * m.frontier,
                            p["quality_sensitivity"]) * (1 + ent.novelty[live])
    at_ceiling = m.price >= p["price_ceiling"] * market.REFERENCE_PRICE * (1 - 1e-9)
    return v - market.market_power_markdown(m.price, quality, Q, ent.kind[live] == KIND_FIRM,
                                            p["demand_elasticity"], at_ceiling)
