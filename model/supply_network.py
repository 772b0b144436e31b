"""The supply network: ties from suppliers to buyers, trade along them, search and trust.

Ties are stored as arrays (supplier row, buyer row, trust τ, volume, age) so that trade and
search run vectorised; `to_networkx` gives the `networkx.DiGraph` view (nodes = unique_ids).

Trade (each quarter). A buyer of stage s needs one unit of the stage s−1 good per unit of output. It orders
from its suppliers in proportion to trust (τ + 0.1); a supplier with more orders than output
fills them pro rata. What local suppliers cannot deliver is imported at p_{s−1} (1 + markup).
Delivered cost of a tie: p_{s−1} + t · d · (1 − ½ infra), d the distance in cells.

Trust. Each quarter of trade raises trust, τ += g (1 + assoc) (1 − τ); a quarter without
trade lowers it by 10%; ties below τ = 0.05 lapse. Exit of either partner cuts the tie.

Search. With probability `supplier_search` a buyer looks at candidates of the stage it buys
from: nearby suppliers first (drawn from spatial buckets around it), then referrals through
existing ties (a supplier of another buyer of my supplier), plus one from anywhere in the
cluster. It ranks them by perceived cost c · (1 − w·τ) — delivered cost lowered by trust — and
adds the best if it has a free slot and beats importing, or replaces its worst tie if the best
is cheaper by more than 5%.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from model.market import input_price

BUCKET = 8  # cells per side of a spatial search bucket


class SupplyNetwork:
    def __init__(self):
        self.src = np.empty(0, np.int64)
        self.dst = np.empty(0, np.int64)
        self.trust = np.empty(0)
        self.volume = np.empty(0)
        self.age = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self.src)

    # --- structure ------------------------------------------------------------------------
    def add(self, src, dst, trust) -> None:
        self.src = np.concatenate([self.src, src])
        self.dst = np.concatenate([self.dst, dst])
        self.trust = np.concatenate([self.trust, np.broadcast_to(trust, len(src))])
        self.volume = np.concatenate([self.volume, np.zeros(len(src))])
        self.age = np.concatenate([self.age, np.zeros(len(src), np.int64)])

    def keep(self, mask) -> None:
        for name in ("src", "dst", "trust", "volume", "age"):
            setattr(self, name, getattr(self, name)[mask])

    def drop_rows(self, rows) -> None:
        """Cut every tie of the given enterprise rows (exit)."""
        rows = np.asarray(rows)
        self.keep(~(np.isin(self.src, rows) | np.isin(self.dst, rows)))

    def buyers_of(self, row: int, population) -> list[int]:
        return population.uid[self.dst[self.src == row]].tolist()

    def to_networkx(self, population) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(population.uid[population.live].tolist())
        uid = population.uid
        g.add_edges_from(
            (int(s), int(d), {"volume": float(v), "trust": float(t)})
            for s, d, v, t in zip(uid[self.src], uid[self.dst], self.volume, self.trust)
        )
        return g

    # --- trade ----------------------------------------------------------------------------
    def trade(self, need, capacity, unit_cost, n_rows):
        """Allocate input orders along ties.

        need[row]: units each buyer needs; capacity[row]: units each supplier produced;
        unit_cost: delivered cost per unit on each tie. Returns (local units bought per row,
        cost of local units per row, units sold per row); sets `volume`.
        """
        if len(self) == 0:
            zero = np.zeros(n_rows)
            return zero, zero.copy(), zero.copy()
        weight = self.trust + 0.1
        share = weight / np.bincount(self.dst, weight, n_rows)[self.dst]
        orders = need[self.dst] * share
        ordered = np.bincount(self.src, orders, n_rows)
        fill = np.minimum(1.0, capacity / np.maximum(ordered, 1e-12))
        self.volume = orders * fill[self.src]
        bought = np.bincount(self.dst, self.volume, n_rows)
        cost = np.bincount(self.dst, self.volume * unit_cost, n_rows)
        sold = np.bincount(self.src, self.volume, n_rows)
        return bought, cost, sold

    def update_trust(self, growth: float) -> None:
        traded = self.volume > 1e-9
        self.trust = np.where(traded, self.trust + growth * (1 - self.trust), self.trust * 0.9)
        self.age += 1
        self.keep(self.trust >= 0.05)

    # --- search ---------------------------------------------------------------------------
    def referrals(self, buyers, n_rows, rng) -> np.ndarray:
        """One referral candidate per buyer: b ← s → b' ← s' (−1 where the path is missing)."""
        out = np.full(len(buyers), -1)
        if len(self) == 0:
            return out
        by_src = np.argsort(self.src, kind="stable")
        by_dst = np.argsort(self.dst, kind="stable")
        out_ptr = np.searchsorted(self.src[by_src], np.arange(n_rows + 1))
        in_ptr = np.searchsorted(self.dst[by_dst], np.arange(n_rows + 1))

        def pick(ptr, order, ends, rows):
            lo, hi = ptr[rows], ptr[rows + 1]
            ok = hi > lo
            idx = lo + (rng.random(len(rows)) * np.maximum(hi - lo, 1)).astype(np.int64)
            return np.where(ok, ends[order[np.minimum(idx, len(order) - 1)]], -1)

        s = pick(in_ptr, by_dst, self.src, buyers)
        b2 = np.where(s >= 0, pick(out_ptr, by_src, self.dst, np.maximum(s, 0)), -1)
        s2 = np.where(b2 >= 0, pick(in_ptr, by_dst, self.src, np.maximum(b2, 0)), -1)
        return s2


class SupplierIndex:
    """Suppliers of each stage bucketed by location, for 'nearby first' candidate draws."""

    def __init__(self, rows, stage, x, y, width, height):
        self.nbx = -(-width // BUCKET)
        self.nby = -(-height // BUCKET)
        self.n_keys = (stage.max() + 1 if len(stage) else 1) * self.nbx * self.nby
        key = self._key(stage, x // BUCKET, y // BUCKET)
        order = np.argsort(key, kind="stable")
        self.rows = rows[order]
        self.ptr = np.searchsorted(key[order], np.arange(self.n_keys + 1))
        self.stage_ptr = np.searchsorted(stage[order], np.arange(self.n_keys // (self.nbx * self.nby) + 1))

    def _key(self, stage, bx, by):
        return (stage * self.nbx + bx) * self.nby + by

    def nearby(self, stage, x, y, rng) -> np.ndarray:
        """One candidate per query from a random bucket of the 3×3 block around (x, y); −1 if empty."""
        n = len(stage)
        bx = np.clip(x // BUCKET + rng.integers(-1, 2, n), 0, self.nbx - 1)
        by = np.clip(y // BUCKET + rng.integers(-1, 2, n), 0, self.nby - 1)
        valid = stage < self.n_keys // (self.nbx * self.nby)
        key = np.where(valid, self._key(stage, bx, by), 0)
        lo, hi = self.ptr[key], self.ptr[key + 1]
        idx = lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
        ok = valid & (hi > lo)
        return np.where(ok, self.rows[np.minimum(idx, max(len(self.rows) - 1, 0))], -1) if len(self.rows) else np.full(n, -1)

    def anywhere(self, stage, rng) -> np.ndarray:
        """One candidate per query drawn from all suppliers of that stage; −1 if none."""
        n = len(stage)
        n_stages = len(self.stage_ptr) - 1
        valid = stage < n_stages
        s = np.where(valid, stage, 0)
        lo, hi = self.stage_ptr[s], self.stage_ptr[s + 1]
        idx = lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
        ok = valid & (hi > lo)
        return np.where(ok, self.rows[np.minimum(idx, max(len(self.rows) - 1, 0))], -1) if len(self.rows) else np.full(n, -1)


def delivered_cost(price, sx, sy, bx, by, infra_s, infra_b, transport_cost) -> np.ndarray:
    """p + t · d · (1 − ½·mean infrastructure): ex-works price plus freight."""
    d = np.hypot(sx - bx, sy - by)
    return price + transport_cost * d * (1 - 0.25 * (infra_s + infra_b))


def search(net: SupplyNetwork, index: SupplierIndex, buyers, pop, infra, p: dict,
           association: float, final_price: float, rng, n_rows: int) -> int:
    """Buyers look for suppliers; returns the number of ties formed."""
    if len(buyers) == 0:
        return 0
    x, y, stage = pop.x, pop.y, pop.stage
    want = stage[buyers] - 1
    n_ref = p["referral_candidates"] + int(round(association * p["referral_candidates"]))
    cols = [index.nearby(want, x[buyers], y[buyers], rng) for _ in range(p["search_candidates"])]
    cols += [net.referrals(buyers, n_rows, rng) for _ in range(n_ref)]
    cols.append(index.anywhere(want, rng))
    cand = np.stack(cols, axis=1)
    bmat = np.broadcast_to(buyers[:, None], cand.shape)
    ok = cand >= 0
    c = np.where(ok, cand, 0)
    ok &= stage[c] == want[:, None]
    existing = net.src * n_rows + net.dst
    ok &= ~np.isin(c * n_rows + bmat, existing)
    price = input_price(want, p["n_stages"], final_price)
    cost = delivered_cost(price[:, None], x[c], y[c], x[bmat], y[bmat], infra[x[c], y[c]],
                          infra[x[bmat], y[bmat]], p["transport_cost"])
    trust0 = p["initial_trust"] + 0.5 * association * (1 - p["initial_trust"])
    perceived = np.where(ok, cost * (1 - p["trust_weight"] * trust0), np.inf)
    best = np.argmin(perceived, axis=1)
    best_cost = perceived[np.arange(len(buyers)), best]
    best_row = c[np.arange(len(buyers)), best]

    degree = np.bincount(net.dst, minlength=n_rows)[buyers]
    import_price = price * (1 + p["import_markup"])
    add = (degree < p["max_suppliers"]) & (best_cost < import_price)

    # buyers with full slots replace their worst tie if the best candidate is clearly cheaper
    full = (degree >= p["max_suppliers"]) & np.isfinite(best_cost)
    drop = np.zeros(len(net), bool)
    if full.any() and len(net):
        tie_cost = tie_costs(net, pop, infra, p, final_price)
        tie_perceived = tie_cost * (1 - p["trust_weight"] * net.trust)
        order = np.lexsort((-tie_perceived, net.dst))           # by buyer, worst first
        first = np.ones(len(order), bool)
        first[1:] = net.dst[order][1:] != net.dst[order][:-1]
        worst_edge = np.full(n_rows, -1)
        worst_edge[net.dst[order][first]] = order[first]
        we = worst_edge[buyers]
        replace = full & (we >= 0) & (best_cost < 0.95 * np.where(we >= 0, tie_perceived[np.maximum(we, 0)], np.inf))
        drop[we[replace]] = True
        add |= replace
    if drop.any():
        net.keep(~drop)
    net.add(best_row[add], buyers[add], trust0)
    return int(add.sum())


def tie_costs(net: SupplyNetwork, pop, infra, p: dict, final_price: float) -> np.ndarray:
    """Delivered cost per unit on every tie."""
    x, y = pop.x, pop.y
    s, d = net.src, net.dst
    return delivered_cost(input_price(pop.stage[s], p["n_stages"], final_price), x[s], y[s], x[d], y[d],
                          infra[x[s], y[s]], infra[x[d], y[d]], p["transport_cost"])
