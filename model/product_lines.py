"""Firms as portfolios of product lines (Klette & Kortum 2004; Sutton 2002).

An enterprise runs n_i ≥ 1 product lines (products, customers, markets). Each line is a plant-like
unit of the same technology, so a firm of n lines produces Q = A n^(1−α−β) L^α K^β and its
profit-maximising size is proportional to n (`line_factor`). Each quarter every line of a
profitable firm spawns a new line with probability b (a new product or market found with the
profits and know-how of the line), and every line is lost with probability d (its product goes out
of fashion, its customer leaves); a firm keeps at least its core line:

    n_{t+1} = max(1, n_t + Binomial(n_t, b · 1[π_t > 0]) − Binomial(n_t, d)).

Expected growth does not depend on n (Gibrat's law in expectation), while the sd of the growth
rate falls as √((b + d)/n): a firm of many independent lines is steadier (Stanley et al. 1996;
Sutton 2002). With entry at one line and exit at hazard h, firms that keep growing at rate
μ = b − d for an exponentially distributed life reach a Pareto tail of index ≈ h/μ (Reed 2001).
"""

from __future__ import annotations

import numpy as np


def line_factor(lines, alpha: float, beta: float) -> np.ndarray:
    """n^(1−α−β): the TFP multiplier of n replicated lines (optimal size ∝ n)."""
    return np.maximum(np.asarray(lines, float), 1.0) ** (1.0 - alpha - beta)


def update_lines(rng, lines, profitable, birth: float, loss: float, floor=1) -> np.ndarray:
    """New line counts: max(floor, n + Bin(n, b·1[profitable]) − Bin(n, d)) (1-d arrays; `floor`
    a number or an array per enterprise). floor = 0: a firm that loses its last line has nothing
    left to sell (it exits)."""
    if not (0 <= birth <= 1 and 0 <= loss <= 1):
        raise ValueError(f"line birth and loss probabilities must be in [0, 1], got {birth!r}, {loss!r}")
    n = np.maximum(np.rint(np.asarray(lines, float)), 1).astype(np.int64)
    gained = rng.binomial(n, birth * np.asarray(profitable, bool))
    lost = rng.binomial(n, loss)
    return np.maximum(n + gained - lost, floor).astype(float)
