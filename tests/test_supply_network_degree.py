"""The buyers' tie counts that `sourcing.search` reads from the CSR pointers of
`SupplyNetwork.adjacency` equal the direct count (a bincount of the ties' buyers), after ties
are added and dropped (the sorted orders are kept up to date, the pointers recounted)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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
