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


def test_candidates_equal_one_draw_and_one_lookup_per_candidate():
    """`candidates` draws a candidate's two bucket offsets in one call and looks all rounds up at
    once; the candidates and the generator's state after them are exactly those of one
    `integers` call per offset and one lookup per candidate, in the documented order."""
    from model.sourcing import SupplierIndex, candidates

    pop, size = _cluster(n_suppliers=300, seed=4)
    rng = np.random.default_rng(3)
    net = SupplyNetwork()
    net.add(rng.integers(2, pop.capacity, 40), rng.integers(0, 2, 40), 0.5)
    sup = np.arange(2, pop.capacity)
    index = SupplierIndex(sup, pop.stage[sup].astype(np.int64), pop.x[sup], pop.y[sup], size, size, 4)
    buyers = np.array([0, 1, 0, 1, 1])
    want, x, y = pop.stage[buyers] - 1, pop.x[buyers], pop.y[buyers]
    for n_near, n_ref, draws in ((4, 2, 1), (3, 1, 5), (1, 0, 3)):
        ours, theirs = np.random.default_rng(n_near * 10 + draws), np.random.default_rng(n_near * 10 + draws)
        got = candidates(net, index, buyers, want, x, y, n_near, n_ref, draws, ours, pop.capacity)
        n, columns = len(buyers), []
        for _ in range(draws):
            for _ in range(n_near):
                dx, dy, u = theirs.integers(-1, 2, n), theirs.integers(-1, 2, n), theirs.random(n)
                columns.append(index.nearby_at(want, x, y, dx, dy, u))
            referrals = [theirs.random((3, n)) for _ in range(n_ref)]
            columns += [net.referrals_at(buyers, pop.capacity, *u) for u in referrals]
            columns.append(index.anywhere_at(want, theirs.random(n)))
        assert np.array_equal(got, np.stack(columns, axis=1))
        assert ours.bit_generator.state == theirs.bit_generator.state
