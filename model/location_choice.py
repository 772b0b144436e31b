"""Where enterprises settle: Weber's location factors in a logit site choice.

An entrant, a spin-off or a firm reconsidering its site compares a few candidate cells by a
site score in log points (≈ share of profit), summing Weber's three factors:

    U(c) = ln m_agg(c)                                   agglomeration (Marshall)
         − α · ln((w(c) + ℓ · rent_eff(c)) / w0)           labour and land cost
         + μ · s/(s+1) · S(c) / (S(c) + need)             buyers: local supply of its input
         + μ/(1+μ) · D(c) / (D(c) + output)               suppliers: local demand for its good
         − t(c) · dist(c, market) / P − θ(c)                final firms: local and long-haul freight
                                                              (both fall with infrastructure, model.transport)
         − gateway_freight                                  with `site_gateway_freight`: intermediates'
                                                              exports, imports and spot legs via the gateway
         − κ(c)                                             with `site_compliance_cost`: expected compliance
                                                              cost (abatement + expected fine) per unit of
                                                              revenue, less a park's shared treatment
                                                              (model.environment.site_compliance_share)
         + ε_c,  ε ~ Gumbel(0, noise)                     idiosyncratic taste (logit choice)

S is the nearby output of the stage it buys from, D the nearby input demand of the stage it
sells to (both distance-weighted), μ = m + θ(c) the import premium a local supplier saves its
buyers: the markup m = `import_markup` plus the long-haul freight θ(c) at the site (import parity
w (1 + m) + θ(c) w, model.transport; its share μ/(1+μ) of the import parity price is what nearby
buyers gain by tying to it). Infrastructure lowers θ, so it cheapens imports as well as exports. The chooser takes the best candidate. With `location_choice = "random"` every
site is a uniformly random cell: the dartboard null model of Ellison & Glaeser.
"""

from __future__ import annotations

import numpy as np

from model import transport


def candidate_sites(rng, n, m, width, height, near_x=None, near_y=None, radius=5, share_near=0.5):
    """(n, m) candidate coordinates: a share near given points, the rest anywhere on the grid."""
    cx = rng.integers(0, width, (n, m))
    cy = rng.integers(0, height, (n, m))
    if near_x is not None and m > 0:
        k = max(1, int(round(m * share_near))) if share_near < 1 else m
        ox = rng.integers(-radius, radius + 1, (n, k))
        oy = rng.integers(-radius, radius + 1, (n, k))
        cx[:, :k] = np.clip(np.asarray(near_x)[:, None] + ox, 0, width - 1)
        cy[:, :k] = np.clip(np.asarray(near_y)[:, None] + oy, 0, height - 1)
    return cx, cy


def site_scores(f: dict, p: dict, gateway, final_price: float, stage, kind_is_firm, need, output,
                cx, cy, spot_share=None, prices=None, compliance=None) -> np.ndarray:
    """U(c) (log points) for choosers (arrays of length n) at candidate cells cx, cy of shape
    (n, m); `f`: the model's fields (productivity, wage, rent_paid, supply, demand). With
    `spot_share` (σ_g, (n_stages,)) and `prices` (p_g) it also subtracts `gateway_freight`; with
    `compliance` ((n, m), a share of revenue: `site_compliance_cost`) it subtracts that."""
    cell = np.asarray(cx) * f["wage"].shape[1] + cy   # flat cell index: every field is read with `np.take`
    u = np.log(np.take(f["productivity"], cell))
    cost = np.take(f["wage"], cell) + p["land_per_worker"] * np.take(f["rent_paid"], cell)
    u -= p["labour_share"] * np.log(cost / p["base_wage"])
    n_stages = p["n_stages"]
    infra, saving = np.take(f["infrastructure"], cell), p["infrastructure_freight_saving"]
    theta = transport.long_haul_share(p["long_haul_freight"], infra, saving)   # long haul at the site
    premium = p["import_markup"] + theta   # import parity over the outside price, per unit of w
    # buyers (stage ≥ 1) value nearby supply of the stage before theirs
    s_in = np.clip(stage - 1, 0, n_stages - 1)
    supply = np.take(f["supply"], s_in[:, None] * f["wage"].size + cell)   # f["supply"][s_in, cx, cy]
    u += np.where((stage >= 1)[:, None],   # the import premium as a share of revenue
                  premium * stage[:, None] / (stage[:, None] + 1.0) * supply / (supply + need[:, None] + 1e-9), 0.0)
    # suppliers value nearby demand for their good
    s_out = np.clip(stage, 0, n_stages - 1)
    demand = np.take(f["demand"], s_out[:, None] * f["wage"].size + cell)   # f["demand"][s_out, cx, cy]
    u += np.where((~kind_is_firm)[:, None],
                  premium / (1 + premium) * demand / (demand + output[:, None] + 1e-9), 0.0)
    # final firms ship to the market gateway
    mx, my = gateway
    d = transport.cell_distance(cx - mx, cy - my)   # cells to the gateway
    freight = (transport.local_freight_rate(p["market_transport_cost"], infra, saving) * d
               / max(final_price, 1e-9) + theta)
    u -= np.where(kind_is_firm[:, None], freight, 0.0)
    if spot_share is not None:   # `site_gateway_freight`: intermediates' freight via the gateway
        local = demand / (demand + output[:, None] + 1e-9)
        u -= gateway_freight(p, theta, transport.local_freight_rate(p["transport_cost"], infra, saving) * d,
                             stage, kind_is_firm, local, spot_share, prices)
    if compliance is not None:
        u -= compliance
    return u


