"""A start in equilibrium: initial sizes, prices and unit values consistent with the rules.

After the initial enterprises are placed at their profit-maximising size at the outside prices
and the first supply ties are made, `equilibrate` runs `init_iterations` rounds of the quarter's
own adjustment rules with no entry, exit, learning or money (migration included) — output at the current sizes →
trade along the ties and on the spot market → clearing intermediate prices (outside demand set
by `model.intermediate_market.export_base` from the surplus each round) → realised unit values →
adaptive expectations → hiring and capital toward their targets (model.production) → fields.
The run then opens where these rules leave the enterprises, instead of in the shake-out that
unit values guessed from prices produce (issue 10: −30 to −38% employment by quarter 7–10).
"""

from __future__ import annotations

import numpy as np

from agents.conduct import planning_value
from agents.population import KIND_FIRM
from model import intermediate_market, market, production
from model.fields import at


def unit_values_now(ent, stage, firm, infra, clear: bool):
    """(Q, trade): output at the current sizes and the trade record; sets `ent.unit_value` to the
    realised net value per unit (sales less inputs and freight, per unit of output)."""
    m, p, f = ent.model, ent.model.params, ent.model.fields
    live = ent.live
    x, y = ent.x[live], ent.y[live]
    A = m.stage_tfp[stage] * ent.knowledge[live] * at(f["productivity"], x, y)
    Q = production.output(A, ent.workers[live], ent.capital[live], p["labour_share"], p["capital_share"])
    trade = ent.trade_inputs(live, Q, stage, firm, infra, clear=clear)
    inputs = trade["local_cost"] + trade["freight"] + trade["imported"] * trade["parity"]
    appeal = market.appeal(ent.knowledge[live], m.quality_standard * m.frontier, p["quality_sensitivity"])
    sales = np.where(firm, m.price * appeal * Q, trade["sales"])
    good_out = np.minimum(stage, p["n_stages"] - 1)
    sold_outside = np.where(firm, sales, np.maximum(Q - trade["sold"], 0.0) * m.stage_price[good_out])
    freight = market.market_freight(firm, x, y, m.market, at(infra, x, y), Q, sold_outside, p)
    ent.unit_value[live] = (sales - inputs - freight) / np.maximum(Q, 1e-12)
    return Q, trade


def equilibrate(ent) -> None:
    """Run the start's fixed point in place on the enterprises' columns (see the module docstring)."""
    m, p = ent.model, ent.model.params
    live = ent.live
    stage, firm = ent.stage[live].astype(np.int64), ent.kind[live] == KIND_FIRM
    S, infra = p["n_stages"], m.grid.infrastructure.data
    alpha, beta, user_cost = p["labour_share"], p["capital_share"], p["interest_rate"] + p["depreciation"]
    x, y = ent.x[live], ent.y[live]
    expected = ent.unit_value[live].copy()
    for i in range(p["init_iterations"] + 1):
        Q, trade = unit_values_now(ent, stage, firm, infra, clear=False)
        use0 = np.bincount(stage[stage >= 1] - 1, Q[stage >= 1], S)
        m.export_base = intermediate_market.export_base(trade["unsold"], use0, p["export_demand_share"])
        unit_values_now(ent, stage, firm, infra, clear=True)
        if i == p["init_iterations"]:
            break
        expected = production.expected_unit_value(expected, ent.unit_value[live], p["expectation_speed"])
        f = m.fields
        A = m.stage_tfp[stage] * ent.knowledge[live] * at(f["productivity"], x, y)
        c = at(f["wage"], x, y) + p["land_per_worker"] * at(f["rent"], x, y)
        L0, K = ent.workers[live], ent.capital[live]
        planned = planning_value(ent, live, expected, Q)   # Cournot conduct if market_power (agents.conduct)
        target = production.target_workers(planned, A, K, alpha, beta, c)
        L = production.hire(L0, target, p["adjustment"], p["max_hiring_growth"], p["plant_scale"])
        if p["work_to_order"]:   # suppliers plan to their clients' orders, as every quarter
            L, _ = ent._work_to_order(live, stage, A, K, L0, target, L, production.output(A, L, K, alpha, beta))
        K_target = production.target_capital(planned, production.output(A, L, K, alpha, beta), beta, user_cost)
        ent.workers[live] = L
        ent.capital[live] = np.maximum(K + p["adjustment"] * (K_target - K), p["min_capital"])
        m.update_fields()   # migrants answer the labour demand, as they do every quarter
    ent.unit_value[live] = ent.value_expectation[live] = expected
    m.network.volume[:] = 0.0
