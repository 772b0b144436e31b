"""Knowledge spillover and learning from the frontier: through space, along supply ties, from
public services and from outside technology.

What a firm can learn from a source of knowledge k_s is limited by its absorptive capacity,
which peaks at a moderate cognitive distance d = ln(k_s / k) (Nooteboom et al. 2007): novelty
grows with d, understanding falls with it, and their product is an inverted U,

    absorb_u(k, k_s) = k · d · max(0, 1 − d / (2 d*))   (d > 0; 0 from sources behind),

≈ k_s − k for small gaps (Cohen & Levinthal's linear limit), largest at d = d*, nil beyond 2 d*.

Space: the knowledge pool of a cell is the employment-weighted mean knowledge around it,
K(c) = Σ exp(−d/λ) k L / Σ exp(−d/λ) L; contact grows with nearby employment E, saturating at
E½. IP protection cuts this involuntary leakage:

    Δk_space = σ_s · (1 − cut·ip) · E/(E + E½) · absorb_u(k, K).

Ties: knowledge flows both ways along supply ties, stronger with trust τ:

    Δk_net,i = σ_n · mean_{j ∈ ties(i)} τ_ij · absorb_u(k_i, k_j).

Services: clients of the technology centre learn from the outside frontier F:
Δk = s · absorb_u(k, F). Outside technology: Δk = σ_o · e_i · absorb_u(k, F), with exposure e_i
the mean of the shares of inputs imported and of sales made outside (1 for lead firms).
"""

from __future__ import annotations

import numpy as np


def contact(employment_near, scale: float):
    """Contact intensity E / (E + E½) of nearby employment E (workers), 0–1."""
    return employment_near / (employment_near + scale)


def leakage(ip: float, cut: float) -> float:
    """Share of involuntary spillover that IP protection at level ip (0–1) lets through: 1 − cut · ip."""
    return 1 - cut * ip


def spatial_learning(k, pool, contact, rate, leakage, optimal_distance) -> np.ndarray:
    """Δk = σ_s · leakage · contact · absorb_u(k, K): learning from the local knowledge pool K.
    k, pool, contact: arrays of one length (the learning enterprises); rate σ_s per quarter;
    leakage 0–1; optimal_distance d* (log points). Returns Δk, same length, ≥ 0."""
    return rate * leakage * contact * cognitive_absorption(k, pool, optimal_distance)


def network_learning(k, src, dst, trust, rate, n, optimal_distance) -> np.ndarray:
    """Δk_i = σ_n · mean over i's ties of τ_ij · absorb_u(k_i, k_j), both directions along each tie.
    k: knowledge by row (length ≥ n); src, dst: row indices of the ties; trust τ per tie; n rows.
    Returns Δk by row, length n (0 for rows without ties)."""
    if len(src) == 0 or rate == 0:
        return np.zeros(n)
    k_src, k_dst = k[src], k[dst]   # each end's knowledge gathered once, read in both directions
    to_dst = trust * cognitive_absorption(k_dst, k_src, optimal_distance)
    to_src = trust * cognitive_absorption(k_src, k_dst, optimal_distance)
    gain = np.bincount(dst, to_dst, n) + np.bincount(src, to_src, n)
    degree = np.bincount(dst, minlength=n) + np.bincount(src, minlength=n)
    return rate * gain / np.maximum(degree, 1)


def service_learning(k, frontier, rate, optimal_distance) -> np.ndarray:
    """Δk = s · absorb_u(k, F): what technology-centre clients (knowledge k, array) learn from the
    frontier F at rate s, limited by cognitive distance (`cognitive_absorption`)."""
    return rate * cognitive_absorption(k, frontier, optimal_distance)


# --- cognitive distance (Nooteboom et al. 2007) ----------------------------------------------

def cognitive_distance(k, k_source) -> np.ndarray:
    """d = ln(k_source / k) in log points (> 0: the source is ahead), arrays of equal shape."""
    k = np.asarray(k, float)
    return np.log(np.maximum(np.asarray(k_source, float), 1e-12) / np.maximum(k, 1e-12))


def cognitive_absorption(k, k_source, optimal_distance: float) -> np.ndarray:
    """Knowledge a learner of level k can take from a source of level k_source (per unit rate).

        d = ln(k_source / k),    absorb_u(k, k_s) = k · d · max(0, 1 − d / (2 d*))   for d > 0,
                                 0 for d ≤ 0 (nothing to learn from a source behind).

    Novelty grows with the cognitive distance d, the ability to understand falls with it: their
    product is an inverted U in d (Nooteboom, Van Haverbeke, Duysters, Gilsing & van den Oord
    2007, Research Policy 36: 1016–1034) with its peak k · d*/2 at d = d* (`optimal_distance`,
    log points) and nothing absorbed beyond 2 d* (a source too far ahead is not understood).
    For small gaps absorb_u ≈ k_s − k, as in Cohen & Levinthal's (1990) linear limit.

    k, k_source: arrays (broadcastable), positive. optimal_distance: d* > 0.
    Returns an array of the broadcast shape, ≥ 0, ≤ k · d*/2.
    """
    if not optimal_distance > 0:
        raise ValueError(f"optimal_distance must be > 0, got {optimal_distance!r}")
    d = np.maximum(cognitive_distance(k, k_source), 0.0)
    return np.asarray(k, float) * d * np.maximum(0.0, 1.0 - d / (2.0 * optimal_distance))


def outside_exposure(import_share, export_share, is_lead) -> np.ndarray:
    """Exposure to outside technology, 0–1: the mean of the shares of a firm's inputs bought and
    of its sales made outside the cluster (embodied technology in imported inputs: Coe & Helpman
    1995, Amiti & Konings 2007; learning from outside buyers: Humphrey & Schmitz 2002); 1 for
    lead firms, whose own global ties (parent, buyers, licensors) reach the frontier."""
    e = 0.5 * (np.clip(import_share, 0.0, 1.0) + np.clip(export_share, 0.0, 1.0))
    return np.where(is_lead, 1.0, e)


def frontier_learning(k, frontier: float, exposure, rate: float, optimal_distance: float) -> np.ndarray:
    """Δk from outside technology: σ_o · exposure · absorb_u(k, F) (arrays over learners)."""
    return rate * np.asarray(exposure, float) * cognitive_absorption(k, frontier, optimal_distance)
