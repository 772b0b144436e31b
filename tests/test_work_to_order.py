"""Suppliers working to their clients' orders (parameter `work_to_order`, SupplyNetwork.order_book
and labour_for): the order book against the network's own allocation, the labour rule against the
technology, and the accounts of a run that uses it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import production
from model.model import ClusterModel
from model.supply_network import SupplyNetwork


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_order_book_is_what_the_network_sells_when_capacity_is_ample(seed):
    rng = np.random.default_rng(seed)
    n, m = 12, 30
    net = SupplyNetwork()
    net.add(rng.integers(0, 6, m), rng.integers(6, n, m), rng.uniform(0.05, 1.0, m))
    need = np.where(np.arange(n) >= 6, rng.uniform(0, 10, n), 0.0)
    _, _, sold = net.trade(need, np.full(n, 1e9), np.zeros(m), n, 0.1)
    book = net.order_book(need, n, 0.1)
    assert book == pytest.approx(sold, rel=1e-12, abs=1e-12)
    assert book.sum() == pytest.approx(need[np.unique(net.dst)].sum())


@settings(max_examples=50, deadline=None)
@given(st.floats(0.0, 1e4), st.floats(0.1, 10.0), st.floats(0.1, 1e3), st.floats(0.1, 0.8), st.floats(0.05, 0.15))
def test_labour_for_inverts_the_technology(Q, A, K, alpha, beta):
    L = production.labour_for(np.array([Q]), A, K, alpha, beta)
    assert production.output(A, L, K, alpha, beta)[0] == pytest.approx(Q, rel=1e-9, abs=1e-12)


def test_working_to_order_keeps_the_quarter_stock_flow_consistent_and_changes_the_plan():
    runs = []
    for mode in (0, 1):
        m = ClusterModel(seed=3, n_firms=30, n_suppliers=60, width=20, height=20, work_to_order=mode)
        for _ in range(4):
            m.step()
            assert abs(m.sfc_residual) < 1e-9 * max(1.0, sum(abs(v) for v in m.flows.values()))
        runs.append(m.population.workers[m.population.live].sum())
    assert runs[0] != runs[1]
