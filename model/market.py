"""Outside demand for the cluster's final goods.

The cluster is a price taker in no sense: its final goods face an iso-elastic outside demand,

    P_t = P0 · min((D_t / Y_t)^(1/ε), P̂),      Y_t = Σ_i Q_i · a_i · (1 + novelty_i),

where Y is quality-adjusted output, D_t the demand level and P̂ the price at which outside
producers (the competitive fringe) take the market over. D_t grows at `demand_growth`,
is scaled by exogenous demand shifts, and is raised by the regional brand and the specialised
market (both capital stocks the government builds, with diminishing returns):

    D_t = D_0 (1+g)^t · Π shifts · (1 + b·B/(B + B½)) · (1 + m·M/(M + M½)).

A firm's appeal a_i = min(1, k_i / q*)^θ falls when its knowledge k_i is below the quality the
market requires, q* = quality_standard × frontier: a shift toward quality (Xiqiao) hurts the
firms that stopped learning.

P is the price of a quality-adjusted unit. The intermediate goods have markets of their own
(model/intermediate_market.py): a shift toward quality shrinks the final firms that lost appeal,
their input demand falls, and the intermediate prices fall with it.
"""

from __future__ import annotations

import numpy as np

REFERENCE_PRICE = 1.0


def appeal(knowledge: np.ndarray, required: float, sensitivity: float) -> np.ndarray:
    """a = min(1, k / q*)^θ (1 when no quality is required)."""
    if required <= 0:
        return np.ones_like(knowledge)
    return np.minimum(1.0, knowledge / required) ** sensitivity


def demand_level(base_demand: float, step: int, shift: float, brand_capital: float, market_capacity: float,
                 p: dict) -> float:
    """D_t = D_0 (1+g)^t · shifts · brand gain · market gain: the outside demand for
    quality-adjusted output this quarter (units of D_0: initial quality-adjusted output)."""
    brand = 1 + p["brand_effect"] * brand_capital / (brand_capital + p["brand_half"])
    market = 1 + p["market_effect"] * market_capacity / (market_capacity + p["market_half"])
    return base_demand * (1 + p["demand_growth"]) ** step * shift * brand * market


def market_freight(is_final, x, y, gateway, infra_here, Q, cost_per_cell: float):
    """Freight of final output to the market gateway: τ_m · distance · (1 − infra/2) · Q (0 for suppliers)."""
    mx, my = gateway
    return np.where(is_final, cost_per_cell * np.hypot(x - mx, y - my) * (1 - 0.5 * infra_here) * Q, 0.0)


def clearing_price(demand: float, supply: float, elasticity: float, ceiling: float = np.inf) -> float:
    """P = min(P0 (D / Y)^(1/ε), ceiling · P0).

    The ceiling is the competitive fringe: above it, producers outside the cluster supply the
    market, so a cluster whose output collapses cannot sell at ever higher prices. With nothing
    supplied the price is the ceiling."""
    if supply <= 0:
        return min(ceiling, 1e9) * REFERENCE_PRICE if np.isfinite(ceiling) else REFERENCE_PRICE
    return REFERENCE_PRICE * min((demand / supply) ** (1.0 / elasticity), ceiling)
