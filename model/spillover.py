"""Knowledge spillover: through space, along supply ties, and from public services.

What a firm can learn from a source with knowledge k_s > k is limited by its absorptive
capacity (Cohen & Levinthal 1990), which shrinks as the gap g = k_s − k grows relative to its
own knowledge: the absorbable part of a gap is

    absorb(k, g) = k · g / (k + g)        (≈ g for small gaps, → k for huge ones).

Space: the knowledge pool of a cell is the employment-weighted mean knowledge around it,
K(c) = Σ exp(−d/λ) k L / Σ exp(−d/λ) L; contact grows with nearby employment E, saturating at
E½. IP protection cuts this involuntary leakage:

    Δk_space = σ_s · (1 − cut·ip) · E/(E + E½) · absorb(k, max(0, K − k)).

Ties: knowledge flows both ways along supply ties, stronger with trust τ:

    Δk_net,i = σ_n · mean_{j ∈ ties(i)} τ_ij · absorb(k_i, max(0, k_j − k_i)).

Services: clients of the technology centre learn toward the outside frontier F:
Δk = s · absorb(k, max(0, F − k)).
"""

from __future__ import annotations

import numpy as np


def absorb(k: np.ndarray, gap: np.ndarray) -> np.ndarray:
    gap = np.maximum(gap, 0.0)
    return k * gap / np.maximum(k + gap, 1e-12)


def spatial_learning(k, pool, contact, rate, leakage) -> np.ndarray:
    """Δk from the local knowledge pool (arrays over the learning enterprises)."""
    return rate * leakage * contact * absorb(k, pool - k)


def network_learning(k, src, dst, trust, rate, n) -> np.ndarray:
    """Δk along ties; k indexed by row, src/dst are row indices of the ties (n rows)."""
    if len(src) == 0 or rate == 0:
        return np.zeros(n)
    to_dst = trust * absorb(k[dst], k[src] - k[dst])
    to_src = trust * absorb(k[src], k[dst] - k[src])
    gain = np.bincount(dst, to_dst, n) + np.bincount(src, to_src, n)
    degree = np.bincount(dst, minlength=n) + np.bincount(src, minlength=n)
    return rate * gain / np.maximum(degree, 1)


def service_learning(k, frontier, rate) -> np.ndarray:
    return rate * absorb(k, frontier - k)
