"""How much of a change in a stage's net value per unit a firm should take as lasting.

Signal extraction (Muth 1960). Let a stage's net value per unit be a permanent level that moves
as a random walk (innovations of variance σ_p²) plus a transitory, serially uncorrelated deviation
(variance σ_e²). Its quarterly changes Δv_t = ε_t + η_t − η_{t−1} have the lag-1 autocorrelation

    ρ₁ = −σ_e² / (σ_p² + 2 σ_e²) = −1 / (q + 2),      q = σ_p² / σ_e²  (signal-to-noise ratio),

so the run's own price history identifies q = −1/ρ₁ − 2. The least-squares forecast of every
future quarter is then the adaptive (exponentially weighted) expectation
v̄ ← v̄ + λ* (v − v̄) (Nerlove 1958) with the weight (the steady-state Kalman gain of the local
level model)

    λ* = (−q + √(q² + 4q)) / 2 ∈ [0, 1].

White-noise levels (ρ₁ ≤ −½, q = 0) give λ* = 0: a dip is looked through entirely; a random walk
(ρ₁ ≥ 0, q → ∞) gives λ* = 1: a permanent shift is taken at once. ρ₁ is estimated per stage over
the run so far (uncentred sample autocorrelation of the stage's changes, `change_moments`),
shrunk toward the autocorrelation at which the weight is the prior `expectation_speed`, the prior
counting as `value_learning_quarters` quarters of data (`stage_weights`). The weight applied to a
quarter's change is read from the changes before it (a real-time filter). A large permanent shift
then dominates the sum of squared changes, so ρ₁ moves toward 0 and λ* toward 1 the quarter
after it.
"""

from __future__ import annotations

import numpy as np


def signal_to_noise(rho1):
    """q = −1/ρ₁ − 2 from the lag-1 autocorrelation ρ₁ of changes (arrays): 0 for ρ₁ ≤ −½ (pure
    transitory noise), +inf for ρ₁ ≥ 0 (pure random walk)."""
    rho1 = np.asarray(rho1, float)
    with np.errstate(divide="ignore"):
        q = np.where(rho1 < 0, -1.0 / np.minimum(rho1, -1e-300) - 2.0, np.inf)
    return np.maximum(q, 0.0)


def muth_weight(rho1):
    """λ* = (−q + √(q² + 4q)) / 2 with q = `signal_to_noise`(ρ₁) (arrays, in [0, 1]); Muth 1960.

    Written as 2 / (1 + √(1 + 4/q)) so that it is exact at q → ∞ (λ* = 1) and q = 0 (λ* = 0)."""
    q = signal_to_noise(rho1)
    with np.errstate(divide="ignore"):
        return np.where(q > 0, 2.0 / (1.0 + np.sqrt(1.0 + 4.0 / np.maximum(q, 1e-300))), 0.0)


def change_moments(moments: dict | None, v) -> dict:
    """Running sums of a stage's changes: `moments` (None at the start) updated with this
    quarter's level v (one value per stage, (S,) array).

    Returns {"last": v, "change": Δv, "sq": ΣΔv², "cross": ΣΔv_tΔv_{t−1}, "n": number of
    changes summed (ΣΔv² has n terms, the cross sum n − 1)} — arrays of shape (S,); a stage whose
    level is not finite (nobody produces) keeps its sums."""
    v = np.asarray(v, float)
    if moments is None:
        z = np.zeros_like(v)
        return {"last": v.copy(), "change": np.full_like(v, np.nan), "sq": z, "cross": z.copy(),
                "n": np.zeros(len(v), dtype=np.int64)}
    dv = v - moments["last"]
    ok = np.isfinite(dv)
    prev = moments["change"]
    both = ok & np.isfinite(prev)
    return {"last": np.where(np.isfinite(v), v, moments["last"]),
            "change": np.where(ok, dv, np.nan),
            "sq": moments["sq"] + np.where(ok, dv * dv, 0.0),
            "cross": moments["cross"] + np.where(both, dv * np.where(both, prev, 0.0), 0.0),
            "n": moments["n"] + ok}


def rho_of_weight(weight):
    """ρ₁ = −1 / (q + 2) with q = λ² / (1 − λ): the autocorrelation of changes at which `muth_weight`
    is λ (its inverse on [0, 1]; λ = 1 → ρ₁ = 0)."""
    lam = np.asarray(weight, float)
    with np.errstate(divide="ignore"):
        q = np.where(lam < 1, lam * lam / np.maximum(1.0 - lam, 1e-300), np.inf)
    return np.where(np.isfinite(q), -1.0 / (q + 2.0), 0.0)


def stage_weights(moments: dict, prior: float, prior_quarters: float):
    """λ* per stage ((S,) array) from `change_moments`: `muth_weight` of the autocorrelation
    ρ̃ = (m ρ̂ + m₀ ρ_prior) / (m + m₀), the sample estimate ρ̂ = cross / sq over the m pairs of
    successive changes so far shrunk toward the ρ at which the weight is `prior`
    (`rho_of_weight`), the prior counting as m₀ = `prior_quarters` pairs (a stage with no history
    adapts at `prior`; the data take over as they accumulate)."""
    sq, cross = moments["sq"], moments["cross"]
    pairs = np.maximum(moments["n"] - 1, 0) * (sq > 0)
    rho_hat = np.where(pairs > 0, cross / np.where(sq > 0, sq, 1.0), 0.0)
    rho = (pairs * rho_hat + prior_quarters * rho_of_weight(prior)) / np.maximum(pairs + prior_quarters, 1e-300)
    return muth_weight(rho)
