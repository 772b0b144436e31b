"""Supplier search: which buyers look for (better) suppliers this quarter, and how many ties they keep.

A buyer (stage ≥ 1) searches with probability `supplier_search` a quarter, twice that while it
has no supplier. A buyer larger than its suppliers — a lead firm (`lead_size`), or a stage of
larger plants than the stage before (`stage_scale`) — keeps proportionally more ties:
slots = max_suppliers · round(factor), with up to min(factor, 16) candidate rounds. The search
itself (candidates, delivered cost, trust, replacement) is `model.supply_network.search`.
"""

from __future__ import annotations

import numpy as np

from agents.population import KIND_FIRM
from model.supply_network import SupplierIndex, SupplyNetwork, search


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
        search(net, index, searching[big], pop, infra, p, association, prices, outside, rng, pop.capacity,
               slots=p["max_suppliers"] * factor[big], draws=int(min(factor.max(), p["max_search_rounds"])),
               )
