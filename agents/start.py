"""A start in equilibrium: initial sizes, prices and unit values consistent with the rules.

After the initial enterprises are placed at their profit-maximising size at the outside prices
and the first supply ties are made, `equilibrate` runs `init_iterations` rounds of the quarter's
own adjustment rules with no entry, exit, learning or money (migration included) — output at the current sizes →
trade along the ties and on the spot market → clearing intermediate prices (outside demand set
by `model.intermediate_market.export_base` from the surplus each round) → realised unit values →
adaptive expectations → hiring and capital toward their targets (model.production) → fields.
The run then opens where these rules leave the enterprises, instead of in the shake-out that
unit values guessed from prices produce (issue 10: −30 to −38% employment by quarter 7–10).
With `owner_exit` the rounds also apply the owners' exit, which needs no money (`owners_closing`):
the run opens with the plants a stationary industry under that rule holds, not with a fringe of
crew-size plants that all close together when their loss streaks reach `exit_patience`.
"""

from __future__ import annotations

import numpy as np

from agents.conduct import planning_value
from agents.population import KIND_FIRM
from model import (
    demography,
    firm_ages,
    innovation,
    intermediate_market,
    market,
    niche_demand,
    niche_growth,
    product_lines,
    production,
    transport,
)
from model.fields import at


def line_tfp(ent, live) -> np.ndarray:
    """(n,) the TFP multiplier of each enterprise's product lines and niche demand, n^(1−α−β) e^((1−α−β) u)
    (model.niche_demand.scale, as every quarter's Enterprises._plan_output reads it; exactly 1 with one
    line and u = 0): the aged start's niche histories set u before the start's rounds, which without
    e^u pulled the sizes back toward ∝ n (elasticity of L/n to u 0.00–0.25 at q0 against ≈ 0.5 by q12)."""
    p = ent.model.params
    return product_lines.line_factor(ent.lines[live], p["labour_share"], p["capital_share"]) \
        * niche_demand.scale(ent.niche_demand[live], p["labour_share"], p["capital_share"])


def start_tfp(ent, live, stage, x, y, fields=None) -> np.ndarray:
    """(n,) TFP over the rows `live` at the start: the stage's TFP × knowledge × the local
    agglomeration gain of `fields` (default: the model's current fields; model.production.productivity
    with no training yet) × the lines' factor."""
    m, p = ent.model, ent.model.params
    gain = at((m.fields if fields is None else fields)["productivity"], x, y)
    return production.productivity(m.stage_tfp[stage], ent.knowledge[live], gain, p["skill_premium"], 0.0) \
        * line_tfp(ent, live)


def realise(ent, stage, firm, infra):
    """(Q, trade): one round of the start's markets at the current sizes — output and trade without
    clearing, the outside demand for each intermediate good set from that round's surplus
    (model.intermediate_market.export_base), then the markets cleared and the unit values realised
    (`unit_values_now`). Returns the first pass's output and trade record."""
    m, p = ent.model, ent.model.params
    Q, trade = unit_values_now(ent, stage, firm, infra, clear=False)
    use0 = np.bincount(stage[stage >= 1] - 1, Q[stage >= 1], p["n_stages"])
    m.export_base = intermediate_market.export_base(trade["unsold"], use0, p["export_demand_share"])
    unit_values_now(ent, stage, firm, infra, clear=True)
    return Q, trade


def unit_values_now(ent, stage, firm, infra, clear: bool):
    """(Q, trade): output at the current sizes and the trade record; sets `ent.unit_value` to the
    realised net value per unit (sales less inputs and freight, per unit of output)."""
    m, p = ent.model, ent.model.params
    live = ent.live
    x, y = ent.x[live], ent.y[live]
    A = start_tfp(ent, live, stage, x, y)
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


