"""Markets for the cluster's intermediate goods: one price per stage that clears every quarter.

Stage s ∈ {0 … S−1} makes a good its buyers in stage s + 1 use one-for-one; stage 0 uses a raw
input bought outside. Prices are in units of the final good's reference price P₀ = 1.

**Outside prices.** The outside (world) price of the raw input is w_raw = ρ P₀ (ρ =
`raw_input_share`); each of the S + 1 stages of the outside chain adds an equal share of the rest,

    w_s = ρ P₀ + (1 − ρ) P₀ (s + 1) / (S + 1),        s = −1 (raw), 0, …, S − 1.

**Import parity.** A buyer at cell c can always import the good at w_s (1 + m) + θ(c) w_s:
m = `import_markup`, the dealers' margin and other non-freight costs of buying outside, and
θ(c) the long-haul freight share at the buyer's cell, which infrastructure lowers
(model/transport.py; the "import parity price" of trade-policy analysis). No local seller gets
more than the cluster's import parity w_s (1 + m + θ̄_s), θ̄_s the mean of θ over the good's
buyers weighted by their need (arbitrage: at a higher price the buyers import).

**Export demand with finite elasticity.** Outside buyers take the cluster's surplus of good s
along an iso-elastic demand curve (Armington 1969: goods distinguished by origin),

    X_s(p) = X̄_s,t · (p / w_s)^(−η),        X̄_s,t = X̄_s,0 · (1 + g)^t,
    X̄_s,0 = max(U_s,0, χ · D_s,0),

η = `export_elasticity`, g = `demand_growth`; X̄_s,0 is set at the start: what the initial
cluster leaves unsold locally, U_s,0, and at least χ = `export_demand_share` of its initial
local use D_s,0. There is
no unlimited sink: selling twice as much outside lowers the price by the factor 2^(−1/η).

**Clearing.** Output Q_s is fixed within the quarter (Marshall's market period). Trade along
supply ties allocates U_s = Q_s − (units sold along ties) that no local buyer takes; the single
ex-works price p_s of the good (law of one price: local buyers and outside buyers pay the same)
is the one at which outside buyers take exactly U_s, capped at import parity:

    p_s = min( π_s,  w_s · (X̄_s,t / U_s)^(1/η) )        (U_s > 0),   π_s = w_s (1 + m + θ̄_s)
    p_s = π_s                                          (U_s = 0: local buyers import
                                                                 at the margin, so they bid the
                                                                 price up to parity).

**Local spot market.** Trade along ties leaves some suppliers with unsold output while some
buyers import; before anything leaves or enters the cluster, a local spot market (dealers,
the town's market place) matches a share φ = `spot_matching` of what could be matched:

    spot_s = φ · min(U_s, M_s),          M_s the need for good s that ties left unmet,

each unsold seller selling, and each short buyer buying, the same share of its gap. What is
then left unsold, U_s − spot_s, is exported; what is left unmet is imported. U_s below is
the surplus after the spot market. A spot purchase pays the local leg from the gateway on top
of p_s (model.transport), so with `spot_arbitrage` 0 a buyer far from it can pay more than importing;
by default (1) only the buyers it saves money bid, and with 2 also only the sellers
whose leg costs less than the long haul of exporting offer (`spot_sides`).

A market-clearing solve rather than tâtonnement: output is fixed when the good is sold, the
demand curve is known in closed form, so the quarter's price is the one that sells all of it —
no adjustment-speed parameter is needed, and the price reacts the same quarter to a glut. The
solve is continuous and non-increasing in U_s, so a stage that over-expands sees its price fall,
and entry by expected margin (model.demography) then equalises margins across stages.
"""

from __future__ import annotations

import numpy as np


def outside_prices(n_stages: int, raw_share: float, reference: float = 1.0) -> np.ndarray:
    """Outside prices w, shape (n_stages + 1,): w[0] the raw input of stage 0, w[1 + s] the good
    of stage s (0 … n_stages − 1), in model currency per unit. Equal value added per stage along
    the outside chain; raw_share ∈ [0, 1) is the raw input's share of the final good's price."""
    if not 0.0 <= raw_share < 1.0:
        raise ValueError(f"raw_share must be in [0, 1), got {raw_share}")
    s = np.arange(-1, n_stages)
    return reference * (raw_share + (1.0 - raw_share) * (s + 1) / (n_stages + 1.0))


def import_parity(outside_price, markup: float, freight_share=0.0):
    """Price at which a buyer imports: w (1 + m) + θ w = w (1 + (m + θ)), θ = `freight_share` the
    long-haul freight share at the buyer's cell (model.transport.long_haul_share); arrays broadcast.
    (Computed as w (1 + (m + θ)): with m + θ equal to a former all-in markup the prices are the
    same to the last bit.)"""
    return np.asarray(outside_price, float) * (1.0 + (markup + np.asarray(freight_share, float)))


