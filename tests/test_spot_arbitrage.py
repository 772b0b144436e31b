"""Spot trade via the gateway and import parity (`spot_arbitrage`, model.intermediate_market.spot_sides).

A spot purchase pays the ex-works price plus the local leg from the gateway, p + t d (model.transport).
With every gap matched (`spot_arbitrage` = 0) a buyer far from the gateway buys spot
above its own import parity w (1 + m + θ(c)) — in Hunan (transport_cost 0.012) every spot buyer, on
average by half — although the intermediate market rests on the arbitrage that no buyer pays more than
importing. With 1 (the default) a buyer bids only where the spot market beats importing (2: a seller offers only
where its leg costs less than the long haul of exporting); a newcomer's arrival value
(agents.prospects.arrival_values) applies the same test at its site."""

import numpy as np
import pytest

from agents.population import KIND_FIRM
from agents.prospects import Group
from model import entry_decision, intermediate_market, transport
from model.fields import at
from scenarios import load_scenario


def test_spot_sides_by_hand():
    unsold, unmet = np.array([5.0, 5.0, 0.0, 0.0]), np.array([0.0, 0.0, 4.0, 4.0])
    leg = np.array([0.01, 0.10, 0.05, 0.30])
    parity, theta = np.full(4, 0.9), np.full(4, 0.08)
    price_out, price_in = np.full(4, 0.5), np.full(4, 0.7)
    offer, bid = intermediate_market.spot_sides(unsold, unmet, price_out, price_in, leg, parity, theta)
    # buyers: 0.7 + 0.05 ≤ 0.9 bids, 0.7 + 0.30 > 0.9 imports; sellers: 0.01 ≤ 0.04 offers, 0.10 > 0.04 exports
    np.testing.assert_array_equal(bid, [0.0, 0.0, 4.0, 0.0])
    np.testing.assert_array_equal(offer, [5.0, 0.0, 0.0, 0.0])
    offer, bid = intermediate_market.spot_sides(unsold, unmet, price_out, price_in, leg, parity, theta, sellers=False)
    np.testing.assert_array_equal(offer, unsold)
    np.testing.assert_array_equal(bid, [0.0, 0.0, 4.0, 0.0])


def spot_purchases(m):
    """(spot units bought, delivered spot cost per unit, own import parity) of the live buyers, from
    the trade this quarter's state makes at the prices last cleared (clear=False: no price moves)."""
    pop, p = m.population, m.params
    live = pop.live
    stage, firm = pop.stage[live].astype(np.int64), pop.kind[live] == KIND_FIRM
    infra = m.grid.infrastructure.data
    trade = pop.trade_inputs(live, pop.output[live], stage, firm, infra, clear=False)
    price_in = m.stage_price[np.maximum(stage - 1, 0)]
    spot = np.where(stage >= 1, (trade["local_cost"] - trade["tie_cost"]) / price_in, 0.0)
    x, y = pop.x[live], pop.y[live]
    leg = (transport.local_freight_rate(p["transport_cost"], at(infra, x, y), p["infrastructure_freight_saving"])
           * np.hypot(x - m.market[0], y - m.market[1]))
    return spot, price_in + leg, trade["parity"]


@pytest.mark.parametrize("arbitrage", [0, 1, 2])
def test_no_buyer_pays_above_its_import_parity_on_the_spot_market(arbitrage):
    m = load_scenario("hunan_scattered_towns").build(seed=0, spot_arbitrage=arbitrage)
    for _ in range(3):
        m.step()
    spot, delivered, parity = spot_purchases(m)
    buying = spot > 1e-9
    above = buying & (delivered > parity * (1 + 1e-12))
    if arbitrage == 0:   # the default matches every gap: Hunan's far buyers pay above parity
        assert above.sum() > 0.5 * buying.sum() > 0
    else:
        assert not above.any(), (delivered - parity)[above]


def test_a_newcomer_far_from_the_gateway_imports_rather_than_buy_spot_above_parity():
    m = load_scenario("hunan_scattered_towns").build(seed=0, spot_arbitrage=1)
    for _ in range(3):
        m.step()
    pop, p, S = m.population, m.params, m.params["n_stages"]
    mx, my = m.market
    sx, sy = np.array([mx, mx]), np.array([my, min(my + 40, m.shape[1] - 1)])
    infra = m.grid.infrastructure.data[sx, sy]
    saving = p["infrastructure_freight_saving"]
    theta = transport.long_haul_share(p["long_haul_freight"], infra, saving)
    parity = intermediate_market.import_parity(m.outside_price[S], p["import_markup"], theta)
    d = np.hypot(sx - mx, sy - my)
    leg = transport.local_freight_rate(p["transport_cost"], infra, saving) * d
    assert m.stage_price[S - 1] + leg[1] > parity[1]   # the far site: spot above its parity
    g = Group("investment_attraction", 1.0, np.full(2, S), np.full(2, 20.0), np.ones(2), np.full(2, 0.5),
              False, True, True)
    typical = pop.typical_unit_values()
    got = pop.arrival_values(g, typical, sx, sy, np.full(2, 50.0))
    c_bar, revenue = pop.final_unit_costs()
    market_leg = transport.local_freight_rate(p["market_transport_cost"], infra[1], saving) * d[1]
    all_imported = entry_decision.newcomer_unit_cost(m.stage_price[S - 1], parity[1], 0.0, p["specific_input_share"],
                                                     leg[1], market_leg, theta[1], revenue)
    assert got[1] == pytest.approx(entry_decision.arrival_unit_value(typical[S], c_bar, all_imported))


@pytest.mark.parametrize("arbitrage", [1, 2])
def test_accounts_close_with_spot_arbitrage(arbitrage):
    """What a seller does not offer is exported and what a buyer does not bid for is imported: every
    quarter the stock-flow identity holds and value added is the same from both sides."""
    from model import accounts

    m = load_scenario("hunan_scattered_towns").build(seed=1, spot_arbitrage=arbitrage)
    for _ in range(4):
        m.step()
        q = m.quarter
        assert accounts.relative_residual(q.stocks_before, m.stocks(), q.flows) < 1e-12
    f = q.flows
    services = f["freight"] + f["abatement"] + f["overhead"]
    assert q.production_accounts["value_added"] == pytest.approx(
        accounts.expenditure_value_added(f["final_sales"], f["intermediate_exports"], f["imports"], services), rel=1e-9)