def equilibrate(ent) -> float | None:
    """Run the start's fixed point in place on the enterprises' columns (see the module docstring).
    Returns the final market's demand anchor D_0 with `start_market_clears` (None without)."""
    m, p = ent.model, ent.model.params
    live = ent.live
    stage, firm = ent.stage[live].astype(np.int64), ent.kind[live] == KIND_FIRM
    infra = m.grid.infrastructure.data
    alpha, beta, user_cost = p["labour_share"], p["capital_share"], p["interest_rate"] + p["depreciation"]
    x, y = ent.x[live], ent.y[live]
    expected = ent.unit_value[live].copy()
    owners, streak = p["owner_exit"] and not p["going_concern_exit"], np.zeros(len(live), np.int64)
    clears, demand = p["start_market_clears"], None
    rounds = p["init_iterations"] * (2 if clears else 1)
    if clears:   # the first pass at the initial price P_0 = P_ref · demand_level^(1/ε)
        m.price = market.clearing_price(p["demand_level"], 1.0, p["demand_elasticity"], p["price_ceiling"])
    for i in range(rounds + 1):
        if clears and i >= p["init_iterations"]:   # second pass: the final market clears against D_0
            demand = p["demand_level"] * m._initial_quality_output() if demand is None else demand
            m.price = market.clearing_price(demand, m._initial_quality_output(), p["demand_elasticity"],
                                            p["price_ceiling"])
        Q, trade = realise(ent, stage, firm, infra)
        if i == rounds:
            break
        realised = ent.unit_value[live]
        expected = production.expected_unit_value(expected, realised, p["expectation_speed"])
        if owners:   # owners close the plants they would not keep (`owners_closing`), ties cut
            streak, keep = owners_closing(ent, live, streak, realised, expected, Q)
            live, stage, firm, x, y, expected, streak, Q = (
                a[keep] for a in (live, stage, firm, x, y, expected, streak, Q))
        f = m.fields
        A = start_tfp(ent, live, stage, x, y)
        c = at(f["wage"], x, y) + p["land_per_worker"] * at(f["rent"], x, y)
        L0, K = ent.workers[live], ent.capital[live]
        planned = planning_value(ent, live, expected, Q)   # Cournot conduct if market_power (agents.conduct)
        target = production.target_workers(planned, A, K, alpha, beta, c)
        L = production.hire(L0, target, p["adjustment"], p["max_hiring_growth"], ent.crew(stage))
        if p["work_to_order"]:   # suppliers plan to their clients' orders, as every quarter
            L, _ = ent._work_to_order(live, stage, A, K, L0, target, L, production.output(A, L, K, alpha, beta))
        K_target = production.target_capital(planned, production.output(A, L, K, alpha, beta), beta, user_cost)
        ent.workers[live] = L
        ent.capital[live] = np.maximum(K + p["adjustment"] * (K_target - K), p["min_capital"])
        m.update_fields()   # migrants answer the labour demand, as they do every quarter
    if p["subcontracted_start"] and p["work_to_order"]:   # the chain's fixed point under subcontracting
        demand, expected = subcontracted_start(ent, live, stage, firm, infra)
    ent.unit_value[live] = ent.value_expectation[live] = expected
    if owners:   # the run opens with the loss streaks the start's rounds left
        ent.loss_streak[live] = streak
    m.network.volume[:] = 0.0
    return demand


def start_profit(ent, live, unit_value) -> np.ndarray:
    """(n,) operating profit before interest a quarter of the start's rounds (units; over the rows
    `live`): π = (1 − ρ) u Q − (w + a ρ_land) L − δ K − F z, with u = `unit_value` the net value
    per unit, Q = A L^α K^β, ρ the R&D share of value added (`rd_share`), F z the fixed overhead of the
    stage's plant (`fixed_cost` × stage scale) — the quarter's profit (agents.enterprises, through the
    same model.production.profit_before_tax and model.innovation.rd_base) without
    tax, interest, abatement or tie investment, which are nil or second-order at the start."""
    m, p, f = ent.model, ent.model.params, ent.model.fields
    x, y, stage = ent.x[live], ent.y[live], ent.stage[live].astype(np.int64)
    A = start_tfp(ent, live, stage, x, y)
    L, K = ent.workers[live], ent.capital[live]
    Q = production.output(A, L, K, p["labour_share"], p["capital_share"])
    value_added = unit_value * Q   # sales less inputs and freight
    rd = (innovation.rd_intensity(ent.is_lead[live], p["rd_share"], p["lead_rd_share"], 0.0)
          * innovation.rd_base(value_added, 0.0, 0.0))
    return production.profit_before_tax(
        value_added, at(f["wage"], x, y) * L, p["land_per_worker"] * at(f["rent"], x, y) * L, 0.0, 0.0, rd,
        p["depreciation"] * K, 0.0, 0.0, p["fixed_cost"] * m.stage_scale[stage])


