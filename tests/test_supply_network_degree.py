"""The buyers' tie counts that `sourcing.search` reads from the CSR pointers of
`SupplyNetwork.adjacency` equal the direct count (a bincount of the ties' buyers), after ties
are added and dropped (the sorted orders are kept up to date, the pointers recounted)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model import supply_network
from model.supply_network import SupplyNetwork


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.integers(0, 200))
def test_degree_from_the_adjacency_pointers_equals_the_bincount_of_buyers(seed, n_rows, n_ties):
    rng = np.random.default_rng(seed)
    net = SupplyNetwork()
    for _ in range(3):
        net.add(rng.integers(0, n_rows, n_ties), rng.integers(0, n_rows, n_ties), 0.5)
        net.adjacency(n_rows)  # cached orders, then kept up to date by add and keep
        net.keep(rng.random(len(net)) < 0.7)
        buyers = rng.integers(0, n_rows, 25)
        expected = np.bincount(net.dst, minlength=n_rows)[buyers]
        got = np.diff(net.adjacency(n_rows)[3])[buyers]
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(0, 300))
def test_has_equals_membership_in_the_set_of_ties(seed, n_rows, n_ties):
    """`SupplyNetwork.has` (the buyers' suppliers compared slot by slot, or all slots at once) answers as a set of
    (src, dst) pairs would — for (m, k) candidates against (m, 1) buyers (each buyer's suppliers
    read once), for the same buyers broadcast to (m, k) and for 1-D queries — after adds and drops."""
    rng = np.random.default_rng(seed)
    net = SupplyNetwork()
    dst_weight = rng.random(n_rows) ** 4   # a few buyers with many ties, as lead firms
    for _ in range(2):
        net.add(rng.integers(0, n_rows, n_ties), rng.choice(n_rows, n_ties, p=dst_weight / dst_weight.sum()), 0.5)
        net.adjacency(n_rows)
        net.keep(rng.random(len(net)) < 0.8)
    ties = set(zip(net.src.tolist(), net.dst.tolist()))
    src = rng.integers(0, n_rows, (7, 5))
    dst = rng.integers(0, n_rows, (7, 1))
    at_once = supply_network._HAS_AT_ONCE
    try:
        for supply_network._HAS_AT_ONCE in (at_once, 0):   # all slots at once, and slot by slot
            got = net.has(src, dst, n_rows)
            assert got.shape == (7, 5)
            assert got.tolist() == [[(int(s), int(d[0])) in ties for s in row] for row, d in zip(src, dst)]
            np.testing.assert_array_equal(net.has(src, np.broadcast_to(dst, src.shape), n_rows), got)
            np.testing.assert_array_equal(net.has(src.ravel(), np.repeat(dst[:, 0], 5), n_rows), got.ravel())
            assert net.has(net.src, net.dst, n_rows).all()
    finally:
        supply_network._HAS_AT_ONCE = at_once
