"""Supplier search: which buyers look for (better) suppliers this quarter, the candidates they
consider, and the ties they form or replace (on `model.supply_network.SupplyNetwork`).

A buyer (stage ≥ 1) searches with probability `supplier_search` a quarter, twice that while it
has no supplier. A buyer larger than its suppliers — a lead firm (`lead_size`), or a stage of
larger plants than the stage before (`stage_scale`) — keeps proportionally more ties:
slots = max_suppliers · round(factor), with up to min(factor, 16) candidate rounds.

Search (`search`). A searching buyer looks at candidates of the stage it buys from: nearby
suppliers first (drawn from spatial buckets around it, `SupplierIndex`), then referrals through
existing ties (a supplier of another buyer of my supplier), plus one from anywhere in the
cluster. It ranks them by perceived cost c · (1 − w·τ) — delivered cost lowered by trust — and
adds the best if it has a free slot and beats importing, or replaces its worst tie if the best
is cheaper by more than `switching_saving` (5%). A new tie starts at trust
τ_init + g · assoc · (1 − τ_init) (g = `association_trust_gain`). One search of a large buyer
draws as many rounds of candidates as it has plants' worth of suppliers (at most
`max_search_rounds`) and may add as many distinct acceptable ones as it has free slots — a
Jiangling needs hundreds of parts makers, a sock workshop three.
"""
from __future__ import annotations

import numpy as np

from agents.population import KIND_FIRM
from model import intermediate_market, transport
from model.fields import at
from model.supply_network import SupplyNetwork, stable_argsort, tie_costs
from model.transport import delivered_cost


def search_suppliers(net: SupplyNetwork, pop, infra: np.ndarray, p: dict, slot_factor: np.ndarray,
                     association: float, prices, outside, rng, shape, everyone: bool = False) -> None:
    """Run one quarter's supplier search over the live rows of `pop` (the column store), in place
    on `net`. `slot_factor`: (n_stages + 1,) plant size of a stage relative to the stage before;
    `association`: 0–1 strength of the funded industry association; `prices`, `outside`: ex-works
    and outside price of the good of each stage 0 … n_stages − 1 (import parity: model.transport); `everyone`: all buyers search
    (the initial business relationships)."""
    live = pop.live
    sup = live[pop.kind[live] != KIND_FIRM]
    width, height = shape
    index = SupplierIndex(sup, pop.stage[sup].astype(np.int64), pop.x[sup], pop.y[sup], width, height,
                          p["search_bucket"])
    buyers = live[pop.stage[live] >= 1]
    isolated = np.bincount(net.dst, minlength=pop.capacity)[buyers] == 0
    chance = np.where(isolated, min(1.0, p["isolated_search_factor"] * p["supplier_search"]), p["supplier_search"])
    searching = buyers if everyone else buyers[rng.random(len(buyers)) < chance]
    # buyers larger than their suppliers (lead firms, stages of large plants) keep more ties
    factor = slot_factor[pop.stage[searching]] * np.where(pop.is_lead[searching], p["lead_size"], 1.0)
    factor = np.maximum(1.0, np.round(factor))
    big = factor > 1
    search(net, index, searching[~big], pop, infra, p, association, prices, outside, rng, pop.capacity)
    if big.any():
        # each large buyer draws its own number of rounds (the rounds beyond it are not looked at)
        search(net, index, searching[big], pop, infra, p, association, prices, outside, rng, pop.capacity,
               slots=p["max_suppliers"] * factor[big],
               draws=np.minimum(factor[big], p["max_search_rounds"]).astype(np.int64))