def owners_closing(ent, live, streak, realised, expected, Q):
    """(streak, keep) after one of the start's rounds under `owner_exit` (arrays over `live`): the
    loss streak counts the rounds in a row with a loss at the realised net value per unit
    (`start_profit`), and the owners of SMEs that meet model.demography.owner_closing (at the crew,
    `exit_patience` losses in a row, expected profit below r φ K) close them — they leave, ties cut —
    as they would in the quarter: the owners' rule needs no money, so the start's rounds apply it and
    open the run with the population a stationary industry under the rule holds (incumbents above
    the exit threshold: Hopenhayn 1992). keep: (n,) boolean mask of the rows that stay."""
    m, p = ent.model, ent.model.params
    profit = start_profit(ent, live, realised)
    streak = np.where(profit < 0, streak + 1, 0)
    closing = demography.owner_closing(streak, p["exit_patience"], ent.workers[live], p["plant_scale"],
                                       profit + (expected - realised) * Q, ent.capital[live],
                                       p["scrap_value_share"], p["interest_rate"]) & ~ent.is_lead[live]
    rows = live[closing]
    if len(rows):
        m.network.drop_rows(rows)
        for row in rows.tolist():
            ent.agent[row].leave()
    return streak, ~closing


EMPLOYMENT_ROUNDS = 3   # numerical: rounds of rescaling each stage's line TFP toward the one-line start's employment


def age_structure(ent) -> float | None:
    """The age-structured start (`start_age_hazard` δ > 0; model.firm_ages): after the one-line
    start's fixed point, each initial SME gets an age from the stationary distribution δ (1 − δ)^a
    and the product lines the line process makes over it (`firm_ages.prehistory`; profitability
    1[π > 0] at the one-line start's realised unit value, `start_profit`, held over the history);
    with `niche_demand_sd` or `niche_market_growth` on, also the log niche demand u its walk makes over
    that age (`firm_ages.niche_histories`), the optimum then ∝ n e^u in place of n. Each stage's TFP is divided by n̄_s^(1−α−β) (`firm_ages.line_scale`: a line is 1/n̄_s of the
    one-line start's plant), so the stage's employment at the optimum is what the scenario's start
    has; a lead firm (its size declared by the scenario) opens with n̄_s lines, rounded. Workers and
    capital move to the new optimum (∝ n_i / n̄_s of the one-line start's), and the start's rounds
    run again (`equilibrate`); since large plants meet congested local fields, each stage's TFP is
    then rescaled by its employment ratio E_s / E_s,target (to the power 1 − α − β) and the rounds
    rerun, EMPLOYMENT_ROUNDS times in all. Returns what the last `equilibrate` returns (the final
    market's demand anchor with `start_market_clears`, else None)."""
    m, p = ent.model, ent.model.params
    live = ent.live
    stage, lead = ent.stage[live].astype(np.int64), ent.is_lead[live]
    groups = p["n_stages"] + 1
    profitable = start_profit(ent, live, ent.unit_value[live]) > 0
    sme = ~lead
    ages, lines = firm_ages.prehistory(m.rng, profitable[sme], stage[sme], p["line_birth"],
                                       p["start_age_hazard"], groups)
    n, u = np.ones(len(live)), np.zeros(len(live))
    n[sme] = lines
    if p["niche_demand_sd"] > 0 or p["niche_market_growth"] > 0:   # their niches' histories too (model.niche_demand)
        u[sme] = firm_ages.niche_histories(m.rng, ages, p["niche_demand_sd"],
                                           niche_growth.drift(p["niche_market_growth"], p["demand_growth"]))
    mass = n * np.exp(u)   # the optimum is ∝ n e^u
    scale = firm_ages.line_scale(mass[sme], ent.workers[live][sme], stage[sme], groups)
    n[lead] = mass[lead] = np.maximum(np.rint(scale[stage[lead]]), 1.0)
    ent.lines[live] = ent.line_mass[live] = n
    ent.niche_demand[live] = u
    m.network.set_taste(ent.niche_demand, p["niche_demand_orders"])   # clients' orders follow the niches
    ent.age[live[sme]] = ages
    target = np.bincount(stage, ent.workers[live], groups)   # the one-line start's employment by stage
    size = mass / scale[stage]
    for _ in range(EMPLOYMENT_ROUNDS):   # the congestion of a few large plants lowers the optimum: rescale again
        m.stage_tfp = m.stage_tfp * scale ** -(1.0 - p["labour_share"] - p["capital_share"])
        ent.workers[live] = np.maximum(ent.workers[live] * size, ent.crew(stage))
        ent.capital[live] = np.maximum(ent.capital[live] * size, p["min_capital"])
        m.update_fields(migrate=False)
        demand = equilibrate(ent)
        now = np.bincount(stage, ent.workers[live], groups)
        scale = np.divide(now, target, out=np.ones(groups), where=target > 0)
        size = 1.0 / scale[stage]
    return demand


SOLVE_ROUNDS = 20   # numerical: rounds of the subcontracted start's solve (unit values adapt at expectation_speed)


