"""A lead prospect values its plant at the net value per unit it would earn at its site on arrival
(`lead_arrival_value`, model.entry_decision.arrival_unit_value, agents/prospects.py): no supply ties
yet, so its standard inputs come from the spot market's fill and the rest at import parity at its
cell, and it pays the freight to market from its cell. Before, it took the median of the cluster's
final firms, whose value includes their ties and sites: in Hunan (poor roads, transport_cost 0.012)
the lead firms that came far from the gateway earned 10-27% less per unit than that median (seeds
1000-1009): it now takes that median less what it pays for inputs and freight beyond the final
firms' median."""

import numpy as np
import pytest

from agents.prospects import Group
from model import entry_decision, intermediate_market, transport
from scenarios import load_scenario


@pytest.mark.parametrize("unsold, unmet, need, expected", [
    (100.0, 20.0, 30.0, 0.5),            # surplus: the spot market fills φ of the gap
    (10.0, 20.0, 30.0, 0.5 * 10 / 50),   # shortage: φ U / (M + n)
    (0.0, 20.0, 30.0, 0.0),              # nothing unsold: all imported
    (10.0, 0.0, 0.0, 0.0),               # no need: 0, not nan
])
def test_spot_fill(unsold, unmet, need, expected):
    assert entry_decision.spot_fill(unsold, unmet, need, 0.5) == pytest.approx(expected)


def test_newcomer_unit_cost_by_hand():
    p_in, parity, g, spec, t_d, tm_d, theta, R = 0.5, 0.65, 0.4, 0.5, 0.1, 0.02, 0.07, 0.9
    local = (1 - spec) * g    # 0.2 of the input on the spot market, 0.8 imported
    by_hand = local * (p_in + t_d) + (1 - local) * parity + tm_d + theta * R
    got = entry_decision.newcomer_unit_cost(p_in, parity, g, spec, t_d, tm_d, theta, R)
    assert got == pytest.approx(by_hand)
    # a farther site (more freight on the spot leg and to market) costs more
    assert entry_decision.newcomer_unit_cost(p_in, parity, g, spec, 2 * t_d, 2 * tm_d, theta, R) > got
    # the value moves one for one with the cost beyond the incumbents'
    assert entry_decision.arrival_unit_value(0.3, 0.6, got) == pytest.approx(0.3 - (by_hand - 0.6))


@pytest.fixture(scope="module")
def model():
    m = load_scenario("hunan_scattered_towns").build(seed=0)
    for _ in range(4):
        m.step()
    return m


def lead_group(n: int) -> Group:
    return Group("investment_attraction", 1.0, np.full(n, 1), np.full(n, 20.0), np.full(n, 1.0), np.full(n, 0.5),
                 False, True, True)


def test_arrival_value_is_what_the_quarter_charges(model):
    """At the gateway (no local legs) the newcomer pays the local price on the spot fill and the
    cell's import parity on the rest, and the long haul on its sales, from the model's state; its
    value is the final firms' median less that beyond their median cost."""
    pop, p, S = model.population, model.params, model.params["n_stages"]
    mx, my = model.market
    sx, sy, out = np.array([mx]), np.array([my]), np.array([50.0])
    infra = model.grid.infrastructure.data[mx, my]
    theta = float(transport.long_haul_share(p["long_haul_freight"], infra, p["infrastructure_freight_saving"]))
    unsold, unmet = model.spot_gaps
    spec = p["specific_input_share"]
    g = p["spot_matching"] * min(unsold[S - 1], unmet[S - 1] + (1 - spec) * 50.0) / (unmet[S - 1] + (1 - spec) * 50.0)
    parity = float(intermediate_market.import_parity(model.outside_price[S], p["import_markup"], theta))
    local = (1 - spec) * g
    c_bar, revenue = pop.final_unit_costs()
    cost = local * model.stage_price[S - 1] + (1 - local) * parity + theta * revenue
    typical = pop.typical_unit_values()
    got = pop.arrival_values(lead_group(1), typical, sx, sy, out)
    np.testing.assert_allclose(got, [typical[S] - (cost - c_bar)])


def test_incumbents_unit_cost_is_their_inputs_and_freight(model):
    pop, S = model.population, model.params["n_stages"]
    rows = pop.live[(pop.stage[pop.live] == S) & (pop.output[pop.live] > 0)]
    c_bar, revenue = pop.final_unit_costs()
    assert np.median(pop.input_cost[rows] / pop.output[rows]) < c_bar < revenue   # freight on top of inputs


def test_far_sites_are_worth_less_on_arrival(model):
    """Hunan's poor roads: the same plant 30 cells from the gateway earns less per unit."""
    pop = model.population
    mx, my = model.market
    got = pop.arrival_values(lead_group(2), pop.typical_unit_values(), np.array([mx, mx]), np.array([my, my + 30]), np.full(2, 50.0))
    assert got[1] < got[0]


def test_lead_prospects_use_the_arrival_value_only_when_switched_on(model):
    pop, p = model.population, model.params
    g = lead_group(3)
    sx, sy = np.array([10, 40, 70]), np.array([10, 40, 70])
    typical = pop.typical_unit_values()
    on = pop.plant_profit(g, typical, sx, sy)
    p["lead_arrival_value"] = 0
    try:
        off = pop.plant_profit(g, typical, sx, sy)
    finally:
        p["lead_arrival_value"] = 1
    assert not np.allclose(on, off)
    out = pop.median_output() * model.stage_scale[g.stage] * g.size / p["plant_scale"]
    v = pop.arrival_values(g, typical, sx, sy, out)
    f = model.fields
    A = model.stage_tfp[g.stage] * g.knowledge * f["productivity"][sx, sy]   # one line: line factor 1
    unit_labour = f["wage"][sx, sy] + p["land_per_worker"] * f["rent_paid"][sx, sy]
    expected = entry_decision.operating_profit(v, A, unit_labour, p["interest_rate"] + p["depreciation"],
                                               p["labour_share"], p["capital_share"], p["fixed_cost"])
    np.testing.assert_allclose(on, expected)
