"""Persistent innovation types: firms differ in how fast their lines innovate (pure functions).

Lentz & Mortensen (2008) explain the firm-size distribution of Klette & Kortum's (2004) model of
creative destruction with firm *types*: a firm draws at entry a type that sets its innovation
intensity, so high types take rivals' lines faster and grow. Luttmer (2011, "On the mechanics of
firm growth") shows that permanent types give an ever-growing leader, and that types which
end — a high-growth phase that stops when the firm's advantage is imitated — give a stationary
Pareto tail: a firm of type θ grows at g(θ) = b (θ − θ̄) while its type lasts, the type ends at
hazard δ, so ln size after a type spell is g T with T ~ Exp(δ) and P(S > s) ∝ s^(−δ/g) (Reed
2001's mechanism; Gabaix 2009 §3).

Here a firm's type θ_i multiplies the innovation probability of each of its lines,

    λ_i = min(1, b w_i θ_i),   θ = exp(σ z − σ²/2),  z ~ N(0, 1)   (E[θ] = 1: mean intensity b),

σ = `line_type_dispersion` (the sd of log innovation intensity across firms), and each quarter
a firm's type is redrawn from the same distribution with probability δ = `line_type_hazard`
(its advantage or handicap is imitated or its product generation ends), so that
corr(θ_t, θ_t+h) = (1 − δ)^h. Entrants draw a fresh type. σ = 0 (the default) gives θ = 1.

No Mesa objects, no model state: arrays and a numpy Generator in, arrays out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_types", "redraw_types", "typed_intensity"]


def _check(dispersion: float, hazard: float = 0.0) -> None:
    if not (np.isfinite(dispersion) and dispersion >= 0):
        raise ValueError(f"line_type_dispersion must be a finite number ≥ 0, got {dispersion!r}")
    if not 0 <= hazard <= 1:
        raise ValueError(f"line_type_hazard must be in [0, 1], got {hazard!r}")


def draw_types(rng, n: int, dispersion: float) -> np.ndarray:
    """n fresh types θ = exp(σ z − σ²/2), z ~ N(0, 1): log-normal with E[θ] = 1 and sd(ln θ) = σ.
    Returns a float array of length n (all ones for σ = 0, without drawing). Raises ValueError
    for σ < 0. Source: Lentz & Mortensen (2008) (types drawn at entry)."""
    _check(dispersion)
    if dispersion == 0:
        return np.ones(int(n))
    return np.exp(dispersion * rng.standard_normal(int(n)) - 0.5 * dispersion ** 2)


def redraw_types(rng, types, dispersion: float, hazard: float, unset=None) -> np.ndarray:
    """Types after one quarter: each is redrawn with probability δ = `hazard` (Luttmer 2011: a
    type ends when its advantage is imitated), and every type flagged in the bool array `unset`
    (a new entrant's) is drawn. 1-d float array in, new array out; the rng is used only when
    σ > 0 (σ = 0: all ones)."""
    _check(dispersion, hazard)
    theta = np.asarray(types, float).copy()
    if dispersion == 0:
        return np.ones_like(theta)
    new = rng.random(theta.size) < hazard
    if unset is not None:
        new |= np.asarray(unset, bool)
    theta[new] = draw_types(rng, int(new.sum()), dispersion)
    return theta


def typed_intensity(intensity, types) -> np.ndarray:
    """w_i θ_i: the relative innovation intensity of `model.product_lines.relative_intensity`
    (1[π > 0] by default) times the firm's type; 1-d arrays of equal length."""
    w, theta = np.asarray(intensity, float), np.asarray(types, float)
    if w.shape != theta.shape:
        raise ValueError("intensity and types must have the same length")
    return w * theta