class SupplierIndex:
    """Suppliers of each stage bucketed by location, for 'nearby first' candidate draws."""

    def __init__(self, rows, stage, x, y, width, height, bucket: int):
        self.bucket = bucket  # cells per side of a spatial search bucket (`search_bucket`)
        self.nbx = -(-width // bucket)
        self.nby = -(-height // bucket)
        self.n_keys = (stage.max() + 1 if len(stage) else 1) * self.nbx * self.nby
        key = self._key(stage, x // bucket, y // bucket)
        order = stable_argsort(key)
        self.rows = rows[order]
        self.ptr = np.searchsorted(key[order], np.arange(self.n_keys + 1))
        self.stage_ptr = np.searchsorted(stage[order], np.arange(self.n_keys // (self.nbx * self.nby) + 1))

    def _key(self, stage, bx, by):
        return (stage * self.nbx + bx) * self.nby + by

    def nearby(self, stage, x, y, rng) -> np.ndarray:
        """One candidate per query from a random bucket of the 3×3 block around (x, y); −1 if empty."""
        n = len(stage)
        return self.nearby_at(stage, x, y, rng.integers(-1, 2, n), rng.integers(-1, 2, n), rng.random(n))

    def nearby_at(self, stage, x, y, dx, dy, u) -> np.ndarray:
        """`nearby` with its random numbers given: bucket offsets dx, dy ∈ {−1, 0, 1}, uniform u."""
        bx = np.minimum(np.maximum(x // self.bucket + dx, 0), self.nbx - 1)
        by = np.minimum(np.maximum(y // self.bucket + dy, 0), self.nby - 1)
        valid = stage < self.n_keys // (self.nbx * self.nby)
        key = np.where(valid, self._key(stage, bx, by), 0)
        return self._pick(self.ptr[key], self.ptr[key + 1], u, valid)

    def anywhere(self, stage, rng) -> np.ndarray:
        """One candidate per query drawn from all suppliers of that stage; −1 if none."""
        return self.anywhere_at(stage, rng.random(len(stage)))

    def anywhere_at(self, stage, u) -> np.ndarray:
        """`anywhere` with its uniform numbers given."""
        n_stages = len(self.stage_ptr) - 1
        valid = stage < n_stages
        s = np.where(valid, stage, 0)
        return self._pick(self.stage_ptr[s], self.stage_ptr[s + 1], u, valid)

    def _pick(self, lo, hi, u, valid) -> np.ndarray:
        """The supplier at uniform position u within rows lo … hi − 1 of the index, per query;
        −1 where not `valid` or the range is empty."""
        if len(self.rows) == 0:
            return np.full(len(u), -1)
        idx = lo + (u * np.maximum(hi - lo, 1)).astype(np.int64)
        return np.where(valid & (hi > lo), self.rows[np.minimum(idx, len(self.rows) - 1)], -1)


def candidates(net: SupplyNetwork, index: SupplierIndex, buyers, want, x, y, n_near: int, n_ref: int,
               draws: int, rng, n_rows: int) -> np.ndarray:
    """Candidate suppliers, shape (len(buyers), draws · (n_near + n_ref + 1)): round by round,
    n_near nearby, n_ref referrals and one from anywhere.

    The random numbers are drawn round by round in exactly that order, as if each lookup drew
    its own; the lookups then run once over all rounds together. Same candidates, far fewer
    numpy calls (a lead firm's search may take 16 rounds)."""
    n = len(buyers)
    near, ref, anywhere = [], [], []
    n_uniform = 3 * n_ref if len(net) else 0   # an empty network draws nothing for referrals
    for _ in range(draws):
        # a candidate's two bucket offsets follow each other: one call draws both (bounded integers
        # take 32-bit words one after another from the bit generator, so one call of 2n gives the
        # same numbers as two of n; numpy's per-call overhead dominates at these sizes)
        near += [(*rng.integers(-1, 2, (2, n)), rng.random(n)) for _ in range(n_near)]
        # the referrals' and the anywhere draw's uniforms follow each other: one call draws them
        # all (the same numbers in the same order as one call of n each)
        u = rng.random((n_uniform + 1, n))
        ref += [(u[3 * j], u[3 * j + 1], u[3 * j + 2]) for j in range(n_uniform // 3)]
        anywhere.append(u[n_uniform])

    def batch(lookup, numbers, *per_buyer):
        k = len(numbers)
        if k == 0:
            return np.full((draws, 0, n), -1)
        found = lookup(*(np.tile(a, k) for a in per_buyer), *(np.concatenate(z) for z in zip(*numbers)))
        return found.reshape(draws, k // draws, n)

    rounds = [batch(index.nearby_at, near, want, x, y)]
    rounds.append(batch(lambda b, u1, u2, u3: net.referrals_at(b, n_rows, u1, u2, u3), ref, buyers)
                  if len(net) else np.full((draws, n_ref, n), -1))
    rounds.append(batch(index.anywhere_at, [(u,) for u in anywhere], want))
    return np.concatenate(rounds, axis=1).reshape(-1, n).T


def search(net: SupplyNetwork, index: SupplierIndex, buyers, pop, infra, p: dict,
           association: float, prices, outside, rng, n_rows: int, slots=None, draws=1) -> int:
    """Buyers look for suppliers; returns the number of ties formed. `slots`: ties each buyer
    may keep (default `max_suppliers`); `draws` (int, or (len(buyers),) ints ≥ 1) > 1: rounds of
    candidates, and up to that many new ties per buyer. Candidates are drawn for the largest
    number of rounds; a buyer looks only at the first `draws` of its own. `prices`: ex-works price of the good of each stage 0 … n_stages − 1;
    `outside`: its outside price w; a buyer compares candidates with its own import parity
    w (1 + import_markup) + θ(c) w, θ(c) the long-haul freight share at its cell (model.transport)."""
    if len(buyers) == 0:
        return 0
    x, y, stage = pop.x, pop.y, pop.stage
    want = stage[buyers] - 1
    n_ref = p["referral_candidates"] + int(round(association * p["referral_candidates"]))
    own = np.broadcast_to(np.asarray(draws, np.int64), len(buyers))   # each buyer's own rounds
    draws = int(own.max())
    cand = candidates(net, index, buyers, want, x[buyers], y[buyers], p["search_candidates"], n_ref, draws,
                      rng, n_rows)
    ok = cand >= 0
    ok &= np.arange(cand.shape[1])[None, :] // (cand.shape[1] // draws) < own[:, None]   # column → round
    c = np.where(ok, cand, 0)
    ok &= stage[c] == want[:, None]
    ok &= ~net.has(c, buyers[:, None], n_rows)   # each buyer's suppliers read once
    prices = np.asarray(prices, float)
    price = prices[want]
    bx, by = x[buyers], y[buyers]
    infra_b = at(infra, bx, by)   # the buyers' cell infrastructure: freight on candidates, then the long haul
    sx, sy = x[c], y[c]
    cost = delivered_cost(price[:, None], sx, sy, bx[:, None], by[:, None], at(infra, sx, sy), infra_b[:, None],
                          p["transport_cost"],
                          p["infrastructure_freight_saving"])
    trust0 = p["initial_trust"] + p["association_trust_gain"] * association * (1 - p["initial_trust"])
    perceived = np.where(ok, cost * (1 - p["trust_weight"] * trust0), np.inf)
    if draws > 1:  # candidates cheapest first (a candidate drawn twice sits next to itself)
        order = np.lexsort((c, perceived), axis=1)
        c, perceived = np.take_along_axis(c, order, 1), np.take_along_axis(perceived, order, 1)
    best = np.argmin(perceived, axis=1)
    best_cost = perceived[np.arange(len(buyers)), best]
    best_row = c[np.arange(len(buyers)), best]

    degree = np.diff(net.adjacency(n_rows)[3])[buyers]   # ties per buyer, from the CSR pointers `has` used
    theta = transport.long_haul_share(p["long_haul_freight"], infra_b, p["infrastructure_freight_saving"])
    import_price = intermediate_market.import_parity(np.asarray(outside, float)[want], p["import_markup"], theta)
    slots = p["max_suppliers"] if slots is None else slots
    add = (degree < slots) & (best_cost < import_price)

    # buyers with full slots replace their worst tie if the best candidate is clearly cheaper
    full = np.flatnonzero((degree >= slots) & np.isfinite(best_cost))
    replace, drop = _replacements(net, buyers[full], best_cost[full], pop, infra, p, prices, n_rows)
    add[full[replace]] = True
    new_src, new_dst = best_row[add], buyers[add]
    if draws > 1:  # a large buyer adds up to `draws` distinct acceptable candidates while slots are free
        r, k = _further_ties(c, perceived, import_price, np.minimum(own, slots - degree), add & (degree < slots))
        new_src, new_dst = np.concatenate([new_src, c[r, k]]), np.concatenate([new_dst, buyers[r]])
    if drop.any():
        net.keep(~drop)
    net.add(new_src, new_dst, trust0)
    return len(new_src)


def _replacements(net: SupplyNetwork, full, best_cost, pop, infra, p: dict, prices, n_rows: int):
    """(replace, drop): which of the buyers `full` (all slots taken) replace their worst tie —
    their best candidate's perceived cost `best_cost` is below it by more than `switching_saving`
    — as a mask over `full`, and the ties they drop as a mask over the ties."""
    replace, drop = np.zeros(len(full), bool), np.zeros(len(net), bool)
    if len(full) and len(net):
        worst, worst_cost = _worst_ties(net, full, pop, infra, p, prices, n_rows)
        has_tie = worst < len(net)
        replace = has_tie & (best_cost < (1 - p["switching_saving"]) * worst_cost)
        drop[worst[replace]] = True
    return replace, drop


def _further_ties(c, perceived, import_price, room, adding):
    """A large buyer's ties beyond its best candidate (a search of `draws` > 1 rounds): the next
    distinct acceptable candidates — perceived cost below its import parity — cheapest first, up
    to `room` ties in all, for the buyers where `adding`. `c`, `perceived`: (buyers, candidates)
    sorted cheapest first per buyer. Returns (buyer positions, candidate columns) into `c`."""
    distinct = np.ones(c.shape, bool)
    distinct[:, 1:] = c[:, 1:] != c[:, :-1]
    good = distinct & (perceived < import_price[:, None])
    rank = np.cumsum(good, axis=1)
    return np.nonzero(good & (rank >= 2) & (rank <= room[:, None]) & adding[:, None])


def _worst_ties(net: SupplyNetwork, buyers, pop, infra, p: dict, prices, n_rows: int):
    """(tie index, perceived cost) of each buyer's worst tie: the highest perceived cost, the
    earliest tie among equals; tie index len(net) for a buyer without ties."""
    owner, tie = net.ties_of_buyers(buyers, n_rows)
    perceived_tie = tie_costs(net, pop, infra, p, prices, tie) * (1 - p["trust_weight"] * net.trust[tie])
    worst_cost = np.full(len(buyers), -np.inf)
    np.maximum.at(worst_cost, owner, perceived_tie)
    worst = np.full(len(buyers), len(net))
    np.minimum.at(worst, owner, np.where(perceived_tie == worst_cost[owner], tie, len(net)))
    return worst, worst_cost
