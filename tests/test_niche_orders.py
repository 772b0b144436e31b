"""A supplier's niche demand in its clients' orders (option `niche_demand_orders`, model.niche_demand.order_taste,
SupplyNetwork.tie_orders) and the elasticity of size to the niche shifter it is for
(experiments.niche_elasticity; docs/economics.md)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import ClusterModel, niche_demand
from model.supply_network import SupplyNetwork


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_a_buyer_splits_its_orders_in_proportion_to_trust_plus_offset_times_the_suppliers_taste(seed):
    """Independent computation: orders_ij = need_j (τ_ij + o) e^(u_i) / Σ_k (τ_kj + o) e^(u_k); each
    buyer's orders still sum to its need; with u = 0 the taste changes nothing, bit for bit."""
    rng = np.random.default_rng(seed)
    n, m, offset = 10, 25, 0.1
    net = SupplyNetwork()
    net.add(rng.integers(0, 5, m), rng.integers(5, n, m), rng.uniform(0.05, 1.0, m))
    need = np.where(np.arange(n) >= 5, rng.uniform(0.0, 10.0, n), 0.0)
    plain = net.tie_orders(need, n, offset)
    u = rng.normal(0.0, 0.5, n)
    net.set_taste(u, 1)
    w = (net.trust + offset) * np.exp(u[net.src])
    expected = need[net.dst] * w / np.bincount(net.dst, w, n)[net.dst]
    assert net.tie_orders(need, n, offset) == pytest.approx(expected, rel=1e-12)
    assert np.bincount(net.dst, net.tie_orders(need, n, offset), n) == pytest.approx(
        np.bincount(net.dst, plain, n), rel=1e-12)
    net.set_taste(np.zeros(n), 1)
    assert np.array_equal(net.tie_orders(need, n, offset), plain)
    net.set_taste(u, 0)
    assert net.taste is None and np.array_equal(net.tie_orders(need, n, offset), plain)


def test_order_taste_is_the_level_of_the_shifter():
    u = np.array([-1.0, 0.0, 0.7])
    assert np.array_equal(niche_demand.order_taste(u), np.exp(u))


def test_the_option_without_niche_shifts_is_the_default_bit_for_bit():
    """u = 0 everywhere (niche_demand_sd = 0): the taste is 1 and the run is the one without the option."""
    off = ClusterModel(seed=0, niche_demand_sd=0.0, niche_demand_orders=0).run(4).results()
    on = ClusterModel(seed=0, niche_demand_sd=0.0, niche_demand_orders=1).run(4).results()
    pd.testing.assert_frame_equal(on, off)


#: the defaults before 1 Dec 2026, under which the diagnosis below was made (no niche shocks or
#: clients' orders, every incumbent opening with one line, founders at initial_workers)
BEFORE = {"niche_demand_orders": 0, "niche_demand_sd": 0.0, "start_age_hazard": 0.0, "founding_at_optimum": 0}


def _elasticities(**overrides) -> list[dict]:
    from experiments.niche_elasticity import size_elasticity

    return [size_elasticity(s, horizons=(40,), line_birth=0.0, **(BEFORE | overrides))[40] for s in (0, 1, 2)]


@pytest.mark.slow
def test_the_niche_shifter_reaches_size_damped_because_value_per_unit_falls_with_own_size():
    """The diagnosis (docs/economics.md; under the defaults before 1 Dec 2026, `BEFORE`): a permanent Δu = ±0.3 at quarter 40 of the large baseline
    (lines held fixed, line_birth 0, so only the shifter moves size; paired seeds 0–2): 40 quarters on,
    the elasticity of workers is well below the optimum's 1, and the net value per unit the firms plan
    at falls with their own shift on every seed (a supplier's extra output is sold outside the cluster,
    paying freight; a buyer's extra inputs come from beyond its ties); without freight
    (long_haul_freight = transport_cost = 0) the value per unit does not fall and the elasticity is
    higher on every seed; with the clients' orders following the niche (`niche_demand_orders`) it is
    higher on every seed too."""
    default = _elasticities()
    free = _elasticities(long_haul_freight=0.0, transport_cost=0.0)
    orders = _elasticities(niche_demand_orders=1)
    assert all(r["workers"] < 0.7 and r["unit_value"] < -0.03 for r in default), default
    assert all(abs(r["unit_value"]) < 0.03 for r in free), free
    assert all(f["workers"] > d["workers"] for f, d in zip(free, default)), (free, default)
    assert all(o["workers"] > d["workers"] for o, d in zip(orders, default)), (orders, default)