def subcontracted_start(ent, live, stage, firm, infra):
    """(D_0, v) of a start in which the rules of subcontracting (`work_to_order`) leave every enterprise
    where it is. Suppliers working to order make their order books, so a chain in balance leaves no good
    unsold and each clears at import parity (model.intermediate_market); at that chain the final firms
    earn v_i(P) = v_i + (P − P') a_i (1 − θ_i) (sales P a Q less the long haul θ on them; P' the price v_i
    was realised at). The solve keeps the final firms' employment E_F the first pass left and finds the
    final price P* at which their joint optima (model.production.optimal_size) employ E_F (bisection),
    puts them there, sizes the suppliers stage by stage from the last (`order_sizes`), realises the unit
    values at these sizes and repeats; D_0 = (P*/P_ref)^ε Σ Q a clears the final market at P*.
    Returns D_0 and the realised unit values over `live`."""
    m, p = ent.model, ent.model.params
    alpha, beta, user_cost = p["labour_share"], p["capital_share"], p["interest_rate"] + p["depreciation"]
    x, y = ent.x[live], ent.y[live]
    crew = ent.crew(stage[firm])
    employment = float(ent.workers[live][firm].sum())
    appeal = market.appeal(ent.knowledge[live], m.quality_standard * m.frontier, p["quality_sensitivity"])
    theta = transport.long_haul_share(p["long_haul_freight"], at(infra, x, y), p["infrastructure_freight_saving"])
    v = ent.unit_value[live].copy()
    for _ in range(SOLVE_ROUNDS):
        f = m.fields   # this round's fields (update_fields below replaces the dict each round)
        A = start_tfp(ent, live, stage, x, y, f)
        c = at(f["wage"], x, y) + p["land_per_worker"] * at(f["rent"], x, y)
        slope = appeal[firm] * (1.0 - theta[firm])

        def final_sizes(price, v=v, slope=slope, A=A, c=c):   # this round's arrays (v is updated in place)
            value = v[firm] + (price - m.price) * slope
            L, K = production.optimal_size(value, A[firm], c[firm], user_cost, alpha, beta)
            return np.maximum(L, crew), np.maximum(K, p["min_capital"])

        low, high = 0.0, p["price_ceiling"] * market.REFERENCE_PRICE
        for _ in range(60):   # Σ L*(P) rises with P: bisection for Σ L*(P*) = E_F
            mid = 0.5 * (low + high)
            low, high = (mid, high) if final_sizes(mid)[0].sum() < employment else (low, mid)
        v[firm] += (high - m.price) * slope
        m.price = high
        rows = live[firm]
        ent.workers[rows], ent.capital[rows] = final_sizes(high)   # (v already at P*: the sizes at P* hold)
        L, K = order_sizes(ent, live, stage, A, v, c, user_cost)
        ent.workers[live[~firm]], ent.capital[live[~firm]] = L[~firm], K[~firm]
        m.update_fields(migrate=False)
        realise(ent, stage, firm, infra)
        v = production.expected_unit_value(v, ent.unit_value[live], p["expectation_speed"])
    demand = (m.price / market.REFERENCE_PRICE) ** p["demand_elasticity"] * m._initial_quality_output()
    return demand, ent.unit_value[live].copy()


def order_sizes(ent, live, stage, A, v, unit_labour, user_cost):
    """(L, K) over `live` where the quarter's size rules leave a supplier unchanged at the net value per
    unit v: own account (no order), the joint optimum (model.production.optimal_size); working to
    order, stage by stage from the last, the order book o its clients' outputs place along ties
    (SupplyNetwork.order_book, as `Enterprises._work_to_order`): K = β v o / (r + δ)
    (model.production.target_capital at Q = o) and L the workers that make o with K
    (model.production.labour_for). Workers at least a plant's crew; final firms' rows as they are."""
    p = ent.model.params
    alpha, beta, S = p["labour_share"], p["capital_share"], p["n_stages"]
    L, K = production.optimal_size(v, A, unit_labour, user_cost, alpha, beta)
    L, K = np.maximum(L, ent.crew(stage)), np.maximum(K, p["min_capital"])
    final = stage == S
    L[final], K[final] = ent.workers[live[final]], ent.capital[live[final]]
    Q = production.output(A, L, K, alpha, beta)
    for rows, orders in ent.orders_down_the_chain(live, stage, Q):
        K[rows] = np.maximum(production.target_capital(v[rows], orders, beta, user_cost), p["min_capital"])
        L[rows] = np.maximum(production.labour_for(orders, A[rows], K[rows], alpha, beta), ent.crew(stage[rows]))
        Q[rows] = production.output(A[rows], L[rows], K[rows], alpha, beta)
    return L, K
