"""Incumbents' niches growing with their market (pure functions; docs/ODD.md §7.14 (viii)).

With the mean-one Gibrat shifter of model.niche_demand alone, a firm's log demand drifts at
ν = −σ²/2, and a firm of age a is no larger in expectation than at entry: the market's growth
(`demand_growth` g a quarter) reaches the cluster only through new lines (founders) and the
price. Where products are differentiated, the demand for each variety at given relative prices
is proportional to the market's expenditure (CES demand, Dixit & Stiglitz 1977; Melitz 2003:
q_i = E P^(σ−1) p_i^(−σ)): an incumbent's customers order more as their market grows, and
entrants come in small beside incumbents whose niches have grown with the market (Luttmer 2007;
Arkolakis 2010 for the intensive margin of sales growing with the market's size). A share φ
(`niche_market_growth`) of the market's log growth enters each incumbent's niche every quarter:

    u_i,t+1 = u_i,t + σ ε_i,t − σ²/2 + φ ln(1 + g),

u = 0 at entry. φ = 1 is the CES benchmark, φ = 0 the homogeneous good of the default (the
market's growth goes to entrants and the price only). Sizes are then a geometric Brownian motion
with log drift ν = φ ln(1 + g) − σ²/2 observed at random ages (exit hazard δ), whose upper tail
has the Pareto index (Reed 2001; Gabaix 2009 §3)

    ζ = (−ν + √(ν² + 2 σ² δ)) / σ²      (σ > 0),   ζ = δ / ν   (σ = 0, ν > 0),

which falls toward 1 as the survivors' drift ν approaches δ (Luttmer's δ / g; `tail_index`).

No Mesa objects, no model state: numbers in, numbers out.
"""

from __future__ import annotations

import math

__all__ = ["drift", "tail_index"]


def drift(share: float, demand_growth: float) -> float:
    """φ ln(1 + g): the quarter's log growth of an incumbent's niche demand that comes from its
    market (share φ in [0, 1] of the market's log growth; g > −1 a quarter). Raises ValueError
    outside those ranges."""
    if not (math.isfinite(share) and 0.0 <= share <= 1.0):
        raise ValueError(f"niche_market_growth must be in [0, 1], got {share!r}")
    if not (math.isfinite(demand_growth) and demand_growth > -1.0):
        raise ValueError(f"demand_growth must be > -1, got {demand_growth!r}")
    return share * math.log1p(demand_growth)


def tail_index(log_drift: float, sd: float, hazard: float) -> float:
    """ζ: the Pareto index of the upper tail of e^u for a Brownian u with drift ν = `log_drift` and
    sd σ = `sd` a quarter, started at 0 and observed at exponential ages of hazard δ = `hazard`
    (Reed 2001): the positive root of (σ²/2) ζ² + ν ζ − δ = 0; δ / ν for σ = 0 and ν > 0; inf for
    σ = 0 and ν ≤ 0 (no tail). A reference for the measured index, not an input of the model.
    Raises ValueError for σ < 0 or δ < 0."""
    if not (sd >= 0 and hazard >= 0):
        raise ValueError(f"sd and hazard must be ≥ 0, got {sd!r}, {hazard!r}")
    if sd == 0:
        return hazard / log_drift if log_drift > 0 else math.inf
    return (-log_drift + math.sqrt(log_drift ** 2 + 2.0 * sd ** 2 * hazard)) / sd ** 2
