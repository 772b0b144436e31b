"""Transport costs and what infrastructure does to them: the one freight mechanism of the model.

Freight has two legs. The *local* leg, within the cluster (inputs along supply ties, goods to
the cluster's gateway: market, railhead), costs t per unit per cell; the *long haul* to outside
buyers and from outside suppliers costs a share θ of the goods' value. Both fall with
infrastructure I ∈ [0, 1] (paved roads, logistics parks, highway links):

    local:      t(c) = t0 · (1 − s · I(c))                     per unit and cell
    long haul:  θ(c) = θ0 · (1 − s · I(c))                     share of value shipped

Where each leg is paid, with the infrastructure of the cell that ships or receives:

    supply tie s → b:   p + t0 · d(s, b) · (1 − s · (I(s) + I(b))/2)       per unit (`delivered_cost`)
    spot trade:         t(c) · d(c, gateway) per unit, seller and buyer each (a buyer only where
                        it stays within its import parity, `spot_arbitrage` 1)
    final goods:        t_m(c) · d(c, gateway) per unit + θ(c) · value      (t_m = `market_transport_cost`)
    intermediate export: θ(c) · value at the ex-works price
    import (parity):    w (1 + m) + θ(c) · w                                 (m = `import_markup`)

so infrastructure cheapens imports exactly as it cheapens exports: the import parity of a buyer
is the outside price plus the dealers' and other non-freight trade costs (the markup m) plus the
long haul at its own cell. θ is door to door: goods traded with outside do not pay a separate
local leg to the gateway.

s = `infrastructure_freight_saving`: vehicle operating costs on poor roads are about twice those
on good paved ones (World Bank HDM-4 road-user-cost relations), so full infrastructure halves
freight (s = 0.5). θ0 = `long_haul_freight`: freight and logistics are about 5–9% of the value
of manufactured goods traded over long distances (Hummels 2007, J. Econ. Perspectives 21(3):
ad-valorem freight on U.S. imports; China's logistics costs, 18% of GDP in 2010, about twice the
U.S. share), so θ0 = 0.08 at the base infrastructure level of a rural county. Freight enters
the delivered cost of inputs (supply ties and imports), the net value of goods sold outside
(market access) and the site score (site choice).
"""

from __future__ import annotations

import functools

import numpy as np


def cell_distance(dx, dy) -> np.ndarray:
    """Euclidean distance of cell offsets, `np.hypot(dx, dy)` (arrays broadcast). For offsets of
    32 or 64-bit integers (the position columns and candidate cells) it is read from a table of
    np.hypot(i, j), i, j ≥ 0: the same float64 numbers (hypot depends only on |dx| and |dy|),
    3–6× faster than computing them from a few thousand offsets on; other inputs go to np.hypot."""
    dx, dy = np.asarray(dx), np.asarray(dy)
    if (dx.dtype.kind not in "iu" or dy.dtype.kind not in "iu" or np.result_type(dx, dy).itemsize < 4
            or np.broadcast(dx, dy).size < 2048):
        return np.hypot(dx, dy)   # floats, small integers (hypot gives float32), few offsets
    ax, ay = np.abs(dx).astype(np.intp), np.abs(dy)
    table = _hypot_table(_table_size(ax), _table_size(ay))
    return np.take(table, ax * table.shape[1] + ay)


def _table_size(offsets: np.ndarray) -> int:
    """The smallest power of two ≥ 256 above every offset (few tables per model)."""
    return max(256, 1 << int(offsets.max(initial=0)).bit_length())


@functools.lru_cache(maxsize=8)
def _hypot_table(w: int, h: int) -> np.ndarray:
    """np.hypot(i, j) for 0 ≤ i < w, 0 ≤ j < h (read-only; 2 MiB for a 500 × 500 grid)."""
    i, j = np.indices((w, h))
    table = np.hypot(i, j)
    table.flags.writeable = False
    return table


def local_freight_rate(base_rate: float, infra, saving: float) -> np.ndarray:
    """t(c) = t0 (1 − s I(c)): freight per unit per cell (array like infra)."""
    return base_rate * (1.0 - saving * np.clip(np.asarray(infra, float), 0.0, 1.0))


def long_haul_share(base_share: float, infra, saving: float) -> np.ndarray:
    """θ(c) = θ0 (1 − s I(c)): freight on goods shipped to or from outside, as a share of value."""
    return base_share * (1.0 - saving * np.clip(np.asarray(infra, float), 0.0, 1.0))


def delivered_cost(price, sx, sy, bx, by, infra_s, infra_b, transport_cost, saving) -> np.ndarray:
    """p + t0 · d · (1 − s · (I_s + I_b)/2): ex-works price plus the local leg along a supply tie
    (d = distance in cells between supplier (sx, sy) and buyer (bx, by), I their cells'
    infrastructure, s = `infrastructure_freight_saving`); arrays broadcast, units per unit."""
    d = cell_distance(sx - bx, sy - by)
    factor = np.add(infra_s, infra_b)
    half = 0.5 * saving   # s · (I_s + I_b) / 2
    if (d.shape != np.broadcast_shapes(d.shape, factor.shape, np.shape(price))
            or np.result_type(d, factor, price, transport_cost) != d.dtype):
        return price + transport_cost * d * (1 - half * factor)
    # in place, the same operations in the same order (no temporaries of the candidates' size)
    factor *= half
    np.subtract(1, factor, out=factor)
    d *= transport_cost
    d *= factor
    d += price
    return d


def freight_share_of_delivered_cost(freight, value) -> float:
    """Σ freight / (Σ value + Σ freight): the weight of transport in delivered cost."""
    f, v = float(np.sum(freight)), float(np.sum(value))
    return f / (v + f) if v + f > 0 else 0.0
