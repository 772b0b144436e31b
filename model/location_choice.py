"""Where enterprises settle: Weber's location factors in a logit site choice.

An entrant, a spin-off or a firm reconsidering its site compares a few candidate cells by a
site score in log points (≈ share of profit), summing Weber's three factors:

    U(c) = ln m_agg(c)                                   agglomeration (Marshall)
         − α · ln((w(c) + ℓ · rent_eff(c)) / w0)           labour and land cost
         + μ · s/(s+1) · S(c) / (S(c) + need)             buyers: local supply of its input
         + μ/(1+μ) · D(c) / (D(c) + output)               suppliers: local demand for its good
         − t(c) · dist(c, market) / P − θ(c)                final firms: local and long-haul freight
                                                              (both fall with infrastructure, model.transport)
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
from model.fields import at


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
                cx, cy) -> np.ndarray:
    """U(c) (log points) for choosers (arrays of length n) at candidate cells cx, cy of shape
    (n, m); `f`: the model's fields (productivity, wage, rent_paid, supply, demand)."""
    u = np.log(at(f["productivity"], cx, cy))
    cost = at(f["wage"], cx, cy) + p["land_per_worker"] * at(f["rent_paid"], cx, cy)
    u -= p["labour_share"] * np.log(cost / p["base_wage"])
    n_stages = p["n_stages"]
    infra, saving = at(f["infrastructure"], cx, cy), p["infrastructure_freight_saving"]
    theta = transport.long_haul_share(p["long_haul_freight"], infra, saving)   # long haul at the site
    premium = p["import_markup"] + theta   # import parity over the outside price, per unit of w
    # buyers (stage ≥ 1) value nearby supply of the stage before theirs
    s_in = np.clip(stage - 1, 0, n_stages - 1)
    supply = f["supply"][s_in[:, None], cx, cy]
    u += np.where((stage >= 1)[:, None],   # the import premium as a share of revenue
                  premium * stage[:, None] / (stage[:, None] + 1.0) * supply / (supply + need[:, None] + 1e-9), 0.0)
    # suppliers value nearby demand for their good
    s_out = np.clip(stage, 0, n_stages - 1)
    demand = f["demand"][s_out[:, None], cx, cy]
    u += np.where((~kind_is_firm)[:, None],
                  premium / (1 + premium) * demand / (demand + output[:, None] + 1e-9), 0.0)
    # final firms ship to the market gateway
    mx, my = gateway
    freight = (transport.local_freight_rate(p["market_transport_cost"], infra, saving) * np.hypot(cx - mx, cy - my)
               / max(final_price, 1e-9) + theta)
    u -= np.where(kind_is_firm[:, None], freight, 0.0)
    return u


def choose(rng, u: np.ndarray, noise: float) -> np.ndarray:
    """Index of the chosen candidate per chooser (u: (n, m)): argmax of U + Gumbel(0, noise) taste."""
    if noise > 0:
        u = u + rng.gumbel(0.0, noise, u.shape)
    return np.argmax(u, axis=1)