def mean_by_input(stage, need, values, fallback) -> np.ndarray:
    """Need-weighted mean of `values` over the enterprises buying each input, shape like
    `fallback` (n_stages + 1,): entry j is the raw input (j = 0, bought by stage 0) or the good
    of stage j − 1 (bought by stage j); `fallback` where no one needs the input."""
    stage = np.asarray(stage, np.int64)
    values = np.asarray(values, float)
    n = len(fallback)
    base = values.min() if len(values) else 0.0   # equal values average to exactly themselves
    weight = np.bincount(stage, need, n)
    total = np.bincount(stage, np.asarray(need, float) * (values - base), n)
    return np.where(weight > 0, base + total / np.where(weight > 0, weight, 1.0), fallback)


def export_demand(price, scale, outside_price, elasticity: float):
    """X(p) = X̄ (p / w)^(−η): units outside buyers take at ex-works price p (arrays broadcast)."""
    return np.asarray(scale, float) * (np.asarray(price, float) / np.asarray(outside_price, float)) ** (-elasticity)


def clearing_prices(unsold, scale, outside_price, parity, elasticity: float) -> np.ndarray:
    """p_s = min(π_s, w_s (X̄_s / U_s)^(1/η)), = π_s where U_s = 0 (π = `parity`, the cluster's
    import parity of each good).

    unsold U (units), scale X̄ (units at the outside price), outside_price w and parity π: arrays
    of one shape (one entry per stage). Returns the clearing ex-works prices, same shape. With
    X̄ = 0 (no outside demand) and U > 0 the price is 0: the surplus is worthless."""
    U = np.maximum(np.asarray(unsold, float), 0.0)
    X = np.maximum(np.asarray(scale, float), 0.0)
    w = np.asarray(outside_price, float)
    cap = np.asarray(parity, float)
    with np.errstate(divide="ignore", over="ignore"):
        ratio = np.where(U > 0, X / np.where(U > 0, U, 1.0), np.inf)
    return np.minimum(cap, w * ratio ** (1.0 / elasticity))


def export_base(unsold0, local_use0, floor_share: float) -> np.ndarray:
    """X̄_s,0 = max(U_s,0, χ D_s,0): outside demand at the outside price — what the initial
    cluster leaves unsold locally (so the start clears at the outside prices where that is
    larger), and at least χ = `export_demand_share` of the initial local use D_s,0 (outside
    buyers of a good exist whether or not the cluster exported it). Units per quarter."""
    return np.maximum(np.asarray(unsold0, float), floor_share * np.asarray(local_use0, float))


def export_scale(base, growth: float, t: int) -> np.ndarray:
    """X̄_s,t = X̄_s,0 (1 + g)^t: outside demand grows with the final good's demand trend g."""
    return np.asarray(base, float) * (1.0 + growth) ** t


def spot_match(unsold, unmet, matching: float) -> np.ndarray:
    """spot_s = φ min(U_s, M_s): units traded on the local spot market, per stage (arrays of one
    shape, units per quarter); φ ∈ [0, 1]."""
    if not 0.0 <= matching <= 1.0:
        raise ValueError(f"matching must be in [0, 1], got {matching}")
    return matching * np.minimum(np.maximum(unsold, 0.0), np.maximum(unmet, 0.0))


def spot_sides(unsold, unmet, price_out, price_in, spot_leg, parity, long_haul, sellers: bool = True):
    """(offer, bid): the unsold output each enterprise offers and the unmet need it bids on the local
    spot market when a side takes part only where the spot market beats its outside alternative
    (arbitrage; `spot_arbitrage`): a buyer where the delivered price p_in + t d (the spot leg from
    the gateway) is at most its own import parity π(c) = w (1 + m + θ(c)); with `sellers`, a seller
    only where its spot leg t d to the gateway costs no more than the long haul θ(c) p_out of
    exporting the unit itself (model.transport: a spot sale pays the local leg, an export the long
    haul), else every seller offers. Prices are the last ones seen (the quarter's clearing price
    depends on what the spot market leaves). Arrays of one length over enterprises: units (unsold,
    unmet), model currency per unit (prices, spot_leg, parity); long_haul θ a share."""
    leg = np.asarray(spot_leg, float)
    buys = buyer_bids(price_in, leg, parity)
    sells = leg <= np.asarray(long_haul, float) * np.asarray(price_out, float) if sellers else True
    return np.where(sells, unsold, 0.0), np.where(buys, unmet, 0.0)


def buyer_bids(price_in, spot_leg, parity) -> np.ndarray:
    """True where a buyer bids on the spot market under `spot_arbitrage`: its delivered spot price
    p_in + t d (the leg from the gateway) is at most its own import parity (arrays broadcast; model
    currency per unit)."""
    return np.asarray(price_in, float) + np.asarray(spot_leg, float) <= np.asarray(parity, float)


def gap_shares(spot, gap) -> np.ndarray:
    """spot / gap per stage (0 where the gap is 0): the share of its own gap (unsold output or
    unmet need) each enterprise of the stage trades on the spot market."""
    gap = np.asarray(gap, float)
    return np.where(gap > 0, np.asarray(spot, float) / np.where(gap > 0, gap, 1.0), 0.0)


def by_stage(stage, values, n_stages: int) -> np.ndarray:
    """Σ values over the enterprises of each stage 0 … n_stages − 1 (final firms, stage
    n_stages, are dropped): shape (n_stages,)."""
    stage = np.asarray(stage, np.int64)
    keep = stage < n_stages
    return np.bincount(stage[keep], np.asarray(values, float)[keep], n_stages)
