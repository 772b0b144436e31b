"""Gibrat shocks to the demand of a firm's niches (pure functions).

A firm's size is the demand for the products it sells, and that demand moves with customers
won and lost, fashions and reputation in ways that are idiosyncratic to the firm and
persistent: Foster, Haltiwanger & Syverson (2008) find that plant-level demand shocks, not
physical productivity, account for most of the dispersion of plant size and of its
persistence. Each enterprise carries a log demand shifter u_i that follows a random walk with
the drift that keeps its mean level at one (Gibrat's law: growth independent of size; Sutton
1997):

    u_i,t+1 = u_i,t + σ ε_i,t − σ²/2,   ε ~ N(0, 1) iid,   E[exp(u_t+1) | u_t] = exp(u_t),

u = 0 at entry (σ = `niche_demand_sd`, the sd of a quarter's idiosyncratic demand shock). The
shifter scales the demand for every line of the firm: with Q = A m^(1−α−β) L^α K^β at m
plant-equivalents of lines (model.product_lines), the firm's scale becomes m e^u, so its TFP
multiplier is e^((1−α−β) u) (`scale`) and its profit-maximising size is ∝ m e^u.

A supplier's niche is its clients' demand for its input. As a TFP multiplier alone the shifter
raises a supplier's output but not what its clients order, so the extra output goes to the spot
market and outside the cluster, paying freight, and the net value per unit falls with the
firm's own u; with `niche_demand_orders` on, a buyer splits its orders over its ties in
proportion to (τ + offset) e^(u_j) of each supplier j (`order_taste`): e^u is the taste shifter
of the demand for a variety (Dixit & Stiglitz 1977; Foster, Haltiwanger & Syverson 2008 measure
plant demand shocks as exactly this shifter), so the clients' demand moves with the niche.

Why a heavy tail: ln size of a firm of age a has sd σ √a, and firms leave at some hazard δ,
so sizes across firms are a geometric Brownian motion observed at random ages — a Pareto tail
P(S > s) ∝ s^(−ζ) with (σ²/2) ζ² + μ ζ − δ = 0, μ = −σ²/2 the log drift (Reed 2001; Gabaix
2009 §3; with entry at small size as the reflecting barrier: Gabaix 1999, Luttmer 2007), i.e.
ζ = (1 + √(1 + 8δ/σ²)) / 2 ≥ 1: Zipf (ζ → 1) when exit is slow against the shocks. The
shock's sd does not fall with size, so it also mixes a size-independent component into growth
volatility, which on its own would fall as 1/√n with the number of lines (Stanley et al. 1996
measure σ(S) ∝ S^(−0.15..0.2), between the two).

No Mesa objects, no model state: arrays and a numpy Generator in, arrays out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["order_taste", "scale", "step", "tail_index"]


def _check_sd(sd: float) -> float:
    if not (np.isfinite(sd) and sd >= 0):
        raise ValueError(f"niche_demand_sd must be a finite number ≥ 0, got {sd!r}")
    return float(sd)


def step(rng, log_demand, sd: float, drift: float = 0.0) -> np.ndarray:
    """u' = u + σ ε − σ²/2 + d for each enterprise (ε ~ N(0, 1) from `rng`): one quarter of the
    mean-one random walk of the log demand shifter, plus the market's drift d (model.niche_growth;
    0 by default). log_demand: 1-d float array; returns a new array (u + d, without drawing, for
    σ = 0). Raises ValueError for σ < 0 or not finite."""
    sd = _check_sd(sd)
    u = np.asarray(log_demand, float) + drift
    if sd == 0:
        return u.copy()
    return u + sd * rng.standard_normal(u.shape) - 0.5 * sd * sd


def scale(log_demand, alpha: float, beta: float) -> np.ndarray:
    """e^((1−α−β) u): the TFP multiplier of a demand shifter e^u (the firm's optimal size,
    ∝ A^(1/(1−α−β)), is then ∝ e^u). 1-d float array in, same shape out."""
    return np.exp((1.0 - alpha - beta) * np.asarray(log_demand, float))


def order_taste(log_demand) -> np.ndarray:
    """e^u: the weight of a supplier's niche demand in its clients' split of orders over their
    ties (SupplyNetwork.tie_orders multiplies τ + offset by it; a CES taste shifter, Dixit &
    Stiglitz 1977; Foster, Haltiwanger & Syverson 2008). 1-d float array in (u per row), same
    shape out; 1 everywhere for u = 0, so orders are then those of τ + offset exactly."""
    return np.exp(np.asarray(log_demand, float))


def tail_index(sd: float, hazard: float) -> float:
    """ζ = (1 + √(1 + 8δ/σ²)) / 2: the Pareto index of e^u observed at exponentially distributed
    ages (exit hazard δ per quarter independent of u, log drift −σ²/2; Reed 2001). inf for σ = 0.
    A reference for the measured index, not an input of the model."""
    sd = _check_sd(sd)
    if not 0 <= hazard:
        raise ValueError(f"hazard must be ≥ 0, got {hazard!r}")
    return float("inf") if sd == 0 else 0.5 * (1.0 + np.sqrt(1.0 + 8.0 * hazard / sd ** 2))
