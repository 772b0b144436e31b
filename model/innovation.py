"""R&D and innovation: frequent small steps by SMEs, rare big jumps by lead firms.

Each quarter an enterprise spends rd = ρ · VA on R&D, VA its value added (sales less purchased
inputs and freight, `rd_base`), where ρ is its R&D intensity, raised by an R&D subsidy s (R&D
gets cheaper): ρ = ρ0 / (1 − s). Two hazards turn R&D into knowledge:

    incremental: h_inc = ι · r_inc · ρ · (1 + u·linked)      jump k ×= 1 + z_inc
    radical:     h_rad = ι · r_rad · rd · (1 + u·linked)     jump k ×= 1 + z_rad

with success probability 1 − exp(−h). The incremental hazard depends on R&D *intensity*, so
many SMEs make frequent small product changes; the radical hazard on R&D *spending*, so only
large lead firms make the rare big ones (the division of innovation labour in the seeds).
University-linked firms (`u`) innovate more. An innovation also gives the innovator a price
premium (novelty) that imitation erodes at rate δ_n (1 − ip): IP protection raises the
innovator's return.

The outside frontier F bounds what R&D can reach: no innovation takes a firm beyond
(1 + z_rad) · F (one radical step ahead of the frontier). Without the bound, a large firm's
radical hazard (∝ its R&D spending) and its size (∝ A^{1/(1−α−β)}) feed each other without
limit: a recruited lead firm would reach many times the frontier and swallow the market.
"""

from __future__ import annotations

import numpy as np


def innovate(rng, rd_share, rd, linked, p: dict):
    """One quarter's innovation draws for n enterprises (module docstring: hazards, jumps).

    rd_share: (n,) R&D intensity ρ (share of value added); rd: (n,) R&D spending (units); linked: (n,) 1 for
    university-linked firms; `rng`: numpy Generator (two uniforms per enterprise). Returns
    ((n,) knowledge jump factor ≥ 1, (n,) novelty gained (share), number of innovations)."""
    boost = 1.0 + p["university_boost"] * linked
    h_inc = p["innovation"] * p["incremental_rate"] * rd_share * boost
    h_rad = p["innovation"] * p["radical_rate"] * rd * boost
    u = rng.random((2, len(rd)))
    inc = u[0] < -np.expm1(-h_inc)
    rad = u[1] < -np.expm1(-h_rad)
    gained = inc * p["incremental_size"] + rad * p["radical_size"]
    return 1.0 + gained, gained, int(inc.sum() + rad.sum())


def rd_base(revenue, input_cost, freight):
    """The base R&D intensity applies to: value added at the enterprise, max(0, sales − purchased
    inputs − freight) (arrays, units/quarter). A share of value added, not of sales, so the
    cluster's R&D does not depend on how finely its chain is split into stages (a stage's sales
    include every upstream stage's value added) and a stage that buys in most of what it sells is
    not charged R&D on its suppliers' work (issue 10: with ρ · sales the final stage, whose value
    added is 10–12% of its sales, spent ≈ 45% of its operating surplus on R&D against ≈ 13% for
    stage 0, and shrank 150 → 1–53 firms by quarter 160 of the baseline)."""
    return np.maximum(np.asarray(revenue) - input_cost - freight, 0.0)


def rd_intensity(is_lead, rd_share: float, lead_rd_share: float, subsidy: float):
    """ρ = ρ0 / (1 − s): R&D share of value added, raised by the subsidy share s (R&D gets cheaper)."""
    return np.where(is_lead, lead_rd_share, rd_share) / (1 - subsidy)


def bounded_knowledge(k, jump, frontier: float, radical_size: float):
    """k · jump, but never beyond one radical step ahead of the frontier (nor below k)."""
    return np.minimum(k * jump, np.maximum(k, (1 + radical_size) * frontier))


def novelty(previous, gained, decay: float, ip: float):
    """Price premium: imitation erodes it at decay · (1 − ip); new innovations add to it."""
    return previous * (1 - decay * (1 - ip)) + gained
