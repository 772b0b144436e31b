"""A large buyer's supplier search draws its own number of candidate rounds, min(factor,
`max_search_rounds`) (model.sourcing.search_suppliers), not the largest searching buyer's: a
stage of plants twice its suppliers' size may add at most two ties in one search even when a
lead firm searches in the same call."""

from types import SimpleNamespace

import numpy as np

from agents.population import KIND_FIRM, KIND_SUPPLIER
from model.params import defaults
from model.sourcing import search_suppliers
from model.supply_network import SupplyNetwork


def _cluster(n_suppliers=400, size=32, seed=1):
    """Two buyers of stage 1 (row 0 an ordinary plant, row 1 a lead firm) amid many stage-0
    suppliers, all cheaper than importing."""
    rng = np.random.default_rng(seed)
    n = 2 + n_suppliers
    stage = np.r_[1, 1, np.zeros(n_suppliers, int)].astype(np.int8)
    kind = np.r_[KIND_FIRM, KIND_FIRM, np.full(n_suppliers, KIND_SUPPLIER)].astype(np.int8)
    x = np.r_[size // 2, size // 2, rng.integers(0, size, n_suppliers)]
    y = np.r_[size // 2, size // 2, rng.integers(0, size, n_suppliers)]
    lead = np.r_[False, True, np.zeros(n_suppliers, bool)]
    return SimpleNamespace(live=np.arange(n), stage=stage, kind=kind, x=x, y=y, is_lead=lead, capacity=n), size


def test_each_large_buyer_searches_its_own_number_of_rounds():
    p = defaults() | dict(n_stages=1, lead_size=8.0, max_suppliers=3, max_search_rounds=16)
    pop, size = _cluster()
    slot_factor = np.array([1.0, 2.0])      # stage 1 plants are twice the size of stage 0's
    net = SupplyNetwork()
    search_suppliers(net, pop, np.ones((size, size)), p, slot_factor, 0.0, np.array([1.0]), np.array([10.0]),
                     np.random.default_rng(0), (size, size), everyone=True)
    ties = np.bincount(net.dst, minlength=2)
    # the ordinary plant: factor 2 → 2 rounds → at most 2 new ties (6 slots); the lead: factor 16 → 16
    assert ties[0] <= 2
    assert ties[1] == 16
