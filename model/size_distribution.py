"""Indicators of the firm-size distribution and of growth-rate volatility (pure functions).

Two stylised facts of industrial dynamics the model should produce from its mechanisms:

* **A heavy right tail.** Firm sizes are close to Zipf, P(S > s) ∝ s^(−α) with α ≈ 1.06
  (Axtell 2001, U.S. Census). The tail index is estimated with Hill's (1975) estimator on the
  k largest sizes,

      α̂_k = k / Σ_{i=1..k} ln(S_(i) / S_(k+1)),        S_(1) ≥ S_(2) ≥ …,

  with k = ⌊share · n⌋ (share = 0.05: the top 5%). For an exact Pareto(α) sample, k/α̂ is a
  Gamma(k, 1/α) variable: α̂ is consistent, with relative sd ≈ 1/√k.

* **Volatility falls with size.** The sd of firms' growth rates scales as σ(S) ∝ S^(−β) with
  β ≈ 0.15–0.2 (Stanley et al. 1996, Nature 379; Sutton 2002). Growth g_i = ln(S_i,t+h / S_i,t)
  over the firms alive at both dates; firms are grouped into `n_bins` equal-count bins of
  ln S_t; the slope is the OLS slope of ln sd(g | bin) on mean ln S_t of the bin (−β).

No Mesa objects, no model state, no randomness: arrays in, floats out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["growth_rates", "hill_alpha", "volatility_slope"]


def _positive_1d(values, name: str) -> np.ndarray:
    a = np.asarray(values, dtype=float).ravel()
    if a.size and (not np.all(np.isfinite(a)) or a.min() <= 0):
        raise ValueError(f"{name} must be finite and positive")
    return a


def hill_alpha(sizes, top_share: float = 0.05, min_k: int = 5) -> float:
    """Hill estimate of the Pareto tail index from the largest `top_share` of `sizes`.

    sizes: 1-d array of positive firm sizes (workers, sales …), any order.
    top_share: share of observations in the tail, 0 < share < 1; k = ⌊share · n⌋.
    Returns α̂ (float); nan when k < `min_k` or the top k+1 sizes are all equal (no tail).
    Raises ValueError for non-positive or non-finite sizes or a share outside (0, 1).
    Source: Hill (1975), Ann. Statist. 3(5).
    """
    if not 0 < top_share < 1:
        raise ValueError(f"top_share must be in (0, 1), got {top_share!r}")
    s = _positive_1d(sizes, "sizes")
    k = int(np.floor(top_share * s.size))
    if k < min_k or k >= s.size:
        return float("nan")
    top = -np.sort(-s)[: k + 1]
    logs = np.log(top[:k]) - np.log(top[k])
    total = float(logs.sum())
    return float(k / total) if total > 0 else float("nan")


def growth_rates(uid_before, size_before, uid_after, size_after) -> tuple[np.ndarray, np.ndarray]:
    """(ln S_t, g = ln(S_t+h / S_t)) for the firms present at both dates, matched by id.

    uid_*: 1-d integer ids (unique within each date); size_*: positive sizes of the same length.
    Returns two 1-d arrays over the matched firms, in ascending id order. Firms that entered or
    exited in between are left out (growth of survivors, as in Stanley et al. 1996).
    """
    ub, ua = np.asarray(uid_before), np.asarray(uid_after)
    sb, sa = _positive_1d(size_before, "size_before"), _positive_1d(size_after, "size_after")
    if ub.shape != sb.shape or ua.shape != sa.shape:
        raise ValueError("each uid array must have the length of its size array")
    _, ib, ia = np.intersect1d(ub, ua, assume_unique=True, return_indices=True)
    log_before = np.log(sb[ib])
    return log_before, np.log(sa[ia]) - log_before


def volatility_slope(log_size, growth, n_bins: int = 10, min_per_bin: int = 10) -> float:
    """Slope of ln sd(growth) on ln size over equal-count size bins (−β in σ ∝ S^−β).

    log_size, growth: 1-d arrays of equal length (e.g. from `growth_rates`).
    n_bins: number of equal-count bins of log_size (at least 3).
    Returns the OLS slope (float); nan with fewer than 3 usable bins (each needs
    `min_per_bin` firms and a positive sd).
    """
    x, g = np.asarray(log_size, float).ravel(), np.asarray(growth, float).ravel()
    if x.shape != g.shape:
        raise ValueError("log_size and growth must have the same length")
    if n_bins < 3:
        raise ValueError(f"n_bins must be at least 3, got {n_bins!r}")
    order = np.argsort(x, kind="stable")
    centres, sds = [], []
    for part in np.array_split(order, n_bins):
        if len(part) < min_per_bin:
            continue
        sd = float(np.std(g[part], ddof=1))
        if sd > 0:
            centres.append(float(np.mean(x[part])))
            sds.append(np.log(sd))
    if len(centres) < 3 or np.ptp(centres) == 0:
        return float("nan")
    return float(np.polyfit(centres, sds, 1)[0])
