"""The supply network: ties from suppliers to buyers, trade along them and trust.

Ties are stored as arrays (supplier row, buyer row, trust τ, volume, age) so that trade and
search run vectorised; `to_networkx` gives the `networkx.DiGraph` view (nodes = unique_ids).

Trade (each quarter). A buyer of stage s needs one unit of the stage s−1 good per unit of output. It orders
from its suppliers in proportion to trust (τ + o, o = `order_trust_offset`); a supplier with more orders than output
fills them pro rata. What local suppliers cannot deliver is imported at the buyer's import parity
w_{s−1} (1 + markup) + θ(c) w_{s−1} (model/transport.py); the ex-works prices p_s clear each good's market after trade
(model/intermediate_market.py). Delivered cost of a tie: p_{s−1} + t · d · (1 − s · infra), d the
distance in cells, infra the mean of the two ends' infrastructure, s = `infrastructure_freight_saving`.

Trust. Each quarter of trade raises trust, τ += g (1 + assoc) (1 − τ); a quarter without
trade lowers it by a share δ (`idle_trust_decay`); ties below `tie_lapse_trust` lapse. Exit of either partner cuts the tie.

Search. Buyers find suppliers and replace costly ties in `model.sourcing` (candidates nearby,
by referral and from anywhere, ranked by delivered cost lowered by trust); this module gives it the
lookups it needs (`has`, `ties_of_buyers`, `referrals_at`, `adjacency`).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from model import niche_demand
from model.fields import at
from model.transport import delivered_cost

#: `SupplyNetwork.has` compares up to this many candidates with all their buyers' suppliers in one
#: (m, k, slots) comparison: a lead firm's search (a few buyers, ~128 candidates, ~60 ties each)
#: then takes a few numpy calls instead of several per slot; many candidates go slot by slot.
_HAS_AT_ONCE = 4096


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` for non-negative integers, as an LSD radix sort on
    16-bit digits: numpy sorts uint16 by radix, several times faster than a merge sort."""
    order = np.arange(len(keys))
    top = int(keys.max(initial=0))
    shift = 0
    while shift == 0 or top >> shift:
        digit = ((keys[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


class SupplyNetwork:
    """Supply ties as parallel arrays (supplier row `src`, buyer row `dst`, trust, volume, age,
    `invested`, `specific_capital`: the supplier's relationship-specific investment, model.product_match),
    kept sorted for the vectorised lookups (`has`, `ties_of_buyers`, `referrals`)."""
    def __init__(self):
        self.src = np.empty(0, np.int64)
        self.dst = np.empty(0, np.int64)
        self.trust = np.empty(0)
        self.volume = np.empty(0)
        self.age = np.empty(0, np.int64)
        self.invested = np.empty(0)  # 1 where the supplier sank the specific investment (model.product_match) …
        self.specific_capital = np.empty(0)  # … and what it sank (model currency)
        self._adjacency = None  # ties sorted by supplier and by buyer; reset when ties change
        self.taste = None  # per row: weight of a supplier in its buyers' orders (niche_demand_orders), or None

    def __len__(self) -> int:
        return len(self.src)

    # --- structure ------------------------------------------------------------------------
    def add(self, src, dst, trust) -> None:
        """Add ties src → dst (row arrays) with initial `trust` (scalar or array); keeps the order."""
        src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
        if self._adjacency is not None and len(src):  # merge the new ties into the sorted orders
            by_src, _, by_dst, _ = self._adjacency
            new = len(self) + np.arange(len(src))

            def merge(order, ends, new_ends):
                o = np.argsort(new_ends, kind="stable")  # new ties come after old ones of the same row
                return np.insert(order, np.searchsorted(ends[order], new_ends[o], side="right"), new[o])

            self._adjacency = merge(by_src, self.src, src), None, merge(by_dst, self.dst, dst), None
        self.src = np.concatenate([self.src, src])
        self.dst = np.concatenate([self.dst, dst])
        self.trust = np.concatenate([self.trust, np.broadcast_to(trust, len(src))])
        self.volume = np.concatenate([self.volume, np.zeros(len(src))])
        self.age = np.concatenate([self.age, np.zeros(len(src), np.int64)])
        self.invested = np.concatenate([self.invested, np.zeros(len(src))])
        self.specific_capital = np.concatenate([self.specific_capital, np.zeros(len(src))])

    def keep(self, mask) -> None:
        """Keep only the ties where the boolean `mask` (one per tie) is true."""
        mask = np.asarray(mask, bool)
        if mask.all():
            return
        if self._adjacency is not None:  # drop the ties from the sorted orders, renumbering the rest
            by_src, _, by_dst, _ = self._adjacency
            renumber = np.cumsum(mask) - 1
            self._adjacency = renumber[by_src[mask[by_src]]], None, renumber[by_dst[mask[by_dst]]], None
        for name in ("src", "dst", "trust", "volume", "age", "invested", "specific_capital"):
            setattr(self, name, getattr(self, name)[mask])

    def drop_rows(self, rows) -> None:
        """Cut every tie of the given enterprise rows (exit; one call for all of a step's exits)."""
        rows = np.asarray(rows, np.int64)
        if len(rows) == 0 or len(self) == 0:
            return
        gone = np.zeros(max(int(rows.max()), int(self.src.max()), int(self.dst.max())) + 1, bool)
        gone[rows] = True
        self.keep(~(gone[self.src] | gone[self.dst]))

    def has(self, src, dst, n_rows: int) -> np.ndarray:
        """Whether a tie src → dst exists, elementwise (src, dst broadcast): compares src with each
        of dst's suppliers, one vectorised pass per supplier slot (a buyer has at most
        `max_suppliers` ties), or all slots at once for at most `_HAS_AT_ONCE` candidates. src of
        shape (m, k) with dst of shape (m, 1) — each buyer's k candidates — reads each buyer's
        suppliers once, not once per candidate."""
        src, dst = np.asarray(src), np.asarray(dst)
        if not (src.ndim == 2 and dst.shape == (len(src), 1)):   # any other shapes: one query per row
            src, dst = np.broadcast_arrays(src, dst)
            return self.has(src.reshape(-1, 1), dst.reshape(-1, 1), n_rows).reshape(src.shape)
        found = np.zeros(src.shape, bool)
        if len(self) == 0:
            return found
        _, _, by_dst, in_ptr = self.adjacency(n_rows)
        buyers = dst[:, 0]
        lo, degree = in_ptr[buyers], in_ptr[buyers + 1] - in_ptr[buyers]
        if src.size <= _HAS_AT_ONCE:   # few candidates (large buyers' searches): all slots in one comparison
            slot = np.arange(int(degree.max(initial=0)))
            supplier = self.src[by_dst[np.minimum(lo[:, None] + slot, len(self) - 1)]]   # (m, slots)
            return ((src[:, :, None] == supplier[:, None, :]) & (slot < degree[:, None])[:, None, :]).any(axis=2)
        for k in range(int(degree.max(initial=0))):
            supplier = self.src[by_dst[np.minimum(lo + k, len(self) - 1)]]   # each buyer's k-th supplier
            found |= (src == supplier[:, None]) & (degree > k)[:, None]
        return found

    def ties_of_buyers(self, buyers, n_rows: int):
        """(owner, tie): every tie of each buyer, owner = position in `buyers`, ascending tie index."""
        _, _, by_dst, in_ptr = self.adjacency(n_rows)
        lo, count = in_ptr[buyers], in_ptr[buyers + 1] - in_ptr[buyers]
        owner = np.repeat(np.arange(len(buyers)), count)
        start = np.cumsum(count) - count
        return owner, by_dst[lo[owner] + np.arange(len(owner)) - start[owner]]

    def buyers_of(self, row: int, population) -> list[int]:
        """unique_ids of the buyers of enterprise `row`."""
        return population.uid[self.dst[self.src == row]].tolist()

    def to_networkx(self, population) -> nx.DiGraph:
        """A new networkx.DiGraph: nodes = live unique_ids, edges supplier → buyer with volume and trust."""
        g = nx.DiGraph()
        g.add_nodes_from(population.uid[population.live].tolist())
        uid = population.uid
        g.add_edges_from(
            (int(s), int(d), {"volume": float(v), "trust": float(t)})
            for s, d, v, t in zip(uid[self.src], uid[self.dst], self.volume, self.trust)
        )
        return g

    # --- trade ----------------------------------------------------------------------------
    def trade(self, need, capacity, unit_cost, n_rows, offset: float):
        """Allocate input orders along ties.

        need[row]: units each buyer needs; capacity[row]: units each supplier produced;
        unit_cost: delivered cost per unit on each tie; offset: `order_trust_offset` (orders ∝
        τ + offset). Returns (local units bought per row,
        cost of local units per row, units sold per row); sets `volume`.
        """
        if len(self) == 0:
            zero = np.zeros(n_rows)
            return zero, zero.copy(), zero.copy()
        orders = self.tie_orders(need, n_rows, offset)
        ordered = np.bincount(self.src, orders, n_rows)
        fill = np.minimum(1.0, capacity / np.maximum(ordered, 1e-12))
        self.volume = orders * fill[self.src]
        bought = np.bincount(self.dst, self.volume, n_rows)
        cost = np.bincount(self.dst, self.volume * unit_cost, n_rows)
        sold = np.bincount(self.src, self.volume, n_rows)
        return bought, cost, sold

    def set_taste(self, log_demand, on) -> None:
        """`taste` from each row's log niche demand u (model.niche_demand.order_taste) when `on`
        (`niche_demand_orders`), None (orders ∝ τ + offset) when off."""
        self.taste = niche_demand.order_taste(log_demand) if on else None

    def tie_orders(self, need, n_rows, offset: float):
        """Units asked of each tie: a buyer splits need[row] over its ties in proportion to τ + offset,
        times the supplier's `taste` (model.niche_demand.order_taste) when it is set."""
        weight = self.trust + offset
        if self.taste is not None:
            weight = weight * self.taste[self.src]
        return need[self.dst] * (weight / np.bincount(self.dst, weight, n_rows)[self.dst])

    def order_book(self, need, n_rows, offset: float):
        """Units ordered from each supplier row (shape (n_rows,)), the orders `trade` fills."""
        return np.bincount(self.src, self.tie_orders(need, n_rows, offset), n_rows) if len(self) else np.zeros(n_rows)

    def update_trust(self, growth: float, decay: float, lapse: float) -> None:
        """A quarter of trade: τ += growth · (1 − τ) on ties that traded, τ × (1 − decay) on idle
        ones (`idle_trust_decay`); ties below trust `lapse` (`tie_lapse_trust`) dissolve."""
        traded = self.volume > 1e-9
        self.trust = np.where(traded, self.trust + growth * (1 - self.trust), self.trust * (1 - decay))
        self.age += 1
        self.keep(self.trust >= lapse)

    # --- lookups for the search (model.sourcing) -------------------------------------------
    def adjacency(self, n_rows: int):
        """(by_src, out_ptr, by_dst, in_ptr): tie indices sorted by supplier and by buyer (ties of
        one row in the order they were made), and where each row's ties start in them (CSR).
        Sorted once, then kept up to date by `add` and `keep`; the pointers are recounted."""
        def pointers(ends):
            ptr = np.zeros(n_rows + 1, np.int64)
            np.cumsum(np.bincount(ends, minlength=n_rows), out=ptr[1:])
            return ptr

        if self._adjacency is None:
            self._adjacency = stable_argsort(self.src), None, stable_argsort(self.dst), None
        by_src, out_ptr, by_dst, in_ptr = self._adjacency
        if out_ptr is None or len(out_ptr) != n_rows + 1:
            self._adjacency = by_src, pointers(self.src), by_dst, pointers(self.dst)
        return self._adjacency

    def biadjacency(self, n_rows: int, side, nodes) -> sp.csr_array:
        """The ties as a 0/1 biadjacency in CSR form (int32): rows the rows r with `nodes[r]` and
        `side[r]`, columns those with `nodes[r]` and not `side[r]` (bool arrays over the n_rows
        rows), each numbered in row order; every tie must join the two sides (the caller checks).
        Read off the sorted orders of `adjacency` without a sort: a row lists the ties where it
        supplies, then those where it buys, each in the order they were made. No tie is repeated
        (model.sourcing adds only ties that `has` does not find), so no entry is."""
        by_src, _, by_dst, _ = self.adjacency(n_rows)
        side, nodes = np.asarray(side, bool)[:n_rows], np.asarray(nodes, bool)[:n_rows]
        row_id, col_id = np.cumsum(nodes & side) - 1, np.cumsum(nodes & ~side) - 1
        shape = (int(row_id[-1]) + 1, int(col_id[-1]) + 1) if n_rows else (0, 0)
        parts = []   # (row, column) of the ties whose supplier, then whose buyer, is on `side`
        for order, end, other in ((by_src, self.src, self.dst), (by_dst, self.dst, self.src)):
            ties = order[side[end[order]]]                 # sorted by the end on `side`
            parts.append((row_id[end[ties]], col_id[other[ties]]))
        counts = [np.bincount(rows, minlength=shape[0]) for rows, _ in parts]
        indptr = np.zeros(shape[0] + 1, np.int64)
        np.cumsum(counts[0] + counts[1], out=indptr[1:])
        indices = np.empty(int(indptr[-1]), np.int32)
        offset = indptr[:-1].copy()                         # where each row's next tie goes
        for (rows, cols), count in zip(parts, counts):
            rank = np.arange(len(rows)) - (np.cumsum(count) - count)[rows]   # place among the row's ties
            indices[offset[rows] + rank] = cols
            offset += count
        return sp.csr_array((np.ones(len(indices), np.int32), indices, indptr), shape=shape)

    def referrals(self, buyers, n_rows, rng) -> np.ndarray:
        """One referral candidate per buyer: b ← s → b' ← s' (−1 where the path is missing)."""
        if len(self) == 0:
            return np.full(len(buyers), -1)
        n = len(buyers)
        return self.referrals_at(buyers, n_rows, rng.random(n), rng.random(n), rng.random(n))

    def referrals_at(self, buyers, n_rows, u1, u2, u3) -> np.ndarray:
        """`referrals` with its three uniform numbers per buyer given (one per hop)."""
        if len(self) == 0:
            return np.full(len(buyers), -1)
        by_src, out_ptr, by_dst, in_ptr = self.adjacency(n_rows)

        def pick(ptr, order, ends, rows, u):
            lo, hi = ptr[rows], ptr[rows + 1]
            ok = hi > lo
            idx = lo + (u * np.maximum(hi - lo, 1)).astype(np.int64)
            return np.where(ok, ends[order[np.minimum(idx, len(order) - 1)]], -1)

        s = pick(in_ptr, by_dst, self.src, buyers, u1)
        b2 = np.where(s >= 0, pick(out_ptr, by_src, self.dst, np.maximum(s, 0), u2), -1)
        s2 = np.where(b2 >= 0, pick(in_ptr, by_dst, self.src, np.maximum(b2, 0), u3), -1)
        return s2


def tie_costs(net: SupplyNetwork, pop, infra, p: dict, prices, ties=None) -> np.ndarray:
    """Delivered cost per unit on every tie (or on the given tie indices): the ex-works price of
    the supplier's good (`prices`, one per stage 0 … n_stages − 1; zeros give freight alone)
    plus freight."""
    s, d = (net.src, net.dst) if ties is None else (net.src[ties], net.dst[ties])
    sx, sy, bx, by = pop.x[s], pop.y[s], pop.x[d], pop.y[d]   # gathered once: distance and infrastructure
    return delivered_cost(np.asarray(prices, float)[pop.stage[s]], sx, sy, bx, by,
                          at(infra, sx, sy), at(infra, bx, by), p["transport_cost"],
                          p["infrastructure_freight_saving"])