def gateway_freight(p: dict, theta, leg, stage, kind_is_firm, local_sales, spot_share, prices) -> np.ndarray:
    """(n, m) freight via the gateway as a share of revenue (log points) that the site score of a
    chooser trading intermediates omits without it (`site_gateway_freight`; model.transport):

        seller of good g (not a final firm):  (1 − δ(c)) θ(c) + δ(c) σ_g t(c) d(c) / p_g
        buyer of good g = s − 1 (stage s ≥ 1): s/(s+1) · (θ(c) + σ_g t(c) d(c) / p_g)

    δ(c) = D/(D + output) the share it sells nearby (the score's own), the rest exported at the long
    haul θ(c); σ_g the share of the cluster's local trade in good g that went over the spot market last
    quarter (`spot_share`, (n_stages,)), which pays the leg t(c) d(c) to or from the gateway per unit;
    s/(s+1) the input share of revenue the buyer's term uses, θ(c) the long haul in the import parity
    w (1 + m + θ(c)) against which the score measures local supply's gain (μ(c)). theta, leg: (n, m)
    at the candidates; prices (n_stages,) the ex-works prices p_g."""
    n_stages = p["n_stages"]
    sigma, price = np.asarray(spot_share, float), np.maximum(np.asarray(prices, float), 1e-9)
    g_out, g_in = np.clip(stage, 0, n_stages - 1), np.clip(stage - 1, 0, n_stages - 1)
    sells = (1.0 - local_sales) * theta + local_sales * (sigma[g_out] / price[g_out])[:, None] * leg
    buys = (stage / (stage + 1.0))[:, None] * (theta + (sigma[g_in] / price[g_in])[:, None] * leg)
    return np.where((~kind_is_firm)[:, None], sells, 0.0) + np.where((stage >= 1)[:, None], buys, 0.0)


def spot_share_of_local_trade(output, unsold, spot) -> np.ndarray:
    """σ_g = spot_g / (output_g − unsold_g + spot_g): the share of the local trade in each good (sales
    along ties, output_g − unsold_g, plus the spot market's matches spot_g) that went over the spot
    market (arrays (n_stages,); unsold_g counted before the spot market; 0 where nothing traded)."""
    local = np.asarray(output, float) - np.asarray(unsold, float) + np.asarray(spot, float)
    return np.divide(spot, local, out=np.zeros(len(local)), where=local > 1e-12)


def choose(rng, u: np.ndarray, noise: float) -> np.ndarray:
    """Index of the chosen candidate per chooser (u: (n, m)): argmax of U + Gumbel(0, noise) taste."""
    if noise > 0:
        u = u + rng.gumbel(0.0, noise, u.shape)
    return np.argmax(u, axis=1)
