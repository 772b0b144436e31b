"""Outside demand for the cluster's final goods.

The cluster is a price taker in no sense: its final goods face an iso-elastic outside demand,

    P_t = P0 · min((D_t / Y_t)^(1/ε), P̂),      Y_t = Σ_i Q_i · a_i · (1 + novelty_i),

where Y is quality-adjusted output, D_t the demand level and P̂ the price at which outside
producers (the competitive fringe) take the market over. D_t grows at `demand_growth`,
is scaled by exogenous demand shifts, and is raised by the regional brand and the specialised
market (stocks built by spending and the cluster's quality, `model.brand`):

    D_t = D_0 (1+g)^t · Π shifts · ((G + B)/G)^η · ((1 + θ0)/(1 + θ(M)))^ε.

A firm's appeal a_i = min(1, k_i / q*)^θ falls when its knowledge k_i is below the quality the
market requires, q* = quality_standard × frontier: a shift toward quality (Xiqiao) hurts the
firms that stopped learning.

P is the price of a quality-adjusted unit. The intermediate goods have markets of their own
(model/intermediate_market.py): a shift toward quality shrinks the final firms that lost appeal,
their input demand falls, and the intermediate prices fall with it.
"""

from __future__ import annotations

import numpy as np

from model import brand, transport

REFERENCE_PRICE = 1.0


def appeal(knowledge: np.ndarray, required: float, sensitivity: float) -> np.ndarray:
    """a = min(1, k / q*)^θ (1 when no quality is required)."""
    if required <= 0:
        return np.ones_like(knowledge)
    return np.minimum(1.0, knowledge / required) ** sensitivity


def demand_level(base_demand: float, step: int, shift: float, brand_capital: float, goodwill: float,
                 market_capacity: float, p: dict) -> float:
    """D_t = D_0 (1+g)^t · shifts · ((G + B)/G)^η · ((1 + θ0)/(1 + θ(M)))^ε: the outside demand for
    quality-adjusted output this quarter (units of D_0: initial quality-adjusted output); brand
    goodwill B, the firms' own goodwill G and market capacity M from `model.brand`."""
    gain = brand.brand_multiplier(brand_capital, goodwill, p["brand_elasticity"])
    gain *= brand.market_multiplier(market_capacity, p["distribution_margin"], p["market_margin_cut"],
                                    p["market_half"], p["demand_elasticity"])
    return base_demand * (1 + p["demand_growth"]) ** step * shift * gain


def market_freight(is_final, x, y, gateway, infra_here, Q, sold_outside, p: dict):
    """Freight (units/quarter, model.transport): final output's local leg to the market gateway,
    t(c) · distance · Q, plus the long haul θ(c) · value of every sale outside the cluster
    (`sold_outside`, units), both falling with the infrastructure at the enterprise's cell."""
    mx, my = gateway
    saving = p["infrastructure_freight_saving"]
    local = transport.local_freight_rate(p["market_transport_cost"], infra_here, saving) * transport.cell_distance(x - mx, y - my) * Q
    return (np.where(is_final, local, 0.0)
            + transport.long_haul_share(p["long_haul_freight"], infra_here, saving) * sold_outside)


def clearing_price(demand: float, supply: float, elasticity: float, ceiling: float = np.inf) -> float:
    """P = min(P0 (D / Y)^(1/ε), ceiling · P0).

    The ceiling is the competitive fringe: above it, producers outside the cluster supply the
    market, so a cluster whose output collapses cannot sell at ever higher prices. With nothing
    supplied the price is the ceiling."""
    if supply <= 0:
        return min(ceiling, 1e9) * REFERENCE_PRICE if np.isfinite(ceiling) else REFERENCE_PRICE
    return REFERENCE_PRICE * min((demand / supply) ** (1.0 / elasticity), ceiling)


def market_power_markdown(price: float, quality, Q, is_final, elasticity: float, at_ceiling: bool) -> np.ndarray:
    """P a_i s_i / ε: how far a final firm's marginal revenue per unit lies below its price per unit
    when it takes its own effect on the clearing price into account (Cournot conduct; the Lerner
    index of a Cournot firm is its market share over the demand elasticity, Tirole 1988 §5.4).

    With P = P0 (D / Y)^(1/ε) and Y = Σ Q_j a_j (module docstring), ∂(P a_i Q_i)/∂Q_i =
    P a_i (1 − s_i / ε), s_i = Q_i a_i / Y the firm's share of quality-adjusted output (a_i its
    quality, appeal × (1 + novelty)). At the fringe's price (`at_ceiling`) the residual demand is
    flat and the markdown is 0; suppliers (not `is_final`) sell at import parity and have none.
    quality, Q, is_final: 1-d arrays over enterprises (Q: last quarter's output). Returns ≥ 0."""
    final = np.asarray(is_final, bool)
    qa = np.where(final, np.asarray(Q, float) * np.asarray(quality, float), 0.0)
    total = qa.sum()
    if at_ceiling or total <= 0:
        return np.zeros(len(qa))
    return price * np.asarray(quality, float) * (qa / total) / elasticity * final
