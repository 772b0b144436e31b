"""The regional brand (区域品牌) and the specialised market (专业市场): demand-side stocks.

Both are stocks built by spending *and by the cluster's quality*, and both decay.

Brand (goodwill, Nerlove & Arrow 1962). Public promotion spending s builds brand goodwill B,
but only in proportion to the share of the cluster's final goods that meet the market's
standard, q̄ = Σ Q a / Σ Q (output-weighted appeal a ∈ [0, 1], `model.market.appeal`): a brand
does not stick to goods below the standard. The firms' own marketing and the reputation of
their quality sales build a private goodwill G; both decay at δ_B:

    B_t = (1 − δ_B) B_{t−1} + q̄_t s_t,        G_t = (1 − δ_B) G_{t−1} + q̄_t φ R_t,

with R_t the final firms' sales and φ the firms' own marketing per unit of sales. Outside demand
is raised by the public brand relative to the goodwill the cluster already has:

    D ← D · ((G + B) / G)^η.

η is the long-run elasticity of sales to goodwill: with no public brand the multiplier is 1;
its elasticity to B is η · B / (G + B) ≤ η, so demand responds to brand spending with at most
the advertising elasticity the marketing meta-analyses report (mean ≈ 0.1: Sethuraman, Tellis
& Briesch 2011, J. Marketing Research 48: 457–471, 751 short-term elasticities, mean 0.12;
Assmus, Farley & Lehmann 1984: 0.22 long-run). At s = φ R (the government matches the firms'
own marketing) demand rises by 2^η − 1 ≈ 7% in steady state.

Specialised market (a trade venue, Yiwu / Datang). Market capacity M, built by q̄ × spending
and decaying at δ_M, cuts the distribution margin θ outside buyers pay on top of the
factory-gate price (wholesale, search, haulage between producers and buyers):

    θ(M) = θ0 · (1 − r · M / (M + M½)),       D ← D · ((1 + θ0) / (1 + θ(M)))^ε,

ε the price elasticity of outside demand: buyers react to the lower delivered price as to any
price cut. θ0 is the distribution margin without a market, r the largest share of it a market
can cut.
"""

from __future__ import annotations

import numpy as np


def quality_share(output, appeal) -> float:
    """q̄ = Σ Q a / Σ Q over final firms (1 when nothing is produced): 1-d arrays → float."""
    total = float(np.sum(output))
    return float(np.sum(np.asarray(output) * np.asarray(appeal)) / total) if total > 0 else 1.0


def stock_update(stock: float, investment: float, quality: float, decay: float) -> float:
    """S_t = (1 − δ) S_{t−1} + q̄ · investment (goodwill or market capacity), all ≥ 0."""
    if not 0 <= decay <= 1:
        raise ValueError(f"decay must be in [0, 1], got {decay!r}")
    return (1.0 - decay) * stock + max(investment, 0.0) * min(max(quality, 0.0), 1.0)


def brand_multiplier(brand: float, goodwill: float, elasticity: float) -> float:
    """((G + B) / G)^η: the demand gain of public brand goodwill B over private goodwill G."""
    if brand <= 0:
        return 1.0
    if goodwill <= 0:
        raise ValueError("private goodwill must be positive when there is a public brand")
    return float(((goodwill + brand) / goodwill) ** elasticity)


def distribution_margin(capacity: float, base_margin: float, max_cut: float, half: float) -> float:
    """θ(M) = θ0 (1 − r M / (M + M½))."""
    capacity = max(capacity, 0.0)
    return base_margin * (1.0 - max_cut * capacity / (capacity + half))


def market_multiplier(capacity: float, base_margin: float, max_cut: float, half: float,
                      price_elasticity: float) -> float:
    """((1 + θ0) / (1 + θ(M)))^ε: outside demand at the factory gate when the market cuts θ."""
    theta = distribution_margin(capacity, base_margin, max_cut, half)
    return float(((1.0 + base_margin) / (1.0 + theta)) ** price_elasticity)
